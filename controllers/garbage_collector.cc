#include "controllers/garbage_collector.h"

#include <algorithm>
#include <unordered_set>

#include "api/log.h"

namespace minik {

namespace gc {

struct Node {
  std::string uid;
  Identity identity;
  bool observed = false;             // seen through an informer (else "virtual")
  bool being_deleted = false;        // metadata.deletionTimestamp seen
  bool deleting_dependents = false;  // ... with the foregroundDeletion finalizer
  std::vector<OwnerRef> owners;
  std::unordered_set<Node*> dependents;
  // Dependents whose reference to this node has blockOwnerDeletion. A hint for when to
  // look again at a foreground deletion; the decision itself scans the dependents.
  int64_t blocking = 0;
};

}  // namespace gc

namespace {

using gc::Identity;
using gc::Node;
using gc::OwnerRef;

constexpr const char* kComponent = "garbage-collector";
constexpr const char* kOrphanFinalizer = "orphan";
constexpr const char* kForegroundFinalizer = "foregroundDeletion";
constexpr size_t kAbsentCacheSize = 500;
constexpr int kUpdateAttempts = 10;
// A foreground deletion waiting for its dependents is looked at again this often, besides
// the events that unblock it.
constexpr std::chrono::seconds kForegroundRecheck{10};

const std::string kDeletePrefix = "delete:";
const std::string kOrphanPrefix = "orphan:";

bool HasFinalizer(const Json& obj, const char* name) {
  const Json* f = Find(obj, {"metadata", "finalizers"});
  if (!f || !f->is_array()) return false;
  for (const Json& v : *f)
    if (v.is_string() && v.get_ref<const std::string&>() == name) return true;
  return false;
}

bool BeingDeleted(const Json& obj) {
  const Json* t = Find(obj, {"metadata", "deletionTimestamp"});
  return t && t->is_string();
}

bool WaitsForOrphaning(const Json* obj) {
  return obj && BeingDeleted(*obj) && HasFinalizer(*obj, kOrphanFinalizer);
}

bool WaitsForDependentsDeletion(const Json* obj) {
  return obj && BeingDeleted(*obj) && HasFinalizer(*obj, kForegroundFinalizer);
}

std::vector<OwnerRef> OwnersOf(const Json& obj) {
  std::vector<OwnerRef> out;
  const Json* refs = Find(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return out;
  for (const Json& r : *refs) {
    OwnerRef ref;
    ref.api_version = GetString(r, {"apiVersion"});
    ref.kind = GetString(r, {"kind"});
    ref.name = GetString(r, {"name"});
    ref.uid = GetString(r, {"uid"});
    const Json* b = Find(r, {"blockOwnerDeletion"});
    ref.block = b && b->is_boolean() && b->get<bool>();
    if (!ref.uid.empty()) out.push_back(std::move(ref));
  }
  return out;
}

std::string GroupOf(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

// Same object coordinates (the version may differ: one object, many versions).
bool SameCoordinates(const Identity& a, const Identity& b) {
  return GroupOf(a.api_version) == GroupOf(b.api_version) && a.kind == b.kind && a.ns == b.ns &&
         a.name == b.name;
}

std::string Describe(const Identity& id, const std::string& uid) {
  return id.api_version + "/" + id.kind + ", namespace: " + id.ns + ", name: " + id.name +
         ", uid: " + uid;
}

std::string AbsentKey(const OwnerRef& ref, const std::string& ns) {
  return ref.uid + "|" + GroupOf(ref.api_version) + "|" + ref.kind + "|" + ns + "|" + ref.name;
}

bool Gone(const Status& st) { return st.code() == Code::kNotFound; }

}  // namespace

GarbageCollector::GarbageCollector(Client& client, Clock& clock, SharedInformerFactory& informers,
                                   const ResourceRegistry& resources, int workers)
    : QueueController("garbage-collector", clock, workers),
      client_(client),
      resources_(resources),
      informers_(informers) {
  std::lock_guard<std::mutex> g(monitor_mu_);
  std::set<std::pair<std::string, std::string>>& seen = monitored_kinds_;
  for (const auto& info : resources_.All()) {
    by_group_kind_.emplace(std::make_pair(info->group, info->kind), info.get());
    // Upstream's DefaultIgnoredResources: events are never owners or dependents here.
    if (info->plural == "events" && (info->group.empty() || info->group == "events.k8s.io"))
      continue;
    if (!info->HasVerb("list") || !info->HasVerb("watch") || !info->HasVerb("delete")) continue;
    if (!seen.insert({info->group, info->plural}).second) continue;
    monitored_.push_back(info.get());
  }
  for (const ResourceInfo* info : monitored_) Monitor(info);
  listener_ = resources_.AddListener([this] { MonitorNewKinds(); });
}

GarbageCollector::~GarbageCollector() {
  resources_.RemoveListener(listener_);
  Stop();
}

void GarbageCollector::Monitor(const ResourceInfo* info) {
  informers_.For(info->Ref())
      .AddEventHandler(
          {[this, info](const Json& obj) { OnUpsert(*info, nullptr, obj); },
           [this, info](const Json& old_obj, const Json& obj) { OnUpsert(*info, &old_obj, obj); },
           [this](const Json& obj) { OnDelete(obj); }});
}

// A CRD's kinds joined the registry: their objects may own others (an operator's children)
// or be owned. Kinds of a deleted CRD stay monitored (their informer lists nothing, then
// resumes if the CRD comes back).
void GarbageCollector::MonitorNewKinds() {
  std::vector<const ResourceInfo*> added;
  {
    std::lock_guard<std::mutex> g(monitor_mu_);
    for (const auto& info : resources_.All()) {
      if (info->crd.empty() || info->conversion) continue;  // storage versions only
      if (!info->HasVerb("list") || !info->HasVerb("watch") || !info->HasVerb("delete")) continue;
      if (!monitored_kinds_.insert({info->group, info->plural}).second) continue;
      added.push_back(info.get());
    }
  }
  if (added.empty()) return;
  for (const ResourceInfo* info : added) Monitor(info);
  informers_.Start();
}

std::vector<std::string> GarbageCollector::MonitoredResources() const {
  std::vector<std::string> out;
  for (const ResourceInfo* info : monitored_) out.push_back(info->GroupResource());
  return out;
}

size_t GarbageCollector::GraphSize() const {
  std::lock_guard<std::mutex> g(mu_);
  return nodes_.size();
}

bool GarbageCollector::InGraph(const std::string& uid) const {
  std::lock_guard<std::mutex> g(mu_);
  return nodes_.count(uid) > 0;
}

size_t GarbageCollector::DependentCount(const std::string& uid) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = nodes_.find(uid);
  return it == nodes_.end() ? 0 : it->second->dependents.size();
}

const ResourceInfo* GarbageCollector::KindInfo(const std::string& api_version,
                                               const std::string& kind) const {
  std::string group = GroupOf(api_version);
  std::string version = api_version.substr(
      api_version.find('/') == std::string::npos ? 0 : api_version.find('/') + 1);
  if (const ResourceInfo* exact = resources_.FindByKind({group, version, kind})) return exact;
  auto it = by_group_kind_.find({group, kind});
  return it == by_group_kind_.end() ? nullptr : it->second;
}

// ---- the graph (graph_builder.go) --------------------------------------------------------

Node* GarbageCollector::EnsureOwnerLocked(const OwnerRef& ref, const std::string& dependent_ns) {
  auto it = nodes_.find(ref.uid);
  if (it != nodes_.end()) return it->second.get();
  // Never observed: a virtual node, checked with a live GET (attemptToDelete).
  auto node = std::make_unique<Node>();
  node->uid = ref.uid;
  node->identity.api_version = ref.api_version;
  node->identity.kind = ref.kind;
  node->identity.name = ref.name;
  node->identity.info = KindInfo(ref.api_version, ref.kind);
  node->identity.ns = node->identity.info && node->identity.info->namespaced ? dependent_ns : "";
  Node* raw = node.get();
  nodes_.emplace(ref.uid, std::move(node));
  queue().Add(kDeletePrefix + ref.uid);
  return raw;
}

void GarbageCollector::AddDependentLocked(Node* dep, const std::vector<OwnerRef>& refs) {
  for (const OwnerRef& ref : refs) {
    Node* owner = EnsureOwnerLocked(ref, dep->identity.ns);
    owner->dependents.insert(dep);
    if (ref.block) ++owner->blocking;
    // A new dependent of an owner in foreground deletion must go too; one whose reference
    // disagrees with the observed owner's coordinates is checked (it may be dangling).
    Identity claimed{ref.api_version, ref.kind, owner->identity.ns, ref.name, nullptr};
    if (owner->deleting_dependents ||
        (owner->observed && !SameCoordinates(claimed, owner->identity)))
      queue().Add(kDeletePrefix + dep->uid);
  }
}

void GarbageCollector::RemoveDependentLocked(Node* dep, const std::vector<OwnerRef>& refs) {
  for (const OwnerRef& ref : refs) {
    auto it = nodes_.find(ref.uid);
    if (it == nodes_.end()) continue;
    Node* owner = it->second.get();
    owner->dependents.erase(dep);
    if (ref.block) {
      --owner->blocking;
      Unblocked(owner);
    }
  }
}

void GarbageCollector::Unblocked(Node* owner) {
  // addUnblockedOwnersToDeleteQueue, once the last blocking dependent is gone.
  if (owner->deleting_dependents && owner->blocking <= 0) queue().Add(kDeletePrefix + owner->uid);
}

void GarbageCollector::RemoveNodeLocked(Node* node) {
  RemoveDependentLocked(node, node->owners);
  if (!node->dependents.empty()) {
    // Its dependents will ask for it: remember that it is gone.
    OwnerRef self{node->identity.api_version, node->identity.kind, node->identity.name, node->uid,
                  false};
    AbsentAdd(AbsentKey(self, node->identity.ns));
  }
  for (Node* dep : node->dependents) queue().Add(kDeletePrefix + dep->uid);
  nodes_.erase(node->uid);
}

void GarbageCollector::OnUpsert(const ResourceInfo& info, const Json* old_obj, const Json& obj) {
  std::string uid = Uid(obj);
  if (uid.empty()) return;
  Identity observed{info.ApiVersion(), info.kind, info.namespaced ? Namespace(obj) : "", Name(obj),
                    &info};
  std::vector<OwnerRef> owners = OwnersOf(obj);
  const bool being_deleted = BeingDeleted(obj);

  std::lock_guard<std::mutex> g(mu_);
  Node* node = nullptr;
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) {
    auto fresh = std::make_unique<Node>();
    fresh->uid = uid;
    fresh->identity = observed;
    fresh->observed = true;
    fresh->being_deleted = being_deleted;
    fresh->deleting_dependents = WaitsForDependentsDeletion(&obj);
    fresh->owners = owners;
    node = fresh.get();
    nodes_.emplace(uid, std::move(fresh));
    AddDependentLocked(node, owners);
  } else {
    node = it->second.get();
    if (!node->observed) {
      // A virtual node made real. Dependents that named it by other coordinates may hold
      // dangling references: check them.
      if (!SameCoordinates(node->identity, observed))
        for (Node* dep : node->dependents) queue().Add(kDeletePrefix + dep->uid);
      node->observed = true;
    }
    node->identity = observed;
    if (owners != node->owners) {
      std::vector<OwnerRef> added, removed;
      for (const OwnerRef& r : owners) {
        auto same = [&](const OwnerRef& o) { return o.uid == r.uid; };
        auto prev = std::find_if(node->owners.begin(), node->owners.end(), same);
        if (prev == node->owners.end()) {
          added.push_back(r);
        } else if (prev->block != r.block) {
          // blockOwnerDeletion changed: re-count it.
          removed.push_back(*prev);
          added.push_back(r);
        }
      }
      for (const OwnerRef& o : node->owners) {
        auto same = [&](const OwnerRef& r) { return r.uid == o.uid; };
        if (std::none_of(owners.begin(), owners.end(), same)) removed.push_back(o);
      }
      node->owners = owners;
      RemoveDependentLocked(node, removed);
      AddDependentLocked(node, added);
    }
    if (being_deleted) node->being_deleted = true;
  }

