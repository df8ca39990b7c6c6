// GarbageCollector: ownerReference-based garbage collection, as upstream's
// pkg/controller/garbagecollector (graph_builder.go + garbagecollector.go).
//
// It watches every kind of the ResourceRegistry that can be listed, watched and deleted
// (events excepted), through the shared informers, and keeps a graph of owner -> dependents
// by uid. Owners that a dependent names but that were never observed are "virtual" nodes
// until an informer shows them or a live GET proves them absent.
//  - Background: a dependent whose owners are all gone (each verified with a live GET by
//    name and uid, never from the cache alone) is deleted, with propagation Background, or
//    Foreground when it has dependents of its own and an owner waits for them
//    (foregroundDeletion). A dependent with some owners left gets the dangling references
//    (and those to owners waiting in foreground deletion) patched away.
//  - Orphan: an object being deleted with the "orphan" finalizer has its ownerReference
//    removed from every dependent, then the finalizer removed (the registry then deletes it).
//  - Foreground: an object being deleted with "foregroundDeletion" has its dependents
//    deleted; once no dependent with blockOwnerDeletion references it, the finalizer goes.
//
// Work items are keys "delete:<uid>" (attemptToDelete) and "orphan:<uid>" (attemptToOrphan)
// on the one QueueController queue.
//
// Threads: informer handlers update the graph (O(owner references) per event) under mu_
// and enqueue keys; workers take snapshots of nodes under mu_ and call the API without it.
// absent_ (owners proven missing) has its own mutex.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/client.h"
#include "api/informer.h"
#include "api/resource.h"
#include "controllers/controller.h"

namespace minik {

namespace gc {
struct Node;
struct OwnerRef {
  std::string api_version, kind, name, uid;
  bool block = false;  // blockOwnerDeletion
  bool operator==(const OwnerRef&) const = default;
};
// Where an object lives: enough for a live GET.
struct Identity {
  std::string api_version, kind, ns, name;
  const ResourceInfo* info = nullptr;  // nullptr: a kind this server does not serve
};
}  // namespace gc

class GarbageCollector final : public QueueController {
 public:
  GarbageCollector(Client& client, Clock& clock, SharedInformerFactory& informers,
                   const ResourceRegistry& resources, int workers = 2);
  ~GarbageCollector() override;

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

  // For tests and diagnostics.
  size_t GraphSize() const;
  bool InGraph(const std::string& uid) const;
  size_t DependentCount(const std::string& uid) const;
  // The kinds watched ("pods", "replicasets.apps", ...).
  std::vector<std::string> MonitoredResources() const;

 private:
  enum class Verdict { kSolid, kDangling, kWaiting };

  // Informer events (any informer thread).
  void OnUpsert(const ResourceInfo& info, const Json* old_obj, const Json& obj);
  void OnDelete(const Json& obj);
  // Graph maintenance; mu_ held.
  gc::Node* EnsureOwnerLocked(const gc::OwnerRef& ref, const std::string& dependent_ns);
  void AddDependentLocked(gc::Node* dep, const std::vector<gc::OwnerRef>& refs);
  void RemoveDependentLocked(gc::Node* dep, const std::vector<gc::OwnerRef>& refs);
  void RemoveNodeLocked(gc::Node* node);
  void Unblocked(gc::Node* owner);  // a blocking reference to `owner` went away

  // Work items.
  StatusOr<ReconcileResult> AttemptToDelete(const std::string& uid);
  StatusOr<ReconcileResult> AttemptToOrphan(const std::string& uid);
  StatusOr<ReconcileResult> ProcessDeletingDependents(const std::string& uid,
                                                      const gc::Identity& id);
  // Removes the node of `uid` after a live GET found it gone, and requeues its dependents.
  void VirtualDelete(const std::string& uid);
  // Whether `ref` (held by an object in `ns`, "" when cluster-scoped) still exists;
  // `owner` receives the live owner when it does.
  StatusOr<Verdict> Classify(const gc::OwnerRef& ref, const std::string& ns, Json* owner);
  Status DeleteItem(const gc::Identity& id, const std::string& uid, const std::string& policy);
  // Removes the references to `owner_uids` from the object (merge patch with its
  // resourceVersion; conflicts retried).
  Status RemoveOwnerRefs(const gc::Identity& id, const std::string& uid,
                         const std::set<std::string>& owner_uids);
  Status UnblockOwnerRefs(const gc::Identity& id, const std::string& uid);
  Status RemoveFinalizer(const gc::Identity& id, const std::string& uid,
                         const std::string& finalizer);

  const ResourceInfo* KindInfo(const std::string& api_version, const std::string& kind) const;
  bool AbsentHas(const std::string& key) const;
  void AbsentAdd(const std::string& key);

  Client& client_;
  const ResourceRegistry& resources_;
  std::vector<const ResourceInfo*> monitored_;  // at construction; then fixed
  // Custom resources served later are monitored as their CRDs come (MonitorNewKinds).
  void MonitorNewKinds();
  void Monitor(const ResourceInfo* info);
  SharedInformerFactory& informers_;
  std::mutex monitor_mu_;
  std::set<std::pair<std::string, std::string>> monitored_kinds_;  // (group, plural); monitor_mu_
  int listener_ = -1;
  std::map<std::pair<std::string, std::string>, const ResourceInfo*> by_group_kind_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<gc::Node>> nodes_;  // by uid

  // Owners proven absent (upstream's absentOwnerCache, an LRU of 500 references).
  mutable std::mutex absent_mu_;
  std::list<std::string> absent_order_;
  std::unordered_map<std::string, std::list<std::string>::iterator> absent_;
};

}  // namespace minik
