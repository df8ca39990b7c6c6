// The scheduler: kube-scheduler's default profile for one cluster, in-process.
//
// Watches pods with no spec.nodeName whose schedulerName is "default-scheduler" (or empty),
// and nodes; for each pod runs the filters (NodeName, NodeUnschedulable, NodeAffinity incl.
// nodeSelector, TaintToleration, NodeResourcesFit incl. the pods count, NodePorts,
// InterPodAffinity with topologyKey, VolumeBinding for PVCs with WaitForFirstConsumer),
// scores the feasible nodes (NodeResourcesLeastAllocated, preferred node affinity,
// PreferNoSchedule taints, pod anti-affinity spreading, PodTopologySpread), and binds through
// the pods/binding subresource. A pod that fits nowhere gets PodScheduled=False
// reason Unschedulable and a Warning FailedScheduling event worded like Kubernetes
// ("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.
// preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."), and is
// retried when nodes or pods change (and periodically).
// Also evicts pods from nodes with NoExecute taints they do not tolerate (after
// tolerationSeconds), as the taint-eviction controller does.
//
// Beyond the above: a pod that fits nowhere may preempt lower-priority pods (basic
// DefaultPreemption, no PodDisruptionBudgets); bound pods are assumed in a local cache until
// the informer shows them; a successful bind records "Scheduled" and sets PodScheduled=True
// (the registry's binding does not). Building blocks: scheduler/framework.h (pure filters,
// scores, messages), preemption.h, volume_binding.h, taint_eviction.h, quantity.h.
#pragma once

#include <memory>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/informer.h"
#include "api/status.h"

namespace minik {

struct SchedulerOptions {
  std::string scheduler_name = "default-scheduler";
  // Scheduling cycles are serialized; the bindings of up to `workers` pods run at once.
  int workers = 4;
  // Informers shared with other components of the process (one pod cache, not one each).
  // Null: the scheduler makes its own. A shared factory must be stopped before the
  // scheduler is destroyed (its handlers call into it).
  SharedInformerFactory* informers = nullptr;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual Status Start() = 0;  // returns once its informers have synced
  virtual void Stop() = 0;
};

std::unique_ptr<Scheduler> NewScheduler(Client& client, Clock& clock,
                                        const SchedulerOptions& options = {});

}  // namespace minik
