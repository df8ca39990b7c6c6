#include "controllers/statefulset_utils.h"

#include <algorithm>
#include <set>

#include "controllers/controller_ref.h"

namespace minik::statefulset {

namespace {

const Json* ReadyCondition(const Json& pod) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds) {
    if (GetString(c, {"type"}) == "Ready") return &c;
  }
  return nullptr;
}

const Json& OwnerRefs(const Json& obj) {
  static const Json kEmpty = Json::array();
  const Json* r = Find(obj, {"metadata", "ownerReferences"});
  return r && r->is_array() ? *r : kEmpty;
}
bool IsController(const Json& ref) {
  const Json* c = Find(ref, {"controller"});
  return c && c->is_boolean() && c->get<bool>();
}
bool MatchesRef(const Json& ref, const Json& owner, const std::string& api_version,
                const std::string& kind) {
  return GetString(ref, {"apiVersion"}) == api_version && GetString(ref, {"kind"}) == kind &&
         GetString(ref, {"name"}) == Name(owner);
}
bool MatchesSet(const Json& ref, const Json& set) {
  return MatchesRef(ref, set, kApiVersion, kKind);
}
bool MatchesPod(const Json& ref, const Json& pod) { return MatchesRef(ref, pod, "v1", "Pod"); }
bool HasOwnerRef(const Json& claim, const Json& owner) {
  for (const Json& r : OwnerRefs(claim)) {
    if (GetString(r, {"uid"}) == Uid(owner)) return true;
  }
  return false;
}
// A ref naming the object (by kind and name) but not its uid: left by an earlier incarnation.
template <typename M>
bool HasStaleOwnerRef(const Json& claim, const Json& owner, M matches) {
  for (const Json& r : OwnerRefs(claim)) {
    if (matches(r, owner)) return GetString(r, {"uid"}) != Uid(owner);
  }
  return false;
}
bool HasNonControllerOwner(const Json& claim, const Json& set, const Json& pod) {
  for (const Json& r : OwnerRefs(claim)) {
    std::string uid = GetString(r, {"uid"});
    if ((uid == Uid(set) || (!Uid(pod).empty() && uid == Uid(pod))) && !IsController(r))
      return true;
  }
  return false;
}

}  // namespace

// ---- identity (stateful_set_utils.go) -------------------------------------------------------

// getParentNameAndOrdinal: "(.*)-([0-9]+)$" with a 32-bit ordinal; {"", -1} otherwise.
std::pair<std::string, int> ParentAndOrdinal(const std::string& name) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash + 1 == name.size()) return {"", -1};
  std::string digits = name.substr(dash + 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {"", -1};
  std::string parent = name.substr(0, dash);
  if (digits.size() > 10) return {parent, -1};
  int64_t v = std::stoll(digits);
  if (v > INT32_MAX) return {parent, -1};
  return {parent, static_cast<int>(v)};
}

int Ordinal(const Json& pod) { return ParentAndOrdinal(Name(pod)).second; }
int StartOrdinal(const Json& set) {
  return static_cast<int>(GetInt(set, {"spec", "ordinals", "start"}));
}
int Replicas(const Json& set) { return static_cast<int>(GetInt(set, {"spec", "replicas"}, 1)); }
int EndOrdinal(const Json& set) { return StartOrdinal(set) + Replicas(set) - 1; }
bool InOrdinalRange(const Json& pod, const Json& set) {
  int ord = Ordinal(pod);
  return ord >= StartOrdinal(set) && ord <= EndOrdinal(set);
}
std::string PodName(const Json& set, int ordinal) {
  return Name(set) + "-" + std::to_string(ordinal);
}
std::string ClaimName(const Json& set, const Json& tmpl, int ordinal) {
  return Name(tmpl) + "-" + Name(set) + "-" + std::to_string(ordinal);
}
std::string PodRevision(const Json& pod) {
  return GetString(pod, {"metadata", "labels", kRevisionLabel});
}
std::string Phase(const Json& pod) { return GetString(pod, {"status", "phase"}); }
bool IsCreated(const Json& pod) { return !Phase(pod).empty(); }
bool IsTerminating(const Json& pod) { return IsBeingDeleted(pod); }

bool IsRunningAndReady(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  return Phase(pod) == "Running" && c && GetString(*c, {"status"}) == "True";
}
// podutil.IsPodAvailable: ready for more than minReadySeconds.
bool IsRunningAndAvailable(const Json& pod, int64_t min_ready, SystemTime now) {
  if (!IsRunningAndReady(pod)) return false;
  if (min_ready <= 0) return true;
  SystemTime since;
  if (!ParseRfc3339(GetString(*ReadyCondition(pod), {"lastTransitionTime"}), &since)) return false;
  return since + std::chrono::seconds(min_ready) < now;
}
// isUnavailable: not (yet) available, or on its way out.
bool IsUnavailable(const Json& pod, int64_t min_ready, SystemTime now) {
  return !IsRunningAndAvailable(pod, min_ready, now) || IsTerminating(pod);
}

