// HttpServer over real sockets on 127.0.0.1: a throwaway PKI made with OpenSSL, and a small
// blocking OpenSSL client that speaks just enough HTTP/1.1 to check the wire.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "apiserver/http.h"

namespace minik {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------
// Throwaway PKI

struct Identity {
  std::shared_ptr<EVP_PKEY> key;
  std::shared_ptr<X509> cert;
  std::string cert_pem;
  std::string key_pem;
};

std::string ToPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string ToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// subject: {{"O","devs"},{"CN","alice"}}; issuer null: self-signed CA.
Identity MakeIdentity(const std::vector<std::pair<std::string, std::string>>& subject,
                      const Identity* issuer, const char* eku, const char* san = nullptr) {
  static std::atomic<long> serial{1};
  Identity id;
  id.key.reset(EVP_EC_gen("P-256"), EVP_PKEY_free);
  id.cert.reset(X509_new(), X509_free);
  X509* cert = id.cert.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, id.key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  for (const auto& [field, value] : subject) {
    X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  }
  X509* issuer_cert = issuer ? issuer->cert.get() : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert));
  if (issuer == nullptr) {
    AddExtension(cert, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert, issuer_cert, NID_key_usage, "critical,digitalSignature");
    if (eku) AddExtension(cert, issuer_cert, NID_ext_key_usage, eku);
    if (san) AddExtension(cert, issuer_cert, NID_subject_alt_name, san);
  }
  X509_sign(cert, issuer ? issuer->key.get() : id.key.get(), EVP_sha256());
  id.cert_pem = ToPem(cert);
  id.key_pem = ToPem(id.key.get());
  return id;
}

std::string Sha256Hex(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  unsigned char md[32];
  unsigned int md_len = 0;
  EVP_Digest(der, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  char hex[65];
  for (int i = 0; i < 32; ++i) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return hex;
}

struct Pki {
  Identity ca = MakeIdentity({{"CN", "minik-ca"}}, nullptr, nullptr);
  Identity other_ca = MakeIdentity({{"CN", "other-ca"}}, nullptr, nullptr);
  Identity server = MakeIdentity({{"CN", "minik"}}, &ca, "serverAuth", "IP:127.0.0.1");
  Identity alice =
      MakeIdentity({{"O", "devs"}, {"O", "system:masters"}, {"CN", "alice"}}, &ca, "clientAuth");
  Identity stranger = MakeIdentity({{"CN", "mallory"}}, &other_ca, "clientAuth");
  Identity server_only = MakeIdentity({{"CN", "bob"}}, &ca, "serverAuth");
};

const Pki& GetPki() {
  static const Pki* pki = new Pki();
  return *pki;
}

// ---------------------------------------------------------------------------------------
// A blocking TLS client

struct Response {
  bool ok = false;
  int status = 0;
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  std::string body;
  std::vector<std::string> chunks;
};

struct ClientOptions {
  const Identity* identity = nullptr;
  std::vector<std::string> alpn;
  int max_version = 0;
  const char* host = "127.0.0.1";
  const char* sigalgs = nullptr;  // e.g. "ECDSA+SHA1": what a legacy client would offer
};

ClientOptions WithIdentity(const Identity* identity) {
  ClientOptions o;
  o.identity = identity;
  return o;
}
ClientOptions WithAlpn(std::vector<std::string> alpn) {
  ClientOptions o;
  o.alpn = std::move(alpn);
  return o;
}
ClientOptions WithMaxVersion(int version) {
  ClientOptions o;
  o.max_version = version;
  return o;
}

class TlsClient {
 public:
  ~TlsClient() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
  }

  // True once the TLS handshake is done.
  bool Connect(int port, const ClientOptions& options = {}) {
    signal(SIGPIPE, SIG_IGN);  // writes to a socket the server closed must fail, not kill us
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, options.host, &addr.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (options.max_version) {
      SSL_CTX_set_security_level(ctx_, 0);
      SSL_CTX_set_min_proto_version(ctx_, 0);
      SSL_CTX_set_max_proto_version(ctx_, options.max_version);
    }
    if (options.sigalgs) {
      SSL_CTX_set_security_level(ctx_, 0);
      SSL_CTX_set_max_proto_version(ctx_, TLS1_2_VERSION);
      SSL_CTX_set1_sigalgs_list(ctx_, options.sigalgs);
    }
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), GetPki().ca.cert.get());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (options.identity) {
      SSL_CTX_use_certificate(ctx_, options.identity->cert.get());
      SSL_CTX_use_PrivateKey(ctx_, options.identity->key.get());
    }
    if (!options.alpn.empty()) {
      std::string wire;
      for (const std::string& p : options.alpn) wire += static_cast<char>(p.size()) + p;
      SSL_CTX_set_alpn_protos(ctx_, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size()));
    }
    ssl_ = SSL_new(ctx_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
    SSL_set_fd(ssl_, fd_);
    if (SSL_connect(ssl_) != 1) return false;
    // TLS 1.3 sends the client certificate after the client's handshake ends: one round trip
    // with the server proves it was accepted.
    return true;
  }

  std::string Alpn() {
    const unsigned char* p = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl_, &p, &len);
    return std::string(reinterpret_cast<const char*>(p), len);
  }

  bool Send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      int n = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  Response Get(const std::string& target) {
    if (!Send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) return {};
    return Read();
  }

  // One response; chunked bodies are kept chunk by chunk.
  Response Read() {
    Response r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!More()) return r;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.1 ", 0) != 0) return r;
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value[0] == ' ') value.erase(0, 1);
      r.headers[line.substr(0, colon)] = value;
      pos = next + 2;
    }
    if (r.status == 100) {
      r.ok = true;
      return r;
    }
    if (r.headers["Transfer-Encoding"] == "chunked") {
      for (;;) {
        while ((end = buf_.find("\r\n")) == std::string::npos) {
          if (!More()) return r;
        }
        size_t size = std::stoul(buf_.substr(0, end), nullptr, 16);
        buf_.erase(0, end + 2);
        if (size == 0) {
          while (buf_.size() < 2) {
            if (!More()) return r;
          }
          buf_.erase(0, 2);
          break;
        }
        while (buf_.size() < size + 2) {
          if (!More()) return r;
        }
        r.chunks.push_back(buf_.substr(0, size));
        r.body += r.chunks.back();
        buf_.erase(0, size + 2);
      }
    } else {
      size_t length = std::stoul(r.headers.count("Content-Length") ? r.headers["Content-Length"]
                                                                   : std::string("0"));
      while (buf_.size() < length) {
        if (!More()) return r;
      }
      r.body = buf_.substr(0, length);
      buf_.erase(0, length);
    }
    r.ok = true;
    return r;
  }

  // The head of a chunked response, then one chunk at a time.
  Response ReadHead() {
    Response r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!More()) return r;
    }
    r.status = std::stoi(buf_.substr(9, 3));
    buf_.erase(0, end + 4);
    r.ok = true;
    return r;
  }
  std::optional<std::string> ReadChunk() {
    size_t end;
    while ((end = buf_.find("\r\n")) == std::string::npos) {
      if (!More()) return std::nullopt;
    }
    size_t size = std::stoul(buf_.substr(0, end), nullptr, 16);
    while (buf_.size() < end + 2 + size + 2) {
      if (!More()) return std::nullopt;
    }
    std::string chunk = buf_.substr(end + 2, size);
    buf_.erase(0, end + 2 + size + 2);
    return chunk;
  }

  // True when the server closed the connection (EOF or error) rather than sending more.
  bool WaitClosed() { return !More(); }

  // Exactly n bytes (after what a Read left buffered).
  std::optional<std::string> ReadBytes(size_t n) {
    while (buf_.size() < n) {
      if (!More()) return std::nullopt;
    }
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
  }

  // One unfragmented WebSocket frame from the server (never masked): {opcode, payload}.
  std::optional<std::pair<int, std::string>> ReadFrame() {
    auto head = ReadBytes(2);
    if (!head) return std::nullopt;
    int opcode = (*head)[0] & 0x0f;
    uint64_t len = static_cast<uint8_t>((*head)[1]) & 0x7f;
    if (len >= 126) {
      auto ext = ReadBytes(len == 126 ? 2 : 8);
      if (!ext) return std::nullopt;
      len = 0;
      for (char c : *ext) len = (len << 8) | static_cast<uint8_t>(c);
    }
    auto payload = ReadBytes(len);
    if (!payload) return std::nullopt;
    return std::make_pair(opcode, *payload);
  }

  // One masked client frame (FIN set).
  bool SendFrame(int opcode, const std::string& payload) {
    std::string frame;
    frame += static_cast<char>(0x80 | opcode);
    if (payload.size() < 126) {
      frame += static_cast<char>(0x80 | payload.size());
    } else {
      frame += static_cast<char>(0x80 | 126);
      frame += static_cast<char>(payload.size() >> 8);
      frame += static_cast<char>(payload.size() & 0xff);
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (size_t i = 0; i < payload.size(); ++i) frame += static_cast<char>(payload[i] ^ mask[i % 4]);
    return Send(frame);
  }

  void CloseAbruptly() { shutdown(fd_, SHUT_RDWR); }

 private:
  bool More() {
    char tmp[16384];
    int n = SSL_read(ssl_, tmp, sizeof(tmp));
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

// ---------------------------------------------------------------------------------------
// Handlers and streams

class FuncHandler : public HttpHandler {
 public:
  std::function<HttpResponse(HttpRequest&)> fn;
  HttpResponse Handle(HttpRequest& request) override { return fn(request); }
};

// A stream fed by Push/Finish from any thread; Pull hands out one piece at a time.
class TestStream : public ResponseStream {
 public:
  void SetNotify(std::function<void()> notify) override {
    std::lock_guard<std::mutex> lock(mu_);
    notify_ = std::move(notify);
  }
  bool Pull(std::string& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pieces_.empty()) {
      out += pieces_.front();
      pieces_.pop_front();
    }
    return !(finished_ && pieces_.empty());
  }
  void Cancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++cancels_;
    cv_.notify_all();
  }
  void Push(std::string piece) {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pieces_.push_back(std::move(piece));
      notify = notify_;
    }
    if (notify) notify();
  }
  void Finish() {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_ = true;
      notify = notify_;
    }
    if (notify) notify();
  }
  void Notify() {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      notify = notify_;
    }
    if (notify) notify();
  }
  bool WaitCancelled(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return cancels_ > 0; });
  }
  bool HasNotify() {
    std::lock_guard<std::mutex> lock(mu_);
    return notify_ != nullptr;
  }
  int cancels() {
    std::lock_guard<std::mutex> lock(mu_);
    return cancels_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> notify_;
  std::deque<std::string> pieces_;
  bool finished_ = false;
  int cancels_ = 0;
};

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