  // processTransitions.
  if (WaitsForOrphaning(&obj) && !WaitsForOrphaning(old_obj)) {
    queue().Add(kOrphanPrefix + uid);
    return;
  }
  if (WaitsForDependentsDeletion(&obj) && !WaitsForDependentsDeletion(old_obj)) {
    node->deleting_dependents = true;
    for (Node* dep : node->dependents) queue().Add(kDeletePrefix + dep->uid);
    queue().Add(kDeletePrefix + uid);
  }
}

void GarbageCollector::OnDelete(const Json& obj) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = nodes_.find(Uid(obj));
  if (it == nodes_.end()) return;
  RemoveNodeLocked(it->second.get());
}

void GarbageCollector::VirtualDelete(const std::string& uid) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return;
  RemoveNodeLocked(it->second.get());
}

// ---- absent owners -------------------------------------------------------------------------

bool GarbageCollector::AbsentHas(const std::string& key) const {
  std::lock_guard<std::mutex> g(absent_mu_);
  return absent_.count(key) > 0;
}

void GarbageCollector::AbsentAdd(const std::string& key) {
  std::lock_guard<std::mutex> g(absent_mu_);
  auto it = absent_.find(key);
  if (it != absent_.end()) {
    absent_order_.splice(absent_order_.begin(), absent_order_, it->second);
    return;
  }
  absent_order_.push_front(key);
  absent_[key] = absent_order_.begin();
  if (absent_.size() > kAbsentCacheSize) {
    absent_.erase(absent_order_.back());
    absent_order_.pop_back();
  }
}

