// HttpServer on Boost.Beast + Asio + OpenSSL, after Beast's advanced server example.
//
// Threads and ownership:
// - `io_threads` run io_. Every connection is a Session on its own strand; a Session's members
//   are touched only on that strand (handlers of its socket, its deadline timer and posts).
// - Handlers run on `worker_threads` (workers_), never on an I/O thread, since they may block
//   on fsync. They take requests from queue_, fairly across clients (request_limits.h), and
//   post the response back to the session's strand.
// - A ResponseStream's notify function may run on any thread at any time; it reaches the
//   session only through a StreamLink (a mutex, the strand and a weak_ptr), which the session
//   disarms before it lets go of the stream, so no notify ever touches a dead session or a
//   destroyed io_context.
// - HttpServerImpl::mu_ guards the session set and `stopping_`. A session posts to the
//   workers only under mu_ and never once stopping_ is set, so Stop() can join the workers
//   and know that no handler starts after.
//
// Per connection: the TLS handshake within header_timeout; read with idle_timeout until the
// first byte of a request, then its header within header_timeout and the whole request
// (header, optional "100 Continue", body) within read_timeout; admit it (429 beyond the
// in-flight limits); dispatch; write the response; repeat. One request at a time, so
// pipelined requests wait in the read buffer.
//
// Upgrades (exec, attach, port-forward): a request with an Upgrade header keeps its header;
// when the handler answers with HttpResponse::upgrade, the session hands stream_ and buffer_
// to an http_tunnel::Connection (http_server_tunnel.cc) and stays only as its owner, so the
// server still counts the connection and Stop() still closes it.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/log.h"
#include "apiserver/http.h"
#include "apiserver/http_server_internal.h"
#include "apiserver/http_server_tunnel.h"
#include "apiserver/request_limits.h"

namespace minik {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Executor = net::any_io_executor;

constexpr char kComponent[] = "http";
// How long a closing connection may take to say goodbye (TLS close_notify, 408 write).
constexpr std::chrono::seconds kCloseGrace(2);
// Read buffers larger than this are released between requests.
constexpr size_t kKeepBufferBytes = 64 * 1024;

class HttpServerImpl;

// Copies a handler's headers into `out`. Framing headers are the server's, and a CR or LF
// would split the response, so those are dropped. Returns false when the handler asked for
// "Connection: close".
bool CopyHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                 http::fields& out) {
  bool keep = true;
  for (const auto& [name, value] : headers) {
    if (name.empty() || name.find_first_of("\r\n: ") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    if (beast::iequals(name, "Connection")) {
      if (beast::iequals(value, "close")) keep = false;
      continue;
    }
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding")) {
      continue;
    }
    out.insert(name, value);
  }
  return keep;
}

// Handlers answer with final statuses; 1xx would confuse the framing (upgrades come later).
unsigned FinalStatus(int status) { return static_cast<unsigned>(std::clamp(status, 200, 599)); }

// The bridge from a ResponseStream's notify function (any thread) to a session's strand.
struct StreamLink {
  std::mutex mu;
  std::optional<Executor> strand;  // reset when the session lets go of the stream
  std::function<void()> on_strand;

  void Notify() {
    std::lock_guard<std::mutex> lock(mu);
    if (strand) net::post(*strand, on_strand);
  }
  void Disarm() {
    std::lock_guard<std::mutex> lock(mu);
    strand.reset();
    on_strand = nullptr;
  }
};

// A handler's response on its way to the strand. A stream that never reaches a session (the
// io_context was torn down) is still cancelled, so Cancel() always comes exactly once.
struct PendingResponse {
  HttpResponse response;
  ~PendingResponse() {
    if (response.stream) response.stream->Cancel();
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ssl::context& tls, HttpServerImpl& server);
  ~Session();

  // Both may be called from any thread; the work happens on the strand.
  void Start();
  void CloseAsync();

