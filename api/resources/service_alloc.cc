#include "api/resources/service_alloc.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace minik::res {

std::optional<uint32_t> ParseIpv4(const std::string& s) {
  uint32_t ip = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    uint32_t v = 0;
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + (s[i] - '0');
      if (v > 255 || i - start > 2) return std::nullopt;
      ++i;
    }
    // Go's net.ParseIP rejects leading zeros ("010.0.0.1").
    if (i - start > 1 && s[start] == '0') return std::nullopt;
    ip = (ip << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return ip;
}

std::string FormatIpv4(uint32_t ip) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                ip & 255);
  return buf;
}

ClusterIpAllocator::ClusterIpAllocator(const std::string& cidr, uint64_t seed)
    : cidr_(cidr), rng_(seed) {
  auto slash = cidr.find('/');
  auto base = ParseIpv4(cidr.substr(0, slash));
  int prefix = slash == std::string::npos ? 32 : std::atoi(cidr.c_str() + slash + 1);
  if (!base || prefix < 8 || prefix > 30) return;  // an unusable range allocates nothing
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  uint32_t network = *base & mask;
  uint64_t total = uint64_t{1} << (32 - prefix);
  first_ = network + 1;
  size_ = static_cast<uint32_t>(total - 2);
  offset_ = std::min<uint32_t>(std::max<uint32_t>(16, size_ / 16), 256);
  if (offset_ >= size_) offset_ = 0;
}

Allocation ClusterIpAllocator::AllocateSpecific(const std::string& ip) {
  auto v = ParseIpv4(ip);
  if (!v || size_ == 0 || *v < first_ || *v >= first_ + size_)
    return {"", "the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is " +
                    cidr_};
  std::lock_guard<std::mutex> lock(mu_);
  if (!used_.insert(*v).second) return {"", "provided IP is already allocated"};
  return {ip, ""};
}

Allocation ClusterIpAllocator::AllocateNext() {
  std::lock_guard<std::mutex> lock(mu_);
  if (used_.size() >= size_) return {"", "range is full", true};
  // Random probing in the upper band, then a scan of the whole range.
  uint32_t upper = size_ - offset_;
  if (upper > 0) {
    std::uniform_int_distribution<uint32_t> dist(0, upper - 1);
    for (int tries = 0; tries < 64; ++tries) {
      uint32_t ip = first_ + offset_ + dist(rng_);
      if (used_.insert(ip).second) return {FormatIpv4(ip), ""};
    }
    for (uint32_t i = 0; i < upper; ++i) {
      uint32_t ip = first_ + offset_ + i;
      if (used_.insert(ip).second) return {FormatIpv4(ip), ""};
    }
  }
  for (uint32_t i = 0; i < offset_; ++i) {
    uint32_t ip = first_ + i;
    if (used_.insert(ip).second) return {FormatIpv4(ip), ""};
  }
  return {"", "range is full", true};
}

void ClusterIpAllocator::Release(const std::string& ip) {
  auto v = ParseIpv4(ip);
  if (!v) return;
  std::lock_guard<std::mutex> lock(mu_);
  used_.erase(*v);
}

void ClusterIpAllocator::MarkTaken(const std::string& ip) {
  auto v = ParseIpv4(ip);
  if (!v || *v < first_ || *v >= first_ + size_) return;
  std::lock_guard<std::mutex> lock(mu_);
  used_.insert(*v);
}

bool ClusterIpAllocator::IsTaken(const std::string& ip) const {
  auto v = ParseIpv4(ip);
  if (!v) return false;
  std::lock_guard<std::mutex> lock(mu_);
  return used_.count(*v) > 0;
}

PortAllocator::PortAllocator(int first, int last, uint64_t seed)
    : first_(first), last_(last), rng_(seed) {}

std::string PortAllocator::RangeText() const {
  return std::to_string(first_) + "-" + std::to_string(last_);
}

Allocation PortAllocator::AllocateSpecific(int port) {
  if (port < first_ || port > last_)
    return {"", "provided port is not in the valid range. The range of valid ports is " +
                    RangeText()};
  std::lock_guard<std::mutex> lock(mu_);
  if (!used_.insert(port).second) return {"", "provided port is already allocated"};
  return {std::to_string(port), ""};
}

Allocation PortAllocator::AllocateNext() {
  std::lock_guard<std::mutex> lock(mu_);
  const int size = last_ - first_ + 1;
  if (static_cast<int>(used_.size()) >= size) return {"", "range is full", true};
  std::uniform_int_distribution<int> dist(first_, last_);
  for (int tries = 0; tries < 64; ++tries) {
    int port = dist(rng_);
    if (used_.insert(port).second) return {std::to_string(port), ""};
  }
  for (int port = first_; port <= last_; ++port)
    if (used_.insert(port).second) return {std::to_string(port), ""};
  return {"", "range is full", true};
}

void PortAllocator::Release(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  used_.erase(port);
}

void PortAllocator::MarkTaken(int port) {
  if (port < first_ || port > last_) return;
  std::lock_guard<std::mutex> lock(mu_);
  used_.insert(port);
}

bool PortAllocator::IsTaken(int port) const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_.count(port) > 0;
}

}  // namespace minik::res
