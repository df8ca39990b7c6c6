#include "controllers/endpointslice_mirroring_controller.h"

#include <arpa/inet.h>

#include <map>

#include "api/validation.h"
#include "controllers/controller_ref.h"

namespace minik {

using namespace endpointutil;  // NOLINT: the helpers shared by the endpoint controllers

namespace {

const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};
constexpr const char* kLeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";
constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

bool IsNamespaceTerminating(const Status& st) {
  if (!st.details()) return false;
  for (const StatusCause& c : st.details()->causes)
    if (c.reason == "NamespaceTerminating") return true;
  return false;
}

// The address type and canonical text of an IP (parsed as ParseIPSloppy, re-formatted as
// net.IP.String()); nullopt when it is not one.
std::optional<std::pair<std::string, std::string>> ParseMirrorIp(const std::string& ip) {
  std::optional<IpAddress> parsed = ParseIp(ip);
  if (!parsed) return std::nullopt;
  char text[INET6_ADDRSTRLEN];
  const int family = parsed->v4 ? AF_INET : AF_INET6;
  if (!inet_ntop(family, parsed->bytes.data(), text, sizeof(text))) return std::nullopt;
  return std::make_pair(std::string(parsed->v4 ? "IPv4" : "IPv6"), std::string(text));
}

// epPortsToEpsPorts
Json SlicePorts(const Json& subset) {
  Json out = Json::array();
  const Json* ports = Find(subset, {"ports"});
  if (!ports || !ports->is_array()) return out;
  for (const Json& p : *ports) {
    Json sp = {{"name", GetString(p, {"name"})}, {"protocol", Protocol(p)}};
    if (const Json* port = Find(p, {"port"}); port && port->is_number_integer()) sp["port"] = *port;
    if (const Json* ap = Find(p, {"appProtocol"}); ap && ap->is_string()) sp["appProtocol"] = *ap;
    out.push_back(std::move(sp));
  }
  return out;
}

struct Group {
  std::string address_type;
  Json ports;
  std::map<std::string, Json> endpoints;  // by EndpointKey: the order slices are written in
};

Json EndpointsOf(const Group& g) {
  Json out = Json::array();
  for (const auto& [k, ep] : g.endpoints) out.push_back(ep);
  return out;
}

}  // namespace

bool EndpointSliceMirroringController::ShouldMirror(const Json& endpoints) {
  if (GetString(endpoints, {"metadata", "labels", kSkipMirrorLabel}) == "true") return false;
  return Find(endpoints, {"metadata", "annotations", kLeaderAnnotation}) == nullptr;
}

