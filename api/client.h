// Client: how components read and write API objects. The in-process implementation
// (apiserver/local_client) goes through the same registry code as HTTP requests
// (defaulting, validation, admission) without HTTP; an HTTP implementation can follow.
// All methods are thread-safe. Objects are full JSON objects (apiVersion, kind, metadata).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/resource.h"
#include "api/status.h"

namespace minik {

// The authenticated caller (authentication.k8s.io UserInfo).
struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
};

struct ListQuery {
  std::string label_selector;  // "a=b,c in (d)", as in the URL
  std::string field_selector;  // "metadata.name=x"
  int64_t limit = 0;
  std::string continue_token;
  // List: "" or "0" (any, served from the cache). Watch: start after this revision;
  // "" or "0" first replays the current objects as ADDED.
  std::string resource_version;
  // List: "" (legacy), "Exact" or "NotOlderThan", as metav1.ListOptions.resourceVersionMatch.
  std::string resource_version_match;
  bool allow_bookmarks = false;
  int64_t timeout_seconds = 0;  // watch: end the stream after this long (0: no limit)
};

enum class FieldValidation { kIgnore, kWarn, kStrict };

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
  FieldValidation field_validation = FieldValidation::kStrict;
  bool force = false;  // server-side apply: take over conflicting fields
  // Warnings for the caller (sent as `Warning: 299 - "..."` headers over HTTP).
  std::vector<std::string>* warnings = nullptr;
  // The HTTP User-Agent ("" for in-process callers): names the field manager of non-apply
  // writes without a fieldManager, as the apiserver does.
  std::string user_agent;
  // Set to true when a server-side apply patch created the object (HTTP 201).
  bool* created = nullptr;
  // Who asks, for admission plugins; null: an in-process component with full rights.
  const UserInfo* user = nullptr;
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "", "Orphan", "Background", "Foreground"
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
  // Who asks, for admission plugins; null: an in-process component with full rights.
  const UserInfo* user = nullptr;
};

enum class PatchType {
  kJson,            // application/json-patch+json (RFC 6902)
  kMerge,           // application/merge-patch+json (RFC 7386)
  kStrategicMerge,  // application/strategic-merge-patch+json
  kApply,           // application/apply-patch+yaml (server-side apply)
};

struct ObjectEvent {
  std::string type;  // "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"
  Json object;       // the object (ERROR: a Status object)
};

// A live watch over objects. `notify` (given to Watch) is called from a writer thread when
// events may be available; the consumer drains with Poll(). Never blocks.
class ObjectWatcher {
 public:
  virtual ~ObjectWatcher() = default;
  virtual size_t Poll(std::vector<ObjectEvent>& out, size_t max = 1024) = 0;
  // Non-OK once the stream has ended (timeout reached: Code::kTimeout; store side: other).
  virtual Status Error() const = 0;
  virtual void Stop() = 0;
};

class Client {
 public:
  virtual ~Client() = default;

  // `subresource` non-empty for e.g. pods/binding, pods/eviction, serviceaccounts/token,
  // where `name` is the parent object's name.
  virtual StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                                const WriteOptions& opts = {},
                                const std::string& subresource = "",
                                const std::string& name = "") = 0;
  virtual StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns,
                             const std::string& name, const std::string& subresource = "") = 0;
  // Returns a <Kind>List with metadata.resourceVersion (and metadata.continue when paged).
  virtual StatusOr<Json> List(const ResourceRef& ref, const std::string& ns,
                              const ListQuery& query = {}) = 0;
  virtual StatusOr<Json> Update(const ResourceRef& ref, const std::string& ns, Json obj,
                                const WriteOptions& opts = {},
                                const std::string& subresource = "") = 0;
  virtual StatusOr<Json> Patch(const ResourceRef& ref, const std::string& ns,
                               const std::string& name, PatchType type,
                               const std::string& body, const WriteOptions& opts = {},
                               const std::string& subresource = "") = 0;
  // Returns the object as it is after the call: still present (finalizers, grace period)
  // or as it was when removed.
  virtual StatusOr<Json> Delete(const ResourceRef& ref, const std::string& ns,
                                const std::string& name, const DeleteOptions& opts = {}) = 0;
  // Returns the deleted objects as a List.
  virtual StatusOr<Json> DeleteCollection(const ResourceRef& ref, const std::string& ns,
                                          const ListQuery& query,
                                          const DeleteOptions& opts = {}) = 0;
  virtual StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef& ref,
                                                         const std::string& ns,
                                                         const ListQuery& query,
                                                         std::function<void()> notify) = 0;
};

}  // namespace minik
