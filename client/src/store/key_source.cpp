// Key files: created 0600 with O_EXCL, and refused when anyone but their
// owner could read them (the check uses fstat on the opened descriptor, so
// the file checked is the file read).
#include <hush/client/store/key_source.hpp>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hush::client::store {

namespace {

/// Closes a descriptor on every path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

crypto::Argon2idCost argon2id_cost(KdfCost cost) noexcept {
  switch (cost) {
    case KdfCost::moderate: return crypto::Argon2idCost::moderate();
    case KdfCost::interactive: return crypto::Argon2idCost::interactive();
    case KdfCost::test_minimum: return crypto::Argon2idCost::test_minimum();
  }
  return crypto::Argon2idCost::moderate();
}

Status create_key_file(const std::filesystem::path& path, crypto::Rng& rng) {
  Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
  if (f.fd < 0) {
    return errno == EEXIST ? make_error(Errc::conflict, "key file exists") : make_error(Errc::storage_failure, "key file create");
  }
  // The umask may only have narrowed 0600; make it exactly 0600.
  if (::fchmod(f.fd, 0600) != 0) return make_error(Errc::storage_failure, "key file chmod");
  SecretBytes<kKeyFileSize> key;
  rng.fill(key.expose_mut());
  auto bytes = key.expose();
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(Errc::storage_failure, "key file write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) return make_error(Errc::storage_failure, "key file fsync");
  return ok();
}

Result<SecretBytes<kKeyFileSize>> read_key_file(const std::filesystem::path& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return make_error(Errc::not_found, "key file");
    if (errno == ELOOP) return make_error(Errc::forbidden, "key file is a symbolic link");
    return make_error(Errc::storage_failure, "key file open");
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return make_error(Errc::storage_failure, "key file stat");
  if (!S_ISREG(st.st_mode)) return make_error(Errc::forbidden, "key file is not a regular file");
  if (st.st_uid != ::geteuid()) return make_error(Errc::forbidden, "key file belongs to another user");
  if ((st.st_mode & 077) != 0) return make_error(Errc::forbidden, "key file accessible by group or others");
  if (st.st_size != static_cast<off_t>(kKeyFileSize)) return make_error(Errc::bad_length, "key file size");
  SecretBytes<kKeyFileSize> key;
  auto out = key.expose_mut();
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(f.fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(Errc::bad_length, "key file size");
    done += static_cast<std::size_t>(n);
  }
  return key;
}

}  // namespace hush::client::store
