// StatefulSetController, as upstream's pkg/controller/statefulset: pods named
// <set>-<ordinal> (from spec.ordinals.start), each with hostname <pod name>, subdomain
// spec.serviceName, labels statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index
// and controller-revision-hash, and one PersistentVolumeClaim <template>-<set>-<ordinal> per
// volumeClaimTemplate (labelled with the selector's matchLabels; created before the pod).
//
// Behaviour (stateful_set_control.go):
//  - Revisions: the set's template is recorded as a ControllerRevision (controllers/history.h);
//    status.currentRevision / updateRevision name them; old ones are truncated to
//    revisionHistoryLimit (revisions still used by a pod are kept).
//  - OrderedReady: one pod at a time in ordinal order, each waiting for its predecessors to be
//    Running, Ready and available (minReadySeconds); scale-down deletes the highest ordinal
//    first, one at a time, waiting until the deleted pod is gone. Parallel: all at once.
//  - Failed or Succeeded pods are deleted and recreated with the same name (and claims).
//  - RollingUpdate: pods with ordinal >= partition not at the update revision are deleted,
//    highest first, one at a time, waiting for the recreated pod to be healthy. OnDelete:
//    pods are updated only when deleted by someone else.
//  - persistentVolumeClaimRetentionPolicy: the claims get the set (whenDeleted: Delete) and/or
//    the pod (whenScaled: Delete, only for scaled-down ordinals) as controller owner, so the
//    garbage collector deletes them; Retain/Retain leaves them unowned.
//  - Status: replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas,
//    currentRevision, updateRevision, observedGeneration, collisionCount (what
//    `kubectl rollout status sts` reads). Events as upstream ("create Pod web-0 in
//    StatefulSet web successful", "create Claim data-web-0 Pod web-0 in StatefulSet web
//    success", SuccessfulDelete, ...), component "statefulset-controller".
// Keys are "ns/name" of StatefulSets. Pods are claimed (adopted/released) by controllerRef;
// PVCs and revisions are read from the shared informers.
#pragma once

#include <string>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class StatefulSetController final : public QueueController {
 public:
  StatefulSetController(Client& client, Clock& clock, SharedInformerFactory& informers,
                        int workers = 1);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  // Enqueues the set that controls `pod`, or every set whose selector matches an orphan.
  void EnqueueForPod(const Json& pod);
  void OnPodUpdate(const Json& old_pod, const Json& pod);

  Client& client_;
  Informer& sets_;
  Informer& pods_;
  Informer& claims_;
  Informer& revisions_;
  EventRecorder recorder_;
};

}  // namespace minik