HttpServerOptions BaseOptions() {
  HttpServerOptions o;
  o.port = 0;
  o.cert_pem = GetPki().server.cert_pem;
  o.key_pem = GetPki().server.key_pem;
  o.client_ca_pem = GetPki().ca.cert_pem;
  o.worker_threads = 4;
  return o;
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    handler_.fn = [this](HttpRequest& r) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_ = r;
        ++requests_;
      }
      HttpResponse resp;
      resp.headers = {{"Content-Type", "text/plain"}, {"X-Path", r.path}};
      resp.body = r.method + " " + r.path + " q=" + r.Query("q") + " body=" + r.body;
      return resp;
    };
  }
  ~HttpServerTest() override {
    if (server_) server_->Stop();
  }

  void StartServer(HttpServerOptions options = BaseOptions()) {
    server_ = NewHttpServer(options, handler_);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_GT(server_->port(), 0);
  }

  std::unique_ptr<TlsClient> Connect(const ClientOptions& options = {}) {
    auto c = std::make_unique<TlsClient>();
    EXPECT_TRUE(c->Connect(server_->port(), options));
    return c;
  }

  HttpRequest Last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

  FuncHandler handler_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  HttpRequest last_;
  int requests_ = 0;
};

nlohmann::json JsonBody(const Response& r) { return nlohmann::json::parse(r.body, nullptr, false); }

// ---------------------------------------------------------------------------------------
// Tests

TEST_F(HttpServerTest, PlainGet) {
  StartServer();
  auto c = Connect();
  Response r = c->Get("/api/v1/a%20b?q=x+y&q=2");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /api/v1/a b q=x y body=");
  EXPECT_EQ(r.headers["Content-Type"], "text/plain");
  EXPECT_EQ(r.headers["X-Path"], "/api/v1/a b");
  HttpRequest last = Last();
  EXPECT_EQ(last.target, "/api/v1/a%20b?q=x+y&q=2");
  EXPECT_EQ(last.Header("host"), "127.0.0.1");
  EXPECT_EQ(last.query.count("q"), 2u);
  EXPECT_FALSE(last.client_cert.has_value());
  EXPECT_EQ(last.remote_address.rfind("127.0.0.1:", 0), 0u) << last.remote_address;
}

