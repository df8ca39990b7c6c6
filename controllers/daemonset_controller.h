// DaemonSetController: apps/v1 DaemonSets, as upstream's pkg/controller/daemon. Per DaemonSet
// (key "ns/name"), level-triggered from the node, pod and ControllerRevision caches:
//  - a node should run the daemon pod when the template's nodeName (if any) names it, its
//    nodeSelector and required node affinity match the node, and its taints are tolerated by
//    the template's tolerations plus the ones the controller adds to every daemon pod
//    (node.kubernetes.io/not-ready and unreachable NoExecute; disk-pressure, memory-pressure,
//    pid-pressure, unschedulable NoSchedule; network-unavailable NoSchedule with
//    hostNetwork). A pod keeps running on a node whose new NoSchedule taints it does not
//    tolerate, not on one with an untolerated NoExecute taint. Nodes being deleted get no
//    new pods.
//  - pods are created with generateName "<ds>-" and required node affinity
//    matchFields metadata.name In [node] (the scheduler binds them, as upstream), labels
//    controller-revision-hash and pod-template-generation, in slow-start batches
//    (SuccessfulCreate / FailedCreate events); extra, failed (with back-off, FailedDaemonPod)
//    and succeeded pods and pods on nodes that should not run them are deleted
//    (SuccessfulDelete).
//  - history: one ControllerRevision per template ("<ds>-<hash>", data
//    {"spec":{"template":{..., "$patch":"replace"}}}, the DaemonSet's annotations) as
//    `kubectl rollout history/undo ds` read them; old ones beyond revisionHistoryLimit that no
//    pod uses are deleted.
//  - RollingUpdate with maxUnavailable / maxSurge (int or percent of the desired number,
//    rounded up; both 0 means maxUnavailable 1), or OnDelete.
//  - status: desiredNumberScheduled, currentNumberScheduled, numberMisscheduled, numberReady,
//    numberAvailable (minReadySeconds), numberUnavailable, updatedNumberScheduled,
//    observedGeneration, collisionCount — what `kubectl rollout status ds` reads.
// Events are recorded as the "daemonset-controller".
//
// Threads: handlers only record expectations and enqueue keys; Reconcile runs on the
// workers. mu_ guards the failed-pod back-off entries.
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
#include "controllers/expectations.h"

namespace minik {

class DaemonSetController final : public QueueController {
 public:
  DaemonSetController(Client& client, Clock& clock, SharedInformerFactory& informers,
                      int workers = 2);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  StatusOr<ReconcileResult> Sync(const std::string& key);
  struct Backoff {
    std::chrono::milliseconds delay{0};
    SystemTime last{};
  };
  StatusOr<std::vector<ObjectPtr>> PodsFor(const Json& ds);
  // Returns the current revision's hash; *old gets the other revisions (oldest first).
  StatusOr<std::string> ConstructHistory(Json& ds, std::vector<ObjectPtr>* old);
  Status CleanupHistory(const Json& ds, const std::vector<ObjectPtr>& old,
                        const std::vector<ObjectPtr>& pods);
  Status RollingUpdate(const std::string& key, const Json& ds, const std::vector<ObjectPtr>& nodes,
                       const std::map<std::string, std::vector<ObjectPtr>>& by_node,
                       const std::string& hash);
  Status SyncNodes(const std::string& key, const Json& ds, const std::vector<ObjectPtr>& to_delete,
                   const std::vector<std::string>& nodes_needing, const std::string& hash);
  // Writes the computed status when it differs from `stored_status` (the cached object's).
  Status UpdateStatus(const Json& ds, const Json& stored_status,
                      const std::vector<ObjectPtr>& nodes, const std::vector<ObjectPtr>& pods,
                      const std::string& hash, bool update_observed_generation,
                      std::chrono::milliseconds* requeue);

  void OnPod(const Json* old_pod, const Json& pod, bool deleted);
  void EnqueueAll();
  void EnqueueMatching(const Json& pod);

  Client& client_;
  Informer& daemonsets_;
  Informer& pods_;
  Informer& nodes_;
  Informer& revisions_;
  EventRecorder recorder_;
  ControllerExpectations expectations_;

  std::mutex mu_;
  std::map<std::string, Backoff> failed_backoff_;  // "<ds uid>/<node>"
};

}  // namespace minik
