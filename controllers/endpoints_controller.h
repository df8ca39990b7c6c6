// EndpointsController: the core/v1 Endpoints of every Service with a selector, as upstream's
// pkg/controller/endpoint. Keys are the Service's "ns/name".
//
// One reconcile of a Service:
//  - gone: its Endpoints (same name) are deleted, as upstream (the Service was deleted);
//  - ExternalName, or no selector (absent or empty): Endpoints this controller wrote (label
//    endpoints.kubernetes.io/managed-by=endpoint-controller) are deleted; others - the
//    bootstrap `kubernetes` Endpoints, a user's manual Endpoints - are left alone;
//  - otherwise the pods of the namespace matching the selector give the subsets: pods that are
//    terminal, without an IPv4 podIP, or terminating (unless publishNotReadyAddresses) are
//    left out; ready pods (all, with publishNotReadyAddresses) go to `addresses`, the others
//    to `notReadyAddresses`, each with nodeName, targetRef (Pod ns/name/uid) and hostname when
//    spec.hostname is set and spec.subdomain is the Service's name; one port per service port
//    whose targetPort resolves in that pod (a number, or a named container port with the same
//    protocol, per pod); then repacked as upstream's RepackSubsets (addresses grouped by the
//    set of ports they serve, sorted by IP). A headless Service without ports gets its
//    addresses without ports. More than 1000 addresses are truncated (ready ones first) with
//    the annotation endpoints.kubernetes.io/over-capacity=truncated;
//  - labels are the Service's plus the managed-by label and service.kubernetes.io/headless
//    when the ClusterIP is None; annotation endpoints.kubernetes.io/last-change-trigger-time;
//  - written (create or update) only when subsets or labels differ from the cached object.
//
// Pod events enqueue (without delay) every Service of the pod's namespace whose selector
// matches the pod's old or new labels, when something an endpoint shows changed (readiness,
// IPs, deletion, phase, node, hostname, labels).
//
// Threads: informer handlers only enqueue keys; workers run Reconcile (one key never on two
// workers). The trigger-time tracker is guarded by its own mutex.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

// What the endpoints, EndpointSlice and mirroring controllers share (upstream's
// k8s.io/endpointslice/util and pkg/api/v1/endpoints).
namespace endpointutil {

inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr const char* kSliceManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kHeadlessLabel = "service.kubernetes.io/headless";
inline constexpr const char* kTriggerTimeAnnotation =
    "endpoints.kubernetes.io/last-change-trigger-time";

// spec.selector is a non-empty map (an empty one selects nothing, as after a Go round trip).
bool HasSelector(const Json& service);
// Every selector pair is among `labels`.
bool SelectorMatches(const Json& service, const Json& labels);
bool IsExternalName(const Json& service);
// spec.clusterIP is set and not "None".
bool IsServiceIPSet(const Json& service);
bool IsPodReady(const Json& pod);
// Not terminal, has a podIP, and not terminating unless `include_terminating`.
bool ShouldPodBeInEndpoints(const Json& pod, bool include_terminating);
// pod.spec.hostname set, pod.spec.subdomain == the Service's name, same namespace.
bool ShouldSetHostname(const Json& pod, const Json& service);
// The pod's IPv4 addresses (status.podIPs, else status.podIP).
std::vector<std::string> PodIPv4s(const Json& pod);
// The container port a service port targets in `pod` (FindPort): a number as is; a name
// looked up in the containers' ports (and restartable init containers') with the service
// port's protocol. NotFound when the name resolves nowhere; absent targetPort: the port.
StatusOr<int64_t> FindPort(const Json& pod, const Json& service_port);
// The service port's protocol, "TCP" when unset.
std::string Protocol(const Json& port);

// Keys of the services in `ns` (from the services informer) whose selector matches `labels`.
std::set<std::string> ServicesForLabels(const Informer& services, const std::string& ns,
                                        const Json& labels);
// The services to resync after a pod update (GetPodUpdateProjectionKey + GetServicesToUpdate):
// none when nothing an endpoint shows changed; with changed labels, the services matching
// only one of the label sets (or both sets when the pod changed too).
std::set<std::string> ServicesToUpdateOnPodChange(const Informer& services, const Json& old_pod,
                                                  const Json& pod);

// TriggerTimeTracker: the last-change-trigger-time of a service's endpoints (upstream's
// util.TriggerTimeTracker): the earliest trigger time (a pod's Ready transition, the service's
// creation) that changed since the previous computation; the service's creation time the
// first time it is seen; nullopt when nothing changed. Thread-safe.
class TriggerTimeTracker {
 public:
  std::optional<SystemTime> Compute(const Json& service, const std::vector<ObjectPtr>& pods);
  void DeleteService(const std::string& key);

 private:
  struct State {
    std::map<std::string, SystemTime> pods;
    SystemTime service{};
  };
  std::mutex mu_;
  std::map<std::string, State> states_;
};

}  // namespace endpointutil

class EndpointsController final : public QueueController {
 public:
  static constexpr const char* kManagedByLabel = "endpoints.kubernetes.io/managed-by";
  static constexpr const char* kControllerName = "endpoint-controller";
  static constexpr const char* kOverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";
  static constexpr int kMaxCapacity = 1000;

  EndpointsController(Client& client, Clock& clock, SharedInformerFactory& informers,
                      int workers = 2);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

  // The subsets for `service` over `pods` (already filtered by selector), repacked and sorted.
  static Json DesiredSubsets(const Json& service, const std::vector<ObjectPtr>& pods);
  // Truncates `endpoints.subsets` to kMaxCapacity addresses as upstream's truncateEndpoints
  // (ready addresses first, proportionally per subset); true when it did.
  static bool TruncateEndpoints(Json& endpoints);

 private:
  Status DeleteEndpoints(const Json& endpoints);
  void EnqueueServices(const std::set<std::string>& keys);

  Client& client_;
  Informer& services_;
  Informer& pods_;
  Informer& endpoints_;
  EventRecorder recorder_;
  endpointutil::TriggerTimeTracker trigger_times_;
};

}  // namespace minik
