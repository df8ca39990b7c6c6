// The Ingress reverse proxy (see ingress_proxy.h for the contract and threads).
//
// Each I/O thread runs its own io_context (no strands, no cross-thread hand-offs: on a
// paravirtualized host a wake-up costs more than the proxying) with its own upstream pool;
// accepted connections are dealt round-robin. Each client connection is one coroutine
// (Session::Run) on its worker's io_context. Requests are read
// with Beast parsers (header first); heads are written by hand; bodies are relayed in a 64 KiB
// buffer: Content-Length bodies as raw bytes (no parser copy), chunked bodies through a
// buffer_body parser and re-chunked, EOF-delimited responses until EOF. A Watchdog coroutine on
// the same io_context closes the sockets armed for the current phase when its deadline passes.
//
// Lifetime: the io_context is destroyed by Stop() (after the threads are joined, the pool and
// the acceptors are emptied), which destroys every suspended coroutine frame and so closes
// every connection. Frames touch the proxy only while running, never in destructors.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded
#if defined(__clang__) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
// Boost 1.74 only recognizes clang's pre-standard coroutines; the standard ones work.
#define BOOST_ASIO_HAS_CO_AWAIT 1
#define BOOST_ASIO_HAS_STD_COROUTINE 1
#endif
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "api/log.h"
#include "netproxy/ingress_proxy.h"
#include "netproxy/ingress_tls.h"

namespace minik::netproxy {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using TlsStream = ssl::stream<tcp::socket>;

constexpr char kComponent[] = "ingress";
constexpr size_t kRelayBuffer = 256 * 1024;
// Bodies at least this long (beyond what was read with the head) are spliced.
constexpr uint64_t kSpliceMin = 64 * 1024;
// The splice pipe's capacity: a 1 MiB body crosses in one splice each way when it can.
constexpr size_t kPipeSize = 1024 * 1024;
// Pooled upstream connections older than this are dropped (servers close idle ones at 60 s+).
constexpr std::chrono::seconds kPoolIdle(30);

auto Redirect(error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

// ---- watchdog --------------------------------------------------------------------------

// The timeouts of one connection: Arm() sets the deadline of the current phase and which
// sockets to close when it passes. Touched only on the connection's worker thread.
struct Watchdog {
  explicit Watchdog(const net::any_io_executor& ex) : timer(ex) {}

  void Arm(std::chrono::milliseconds d, tcp::socket* client, tcp::socket* upstream) {
    deadline = SteadyClock::now() + d;
    client_ = client;
    upstream_ = upstream;
    expired = false;
    if (deadline < timer.expiry()) timer.expires_at(deadline);  // wakes Run() to re-arm
  }
  // Progress: the same sockets get another `d` (a no-op for the timer unless it is earlier).
  void Extend(std::chrono::milliseconds d) {
    deadline = SteadyClock::now() + d;
    if (deadline < timer.expiry()) timer.expires_at(deadline);
  }
  void Finish() {
    done = true;
    timer.cancel();
  }

  static net::awaitable<void> Run(std::shared_ptr<Watchdog> w) {
    while (!w->done) {
      w->timer.expires_at(w->deadline);
      error_code ec;
      co_await w->timer.async_wait(Redirect(ec));
      if (w->done) break;
      if (SteadyClock::now() < w->deadline) continue;
      w->expired = true;
      w->deadline = SteadyClock::time_point::max();
      error_code ignored;
      if (w->client_ != nullptr) w->client_->close(ignored);
      if (w->upstream_ != nullptr) w->upstream_->close(ignored);
    }
  }

  net::steady_timer timer;
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
  bool expired = false;
  bool done = false;

 private:
  tcp::socket* client_ = nullptr;
  tcp::socket* upstream_ = nullptr;
};

// ---- upstream pool ---------------------------------------------------------------------

// A socket still usable for a new request: open, no EOF and no unexpected bytes pending.
bool StillOpen(tcp::socket& s) {
  char c;
  ssize_t n = ::recv(s.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

class UpstreamPool {
 public:
  explicit UpstreamPool(size_t max_per_endpoint) : max_(max_per_endpoint) {}

  // An idle connection to `key`. `check` verifies that the server has not closed it (a
  // syscall; requests that can be retried skip it).
  std::optional<tcp::socket> Take(const std::string& key, bool check) {
    std::optional<tcp::socket> out;
    std::vector<tcp::socket> stale;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = idle_.find(key);
      if (it == idle_.end()) return out;
      auto& q = it->second;
      auto now = SteadyClock::now();
      while (!q.empty() && !out) {
        Idle idle = std::move(q.back());
        q.pop_back();
        if (now - idle.since > kPoolIdle) {
          stale.push_back(std::move(idle.sock));
          continue;
        }
        out.emplace(std::move(idle.sock));
      }
    }
    if (out && check && !StillOpen(*out)) out.reset();
    return out;
  }

  void Put(const std::string& key, tcp::socket s) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& q = idle_[key];
    if (q.size() >= max_) q.pop_front();
    q.push_back({std::move(s), SteadyClock::now()});
  }

  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.clear();
  }

 private:
  struct Idle {
    tcp::socket sock;
    SteadyClock::time_point since;
  };
  const size_t max_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Idle>> idle_;
};

// ---- header helpers --------------------------------------------------------------------

bool HasToken(std::string_view list, std::string_view token) {
  for (auto t : http::token_list(list)) {
    if (beast::iequals(t, token)) return true;
  }
  return false;
}

// Hop-by-hop headers (RFC 9110 7.6.1) and those the proxy sets itself.
bool DroppedRequestField(http::field f) {
  switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
    case http::field::proxy_authorization:
    case http::field::content_length:
    case http::field::expect:
      return true;
    default:
      return false;
  }
}

