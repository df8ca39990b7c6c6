#include "apiserver/options.h"

#include <cerrno>
#include <cstdlib>

#include "apiserver/body.h"

namespace minik {
namespace {

StatusOr<int64_t> ParseInt(const std::string& name, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno != 0 || end == nullptr || *end != '\0') {
    return BadRequest("invalid value for " + name + ": strconv.ParseInt: parsing \"" + text +
                      "\": invalid syntax");
  }
  return static_cast<int64_t>(v);
}

bool ParseBool(const std::string& s) {
  return s == "true" || s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "True";
}

StatusOr<bool> ParseDryRun(const std::vector<std::string>& values) {
  bool dry = false;
  for (const auto& v : values) {
    if (v == "All") {
      dry = true;
    } else if (!v.empty()) {
      return BadRequest("dryRun: Unsupported value: \"" + v + "\": supported values: \"All\"");
    }
  }
  return dry;
}

std::vector<std::string> QueryValues(const HttpRequest& r, const std::string& key) {
  std::vector<std::string> out;
  auto range = r.query.equal_range(key);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

Status CheckPropagation(const std::string& p) {
  if (p.empty() || p == "Orphan" || p == "Background" || p == "Foreground") return Status::Ok();
  StatusCause cause{"FieldValueNotSupported",
                    "Unsupported value: \"" + p +
                        "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                    "propagationPolicy"};
  return Invalid("DeleteOptions.meta.k8s.io", "", {cause});
}

}  // namespace

StatusOr<ListQuery> ParseListQuery(const HttpRequest& request) {
  ListQuery q;
  q.label_selector = request.Query("labelSelector");
  q.field_selector = request.Query("fieldSelector");
  q.continue_token = request.Query("continue");
  q.resource_version = request.Query("resourceVersion");
  q.resource_version_match = request.Query("resourceVersionMatch");
  q.allow_bookmarks = ParseBool(request.Query("allowWatchBookmarks"));
  if (request.HasQuery("limit") && !request.Query("limit").empty()) {
    auto v = ParseInt("limit", request.Query("limit"));
    if (!v.ok()) return v.status();
    q.limit = *v < 0 ? 0 : *v;
  }
  if (request.HasQuery("timeoutSeconds") && !request.Query("timeoutSeconds").empty()) {
    auto v = ParseInt("timeoutSeconds", request.Query("timeoutSeconds"));
    if (!v.ok()) return v.status();
    q.timeout_seconds = *v < 0 ? 0 : *v;
  }
  return q;
}

StatusOr<WriteOptions> ParseWriteOptions(const HttpRequest& request) {
  WriteOptions o;
  auto dry = ParseDryRun(QueryValues(request, "dryRun"));
  if (!dry.ok()) return dry.status();
  o.dry_run = *dry;
  o.field_manager = request.Query("fieldManager");
  if (o.field_manager.size() > 128) {
    return BadRequest("fieldManager: Too long: may not be more than 128 bytes");
  }
  std::string fv = request.Query("fieldValidation");
  if (fv.empty() || fv == "Warn") {
    o.field_validation = FieldValidation::kWarn;
  } else if (fv == "Strict") {
    o.field_validation = FieldValidation::kStrict;
  } else if (fv == "Ignore") {
    o.field_validation = FieldValidation::kIgnore;
  } else {
    return BadRequest("fieldValidation: Unsupported value: \"" + fv +
                      "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
  }
  o.force = ParseBool(request.Query("force"));
  o.user_agent = request.Header("User-Agent");
  return o;
}

StatusOr<DeleteOptions> ParseDeleteOptions(const HttpRequest& request,
                                           const SchemaRegistry& schemas) {
  DeleteOptions o;
  if (request.HasQuery("gracePeriodSeconds") && !request.Query("gracePeriodSeconds").empty()) {
    auto v = ParseInt("gracePeriodSeconds", request.Query("gracePeriodSeconds"));
    if (!v.ok()) return v.status();
    o.grace_period_seconds = *v;
  }
  o.propagation_policy = request.Query("propagationPolicy");
  if (request.HasQuery("orphanDependents") && o.propagation_policy.empty()) {
    o.propagation_policy = ParseBool(request.Query("orphanDependents")) ? "Orphan" : "Background";
  }
  auto dry = ParseDryRun(QueryValues(request, "dryRun"));
  if (!dry.ok()) return dry.status();
  o.dry_run = *dry;

  bool blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (!blank) {
    auto body = DecodeObjectBody(schemas, request.Header("Content-Type"), request.body);
    if (!body.ok()) return body.status();
    const Json& b = *body;
    if (const Json* g = Find(b, {"gracePeriodSeconds"}); g && !g->is_null()) {
      if (!g->is_number_integer()) return BadRequest("gracePeriodSeconds must be an integer");
      o.grace_period_seconds = g->get<int64_t>();
    }
    if (const Json* p = Find(b, {"propagationPolicy"}); p && !p->is_null()) {
      if (!p->is_string()) return BadRequest("propagationPolicy must be a string");
      o.propagation_policy = p->get<std::string>();
    } else if (const Json* orphan = Find(b, {"orphanDependents"});
               orphan && orphan->is_boolean()) {
      o.propagation_policy = orphan->get<bool>() ? "Orphan" : "Background";
    }
    o.precondition_uid = GetString(b, {"preconditions", "uid"});
    o.precondition_resource_version = GetString(b, {"preconditions", "resourceVersion"});
    if (const Json* d = Find(b, {"dryRun"}); d && d->is_array()) {
      std::vector<std::string> values;
      for (const auto& v : *d) {
        if (v.is_string()) values.push_back(v.get<std::string>());
      }
      auto body_dry = ParseDryRun(values);
      if (!body_dry.ok()) return body_dry.status();
      o.dry_run = o.dry_run || *body_dry;
    }
  }
  MINIK_RETURN_IF_ERROR(CheckPropagation(o.propagation_policy));
  return o;
}

StatusOr<IncludeObject> ParseIncludeObject(const HttpRequest& request) {
  std::string v = request.Query("includeObject");
  if (v.empty() || v == "Metadata") return IncludeObject::kMetadata;
  if (v == "None") return IncludeObject::kNone;
  if (v == "Object") return IncludeObject::kObject;
  return BadRequest("includeObject: Unsupported value: \"" + v +
                    "\": supported values: \"Metadata\", \"None\", \"Object\"");
}

}  // namespace minik
