#include "controllers/daemonset_controller.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "api/log.h"
#include "api/selector.h"
#include "controllers/controller_ref.h"
#include "controllers/history.h"

namespace minik {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

const ResourceRef kDaemonSets{"apps", "v1", "daemonsets"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kNodes{"", "v1", "nodes"};
constexpr const char* kRevisionHashLabel = "controller-revision-hash";
constexpr const char* kGenerationLabel = "pod-template-generation";
constexpr const char* kGenerationAnnotation = "deprecated.daemonset.template.generation";
constexpr const char* kPodIndex = "ds-pods";  // "uid:<ds uid>" / "orphan:<ns>"
constexpr int kBurstReplicas = 250;
constexpr milliseconds kFailedBackoffInitial{1000};
constexpr milliseconds kFailedBackoffMax{15 * 60 * 1000};

// ---- pods ---------------------------------------------------------------------------------

std::string Phase(const Json& pod) { return GetString(pod, {"status", "phase"}); }
bool IsTerminal(const Json& pod) { return Phase(pod) == "Succeeded" || Phase(pod) == "Failed"; }

const Json* ReadyCondition(const Json& pod) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == "Ready") return &c;
  return nullptr;
}
bool IsReady(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  return c && GetString(*c, {"status"}) == "True";
}
// podutil.IsPodAvailable: ready for at least minReadySeconds.
bool IsAvailable(const Json& pod, int64_t min_ready, SystemTime now) {
  if (!IsReady(pod)) return false;
  if (min_ready == 0) return true;
  SystemTime t{};
  if (!ParseRfc3339(GetString(*ReadyCondition(pod), {"lastTransitionTime"}), &t)) return false;
  return t + seconds(min_ready) < now;
}

// util.GetTargetNodeName: spec.nodeName, else the node the affinity pins the pod to.
std::string TargetNodeName(const Json& pod) {
  std::string node = GetString(pod, {"spec", "nodeName"});
  if (!node.empty()) return node;
  const Json* terms =
      Find(pod, {"spec", "affinity", "nodeAffinity",
                 "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"});
  if (!terms || !terms->is_array()) return "";
  for (const Json& term : *terms) {
    const Json* fields = Find(term, {"matchFields"});
    if (!fields || !fields->is_array()) continue;
    for (const Json& req : *fields) {
      const Json* values = Find(req, {"values"});
      if (GetString(req, {"key"}) == "metadata.name" && GetString(req, {"operator"}) == "In" &&
          values && values->is_array() && values->size() == 1 && (*values)[0].is_string())
        return (*values)[0].get<std::string>();
    }
  }
  return "";
}

// podByCreationTimestampAndPhase: scheduled first, then oldest, then by name.
bool OlderFirst(const ObjectPtr& a, const ObjectPtr& b) {
  bool sa = !GetString(*a, {"spec", "nodeName"}).empty();
  bool sb = !GetString(*b, {"spec", "nodeName"}).empty();
  if (sa != sb) return sa;
  std::string ta = GetString(*a, {"metadata", "creationTimestamp"});
  std::string tb = GetString(*b, {"metadata", "creationTimestamp"});
  if (ta != tb) return ta < tb;
  return Name(*a) < Name(*b);
}

// ---- scheduling predicates ----------------------------------------------------------------

Json Toleration(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"operator", "Exists"}, {"effect", effect}};
}