 private:
  void OnHandshake(beast::error_code ec);
  void WaitForRequest();
  void StartIdleRead();
  void OnIdleRead(beast::error_code ec, size_t n);
  void ReadRequest();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void OnReadError(beast::error_code ec);
  void Dispatch();
  void OnResponse(HttpResponse response);
  void WriteResponse(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string body, bool close);
  void WriteError(const Status& status, int http_code);
  void OnWritten(beast::error_code ec, bool close);
  void StartStream(HttpResponse response);
  void StartUpgrade(HttpResponse response);
  void OnStreamHeader(beast::error_code ec);
  void PullStream();
  void OnChunkWritten(beast::error_code ec, bool last);
  void EndStream(bool cancel);
  void GracefulClose();
  void LingerClose();
  void Drain();
  void Close();
  void SetDeadline(std::chrono::steady_clock::duration d);
  void ClearDeadline();
  void OnDeadline(beast::error_code ec);

  HttpServerImpl& server_;
  const HttpServerOptions& options_;
  beast::ssl_stream<tcp::socket> stream_;
  Executor strand_;  // stream_'s, kept apart since an upgrade moves stream_ away
  net::steady_timer deadline_;
  beast::flat_buffer buffer_;
  std::string remote_address_;
  std::optional<PeerCertificate> peer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // The header of the request being answered, when it asked for an upgrade.
  std::optional<http_tunnel::UpgradeRequest> upgrade_request_;
  // After an upgrade: the connection that took stream_ over (which owns this session).
  std::weak_ptr<http_tunnel::Connection> tunnel_;

  bool closed_ = false;
  bool reading_ = false;          // a read is pending on stream_
  bool reading_request_ = false;  // between the first byte of a request and its end
  bool timed_out_ = false;        // the read deadline passed; answer 408 and close
  bool keep_alive_ = false;       // of the request being answered
  bool head_ = false;             // the request being answered is HEAD
  bool linger_ = false;           // after the response: half-close and drain (LingerClose)

  // The response being written (only during the write).
  std::unique_ptr<http::response<http::string_body>> response_;
  // A streamed response in progress.
  std::shared_ptr<ResponseStream> body_stream_;
  std::shared_ptr<StreamLink> link_;
  std::unique_ptr<http::response<http::empty_body>> stream_header_;
  std::optional<http::response_serializer<http::empty_body>> stream_serializer_;
  std::string chunk_;
  std::string chunk_prefix_;
  bool writing_chunk_ = false;
};

class HttpServerImpl : public HttpServer {
 public:
  HttpServerImpl(const HttpServerOptions& options, HttpHandler& handler)
      : options_(options),
        handler_(handler),
        limiter_(options.max_requests_in_flight, options.max_mutating_requests_in_flight),
        queue_(static_cast<size_t>(std::max(1, options.worker_threads / 4))) {}
  ~HttpServerImpl() override { Stop(); }

  Status Start() override;
  void Stop() override;
  int port() const override { return port_.load(); }

  const HttpServerOptions& options() const { return options_; }
  // Runs `request` on a worker and posts the response to `session`'s strand. False when the
  // server is stopping (nothing was posted). `klass` was admitted by limiter(); the worker
  // releases it when the handler returns.
  bool Submit(std::shared_ptr<Session> session, Executor strand, HttpRequest request,
              RequestClass klass,
              std::function<void(std::shared_ptr<Session>, HttpResponse)> done);
  InFlightLimiter& limiter() { return limiter_; }
  void Forget(Session* session) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(session);
  }

 private:
  // One listening socket: options_.address first, then options_.extra_addresses.
  struct Listener {
    explicit Listener(net::io_context& io)
        : acceptor(net::make_strand(io)), retry(acceptor.get_executor()) {}
    tcp::acceptor acceptor;
    net::steady_timer retry;  // re-arms accept after EMFILE and friends
  };

  // Opens, binds and listens on `address` (free_bind: IP_FREEBIND, for an address this host
  // does not have yet) at `port`.
  Status Listen(const std::string& address, int port, bool free_bind);
  void Accept(Listener& l);
  void OnAccept(Listener& l, beast::error_code ec, tcp::socket socket);

  const HttpServerOptions options_;
  HttpHandler& handler_;
  std::atomic<int> port_{0};
  InFlightLimiter limiter_;
  FairTaskQueue queue_;

  // Declared before io_ so that sessions destroyed with io_'s pending handlers can still
  // deregister themselves.
  std::mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // guarded by mu_
  bool stopping_ = false;                                          // guarded by mu_
  bool started_ = false;                                           // guarded by mu_
  std::condition_variable io_done_;
  int io_running_ = 0;  // guarded by mu_

  ssl::context tls_{ssl::context::tls_server};
  net::io_context io_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // set up by Start() before io runs
  std::optional<net::executor_work_guard<net::io_context::executor_type>> io_work_;
  std::vector<std::thread> io_threads_;
  // Run queue_'s tasks; joined by Stop() (and the destructor) before io_ goes.
  std::vector<std::thread> workers_;
};

