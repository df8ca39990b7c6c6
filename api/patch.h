// Patches: RFC 6902 JSON patch, RFC 7386 merge patch and Kubernetes strategic merge patch
// (k8s.io/apimachinery/pkg/util/strategicpatch) with every directive.
#pragma once

#include <string>

#include "api/json.h"
#include "api/schema.h"
#include "api/status.h"

namespace minik {

// RFC 6902: add, remove, replace, move, copy, test. Errors (bad path, failed test, malformed
// operation) are BadRequest/Invalid-style Statuses with a message; `doc` is not modified on error.
StatusOr<Json> ApplyJsonPatch(const Json& doc, const Json& patch);

// RFC 7386 merge patch: objects merge recursively, null deletes, everything else replaces.
Json ApplyMergePatch(const Json& doc, const Json& patch);

// Strategic merge patch of `doc` (an object of `type`) with `patch`. Lists whose schema field
// has patch_strategy "merge" merge by merge_key (or as a set of primitives); other lists are
// replaced. Honours null deletion, $patch (replace/delete/merge), $retainKeys,
// $setElementOrder/<field>, $deleteFromPrimitiveList/<field>. A null `type` (unknown kind)
// behaves like a merge patch. BadRequest on malformed directives.
StatusOr<Json> ApplyStrategicMergePatch(const SchemaRegistry& schemas, const TypeSchema* type,
                                        const Json& doc, const Json& patch);

}  // namespace minik