// ---- work items (garbagecollector.go) ------------------------------------------------------

StatusOr<ReconcileResult> GarbageCollector::Reconcile(const std::string& key) {
  if (key.rfind(kDeletePrefix, 0) == 0) return AttemptToDelete(key.substr(kDeletePrefix.size()));
  if (key.rfind(kOrphanPrefix, 0) == 0) return AttemptToOrphan(key.substr(kOrphanPrefix.size()));
  return ReconcileResult{};  // not ours
}

StatusOr<GarbageCollector::Verdict> GarbageCollector::Classify(const OwnerRef& ref,
                                                               const std::string& ns, Json* owner) {
  const ResourceInfo* info = KindInfo(ref.api_version, ref.kind);
  if (!info) {
    // Maybe a kind served later; retried with back-off as upstream's restMappingError.
    return Status(Code::kNotFound,
                  "unable to get REST mapping for " + ref.api_version + "/" + ref.kind);
  }
  if (ns.empty() && info->namespaced) {
    return Status(Code::kInvalid, "cluster-scoped object refers to a namespaced owner " + ref.kind +
                                      " " + ref.name);
  }
  const std::string owner_ns = info->namespaced ? ns : "";
  const std::string key = AbsentKey(ref, owner_ns);
  if (AbsentHas(key)) return Verdict::kDangling;
  auto live = client_.Get(info->Ref(), owner_ns, ref.name);
  if (!live.ok()) {
    if (!Gone(live.status())) return live.status();
    AbsentAdd(key);
    return Verdict::kDangling;
  }
  if (Uid(*live) != ref.uid) {
    AbsentAdd(key);
    return Verdict::kDangling;
  }
  const bool waiting = WaitsForDependentsDeletion(&*live);
  *owner = std::move(*live);
  return waiting ? Verdict::kWaiting : Verdict::kSolid;
}

