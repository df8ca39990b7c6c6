#include "controllers/endpoints_controller.h"

#include <algorithm>
#include <cmath>

#include "api/log.h"

namespace minik {

namespace endpointutil {

namespace {

bool IsIPv4(const std::string& ip) {
  return !ip.empty() && ip.find(':') == std::string::npos && ip.find('.') != std::string::npos;
}

const Json& ObjectAt(const Json& obj, std::initializer_list<const char*> path) {
  static const Json kEmpty = Json::object();
  const Json* v = Find(obj, path);
  return v && v->is_object() ? *v : kEmpty;
}

const Json& ArrayAt(const Json& obj, std::initializer_list<const char*> path) {
  static const Json kEmpty = Json::array();
  const Json* v = Find(obj, path);
  return v && v->is_array() ? *v : kEmpty;
}

std::optional<int64_t> NamedPort(const Json& containers, const std::string& name,
                                 const std::string& protocol, bool sidecars_only) {
  if (!containers.is_array()) return std::nullopt;
  for (const Json& c : containers) {
    if (sidecars_only && GetString(c, {"restartPolicy"}) != "Always") continue;
    for (const Json& p : ArrayAt(c, {"ports"})) {
      if (GetString(p, {"name"}) == name && Protocol(p) == protocol)
        return GetInt(p, {"containerPort"}, 0);
    }
  }
  return std::nullopt;
}

// What a pod update may change in its endpoints (podEndpointsChanged, plus the phase and node,
// which decide whether the pod is listed at all).
bool PodEndpointsChanged(const Json& a, const Json& b) {
  auto str = [](const Json& p, std::initializer_list<const char*> path) {
    const Json* v = Find(p, path);
    return v ? *v : Json();
  };
  return str(a, {"metadata", "deletionTimestamp"}) != str(b, {"metadata", "deletionTimestamp"}) ||
         IsPodReady(a) != IsPodReady(b) ||
         str(a, {"status", "podIPs"}) != str(b, {"status", "podIPs"}) ||
         str(a, {"status", "podIP"}) != str(b, {"status", "podIP"}) ||
         str(a, {"status", "phase"}) != str(b, {"status", "phase"}) ||
         str(a, {"spec", "nodeName"}) != str(b, {"spec", "nodeName"}) ||
         str(a, {"spec", "hostname"}) != str(b, {"spec", "hostname"}) ||
         str(a, {"spec", "subdomain"}) != str(b, {"spec", "subdomain"});
}

}  // namespace

bool HasSelector(const Json& service) {
  const Json* sel = Find(service, {"spec", "selector"});
  return sel && sel->is_object() && !sel->empty();
}

bool SelectorMatches(const Json& service, const Json& labels) {
  const Json& sel = ObjectAt(service, {"spec", "selector"});
  for (auto it = sel.begin(); it != sel.end(); ++it) {
    if (!labels.is_object()) return false;
    auto l = labels.find(it.key());
    if (l == labels.end() || *l != *it) return false;
  }
  return true;
}

bool IsExternalName(const Json& service) {
  return GetString(service, {"spec", "type"}) == "ExternalName";
}

bool IsServiceIPSet(const Json& service) {
  std::string ip = GetString(service, {"spec", "clusterIP"});
  return !ip.empty() && ip != "None";
}

bool IsPodReady(const Json& pod) {
  for (const Json& c : ArrayAt(pod, {"status", "conditions"})) {
    if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) == "True";
  }
  return false;
}

bool ShouldPodBeInEndpoints(const Json& pod, bool include_terminating) {
  std::string phase = GetString(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return false;
  if (GetString(pod, {"status", "podIP"}).empty() && ArrayAt(pod, {"status", "podIPs"}).empty())
    return false;
  if (!include_terminating && Find(pod, {"metadata", "deletionTimestamp"}) &&
      !Find(pod, {"metadata", "deletionTimestamp"})->is_null())
    return false;
  return true;
}

bool ShouldSetHostname(const Json& pod, const Json& service) {
  std::string hostname = GetString(pod, {"spec", "hostname"});
  return !hostname.empty() && GetString(pod, {"spec", "subdomain"}) == Name(service) &&
         Namespace(pod) == Namespace(service);
}

std::vector<std::string> PodIPv4s(const Json& pod) {
  std::vector<std::string> out;
  for (const Json& ip : ArrayAt(pod, {"status", "podIPs"})) {
    std::string s = GetString(ip, {"ip"});
    if (IsIPv4(s)) out.push_back(s);
  }
  if (out.empty()) {
    std::string s = GetString(pod, {"status", "podIP"});
    if (IsIPv4(s)) out.push_back(s);
  }
  return out;
}

std::string Protocol(const Json& port) {
  std::string p = GetString(port, {"protocol"});
  return p.empty() ? "TCP" : p;
}

StatusOr<int64_t> FindPort(const Json& pod, const Json& service_port) {
  const Json* target = Find(service_port, {"targetPort"});
  if (!target || target->is_null()) return GetInt(service_port, {"port"}, 0);
  if (target->is_number_integer()) return target->get<int64_t>();
  if (target->is_string()) {
    const std::string name = target->get<std::string>();
    const std::string protocol = Protocol(service_port);
    if (auto p = NamedPort(ArrayAt(pod, {"spec", "containers"}), name, protocol, false)) return *p;
    if (auto p = NamedPort(ArrayAt(pod, {"spec", "initContainers"}), name, protocol, true))
      return *p;
  }
  return Status(Code::kNotFound, "no suitable port for manifest: " + Uid(pod));
}

std::set<std::string> ServicesForLabels(const Informer& services, const std::string& ns,
                                        const Json& labels) {
  std::set<std::string> out;
  for (const ObjectPtr& svc : services.ByIndex(kNamespaceIndex, ns)) {
    if (HasSelector(*svc) && SelectorMatches(*svc, labels)) out.insert(ObjectKey(*svc));
  }
  return out;
}

std::set<std::string> ServicesToUpdateOnPodChange(const Informer& services, const Json& old_pod,
                                                  const Json& pod) {
  if (ResourceVersion(old_pod) == ResourceVersion(pod)) return {};
  const bool labels_changed = Labels(old_pod) != Labels(pod);
  const bool pod_changed = PodEndpointsChanged(old_pod, pod);
  if (!labels_changed && !pod_changed) return {};
  std::set<std::string> cur = ServicesForLabels(services, Namespace(pod), Labels(pod));
  if (!labels_changed) return cur;
  std::set<std::string> old = ServicesForLabels(services, Namespace(old_pod), Labels(old_pod));
  std::set<std::string> out;
  if (pod_changed) {
    std::set_union(cur.begin(), cur.end(), old.begin(), old.end(), std::inserter(out, out.begin()));
  } else {
    std::set_symmetric_difference(cur.begin(), cur.end(), old.begin(), old.end(),
                                  std::inserter(out, out.begin()));
  }
  return out;
}

std::optional<SystemTime> TriggerTimeTracker::Compute(const Json& service,
                                                      const std::vector<ObjectPtr>& pods) {
  const std::string key = ObjectKey(service);
  SystemTime created{};
  ParseRfc3339(GetString(service, {"metadata", "creationTimestamp"}), &created);
  std::lock_guard<std::mutex> g(mu_);
  auto it = states_.find(key);
  const bool known = it != states_.end();
  State& state = states_[key];
  std::optional<SystemTime> min_changed;
  auto consider = [&](SystemTime t) {
    if (!min_changed || t < *min_changed) min_changed = t;
  };
  std::map<std::string, SystemTime> pod_times;
  for (const ObjectPtr& pod : pods) {
    for (const Json& c : ArrayAt(*pod, {"status", "conditions"})) {
      if (GetString(c, {"type"}) != "Ready") continue;
      SystemTime t{};
      if (!ParseRfc3339(GetString(c, {"lastTransitionTime"}), &t)) break;
      pod_times[Name(*pod)] = t;
      auto last = state.pods.find(Name(*pod));
      if (last == state.pods.end() || t > last->second) consider(t);
      break;
    }
  }
  if (created > state.service) consider(created);
  state.pods = std::move(pod_times);
  state.service = created;
  if (!known) return created;
  return min_changed;
}

void TriggerTimeTracker::DeleteService(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  states_.erase(key);
}

}  // namespace endpointutil

using namespace endpointutil;  // NOLINT: this controller's own helpers

namespace {

const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};

bool IsNamespaceTerminating(const Status& st) {
  if (!st.details()) return false;
  for (const StatusCause& c : st.details()->causes)
    if (c.reason == "NamespaceTerminating") return true;
  return false;
}

// RepackSubsets (pkg/api/v1/endpoints): every address (by IP and pod uid) is mapped to the
// ports it serves, ready unless not ready for any one of them; addresses serving the same set
// of ports with the same readiness become one subset.
class SubsetPacker {
 public:
  // `port` null: an address without ports (headless service without ports).
  void Add(const Json& addr, bool ready, const Json& port) {
    std::string ip = GetString(addr, {"ip"});
    std::string key = ip + '\0' + GetString(addr, {"targetRef", "uid"});
    addrs_.emplace(key, addr);
    std::string port_key = port.is_null() ? "" : port.dump();
    auto& entry = by_port_[port_key];
    entry.port = port;
    auto it = entry.ready.find(key);
    if (it == entry.ready.end() || it->second) entry.ready[key] = ready;  // not ready wins
  }

