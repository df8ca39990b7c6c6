// Service account issuer discovery, as kube-apiserver serves it
// (pkg/routes/openidmetadata.go): GET /.well-known/openid-configuration (the OIDC provider
// metadata) and GET /openid/v1/jwks (the key set that verifies ServiceAccount tokens), so
// relying parties outside the cluster can check tokens. Both need an authenticated caller
// allowed by RBAC (system:service-account-issuer-discovery).
#pragma once

#include <optional>
#include <string>

#include "apiserver/http.h"
#include "apiserver/sa_token.h"

namespace minik {

class OidcDiscovery {
 public:
  // `verifier` null: the paths are not served. The documents are rendered once here.
  OidcDiscovery(const JwtVerifier* verifier, const std::string& issuer,
                const std::string& external_address);
  // The response for the two paths (405 for methods other than GET and HEAD); nullopt for
  // every other path, or when not serving.
  std::optional<HttpResponse> Serve(const HttpRequest& request) const;

 private:
  bool serving_ = false;
  std::string config_json_, jwks_json_;
};

}  // namespace minik
