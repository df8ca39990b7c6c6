// Profiles: one cluster's state under $MINIK_HOME/profiles/<name>/ (ARCHITECTURE §3, §4).
//
//   config.json   ProfileConfig (port, pod CIDR index, ephemeral, simulated nodes)
//   pki/          certificates and keys (cmd/pki.h)
//   store/        RocksDB (absent for ephemeral clusters)
//   server.pid    the running server's pid; server.log its log; progress its start-up steps
//   lock          held by start/stop/delete for their whole run; server.lock by the server
//   images/       the node's image store (kubelet/images/images.h)
#pragma once

#include <set>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

inline constexpr int kFirstApiPort = 8443;
inline constexpr int kMaxPodCidrIndex = 11;  // 10.244.0.0/16 ... 10.255.0.0/16

struct ProfileConfig {
  std::string name;
  int api_port = kFirstApiPort;
  int pod_cidr_index = 0;  // pod CIDR 10.(244+i).0.0/16, bridge minik<i>
  bool ephemeral = false;
  int simulated_nodes = 0;
};

std::string PodCidr(const ProfileConfig& config);     // "10.244.0.0/16"
std::string BridgeName(const ProfileConfig& config);  // "minik0"
std::string BridgeIp(const ProfileConfig& config);    // "10.244.0.1"

struct ProfilePaths {
  std::string home;  // $MINIK_HOME
  std::string dir, config, pki, store, pid, log, lock, server_lock, progress;
  std::string images;  // the image store root
};

// $MINIK_HOME, else $HOME/.minik (the passwd entry's home when HOME is unset). Absolute.
std::string MinikHome();
ProfilePaths PathsFor(const std::string& home, const std::string& profile);

// A profile names the node, so it must be a DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?,
// at most 63 characters. BadRequest with the reason otherwise.
Status ValidateProfileName(const std::string& name);

// Every profile directory under home/profiles, sorted.
std::vector<std::string> ListProfiles(const std::string& home);

// Code::kNotFound when the profile has no config.json; BadRequest when it is malformed.
StatusOr<ProfileConfig> LoadProfileConfig(const ProfilePaths& paths);
Status SaveProfileConfig(const ProfilePaths& paths, const ProfileConfig& config);

// A config for a new profile: the smallest API port >= 8443 and the smallest pod CIDR index
// that no other profile's config.json uses. Callers hold $MINIK_HOME/lock so that two new
// profiles never pick the same values. kServiceUnavailable when every CIDR index is taken.
StatusOr<ProfileConfig> NewProfileConfig(const std::string& home, const std::string& name);

// Host-wide claims on pod network indexes. A bridge, its iptables chains and the cgroups are
// named by the index, and profiles of different $MINIK_HOMEs (two CI jobs on one machine,
// tests beside a laptop cluster) must never share them — nor delete each other's.
// <claims_dir>/<index> holds the claiming profile directory. A claim is stale (and taken
// over) when that directory is gone or its config names another index.
//
// $MINIK_RUN_DIR/networks, default /run/minik/networks (gone with the bridges on reboot).
std::string NetworkClaimsDir();
// Claims `wanted` for `owner`; when another profile holds it, the smallest index that is
// neither in `taken` (this home's other profiles) nor claimed. kServiceUnavailable when none.
StatusOr<int> ClaimNetworkIndex(const std::string& claims_dir, int wanted,
                                const std::string& owner, const std::set<int>& taken);
// The profile directory holding a live claim on `index`, "" when none.
std::string NetworkIndexOwner(const std::string& claims_dir, int index);
// Drops `owner`'s claim on `index` (another owner's claim is left alone).
void ReleaseNetworkIndex(const std::string& claims_dir, int index, const std::string& owner);

}  // namespace minik
