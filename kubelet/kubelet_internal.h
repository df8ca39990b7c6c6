// Shared by kubelet.cc (lifecycle, queue, logs), pod_sync.cc (converging one pod) and
// prober.cc (probes). Not a contract: the kubelet's public face is kubelet.h.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/events.h"
#include "api/informer.h"
#include "api/workqueue.h"
#include "kubelet/kubelet.h"
#include "kubelet/node_machine.h"
#include "kubelet/pod_status.h"
#include "kubelet/volumes.h"

namespace minik {

// Per container: what the runtime state alone does not tell.
struct ContainerExtra {
  std::chrono::seconds backoff{0};  // the current restart (or pull) back-off
  SystemTime last_finished{};       // when the last container exited (back-off base)
  bool pull_failed = false;
  SystemTime pull_retry_at{};
  std::chrono::seconds pull_backoff{0};
  std::string termination_log;  // host file bound at terminationMessagePath
  // Probe state.
  int live_fail = 0, ready_ok = 0, ready_fail = 0, startup_fail = 0, startup_ok = 0;
  SystemTime next_liveness{}, next_readiness{}, next_startup{};
  bool kill_requested = false;  // liveness/startup failed: restart it
  std::string kill_reason;
};

struct PodWork {
  std::mutex mu;  // guards the fields below (the sync worker and the prober both touch them)
  PodRecord record;
  std::map<std::string, ContainerExtra> extra;  // by container name
  std::string pod_dir;
  bool terminated = false;  // containers stopped for good (terminal phase or deletion)
  Json last_status;  // the status last written
};

class KubeletImpl final : public Kubelet {
 public:
  KubeletImpl(Client& client, Clock& clock, const KubeletOptions& options);
  ~KubeletImpl() override;

  Status Start() override;
  void Stop() override;
  void StopAllPods(int64_t max_grace_seconds) override;
  StatusOr<std::string> PodLogs(const std::string& ns, const std::string& pod,
                                const PodLogOptions& options) override;
  // streams.cc: logs -f, exec, attach and port-forward.
  StatusOr<std::unique_ptr<NodeStream>> FollowPodLogs(const std::string& ns, const std::string& pod,
                                                      const PodLogOptions& options) override;
  StatusOr<std::unique_ptr<NodeStream>> Exec(const std::string& ns, const std::string& pod,
                                             const NodeExecRequest& request) override;
  StatusOr<std::unique_ptr<NodeStream>> Attach(const std::string& ns, const std::string& pod,
                                               const NodeExecRequest& request) override;
  StatusOr<int> PortForward(const std::string& ns, const std::string& pod, uint16_t port) override;

 private:
  friend class Prober;
  // pod_sync.cc
  Status SyncPod(const std::string& key, std::chrono::milliseconds* requeue_after);
  Status EnsureSandbox(const Json& pod, PodWork& w);
  void StartContainer(const Json& pod, PodWork& w, ContainerRecord& c, const Json& spec,
                      const std::map<std::string, PreparedVolume>& volumes);
  void RefreshFromRuntime(const Json& pod, PodWork& w);
  void StopPodContainers(const Json& pod, PodWork& w, int64_t grace_seconds);
  void TearDownPod(PodWork& w);
  Status WriteStatus(const Json& pod, PodWork& w);
  std::vector<std::string> ServiceEnv(const std::string& ns);
  void Adopt();

  // kubelet.cc
  void Worker();
  void Housekeeping();
  std::shared_ptr<PodWork> WorkFor(const std::string& key);
  std::string LogPath(const PodRecord& r, const std::string& container, int attempt) const;
  std::string PodDir(const std::string& uid) const;

  // streams.cc: the running container `container` of the pod (its id, log path and spec).
  struct RunningTarget {
    Json pod;
    std::string container;
    std::string container_id;
    std::string log_path;
    std::shared_ptr<PodWork> work;
  };
  StatusOr<RunningTarget> FindRunningContainer(const std::string& ns, const std::string& pod,
                                               const std::string& container, bool attach);

  // prober.cc
  void ProberLoop();
  void ProbePod(const std::string& key, PodWork& w, const Json& pod, SystemTime now,
                SystemTime* next_due);

  Client& client_;
  Clock& clock_;
  const KubeletOptions options_;
  EventRecorder events_;
  MachineInfo machine_;
  VolumeManager volumes_;
  std::unique_ptr<Informer> pods_;
  std::unique_ptr<Informer> services_;
  WorkQueue queue_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;

  std::mutex mu_;  // guards work_ and by_container_
  std::map<std::string, std::shared_ptr<PodWork>> work_;  // by pod key ns/name
  std::map<std::string, std::string> by_container_;       // container id -> pod key
  int64_t node_cpu_milli_ = 0, node_memory_bytes_ = 0;
  std::string host_resolv_conf_;
};

// The probe result: success, and a message for the Unhealthy event when not.
struct ProbeResult {
  bool ok = false;
  std::string message;
};
ProbeResult RunHttpProbe(const std::string& host, int port, const std::string& path,
                         const std::string& scheme, const Json& headers, int timeout_ms);
ProbeResult RunTcpProbe(const std::string& host, int port, int timeout_ms);

}  // namespace minik
