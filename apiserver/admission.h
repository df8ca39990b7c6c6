// Admission: the plugins every write passes through after authentication and authorization,
// as the apiserver's k8s.io/apiserver/pkg/admission (Interface, MutationInterface,
// ValidationInterface) with the plugin order of kube-apiserver's AllOrderedPlugins.
//
// The registry (apiserver/registry.cc) runs the chain:
//   create: decode, defaults -> Mutate (all plugins, in order) -> the kind's validation ->
//           Validate (all plugins, in order) -> store
//   update/patch/apply: inside the read-modify-write, the same order on the new object with
//           the stored one as `old` (runs again when a conflict retries the write)
//   delete: Mutate and Validate with `object` null and the stored object as `old`
//   create of a subresource (pods/eviction, pods/binding, serviceaccounts/token): `object` is
//           the request body (Eviction, Binding, TokenRequest), `name` the parent's name.
// A non-OK Status from a plugin ends the request with that Status (plugins build the
// upstream errors: Forbidden 403 "<resource> \"<name>\" is forbidden: ...").
//
// Thread-safety: Register may run at any time (it takes a lock and copies the list); the
// chain runs plugins without the lock, so plugins must be thread-safe themselves. Plugins may
// read and write through a Client (the registry) from Mutate/Validate; no store lock is held.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "api/json.h"
#include "api/resource.h"
#include "api/status.h"

namespace minik {

struct AdmissionRequest {
  enum class Operation { kCreate, kUpdate, kDelete };
  Operation op = Operation::kCreate;
  const ResourceInfo* info = nullptr;  // the resource (the parent's for subresources)
  std::string ns;                      // "" for cluster-scoped kinds
  std::string name;                    // may be "" on create with generateName
  std::string subresource;             // "" for the main resource
  Json* object = nullptr;              // the new object; mutable in Mutate; null on delete
  const Json* old = nullptr;           // the stored object (update, delete); else null
  const UserInfo* user = nullptr;      // null: an in-process caller acting with full rights
  bool dry_run = false;                // plugins must not persist side effects
  std::vector<std::string>* warnings = nullptr;  // may be null: warnings are then dropped

  bool IsCreate() const { return op == Operation::kCreate; }
  bool IsUpdate() const { return op == Operation::kUpdate; }
  bool IsDelete() const { return op == Operation::kDelete; }
  // True for the main resource of core/v1 (or group) `plural`, e.g. Is("", "pods").
  bool Is(std::string_view group, std::string_view plural) const;
  void Warn(std::string message) const;
  // Upstream's admission.NewForbidden: 403 "<resource> \"<name>\" is forbidden: <reason>"
  // (the name from the object when the request has none yet).
  Status Forbidden(const std::string& reason) const;
};

class AdmissionPlugin {
 public:
  virtual ~AdmissionPlugin() = default;
  // The upstream plugin name ("LimitRanger", "PodSecurity", ...): it fixes the plugin's place
  // in the chain.
  virtual std::string_view Name() const = 0;
  // May change req.object (never on delete, where it is null).
  virtual Status Mutate(AdmissionRequest& req) { (void)req; return Status::Ok(); }
  virtual Status Validate(const AdmissionRequest& req) { (void)req; return Status::Ok(); }
};

// The ordered plugins. Known upstream names keep kube-apiserver's order (NamespaceLifecycle,
// LimitRanger, ServiceAccount, ..., PodSecurity, ..., DefaultTolerationSeconds, ...,
// DefaultStorageClass, ..., DefaultIngressClass, ..., ResourceQuota last, as it charges the
// quota and must see only requests every other plugin accepted); other names go right before
// the webhooks and ResourceQuota, in registration order.
class AdmissionChain {
 public:
  void Register(std::shared_ptr<AdmissionPlugin> plugin);
  // Every plugin's Mutate, then (after the caller's validation of the object) Validate.
  Status Mutate(AdmissionRequest& req) const;
  Status Validate(const AdmissionRequest& req) const;
  std::vector<std::string> Names() const;

 private:
  using List = std::vector<std::shared_ptr<AdmissionPlugin>>;
  std::shared_ptr<const List> Snapshot() const;

  mutable std::mutex mu_;
  std::shared_ptr<const List> plugins_ = std::make_shared<List>();  // guarded by mu_
};

// The place of a plugin name in the chain (lower runs first).
int AdmissionOrder(std::string_view plugin_name);

}  // namespace minik