// util.AddOrUpdateDaemonPodTolerations (AddOrUpdateTolerationInPodSpec: an equal toleration
// is not added twice).
void AddDaemonTolerations(Json& spec) {
  std::vector<Json> add = {Toleration("node.kubernetes.io/not-ready", "NoExecute"),
                           Toleration("node.kubernetes.io/unreachable", "NoExecute"),
                           Toleration("node.kubernetes.io/disk-pressure", "NoSchedule"),
                           Toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
                           Toleration("node.kubernetes.io/pid-pressure", "NoSchedule"),
                           Toleration("node.kubernetes.io/unschedulable", "NoSchedule")};
  const Json* hn = Find(spec, {"hostNetwork"});
  if (hn && hn->is_boolean() && hn->get<bool>())
    add.push_back(Toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
  if (!spec["tolerations"].is_array()) spec["tolerations"] = Json::array();
  Json& tols = spec["tolerations"];
  for (const Json& t : add) {
    bool found = false;
    for (Json& existing : tols) {
      if (GetString(existing, {"key"}) == GetString(t, {"key"}) &&
          GetString(existing, {"effect"}) == GetString(t, {"effect"}) &&
          GetString(existing, {"operator"}) == "Exists" && GetString(existing, {"value"}).empty()) {
        found = true;
        break;
      }
    }
    if (!found) tols.push_back(t);
  }
}

bool ToleratesTaint(const Json& tol, const Json& taint) {
  std::string effect = GetString(tol, {"effect"});
  if (!effect.empty() && effect != GetString(taint, {"effect"})) return false;
  std::string key = GetString(tol, {"key"});
  if (!key.empty() && key != GetString(taint, {"key"})) return false;
  std::string op = GetString(tol, {"operator"});
  if (op.empty() || op == "Equal") return GetString(tol, {"value"}) == GetString(taint, {"value"});
  return op == "Exists";
}

// FindMatchingUntoleratedTaint over the taints with one of `effects`.
bool HasUntoleratedTaint(const Json& node, const Json& tolerations,
                         std::initializer_list<const char*> effects) {
  const Json* taints = Find(node, {"spec", "taints"});
  if (!taints || !taints->is_array()) return false;
  for (const Json& taint : *taints) {
    std::string e = GetString(taint, {"effect"});
    if (std::none_of(effects.begin(), effects.end(), [&](const char* x) { return e == x; }))
      continue;
    bool tolerated = false;
    if (tolerations.is_array())
      for (const Json& t : tolerations) tolerated = tolerated || ToleratesTaint(t, taint);
    if (!tolerated) return true;
  }
  return false;
}

bool RequirementMatches(const Json& req, const std::optional<std::string>& value) {
  std::string op = GetString(req, {"operator"});
  std::vector<std::string> values;
  if (const Json* v = Find(req, {"values"}); v && v->is_array())
    for (const Json& x : *v)
      if (x.is_string()) values.push_back(x.get<std::string>());
  bool in = value && std::find(values.begin(), values.end(), *value) != values.end();
  if (op == "In") return in;
  if (op == "NotIn") return !in;
  if (op == "Exists") return value.has_value();
  if (op == "DoesNotExist") return !value.has_value();
  if (op == "Gt" || op == "Lt") {
    if (!value || values.size() != 1) return false;
    try {
      long long have = std::stoll(*value), want = std::stoll(values[0]);
      return op == "Gt" ? have > want : have < want;
    } catch (...) {
      return false;
    }
  }
  return false;
}

// v1helper.MatchNodeSelectorTerms for one term: matchExpressions (labels) and matchFields
// (metadata.name) all match; an empty term matches nothing.
bool TermMatches(const Json& term, const Json& node) {
  const Json* exprs = Find(term, {"matchExpressions"});
  const Json* fields = Find(term, {"matchFields"});
  bool any = false;
  const Json& labels = Labels(node);
  if (exprs && exprs->is_array()) {
    for (const Json& req : *exprs) {
      any = true;
      std::string key = GetString(req, {"key"});
      std::optional<std::string> v;
      if (labels.contains(key) && labels[key].is_string()) v = labels[key].get<std::string>();
      if (!RequirementMatches(req, v)) return false;
    }
  }
  if (fields && fields->is_array()) {
    for (const Json& req : *fields) {
      any = true;
      if (GetString(req, {"key"}) != "metadata.name") return false;
      if (!RequirementMatches(req, Name(node))) return false;
    }
  }
  return any;
}

// nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector and the required terms.
bool NodeMatches(const Json& spec, const Json& node) {
  if (const Json* sel = Find(spec, {"nodeSelector"}); sel && sel->is_object()) {
    const Json& labels = Labels(node);
    for (auto it = sel->begin(); it != sel->end(); ++it) {
      if (!labels.contains(it.key()) || labels[it.key()] != it.value()) return false;
    }
  }
  const Json* terms =
      Find(spec, {"affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                  "nodeSelectorTerms"});
  if (terms && terms->is_array()) {
    for (const Json& t : *terms)
      if (TermMatches(t, node)) return true;
    return false;
  }
  return true;
}

struct ShouldRun {
  bool run = false;   // a pod should be created here
  bool keep = false;  // an existing pod may stay
};

// NodeShouldRunDaemonPod (with the pod spec the controller would create).
Json TemplateOf(const Json& ds) {
  const Json* t = Find(ds, {"spec", "template"});
  return t && t->is_object() ? *t : Json::object();
}

ShouldRun NodeShouldRunDaemonPod(const Json& node, const Json& ds) {
  const Json* s = Find(ds, {"spec", "template", "spec"});
  Json spec = s && s->is_object() ? *s : Json::object();
  std::string fixed = GetString(spec, {"nodeName"});
  if (!fixed.empty() && fixed != Name(node)) return {};
  AddDaemonTolerations(spec);
  if (!NodeMatches(spec, node)) return {};
  if (HasUntoleratedTaint(node, spec["tolerations"], {"NoExecute", "NoSchedule"})) {
    return {false, !HasUntoleratedTaint(node, spec["tolerations"], {"NoExecute"})};
  }
  if (IsBeingDeleted(node)) return {false, true};  // no new pods on a node going away
  return {true, true};
}

std::optional<int64_t> TemplateGeneration(const Json& ds) {
  const Json* v = Find(ds, {"metadata", "annotations", kGenerationAnnotation});
  if (!v || !v->is_string()) return std::nullopt;
  try {
    return std::stoll(v->get<std::string>());
  } catch (...) {
    return std::nullopt;
  }
}

// util.IsPodUpdated: the hash label or the template generation label is current.
bool IsPodUpdated(const Json& pod, const std::string& hash, std::optional<int64_t> gen) {
  const Json& labels = Labels(pod);
  bool gen_matches = gen && labels.value(kGenerationLabel, "") == std::to_string(*gen);
  bool hash_matches = !hash.empty() && labels.value(kRevisionHashLabel, "") == hash;
  return hash_matches || gen_matches;
}

// intstr.GetScaledValueFromIntOrPercent, rounding up.
int ScaledValue(const Json& v, int total) {
  if (v.is_number_integer()) return static_cast<int>(v.get<int64_t>());
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (!s.empty() && s.back() == '%') {
      try {
        int pct = std::stoi(s.substr(0, s.size() - 1));
        return static_cast<int>(std::ceil(static_cast<double>(pct) * total / 100.0));
      } catch (...) {
        return 0;
      }
    }
    try {
      return std::stoi(s);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

bool AllowsSurge(const Json& ds) {
  if (GetString(ds, {"spec", "updateStrategy", "type"}) != "RollingUpdate") return false;
  const Json* s = Find(ds, {"spec", "updateStrategy", "rollingUpdate", "maxSurge"});
  return s && ScaledValue(*s, 1) != 0;
}

// The revision's hash (the label the pods carry).
std::string RevisionHash(const Json& rev) {
  const Json& labels = Labels(rev);
  if (labels.contains(history::kHashLabel) && labels[history::kHashLabel].is_string())
    return labels[history::kHashLabel].get<std::string>();
  return labels.value(kRevisionHashLabel, Name(rev));
}

// getPatch: the template, to be restored with "$patch": "replace".
Json RevisionData(const Json& ds) {
  Json tmpl = TemplateOf(ds);
  tmpl["$patch"] = "replace";
  return Json{{"spec", {{"template", tmpl}}}};
}

}  // namespace

DaemonSetController::DaemonSetController(Client& client, Clock& clock,
                                         SharedInformerFactory& informers, int workers)
    : QueueController("daemonset-controller", clock, workers),
      client_(client),
      daemonsets_(informers.For(kDaemonSets)),
      pods_(informers.For(kPods)),
      nodes_(informers.For(kNodes)),
      revisions_(informers.For(history::kControllerRevisions)),
      recorder_(client, clock, "daemonset-controller"),
      expectations_(clock) {
  (void)pods_.AddIndex(kPodIndex, [](const Json& pod) -> std::vector<std::string> {
    if (const Json* ref = ControllerRefOf(pod)) {
      if (GetString(*ref, {"kind"}) != "DaemonSet") return {};
      return {"uid:" + GetString(*ref, {"uid"})};
    }
    return {"orphan:" + Namespace(pod)};
  });
  daemonsets_.AddEventHandler({[this](const Json& ds) { Enqueue(ds); },
                               [this](const Json&, const Json& ds) { Enqueue(ds); },
                               [this](const Json& ds) {
                                 expectations_.Delete(ObjectKey(ds));
                                 Enqueue(ds);
                               }});
  pods_.AddEventHandler(
      {[this](const Json& pod) { OnPod(nullptr, pod, false); },
       [this](const Json& old_pod, const Json& pod) { OnPod(&old_pod, pod, false); },
       [this](const Json& pod) { OnPod(nullptr, pod, true); }});
  // Node heartbeats are frequent; only what decides placement wakes the DaemonSets.
  nodes_.AddEventHandler({[this](const Json&) { EnqueueAll(); },
                          [this](const Json& old_node, const Json& node) {
                            if (Labels(old_node) != Labels(node) ||
                                old_node.value("spec", Json()) != node.value("spec", Json()) ||
                                IsBeingDeleted(old_node) != IsBeingDeleted(node))
                              EnqueueAll();
                          },
                          [this](const Json&) { EnqueueAll(); }});
  auto owner = [this](const Json& rev) {
    const Json* ref = ControllerRefOf(rev);
    if (ref && GetString(*ref, {"kind"}) == "DaemonSet")
      queue().Add(Namespace(rev) + "/" + GetString(*ref, {"name"}));
  };
  revisions_.AddEventHandler({owner, [owner](const Json&, const Json& rev) { owner(rev); }, owner});
}

// ---- handlers -------------------------------------------------------------------------------

void DaemonSetController::EnqueueAll() {
  for (const std::string& key : daemonsets_.ListKeys()) queue().Add(key);
}

void DaemonSetController::EnqueueMatching(const Json& pod) {
  for (const ObjectPtr& ds : daemonsets_.ByIndex(kNamespaceIndex, Namespace(pod))) {
    const Json* sel = Find(*ds, {"spec", "selector"});
    if (!sel || !sel->is_object()) continue;
    auto s = LabelSelector::FromJson(*sel);
    if (s.ok() && !s->Empty() && s->Matches(Labels(pod))) Enqueue(*ds);
  }
}

void DaemonSetController::OnPod(const Json* old_pod, const Json& pod, bool deleted) {
  if (old_pod && ResourceVersion(*old_pod) == ResourceVersion(pod)) return;
  auto resolve = [this](const Json& p) -> ObjectPtr {
    const Json* ref = ControllerRefOf(p);
    if (!ref || GetString(*ref, {"kind"}) != "DaemonSet") return nullptr;
    ObjectPtr ds = daemonsets_.Get(Namespace(p) + "/" + GetString(*ref, {"name"}));
    return ds && Uid(*ds) == GetString(*ref, {"uid"}) ? ds : nullptr;
  };
  if (old_pod) {
    const Json* o = ControllerRefOf(*old_pod);
    const Json* c = ControllerRefOf(pod);
    if (o && (!c || *o != *c))
      if (ObjectPtr ds = resolve(*old_pod)) Enqueue(*ds);
  }
  ObjectPtr ds = resolve(pod);
  if (!ds) {
    if (!ControllerRefOf(pod) && !deleted) EnqueueMatching(pod);
    return;
  }
  const std::string key = ObjectKey(*ds);
  if (deleted) {
    expectations_.DeletionObserved(key);
  } else if (!old_pod) {
    if (IsBeingDeleted(pod)) {
      expectations_.DeletionObserved(key);
    } else {
      expectations_.CreationObserved(key);
    }
  } else if (IsBeingDeleted(pod) && !IsBeingDeleted(*old_pod)) {
    expectations_.DeletionObserved(key);
  }
  Enqueue(*ds);
}

// ---- reconcile ------------------------------------------------------------------------------

StatusOr<std::vector<ObjectPtr>> DaemonSetController::PodsFor(const Json& ds) {
  const Json* sel_json = Find(ds, {"spec", "selector"});
  auto selector = LabelSelector::FromJson(sel_json ? *sel_json : Json());
  if (!selector.ok()) return selector.status();
  std::vector<ObjectPtr> candidates = pods_.ByIndex(kPodIndex, "uid:" + Uid(ds));
  if (!selector->Empty()) {
    std::vector<ObjectPtr> orphans = pods_.ByIndex(kPodIndex, "orphan:" + Namespace(ds));
    candidates.insert(candidates.end(), orphans.begin(), orphans.end());
  }
  ClaimSpec spec{"apps/v1", "DaemonSet", kDaemonSets, kPods};
  return ClaimObjects(client_, spec, ds, *selector, candidates);
}

StatusOr<std::string> DaemonSetController::ConstructHistory(Json& ds, std::vector<ObjectPtr>* old) {
  const Json* sel_json = Find(ds, {"spec", "selector"});
  auto selector = LabelSelector::FromJson(sel_json ? *sel_json : Json());
  if (!selector.ok()) return selector.status();
  auto revisions = history::ClaimRevisions(client_, revisions_, ds, "apps/v1", "DaemonSet",
                                           kDaemonSets, *selector);
  if (!revisions.ok()) return revisions.status();
  const Json data = RevisionData(ds);
  std::vector<ObjectPtr> current;
  int64_t max_old = 0;
  for (ObjectPtr rev : *revisions) {
    if (!Labels(*rev).contains(kRevisionHashLabel)) {
      // The unique label, as upstream adds it to revisions that lack it (the name).
      Json update = *rev;
      update["metadata"]["labels"][kRevisionHashLabel] = Name(*rev);
      auto r = client_.Update(history::kControllerRevisions, Namespace(*rev), update);
      if (!r.ok()) return r.status();
      rev = std::make_shared<const Json>(std::move(*r));
    }
    if (rev->value("data", Json()) == data) {
      current.push_back(rev);
    } else {
      old->push_back(rev);
      max_old = std::max<int64_t>(max_old, GetInt(*rev, {"revision"}));
    }
  }
  const int64_t want_revision = max_old + 1;
  if (current.empty()) {
    int32_t collisions = static_cast<int32_t>(GetInt(ds, {"status", "collisionCount"}));
    const int32_t before = collisions;
    const Json* tl = Find(ds, {"spec", "template", "metadata", "labels"});
    Json rev = history::NewRevision(ds, "apps/v1", "DaemonSet", tl ? *tl : Json::object(), data,
                                    want_revision, collisions);
    if (const Json* a = Find(ds, {"metadata", "annotations"}); a && a->is_object())
      rev["metadata"]["annotations"] = *a;
    rev["metadata"]["labels"][kRevisionHashLabel] = history::HashRevision(data, collisions);
    auto created = history::CreateRevision(client_, ds, rev, &collisions);
    if (!created.ok()) return created.status();
    if (collisions != before) ds["status"]["collisionCount"] = collisions;
    return RevisionHash(*created);
  }
  // Duplicates of the current template: keep the highest revision.
  ObjectPtr keep = current.front();
  for (const ObjectPtr& c : current)
    if (GetInt(*c, {"revision"}) >= GetInt(*keep, {"revision"})) keep = c;
  const std::string keep_hash = RevisionHash(*keep);
  if (current.size() > 1) {
    auto pods = PodsFor(ds);
    if (!pods.ok()) return pods.status();
    for (const ObjectPtr& p : *pods) {
      if (Labels(*p).value(kRevisionHashLabel, "") == keep_hash) continue;
      Json patch = {{"metadata", {{"labels", {{kRevisionHashLabel, keep_hash}}}}}};
      auto r = client_.Patch(kPods, Namespace(*p), Name(*p), PatchType::kMerge, patch.dump());
      if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
    }
    for (const ObjectPtr& c : current) {
      if (c == keep) continue;
      auto r = client_.Delete(history::kControllerRevisions, Namespace(*c), Name(*c));
      if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
    }
  }
  if (GetInt(*keep, {"revision"}) < want_revision) {
    auto r = history::UpdateRevisionNumber(client_, *keep, want_revision);
    if (!r.ok()) return r.status();
  }
  return keep_hash;
}

Status DaemonSetController::CleanupHistory(const Json& ds, const std::vector<ObjectPtr>& old,
                                           const std::vector<ObjectPtr>& pods) {
  int64_t limit = GetInt(ds, {"spec", "revisionHistoryLimit"}, 10);
  int64_t to_kill = static_cast<int64_t>(old.size()) - limit;
  if (to_kill <= 0) return Status::Ok();
  std::set<std::string> live;
  for (const ObjectPtr& p : pods) {
    std::string h = Labels(*p).value(kRevisionHashLabel, "");
    if (!h.empty()) live.insert(h);
  }
  std::vector<ObjectPtr> sorted = old;
  std::stable_sort(sorted.begin(), sorted.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    return GetInt(*a, {"revision"}) < GetInt(*b, {"revision"});
  });
  for (const ObjectPtr& rev : sorted) {
    if (to_kill <= 0) break;
    if (live.count(Labels(*rev).value(kRevisionHashLabel, ""))) continue;
    auto r = client_.Delete(history::kControllerRevisions, Namespace(*rev), Name(*rev));
    if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
    --to_kill;
  }
  return Status::Ok();
}

Status DaemonSetController::SyncNodes(const std::string& key, const Json& ds,
                                      const std::vector<ObjectPtr>& to_delete,
                                      const std::vector<std::string>& nodes_needing,
                                      const std::string& hash) {
  const int creates = std::min<int>(static_cast<int>(nodes_needing.size()), kBurstReplicas);
  const int deletes = std::min<int>(static_cast<int>(to_delete.size()), kBurstReplicas);
  expectations_.Expect(key, creates, deletes);

  // util.CreatePodTemplate: the daemon tolerations, generation and hash labels.
  Json tmpl = TemplateOf(ds);
  if (!tmpl["metadata"].is_object()) tmpl["metadata"] = Json::object();
  if (!tmpl["spec"].is_object()) tmpl["spec"] = Json::object();
  AddDaemonTolerations(tmpl["spec"]);
  Json& labels = tmpl["metadata"]["labels"];
  if (!labels.is_object()) labels = Json::object();
  if (auto gen = TemplateGeneration(ds)) labels[kGenerationLabel] = std::to_string(*gen);
  if (!hash.empty()) labels[kRevisionHashLabel] = hash;

  Status first_err;
  int pos = 0;
  for (int batch = std::min(creates, 1); pos < creates;) {
    int failures = 0;
    for (int i = pos; i < pos + batch; ++i) {
      Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
      Json meta = Json::object();
      for (const char* f : {"labels", "annotations", "finalizers"})
        if (tmpl["metadata"].contains(f)) meta[f] = tmpl["metadata"][f];
      meta["generateName"] = Name(ds) + "-";
      meta["ownerReferences"] = Json::array({NewControllerRef(ds, "apps/v1", "DaemonSet")});
      pod["metadata"] = std::move(meta);
      pod["spec"] = tmpl["spec"];
      // ReplaceDaemonSetPodNodeNameNodeAffinity: the scheduler binds the pod to this node.
      Json term = {{"matchFields", Json::array({{{"key", "metadata.name"},
                                                 {"operator", "In"},
                                                 {"values", Json::array({nodes_needing[i]})}}})}};
      Json& affinity = pod["spec"]["affinity"];
      if (!affinity.is_object()) affinity = Json::object();
      if (!affinity["nodeAffinity"].is_object()) affinity["nodeAffinity"] = Json::object();
      Json& req = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
      if (!req.is_object()) req = Json::object();
      req["nodeSelectorTerms"] = Json::array({term});
      auto r = client_.Create(kPods, Namespace(ds), std::move(pod));
      if (!r.ok()) {
        expectations_.CreationObserved(key);
        ++failures;
        if (r.status().code() == Code::kForbidden &&
            r.status().message().find("being terminated") != std::string::npos)
          continue;
        recorder_.Record(ds, "Warning", "FailedCreate", "Error creating: " + r.status().message());
        if (first_err.ok()) first_err = r.status();
        continue;
      }
      recorder_.Record(ds, "Normal", "SuccessfulCreate", "Created pod: " + Name(*r));
    }
    pos += batch;
    int skipped = creates - pos;
    if (failures > 0 && skipped > 0) {
      expectations_.Lower(key, skipped, 0);
      break;
    }
    batch = std::min(2 * batch, creates - pos);
  }
  for (int i = 0; i < deletes; ++i) {
    const Json& p = *to_delete[i];
    auto r = client_.Delete(kPods, Namespace(p), Name(p));
    if (!r.ok()) {
      expectations_.DeletionObserved(key);
      if (r.status().code() == Code::kNotFound) continue;
      recorder_.Record(ds, "Warning", "FailedDelete", "Error deleting: " + r.status().message());
      if (first_err.ok()) first_err = r.status();
      continue;
    }
    recorder_.Record(ds, "Normal", "SuccessfulDelete", "Deleted pod: " + Name(p));
  }
  return first_err;
}

Status DaemonSetController::UpdateStatus(const Json& ds, const Json& stored_status,
                                         const std::vector<ObjectPtr>& nodes,
                                         const std::vector<ObjectPtr>& pods,
                                         const std::string& hash, bool update_observed_generation,
                                         milliseconds* requeue) {
  std::map<std::string, std::vector<ObjectPtr>> by_node;
  for (const ObjectPtr& p : pods) {
    if (IsTerminal(*p) && IsBeingDeleted(*p)) continue;
    std::string n = TargetNodeName(*p);
    if (!n.empty()) by_node[n].push_back(p);
  }
  const SystemTime now = clock_.Now();
  const int64_t min_ready = GetInt(ds, {"spec", "minReadySeconds"});
  const auto gen = TemplateGeneration(ds);
  int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
  for (const ObjectPtr& node : nodes) {
    ShouldRun sr = NodeShouldRunDaemonPod(*node, ds);
    auto it = by_node.find(Name(*node));
    bool scheduled = it != by_node.end() && !it->second.empty();
    if (sr.run) {
      ++desired;
      if (!scheduled) continue;
      ++current;
      std::vector<ObjectPtr> list = it->second;
      std::sort(list.begin(), list.end(), OlderFirst);
      const Json& pod = *list.front();
      if (IsReady(pod)) {
        ++ready;
        if (IsAvailable(pod, min_ready, now)) ++available;
      }
      if (IsPodUpdated(pod, hash, gen)) ++updated;
    } else if (scheduled) {
      ++misscheduled;
    }
  }
  if (min_ready > 0 && ready != available) *requeue = seconds(min_ready);

  Json status = ds.value("status", Json::object());
  if (!status.is_object()) status = Json::object();
  auto set = [&](const char* f, int64_t v, bool omit_zero) {
    if (omit_zero && v == 0) {
      status.erase(f);
    } else {
      status[f] = v;
    }
  };
  set("desiredNumberScheduled", desired, false);
  set("currentNumberScheduled", current, false);
  set("numberMisscheduled", misscheduled, false);
  set("numberReady", ready, false);
  set("updatedNumberScheduled", updated, true);
  set("numberAvailable", available, true);
  set("numberUnavailable", desired - available, true);
  if (update_observed_generation)
    set("observedGeneration", GetInt(ds, {"metadata", "generation"}), true);
  if (status == stored_status) return Status::Ok();
  Json body = ds;
  body["status"] = status;
  auto r = client_.Update(kDaemonSets, Namespace(ds), body, {}, "status");
  if (r.ok() || r.status().code() != Code::kConflict) return r.ok() ? Status::Ok() : r.status();
  // One retry on a fresh read, as storeDaemonSetStatus.
  auto fresh = client_.Get(kDaemonSets, Namespace(ds), Name(ds));
  if (!fresh.ok()) return fresh.status();
  Json retry = *fresh;
  Json merged = retry.value("status", Json::object());
  for (auto it = status.begin(); it != status.end(); ++it) merged[it.key()] = it.value();
  retry["status"] = merged;
  auto again = client_.Update(kDaemonSets, Namespace(ds), retry, {}, "status");
  return again.ok() ? Status::Ok() : again.status();
}

StatusOr<ReconcileResult> DaemonSetController::Reconcile(const std::string& key) {
  ObjectPtr cached = daemonsets_.Get(key);
  if (!cached) {
    expectations_.Delete(key);
    return ReconcileResult{};
  }
  Json ds = *cached;
  if (!ds["status"].is_object()) ds["status"] = Json::object();
  const Json stored_status = ds["status"];
  const Json* sel = Find(ds, {"spec", "selector"});
  if (!sel || !sel->is_object() ||
      (sel->value("matchLabels", Json::object()).empty() &&
       sel->value("matchExpressions", Json::array()).empty())) {
    recorder_.Record(ds, "Warning", "SelectingAll",
                     "This daemon set is selecting all pods. A non-empty selector is required.");
    return ReconcileResult{};
  }
  // The status of a DaemonSet being deleted cannot be computed reliably (its history may be
  // gone): nothing to do, as upstream.
  if (IsBeingDeleted(ds)) return ReconcileResult{};

  std::vector<ObjectPtr> nodes = nodes_.List();
  std::vector<ObjectPtr> old;
  auto hash = ConstructHistory(ds, &old);
  if (!hash.ok()) return hash.status();
  auto pods = PodsFor(ds);
  if (!pods.ok()) return pods.status();
  milliseconds requeue{0};
  auto want_requeue = [&](milliseconds d) {
    if (d.count() <= 0) return;
    if (requeue.count() == 0 || d < requeue) requeue = d;
  };
  if (!expectations_.Satisfied(key)) {
    milliseconds r{0};
    Status st = UpdateStatus(ds, stored_status, nodes, *pods, *hash, false, &r);
    if (!st.ok()) return st;
    want_requeue(r);
    return ReconcileResult{false, requeue};
  }

  // manage: per node, the pods to create and delete.
  std::map<std::string, std::vector<ObjectPtr>> by_node;
  std::vector<ObjectPtr> to_delete;
  for (const ObjectPtr& p : *pods) {
    if (IsTerminal(*p) && IsBeingDeleted(*p)) continue;
    std::string n = TargetNodeName(*p);
    if (!n.empty()) by_node[n].push_back(p);
  }
  std::set<std::string> node_names;
  for (const ObjectPtr& n : nodes) node_names.insert(Name(*n));
  std::vector<std::string> needing;
  const SystemTime now = clock_.Now();
  const int64_t min_ready = GetInt(ds, {"spec", "minReadySeconds"});
  for (const ObjectPtr& node : nodes) {
    const std::string name = Name(*node);
    ShouldRun sr = NodeShouldRunDaemonPod(*node, ds);
    auto it = by_node.find(name);
    const bool exists = it != by_node.end();
    if (sr.run && !exists) {
      needing.push_back(name);
    } else if (sr.keep && exists) {
      std::vector<ObjectPtr> running;
      for (const ObjectPtr& p : it->second) {
        if (IsBeingDeleted(*p)) continue;
        if (Phase(*p) == "Failed") {
          // The kubelet may keep rejecting the pod: delete failed pods with back-off.
          const std::string bkey = Uid(ds) + "/" + name;
          std::lock_guard<std::mutex> g(mu_);
          Backoff& b = failed_backoff_[bkey];
          if (b.delay.count() > 0 && now - b.last < b.delay) {
            want_requeue(duration_cast<milliseconds>(b.delay - (now - b.last)));
            continue;
          }
          b.delay = b.delay.count() == 0 || now - b.last > 2 * kFailedBackoffMax
                        ? kFailedBackoffInitial
                        : std::min(2 * b.delay, kFailedBackoffMax);
          b.last = now;
          recorder_.Record(ds, "Warning", "FailedDaemonPod",
                           "Found failed daemon pod " + Namespace(*p) + "/" + Name(*p) +
                               " on node " + name + ", will try to kill it");
          to_delete.push_back(p);
        } else if (Phase(*p) == "Succeeded") {
          to_delete.push_back(p);
        } else {
          running.push_back(p);
        }
      }
      std::sort(running.begin(), running.end(), OlderFirst);
      if (!AllowsSurge(ds)) {
        // One pod per node: all but the oldest go.
        for (size_t i = 1; i < running.size(); ++i) to_delete.push_back(running[i]);
      } else if (running.empty()) {
        if (sr.run) needing.push_back(name);
      } else if (running.size() > 1) {
        // Surging: an old and a new pod may overlap until the new one is available.
        ObjectPtr oldest_new, oldest_old;
        for (const ObjectPtr& p : running) {
          bool is_new = Labels(*p).value(kRevisionHashLabel, "") == *hash;
          ObjectPtr& slot = is_new ? oldest_new : oldest_old;
          if (!slot) {
            slot = p;
          } else {
            to_delete.push_back(p);
          }
        }
        if (oldest_new && oldest_old &&
            (!IsReady(*oldest_old) || IsAvailable(*oldest_new, min_ready, now)))
          to_delete.push_back(oldest_old);
      }
    } else if (!sr.keep && exists) {
      for (const ObjectPtr& p : it->second)
        if (!IsBeingDeleted(*p)) to_delete.push_back(p);
    }
  }
  // Unscheduled pods aimed at nodes that no longer exist would never be scheduled.
  for (const auto& [node, list] : by_node) {
    if (node_names.count(node)) continue;
    for (const ObjectPtr& p : list)
      if (GetString(*p, {"spec", "nodeName"}).empty()) to_delete.push_back(p);
  }
  Status manage_err = SyncNodes(key, ds, to_delete, needing, *hash);

  // Rolling update, once nothing is in flight.
  if (manage_err.ok() && expectations_.Satisfied(key) &&
      GetString(ds, {"spec", "updateStrategy", "type"}) == "RollingUpdate") {
    int desired = 0;
    std::map<std::string, std::vector<ObjectPtr>> placement = by_node;
    std::set<std::string> should_run;
    for (const ObjectPtr& node : nodes) {
      if (!NodeShouldRunDaemonPod(*node, ds).run) continue;
      ++desired;
      should_run.insert(Name(*node));
      placement[Name(*node)];  // every desired node is considered, even without pods
    }
    const Json& ru = ds["spec"]["updateStrategy"].value("rollingUpdate", Json::object());
    int max_unavailable = ScaledValue(ru.value("maxUnavailable", Json(1)), desired);
    int max_surge = ScaledValue(ru.value("maxSurge", Json(0)), desired);
    if (desired > 0 && max_unavailable == 0 && max_surge == 0) max_unavailable = 1;
    const auto gen = TemplateGeneration(ds);
    std::vector<ObjectPtr> old_to_delete;
    std::vector<std::string> new_nodes;
    // findUpdatedPodsOnNode: at most one old and one new live pod, else leave it to manage.
    auto split = [&](const std::vector<ObjectPtr>& list, ObjectPtr* np, ObjectPtr* op) {
      for (const ObjectPtr& p : list) {
        if (IsBeingDeleted(*p)) continue;
        ObjectPtr& slot = IsPodUpdated(*p, *hash, gen) ? *np : *op;
        if (slot) return false;
        slot = p;
      }
      return true;
    };
    if (max_surge == 0) {
      int unavailable = 0;
      std::vector<ObjectPtr> allowed, candidates;
      for (const auto& [node, list] : placement) {
        ObjectPtr np, op;
        if (!split(list, &np, &op)) {
          ++unavailable;
          continue;
        }
        if ((!op && !np) || (op && np)) {
          ++unavailable;
        } else if (np) {
          if (!IsAvailable(*np, min_ready, now)) ++unavailable;
        } else if (!IsAvailable(*op, min_ready, now)) {
          allowed.push_back(op);
          ++unavailable;
        } else if (unavailable < max_unavailable) {
          candidates.push_back(op);
        }
      }
      int remaining =
          std::clamp(max_unavailable - unavailable, 0, static_cast<int>(candidates.size()));
      old_to_delete = allowed;
      old_to_delete.insert(old_to_delete.end(), candidates.begin(), candidates.begin() + remaining);
    } else {
      int surge = 0, num_available = 0;
      std::vector<ObjectPtr> should_not_run;
      std::vector<std::string> allowed_nodes, candidate_nodes;
      for (const auto& [node, list] : placement) {
        ObjectPtr np, op;
        if (!split(list, &np, &op)) {
          ++surge;
          continue;
        }
        if (op ? IsAvailable(*op, min_ready, now) : np && IsAvailable(*np, min_ready, now))
          ++num_available;
        if (!op) continue;
        const bool runs = should_run.count(node) > 0;
        if (!np) {
          if (!IsAvailable(*op, min_ready, now)) {
            if (!runs) {
              old_to_delete.push_back(op);
            } else {
              allowed_nodes.push_back(node);
            }
          } else if (!runs) {
            should_not_run.push_back(op);
          } else if (surge < max_surge) {
            candidate_nodes.push_back(node);
          }
        } else if (!IsAvailable(*np, min_ready, now)) {
          ++surge;
        } else {
          old_to_delete.push_back(op);
        }
      }
      // With surge the application expects full availability: pods on nodes that should no
      // longer run them go only once enough pods are available elsewhere.
      int deletable =
          std::min<int>(num_available - desired, static_cast<int>(should_not_run.size()));
      for (int i = 0; i < deletable; ++i) old_to_delete.push_back(should_not_run[i]);
      int remaining = std::clamp(max_surge - surge, 0, static_cast<int>(candidate_nodes.size()));
      new_nodes = allowed_nodes;
      new_nodes.insert(new_nodes.end(), candidate_nodes.begin(),
                       candidate_nodes.begin() + remaining);
    }
    if (!old_to_delete.empty() || !new_nodes.empty())
      manage_err = SyncNodes(key, ds, old_to_delete, new_nodes, *hash);
  }
  if (manage_err.ok()) {
    Status st = CleanupHistory(ds, old, *pods);
    if (!st.ok())
      manage_err = Status(st.code(), "failed to clean up revisions of DaemonSet: " + st.message());
  }
  milliseconds r{0};
  Status status_err = UpdateStatus(ds, stored_status, nodes, *pods, *hash, true, &r);
  want_requeue(r);
  if (!manage_err.ok()) return manage_err;
  if (!status_err.ok()) return status_err;
  return ReconcileResult{false, requeue};
}

}  // namespace minik
