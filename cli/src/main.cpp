// hush: the command line's entry point (see app.hpp and docs/cli.md).
#include "app.hpp"

#include <unistd.h>

#include <iostream>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  hush::cli::Io io{std::cin, STDIN_FILENO, hush::cli::process_env()};
  return hush::cli::run(args, std::cout, std::cerr, io);
}