// ---------------------------------------------------------------------------------------
// Session

Session::Session(tcp::socket socket, ssl::context& tls, HttpServerImpl& server)
    : server_(server),
      options_(server.options()),
      stream_(std::move(socket), tls),
      strand_(stream_.get_executor()),
      deadline_(strand_) {
  beast::error_code ec;
  // As Go sets on every TCP connection: a response written in more than one segment (TLS
  // records of the header and the body) must not wait out the client's delayed ACK (40 ms).
  beast::get_lowest_layer(stream_).set_option(tcp::no_delay(true), ec);
  tcp::endpoint remote = beast::get_lowest_layer(stream_).remote_endpoint(ec);
  if (!ec) {
    std::string host = remote.address().to_string();
    if (remote.address().is_v6()) host = "[" + host + "]";
    remote_address_ = host + ":" + std::to_string(remote.port());
  }
}

Session::~Session() {
  if (body_stream_) EndStream(/*cancel=*/true);
  server_.Forget(this);
}

void Session::Start() {
  net::post(strand_, [self = shared_from_this()] {
    self->SetDeadline(std::chrono::seconds(self->options_.header_timeout_seconds));
    self->stream_.async_handshake(ssl::stream_base::server,
                                  [self](beast::error_code ec) { self->OnHandshake(ec); });
  });
}

void Session::CloseAsync() {
  net::post(strand_, [self = shared_from_this()] { self->Close(); });
}

void Session::OnHandshake(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    LOG(Debug, kComponent) << "tls handshake failed remote=" << remote_address_
                           << " error=" << ec.message();
    return Close();
  }
  peer_ = VerifiedPeerCertificate(stream_.native_handle());
  WaitForRequest();
}

// Between requests: bytes already buffered (pipelining) start the next request at once;
// otherwise wait up to the idle timeout for the first byte.
void Session::WaitForRequest() {
  if (reading_) {  // the read that watched a stream goes on as the idle read
    SetDeadline(std::chrono::seconds(options_.idle_timeout_seconds));
    return;
  }
  if (buffer_.size() > 0) return ReadRequest();
  if (buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
  SetDeadline(std::chrono::seconds(options_.idle_timeout_seconds));
  StartIdleRead();
}

// Also runs while a stream is written, to notice a client that goes away (read error). Bytes
// that arrive then (a pipelined request) stay buffered for after the stream, and the watch
// stops: a later write failure still ends the stream.
void Session::StartIdleRead() {
  reading_ = true;
  stream_.async_read_some(
      buffer_.prepare(4096),
      [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnIdleRead(ec, n); });
}

void Session::OnIdleRead(beast::error_code ec, size_t n) {
  reading_ = false;
  if (closed_) return;
  if (ec) return Close();  // cancels a stream in progress
  buffer_.commit(n);
  if (body_stream_) return;
  ReadRequest();
}

void Session::ReadRequest() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(options_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(static_cast<std::uint64_t>(options_.max_body_bytes));
  reading_request_ = true;
  reading_ = true;
  SetDeadline(std::chrono::seconds(
      std::min(options_.header_timeout_seconds, options_.read_timeout_seconds)));
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            self->reading_ = false;
                            self->OnHeader(ec);
                          });
}