bool DroppedResponseField(http::field f) {
  switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
    case http::field::proxy_authenticate:
    case http::field::content_length:
      return true;
    default:
      return false;
  }
}

template <class Fields>
void AppendFields(std::string& out, const Fields& fields, bool request) {
  std::string_view connection = fields[http::field::connection];
  for (const auto& f : fields) {
    if (request ? DroppedRequestField(f.name()) : DroppedResponseField(f.name())) continue;
    std::string_view name = f.name_string();
    if (request && (beast::iequals(name, "X-Real-IP") ||
                    beast::iequals(name, "X-Forwarded-For") || beast::iequals(name, "X-Forwarded-Proto") ||
                    beast::iequals(name, "X-Forwarded-Host") ||
                    beast::iequals(name, "X-Forwarded-Port"))) {
      continue;
    }
    if (!connection.empty() && HasToken(connection, name)) continue;
    out.append(name).append(": ").append(f.value()).append("\r\n");
  }
}

std::string ErrorPage(int status, std::string_view reason) {
  std::string code = std::to_string(status);
  return "<html>\r\n<head><title>" + code + " " + std::string(reason) +
         "</title></head>\r\n<body>\r\n<center><h1>" + code + " " + std::string(reason) +
         "</h1></center>\r\n<hr><center>minik ingress</center>\r\n</body>\r\n</html>\r\n";
}

std::string HexSize(size_t n) {
  char buf[24];
  int len = snprintf(buf, sizeof buf, "%zx\r\n", n);
  return std::string(buf, static_cast<size_t>(len));
}

enum class BodyKind { kNone, kLength, kChunked, kUntilEof };

// ---- the proxy -------------------------------------------------------------------------

class IngressProxyImpl;

// Relay buffers (kRelayBuffer bytes) reused by one worker's connections: a connection holds
// one only while it relays a body, so idle keep-alive connections cost none, and big buffers
// are not mapped and unmapped per request. Worker thread only.
class BufferPool {
 public:
  std::unique_ptr<char[]> Get() {
    if (free_.empty()) return std::make_unique<char[]>(kRelayBuffer);
    std::unique_ptr<char[]> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Put(std::unique_ptr<char[]> b) {
    if (b && free_.size() < kMaxFree) free_.push_back(std::move(b));
  }

 private:
  static constexpr size_t kMaxFree = 16;
  std::vector<std::unique_ptr<char[]>> free_;
};

struct BufferLease {
  explicit BufferLease(BufferPool& p) : pool(p), buf(p.Get()) {}
  ~BufferLease() { pool.Put(std::move(buf)); }
  BufferLease(const BufferLease&) = delete;
  BufferLease& operator=(const BufferLease&) = delete;
  char* get() { return buf.get(); }
  BufferPool& pool;
  std::unique_ptr<char[]> buf;
};

// One I/O thread: its io_context (every socket of its connections), upstream pool and relay
// buffers. `buffers` is declared first: connections destroyed with `io` return theirs.
struct Worker {
  explicit Worker(size_t max_idle) : io(1), pool(max_idle) {}
  BufferPool buffers;
  net::io_context io;
  UpstreamPool pool;
  std::thread thread;
};

// What a request was routed to, and the connection it uses.
struct Upstream {
  explicit Upstream(tcp::socket s) : sock(std::move(s)) {}
  tcp::socket sock;
  beast::flat_buffer buf;
  std::string key;  // "ip:port"
  bool pooled = false;
};

// Reads an upstream response head into `buf` and rewrites bare LF line ends in it to CRLF:
// CGI programs behind busybox httpd (and other small servers) end header lines with "\n",
// which Beast's strict parser refuses and nginx accepts. A complete head is left for
// async_read_header to parse without reading again. Errors as the socket's; an oversized
// head is left to the parser's header_limit.
net::awaitable<void> ReadTolerantHead(tcp::socket& sock, beast::flat_buffer& buf, size_t limit,
                                      error_code& ec) {
  for (;;) {
    std::string_view have(static_cast<const char*>(buf.data().data()), buf.size());
    size_t lf_lf = have.find("\n\n"), lf_crlf = have.find("\n\r\n");
    size_t end = std::min(lf_lf == std::string_view::npos ? lf_lf : lf_lf + 2,
                          lf_crlf == std::string_view::npos ? lf_crlf : lf_crlf + 3);
    if (end != std::string_view::npos) {
      std::string_view head = have.substr(0, end);
      bool bare = false;
      for (size_t i = 0; i < head.size() && !bare; ++i) bare = head[i] == '\n' && (i == 0 || head[i - 1] != '\r');
      if (!bare) co_return;
      std::string fixed;
      fixed.reserve(head.size() + 32);
      for (size_t i = 0; i < head.size(); ++i) {
        if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) fixed += '\r';
        fixed += head[i];
      }
      fixed.append(have.substr(end));
      buf.consume(buf.size());
      auto out = buf.prepare(fixed.size());
      net::buffer_copy(out, net::buffer(fixed));
      buf.commit(fixed.size());
      co_return;
    }
    if (buf.size() > limit) co_return;
    size_t n = co_await sock.async_read_some(buf.prepare(16 * 1024), Redirect(ec));
    if (ec) co_return;
    buf.commit(n);
  }
}

