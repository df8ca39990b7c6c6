// Where a profile's node components keep their state and how they are named on the host:
// shared by the server (which runs them) and `minik delete` (which removes what they made).
#pragma once

#include <string>

#include "cmd/profile.h"
#include "kubelet/network/network.h"
#include "kubelet/runtime/runtime.h"
#include "netproxy/netproxy.h"

namespace minik {

RuntimeOptions RuntimeOptionsFor(const std::string& profile, const ProfileConfig& config,
                                 const ProfilePaths& paths);
NetworkOptions NetworkOptionsFor(const ProfileConfig& config, const ProfilePaths& paths);
std::string ImagesDir(const ProfilePaths& paths);
// The node's InternalIP: the bridge gateway (10.244.0.1 for the first profile), an address of
// this machine that pods reach too and that is never exposed beyond it.
std::string NodeIpFor(const ProfileConfig& config);
// Everything but the informers.
NetProxyOptions NetProxyOptionsFor(const std::string& profile, const ProfileConfig& config);

}  // namespace minik