void Session::OnHeader(beast::error_code ec) {
  if (closed_) return;
  if (ec) return OnReadError(ec);
  if (!timed_out_) SetDeadline(std::chrono::seconds(options_.read_timeout_seconds));
  const auto& header = parser_->get();
  if (!parser_->is_done() && header.version() >= 11 &&
      beast::iequals(header[http::field::expect], "100-continue")) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(stream_, net::buffer(kContinue, sizeof(kContinue) - 1),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->closed_) return;
                       if (ec) return self->Close();
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  if (parser_->is_done()) return OnBody({});
  reading_ = true;
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->reading_ = false;
                     self->OnBody(ec);
                   });
}

void Session::OnBody(beast::error_code ec) {
  if (closed_) return;
  if (ec) return OnReadError(ec);
  reading_request_ = false;
  timed_out_ = false;
  ClearDeadline();
  Dispatch();
}

void Session::OnReadError(beast::error_code ec) {
  reading_request_ = false;
  keep_alive_ = false;
  head_ = false;
  if (timed_out_) {
    const bool header = parser_ && parser_->is_header_done();
    WriteError(Status(Code::kTimeout,
                      std::string(header ? "request" : "request header") +
                          " did not arrive within " +
                          std::to_string(header ? options_.read_timeout_seconds
                                                : std::min(options_.header_timeout_seconds,
                                                           options_.read_timeout_seconds)) +
                          "s"),
               408);
    return SetDeadline(kCloseGrace);
  }
  if (ec == http::error::body_limit) {
    return WriteError(
        Status(Code::kRequestEntityTooLarge,
               "Request entity too large: limit is " + std::to_string(options_.max_body_bytes)),
        413);
  }
  if (ec == http::error::header_limit) {
    return WriteError(BadRequest("Request header fields too large: limit is " +
                                 std::to_string(options_.max_header_bytes)),
                      431);
  }
  if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return WriteError(BadRequest("malformed HTTP request: " + ec.message()), 400);
  }
  // The connection ended or failed (EOF between or inside requests, reset, TLS error).
  Close();
}

void Session::Dispatch() {
  http::request<http::string_body> message = parser_->release();
  parser_.reset();
  keep_alive_ = message.keep_alive();
  head_ = message.method() == http::verb::head;
  upgrade_request_.reset();
  if (message.find(http::field::upgrade) != message.end()) {
    upgrade_request_.emplace(http::request_header<>(message.base()));
  }

  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    auto [it, inserted] = request.headers.emplace(name, std::string(field.value()));
    if (!inserted) {  // repeated header: one comma-separated value (RFC 9110 5.3)
      it->second += ", ";
      it->second += field.value();
    }
  }
  request.body = std::move(message.body());
  request.client_cert = peer_;
  request.remote_address = remote_address_;
  Status parsed = ParseTarget(request);
  if (!parsed.ok()) {
    return WriteResponse(parsed.HttpCode(), {{"Content-Type", "application/json"}},
                         StatusBody(parsed), /*close=*/false);
  }
  RequestClass klass = ClassifyRequest(request);
  if (!server_.limiter().TryAcquire(klass)) {
    // As upstream's max-in-flight filter: plain text, and client-go retries after a second.
    LOG(Debug, kComponent) << "too many requests in flight remote=" << remote_address_
                           << " flow=" << klass.flow << " mutating=" << klass.mutating;
    return WriteResponse(429,
                         {{"Content-Type", "text/plain; charset=utf-8"},
                          {"X-Content-Type-Options", "nosniff"},
                          {"Retry-After", "1"}},
                         "Too many requests, please try again later.\n", /*close=*/false);
  }
  bool submitted = server_.Submit(shared_from_this(), strand_, std::move(request), klass,
                                  [](std::shared_ptr<Session> self, HttpResponse response) {
                                    self->OnResponse(std::move(response));
                                  });
  if (!submitted) {
    server_.limiter().Release(klass);
    Close();
  }
}

