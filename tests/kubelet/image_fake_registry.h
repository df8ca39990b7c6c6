// A tiny registry for the pull tests: a thread serving /v2/ paths from memory on 127.0.0.1,
// one connection at a time, with switches for auth challenges, redirects, chunked bodies and
// corrupted content.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/json.h"
#include "kubelet/images/digest.h"

namespace minik::testing {

struct FakeRequest {
  std::string method, target;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct FakeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;
  bool truncate = false;  // announce the full length, send half, close
};

class FakeRegistry {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  FakeRegistry() : FakeRegistry(nullptr) {}
  explicit FakeRegistry(Handler handler) : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeRegistry() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  // Content served by the default handler.
  void AddBlob(const std::string& data) { blobs_[Sha256Digest(data)] = data; }
  std::string AddManifest(const std::string& repo, const std::string& tag, const std::string& body,
                          const std::string& media_type) {
    std::string d = Sha256Digest(body);
    manifests_[repo + "|" + d] = {body, media_type};
    if (!tag.empty()) manifests_[repo + "|" + tag] = {body, media_type};
    return d;
  }

  bool require_token = false;
  bool redirect_blobs = false;
  bool chunked_blobs = false;
  std::string redirect_host;  // redirect blobs to another server (host:port)
  std::string corrupt_blob;   // digest whose served bytes are altered
  std::string lie_digest;     // Docker-Content-Digest to send instead of the true one

  std::vector<FakeRequest> Requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  int Count(const std::string& needle) {
    int n = 0;
    for (const auto& r : Requests()) n += r.target.find(needle) != std::string::npos;
    return n;
  }

  FakeResponse Default(const FakeRequest& req) {
    FakeResponse resp;
    if (req.target.rfind("/token", 0) == 0) {
      resp.body = R"({"token":"tok123"})";
      return resp;
    }
    if (req.target.rfind("/cdn/", 0) == 0) return Blob(req.target.substr(5));
    if (require_token && req.headers.count("authorization") == 0) {
      resp.status = 401;
      resp.headers.push_back({"WWW-Authenticate", "Bearer realm=\"http://" + host() +
                                                      "/token\",service=\"fake\",scope=\"repository:x:pull\""});
      resp.body = R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})";
      return resp;
    }
    if (require_token && req.headers.at("authorization") != "Bearer tok123") {
      resp.status = 403;
      return resp;
    }
    if (req.target == "/v2/") return resp;
    size_t m = req.target.find("/manifests/");
    size_t b = req.target.find("/blobs/");
    if (m != std::string::npos) {
      std::string repo = req.target.substr(4, m - 4);
      auto it = manifests_.find(repo + "|" + req.target.substr(m + 11));
      if (it == manifests_.end()) {
        resp.status = 404;
        resp.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})";
        return resp;
      }
      resp.body = it->second.first;
      resp.headers.push_back({"Content-Type", it->second.second});
      resp.headers.push_back({"Docker-Content-Digest", lie_digest.empty() ? Sha256Digest(resp.body) : lie_digest});
      return resp;
    }
    if (b != std::string::npos) {
      std::string digest = req.target.substr(b + 7);
      if (redirect_blobs || !redirect_host.empty()) {
        resp.status = 307;
        resp.headers.push_back({"Location", redirect_host.empty() ? "/cdn/" + digest
                                                                  : "http://" + redirect_host + "/cdn/" + digest});
        return resp;
      }
      return Blob(digest);
    }
    resp.status = 404;
    return resp;
  }

 private:
  FakeResponse Blob(const std::string& digest) {
    FakeResponse resp;
    auto it = blobs_.find(digest);
    if (it == blobs_.end()) {
      resp.status = 404;
      resp.body = R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]})";
      return resp;
    }
    resp.body = it->second;
    if (digest == corrupt_blob && !resp.body.empty()) resp.body[resp.body.size() / 2] ^= 0x55;
    resp.chunked = chunked_blobs;
    resp.headers.push_back({"Content-Type", "application/octet-stream"});
    return resp;
  }

  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      Handle(c);
      close(c);
    }
  }

  void Handle(int c) {
    std::string data;
    char buf[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
    }
    FakeRequest req;
    std::string head = data.substr(0, data.find("\r\n\r\n"));
    size_t eol = head.find("\r\n");
    std::string line = head.substr(0, eol);
    req.method = line.substr(0, line.find(' '));
    req.target = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
    size_t pos = eol == std::string::npos ? head.size() : eol + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      std::string h = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      pos = next == std::string::npos ? head.size() : next + 2;
      size_t colon = h.find(':');
      std::string name = h.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      req.headers[name] = h.substr(colon + 2);
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(req);
    }
    FakeResponse resp = handler_ ? handler_(req) : Default(req);
    std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\nConnection: close\r\n";
    for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
    if (resp.chunked) {
      out += "Transfer-Encoding: chunked\r\n\r\n";
      for (size_t off = 0; off < resp.body.size(); off += 1000) {
        std::string part = resp.body.substr(off, 1000);
        char size[16];
        snprintf(size, sizeof size, "%zx", part.size());
        out += std::string(size) + ";ext=1\r\n" + part + "\r\n";
      }
      out += "0\r\nX-Trailer: y\r\n\r\n";
    } else {
      out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n";
      out += resp.truncate ? resp.body.substr(0, resp.body.size() / 2) : resp.body;
    }
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = send(c, out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<FakeRequest> requests_;
  std::map<std::string, std::string> blobs_;
  std::map<std::string, std::pair<std::string, std::string>> manifests_;
};

}  // namespace minik::testing
