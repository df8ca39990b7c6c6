// ReplicaSetController: keeps the number of active pods of each ReplicaSet (apps/v1) or,
// constructed with replication_controller = true, of each ReplicationController (core/v1)
// equal to spec.replicas, as upstream's pkg/controller/replicaset (the RC manager is the
// same controller with another kind and a map selector). Keys are "ns/name".
//
// One reconcile of an owner:
//  - pods: the owner's own and the namespace's orphans (informer index by controller uid),
//    active ones only (not Succeeded/Failed, not being deleted), claimed with ClaimObjects
//    (matching orphans adopted, non-matching owned pods released);
//  - if the expectations of the owner are met and it is not being deleted: too few pods ->
//    create min(diff, 500) from the template (generateName "<owner>-", the template's
//    labels/annotations/finalizers, a controller ownerReference) in slow-start batches
//    1, 2, 4, ... each batch in parallel, stopping after the first failing batch; too many
//    -> delete min(diff, 500), the first in deletion order (SortPodsForDeletion) with
//    per-pod deletion expectations. Events SuccessfulCreate "Created pod: x", FailedCreate
//    "Error creating: ...", SuccessfulDelete "Deleted pod: x", FailedDelete;
//  - status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas honouring
//    minReadySeconds, observedGeneration, the ReplicaFailure condition FailedCreate /
//    FailedDelete) written through the status subresource only when it changed; when pods
//    are ready but not yet available the key is requeued for the moment they become so.
//
// Threads: informer handlers only enqueue keys and observe expectations; workers run
// Reconcile (one key never on two workers); a batch of creates or deletes runs on up to
// kParallelism short-lived threads that the reconcile joins before it returns.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "api/selector.h"
#include "controllers/controller.h"
#include "controllers/expectations.h"

namespace minik {

class ReplicaSetController final : public QueueController {
 public:
  // Upstream's BurstReplicas: most pods created or deleted by one reconcile.
  static constexpr int kBurstReplicas = 500;
  // Threads creating (or deleting) pods of one batch at once.
  static constexpr int kParallelism = 4;

  ReplicaSetController(Client& client, Clock& clock, SharedInformerFactory& informers,
                       bool replication_controller = false, int workers = 2);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  struct Kind {
    ResourceRef ref;
    std::string api_version;
    std::string kind;
  };

  // The owner's selector: spec.selector (a LabelSelector, or a map for RCs).
  StatusOr<LabelSelector> SelectorOf(const Json& owner) const;
  ObjectPtr ResolveControllerRef(const std::string& ns, const Json& ref) const;
  void EnqueueMatchingOwners(const Json& pod);
  void AddPod(const Json& pod);
  void UpdatePod(const Json& old_pod, const Json& pod);
  void DeletePod(const Json& pod);

  Status ManageReplicas(const std::vector<ObjectPtr>& pods, const Json& owner,
                        const std::string& key);
  Status CreatePods(const Json& owner, const std::string& key, int count);
  Status DeletePods(const Json& owner, const std::string& key, std::vector<ObjectPtr> pods,
                    int count);
  Status UpdateStatus(const Json& owner, Json status);

  Client& client_;
  const Kind kind_;
  Informer& owners_;
  Informer& pods_;
  EventRecorder recorder_;
  ControllerExpectations expectations_;
};

}  // namespace minik