  Json Subsets() const {
    struct Group {
      const std::map<std::string, bool>* ready = nullptr;
      std::vector<Json> ports;
    };
    std::map<std::string, Group> groups;
    for (const auto& [port_key, entry] : by_port_) {
      std::string set_key;
      for (const auto& [k, r] : entry.ready) set_key += k + (r ? "\1R\2" : "\1N\2");
      Group& g = groups[set_key];
      g.ready = &entry.ready;
      if (!entry.port.is_null()) g.ports.push_back(entry.port);
    }
    Json out = Json::array();
    for (auto& [set_key, g] : groups) {
      Json ready = Json::array(), not_ready = Json::array();
      for (const auto& [k, r] : *g.ready) (r ? ready : not_ready).push_back(addrs_.at(k));
      std::sort(g.ports.begin(), g.ports.end(), [](const Json& a, const Json& b) {
        return std::make_tuple(GetString(a, {"name"}), GetInt(a, {"port"}), Protocol(a)) <
               std::make_tuple(GetString(b, {"name"}), GetInt(b, {"port"}), Protocol(b));
      });
      Json subset = Json::object();
      if (!ready.empty()) subset["addresses"] = std::move(ready);
      if (!not_ready.empty()) subset["notReadyAddresses"] = std::move(not_ready);
      if (!g.ports.empty()) subset["ports"] = std::move(g.ports);
      out.push_back(std::move(subset));
    }
    return out;
  }

