// /healthz, /livez, /readyz (and /<endpoint>/<check>): "ok" as text/plain, or with
// ?verbose the list of checks ("[+]ping ok ... healthz check passed"), as the apiserver.
#pragma once

#include <optional>

#include "apiserver/http.h"

namespace minik {

// nullopt when `request.path` is not a health path.
std::optional<HttpResponse> ServeHealth(const HttpRequest& request);

}  // namespace minik