TEST_F(HttpServerTest, ServesExtraAddressesOnTheSamePortOnly) {
  HttpServerOptions options = BaseOptions();
  options.extra_addresses = {"127.0.0.2"};
  StartServer(options);
  ClientOptions extra;
  extra.host = "127.0.0.2";
  auto c = Connect(extra);
  EXPECT_TRUE(c->Get("/x").ok);
  EXPECT_TRUE(Connect()->Get("/y").ok);
  TlsClient other;
  extra.host = "127.0.0.3";  // not a listening address
  EXPECT_FALSE(other.Connect(server_->port(), extra));
}

// busybox's wget sends no signature_algorithms, which means SHA-1 in TLS 1.2.
TEST_F(HttpServerTest, LegacyClientWithSha1SignaturesOnly) {
  StartServer();
  ClientOptions legacy;
  legacy.sigalgs = "ECDSA+SHA1";
  auto c = Connect(legacy);
  EXPECT_TRUE(c->Get("/x").ok);
}

TEST_F(HttpServerTest, BadExtraAddressFailsStart) {
  HttpServerOptions options = BaseOptions();
  options.extra_addresses = {"not-an-ip"};
  server_ = NewHttpServer(options, handler_);
  Status s = server_->Start();
  EXPECT_EQ(s.code(), Code::kBadRequest);
  EXPECT_EQ(s.message(), "invalid listen address \"not-an-ip\"");
  server_.reset();
}

TEST_F(HttpServerTest, PostBodyAndRepeatedHeaders) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(
      c->Send("POST /p HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 5\r\n\r\nhello"));
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, "POST /p q= body=hello");
  EXPECT_EQ(Last().Header("X-A"), "1, 2");
}

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  StartServer();
  auto c = Connect();
  for (int i = 0; i < 5; ++i) {
    Response r = c->Get("/n" + std::to_string(i));
    ASSERT_TRUE(r.ok) << i;
    EXPECT_EQ(r.body, "GET /n" + std::to_string(i) + " q= body=");
    EXPECT_NE(r.headers["Connection"], "close");
  }
  // Three requests in one write: answered in order, one at a time.
  ASSERT_TRUE(
      c->Send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
              "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
              "GET /c HTTP/1.1\r\nHost: h\r\n\r\n"));
  EXPECT_EQ(c->Read().body, "GET /a q= body=");
  EXPECT_EQ(c->Read().body, "POST /b q= body=xyz");
  EXPECT_EQ(c->Read().body, "GET /c q= body=");
  // Connection: close is honoured.
  ASSERT_TRUE(c->Send("GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.headers["Connection"], "close");
  EXPECT_TRUE(c->WaitClosed());
}

TEST_F(HttpServerTest, Http10ClosesAfterResponse) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /old HTTP/1.0\r\n\r\n"));
  // The server answers in HTTP/1.1 framing with Connection: close.
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, "GET /old q= body=");
  EXPECT_TRUE(c->WaitClosed());
}

TEST_F(HttpServerTest, ClientCertificateIdentity) {
  StartServer();
  auto c = Connect(WithIdentity(&GetPki().alice));
  ASSERT_TRUE(c->Get("/whoami").ok);
  HttpRequest last = Last();
  ASSERT_TRUE(last.client_cert.has_value());
  EXPECT_EQ(last.client_cert->common_name, "alice");
  EXPECT_EQ(last.client_cert->organizations, (std::vector<std::string>{"devs", "system:masters"}));
  EXPECT_EQ(last.client_cert->sha256_hex, Sha256Hex(GetPki().alice.cert.get()));
  EXPECT_TRUE(last.client_cert->client_auth_usage);
  // The identity stays for every request of the connection.
  ASSERT_TRUE(c->Get("/again").ok);
  ASSERT_TRUE(Last().client_cert.has_value());
}

TEST_F(HttpServerTest, NoClientCertificate) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Get("/x").ok);
  EXPECT_FALSE(Last().client_cert.has_value());
}

TEST_F(HttpServerTest, UntrustedClientCertificateGivesNoIdentity) {
  StartServer();
  auto c = Connect(WithIdentity(&GetPki().stranger));
  Response r = c->Get("/x");
  ASSERT_TRUE(r.ok);  // the handshake did not fail
  EXPECT_FALSE(Last().client_cert.has_value());
}

TEST_F(HttpServerTest, ClientCertificateWithoutClientAuthGivesNoIdentity) {
  StartServer();
  auto c = Connect(WithIdentity(&GetPki().server_only));
  ASSERT_TRUE(c->Get("/x").ok);
  EXPECT_FALSE(Last().client_cert.has_value());
}

TEST_F(HttpServerTest, NoClientCaMeansNoClientCertificates) {
  HttpServerOptions o = BaseOptions();
  o.client_ca_pem.clear();
  StartServer(o);
  auto c = Connect(WithIdentity(&GetPki().alice));
  ASSERT_TRUE(c->Get("/x").ok);
  EXPECT_FALSE(Last().client_cert.has_value());
}

TEST_F(HttpServerTest, AlpnSelectsHttp11Only) {
  StartServer();
  auto both = Connect(WithAlpn({"h2", "http/1.1"}));
  EXPECT_EQ(both->Alpn(), "http/1.1");
  EXPECT_TRUE(both->Get("/x").ok);
  auto h2 = Connect(WithAlpn({"h2"}));
  EXPECT_EQ(h2->Alpn(), "");
  EXPECT_TRUE(h2->Get("/x").ok);
}

TEST_F(HttpServerTest, RejectsTls11) {
  StartServer();
  TlsClient c;
  EXPECT_FALSE(c.Connect(server_->port(), WithMaxVersion(TLS1_1_VERSION)));
  // The server is still fine.
  EXPECT_TRUE(Connect()->Get("/x").ok);
}