std::vector<const Json*> ClaimTemplates(const Json& set) {
  std::vector<const Json*> out;
  const Json* t = Find(set, {"spec", "volumeClaimTemplates"});
  if (t && t->is_array()) {
    for (const Json& c : *t) out.push_back(&c);
  }
  return out;
}

// getPersistentVolumeClaims: the claims of `ordinal`, in template order.
std::vector<Json> PodClaims(const Json& set, int ordinal) {
  std::vector<Json> out;
  const Json* match = Find(set, {"spec", "selector", "matchLabels"});
  for (const Json* tmpl : ClaimTemplates(set)) {
    Json meta = Json::object();
    if (const Json* m = Find(*tmpl, {"metadata"}); m && m->is_object()) meta = *m;
    meta.erase("creationTimestamp");
    meta["name"] = ClaimName(set, *tmpl, ordinal);
    meta["namespace"] = Namespace(set);
    if (!meta.contains("labels") || !meta["labels"].is_object()) meta["labels"] = Json::object();
    if (match && match->is_object()) {
      for (auto it = match->begin(); it != match->end(); ++it) meta["labels"][it.key()] = *it;
    }
    const Json* spec = Find(*tmpl, {"spec"});
    out.push_back(Json{{"apiVersion", "v1"},
                       {"kind", "PersistentVolumeClaim"},
                       {"metadata", std::move(meta)},
                       {"spec", spec ? *spec : Json::object()}});
  }
  return out;
}

bool IdentityMatches(const Json& set, const Json& pod) {
  auto [parent, ord] = ParentAndOrdinal(Name(pod));
  const Json& labels = Labels(pod);
  return ord >= 0 && parent == Name(set) && Name(pod) == PodName(set, ord) &&
         Namespace(pod) == Namespace(set) && labels.value(kPodNameLabel, "") == Name(pod) &&
         labels.value(kPodIndexLabel, "") == std::to_string(ord);
}

