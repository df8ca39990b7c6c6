#include "cmd/https_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace minik {
namespace {

constexpr size_t kMaxResponseBytes = 1 << 20;

std::string SslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Parses "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" with Content-Length, chunked, or to-EOF bodies.
StatusOr<HttpsResponse> ParseResponse(const std::string& raw) {
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) {
    return Internal("malformed HTTP response");
  }
  HttpsResponse resp;
  size_t sp = raw.find(' ');
  if (sp == std::string::npos || sp + 4 > head_end) return Internal("malformed HTTP status line");
  resp.status = std::atoi(raw.c_str() + sp + 1);
  if (resp.status < 100 || resp.status > 999) return Internal("malformed HTTP status code");
  std::string head = raw.substr(0, head_end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string body = raw.substr(head_end + 4);
  if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
    std::string out;
    size_t pos = 0;
    for (;;) {
      size_t eol = body.find("\r\n", pos);
      if (eol == std::string::npos) return Internal("truncated chunked body");
      size_t len = std::strtoul(body.c_str() + pos, nullptr, 16);
      if (len == 0) break;
      if (eol + 2 + len > body.size()) return Internal("truncated chunked body");
      out.append(body, eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    resp.body = std::move(out);
    return resp;
  }
  size_t cl = head.find("\r\ncontent-length:");
  if (cl != std::string::npos) {
    size_t len = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
    if (body.size() < len) return Internal("truncated HTTP body");
    body.resize(len);
  }
  resp.body = std::move(body);
  return resp;
}

// Whether `raw` holds a whole response, so that we need not wait for the server to close.
bool IsComplete(const std::string& raw) {
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  std::string head = raw.substr(0, head_end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
    return raw.size() >= 5 && raw.compare(raw.size() - 5, 5, "0\r\n\r\n") == 0;
  }
  size_t cl = head.find("\r\ncontent-length:");
  if (cl == std::string::npos) return false;
  return raw.size() - head_end - 4 >= std::strtoul(head.c_str() + cl + 17, nullptr, 10);
}

}  // namespace

struct HttpsClient::Impl {
  HttpsClientOptions options;
  SSL_CTX* ctx = nullptr;
  ~Impl() { SSL_CTX_free(ctx); }
};

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() = default;

StatusOr<std::unique_ptr<HttpsClient>> HttpsClient::New(const HttpsClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->ctx = SSL_CTX_new(TLS_client_method());
  if (!impl->ctx) return Internal("SSL_CTX_new: " + SslErrors());
  SSL_CTX_set_min_proto_version(impl->ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(impl->ctx, SSL_VERIFY_PEER, nullptr);

  X509_STORE* store = SSL_CTX_get_cert_store(impl->ctx);
  BIO* bio = BIO_new_mem_buf(options.ca_pem.data(), static_cast<int>(options.ca_pem.size()));
  int added = 0;
  while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, ca)) ++added;
    X509_free(ca);
  }
  BIO_free(bio);
  ERR_clear_error();  // the read loop ends with a "no start line" error
  if (added == 0) return BadRequest("no CA certificate in the given PEM data");

  if (!options.client_cert_pem.empty()) {
    BIO* cb = BIO_new_mem_buf(options.client_cert_pem.data(),
                              static_cast<int>(options.client_cert_pem.size()));
    X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
    BIO_free(cb);
    BIO* kb = BIO_new_mem_buf(options.client_key_pem.data(),
                              static_cast<int>(options.client_key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    BIO_free(kb);
    bool ok = cert && key && SSL_CTX_use_certificate(impl->ctx, cert) == 1 &&
              SSL_CTX_use_PrivateKey(impl->ctx, key) == 1 &&
              SSL_CTX_check_private_key(impl->ctx) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!ok) return BadRequest("bad client certificate or key: " + SslErrors());
  }
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

StatusOr<HttpsResponse> HttpsClient::Get(const std::string& path) {
  const HttpsClientOptions& o = impl_->options;
  std::string where = o.host + ":" + std::to_string(o.port);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &res); rc != 0) {
    return Status(Code::kServiceUnavailable, "cannot resolve " + o.host + ": " + gai_strerror(rc));
  }
  Fd fd(socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    freeaddrinfo(res);
    return Internal(std::string("socket: ") + std::strerror(errno));
  }
  int rc = connect(fd.get(), res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0 && errno != EINPROGRESS) {
    return Status(Code::kServiceUnavailable,
                  "cannot connect to " + where + ": " + std::strerror(errno));
  }
  if (rc != 0) {
    pollfd p{fd.get(), POLLOUT, 0};
    int n = poll(&p, 1, o.timeout_ms);
    if (n == 0) return Status(Code::kTimeout, "timed out connecting to " + where);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (n < 0 || err != 0) {
      return Status(Code::kServiceUnavailable,
                    "cannot connect to " + where + ": " + std::strerror(n < 0 ? errno : err));
    }
  }
  // Blocking from here on, bounded by socket timeouts.
  fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  timeval tv{o.timeout_ms / 1000, (o.timeout_ms % 1000) * 1000};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(impl_->ctx), SSL_free);
  if (!ssl) return Internal("SSL_new: " + SslErrors());
  SSL_set_fd(ssl.get(), fd.get());
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  in6_addr addr6;
  in_addr addr4;
  if (inet_pton(AF_INET, o.host.c_str(), &addr4) == 1 ||
      inet_pton(AF_INET6, o.host.c_str(), &addr6) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, o.host.c_str(), 0);
    SSL_set_tlsext_host_name(ssl.get(), o.host.c_str());
  }
  if (SSL_connect(ssl.get()) != 1) {
    long verify = SSL_get_verify_result(ssl.get());
    std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : SslErrors();
    if (errno == EAGAIN || errno == EWOULDBLOCK) why = "timed out";
    ERR_clear_error();
    return Status(Code::kServiceUnavailable, "TLS handshake with " + where + " failed: " + why);
  }

  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + where +
                        "\r\nUser-Agent: minik\r\nAccept: application/json, */*\r\n"
                        "Connection: close\r\n\r\n";
  if (SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) <= 0) {
    ERR_clear_error();
    return Status(Code::kServiceUnavailable, "cannot send request to " + where);
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    int n = SSL_read(ssl.get(), buf, sizeof buf);
    if (n > 0) {
      raw.append(buf, static_cast<size_t>(n));
      if (raw.size() > kMaxResponseBytes) return Internal("response from " + where + " too large");
      if (IsComplete(raw)) break;
      continue;
    }
    int saved_errno = errno;
    int err = SSL_get_error(ssl.get(), n);
    ERR_clear_error();
    errno = saved_errno;
    if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) break;
    // SO_RCVTIMEO expiring surfaces as WANT_READ (or SYSCALL with EAGAIN).
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ||
        (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))) {
      return Status(Code::kTimeout, "timed out reading from " + where);
    }
    // Servers often close without close_notify once the body is complete.
    if (raw.find("\r\n\r\n") != std::string::npos) break;
    return Status(Code::kServiceUnavailable, "connection to " + where + " failed");
  }
  auto resp = ParseResponse(raw);
  if (!resp.ok()) return Status(resp.status().code(), where + ": " + resp.status().message());
  return resp;
}

}  // namespace minik
