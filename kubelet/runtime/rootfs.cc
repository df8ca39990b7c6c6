#include "kubelet/runtime/rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

std::string Escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ',' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

Status MountErr(const std::string& what, const std::string& dst, int err) {
  return Status(Code::kInternal, "mount " + what + " on " + dst + ": " + std::strerror(err));
}

Status DoMount(const char* src, const std::string& dst, const char* type, unsigned long flags,
               const char* data, const std::string& what) {
  if (::mount(src, dst.c_str(), type, flags, data) != 0) return MountErr(what, dst, errno);
  return Status::Ok();
}

// Makes an existing mount read-only (recursively with `recursive`).
Status MakeReadOnly(const std::string& dst, bool recursive) {
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (::mount_setattr(AT_FDCWD, dst.c_str(), recursive ? AT_RECURSIVE : 0, &attr,
                      sizeof attr) == 0) {
    return Status::Ok();
  }
  if (::mount(nullptr, dst.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    return MountErr("read-only remount", dst, errno);
  }
  return Status::Ok();
}

// Resolves `path` in the rootfs and creates it as a directory (or an empty file).
StatusOr<std::string> MakeMountPoint(const std::string& root, const std::string& path,
                                     bool file) {
  auto dst = ResolveInRoot(root, path);
  if (!dst.ok()) return dst.status();
  struct stat st;
  if (::stat(dst->c_str(), &st) == 0) return dst;
  if (!file) {
    MINIK_RETURN_IF_ERROR(MkdirAll(*dst));
    return dst;
  }
  size_t slash = dst->find_last_of('/');
  MINIK_RETURN_IF_ERROR(MkdirAll(dst->substr(0, slash)));
  UniqueFd fd(::open(dst->c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid() && errno != EEXIST) return Errno("create mount point " + path, errno);
  return dst;
}

Status MountDev(const std::string& root, bool privileged) {
  auto dev = MakeMountPoint(root, "/dev", false);
  if (!dev.ok()) return dev.status();
  if (privileged) {
    MINIK_RETURN_IF_ERROR(DoMount("/dev", *dev, nullptr, MS_BIND | MS_REC, nullptr, "/dev"));
  } else {
    MINIK_RETURN_IF_ERROR(DoMount("tmpfs", *dev, "tmpfs", MS_NOSUID | MS_STRICTATIME,
                                  "mode=755,size=65536k", "tmpfs"));
    struct Node {
      const char* name;
      unsigned major, minor;
    };
    for (Node n : {Node{"null", 1, 3}, Node{"zero", 1, 5}, Node{"full", 1, 7},
                   Node{"random", 1, 8}, Node{"urandom", 1, 9}, Node{"tty", 5, 0}}) {
      std::string path = *dev + "/" + n.name;
      if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(n.major, n.minor)) != 0) {
        return Errno("mknod " + path, errno);
      }
      ::chmod(path.c_str(), 0666);  // umask
    }
    for (auto [name, target] : {std::pair{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
                                {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
                                {"ptmx", "pts/ptmx"}, {"core", "/proc/kcore"}}) {
      ::symlink(target, (*dev + "/" + name).c_str());
    }
  }
  for (const char* d : {"pts", "shm", "mqueue"}) ::mkdir((*dev + "/" + d).c_str(), 0755);
  MINIK_RETURN_IF_ERROR(DoMount("devpts", *dev + "/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                                "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts"));
  MINIK_RETURN_IF_ERROR(DoMount("shm", *dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                "mode=1777,size=65536k", "tmpfs"));
  MINIK_RETURN_IF_ERROR(DoMount("mqueue", *dev + "/mqueue", "mqueue",
                                MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, "mqueue"));
  return Status::Ok();
}

Status MountSysAndCgroups(const RootfsPlan& plan) {
  auto sys = MakeMountPoint(plan.rootfs, "/sys", false);
  if (!sys.ok()) return sys.status();
  unsigned long ro = plan.privileged ? 0 : MS_RDONLY;
  MINIK_RETURN_IF_ERROR(
      DoMount("sysfs", *sys, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | ro, nullptr, "sysfs"));
  if (plan.cgroup_dirs.empty()) return Status::Ok();
  std::string cg = *sys + "/fs/cgroup";
  MINIK_RETURN_IF_ERROR(DoMount("cgroup", cg, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                "mode=755,size=64k", "tmpfs"));
  for (const auto& [host_dir, name] : plan.cgroup_dirs) {
    std::string dst = cg + "/" + name;
    if (::mkdir(dst.c_str(), 0555) != 0 && errno != EEXIST) return Errno("mkdir " + dst, errno);
    MINIK_RETURN_IF_ERROR(DoMount(host_dir.c_str(), dst, nullptr, MS_BIND, nullptr, host_dir));
    if (!plan.privileged) MINIK_RETURN_IF_ERROR(MakeReadOnly(dst, false));
  }
  return MakeReadOnly(cg, false);
}

Status MountProc(const RootfsPlan& plan) {
  auto proc = MakeMountPoint(plan.rootfs, "/proc", false);
  if (!proc.ok()) return proc.status();
  MINIK_RETURN_IF_ERROR(
      DoMount("proc", *proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, "proc"));
  if (plan.privileged) return Status::Ok();
  // Docker's masked paths: files hidden behind /dev/null, directories behind an empty tmpfs.
  for (const char* p : {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                        "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"}) {
    std::string dst = plan.rootfs + p;
    struct stat st;
    if (::lstat(dst.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      MINIK_RETURN_IF_ERROR(
          DoMount("tmpfs", dst, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=0", "tmpfs"));
    } else {
      MINIK_RETURN_IF_ERROR(DoMount("/dev/null", dst, nullptr, MS_BIND, nullptr, "/dev/null"));
    }
  }
  for (const char* p :
       {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}) {
    std::string dst = plan.rootfs + p;
    if (!PathExists(dst)) continue;
    MINIK_RETURN_IF_ERROR(DoMount(dst.c_str(), dst, nullptr, MS_BIND | MS_REC, nullptr, p));
    MINIK_RETURN_IF_ERROR(MakeReadOnly(dst, true));
  }
  return Status::Ok();
}

Status MountSpecMount(const std::string& root, const Mount& m) {
  if (m.destination.empty() || m.destination[0] != '/') {
    return BadRequest("mount destination \"" + m.destination + "\" is not an absolute path");
  }
  if (m.type == "tmpfs") {
    auto dst = MakeMountPoint(root, m.destination, false);
    if (!dst.ok()) return dst.status();
    unsigned long flags = MS_NOSUID | MS_NODEV | (m.read_only ? MS_RDONLY : 0);
    return DoMount("tmpfs", *dst, "tmpfs", flags, m.options.empty() ? nullptr : m.options.c_str(),
                   "tmpfs");
  }
  if (m.type != "bind") return BadRequest("unsupported mount type \"" + m.type + "\"");
  struct stat st;
  if (::stat(m.source.c_str(), &st) != 0) {
    return Status(Code::kBadRequest, "mount source " + m.source + " for " + m.destination + ": " +
                                         std::strerror(errno));
  }
  auto dst = MakeMountPoint(root, m.destination, !S_ISDIR(st.st_mode));
  if (!dst.ok()) return dst.status();
  MINIK_RETURN_IF_ERROR(
      DoMount(m.source.c_str(), *dst, nullptr, MS_BIND | MS_REC, nullptr, m.source));
  if (m.read_only) MINIK_RETURN_IF_ERROR(MakeReadOnly(*dst, true));
  return Status::Ok();
}

}  // namespace

std::string OverlayOptions(const std::vector<std::string>& layers, const std::string& upper,
                           const std::string& work) {
  std::string out = "lowerdir=";
  for (size_t i = layers.size(); i-- > 0;) {
    out += Escape(layers[i]);
    if (i > 0) out += ':';
  }
  out += ",upperdir=" + Escape(upper) + ",workdir=" + Escape(work);
  return out;
}

Status MountOverlay(const std::vector<std::string>& layers, const std::string& upper,
                    const std::string& work, const std::string& target) {
  if (layers.empty()) return BadRequest("the image has no layers");
  std::string data = OverlayOptions(layers, upper, work);
  long page = ::sysconf(_SC_PAGESIZE);
  if (static_cast<long>(data.size()) < page) {
    return DoMount("overlay", target, "overlay", 0, data.c_str(), "overlay");
  }
  UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs.valid()) return Errno("fsopen overlay", errno);
  for (size_t i = layers.size(); i-- > 0;) {
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", layers[i].c_str(), 0) != 0) {
      return Errno("overlay lowerdir+ " + layers[i], errno);
    }
  }
  if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", upper.c_str(), 0) != 0 ||
      ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "workdir", work.c_str(), 0) != 0 ||
      ::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return Errno("configure overlay", errno);
  }
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt.valid()) return Errno("fsmount overlay", errno);
  if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return Errno("move_mount overlay to " + target, errno);
  }
  return Status::Ok();
}

