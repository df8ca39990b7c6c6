#include "cmd/cleanup.h"

#include <future>
#include <vector>

#include "cmd/fileutil.h"
#include "cmd/node_setup.h"

namespace minik {

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
  auto config = LoadProfileConfig(paths);
  if (!config.ok()) {
    // Never started (or config gone): nothing of ours can exist on the host.
    if (config.status().code() == Code::kNotFound) return Status::Ok();
    return config.status();
  }
  // Another cluster's network (another $MINIK_HOME took the index over after this profile
  // stopped): its bridge, chains and cgroups are not ours to remove.
  std::string claims = NetworkClaimsDir();
  std::string owner = NetworkIndexOwner(claims, config->pod_cidr_index);
  if (!owner.empty() && owner != paths.dir) return Status::Ok();
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
  return result;
}

}  // namespace minik