 private:
  struct PortEntry {
    Json port;
    std::map<std::string, bool> ready;  // address key ("ip\0uid", sorted as upstream) -> ready
  };
  std::map<std::string, Json> addrs_;
  std::map<std::string, PortEntry> by_port_;
};

size_t CountAddresses(const Json& subsets, const char* field) {
  size_t n = 0;
  if (!subsets.is_array()) return 0;
  for (const Json& s : subsets) n += ArrayAt(s, {field}).size();
  return n;
}

const Json& SubsetsOf(const Json& endpoints) {
  static const Json kEmpty = Json::array();
  const Json* s = Find(endpoints, {"subsets"});
  return s && s->is_array() ? *s : kEmpty;
}

}  // namespace

EndpointsController::EndpointsController(Client& client, Clock& clock,
                                         SharedInformerFactory& informers, int workers)
    : QueueController("endpoint-controller", clock, workers),
      client_(client),
      services_(informers.For(kServices)),
      pods_(informers.For(kPods)),
      endpoints_(informers.For(kEndpoints)),
      recorder_(client, clock, "endpoint-controller") {
  services_.AddEventHandler(EnqueueHandlers());
  pods_.AddEventHandler(
      {[this](const Json& pod) {
         EnqueueServices(ServicesForLabels(services_, Namespace(pod), Labels(pod)));
       },
       [this](const Json& old_pod, const Json& pod) {
         EnqueueServices(ServicesToUpdateOnPodChange(services_, old_pod, pod));
       },
       [this](const Json& pod) {
         EnqueueServices(ServicesForLabels(services_, Namespace(pod), Labels(pod)));
       }});
  // Own Endpoints are resynced when they change (a write the cache had not yet seen when a
  // reconcile skipped an update, a user's edit) and at start-up (leftovers of deleted
  // services); any deleted Endpoints is recreated if its service wants one.
  auto managed = [](const Json& ep) {
    return GetString(ep, {"metadata", "labels", kManagedByLabel}) == kControllerName;
  };
  endpoints_.AddEventHandler({[this, managed](const Json& ep) {
                                if (managed(ep)) Enqueue(ep);
                              },
                              [this, managed](const Json& old_ep, const Json& ep) {
                                if (managed(ep) && ResourceVersion(old_ep) != ResourceVersion(ep))
                                  Enqueue(ep);
                              },
                              [this](const Json& ep) { Enqueue(ep); }});
}