StatusOr<std::string> ResolveInRoot(const std::string& root, const std::string& path) {
  std::vector<std::string> todo = Split(path, '/');
  std::reverse(todo.begin(), todo.end());
  std::string cur;  // resolved, relative to root, "" or "/a/b"
  int links = 0;
  bool missing = false;
  while (!todo.empty()) {
    std::string c = std::move(todo.back());
    todo.pop_back();
    if (c == ".") continue;
    if (c == "..") {
      size_t slash = cur.find_last_of('/');
      cur = slash == std::string::npos ? "" : cur.substr(0, slash);
      continue;
    }
    std::string next = cur + "/" + c;
    if (missing) {
      cur = next;
      continue;
    }
    struct stat st;
    std::string full = root + next;
    if (::lstat(full.c_str(), &st) != 0) {
      if (errno != ENOENT) return Errno("stat " + full, errno);
      missing = true;
      cur = next;
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > 40) return BadRequest("too many symlinks resolving " + path);
      char buf[PATH_MAX];
      ssize_t n = ::readlink(full.c_str(), buf, sizeof buf - 1);
      if (n < 0) return Errno("readlink " + full, errno);
      std::string target(buf, static_cast<size_t>(n));
      if (!target.empty() && target[0] == '/') cur.clear();
      std::vector<std::string> parts = Split(target, '/');
      for (size_t i = parts.size(); i-- > 0;) todo.push_back(parts[i]);
      continue;
    }
    cur = next;
  }
  return root + cur;
}

