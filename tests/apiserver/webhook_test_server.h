// A small HTTPS server on 127.0.0.1 for admission webhook tests: a self-signed certificate
// made with OpenSSL at start (EC P-256, SANs IP:127.0.0.1 and the DNS names given), one
// thread that answers each POST with `handler(path, body)`. A handler returning nullopt
// leaves the request unanswered until the client gives up (for timeouts).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace minik::testing_webhook {

struct Pem {
  std::string cert, key;
};

// A self-signed certificate for CN=127.0.0.1 with the given SANs; `ca`: marked CA:TRUE
// (else a plain leaf, as some tools make them).
inline Pem MakeSelfSigned(const std::vector<std::string>& dns_names, bool ca = true) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  std::string san = "IP:127.0.0.1";
  for (const std::string& d : dns_names) san += ",DNS:" + d;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : std::vector<std::pair<int, std::string>>{
           {NID_subject_alt_name, san},
           {NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, pkey, EVP_sha256());
  Pem out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  out.cert.assign(data, static_cast<size_t>(n));
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  n = BIO_get_mem_data(b, &data);
  out.key.assign(data, static_cast<size_t>(n));
  BIO_free(b);
  X509_free(x);
  EVP_PKEY_free(pkey);
  return out;
}

class WebhookServer {
 public:
  using Handler =
      std::function<std::optional<std::string>(const std::string& path, const std::string& body)>;

  // `http10_eof`: answer as HTTP/1.0 without Content-Length and close without close_notify
  // (as Python's http.server behind ssl.wrap_socket may).
  WebhookServer(const Pem& pem, Handler handler, bool http10_eof = false)
      : handler_(std::move(handler)), http10_eof_(http10_eof) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    BIO* b = BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size()));
    X509* cert = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    BIO_free(b);
    b = BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
    BIO_free(b);
    SSL_CTX_use_certificate(ctx_, cert);
    SSL_CTX_use_PrivateKey(ctx_, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    stop_fd_ = eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { Run(); });
  }

  ~WebhookServer() {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof(one));
    thread_.join();
    close(listen_fd_);
    close(stop_fd_);
    SSL_CTX_free(ctx_);
  }

  int port() const { return port_; }
  int requests() const { return requests_; }

 private:
  // Waits for `fd` readable; false when stopping.
  bool WaitReadable(int fd) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    while (poll(p, 2, -1) < 0) {
    }
    return !(p[1].revents & POLLIN);
  }

  void Run() {
    for (;;) {
      if (!WaitReadable(listen_fd_)) return;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Serve(fd);
      close(fd);
    }
  }

  void Serve(int fd) {
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) <= 0) {
      SSL_free(ssl);
      return;
    }
    std::string raw;
    char buf[16384];
    size_t want = std::string::npos;
    size_t head_end = std::string::npos;
    while (want == std::string::npos || raw.size() < want) {
      int n = SSL_read(ssl, buf, sizeof(buf));
      if (n <= 0) break;
      raw.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos && (head_end = raw.find("\r\n\r\n")) != std::string::npos) {
        size_t cl = raw.find("Content-Length: ");
        want = head_end + 4 + (cl == std::string::npos ? 0 : std::stoul(raw.substr(cl + 16)));
      }
    }
    ++requests_;
    std::string path;
    if (size_t sp = raw.find(' '); sp != std::string::npos)
      path = raw.substr(sp + 1, raw.find(' ', sp + 1) - sp - 1);
    std::optional<std::string> answer =
        handler_(path, head_end == std::string::npos ? "" : raw.substr(head_end + 4));
    if (!answer) {
      // Leave the client waiting until it closes the connection (or the server stops).
      while (WaitReadable(fd) && SSL_read(ssl, buf, sizeof(buf)) > 0) {
      }
      SSL_free(ssl);
      return;
    }
    if (http10_eof_) {
      std::string response = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + *answer;
      SSL_write(ssl, response.data(), static_cast<int>(response.size()));
      SSL_free(ssl);  // no SSL_shutdown: the peer sees a bare EOF
      return;
    }
    std::string response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(answer->size()) + "\r\nConnection: close\r\n\r\n" +
                           *answer;
    SSL_write(ssl, response.data(), static_cast<int>(response.size()));
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }

  Handler handler_;
  bool http10_eof_ = false;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace minik::testing_webhook
