// BridgeNetwork: the PodNetwork of network.h, with the pieces tests and the bench need.
//
// Concurrency: Setup/Teardown/IpOf may run concurrently for different keys; the caller runs
// at most one of Setup/Teardown per key at a time, and nothing else during Cleanup.
// Netlink work uses per-call sockets (no shared state); the allocator has its own lock;
// iptables read-modify-write sequences are serialized by iptables_mu_.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "kubelet/network/iptables.h"
#include "kubelet/network/network.h"

namespace minik::net {

// The host end of a pod's veth: "veth" + the first 8 hex digits of sha256(key).
std::string HostVethName(const std::string& key);
// A fixed, locally administered bridge MAC derived from the gateway (0a:58:<ip>), so the
// bridge keeps one address whatever ports come and go.
std::array<uint8_t, 6> BridgeMac(uint32_t gateway);

// NewPodNetwork with a chosen iptables runner (tests inject a fake).
StatusOr<std::unique_ptr<PodNetwork>> NewBridgeNetwork(const NetworkOptions& options,
                                                       std::unique_ptr<IptablesRunner> iptables);

}  // namespace minik::net
