// The container's root filesystem, built inside its new mount namespace (rprivate):
// overlay over the image layers, /proc (with Docker's masked and read-only paths), /sys
// read-only, /sys/fs/cgroup showing the container's own cgroups (read-only binds of its
// directories), a tmpfs /dev with null/zero/full/random/urandom/tty, /dev/pts (new
// instance), /dev/shm, /dev/mqueue, then the spec's mounts in order, pivot_root, and the
// read-only remount of / when asked. Paths inside the rootfs are resolved as if it were
// "/" (symlinks cannot lead out of it).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/status.h"
#include "kubelet/runtime/runtime.h"

namespace minik::rt {

// Overlay's mount data. `layers` are lowest first; overlay wants the top-most first.
// ',' ':' and '\' in paths are escaped.
std::string OverlayOptions(const std::vector<std::string>& layers, const std::string& upper,
                           const std::string& work);
// Mounts overlay at `target`. When the options exceed a page (mount(2)'s limit) the layers
// are passed one by one with the new mount API ("lowerdir+", Linux 6.8+).
Status MountOverlay(const std::vector<std::string>& layers, const std::string& upper,
                    const std::string& work, const std::string& target);

// `path` resolved under `root` as if root were "/": symlinks (absolute ones relative to
// root) and ".." never leave root. Missing components are kept as written.
StatusOr<std::string> ResolveInRoot(const std::string& root, const std::string& path);

struct RootfsPlan {
  std::vector<std::string> layers;  // lowest first
  std::string upper, work, rootfs;  // overlay dirs and the mount point
  std::vector<Mount> mounts;
  bool privileged = false;
  bool read_only = false;
  // Host cgroup directory → name under /sys/fs/cgroup ("memory", "cpu", ...).
  std::vector<std::pair<std::string, std::string>> cgroup_dirs;
  std::string working_dir;  // created (mkdir -p) when missing
  std::function<void(const char* step)> trace;  // optional step timing
};

// Runs in the container's new mount namespace, as root; ends with cwd "/" in the new root.
Status SetupRootfs(const RootfsPlan& plan);

}  // namespace minik::rt