EndpointSliceMirroringController::EndpointSliceMirroringController(Client& client, Clock& clock,
                                                                   SharedInformerFactory& informers,
                                                                   int workers)
    : QueueController("endpointslice-mirroring-controller", clock, workers),
      client_(client),
      services_(informers.For(kServices)),
      endpoints_(informers.For(kEndpoints)),
      slices_(informers.For(kSlices)),
      recorder_(client, clock, "endpointslice-mirroring-controller"),
      tracker_(clock) {
  EnsureSliceServiceIndex(slices_);
  services_.AddEventHandler({[this](const Json& s) {
                               if (!HasSelector(s)) Enqueue(s);
                             },
                             [this](const Json& old_s, const Json& s) {
                               if (HasSelector(old_s) != HasSelector(s)) Enqueue(s);
                             },
                             [this](const Json& s) {
                               if (!HasSelector(s)) Enqueue(s);
                             }});
  endpoints_.AddEventHandler({[this](const Json& ep) {
                                if (ShouldMirror(ep)) Enqueue(ep);
                              },
                              [this](const Json& old_ep, const Json& ep) {
                                if (ShouldMirror(old_ep) || ShouldMirror(ep)) Enqueue(ep);
                              },
                              [this](const Json& ep) {
                                if (ShouldMirror(ep)) Enqueue(ep);
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
}

void EndpointSliceMirroringController::EnqueueSliceOwner(const Json& slice) {
  std::string key = SliceServiceKey(slice);
  if (!key.empty()) queue().Add(key);
}

StatusOr<ReconcileResult> EndpointSliceMirroringController::Reconcile(const std::string& key) {
  std::vector<ObjectPtr> existing = ManagedSlices(slices_, key, kControllerName);
  ObjectPtr endpoints = endpoints_.Get(key);
  ObjectPtr service = services_.Get(key);
  if (!endpoints || !ShouldMirror(*endpoints) || !service || HasSelector(*service)) {
    MINIK_RETURN_IF_ERROR(DeleteSlices(key, existing));
    return ReconcileResult{};
  }
  if (tracker_.Stale(key, slices_)) return ReconcileResult{true, {}};
  const Json& ep = *endpoints;

  // Desired state: endpoints by address type and port list.
  std::map<std::string, Group> desired;
  int invalid = 0, skipped = 0;
  if (const Json* subsets = Find(ep, {"subsets"}); subsets && subsets->is_array()) {
    for (const Json& subset : *subsets) {
      Json ports = SlicePorts(subset);
      const std::string ports_key = PortsKey(ports);
      int added = 0, total = 0;
      for (const char* field : {"addresses", "notReadyAddresses"}) {
        const Json* addrs = Find(subset, {field});
        if (!addrs || !addrs->is_array()) continue;
        const bool ready = std::string(field) == "addresses";
        for (const Json& addr : *addrs) {
          ++total;
          if (added >= kMaxEndpointsPerSubset) continue;
          auto ip = ParseMirrorIp(GetString(addr, {"ip"}));
          if (!ip) {
            ++invalid;
            continue;
          }
          ++added;
          Json e = {{"conditions", {{"ready", ready}}}};
          e["addresses"] = Json::array({ip->second});
          if (const Json* ref = Find(addr, {"targetRef"}); ref && ref->is_object())
            e["targetRef"] = *ref;
          if (std::string n = GetString(addr, {"nodeName"}); !n.empty()) e["nodeName"] = n;
          if (std::string h = GetString(addr, {"hostname"}); !h.empty()) e["hostname"] = h;
          Group& g = desired[ip->first + "|" + ports_key];
          g.address_type = ip->first;
          g.ports = ports;
          // The same endpoint twice: the last wins (notReadyAddresses come last), as upstream.
          g.endpoints[EndpointKey(e)] = EndpointFields(e);
        }
      }
      skipped += total - added;
    }
  }
  if (invalid > 0) {
    recorder_.Record(ep, "Warning", "InvalidIPAddress",
                     "Skipped " + std::to_string(invalid) +
                         " invalid IP addresses when mirroring to EndpointSlices");
  }
  if (skipped > invalid) {
    recorder_.Record(ep, "Warning", "TooManyAddressesToMirror",
                     "A max of " + std::to_string(kMaxEndpointsPerSubset) +
                         " addresses can be mirrored to EndpointSlices per Endpoints subset. " +
                         std::to_string(skipped) + " addresses were skipped");
  }

  // The slice metadata every group shares.
  Json labels = Labels(ep).is_object() ? Labels(ep) : Json::object();
  labels[kServiceNameLabel] = Name(ep);
  labels[kSliceManagedByLabel] = kControllerName;
  Json annotations = Json::object();
  if (const Json* a = Find(ep, {"metadata", "annotations"}); a && a->is_object()) {
    for (auto it = a->begin(); it != a->end(); ++it)
      if (it.key() != kTriggerTimeAnnotation && it.key() != kLastApplied)
        annotations[it.key()] = *it;
  }
  const Json owners = Json::array({NewControllerRef(ep, "v1", "Endpoints")});
  auto make_slice = [&](const Group& g) {
    std::string prefix = Name(ep) + "-";
    if (prefix.size() > 253) prefix = Name(ep);
    Json meta = {{"generateName", prefix},
                 {"namespace", Namespace(ep)},
                 {"labels", labels},
                 {"ownerReferences", owners}};
    if (!annotations.empty()) meta["annotations"] = annotations;
    return Json{{"apiVersion", "discovery.k8s.io/v1"},
                {"kind", "EndpointSlice"},
                {"metadata", std::move(meta)},
                {"addressType", g.address_type},
                {"ports", g.ports},
                {"endpoints", EndpointsOf(g)}};
  };

  std::map<std::string, std::vector<ObjectPtr>> existing_by_key;
  for (const ObjectPtr& s : existing)
    existing_by_key[GetString(*s, {"addressType"}) + "|" + PortsKey(SliceArray(*s, "ports"))]
        .push_back(s);

  std::vector<Json> create, update;
  std::vector<ObjectPtr> remove;
  for (const auto& [gkey, g] : desired) {
    auto it = existing_by_key.find(gkey);
    if (it == existing_by_key.end() || it->second.empty()) {
      create.push_back(make_slice(g));
      continue;
    }
    const Json& first = *it->second.front();
    for (size_t i = 1; i < it->second.size(); ++i) remove.push_back(it->second[i]);
    Json want = make_slice(g);
    Json have_eps = Json::array();
    for (const Json& e : SliceArray(first, "endpoints")) have_eps.push_back(EndpointFields(e));
    const Json* have_ann = Find(first, {"metadata", "annotations"});
    const Json* have_owners = Find(first, {"metadata", "ownerReferences"});
    const bool same =
        have_eps == want["endpoints"] && Labels(first) == labels &&
        (have_ann && have_ann->is_object() ? *have_ann : Json::object()) == annotations &&
        have_owners && *have_owners == owners;
    if (same) continue;
    Json next = first;
    next["metadata"]["labels"] = labels;
    next["metadata"]["ownerReferences"] = owners;
    if (annotations.empty()) {
      next["metadata"].erase("annotations");
    } else {
      next["metadata"]["annotations"] = annotations;
    }
    next["ports"] = want["ports"];
    next["endpoints"] = want["endpoints"];
    update.push_back(std::move(next));
  }
  for (const auto& [gkey, slices] : existing_by_key) {
    if (desired.count(gkey)) continue;
    remove.insert(remove.end(), slices.begin(), slices.end());
  }
  // recycleSlices: a slice about to be deleted takes the place of one about to be created
  // (same address type, which is immutable).
  for (size_t i = 0; i < remove.size() && !create.empty();) {
    auto c = std::find_if(create.begin(), create.end(), [&](const Json& s) {
      return GetString(s, {"addressType"}) == GetString(*remove[i], {"addressType"});
    });
    if (c == create.end()) {
      ++i;
      continue;
    }
    Json next = std::move(*c);
    create.erase(c);
    next["metadata"]["name"] = Name(*remove[i]);
    next["metadata"]["resourceVersion"] = ResourceVersion(*remove[i]);
    update.push_back(std::move(next));
    remove.erase(remove.begin() + static_cast<std::ptrdiff_t>(i));
  }

  const std::string ns = Namespace(ep);
  const Json* deleting = Find(ep, {"metadata", "deletionTimestamp"});
  if (!deleting || deleting->is_null()) {
    for (const Json& slice : create) {
      auto r = client_.Create(kSlices, ns, slice);
      if (!r.ok()) {
        if (IsNamespaceTerminating(r.status())) return ReconcileResult{};
        return Status(r.status().code(), "failed to create EndpointSlice for Endpoints " + key +
                                             ": " + r.status().message());
      }
      tracker_.Wrote(key, *r);
    }
  }
  for (const Json& slice : update) {
    auto r = client_.Update(kSlices, ns, slice);
    if (!r.ok()) {
      if (r.status().code() == Code::kConflict || r.status().code() == Code::kNotFound)
        return ReconcileResult{true, {}};
      return Status(r.status().code(), "failed to update " + Name(slice) +
                                           " EndpointSlice for Endpoints " + key + ": " +
                                           r.status().message());
    }
    tracker_.Wrote(key, *r);
  }
  MINIK_RETURN_IF_ERROR(DeleteSlices(key, remove));
  return ReconcileResult{};
}

Status EndpointSliceMirroringController::DeleteSlices(const std::string& key,
                                                      const std::vector<ObjectPtr>& slices) {
  for (const ObjectPtr& s : slices) {
    DeleteOptions opts;
    opts.precondition_uid = Uid(*s);
    auto r = client_.Delete(kSlices, Namespace(*s), Name(*s), opts);
    if (!r.ok() && r.status().code() == Code::kConflict) continue;
    if (!r.ok() && r.status().code() != Code::kNotFound)
      return Status(r.status().code(), "failed to delete " + Name(*s) +
                                           " EndpointSlice for Endpoints " + key + ": " +
                                           r.status().message());
    tracker_.Deleted(key, Name(*s));
  }
  return Status::Ok();
}

}  // namespace minik
