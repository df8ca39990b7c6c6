// SchedulerImpl: the scheduling queue, cache and cycle of kube-scheduler, over informers.
//
// Flow: pods informer -> queue (pending pods of this scheduler) -> ScheduleOne(key):
// snapshot (nodes + bound pods + assumed pods) -> VolumeBinding PreFilter -> filters ->
// scores -> host -> (delayed PVCs annotated, wait for them to bind) -> pods/binding ->
// assumed until the informer shows spec.nodeName. Failures set PodScheduled=False and record
// FailedScheduling; such pods wait in unschedulable_ until a cluster event (node added or
// changed, assigned pod added/changed/deleted, PVC changed) moves them back with a per-pod
// back-off (1 s doubling to 10 s, as upstream's podInitialBackoff/podMaxBackoff), and are
// retried at least every kUnschedulableFlush regardless.
//
// Threads: informer threads run the handlers (they only touch the queue and, under mu_, the
// bookkeeping maps); `options.workers` worker threads take keys from the queue, and
// cycle_mu_ serializes scheduling cycles so that each sees the pods assumed by the one
// before. mu_ guards assumed_, unschedulable_ and waiting_.
#include "scheduler/scheduler.h"

#include <map>
#include <mutex>
#include <random>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "api/events.h"
#include "api/informer.h"
#include "api/log.h"
#include "api/workqueue.h"
#include "scheduler/framework.h"
#include "scheduler/preemption.h"
#include "scheduler/taint_eviction.h"
#include "scheduler/volume_binding.h"