void Session::OnResponse(HttpResponse response) {
  if (closed_) {
    if (response.stream) response.stream->Cancel();
    return;
  }
  if (response.upgrade) return StartUpgrade(std::move(response));
  upgrade_request_.reset();
  if (response.stream) return StartStream(std::move(response));
  WriteResponse(response.status, response.headers, std::move(response.body), /*close=*/false);
}

void Session::StartUpgrade(HttpResponse response) {
  if (!upgrade_request_ || !response.upgrade->tunnel) {
    LOG(Error, kComponent) << "handler answered an upgrade the request did not ask for";
    upgrade_request_.reset();
    keep_alive_ = false;
    return WriteResponse(500, {{"Content-Type", "application/json"}},
                         StatusBody(Internal("internal error")), /*close=*/true);
  }
  // From here on the session has no stream; closed_ keeps its handlers away from it.
  closed_ = true;
  deadline_.cancel();
  tunnel_ = http_tunnel::Start(std::move(stream_), std::move(buffer_),
                               std::move(*upgrade_request_), std::move(*response.upgrade),
                               std::move(response.headers), shared_from_this());
  upgrade_request_.reset();
}

void Session::WriteResponse(int status,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string body, bool close) {
  response_ = std::make_unique<http::response<http::string_body>>();
  response_->version(11);
  response_->result(FinalStatus(status));
  if (!CopyHeaders(headers, *response_)) close = true;
  close = close || !keep_alive_;
  response_->keep_alive(!close);
  // 204 and 304 have no body by definition (prepare_payload would throw on one).
  if (response_->result() != http::status::no_content &&
      response_->result() != http::status::not_modified) {
    response_->body() = std::move(body);
  }
  response_->prepare_payload();
  if (head_) response_->body().clear();  // Content-Length stays that of the GET
  SetDeadline(std::chrono::seconds(options_.read_timeout_seconds));
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), close](beast::error_code ec, size_t) {
                      self->OnWritten(ec, close);
                    });
}

void Session::WriteError(const Status& status, int http_code) {
  linger_ = true;
  LOG(Debug, kComponent) << "rejected request remote=" << remote_address_ << " code=" << http_code
                         << " message=" << status.message();
  WriteResponse(http_code, {{"Content-Type", "application/json"}}, StatusBody(status, http_code),
                /*close=*/true);
}

void Session::OnWritten(beast::error_code ec, bool close) {
  response_.reset();
  if (closed_) return;
  if (ec) return Close();
  if (close) return linger_ ? LingerClose() : GracefulClose();
  WaitForRequest();
}

// ---------------------------------------------------------------------------------------
// Streamed responses: chunked, one chunk per non-empty Pull().

void Session::StartStream(HttpResponse response) {
  body_stream_ = std::move(response.stream);
  stream_header_ = std::make_unique<http::response<http::empty_body>>();
  stream_header_->version(11);
  stream_header_->result(FinalStatus(response.status));
  if (!CopyHeaders(response.headers, *stream_header_)) keep_alive_ = false;
  stream_header_->keep_alive(keep_alive_);
  stream_header_->chunked(true);
  stream_serializer_.emplace(*stream_header_);
  SetDeadline(std::chrono::seconds(options_.read_timeout_seconds));
  http::async_write_header(
      stream_, *stream_serializer_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnStreamHeader(ec); });
}

void Session::OnStreamHeader(beast::error_code ec) {
  stream_serializer_.reset();
  stream_header_.reset();
  if (closed_) return;
  if (ec) return Close();
  ClearDeadline();
  link_ = std::make_shared<StreamLink>();
  link_->strand = strand_;
  link_->on_strand = [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->PullStream();
  };
  body_stream_->SetNotify([link = link_] { link->Notify(); });
  // Watch the connection while the stream runs, to cancel it when the client goes away.
  if (!reading_ && buffer_.size() == 0) StartIdleRead();
  PullStream();
}