bool StorageMatches(const Json& set, const Json& pod) {
  int ord = Ordinal(pod);
  if (ord < 0) return false;
  const Json* volumes = Find(pod, {"spec", "volumes"});
  for (const Json* tmpl : ClaimTemplates(set)) {
    bool found = false;
    if (volumes && volumes->is_array()) {
      for (const Json& v : *volumes) {
        if (GetString(v, {"name"}) != Name(*tmpl)) continue;
        found = GetString(v, {"persistentVolumeClaim", "claimName"}) == ClaimName(set, *tmpl, ord);
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

void UpdateIdentity(const Json& set, Json& pod) {
  int ord = Ordinal(pod);
  pod["metadata"]["name"] = PodName(set, ord);
  pod["metadata"]["namespace"] = Namespace(set);
  Json& labels = pod["metadata"]["labels"];
  if (!labels.is_object()) labels = Json::object();
  labels[kPodNameLabel] = PodName(set, ord);
  labels[kPodIndexLabel] = std::to_string(ord);
}

// updateStorage: one persistentVolumeClaim volume per template (replacing a same-named one),
// then the pod's other volumes.
void UpdateStorage(const Json& set, Json& pod) {
  int ord = Ordinal(pod);
  Json volumes = Json::array();
  std::set<std::string> names;
  for (const Json* tmpl : ClaimTemplates(set)) {
    names.insert(Name(*tmpl));
    volumes.push_back({{"name", Name(*tmpl)},
                       {"persistentVolumeClaim", {{"claimName", ClaimName(set, *tmpl, ord)}}}});
  }
  if (const Json* cur = Find(pod, {"spec", "volumes"}); cur && cur->is_array()) {
    for (const Json& v : *cur) {
      if (!names.count(GetString(v, {"name"}))) volumes.push_back(v);
    }
  }
  if (volumes.empty()) {
    pod["spec"].erase("volumes");
  } else {
    pod["spec"]["volumes"] = std::move(volumes);
  }
}

// newStatefulSetPod: GetPodFromTemplate + initIdentity + updateStorage.
Json NewPod(const Json& set, int ordinal) {
  const Json* tmpl = Find(set, {"spec", "template"});
  Json meta = {{"name", PodName(set, ordinal)},
               {"generateName", Name(set) + "-"},
               {"namespace", Namespace(set)},
               {"labels", Json::object()},
               {"ownerReferences", Json::array({NewControllerRef(set, kApiVersion, kKind)})}};
  if (tmpl) {
    for (const char* f : {"labels", "annotations", "finalizers"}) {
      const Json* v = Find(*tmpl, {"metadata", f});
      if (v && !v->is_null()) meta[f] = *v;
    }
  }
  const Json* spec = tmpl ? Find(*tmpl, {"spec"}) : nullptr;
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", std::move(meta)},
              {"spec", spec ? *spec : Json::object()}};
  UpdateIdentity(set, pod);
  pod["spec"]["hostname"] = Name(pod);
  std::string service = GetString(set, {"spec", "serviceName"});
  if (!service.empty()) pod["spec"]["subdomain"] = service;
  UpdateStorage(set, pod);
  return pod;
}

// newVersionedStatefulSetPod: below the partition (RollingUpdate) the current revision.
Json NewVersionedPod(const Json& current_set, const Json& update_set, const std::string& current,
                     const std::string& update, int ordinal) {
  const Json* ru = Find(current_set, {"spec", "updateStrategy", "rollingUpdate"});
  bool rolling = GetString(current_set, {"spec", "updateStrategy", "type"}) == "RollingUpdate";
  bool at_current =
      (rolling && (!ru || ru->is_null()) &&
       ordinal < StartOrdinal(current_set) + GetInt(current_set, {"status", "currentReplicas"})) ||
      (ru && ru->is_object() && ordinal < StartOrdinal(current_set) + GetInt(*ru, {"partition"}));
  Json pod = NewPod(at_current ? current_set : update_set, ordinal);
  pod["metadata"]["labels"][kRevisionLabel] = at_current ? current : update;
  return pod;
}

// ---- revisions -----------------------------------------------------------------------------

// getPatch: the template, marked to replace the whole subtree when applied.
Json RevisionData(const Json& set) {
  Json tmpl = Json::object();
  if (const Json* t = Find(set, {"spec", "template"}); t && t->is_object()) tmpl = *t;
  tmpl["$patch"] = "replace";
  return Json{{"spec", {{"template", std::move(tmpl)}}}};
}

// ApplyRevision: the set with the revision's template.
Json ApplyRevision(const Json& set, const Json& revision) {
  Json clone = set;
  const Json* t = Find(revision, {"data", "spec", "template"});
  if (t && t->is_object()) {
    Json tmpl = *t;
    tmpl.erase("$patch");
    clone["spec"]["template"] = std::move(tmpl);
  }
  return clone;
}

// ---- claim ownership for persistentVolumeClaimRetentionPolicy ------------------------------

Retention RetentionOf(const Json& set) {
  return {
      GetString(set, {"spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"}) == "Delete",
      GetString(set, {"spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"}) == "Delete"};
}

bool HasStalePodRef(const Json& claim, const Json& pod) {
  return HasStaleOwnerRef(claim, pod, MatchesPod);
}
bool HasUnexpectedController(const Json& claim, const Json& set, const Json& pod) {
  Retention p = RetentionOf(set);
  if (!p.delete_when_deleted && !p.delete_when_scaled) return false;
  for (const Json& r : OwnerRefs(claim)) {
    if (MatchesSet(r, set)) {
      if (GetString(r, {"uid"}) != Uid(set)) return true;
      continue;
    }
    if (MatchesPod(r, pod)) {
      if (GetString(r, {"uid"}) != Uid(pod)) return true;
      continue;
    }
    if (IsController(r)) return true;
  }
  return false;
}

// isClaimOwnerUpToDate.
bool ClaimOwnerUpToDate(const Json& claim, const Json& set, const Json& pod) {
  if (HasStaleOwnerRef(claim, set, MatchesSet) || HasStaleOwnerRef(claim, pod, MatchesPod))
    return true;
  if (HasUnexpectedController(claim, set, pod)) {
    return !(HasOwnerRef(claim, set) || HasOwnerRef(claim, pod));
  }
  if (HasNonControllerOwner(claim, set, pod)) return false;
  Retention p = RetentionOf(set);
  bool scaled_down = !InOrdinalRange(pod, set);
  bool want_set = p.delete_when_deleted && !(p.delete_when_scaled && scaled_down);
  bool want_pod = p.delete_when_scaled && scaled_down;
  return HasOwnerRef(claim, set) == want_set && HasOwnerRef(claim, pod) == want_pod;
}

// updateClaimOwnerRefForSetAndPod: drop our refs, then add the controller refs the policy asks.
void UpdateClaimOwnerRefs(Json& claim, const Json& set, const Json& pod) {
  bool unexpected = HasUnexpectedController(claim, set, pod);
  Json refs = Json::array();
  for (const Json& r : OwnerRefs(claim)) {
    if (!MatchesSet(r, set) && !MatchesPod(r, pod)) refs.push_back(r);
  }
  if (!unexpected) {
    Retention p = RetentionOf(set);
    bool scaled_down = !InOrdinalRange(pod, set);
    if (p.delete_when_scaled && scaled_down && !Uid(pod).empty()) {
      refs.push_back(NewControllerRef(pod, "v1", "Pod"));
    } else if (p.delete_when_deleted && !(p.delete_when_scaled && scaled_down)) {
      refs.push_back(NewControllerRef(set, kApiVersion, kKind));
    }
  }
  if (refs.empty()) {
    claim["metadata"].erase("ownerReferences");
  } else {
    claim["metadata"]["ownerReferences"] = std::move(refs);
  }
}

}  // namespace minik::statefulset
