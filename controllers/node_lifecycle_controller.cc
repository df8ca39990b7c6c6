#include "controllers/node_lifecycle_controller.h"

#include <algorithm>
#include <limits>

#include "api/log.h"

namespace minik {

namespace {

const ResourceRef kNodes{"", "v1", "nodes"};
const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases"};
const ResourceRef kPods{"", "v1", "pods"};
constexpr const char* kLeaseNamespace = "kube-node-lease";
constexpr int kUpdateAttempts = 5;

constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kTaintUnschedulable = "node.kubernetes.io/unschedulable";

// nodeConditionToTaintKeyStatusMap.
struct ConditionTaint {
  const char* condition;
  const char* status;
  const char* taint;
};
constexpr ConditionTaint kConditionTaints[] = {
    {"Ready", "False", kTaintNotReady},
    {"Ready", "Unknown", kTaintUnreachable},
    {"MemoryPressure", "True", "node.kubernetes.io/memory-pressure"},
    {"DiskPressure", "True", "node.kubernetes.io/disk-pressure"},
    {"NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"},
    {"PIDPressure", "True", "node.kubernetes.io/pid-pressure"},
};

bool IsConditionTaintKey(const std::string& key) {
  for (const ConditionTaint& ct : kConditionTaints)
    if (key == ct.taint) return true;
  return false;
}

Json* FindCondition(Json& node, const std::string& type) {
  Json& conds = node["status"]["conditions"];
  if (!conds.is_array()) return nullptr;
  for (Json& c : conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}

const Json* FindCondition(const Json& node, const std::string& type) {
  const Json* conds = Find(node, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}

std::string ReadyStatus(const Json& node) {
  const Json* c = FindCondition(node, "Ready");
  return c ? GetString(*c, {"status"}) : "";
}

// nodeutil.GetZoneKey: region and zone labels ("" for a node without them).
std::string ZoneKey(const Json& node) {
  const Json& labels = Labels(node);
  auto label = [&](const char* a, const char* b) {
    std::string v = GetString(labels, {a});
    return v.empty() ? GetString(labels, {b}) : v;
  };
  std::string region =
      label("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region");
  std::string zone = label("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone");
  if (region.empty() && zone.empty()) return "";
  return region + std::string(":\0:", 3) + zone;
}

bool HasTaint(const Json& node, const std::string& key, const std::string& effect) {
  const Json* taints = Find(node, {"spec", "taints"});
  if (!taints || !taints->is_array()) return false;
  for (const Json& t : *taints)
    if (GetString(t, {"key"}) == key && GetString(t, {"effect"}) == effect) return true;
  return false;
}

Json Taint(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"effect", effect}};
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(Client& client, Clock& clock,
                                                 SharedInformerFactory& informers, int workers)
    : QueueController("node-lifecycle-controller", clock, workers),
      client_(client),
      nodes_(informers.For(kNodes)),
      leases_(informers.For(kLeases)),
      pods_(informers.For(kPods)),
      recorder_(client, clock, "node-controller") {
  nodes_.AddEventHandler(EnqueueHandlers());
  auto lease_changed = [this](const Json& lease) {
    if (Namespace(lease) == kLeaseNamespace) queue().Add(Name(lease));
  };
  leases_.AddEventHandler(
      {lease_changed, [lease_changed](const Json&, const Json& lease) { lease_changed(lease); },
       nullptr});
  // AlreadyExists: the index was added by another instance; it means the same.
  (void)pods_.AddIndex(kPodsByNodeIndex, [](const Json& pod) -> std::vector<std::string> {
    std::string node = GetString(pod, {"spec", "nodeName"});
    if (node.empty()) return {};
    return {node};
  });
}

NodeLifecycleController::~NodeLifecycleController() { Stop(); }

std::map<std::string, std::pair<NodeLifecycleController::ZoneState, int>>
NodeLifecycleController::ZoneStatesLocked(const std::string& self, const std::string& self_ready,
                                          SteadyTime now) const {
  // Like upstream's pass over every node: a node counts as ready when its Ready condition
  // is True and its heartbeats have not run out (it is about to be marked Unknown).
  std::map<std::string, std::pair<int, int>> counts;  // zone -> (ready, not ready)
  for (const ObjectPtr& node : nodes_.List()) {
    const std::string name = Name(*node);
    std::string ready = name == self ? self_ready : ReadyStatus(*node);
    if (auto h = health_.find(name); name != self && h != health_.end()) {
      auto grace = h->second.had_ready ? kNodeMonitorGracePeriod : kNodeStartupGracePeriod;
      if (now > h->second.probe + grace) ready = "Unknown";
    }
    auto& c = counts[ZoneKey(*node)];
    (ready == "True" ? c.first : c.second)++;
  }
  std::map<std::string, std::pair<ZoneState, int>> out;
  for (const auto& [zone, c] : counts) {
    const auto [ready, not_ready] = c;
    ZoneState state = ZoneState::kNormal;
    if (ready == 0 && not_ready > 0) {
      state = ZoneState::kFullDisruption;
    } else if (not_ready > 2 &&
               double(not_ready) / double(not_ready + ready) >= kUnhealthyZoneThreshold) {
      state = ZoneState::kPartialDisruption;
    }
    out[zone] = {state, ready + not_ready};
  }
  return out;
}

std::chrono::nanoseconds NodeLifecycleController::TakeTokenLocked(const std::string& zone,
                                                                  ZoneState state, int zone_size) {
  // setLimiterInZone: full disruption of one zone keeps the healthy rate (HealthyQPSFunc);
  // partial disruption slows large zones and stops small ones (ReducedQPSFunc).
  double qps = kEvictionLimiterQps;
  if (state == ZoneState::kPartialDisruption)
    qps = zone_size > kLargeClusterThreshold ? kSecondaryEvictionLimiterQps : 0;
  const SteadyTime now = clock_.Steady();
  Bucket& b = buckets_[zone];
  if (qps <= 0) {
    b.qps = qps;  // a never-accepting limiter; the next rate starts with a full bucket
    return std::chrono::nanoseconds::max();
  }
  if (b.last == SteadyTime{} || b.qps != qps) {
    b = Bucket{qps, 1, now};  // SwapLimiter: a new, full bucket
  } else {
    b.tokens = std::min(1.0, b.tokens + std::chrono::duration<double>(now - b.last).count() * qps);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::chrono::nanoseconds(0);
  }
  if (qps <= 0) return std::chrono::nanoseconds::max();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>((1 - b.tokens) / qps));
}

Status NodeLifecycleController::SwapTaints(const std::string& name, const std::vector<Json>& add,
                                           const std::vector<Json>& remove) {
  // controllerutil.SwapNodeControllerTaint, on the live node (not the cache) with its
  // resourceVersion, so that taints others set meanwhile are kept.
  const std::string now = FormatRfc3339(clock_.Now());
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto node = client_.Get(kNodes, "", name);
    if (!node.ok()) return node.status().code() == Code::kNotFound ? Status::Ok() : node.status();
    Json taints = Json::array();
    bool changed = false;
    if (const Json* old = Find(*node, {"spec", "taints"}); old && old->is_array()) {
      for (const Json& t : *old) {
        bool drop = std::any_of(remove.begin(), remove.end(), [&](const Json& r) {
          return GetString(t, {"key"}) == GetString(r, {"key"}) &&
                 GetString(t, {"effect"}) == GetString(r, {"effect"});
        });
        if (drop) {
          changed = true;
        } else {
          taints.push_back(t);
        }
      }
    }
    for (const Json& a : add) {
      if (HasTaint(*node, GetString(a, {"key"}), GetString(a, {"effect"}))) continue;
      Json t = a;
      t["timeAdded"] = now;
      taints.push_back(std::move(t));
      changed = true;
    }
    if (!changed) return Status::Ok();
    Json next = *node;
    if (taints.empty()) {
      next["spec"].erase("taints");
    } else {
      next["spec"]["taints"] = std::move(taints);
    }
    auto r = client_.Update(kNodes, "", std::move(next));
    if (r.ok()) return Status::Ok();
    if (r.status().code() == Code::kNotFound) return Status::Ok();
    if (r.status().code() != Code::kConflict) return r.status();
  }
  return ConflictModified("nodes", name);
}

Status NodeLifecycleController::NoScheduleTaintingPass(const Json& node) {
  std::vector<std::string> want;
  const Json* conds = Find(node, {"status", "conditions"});
  if (conds && conds->is_array()) {
    for (const Json& c : *conds) {
      for (const ConditionTaint& ct : kConditionTaints) {
        if (GetString(c, {"type"}) == ct.condition && GetString(c, {"status"}) == ct.status)
          want.push_back(ct.taint);
      }
    }
  }
  const Json* unschedulable = Find(node, {"spec", "unschedulable"});
  if (unschedulable && unschedulable->is_boolean() && unschedulable->get<bool>())
    want.push_back(kTaintUnschedulable);
  std::vector<std::string> have;
  if (const Json* taints = Find(node, {"spec", "taints"}); taints && taints->is_array()) {
    for (const Json& t : *taints) {
      std::string key = GetString(t, {"key"});
      if (GetString(t, {"effect"}) != "NoSchedule") continue;
      if (key == kTaintUnschedulable || IsConditionTaintKey(key)) have.push_back(key);
    }
  }
  std::vector<Json> add, remove;
  for (const std::string& k : want)
    if (std::find(have.begin(), have.end(), k) == have.end()) add.push_back(Taint(k, "NoSchedule"));
  for (const std::string& k : have)
    if (std::find(want.begin(), want.end(), k) == want.end())
      remove.push_back(Taint(k, "NoSchedule"));
  if (add.empty() && remove.empty()) return Status::Ok();
  return SwapTaints(Name(node), add, remove);
}

Status NodeLifecycleController::MarkPodsNotReady(const std::string& node) {
  std::vector<std::string> failures;
  const std::string now = FormatRfc3339(clock_.Now());
  for (const ObjectPtr& cached : pods_.ByIndex(kPodsByNodeIndex, node)) {
    if (GetString(*cached, {"spec", "nodeName"}) != node) continue;
    Json pod = *cached;
    Json* ready = FindCondition(pod, "Ready");
    if (!ready || GetString(*ready, {"status"}) == "False") continue;
    (*ready)["status"] = "False";
    (*ready)["lastTransitionTime"] = now;
    auto r = client_.Update(kPods, Namespace(pod), pod, WriteOptions{}, "status");
    if (!r.ok()) {
      if (r.status().code() == Code::kNotFound) continue;  // already gone
      failures.push_back(ObjectKey(pod) + ": " + r.status().message());
      continue;
    }
    recorder_.Record(*r, "Warning", "NodeNotReady", "Node is not ready");
  }
  if (failures.empty()) return Status::Ok();
  std::string msg = "unable to mark all pods NotReady on node " + node + ":";
  for (const std::string& f : failures) msg += " " + f + ";";
  return Status(Code::kInternal, msg);
}

StatusOr<ReconcileResult> NodeLifecycleController::Reconcile(const std::string& name) {
  ObjectPtr cached = nodes_.Get(name);
  if (!cached) {
    std::lock_guard<std::mutex> g(mu_);
    auto h = health_.find(name);
    if (h != health_.end()) {
      // Its zone may change state without it.
      for (const ObjectPtr& other : nodes_.List())
        if (ZoneKey(*other) == h->second.zone) queue().Add(Name(*other));
      health_.erase(h);
    }
    return ReconcileResult{};
  }
  Json node = *cached;
  const SteadyTime now = clock_.Steady();
  const Json* ready_cond = FindCondition(node, "Ready");
  const std::string observed_ready = ready_cond ? GetString(*ready_cond, {"status"}) : "Unknown";
  const auto grace =
      ready_cond ? std::chrono::duration_cast<std::chrono::nanoseconds>(kNodeMonitorGracePeriod)
                 : std::chrono::duration_cast<std::chrono::nanoseconds>(kNodeStartupGracePeriod);
  ObjectPtr lease = leases_.Get(std::string(kLeaseNamespace) + "/" + name);
  bool registered = false;
  SteadyTime probe;
  {
    // tryUpdateNodeHealth: when did this node last show a sign of life?
    std::lock_guard<std::mutex> g(mu_);
    auto [it, fresh] = health_.try_emplace(name);
    Health& h = it->second;
    registered = fresh;
    std::string heartbeat = ready_cond ? GetString(*ready_cond, {"lastHeartbeatTime"}) : "";
    if (fresh && !ready_cond) {
      // Never posted: counted from its creation.
      SystemTime created;
      h.probe = now;
      if (ParseRfc3339(GetString(node, {"metadata", "creationTimestamp"}), &created) &&
          created < clock_.Now()) {
        h.probe = now - std::chrono::duration_cast<SteadyTime::duration>(clock_.Now() - created);
      }
    } else if (fresh || h.had_ready != (ready_cond != nullptr) ||
               (ready_cond && heartbeat != h.heartbeat)) {
      h.probe = now;
    }
    h.had_ready = ready_cond != nullptr;
    h.heartbeat = heartbeat;
    if (lease) {
      std::string renew = GetString(*lease, {"spec", "renewTime"});
      SystemTime seen, saved;
      bool newer = h.lease_renew.empty() || (ParseRfc3339(renew, &seen) &&
                                             ParseRfc3339(h.lease_renew, &saved) && saved < seen);
      if (!renew.empty() && newer) {
        h.lease_renew = renew;
        h.probe = now;
      }
    }
    probe = h.probe;
  }
  if (registered) {
    recorder_.Record(node, "Normal", "RegisteredNode",
                     "Registered Node " + name + " in Controller");
  }

  const bool expired = now > probe + grace;
  if (expired) {
    const std::string stamp = FormatRfc3339(clock_.Now());
    bool changed = false;
    for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
      Json* c = FindCondition(node, type);
      if (!c) {
        Json& conds = node["status"]["conditions"];
        if (!conds.is_array()) conds = Json::array();
        conds.push_back({{"type", type},
                         {"status", "Unknown"},
                         {"reason", "NodeStatusNeverUpdated"},
                         {"message", "Kubelet never posted node status."},
                         {"lastHeartbeatTime", GetString(node, {"metadata", "creationTimestamp"})},
                         {"lastTransitionTime", stamp}});
        changed = true;
      } else if (GetString(*c, {"status"}) != "Unknown") {
        (*c)["status"] = "Unknown";
        (*c)["reason"] = "NodeStatusUnknown";
        (*c)["message"] = "Kubelet stopped posting node status.";
        (*c)["lastTransitionTime"] = stamp;
        changed = true;
      }
    }
    if (changed) {
      LOG(Info, QueueController::name().c_str()) << "node stopped posting status node=" << name;
      auto r = client_.Update(kNodes, "", node, WriteOptions{}, "status");
      if (!r.ok()) {
        if (r.status().code() == Code::kNotFound) return ReconcileResult{};
        return r.status();  // a conflict: the kubelet spoke meanwhile; look again
      }
      node = std::move(*r);
    }
  }
  const std::string current_ready = ReadyStatus(node);
  const std::string zone = ZoneKey(node);