template <class Stream>
class Session {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(IngressProxyImpl& proxy, Worker& worker, Stream stream, int port);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  net::awaitable<void> Run();

 private:
  tcp::socket& ClientSocket() { return beast::get_lowest_layer(stream_); }
  const IngressProxyOptions& options() const;
  // Serves one request; false when the connection must close.
  net::awaitable<bool> ServeOne();
  net::awaitable<bool> Forward(http::request_parser<http::buffer_body>& req_p, const RouteMatch& m);
  net::awaitable<std::optional<Upstream>> Connect(const IngressBackend& backend,
                                                  const IngressEndpoint* first, bool fresh,
                                                  bool retryable_request);
  net::awaitable<bool> SendError(int status, bool keep);
  std::string RequestHead(const http::request<http::buffer_body>& req, BodyKind kind,
                          uint64_t length, bool upgrade, const Upstream& up);
  template <class In, class Out, class Parser>
  net::awaitable<bool> RelayBody(In& in, beast::flat_buffer& in_buf, Parser& p, BodyKind kind,
                                 uint64_t length, Out& out, bool chunk_out,
                                 std::string_view head);
  net::awaitable<bool> Splice(tcp::socket& in, tcp::socket& out, uint64_t left);
  net::awaitable<void> Tunnel(Upstream& up);
  template <class In, class Out>
  net::awaitable<void> Pump(In& in, Out& out, char* buf, bool* other_done);

  IngressProxyImpl& proxy_;
  Worker& worker_;
  Stream stream_;
  const int port_;
  std::string client_ip_;
  beast::flat_buffer buf_;
  std::shared_ptr<Watchdog> watchdog_;
  int pipe_[2] = {-1, -1};  // for Splice, made on first use
  size_t pipe_size_ = 0;
};

class IngressProxyImpl final : public IngressProxy {
 public:
  explicit IngressProxyImpl(const IngressProxyOptions& options)
      : options_(options) {}
  ~IngressProxyImpl() override { Stop(); }

  Status Start() override;
  void Stop() override;
  int http_port() const override { return http_port_; }
  int https_port() const override { return https_port_; }
  void SetRoutes(RoutesPtr routes) override;

  const IngressProxyOptions& options() const { return options_; }
  RoutesPtr routes() {
    std::lock_guard<std::mutex> lock(mu_);
    return routes_;
  }

 private:
  struct Listener {
    tcp::acceptor acceptor;
    bool tls;
    int port;
  };
  static int OnServerName(SSL* ssl, int* alert, void* arg);
  Status Listen(const std::string& address, int* port, bool tls);
  net::awaitable<void> Accept(Listener& l);

  const IngressProxyOptions options_;
  std::unique_ptr<ssl::context> tls_;
  std::mutex mu_;
  RoutesPtr routes_ = std::make_shared<IngressRoutes>();
  // Per TLS secret: its resourceVersion and server context (null: the secret is bad).
  std::unordered_map<std::string, std::pair<std::string, std::shared_ptr<SSL_CTX>>> contexts_;
  std::vector<std::unique_ptr<Worker>> workers_;  // listeners run on workers_[0]
  size_t next_worker_ = 0;                        // workers_[0]'s thread only
  std::vector<std::unique_ptr<Listener>> listeners_;
  int http_port_ = 0;
  int https_port_ = 0;
  bool started_ = false;
};

template <class Stream>
Session<Stream>::Session(IngressProxyImpl& proxy, Worker& worker, Stream stream, int port)
    : proxy_(proxy), worker_(worker), stream_(std::move(stream)), port_(port) {
  error_code ec;
  tcp::endpoint remote = ClientSocket().remote_endpoint(ec);
  client_ip_ = ec ? "" : remote.address().to_string();
  watchdog_ = std::make_shared<Watchdog>(ClientSocket().get_executor());
}

template <class Stream>
Session<Stream>::~Session() {
  if (pipe_[0] >= 0) {
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }
}

