#include "kubelet/images/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace minik {
namespace {

constexpr size_t kMaxHeaderBytes = 64 << 10;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string SslErrorText() {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown TLS error";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

}  // namespace

// One TCP (optionally TLS) connection with a per-operation timeout.
class RegistryConnection {
 public:
  ~RegistryConnection() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
  }

  Status Connect(const HttpUrl& url, int timeout_ms) {
    timeout_ms_ = timeout_ms;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &res);
    if (rc != 0) {
      return Status(Code::kServiceUnavailable,
                    "cannot resolve " + url.Authority() + ": " + gai_strerror(rc));
    }
    std::string last = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
      if (fd < 0) continue;
      int err = 0;
      if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
          pollfd p{fd, POLLOUT, 0};
          int n = poll(&p, 1, timeout_ms);
          if (n == 0) {
            err = ETIMEDOUT;
          } else {
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
          }
        }
      }
      if (err != 0) {
        last = std::strerror(err);
        close(fd);
        continue;
      }
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      break;
    }
    freeaddrinfo(res);
    if (fd_ < 0) return Status(Code::kServiceUnavailable, "cannot reach " + url.Authority() + ": " + last);
    if (url.scheme == "https") return StartTls(url);
    return Status::Ok();
  }

  Status WriteAll(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n;
      if (ssl_) {
        n = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
        if (n <= 0) return Status(Code::kServiceUnavailable, "TLS write failed: " + SslErrorText());
      } else {
        n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return IoError("send", errno);
      }
      off += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  // 0 at the end of the stream.
  StatusOr<size_t> Read(char* buf, size_t cap) {
    while (true) {
      if (ssl_) {
        int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(cap, 1 << 30)));
        if (n > 0) return static_cast<size_t>(n);
        int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
        if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))
          return Status(Code::kTimeout, "timed out reading from " + peer_);
        if (err == SSL_ERROR_SYSCALL && errno == 0) return size_t{0};  // EOF without close_notify
        return Status(Code::kServiceUnavailable, "TLS read from " + peer_ + " failed: " + SslErrorText());
      }
      ssize_t n = recv(fd_, buf, cap, 0);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      return IoError("read", errno);
    }
  }

  std::string peer_;

 private:
  Status IoError(const char* what, int err) {
    if (err == EAGAIN || err == EWOULDBLOCK)
      return Status(Code::kTimeout, std::string("timed out (") + what + ") talking to " + peer_);
    return Status(Code::kServiceUnavailable, std::string(what) + " " + peer_ + ": " + std::strerror(err));
  }

  Status StartTls(const HttpUrl& url) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) return Status(Code::kInternal, "TLS: " + SslErrorText());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_default_verify_paths(ctx_);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    in6_addr a6;
    in_addr a4;
    bool is_ip = inet_pton(AF_INET, url.host.c_str(), &a4) == 1 || inet_pton(AF_INET6, url.host.c_str(), &a6) == 1;
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), url.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, url.host.c_str());
      SSL_set1_host(ssl_, url.host.c_str());
    }
    if (SSL_connect(ssl_) != 1) {
      long verify = SSL_get_verify_result(ssl_);
      std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : SslErrorText();
      return Status(Code::kServiceUnavailable, "TLS handshake with " + url.Authority() + " failed: " + why);
    }
    return Status::Ok();
  }

  int fd_ = -1;
  int timeout_ms_ = 0;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

