#include "controllers/endpointslice_controller.h"

#include <algorithm>
#include <set>

#include "controllers/controller_ref.h"

namespace minik {

namespace endpointutil {

void EnsureSliceServiceIndex(Informer& slices) {
  // Shared informer: the first controller adds it, the others find it there (AlreadyExists).
  (void)slices.AddIndex(kSliceServiceIndex, [](const Json& slice) -> std::vector<std::string> {
    std::string key = SliceServiceKey(slice);
    if (key.empty()) return {};
    return {key};
  });
}

std::string SliceServiceKey(const Json& slice) {
  std::string name = GetString(slice, {"metadata", "labels", kServiceNameLabel});
  return name.empty() ? "" : Namespace(slice) + "/" + name;
}

std::vector<ObjectPtr> ManagedSlices(const Informer& slices, const std::string& key,
                                     const std::string& managed_by) {
  std::vector<ObjectPtr> out;
  for (ObjectPtr& s : slices.ByIndex(kSliceServiceIndex, key)) {
    if (GetString(*s, {"metadata", "labels", kSliceManagedByLabel}) == managed_by)
      out.push_back(std::move(s));
  }
  return out;
}

const Json& SliceArray(const Json& slice, const char* field) {
  static const Json kEmpty = Json::array();
  auto it = slice.find(field);
  return it != slice.end() && it->is_array() ? *it : kEmpty;
}

std::string PortsKey(const Json& ports) {
  std::vector<std::string> parts;
  if (ports.is_array()) {
    for (const Json& p : ports) {
      Json n = {{"name", GetString(p, {"name"})}, {"protocol", Protocol(p)}};
      if (const Json* port = Find(p, {"port"}); port && !port->is_null()) n["port"] = *port;
      if (const Json* ap = Find(p, {"appProtocol"}); ap && !ap->is_null()) n["appProtocol"] = *ap;
      parts.push_back(n.dump());
    }
  }
  std::sort(parts.begin(), parts.end());
  std::string key;
  for (const std::string& s : parts) key += s + "\n";
  return key;
}

std::string EndpointKey(const Json& endpoint) {
  std::vector<std::string> addrs;
  if (const Json* a = Find(endpoint, {"addresses"}); a && a->is_array()) {
    for (const Json& v : *a)
      if (v.is_string()) addrs.push_back(v.get<std::string>());
  }
  std::sort(addrs.begin(), addrs.end());
  std::string key;
  for (const std::string& a : addrs) key += a + ",";
  return key + "|" + GetString(endpoint, {"hostname"}) + "|" +
         GetString(endpoint, {"targetRef", "namespace"}) + "/" +
         GetString(endpoint, {"targetRef", "name"});
}

Json EndpointFields(const Json& endpoint) {
  Json out = Json::object();
  if (!endpoint.is_object()) return out;
  for (const char* f : {"addresses", "conditions", "hostname", "nodeName", "zone", "targetRef"}) {
    auto it = endpoint.find(f);
    if (it != endpoint.end() && !it->is_null()) out[f] = *it;
  }
  if (out.contains("targetRef") && out["targetRef"].is_object())
    out["targetRef"].erase("resourceVersion");
  return out;
}

void SliceTracker::Wrote(const std::string& key, const Json& slice) {
  int64_t rv = 0;
  try {
    rv = std::stoll(ResourceVersion(slice));
  } catch (const std::exception&) {
    return;  // not a revision number: nothing to compare the cache with
  }
  std::lock_guard<std::mutex> g(mu_);
  expect_[key][Name(slice)] = {rv, clock_.Steady()};
}

void SliceTracker::Deleted(const std::string& key, const std::string& name) {
  std::lock_guard<std::mutex> g(mu_);
  expect_[key][name] = {0, clock_.Steady()};
}

void SliceTracker::ObservedDeletion(const std::string& key, const std::string& name) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = expect_.find(key);
  if (it == expect_.end()) return;
  it->second.erase(name);
  if (it->second.empty()) expect_.erase(it);
}

bool SliceTracker::Stale(const std::string& key, const Informer& slices) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = expect_.find(key);
  if (it == expect_.end()) return false;
  const std::string ns = key.substr(0, key.find('/'));
  const SteadyTime now = clock_.Steady();
  bool stale = false;
  for (auto e = it->second.begin(); e != it->second.end();) {
    ObjectPtr cached = slices.Get(ns + "/" + e->first);
    bool caught_up;
    if (e->second.rv == 0) {
      caught_up = cached == nullptr;
    } else {
      int64_t cached_rv = -1;
      if (cached) {
        try {
          cached_rv = std::stoll(ResourceVersion(*cached));
        } catch (const std::exception&) {
          cached_rv = e->second.rv;  // not comparable: take it as caught up
        }
      }
      caught_up = cached_rv >= e->second.rv;
    }
    if (caught_up || now - e->second.at > std::chrono::minutes(1)) {
      e = it->second.erase(e);
    } else {
      stale = true;
      ++e;
    }
  }
  if (it->second.empty()) expect_.erase(it);
  return stale;
}

