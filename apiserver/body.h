// Request bodies: decoding by Content-Type into JSON objects, patch types, and the checks
// the apiserver makes on a decoded object against the URL (kind, apiVersion, namespace,
// name, strict unknown fields).
#pragma once

#include <string>
#include <vector>

#include "api/client.h"
#include "api/json.h"
#include "api/resource.h"
#include "api/schema.h"
#include "api/status.h"

namespace minik {

// Decodes an object body: application/json (also an absent Content-Type), application/yaml,
// application/vnd.kubernetes.protobuf. 415 UnsupportedMediaType for other types; 400 for
// malformed bodies. Nesting is bounded. With `duplicate_fields`, JSON bodies report the paths
// of repeated keys there (strict field validation; the last value wins).
StatusOr<Json> DecodeObjectBody(const SchemaRegistry& schemas, const std::string& content_type,
                                const std::string& body,
                                std::vector<std::string>* duplicate_fields = nullptr);

// YAML text -> JSON (first document). Scalars resolve like YAML 1.2's core schema; quoted
// scalars stay strings. Bounded in depth and in node count (aliases cannot blow up).
StatusOr<Json> YamlToJson(const std::string& text);

// The patch type of a PATCH Content-Type; 415 for anything else.
StatusOr<PatchType> PatchTypeFor(const std::string& content_type);

// Checks a decoded create/update body against what the URL names, like the apiserver's
// create/update handlers: fills a missing kind/apiVersion and metadata.namespace, rejects a
// mismatching apiVersion, kind or namespace (400). `expected` is the kind the URL takes
// (for subresources, the subresource's kind); `ns` is the URL namespace ("" when
// cluster-scoped, whose objects get their namespace cleared).
Status CheckBodyAgainstUrl(Json& obj, const GroupVersionKind& expected, const std::string& ns,
                           bool check_version);

// Strict field validation: the unknown-field paths of `obj` per the schema of `gvk` (none
// when the schema is not known).
std::vector<std::string> FindUnknownFields(const SchemaRegistry& schemas,
                                           const GroupVersionKind& gvk, const Json& obj);
// A merge/strategic/apply patch without its directives ($patch, $retainKeys,
// $setElementOrder/..., $deleteFromPrimitiveList/...), for unknown-field checks.
Json StripPatchDirectives(const Json& patch);
// 400: `ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error:
// unknown field "spec.foo", unknown field "b"` (duplicate fields first: `duplicate field "a"`).
Status StrictDecodingError(const GroupVersionKind& gvk, const std::vector<std::string>& unknown,
                           const std::vector<std::string>& duplicates = {});

}  // namespace minik