void Session::PullStream() {
  if (closed_ || !body_stream_) return;
  if (writing_chunk_) return;  // OnChunkWritten pulls again
  chunk_.clear();
  bool more = body_stream_->Pull(chunk_);
  if (more && chunk_.empty()) return;  // wait for the next notify
  // Chunk framing (RFC 9112 7.1): size in hex, CRLF, data, CRLF; "0" CRLF CRLF ends it.
  std::vector<net::const_buffer> buffers;
  chunk_prefix_.clear();
  if (!chunk_.empty()) {
    char size[32];
    int len = std::snprintf(size, sizeof(size), "%zx\r\n", chunk_.size());
    chunk_prefix_.assign(size, static_cast<size_t>(len));
    buffers.push_back(net::buffer(chunk_prefix_));
    buffers.push_back(net::buffer(chunk_));
    buffers.push_back(net::buffer("\r\n", 2));
  }
  if (!more) buffers.push_back(net::buffer("0\r\n\r\n", 5));
  writing_chunk_ = true;
  SetDeadline(std::chrono::seconds(options_.read_timeout_seconds));
  net::async_write(stream_, buffers,
                   [self = shared_from_this(), last = !more](beast::error_code ec, size_t) {
                     self->OnChunkWritten(ec, last);
                   });
}

void Session::OnChunkWritten(beast::error_code ec, bool last) {
  writing_chunk_ = false;
  if (closed_) return;
  if (ec) return Close();
  ClearDeadline();
  // Always pull once more: a notify may have come while the chunk was written.
  if (!last) return PullStream();
  EndStream(/*cancel=*/false);
  if (!keep_alive_) return GracefulClose();
  WaitForRequest();  // a pending watch read, if any, becomes the idle read
}

// Lets go of the stream; `cancel` when it did not end by itself.
void Session::EndStream(bool cancel) {
  if (link_) {
    link_->Disarm();
    link_.reset();
  }
  std::shared_ptr<ResponseStream> stream = std::move(body_stream_);
  chunk_.clear();
  chunk_.shrink_to_fit();
  if (cancel && stream) stream->Cancel();
}

// ---------------------------------------------------------------------------------------
// Closing and deadlines

// After a final response: TLS close_notify, bounded by kCloseGrace, then close.
void Session::GracefulClose() {
  if (closed_) return;
  if (reading_) return Close();  // the TLS shutdown must not read alongside another read
  SetDeadline(kCloseGrace);
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->Close(); });
}

// After an error response to a request that was not read whole, the client may still be
// sending. Closing at once would reset the connection and could destroy the response before
// the client reads it (RFC 9112 9.6), so half-close and discard what arrives, for a while.
void Session::LingerClose() {
  if (closed_) return;
  if (reading_) return Close();
  beast::error_code ec;
  beast::get_lowest_layer(stream_).shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  SetDeadline(kCloseGrace);
  Drain();
}

void Session::Drain() {
  buffer_.clear();
  reading_ = true;
  // The raw socket: what is discarded need not be decrypted.
  beast::get_lowest_layer(stream_).async_read_some(
      buffer_.prepare(16 * 1024), [self = shared_from_this()](beast::error_code ec, size_t) {
        self->reading_ = false;
        if (self->closed_) return;
        if (ec) return self->Close();  // EOF: the client is done
        self->Drain();
      });
}

