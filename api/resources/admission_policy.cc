// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
// (upstream pkg/apis/admissionregistration: defaults from v1/defaults.go, the essentials of
// validation/validation.go). The policies run in apiserver/admission_policy.cc.
#include <set>

#include "api/resources/common.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

std::optional<std::string> NoFields(const Json&, const std::string&) { return std::nullopt; }

void DefaultRules(Json& rules) {
  if (!rules.is_array()) return;
  for (Json& r : rules) {
    if (r.is_object() && !r.contains("scope")) r["scope"] = "*";
  }
}

void DefaultMatchResources(Json& m) {
  if (!m.is_object()) return;
  if (!m.contains("namespaceSelector")) m["namespaceSelector"] = Json::object();
  if (!m.contains("objectSelector")) m["objectSelector"] = Json::object();
  if (!m.contains("matchPolicy")) m["matchPolicy"] = "Equivalent";
  if (m.contains("resourceRules")) DefaultRules(m["resourceRules"]);
  if (m.contains("excludeResourceRules")) DefaultRules(m["excludeResourceRules"]);
}

void DefaultPolicy(Json& p) {
  Json& spec = p["spec"];
  if (!spec.is_object()) return;
  if (!spec.contains("failurePolicy")) spec["failurePolicy"] = "Fail";
  if (spec.contains("matchConstraints")) DefaultMatchResources(spec["matchConstraints"]);
}

void DefaultBinding(Json& b) {
  Json& spec = b["spec"];
  if (!spec.is_object()) return;
  if (spec.contains("matchResources")) DefaultMatchResources(spec["matchResources"]);
}

void ValidateRules(Causes& out, const Json& rules, const std::string& field) {
  if (!rules.is_array()) return;
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string f = field + "[" + std::to_string(i) + "]";
    const Json& r = rules[i];
    for (const char* list : {"operations", "apiGroups", "apiVersions", "resources"}) {
      if (Arr(r, {list}).empty()) out.push_back(RequiredCause(f + "." + list));
    }
    for (const Json& op : Arr(r, {"operations"})) {
      if (op != "*" && op != "CREATE" && op != "UPDATE" && op != "DELETE" && op != "CONNECT") {
        out.push_back(NotSupportedCause(f + ".operations", op, {"*", "CONNECT", "CREATE", "DELETE", "UPDATE"}));
      }
    }
    const Json& scope = At(r, {"scope"});
    if (scope.is_string() && scope != "*" && scope != "Cluster" && scope != "Namespaced") {
      out.push_back(NotSupportedCause(f + ".scope", scope, {"*", "Cluster", "Namespaced"}));
    }
  }
}

void ValidateMatchResources(Causes& out, const Json& m, const std::string& field, bool required_rules) {
  if (required_rules && Arr(m, {"resourceRules"}).empty()) {
    out.push_back(RequiredCause(field + ".resourceRules"));
  }
  ValidateRules(out, At(m, {"resourceRules"}), field + ".resourceRules");
  ValidateRules(out, At(m, {"excludeResourceRules"}), field + ".excludeResourceRules");
  const Json& policy = At(m, {"matchPolicy"});
  if (policy.is_string() && policy != "Exact" && policy != "Equivalent") {
    out.push_back(NotSupportedCause(field + ".matchPolicy", policy, {"Equivalent", "Exact"}));
  }
}

void ValidateNamedExpressions(Causes& out, const Json& list, const std::string& field,
                              const char* name_key, const char* expr_key) {
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string f = field + "[" + std::to_string(i) + "]";
    std::string name = GetString(list[i], {name_key});
    if (name.empty()) {
      out.push_back(RequiredCause(f + "." + name_key));
    } else if (!seen.insert(name).second) {
      out.push_back(DuplicateCause(f + "." + name_key, "\"" + name + "\""));
    }
    if (GetString(list[i], {expr_key}).empty()) out.push_back(RequiredCause(f + "." + expr_key));
  }
}

void ValidatePolicy(Causes& out, const Json& p) {
  const Json& spec = At(p, {"spec"});
  const Json& constraints = At(spec, {"matchConstraints"});
  if (!constraints.is_object()) {
    out.push_back(RequiredCause("spec.matchConstraints"));
  } else {
    ValidateMatchResources(out, constraints, "spec.matchConstraints", true);
  }
  const Json& validations = Arr(spec, {"validations"});
  if (validations.empty() && Arr(spec, {"auditAnnotations"}).empty()) {
    out.push_back(RequiredCause("spec.validations", "validations or auditAnnotations must contain at least one item"));
  }
  for (size_t i = 0; i < validations.size(); ++i) {
    std::string f = "spec.validations[" + std::to_string(i) + "]";
    std::string expr = GetString(validations[i], {"expression"});
    if (expr.empty()) out.push_back(RequiredCause(f + ".expression"));
    if (expr.find('\n') != std::string::npos && GetString(validations[i], {"message"}).empty()) {
      out.push_back(RequiredCause(f + ".message", "message must be specified if expression contains line breaks"));
    }
    const Json& reason = At(validations[i], {"reason"});
    if (reason.is_string() && reason != "Unauthorized" && reason != "Forbidden" && reason != "Invalid" &&
        reason != "RequestEntityTooLarge") {
      out.push_back(NotSupportedCause(f + ".reason", reason, {"Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"}));
    }
  }
  const Json& failure = At(spec, {"failurePolicy"});
  if (failure.is_string() && failure != "Fail" && failure != "Ignore") {
    out.push_back(NotSupportedCause("spec.failurePolicy", failure, {"Fail", "Ignore"}));
  }
  ValidateNamedExpressions(out, Arr(spec, {"matchConditions"}), "spec.matchConditions", "name", "expression");
  ValidateNamedExpressions(out, Arr(spec, {"variables"}), "spec.variables", "name", "expression");
  ValidateNamedExpressions(out, Arr(spec, {"auditAnnotations"}), "spec.auditAnnotations", "key", "valueExpression");
  const Json& param = At(spec, {"paramKind"});
  if (param.is_object()) {
    if (GetString(param, {"apiVersion"}).empty()) out.push_back(RequiredCause("spec.paramKind.apiVersion"));
    if (GetString(param, {"kind"}).empty()) out.push_back(RequiredCause("spec.paramKind.kind"));
  }
}

