// A small blocking HTTP/1.1 client for registry pulls: one request per connection
// ("Connection: close"), plain sockets or OpenSSL (system CAs, host name verified), bodies
// framed by Content-Length, chunked encoding, or the connection's end. The body is read
// incrementally, so a layer streams straight into the unpacker.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/status.h"

namespace minik {

struct HttpUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // "127.0.0.1", "::1" (no brackets), "registry-1.docker.io"
  std::string port;    // always set ("80"/"443" by default)
  std::string target;  // "/v2/x/manifests/1?a=b"

  // kInvalid for anything but absolute http(s) URLs.
  static StatusOr<HttpUrl> Parse(const std::string& url);
  // `location` (absolute, or relative to this URL) as a URL.
  StatusOr<HttpUrl> Resolve(const std::string& location) const;
  std::string Authority() const;  // "host:port" with IPv6 brackets
  std::string String() const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class RegistryConnection;

class RegistryResponse {
 public:
  ~RegistryResponse();
  int status = 0;
  // Lower-case names; repeated headers joined with ", ".
  std::map<std::string, std::string> headers;
  std::string Header(const std::string& lower_name) const;

  // Up to `cap` bytes of the body into `buf`; 0 at its end. kTimeout when the server stalls.
  StatusOr<size_t> Read(char* buf, size_t cap);
  // The rest of the body; kInvalid when it exceeds `max`.
  StatusOr<std::string> ReadAll(size_t max);

 private:
  friend StatusOr<std::unique_ptr<RegistryResponse>> RegistryRequest(const std::string&, const HttpUrl&,
                                                             const HttpHeaders&, int);
  StatusOr<size_t> ReadRaw(char* buf, size_t cap);
  StatusOr<std::string> ReadLine();

  std::unique_ptr<RegistryConnection> conn_;
  std::string buffered_;  // bytes read past the headers
  size_t buffered_pos_ = 0;
  enum class Framing { kNone, kLength, kChunked, kClose } framing_ = Framing::kNone;
  int64_t remaining_ = 0;  // kLength: body bytes left; kChunked: of the current chunk
  bool done_ = false;
};

// Sends `method` to `url` and reads the status line and headers. kServiceUnavailable naming
// the address when it cannot connect; kTimeout after `timeout_ms` without progress;
// kInvalid for malformed responses; kServiceUnavailable for TLS handshake or verification
// failures too.
StatusOr<std::unique_ptr<RegistryResponse>> RegistryRequest(const std::string& method, const HttpUrl& url,
                                                    const HttpHeaders& headers, int timeout_ms);

}  // namespace minik
