// Building blocks of the OpenAPI documents (apiserver/openapi.h), shared by the v2 and v3
// builders. Both are derived from the one schema source (api/schema.h): a TypeSchema becomes
// a definition shaped as kube-openapi's builders shape it, a ResourceInfo becomes the REST
// paths of its kind. Only apiserver/openapi*.cc include this header.
#pragma once

#include <set>
#include <string>

#include "api/json.h"
#include "api/resource.h"
#include "api/schema.h"

namespace minik::openapi {

// v2 (Swagger 2.0): refs are "#/definitions/X" and carry their description beside `$ref`.
// v3: refs are "#/components/schemas/X", wrapped in a one-element `allOf` when anything
// (description, default) sits beside them, as kube-openapi's v3 builder does.
enum class Flavor { kV2, kV3 };

std::string Ref(Flavor flavor, const std::string& name);

// The definition of a named type: description, type object, properties, required,
// x-kubernetes-group-version-kind (an array) on kinds.
Json TypeDefinition(const SchemaRegistry& schemas, const TypeSchema& type, Flavor flavor);

// Definitions of the apimachinery value types that are not TypeSchemas (Quantity,
// IntOrString, Time, MicroTime, Duration, RawExtension, FieldsV1, Patch); null for others.
Json SpecialDefinition(const std::string& name, Flavor flavor);

// The synthesized <Kind>List definition of a kind (items, metadata ListMeta).
Json ListDefinition(const SchemaRegistry& schemas, const ResourceInfo& info, Flavor flavor);
std::string ListName(const ResourceInfo& info);

// Adds `name` and every definition reachable from it (named types, special value types).
void CollectDefinitions(const SchemaRegistry& schemas, const std::string& name,
                        std::set<std::string>& out);

// Adds the REST paths of one kind (collection, object, subresources) to `paths`, and the
// names of the definitions they reference to `refs`. Every operation that takes a body
// carries the fieldValidation query parameter.
void AddKindPaths(const ResourceInfo& info, const SchemaRegistry& schemas, Flavor flavor,
                  Json& paths, std::set<std::string>& refs);

// Upper-case hex SHA-512, the apiserver's ETag / ?hash= form.
std::string Sha512Hex(const std::string& data);

// "api/v1" or "apis/apps/v1".
std::string GroupVersionPath(const std::string& group, const std::string& version);

}  // namespace minik::openapi
