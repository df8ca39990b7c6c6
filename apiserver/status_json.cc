// StatusToJson: the one place where a Status becomes a metav1.Status object on the wire.
#include "api/json.h"
#include "apiserver/http_server_internal.h"
#include "apiserver/router.h"

namespace minik {

Json StatusToJson(const Status& status) {
  Json out = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Json::object()}};
  if (!status.list_continue().empty()) out["metadata"]["continue"] = status.list_continue();
  out["status"] = status.ok() ? "Success" : "Failure";
  if (!status.message().empty()) out["message"] = status.message();
  std::string reason = status.Reason();
  if (!reason.empty()) out["reason"] = reason;
  if (const auto& d = status.details()) {
    // Empty fields are omitted, as Go's `omitempty` does, so clients see the same shape.
    Json details = Json::object();
    if (!d->name.empty()) details["name"] = d->name;
    if (!d->group.empty()) details["group"] = d->group;
    if (!d->kind.empty()) details["kind"] = d->kind;
    if (!d->causes.empty()) {
      Json causes = Json::array();
      for (const StatusCause& c : d->causes) {
        Json cause = Json::object();
        if (!c.reason.empty()) cause["reason"] = c.reason;
        if (!c.message.empty()) cause["message"] = c.message;
        if (!c.field.empty()) cause["field"] = c.field;
        causes.push_back(std::move(cause));
      }
      details["causes"] = std::move(causes);
    }
    if (d->retry_after_seconds > 0) details["retryAfterSeconds"] = d->retry_after_seconds;
    if (!details.empty()) out["details"] = std::move(details);
  }
  out["code"] = status.HttpCode();
  return out;
}

std::string StatusBody(const Status& status, int http_code) {
  Json body = StatusToJson(status);
  if (http_code != 0) body["code"] = http_code;
  return body.dump();
}

}  // namespace minik
