// Internals of the generic registry shared by registry*.cc. Not a public contract.
#pragma once

#include <optional>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/resource.h"
#include "api/schema.h"
#include "api/selector.h"
#include "store/store.h"

namespace minik::registry {

// A random suffix for generateName, from apimachinery's vowel-free alphabet.
std::string RandomSuffix(size_t n);
// A random (v4) UUID.
std::string NewUid();

// Stored bytes -> object with metadata.resourceVersion = revision.
StatusOr<Json> Decode(const std::string& bytes, int64_t revision);
// Object -> stored bytes (without metadata.resourceVersion).
std::string Encode(const Json& obj);

// Parsed selectors of a list or watch, and whether an object passes them.
struct Filter {
  LabelSelector labels;
  FieldSelector fields;
  const ResourceInfo* info = nullptr;
  bool Matches(const Json& obj) const;
};
StatusOr<Filter> MakeFilter(const ResourceInfo& info, const ListQuery& query);

// Continue tokens of paged lists: the last returned key (relative to the list's prefix)
// and the revision of the first page, as base64url JSON like the apiserver's
// (storage/continue.go). A revision of -1 means "continue at the newest revision" (the token
// of a 410 for a compacted continue). Decode errors are 400 "invalid continue token: ...".
std::string EncodeContinue(const std::string& start_after, int64_t revision);
StatusOr<std::pair<std::string, int64_t>> DecodeContinue(const std::string& token);

// How a list reads the store, from resourceVersion / resourceVersionMatch / continue
// (storage.ValidateListOptions; the 422s of ValidateListOptions come from
// ValidateListQuery).
struct ListRead {
  std::string start_after;     // relative to the list's prefix ("" = from the start)
  int64_t revision = 0;        // read exactly at this revision (0 = the newest)
  int64_t not_older_than = 0;  // the newest read must be at least this revision
  bool continuing = false;     // from a continue token
};
StatusOr<ListRead> PlanListRead(const ListQuery& query);
// 422 ListOptions.meta.k8s.io for a resourceVersionMatch upstream rejects.
Status ValidateListQuery(const ListQuery& query);
// The Status for a list read error of the store (kGone: 410 Expired, kTimeout: 504 "Too
// large resource version", retryAfterSeconds 1 when `not_older_than_read` as from the watch
// cache, else 0 as from etcd); other errors are returned as they are. A 410 of a continued
// list carries the token that lists the remainder at the newest revision.
Status ListReadError(const Status& error, const ListRead& read, bool not_older_than_read);
// 504 "Timeout: Too large resource version: W, current: C" (cause ResourceVersionTooLarge).
Status TooLargeResourceVersion(int64_t wanted, int64_t current, int retry_after_seconds);

// "/registry/<group-resource>/" or "/registry/<group-resource>/<ns>/".
std::string StoragePrefix(const ResourceInfo& info, const std::string& ns);

// An ObjectWatcher over a store watch (registry_watch.cc). `initial` events are delivered
// first (the ADDED replay of resourceVersion 0).
StatusOr<std::unique_ptr<ObjectWatcher>> NewObjectWatcher(Store& store, Clock& clock,
                                                          const ResourceInfo& info,
                                                          const std::string& ns, Filter filter,
                                                          const ListQuery& query,
                                                          std::vector<ObjectEvent> initial,
                                                          int64_t after_revision,
                                                          std::function<void()> notify);

// The autoscaling/v1 Scale view of a scalable object, and the object with a Scale applied.
Json ScaleOf(const ResourceInfo& info, const Json& obj);
StatusOr<Json> ApplyScale(const ResourceInfo& info, const Json& obj, const Json& scale);

// The garbage collector's deletion finalizers, as store.go's
// deletionFinalizersForGarbageCollection: the metadata.finalizers `obj` must carry after a
// delete with propagation `policy` ("", "Orphan", "Background", "Foreground"), or nullopt
// when its finalizers stay as they are. "Orphan" adds "orphan", "Foreground" adds
// "foregroundDeletion", "Background" removes both; without a policy the object's own
// finalizers decide, then the kind's DefaultGarbageCollectionPolicy (orphan for core/v1
// ReplicationControllers and batch/v1 Jobs; events take no finalizers).
std::optional<Json> DeletionFinalizersForGarbageCollection(const ResourceInfo& info,
                                                           const Json& obj,
                                                           const std::string& policy);
inline constexpr const char* kFinalizerOrphanDependents = "orphan";
inline constexpr const char* kFinalizerDeleteDependents = "foregroundDeletion";

// pods/<name>/eviction, as pkg/registry/core/pod/storage/eviction.go: deletes the pod
// through `self` (the registry) unless that would violate its PodDisruptionBudget (429
// TooManyRequests with a DisruptionBudget cause); decrements status.disruptionsAllowed and
// records status.disruptedPods[pod] on the budget first. Returns a Success Status object.
StatusOr<Json> Evict(Client& self, Clock& clock, const ResourceRegistry& resources,
                     const std::string& ns, const std::string& name, const Json& eviction,
                     const WriteOptions& opts);

// Sets spec.ingressClassName of a new Ingress that names no class to the default IngressClass
// of `ingress_classes` (an IngressClassList), as upstream's DefaultIngressClass admission.
void DefaultIngressClass(Json& ingress, const Json& ingress_classes);

}  // namespace minik::registry
