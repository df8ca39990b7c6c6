// Managed fields: metadata.managedFields on every write, and server-side apply, as the
// apiserver's field manager does them (k8s.io/apimachinery/pkg/util/managedfields/internal:
// FieldManager wrapping version check, last-applied upgrade and sync, skip-non-applied,
// cap-managers, build-manager-info, managed-fields-updater, strip-meta and the structured
// merge manager of sigs.k8s.io/structured-merge-diff).
//
// Entries are keyed by (manager, operation, apiVersion for Update, subresource). Never
// tracked: apiVersion, kind, metadata.{name, namespace, uid, resourceVersion, generation,
// creationTimestamp, selfLink, managedFields}. Kinds with a status subresource do not track
// `status` on the main resource; writes to /status track only `status`.
//
// Thread-safety: stateless apart from the injected (immutable) schemas and clock.
#pragma once

#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/json.h"
#include "api/resource.h"
#include "api/schema.h"
#include "api/status.h"

namespace minik::managedfields {

// Upstream keeps at most this many Update entries; older ones merge into "ancient-changes".
inline constexpr int kMaxUpdateManagers = 10;

class FieldManager {
 public:
  FieldManager(const SchemaRegistry& schemas, Clock& clock) : schemas_(schemas), clock_(clock) {}

  // A create (live == nullptr) or update of `obj`, the object about to be stored (defaulted
  // and validated): sets obj's metadata.managedFields. `manager` takes the fields that changed
  // between live and obj and every other manager loses them. managedFields sent by the client
  // are used when valid (an empty list clears them), else the live ones are kept; objects
  // without managedFields stay untracked on update (upstream skip-non-applied). Never fails:
  // when the object cannot be compared, the live managedFields are kept.
  void Update(const ResourceInfo& info, const std::string& subresource, const Json* live,
              Json& obj, const std::string& manager) const;

  // Server-side apply of `config` (the request body as JSON) by `manager` over `live`
  // (nullptr: the object does not exist yet). Returns the merged object, with its
  // managedFields, for the normal update/create sequence to default and validate.
  // Errors: BadRequest (wrong apiVersion/kind, managedFields in the configuration),
  // Conflict (409, FieldManagerConflict causes; nothing changes), Internal (a configuration
  // that is not a valid typed object, e.g. duplicate list-map keys).
  StatusOr<Json> Apply(const ResourceInfo& info, const std::string& subresource, const Json* live,
                       const Json& config, const std::string& manager, bool force) const;

 private:
  const SchemaRegistry& schemas_;
  Clock& clock_;
};

// The characters of a User-Agent before the first '/', printable ones only, at most 128
// bytes (upstream prefixFromUserAgent): "kubectl/v1.32.5 (linux/amd64)" -> "kubectl".
std::string PrefixFromUserAgent(const std::string& user_agent);

// The manager of a non-apply write: the fieldManager option, else the User-Agent's prefix,
// else, for in-process callers, the component upstream would name ("kubelet" for pod status
// and nodes, "kube-controller-manager" otherwise).
std::string ManagerForWrite(const WriteOptions& opts, const ResourceInfo& info,
                            const std::string& subresource);

}  // namespace minik::managedfields