StatusOr<HttpUrl> HttpUrl::Parse(const std::string& url) {
  HttpUrl u;
  size_t sep = url.find("://");
  if (sep == std::string::npos) return Status(Code::kInvalid, "not an absolute URL: " + url);
  u.scheme = Lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return Status(Code::kInvalid, "unsupported URL scheme: " + url);
  size_t start = sep + 3;
  size_t path = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, path == std::string::npos ? std::string::npos : path - start);
  if (authority.find('@') != std::string::npos) return Status(Code::kInvalid, "URLs with user info are not supported");
  u.target = path == std::string::npos ? "/" : url.substr(path);
  if (size_t hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (u.target.empty() || u.target[0] != '/') u.target = "/" + u.target;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return Status(Code::kInvalid, "bad IPv6 address in " + url);
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Status(Code::kInvalid, "bad authority in " + url);
      u.port = authority.substr(close + 2);
    }
  } else {
    size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return Status(Code::kInvalid, "no host in " + url);
  for (char c : u.target + u.host)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return Status(Code::kInvalid, "bad character in URL " + url);
  if (u.port.empty()) u.port = u.scheme == "https" ? "443" : "80";
  for (char c : u.port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return Status(Code::kInvalid, "bad port in " + url);
  return u;
}

StatusOr<HttpUrl> HttpUrl::Resolve(const std::string& location) const {
  if (location.find("://") != std::string::npos) return Parse(location);
  if (location.rfind("//", 0) == 0) return Parse(scheme + ":" + location);
  HttpUrl u = *this;
  if (!location.empty() && location[0] == '/') {
    u.target = location;
  } else {
    std::string base = target.substr(0, target.find('?'));
    u.target = base.substr(0, base.rfind('/') + 1) + location;
  }
  return Parse(u.String());
}

std::string HttpUrl::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + port;
}

std::string HttpUrl::String() const { return scheme + "://" + Authority() + target; }

RegistryResponse::~RegistryResponse() = default;

std::string RegistryResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

StatusOr<size_t> RegistryResponse::ReadRaw(char* buf, size_t cap) {
  if (buffered_pos_ < buffered_.size()) {
    size_t n = std::min(cap, buffered_.size() - buffered_pos_);
    std::memcpy(buf, buffered_.data() + buffered_pos_, n);
    buffered_pos_ += n;
    if (buffered_pos_ == buffered_.size()) {
      buffered_.clear();
      buffered_pos_ = 0;
    }
    return n;
  }
  if (cap >= 4096) return conn_->Read(buf, cap);
  // Small reads (chunk headers) go through the buffer: not one syscall per byte.
  char chunk[16384];
  auto n = conn_->Read(chunk, sizeof chunk);
  if (!n.ok() || *n == 0) return n;
  buffered_.assign(chunk, *n);
  buffered_pos_ = 0;
  return ReadRaw(buf, cap);
}

StatusOr<std::string> RegistryResponse::ReadLine() {
  std::string line;
  char c;
  while (line.size() < 4096) {
    auto n = ReadRaw(&c, 1);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status(Code::kInvalid, "connection closed inside a chunked body");
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    line += c;
  }
  return Status(Code::kInvalid, "chunk header line too long");
}

StatusOr<size_t> RegistryResponse::Read(char* buf, size_t cap) {
  while (!done_) {
    switch (framing_) {
      case Framing::kNone:
        done_ = true;
        break;
      case Framing::kClose: {
        auto n = ReadRaw(buf, cap);
        if (!n.ok()) return n.status();
        if (*n == 0) done_ = true;
        return n;
      }
      case Framing::kLength: {
        if (remaining_ == 0) {
          done_ = true;
          break;
        }
        auto n = ReadRaw(buf, static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(cap))));
        if (!n.ok()) return n.status();
        if (*n == 0) return Status(Code::kInvalid, "connection closed with " + std::to_string(remaining_) + " body bytes missing");
        remaining_ -= static_cast<int64_t>(*n);
        return n;
      }
      case Framing::kChunked: {
        if (remaining_ == 0) {
          auto line = ReadLine();
          if (!line.ok()) return line.status();
          std::string size_text = Trim(line->substr(0, line->find(';')));
          if (size_text.empty() || size_text.size() > 15 ||
              size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            return Status(Code::kInvalid, "bad chunk size \"" + size_text + "\"");
          remaining_ = std::stoll(size_text, nullptr, 16);
          if (remaining_ == 0) {
            while (true) {  // trailers
              auto t = ReadLine();
              if (!t.ok()) return t.status();
              if (t->empty()) break;
            }
            done_ = true;
            break;
          }
        }
        auto n = ReadRaw(buf, static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(cap))));
        if (!n.ok()) return n.status();
        if (*n == 0) return Status(Code::kInvalid, "connection closed inside a chunk");
        remaining_ -= static_cast<int64_t>(*n);
        if (remaining_ == 0) {
          auto crlf = ReadLine();
          if (!crlf.ok()) return crlf.status();
          if (!crlf->empty()) return Status(Code::kInvalid, "chunk not followed by CRLF");
        }
        return n;
      }
    }
  }
  return size_t{0};
}