namespace minik {

namespace {

using namespace sched;  // NOLINT: the scheduler's own building blocks

const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kNodes{"", "v1", "nodes"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kClaims{"", "v1", "persistentvolumeclaims"};
const ResourceRef kVolumes{"", "v1", "persistentvolumes"};
const ResourceRef kStorageClasses{"storage.k8s.io", "v1", "storageclasses"};
const ResourceRef kReplicaSets{"apps", "v1", "replicasets"};
const ResourceRef kStatefulSets{"apps", "v1", "statefulsets"};
const ResourceRef kReplicationControllers{"", "v1", "replicationcontrollers"};

constexpr auto kUnschedulableFlush = std::chrono::seconds(30);
constexpr auto kInitialBackoff = std::chrono::seconds(1);
constexpr auto kMaxBackoff = std::chrono::seconds(10);
constexpr auto kAssumeTtl = std::chrono::seconds(30);
constexpr auto kVolumeBindTimeout = std::chrono::minutes(10);
constexpr auto kVolumePoll = std::chrono::seconds(1);
constexpr size_t kMaxEventMessage = 1024;

bool Terminating(const Json& obj) { return Find(obj, {"metadata", "deletionTimestamp"}); }

bool Terminal(const Json& pod) {
  std::string phase = GetString(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

std::string Truncate(const std::string& msg) {
  if (msg.size() <= kMaxEventMessage) return msg;
  const std::string suffix = " ...";
  return msg.substr(0, kMaxEventMessage - suffix.size()) + suffix;
}

const Json* Condition(const Json& pod, const std::string& type) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds) {
    if (GetString(c, {"type"}) == type) return &c;
  }
  return nullptr;
}

// A pod object for the EventRecorder (informer objects carry kind/apiVersion, but be sure).
Json ForEvents(const Json& pod) {
  Json p = pod;
  if (GetString(p, {"kind"}).empty()) p["kind"] = "Pod";
  if (GetString(p, {"apiVersion"}).empty()) p["apiVersion"] = "v1";
  return p;
}

bool SpecOrLabelsChanged(const Json& a, const Json& b) {
  auto strip = [](Json p) {
    p.erase("status");
    if (p.contains("metadata") && p["metadata"].is_object()) {
      for (const char* k : {"resourceVersion", "generation", "managedFields"}) p["metadata"].erase(k);
    }
    return p;
  };
  return strip(a) != strip(b);
}

// Node changes that can make a pending pod schedulable (upstream's nodeSchedulingPropertiesChange).
bool NodeSchedulingChanged(const Json& a, const Json& b) {
  auto same = [&](std::initializer_list<const char*> path) {
    const Json* x = Find(a, path);
    const Json* y = Find(b, path);
    if (!x || !y) return x == y;
    return *x == *y;
  };
  return !same({"metadata", "labels"}) || !same({"spec", "taints"}) ||
         !same({"spec", "unschedulable"}) || !same({"status", "allocatable"});
}

class SchedulerImpl final : public Scheduler {
 public:
  SchedulerImpl(Client& client, Clock& clock, const SchedulerOptions& options)
      : client_(client),
        clock_(clock),
        options_(options),
        own_informers_(options.informers ? nullptr
                                         : std::make_unique<SharedInformerFactory>(client, clock)),
        informers_(options.informers ? *options.informers : *own_informers_),
        pods_(informers_.For(kPods)),
        nodes_(informers_.For(kNodes)),
        services_(informers_.For(kServices)),
        namespaces_(informers_.For(kNamespaces)),
        claims_(informers_.For(kClaims)),
        queue_(clock),
        recorder_(client, clock, options.scheduler_name),
        eviction_recorder_(client, clock, "taint-eviction-controller"),
        rng_(std::random_device{}()) {
    (void)TaintEvictionController::AddPodsByNodeIndex(pods_);
    eviction_ = std::make_unique<TaintEvictionController>(client, clock, pods_, nodes_,
                                                          eviction_recorder_);
    pods_.AddEventHandler({[this](const Json& p) {
                             MarkNodeDirty(p, {"spec", "nodeName"});
                             OnPodAdd(p);
                           },
                           [this](const Json& o, const Json& p) {
                             MarkNodeDirty(o, {"spec", "nodeName"});
                             MarkNodeDirty(p, {"spec", "nodeName"});
                             OnPodUpdate(o, p);
                           },
                           [this](const Json& p) {
                             MarkNodeDirty(p, {"spec", "nodeName"});
                             OnPodDelete(p);
                           }});
    nodes_.AddEventHandler({[this](const Json& n) {
                              MarkNodeDirty(n, {"metadata", "name"});
                              MoveAllToActive();
                            },
                            [this](const Json& o, const Json& n) {
                              MarkNodeDirty(n, {"metadata", "name"});
                              if (NodeSchedulingChanged(o, n)) MoveAllToActive();
                            },
                            [this](const Json& n) { MarkNodeDirty(n, {"metadata", "name"}); }});
    claims_.AddEventHandler({[this](const Json&) { MoveAllToActive(); },
                             [this](const Json&, const Json&) { MoveAllToActive(); }, nullptr});
  }

  ~SchedulerImpl() override { Stop(); }

  Status Start() override {
    informers_.Start();
    if (!informers_.WaitForCacheSync(std::chrono::seconds(60))) {
      return Status(Code::kTimeout, "scheduler: informers did not sync");
    }
    int workers = std::max(1, options_.workers);
    for (int i = 0; i < workers; ++i) {
      workers_.emplace_back([this] {
        while (ProcessNextItem()) {
        }
      });
    }
    eviction_->Run();
    return Status::Ok();
  }

  void Stop() override {
    queue_.ShutDown();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    eviction_->Stop();
    if (own_informers_) own_informers_->Stop();
  }

 private:
  struct BindTask {
    ObjectPtr pod;
    std::string node;
  };
  struct CachedResources {
    PodPtr pod;  // keeps the object (and so its address) alive while cached
    PodResources resources;
  };
  struct CachedNode {
    ObjectPtr node;
    NodeInfo info;
    std::vector<PodPtr> affinity_pods;  // pods with podAffinity/podAntiAffinity
    std::unordered_map<const Json*, CachedResources> resources;
  };
  struct Unschedulable {
    int attempts = 0;
    SteadyTime last;
  };
  struct Assumed {
    PodPtr pod;  // with spec.nodeName set
    SteadyTime expires;
  };
  struct Waiting {
    std::string node;
    std::vector<std::string> claims;
    SteadyTime deadline;
  };

  bool Responsible(const Json& pod) const {
    std::string name = GetString(pod, {"spec", "schedulerName"});
    return name.empty() || name == options_.scheduler_name;
  }

  bool Pending(const Json& pod) const {
    return GetString(pod, {"spec", "nodeName"}).empty() && Responsible(pod) &&
           !Terminating(pod) && !Terminal(pod);
  }

  // ---- event handlers (informer thread) -------------------------------------------------

  void OnPodAdd(const Json& pod) {
    if (Pending(pod)) {
      queue_.Add(ObjectKey(pod));
      return;
    }
    if (!GetString(pod, {"spec", "nodeName"}).empty()) {
      ForgetAssumed(ObjectKey(pod));
      MoveAllToActive();
    }
  }

  void OnPodUpdate(const Json& old_pod, const Json& pod) {
    if (Pending(pod)) {
      // An update of the pending pod itself (labels, tolerations, gates...) retries it now;
      // status-only updates (our own PodScheduled condition) do not (upstream's isPodUpdated).
      if (SpecOrLabelsChanged(old_pod, pod)) queue_.Add(ObjectKey(pod));
      return;
    }
    std::string key = ObjectKey(pod);
    if (GetString(pod, {"spec", "nodeName"}).empty()) {
      ForgetUnschedulable(key);
      return;
    }
    ForgetAssumed(key);
    if (GetString(old_pod, {"spec", "nodeName"}).empty() || Labels(old_pod) != Labels(pod) ||
        Terminal(pod) != Terminal(old_pod) || Terminating(pod) != Terminating(old_pod)) {
      ForgetUnschedulable(key);
      MoveAllToActive();
    }
  }

  void OnPodDelete(const Json& pod) {
    std::string key = ObjectKey(pod);
    ForgetAssumed(key);
    ForgetUnschedulable(key);
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting_.erase(key);
    }
    if (!GetString(pod, {"spec", "nodeName"}).empty()) MoveAllToActive();
  }

  void ForgetAssumed(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    assumed_.erase(key);
  }

  void ForgetUnschedulable(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    unschedulable_.erase(key);
  }

  // A cluster event: every unschedulable pod is retried once its back-off has passed.
  void MoveAllToActive() {
    std::lock_guard<std::mutex> lock(mu_);
    SteadyTime now = clock_.Steady();
    for (const auto& [key, u] : unschedulable_) {
      auto backoff = kInitialBackoff;
      for (int i = 1; i < u.attempts && backoff < kMaxBackoff; ++i) backoff *= 2;
      if (backoff > kMaxBackoff) backoff = kMaxBackoff;
      SteadyTime ready = u.last + backoff;
      if (ready <= now) {
        queue_.Add(key);
      } else {
        queue_.AddAfter(key, ready - now);
      }
    }
    for (const auto& [key, w] : waiting_) queue_.Add(key);
  }

  // ---- the scheduling cycle (worker threads) ----------------------------------------------

  bool ProcessNextItem() {
    std::string key;
    if (!queue_.Get(&key)) return false;
    Status st;
    std::optional<BindTask> bind;
    {
      std::lock_guard<std::mutex> cycle(cycle_mu_);
      st = ScheduleOne(key);
      bind.swap(bind_task_);
    }
    // The binding (a durable write) runs outside the cycle, as upstream's binding cycle
    // runs in its own goroutine: the next pod's cycle already sees this one as assumed.
    if (st.ok() && bind) st = Bind(*bind->pod, key, bind->node);
    if (!st.ok()) {
      LOG(Warning, "scheduler") << "scheduling failed pod=" << key << " reason=" << st.Reason()
                                << " message=" << st.message();
      queue_.AddRateLimited(key);
    } else {
      queue_.Forget(key);
    }
    queue_.Done(key);
    return true;
  }

  Status ScheduleOne(const std::string& key) {
    ObjectPtr pod = pods_.Get(key);
    if (!pod || !Pending(*pod)) {
      ForgetUnschedulable(key);
      std::lock_guard<std::mutex> lock(mu_);
      waiting_.erase(key);
      return Status::Ok();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto a = assumed_.find(key);
      if (a != assumed_.end()) {
        if (!waiting_.count(key) && clock_.Steady() < a->second.expires) {
          return Status::Ok();  // bound; the informer has not caught up yet
        }
        if (!waiting_.count(key)) assumed_.erase(a);
      }
    }
    if (const Json* gates = Find(*pod, {"spec", "schedulingGates"});
        gates && gates->is_array() && !gates->empty()) {
      return SetCondition(*pod, "False", "SchedulingGated",
                          "Scheduling is blocked due to non-empty scheduling gates");
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (auto w = waiting_.find(key); w != waiting_.end()) {
        Waiting waiting = w->second;
        lock.unlock();
        return ContinueWaiting(*pod, key, waiting);
      }
    }

    Snapshot snap = BuildSnapshot();
    if (snap.nodes.empty()) {
      return HandleFailure(*pod, key, "no nodes available to schedule pods");
    }

    CycleState state;
    VolumePlan plan;
    PluginStatus pre = VolumeBindingPreFilter(*pod, VolumeLookups(), &state, &plan);
    Diagnosis diag;
    diag.num_nodes = static_cast<int>(snap.nodes.size());
    if (pre.code == PluginStatus::kError) {
      return Status(Code::kInternal, "running PreFilter plugin \"VolumeBinding\": " +
                                         (pre.reasons.empty() ? "" : pre.reasons[0]));
    }
    if (!pre.ok()) {
      diag.pre_filter_msg = pre.reasons.empty() ? "" : pre.reasons[0];
      for (const NodeInfo& n : snap.nodes) diag.node_status[n.name] = pre;
      return HandleFailure(*pod, key, FitErrorMessage(diag, *pod));
    }
    state.default_spread_selector = DefaultSpreadSelector(*pod);

    auto allowed = NodeAffinityPreFilterNames(*pod);
    if (allowed && allowed->empty()) {
      diag.pre_filter_msg = kErrAffinityConflict;
      PluginStatus conflict =
          PluginStatus::Fail(PluginStatus::kUnresolvable, "NodeAffinity", {kErrAffinityConflict});
      for (const NodeInfo& n : snap.nodes) diag.node_status[n.name] = conflict;
      return HandleFailure(*pod, key, FitErrorMessage(diag, *pod));
    }
    std::vector<const NodeInfo*> feasible;
    for (const NodeInfo& n : snap.nodes) {
      if (allowed && !allowed->count(n.name)) {
        diag.node_status[n.name] = PluginStatus::Fail(PluginStatus::kUnresolvable, "NodeAffinity",
                                                      {kErrPreFilterNodeAffinity});
        continue;
      }
      PluginStatus s = RunFilters(*pod, n, snap, state);
      if (s.ok()) {
        feasible.push_back(&n);
      } else {
        diag.node_status[n.name] = std::move(s);
      }
    }
    if (feasible.empty()) {
      Preempt(*pod, snap, state, &diag);
      return HandleFailure(*pod, key, FitErrorMessage(diag, *pod));
    }

    const NodeInfo* host = feasible[0];
    if (feasible.size() > 1) {
      std::vector<int64_t> scores = ScoreNodes(*pod, feasible, snap, state);
      // Highest score wins; ties are broken uniformly at random (reservoir sampling).
      int64_t best = scores[0];
      int ties = 1;
      for (size_t i = 1; i < feasible.size(); ++i) {
        if (scores[i] > best) {
          best = scores[i];
          host = feasible[i];
          ties = 1;
        } else if (scores[i] == best) {
          ++ties;
          if (std::uniform_int_distribution<int>(0, ties - 1)(rng_) == 0) host = feasible[i];
        }
      }
    }
    return Assign(*pod, key, host->name, plan.delayed_claims);
  }

  // Reserve + PreBind + Bind.
  Status Assign(const Json& pod, const std::string& key, const std::string& node,
                const std::vector<std::string>& delayed_claims) {
    Assume(pod, key, node);
    if (!delayed_claims.empty()) {
      for (const std::string& claim : delayed_claims) {
        Json patch = {{"metadata", {{"annotations", {{kSelectedNodeAnnotation, node}}}}}};
        auto r = client_.Patch(kClaims, Namespace(pod), claim, PatchType::kMerge, patch.dump());
        if (!r.ok()) {
          ForgetAssumed(key);
          return r.status();
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      waiting_[key] = {node, delayed_claims, clock_.Steady() + kVolumeBindTimeout};
      queue_.AddAfter(key, kVolumePoll);
      return Status::Ok();
    }
    bind_task_ = BindTask{pods_.Get(key), node};
    if (!bind_task_->pod) bind_task_->pod = std::make_shared<const Json>(pod);
    return Status::Ok();
  }

  Status ContinueWaiting(const Json& pod, const std::string& key, const Waiting& w) {
    bool all_bound = true;
    for (const std::string& claim : w.claims) {
      ObjectPtr c = claims_.Get(Namespace(pod) + "/" + claim);
      if (!c || GetString(*c, {"spec", "volumeName"}).empty()) all_bound = false;
    }
    if (all_bound) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        waiting_.erase(key);
      }
      return Bind(pod, key, w.node);
    }
    if (clock_.Steady() >= w.deadline) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        waiting_.erase(key);
        assumed_.erase(key);
      }
      return HandleFailure(pod, key,
                           "binding volumes: context deadline exceeded");
    }
    queue_.AddAfter(key, kVolumePoll);
    return Status::Ok();
  }

