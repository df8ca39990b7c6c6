// The Ingress controller over a real registry (in-memory store), proxying to small Beast
// servers on 127.0.0.1 (EndpointSlices point at them): routing, 404/502/503, X-Forwarded-*,
// keep-alive and pooling, bodies both ways, WebSocket, TLS by SNI, a configuration change
// while a request is in flight, Ingress status, bad requests and a taken port.
#include "netproxy/ingress.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/base64.h"
#include "api/clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "netproxy/ingress_proxy.h"
#include "netproxy/ingress_routes.h"
#include "netproxy/ingress_tls.h"
#include "store/store.h"

namespace minik {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};
const ResourceRef kIngresses{"networking.k8s.io", "v1", "ingresses"};
const ResourceRef kSecrets{"", "v1", "secrets"};

template <typename F>
bool Eventually(F f, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return f();
}

// A backend: one thread per connection. GET /big: 1 MiB; /chunked: a chunked answer;
// /eof: an answer ended by close; /slow: waits for Release(); /ws: WebSocket echo; any other
// path: "name method path" and the request headers, one per line, and the body size.
class Backend {
 public:
  explicit Backend(std::string name) : name_(std::move(name)), acceptor_(io_) {
    acceptor_.open(tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~Backend() {
    Release();
    boost::system::error_code ec;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocking accept()
    acceptor_.close(ec);
    thread_.join();
    std::vector<std::thread> conns;
    {
      // Not held while joining: a released /slow handler takes mu_ to wake up.
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& s : sockets_) s->shutdown(tcp::socket::shutdown_both, ec);
      conns.swap(conns_);
    }
    for (auto& t : conns) t.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  bool WaitSlowStarted() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return slow_started_; });
  }

 private:
  void AcceptLoop() {
    for (;;) {
      boost::system::error_code ec;
      auto sock = std::make_shared<tcp::socket>(io_);
      acceptor_.accept(*sock, ec);
      if (ec) return;
      connections_++;
      std::lock_guard<std::mutex> lock(mu_);
      sockets_.push_back(sock);
      conns_.emplace_back([this, sock] {
        Serve(*sock);
        boost::system::error_code ignored;
        sock->shutdown(tcp::socket::shutdown_both, ignored);  // the fd stays until the end
      });
    }
  }

  void Serve(tcp::socket& sock) {
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      boost::system::error_code ec;
      http::read(sock, buf, parser, ec);
      if (ec) return;
      http::request<http::string_body> req = parser.release();
      std::string path(req.target());
      if (path == "/ws" && websocket::is_upgrade(req)) {
        websocket::stream<tcp::socket&> ws(sock);
        ws.accept(req, ec);
        while (!ec) {
          beast::flat_buffer msg;
          ws.read(msg, ec);
          if (ec) return;
          ws.text(true);
          ws.write(net::buffer(name_ + ":" + beast::buffers_to_string(msg.data())), ec);
        }
        return;
      }
      if (path == "/slow") {
        std::unique_lock<std::mutex> lock(mu_);
        slow_started_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return released_; });
      }
      if (path == "/chunked") {
        http::response<http::empty_body> res{http::status::ok, 11};
        res.chunked(true);
        http::response_serializer<http::empty_body> sr(res);
        http::write_header(sock, sr, ec);
        for (int i = 0; i < 5; ++i) {
          std::string piece = "piece" + std::to_string(i) + ";";
          net::write(sock, http::make_chunk(net::buffer(piece)), ec);
        }
        net::write(sock, http::make_chunk_last(), ec);
        continue;
      }
      if (path == "/bare-lf") {  // as CGI output behind busybox httpd
        std::string raw = "HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 2\n\nok";
        net::write(sock, net::buffer(raw), ec);
        continue;
      }
      if (path == "/eof") {
        std::string raw = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-the-end";
        net::write(sock, net::buffer(raw), ec);
        sock.shutdown(tcp::socket::shutdown_send, ec);
        return;
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "text/plain");
      res.set("Connection", "keep-alive, X-Hop");
      res.set("X-Hop", "dropped");
      if (path == "/big") {
        res.body() = std::string(1 << 20, 'x');
      } else {
        std::string out = name_ + " " + std::string(req.method_string()) + " " + path + "\n";
        for (const auto& f : req) {
          out += std::string(f.name_string()) + ": " + std::string(f.value()) + "\n";
        }
        out += "body-size: " + std::to_string(req.body().size()) + "\n";
        res.body() = out;
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (req.method() == http::verb::head) {
        res.body().clear();  // the length stays that of the GET answer
      }
      http::write(sock, res, ec);
      // /close-after: says keep-alive, then closes, as a server whose idle timeout passed.
      if (ec || !req.keep_alive() || path == "/close-after") return;
    }
  }

  const std::string name_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  bool slow_started_ = false;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> conns_;
};

