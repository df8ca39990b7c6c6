#include "apiserver/token_request.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "api/validation.h"
#include "apiserver/registry_internal.h"

namespace minik {
namespace {

const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kSecrets{"", "v1", "secrets"};
const ResourceRef kNodes{"", "v1", "nodes"};
constexpr const char* kKind = "TokenRequest.authentication.k8s.io";
constexpr int64_t kDefaultExpirationSeconds = 3600;  // SetDefaults_TokenRequestSpec
constexpr int64_t kMinExpirationSeconds = 600;       // ValidateTokenRequest: 10 minutes
constexpr int64_t kMaxValidExpirationSeconds = int64_t{1} << 32;
// token.WarnOnlyBoundTokenExpirationSeconds and ExpirationExtensionSeconds: what the kubelet
// asks for projected tokens, and how long such a token really lives (warnafter marks 3607).
constexpr int64_t kWarnOnlyBoundTokenSeconds = 3607;
constexpr int64_t kExtendedExpirationSeconds = 24 * 365 * 60 * 60;

class TokenRequestClient final : public Client {
 public:
  TokenRequestClient(std::unique_ptr<Client> registry, const JwtSigner& signer,
                     ServiceAccountTokenConfig config, Clock& clock)
      : registry_(std::move(registry)), signer_(signer), config_(std::move(config)),
        clock_(clock) {}

  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource,
                        const std::string& name) override {
    if (subresource == "token" && ref.group == kServiceAccounts.group &&
        ref.resource == kServiceAccounts.resource) {
      return CreateToken(ns, name, std::move(obj), opts);
    }
    return registry_->Create(ref, ns, std::move(obj), opts, subresource, name);
  }
  StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                     const std::string& subresource) override {
    return registry_->Get(ref, ns, name, subresource);
  }
  StatusOr<Json> List(const ResourceRef& ref, const std::string& ns,
                      const ListQuery& query) override {
    return registry_->List(ref, ns, query);
  }
  StatusOr<Json> Update(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions& opts, const std::string& subresource) override {
    return registry_->Update(ref, ns, std::move(obj), opts, subresource);
  }
  StatusOr<Json> Patch(const ResourceRef& ref, const std::string& ns, const std::string& name,
                       PatchType type, const std::string& body, const WriteOptions& opts,
                       const std::string& subresource) override {
    return registry_->Patch(ref, ns, name, type, body, opts, subresource);
  }
  StatusOr<Json> Delete(const ResourceRef& ref, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts) override {
    return registry_->Delete(ref, ns, name, opts);
  }
  StatusOr<Json> DeleteCollection(const ResourceRef& ref, const std::string& ns,
                                  const ListQuery& query, const DeleteOptions& opts) override {
    return registry_->DeleteCollection(ref, ns, query, opts);
  }
  StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef& ref, const std::string& ns,
                                                 const ListQuery& query,
                                                 std::function<void()> notify) override {
    return registry_->Watch(ref, ns, query, std::move(notify));
  }

 private:
  StatusOr<Json> CreateToken(const std::string& ns, const std::string& name, Json req,
                             const WriteOptions& opts) {
    if (!req.is_object()) return BadRequest("the body of the request must be a JSON object");
    if (!req["metadata"].is_object()) req["metadata"] = Json::object();
    if (!req["spec"].is_object()) req["spec"] = Json::object();
    Json& meta = req["metadata"];
    Json& spec = req["spec"];
    // The body may repeat the URL's name and namespace, never contradict them.
    if (std::string n = GetString(meta, {"name"}); !n.empty() && n != name) {
      return Invalid(kKind, name,
                     {FieldInvalid("metadata.name", n,
                                   "must match the service account name if specified")});
    }
    if (std::string n = GetString(meta, {"namespace"}); !n.empty() && n != ns) {
      return Invalid(kKind, name,
                     {FieldInvalid("metadata.namespace", n,
                                   "must match the service account namespace if specified")});
    }
    auto sa = registry_->Get(kServiceAccounts, ns, name);
    if (!sa.ok()) return sa.status();

    const Json* auds = Find(spec, {"audiences"});
    if (!auds || auds->is_null() || (auds->is_array() && auds->empty())) {
      spec["audiences"] = config_.audiences;
    } else if (!auds->is_array()) {
      return Invalid(kKind, "", {FieldInvalid("spec.audiences", *auds, "must be a list")});
    } else {
      for (const Json& a : *auds) {
        if (!a.is_string()) {
          return Invalid(kKind, "", {FieldInvalid("spec.audiences", a, "must be a string")});
        }
      }
    }
    const Json* exp_field = Find(spec, {"expirationSeconds"});
    if (!exp_field || exp_field->is_null()) {
      spec["expirationSeconds"] = kDefaultExpirationSeconds;
    } else if (!exp_field->is_number_integer()) {
      return Invalid(kKind, "",
                     {FieldInvalid("spec.expirationSeconds", *exp_field, "must be an integer")});
    }
    meta["name"] = name;
    meta["namespace"] = ns;
    // Taken before the token is made, so status.expirationTimestamp <= the token's exp.
    const SystemTime now = clock_.Now();
    meta["creationTimestamp"] = FormatRfc3339(now);
    req.erase("status");

    // ValidateTokenRequest.
    int64_t seconds = spec["expirationSeconds"].get<int64_t>();
    std::vector<StatusCause> causes;
    if (seconds < kMinExpirationSeconds) {
      causes.push_back(FieldInvalid("spec.expirationSeconds", seconds,
                                    "may not specify a duration less than 10 minutes"));
    }
    if (seconds > kMaxValidExpirationSeconds) {
      causes.push_back({"FieldValueTooLong",
                        "Too long: may not be more than " +
                            std::to_string(kMaxValidExpirationSeconds) + " bytes",
                        "spec.expirationSeconds"});
    }
    if (!causes.empty()) return Invalid(kKind, "", std::move(causes));

    ServiceAccountTokenInfo info;
    info.ns = ns;
    info.service_account = {name, Uid(*sa)};
    bool pod_bound = false;
    if (const Json* ref = Find(spec, {"boundObjectRef"}); ref && !ref->is_null()) {
      if (!ref->is_object()) {
        return Invalid(kKind, "",
                       {FieldInvalid("spec.boundObjectRef", *ref, "must be an object")});
      }
      auto bound = Bind(ns, name, *ref, info);
      if (!bound.ok()) return bound;
      pod_bound = !info.pod.empty();
    }

    if (config_.max_expiration_seconds > 0 && seconds > config_.max_expiration_seconds) {
      if (opts.warnings) {
        opts.warnings->push_back("requested expiration of " + std::to_string(seconds) +
                                 " seconds shortened to " +
                                 std::to_string(config_.max_expiration_seconds) + " seconds");
      }
      seconds = config_.max_expiration_seconds;
      spec["expirationSeconds"] = seconds;
    }
    // As upstream: a pod-bound token for the API, asked for 3607 s (the kubelet's projected
    // token), lives a year and warns after 3607 s, so old clients that never re-read the
    // file keep working while their use is visible.
    int64_t exp = seconds;
    if (config_.extend_expiration && pod_bound && seconds == kWarnOnlyBoundTokenSeconds &&
        ForApi(spec["audiences"])) {
      info.warn_after = std::chrono::duration_cast<std::chrono::seconds>(
                            now.time_since_epoch()).count() + seconds;
      exp = kExtendedExpirationSeconds;
    }
    info.jti = registry::NewUid();
    std::vector<std::string> audiences = spec["audiences"].get<std::vector<std::string>>();
    auto token = signer_.Sign(ServiceAccountClaims(config_.issuer, info, audiences, now, exp));
    if (!token.ok()) return token.status();
    req["apiVersion"] = "authentication.k8s.io/v1";
    req["kind"] = "TokenRequest";
    req["status"] = Json{{"token", *token},
                         {"expirationTimestamp",
                          FormatRfc3339(now + std::chrono::seconds(seconds))}};
    return req;
  }

  // spec.boundObjectRef: a Pod running as `sa` or a Secret in `ns`, or a Node, with the given
  // uid when one is given.
  Status Bind(const std::string& ns, const std::string& sa, const Json& ref,
              ServiceAccountTokenInfo& info) {
    std::string api_version = GetString(ref, {"apiVersion"});
    std::string kind = GetString(ref, {"kind"});
    std::string bound_name = GetString(ref, {"name"});
    std::string want_uid = GetString(ref, {"uid"});
    std::string group = api_version.find('/') == std::string::npos
                            ? std::string()
                            : api_version.substr(0, api_version.find('/'));
    std::string uid;
    if (group.empty() && kind == "Pod") {
      auto pod = registry_->Get(kPods, ns, bound_name);
      if (!pod.ok()) return pod.status();
      std::string pod_sa = GetString(*pod, {"spec", "serviceAccountName"});
      if (pod_sa != sa) {
        return BadRequest("cannot bind token for serviceaccount \"" + sa +
                          "\" to pod running with different serviceaccount name.");
      }
      uid = Uid(*pod);
      info.pod = {bound_name, uid};
      // The node the pod runs on, when it is known and still there (not an error otherwise).
      if (std::string node = GetString(*pod, {"spec", "nodeName"}); !node.empty()) {
        if (auto n = registry_->Get(kNodes, "", node); n.ok()) info.node = {node, Uid(*n)};
      }
    } else if (group.empty() && kind == "Secret") {
      auto secret = registry_->Get(kSecrets, ns, bound_name);
      if (!secret.ok()) return secret.status();
      uid = Uid(*secret);
      info.secret = {bound_name, uid};
    } else if (group.empty() && kind == "Node") {
      // ServiceAccountTokenNodeBinding (beta, on in 1.32): valid while the node exists.
      auto node = registry_->Get(kNodes, "", bound_name);
      if (!node.ok()) return node.status();
      uid = Uid(*node);
      info.node = {bound_name, uid};
    } else {
      std::string version = group.empty() ? api_version : api_version.substr(group.size() + 1);
      return BadRequest("cannot bind token to object of type " + group + "/" + version +
                        ", Kind=" + kind);
    }
    if (!want_uid.empty() && want_uid != uid) {
      return Status(Code::kConflict,
                    "Operation cannot be fulfilled on " + kind + " \"" + bound_name +
                        "\": the UID in the bound object reference (" + want_uid +
                        ") does not match the UID in record. The object might have been "
                        "deleted and then recreated");
    }
    return Status::Ok();
  }

  // Every audience is one of the API's (isKubeAudiences).
  bool ForApi(const Json& audiences) const {
    for (const Json& a : audiences) {
      if (std::find(config_.audiences.begin(), config_.audiences.end(),
                    a.get<std::string>()) == config_.audiences.end()) {
        return false;
      }
    }
    return !audiences.empty();
  }

  std::unique_ptr<Client> registry_;
  const JwtSigner& signer_;
  const ServiceAccountTokenConfig config_;
  Clock& clock_;
};

}  // namespace

std::unique_ptr<Client> NewTokenRequestClient(std::unique_ptr<Client> registry,
                                              const JwtSigner& signer,
                                              ServiceAccountTokenConfig config, Clock& clock) {
  return std::make_unique<TokenRequestClient>(std::move(registry), signer, std::move(config),
                                              clock);
}

}  // namespace minik
