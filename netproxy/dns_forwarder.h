// Forwarding of DNS queries to upstream resolvers, for the cluster DNS server.
//
// Contract:
//  - Forward() never blocks on the network: the query is handed to the forwarder's thread,
//    which tries the upstreams in order, each over a fresh UDP socket (a random source port
//    and a random query ID per attempt), with the overall timeout split between the ones
//    left. A reply counts when its ID and question match; one with TC set is asked again over
//    TCP when `tcp_on_truncation`, else returned as it is.
//  - `done` is called exactly once, on the forwarder's thread (it must be quick): with the
//    reply, its ID set back to the query's, or with nullopt when every upstream failed, timed
//    out or none is configured, when more than `max_inflight` queries are pending, or when
//    the forwarder stops (after Stop(), at once on the caller's thread).
//
// Threads: one thread owns the sockets and the pending queries; Forward() only appends to
// queue_ under mu_ and wakes the thread through an eventfd.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/status.h"

namespace minik::netproxy::dns {

struct Upstream {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string text;  // "10.0.0.2:53"
};

// Parses "ip", "ip:port" or "[ipv6]:port" (port 53 when absent).
StatusOr<Upstream> ParseUpstream(const std::string& text);

class Forwarder {
 public:
  using Done = std::function<void(std::optional<std::string> reply)>;

  Forwarder(std::vector<Upstream> upstreams, std::chrono::milliseconds timeout,
            size_t max_inflight = 1000);
  ~Forwarder();  // Stop()
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  Status Start();
  void Stop();  // pending queries complete with nullopt

  // `query` is a whole DNS message with one question.
  void Forward(std::string query, bool tcp_on_truncation, Done done);

  struct Pending;

 private:
  void Run();

  const std::vector<Upstream> upstreams_;
  const std::chrono::milliseconds timeout_;
  const size_t max_inflight_;
  int wake_fd_ = -1;
  std::mutex mu_;
  std::vector<std::unique_ptr<Pending>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                        // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace minik::netproxy::dns
