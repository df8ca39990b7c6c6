// PersistentVolumeController: the PV/PVC binder of upstream's
// pkg/controller/volume/persistentvolume (pv_controller.go) plus a host-path provisioner like
// minikube's storage-provisioner, for StorageClasses whose provisioner is kHostPathProvisioner.
//
// Claims (keys "ns/name"):
//  - A claim without spec.storageClassName gets the default StorageClass (retroactive default
//    assignment, as 1.28+); "" means "no class" and is left alone.
//  - An unbound claim binds the smallest Available PV of its class whose access modes cover
//    the claim's, whose capacity is at least the request and whose labels match the claim's
//    selector (a PV pre-bound to the claim wins). Without one, a claim of a class with our
//    provisioner is provisioned: a directory <volumes_dir>/<ns>-<claim>-<pv> (mode 0777, so
//    non-root containers can write) and a PV "pvc-<claim uid>" (hostPath DirectoryOrCreate,
//    capacity = request, the claim's access modes, the class's reclaimPolicy, claimRef,
//    annotation pv.kubernetes.io/provisioned-by). Classes with volumeBindingMode
//    WaitForFirstConsumer wait for the scheduler's volume.kubernetes.io/selected-node.
//  - Binding as upstream: PV spec.claimRef + status Bound (annotation
//    pv.kubernetes.io/bound-by-controller), claim spec.volumeName + annotations
//    pv.kubernetes.io/bind-completed and bound-by-controller, status Bound with the PV's
//    capacity and access modes. A bound claim whose PV vanished is Lost.
// Volumes (keys "name"):
//  - No claimRef: Available. Claim gone (or recreated with another uid): Released, then the
//    reclaim policy: Retain keeps PV and data; Delete removes the directory of a PV we
//    provisioned (only a direct child of volumes_dir, never following symlinks) and the PV;
//    Recycle is not supported (Failed with event VolumeFailedRecycle).
// Events with upstream's reasons (ProvisioningSucceeded, ProvisioningFailed, FailedBinding,
// WaitForFirstConsumer, ClaimLost, VolumeFailedDelete, ...).
#pragma once

#include <string>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

inline constexpr const char* kHostPathProvisioner = "minik.io/hostpath";
inline constexpr const char* kDefaultStorageClass = "standard";

// Creates StorageClass "standard" (default class, provisioner kHostPathProvisioner,
// reclaimPolicy Delete, volumeBindingMode Immediate) unless a class of that name exists
// (a user's edits are kept). Idempotent; the lead calls it at bootstrap.
Status EnsureDefaultStorageClass(Client& client);

class PersistentVolumeController final : public QueueController {
 public:
  // `volumes_dir` holds the provisioned volumes' directories (created on demand).
  PersistentVolumeController(Client& client, Clock& clock, SharedInformerFactory& informers,
                             std::string volumes_dir, int workers = 1);

  // "ns/name": a claim; "name": a volume.
  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  StatusOr<ReconcileResult> SyncClaim(const Json& claim);
  StatusOr<ReconcileResult> SyncUnboundClaim(const Json& claim);
  StatusOr<ReconcileResult> SyncBoundClaim(const Json& claim);
  StatusOr<ReconcileResult> SyncVolume(const Json& volume);
  StatusOr<ReconcileResult> Provision(const Json& claim, const Json& storage_class);
  Status Reclaim(const Json& volume);
  Status DeleteProvisioned(const Json& volume);
  Status Bind(const Json& volume, const Json& claim);
  Status SetVolumePhase(const Json& volume, const std::string& phase, const std::string& message);
  Status SetClaimPhase(const Json& claim, const std::string& phase);
  void EnqueueClaimOf(const Json& volume);
  void EnqueueVolumesOf(const Json& claim);

  Client& client_;
  const std::string volumes_dir_;
  Informer& claims_;
  Informer& volumes_;
  Informer& classes_;
  EventRecorder recorder_;     // persistentvolume-controller
  EventRecorder provisioner_;  // minik.io/hostpath
};

}  // namespace minik