  bool retry_pods = false;
  bool master_disruption = false;
  std::pair<ZoneState, int> zone_state{ZoneState::kNormal, 1};
  {
    std::lock_guard<std::mutex> g(mu_);
    Health& h = health_[name];
    bool was_ready = h.ready == "True";
    bool moved = h.zone != zone;
    h.ready = current_ready;
    h.zone = zone;
    if (!registered && (moved || was_ready != (current_ready == "True"))) {
      // The zone's state may have changed: its other nodes look again.
      for (const ObjectPtr& other : nodes_.List())
        if (Name(*other) != name && ZoneKey(*other) == zone) queue().Add(Name(*other));
    }
    auto states = ZoneStatesLocked(name, current_ready, now);
    master_disruption =
        !states.empty() && std::all_of(states.begin(), states.end(), [](const auto& s) {
          return s.second.first == ZoneState::kFullDisruption;
        });
    if (master_disruption_ && !master_disruption) {
      // Leaving master disruption: every node gets a fresh grace period.
      for (auto& [n, other] : health_) other.probe = now;
      for (const ObjectPtr& other : nodes_.List()) queue().Add(Name(*other));
    }
    master_disruption_ = master_disruption;
    if (auto s = states.find(zone); s != states.end()) zone_state = s->second;
    retry_pods = h.retry_pods;
  }