StatusOr<ReconcileResult> GarbageCollector::AttemptToDelete(const std::string& uid) {
  Identity id;
  bool has_dependents = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = nodes_.find(uid);
    if (it == nodes_.end()) return ReconcileResult{};
    const Node& node = *it->second;
    if (node.being_deleted && !node.deleting_dependents) return ReconcileResult{};
    id = node.identity;
    has_dependents = !node.dependents.empty();
  }
  if (!id.info) {
    return Status(Code::kNotFound,
                  "unable to get REST mapping for " + id.api_version + "/" + id.kind);
  }
  auto latest = client_.Get(id.info->Ref(), id.ns, id.name);
  if (!latest.ok() && !Gone(latest.status())) return latest.status();
  if (!latest.ok() || Uid(*latest) != uid) {
    // The object (or the owner a dependent named) does not exist: drop it from the graph;
    // its dependents are looked at again.
    VirtualDelete(uid);
    return ReconcileResult{};
  }
  if (BeingDeleted(*latest)) {
    if (HasFinalizer(*latest, kForegroundFinalizer)) return ProcessDeletingDependents(uid, id);
    return ReconcileResult{};
  }

  std::vector<OwnerRef> refs = OwnersOf(*latest);
  if (refs.empty()) return ReconcileResult{};
  std::vector<OwnerRef> solid, dangling, waiting;
  for (const OwnerRef& ref : refs) {
    Json owner;
    auto verdict = Classify(ref, id.info->namespaced ? id.ns : "", &owner);
    if (!verdict.ok()) {
      if (verdict.status().code() == Code::kInvalid) {
        // namespacedOwnerOfClusterScopedObjectErr: never valid, nothing to retry.
        LOG(Warning, kComponent) << "invalid owner reference item=" << Describe(id, uid)
                                 << " reason=" << verdict.status().message();
        return ReconcileResult{};
      }
      return verdict.status();
    }
    switch (*verdict) {
      case Verdict::kSolid:
        solid.push_back(ref);
        break;
      case Verdict::kDangling:
        dangling.push_back(ref);
        break;
      case Verdict::kWaiting:
        waiting.push_back(ref);
        break;
    }
  }

  if (!solid.empty()) {
    if (dangling.empty() && waiting.empty()) return ReconcileResult{};
    // Owners waiting for their dependents' deletion must lose this reference, or they would
    // wait for an object that stays.
    std::set<std::string> drop;
    for (const OwnerRef& r : dangling) drop.insert(r.uid);
    for (const OwnerRef& r : waiting) drop.insert(r.uid);
    MINIK_RETURN_IF_ERROR(RemoveOwnerRefs(id, uid, drop));
    return ReconcileResult{};
  }
  if (!waiting.empty() && has_dependents) {
    // Our owner waits for us and we have dependents: go in foreground too. A dependent of
    // ours that is itself deleting in foreground could wait for us in a cycle: unblock.
    bool cycle = false;
    {
      std::lock_guard<std::mutex> g(mu_);
      auto it = nodes_.find(uid);
      if (it != nodes_.end())
        for (const Node* dep : it->second->dependents) cycle = cycle || dep->deleting_dependents;
    }
    if (cycle) MINIK_RETURN_IF_ERROR(UnblockOwnerRefs(id, uid));
    MINIK_RETURN_IF_ERROR(DeleteItem(id, uid, "Foreground"));
    return ReconcileResult{};
  }
  // No owner left: collect it, honouring a GC finalizer it already carries.
  std::string policy = "Background";
  if (HasFinalizer(*latest, kOrphanFinalizer)) {
    policy = "Orphan";
  } else if (HasFinalizer(*latest, kForegroundFinalizer)) {
    policy = "Foreground";
  }
  MINIK_RETURN_IF_ERROR(DeleteItem(id, uid, policy));
  return ReconcileResult{};
}

