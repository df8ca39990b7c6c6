// ControllerRevision history, as upstream's pkg/controller/history (used by the StatefulSet
// and DaemonSet controllers). A revision is an apps/v1 ControllerRevision owned (controllerRef)
// by its parent, labelled with the parent's template labels plus
// controller.kubernetes.io/hash, holding a snapshot (`data`, a JSON object) and a revision
// number. Its name is "<parent name>-<hash>" with hash = SafeEncodeString(decimal FNV-32 of
// the compact JSON of `data` [+ decimal collisionCount]), exactly as HashControllerRevision
// (note: upstream uses FNV-1 32, hash/fnv.New32, not FNV-1a).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "api/informer.h"
#include "api/json.h"
#include "api/selector.h"
#include "api/status.h"

namespace minik::history {

inline const ResourceRef kControllerRevisions{"apps", "v1", "controllerrevisions"};
inline constexpr const char* kHashLabel = "controller.kubernetes.io/hash";

// FNV-1 32-bit (Go's hash/fnv New32) over `data`, continuing from `h`.
uint32_t Fnv32(std::string_view data, uint32_t h = 2166136261u);
// apimachinery's rand.SafeEncodeString: each byte mapped into "bcdfghjklmnpqrstvwxz2456789".
std::string SafeEncodeString(std::string_view s);
// HashControllerRevision: hash of data.dump() then, when given, of the decimal collision count.
std::string HashRevision(const Json& data, std::optional<int32_t> collision_count);
// ControllerRevisionName: "<prefix>-<hash>", the prefix cut to 223 characters.
std::string RevisionName(const std::string& prefix, const std::string& hash);

// NewControllerRevision: an unsaved revision of `parent` (apiVersion/kind of the parent given)
// with the template labels, data, revision number, controllerRef, name and hash label.
Json NewRevision(const Json& parent, const std::string& parent_api_version,
                 const std::string& parent_kind, const Json& template_labels, const Json& data,
                 int64_t revision, std::optional<int32_t> collision_count);

// The revisions of `parent` from the controllerrevisions informer after ClaimObjects (orphans
// matching `selector` adopted, owned non-matching ones released), sorted by SortRevisions.
// `parent_ref` is the parent's resource (for the adoption re-check).
StatusOr<std::vector<ObjectPtr>> ClaimRevisions(Client& client, const Informer& revisions,
                                                const Json& parent,
                                                const std::string& parent_api_version,
                                                const std::string& parent_kind,
                                                const ResourceRef& parent_ref,
                                                const LabelSelector& selector);

// By revision number, then creationTimestamp, then name (byRevision).
void SortRevisions(std::vector<ObjectPtr>& revisions);
// nextRevision: 1 + the last revision's number (1 when empty); `sorted` is SortRevisions'd.
int64_t NextRevision(const std::vector<ObjectPtr>& sorted);
// EqualRevision: equal data (upstream also compares hash labels, but only ones that parse as
// integers, which SafeEncodeString'd hashes never do).
bool EqualRevision(const Json& a, const Json& b);
// FindEqualRevisions: the revisions equal to `needle`, in order.
std::vector<ObjectPtr> FindEqualRevisions(const std::vector<ObjectPtr>& revisions,
                                          const Json& needle);

// CreateControllerRevision: creates `revision` in the parent's namespace under the name
// RevisionName(parent, HashRevision(data, *collision_count)). On AlreadyExists with equal
// data the existing revision is returned; with different data *collision_count is
// incremented and the name recomputed (the caller persists it in status.collisionCount).
StatusOr<Json> CreateRevision(Client& client, const Json& parent, Json revision,
                              int32_t* collision_count);
// UpdateControllerRevision: sets `revision`'s number to `new_revision` (re-reading on
// conflict); returns the stored object.
StatusOr<Json> UpdateRevisionNumber(Client& client, const Json& revision, int64_t new_revision);

// Truncation to revisionHistoryLimit: of `sorted` (oldest first), deletes the oldest ones
// whose names are not in `live` until at most `limit` non-live revisions remain (a negative
// limit keeps everything). NotFound on delete is ignored.
Status TruncateHistory(Client& client, const std::vector<ObjectPtr>& sorted,
                       const std::set<std::string>& live, int64_t limit);

}  // namespace minik::history
