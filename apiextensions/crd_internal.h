// Helpers shared by the files of apiextensions/ that serve custom resources.
#pragma once

#include <string>
#include <vector>

#include "api/json.h"
#include "api/schema.h"

namespace minik {

// "com.example.v1.Widget": the OpenAPI definition name upstream gives a custom resource
// (the group's labels reversed, then version and kind).
std::string CustomResourceTypeName(const std::string& group, const std::string& version,
                                   const std::string& kind);

// Converts a structural openAPIV3Schema into TypeSchemas (the root kind and one named type
// per nested object), appended to `out`, so that strict field validation, defaulting,
// server-side apply and OpenAPI treat custom resources like built-in kinds.
void AppendCustomResourceTypes(const Json& open_api_v3, const std::string& group,
                               const std::string& version, const std::string& kind,
                               std::vector<TypeSchema>& out);

std::string LowerAscii(std::string s);

}  // namespace minik