TEST_F(HttpServerTest, BodyLimit413) {
  HttpServerOptions o = BaseOptions();
  o.max_body_bytes = 1024;
  StartServer(o);
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" +
                      std::string(2000, 'x')));
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["Content-Type"], "application/json");
  nlohmann::json j = JsonBody(r);
  EXPECT_EQ(j["kind"], "Status");
  EXPECT_EQ(j["reason"], "RequestEntityTooLarge");
  EXPECT_EQ(j["message"], "Request entity too large: limit is 1024");
  EXPECT_EQ(j["code"], 413);
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_EQ(requests_, 0);

  // A chunked body that grows past the limit.
  auto c2 = Connect();
  ASSERT_TRUE(
      c2->Send("POST /big HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
               "400\r\n" +
               std::string(1024, 'a') + "\r\n10\r\n" + std::string(16, 'b') + "\r\n0\r\n\r\n"));
  Response r2 = c2->Read();
  EXPECT_EQ(r2.status, 413);
  EXPECT_TRUE(c2->WaitClosed());

  // Exactly at the limit is fine.
  auto c3 = Connect();
  ASSERT_TRUE(c3->Send("POST /ok HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" +
                       std::string(1024, 'x')));
  EXPECT_EQ(c3->Read().status, 200);
}

TEST_F(HttpServerTest, BodyLimit413WhileClientStillSends) {
  HttpServerOptions o = BaseOptions();
  o.max_body_bytes = 1024;
  StartServer(o);
  auto c = Connect();
  // 4 MiB that the server never wants: it answers 413 after the header and must not reset
  // the connection before the client has read the answer.
  size_t size = 4 << 20;
  c->Send("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n" +
          std::string(size, 'x'));  // may fail once the server stops reading
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(c->WaitClosed());
}

TEST_F(HttpServerTest, ExpectContinue) {
  HttpServerOptions o = BaseOptions();
  o.max_body_bytes = 1024;
  StartServer(o);
  auto c = Connect();
  ASSERT_TRUE(
      c->Send("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
              "Content-Length: 4\r\n\r\n"));
  Response cont = c->Read();
  ASSERT_TRUE(cont.ok);
  EXPECT_EQ(cont.status, 100);
  ASSERT_TRUE(c->Send("data"));
  Response r = c->Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "PUT /x q= body=data");
  // Too large: 413 at once, without a 100 and without waiting for the body.
  ASSERT_TRUE(
      c->Send("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
              "Content-Length: 5000\r\n\r\n"));
  EXPECT_EQ(c->Read().status, 413);
}

TEST_F(HttpServerTest, HeaderLimit431) {
  HttpServerOptions o = BaseOptions();
  o.max_header_bytes = 4096;
  StartServer(o);
  auto c = Connect();
  ASSERT_TRUE(
      c->Send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(8000, 'v') + "\r\n\r\n"));
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(JsonBody(r)["code"], 431);
  EXPECT_TRUE(c->WaitClosed());
}

TEST_F(HttpServerTest, MalformedHttp400) {
  StartServer();
  for (std::string bad :
       {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: zz\r\n\r\n"}) {
    auto c = Connect();
    ASSERT_TRUE(c->Send(bad));
    Response r = c->Read();
    ASSERT_TRUE(r.ok) << bad;
    EXPECT_EQ(r.status, 400) << bad;
    nlohmann::json j = JsonBody(r);
    EXPECT_EQ(j["reason"], "BadRequest");
    EXPECT_TRUE(c->WaitClosed());
  }
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpServerTest, BadPathEscape400KeepsConnection) {
  StartServer();
  auto c = Connect();
  Response r = c->Get("/api/%zz");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(JsonBody(r)["reason"], "BadRequest");
  EXPECT_EQ(c->Get("/fine").status, 200);
}

TEST_F(HttpServerTest, HandlerStatusesAndHeaders) {
  handler_.fn = [](HttpRequest& r) {
    HttpResponse resp;
    resp.body = "ignored for 204 and 304";
    if (r.path == "/204") resp.status = 204;
    if (r.path == "/304") resp.status = 304;
    if (r.path == "/101") resp.status = 101;  // not a final status: sent as 200
    if (r.path == "/close") resp.headers = {{"Connection", "close"}};
    if (r.path == "/evil") {
      resp.headers = {{"X-Ok", "1"},
                      {"X-Bad", "a\r\nSet-Cookie: x"},
                      {"Bad Name", "v"},
                      {"Content-Length", "1"}};
      resp.body = "evil";
    }
    return resp;
  };
  StartServer();
  auto c = Connect();
  Response r = c->Get("/204");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  r = c->Get("/304");
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(c->Get("/101").status, 200);
  r = c->Get("/evil");
  EXPECT_EQ(r.body, "evil");
  EXPECT_EQ(r.headers["X-Ok"], "1");
  EXPECT_EQ(r.headers.count("X-Bad"), 0u);
  EXPECT_EQ(r.headers.count("Set-Cookie"), 0u);
  ASSERT_TRUE(c->Send("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n"));
  // HEAD: Content-Length of the GET, no body (the next response parses cleanly).
  ASSERT_TRUE(c->Send("GET /close HTTP/1.1\r\nHost: h\r\n\r\n"));
  r = c->ReadHead();
  EXPECT_EQ(r.status, 200);
  r = c->Read();
  EXPECT_EQ(r.body, "ignored for 204 and 304");
  EXPECT_EQ(r.headers["Connection"], "close");
  EXPECT_TRUE(c->WaitClosed());
}

TEST_F(HttpServerTest, HandlerExceptionIs500) {
  handler_.fn = [](HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); };
  StartServer();
  auto c = Connect();
  Response r = c->Get("/x");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(JsonBody(r)["reason"], "InternalError");
  EXPECT_EQ(c->Get("/x").status, 500);  // the connection survives
}

TEST_F(HttpServerTest, ReadTimeout408) {
  HttpServerOptions o = BaseOptions();
  o.read_timeout_seconds = 1;
  StartServer(o);
  auto c = Connect();
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Send("GET / HTTP/1.1\r\nHost: h\r\n"));  // never finished
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(JsonBody(r)["code"], 408);
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpServerTest, HeaderTimeout408) {
  HttpServerOptions o = BaseOptions();
  o.header_timeout_seconds = 1;  // the whole request may take 60 s, its header only 1
  StartServer(o);
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET / HTTP/1.1\r\nHost: h\r\nX-Slow: "));  // slowloris
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(JsonBody(r)["message"], "request header did not arrive within 1s");
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_EQ(requests_, 0);
}

