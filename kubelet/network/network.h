// The pod network, as the CNI bridge + host-local + portmap plugins would do it, in-process:
// a Linux bridge (`minik0` 10.244.0.1/16 for the first profile), one veth pair per pod with
// its peer as eth0 in the pod's network namespace, IPs from a persistent allocator, a
// default route via the bridge, hairpin mode on the bridge port, MASQUERADE for egress,
// and hostPort DNAT.
//
// The allocator's state is a file under `state_dir` written atomically (temp + rename),
// updated before an address is handed out, so an address is never given twice, even after
// a crash; Teardown releases it.
//
// iptables rules live in chains of our own (MINIK-<n>-POSTROUTING, MINIK-<n>-HOSTPORTS, ...)
// jumped to from the built-in chains, so Cleanup removes them exactly.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct NetworkOptions {
  std::string bridge = "minik0";
  std::string cidr = "10.244.0.0/16";  // gateway = first address, on the bridge
  std::string state_dir;               // allocator state (created if needed)
  std::string chain_prefix = "MINIK";  // iptables chains: <prefix>-POSTROUTING, ...
};

struct HostPort {
  std::string protocol = "TCP";  // TCP, UDP, SCTP
  int host_port = 0;
  int container_port = 0;
  std::string host_ip;           // empty: all addresses (incl. 127.0.0.1)
};

struct PodNetworkState {
  std::string ip;       // e.g. "10.244.0.5"
  std::string gateway;  // "10.244.0.1"
  std::string host_veth;
};

class PodNetwork {
 public:
  virtual ~PodNetwork() = default;

  // Creates the bridge (if missing), enables forwarding, route_localnet on the bridge, the
  // MASQUERADE rule for traffic leaving the pod CIDR, and the chains. Idempotent.
  virtual Status Init() = 0;

  // Connects the namespace at `netns_path` (e.g. /proc/<pid>/ns/net) for pod `key` (a
  // unique, stable key such as the sandbox id): veth + eth0 + address + lo up + default
  // route + hairpin; hostPort DNAT rules. Idempotent for the same key (returns the same IP).
  virtual StatusOr<PodNetworkState> Setup(const std::string& key, const std::string& netns_path,
                                          const std::vector<HostPort>& host_ports) = 0;

  // Removes the pod's veth, hostPort rules, and releases its IP. Idempotent; works when the
  // namespace is already gone.
  virtual Status Teardown(const std::string& key) = 0;

  // The IP held by `key`, if any (after a restart too).
  virtual StatusOr<std::string> IpOf(const std::string& key) const = 0;

  // Removes the bridge, every veth and every rule and chain this network created, and its
  // state (for `minik delete`).
  virtual Status Cleanup() = 0;
};

StatusOr<std::unique_ptr<PodNetwork>> NewPodNetwork(const NetworkOptions& options);

}  // namespace minik