// Moves `left` bytes from `in` to `out` through a pipe with splice(2): the body pages go from
// one socket to the other without being copied through user space (plain TCP on both sides).
template <class Stream>
net::awaitable<bool> Session<Stream>::Splice(tcp::socket& in, tcp::socket& out, uint64_t left) {
  error_code ec;
  if (pipe_[0] < 0) {
    if (::pipe2(pipe_, O_NONBLOCK | O_CLOEXEC) != 0) {
      pipe_[0] = pipe_[1] = -1;
      co_return false;
    }
    int size = ::fcntl(pipe_[1], F_SETPIPE_SZ, static_cast<int>(kPipeSize));  // best effort
    pipe_size_ = size > 0 ? static_cast<size_t>(size) : 64 * 1024;
  }
  // (native_non_blocking(true) is an ioctl each time: only when not set yet.)
  if (!in.native_non_blocking()) in.native_non_blocking(true, ec);
  if (!ec && !out.native_non_blocking()) out.native_non_blocking(true, ec);
  if (ec) co_return false;
  size_t in_pipe = 0;
  while (left > 0 || in_pipe > 0) {
    bool moved = false;
    if (left > 0 && in_pipe < pipe_size_) {
      ssize_t n = ::splice(in.native_handle(), nullptr, pipe_[1], nullptr,
                           static_cast<size_t>(std::min<uint64_t>(left, pipe_size_ - in_pipe)),
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n == 0) co_return false;  // the body ended early
      if (n > 0) {
        left -= static_cast<uint64_t>(n);
        in_pipe += static_cast<size_t>(n);
        moved = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        co_return false;
      }
    }
    if (in_pipe > 0) {
      ssize_t n = ::splice(pipe_[0], nullptr, out.native_handle(), nullptr, in_pipe,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        in_pipe -= static_cast<size_t>(n);
        moved = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        co_return false;
      }
    }
    if (moved) {
      watchdog_->Extend(options().read_timeout);
      continue;
    }
    // Nothing moved: wait for the reader while the pipe is empty, else for the writer.
    if (in_pipe == 0) {
      co_await in.async_wait(tcp::socket::wait_read, Redirect(ec));
    } else {
      co_await out.async_wait(tcp::socket::wait_write, Redirect(ec));
    }
    if (ec) co_return false;
  }
  co_return true;
}

template <class Stream>
const IngressProxyOptions& Session<Stream>::options() const {
  return proxy_.options();
}

template <class Stream>
net::awaitable<void> Session<Stream>::Run() {
  net::co_spawn(ClientSocket().get_executor(), Watchdog::Run(watchdog_), net::detached);
  bool ok = true;
  if constexpr (kTls) {
    watchdog_->Arm(options().read_timeout, &ClientSocket(), nullptr);
    error_code ec;
    co_await stream_.async_handshake(ssl::stream_base::server, Redirect(ec));
    if (ec) {
      LOG(Debug, kComponent) << "TLS handshake failed client=" << client_ip_ << ": " << ec.message();
      ok = false;
    }
  }
  while (ok) ok = co_await ServeOne();
  watchdog_->Finish();
  error_code ignored;
  ClientSocket().shutdown(tcp::socket::shutdown_both, ignored);
  ClientSocket().close(ignored);
}

template <class Stream>
net::awaitable<bool> Session<Stream>::SendError(int status, bool keep) {
  auto reason = http::obsolete_reason(static_cast<http::status>(status));
  std::string body = ErrorPage(status, reason);
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                     "\r\nContent-Type: text/html\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n" +
                     (keep ? "" : "Connection: close\r\n") + "\r\n";
  watchdog_->Arm(options().read_timeout, &ClientSocket(), nullptr);
  error_code ec;
  std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(body)};
  co_await net::async_write(stream_, bufs, Redirect(ec));
  co_return keep && !ec;
}

template <class Stream>
net::awaitable<bool> Session<Stream>::ServeOne() {
  http::request_parser<http::buffer_body> req_p;
  req_p.header_limit(static_cast<uint32_t>(options().max_header_bytes));
  req_p.body_limit(std::numeric_limits<uint64_t>::max());
  watchdog_->Arm(options().keep_alive_timeout, &ClientSocket(), nullptr);
  error_code ec;
  co_await http::async_read_header(stream_, buf_, req_p, Redirect(ec));
  if (ec) {
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      LOG(Debug, kComponent) << "bad request client=" << client_ip_ << ": " << ec.message();
      co_await SendError(400, false);
    }
    co_return false;
  }
  auto& req = req_p.get();
  std::string_view target = req.target();
  std::string host(req[http::field::host]);
  std::string path;
  if (!target.empty() && target.front() == '/') {
    path = RoutingPath(target);
  } else if (size_t scheme = target.find("://"); scheme != std::string_view::npos &&
             (beast::iequals(target.substr(0, scheme), "http") ||
              beast::iequals(target.substr(0, scheme), "https"))) {
    // absolute-form: the authority is the host (RFC 9112 3.2.2).
    std::string_view rest = target.substr(scheme + 3);
    size_t slash = rest.find_first_of("/?");
    host = std::string(rest.substr(0, slash));
    path = RoutingPath(slash == std::string_view::npos ? "/" : rest.substr(slash));
  } else {
    co_await SendError(400, false);
    co_return false;
  }
  if (req.version() >= 11 && req.find(http::field::host) == req.end()) {
    co_await SendError(400, false);
    co_return false;
  }
  const bool has_body = !req_p.is_done();
  RoutesPtr routes = proxy_.routes();
  RouteMatch m = routes->Match(host, path);
  if (m.backend == nullptr) co_return co_await SendError(404, req.keep_alive() && !has_body);
  if (m.backend->endpoints.empty()) {
    LOG(Debug, kComponent) << "503 host=" << host << " path=" << path << ": " << m.backend->error;
    co_return co_await SendError(503, req.keep_alive() && !has_body);
  }
  co_return co_await Forward(req_p, m);
}

