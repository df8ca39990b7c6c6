// Patches: RFC 6902 JSON patch, RFC 7386 merge patch and Kubernetes strategic merge patch
// (k8s.io/apimachinery/pkg/util/strategicpatch) with every directive.
#pragma once

#include <string>

#include "api/client.h"
#include "api/json.h"
#include "api/schema.h"
#include "api/status.h"

namespace minik {

// RFC 6902: add, remove, replace, move, copy, test. As the apiserver answers:
//  - a patch that is not a list of objects: BadRequest ("json: cannot unmarshal ...");
//  - more than 10000 operations: RequestEntityTooLarge;
//  - an operation that cannot be applied (missing path, failed test, unknown op, bad index):
//    PatchApplyError(detail), i.e. 422 Invalid with upstream's generic message.
// Array indices accept "-" (append, add only) and negative indices counting from the end
// (as evanphx/json-patch does). Copies are bounded (accumulated size) and so is the nesting
// depth of the result (kMaxPatchDepth). `doc` is never modified.
StatusOr<Json> ApplyJsonPatch(const Json& doc, const Json& patch);

// The nesting depth no patch result may exceed (ParseJson's default bound).
inline constexpr int kMaxPatchDepth = 100;

// The apiserver's answer to a patch that parses but cannot be applied: 422 Invalid with the
// message "the server rejected our request due to an error in our request" (upstream's
// NewGenericServerResponse(422), which drops the detail). Unlike upstream, the detail is kept
// as one cause (field "patch") so users can see what went wrong.
Status PatchApplyError(const std::string& detail);

// RFC 7386 merge patch: objects merge recursively, null deletes, everything else replaces.
Json ApplyMergePatch(const Json& doc, const Json& patch);

// Strategic merge patch of `doc` (an object of `type`) with `patch`. Lists whose schema field
// has patch_strategy "merge" merge by merge_key (or as a set of primitives); other lists are
// replaced. Honours null deletion, $patch (replace/delete/merge), $retainKeys,
// $setElementOrder/<field>, $deleteFromPrimitiveList/<field>. A null `type` (unknown kind)
// behaves like a merge patch (maps merge, lists are replaced, directives still apply).
// Errors carry upstream's messages: BadRequest for malformed patches and directives
// ("invalid patch format of retainKeys", "map: map[...] does not contain declared merge key:
// name", ...); PatchApplyError (422) for lists of lists. Deviations from upstream, chosen for
// safety: `$patch: merge` in a map is accepted as the default instead of rejected; directive
// keys and nulls are never left in the result (upstream leaves them in replaced or appended
// values and relies on typed decoding to drop them); errors upstream returns as 500 are
// BadRequest here.
StatusOr<Json> ApplyStrategicMergePatch(const SchemaRegistry& schemas, const TypeSchema* type,
                                        const Json& doc, const Json& patch);

// Applies a JSON, merge or strategic merge patch by its type, with the apiserver's 400 for a
// body of the wrong JSON shape; `schema` is the target's type (strategic merge only).
// kApply is not a patch of this kind: NotImplemented.
StatusOr<Json> ApplyPatchOfType(PatchType type, const SchemaRegistry& schemas,
                                const TypeSchema* schema, const Json& target, const Json& patch);

}  // namespace minik
