// A cache of upstream answers, as CoreDNS's `cache 30` in kubeadm's Corefile, so that pods
// asking for the same outside names do not each wait for the upstream.
//
// Contract:
//  - Keyed by the question (case-insensitive name, type, class) and the query's EDNS presence
//    and DO bit. Only NOERROR and NXDOMAIN replies without TC are kept: answers for their
//    smallest answer TTL, NXDOMAIN/NODATA for their SOA's (the smaller of its TTL and its
//    minimum); never longer than `max_ttl`. A TTL of 0, or a denial without SOA, is not kept.
//  - Lookup returns the reply with the asking query's ID and question spelling, without EDNS
//    options (a cookie is for the first asker only) and with every TTL reduced by the time it
//    spent in the cache.
//  - At most `capacity` entries; when full, expired entries go first, then arbitrary ones.
//
// Thread-safe: entries_ is guarded by mu_, held only to find, copy or store an entry.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace minik::netproxy::dns {

class AnswerCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit AnswerCache(size_t capacity = 10000,
                       std::chrono::seconds max_ttl = std::chrono::seconds(30));

  std::optional<std::string> Lookup(std::string_view query, TimePoint now);
  void Insert(std::string_view query, std::string_view reply, TimePoint now);
  size_t size() const;

 private:
  struct Entry {
    std::string reply;
    TimePoint stored, expires;
  };

  const size_t capacity_;
  const std::chrono::seconds max_ttl_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
};

}  // namespace minik::netproxy::dns
