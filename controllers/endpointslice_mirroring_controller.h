// EndpointSliceMirroringController: mirrors the Endpoints of Services without a selector (the
// ones users or other controllers write) into EndpointSlices, as upstream's
// pkg/controller/endpointslicemirroring. Keys are the Endpoints' "ns/name". Only slices
// labelled endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io are
// touched.
//
// One reconcile of an Endpoints:
//  - the Endpoints or its Service is gone, the Service has a selector, the Endpoints is
//    labelled endpointslice.kubernetes.io/skip-mirror=true (bootstrap's `kubernetes` and
//    `kube-dns`) or carries a leader-election annotation: its mirrored slices are deleted;
//  - otherwise each subset's addresses (ready: true) and notReadyAddresses (ready: false), at
//    most 1000 per subset, become endpoints (addresses [ip], conditions.ready, targetRef,
//    nodeName, hostname), grouped by address type (IPv4 / IPv6; invalid IPs are skipped with
//    a Warning event InvalidIPAddress) and port list; one slice per group, named by
//    generateName "<name>-", with the Endpoints' labels (plus kubernetes.io/service-name and
//    the managed-by label), its annotations (but last-applied-configuration and the trigger
//    time) and a controller ownerReference to the Endpoints. A slice is written only when it
//    differs; extra slices of a group are deleted, or reused for a new group.
//
// Threads: informer handlers only enqueue keys; workers run Reconcile.
#pragma once

#include <string>
#include <vector>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"
#include "controllers/endpointslice_controller.h"

namespace minik {

class EndpointSliceMirroringController final : public QueueController {
 public:
  static constexpr const char* kControllerName = "endpointslicemirroring-controller.k8s.io";
  static constexpr const char* kSkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";
  static constexpr int kMaxEndpointsPerSubset = 1000;

  EndpointSliceMirroringController(Client& client, Clock& clock, SharedInformerFactory& informers,
                                   int workers = 1);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

  // Not skip-mirror=true, no leader-election annotation.
  static bool ShouldMirror(const Json& endpoints);

 private:
  Status DeleteSlices(const std::string& key, const std::vector<ObjectPtr>& slices);
  void EnqueueSliceOwner(const Json& slice);

  Client& client_;
  Informer& services_;
  Informer& endpoints_;
  Informer& slices_;
  EventRecorder recorder_;
  endpointutil::SliceTracker tracker_;
};

}  // namespace minik
