// EndpointSliceController: the discovery.k8s.io/v1 EndpointSlices of every Service with a
// selector, as upstream's pkg/controller/endpointslice with k8s.io/endpointslice's reconciler.
// Keys are the Service's "ns/name". Only slices labelled
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io are touched.
//
// One reconcile of a Service:
//  - gone, ExternalName, or without selector: its managed slices are deleted (upstream leaves
//    them to the garbage collector, or - selector removed - leaves them stale);
//  - while the informer has not yet seen this controller's own last writes for the Service
//    (SliceTracker), the key is requeued instead: a stale cache would create duplicates;
//  - desired endpoints: matching pods that are not terminal and have an IPv4 podIP
//    (terminating ones included), one endpoint each with addresses, conditions as upstream
//    (serving = pod Ready; terminating = deletionTimestamp set; ready = publishNotReadyAddresses
//    || (serving && !terminating)), targetRef, nodeName, hostname (spec.hostname with
//    spec.subdomain == the Service's name) and zone (the node's topology.kubernetes.io/zone).
//    Pods are grouped by their resolved port list (named target ports resolve per pod);
//  - per port group, upstream's reconcileByPortMapping: existing slices keep the endpoints
//    still desired (updated when changed, deleted when emptied), new endpoints fill the slices
//    being updated, then an unchanged slice they fit in, then new slices (generateName
//    "<svc>-", at most max_endpoints_per_slice each); unchanged slices are not written.
//    Deletions are turned into updates of the same slice when creates are pending. A Service
//    with no endpoints keeps one empty placeholder slice;
//  - slice labels: the Service's labels plus kubernetes.io/service-name, the managed-by label
//    and service.kubernetes.io/headless when the ClusterIP is None; a controller
//    ownerReference to the Service; annotation endpoints.kubernetes.io/last-change-trigger-time.
//  - pods on a node that is not in the cache are left out and the key is retried (unless
//    publishNotReadyAddresses), as upstream.
//
// Threads: informer handlers only enqueue keys (and note observed deletions in the tracker);
// workers run Reconcile. The tracker and trigger-time tracker have their own mutexes.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/informer.h"
#include "controllers/controller.h"
#include "controllers/endpoints_controller.h"

namespace minik {

namespace endpointutil {

// Index of EndpointSlices by "ns/<kubernetes.io/service-name label>".
inline constexpr const char* kSliceServiceIndex = "endpointslice-service";
void EnsureSliceServiceIndex(Informer& slices);
// The slices of service `key` ("ns/name") labelled as managed by `managed_by`.
std::vector<ObjectPtr> ManagedSlices(const Informer& slices, const std::string& key,
                                     const std::string& managed_by);
// "ns/<service-name label>" of a slice ("" without the label).
std::string SliceServiceKey(const Json& slice);
// An order-insensitive key of a port list (name "" and protocol TCP when unset).
std::string PortsKey(const Json& ports);
// An endpoint's identity (upstream's endpoint hash): addresses, hostname, targetRef ns/name.
std::string EndpointKey(const Json& endpoint);
// The fields of an endpoint the controllers write (targetRef without resourceVersion), to
// compare a stored endpoint with a desired one.
Json EndpointFields(const Json& endpoint);
// The slice's endpoints/ports (an empty array when absent).
const Json& SliceArray(const Json& slice, const char* field);

// SliceTracker: the resourceVersion of each slice a controller wrote or deleted, per owner
// key, so that a reconcile can tell the informer has not caught up with its own writes
// (upstream's EndpointSliceTracker). Thread-safe.
class SliceTracker {
 public:
  explicit SliceTracker(Clock& clock) : clock_(clock) {}
  void Wrote(const std::string& key, const Json& slice);
  void Deleted(const std::string& key, const std::string& name);
  // The informer saw `name` deleted: nothing more to wait for about it.
  void ObservedDeletion(const std::string& key, const std::string& name);
  // True while the cache lacks a write recorded for `key` (entries it caught up with, or older
  // than a minute - a write someone else undid - are dropped).
  bool Stale(const std::string& key, const Informer& slices);
  void Forget(const std::string& key);

 private:
  struct Expect {
    int64_t rv = 0;  // 0: deleted
    SteadyTime at;
  };
  Clock& clock_;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, Expect>> expect_;
};

}  // namespace endpointutil

class EndpointSliceController final : public QueueController {
 public:
  static constexpr const char* kControllerName = "endpointslice-controller.k8s.io";
  static constexpr int kMaxEndpointsPerSlice = 100;

  EndpointSliceController(Client& client, Clock& clock, SharedInformerFactory& informers,
                          int workers = 2, int max_endpoints_per_slice = kMaxEndpointsPerSlice);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  struct Plan {
    std::vector<Json> create, update, remove;
  };
  Json NewSlice(const Json& service, const Json& ports) const;
  Json SliceLabels(const Json& service) const;
  void ReconcilePortGroup(const Json& service, const std::vector<Json>& existing,
                          std::map<std::string, Json> desired, const Json& ports, Plan& plan) const;
  StatusOr<ReconcileResult> Finalize(const Json& service, Plan plan,
                                     const std::optional<SystemTime>& trigger);
  Status DeleteSlices(const std::string& key, const std::vector<ObjectPtr>& slices);
  void EnqueueSliceOwner(const Json& slice);
  void EnqueueAllServices();

  Client& client_;
  const int max_per_slice_;
  Informer& services_;
  Informer& pods_;
  Informer& nodes_;
  Informer& slices_;
  endpointutil::SliceTracker tracker_;
  endpointutil::TriggerTimeTracker trigger_times_;
};

}  // namespace minik