void Session::Close() {
  if (auto tunnel = tunnel_.lock()) tunnel->Close();
  if (closed_) return;
  closed_ = true;
  if (body_stream_) EndStream(/*cancel=*/true);
  deadline_.cancel();
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(stream_);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void Session::SetDeadline(std::chrono::steady_clock::duration d) {
  deadline_.expires_after(d);  // cancels the previous wait
  deadline_.async_wait([self = shared_from_this()](beast::error_code ec) { self->OnDeadline(ec); });
}

void Session::ClearDeadline() { deadline_.expires_at(net::steady_timer::time_point::max()); }

void Session::OnDeadline(beast::error_code ec) {
  if (ec || closed_) return;
  if (deadline_.expiry() > net::steady_timer::clock_type::now()) return;  // re-armed since
  if (reading_request_ && !timed_out_) {
    // A request is half read: cancel the read so that OnReadError can still answer 408.
    timed_out_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).cancel(ignored);
    SetDeadline(kCloseGrace);
    return;
  }
  LOG(Debug, kComponent) << "connection timed out remote=" << remote_address_;
  Close();
}

// ---------------------------------------------------------------------------------------
// Server

Status HttpServerImpl::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stopping_) return Internal("HTTP server already started");
  }
  MINIK_RETURN_IF_ERROR(ConfigureServerTls(tls_.native_handle(), options_));
  // The first address takes the port (0: any free one); the others share it.
  MINIK_RETURN_IF_ERROR(Listen(options_.address, options_.port, false));
  for (const std::string& extra : options_.extra_addresses) {
    if (Status st = Listen(extra, port_.load(), true); !st.ok()) {
      for (auto& l : listeners_) {
        beast::error_code ignored;
        l->acceptor.close(ignored);
      }
      listeners_.clear();
      return st;
    }
  }

  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
    io_running_ = std::max(1, options_.io_threads);
  }
  for (int i = 0; i < std::max(1, options_.worker_threads); ++i) {
    workers_.emplace_back([this] {
      std::string flow;
      FairTaskQueue::Task task;
      while (queue_.Pop(&flow, &task)) {
        task();
        task = nullptr;
        queue_.Done(flow);
      }
    });
  }
  io_work_.emplace(io_.get_executor());
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] {
      for (;;) {
        try {
          io_.run();
          break;
        } catch (const std::exception& e) {
          // A bug in a completion handler: log it and keep serving the other connections.
          LOG(Error, kComponent) << "I/O handler threw error=" << e.what();
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      --io_running_;
      io_done_.notify_all();
    });
  }
  for (auto& l : listeners_) {
    Listener* listener = l.get();
    net::post(listener->acceptor.get_executor(), [this, listener] { Accept(*listener); });
  }
  return Status::Ok();
}

Status HttpServerImpl::Listen(const std::string& address_text, int port, bool free_bind) {
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(address_text, ec);
  if (ec) return BadRequest("invalid listen address \"" + address_text + "\"");
  std::string host = address.is_v6() ? "[" + address_text + "]" : address_text;
  std::string where = "listen tcp " + host + ":" + std::to_string(port) + ": ";
  auto l = std::make_unique<Listener>(io_);
  // Worded like Go's net.Listen errors: "bind: address already in use".
  auto fail = [&](const char* op) {
    std::string message = ec.message();
    if (!message.empty()) message[0] = static_cast<char>(std::tolower(message[0]));
    beast::error_code ignored;
    l->acceptor.close(ignored);
    return Status(Code::kServiceUnavailable, where + op + ": " + message);
  };
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  l->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("socket");
  l->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (free_bind) {
    // The address may not be configured yet (the node bridge comes up after the API); the
    // socket starts accepting once it is, and is never bound to any other address.
    int one = 1;
    int level = address.is_v6() ? IPPROTO_IPV6 : IPPROTO_IP;
    int option = address.is_v6() ? IPV6_FREEBIND : IP_FREEBIND;
    if (setsockopt(l->acceptor.native_handle(), level, option, &one, sizeof(one)) != 0) {
      ec = beast::error_code(errno, boost::system::system_category());
      return fail("setsockopt");
    }
  }
  l->acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  l->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  if (listeners_.empty()) port_ = l->acceptor.local_endpoint(ec).port();
  LOG(Info, kComponent) << "serving https address=" << host << ":"
                        << l->acceptor.local_endpoint(ec).port();
  listeners_.push_back(std::move(l));
  return Status::Ok();
}

