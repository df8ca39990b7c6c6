// resource.Quantity's canonical text, as the apiserver writes every quantity it stores
// (k8s.io/apimachinery/pkg/api/resource: ParseQuantity, then Quantity.String()): "0.5" ->
// "500m", "1000" -> "1k", "1024Mi" -> "1Gi", "1.5Gi" -> "1536Mi", "1e3" -> "1e3", numbers
// become strings. Values finer than 1n round up to 1n, as ParseQuantity does.
#pragma once

#include <optional>
#include <string>

#include "api/json.h"

namespace minik::res {

// The canonical form, or nullopt when `text` is no quantity or is out of the range handled
// exactly here (more than ~30 significant digits). `milli`: round up to milli units first, as
// SetDefaults_ResourceList does for resource lists ("0.0001" -> "1m").
std::optional<std::string> CanonicalQuantity(const std::string& text, bool milli = false);

// A JSON quantity value (string or number) in canonical form; other values unchanged.
Json CanonicalQuantityJson(const Json& value, bool milli = false);

// Canonicalizes every value of a resource list object in place (milli rounding).
void CanonicalizeResourceList(Json& list);
// The same for the resource list at `path` below `obj`, when present.
void CanonicalizeResourceListAt(Json& obj, std::initializer_list<const char*> path);

}  // namespace minik::res
