// IPv4 addresses and CIDR ranges for the pod network, in host byte order.
//
// A pod range is `a.b.c.d/n` with the host bits zero and 8 <= n <= 30: the first address is
// the network, the second the gateway (on the bridge), the last the broadcast; the rest are
// for pods.
#pragma once

#include <cstdint>
#include <string>

#include "api/status.h"

namespace minik::net {

struct Ipv4Cidr {
  uint32_t base = 0;  // network address, host byte order
  int prefix = 0;

  uint32_t Size() const { return prefix == 0 ? 0 : (uint32_t{1} << (32 - prefix)); }
  uint32_t Mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  uint32_t Gateway() const { return base + 1; }
  uint32_t Broadcast() const { return base + Size() - 1; }
  bool Contains(uint32_t ip) const { return (ip & Mask()) == base; }
  // In range and neither the network, the gateway nor the broadcast address.
  bool IsPodAddress(uint32_t ip) const {
    return Contains(ip) && ip != base && ip != Gateway() && ip != Broadcast();
  }
  std::string ToString() const;  // "10.244.0.0/16"
};

// "10.244.0.5" -> host-order address. Strict dotted quad (no octal, no shorthand).
StatusOr<uint32_t> ParseIpv4(const std::string& text);
std::string FormatIpv4(uint32_t ip);

// "10.244.0.0/16". Rejects host bits set, prefixes outside 8..30, and anything malformed.
StatusOr<Ipv4Cidr> ParseCidr(const std::string& text);

}  // namespace minik::net