void HttpServerImpl::Accept(Listener& l) {
  l.acceptor.async_accept(net::make_strand(io_),
                          [this, &l](beast::error_code ec, tcp::socket socket) {
                            OnAccept(l, ec, std::move(socket));
                          });
}

void HttpServerImpl::OnAccept(Listener& l, beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !l.acceptor.is_open()) return;
  if (ec) {
    // EMFILE and friends: retry shortly rather than spin; fds may be freed by then.
    LOG(Warning, kComponent) << "accept failed error=" << ec.message();
    l.retry.expires_after(std::chrono::milliseconds(100));
    l.retry.async_wait([this, &l](beast::error_code ec) {
      if (!ec && l.acceptor.is_open()) Accept(l);
    });
    return;
  }
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;  // the socket closes as it goes out of scope
    if (sessions_.size() >= options_.max_connections) {
      LOG(Warning, kComponent) << "connection refused: max_connections="
                               << options_.max_connections;
    } else {
      session = std::make_shared<Session>(std::move(socket), tls_, *this);
      sessions_.emplace(session.get(), session);
    }
  }
  if (session) session->Start();
  Accept(l);
}

bool HttpServerImpl::Submit(std::shared_ptr<Session> session, Executor strand, HttpRequest request,
                            RequestClass klass,
                            std::function<void(std::shared_ptr<Session>, HttpResponse)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  std::string flow = klass.flow;
  const bool capped = !klass.exempt;
  // std::function needs a copyable callable: the move-only parts travel in a shared_ptr.
  struct Job {
    std::shared_ptr<Session> session;
    Executor strand;
    HttpRequest request;
    RequestClass klass;
    std::function<void(std::shared_ptr<Session>, HttpResponse)> done;
  };
  auto job = std::make_shared<Job>(Job{std::move(session), std::move(strand), std::move(request),
                                       std::move(klass), std::move(done)});
  queue_.Push(flow, [this, job] {
    auto& [session, strand, request, klass, done] = *job;
    auto pending = std::make_shared<PendingResponse>();
    try {
      pending->response = handler_.Handle(request);
    } catch (const std::exception& e) {
      // Handlers return Status; an exception is a bug, but it must not take the server down.
      LOG(Error, kComponent) << "handler threw method=" << request.method
                             << " path=" << request.path << " error=" << e.what();
      pending->response = HttpResponse{};
      pending->response.status = 500;
      pending->response.headers = {{"Content-Type", "application/json"}};
      pending->response.body = StatusBody(Internal("internal error"));
    }
    limiter_.Release(klass);
    net::post(strand, [session = std::move(session), pending, done = std::move(done)] {
      done(session, std::move(pending->response));
      pending->response.stream = nullptr;
    });
  }, capped);
  return true;
}

void HttpServerImpl::Stop() {
  std::vector<std::weak_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    if (!started_) return;
    for (auto& [ptr, weak] : sessions_) sessions.push_back(weak);
  }
  for (auto& l : listeners_) {
    Listener* listener = l.get();
    net::post(listener->acceptor.get_executor(), [listener] {
      beast::error_code ignored;
      listener->acceptor.close(ignored);
      listener->retry.cancel();
    });
  }
  for (auto& weak : sessions) {
    if (auto session = weak.lock()) session->CloseAsync();
  }
  sessions.clear();
  // Handlers in flight and queued finish; their responses reach closed sessions, which
  // cancel streams.
  queue_.Close();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  io_work_.reset();
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!io_done_.wait_for(lock, std::chrono::seconds(5), [this] { return io_running_ == 0; })) {
      LOG(Warning, kComponent) << "connections did not close in time; stopping I/O";
      io_.stop();
    }
  }
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  LOG(Info, kComponent) << "stopped";
}

}  // namespace

std::unique_ptr<HttpServer> NewHttpServer(const HttpServerOptions& options, HttpHandler& handler) {
  return std::make_unique<HttpServerImpl>(options, handler);
}

}  // namespace minik
