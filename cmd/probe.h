// Readiness probes of a profile's running server over HTTPS, as `start` and `status` see it:
// the API answers /readyz with "ok", and the profile's Node reports Ready.
#pragma once

#include <memory>
#include <string>

#include "api/status.h"
#include "cmd/https_client.h"

namespace minik {

class ClusterProbe {
 public:
  // `client_cert_pem`/`client_key_pem` may be empty: /readyz needs no credentials, the Node
  // does (NodeReady then fails with Unauthorized-like errors).
  static StatusOr<std::unique_ptr<ClusterProbe>> New(int port, const std::string& ca_pem,
                                                     const std::string& client_cert_pem,
                                                     const std::string& client_key_pem,
                                                     int timeout_ms = 1000);

  // OK when GET /readyz says 200 "ok".
  Status Readyz();
  // OK when GET /api/v1/nodes/<name> has condition Ready=True; kNotFound before it exists;
  // kServiceUnavailable while not Ready (with the condition's reason when there is one).
  Status NodeReady(const std::string& name);
  // The number of pods in every namespace (`minik profile list`).
  StatusOr<int> CountPods();

 private:
  explicit ClusterProbe(std::unique_ptr<HttpsClient> client) : client_(std::move(client)) {}
  std::unique_ptr<HttpsClient> client_;
};

// Whether a Node JSON object has condition Ready=True (exposed for tests). BadRequest when
// `body` is not a JSON object; kServiceUnavailable when not Ready.
Status NodeJsonReady(const std::string& body);

}  // namespace minik
