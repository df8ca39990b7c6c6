// IpAllocator: the host-local IPAM of the pod network, persisted in one JSON file.
//
//   {"cidr":"10.244.0.0/16","last":"10.244.0.7","allocations":{"<key>":"10.244.0.5",...}}
//
// Contract:
// - Allocate(key) returns the key's address if it has one, else the next free pod address
//   after `last` (next-fit, wrapping), so a just-released address is not handed out again
//   at once (a late packet for the old pod must not reach the new one). The network,
//   gateway and broadcast addresses are never handed out.
// - The file is rewritten (temp file, fsync, rename, fsync of the directory) before
//   Allocate returns, so an address is never given twice, even after a crash. Release skips
//   the directory fsync: losing a release in a crash only leaks an address (the safe
//   direction), and it saves one of the two fsyncs that dominate Setup/Teardown time.
// - A file that cannot be parsed, names another CIDR, or assigns one address twice makes
//   Open fail with a clear error. We do not rebuild it: the running pods' addresses are
//   not recoverable from the host alone, and guessing could give a live pod's address to a
//   new one. The operator (or `minik delete`, through PodNetwork::Cleanup) removes it.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "api/status.h"
#include "kubelet/network/cidr.h"

namespace minik::net {

class IpAllocator {
 public:
  // Loads `path` (a missing file is an empty allocator; its directory must exist).
  static StatusOr<std::unique_ptr<IpAllocator>> Open(const std::string& path, Ipv4Cidr cidr);

  // The key's address, allocating one if it has none. ServiceUnavailable when the range is
  // exhausted.
  StatusOr<uint32_t> Allocate(const std::string& key);
  // Frees the key's address; OK when it has none.
  Status Release(const std::string& key);
  // NotFound when the key holds no address.
  StatusOr<uint32_t> Lookup(const std::string& key) const;
  std::map<std::string, uint32_t> Allocations() const;

 private:
  IpAllocator(std::string path, Ipv4Cidr cidr) : path_(std::move(path)), cidr_(cidr) {}
  Status Load();
  Status Persist(const std::map<std::string, uint32_t>& allocations, uint32_t last,
                 bool sync_dir) const;

  const std::string path_;
  const Ipv4Cidr cidr_;
  mutable std::mutex mu_;
  std::map<std::string, uint32_t> allocations_;  // GUARDED_BY(mu_)
  std::unordered_set<uint32_t> used_;            // GUARDED_BY(mu_)
  uint32_t last_ = 0;                            // GUARDED_BY(mu_); 0 before the first
};

// Writes `data` to `path` atomically: temp file, fsync, rename, and (if `sync_dir`) fsync of
// the directory, which makes the rename itself durable.
Status WriteFileAtomic(const std::string& path, const std::string& data, bool sync_dir = true);

}  // namespace minik::net