template <class Stream>
net::awaitable<std::optional<Upstream>> Session<Stream>::Connect(const IngressBackend& backend,
                                                                 const IngressEndpoint* first,
                                                                 bool fresh,
                                                                 bool retryable_request) {
  const IngressEndpoint* ep = first;
  // A request without a body is sent again when a pooled connection turns out closed; one
  // with a body is not, so its connection is checked first.
  const bool check_pooled = !retryable_request;
  for (int attempt = 0; attempt < 2 && ep != nullptr; ++attempt) {
    std::string key = ep->ip + ":" + std::to_string(ep->port);
    if (!fresh) {
      if (std::optional<tcp::socket> s = worker_.pool.Take(key, check_pooled)) {
        Upstream up(std::move(*s));
        up.key = std::move(key);
        up.pooled = true;
        co_return up;
      }
    }
    error_code ec;
    net::ip::address addr = net::ip::make_address(ep->ip, ec);
    if (!ec) {
      Upstream up(tcp::socket(worker_.io.get_executor()));
      up.key = key;
      watchdog_->Arm(options().connect_timeout, nullptr, &up.sock);
      co_await up.sock.async_connect(tcp::endpoint(addr, static_cast<uint16_t>(ep->port)),
                                     Redirect(ec));
      if (watchdog_->expired && !ec) ec = net::error::timed_out;
      if (!ec) {
        up.sock.set_option(tcp::no_delay(true), ec);
        co_return up;
      }
    }
    LOG(Info, kComponent) << "upstream " << key << " of " << backend.name
                          << " unreachable: " << ec.message();
    // Another ready endpoint, once.
    const IngressEndpoint* next = backend.endpoints.size() > 1 ? backend.Pick() : nullptr;
    if (next == ep) next = backend.Pick();
    ep = next == ep ? nullptr : next;
  }
  co_return std::nullopt;
}

template <class Stream>
std::string Session<Stream>::RequestHead(const http::request<http::buffer_body>& req,
                                         BodyKind kind, uint64_t length, bool upgrade,
                                         const Upstream& up) {
  std::string head;
  head.reserve(512);
  head.append(req.method_string()).append(" ").append(req.target()).append(" HTTP/1.1\r\n");
  if (req.find(http::field::host) == req.end()) head.append("Host: ").append(up.key).append("\r\n");
  AppendFields(head, req, true);
  std::string_view xff = req["X-Forwarded-For"];
  head.append("X-Forwarded-For: ");
  if (!xff.empty()) head.append(xff).append(", ");
  head.append(client_ip_).append("\r\nX-Real-IP: ").append(client_ip_);
  head.append("\r\nX-Forwarded-Proto: ").append(kTls ? "https" : "http");
  head.append("\r\nX-Forwarded-Host: ").append(req[http::field::host]);
  head.append("\r\nX-Forwarded-Port: ").append(std::to_string(port_)).append("\r\n");
  if (kind == BodyKind::kChunked) head.append("Transfer-Encoding: chunked\r\n");
  if (kind == BodyKind::kLength) head.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
  if (upgrade) {
    head.append("Connection: upgrade\r\nUpgrade: ").append(req[http::field::upgrade]).append("\r\n");
  }
  head.append("\r\n");
  return head;
}

