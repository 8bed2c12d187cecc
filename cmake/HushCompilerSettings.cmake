# Compiler settings: ccache, warnings as errors for our own targets, sanitizers.

find_program(HUSH_CCACHE ccache)
if(HUSH_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${HUSH_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${HUSH_CCACHE})
endif()

# Our own code: strict warnings, errors. Generated and third-party code is
# compiled without this.
function(hush_strict_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough -Wformat=2
    # g++ 12 reports std::string concatenation at -O3 as overlapping memcpy
    # (GCC bug 105329, a false positive in libstdc++ itself).
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
endfunction()

# How g++ expands the copies and zeroings it inlines (structs, std::array,
# value-initialised objects) in libhush: as vector loops up to 1 KiB and as
# calls to glibc above, never as `rep movs`/`rep stos`. g++'s generic tuning
# picks `rep` for mid-sized blocks, and on the AMD EPYC VMs we measure on
# (as on AMD Zen generally) a `rep stosq` of 544 bytes takes ~80 ns against
# ~20 ns for the loop: perf found such instructions behind a tenth of
# libhush's own time in a version-4 message (record parsing and writing,
# docs/performance.md). Only the code generation of these copies changes.
function(hush_string_ops target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(${target} PRIVATE
      -mmemset-strategy=vector_loop:1024:noalign,libcall:-1:noalign
      -mmemcpy-strategy=vector_loop:1024:noalign,libcall:-1:noalign)
  endif()
endfunction()

if(HUSH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer (not in CI: too slow for its time budget; docs/CONTRIBUTING.md).
# Cannot be combined with ASan. Dependencies (OpenSSL, libsodium, SQLite, libpq,
# Boost's compiled parts) are not instrumented: tests/tsan.supp names the
# reports that come from them.
if(HUSH_TSAN)
  if(HUSH_SANITIZE)
    message(FATAL_ERROR "HUSH_TSAN and HUSH_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # Asio uses std::atomic_thread_fence (fenced blocks, ref_count_down), which
  # TSan does not model; g++ warns (-Wtsan), an error under -Werror. A race
  # TSan reports only because of such a fence goes to tests/tsan.supp.
  add_compile_options(-Wno-tsan)
endif()

# Fuzzing builds (clang): instrument everything for coverage, so the fuzzers
# see inside libhush and not only their own file; the fuzz targets add the
# libFuzzer main themselves (fuzz/CMakeLists.txt).
if(HUSH_BUILD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
