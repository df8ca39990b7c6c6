// The resource registry: one data entry per served kind. Discovery, routing, tables,
// OpenAPI, field selectors and the generic REST store all read these entries; adding a kind
// is adding an entry (api/resources/*.cc), never a branch in the HTTP code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/json.h"
#include "api/status.h"
#include "api/validation.h"

namespace minik {

struct GroupVersionKind {
  std::string group, version, kind;
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  bool operator==(const GroupVersionKind&) const = default;
};

// What a request or a client names: group, version and plural resource.
struct ResourceRef {
  std::string group, version, resource;
  bool operator==(const ResourceRef&) const = default;
  bool operator<(const ResourceRef& o) const {
    return std::tie(group, version, resource) < std::tie(o.group, o.version, o.resource);
  }
};

struct TableColumn {
  std::string name, type, format, description;
  int priority = 0;  // >0: only with -o wide
};

struct SubresourceInfo {
  std::string name;           // "status", "scale", "binding", "log", ...
  GroupVersionKind response;  // e.g. autoscaling/v1 Scale for "scale"
  std::vector<std::string> verbs;
};

// Per-kind behaviour of the generic store, like the apiserver's rest strategies. The
// defaults do nothing; a kind overrides what it needs. Objects are full JSON objects with
// apiVersion/kind set. Implementations are stateless or internally synchronized.
class Strategy {
 public:
  virtual ~Strategy() = default;
  // Before create: e.g. reset status, set generation = 1.
  virtual void PrepareForCreate(Json& obj) const { (void)obj; }
  // Before update of the main resource: e.g. keep old status, bump generation on spec change.
  virtual void PrepareForUpdate(Json& obj, const Json& old) const { (void)obj; (void)old; }
  // Before update of the status subresource: keep the old spec/metadata.
  virtual void PrepareForStatusUpdate(Json& obj, const Json& old) const;
  // Fills defaults (after PrepareFor*; before Validate).
  virtual void Default(Json& obj) const { (void)obj; }
  // Field errors on create/update (metadata is validated generically before this).
  virtual std::vector<StatusCause> Validate(const Json& obj) const { (void)obj; return {}; }
  virtual std::vector<StatusCause> ValidateUpdate(const Json& obj, const Json& old) const {
    (void)old;
    return Validate(obj);
  }
  // Field errors on a write of the status subresource (after PrepareForStatusUpdate), as
  // upstream's ValidateXStatusUpdate: status rules only, since the spec is the stored one.
  // The registry validates the metadata itself; the default has no status rules.
  virtual std::vector<StatusCause> ValidateStatusUpdate(const Json& obj, const Json& old) const {
    (void)obj;
    (void)old;
    return {};
  }
  // A write of pods/ephemeralcontainers (upstream's podEphemeralContainersStrategy): Prepare
  // keeps the stored object but for spec.ephemeralContainers; Validate checks the new ones
  // and that existing ones are neither removed nor changed. Only pods override these; the
  // registry offers the subresource only where the kind declares it.
  virtual void PrepareForEphemeralContainersUpdate(Json& obj, const Json& old) const {
    (void)obj;
    (void)old;
  }
  virtual std::vector<StatusCause> ValidateEphemeralContainersUpdate(const Json& obj,
                                                                     const Json& old) const {
    (void)obj;
    (void)old;
    return {};
  }
  // Allocation and other side-effects that may fail (ClusterIP, NodePort). Called inside the
  // create/update before the write; may modify obj.
  virtual Status BeforeCreate(Json& obj) const { (void)obj; return Status::Ok(); }
  virtual Status BeforeUpdate(Json& obj, const Json& old) const {
    (void)obj; (void)old;
    return Status::Ok();
  }
  // Called after a successful delete, and after a failed or dry-run create that passed
  // BeforeCreate (release allocations).
  virtual void AfterDelete(const Json& obj) const { (void)obj; }
  // Called once after an update that passed BeforeUpdate. committed=true: the write happened,
  // release what `old` held and `obj` no longer does (a NodePort of a service turned
  // ClusterIP). committed=false (failed write, conflict retry, dry-run): release what
  // BeforeUpdate allocated for `obj` that `old` did not hold.
  virtual void AfterUpdate(const Json& obj, const Json& old, bool committed) const {
    (void)obj; (void)old; (void)committed;
  }
  // Called by the registry at start-up with every stored object of the kind, so allocators
  // (ClusterIPs, NodePorts) learn what is taken.
  virtual void Restore(const Json& obj) const { (void)obj; }
};

// A kind served in one version and stored as another, as upstream stores every version of a
// resource in one storage version: autoscaling/v1 HorizontalPodAutoscaler is stored as
// autoscaling/v2, events.k8s.io/v1 Event as core/v1 Event. The versioned client
// (apiserver/versioned_client.h) converts at the registry's edge, so the registry, watches and
// field selectors see only the storage version.
struct StorageConversion {
  ResourceRef storage;                             // the version objects are stored as
  std::function<Json(const Json&)> to_storage;     // served version -> storage version
  std::function<Json(const Json&)> from_storage;   // storage version -> served version
  // A field selector label of the served version -> the storage version's label; nullopt
  // when the served version does not support the label.
  std::function<std::optional<std::string>(const std::string&)> field_label;
  // Checks only the served version makes on create and update (events.k8s.io/v1 requires
  // eventTime, reportingController, ...), run on the served object before conversion.
  std::function<std::vector<StatusCause>(const Json&)> validate;
};

struct ResourceInfo {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string kind;      // "ConfigMap"
  std::string plural;    // "configmaps"
  std::string singular;  // "configmap"
  std::vector<std::string> short_names;  // {"cm"}
  std::vector<std::string> categories;   // {"all"}
  bool namespaced = true;
  std::vector<std::string> verbs = {"create", "delete", "deletecollection", "get",
                                    "list",   "patch",  "update",           "watch"};
  std::vector<SubresourceInfo> subresources;
  std::shared_ptr<const Strategy> strategy;  // never null once registered

