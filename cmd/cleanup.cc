#include "cmd/cleanup.h"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <sstream>
#include <vector>

#include "cmd/fileutil.h"
#include "cmd/node_setup.h"

namespace minik {

std::vector<std::string> MountPointsUnder(const std::string& mountinfo, const std::string& dir) {
  std::vector<std::string> out;
  const std::string prefix = dir + "/";
  std::istringstream lines(mountinfo);
  std::string line;
  while (std::getline(lines, line)) {
    // mountinfo(5): id parent major:minor root mount-point ...; the kernel writes space, tab,
    // newline and backslash in paths as \ooo octal escapes.
    std::istringstream fields(line);
    std::string field, point;
    int n = 0;
    while (n < 5 && fields >> field) {
      point = field;
      ++n;
    }
    if (n < 5) continue;
    std::string path;
    for (size_t i = 0; i < point.size(); ++i) {
      auto octal = [&](size_t k) { return point[k] >= '0' && point[k] <= '7'; };
      if (point[i] == '\\' && i + 3 < point.size() && octal(i + 1) && octal(i + 2) &&
          octal(i + 3)) {
        path += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        path += point[i];
      }
    }
    if (path.rfind(prefix, 0) == 0) out.push_back(path);
  }
  // Deepest first, so that a mount inside another goes before it.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() > b.size();
  });
  return out;
}

namespace {

// Volume mounts (tmpfs of secret, configMap and projected volumes, subPath binds) that pods
// of a server which did not clean up (killed, or stopped with its pods kept) left in `dir`.
Status UnmountUnder(const std::string& dir) {
  auto info = ReadFile("/proc/self/mountinfo");
  if (!info.ok()) return info.status();
  Status result;
  for (const std::string& m : MountPointsUnder(*info, dir)) {
    if (::umount2(m.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
        errno != ENOENT && result.ok()) {
      result = Internal("unmount " + m + ": " + std::strerror(errno));
    }
  }
  return result;
}

}  // namespace

Status StopOrphanContainers(const std::string& profile, const ProfilePaths& paths,
                            int64_t grace_seconds, int* stopped) {
  *stopped = 0;
  auto config = LoadProfileConfig(paths);
  if (!config.ok()) return config.status().code() == Code::kNotFound ? Status::Ok() : config.status();
  if (!PathExists(paths.dir + "/runtime")) return Status::Ok();
  auto runtime = OpenContainerRuntime(RuntimeOptionsFor(profile, *config, paths));
  if (!runtime.ok()) return runtime.status();
  std::vector<std::future<Status>> stops;
  for (const ContainerState& c : (*runtime)->ListContainers()) {
    if (c.status != ContainerStatus::kRunning) continue;
    ++*stopped;
    stops.push_back(std::async(std::launch::async, [&, id = c.id] {
      return (*runtime)->StopContainer(id, grace_seconds);
    }));
  }
  Status result;
  for (auto& f : stops) {
    if (Status st = f.get(); !st.ok() && result.ok()) result = st;
  }
  return result;
}

Status CleanupHostResources(const std::string& profile, const ProfilePaths& paths) {
  // Mounts inside the state directory are this profile's whoever owns the network now.
  Status unmounted = UnmountUnder(paths.dir);
  auto config = LoadProfileConfig(paths);
  if (!config.ok()) {
    // Never started (or config gone): nothing of ours can exist on the host.
    if (config.status().code() == Code::kNotFound) return unmounted;
    return config.status();
  }
  // Another cluster's network (another $MINIK_HOME took the index over after this profile
  // stopped): its bridge, chains and cgroups are not ours to remove.
  std::string claims = NetworkClaimsDir();
  std::string owner = NetworkIndexOwner(claims, config->pod_cidr_index);
  if (!owner.empty() && owner != paths.dir) return unmounted;
  Status result;
  auto runtime = OpenContainerRuntime(RuntimeOptionsFor(profile, *config, paths));
  if (runtime.ok()) {
    if (Status st = (*runtime)->Cleanup(); !st.ok()) result = st;
  } else {
    result = runtime.status();
  }
  // The service rules jump to the pod network's masquerade mark: they go first.
  if (Status st = CleanupNetProxy(NetProxyOptionsFor(profile, *config).chain_prefix);
      !st.ok() && result.ok())
    result = st;
  auto network = NewPodNetwork(NetworkOptionsFor(*config, paths));
  if (network.ok()) {
    if (Status st = (*network)->Cleanup(); !st.ok() && result.ok()) result = st;
  } else if (result.ok()) {
    result = network.status();
  }
  if (result.ok()) ReleaseNetworkIndex(claims, config->pod_cidr_index, paths.dir);
  return result.ok() ? unmounted : result;
}

}  // namespace minik