// Relays a body after its head: `head` goes out first (with the start of the body when it
// is already buffered, in one write). kLength: `length` raw bytes; kChunked: decoded by `p`
// and written chunked (or raw when !chunk_out); kUntilEof: until `in` ends.
template <class Stream>
template <class In, class Out, class Parser>
net::awaitable<bool> Session<Stream>::RelayBody(In& in, beast::flat_buffer& in_buf, Parser& p,
                                                BodyKind kind, uint64_t length, Out& out,
                                                bool chunk_out, std::string_view head) {
  error_code ec;
  if (kind == BodyKind::kNone || kind == BodyKind::kLength) {
    size_t first = static_cast<size_t>(std::min<uint64_t>(in_buf.size(), length));
    std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(in_buf.data().data(), first)};
    co_await net::async_write(out, bufs, Redirect(ec));
    if (ec) co_return false;
    in_buf.consume(first);
    uint64_t left = length - first;
    if constexpr (std::is_same_v<In, tcp::socket> && std::is_same_v<Out, tcp::socket>) {
      if (left >= kSpliceMin) co_return co_await Splice(in, out, left);
    }
    std::optional<BufferLease> lease;
    if (left > 0) lease.emplace(worker_.buffers);
    char* buf = left > 0 ? lease->get() : nullptr;
    while (left > 0) {
      watchdog_->Extend(options().read_timeout);
      size_t n = co_await in.async_read_some(
          net::buffer(buf, static_cast<size_t>(std::min<uint64_t>(left, kRelayBuffer))), Redirect(ec));
      if (ec) co_return false;
      co_await net::async_write(out, net::buffer(buf, n), Redirect(ec));
      if (ec) co_return false;
      left -= n;
    }
    co_return true;
  }
  co_await net::async_write(out, net::buffer(head), Redirect(ec));
  if (ec) co_return false;
  BufferLease lease(worker_.buffers);
  char* buf = lease.get();
  auto write_piece = [&](size_t n) -> net::awaitable<bool> {
    error_code wec;
    if (n == 0) co_return true;
    if (chunk_out) {
      std::string prefix = HexSize(n);
      std::array<net::const_buffer, 3> bufs{net::buffer(prefix), net::buffer(buf, n),
                                            net::buffer("\r\n", 2)};
      co_await net::async_write(out, bufs, Redirect(wec));
    } else {
      co_await net::async_write(out, net::buffer(buf, n), Redirect(wec));
    }
    co_return !wec;
  };
  if (kind == BodyKind::kChunked) {
    while (!p.is_done()) {
      p.get().body().data = buf;
      p.get().body().size = kRelayBuffer;
      co_await http::async_read_some(in, in_buf, p, Redirect(ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return false;
      if (!co_await write_piece(kRelayBuffer - p.get().body().size)) co_return false;
      watchdog_->Extend(options().read_timeout);
    }
  } else {  // kUntilEof
    size_t first = std::min(in_buf.size(), kRelayBuffer);
    memcpy(buf, in_buf.data().data(), first);
    in_buf.consume(first);
    if (!co_await write_piece(first)) co_return false;
    for (;;) {
      size_t n = co_await in.async_read_some(net::buffer(buf, kRelayBuffer), Redirect(ec));
      if (ec == net::error::eof || ec == ssl::error::stream_truncated) break;
      if (ec) co_return false;
      if (!co_await write_piece(n)) co_return false;
      watchdog_->Extend(options().read_timeout);
    }
  }
  if (chunk_out) {
    co_await net::async_write(out, net::buffer("0\r\n\r\n", 5), Redirect(ec));
    if (ec) co_return false;
  }
  co_return true;
}

template <class Stream>
net::awaitable<bool> Session<Stream>::Forward(http::request_parser<http::buffer_body>& req_p,
                                              const RouteMatch& m) {
  auto& req = req_p.get();
  BodyKind req_kind = req_p.is_done() ? BodyKind::kNone
                      : req_p.chunked() ? BodyKind::kChunked
                                        : BodyKind::kLength;
  uint64_t req_length = req_kind == BodyKind::kLength ? *req_p.content_length() : 0;
  const bool upgrade = req.find(http::field::upgrade) != req.end() &&
                       HasToken(req[http::field::connection], "upgrade");
  const bool head_method = req.method() == http::verb::head;
  const bool client_keep = req.keep_alive();
  const bool expect_continue = req_kind != BodyKind::kNone && req.version() >= 11 &&
                               beast::iequals(req[http::field::expect], "100-continue");
  const IngressEndpoint* ep = m.backend->Pick();
  bool sent_continue = false;

  for (int attempt = 0;; ++attempt) {
    std::optional<Upstream> up =
        co_await Connect(*m.backend, ep, attempt > 0, req_kind == BodyKind::kNone);
    if (!up) co_return co_await SendError(502, false);
    // A pooled connection the server closed meanwhile fails before any answer: the request
    // is sent again on a new connection when that is safe (its body not consumed yet).
    const bool retryable = up->pooled && req_kind == BodyKind::kNone && attempt == 0;
    std::string head = RequestHead(req, req_kind, req_length, upgrade, *up);
    watchdog_->Arm(options().read_timeout, &ClientSocket(), &up->sock);
    if (expect_continue && !sent_continue) {
      error_code ec;
      co_await net::async_write(stream_, net::buffer("HTTP/1.1 100 Continue\r\n\r\n", 25),
                                Redirect(ec));
      if (ec) co_return false;
      sent_continue = true;
    }
    bool sent = co_await RelayBody(stream_, buf_, req_p, req_kind, req_length, up->sock,
                                   req_kind == BodyKind::kChunked, head);
    if (!sent) {
      if (retryable) continue;
      if (!ClientSocket().is_open()) co_return false;
      co_return co_await SendError(502, false);
    }

    // The response header; interim 1xx answers (but 101) are skipped.
    std::optional<http::response_parser<http::buffer_body>> res_p;
    error_code ec;
    do {
      res_p.emplace();
      res_p->header_limit(static_cast<uint32_t>(options().max_header_bytes));
      res_p->body_limit(std::numeric_limits<uint64_t>::max());
      if (head_method) res_p->skip(true);
      watchdog_->Arm(options().read_timeout, nullptr, &up->sock);
      co_await ReadTolerantHead(up->sock, up->buf, options().max_header_bytes, ec);
      if (ec) break;
      co_await http::async_read_header(up->sock, up->buf, *res_p, Redirect(ec));
    } while (!ec && res_p->get().result_int() / 100 == 1 && res_p->get().result_int() != 101);
    if (ec) {
      if (retryable && !watchdog_->expired && up->buf.size() == 0) continue;
      LOG(Info, kComponent) << "upstream " << up->key << " of " << m.backend->name
                            << (watchdog_->expired ? " timed out" : " failed") << ": "
                            << ec.message();
      co_return co_await SendError(watchdog_->expired ? 504 : 502,
                                   client_keep && req_kind == BodyKind::kNone);
    }
    auto& res = res_p->get();
    const int status = res.result_int();
    if (status == 101 && !upgrade) co_return co_await SendError(502, false);

    BodyKind kind = res_p->is_done() ? BodyKind::kNone
                    : res_p->chunked() ? BodyKind::kChunked
                    : res_p->content_length() ? BodyKind::kLength
                                              : BodyKind::kUntilEof;
    uint64_t length = kind == BodyKind::kLength ? *res_p->content_length() : 0;
    bool chunk_out = false;
    bool keep = client_keep;
    std::string out;
    out.reserve(512);
    std::string_view reason = res.reason();
    if (reason.empty()) reason = http::obsolete_reason(res.result());
    out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reason).append("\r\n");
    AppendFields(out, res, false);
    if (status == 101) {
      out.append("Connection: upgrade\r\nUpgrade: ").append(res[http::field::upgrade]).append("\r\n\r\n");
      co_await net::async_write(stream_, net::buffer(out), Redirect(ec));
      if (ec) co_return false;
      co_await Tunnel(*up);
      co_return false;
    }
    if (kind == BodyKind::kLength) {
      out.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
    } else if (kind == BodyKind::kNone) {
      if (head_method && res.find(http::field::content_length) != res.end())
        out.append("Content-Length: ").append(res[http::field::content_length]).append("\r\n");
      else if (!head_method && status != 204 && status != 304)
        out.append("Content-Length: 0\r\n");
    } else if (req.version() >= 11) {
      out.append("Transfer-Encoding: chunked\r\n");
      chunk_out = true;
    } else {
      keep = false;  // an HTTP/1.0 client learns the end from the close
    }
    if (!keep) out.append("Connection: close\r\n");
    else if (req.version() < 11) out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
    watchdog_->Arm(options().read_timeout, &ClientSocket(), &up->sock);
    if (!co_await RelayBody(up->sock, up->buf, *res_p, kind, length, stream_, chunk_out, out))
      co_return false;
    if (res.keep_alive() && kind != BodyKind::kUntilEof && up->buf.size() == 0 &&
        up->sock.is_open()) {
      worker_.pool.Put(up->key, std::move(up->sock));
    }
    co_return keep;
  }
}

