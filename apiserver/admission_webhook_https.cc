// HttpsPost: one blocking HTTP/1.1 POST over TLS (OpenSSL) with a deadline covering connect,
// handshake, request and response; a fresh connection per call ("Connection: close"), since
// webhook calls are rare next to the rest of a write. Errors are worded as Go's net/http
// client words them, because upstream's messages embed that text.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "apiserver/admission_webhook.h"

namespace minik {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kMaxResponseBytes = 16 * 1024 * 1024;

std::string GoErrno(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

Status Fail(std::string message) { return Status(Code::kInternal, std::move(message)); }
Status Deadline() { return Status(Code::kTimeout, "context deadline exceeded"); }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

// Milliseconds left until `deadline`, at least 0.
int Remaining(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on fd; false on timeout.
bool WaitFor(int fd, short events, SteadyClock::time_point deadline) {
  for (;;) {
    int ms = Remaining(deadline);
    if (ms == 0) return false;
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, ms);
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return true;  // let the following call report the error
  }
}

std::string HostPort(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

StatusOr<int> Connect(const std::string& host, int port, SteadyClock::time_point deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) return Fail("dial tcp: lookup " + host + ": no such host");
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  std::string last = "dial tcp " + HostPort(host, port) + ": connect: no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    Fd fd;
    fd.fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd.fd < 0) continue;
    if (connect(fd.fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = "dial tcp " + HostPort(host, port) + ": connect: " + GoErrno(errno);
        continue;
      }
      if (!WaitFor(fd.fd, POLLOUT, deadline)) return Deadline();
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last = "dial tcp " + HostPort(host, port) + ": connect: " + GoErrno(err);
        continue;
      }
    }
    int out = fd.fd;
    fd.fd = -1;
    return out;
  }
  return Fail(last);
}

std::string OpenSslError(const char* fallback) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return fallback;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

// x509.HostnameError's text: the certificate's IP or DNS SANs, whichever kind was wanted.
std::string HostnameError(X509* cert, const std::string& host, bool is_ip) {
  std::string valid;
  if (cert) {
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
      std::string text;
      if (is_ip && n->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* ip = n->d.iPAddress;
        char buf[INET6_ADDRSTRLEN] = {};
        if (ip->length == 4) inet_ntop(AF_INET, ip->data, buf, sizeof(buf));
        if (ip->length == 16) inet_ntop(AF_INET6, ip->data, buf, sizeof(buf));
        text = buf;
      } else if (!is_ip && n->type == GEN_DNS) {
        text.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                    static_cast<size_t>(ASN1_STRING_length(n->d.dNSName)));
      }
      if (!text.empty()) valid += (valid.empty() ? "" : ", ") + text;
    }
    GENERAL_NAMES_free(names);
  }
  if (valid.empty() && is_ip)
    return "x509: cannot validate certificate for " + host +
           " because it doesn't contain any IP SANs";
  if (valid.empty())
    return "x509: certificate is not valid for any names, but wanted to match " + host;
  return "x509: certificate is valid for " + valid + ", not " + host;
}

// Keeps the peer's leaf certificate (the handshake drops it when verification fails), for
// the error text. Set as the SSL's app data.
struct LeafHolder {
  X509* leaf = nullptr;
  ~LeafHolder() { X509_free(leaf); }
};

int KeepLeaf(int ok, X509_STORE_CTX* store_ctx) {
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* holder = ssl ? static_cast<LeafHolder*>(SSL_get_app_data(ssl)) : nullptr;
  if (holder && !holder->leaf) {
    if (X509* leaf = X509_STORE_CTX_get0_cert(store_ctx)) {
      X509_up_ref(leaf);
      holder->leaf = leaf;
    }
  }
  return ok;
}

// Go's crypto/x509 wording of a verification failure.
std::string VerifyError(long result, X509* leaf, const std::string& server_name, bool is_ip) {
  switch (result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "tls: failed to verify certificate: " + HostnameError(leaf, server_name, is_ip);
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid";
    default:
      return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
  }
}

StatusOr<std::unique_ptr<SSL_CTX, SslDeleter>> MakeContext(const std::string& ca_pem) {
  std::unique_ptr<SSL_CTX, SslDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Fail("tls: " + OpenSslError("cannot create a TLS context"));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, KeepLeaf);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  // Servers that close without close_notify (Python's http.server): the body ends at EOF.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
  if (ca_pem.empty()) {
    SSL_CTX_set_default_verify_paths(ctx.get());
    return ctx;
  }
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
  // Any certificate of the bundle is a trust anchor, also a self-signed leaf without
  // CA:TRUE (Go's x509 accepts a root that is the leaf itself).
  X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
  BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  BIO_free(bio);
  ERR_clear_error();
  // Go's rest client refuses a caBundle without certificates before dialing.
  if (added == 0)
    return Fail("unable to load root certificates: unable to parse bytes as PEM block");
  return ctx;
}

// Runs an SSL call until it completes or the deadline passes; returns its result (>0 ok).
template <typename F>
StatusOr<int> SslIo(SSL* ssl, int fd, SteadyClock::time_point deadline, F call) {
  for (;;) {
    ERR_clear_error();
    int r = call();
    if (r > 0) return r;
    int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ) {
      if (!WaitFor(fd, POLLIN, deadline)) return Deadline();
    } else if (err == SSL_ERROR_WANT_WRITE) {
      if (!WaitFor(fd, POLLOUT, deadline)) return Deadline();
    } else if (err == SSL_ERROR_ZERO_RETURN) {
      return 0;
    } else if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      return 0;  // EOF without close_notify: the body ends here
    } else {
      return Fail(OpenSslError("tls error"));
    }
  }
}

