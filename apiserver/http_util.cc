// Beast-free helpers of the HTTP contract: header-name ordering, request accessors and
// request-target parsing (percent-decoding of path and query).
#include <strings.h>

#include "apiserver/http.h"

namespace minik {

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string HttpRequest::Query(const std::string& key) const {
  // lower_bound: the first of equal keys, which multimap keeps in insertion order.
  auto it = query.lower_bound(key);
  return it != query.end() && it->first == key ? it->second : std::string();
}

std::string HttpRequest::Header(const std::string& key) const {
  auto it = headers.find(key);
  return it != headers.end() ? it->second : std::string();
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits "a=1&b&c=%20" into decoded pairs; pairs with a bad escape are skipped.
void ParseQuery(std::string_view raw, std::multimap<std::string, std::string>& out) {
  while (!raw.empty()) {
    size_t amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    if (!PercentDecode(pair.substr(0, eq), true, key)) continue;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, value)) continue;
    out.emplace(std::move(key), std::move(value));
  }
}

}  // namespace

bool PercentDecode(std::string_view in, bool plus_as_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

Status ParseTarget(HttpRequest& request) {
  std::string_view target = request.target;
  std::string absolute_path;
  // Absolute-form (RFC 9112 3.2.2): drop "scheme://authority"; an empty path is "/".
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        strncasecmp(target.data(), scheme.data(), scheme.size()) == 0) {
      target.remove_prefix(scheme.size());
      size_t slash = target.find_first_of("/?");
      std::string_view rest = slash == std::string_view::npos ? "" : target.substr(slash);
      absolute_path = rest.empty() || rest[0] != '/' ? "/" + std::string(rest) : std::string(rest);
      target = absolute_path;
      break;
    }
  }
  size_t hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (raw_path.empty() || raw_path[0] != '/') {
    return BadRequest("malformed request target \"" + request.target + "\"");
  }
  if (!PercentDecode(raw_path, false, request.path)) {
    return BadRequest("invalid URL escape in path \"" + std::string(raw_path) + "\"");
  }
  request.query.clear();
  if (question != std::string_view::npos) ParseQuery(target.substr(question + 1), request.query);
  return Status::Ok();
}

}  // namespace minik
