// ApiServer: the HTTPS front of minik — TLS, authentication, authorization, routing to the
// registry, discovery, OpenAPI, tables and watch streams — plus the in-process client that
// the other components use.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "api/client.h"
#include "api/node_connector.h"
#include "api/clock.h"
#include "api/resource.h"
#include "api/schema.h"
#include "apiserver/admission.h"
#include "apiserver/http.h"
#include "apiserver/sa_token.h"
#include "store/store.h"

namespace minik {

class Authorizer;  // apiserver/authz.h

// Bearer-token authentication (ServiceAccountTokenAuthenticator). nullopt: not a valid token.
class TokenAuthenticator {
 public:
  virtual ~TokenAuthenticator() = default;
  virtual std::optional<UserInfo> AuthenticateToken(const std::string& token) = 0;
};

struct ApiServerConfig {
  HttpServerOptions http;
  std::string external_address;  // "127.0.0.1:8443", for /api serverAddressByClientCIDRs
  // ServiceAccount tokens (apiserver/sa_token.h): the signer of serviceaccounts/token (null:
  // that subresource answers 501), the verifier whose key /openid/v1/jwks publishes (null: no
  // issuer discovery), and the issuer and audiences. Must outlive the server.
  const JwtSigner* token_signer = nullptr;
  const JwtVerifier* token_verifier = nullptr;
  ServiceAccountTokenConfig service_account_tokens;
  // Where pods/log (and later exec, attach, portforward) go; set by the server once the
  // kubelet runs (null: those subresources answer 503). Filled in by NewApiServer.
  const std::atomic<NodeConnector*>* node_connector = nullptr;
  // Decides every authenticated request (e.g. RbacAuthorizer); null: system:masters and the
  // discovery/self-review basics only (MastersOnlyAuthorizer). Must outlive the server.
  const Authorizer* authorizer = nullptr;
};

class ApiServer {
 public:
  virtual ~ApiServer() = default;
  virtual Status Start() = 0;  // listens; returns once requests are served
  virtual void Stop() = 0;
  // The in-process client: the registry, acting with full rights.
  virtual Client& LocalClient() = 0;
  // The admission plugins every write passes (HTTP and in-process alike). The built-in ones
  // are registered by NewApiServer; more (ServiceAccount, RBAC checks) may be added before
  // Start().
  virtual AdmissionChain& Admission() = 0;
  virtual int port() const = 0;
  // The node's kubelet, for the pods' connect subresources; null to detach. Must outlive
  // the server or be detached first.
  virtual void SetNodeConnector(NodeConnector* node) = 0;
};

// `tokens` may be null (no bearer tokens accepted). All references must outlive the server.
std::unique_ptr<ApiServer> NewApiServer(Store& store, const ResourceRegistry& resources,
                                        const SchemaRegistry& schemas, Clock& clock,
                                        TokenAuthenticator* tokens, const ApiServerConfig& config);

}  // namespace minik