// A client that starts a TLS handshake and stalls (3 bytes of a record) is dropped after the
// header timeout, like Go's server does with ReadHeaderTimeout.
TEST_F(HttpServerTest, StalledTlsHandshakeIsClosed) {
  HttpServerOptions o = BaseOptions();
  o.header_timeout_seconds = 1;
  StartServer(o);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(send(fd, "\x16\x03\x01", 3, MSG_NOSIGNAL), 3);
  char buf[64];
  ssize_t n = recv(fd, buf, sizeof(buf), 0);
  int err = errno;
  close(fd);
  // Closed by the server (EOF or reset), not our 20 s receive timeout.
  EXPECT_TRUE(n == 0 || (n < 0 && err == ECONNRESET)) << "n=" << n << " errno=" << err;
  // Stalled connections never took a worker: others are served all along.
  auto c = Connect();
  EXPECT_EQ(c->Get("/ok").status, 200);
}

TEST_F(HttpServerTest, InFlightLimit429WithRetryAfter) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> blocked{0};
  handler_.fn = [&](HttpRequest& r) {
    if (r.path == "/slow") {
      ++blocked;
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return release; });
    }
    HttpResponse resp;
    resp.body = r.method + " " + r.path;
    return resp;
  };
  HttpServerOptions o = BaseOptions();
  o.max_requests_in_flight = 1;
  o.max_mutating_requests_in_flight = 1;
  o.worker_threads = 8;  // the anonymous flow may use 2 while /slow blocks one
  StartServer(o);
  auto slow = Connect();
  ASSERT_TRUE(slow->Send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return blocked == 1; }));

  auto c = Connect();
  Response r = c->Get("/x");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["Retry-After"], "1");
  EXPECT_EQ(r.body, "Too many requests, please try again later.\n");
  // The connection stays usable, and the limits are per kind of request:
  // mutating requests have their own, watches and system:masters are not counted.
  ASSERT_TRUE(c->Send("POST /api/v1/namespaces/a/configmaps HTTP/1.1\r\nHost: h\r\n"
                      "Content-Length: 2\r\n\r\n{}"));
  EXPECT_EQ(c->Read().status, 200);
  EXPECT_EQ(c->Get("/api/v1/pods?watch=true").status, 200);
  EXPECT_EQ(c->Get("/api/v1/namespaces/a/pods/p/log").status, 200);
  auto admin = Connect(WithIdentity(&GetPki().alice));
  EXPECT_EQ(admin->Get("/x").status, 200);

  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_EQ(slow->Read().body, "GET /slow");
  EXPECT_EQ(c->Get("/x").status, 200);  // released
}

TEST_F(HttpServerTest, OneClientCannotTakeEveryWorker) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> blocked{0};
  handler_.fn = [&](HttpRequest& r) {
    if (r.path == "/slow") {
      ++blocked;
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return release; });
    }
    HttpResponse resp;
    resp.body = r.path;
    return resp;
  };
  HttpServerOptions o = BaseOptions();
  o.worker_threads = 8;  // one flow may hold 2
  StartServer(o);
  std::vector<std::unique_ptr<TlsClient>> flood;  // all anonymous from 127.0.0.1: one flow
  for (int i = 0; i < 6; ++i) {
    flood.push_back(Connect());
    ASSERT_TRUE(flood.back()->Send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"));
  }
  ASSERT_TRUE(WaitFor([&] { return blocked == 2; }));
  // Another client (its own flow) is answered while the flood waits.
  auto other = Connect(WithIdentity(&GetPki().alice));
  EXPECT_EQ(other->Get("/fast").body, "/fast");
  EXPECT_EQ(blocked, 2);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  for (auto& c : flood) EXPECT_EQ(c->Read().body, "/slow");
}

TEST_F(HttpServerTest, IdleTimeoutClosesKeepAlive) {
  HttpServerOptions o = BaseOptions();
  o.idle_timeout_seconds = 1;
  StartServer(o);
  auto c = Connect();
  ASSERT_EQ(c->Get("/x").status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->WaitClosed());
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GT(waited, 500ms);
  EXPECT_LT(waited, 5s);
}

TEST_F(HttpServerTest, StreamsChunksInOrderThenKeepsAlive) {
  auto stream = std::make_shared<TestStream>();
  handler_.fn = [&](HttpRequest& r) {
    HttpResponse resp;
    if (r.path == "/watch") {
      resp.headers = {{"Content-Type", "application/json"}, {"Content-Length", "99"}};
      resp.stream = stream;
    } else {
      resp.body = "plain";
    }
    return resp;
  };
  StartServer();
  std::thread feeder([&] {
    ASSERT_TRUE(WaitFor([&] { return stream->HasNotify(); }));
    for (int i = 0; i < 20; ++i) {
      stream->Push("event-" + std::to_string(i) + "\n");
      if (i % 5 == 0) std::this_thread::sleep_for(10ms);
    }
    stream->Notify();  // spurious notifies are harmless
    stream->Finish();
  });
  auto c = Connect();
  Response r = c->Get("/watch");
  feeder.join();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Transfer-Encoding"], "chunked");
  EXPECT_EQ(r.headers.count("Content-Length"), 0u);
  EXPECT_EQ(r.headers["Content-Type"], "application/json");
  ASSERT_EQ(r.chunks.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(r.chunks[i], "event-" + std::to_string(i) + "\n");
  EXPECT_EQ(stream->cancels(), 0);
  // The connection goes on after the last chunk.
  Response next = c->Get("/plain");
  EXPECT_EQ(next.body, "plain");
  stream->Notify();  // after the stream ended: a no-op
}

TEST_F(HttpServerTest, StreamCancelledWhenClientCloses) {
  auto stream = std::make_shared<TestStream>();
  handler_.fn = [&](HttpRequest&) {
    HttpResponse resp;
    resp.stream = stream;
    stream->Push("first");
    return resp;
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /watch HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c->ReadHead().ok);
  EXPECT_EQ(c->ReadChunk(), "first");
  stream->Push("second");
  EXPECT_EQ(c->ReadChunk(), "second");
  c->CloseAbruptly();
  EXPECT_TRUE(stream->WaitCancelled(5000ms));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(stream->cancels(), 1);
  // Notifying and pushing after the session ended is harmless.
  stream->Push("late");
  stream->Notify();
  server_->Stop();
  server_.reset();
  stream->Notify();  // after the server is gone
  EXPECT_EQ(stream->cancels(), 1);
}

TEST_F(HttpServerTest, BlockedHandlersDoNotStallOthers) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> blocked{0};
  handler_.fn = [&](HttpRequest& r) {
    HttpResponse resp;
    if (r.path == "/slow") {
      ++blocked;
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return release; });
    }
    resp.body = r.path;
    return resp;
  };
  HttpServerOptions o = BaseOptions();
  o.worker_threads = 16;  // one (anonymous) flow may hold 4: both /slow and /fast
  StartServer(o);
  auto slow1 = Connect();
  auto slow2 = Connect();
  ASSERT_TRUE(slow1->Send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(slow2->Send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return blocked == 2; }));
  auto fast = Connect();
  EXPECT_EQ(fast->Get("/fast").body, "/fast");
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_EQ(slow1->Read().body, "/slow");
  EXPECT_EQ(slow2->Read().body, "/slow");
}

