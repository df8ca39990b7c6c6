// NodeLifecycleController: node health, as upstream's pkg/controller/nodelifecycle
// (monitorNodeHealth, tryUpdateNodeHealth, doNoScheduleTaintingPass,
// processTaintBaseEviction). The eviction of pods from nodes with NoExecute taints is the
// scheduler's TaintEvictionController, not this one.
//
// Per node (key: the node name), from the shared node and lease informers:
//  - Heartbeats: the node's probe time is when this controller last saw the Ready
//    condition's lastHeartbeatTime change or the Lease kube-node-lease/<node> renewed (first
//    sight counts as one, so a restart grants a fresh grace period). After
//    kNodeMonitorGracePeriod without one (kNodeStartupGracePeriod for a node that never
//    posted Ready), Ready, MemoryPressure, DiskPressure and PIDPressure are set Unknown with
//    reason NodeStatusUnknown "Kubelet stopped posting node status." (absent ones:
//    NodeStatusNeverUpdated "Kubelet never posted node status.").
//  - When this controller turns a Ready=True node Unknown: a NodeNotReady event on the node
//    and every pod on it gets Ready=False (MarkPodsNotReady, with a NodeNotReady event on
//    each pod), retried until it succeeds.
//  - NoSchedule taints follow the conditions: Ready False -> node.kubernetes.io/not-ready,
//    Ready Unknown -> node.kubernetes.io/unreachable, MemoryPressure / DiskPressure /
//    PIDPressure / NetworkUnavailable True -> node.kubernetes.io/memory-pressure / ...,
//    and spec.unschedulable -> node.kubernetes.io/unschedulable; removed when they clear.
//  - NoExecute taints: not-ready / unreachable while Ready is False / Unknown (swapped at
//    once from one to the other), removed when Ready is True. New ones are rate limited per
//    zone (topology.kubernetes.io/region + zone labels) with a token bucket on the Clock:
//    0.1 nodes/s; in a zone with more than 2 and >= 55% nodes not ready 0.01/s above 50
//    nodes, else none. When no zone has a ready node ("master disruption") every NoExecute
//    taint is removed, so a stalled single-node cluster does not evict all its pods; on
//    leaving that mode every node gets a fresh grace period.
// A healthy node is looked at again when its grace period would run out; an unhealthy one
// every kNodeMonitorPeriod.
//
// Threads: informer handlers only enqueue node names; workers reconcile. health_, buckets_
// and master_disruption_ are guarded by mu_ (never held across API calls).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class NodeLifecycleController final : public QueueController {
 public:
  static constexpr std::chrono::seconds kNodeMonitorGracePeriod{40};
  static constexpr std::chrono::seconds kNodeStartupGracePeriod{60};
  static constexpr std::chrono::seconds kNodeMonitorPeriod{5};
  static constexpr double kEvictionLimiterQps = 0.1;
  static constexpr double kSecondaryEvictionLimiterQps = 0.01;
  static constexpr int kLargeClusterThreshold = 50;
  static constexpr double kUnhealthyZoneThreshold = 0.55;
  // The pods informer index this controller adds (pods by spec.nodeName).
  static constexpr const char* kPodsByNodeIndex = "nodelifecycle-pods-by-node";

  NodeLifecycleController(Client& client, Clock& clock, SharedInformerFactory& informers,
                          int workers = 1);
  ~NodeLifecycleController() override;

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  struct Health {
    bool had_ready = false;   // the last status seen had a Ready condition
    std::string heartbeat;    // its lastHeartbeatTime
    std::string lease_renew;  // the lease's renewTime last seen
    SteadyTime probe{};       // when a heartbeat or renewal was last seen
    std::string zone;
    std::string ready;        // Ready status after this controller's update
    bool retry_pods = false;  // MarkPodsNotReady failed and must be retried
  };
  struct Bucket {
    double qps = kEvictionLimiterQps;
    double tokens = 1;
    SteadyTime last{};
  };
  enum class ZoneState { kNormal, kPartialDisruption, kFullDisruption };

  // Each zone's state and size from its nodes' readiness (`self` is taken as `self_ready`,
  // its status as just computed); mu_ held.
  std::map<std::string, std::pair<ZoneState, int>> ZoneStatesLocked(const std::string& self,
                                                                    const std::string& self_ready,
                                                                    SteadyTime now) const;
  // Takes a NoExecute token of `zone`; returns 0 or the wait until one is due (max when
  // the zone takes none now).
  std::chrono::nanoseconds TakeTokenLocked(const std::string& zone, ZoneState state, int zone_size);
  Status SwapTaints(const std::string& node, const std::vector<Json>& add,
                    const std::vector<Json>& remove);
  Status MarkPodsNotReady(const std::string& node);
  Status NoScheduleTaintingPass(const Json& node);

  Client& client_;
  Informer& nodes_;
  Informer& leases_;
  Informer& pods_;
  EventRecorder recorder_;

  std::mutex mu_;
  std::map<std::string, Health> health_;
  std::map<std::string, Bucket> buckets_;
  bool master_disruption_ = false;
};

}  // namespace minik
