// A small blocking HTTPS/1.1 client for the CLI's readiness and status checks against the
// local API server. One request per connection (Connection: close); the server certificate
// is verified against the cluster CA and the host (an IP or a DNS name); a client
// certificate is presented when given. Not for streaming or large bodies (1 MiB cap).
#pragma once

#include <memory>
#include <string>

#include "api/status.h"

namespace minik {

struct HttpsClientOptions {
  std::string host = "127.0.0.1";
  int port = 8443;
  std::string ca_pem;           // required: the server must chain to it
  std::string client_cert_pem;  // optional, with client_key_pem
  std::string client_key_pem;
  int timeout_ms = 2000;  // connect, and each read/write
};

struct HttpsResponse {
  int status = 0;
  std::string body;  // de-chunked
};

class HttpsClient {
 public:
  // BadRequest when the PEM data is malformed.
  static StatusOr<std::unique_ptr<HttpsClient>> New(const HttpsClientOptions& options);
  ~HttpsClient();

  // Code::kServiceUnavailable when nothing listens (connection refused) or the TLS
  // handshake fails; kTimeout on timeouts; kInternal on malformed responses.
  StatusOr<HttpsResponse> Get(const std::string& path);

 private:
  struct Impl;
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace minik
