#include "kubelet/images/fsutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace minik::imagefs {
namespace {

Status Errno(const std::string& what, const std::string& path, int err) {
  return Status(Code::kInternal, what + " " + path + ": " + ErrnoText(err));
}

// Removes the contents of the directory open at `fd` (closed on return).
Status RemoveContents(int fd, const std::string& path) {
  DIR* dir = fdopendir(fd);
  if (!dir) {
    int err = errno;
    close(fd);
    return Errno("open", path, err);
  }
  fchmod(fd, 0700);  // a read-only directory's entries can still be unlinked by root only
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      names.emplace_back(e->d_name);
  }
  Status result;
  for (const auto& name : names) {
    if (unlinkat(fd, name.c_str(), 0) == 0 || errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM) {
      result = Errno("remove", path + "/" + name, errno);
      continue;
    }
    int sub = openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) {
      result = Errno("open", path + "/" + name, errno);
      continue;
    }
    Status st = RemoveContents(sub, path + "/" + name);
    if (!st.ok()) result = st;
    if (unlinkat(fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
      result = Errno("remove", path + "/" + name, errno);
  }
  closedir(dir);
  return result;
}

}  // namespace

std::string ErrnoText(int err) { return std::strerror(err); }

StatusOr<std::string> ReadFile(const std::string& path, size_t max_size) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status(Code::kNotFound, path + " does not exist");
    return Errno("open", path, errno);
  }
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Errno("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_size) {
      close(fd);
      return Status(Code::kInvalid, path + " is larger than " + std::to_string(max_size) + " bytes");
    }
  }
  close(fd);
  return out;
}

Status WriteFileAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", tmp, errno);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return Errno("write", tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    int err = errno;
    close(fd);
    unlink(tmp.c_str());
    return Errno("fsync", tmp, err);
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return Errno("rename", tmp, err);
  }
  std::string dir = path.substr(0, path.rfind('/') == std::string::npos ? 1 : path.rfind('/'));
  int dfd = open(dir.empty() ? "/" : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path, int mode) {
  if (path.empty()) return Status::Ok();
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    std::string part = path.substr(0, pos);
    if (!part.empty() && mkdir(part.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
      return Errno("mkdir", part, errno);
    if (pos == std::string::npos) break;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status(Code::kInternal, path + " is not a directory");
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  if (unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  if (errno != EISDIR && errno != EPERM) return Errno("remove", path, errno);
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Errno("open", path, errno);
  Status st = RemoveContents(fd, path);
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path, errno);
  return st;
}

StatusOr<FlockGuard> FlockGuard::Acquire(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", path, errno);
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    close(fd);
    return Errno("lock", path, err);
  }
  return FlockGuard(fd);
}

FlockGuard::~FlockGuard() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace minik::imagefs
