// Network namespaces: doing work inside a pod's namespace without moving the caller.
//
// setns(2) changes only the calling thread, so each call runs on a dedicated short-lived
// thread that joins the namespace, runs the work and exits; the caller's thread (and the
// rest of the process) never changes namespace. Sockets created there stay bound to that
// namespace and can be used from any thread afterwards, which is how the pod side of the
// network is configured (one netlink socket opened inside, requests sent from outside).
#pragma once

#include <functional>
#include <string>

#include "api/status.h"
#include "kubelet/network/netlink.h"

namespace minik::net {

// An open namespace file (e.g. /proc/<pid>/ns/net), closed on destruction.
class NetnsFd {
 public:
  static StatusOr<NetnsFd> Open(const std::string& path);
  NetnsFd(NetnsFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  NetnsFd& operator=(NetnsFd&&) = delete;
  ~NetnsFd();
  int fd() const { return fd_; }

 private:
  explicit NetnsFd(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Runs `fn` on a new thread inside the namespace `netns`; returns fn's status (or the
// setns error).
Status RunInNetns(const NetnsFd& netns, const std::function<Status()>& fn);
Status RunInNetns(const std::string& netns_path, const std::function<Status()>& fn);

// A NETLINK_ROUTE socket bound to the namespace `netns`.
StatusOr<NetlinkSocket> OpenNetlinkIn(const NetnsFd& netns);

}  // namespace minik::net
