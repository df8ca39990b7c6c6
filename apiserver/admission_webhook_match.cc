// Which webhooks a request goes to (k8s.io/apiserver/pkg/admission/plugin/webhook/predicates:
// rules, namespace and object selectors) and the AdmissionReview request it gets
// (pkg/admission/plugin/webhook/request/admissionreview.go, v1).
#include "api/selector.h"
#include "apiserver/admission_webhook_internal.h"

namespace minik::webhook {
namespace {

const Json& Field(const Json& obj, const char* key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

bool ListMatches(const Json& list, const std::string& value) {
  if (!list.is_array()) return false;
  for (const Json& v : list)
    if (v.is_string() && (v == "*" || v.get<std::string>() == value)) return true;
  return false;
}

bool IsNamespaces(const AdmissionRequest& req) {
  return req.info && req.info->group.empty() && req.info->plural == "namespaces";
}

bool ResourceMatches(const Json& resources, const std::string& resource, const std::string& sub) {
  if (!resources.is_array()) return false;
  for (const Json& r : resources) {
    if (!r.is_string()) continue;
    std::string rs = r.get<std::string>();
    std::string res = rs, rsub;
    if (size_t slash = rs.find('/'); slash != std::string::npos) {
      res = rs.substr(0, slash);
      rsub = rs.substr(slash + 1);
    }
    if ((res == "*" || res == resource) && (rsub == "*" || rsub == sub)) return true;
  }
  return false;
}

bool ScopeMatches(const Json& scope, const AdmissionRequest& req) {
  if (!scope.is_string() || scope == "*") return true;
  const bool cluster = IsNamespaces(req) || req.ns.empty();
  if (scope == "Namespaced") return !cluster;
  if (scope == "Cluster") return cluster;
  return false;
}

const Json& Labels(const Json* obj) {
  static const Json kNull;
  if (!obj || !obj->is_object()) return kNull;
  return Field(Field(*obj, "metadata"), "labels");
}

Json UserInfoJson(const UserInfo* user) {
  Json u = Json::object();
  if (!user) {
    // In-process callers act with full rights, as the apiserver's loopback identity.
    u["username"] = "system:apiserver";
    u["groups"] = Json::array({"system:masters", "system:authenticated"});
    return u;
  }
  u["username"] = user->name;
  if (!user->uid.empty()) u["uid"] = user->uid;
  if (!user->groups.empty()) u["groups"] = user->groups;
  if (!user->extra.empty()) {
    Json extra = Json::object();
    for (const auto& [k, v] : user->extra) extra[k] = v;
    u["extra"] = std::move(extra);
  }
  return u;
}

}  // namespace

bool IsWebhookConfiguration(const AdmissionRequest& req) {
  return req.info && req.info->group == "admissionregistration.k8s.io" &&
         (req.info->plural == "mutatingwebhookconfigurations" ||
          req.info->plural == "validatingwebhookconfigurations");
}

const char* OperationName(const AdmissionRequest& req) {
  switch (req.op) {
    case AdmissionRequest::Operation::kCreate:
      return "CREATE";
    case AdmissionRequest::Operation::kUpdate:
      return "UPDATE";
    case AdmissionRequest::Operation::kDelete:
      return "DELETE";
  }
  return "CREATE";
}

bool RulesMatch(const Json& hook, const AdmissionRequest& req) {
  if (!req.info) return false;
  const Json& rules = Field(hook, "rules");
  if (!rules.is_array()) return false;
  for (const Json& rule : rules) {
    if (!ListMatches(Field(rule, "operations"), OperationName(req))) continue;
    if (!ListMatches(Field(rule, "apiGroups"), req.info->group)) continue;
    if (!ListMatches(Field(rule, "apiVersions"), req.info->version)) continue;
    if (!ResourceMatches(Field(rule, "resources"), req.info->plural, req.subresource)) continue;
    if (!ScopeMatches(Field(rule, "scope"), req)) continue;
    return true;
  }
  return false;
}

bool ObjectSelectorMatches(const Json& hook, const AdmissionRequest& req) {
  const Json& sel = Field(hook, "objectSelector");
  if (sel.is_null()) return true;
  auto selector = LabelSelector::FromJson(sel);
  if (!selector.ok()) return false;
  if (selector->Empty()) return true;
  // Subresource bodies (Eviction, Binding) are not the object: their labels do not count.
  const Json* obj = req.subresource.empty() ? req.object : nullptr;
  if (obj && selector->Matches(Labels(obj))) return true;
  return req.old && selector->Matches(Labels(req.old));
}

StatusOr<bool> NamespaceSelectorMatches(const Json& hook, const AdmissionRequest& req,
                                        Client& client) {
  const Json& sel = Field(hook, "namespaceSelector");
  if (sel.is_null()) return true;
  auto selector = LabelSelector::FromJson(sel);
  if (!selector.ok()) return false;
  if (selector->Empty()) return true;
  if (IsNamespaces(req)) {
    const Json* obj = req.object ? req.object : req.old;
    return selector->Matches(Labels(obj));
  }
  if (req.ns.empty()) return true;
  auto ns = client.Get({"", "v1", "namespaces"}, "", req.ns);
  if (!ns.ok()) return ns.status();
  return selector->Matches(Labels(&*ns));
}

Json BuildReview(const AdmissionRequest& req, const std::string& uid) {
  const ResourceInfo& info = *req.info;
  Json kind = {{"group", info.group}, {"version", info.version}, {"kind", info.kind}};
  // A subresource with a body of its own (pods/eviction, pods/binding) has its kind.
  if (!req.subresource.empty() && req.object && req.object->is_object()) {
    std::string api = Field(*req.object, "apiVersion").is_string()
                          ? Field(*req.object, "apiVersion").get<std::string>()
                          : "";
    const Json& k = Field(*req.object, "kind");
    if (!api.empty() && k.is_string()) {
      size_t slash = api.find('/');
      kind = {{"group", slash == std::string::npos ? "" : api.substr(0, slash)},
              {"version", slash == std::string::npos ? api : api.substr(slash + 1)},
              {"kind", k}};
    }
  }
  Json resource = {{"group", info.group}, {"version", info.version}, {"resource", info.plural}};
  std::string name = req.name;
  if (name.empty() && req.object) {
    const Json& n = Field(Field(*req.object, "metadata"), "name");
    if (n.is_string()) name = n.get<std::string>();
  }
  Json r = Json::object();
  r["uid"] = uid;
  r["kind"] = kind;
  r["resource"] = resource;
  if (!req.subresource.empty()) r["subResource"] = req.subresource;
  r["requestKind"] = kind;
  r["requestResource"] = resource;
  if (!req.subresource.empty()) r["requestSubResource"] = req.subresource;
  if (!name.empty()) r["name"] = name;
  if (!req.ns.empty()) r["namespace"] = req.ns;
  r["operation"] = OperationName(req);
  r["userInfo"] = UserInfoJson(req.user);
  r["object"] = req.object ? *req.object : Json();
  r["oldObject"] = req.old ? *req.old : Json();
  r["dryRun"] = req.dry_run;
  const char* options = req.IsCreate()   ? "CreateOptions"
                        : req.IsUpdate() ? "UpdateOptions"
                                         : "DeleteOptions";
  r["options"] = {{"kind", options}, {"apiVersion", "meta.k8s.io/v1"}};
  return {{"kind", "AdmissionReview"},
          {"apiVersion", "admission.k8s.io/v1"},
          {"request", std::move(r)}};
}

}  // namespace minik::webhook
