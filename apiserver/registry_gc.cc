// Deletion finalizers of the garbage collector, as the apiserver's
// registry/generic/registry/store.go (shouldOrphanDependents, shouldDeleteDependents,
// deletionFinalizersForGarbageCollection) with the kinds' DefaultGarbageCollectionPolicy.
#include <set>

#include "apiserver/registry_internal.h"

namespace minik::registry {

namespace {

enum class GcPolicy { kDeleteDependents, kOrphanDependents, kUnsupported };

// The strategies' DefaultGarbageCollectionPolicy: core/v1 ReplicationControllers and
// batch/v1 Jobs orphan by default for backwards compatibility (kubectl always sends a
// policy); events never take part in garbage collection; everything else deletes
// dependents (in the background unless a finalizer or the request says otherwise).
GcPolicy DefaultGarbageCollectionPolicy(const ResourceInfo& info) {
  if (info.plural == "events" && (info.group.empty() || info.group == "events.k8s.io"))
    return GcPolicy::kUnsupported;
  if (info.group.empty() && info.version == "v1" && info.plural == "replicationcontrollers")
    return GcPolicy::kOrphanDependents;
  if (info.group == "batch" && info.version == "v1" && info.plural == "jobs")
    return GcPolicy::kOrphanDependents;
  return GcPolicy::kDeleteDependents;
}

std::vector<std::string> Finalizers(const Json& obj) {
  std::vector<std::string> out;
  const Json* f = Find(obj, {"metadata", "finalizers"});
  if (!f || !f->is_array()) return out;
  for (const Json& v : *f)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool ShouldOrphanDependents(GcPolicy def, const std::vector<std::string>& finalizers,
                            const std::string& policy) {
  if (def == GcPolicy::kUnsupported) return false;
  if (policy == "Orphan") return true;
  if (policy == "Background" || policy == "Foreground") return false;
  for (const std::string& f : finalizers) {
    if (f == kFinalizerOrphanDependents) return true;
    if (f == kFinalizerDeleteDependents) return false;
  }
  return def == GcPolicy::kOrphanDependents;
}

bool ShouldDeleteDependents(GcPolicy def, const std::vector<std::string>& finalizers,
                            const std::string& policy) {
  if (def == GcPolicy::kUnsupported) return false;
  if (policy == "Foreground") return true;
  if (policy == "Background" || policy == "Orphan") return false;
  for (const std::string& f : finalizers) {
    if (f == kFinalizerDeleteDependents) return true;
    if (f == kFinalizerOrphanDependents) return false;
  }
  return false;
}

}  // namespace

std::optional<Json> DeletionFinalizersForGarbageCollection(const ResourceInfo& info,
                                                           const Json& obj,
                                                           const std::string& policy) {
  const GcPolicy def = DefaultGarbageCollectionPolicy(info);
  const std::vector<std::string> old = Finalizers(obj);
  const bool orphan = ShouldOrphanDependents(def, old, policy);
  const bool foreground = ShouldDeleteDependents(def, old, policy);
  // First drop both, then add back what the policy asks for.
  Json next = Json::array();
  for (const std::string& f : old) {
    if (f == kFinalizerOrphanDependents || f == kFinalizerDeleteDependents) continue;
    next.push_back(f);
  }
  if (orphan) next.push_back(kFinalizerOrphanDependents);
  if (foreground) next.push_back(kFinalizerDeleteDependents);
  std::set<std::string> before(old.begin(), old.end()), after;
  for (const Json& f : next) after.insert(f.get<std::string>());
  if (before == after) return std::nullopt;
  return next;
}

}  // namespace minik::registry