Status SetupRootfs(const RootfsPlan& plan) {
  auto step = [&](const char* what) {
    if (plan.trace) plan.trace(what);
  };
  // Nothing we mount may propagate back to the host.
  MINIK_RETURN_IF_ERROR(DoMount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr, "rprivate"));
  step("rootfs: rprivate");
  MINIK_RETURN_IF_ERROR(MountOverlay(plan.layers, plan.upper, plan.work, plan.rootfs));
  step("rootfs: overlay");
  MINIK_RETURN_IF_ERROR(MountSysAndCgroups(plan));  // before /proc: it masks /sys paths too
  step("rootfs: sys+cgroup");
  MINIK_RETURN_IF_ERROR(MountProc(plan));
  step("rootfs: proc+masks");
  MINIK_RETURN_IF_ERROR(MountDev(plan.rootfs, plan.privileged));
  step("rootfs: dev");
  for (const Mount& m : plan.mounts) MINIK_RETURN_IF_ERROR(MountSpecMount(plan.rootfs, m));
  if (!plan.working_dir.empty()) {
    auto cwd = MakeMountPoint(plan.rootfs, plan.working_dir, false);
    if (!cwd.ok()) return cwd.status();
  }
  step("rootfs: spec mounts");
  // pivot_root(".", "."): the old root ends up on top of the new one; detach it.
  if (::chdir(plan.rootfs.c_str()) != 0) return Errno("chdir " + plan.rootfs, errno);
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return Errno("pivot_root", errno);
  step("rootfs: pivot_root");
  if (::umount2(".", MNT_DETACH) != 0) return Errno("detach the old root", errno);
  if (::chdir("/") != 0) return Errno("chdir /", errno);
  step("rootfs: detach old root");
  if (plan.read_only) {
    if (::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      return MountErr("read-only remount", "/", errno);
    }
  }
  return Status::Ok();
}

}  // namespace minik::rt