  // Pods are marked when this controller turned the node from Ready (and again until that
  // succeeded); a kubelet that reports NotReady itself looks after its pods.
  if (current_ready != "True" && observed_ready == "True") {
    recorder_.Record(node, "Normal", "NodeNotReady",
                     "Node " + name + " status is now: NodeNotReady");
    retry_pods = true;
  }
  if (retry_pods) {
    Status st = current_ready == "True" ? Status::Ok() : MarkPodsNotReady(name);
    {
      std::lock_guard<std::mutex> g(mu_);
      health_[name].retry_pods = !st.ok();
    }
    if (!st.ok()) return st;
  }

  MINIK_RETURN_IF_ERROR(NoScheduleTaintingPass(node));

  // processTaintBaseEviction.
  ReconcileResult result;
  result.requeue_after =
      expired ? std::chrono::duration_cast<std::chrono::milliseconds>(kNodeMonitorPeriod)
              : std::chrono::duration_cast<std::chrono::milliseconds>(probe + grace - now) +
                    std::chrono::milliseconds(1);
  const Json not_ready = Taint(kTaintNotReady, "NoExecute");
  const Json unreachable = Taint(kTaintUnreachable, "NoExecute");
  const bool has_not_ready = HasTaint(node, kTaintNotReady, "NoExecute");
  const bool has_unreachable = HasTaint(node, kTaintUnreachable, "NoExecute");
  if (master_disruption || current_ready == "True") {
    // markNodeAsReachable (in master disruption mode: for every node).
    if (has_not_ready || has_unreachable)
      MINIK_RETURN_IF_ERROR(SwapTaints(name, {}, {not_ready, unreachable}));
    return result;
  }
  const bool unknown = current_ready != "False";  // Unknown, or no Ready condition at all
  const Json& want = unknown ? unreachable : not_ready;
  const Json& opposite = unknown ? not_ready : unreachable;
  if (HasTaint(node, GetString(want, {"key"}), "NoExecute")) return result;
  if (HasTaint(node, GetString(opposite, {"key"}), "NoExecute")) {
    // Swapped at once, without a token.
    MINIK_RETURN_IF_ERROR(SwapTaints(name, {want}, {opposite}));
    return result;
  }
  std::chrono::nanoseconds wait;
  {
    std::lock_guard<std::mutex> g(mu_);
    wait = TakeTokenLocked(zone, zone_state.first, zone_state.second);
  }
  if (wait.count() == 0) {
    MINIK_RETURN_IF_ERROR(SwapTaints(name, {want}, {opposite}));
  } else if (wait != std::chrono::nanoseconds::max()) {
    result.requeue_after =
        std::min(result.requeue_after, std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                                           std::chrono::milliseconds(1));
  }
  return result;
}

}  // namespace minik