template <class Stream>
template <class In, class Out>
net::awaitable<void> Session<Stream>::Pump(In& in, Out& out, char* buf, bool* done) {
  error_code ec;
  for (;;) {
    size_t n = co_await in.async_read_some(net::buffer(buf, kRelayBuffer), Redirect(ec));
    if (ec) break;
    watchdog_->Arm(options().read_timeout, &beast::get_lowest_layer(in),
                   &beast::get_lowest_layer(out));
    co_await net::async_write(out, net::buffer(buf, n), Redirect(ec));
    if (ec) break;
  }
  // Either side ending ends the tunnel: the other pump's read fails at once.
  error_code ignored;
  beast::get_lowest_layer(in).close(ignored);
  beast::get_lowest_layer(out).close(ignored);
  *done = true;
}

// After a 101: bytes both ways until either side ends (or stays silent for read_timeout),
// then both are closed.
template <class Stream>
net::awaitable<void> Session<Stream>::Tunnel(Upstream& up) {
  error_code ec;
  if (buf_.size() > 0) {
    co_await net::async_write(up.sock, buf_.data(), Redirect(ec));
    buf_.consume(buf_.size());
  }
  if (!ec && up.buf.size() > 0) {
    co_await net::async_write(stream_, up.buf.data(), Redirect(ec));
    up.buf.consume(up.buf.size());
  }
  if (ec) co_return;
  BufferLease down_buf(worker_.buffers);
  BufferLease up_buf(worker_.buffers);
  // The downstream pump runs beside this coroutine; a timer set to "never" is the event
  // that says it has ended.
  net::steady_timer ended(ClientSocket().get_executor(), SteadyClock::time_point::max());
  bool down_done = false;
  bool up_done = false;
  watchdog_->Arm(options().read_timeout, &ClientSocket(), &up.sock);
  net::co_spawn(
      ClientSocket().get_executor(),
      [&]() -> net::awaitable<void> { co_await Pump(up.sock, stream_, down_buf.get(), &down_done); },
      [&](std::exception_ptr) { ended.cancel(); });
  co_await Pump(stream_, up.sock, up_buf.get(), &up_done);
  error_code ignored;
  up.sock.close(ignored);
  ClientSocket().close(ignored);
  while (!down_done) co_await ended.async_wait(Redirect(ec));
}

// ---- listeners -------------------------------------------------------------------------

Status IngressProxyImpl::Listen(const std::string& address, int* port, bool tls) {
  error_code ec;
  net::ip::address addr = net::ip::make_address(address, ec);
  if (ec) return BadRequest("bad listen address \"" + address + "\"");
  auto l = std::make_unique<Listener>(Listener{tcp::acceptor(workers_[0]->io), tls, 0});
  tcp::endpoint ep(addr, static_cast<uint16_t>(*port));
  l->acceptor.open(ep.protocol(), ec);
  if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(ep, ec);
  if (!ec) l->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(Code::kServiceUnavailable,
                  "cannot listen on " + address + ":" + std::to_string(*port) + " (" +
                      (tls ? "HTTPS" : "HTTP") + "): " + ec.message());
  }
  *port = l->acceptor.local_endpoint().port();
  l->port = *port;
  listeners_.push_back(std::move(l));
  return Status::Ok();
}

