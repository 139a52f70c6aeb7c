#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace fer {
namespace {

[[noreturn]] void fail(const std::string& operation, const std::string& path,
                       const std::string& tmp, int fd, const char* step, int error) {
  if (fd >= 0) ::close(fd);
  std::remove(tmp.c_str());
  throw Error(operation, path, 0, "", std::string(step) + " failed: " + std::strerror(error));
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes,
                           const std::string& operation) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(operation, path, tmp, -1, ("create " + tmp).c_str(), errno);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(operation, path, tmp, fd, ("write " + tmp).c_str(), n < 0 ? errno : ENOSPC);
    done += static_cast<size_t>(n);
  }
  // Delayed allocation can report a full disk only here.
  if (::fsync(fd) != 0) fail(operation, path, tmp, fd, ("sync " + tmp).c_str(), errno);
  if (::close(fd) != 0) fail(operation, path, tmp, -1, ("close " + tmp).c_str(), errno);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail(operation, path, tmp, -1, "rename", errno);
}

}  // namespace fer
