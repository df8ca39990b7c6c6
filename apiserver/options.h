// Query parameters and DELETE bodies -> ListQuery / WriteOptions / DeleteOptions, with the
// apiserver's validation (400 on a malformed number, an unknown dryRun or fieldValidation).
// Unknown parameters (timeout=, pretty=, ...) are ignored, as the apiserver does.
#pragma once

#include <string>

#include "api/client.h"
#include "api/schema.h"
#include "apiserver/http.h"

namespace minik {

StatusOr<ListQuery> ParseListQuery(const HttpRequest& request);

// fieldValidation absent means Warn, as in the apiserver (kubectl always sends it).
StatusOr<WriteOptions> ParseWriteOptions(const HttpRequest& request);

// From the query and from the body (a DeleteOptions object in JSON, or protobuf when the
// Content-Type says so). The body wins over the query, as in the apiserver.
StatusOr<DeleteOptions> ParseDeleteOptions(const HttpRequest& request,
                                           const SchemaRegistry& schemas);

// "includeObject": None, Metadata (default) or Object.
enum class IncludeObject { kNone, kMetadata, kObject };
StatusOr<IncludeObject> ParseIncludeObject(const HttpRequest& request);

}  // namespace minik
