// OpenAPI documents generated from the resource registry and the compiled-in schemas
// (api/schema.h), built once at start-up and served as pre-serialized bytes.
//
// v3: the index /openapi/v3 ({"paths":{"api/v1":{"serverRelativeURL":
// "/openapi/v3/api/v1?hash=H"},...}}) and one document per group version with
// components.schemas for every type reachable from the GV's kinds (array-form
// x-kubernetes-group-version-kind, patch merge keys/strategies, list types, enums, defaults;
// refs wrapped in allOf as kube-openapi's v3 builder does), so `kubectl explain` works at any
// depth. Paths: list/create/deletecollection, read/replace/patch/delete and the status,
// scale, ... subresources, each operation tagged with x-kubernetes-group-version-kind (an
// object); every body-taking operation carries the fieldValidation query parameter, which
// makes kubectl rely on server-side field validation (kubectl-wire.md §2). Patch operations
// list the four patch content types including strategic-merge-patch+json: kubectl then takes
// its patch metadata (merge keys, strategies) from these schemas.
//
// v2: one Swagger 2.0 document of every group version (definitions + paths), served as JSON
// and as the gnostic protobuf (openapi.v2.Document) that kubectl 1.27/1.28 request before
// every apply (client-go DiscoveryClient.OpenAPISchema) and that kubectl parses with
// kube-openapi's proto models (no dangling refs, no typed refs, arrays with one items schema).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "api/json.h"
#include "api/resource.h"
#include "api/schema.h"
#include "api/status.h"
#include "apiserver/http.h"

namespace minik {

struct OpenApiDocument {
  std::string body;
  std::string hash;  // upper-case hex SHA-512 of body: the ?hash= and ETag value
};

// Both classes build their documents once, on first use (thread-safe), so that routers made
// in tests and servers that are never asked pay nothing; the registries must outlive them.
class OpenApiV3 {
 public:
  OpenApiV3(const ResourceRegistry& resources, const SchemaRegistry& schemas)
      : resources_(resources), schemas_(schemas) {}

  const std::string& Index() const;
  // `gv_path` is "api/v1" or "apis/apps/v1"; nullptr when not served.
  const OpenApiDocument* Find(const std::string& gv_path) const;

 private:
  void Build() const;

  const ResourceRegistry& resources_;
  const SchemaRegistry& schemas_;
  mutable std::once_flag built_;
  mutable std::string index_;
  mutable std::map<std::string, OpenApiDocument> docs_;
};

class OpenApiV2 {
 public:
  OpenApiV2(const ResourceRegistry& resources, const SchemaRegistry& schemas)
      : resources_(resources), schemas_(schemas) {}

  const OpenApiDocument& JsonDocument() const;
  // Empty body if encoding failed (a generator bug, logged): served as 503.
  const OpenApiDocument& ProtobufDocument() const;

 private:
  void Build() const;

  const ResourceRegistry& resources_;
  const SchemaRegistry& schemas_;
  mutable std::once_flag built_;
  mutable OpenApiDocument json_;
  mutable OpenApiDocument proto_;
};

// The Swagger 2.0 document as JSON (what OpenApiV2 serializes).
Json BuildOpenApiV2(const ResourceRegistry& resources, const SchemaRegistry& schemas);

// Encodes a Swagger 2.0 document as a gnostic openapi.v2.Document protobuf
// (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto). Vendor extensions, defaults
// and enum values become Any{yaml} with the value written as JSON (valid YAML). BadRequest on
// shapes the proto cannot carry.
StatusOr<std::string> EncodeOpenApiV2Protobuf(const Json& swagger);

// GET/HEAD /openapi/v2 and /openapi/v3[/<gv>] as kube-openapi's handlers answer them:
// Accept negotiation (application/json; for v2 also the gnostic protobuf types; no match:
// 406), ETag, 304 on a matching If-None-Match, `Cache-Control: public, immutable` for a
// v3 URL with the current ?hash= and a 301 to the current URL for a stale hash; 404 for
// anything else under /openapi/.
HttpResponse ServeOpenApi(const OpenApiV3& v3, const OpenApiV2& v2, const HttpRequest& request);

}  // namespace minik