TEST_F(HttpServerTest, HundredConcurrentConnections) {
  StartServer();
  std::vector<std::unique_ptr<TlsClient>> clients;
  for (int i = 0; i < 100; ++i) {
    clients.push_back(std::make_unique<TlsClient>());
    ASSERT_TRUE(
        clients.back()->Connect(server_->port(), WithIdentity(i % 2 ? &GetPki().alice : nullptr)))
        << i;
  }
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(clients[i]->Send("GET /c" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
  }
  std::vector<std::thread> readers;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int i = t; i < 100; i += 4) {
        Response r = clients[i]->Read();
        if (r.ok && r.body == "GET /c" + std::to_string(i) + " q= body=") ++good;
      }
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(good, 100);
}

TEST_F(HttpServerTest, MaxConnections) {
  HttpServerOptions o = BaseOptions();
  o.max_connections = 2;
  StartServer(o);
  auto a = Connect();
  auto b = Connect();
  ASSERT_EQ(a->Get("/a").status, 200);
  ASSERT_EQ(b->Get("/b").status, 200);
  {
    TlsClient refused;
    bool connected = refused.Connect(server_->port());
    // The server closes the socket at once: either the handshake or the first read fails.
    if (connected) {
      EXPECT_FALSE(refused.Get("/c").ok);
    }
  }
  a.reset();  // frees a slot once the server notices
  EXPECT_TRUE(WaitFor([&] {
    TlsClient c;
    return c.Connect(server_->port()) && c.Get("/d").ok;
  }));
}

TEST_F(HttpServerTest, StopClosesConnectionsAndCancelsStreams) {
  auto stream = std::make_shared<TestStream>();
  std::atomic<bool> in_handler{false};
  handler_.fn = [&](HttpRequest& r) {
    HttpResponse resp;
    if (r.path == "/watch") {
      resp.stream = stream;
    } else if (r.path == "/slow") {
      in_handler = true;
      std::this_thread::sleep_for(300ms);
      resp.body = "slow";
    }
    return resp;
  };
  StartServer();
  auto idle = Connect();
  ASSERT_EQ(idle->Get("/x").status, 200);
  auto watcher = Connect();
  ASSERT_TRUE(watcher->Send("GET /watch HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(watcher->ReadHead().ok);
  auto slow = Connect();
  ASSERT_TRUE(slow->Send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return in_handler.load(); }));
  auto handshaken_only = Connect();

  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(stream->cancels(), 1);
  EXPECT_TRUE(idle->WaitClosed());
  EXPECT_TRUE(watcher->WaitClosed());
  EXPECT_TRUE(slow->WaitClosed());
  EXPECT_TRUE(handshaken_only->WaitClosed());
  server_->Stop();  // twice is fine
  stream->Notify();
  TlsClient late;
  EXPECT_FALSE(late.Connect(server_->port()));
}

TEST_F(HttpServerTest, StreamResponseAfterStopIsCancelled) {
  auto stream = std::make_shared<TestStream>();
  std::atomic<bool> in_handler{false};
  handler_.fn = [&](HttpRequest&) {
    in_handler = true;
    std::this_thread::sleep_for(200ms);
    HttpResponse resp;
    resp.stream = stream;
    return resp;
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /watch HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return in_handler.load(); }));
  server_->Stop();
  EXPECT_EQ(stream->cancels(), 1);
}

TEST_F(HttpServerTest, DestructorStops) {
  StartServer();
  auto c = Connect();
  ASSERT_EQ(c->Get("/x").status, 200);
  server_.reset();
  EXPECT_TRUE(c->WaitClosed());
}

TEST_F(HttpServerTest, PortTaken) {
  StartServer();
  HttpServerOptions o = BaseOptions();
  o.port = server_->port();
  FuncHandler h;
  auto second = NewHttpServer(o, h);
  Status s = second->Start();
  EXPECT_EQ(s.code(), Code::kServiceUnavailable);
  EXPECT_EQ(s.message(),
            "listen tcp 127.0.0.1:" + std::to_string(o.port) + ": bind: address already in use");
  second->Stop();
  EXPECT_EQ(Connect()->Get("/x").status, 200);  // the first server is unharmed
}

// ---------------------------------------------------------------------------------------
// Real clients: curl and kubectl, when installed.

std::string Base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  pclose(p);
  return out;
}

void WriteFile(const std::string& path, const std::string& data) {
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  fwrite(data.data(), 1, data.size(), f);
  fclose(f);
}

class RealClientTest : public HttpServerTest {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-http-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    WriteFile(dir_ + "/ca.pem", GetPki().ca.cert_pem);
    WriteFile(dir_ + "/alice.pem", GetPki().alice.cert_pem);
    WriteFile(dir_ + "/alice.key", GetPki().alice.key_pem);
    handler_.fn = [](HttpRequest& r) {
      HttpResponse resp;
      resp.headers = {{"Content-Type", "text/plain"}};
      resp.body = r.client_cert ? "user=" + r.client_cert->common_name : "anonymous";
      resp.body += " " + r.method + " " + r.path + " " + std::to_string(r.body.size());
      return resp;
    };
  }
  void TearDown() override { Shell("rm -rf " + dir_); }
  std::string dir_;
};

