// The benchmarks' HTTPS client: plain OpenSSL + sockets, one keep-alive connection, so that
// the client shares no code with the server it measures.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Target {
  std::string host;
  int port;
  std::string ca, cert, key;
};

class Conn {
 public:
  explicit Conn(const Target& t) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, t.ca.c_str(), nullptr);
    SSL_CTX_use_certificate_file(ctx_, t.cert.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx_, t.key.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(t.port);
    inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("connect");
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    if (SSL_connect(ssl_) != 1) Die("TLS handshake");
  }
  ~Conn() {
    SSL_free(ssl_);
    close(fd_);
    SSL_CTX_free(ctx_);
  }

  // Sends one request and reads the whole (Content-Length) response; returns the status.
  int Request(const std::string& method, const std::string& path, const std::string& body,
              std::string* out = nullptr,
              const std::string& content_type = "application/json") {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: bench\r\n";
    req += "Accept: application/json\r\n";
    if (!body.empty()) req += "Content-Type: " + content_type + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    Write(req);
    return ReadResponse(out);
  }

  void Write(const std::string& data) {
    if (SSL_write(ssl_, data.data(), int(data.size())) <= 0) Die("write");
  }

  // Reads one '\n'-terminated line of a streamed (chunked) body; chunk-size lines are
  // returned too, the caller skips what it does not recognise. false on EOF.
  bool ReadLine(std::string* line) {
    for (;;) {
      auto pos = buf_.find('\n');
      if (pos != std::string::npos) {
        *line = buf_.substr(0, pos);
        buf_.erase(0, pos + 1);
        return true;
      }
      if (!Fill()) return false;
    }
  }

  // Reads until `needle` appears in the stream; returns false on EOF.
  bool ReadUntil(const std::string& needle) {
    for (;;) {
      auto pos = buf_.find(needle);
      if (pos != std::string::npos) {
        buf_.erase(0, pos + needle.size());
        return true;
      }
      if (buf_.size() > needle.size()) buf_.erase(0, buf_.size() - needle.size());
      if (!Fill()) return false;
    }
  }

 private:
  int ReadResponse(std::string* out) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!Fill()) Die("eof in headers");
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    int status = std::atoi(head.c_str() + 9);
    size_t len = 0;
    auto cl = head.find("Content-Length: ");
    if (cl == std::string::npos) cl = head.find("content-length: ");
    if (cl != std::string::npos) len = std::strtoul(head.c_str() + cl + 16, nullptr, 10);
    while (buf_.size() < len)
      if (!Fill()) Die("eof in body");
    if (out) *out = buf_.substr(0, len);
    buf_.erase(0, len);
    return status;
  }

  bool Fill() {
    char tmp[65536];
    int n = SSL_read(ssl_, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf_.append(tmp, n);
    return true;
  }

  [[noreturn]] static void Die(const char* what) {
    fprintf(stderr, "bench: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
  }

  SSL_CTX* ctx_;
  SSL* ssl_;
  int fd_;
  std::string buf_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}


}  // namespace bench
