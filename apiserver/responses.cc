#include "apiserver/responses.h"

#include <set>

#include "apiserver/router.h"

namespace minik {

HttpResponse RawJsonResponse(int code, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = code;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

HttpResponse JsonResponse(int code, const Json& body) {
  return RawJsonResponse(code, body.dump(-1, ' ', false, Json::error_handler_t::replace),
                         "application/json");
}

HttpResponse ErrorResponse(const Status& status) {
  return JsonResponse(status.HttpCode(), StatusToJson(status));
}

HttpResponse TextResponse(int code, std::string text) {
  HttpResponse r;
  r.status = code;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.body = std::move(text);
  return r;
}

void AddWarnings(HttpResponse& response, const std::vector<std::string>& warnings) {
  std::set<std::string> seen;
  for (const auto& w : warnings) {
    if (w.empty() || !seen.insert(w).second) continue;
    std::string quoted = "\"";
    for (char c : w) {
      if (c == '"' || c == '\\') quoted += '\\';
      // Header values cannot carry line breaks.
      quoted += (c == '\r' || c == '\n') ? ' ' : c;
    }
    quoted += '"';
    response.headers.emplace_back("Warning", "299 - " + quoted);
  }
}

Status NotFoundResource() {
  return Status(Code::kNotFound, "the server could not find the requested resource",
                StatusDetails{});
}

}  // namespace minik
