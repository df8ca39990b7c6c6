// The API server's HttpHandler: authenticate, authorize, then route a request to health,
// version, discovery, OpenAPI, self reviews or the ResourceHandler. Discovery and OpenAPI
// bytes are built once here from the registry.
//
// Threads: Handle runs on many HTTP worker threads at once; everything it reads is
// immutable after construction, except the WatchLimiter and DeadlineTimer (internally
// synchronized).
#include "apiserver/router.h"

#include "api/log.h"
#include "apiserver/access_review.h"
#include "apiserver/impersonation.h"
#include "apiserver/authn.h"
#include "apiserver/authz.h"
#include "apiserver/body.h"
#include "apiserver/discovery.h"
#include "apiserver/health.h"
#include "apiserver/media.h"
#include "apiserver/oidc_discovery.h"
#include "apiserver/openapi.h"
#include "apiserver/request_info.h"
#include "apiserver/resource_handler.h"
#include "apiserver/responses.h"
#include "apiserver/watch_stream.h"

namespace minik {
namespace {

constexpr int kMaxWatchesPerUser = 100;

HttpResponse DocumentResponse(const DiscoveryDocument& doc) {
  HttpResponse r = RawJsonResponse(200, doc.body, doc.content_type);
  r.headers.emplace_back("Vary", "Accept");
  return r;
}

Status MethodNotAllowed() {
  return Status(Code::kMethodNotAllowed,
                "the server does not allow this method on the requested resource");
}

class Router final : public HttpHandler {
 public:
  Router(Client& registry, const ResourceRegistry& resources, const SchemaRegistry& schemas,
         Clock& clock, TokenAuthenticator* tokens, const ApiServerConfig& config,
         const Authorizer* authorizer)
      : authorizer_(authorizer ? *authorizer : masters_only_),
        resources_(resources),
        schemas_(schemas),
        clock_(clock),
        tokens_(tokens),
        external_address_(config.external_address),
        oidc_(config.token_verifier, config.service_account_tokens.issuer,
              config.external_address),
        timer_(clock),
        watches_(kMaxWatchesPerUser),
        handler_(registry, schemas, clock, timer_, watches_, config.node_connector) {}

  HttpResponse Handle(HttpRequest& request) override {
    try {
      return HandleAuthenticated(request);
    } catch (const std::exception& e) {
      // Handlers return Statuses; an exception here is a bug, answered like the apiserver's
      // panic recovery instead of dropping the connection.
      LOG(Error, "apiserver") << "handler exception path=" << request.path
                              << " error=" << e.what();
      return ErrorResponse(Internal(std::string("an error on the server (\"") + e.what() +
                                    "\") has prevented the request from succeeding"));
    }
  }

 private:
  HttpResponse HandleAuthenticated(HttpRequest& request) {
    auto authn = Authenticate(request, tokens_);
    if (!authn.ok()) return ErrorResponse(authn.status());
    bool public_path = IsPublicPath(request.path);
    if (authn->anonymous && !public_path) return ErrorResponse(UnauthorizedStatus());
    auto acting = Impersonate(request, authn->user, authorizer_);
    if (!acting.ok()) return ErrorResponse(acting.status());
    if (acting->has_value()) authn->user = std::move(**acting);

    RequestInfo ri = ParseRequestInfo(request);
    AuthzAttributes attrs;
    attrs.user = &authn->user;
    attrs.resource_request = ri.is_resource_request;
    attrs.verb = ri.verb;
    attrs.path = ri.path;
    attrs.api_group = ri.group;
    attrs.api_version = ri.version;
    attrs.resource = ri.resource;
    attrs.subresource = ri.subresource;
    attrs.name = ri.name;
    attrs.ns = ri.ns;
    // Public paths are open to everyone (system:public-info-viewer binds the anonymous too).
    if (!public_path) {
      AuthzDecision decision = authorizer_.Authorize(attrs);
      if (!decision.allowed) return ErrorResponse(ForbiddenStatus(attrs, decision.reason));
    }
    if (!ri.is_resource_request) return ServeNonResource(request, ri);
    return ServeResource(request, ri, authn->user);
  }

  // The review kinds, answered here from the authenticated user, the authenticator and the
  // authorizer rather than stored: selfsubjectreviews (auth whoami), selfsubjectaccessreviews
  // (can-i), selfsubjectrulesreviews (can-i --list), subjectaccessreviews,
  // localsubjectaccessreviews and tokenreviews.
  std::optional<HttpResponse> ServeReview(const HttpRequest& request, const RequestInfo& ri,
                                          const UserInfo& user) {
    bool authn = ri.group == "authentication.k8s.io";
    if ((!authn && ri.group != "authorization.k8s.io") || ri.parts.size() != 1)
      return std::nullopt;
    const std::string& r = ri.resource;
    bool whoami = authn && r == "selfsubjectreviews";
    bool token = authn && r == "tokenreviews";
    bool can_i = !authn && r == "selfsubjectaccessreviews";
    bool rules = !authn && r == "selfsubjectrulesreviews";
    bool sar = !authn && r == "subjectaccessreviews";
    bool local = !authn && r == "localsubjectaccessreviews";
    if (!whoami && !token && !can_i && !rules && !sar && !local) return std::nullopt;
    if (local != !ri.ns.empty()) return ErrorResponse(NotFoundResource());
    if (ri.verb != "create") return ErrorResponse(MethodNotAllowed());
    std::string api_version = ri.group + "/" + ri.version;
    if (whoami) {
      if (ri.version != "v1" && ri.version != "v1beta1" && ri.version != "v1alpha1") {
        return ErrorResponse(NotFoundResource());
      }
      return JsonResponse(201, SelfSubjectReview(user, api_version, clock_.Now()));
    }
    if (ri.version != "v1") return ErrorResponse(NotFoundResource());
    auto body = DecodeObjectBody(schemas_, request.Header("Content-Type"), request.body);
    if (!body.ok()) return ErrorResponse(body.status());
    StatusOr<Json> review = token   ? ReviewToken(*body, tokens_, clock_.Now())
                            : rules ? ReviewSelfSubjectRules(*body, user, authorizer_, clock_.Now())
                            : can_i ? ReviewSelfSubjectAccess(*body, user, authorizer_, clock_.Now())
                                    : ReviewSubjectAccess(*body, ri.ns, authorizer_, clock_.Now());
    if (!review.ok()) return ErrorResponse(review.status());
    return JsonResponse(201, *review);
  }

