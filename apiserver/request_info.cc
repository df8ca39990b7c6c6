#include "apiserver/request_info.h"

#include <cctype>

namespace minik {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  size_t b = 0, e = path.size();
  while (b < e && path[b] == '/') ++b;
  while (e > b && path[e - 1] == '/') --e;
  std::vector<std::string> parts;
  if (b == e) return parts;
  std::string cur;
  for (size_t i = b; i < e; ++i) {
    if (path[i] == '/') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += path[i];
    }
  }
  parts.push_back(cur);
  return parts;
}

std::string LowerMethod(const std::string& m) {
  std::string out = m;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

RequestInfo ParseRequestInfo(const HttpRequest& request) {
  RequestInfo info;
  info.path = request.path;
  info.verb = LowerMethod(request.method);

  std::vector<std::string> parts = SplitPath(request.path);
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) return info;
  info.api_prefix = parts[0];
  size_t at = 1;
  if (info.api_prefix == "apis") {
    if (parts.size() < 3) return info;  // /apis or /apis/<group>: discovery
    info.group = parts[1];
    info.version = parts[2];
    at = 3;
  } else {
    if (parts.size() < 2) return info;  // /api
    info.version = parts[1];
    at = 2;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(at), parts.end());
  if (rest.empty()) return info;  // /api/v1, /apis/apps/v1: discovery

  info.is_resource_request = true;
  const std::string& method = request.method;
  if (method == "POST") {
    info.verb = "create";
  } else if (method == "GET" || method == "HEAD") {
    info.verb = "get";
  } else if (method == "PUT") {
    info.verb = "update";
  } else if (method == "PATCH") {
    info.verb = "patch";
  } else if (method == "DELETE") {
    info.verb = "delete";
  } else {
    info.verb = "";  // OPTIONS, CONNECT, ...: no resource verb (the router answers 405)
  }

  if (rest[0] == "watch") {
    rest.erase(rest.begin());
    info.verb = "watch";
    if (rest.empty()) {
      info.is_resource_request = false;
      return info;
    }
  }

  if (rest[0] == "namespaces") {
    if (rest.size() > 1) {
      info.ns = rest[1];
      // namespaces/<ns>/<resource>...: the resource inside the namespace. Known namespace
      // subresources (status, finalize) keep the namespace itself as the resource.
      if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") {
        rest.erase(rest.begin(), rest.begin() + 2);
      }
    }
  }
  info.parts = rest;
  info.resource = rest[0];
  if (rest.size() >= 2) info.name = rest[1];
  if (rest.size() >= 3) info.subresource = rest[2];

  if (info.name.empty() && info.verb == "get") {
    std::string watch = request.Query("watch");
    info.verb = (watch == "true" || watch == "1") ? "watch" : "list";
  } else if (info.verb == "get" && info.subresource.empty()) {
    // ?watch=true on an object URL watches that object (as the legacy /watch/ prefix does).
    std::string watch = request.Query("watch");
    if (watch == "true" || watch == "1") info.verb = "watch";
  }
  if (info.name.empty() && info.verb == "delete") info.verb = "deletecollection";
  return info;
}

}  // namespace minik
