// The kubelet: runs the pods bound to this node as real containers and reports their status.
//
// It watches the pods whose spec.nodeName is this node and, for each, converges the node to
// the pod (pkg/kubelet's syncPod): a sandbox (kubelet/runtime) with the pod network
// (kubelet/network), the volumes (kubelet/volumes.h), the image of each container
// (kubelet/images, with imagePullPolicy), init containers in order and then the app
// containers, restarts with the container back-off (10 s doubling to 5 min, reset after 10
// min running), probes (startup, liveness, readiness), and the pod status (phase,
// conditions, container statuses, IPs) written through pods/status. Deleted pods are
// stopped gracefully (preStop, SIGTERM, SIGKILL after the grace period) and then removed
// from the API with grace 0, as the kubelet does.
//
// Threads: one informer thread; a few sync workers taking pod keys from a work queue (one
// key is never synced by two workers at once); one prober thread. Container exits (from the
// runtime's exit handler) and probe results enqueue the pod.
#pragma once

#include <memory>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/node_connector.h"
#include "api/status.h"
#include "kubelet/images/images.h"
#include "kubelet/network/network.h"
#include "kubelet/runtime/runtime.h"

namespace minik {

struct KubeletOptions {
  std::string node_name = "minik";
  std::string node_ip = "127.0.0.1";  // status.hostIP
  std::string state_dir;              // pods/ and logs/ live under it
  std::string cluster_dns = "10.96.0.10";
  std::string cluster_domain = "cluster.local";
  int workers = 4;
  // Required; must outlive the kubelet.
  ImageStore* images = nullptr;
  ContainerRuntime* runtime = nullptr;
  PodNetwork* network = nullptr;
};

class Kubelet : public NodeConnector {
 public:
  ~Kubelet() override = default;
  virtual Status Start() = 0;
  // Stops the workers; containers keep running (a restarted server re-adopts them).
  virtual void Stop() = 0;
  // Stop(), then stops every pod on the node gracefully (for `minik stop`); no sync can
  // restart them meanwhile.
  virtual void StopAllPods(int64_t max_grace_seconds) = 0;
};

std::unique_ptr<Kubelet> NewKubelet(Client& client, Clock& clock, const KubeletOptions& options);

}  // namespace minik