StatusOr<ReconcileResult> GarbageCollector::ProcessDeletingDependents(const std::string& uid,
                                                                      const Identity& id) {
  size_t blocking = 0;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = nodes_.find(uid);
    if (it == nodes_.end()) return ReconcileResult{};
    Node& node = *it->second;
    node.deleting_dependents = true;
    for (Node* dep : node.dependents) {
      bool blocks = std::any_of(dep->owners.begin(), dep->owners.end(),
                                [&](const OwnerRef& r) { return r.uid == uid && r.block; });
      if (!blocks) continue;
      ++blocking;
      if (!dep->deleting_dependents) queue().Add(kDeletePrefix + dep->uid);
    }
    node.blocking = static_cast<int64_t>(blocking);
  }
  if (blocking == 0) {
    MINIK_RETURN_IF_ERROR(RemoveFinalizer(id, uid, kForegroundFinalizer));
    return ReconcileResult{};
  }
  ReconcileResult again;
  again.requeue_after = kForegroundRecheck;
  return again;
}

StatusOr<ReconcileResult> GarbageCollector::AttemptToOrphan(const std::string& uid) {
  Identity owner;
  std::vector<std::pair<std::string, Identity>> dependents;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = nodes_.find(uid);
    if (it == nodes_.end()) return ReconcileResult{};
    owner = it->second->identity;
    for (const Node* dep : it->second->dependents) dependents.emplace_back(dep->uid, dep->identity);
  }
  std::vector<std::string> failures;
  for (const auto& [dep_uid, dep_id] : dependents) {
    Status st = RemoveOwnerRefs(dep_id, dep_uid, {uid});
    if (!st.ok()) failures.push_back(dep_id.name + ": " + st.message());
  }
  if (!failures.empty()) {
    std::string msg = "orphaning the dependents of " + Describe(owner, uid) + " failed:";
    for (const std::string& f : failures) msg += " " + f + ";";
    return Status(Code::kInternal, msg);
  }
  MINIK_RETURN_IF_ERROR(RemoveFinalizer(owner, uid, kOrphanFinalizer));
  return ReconcileResult{};
}

// ---- writes --------------------------------------------------------------------------------