StatusOr<std::string> RegistryResponse::ReadAll(size_t max) {
  std::string out;
  char buf[16384];
  while (true) {
    auto n = Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    out.append(buf, *n);
    if (out.size() > max) return Status(Code::kInvalid, "response body larger than " + std::to_string(max) + " bytes");
  }
}

StatusOr<std::unique_ptr<RegistryResponse>> RegistryRequest(const std::string& method, const HttpUrl& url,
                                                    const HttpHeaders& headers, int timeout_ms) {
  auto conn = std::make_unique<RegistryConnection>();
  conn->peer_ = url.Authority();
  MINIK_RETURN_IF_ERROR(conn->Connect(url, timeout_ms));
  bool default_port = (url.scheme == "http" && url.port == "80") || (url.scheme == "https" && url.port == "443");
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  std::string req = method + " " + url.target + " HTTP/1.1\r\nHost: " + host +
                    (default_port ? "" : ":" + url.port) + "\r\nUser-Agent: minik\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) {
    if ((k + v).find_first_of("\r\n") != std::string::npos) return Status(Code::kInvalid, "bad header " + k);
    req += k + ": " + v + "\r\n";
  }
  req += "\r\n";
  MINIK_RETURN_IF_ERROR(conn->WriteAll(req));

  auto resp = std::unique_ptr<RegistryResponse>(new RegistryResponse());
  std::string head;
  char buf[8192];
  size_t end;
  while ((end = head.find("\r\n\r\n")) == std::string::npos) {
    if (head.size() > kMaxHeaderBytes) return Status(Code::kInvalid, url.Authority() + ": response headers too large");
    auto n = conn->Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status(Code::kServiceUnavailable, url.Authority() + " closed the connection without a response");
    head.append(buf, *n);
  }
  resp->buffered_ = head.substr(end + 4);
  head.resize(end);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
    return Status(Code::kInvalid, url.Authority() + ": malformed HTTP status line");
  std::string code = status_line.substr(9, 3);
  if (code.find_first_not_of("0123456789") != std::string::npos)
    return Status(Code::kInvalid, url.Authority() + ": malformed HTTP status line");
  resp->status = std::stoi(code);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    std::string line = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    pos = next == std::string::npos ? head.size() : next + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return Status(Code::kInvalid, url.Authority() + ": malformed header line");
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string value = Trim(line.substr(colon + 1));
    auto& slot = resp->headers[name];
    slot = slot.empty() ? value : slot + ", " + value;
  }
  resp->conn_ = std::move(conn);
  using F = RegistryResponse::Framing;
  if (method == "HEAD" || resp->status == 204 || resp->status == 304 || resp->status / 100 == 1) {
    resp->framing_ = F::kNone;
  } else if (Lower(resp->Header("transfer-encoding")).find("chunked") != std::string::npos) {
    resp->framing_ = F::kChunked;
  } else if (std::string cl = resp->Header("content-length"); !cl.empty()) {
    if (cl.size() > 18 || cl.find_first_not_of("0123456789") != std::string::npos)
      return Status(Code::kInvalid, url.Authority() + ": bad Content-Length");
    resp->framing_ = F::kLength;
    resp->remaining_ = std::stoll(cl);
  } else {
    resp->framing_ = F::kClose;
  }
  return resp;
}

}  // namespace minik