  HttpResponse ServeResource(HttpRequest& request, const RequestInfo& ri, const UserInfo& user) {
    if (auto review = ServeReview(request, ri, user)) return std::move(*review);
    const ResourceInfo* info = resources_.Find({ri.group, ri.version, ri.resource});
    if (info == nullptr) return ErrorResponse(NotFoundResource());
    return handler_.Serve(request, ri, *info, user);
  }

  HttpResponse ServeNonResource(const HttpRequest& request, const RequestInfo& ri) {
    if (auto health = ServeHealth(request)) return *health;
    const std::string& path = request.path;
    bool read = request.method == "GET" || request.method == "HEAD";
    if (path == "/version" || path == "/version/") {
      if (!read) return ErrorResponse(MethodNotAllowed());
      return DocumentResponse(Docs()->discovery.Version());
    }
    if (path == "/openapi/v2" || path.rfind("/openapi/", 0) == 0) return ServeOpenApi(request);
    if (auto oidc = oidc_.Serve(request)) return std::move(*oidc);
    if (ri.api_prefix.empty()) {
      if (path == "/" && read) return JsonResponse(200, RootPaths());
      return ErrorResponse(NotFoundResource());
    }
    if (!read) return ErrorResponse(MethodNotAllowed());
    // /api, /apis, /apis/<g>, /api/<v>, /apis/<g>/<v>.
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    std::shared_ptr<const Documents> docs = Docs();
    if (trimmed == "/api" || trimmed == "/apis") {
      auto accept = request.Header("Accept");
      return DocumentResponse(docs->discovery.Root(trimmed, NegotiateDiscovery(accept)));
    }
    std::optional<DiscoveryDocument> doc;
    if (!ri.version.empty()) {
      doc = docs->discovery.ResourceList(ri.group, ri.version);
    } else if (ri.api_prefix == "apis") {
      doc = docs->discovery.Group(trimmed.substr(std::string("/apis/").size()));
    }
    if (!doc) return ErrorResponse(NotFoundResource());
    return DocumentResponse(*doc);
  }

  HttpResponse ServeOpenApi(const HttpRequest& request) {
    std::shared_ptr<const Documents> docs = Docs();
    return ::minik::ServeOpenApi(docs->openapi, docs->openapi_v2, request);
  }

  // Discovery and OpenAPI of one state of the resource registry; rebuilt (discovery at
  // once, OpenAPI on first use) when custom resources change it.
  struct Documents {
    Documents(uint64_t generation, const ResourceRegistry& resources,
              const SchemaRegistry& schemas, const std::string& external_address)
        : generation(generation),
          discovery(resources, external_address),
          openapi(resources, schemas),
          openapi_v2(resources, schemas) {}
    const uint64_t generation;
    const Discovery discovery;
    const OpenApiV3 openapi;
    const OpenApiV2 openapi_v2;
  };
  std::shared_ptr<const Documents> Docs() {
    uint64_t generation = resources_.Generation();
    std::lock_guard<std::mutex> lock(docs_mu_);
    if (!docs_ || docs_->generation != generation) {
      docs_ = std::make_shared<const Documents>(generation, resources_, schemas_,
                                                external_address_);
    }
    return docs_;
  }

  Json RootPaths() const {
    Json paths = Json::array({"/api", "/api/v1", "/apis"});
    for (const auto& [group, versions] : resources_.Groups()) {
      if (group.empty()) continue;
      paths.push_back("/apis/" + group);
      for (const auto& v : versions) paths.push_back("/apis/" + group + "/" + v);
    }
    for (const char* p :
         {"/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"}) {
      paths.push_back(p);
    }
    return Json{{"paths", paths}};
  }

  const MastersOnlyAuthorizer masters_only_;
  const Authorizer& authorizer_;
  const ResourceRegistry& resources_;
  const SchemaRegistry& schemas_;
  Clock& clock_;
  TokenAuthenticator* tokens_;
  const std::string external_address_;
  std::mutex docs_mu_;
  std::shared_ptr<const Documents> docs_;  // guarded by docs_mu_
  const OidcDiscovery oidc_;  // /.well-known/openid-configuration, /openid/v1/jwks
  DeadlineTimer timer_;
  WatchLimiter watches_;
  ResourceHandler handler_;
};

}  // namespace

std::unique_ptr<HttpHandler> NewRouter(Client& registry, const ResourceRegistry& resources,
                                       const SchemaRegistry& schemas, Clock& clock,
                                       TokenAuthenticator* tokens,
                                       const ApiServerConfig& config) {
  return std::make_unique<Router>(registry, resources, schemas, clock, tokens, config, nullptr);
}

std::unique_ptr<HttpHandler> NewRouter(Client& registry, const ResourceRegistry& resources,
                                       const SchemaRegistry& schemas, Clock& clock,
                                       TokenAuthenticator* tokens, const ApiServerConfig& config,
                                       const Authorizer& authorizer) {
  return std::make_unique<Router>(registry, resources, schemas, clock, tokens, config,
                                  &authorizer);
}

}  // namespace minik