void SliceTracker::Forget(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  expect_.erase(key);
}

}  // namespace endpointutil

using namespace endpointutil;  // NOLINT: the helpers shared by the endpoint controllers

namespace {

const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kNodes{"", "v1", "nodes"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};
constexpr const char* kZoneLabel = "topology.kubernetes.io/zone";

bool IsNamespaceTerminating(const Status& st) {
  if (!st.details()) return false;
  for (const StatusCause& c : st.details()->causes)
    if (c.reason == "NamespaceTerminating") return true;
  return false;
}

bool OwnedBy(const Json& slice, const Json& service) {
  const Json* refs = Find(slice, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return false;
  for (const Json& r : *refs) {
    if (GetString(r, {"uid"}) == Uid(service) && GetString(r, {"kind"}) == "Service" &&
        GetString(r, {"apiVersion"}) == "v1")
      return true;
  }
  return false;
}

bool Publish(const Json& service) {
  const Json* p = Find(service, {"spec", "publishNotReadyAddresses"});
  return p && p->is_boolean() && p->get<bool>();
}

// getEndpointPorts: the service ports that resolve in `pod`.
Json EndpointPorts(const Json& service, const Json& pod) {
  Json out = Json::array();
  const Json* ports = Find(service, {"spec", "ports"});
  if (!ports || !ports->is_array()) return out;
  for (const Json& sp : *ports) {
    auto num = FindPort(pod, sp);
    if (!num.ok()) continue;
    Json p = {{"name", GetString(sp, {"name"})}, {"port", *num}, {"protocol", Protocol(sp)}};
    if (const Json* ap = Find(sp, {"appProtocol"}); ap && ap->is_string()) p["appProtocol"] = *ap;
    out.push_back(std::move(p));
  }
  return out;
}

// podToEndpoint
Json PodToEndpoint(const Json& pod, const Json* node, const Json& service) {
  const bool serving = IsPodReady(pod);
  const Json* ts = Find(pod, {"metadata", "deletionTimestamp"});
  const bool terminating = ts && !ts->is_null();
  const bool ready = Publish(service) || (serving && !terminating);
  Json addrs = Json::array();
  for (const std::string& ip : PodIPv4s(pod)) addrs.push_back(ip);
  Json ep = {
      {"addresses", std::move(addrs)},
      {"conditions", {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}},
      {"targetRef",
       {{"kind", "Pod"}, {"namespace", Namespace(pod)}, {"name", Name(pod)}, {"uid", Uid(pod)}}}};
  std::string node_name = GetString(pod, {"spec", "nodeName"});
  if (!node_name.empty()) ep["nodeName"] = node_name;
  if (node) {
    std::string zone = GetString(*node, {"metadata", "labels", kZoneLabel});
    if (!zone.empty()) ep["zone"] = zone;
  }
  if (ShouldSetHostname(pod, service)) ep["hostname"] = GetString(pod, {"spec", "hostname"});
  return ep;
}

// addTriggerTimeAnnotation, except that a slice keeps its last trigger time when there is no
// new one (as the Endpoints do, see EndpointsController::Reconcile).
void SetTriggerTime(Json& slice, const std::optional<SystemTime>& trigger) {
  if (trigger) slice["metadata"]["annotations"][kTriggerTimeAnnotation] = FormatRfc3339(*trigger);
}

}  // namespace

EndpointSliceController::EndpointSliceController(Client& client, Clock& clock,
                                                 SharedInformerFactory& informers, int workers,
                                                 int max_endpoints_per_slice)
    : QueueController("endpointslice-controller", clock, workers),
      client_(client),
      max_per_slice_(std::max(1, max_endpoints_per_slice)),
      services_(informers.For(kServices)),
      pods_(informers.For(kPods)),
      nodes_(informers.For(kNodes)),
      slices_(informers.For(kSlices)),
      tracker_(clock) {
  EnsureSliceServiceIndex(slices_);
  services_.AddEventHandler(EnqueueHandlers());
  auto enqueue = [this](const std::set<std::string>& keys) {
    for (const std::string& k : keys) queue().Add(k);
  };
  pods_.AddEventHandler({[this, enqueue](const Json& pod) {
                           enqueue(ServicesForLabels(services_, Namespace(pod), Labels(pod)));
                         },
                         [this, enqueue](const Json& old_pod, const Json& pod) {
                           enqueue(ServicesToUpdateOnPodChange(services_, old_pod, pod));
                         },
                         [this, enqueue](const Json& pod) {
                           enqueue(ServicesForLabels(services_, Namespace(pod), Labels(pod)));
                         }});
  auto managed = [](const Json& s) {
    return GetString(s, {"metadata", "labels", kSliceManagedByLabel}) == kControllerName;
  };
  slices_.AddEventHandler({[this, managed](const Json& s) {
                             if (managed(s)) EnqueueSliceOwner(s);
                           },
                           [this, managed](const Json& old_s, const Json& s) {
                             if (SliceServiceKey(old_s) != SliceServiceKey(s) ||
                                 managed(old_s) != managed(s))
                               EnqueueSliceOwner(old_s);
                             if (managed(old_s) || managed(s)) EnqueueSliceOwner(s);
                           },
                           [this, managed](const Json& s) {
                             if (!managed(s)) return;
                             tracker_.ObservedDeletion(SliceServiceKey(s), Name(s));
                             EnqueueSliceOwner(s);
                           }});
  // A node's zone feeds its endpoints; a node that appears admits pods left out for lack of it.
  nodes_.AddEventHandler({[this](const Json&) { EnqueueAllServices(); },
                          [this](const Json& old_n, const Json& n) {
                            if (GetString(old_n, {"metadata", "labels", kZoneLabel}) !=
                                GetString(n, {"metadata", "labels", kZoneLabel}))
                              EnqueueAllServices();
                          },
                          nullptr});
}

void EndpointSliceController::EnqueueSliceOwner(const Json& slice) {
  std::string key = SliceServiceKey(slice);
  if (!key.empty()) queue().Add(key);
}

void EndpointSliceController::EnqueueAllServices() {
  for (const std::string& k : services_.ListKeys()) queue().Add(k);
}

Json EndpointSliceController::SliceLabels(const Json& service) const {
  Json labels = Json::object();
  const Json& svc_labels = Labels(service);
  if (svc_labels.is_object()) {
    for (auto it = svc_labels.begin(); it != svc_labels.end(); ++it) {
      if (it.key() == kServiceNameLabel || it.key() == kSliceManagedByLabel ||
          it.key() == kHeadlessLabel)
        continue;
      labels[it.key()] = *it;
    }
  }
  if (!IsServiceIPSet(service)) labels[kHeadlessLabel] = "";
  labels[kServiceNameLabel] = Name(service);
  labels[kSliceManagedByLabel] = kControllerName;
  return labels;
}

Json EndpointSliceController::NewSlice(const Json& service, const Json& ports) const {
  std::string prefix = Name(service) + "-";
  if (prefix.size() > 253) prefix = Name(service);
  return Json{{"apiVersion", "discovery.k8s.io/v1"},
              {"kind", "EndpointSlice"},
              {"metadata",
               {{"generateName", prefix},
                {"namespace", Namespace(service)},
                {"labels", SliceLabels(service)},
                {"ownerReferences", Json::array({NewControllerRef(service, "v1", "Service")})}}},
              {"addressType", "IPv4"},
              {"ports", ports},
              {"endpoints", Json::array()}};
}

void EndpointSliceController::ReconcilePortGroup(const Json& service,
                                                 const std::vector<Json>& existing,
                                                 std::map<std::string, Json> desired,
                                                 const Json& ports, Plan& plan) const {
  const Json labels = SliceLabels(service);
  const size_t max = static_cast<size_t>(max_per_slice_);
  std::vector<Json> to_update, unchanged;
  // 1. Existing slices keep the endpoints still desired, updated where they changed.
  for (const Json& slice : existing) {
    const Json& eps = SliceArray(slice, "endpoints");
    Json kept = Json::array();
    bool updated = false;
    for (const Json& ep : eps) {
      auto it = desired.find(EndpointKey(ep));
      if (it == desired.end()) continue;
      if (EndpointFields(ep) != it->second) updated = true;
      kept.push_back(std::move(it->second));
      desired.erase(it);
    }
    const bool labels_changed = Labels(slice) != labels;
    if (updated || kept.size() != eps.size()) {
      if (kept.empty()) {
        plan.remove.push_back(slice);
        continue;
      }
      Json next = slice;
      next["endpoints"] = std::move(kept);
      next["metadata"]["labels"] = labels;
      to_update.push_back(std::move(next));
    } else if (labels_changed) {
      Json next = slice;
      next["metadata"]["labels"] = labels;
      to_update.push_back(std::move(next));
    } else {
      unchanged.push_back(slice);
    }
  }
  auto pop = [&](Json& slice) {
    auto it = desired.begin();
    slice["endpoints"].push_back(std::move(it->second));
    desired.erase(it);
  };
  // 2. New endpoints fill the slices being written anyway, the fullest first.
  if (!desired.empty() && !to_update.empty()) {
    std::stable_sort(to_update.begin(), to_update.end(), [](const Json& a, const Json& b) {
      return SliceArray(a, "endpoints").size() > SliceArray(b, "endpoints").size();
    });
    for (Json& slice : to_update) {
      while (!desired.empty() && slice["endpoints"].size() < max) pop(slice);
    }
  }
  // 3. Then an unchanged slice the rest fits in (the one closest to full), then new slices.
  while (!desired.empty()) {
    Json slice;
    if (desired.size() < max && !unchanged.empty()) {
      // getSliceToFill
      size_t best = unchanged.size(), closest = max;
      for (size_t i = 0; i < unchanged.size() && closest > 0; ++i) {
        const size_t fill = SliceArray(unchanged[i], "endpoints").size() + desired.size();
        if (fill <= max && max - fill < closest) {
          closest = max - fill;
          best = i;
        }
      }
      if (best != unchanged.size()) {
        slice = std::move(unchanged[best]);
        unchanged.erase(unchanged.begin() + static_cast<std::ptrdiff_t>(best));
        if (!slice.contains("endpoints") || !slice["endpoints"].is_array())
          slice["endpoints"] = Json::array();
      }
    }
    const bool is_new = slice.is_null();
    if (is_new) slice = NewSlice(service, ports);
    while (!desired.empty() && slice["endpoints"].size() < max) pop(slice);
    (is_new ? plan.create : to_update).push_back(std::move(slice));
  }
  for (Json& s : to_update) plan.update.push_back(std::move(s));
}

StatusOr<ReconcileResult> EndpointSliceController::Reconcile(const std::string& key) {
  ObjectPtr service = services_.Get(key);
  if (!service || IsExternalName(*service) || !HasSelector(*service)) {
    trigger_times_.DeleteService(key);
    MINIK_RETURN_IF_ERROR(DeleteSlices(key, ManagedSlices(slices_, key, kControllerName)));
    return ReconcileResult{};
  }
  const Json& svc = *service;
  if (tracker_.Stale(key, slices_)) return ReconcileResult{true, {}};

  std::vector<ObjectPtr> pods;
  for (ObjectPtr& p : pods_.ByIndex(kNamespaceIndex, Namespace(svc))) {
    if (SelectorMatches(svc, Labels(*p))) pods.push_back(std::move(p));
  }
  std::optional<SystemTime> trigger = trigger_times_.Compute(svc, pods);

  // Existing state: this address type's slices owned by the service, by port list; the rest
  // (another address type, a previous service of the same name) goes.
  Plan plan;
  std::map<std::string, std::vector<Json>> existing_by_ports;
  size_t existing_count = 0;
  for (const ObjectPtr& s : ManagedSlices(slices_, key, kControllerName)) {
    if (GetString(*s, {"addressType"}) != "IPv4") {
      plan.remove.push_back(*s);
      continue;
    }
    ++existing_count;
    if (OwnedBy(*s, svc)) {
      existing_by_ports[PortsKey(SliceArray(*s, "ports"))].push_back(*s);
    } else {
      plan.remove.push_back(*s);
    }
  }

  // Desired state, by port list.
  struct Group {
    Json ports;
    std::map<std::string, Json> endpoints;
  };
  std::map<std::string, Group> desired;
  Status node_missing;
  for (const ObjectPtr& p : pods) {
    const Json& pod = *p;
    if (!ShouldPodBeInEndpoints(pod, true)) continue;
    Json ports = EndpointPorts(svc, pod);
    Group& g = desired[PortsKey(ports)];
    if (g.ports.is_null()) g.ports = ports;
    ObjectPtr node;
    std::string node_name = GetString(pod, {"spec", "nodeName"});
    if (!node_name.empty()) {
      node = nodes_.Get(node_name);
      if (!node && !Publish(svc)) {
        node_missing = Status(Code::kNotFound, "skipping Pod " + Name(pod) + " for Service " + key +
                                                   ": Node " + node_name + " Not Found");
        continue;
      }
    }
    Json ep = PodToEndpoint(pod, node.get(), svc);
    if (!ep["addresses"].empty()) g.endpoints.emplace(EndpointKey(ep), std::move(ep));
  }

  for (auto& [ports_key, group] : desired) {
    auto it = existing_by_ports.find(ports_key);
    static const std::vector<Json> kNone;
    ReconcilePortGroup(svc, it == existing_by_ports.end() ? kNone : it->second,
                       std::move(group.endpoints), group.ports, plan);
  }
  for (auto& [ports_key, slices] : existing_by_ports) {
    if (desired.count(ports_key)) continue;
    for (Json& s : slices) plan.remove.push_back(std::move(s));
  }
  // A service without endpoints keeps one empty placeholder slice.
  size_t removed_ipv4 = 0;
  for (const Json& s : plan.remove)
    if (GetString(s, {"addressType"}) == "IPv4") ++removed_ipv4;
  if (existing_count == removed_ipv4 && plan.create.empty()) {
    Json placeholder = NewSlice(svc, Json::array());
    // placeholderSliceCompare: the same labels and owner, no ports, no endpoints.
    auto same = [&](const Json& s) {
      const Json* owners = Find(s, {"metadata", "ownerReferences"});
      return GetString(s, {"addressType"}) == "IPv4" &&
             Labels(s) == placeholder["metadata"]["labels"] && owners &&
             *owners == placeholder["metadata"]["ownerReferences"] &&
             SliceArray(s, "endpoints").empty() && SliceArray(s, "ports").empty();
    };
    if (removed_ipv4 == 1 && plan.remove.size() == 1 && same(plan.remove[0])) {
      plan.remove.clear();
    } else {
      plan.create.push_back(std::move(placeholder));
    }
  }

  auto result = Finalize(svc, std::move(plan), trigger);
  if (!result.ok()) return result;
  if (!node_missing.ok()) return node_missing;
  return result;
}

StatusOr<ReconcileResult> EndpointSliceController::Finalize(
    const Json& service, Plan plan, const std::optional<SystemTime>& trigger) {
  const std::string key = ObjectKey(service);
  const std::string ns = Namespace(service);
  // Slices about to be deleted take the place of slices about to be created.
  for (size_t i = 0; i < plan.remove.size() && !plan.create.empty();) {
    const Json& old = plan.remove[i];
    if (GetString(old, {"addressType"}) == "IPv4" && OwnedBy(old, service)) {
      Json next = std::move(plan.create.back());
      plan.create.pop_back();
      next["metadata"]["name"] = Name(old);
      next["metadata"]["resourceVersion"] = ResourceVersion(old);
      plan.update.push_back(std::move(next));
      plan.remove.erase(plan.remove.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  // No new slices for a service being deleted: the garbage collector is removing them.
  const Json* deleting = Find(service, {"metadata", "deletionTimestamp"});
  if (!deleting || deleting->is_null()) {
    for (Json& slice : plan.create) {
      SetTriggerTime(slice, trigger);
      auto r = client_.Create(kSlices, ns, slice);
      if (!r.ok()) {
        if (IsNamespaceTerminating(r.status())) return ReconcileResult{};
        return Status(r.status().code(), "failed to create EndpointSlice for Service " + key +
                                             ": " + r.status().message());
      }
      tracker_.Wrote(key, *r);
    }
  }
  for (Json& slice : plan.update) {
    SetTriggerTime(slice, trigger);
    auto r = client_.Update(kSlices, ns, slice);
    if (!r.ok()) {
      // Changed or deleted meanwhile: the informer will say how; decide again then.
      if (r.status().code() == Code::kConflict || r.status().code() == Code::kNotFound)
        return ReconcileResult{true, {}};
      return Status(r.status().code(), "failed to update " + Name(slice) +
                                           " EndpointSlice for Service " + key + ": " +
                                           r.status().message());
    }
    tracker_.Wrote(key, *r);
  }
  std::vector<ObjectPtr> remove;
  for (Json& s : plan.remove) remove.push_back(std::make_shared<const Json>(std::move(s)));
  MINIK_RETURN_IF_ERROR(DeleteSlices(key, remove));
  return ReconcileResult{};
}

Status EndpointSliceController::DeleteSlices(const std::string& key,
                                             const std::vector<ObjectPtr>& slices) {
  for (const ObjectPtr& s : slices) {
    DeleteOptions opts;
    opts.precondition_uid = Uid(*s);
    auto r = client_.Delete(kSlices, Namespace(*s), Name(*s), opts);
    // Conflict: the uid differs, someone else's slice of the same name now; leave it.
    if (!r.ok() && r.status().code() == Code::kConflict) continue;
    if (!r.ok() && r.status().code() != Code::kNotFound)
      return Status(r.status().code(), "failed to delete " + Name(*s) +
                                           " EndpointSlice for Service " + key + ": " +
                                           r.status().message());
    tracker_.Deleted(key, Name(*s));
  }
  return Status::Ok();
}

}  // namespace minik
