// Small builders of HttpResponses: JSON bodies, Status errors (via StatusToJson, the one
// place a Status becomes wire JSON), plain text, and `Warning: 299` headers.
#pragma once

#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"
#include "apiserver/http.h"

namespace minik {

HttpResponse JsonResponse(int code, const Json& body);
HttpResponse RawJsonResponse(int code, std::string body, std::string content_type);
HttpResponse ErrorResponse(const Status& status);
HttpResponse TextResponse(int code, std::string text);

// Adds `Warning: 299 - "<text>"` per distinct warning, in order (the apiserver dedupes too).
void AddWarnings(HttpResponse& response, const std::vector<std::string>& warnings);

// 404 for URLs that name nothing: "the server could not find the requested resource".
Status NotFoundResource();

}  // namespace minik
