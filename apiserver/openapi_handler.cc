// HTTP edge of the OpenAPI documents: content negotiation, ETag/304 and caching headers as
// kube-openapi's handler (v2) and handler3 (v3) answer.
#include <algorithm>
#include <cstdlib>

#include "apiserver/media.h"
#include "apiserver/openapi.h"
#include "apiserver/responses.h"

namespace minik {
namespace {

constexpr const char* kJson = "application/json";
// The protobuf media type kubectl sends, and the one the apiserver answers with.
constexpr const char* kProtoV2Deprecated =
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
constexpr const char* kProtoV2 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

double Quality(const MediaType& m) {
  std::string q = m.Param("q");
  if (q.empty()) return 1.0;
  char* end = nullptr;
  double v = std::strtod(q.c_str(), &end);
  return end == q.c_str() ? 1.0 : v;
}

bool Matches(const MediaType& clause, const std::string& offered) {
  if (clause.type == "*/*" || clause.type == "*") return true;
  auto slash = offered.find('/');
  if (clause.type == offered.substr(0, slash) + "/*") return true;
  return clause.type == offered;
}

// The first offered type (in offer order) that the highest-quality matching Accept clause
// admits, as goautoneg does; "" when nothing matches (406).
std::string Negotiate(const std::string& accept_header, const std::vector<std::string>& offers) {
  std::vector<MediaType> clauses = ParseAccept(accept_header.empty() ? "*/*" : accept_header);
  std::stable_sort(clauses.begin(), clauses.end(),
                   [](const MediaType& a, const MediaType& b) { return Quality(a) > Quality(b); });
  for (const MediaType& clause : clauses) {
    if (Quality(clause) <= 0) continue;
    for (const std::string& offer : offers) {
      if (Matches(clause, offer)) return offer;
    }
  }
  return "";
}

Status MethodNotAllowed() {
  return Status(Code::kMethodNotAllowed,
                "the server does not allow this method on the requested resource");
}

HttpResponse NotAcceptable() {
  HttpResponse r;
  r.status = 406;
  r.headers.emplace_back("Vary", "Accept");
  return r;
}

// 200 with the bytes, or 304 when If-None-Match names them.
HttpResponse Document(const HttpRequest& request, const OpenApiDocument& doc,
                      const std::string& content_type) {
  const std::string etag = "\"" + doc.hash + "\"";
  HttpResponse r;
  std::string if_none_match = request.Header("If-None-Match");
  if (!if_none_match.empty() && (if_none_match == etag || if_none_match == "*" ||
                                 if_none_match.find(etag) != std::string::npos)) {
    r.status = 304;
  } else {
    r.status = 200;
    r.body = doc.body;
  }
  r.headers.emplace_back("Content-Type", content_type);
  r.headers.emplace_back("Etag", etag);
  r.headers.emplace_back("Vary", "Accept");
  return r;
}

HttpResponse ServeV2(const OpenApiV2& v2, const HttpRequest& request) {
  std::string offer = Negotiate(request.Header("Accept"), {kJson, kProtoV2Deprecated, kProtoV2});
  if (offer.empty()) return NotAcceptable();
  if (offer == kJson) return Document(request, v2.JsonDocument(), kJson);
  if (v2.ProtobufDocument().body.empty()) {
    return ErrorResponse(Status(Code::kServiceUnavailable, "openapi v2 protobuf unavailable"));
  }
  return Document(request, v2.ProtobufDocument(), kProtoV2);
}

HttpResponse ServeV3(const OpenApiV3& v3, const HttpRequest& request, const std::string& gv) {
  if (gv.empty()) {
    HttpResponse r = RawJsonResponse(200, v3.Index(), kJson);
    r.headers.emplace_back("Cache-Control", "no-cache, private");
    return r;
  }
  const OpenApiDocument* doc = v3.Find(gv);
  if (doc == nullptr) return ErrorResponse(NotFoundResource());
  if (Negotiate(request.Header("Accept"), {kJson}).empty()) return NotAcceptable();
  std::string hash = request.Query("hash");
  if (!hash.empty() && hash != doc->hash) {
    // A stale hashed URL: send the client to the current one (handler3 does the same).
    HttpResponse r;
    r.status = 301;
    r.headers.emplace_back("Location", "/openapi/v3/" + gv + "?hash=" + doc->hash);
    return r;
  }
  HttpResponse r = Document(request, *doc, kJson);
  // A hashed URL names these exact bytes, so clients may cache it for good.
  r.headers.emplace_back("Cache-Control", hash.empty() ? "no-cache, private" : "public, immutable");
  return r;
}

}  // namespace

HttpResponse ServeOpenApi(const OpenApiV3& v3, const OpenApiV2& v2, const HttpRequest& request) {
  const std::string& path = request.path;
  const bool read = request.method == "GET" || request.method == "HEAD";
  const std::string v3_prefix = "/openapi/v3";
  if (path == "/openapi/v2" || path == "/openapi/v2/") {
    if (!read) return ErrorResponse(MethodNotAllowed());
    return ServeV2(v2, request);
  }
  if (path == v3_prefix || path.rfind(v3_prefix + "/", 0) == 0) {
    if (!read) return ErrorResponse(MethodNotAllowed());
    std::string gv = path.size() > v3_prefix.size() ? path.substr(v3_prefix.size() + 1) : "";
    while (!gv.empty() && gv.back() == '/') gv.pop_back();
    return ServeV3(v3, request, gv);
  }
  return ErrorResponse(NotFoundResource());
}

}  // namespace minik
