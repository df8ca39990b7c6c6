#include "cmd/probe.h"

#include "api/json.h"

namespace minik {

StatusOr<std::unique_ptr<ClusterProbe>> ClusterProbe::New(int port, const std::string& ca_pem,
                                                          const std::string& client_cert_pem,
                                                          const std::string& client_key_pem,
                                                          int timeout_ms) {
  HttpsClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.ca_pem = ca_pem;
  o.client_cert_pem = client_cert_pem;
  o.client_key_pem = client_key_pem;
  o.timeout_ms = timeout_ms;
  auto client = HttpsClient::New(o);
  if (!client.ok()) return client.status();
  return std::unique_ptr<ClusterProbe>(new ClusterProbe(std::move(*client)));
}

Status ClusterProbe::Readyz() {
  auto resp = client_->Get("/readyz");
  if (!resp.ok()) return resp.status();
  std::string body = resp->body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  if (resp->status != 200 || body != "ok") {
    return Status(Code::kServiceUnavailable,
                  "/readyz answered " + std::to_string(resp->status) + ": " + body.substr(0, 200));
  }
  return Status::Ok();
}

Status ClusterProbe::NodeReady(const std::string& name) {
  auto resp = client_->Get("/api/v1/nodes/" + name);
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return Status(Code::kNotFound, "node " + name + " not registered yet");
  if (resp->status != 200) {
    return Status(Code::kServiceUnavailable,
                  "GET node " + name + " answered " + std::to_string(resp->status));
  }
  return NodeJsonReady(resp->body);
}

StatusOr<int> ClusterProbe::CountPods() {
  auto resp = client_->Get("/api/v1/pods");
  if (!resp.ok()) return resp.status();
  if (resp->status != 200)
    return Status(Code::kServiceUnavailable, "GET pods answered " + std::to_string(resp->status));
  try {
    Json list = Json::parse(resp->body);
    const Json& items = list.at("items");
    if (!items.is_array()) return BadRequest("malformed pod list");
    return static_cast<int>(items.size());
  } catch (const Json::exception& e) {
    return BadRequest(std::string("malformed pod list: ") + e.what());
  }
}

Status NodeJsonReady(const std::string& body) {
  Json node;
  try {
    node = Json::parse(body);
  } catch (const Json::exception& e) {
    return BadRequest(std::string("malformed Node JSON: ") + e.what());
  }
  if (!node.is_object()) return BadRequest("malformed Node JSON: not an object");
  auto status = node.find("status");
  if (status == node.end() || !status->is_object()) {
    return Status(Code::kServiceUnavailable, "node has no status yet");
  }
  auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) {
    return Status(Code::kServiceUnavailable, "node has no conditions yet");
  }
  for (const auto& c : *conditions) {
    if (!c.is_object() || c.value("type", Json()) != "Ready") continue;
    if (c.value("status", Json()) == "True") return Status::Ok();
    std::string reason =
        c.value("reason", Json()).is_string() ? c["reason"].get<std::string>() : "";
    return Status(Code::kServiceUnavailable,
                  "node is not Ready" + (reason.empty() ? "" : " (" + reason + ")"));
  }
  return Status(Code::kServiceUnavailable, "node has no Ready condition yet");
}

}  // namespace minik
