#include "apiserver/health.h"

#include "apiserver/responses.h"

namespace minik {
namespace {

// The checks minik reports. The store answers requests or the process would not be serving,
// so "ping" and "log" are the ones that are meaningful here.
constexpr const char* kChecks[] = {"ping", "log"};

}  // namespace

std::optional<HttpResponse> ServeHealth(const HttpRequest& request) {
  for (const char* endpoint : {"healthz", "livez", "readyz"}) {
    std::string base = std::string("/") + endpoint;
    const std::string& path = request.path;
    if (path == base || path == base + "/") {
      if (!request.HasQuery("verbose")) return TextResponse(200, "ok");
      std::string text;
      for (const char* check : kChecks) text += std::string("[+]") + check + " ok\n";
      text += std::string(endpoint) + " check passed\n";
      return TextResponse(200, text);
    }
    if (path.rfind(base + "/", 0) == 0) {
      std::string check = path.substr(base.size() + 1);
      for (const char* known : kChecks) {
        if (check == known) return TextResponse(200, "ok");
      }
      return TextResponse(404, "404 page not found\n");
    }
  }
  return std::nullopt;
}

}  // namespace minik