Status GarbageCollector::DeleteItem(const Identity& id, const std::string& uid,
                                    const std::string& policy) {
  if (!id.info) return Status(Code::kNotFound, "unable to get REST mapping for " + id.kind);
  DeleteOptions opts;
  opts.propagation_policy = policy;
  opts.precondition_uid = uid;  // never a namesake created meanwhile
  auto r = client_.Delete(id.info->Ref(), id.ns, id.name, opts);
  if (r.ok()) {
    LOG(Info, kComponent) << "deleted object=" << Describe(id, uid) << " propagation=" << policy;
    return Status::Ok();
  }
  if (Gone(r.status()) || r.status().code() == Code::kConflict) return Status::Ok();
  return r.status();
}

namespace {

// A JSON merge patch of metadata.<field> guarded by the resourceVersion (409 on change).
std::string MetadataPatch(const char* field, const Json& value, const std::string& rv) {
  Json patch = {
      {"metadata", {{field, value.empty() ? Json(nullptr) : value}, {"resourceVersion", rv}}}};
  return patch.dump();
}

}  // namespace

Status GarbageCollector::RemoveOwnerRefs(const Identity& id, const std::string& uid,
                                         const std::set<std::string>& owner_uids) {
  if (!id.info) return Status(Code::kNotFound, "unable to get REST mapping for " + id.kind);
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto live = client_.Get(id.info->Ref(), id.ns, id.name);
    if (!live.ok()) return Gone(live.status()) ? Status::Ok() : live.status();
    if (Uid(*live) != uid) return Status::Ok();
    const Json* refs = Find(*live, {"metadata", "ownerReferences"});
    if (!refs || !refs->is_array()) return Status::Ok();
    Json kept = Json::array();
    for (const Json& r : *refs)
      if (!owner_uids.count(GetString(r, {"uid"}))) kept.push_back(r);
    if (kept.size() == refs->size()) return Status::Ok();
    auto r = client_.Patch(id.info->Ref(), id.ns, id.name, PatchType::kMerge,
                           MetadataPatch("ownerReferences", kept, ResourceVersion(*live)));
    if (r.ok() || Gone(r.status())) return Status::Ok();
    if (r.status().code() != Code::kConflict) return r.status();
  }
  return ConflictModified(id.info->GroupResource(), id.name);
}

Status GarbageCollector::UnblockOwnerRefs(const Identity& id, const std::string& uid) {
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto live = client_.Get(id.info->Ref(), id.ns, id.name);
    if (!live.ok()) return Gone(live.status()) ? Status::Ok() : live.status();
    if (Uid(*live) != uid) return Status::Ok();
    const Json* refs = Find(*live, {"metadata", "ownerReferences"});
    if (!refs || !refs->is_array()) return Status::Ok();
    Json next = *refs;
    bool changed = false;
    for (Json& r : next) {
      const Json* b = Find(r, {"blockOwnerDeletion"});
      if (b && b->is_boolean() && b->get<bool>()) {
        r["blockOwnerDeletion"] = false;
        changed = true;
      }
    }
    if (!changed) return Status::Ok();
    auto r = client_.Patch(id.info->Ref(), id.ns, id.name, PatchType::kMerge,
                           MetadataPatch("ownerReferences", next, ResourceVersion(*live)));
    if (r.ok() || Gone(r.status())) return Status::Ok();
    if (r.status().code() != Code::kConflict) return r.status();
  }
  return ConflictModified(id.info->GroupResource(), id.name);
}

Status GarbageCollector::RemoveFinalizer(const Identity& id, const std::string& uid,
                                         const std::string& finalizer) {
  if (!id.info) return Status(Code::kNotFound, "unable to get REST mapping for " + id.kind);
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto live = client_.Get(id.info->Ref(), id.ns, id.name);
    if (!live.ok()) return Gone(live.status()) ? Status::Ok() : live.status();
    if (Uid(*live) != uid) return Status::Ok();
    const Json* fins = Find(*live, {"metadata", "finalizers"});
    if (!fins || !fins->is_array()) return Status::Ok();
    Json kept = Json::array();
    for (const Json& f : *fins)
      if (f != Json(finalizer)) kept.push_back(f);
    if (kept.size() == fins->size()) return Status::Ok();
    auto r = client_.Patch(id.info->Ref(), id.ns, id.name, PatchType::kMerge,
                           MetadataPatch("finalizers", kept, ResourceVersion(*live)));
    if (r.ok() || Gone(r.status())) return Status::Ok();
    if (r.status().code() != Code::kConflict) return r.status();
  }
  return ConflictModified(id.info->GroupResource(), id.name);
}

}  // namespace minik