  void Assume(const Json& pod, const std::string& key, const std::string& node) {
    auto assumed = std::make_shared<Json>(pod);
    (*assumed)["spec"]["nodeName"] = node;
    std::lock_guard<std::mutex> lock(mu_);
    assumed_[key] = {std::move(assumed), clock_.Steady() + kVolumeBindTimeout + kAssumeTtl};
  }

  Status Bind(const Json& pod, const std::string& key, const std::string& node) {
    std::string ns = Namespace(pod), name = Name(pod);
    Json binding = {{"apiVersion", "v1"},
                    {"kind", "Binding"},
                    {"metadata", {{"name", name}, {"namespace", ns}}},
                    {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    auto r = client_.Create(kPods, ns, binding, {}, "binding", name);
    if (!r.ok()) {
      ForgetAssumed(key);
      // Already assigned or gone: the informer will tell; nothing to retry.
      if (r.status().code() == Code::kNotFound || r.status().code() == Code::kConflict) {
        return Status::Ok();
      }
      return r.status();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto a = assumed_.find(key); a != assumed_.end()) {
        a->second.expires = clock_.Steady() + kAssumeTtl;
      }
      unschedulable_.erase(key);
    }
    // The binding subresource also sets PodScheduled=True, as upstream's does.
    recorder_.Record(ForEvents(pod), "Normal", "Scheduled",
                     "Successfully assigned " + ns + "/" + name + " to " + node);
    return Status::Ok();
  }

  Status HandleFailure(const Json& pod, const std::string& key, const std::string& message) {
    recorder_.Record(ForEvents(pod), "Warning", "FailedScheduling", Truncate(message));
    {
      std::lock_guard<std::mutex> lock(mu_);
      Unschedulable& u = unschedulable_[key];
      ++u.attempts;
      u.last = clock_.Steady();
    }
    queue_.AddAfter(key, kUnschedulableFlush);
    Status st = SetCondition(pod, "False", "Unschedulable", message);
    if (st.code() == Code::kNotFound) return Status::Ok();
    return st;
  }

  // Patches the PodScheduled condition unless it already says the same.
  Status SetCondition(const Json& pod, const std::string& status, const std::string& reason,
                      const std::string& message) {
    const Json* cur = Condition(pod, "PodScheduled");
    if (cur && GetString(*cur, {"status"}) == status && GetString(*cur, {"reason"}) == reason &&
        GetString(*cur, {"message"}) == message)
      return Status::Ok();
    Json cond = {{"type", "PodScheduled"}, {"status", status}, {"lastProbeTime", nullptr}};
    if (cur && GetString(*cur, {"status"}) == status && Find(*cur, {"lastTransitionTime"})) {
      cond["lastTransitionTime"] = (*cur)["lastTransitionTime"];
    } else {
      cond["lastTransitionTime"] = FormatRfc3339(clock_.Now());
    }
    cond["reason"] = reason.empty() ? Json(nullptr) : Json(reason);
    cond["message"] = message.empty() ? Json(nullptr) : Json(message);
    Json patch = {{"status", {{"conditions", Json::array({cond})}}}};
    auto r = client_.Patch(kPods, Namespace(pod), Name(pod), PatchType::kStrategicMerge,
                           patch.dump(), {}, "status");
    return r.ok() ? Status::Ok() : r.status();
  }

  // ---- snapshot and lookups ---------------------------------------------------------------

  // The snapshot of one cycle. NodeInfos are cached per node and rebuilt only for nodes
  // whose pods or Node object changed since the last cycle (or that hold assumed pods), so
  // a cycle costs O(nodes + changed pods), not O(all pods) as a full rebuild would.
  Snapshot BuildSnapshot() {
    std::set<std::string> dirty;
    bool all_dirty;
    {
      std::lock_guard<std::mutex> lock(dirty_mu_);
      dirty.swap(dirty_nodes_);
      all_dirty = all_nodes_dirty_;
      all_nodes_dirty_ = false;
    }
    std::map<std::string, std::vector<PodPtr>> assumed_by_node;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [key, a] : assumed_) {
        assumed_by_node[GetString(*a.pod, {"spec", "nodeName"})].push_back(a.pod);
      }
    }
    // Nodes with assumed pods now or in the last cycle: their assumed set may differ.
    for (const auto& [node, pods] : assumed_by_node) dirty.insert(node);
    for (const std::string& node : nodes_with_assumed_) dirty.insert(node);
    nodes_with_assumed_.clear();
    for (const auto& [node, pods] : assumed_by_node) nodes_with_assumed_.insert(node);

