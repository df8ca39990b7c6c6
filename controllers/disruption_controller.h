// DisruptionController: PodDisruptionBudget status, as upstream's pkg/controller/disruption.
//
// For each budget (key "ns/name"), from the shared informer caches:
//  - pods: the namespace's pods matching spec.selector (null selects none, {} all);
//  - expectedPods / desiredHealthy: minAvailable as an integer -> desired = it, expected =
//    the pod count; minAvailable as a percentage, or maxUnavailable (int or %), -> expected
//    = the sum of the scales of the pods' controllers (ReplicaSet, Deployment through its
//    ReplicaSet, ReplicationController, StatefulSet, else the owner's scale subresource),
//    percentages rounded up; pods without a controller are "unmanaged" (a Warning event);
//  - currentHealthy: Ready pods not being deleted and not in status.disruptedPods;
//  - disruptedPods entries (recorded by pods/eviction) expire after kDeletionTimeout (a
//    NotDeleted event), the budget is looked at again when the next one expires;
//  - disruptionsAllowed = currentHealthy - desiredHealthy (0 when negative or no pods are
//    expected), observedGeneration, and the DisruptionAllowed condition (SufficientPods /
//    InsufficientPods). A failure sets disruptionsAllowed 0 with reason SyncFailed.
// Status is written only when it changed.
//
// Threads: informer handlers only enqueue budget keys; workers reconcile.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class DisruptionController final : public QueueController {
 public:
  // Upstream's DeletionTimeout: an approved eviction not carried out within this is dropped.
  static constexpr std::chrono::minutes kDeletionTimeout{2};

  DisruptionController(Client& client, Clock& clock, SharedInformerFactory& informers,
                       int workers = 1);
  ~DisruptionController() override;

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  struct Expected {
    int64_t expected = 0;
    int64_t desired = 0;
    std::vector<std::string> unmanaged;
  };
  void EnqueueBudgetsOf(const Json& pod);
  std::vector<ObjectPtr> PodsFor(const Json& pdb) const;
  StatusOr<Expected> ExpectedPodCount(const Json& pdb, const std::vector<ObjectPtr>& pods);
  StatusOr<int64_t> ExpectedScale(const Json& pdb, const std::vector<ObjectPtr>& pods,
                                  std::vector<std::string>& unmanaged);
  // The (uid, scale) of the controller `ref` of a pod in `ns`, or nullopt when `ref` is not
  // a controller with a scale.
  StatusOr<std::optional<std::pair<std::string, int64_t>>> ControllerScale(const Json& ref,
                                                                           const std::string& ns);
  // StatusOr<recheck after>: the sync (trySync).
  StatusOr<std::optional<std::chrono::nanoseconds>> TrySync(const Json& pdb);
  Status FailSafe(const Json& pdb, const Status& why);

  Client& client_;
  Informer& pdbs_;
  Informer& pods_;
  Informer& replicasets_;
  Informer& deployments_;
  Informer& controllers_;  // replicationcontrollers
  Informer& statefulsets_;
  EventRecorder recorder_;
};

}  // namespace minik
