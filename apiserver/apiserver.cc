// NewApiServer: wires the registry (the generic store, also the in-process client), the
// router and the HTTPS server.
#include "apiserver/apiserver.h"

#include "apiserver/admission_plugins.h"
#include "apiserver/registry.h"
#include "apiserver/router.h"
#include "apiserver/token_request.h"
#include "apiserver/versioned_client.h"

namespace minik {
namespace {

// serviceaccounts/token in front of the registry, when this server signs tokens.
std::unique_ptr<Client> WithTokenRequests(std::unique_ptr<Client> registry, Clock& clock,
                                          const ApiServerConfig& config) {
  if (config.token_signer == nullptr) return registry;
  return NewTokenRequestClient(std::move(registry), *config.token_signer,
                               config.service_account_tokens, clock);
}

class ApiServerImpl final : public ApiServer {
 public:
  ApiServerImpl(Store& store, const ResourceRegistry& resources, const SchemaRegistry& schemas,
                Clock& clock, TokenAuthenticator* tokens, const ApiServerConfig& config)
      : registry_(NewVersionedClient(
            WithTokenRequests(NewRegistry(store, resources, schemas, clock, &admission_), clock,
                              config),
            resources, schemas)),
        router_(config.authorizer
                    ? NewRouter(*registry_, resources, schemas, clock, tokens, WithNode(config),
                                *config.authorizer)
                    : NewRouter(*registry_, resources, schemas, clock, tokens, WithNode(config))),
        http_(NewHttpServer(config.http, *router_)) {
    RegisterBuiltinAdmission(admission_, *registry_, clock);
  }

  // The HTTP server goes first: it cancels streams that point into the router.
  ~ApiServerImpl() override { http_.reset(); }

  Status Start() override { return http_->Start(); }
  void Stop() override { http_->Stop(); }
  Client& LocalClient() override { return *registry_; }
  AdmissionChain& Admission() override { return admission_; }
  int port() const override { return http_->port(); }
  void SetNodeConnector(NodeConnector* node) override { node_.store(node); }

 private:
  ApiServerConfig WithNode(ApiServerConfig config) {
    config.node_connector = &node_;
    return config;
  }

  std::atomic<NodeConnector*> node_{nullptr};  // declared first: the router points at it
  AdmissionChain admission_;  // before the registry, which runs it
  std::unique_ptr<Client> registry_;
  std::unique_ptr<HttpHandler> router_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace

std::unique_ptr<ApiServer> NewApiServer(Store& store, const ResourceRegistry& resources,
                                        const SchemaRegistry& schemas, Clock& clock,
                                        TokenAuthenticator* tokens,
                                        const ApiServerConfig& config) {
  return std::make_unique<ApiServerImpl>(store, resources, schemas, clock, tokens, config);
}

}  // namespace minik