TEST_F(RealClientTest, Curl) {
  if (Shell("command -v curl").empty()) GTEST_SKIP() << "curl not installed";
  HttpServerOptions o = BaseOptions();
  o.max_body_bytes = 3 * 1024 * 1024;
  StartServer(o);
  std::string base =
      "curl -s --cacert " + dir_ + "/ca.pem https://127.0.0.1:" + std::to_string(server_->port());
  std::string cert = " --cert " + dir_ + "/alice.pem --key " + dir_ + "/alice.key";
  EXPECT_EQ(Shell(base + "/hello"), "anonymous GET /hello 0");
  EXPECT_EQ(Shell(base + "/hello" + cert), "user=alice GET /hello 0");
  // Several URLs: one connection with keep-alive.
  EXPECT_EQ(Shell(base + "/a " + base.substr(base.find("https")) + "/b" + cert),
            "user=alice GET /a 0user=alice GET /b 0");
  // Over 1 MiB curl sends "Expect: 100-continue": accepted below the limit ...
  WriteFile(dir_ + "/2m", std::string(2 << 20, 'x'));
  EXPECT_EQ(Shell(base + "/upload --data-binary @" + dir_ + "/2m" + cert),
            "user=alice POST /upload 2097152");
  // ... and refused above it with a Status.
  WriteFile(dir_ + "/4m", std::string(4 << 20, 'x'));
  std::string refused =
      Shell(base + "/upload -w ' %{http_code}' --data-binary @" + dir_ + "/4m" + cert);
  EXPECT_NE(refused.find("\"reason\":\"RequestEntityTooLarge\""), std::string::npos) << refused;
  EXPECT_NE(refused.find(" 413"), std::string::npos) << refused;
  // Without Expect the body is on its way when the 413 comes; the client still sees it.
  refused =
      Shell(base + "/upload -H 'Expect:' -w ' %{http_code}' --data-binary @" + dir_ + "/4m" + cert);
  EXPECT_NE(refused.find(" 413"), std::string::npos) << refused;
}

TEST_F(RealClientTest, Kubectl) {
  if (Shell("command -v kubectl").empty()) GTEST_SKIP() << "kubectl not installed";
  StartServer();
  std::string kubeconfig =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: "
      "https://127.0.0.1:" +
      std::to_string(server_->port()) +
      "\n    certificate-authority-data: " + Base64(GetPki().ca.cert_pem) +
      "\nusers:\n- name: u\n  user:\n    client-certificate-data: " +
      Base64(GetPki().alice.cert_pem) + "\n    client-key-data: " + Base64(GetPki().alice.key_pem) +
      "\ncontexts:\n- name: t\n  context:\n    cluster: t\n    user: u\n"
      "current-context: t\n";
  WriteFile(dir_ + "/kubeconfig", kubeconfig);
  // kubectl offers h2 and http/1.1 over ALPN and sends its client certificate.
  EXPECT_EQ(Shell("kubectl --kubeconfig " + dir_ + "/kubeconfig get --raw /healthz 2>&1"),
            "user=alice GET /healthz 0");
}

TEST(HttpServerConfig, BadPemAndAddress) {
  FuncHandler h;
  HttpServerOptions o = BaseOptions();
  o.cert_pem = "not a pem";
  EXPECT_EQ(NewHttpServer(o, h)->Start().code(), Code::kBadRequest);
  o = BaseOptions();
  o.key_pem = GetPki().alice.key_pem;  // does not match the certificate
  EXPECT_EQ(NewHttpServer(o, h)->Start().code(), Code::kBadRequest);
  o = BaseOptions();
  o.client_ca_pem = "garbage";
  EXPECT_EQ(NewHttpServer(o, h)->Start().code(), Code::kBadRequest);
  o = BaseOptions();
  o.address = "not-an-ip";
  EXPECT_EQ(NewHttpServer(o, h)->Start().code(), Code::kBadRequest);
  // Never started: Stop and destruction are fine.
  NewHttpServer(BaseOptions(), h)->Stop();
}


// ---------------------------------------------------------------------------------------
// Upgrades

// Sends "hello" on Start, echoes what arrives as "echo:<data>", closes on "bye".
class EchoTunnel : public Tunnel {
 public:
  void Start(std::shared_ptr<TunnelIo> io) override {
    io_ = io;
    io->Send("hello");
  }
  void OnReceive(std::string data, bool text) override {
    std::lock_guard<std::mutex> lock(mu_);
    received_ += data;
    if (data == "bye") return io_->Close();
    io_->Send("echo:" + data, text);
  }
  void OnClosed() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++closed_;
    io_.reset();
  }
  int closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  std::string received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  std::mutex mu_;
  std::shared_ptr<TunnelIo> io_;
  std::string received_;
  int closed_ = 0;
};

constexpr char kWebSocketRequest[] =
    "GET /exec HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n";

TEST_F(HttpServerTest, WebSocketUpgradeRunsTheTunnel) {
  auto tunnel = std::make_shared<EchoTunnel>();
  handler_.fn = [&](HttpRequest& r) {
    HttpResponse resp;
    EXPECT_EQ(r.Header("Upgrade"), "websocket");
    resp.upgrade = HttpUpgrade{HttpUpgrade::Kind::kWebSocket, "v5.channel.k8s.io", tunnel};
    return resp;
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(kWebSocketRequest));
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.headers["Sec-WebSocket-Accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455 1.3
  EXPECT_EQ(r.headers["Sec-WebSocket-Protocol"], "v5.channel.k8s.io");
  auto hello = c->ReadFrame();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->first, 2);  // binary
  EXPECT_EQ(hello->second, "hello");
  ASSERT_TRUE(c->SendFrame(2, std::string("\x01" "abc", 4)));
  auto echo = c->ReadFrame();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->first, 2);
  EXPECT_EQ(echo->second, std::string("echo:\x01" "abc", 9));
  ASSERT_TRUE(c->SendFrame(1, "txt"));  // text in, text out
  echo = c->ReadFrame();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->first, 1);
  EXPECT_EQ(echo->second, "echo:txt");
  std::string big(60000, 'x');
  ASSERT_TRUE(c->SendFrame(2, big));
  echo = c->ReadFrame();
  ASSERT_TRUE(echo);
  EXPECT_TRUE(echo->second == "echo:" + big) << echo->second.size();
  // The tunnel ends the session: a close frame 1000, then the connection ends.
  ASSERT_TRUE(c->SendFrame(2, "bye"));
  auto close = c->ReadFrame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->first, 8);
  EXPECT_EQ(close->second.substr(0, 2), std::string("\x03\xe8", 2));
  ASSERT_TRUE(c->SendFrame(8, std::string("\x03\xe8", 2)));
  EXPECT_TRUE(WaitFor([&] { return tunnel->closed() == 1; }));
  EXPECT_TRUE(c->WaitClosed());
}

