// Allocators of service ClusterIPs and NodePorts, like the apiserver's ipallocator and
// portallocator: an in-memory bitmap rebuilt at start-up from the stored services
// (Strategy::Restore), so nothing but the services themselves is persisted.
//
// Thread-safety: every method takes the allocator's mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>

namespace minik::res {

// Parses a dotted IPv4 address; nullopt on anything else.
std::optional<uint32_t> ParseIpv4(const std::string& s);
std::string FormatIpv4(uint32_t ip);

// The outcome of an allocation: the value, or an error worded as upstream's allocators
// ("provided IP is already allocated").
struct Allocation {
  std::string value;
  std::string error;  // empty on success
  bool full = false;  // dynamic allocation found the range full
};

class ClusterIpAllocator {
 public:
  // `cidr` such as "10.96.0.0/12"; the network and broadcast addresses are never handed out.
  ClusterIpAllocator(const std::string& cidr, uint64_t seed);

  // A specific IP (must be free and inside the range).
  Allocation AllocateSpecific(const std::string& ip);
  // Any free IP. Like upstream, the lowest part of the range (min(max(16, size/16), 256)
  // addresses) is used only when the rest is full, so it stays free for static IPs
  // (10.96.0.1 for the kubernetes service, 10.96.0.10 for DNS).
  Allocation AllocateNext();
  void Release(const std::string& ip);
  // Marks an IP taken (restoring stored services); ignores IPs outside the range.
  void MarkTaken(const std::string& ip);
  bool IsTaken(const std::string& ip) const;
  const std::string& cidr() const { return cidr_; }

 private:
  std::string cidr_;
  uint32_t first_ = 0;  // first allocatable address
  uint32_t size_ = 0;   // number of allocatable addresses
  uint32_t offset_ = 0; // size of the low band kept for static IPs
  mutable std::mutex mu_;
  std::set<uint32_t> used_;
  std::mt19937_64 rng_;
};

class PortAllocator {
 public:
  PortAllocator(int first, int last, uint64_t seed);
  Allocation AllocateSpecific(int port);
  Allocation AllocateNext();
  void Release(int port);
  void MarkTaken(int port);
  bool IsTaken(int port) const;
  std::string RangeText() const;  // "30000-32767"

 private:
  int first_, last_;
  mutable std::mutex mu_;
  std::set<int> used_;
  std::mt19937_64 rng_;
};

}  // namespace minik::res
