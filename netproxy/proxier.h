// ServiceProxier: kube-proxy's iptables mode, in-process. Services and EndpointSlices come
// from shared informers; any change marks the proxier dirty, and its thread syncs after a
// short batching window (so a burst of changes becomes one iptables-restore), never more
// often than min_interval. The first sync after Start reads iptables-save and rewrites every
// chain of ours (what a previous run left is replaced or deleted); later syncs rewrite only
// the chains whose rules changed, in one `iptables-restore --noflush` transaction. UDP
// conntrack entries towards removed endpoints are deleted selectively (never `conntrack -F`).
//
// Threads: informer handlers only flag and notify; one sync thread does the rest.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "api/informer.h"
#include "kubelet/network/iptables.h"
#include "netproxy/service_rules.h"

namespace minik::netproxy {

// Deletes conntrack entries; the real one execs `conntrack -D`.
class ConntrackRunner {
 public:
  virtual ~ConntrackRunner() = default;
  // argv after "conntrack", e.g. {"-D", "-p", "udp", "--orig-dst", ip, "--dst-nat", ep}.
  virtual Status Delete(const std::vector<std::string>& args) = 0;
};
std::unique_ptr<ConntrackRunner> NewExecConntrackRunner();

struct ProxierOptions {
  std::string node_name;
  RulesLayout layout;
  std::chrono::milliseconds batch{2};          // coalescing window after a change
  std::chrono::milliseconds min_interval{10};  // between two syncs
  std::chrono::milliseconds retry{1000};       // after a failed sync
  // Called on the sync thread after each successful restore with its input (the bench
  // watches for a change to be programmed). Must be quick.
  std::function<void(const std::string& script)> on_synced;
};

class ServiceProxier {
 public:
  ServiceProxier(SharedInformerFactory& informers, ProxierOptions options,
                 std::unique_ptr<net::IptablesRunner> iptables,
                 std::unique_ptr<ConntrackRunner> conntrack);
  ~ServiceProxier();
  ServiceProxier(const ServiceProxier&) = delete;
  ServiceProxier& operator=(const ServiceProxier&) = delete;

  // Waits for the informers, runs the first (full) sync and starts the sync thread. An error
  // when the first sync fails (iptables missing, a rule refused).
  Status Start();
  void Stop();

  // Syncs completed so far (successful or not), for tests and the bench.
  uint64_t syncs() const { return syncs_.load(); }
  // Waits until a sync that started after this call has completed; false on timeout.
  bool WaitForSyncAfterNow(std::chrono::milliseconds timeout);
  // The last sync's outcome.
  Status last_error() const;

 private:
  void MarkDirty();
  void Run();
  Status Sync(bool full);
  void FlushStaleUdp(const std::vector<ServicePort>& before, const std::vector<ServicePort>& after);
  std::vector<ServicePort> CurrentPorts() const;

  Informer& services_;
  Informer& slices_;
  const ProxierOptions options_;
  std::unique_ptr<net::IptablesRunner> iptables_;
  std::unique_ptr<ConntrackRunner> conntrack_;

  // Sync thread only.
  ChainSet programmed_;
  std::vector<ServicePort> last_ports_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = false;
  bool stopping_ = false;
  uint64_t started_syncs_ = 0;  // guarded by mu_
  uint64_t done_syncs_ = 0;     // guarded by mu_
  Status last_error_;           // guarded by mu_
  std::atomic<uint64_t> syncs_{0};
  std::thread thread_;
};

}  // namespace minik::netproxy