TEST_F(HttpServerTest, WebSocketClientCloseEndsTheTunnelOnce) {
  auto tunnel = std::make_shared<EchoTunnel>();
  handler_.fn = [&](HttpRequest&) {
    HttpResponse resp;
    resp.upgrade = HttpUpgrade{HttpUpgrade::Kind::kWebSocket, "", tunnel};
    return resp;
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(kWebSocketRequest));
  Response r = c->Read();
  ASSERT_EQ(r.status, 101);
  EXPECT_EQ(r.headers.count("Sec-WebSocket-Protocol"), 0u);  // none chosen: none answered
  ASSERT_TRUE(c->ReadFrame());
  c->CloseAbruptly();
  EXPECT_TRUE(WaitFor([&] { return tunnel->closed() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(tunnel->closed(), 1);
}

TEST_F(HttpServerTest, RawUpgradeSendsThe101AndCarriesBytes) {
  auto tunnel = std::make_shared<EchoTunnel>();
  handler_.fn = [&](HttpRequest&) {
    HttpResponse resp;
    resp.headers = {{"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", "portforward.k8s.io"}};
    resp.upgrade = HttpUpgrade{HttpUpgrade::Kind::kRaw, "", tunnel};
    return resp;
  };
  StartServer();
  auto c = Connect();
  // Bytes right behind the request are the tunnel's.
  ASSERT_TRUE(c->Send(
      "POST /pf HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
      "X-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\nearly"));
  Response r = c->Read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.headers["Connection"], "Upgrade");
  EXPECT_EQ(r.headers["Upgrade"], "SPDY/3.1");
  EXPECT_EQ(r.headers["X-Stream-Protocol-Version"], "portforward.k8s.io");
  EXPECT_EQ(c->ReadBytes(5), "hello");
  EXPECT_EQ(c->ReadBytes(10), "echo:early");
  ASSERT_TRUE(c->Send("more"));
  EXPECT_EQ(c->ReadBytes(9), "echo:more");
  ASSERT_TRUE(c->Send("bye"));
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_TRUE(WaitFor([&] { return tunnel->closed() == 1; }));
}

TEST_F(HttpServerTest, UpgradeAnswerToAPlainRequestIs500) {
  auto tunnel = std::make_shared<EchoTunnel>();
  handler_.fn = [&](HttpRequest&) {
    HttpResponse resp;
    resp.upgrade = HttpUpgrade{HttpUpgrade::Kind::kRaw, "", tunnel};
    return resp;
  };
  StartServer();
  auto c = Connect();
  Response r = c->Get("/x");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(tunnel->closed(), 0);
}

TEST_F(HttpServerTest, StopClosesTunnels) {
  auto tunnel = std::make_shared<EchoTunnel>();
  handler_.fn = [&](HttpRequest&) {
    HttpResponse resp;
    resp.upgrade = HttpUpgrade{HttpUpgrade::Kind::kWebSocket, "", tunnel};
    return resp;
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(kWebSocketRequest));
  ASSERT_EQ(c->Read().status, 101);
  ASSERT_TRUE(c->ReadFrame());
  server_->Stop();
  EXPECT_EQ(tunnel->closed(), 1);
  EXPECT_TRUE(c->WaitClosed());
}

// Pauses reading after the first message, as the exec tunnel does while stdin waits for
// the container; the test resumes it.
class PausingTunnel : public Tunnel {
 public:
  void Start(std::shared_ptr<TunnelIo> io) override {
    std::lock_guard<std::mutex> lock(mu_);
    io_ = io;
  }
  void OnReceive(std::string data, bool) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (received_.empty()) io_->PauseReading(true);
    received_ += data;
  }
  void OnClosed() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++closed_;
    io_.reset();
  }
  void ResumeAndSend(const std::string& data) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!io_) return;
    io_->PauseReading(false);
    io_->Send(data);
  }
  std::string received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  int closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  std::mutex mu_;
  std::shared_ptr<TunnelIo> io_;
  std::string received_;
  int closed_ = 0;
};

// Regression: a paused connection with nothing in flight was freed, its socket closed
// without a word (kubectl cp of more than 1 MiB failed with "close 1006").
TEST_F(HttpServerTest, PausedTunnelStaysOpenUntilResumed) {
  auto tunnel = std::make_shared<PausingTunnel>();
  handler_.fn = [&](HttpRequest&) {
    HttpResponse resp;
    resp.upgrade = HttpUpgrade{HttpUpgrade::Kind::kRaw, "", tunnel};
    return resp;
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n"));
  ASSERT_EQ(c->Read().status, 101);
  ASSERT_TRUE(c->Send("a"));
  ASSERT_TRUE(WaitFor([&] { return tunnel->received() == "a"; }));
  // The read already under way delivers this one; then nothing is pending on the connection.
  ASSERT_TRUE(c->Send("b"));
  ASSERT_TRUE(WaitFor([&] { return tunnel->received() == "ab"; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(tunnel->closed(), 0);
  tunnel->ResumeAndSend("ok");
  EXPECT_EQ(c->ReadBytes(2), "ok");
  ASSERT_TRUE(c->Send("c"));
  EXPECT_TRUE(WaitFor([&] { return tunnel->received() == "abc"; }));
  c->CloseAbruptly();
  EXPECT_TRUE(WaitFor([&] { return tunnel->closed() == 1; }));
}

// A producer waiting for a client that does not read is released when the connection ends.
class StuckTunnel : public Tunnel {
 public:
  void Start(std::shared_ptr<TunnelIo> io) override {
    producer_ = std::thread([this, io] {
      std::string block(256 * 1024, 'z');
      while (io->WaitWritable(1 << 20, 10000)) {
        io->Send(block);
        sent_ += block.size();
      }
      done_ = true;
    });
  }
  void OnReceive(std::string, bool) override {}
  void OnClosed() override { closed_ = true; }
  ~StuckTunnel() override {
    if (producer_.joinable()) producer_.join();
  }
  std::atomic<size_t> sent_{0};
  std::atomic<bool> done_{false};
  std::atomic<bool> closed_{false};

 private:
  std::thread producer_;
};

TEST_F(HttpServerTest, TunnelBackPressureBoundsWhatIsQueued) {
  auto tunnel = std::make_shared<StuckTunnel>();
  handler_.fn = [&](HttpRequest&) {
    HttpResponse resp;
    resp.upgrade = HttpUpgrade{HttpUpgrade::Kind::kRaw, "", tunnel};
    return resp;
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n"));
  ASSERT_EQ(c->Read().status, 101);
  // The client reads nothing more: the producer stops after the socket buffers fill and
  // 1 MiB is queued.
  std::this_thread::sleep_for(500ms);
  size_t sent = tunnel->sent_;
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(tunnel->sent_.load(), sent);
  EXPECT_LT(sent, 64u << 20);
  c->CloseAbruptly();
  EXPECT_TRUE(WaitFor([&] { return tunnel->done_.load() && tunnel->closed_.load(); }));
}

}  // namespace
}  // namespace minik