struct Reply {
  int status = 0;
  std::string body;
  http::fields headers;
};

// A keep-alive HTTP client connection to the proxy.
class Conn {
 public:
  explicit Conn(int port) : sock_(io_) { sock_.connect({net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)}); }
  Reply Do(http::request<http::string_body> req) {
    req.prepare_payload();
    http::write(sock_, req);
    http::response_parser<http::string_body> p;
    p.body_limit(64 << 20);
    if (req.method() == http::verb::head) p.skip(true);
    boost::system::error_code ec;
    http::read(sock_, buf_, p, ec);
    if (ec) return {-1, ec.message(), {}};
    Reply r;
    r.status = static_cast<int>(p.get().result_int());
    r.body = p.get().body();
    for (const auto& f : p.get()) r.headers.insert(f.name_string(), f.value());
    return r;
  }
  Reply Get(const std::string& host, const std::string& target) {
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host);
    return Do(std::move(req));
  }
  tcp::socket& socket() { return sock_; }

 private:
  net::io_context io_;
  tcp::socket sock_;
  beast::flat_buffer buf_;
};

// Writes `raw` and reads until the proxy closes (or 2 s pass).
std::string RawExchange(int port, const std::string& raw) {
  net::io_context io;
  tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)});
  net::write(s, net::buffer(raw));
  timeval tv{2, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(s.native_handle(), buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

class IngressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    ASSERT_TRUE(client_->Create(kNamespaces, "", Json{{"metadata", {{"name", "default"}}}}).ok());
    informers_ = std::make_unique<SharedInformerFactory>(*client_, clock_);
  }
  void TearDown() override {
    if (ingress_) ingress_->Stop();
    informers_->Stop();
  }
  void StartController(std::string status_ip = "10.244.0.1") {
    IngressOptions o;
    o.http_port = 0;
    o.https_port = 0;
    o.status_ip = std::move(status_ip);
    ingress_ = NewIngressController(*client_, clock_, *informers_, o);
    Status st = ingress_->Start();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  void CreateService(const std::string& name, std::vector<int> ports) {
    Json svc = {{"metadata", {{"name", name}}},
                {"spec", {{"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}}}}}}};
    auto r = client_->Create(kServices, "default", svc);
    ASSERT_TRUE(r.ok()) << r.status().message();
    Json eps = Json::array();
    for (size_t i = 0; i < ports.size(); ++i) {
      // One slice per endpoint: each has its own port.
      Json slice = {{"metadata",
                     {{"name", name + "-" + std::to_string(i)},
                      {"labels", {{"kubernetes.io/service-name", name}}}}},
                    {"addressType", "IPv4"},
                    {"ports", {{{"name", "http"}, {"port", ports[i]}, {"protocol", "TCP"}}}},
                    {"endpoints", {{{"addresses", {"127.0.0.1"}}, {"conditions", {{"ready", true}}}}}}};
      auto s = client_->Create(kSlices, "default", slice);
      ASSERT_TRUE(s.ok()) << s.status().message();
    }
  }
  Json Ingress(const std::string& name, const std::string& host,
               std::vector<std::pair<std::string, std::string>> paths) {
    Json p = Json::array();
    for (auto& [path, svc] : paths) {
      p.push_back({{"path", path},
                   {"pathType", "Prefix"},
                   {"backend", {{"service", {{"name", svc}, {"port", {{"number", 80}}}}}}}});
    }
    return {{"metadata", {{"name", name}}},
            {"spec", {{"ingressClassName", "minik"}, {"rules", {{{"host", host}, {"http", {{"paths", p}}}}}}}}};
  }
  void CreateIngress(const Json& ing) {
    auto r = client_->Create(kIngresses, "default", ing);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // Waits until the proxy answers `host` `path` with `status`.
  bool WaitStatus(const std::string& host, const std::string& path, int status) {
    return Eventually([&] {
      Conn c(ingress_->http_port());
      return c.Get(host, path).status == status;
    });
  }

  RealClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<IngressController> ingress_;
};

TEST_F(IngressTest, RoutesAndForwardedHeaders) {
  Backend a("a"), b("b");
  CreateService("svc-a", {a.port()});
  CreateService("svc-b", {b.port()});
  CreateIngress(Ingress("web", "app.example.com", {{"/", "svc-a"}, {"/b", "svc-b"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("app.example.com", "/", 200));
  Conn c(ingress_->http_port());
  http::request<http::string_body> req{http::verb::get, "/b/x?q=1", 11};
  req.set(http::field::host, "app.example.com");
  req.set("X-Forwarded-For", "1.2.3.4");
  req.set("X-Real-IP", "6.6.6.6");
  req.set(http::field::connection, "keep-alive, X-Secret");
  req.set("X-Secret", "hop");
  req.set("X-Kept", "yes");
  Reply r = c.Do(req);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.rfind("b GET /b/x?q=1\n", 0), 0u) << r.body;
  std::string port = std::to_string(ingress_->http_port());
  for (std::string want : {"X-Forwarded-For: 1.2.3.4, 127.0.0.1\n", "X-Real-IP: 127.0.0.1\n",
                           "X-Forwarded-Proto: http\n", "X-Forwarded-Host: app.example.com\n",
                           "X-Kept: yes\n", "Host: app.example.com\n"}) {
    EXPECT_NE(r.body.find(want), std::string::npos) << want << " in " << r.body;
  }
  EXPECT_NE(r.body.find("X-Forwarded-Port: " + port + "\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("X-Secret"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("6.6.6.6"), std::string::npos) << r.body;
  EXPECT_EQ(r.headers.count("X-Hop"), 0u);  // named in the backend's Connection header
  EXPECT_EQ(c.Get("APP.example.com:80", "/bx").body.substr(0, 1), "a");
  EXPECT_EQ(c.Get("other.example.com", "/").status, 404);
  EXPECT_EQ(c.Get("app.example.com", "/b/../a").body.substr(0, 1), "a");
}

TEST_F(IngressTest, UnavailableAndBadGateway) {
  Backend live("live");
  int dead_port;
  {
    Backend dead("dead");
    dead_port = dead.port();
  }
  CreateService("nothing", {});
  CreateService("dead", {dead_port});
  CreateService("half", {dead_port, live.port()});
  CreateIngress(Ingress("web", "h", {{"/none", "nothing"}, {"/dead", "dead"}, {"/half", "half"},
                                     {"/missing", "no-such-service"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("h", "/half", 200));
  Conn c(ingress_->http_port());
  EXPECT_EQ(c.Get("h", "/none").status, 503);
  EXPECT_EQ(c.Get("h", "/missing").status, 503);
  Conn d(ingress_->http_port());
  EXPECT_EQ(d.Get("h", "/dead").status, 502);
  // One endpoint refuses: the other is tried, every time.
  for (int i = 0; i < 6; ++i) {
    Conn e(ingress_->http_port());
    Reply r = e.Get("h", "/half");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.substr(0, 4), "live");
  }
}

TEST_F(IngressTest, KeepAliveBothSides) {
  Backend a("a");
  CreateService("svc", {a.port()});
  CreateIngress(Ingress("web", "h", {{"/", "svc"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("h", "/", 200));
  int before = a.connections();
  Conn c(ingress_->http_port());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(c.Get("h", "/n" + std::to_string(i)).status, 200);
  // Pooled upstream connections: at most one new one for 50 sequential requests.
  EXPECT_LE(a.connections() - before, 1);
}

TEST_F(IngressTest, PooledConnectionClosedByServerIsRetried) {
  Backend a("a");
  CreateService("svc", {a.port()});
  CreateIngress(Ingress("web", "h", {{"/", "svc"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("h", "/", 200));
  Conn c(ingress_->http_port());
  for (int i = 0; i < 10; ++i) {
    Reply r = c.Get("h", "/close-after");
    ASSERT_EQ(r.status, 200) << i << " " << r.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let the close arrive
  }
  // A POST (not retried) finds its pooled connection checked first.
  http::request<http::string_body> post{http::verb::post, "/close-after", 11};
  post.set(http::field::host, "h");
  post.body() = "data";
  for (int i = 0; i < 5; ++i) {
    Reply r = c.Do(post);
    EXPECT_EQ(r.status, 200) << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// The proxy alone, with short timeouts: an upstream that does not answer in time is a 504.
TEST_F(IngressTest, UpstreamReadTimeoutIs504) {
  Backend a("a");
  CreateService("svc", {a.port()});
  netproxy::IngressObjects objects;
  objects.ingresses.push_back(std::make_shared<const Json>(Ingress("web", "h", {{"/", "svc"}})));
  objects.ingresses.back() = std::make_shared<const Json>([&] {
    Json j = *objects.ingresses.back();
    j["metadata"]["namespace"] = "default";
    return j;
  }());
  objects.services = {std::make_shared<const Json>(*client_->Get(kServices, "default", "svc"))};
  objects.slices = {std::make_shared<const Json>(*client_->Get(kSlices, "default", "svc-0"))};
  netproxy::IngressProxyOptions po;
  po.http_port = 0;
  po.https_port = 0;
  po.read_timeout = std::chrono::milliseconds(300);
  auto proxy = netproxy::NewIngressProxy(po);
  proxy->SetRoutes(netproxy::BuildIngressRoutes(objects, "minik", "minik.io/ingress", nullptr));
  ASSERT_TRUE(proxy->Start().ok());
  Conn c(proxy->http_port());
  EXPECT_EQ(c.Get("h", "/fast").status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.Get("h", "/slow").status, 504);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  a.Release();
  proxy->Stop();
}

TEST_F(IngressTest, BodiesBothWays) {
  Backend a("a");
  CreateService("svc", {a.port()});
  CreateIngress(Ingress("web", "h", {{"/", "svc"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("h", "/", 200));
  Conn c(ingress_->http_port());
  Reply big = c.Get("h", "/big");
  EXPECT_EQ(big.status, 200);
  EXPECT_EQ(big.body.size(), 1u << 20);
  Reply chunked = c.Get("h", "/chunked");
  EXPECT_EQ(chunked.body, "piece0;piece1;piece2;piece3;piece4;");
  EXPECT_EQ(chunked.headers[http::field::transfer_encoding], "chunked");
  // Upload with a length, then chunked.
  http::request<http::string_body> post{http::verb::post, "/up", 11};
  post.set(http::field::host, "h");
  post.body() = std::string(3 << 20, 'u');
  Reply up = c.Do(post);
  EXPECT_NE(up.body.find("body-size: 3145728\n"), std::string::npos) << up.body.substr(0, 300);
  post.chunked(true);
  http::request_serializer<http::string_body> sr(post);
  http::write(c.socket(), sr);
  {
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(c.socket(), buf, res);
    EXPECT_NE(res.body().find("body-size: 3145728\n"), std::string::npos);
    EXPECT_NE(res.body().find("Transfer-Encoding: chunked"), std::string::npos);
  }
  http::request<http::string_body> head{http::verb::head, "/big", 11};
  head.set(http::field::host, "h");
  Conn h(ingress_->http_port());
  Reply hr = h.Do(head);
  EXPECT_EQ(hr.status, 200);
  EXPECT_EQ(hr.headers[http::field::content_length], "1048576");
  EXPECT_EQ(h.Get("h", "/x").status, 200);  // the connection still frames correctly
  // A response ended by close reaches an HTTP/1.1 client chunked, an HTTP/1.0 one until close.
  Conn e(ingress_->http_port());
  Reply eof = e.Get("h", "/eof");
  EXPECT_EQ(eof.body, "until-the-end");
  EXPECT_EQ(eof.headers[http::field::transfer_encoding], "chunked");
  std::string raw = RawExchange(ingress_->http_port(), "GET /eof HTTP/1.0\r\nHost: h\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("\r\n\r\nuntil-the-end"), std::string::npos) << raw;
  // Bare LF line ends in an upstream head are accepted (as nginx does).
  Reply bare = c.Get("h", "/bare-lf");
  EXPECT_EQ(bare.status, 200);
  EXPECT_EQ(bare.body, "ok");
  EXPECT_EQ(c.Get("h", "/bare-lf").body, "ok");  // and the pooled connection still frames
  // Expect: 100-continue is answered by the proxy.
  std::string cont = RawExchange(
      ingress_->http_port(),
      "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nabc");
  EXPECT_EQ(cont.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 0), 0u) << cont;
  EXPECT_NE(cont.find("body-size: 3\n"), std::string::npos);
}

TEST_F(IngressTest, WebSocketPassThrough) {
  Backend a("a");
  CreateService("svc", {a.port()});
  CreateIngress(Ingress("web", "ws.example.com", {{"/", "svc"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("ws.example.com", "/", 200));
  net::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect({net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(ingress_->http_port())});
  ws.handshake("ws.example.com", "/ws");
  for (std::string msg : {std::string("hello"), std::string(200000, 'm')}) {
    ws.write(net::buffer(msg));
    beast::flat_buffer buf;
    ws.read(buf);
    EXPECT_EQ(beast::buffers_to_string(buf.data()), "a:" + msg);
  }
  ws.close(websocket::close_code::normal);
}

TEST_F(IngressTest, TlsBySni) {
  Backend a("a");
  CreateService("svc", {a.port()});
  auto cert = netproxy::GenerateSelfSignedCertificate("secure.example.com", {"secure.example.com"});
  ASSERT_TRUE(cert.ok());
  Json secret = {{"metadata", {{"name", "secure-tls"}}},
                 {"type", "kubernetes.io/tls"},
                 {"data", {{"tls.crt", Base64Encode(cert->cert_pem)}, {"tls.key", Base64Encode(cert->key_pem)}}}};
  ASSERT_TRUE(client_->Create(kSecrets, "default", secret).ok());
  Json bad = {{"metadata", {{"name", "bad-tls"}}},
              {"type", "kubernetes.io/tls"},
              {"data", {{"tls.crt", Base64Encode("not a cert")}, {"tls.key", Base64Encode("nor a key")}}}};
  ASSERT_TRUE(client_->Create(kSecrets, "default", bad).ok());
  Json ing = Ingress("web", "secure.example.com", {{"/", "svc"}});
  ing["spec"]["rules"].push_back(Ingress("x", "broken.example.com", {{"/", "svc"}})["spec"]["rules"][0]);
  ing["spec"]["tls"] = {{{"hosts", {"secure.example.com"}}, {"secretName", "secure-tls"}},
                        {{"hosts", {"broken.example.com"}}, {"secretName", "bad-tls"}}};
  CreateIngress(ing);
  StartController();
  ASSERT_TRUE(WaitStatus("secure.example.com", "/", 200));
  auto fetch = [&](const std::string& sni, std::string* cn) -> Reply {
    net::io_context io;
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.set_verify_mode(net::ssl::verify_none);
    net::ssl::stream<tcp::socket> s(io, ctx);
    s.next_layer().connect({net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(ingress_->https_port())});
    SSL_set_tlsext_host_name(s.native_handle(), sni.c_str());
    s.handshake(net::ssl::stream_base::client);
    X509* peer = SSL_get1_peer_certificate(s.native_handle());
    char name[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof name);
    X509_free(peer);
    *cn = name;
    http::request<http::string_body> req{http::verb::get, "/", 11};
    req.set(http::field::host, sni);
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return {static_cast<int>(res.result_int()), res.body(), {}};
  };
  std::string cn;
  Reply r = fetch("secure.example.com", &cn);
  EXPECT_EQ(cn, "secure.example.com");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("X-Forwarded-Proto: https\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("X-Forwarded-Port: " + std::to_string(ingress_->https_port())), std::string::npos);
  fetch("broken.example.com", &cn);  // the bad secret: the default certificate
  EXPECT_EQ(cn, "Kubernetes Ingress Controller Fake Certificate");
  r = fetch("unknown.example.com", &cn);
  EXPECT_EQ(cn, "Kubernetes Ingress Controller Fake Certificate");
  EXPECT_EQ(r.status, 404);
}

TEST_F(IngressTest, ConfigChangeDuringRequest) {
  Backend a("a");
  CreateService("svc", {a.port()});
  CreateIngress(Ingress("web", "h", {{"/", "svc"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("h", "/", 200));
  Conn slow_conn(ingress_->http_port());
  std::thread slow([&] {
    Reply r = slow_conn.Get("h", "/slow");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind("a GET /slow", 0), 0u);
  });
  ASSERT_TRUE(a.WaitSlowStarted());
  ASSERT_TRUE(client_->Delete(kIngresses, "default", "web").ok());
  EXPECT_TRUE(WaitStatus("h", "/", 404));
  a.Release();
  slow.join();
  // The same connection goes on with the new table.
  EXPECT_EQ(slow_conn.Get("h", "/").status, 404);
}

TEST_F(IngressTest, StatusOfHandledIngresses) {
  Backend a("a");
  CreateService("svc", {a.port()});
  CreateIngress(Ingress("mine", "h", {{"/", "svc"}}));
  Json other = Ingress("other", "o", {{"/", "svc"}});
  other["spec"]["ingressClassName"] = "nginx";
  CreateIngress(other);
  StartController("10.244.0.1");
  EXPECT_TRUE(Eventually([&] {
    auto got = client_->Get(kIngresses, "default", "mine");
    return got.ok() && Find(*got, {"status", "loadBalancer", "ingress"}) != nullptr &&
           (*Find(*got, {"status", "loadBalancer", "ingress"}))[0].value("ip", "") == "10.244.0.1";
  }));
  // Moved to another class: the status goes.
  auto got = client_->Get(kIngresses, "default", "mine");
  ASSERT_TRUE(got.ok());
  Json moved = *got;
  moved["spec"]["ingressClassName"] = "nginx";
  ASSERT_TRUE(client_->Update(kIngresses, "default", moved).ok());
  EXPECT_TRUE(Eventually([&] {
    auto g = client_->Get(kIngresses, "default", "mine");
    return g.ok() && Find(*g, {"status", "loadBalancer", "ingress"}) == nullptr;
  }));
  auto o = client_->Get(kIngresses, "default", "other");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(Find(*o, {"status", "loadBalancer", "ingress"}), nullptr);
}

// Clients that leave mid-answer, concurrent load and Stop() while connections are busy: no
// crash, no hang, and the proxy keeps serving until stopped.
TEST_F(IngressTest, ClientsLeavingAndStopUnderLoad) {
  Backend a("a");
  CreateService("svc", {a.port()});
  CreateIngress(Ingress("web", "h", {{"/", "svc"}}));
  StartController();
  ASSERT_TRUE(WaitStatus("h", "/", 200));
  int port = ingress_->http_port();
  for (int i = 0; i < 20; ++i) {
    net::io_context io;
    tcp::socket s(io);
    s.connect({net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)});
    std::string req = "GET /big HTTP/1.1\r\nHost: h\r\n\r\n";
    net::write(s, net::buffer(req));
    char buf[1000];
    s.read_some(net::buffer(buf));  // a little, then leave
  }
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      while (!stop) {
        try {
          Conn c(port);
          for (int i = 0; i < 5 && !stop; ++i) {
            if (c.Get("h", t % 2 ? "/big" : "/small").status == 200) ok++;
          }
        } catch (const std::exception&) {
          // refused once stopped
        }
      }
    });
  }
  EXPECT_TRUE(Eventually([&] { return ok.load() > 50; }, std::chrono::seconds(20)));
  Conn slow(port);
  std::thread slow_client([&] { slow.Get("h", "/slow"); });  // in flight at Stop
  ASSERT_TRUE(a.WaitSlowStarted());
  ingress_->Stop();
  stop = true;
  for (auto& c : clients) c.join();
  slow_client.join();  // its connection was closed by Stop
  a.Release();
}

TEST_F(IngressTest, BadRequestsAndTakenPort) {
  StartController();
  int port = ingress_->http_port();
  for (std::string raw : {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n"),
                          std::string("GET relative HTTP/1.1\r\nHost: h\r\n\r\n"),
                          std::string("GET / HTTP/1.1\r\n\r\n"),
                          "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(100000, 'b') + "\r\n\r\n",
                          std::string("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")}) {
    std::string out = RawExchange(port, raw);
    EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << raw.substr(0, 60) << " -> " << out;
  }
  Conn c(port);
  EXPECT_EQ(c.Get("h", "/").status, 404);  // still serving
  IngressOptions o;
  o.http_port = port;
  o.https_port = 0;
  auto second = NewIngressController(*client_, clock_, *informers_, o);
  Status st = second->Start();
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_NE(st.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << st.message();
}

}  // namespace
}  // namespace minik
