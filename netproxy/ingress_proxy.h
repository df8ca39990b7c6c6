// IngressProxy: the HTTP/1.1 reverse proxy of the Ingress controller (Boost.Beast/Asio), on
// every address given, plain HTTP and HTTPS (SNI picks the Ingress's certificate, else the
// self-signed default certificate). Routes come from the controller as immutable snapshots
// (SetRoutes); a request keeps the snapshot it was routed with, so a configuration change never
// drops a live connection.
//
// Per request: route (404 without a rule, 503 without a ready endpoint); take an idle upstream
// connection of the endpoint or connect (connect timeout; on failure the next endpoint once,
// then 502); send the request with hop-by-hop headers removed and X-Forwarded-For (appended),
// -Proto, -Host, -Port and X-Real-IP set; stream the bodies both ways in bounded buffers
// (Content-Length as is, chunked re-chunked, an EOF-delimited response chunked to the client);
// keep both sides alive when they allow it. Upgrade requests (WebSocket) answered 101 become
// a byte tunnel. Malformed requests get 400 and the connection closes.
//
// Threads: each of `io_threads` runs its own io_context with its own upstream pool; a client
// connection lives on one of them (a coroutine, with a watchdog for its timeouts and, for
// tunnels, a second copying coroutine). The route snapshot and the certificate contexts are
// guarded by a mutex and copied out as shared pointers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/status.h"
#include "netproxy/ingress_routes.h"

namespace minik::netproxy {

struct IngressProxyOptions {
  std::vector<std::string> addresses = {"127.0.0.1"};
  // Listened on too when free; a taken port there (another profile's Ingress on 127.0.0.1,
  // a web server of the user's) is logged and skipped instead of failing the start.
  std::vector<std::string> optional_addresses;
  int http_port = 80;  // 0: any free port
  int https_port = 443;
  int io_threads = 2;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{60000};  // also the idle limit of a tunnel
  std::chrono::milliseconds keep_alive_timeout{60000};  // an idle client connection
  size_t max_header_bytes = 64 * 1024;
  size_t max_idle_per_endpoint = 64;  // pooled upstream connections per endpoint
};

class IngressProxy {
 public:
  virtual ~IngressProxy() = default;
  // Binds every listener (ServiceUnavailable naming the address when one is taken), generates
  // the default certificate and starts serving. Once only.
  virtual Status Start() = 0;
  // Closes the listeners and every connection; waits for the I/O threads.
  virtual void Stop() = 0;
  virtual int http_port() const = 0;
  virtual int https_port() const = 0;
  // Swaps in a new routing table; TLS contexts are made for its new certificates (bad ones
  // are logged and skipped).
  virtual void SetRoutes(RoutesPtr routes) = 0;
};

std::unique_ptr<IngressProxy> NewIngressProxy(const IngressProxyOptions& options);

}  // namespace minik::netproxy