net::awaitable<void> IngressProxyImpl::Accept(Listener& l) {
  for (;;) {
    error_code ec;
    Worker& worker = *workers_[next_worker_++ % workers_.size()];
    tcp::socket sock = co_await l.acceptor.async_accept(worker.io.get_executor(), Redirect(ec));
    if (ec == net::error::operation_aborted || !l.acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: wait a little instead of spinning.
      LOG(Warning, kComponent) << "accept: " << ec.message();
      net::steady_timer t(l.acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await t.async_wait(Redirect(ec));
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    auto ex = sock.get_executor();
    auto on_end = [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        LOG(Warning, kComponent) << "connection ended by exception: " << x.what();
      }
    };
    if (l.tls) {
      net::co_spawn(
          ex,
          [this, &worker, s = TlsStream(std::move(sock), *tls_), port = l.port]() mutable
          -> net::awaitable<void> {
            Session<TlsStream> session(*this, worker, std::move(s), port);
            co_await session.Run();
          },
          on_end);
    } else {
      net::co_spawn(
          ex,
          [this, &worker, s = std::move(sock), port = l.port]() mutable -> net::awaitable<void> {
            Session<tcp::socket> session(*this, worker, std::move(s), port);
            co_await session.Run();
          },
          on_end);
    }
  }
}

int IngressProxyImpl::OnServerName(SSL* ssl, int*, void* arg) {
  auto* self = static_cast<IngressProxyImpl*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;
  std::shared_ptr<SSL_CTX> ctx;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    if (auto cert = self->routes_->CertificateFor(name)) {
      auto it = self->contexts_.find(cert->secret);
      if (it != self->contexts_.end()) ctx = it->second.second;
    }
  }
  // SSL_set_SSL_CTX takes its own reference: the context may be replaced meanwhile.
  if (ctx != nullptr) SSL_set_SSL_CTX(ssl, ctx.get());
  return SSL_TLSEXT_ERR_OK;
}

Status IngressProxyImpl::Start() {
  if (started_) return Status::Ok();
  if (options_.addresses.empty()) return BadRequest("no listen addresses");
  auto fake = GenerateSelfSignedCertificate("Kubernetes Ingress Controller Fake Certificate",
                                            {"ingress.local"});
  if (!fake.ok()) return fake.status();
  tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
  error_code ec;
  tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1,
                    ec);
  tls_->use_certificate_chain(net::buffer(fake->cert_pem), ec);
  if (!ec) tls_->use_private_key(net::buffer(fake->key_pem), ssl::context::pem, ec);
  if (ec) return Internal("default certificate: " + ec.message());
  SSL_CTX_set_tlsext_servername_callback(tls_->native_handle(), &IngressProxyImpl::OnServerName);
  SSL_CTX_set_tlsext_servername_arg(tls_->native_handle(), this);

  for (int i = 0; i < std::max(1, options_.io_threads); ++i)
    workers_.push_back(std::make_unique<Worker>(options_.max_idle_per_endpoint));
  int http_port = options_.http_port;
  int https_port = options_.https_port;
  for (const std::string& address : options_.addresses) {
    Status st = Listen(address, &http_port, false);
    if (st.ok()) st = Listen(address, &https_port, true);
    if (!st.ok()) {
      listeners_.clear();
      workers_.clear();
      return st;
    }
  }
  for (const std::string& address : options_.optional_addresses) {
    size_t before = listeners_.size();
    Status st = Listen(address, &http_port, false);
    if (st.ok()) st = Listen(address, &https_port, true);
    if (!st.ok()) {
      listeners_.resize(before);
      LOG(Warning, kComponent) << "not serving on " << address << ": " << st.message();
    }
  }
  http_port_ = http_port;
  https_port_ = https_port;
  for (auto& l : listeners_) net::co_spawn(workers_[0]->io, Accept(*l), net::detached);
  for (auto& w : workers_) {
    w->thread = std::thread([io = &w->io] {
      // splice(2) into a socket the client closed raises SIGPIPE (send() has MSG_NOSIGNAL,
      // splice no such flag): blocked here, it stays pending and splice fails with EPIPE.
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
      auto work = net::make_work_guard(*io);  // idle workers wait for connections
      io->run();
    });
  }
  started_ = true;
  LOG(Info, kComponent) << "serving HTTP on port " << http_port_ << " and HTTPS on port "
                        << https_port_;
  return Status::Ok();
}

void IngressProxyImpl::Stop() {
  if (workers_.empty()) return;
  for (auto& w : workers_) w->io.stop();
  for (auto& w : workers_) w->thread.join();
  for (auto& w : workers_) w->pool.Clear();
  listeners_.clear();
  workers_.clear();  // destroys the suspended connections, closing their sockets
}

void IngressProxyImpl::SetRoutes(RoutesPtr routes) {
  std::unordered_map<std::string, std::pair<std::string, std::shared_ptr<SSL_CTX>>> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = contexts_;
  }
  std::unordered_map<std::string, std::pair<std::string, std::shared_ptr<SSL_CTX>>> kept;
  for (const auto& cert : routes->certificates()) {
    auto it = next.find(cert->secret);
    if (it != next.end() && it->second.first == cert->resource_version) {
      kept.insert(*it);
      continue;
    }
    auto ctx = NewServerContext(cert->cert_pem, cert->key_pem);
    if (!ctx.ok()) {
      LOG(Warning, kComponent) << "TLS secret " << cert->secret
                               << " ignored (default certificate served): " << ctx.status().message();
      kept[cert->secret] = {cert->resource_version, nullptr};
      continue;
    }
    kept[cert->secret] = {cert->resource_version, std::shared_ptr<SSL_CTX>(ctx->release(), SSL_CTX_free)};
  }
  std::lock_guard<std::mutex> lock(mu_);
  routes_ = std::move(routes);
  contexts_ = std::move(kept);
}

}  // namespace

std::unique_ptr<IngressProxy> NewIngressProxy(const IngressProxyOptions& options) {
  return std::make_unique<IngressProxyImpl>(options);
}

}  // namespace minik::netproxy