void ValidateBinding(Causes& out, const Json& b) {
  const Json& spec = At(b, {"spec"});
  if (GetString(spec, {"policyName"}).empty()) out.push_back(RequiredCause("spec.policyName"));
  const Json& actions = Arr(spec, {"validationActions"});
  if (actions.empty()) out.push_back(RequiredCause("spec.validationActions"));
  std::set<std::string> seen;
  for (size_t i = 0; i < actions.size(); ++i) {
    std::string f = "spec.validationActions[" + std::to_string(i) + "]";
    if (actions[i] != "Deny" && actions[i] != "Warn" && actions[i] != "Audit") {
      out.push_back(NotSupportedCause(f, actions[i], {"Audit", "Deny", "Warn"}));
    } else if (!seen.insert(actions[i].get<std::string>()).second) {
      out.push_back(DuplicateCause(f, actions[i].dump()));
    }
  }
  if (seen.count("Deny") && seen.count("Warn")) {
    out.push_back(InvalidValue("spec.validationActions", "",
                               "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"));
  }
  const Json& ref = At(spec, {"paramRef"});
  if (ref.is_object()) {
    bool has_name = !GetString(ref, {"name"}).empty();
    bool has_selector = ref.contains("selector") && !ref["selector"].is_null();
    if (has_name == has_selector) {
      out.push_back(ForbiddenCause("spec.paramRef", "one of name or selector must be specified"));
    }
    const Json& action = At(ref, {"parameterNotFoundAction"});
    if (!action.is_string()) {
      out.push_back(RequiredCause("spec.paramRef.parameterNotFoundAction"));
    } else if (action != "Allow" && action != "Deny") {
      out.push_back(NotSupportedCause("spec.paramRef.parameterNotFoundAction", action, {"Deny", "Allow"}));
    }
  }
  if (At(spec, {"matchResources"}).is_object()) {
    ValidateMatchResources(out, spec["matchResources"], "spec.matchResources", false);
  }
}

ResourceInfo Entry(const std::string& kind, const std::string& plural) {
  ResourceInfo r;
  r.group = "admissionregistration.k8s.io";
  r.version = "v1";
  r.kind = kind;
  r.plural = plural;
  r.singular = plural.substr(0, plural.size() - 1);
  r.namespaced = false;
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("admissionregistration", "v1", kind);
  r.fields = NoFields;
  return r;
}

}  // namespace

ResourceInfo ValidatingAdmissionPolicies() {
  ResourceInfo r = Entry("ValidatingAdmissionPolicy", "validatingadmissionpolicies");
  r.singular = "validatingadmissionpolicy";
  r.subresources = {StatusSubresource(r.group, r.version, r.kind)};
  r.columns = {
      Col("Validations", "integer", "Validations indicates the number of validation expressions"),
      Col("ParamKind", "string", "ParamKind specifies the kind of resources used to parameterize this policy"),
      AgeCol(),
  };
  r.cells = [](const Json& p, SystemTime now) -> std::vector<Json> {
    const Json& kind = At(p, {"spec", "paramKind"});
    std::string param = kind.is_object() ? GetString(kind, {"apiVersion"}) + "/" + GetString(kind, {"kind"}) : "<unset>";
    return {static_cast<int64_t>(Arr(p, {"spec", "validations"}).size()), param, AgeOf(p, now)};
  };
  StrategySpec s;
  s.empty_status = Json::object();
  s.generation = Generation::kSpec;
  s.defaults = DefaultPolicy;
  s.validate = ValidatePolicy;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo ValidatingAdmissionPolicyBindings() {
  ResourceInfo r = Entry("ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings");
  r.columns = {
      Col("PolicyName", "string", "PolicyName indicates the policy definition which the policy binding binded to"),
      Col("ParamRef", "string", "ParamRef indicates the param resource which sets the configration param"),
      AgeCol(),
  };
  r.cells = [](const Json& b, SystemTime now) -> std::vector<Json> {
    const Json& ref = At(b, {"spec", "paramRef"});
    std::string param = "<unset>";
    if (ref.is_object()) {
      std::string ns = GetString(ref, {"namespace"});
      std::string name = GetString(ref, {"name"});
      param = name.empty() ? "*" : (ns.empty() ? name : ns + "/" + name);
    }
    return {GetString(b, {"spec", "policyName"}), param, AgeOf(b, now)};
  };
  StrategySpec s;
  s.generation = Generation::kSpec;
  s.defaults = DefaultBinding;
  s.validate = ValidateBinding;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik::res
