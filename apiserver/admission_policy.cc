// ValidatingAdmissionPolicy: see admission_policy.h.
#include "apiserver/admission_policy.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include "api/log.h"
#include "api/selector.h"
#include "apiserver/admission_webhook_internal.h"
#include "cel/cel.h"

namespace minik {
namespace {

constexpr char kTag[] = "admission-policy";
const ResourceRef kPolicies{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicies"};
const ResourceRef kBindings{"admissionregistration.k8s.io", "v1",
                            "validatingadmissionpolicybindings"};
const std::vector<std::string> kVariables = {"object",  "oldObject",       "request",
                                             "params",  "namespaceObject", "variables"};
constexpr size_t kMaxCachedPrograms = 4096;

using Objects = std::vector<Json>;

// The objects of one kind, listed once and listed again after the watch says they changed.
class CachedList {
 public:
  CachedList(Client& client, ResourceRef ref) : client_(client), ref_(std::move(ref)) {}
  ~CachedList() {
    if (watcher_) watcher_->Stop();
  }

  std::shared_ptr<const Objects> Get() {
    std::lock_guard lock(mu_);
    bool watch_ok = watcher_ && watcher_->Error().ok();
    if (items_ && watch_ok && !dirty_->load()) return items_;
    dirty_->store(false);  // before the list: a change during it marks again
    if (watcher_) {
      std::vector<ObjectEvent> drained;
      while (watcher_->Poll(drained) > 0) drained.clear();
      if (!watch_ok) {
        watcher_->Stop();
        watcher_.reset();
      }
    }
    auto list = client_.List(ref_, "");
    if (!list.ok()) {
      if (list.status().code() != Code::kNotFound) {
        LOG(Warning, kTag) << "listing " << ref_.resource << " failed: " << list.status().message();
      }
      dirty_->store(true);
      return items_ ? items_ : std::make_shared<const Objects>();
    }
    auto items = std::make_shared<Objects>();
    for (Json& item : (*list)["items"]) items->push_back(std::move(item));
    std::sort(items->begin(), items->end(),
              [](const Json& a, const Json& b) { return Name(a) < Name(b); });
    items_ = std::move(items);
    if (!watcher_) {
      ListQuery query;
      query.resource_version = GetString(*list, {"metadata", "resourceVersion"});
      auto flag = dirty_;
      auto watcher = client_.Watch(ref_, "", query, [flag] { flag->store(true); });
      if (watcher.ok()) {
        watcher_ = std::move(*watcher);
      } else {
        dirty_->store(true);
      }
    }
    return items_;
  }
  void MarkDirty() { dirty_->store(true); }

 private:
  Client& client_;
  const ResourceRef ref_;
  const std::shared_ptr<std::atomic<bool>> dirty_ = std::make_shared<std::atomic<bool>>(true);
  std::mutex mu_;
  std::shared_ptr<const Objects> items_;    // guarded by mu_
  std::unique_ptr<ObjectWatcher> watcher_;  // guarded by mu_
};

// What one binding decided.
struct Decision {
  bool failed = false;  // a validation was false (or an error under failurePolicy Fail)
  std::string message;
  std::string reason;  // "" = Invalid
};

Code CodeForReason(const std::string& reason) {
  if (reason == "Forbidden") return Code::kForbidden;
  if (reason == "Unauthorized") return Code::kUnauthorized;
  if (reason == "RequestEntityTooLarge") return Code::kRequestEntityTooLarge;
  return Code::kInvalid;
}

class ValidatingAdmissionPolicyPlugin final : public AdmissionPlugin {
 public:
  ValidatingAdmissionPolicyPlugin(Client& client, const ResourceRegistry& resources)
      : client_(client), resources_(resources), policies_(client, kPolicies), bindings_(client, kBindings) {}

  std::string_view Name() const override { return "ValidatingAdmissionPolicy"; }

  Status Validate(const AdmissionRequest& req) override {
    if (!req.info) return Status::Ok();
    // A write of a policy or binding applies to the next request at once.
    if (req.info->group == "admissionregistration.k8s.io") {
      if (req.info->plural == kPolicies.resource) policies_.MarkDirty();
      if (req.info->plural == kBindings.resource) bindings_.MarkDirty();
    }
    std::shared_ptr<const Objects> bindings = bindings_.Get();
    if (bindings->empty()) return Status::Ok();
    std::shared_ptr<const Objects> policies = policies_.Get();
    std::optional<Json> request;  // built on first use
    std::optional<Json> namespace_object;
    for (const Json& binding : *bindings) {
      std::string policy_name = GetString(binding, {"spec", "policyName"});
      auto policy = std::find_if(policies->begin(), policies->end(),
                                 [&](const Json& p) { return minik::Name(p) == policy_name; });
      if (policy == policies->end()) continue;  // a binding to a missing policy does nothing
      StatusOr<bool> matches = Matches(*policy, binding, req);
      if (!matches.ok()) {
        LOG(Warning, kTag) << "policy=" << policy_name << ": " << matches.status().message();
        continue;
      }
      if (!*matches) continue;
      if (!request) request = webhook::BuildReview(req, "")["request"];
      if (!namespace_object) namespace_object = NamespaceObject(req);
      Decision d = Evaluate(*policy, binding, req, *request, *namespace_object);
      if (!d.failed) continue;
      std::string message = "ValidatingAdmissionPolicy '" + policy_name + "' with binding '" +
                            minik::Name(binding) + "' denied request: " + d.message;
      bool deny = false;
      for (const Json& action : Arr(binding, {"spec", "validationActions"})) {
        if (action == "Deny") deny = true;
        if (action == "Warn") {
          req.Warn("Validation failed for ValidatingAdmissionPolicy '" + policy_name +
                   "' with binding '" + minik::Name(binding) + "': " + d.message);
        }
        if (action == "Audit") LOG(Info, kTag) << "audit: " << message;
      }
      if (!deny) continue;
      Status forbidden = req.Forbidden(message);
      StatusDetails details = forbidden.details().value_or(StatusDetails{});
      details.causes.push_back({"", message, ""});
      return Status(CodeForReason(d.reason), forbidden.message(), std::move(details));
    }
    return Status::Ok();
  }

 private:
  static const Json& Arr(const Json& obj, std::initializer_list<const char*> path) {
    static const Json kEmpty = Json::array();
    const Json* v = Find(obj, path);
    return v && v->is_array() ? *v : kEmpty;
  }

  // A request matches one MatchResources: any resource rule (with its resourceNames), no
  // exclude rule, and both selectors.
  StatusOr<bool> MatchesResources(const Json& m, const AdmissionRequest& req) {
    auto any_rule = [&](const Json& rules) {
      for (const Json& rule : rules) {
        if (!webhook::RulesMatch(Json{{"rules", Json::array({rule})}}, req)) continue;
        const Json& names = Arr(rule, {"resourceNames"});
        if (names.empty()) return true;
        std::string name = req.name;
        if (name.empty() && req.object) name = GetString(*req.object, {"metadata", "name"});
        for (const Json& n : names) {
          if (n == name) return true;
        }
      }
      return false;
    };
    if (!any_rule(Arr(m, {"resourceRules"}))) return false;
    if (any_rule(Arr(m, {"excludeResourceRules"}))) return false;
    Json selectors = Json::object();
    if (const Json* s = Find(m, {"objectSelector"})) selectors["objectSelector"] = *s;
    if (const Json* s = Find(m, {"namespaceSelector"})) selectors["namespaceSelector"] = *s;
    if (!webhook::ObjectSelectorMatches(selectors, req)) return false;
    return webhook::NamespaceSelectorMatches(selectors, req, client_);
  }

  StatusOr<bool> Matches(const Json& policy, const Json& binding, const AdmissionRequest& req) {
    const Json* constraints = Find(policy, {"spec", "matchConstraints"});
    if (!constraints) return false;
    StatusOr<bool> m = MatchesResources(*constraints, req);
    if (!m.ok() || !*m) return m;
    const Json* resources = Find(binding, {"spec", "matchResources"});
    if (!resources || !resources->is_object() || Arr(*resources, {"resourceRules"}).empty()) {
      // No rules of its own: the binding narrows only by its selectors, if any.
      if (!resources || !resources->is_object()) return true;
      Json narrowed = *resources;
      narrowed["resourceRules"] = Arr(*constraints, {"resourceRules"});
      return MatchesResources(narrowed, req);
    }
    return MatchesResources(*resources, req);
  }

  Json NamespaceObject(const AdmissionRequest& req) {
    if (req.ns.empty()) return nullptr;
    auto ns = client_.Get({"", "v1", "namespaces"}, "", req.ns);
    return ns.ok() ? *ns : Json(nullptr);
  }

  StatusOr<std::shared_ptr<const cel::Program>> Program(const std::string& expression) {
    {
      std::lock_guard lock(programs_mu_);
      auto it = programs_.find(expression);
      if (it != programs_.end()) return it->second;
    }
    auto program = cel::Compile(expression, kVariables);
    if (!program.ok()) return program.status();
    std::lock_guard lock(programs_mu_);
    if (programs_.size() >= kMaxCachedPrograms) programs_.clear();
    programs_[expression] = *program;
    return *program;
  }

  StatusOr<Json> Run(const std::string& expression, const std::map<std::string, const Json*>& vars) {
    auto program = Program(expression);
    if (!program.ok()) return program.status();
    return cel::EvaluateWith(**program, vars);
  }

  // The params objects of a binding (one evaluation each), or an error. `none` is set when
  // the policy takes no params.
  StatusOr<std::vector<Json>> Params(const Json& policy, const Json& binding,
                                     const AdmissionRequest& req, bool* none) {
    const Json* kind = Find(policy, {"spec", "paramKind"});
    *none = !kind || !kind->is_object();
    if (*none) return std::vector<Json>{};
    const Json* ref = Find(binding, {"spec", "paramRef"});
    if (!ref || !ref->is_object()) {
      return Status(Code::kInvalid, "policy " + minik::Name(policy) + " requires a paramRef in binding " +
                                        minik::Name(binding));
    }
    std::string api_version = GetString(*kind, {"apiVersion"});
    size_t slash = api_version.find('/');
    GroupVersionKind gvk{slash == std::string::npos ? "" : api_version.substr(0, slash),
                         slash == std::string::npos ? api_version : api_version.substr(slash + 1),
                         GetString(*kind, {"kind"})};
    const ResourceInfo* info = resources_.FindByKind(gvk);
    if (!info) {
      return Status(Code::kNotFound, "failed to find resource referenced by paramKind: '" +
                                         gvk.ApiVersion() + ", Kind=" + gvk.kind + "'");
    }
    std::string ns = GetString(*ref, {"namespace"});
    if (info->namespaced && ns.empty()) ns = req.ns;
    if (!info->namespaced) ns.clear();
    std::vector<Json> params;
    std::string name = GetString(*ref, {"name"});
    if (!name.empty()) {
      auto got = client_.Get(info->Ref(), ns, name);
      if (got.ok()) {
        params.push_back(std::move(*got));
      } else if (got.status().code() != Code::kNotFound) {
        return got.status();
      }
    } else {
      const Json* selector = Find(*ref, {"selector"});
      auto parsed = LabelSelector::FromJson(selector ? *selector : Json::object());
      if (!parsed.ok()) return parsed.status();
      ListQuery query;
      query.label_selector = parsed->String();
      auto list = client_.List(info->Ref(), ns, query);
      if (!list.ok()) return list.status();
      for (Json& item : (*list)["items"]) params.push_back(std::move(item));
    }
    return params;
  }

  Decision Evaluate(const Json& policy, const Json& binding, const AdmissionRequest& req,
                    const Json& request, const Json& namespace_object) {
    const bool fail_closed = GetString(policy, {"spec", "failurePolicy"}) != "Ignore";
    auto failure = [&](const std::string& message) {
      Decision d;
      d.failed = fail_closed;
      d.message = message;
      if (!fail_closed) LOG(Warning, kTag) << "policy=" << minik::Name(policy) << " ignored: " << message;
      return d;
    };
    bool no_params = false;
    StatusOr<std::vector<Json>> params = Params(policy, binding, req, &no_params);
    if (!params.ok()) return failure(params.status().message());
    static const Json kNull;
    std::vector<const Json*> param_sets;
    if (no_params) {
      param_sets.push_back(&kNull);
    } else if (params->empty()) {
      if (GetString(binding, {"spec", "paramRef", "parameterNotFoundAction"}) == "Allow") return {};
      return failure("no params found for policy binding with `Deny` parameterNotFoundAction");
    } else {
      for (const Json& p : *params) param_sets.push_back(&p);
    }
    const Json& object = req.object ? *req.object : kNull;
    const Json& old_object = req.old ? *req.old : kNull;
    for (const Json* p : param_sets) {
      Json variables = Json::object();
      std::map<std::string, const Json*> vars = {{"object", &object},
                                                 {"oldObject", &old_object},
                                                 {"request", &request},
                                                 {"params", p},
                                                 {"namespaceObject", &namespace_object}};
      // matchConditions see no `variables` (upstream evaluates them first).
      bool matched = true;
      for (const Json& c : Arr(policy, {"spec", "matchConditions"})) {
        std::string expr = GetString(c, {"expression"});
        StatusOr<Json> r = Run(expr, vars);
        if (!r.ok()) return failure("failed to evaluate matchCondition '" + GetString(c, {"name"}) + "': " + r.status().message());
        if (!r->is_boolean()) return failure("matchCondition '" + GetString(c, {"name"}) + "' must evaluate to a bool");
        if (!r->get<bool>()) {
          matched = false;
          break;
        }
      }
      if (!matched) continue;
      vars["variables"] = &variables;
      for (const Json& v : Arr(policy, {"spec", "variables"})) {
        StatusOr<Json> r = Run(GetString(v, {"expression"}), vars);
        if (r.ok()) variables[GetString(v, {"name"})] = std::move(*r);  // else: absent, an error where read
      }
      for (const Json& validation : Arr(policy, {"spec", "validations"})) {
        std::string expr = GetString(validation, {"expression"});
        StatusOr<Json> r = Run(expr, vars);
        if (!r.ok() || !r->is_boolean()) {
          std::string why = r.ok() ? "must evaluate to a bool" : r.status().message();
          Decision d = failure("expression '" + expr + "' resulted in error: " + why);
          if (d.failed) return d;
          continue;
        }
        if (r->get<bool>()) continue;
        Decision d;
        d.failed = true;
        d.reason = GetString(validation, {"reason"});
        d.message = GetString(validation, {"message"});
        std::string message_expr = GetString(validation, {"messageExpression"});
        if (!message_expr.empty()) {
          StatusOr<Json> m = Run(message_expr, vars);
          if (m.ok() && m->is_string() && !m->get<std::string>().empty()) d.message = m->get<std::string>();
        }
        if (d.message.empty()) d.message = "failed expression: " + expr;
        return d;
      }
    }
    return {};
  }

  Client& client_;
  const ResourceRegistry& resources_;
  CachedList policies_;
  CachedList bindings_;
  std::mutex programs_mu_;
  std::map<std::string, std::shared_ptr<const cel::Program>> programs_;  // guarded by programs_mu_
};

}  // namespace

std::shared_ptr<AdmissionPlugin> NewValidatingAdmissionPolicy(Client& client,
                                                              const ResourceRegistry& resources) {
  return std::make_shared<ValidatingAdmissionPolicyPlugin>(client, resources);
}

}  // namespace minik