void EndpointsController::EnqueueServices(const std::set<std::string>& keys) {
  for (const std::string& k : keys) queue().Add(k);
}

Json EndpointsController::DesiredSubsets(const Json& service, const std::vector<ObjectPtr>& pods) {
  const Json* pub = Find(service, {"spec", "publishNotReadyAddresses"});
  const bool publish = pub && pub->is_boolean() && pub->get<bool>();
  const Json& ports = ArrayAt(service, {"spec", "ports"});
  const bool headless = GetString(service, {"spec", "clusterIP"}) == "None";
  SubsetPacker packer;
  for (const ObjectPtr& p : pods) {
    const Json& pod = *p;
    if (!ShouldPodBeInEndpoints(pod, publish)) continue;
    std::vector<std::string> ips = PodIPv4s(pod);
    if (ips.empty()) continue;
    Json addr = {
        {"ip", ips[0]},
        {"targetRef",
         {{"kind", "Pod"}, {"namespace", Namespace(pod)}, {"name", Name(pod)}, {"uid", Uid(pod)}}}};
    std::string node = GetString(pod, {"spec", "nodeName"});
    if (!node.empty()) addr["nodeName"] = node;
    if (ShouldSetHostname(pod, service)) addr["hostname"] = GetString(pod, {"spec", "hostname"});
    const bool ready = publish || IsPodReady(pod);
    if (ports.empty()) {
      if (headless) packer.Add(addr, ready, Json());
      continue;
    }
    for (const Json& sp : ports) {
      auto num = FindPort(pod, sp);
      if (!num.ok()) continue;
      Json epp = {{"port", *num}, {"protocol", Protocol(sp)}};
      if (std::string name = GetString(sp, {"name"}); !name.empty()) epp["name"] = name;
      if (const Json* ap = Find(sp, {"appProtocol"}); ap && ap->is_string())
        epp["appProtocol"] = *ap;
      packer.Add(addr, ready, epp);
    }
  }
  return packer.Subsets();
}

bool EndpointsController::TruncateEndpoints(Json& endpoints) {
  Json& subsets = endpoints["subsets"];
  const size_t total_ready = CountAddresses(subsets, "addresses");
  const size_t total_not_ready = CountAddresses(subsets, "notReadyAddresses");
  if (total_ready + total_not_ready <= static_cast<size_t>(kMaxCapacity)) return false;
  const bool truncate_ready = total_ready > static_cast<size_t>(kMaxCapacity);
  const size_t max = truncate_ready ? kMaxCapacity : kMaxCapacity - total_ready;
  const size_t num_total = truncate_ready ? total_ready : total_not_ready;
  size_t can_be_added = max;
  for (Json& subset : subsets) {
    const char* field = truncate_ready ? "addresses" : "notReadyAddresses";
    size_t in_subset = ArrayAt(subset, {field}).size();
    // The subset's share of `max`, rounded up; the last subsets get what is left.
    size_t to_add = static_cast<size_t>(
        std::ceil(static_cast<double>(in_subset) / static_cast<double>(num_total) * max));
    to_add = std::min(to_add, can_be_added);
    if (in_subset > to_add)
      subset[field].erase(subset[field].begin() + to_add, subset[field].end());
    if (subset.contains(field) && subset[field].empty()) subset.erase(field);
    if (truncate_ready) subset.erase("notReadyAddresses");
    can_be_added -= std::min(can_be_added, ArrayAt(subset, {field}).size());
  }
  return true;
}

