#include "api/status.h"

#include <algorithm>

namespace minik {

const char* Status::Reason() const {
  switch (code_) {
    case Code::kOk: return "";
    case Code::kBadRequest: return "BadRequest";
    case Code::kUnauthorized: return "Unauthorized";
    case Code::kForbidden: return "Forbidden";
    case Code::kNotFound: return "NotFound";
    case Code::kMethodNotAllowed: return "MethodNotAllowed";
    case Code::kNotAcceptable: return "NotAcceptable";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kConflict: return "Conflict";
    case Code::kGone: return "Expired";
    case Code::kRequestEntityTooLarge: return "RequestEntityTooLarge";
    case Code::kUnsupportedMediaType: return "UnsupportedMediaType";
    case Code::kInvalid: return "Invalid";
    case Code::kTooManyRequests: return "TooManyRequests";
    case Code::kInternal: return "InternalError";
    case Code::kNotImplemented: return "NotImplemented";
    case Code::kServiceUnavailable: return "ServiceUnavailable";
    case Code::kTimeout: return "Timeout";
  }
  return "InternalError";
}

int Status::HttpCode() const {
  switch (code_) {
    case Code::kOk: return 200;
    case Code::kBadRequest: return 400;
    case Code::kUnauthorized: return 401;
    case Code::kForbidden: return 403;
    case Code::kNotFound: return 404;
    case Code::kMethodNotAllowed: return 405;
    case Code::kNotAcceptable: return 406;
    case Code::kAlreadyExists: return 409;
    case Code::kConflict: return 409;
    case Code::kGone: return 410;
    case Code::kRequestEntityTooLarge: return 413;
    case Code::kUnsupportedMediaType: return 415;
    case Code::kInvalid: return 422;
    case Code::kTooManyRequests: return 429;
    case Code::kInternal: return 500;
    case Code::kNotImplemented: return 501;
    case Code::kServiceUnavailable: return 503;
    case Code::kTimeout: return 504;
  }
  return 500;
}

namespace {
// "configmaps" -> name "", group ""; "deployments.apps" -> kind "deployments", group "apps".
StatusDetails ResourceDetails(const std::string& resource, const std::string& name) {
  StatusDetails d;
  d.name = name;
  auto dot = resource.find('.');
  d.kind = resource.substr(0, dot);
  if (dot != std::string::npos) d.group = resource.substr(dot + 1);
  return d;
}
}  // namespace

Status NotFound(const std::string& resource, const std::string& name) {
  return Status(Code::kNotFound, resource + " \"" + name + "\" not found",
                ResourceDetails(resource, name));
}

Status AlreadyExists(const std::string& resource, const std::string& name) {
  return Status(Code::kAlreadyExists, resource + " \"" + name + "\" already exists",
                ResourceDetails(resource, name));
}

Status ConflictModified(const std::string& resource, const std::string& name) {
  return Status(Code::kConflict,
                "Operation cannot be fulfilled on " + resource + " \"" + name +
                    "\": the object has been modified; please apply your changes to the "
                    "latest version and try again",
                ResourceDetails(resource, name));
}

Status BadRequest(std::string message) { return Status(Code::kBadRequest, std::move(message)); }
Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }
Status NotImplemented(std::string message) {
  return Status(Code::kNotImplemented, std::move(message));
}
Status Expired(std::string message) { return Status(Code::kGone, std::move(message)); }

Status Invalid(const std::string& kind, const std::string& name, std::vector<StatusCause> causes) {
  // Worded like apimachinery's NewInvalid: `ConfigMap "x" is invalid: [a, b]`, one error bare,
  // no colon without errors. ErrorList.ToAggregate drops repeated "field: body" strings (the
  // causes keep them all), and field.Error prints "<field>: <body>" even for an empty field.
  std::string msg = kind + " \"" + name + "\" is invalid";
  std::vector<std::string> parts;
  for (const auto& c : causes) {
    std::string part = c.field + ": " + c.message;
    if (std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(part);
  }
  if (parts.size() == 1) {
    msg += ": " + parts[0];
  } else if (!parts.empty()) {
    msg += ": [";
    for (size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : "") + parts[i];
    msg += "]";
  }
  StatusDetails d;
  d.name = name;
  auto dot = kind.find('.');
  d.kind = kind.substr(0, dot);
  if (dot != std::string::npos) d.group = kind.substr(dot + 1);
  d.causes = std::move(causes);
  return Status(Code::kInvalid, msg, std::move(d));
}

}  // namespace minik
