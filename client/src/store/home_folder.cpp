// POSIX calls for the home folder and the store file's creation, the copy
// of the server's CA certificate kept in it, and the removal of a new store
// whose registration failed.
#include "home_folder.hpp"

#include <hush/client/store/local_store.hpp>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <string>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hush::client::store {

Status prepare_home_folder(const std::filesystem::path& home) {
  if (::mkdir(home.c_str(), 0700) != 0 && errno != EEXIST) return make_error(Errc::storage_failure, "home folder create");
  struct stat st {};
  if (::lstat(home.c_str(), &st) != 0) return make_error(Errc::storage_failure, "home folder stat");
  if (!S_ISDIR(st.st_mode)) return make_error(Errc::forbidden, "home is not a folder");
  if (st.st_uid != ::geteuid()) return make_error(Errc::forbidden, "home folder belongs to another user");
  if ((st.st_mode & 07777) != 0700 && ::chmod(home.c_str(), 0700) != 0) {
    return make_error(Errc::storage_failure, "home folder chmod");
  }
  return ok();
}

Status create_private_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return errno == EEXIST ? make_error(Errc::conflict, "a store exists already")
                                     : make_error(Errc::storage_failure, "store file create");
  // SQLite gives its -wal and -shm files the database file's mode, so 0600 here covers them too.
  bool chmod_ok = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!chmod_ok) return make_error(Errc::storage_failure, "store file chmod");
  return ok();
}

Status tighten_store_file(const std::filesystem::path& file) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string p = file.string() + suffix;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT && *suffix != '\0') continue;  // no companion file now
      return make_error(Errc::storage_failure, "store file stat");
    }
    if (!S_ISREG(st.st_mode)) return make_error(Errc::forbidden, "store file is not a regular file");
    if (st.st_uid != ::geteuid()) return make_error(Errc::forbidden, "store file belongs to another user");
    if ((st.st_mode & 07777) != 0600 && ::chmod(p.c_str(), 0600) != 0) {
      return make_error(Errc::storage_failure, "store file chmod");
    }
  }
  return ok();
}

void remove_store_files(const std::filesystem::path& file) noexcept {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::string p = file.string() + suffix;
    ::unlink(p.c_str());
  }
}

Result<std::filesystem::path> keep_ca_copy(const std::filesystem::path& home, const std::filesystem::path& ca_file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(ca_file, ec);
  if (ec) return make_error(Errc::not_found, "CA certificate file unreadable");
  if (size > kMaxCaFileSize) return make_error(Errc::invalid_argument, "CA certificate file too large");
  std::string pem;
  {
    std::ifstream in(ca_file, std::ios::binary);
    if (!in) return make_error(Errc::not_found, "CA certificate file unreadable");
    pem.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return make_error(Errc::not_found, "CA certificate file unreadable");
  }
  const std::filesystem::path copy = home / kCaCopyName;
  const std::filesystem::path temporary = home / (std::string(kCaCopyName) + ".new");
  ::unlink(temporary.c_str());  // left by an interrupted copy
  HUSH_TRY(create_private_file(temporary));
  bool written = false;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(pem.data(), static_cast<std::streamsize>(pem.size()));
    out.flush();
    written = static_cast<bool>(out);
  }
  if (!written || ::rename(temporary.c_str(), copy.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return make_error(Errc::storage_failure, "CA certificate copy");
  }
  return copy;
}

void remove_new_store(const std::filesystem::path& home) noexcept {
  remove_store_files(home / kStoreFileName);
  for (const auto& name : {std::string(kCaCopyName), std::string(kCaCopyName) + ".new"}) {
    const std::filesystem::path p = home / name;
    ::unlink(p.c_str());
  }
}

}  // namespace hush::client::store
