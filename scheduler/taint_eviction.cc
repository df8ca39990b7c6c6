#include "scheduler/taint_eviction.h"

#include <climits>

#include "api/log.h"
#include "scheduler/framework.h"

namespace minik::sched {

namespace {

const ResourceRef kPods{"", "v1", "pods"};

}  // namespace

EvictionDecision DecideTaintEviction(const Json& pod, const Json& node) {
  const Json* taints = Find(node, {"spec", "taints"});
  const Json* tolerations = Find(pod, {"spec", "tolerations"});
  if (!taints || !taints->is_array()) return {};
  bool any = false;
  int64_t min_seconds = LLONG_MAX;
  bool forever = true;
  for (const Json& taint : *taints) {
    if (GetString(taint, {"effect"}) != "NoExecute") continue;
    any = true;
    const Json* used = nullptr;
    if (tolerations && tolerations->is_array()) {
      for (const Json& t : *tolerations) {
        if (TolerationToleratesTaint(t, taint)) {
          used = &t;
          break;
        }
      }
    }
    if (!used) return {EvictionDecision::kNow, std::chrono::seconds(0)};
    const Json* secs = Find(*used, {"tolerationSeconds"});
    if (secs && secs->is_number_integer()) {
      forever = false;
      min_seconds = std::min(min_seconds, std::max<int64_t>(0, secs->get<int64_t>()));
    }
  }
  if (!any || forever) return {};
  if (min_seconds <= 0) return {EvictionDecision::kNow, std::chrono::seconds(0)};
  return {EvictionDecision::kAfter, std::chrono::seconds(min_seconds)};
}

Status TaintEvictionController::AddPodsByNodeIndex(Informer& pods) {
  return pods.AddIndex(kPodsByNodeIndex, [](const Json& pod) -> std::vector<std::string> {
    std::string node = GetString(pod, {"spec", "nodeName"});
    if (node.empty()) return {};
    return {node};
  });
}

TaintEvictionController::TaintEvictionController(Client& client, Clock& clock, Informer& pods,
                                                 Informer& nodes, EventRecorder& recorder)
    : client_(client),
      clock_(clock),
      pods_(pods),
      nodes_(nodes),
      recorder_(recorder),
      queue_(clock) {
  auto enqueue_pod = [this](const Json& pod) {
    if (!GetString(pod, {"spec", "nodeName"}).empty()) queue_.Add(ObjectKey(pod));
  };
  pods_.AddEventHandler({enqueue_pod, [enqueue_pod](const Json&, const Json& p) { enqueue_pod(p); },
                         enqueue_pod});
  auto enqueue_node = [this](const Json& node) {
    for (const ObjectPtr& p : pods_.ByIndex(kPodsByNodeIndex, Name(node))) {
      queue_.Add(ObjectKey(*p));
    }
  };
  nodes_.AddEventHandler(
      {enqueue_node,
       [enqueue_node](const Json& old_node, const Json& node) {
         if (Find(old_node, {"spec", "taints"}) == nullptr && Find(node, {"spec", "taints"}) == nullptr)
           return;
         const Json* a = Find(old_node, {"spec", "taints"});
         const Json* b = Find(node, {"spec", "taints"});
         if (a && b && *a == *b) return;
         enqueue_node(node);
       },
       enqueue_node});
}

TaintEvictionController::~TaintEvictionController() { Stop(); }

void TaintEvictionController::Run() {
  if (worker_.joinable()) return;
  worker_ = std::thread([this] {
    while (ProcessNextItem()) {
    }
  });
}

void TaintEvictionController::Stop() {
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
}

bool TaintEvictionController::ProcessNextItem() {
  std::string key;
  if (!queue_.Get(&key)) return false;
  Status st = Reconcile(key);
  if (!st.ok()) {
    LOG(Warning, "taint-eviction-controller")
        << "reconcile failed key=" << key << " reason=" << st.Reason()
        << " message=" << st.message();
    queue_.AddRateLimited(key);
  } else {
    queue_.Forget(key);
  }
  queue_.Done(key);
  return true;
}

Status TaintEvictionController::Reconcile(const std::string& key) {
  ObjectPtr pod = pods_.Get(key);
  ObjectPtr node;
  if (pod && !Find(*pod, {"metadata", "deletionTimestamp"})) {
    std::string node_name = GetString(*pod, {"spec", "nodeName"});
    if (!node_name.empty()) node = nodes_.Get(node_name);
  }
  EvictionDecision d;
  if (node) d = DecideTaintEviction(*pod, *node);

  std::unique_lock<std::mutex> lock(mu_);
  auto it = starts_.find(key);
  if (d.kind == EvictionDecision::kNone) {
    if (it != starts_.end()) {
      starts_.erase(it);
      lock.unlock();
      if (pod) recorder_.Record(*pod, "Normal", "TaintManagerEviction",
                                "Cancelling deletion of Pod " + key);
    }
    return Status::Ok();
  }
  if (d.kind == EvictionDecision::kAfter) {
    SteadyTime now = clock_.Steady();
    if (it == starts_.end()) it = starts_.emplace(key, now).first;
    SteadyTime due = it->second + d.after;
    if (now < due) {
      queue_.AddAfter(key, due - now);
      return Status::Ok();
    }
  }
  if (it != starts_.end()) starts_.erase(it);
  lock.unlock();
  return Evict(*pod);
}

Status TaintEvictionController::Evict(const Json& pod) {
  std::string ns = Namespace(pod), name = Name(pod);
  recorder_.Record(pod, "Normal", "TaintManagerEviction",
                   "Marking for deletion Pod " + ns + "/" + name);
  Json patch = {{"status",
                 {{"conditions",
                   Json::array({{{"type", "DisruptionTarget"},
                                 {"status", "True"},
                                 {"reason", "DeletionByTaintManager"},
                                 {"message", "Taint manager: deleting due to NoExecute taint"},
                                 {"lastTransitionTime", FormatRfc3339(clock_.Now())}}})}}}};
  auto patched = client_.Patch(kPods, ns, name, PatchType::kStrategicMerge, patch.dump(), {},
                               "status");
  if (!patched.ok() && patched.status().code() == Code::kNotFound) return Status::Ok();
  // The condition is informative: a failed status patch must not keep the pod running.
  DeleteOptions opts;
  opts.precondition_uid = Uid(pod);
  auto deleted = client_.Delete(kPods, ns, name, opts);
  if (!deleted.ok() && deleted.status().code() != Code::kNotFound &&
      deleted.status().code() != Code::kConflict)
    return deleted.status();
  return Status::Ok();
}

}  // namespace minik::sched
