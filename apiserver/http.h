// The HTTP transport contract between the TLS server (apiserver/http_server.cc, Beast +
// OpenSSL) and the API handler (apiserver/router.cc). The server owns sockets, TLS, parsing,
// limits and timeouts; the handler sees whole requests and returns whole or streamed
// responses. Nothing here depends on Beast, so handlers are unit-tested without sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/status.h"

namespace minik {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

// The client certificate of a TLS connection, verified against the client CA.
struct PeerCertificate {
  std::string common_name;                 // Subject CN
  std::vector<std::string> organizations;  // every Subject O, in order
  std::string sha256_hex;                  // of the DER certificate
  bool client_auth_usage = true;           // EKU includes clientAuth (or no EKU present)
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/api/v1/pods?limit=500"
  std::string path;    // percent-decoded path: "/api/v1/pods"
  std::multimap<std::string, std::string> query;  // percent-decoded ('+' is a space)
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  std::string body;
  std::optional<PeerCertificate> client_cert;
  std::string remote_address;  // "127.0.0.1:53412"

  // First value of a query parameter, or "".
  std::string Query(const std::string& key) const;
  bool HasQuery(const std::string& key) const { return query.count(key) > 0; }
  std::string Header(const std::string& key) const;
};

// Percent-decodes `in` into `out` ("%2F" -> "/"); with plus_as_space, '+' becomes ' ' (query
// strings). Returns false on a malformed escape ("%zz", a trailing "%").
bool PercentDecode(std::string_view in, bool plus_as_space, std::string& out);

// Fills request.path and request.query from request.target. Accepts origin-form ("/a?b=c")
// and absolute-form ("https://host/a?b=c"). BadRequest when the path is not absolute or has a
// bad escape; query pairs with bad escapes are dropped, as Go's url.Query() does.
Status ParseTarget(HttpRequest& request);

// A response body produced over time (watch events, logs -f). The server calls Pull() on its
// connection strand; the stream calls the notify function (from any thread, never blocking)
// when more may be ready. The server writes each non-empty pull as one HTTP chunk and flushes.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Set once by the server before the first Pull.
  virtual void SetNotify(std::function<void()> notify) = 0;
  // Appends what is ready to `out`. Returns false once the stream has ended (whatever was
  // appended by this call is still sent, then the terminating chunk).
  virtual bool Pull(std::string& out) = 0;
  // The client went away or the server is stopping. No Pull follows.
  virtual void Cancel() = 0;
};

// The server's side of an upgraded connection (exec, attach, port-forward), given to a
// Tunnel. Every method may be called from any thread and never blocks, except WaitWritable.
class TunnelIo {
 public:
  virtual ~TunnelIo() = default;
  // Queues `data` for the client: one WebSocket message (binary, or text when `text`), or raw
  // bytes on a raw (SPDY) connection. Dropped once the connection is closed.
  virtual void Send(std::string data, bool text = false) = 0;
  // Writes what is queued, then ends the connection (WebSocket: close frame 1000 "").
  virtual void Close() = 0;
  // Bytes queued and not yet written to the socket.
  virtual size_t queued_bytes() const = 0;
  // Stops (or resumes) reading from the client, so that data nobody consumes yet stays in
  // the kernel's buffers instead of ours (back-pressure toward the client).
  virtual void PauseReading(bool paused) = 0;
  // Blocks until queued_bytes() <= `limit` (true) or the connection is closed (false), at most
  // timeout_ms (false too). Producers call it before queueing more, so a client that never
  // reads holds up only its own producer.
  virtual bool WaitWritable(size_t limit, int timeout_ms) = 0;
  // Calls `notify` (any thread, no lock held, must not block) each time queued_bytes() falls
  // to `low_water` or below from above it, and once when the connection ends, so a producer
  // that polls other descriptors can wake at once instead of sleeping. The default does
  // nothing (producers must then also poll with a timeout).
  virtual void SetWritableNotify(size_t low_water, std::function<void()> notify) {
    (void)low_water;
    (void)notify;
  }
};