Status EndpointsController::DeleteEndpoints(const Json& endpoints) {
  DeleteOptions opts;
  opts.precondition_uid = Uid(endpoints);
  auto r = client_.Delete(kEndpoints, Namespace(endpoints), Name(endpoints), opts);
  if (r.ok() || r.status().code() == Code::kNotFound || r.status().code() == Code::kConflict)
    return Status::Ok();
  return r.status();
}

StatusOr<ReconcileResult> EndpointsController::Reconcile(const std::string& key) {
  ObjectPtr service = services_.Get(key);
  ObjectPtr current = endpoints_.Get(key);
  if (!service) {
    // The service was deleted: so are its Endpoints (upstream deletes them whoever wrote them).
    trigger_times_.DeleteService(key);
    if (current) MINIK_RETURN_IF_ERROR(DeleteEndpoints(*current));
    return ReconcileResult{};
  }
  const Json& svc = *service;
  if (IsExternalName(svc) || !HasSelector(svc)) {
    trigger_times_.DeleteService(key);
    if (current && GetString(*current, {"metadata", "labels", kManagedByLabel}) == kControllerName)
      MINIK_RETURN_IF_ERROR(DeleteEndpoints(*current));
    return ReconcileResult{};
  }

  std::vector<ObjectPtr> pods;
  for (ObjectPtr& p : pods_.ByIndex(kNamespaceIndex, Namespace(svc))) {
    if (SelectorMatches(svc, Labels(*p))) pods.push_back(std::move(p));
  }
  // Computed on every sync so the tracker's state follows the pods even when nothing is written.
  std::optional<SystemTime> trigger = trigger_times_.Compute(svc, pods);
  Json subsets = DesiredSubsets(svc, pods);

  Json labels = Labels(svc).is_object() ? Labels(svc) : Json::object();
  labels[kManagedByLabel] = kControllerName;
  if (IsServiceIPSet(svc)) {
    labels.erase(kHeadlessLabel);
  } else {
    labels[kHeadlessLabel] = "";
  }

  // Truncated before comparing, so that an over-capacity service is not rewritten every sync.
  Json desired = {{"subsets", std::move(subsets)}};
  const bool truncated = TruncateEndpoints(desired);
  if (current && SubsetsOf(*current) == desired["subsets"] && Labels(*current) == labels &&
      (Find(*current, {"metadata", "annotations", kOverCapacityAnnotation}) != nullptr) ==
          truncated)
    return ReconcileResult{};

  Json next = current ? *current
                      : Json{{"apiVersion", "v1"},
                             {"kind", "Endpoints"},
                             {"metadata", {{"name", Name(svc)}, {"namespace", Namespace(svc)}}}};
  next["subsets"] = std::move(desired["subsets"]);
  next["metadata"]["labels"] = std::move(labels);
  Json annotations = ObjectAt(next, {"metadata", "annotations"});
  // Without a new trigger time the last one stays (upstream clears it, but then a write that
  // follows a failed one - the tracker already moved on - would lose it).
  if (trigger) annotations[kTriggerTimeAnnotation] = FormatRfc3339(*trigger);
  if (truncated) {
    annotations[kOverCapacityAnnotation] = "truncated";
  } else {
    annotations.erase(kOverCapacityAnnotation);
  }
  if (annotations.empty()) {
    next["metadata"].erase("annotations");
  } else {
    next["metadata"]["annotations"] = std::move(annotations);
  }

  const std::string ns = Namespace(svc);
  auto r = current ? client_.Update(kEndpoints, ns, next) : client_.Create(kEndpoints, ns, next);
  if (r.ok()) return ReconcileResult{};
  const Code code = r.status().code();
  // The cache has not seen a write yet (ours or another's): try again once it has.
  if (code == Code::kConflict || code == Code::kAlreadyExists ||
      (current && code == Code::kNotFound))
    return ReconcileResult{true, {}};
  if (!current && IsNamespaceTerminating(r.status())) return ReconcileResult{};
  if (current) {
    recorder_.Record(svc, "Warning", "FailedToUpdateEndpoint",
                     "Failed to update endpoint " + key + ": " + r.status().message());
  } else {
    recorder_.Record(svc, "Warning", "FailedToCreateEndpoint",
                     "Failed to create endpoint for service " + key + ": " + r.status().message());
  }
  return r.status();
}

}  // namespace minik
