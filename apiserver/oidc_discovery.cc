#include "apiserver/oidc_discovery.h"

#include "apiserver/responses.h"

namespace minik {
namespace {

constexpr const char* kConfigPath = "/.well-known/openid-configuration";
constexpr const char* kJwksPath = "/openid/v1/jwks";
// Upstream answers with the key set's cache age (an hour for static keys).
constexpr const char* kCacheControl = "public, max-age=3600";

}  // namespace

OidcDiscovery::OidcDiscovery(const JwtVerifier* verifier, const std::string& issuer,
                             const std::string& external_address) {
  if (verifier == nullptr) return;
  serving_ = true;
  config_json_ = OpenIdConfiguration(issuer, external_address).dump();
  jwks_json_ = verifier->Jwks().dump();
}

std::optional<HttpResponse> OidcDiscovery::Serve(const HttpRequest& request) const {
  bool config = request.path == kConfigPath;
  if (!serving_ || (!config && request.path != kJwksPath)) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    return ErrorResponse(Status(Code::kMethodNotAllowed,
                                "the server does not allow this method on the requested resource"));
  }
  HttpResponse r = RawJsonResponse(200, config ? config_json_ : jwks_json_,
                                   config ? "application/json" : "application/jwk-set+json");
  r.headers.emplace_back("Cache-Control", kCacheControl);
  return r;
}

}  // namespace minik