// What an upgraded connection runs. The server calls Start once after the 101 went out, then
// OnReceive for each WebSocket message (or each read of raw bytes), then OnClosed exactly once
// when the connection ends for any reason (client close, error, server Stop, io->Close()).
// All three are called on the connection's strand, one at a time, and must not block.
class Tunnel {
 public:
  virtual ~Tunnel() = default;
  virtual void Start(std::shared_ptr<TunnelIo> io) = 0;
  // `text`: a WebSocket text message (always false for raw connections).
  virtual void OnReceive(std::string data, bool text) = 0;
  virtual void OnClosed() = 0;
};

struct HttpUpgrade {
  enum class Kind {
    kWebSocket,  // RFC 6455 handshake answered by the server; `protocol` is the subprotocol
    kRaw,        // "101 Switching Protocols" with the response's headers, then raw bytes (SPDY)
  };
  Kind kind = Kind::kWebSocket;
  std::string protocol;  // Sec-WebSocket-Protocol of the answer ("": no header)
  std::shared_ptr<Tunnel> tunnel;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type etc.
  std::string body;
  // When set, `body` is ignored and the response is sent chunked from the stream.
  std::shared_ptr<ResponseStream> stream;
  // When set, the connection is upgraded (status, body and stream are ignored; raw upgrades
  // send `headers` with the 101, plus Connection: Upgrade). Only for requests that asked for
  // an upgrade (an Upgrade header; for kWebSocket a valid WebSocket handshake request).
  std::optional<HttpUpgrade> upgrade;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called on a worker thread; may block (store writes wait for fsync).
  virtual HttpResponse Handle(HttpRequest& request) = 0;
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  int port = 8443;
  // More addresses served on the same port, bound with IP_FREEBIND: they need not exist yet
  // (the node's bridge address, which pods reach, comes up after the API server).
  std::vector<std::string> extra_addresses;
  std::string cert_pem;       // serving certificate chain
  std::string key_pem;        // serving key
  std::string client_ca_pem;  // CA that client certificates must chain to
  size_t max_body_bytes = 3 * 1024 * 1024;  // larger: 413 RequestEntityTooLarge
  size_t max_header_bytes = 1024 * 1024;    // larger: 431, connection closed
  // The TLS handshake, and a request's line and headers from its first byte, must arrive in
  // this time (kube-apiserver's ReadHeaderTimeout, which Go also applies to the handshake),
  // so stalled clients hold no more than a socket, and not for long.
  int header_timeout_seconds = 32;
  int read_timeout_seconds = 60;   // a request must arrive whole in this time
  int idle_timeout_seconds = 300;  // keep-alive connection with no request
  int io_threads = 2;
  // Handlers run here, so blocked handlers never stall I/O. Workers take requests fairly
  // across clients, and one client (but system:masters) never holds more than a quarter of
  // them (request_limits.h).
  int worker_threads = 16;
  size_t max_connections = 4096;
  // Requests queued or running beyond these get 429 with Retry-After: 1 (upstream's
  // --max-requests-inflight and --max-mutating-requests-inflight; 0: no limit). Watches,
  // exec, attach, port-forward, proxy and logs are not counted, nor system:masters.
  int max_requests_in_flight = 400;
  int max_mutating_requests_in_flight = 200;
};

// Serves HTTPS/1.1 with keep-alive until Stop(). Error responses it makes itself (400 on
// malformed HTTP, 413, 431, 408) carry a Kubernetes Status JSON body; 429 is upstream's plain
// text "Too many requests, please try again later.".
class HttpServer {
 public:
  virtual ~HttpServer() = default;
  virtual Status Start() = 0;  // binds and listens; Code::kServiceUnavailable if port taken
  virtual void Stop() = 0;     // closes listeners and connections, cancels streams, joins
  virtual int port() const = 0;
};

std::unique_ptr<HttpServer> NewHttpServer(const HttpServerOptions& options,
                                          HttpHandler& handler);

}  // namespace minik
