// POSIX calls for the home folder and the store file's creation.
#include "home_folder.hpp"

#include <cerrno>
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

}  // namespace hush::client::store
