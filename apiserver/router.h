// Router: the HttpHandler of the API server. Parses Kubernetes URLs, authenticates and
// authorizes, negotiates content (JSON, YAML for apply, protobuf request bodies, Table
// responses), and dispatches to the registry (a Client), discovery, OpenAPI and health.
#pragma once

#include <memory>

#include "api/client.h"
#include "api/clock.h"
#include "api/resource.h"
#include "api/schema.h"
#include "apiserver/apiserver.h"
#include "apiserver/http.h"

namespace minik {

std::unique_ptr<HttpHandler> NewRouter(Client& registry, const ResourceRegistry& resources,
                                       const SchemaRegistry& schemas, Clock& clock,
                                       TokenAuthenticator* tokens, const ApiServerConfig& config);

class Authorizer;  // apiserver/authz.h
// As above, with `authorizer` (which must outlive the router) deciding every authenticated
// request instead of the built-in MastersOnlyAuthorizer (e.g. RBAC).
std::unique_ptr<HttpHandler> NewRouter(Client& registry, const ResourceRegistry& resources,
                                       const SchemaRegistry& schemas, Clock& clock,
                                       TokenAuthenticator* tokens, const ApiServerConfig& config,
                                       const Authorizer& authorizer);

// The metav1.Status JSON of `status` ({"kind":"Status",...,"code":404}). One place maps a
// Status to the wire; the HTTP server uses it for the errors it makes itself.
Json StatusToJson(const Status& status);

}  // namespace minik
