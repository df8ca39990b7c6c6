// ResolveSubPath and VolumeManager::PrepareSubPath: the subPath checks of the kubelet's
// makeMounts plus SafeMakeDir and PrepareSafeSubpath (pkg/volume/util/subpath/
// subpath_linux.go).
//
// The walk holds an O_PATH descriptor per component and never follows a symlink
// implicitly: a symlink is resolved explicitly and must land inside the volume (as
// upstream's EvalSymlinks + PathWithinBase check). Missing components are created with the
// volume root's mode, as the kubelet does, so the container does not get a root-owned
// directory with the wrong mode. PrepareSubPath then bind-mounts /proc/self/fd/N, so what
// is mounted is exactly what was checked.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "kubelet/volumes.h"

namespace minik {
namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  void Reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

bool Within(const std::string& path, const std::string& base) {
  return path == base || (path.size() > base.size() && path.compare(0, base.size(), base) == 0 &&
                          (base == "/" || path[base.size()] == '/'));
}

std::string RealPathOf(const std::string& p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) return "";
  return buf;
}

std::string FdPath(int fd) {
  char buf[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

// The walk: on success *out holds an O_PATH descriptor of what sub_path names inside the
// volume (created as a directory when missing) and *resolved its real path.
Status OpenSubPath(const std::string& volume_path, const std::string& sub_path, Fd* out,
                   std::string* resolved_out) {
  if (!sub_path.empty() && sub_path[0] == '/') {
    return Status(Code::kInvalid, "error SubPath `" + sub_path + "` must not be an absolute path");
  }
  std::vector<std::string> parts;
  for (size_t start = 0; start <= sub_path.size();) {
    size_t slash = sub_path.find('/', start);
    if (slash == std::string::npos) slash = sub_path.size();
    std::string part = sub_path.substr(start, slash - start);
    if (part == "..") {
      return Status(Code::kInvalid,
                    "unable to provision SubPath `" + sub_path + "`: must not contain '..'");
    }
    if (!part.empty() && part != ".") parts.push_back(part);
    start = slash + 1;
  }
  const std::string base = RealPathOf(volume_path);
  if (base.empty()) {
    return Status(Code::kNotFound, "volume path " + volume_path + ": " + std::strerror(errno));
  }
  Fd cur(::open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (cur.get() < 0) {
    return Status(Code::kInvalid, "subPath `" + sub_path + "`: volume path " + volume_path +
                                      " is not a directory");
  }
  struct stat base_st;
  if (::fstat(cur.get(), &base_st) != 0) return Internal("stat " + base + ": " + std::strerror(errno));
  const mode_t perm = base_st.st_mode & 07777;

  std::string cur_path = base;
  const std::string full = base + "/" + sub_path;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    struct stat st;
    if (::fstatat(cur.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return Internal("stat " + cur_path + "/" + part + ": " + std::strerror(errno));
      // Created as the kubelet does for a missing subPath: a directory with the volume's mode.
      if (::mkdirat(cur.get(), part.c_str(), perm & 0777) != 0 && errno != EEXIST) {
        return Internal("failed to create subPath directory `" + sub_path + "`: " +
                        std::strerror(errno));
      }
      int made = ::openat(cur.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (made < 0) {
        return Internal("failed to create subPath directory `" + sub_path + "`: " +
                        std::strerror(errno));
      }
      cur.Reset(made);
      // chmod through the descriptor (fchmod refuses O_PATH): the mode must not depend on
      // the umask, and the path cannot have been swapped for a symlink meanwhile.
      if (::chmod(("/proc/self/fd/" + std::to_string(made)).c_str(), perm) != 0) {
        return Internal("chmod subPath directory `" + sub_path + "`: " + std::strerror(errno));
      }
      cur_path += "/" + part;
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target = RealPathOf(cur_path + "/" + part);
      if (target.empty() || !Within(target, base)) {
        return Status(Code::kInvalid,
                      "subpath \"" + full + "\" not within volume path \"" + base + "\"");
      }
      int next = ::open(target.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0) return Internal("open " + target + ": " + std::strerror(errno));
      cur.Reset(next);
      cur_path = target;
    } else {
      int next = ::openat(cur.get(), part.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0) return Internal("open " + cur_path + "/" + part + ": " + std::strerror(errno));
      cur.Reset(next);
      cur_path += "/" + part;
    }
    if (!last) {
      struct stat now;
      if (::fstat(cur.get(), &now) != 0 || !S_ISDIR(now.st_mode)) {
        return Status(Code::kInvalid, "subPath `" + sub_path + "`: " + cur_path +
                                          " is not a directory");
      }
    }
  }
  // The descriptor's real path: what the walk actually reached.
  std::string resolved = FdPath(cur.get());
  if (resolved.empty() || !Within(resolved, base)) {
    return Status(Code::kInvalid, "subpath \"" + full + "\" not within volume path \"" + base + "\"");
  }
  *resolved_out = resolved;
  out->Reset(cur.Release());
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> ResolveSubPath(const std::string& volume_path, const std::string& sub_path) {
  if (sub_path.empty()) return volume_path;
  Fd fd;
  std::string resolved;
  MINIK_RETURN_IF_ERROR(OpenSubPath(volume_path, sub_path, &fd, &resolved));
  return resolved;
}

StatusOr<std::string> VolumeManager::PrepareSubPath(const std::string& pod_uid,
                                                    const std::string& volume_name,
                                                    const std::string& container_name,
                                                    int mount_index,
                                                    const std::string& volume_path,
                                                    const std::string& sub_path) {
  for (const std::string* name : {&pod_uid, &volume_name, &container_name}) {
    if (name->empty() || *name == "." || *name == ".." || name->find('/') != std::string::npos) {
      return Status(Code::kInvalid, "invalid name " + *name + " for a subPath mount");
    }
  }
  if (sub_path.empty()) return volume_path;
  Fd fd;
  std::string resolved;
  MINIK_RETURN_IF_ERROR(OpenSubPath(volume_path, sub_path, &fd, &resolved));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Internal("stat " + resolved + ": " + std::strerror(errno));

  // <pods>/<uid>/volume-subpaths/<volume>/<container>/<index>, as upstream lays it out.
  std::string dir = options_.pods_dir + "/" + pod_uid + "/volume-subpaths/" + volume_name + "/" +
                    container_name;
  std::string cur;
  for (size_t start = 0; start <= dir.size();) {
    size_t slash = dir.find('/', start);
    if (slash == std::string::npos) slash = dir.size();
    cur = dir.substr(0, slash);
    if (!cur.empty() && ::mkdir(cur.c_str(), 0750) != 0 && errno != EEXIST) {
      return Internal("mkdir " + cur + ": " + std::strerror(errno));
    }
    start = slash + 1;
  }
  const std::string target = dir + "/" + std::to_string(mount_index);
  // A previous bind (container restart): replace it, the subPath may have changed.
  while (::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
  }
  struct stat tst;
  if (::lstat(target.c_str(), &tst) == 0 &&
      (S_ISDIR(tst.st_mode) != S_ISDIR(st.st_mode) || S_ISLNK(tst.st_mode))) {
    if (::remove(target.c_str()) != 0) return Internal("remove " + target + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    if (::mkdir(target.c_str(), 0750) != 0 && errno != EEXIST) {
      return Internal("mkdir " + target + ": " + std::strerror(errno));
    }
  } else {
    int f = ::open(target.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (f < 0) return Internal("create " + target + ": " + std::strerror(errno));
    ::close(f);
  }
  // Binding the descriptor binds exactly the inode the walk checked, even if the container
  // has swapped a path component for a symlink since.
  std::string source = "/proc/self/fd/" + std::to_string(fd.get());
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return Internal("bind " + resolved + " to " + target + ": " + std::strerror(errno));
  }
  return target;
}

}  // namespace minik