  // Fully qualified schema name of the kind ("io.k8s.api.core.v1.ConfigMap").
  std::string schema;

  // How metadata.name is validated (namespaces: DNS-1123 label, services: DNS-1035 label,
  // RBAC kinds and persistentvolumes: path segment, most others: DNS-1123 subdomain).
  NameRule name_rule = NameRule::kDns1123Subdomain;

  // Table output: columns after "Name" (the registry adds Name first and, when the kind has
  // no "Age" column of its own, Age last) and a function producing the cells in that order.
  std::vector<TableColumn> columns;
  std::function<std::vector<Json>(const Json& obj, SystemTime now)> cells;
  // true: `columns`/`cells` are the whole row and the registry adds neither Name nor Age.
  // For kinds whose upstream row does not start with Name or lacks Age: events (Name is a
  // wide column at the end), roles/clusterroles/limitranges ("Created At", the apiserver's
  // default table), podtemplates (no Age), storageclasses (the Name cell says "(default)").
  bool full_row = false;

  // Field selectors beyond metadata.name / metadata.namespace: returns the field's value as a
  // string, or nullopt when `field` is not a supported selector for this kind.
  std::function<std::optional<std::string>(const Json& obj, const std::string& field)> fields;

  // Set when the kind is stored as another version (see StorageConversion); null otherwise.
  std::shared_ptr<const StorageConversion> conversion;

  // The scale subresource's paths in the object (custom resources: the CRD's
  // subresources.scale, e.g. ".spec.replicas"); unset: spec.replicas, status.replicas and
  // spec.selector, as the built-in workloads.
  struct ScalePaths {
    std::string spec_replicas, status_replicas, label_selector;
  };
  std::optional<ScalePaths> scale_paths;
  // false: strategic merge patches are refused with 415 (custom resources have no patch
  // metadata), as upstream.
  bool strategic_merge_patch = true;
  // The CustomResourceDefinition that serves the kind ("widgets.example.com"); "" for
  // built-in kinds.
  std::string crd;

  // Derived helpers.
  GroupVersionKind Gvk() const { return {group, version, kind}; }
  ResourceRef Ref() const { return {group, version, plural}; }
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "configmaps" / "deployments.apps": how error messages name the resource.
  std::string GroupResource() const { return group.empty() ? plural : plural + "." + group; }
  // "ConfigMap" / "Deployment.apps": how Invalid messages name the kind.
  std::string GroupKind() const { return group.empty() ? kind : kind + "." + group; }
  bool HasSubresource(const std::string& name) const;
  bool HasVerb(const std::string& verb) const;
};

// Built-in kinds are added at start-up; custom resources come and go with their
// CustomResourceDefinitions (SetCustomResources). Thread-safe. Pointers returned by Find stay
// valid for the registry's lifetime: replaced entries are retired, never freed, so a request
// that found a kind can finish with it while its CRD changes.
class ResourceRegistry {
 public:
  void Add(ResourceInfo info);
  // Replaces the kinds served for CRD `crd` (every served version of it) by `infos`; an
  // empty list stops serving them. Listeners run after the change, without the lock.
  void SetCustomResources(const std::string& crd, std::vector<ResourceInfo> infos);
  const ResourceInfo* Find(const ResourceRef& ref) const;
  const ResourceInfo* FindByKind(const GroupVersionKind& gvk) const;
  // Every entry, in registration order (discovery lists them so): a snapshot.
  std::vector<std::shared_ptr<const ResourceInfo>> All() const;
  // Groups in registration order with their versions in preference order.
  std::vector<std::pair<std::string, std::vector<std::string>>> Groups() const;
  // Counts changes: caches built from the registry (discovery, OpenAPI) rebuild when it moves.
  uint64_t Generation() const;
  // `listener` is called (on the thread that changed the registry, without the lock) after
  // every SetCustomResources, until RemoveListener(the returned id). Observers of a const
  // registry may subscribe.
  int AddListener(std::function<void()> listener) const;
  void RemoveListener(int id) const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<const ResourceInfo>> all_;                     // guarded by mu_
  std::map<ResourceRef, std::shared_ptr<const ResourceInfo>> by_ref_;        // guarded by mu_
  std::vector<std::shared_ptr<const ResourceInfo>> retired_;                 // guarded by mu_
  uint64_t generation_ = 0;                                                   // guarded by mu_
  mutable std::map<int, std::function<void()>> listeners_;                   // guarded by mu_
  mutable int next_listener_ = 0;                                             // guarded by mu_
  // Held while listeners run, so that RemoveListener returns only once its listener is done.
  mutable std::mutex call_mu_;
};

// Registers every built-in kind (api/resources/*.cc).
void RegisterBuiltinResources(ResourceRegistry& registry);

}  // namespace minik
