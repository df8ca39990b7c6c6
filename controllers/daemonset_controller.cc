#include "controllers/daemonset_controller.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "api/log.h"
#include "api/selector.h"
#include "controllers/controller_ref.h"
#include "controllers/daemonset_util.h"
#include "controllers/history.h"

namespace minik {

using namespace daemonutil;  // placement predicates (daemonset_util.h)

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

const ResourceRef kDaemonSets{"apps", "v1", "daemonsets"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kNodes{"", "v1", "nodes"};
constexpr const char* kPodIndex = "ds-pods";  // "uid:<ds uid>" / "orphan:<ns>"
constexpr int kBurstReplicas = 250;
constexpr milliseconds kFailedBackoffInitial{1000};
constexpr milliseconds kFailedBackoffMax{15 * 60 * 1000};

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

// rollingUpdate: without surge, delete old pods within maxUnavailable (manage recreates
// them); with surge, create new pods next to old ones within maxSurge and delete an old pod
// once its replacement is available.
Status DaemonSetController::RollingUpdate(
    const std::string& key, const Json& ds, const std::vector<ObjectPtr>& nodes,
    const std::map<std::string, std::vector<ObjectPtr>>& by_node, const std::string& hash) {
  const SystemTime now = clock_.Now();
  const int64_t min_ready = GetInt(ds, {"spec", "minReadySeconds"});
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
      ObjectPtr& slot = IsPodUpdated(*p, hash, gen) ? *np : *op;
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
    int deletable = std::min<int>(num_available - desired, static_cast<int>(should_not_run.size()));
    for (int i = 0; i < deletable; ++i) old_to_delete.push_back(should_not_run[i]);
    int remaining = std::clamp(max_surge - surge, 0, static_cast<int>(candidate_nodes.size()));
    new_nodes = allowed_nodes;
    new_nodes.insert(new_nodes.end(), candidate_nodes.begin(), candidate_nodes.begin() + remaining);
  }
  if (old_to_delete.empty() && new_nodes.empty()) return Status::Ok();
  return SyncNodes(key, ds, old_to_delete, new_nodes, hash);
}

StatusOr<ReconcileResult> DaemonSetController::Reconcile(const std::string& key) {
  auto r = Sync(key);
  // A write based on a stale cache: the informer brings the new version, retry quietly.
  if (!r.ok() && r.status().code() == Code::kConflict) return ReconcileResult{true};
  return r;
}

StatusOr<ReconcileResult> DaemonSetController::Sync(const std::string& key) {
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
    manage_err = RollingUpdate(key, ds, nodes, by_node, *hash);
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
