// OpenAPI v3, generated from the resource registry and built once: the index /openapi/v3
// ({"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=H"},...}}) and one
// document per group version. Each document has, for every kind, a `patch` operation tagged
// with x-kubernetes-group-version-kind (an object) and the fieldValidation query parameter,
// which is what makes kubectl 1.32 rely on server-side field validation (kubectl-wire.md §2).
// No strategic-merge request bodies are advertised: kubectl then uses its compiled-in patch
// metadata. Component schemas are empty for now (kubectl explain needs them; later).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "api/resource.h"
#include "api/schema.h"

namespace minik {

struct OpenApiDocument {
  std::string body;
  std::string hash;  // upper-case hex SHA-512 of body, as the apiserver's ?hash=
};

class OpenApiV3 {
 public:
  OpenApiV3(const ResourceRegistry& resources, const SchemaRegistry& schemas);

  const std::string& Index() const { return index_; }
  // `gv_path` is "api/v1" or "apis/apps/v1"; nullptr when not served.
  const OpenApiDocument* Find(const std::string& gv_path) const;

 private:
  std::string index_;
  std::map<std::string, OpenApiDocument> docs_;
};

}  // namespace minik
