// Status: the error value passed across component boundaries.
//
// A Status carries a Kubernetes-style reason (NotFound, Conflict, ...) and a message that is
// already worded the way the apiserver words it (`configmaps "x" not found`). The API server
// turns it into a metav1.Status object in exactly one place (apiserver/status_json.cc).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace minik {

enum class Code {
  kOk = 0,
  kBadRequest,            // 400 BadRequest
  kUnauthorized,          // 401 Unauthorized
  kForbidden,             // 403 Forbidden
  kNotFound,              // 404 NotFound
  kMethodNotAllowed,      // 405 MethodNotAllowed
  kNotAcceptable,         // 406 NotAcceptable
  kAlreadyExists,         // 409 AlreadyExists
  kConflict,              // 409 Conflict
  kGone,                  // 410 Expired ("too old resource version")
  kRequestEntityTooLarge, // 413 RequestEntityTooLarge
  kUnsupportedMediaType,  // 415 UnsupportedMediaType
  kInvalid,               // 422 Invalid
  kTooManyRequests,       // 429 TooManyRequests
  kInternal,              // 500 InternalError
  kNotImplemented,        // 501 NotImplemented (features not built yet say so, never fake success)
  kServiceUnavailable,    // 503 ServiceUnavailable
  kTimeout,               // 504 Timeout
};

// One field-level cause, as in metav1.StatusCause.
struct StatusCause {
  std::string reason;   // e.g. "FieldValueInvalid", "FieldValueRequired"
  std::string message;  // e.g. "Invalid value: \"Bad_Name\": a lowercase RFC 1123 ..."
  std::string field;    // e.g. "metadata.name"
};

// metav1.StatusDetails. `kind` is the plural resource for most reasons, the Kind for Invalid.
struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(Code code, std::string message, StatusDetails details)
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::optional<StatusDetails>& details() const { return details_; }
  StatusDetails& mutable_details() {
    if (!details_) details_.emplace();
    return *details_;
  }
  // metav1.Status' ListMeta.continue: a 410 for a too old continue token carries a token
  // that lists the remainder inconsistently (written as `metadata.continue`).
  const std::string& list_continue() const { return list_continue_; }
  void set_list_continue(std::string token) { list_continue_ = std::move(token); }

  // The Kubernetes reason string ("NotFound") and HTTP code (404) for this code.
  const char* Reason() const;
  int HttpCode() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::optional<StatusDetails> details_;
  std::string list_continue_;
};

// Shorthands worded like k8s.io/apimachinery/pkg/api/errors. `resource` is the
// group-qualified plural ("configmaps", "deployments.apps").
Status NotFound(const std::string& resource, const std::string& name);
Status AlreadyExists(const std::string& resource, const std::string& name);
Status ConflictModified(const std::string& resource, const std::string& name);
Status BadRequest(std::string message);
Status Internal(std::string message);
Status NotImplemented(std::string message);
// `kind` is the Kind with group ("ConfigMap", "Deployment.apps").
Status Invalid(const std::string& kind, const std::string& name, std::vector<StatusCause> causes);
// "too old resource version: 5 (10)"
Status Expired(std::string message);

// Either a value or a non-OK Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}
  StatusOr(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace minik

#define MINIK_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::minik::Status _st = (expr);          \
    if (!_st.ok()) return _st;             \
  } while (0)
