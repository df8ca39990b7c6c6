// Host resources a profile may leave behind outside its state directory: network links
// (the bridge, veths), iptables chains, mounts, cgroups, container processes.
#pragma once

#include <string>
#include <vector>

#include "api/status.h"
#include "cmd/profile.h"

namespace minik {

// Removes every host resource of `profile` after its server has stopped, before its state
// directory is removed (its config.json is still readable through `paths`). Idempotent:
// deleting twice, or a profile that never started, is OK.
// The container runtime (processes, mounts, cgroups) and the pod network (bridge, veths,
// iptables chains) each remove what they made.
Status CleanupHostResources(const std::string& profile, const ProfilePaths& paths);

// The mount points of /proc/self/mountinfo text below `dir` (not `dir` itself), unescaped,
// deepest first.
std::vector<std::string> MountPointsUnder(const std::string& mountinfo, const std::string& dir);

// Stops (SIGTERM, then SIGKILL after `grace_seconds`) the containers a server that died left
// running, keeping them for the next server to see as exited; `stopped` counts them. For
// `minik stop` when no server runs.
Status StopOrphanContainers(const std::string& profile, const ProfilePaths& paths,
                            int64_t grace_seconds, int* stopped);

}  // namespace minik