// Splits the HTTP response; returns the body of a 2xx answer.
StatusOr<std::string> ParseResponse(const std::string& raw, const std::string& url) {
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.rfind("HTTP/", 0) != 0)
    return Fail("Post \"" + url +
                "\": net/http: HTTP/1.x transport connection broken: malformed HTTP response");
  std::string head = raw.substr(0, head_end);
  std::string body = raw.substr(head_end + 4);
  int code = 0;
  if (size_t sp = head.find(' '); sp != std::string::npos) code = std::atoi(head.c_str() + sp + 1);
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
    std::string out;
    size_t pos = 0;
    for (;;) {
      size_t eol = body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t n = std::strtoul(body.c_str() + pos, nullptr, 16);
      if (n == 0 || eol + 2 + n > body.size()) break;
      out += body.substr(eol + 2, n);
      pos = eol + 2 + n + 2;
    }
    body = std::move(out);
  } else if (size_t cl = lower.find("\r\ncontent-length:"); cl != std::string::npos) {
    size_t n = std::strtoul(lower.c_str() + cl + 17, nullptr, 10);
    if (body.size() > n) body.resize(n);
  }
  if (code < 200 || code > 299) {
    // The rest client's wording of an unexpected answer without a Status body.
    std::string shown = body.size() > 1024 ? body.substr(0, 1024) : body;
    while (!shown.empty() && (shown.back() == '\n' || shown.back() == '\r')) shown.pop_back();
    return Fail("an error on the server (\"" + shown +
                "\") has prevented the request from succeeding");
  }
  return body;
}

}  // namespace

StatusOr<std::string> HttpsPost(const HttpsPostRequest& req) {
  const auto deadline = SteadyClock::now() + req.timeout;
  const std::string url = "https://" + HostPort(req.server_name, req.port) + req.path;
  auto wrap = [&](const Status& st) {
    return Status(st.code(), "Post \"" + url + "\": " + st.message());
  };
  auto ctx = MakeContext(req.ca_pem);
  if (!ctx.ok()) return wrap(ctx.status());
  auto fd_or = Connect(req.host, req.port, deadline);
  if (!fd_or.ok()) return wrap(fd_or.status());
  Fd fd;
  fd.fd = *fd_or;
  LeafHolder leaf;  // outlives the SSL that points at it
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(ctx->get()));
  if (!ssl) return wrap(Fail("tls: " + OpenSslError("cannot create a TLS session")));
  SSL_set_fd(ssl.get(), fd.fd);
  SSL_set_app_data(ssl.get(), &leaf);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  in6_addr addr6;
  in_addr addr4;
  const bool is_ip = inet_pton(AF_INET, req.server_name.c_str(), &addr4) == 1 ||
                     inet_pton(AF_INET6, req.server_name.c_str(), &addr6) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, req.server_name.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, req.server_name.c_str(), 0);
    SSL_set_tlsext_host_name(ssl.get(), req.server_name.c_str());
  }
  auto hs = SslIo(ssl.get(), fd.fd, deadline, [&] { return SSL_connect(ssl.get()); });
  if (!hs.ok() || *hs <= 0) {
    long verify = SSL_get_verify_result(ssl.get());
    if (verify != X509_V_OK)
      return wrap(Fail(VerifyError(verify, leaf.leaf, req.server_name, is_ip)));
    if (!hs.ok() && hs.status().code() == Code::kTimeout) return wrap(hs.status());
    return wrap(
        Fail(hs.ok() ? "remote error: tls: handshake failure" : "tls: " + hs.status().message()));
  }
  std::string request =
      "POST " + req.path + " HTTP/1.1\r\nHost: " + HostPort(req.server_name, req.port) +
      "\r\nUser-Agent: minik-apiserver\r\nContent-Type: application/json\r\n"
      "Accept: application/json, */*\r\nContent-Length: " +
      std::to_string(req.body.size()) + "\r\nConnection: close\r\n\r\n" + req.body;
  size_t sent = 0;
  while (sent < request.size()) {
    auto n = SslIo(ssl.get(), fd.fd, deadline, [&] {
      return SSL_write(ssl.get(), request.data() + sent, static_cast<int>(request.size() - sent));
    });
    if (!n.ok()) return wrap(n.status());
    if (*n <= 0) return wrap(Fail("write: broken pipe"));
    sent += static_cast<size_t>(*n);
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    auto n =
        SslIo(ssl.get(), fd.fd, deadline, [&] { return SSL_read(ssl.get(), buf, sizeof(buf)); });
    if (!n.ok()) return wrap(n.status());
    if (*n <= 0) break;
    raw.append(buf, static_cast<size_t>(*n));
    if (raw.size() > kMaxResponseBytes) return wrap(Fail("response body too large"));
    // Stop once a Content-Length body is complete (servers may keep the connection open).
    size_t head_end = raw.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::string head = raw.substr(0, head_end);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (size_t cl = head.find("\r\ncontent-length:"); cl != std::string::npos) {
        size_t want = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
        if (raw.size() - head_end - 4 >= want) break;
      }
    }
  }
  auto body = ParseResponse(raw, url);
  if (!body.ok() && body.status().message().rfind("Post \"", 0) != 0) return wrap(body.status());
  return body;
}

}  // namespace minik