    Snapshot snap;
    std::map<std::string, CachedNode> next;
    for (const ObjectPtr& n : nodes_.List()) {  // sorted by name
      const std::string name = Name(*n);
      auto old = node_cache_.find(name);
      if (!all_dirty && !dirty.count(name) && old != node_cache_.end() && old->second.node == n) {
        next.emplace(name, std::move(old->second));
      } else {
        next.emplace(name, RebuildNode(n, old == node_cache_.end() ? nullptr : &old->second,
                                       assumed_by_node[name]));
      }
    }
    node_cache_ = std::move(next);
    for (const auto& [name, cached] : node_cache_) {
      for (const PodPtr& p : cached.affinity_pods) {
        snap.pods_with_affinity.emplace_back(snap.nodes.size(), p);
      }
      snap.nodes.push_back(cached.info);
    }
    for (const ObjectPtr& ns : namespaces_.List()) snap.namespace_labels[Name(*ns)] = Labels(*ns);
    return snap;
  }

  // A node's pods as the informer shows them (terminal ones don't count), plus the assumed
  // pods the informer does not show bound yet. Pod resources are reused from `old` for
  // unchanged pod objects.
  CachedNode RebuildNode(const ObjectPtr& node, CachedNode* old,
                         const std::vector<PodPtr>& assumed) {
    CachedNode c{node, NodeInfo(node), {}, {}};
    auto add = [&](const PodPtr& pod) {
      const PodResources* r = nullptr;
      if (old) {
        if (auto it = old->resources.find(pod.get()); it != old->resources.end() &&
                                                       it->second.pod == pod) {
          r = &c.resources.emplace(pod.get(), std::move(it->second)).first->second.resources;
        }
      }
      if (!r) {
        r = &c.resources.insert_or_assign(pod.get(), CachedResources{pod, ComputePodResources(*pod)})
                 .first->second.resources;
      }
      c.info.AddPod(pod, *r);
      if (HasPodAffinity(*pod)) c.affinity_pods.push_back(pod);
    };
    for (const ObjectPtr& p : pods_.ByIndex(kPodsByNodeIndex, c.info.name)) {
      if (!Terminal(*p)) add(p);
    }
    for (const PodPtr& a : assumed) {
      ObjectPtr seen = pods_.Get(ObjectKey(*a));
      if (!seen || GetString(*seen, {"spec", "nodeName"}).empty()) add(a);
    }
    return c;
  }

  void MarkNodeDirty(const Json& obj, std::initializer_list<const char*> path) {
    std::string node = GetString(obj, path);
    if (node.empty()) return;
    std::lock_guard<std::mutex> lock(dirty_mu_);
    dirty_nodes_.insert(std::move(node));
  }

  VolumeLookup VolumeLookups() {
    VolumeLookup l;
    l.claim = [this](const std::string& ns, const std::string& name) -> StatusOr<Json> {
      ObjectPtr c = claims_.Get(ns + "/" + name);
      if (!c) return NotFound("persistentvolumeclaims", name);
      return *c;
    };
    l.storage_class = [this](const std::string& name) {
      return client_.Get(kStorageClasses, "", name);
    };
    l.volume = [this](const std::string& name) { return client_.Get(kVolumes, "", name); };
    return l;
  }

  // upstream's helper.DefaultSelector: services selecting the pod, and its controller's
  // selector (ReplicaSet, StatefulSet, ReplicationController), ANDed.
  Json DefaultSpreadSelector(const Json& pod) {
    Json match_labels = Json::object();
    Json match_expressions = Json::array();
    const Json& labels = Labels(pod);
    for (const ObjectPtr& svc : services_.ByIndex(kNamespaceIndex, Namespace(pod))) {
      const Json* sel = Find(*svc, {"spec", "selector"});
      if (!sel || !sel->is_object() || sel->empty()) continue;
      bool matches = true;
      for (auto it = sel->begin(); it != sel->end(); ++it) {
        auto l = labels.find(it.key());
        if (l == labels.end() || *l != *it) {
          matches = false;
          break;
        }
      }
      if (matches) match_labels.update(*sel);
    }
    if (const Json* owners = Find(pod, {"metadata", "ownerReferences"}); owners && owners->is_array()) {
      for (const Json& o : *owners) {
        const Json* controller = Find(o, {"controller"});
        if (!controller || !controller->is_boolean() || !controller->get<bool>()) continue;
        std::string kind = GetString(o, {"kind"}), api = GetString(o, {"apiVersion"});
        const ResourceRef* ref = nullptr;
        if (kind == "ReplicaSet" && api == "apps/v1") ref = &kReplicaSets;
        if (kind == "StatefulSet" && api == "apps/v1") ref = &kStatefulSets;
        if (kind == "ReplicationController" && api == "v1") ref = &kReplicationControllers;
        if (!ref) break;
        auto owner = client_.Get(*ref, Namespace(pod), GetString(o, {"name"}));
        if (!owner.ok()) break;
        const Json* sel = Find(*owner, {"spec", "selector"});
        if (!sel || !sel->is_object()) break;
        if (ref == &kReplicationControllers) {
          match_labels.update(*sel);
        } else {
          if (const Json* ml = Find(*sel, {"matchLabels"}); ml && ml->is_object()) {
            for (auto it = ml->begin(); it != ml->end(); ++it) {
              match_expressions.push_back(
                  {{"key", it.key()}, {"operator", "In"}, {"values", Json::array({*it})}});
            }
          }
          if (const Json* me = Find(*sel, {"matchExpressions"}); me && me->is_array()) {
            for (const Json& e : *me) match_expressions.push_back(e);
          }
        }
        break;
      }
    }
    if (match_labels.empty() && match_expressions.empty()) return nullptr;
    Json sel = {{"matchLabels", match_labels}};
    if (!match_expressions.empty()) sel["matchExpressions"] = match_expressions;
    return sel;
  }

  // DefaultPreemption's PostFilter: evicts the lower-priority pods of the chosen node and
  // nominates it; the pod itself is retried when the victims are gone. Errors are logged:
  // the scheduling failure is reported either way.
  void Preempt(const Json& pod, const Snapshot& snap, const CycleState& state, Diagnosis* diag) {
    std::string ineligible = PreemptionIneligibility(pod, snap, *diag);
    if (!ineligible.empty()) {
      diag->post_filter_msg = ineligible;
      return;
    }
    auto candidate = FindPreemptionCandidate(pod, snap, state, diag);
    if (!candidate) return;
    const std::string ns = Namespace(pod), name = Name(pod);
    for (const PodPtr& victim : candidate->victims) {
      Json patch = {{"status",
                     {{"conditions",
                       Json::array({{{"type", "DisruptionTarget"},
                                     {"status", "True"},
                                     {"reason", kPreemptionReason},
                                     {"message", options_.scheduler_name +
                                                     ": preempting to accommodate a higher "
                                                     "priority pod"},
                                     {"lastTransitionTime", FormatRfc3339(clock_.Now())}}})}}}};
      auto patched = client_.Patch(kPods, Namespace(*victim), Name(*victim),
                                   PatchType::kStrategicMerge, patch.dump(), {}, "status");
      if (!patched.ok() && patched.status().code() == Code::kNotFound) continue;
      DeleteOptions opts;
      opts.precondition_uid = Uid(*victim);
      auto deleted = client_.Delete(kPods, Namespace(*victim), Name(*victim), opts);
      if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
        LOG(Warning, "scheduler") << "preemption failed victim=" << ObjectKey(*victim)
                                  << " message=" << deleted.status().message();
        continue;
      }
      recorder_.Record(ForEvents(*victim), "Normal", "Preempted",
                       "Preempted by pod " + Uid(pod) + " on node " + candidate->node);
    }
    Json nominate = {{"status", {{"nominatedNodeName", candidate->node}}}};
    auto r = client_.Patch(kPods, ns, name, PatchType::kMerge, nominate.dump(), {}, "status");
    if (!r.ok()) {
      LOG(Warning, "scheduler") << "nominating failed pod=" << ns << "/" << name
                                << " message=" << r.status().message();
    }
    diag->post_filter_msg = "";
  }


  Client& client_;
  Clock& clock_;
  const SchedulerOptions options_;
  std::unique_ptr<SharedInformerFactory> own_informers_;
  SharedInformerFactory& informers_;
  Informer& pods_;
  Informer& nodes_;
  Informer& services_;
  Informer& namespaces_;
  Informer& claims_;
  WorkQueue queue_;
  EventRecorder recorder_;
  EventRecorder eviction_recorder_;
  std::unique_ptr<TaintEvictionController> eviction_;
  std::vector<std::thread> workers_;

  std::mutex cycle_mu_;
  // Worker threads only, under cycle_mu_.
  std::mt19937 rng_;
  std::map<std::string, CachedNode> node_cache_;
  std::optional<BindTask> bind_task_;  // set by Assign, taken by ProcessNextItem
  std::set<std::string> nodes_with_assumed_;  // in the last snapshot

  std::mutex dirty_mu_;  // informer threads mark, the cycle takes
  std::set<std::string> dirty_nodes_;
  bool all_nodes_dirty_ = true;

  std::mutex mu_;
  std::map<std::string, Assumed> assumed_;
  std::map<std::string, Unschedulable> unschedulable_;
  std::map<std::string, Waiting> waiting_;
};

}  // namespace

std::unique_ptr<Scheduler> NewScheduler(Client& client, Clock& clock,
                                        const SchedulerOptions& options) {
  return std::make_unique<SchedulerImpl>(client, clock, options);
}

}  // namespace minik
