// rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and ClusterRoleBinding
// (pkg/apis/rbac/validation, pkg/apis/rbac/v1/defaults.go). Escalation checks (a user may
// only grant what they hold) belong to authorization, not to these strategies.
#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

constexpr const char* kRbacGroup = "rbac.authorization.k8s.io";

std::optional<std::string> NoFields(const Json&, const std::string&) { return std::nullopt; }

std::vector<std::string> Strings(const Json& arr) {
  std::vector<std::string> out;
  if (arr.is_array())
    for (const Json& v : arr) out.push_back(Str(v));
  return out;
}

void ValidateRules(Causes& out, const Json& obj, bool namespaced) {
  const Json& rules = Arr(obj, {"rules"});
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string rp = "rules[" + std::to_string(i) + "]";
    const Json& rule = rules[i];
    if (Arr(rule, {"verbs"}).empty())
      out.push_back(RequiredCause(rp + ".verbs", "verbs must contain at least one value"));
    const Json& urls = Arr(rule, {"nonResourceURLs"});
    if (!urls.empty()) {
      std::string rendered = GoStringSlice(Strings(urls));
      if (namespaced)
        out.push_back(InvalidCause(rp + ".nonResourceURLs", rendered,
                                   "namespaced rules cannot apply to non-resource URLs"));
      if (!Arr(rule, {"apiGroups"}).empty() || !Arr(rule, {"resources"}).empty() ||
          !Arr(rule, {"resourceNames"}).empty())
        out.push_back(InvalidCause(rp + ".nonResourceURLs", rendered,
                                   "rules cannot apply to both regular resources and non-resource URLs"));
      continue;
    }
    if (Arr(rule, {"apiGroups"}).empty())
      out.push_back(RequiredCause(rp + ".apiGroups", "resource rules must supply at least one api group"));
    if (Arr(rule, {"resources"}).empty())
      out.push_back(RequiredCause(rp + ".resources", "resource rules must supply at least one resource"));
  }
}

// ValidateClusterRole's aggregation rule.
void ValidateAggregationRule(Causes& out, const Json& role) {
  const Json& rule = At(role, {"aggregationRule"});
  if (!rule.is_object()) return;
  const Json& selectors = Arr(rule, {"clusterRoleSelectors"});
  if (selectors.empty())
    out.push_back(
        RequiredCause("aggregationRule.clusterRoleSelectors",
                      "at least one clusterRoleSelector required if aggregationRule is non-nil"));
  for (size_t i = 0; i < selectors.size(); ++i) {
    std::string path = "aggregationRule.clusterRoleSelectors[" + std::to_string(i) + "]";
    CheckLabelSelector(out, selectors[i], path);
  }
}

void DefaultBinding(Json& b) {
  SetDefault(Obj(b, "roleRef"), "apiGroup", kRbacGroup);
  if (!b.contains("subjects") || !b["subjects"].is_array()) return;
  for (Json& s : b["subjects"]) {
    if (!s.is_object() || !Str(At(s, {"apiGroup"})).empty()) continue;
    std::string kind = Str(At(s, {"kind"}));
    if (kind == "User" || kind == "Group") s["apiGroup"] = kRbacGroup;
    if (kind == "ServiceAccount") s["apiGroup"] = "";
  }
}

void ValidateBinding(Causes& out, const Json& b, bool namespaced) {
  std::string group = Str(At(b, {"roleRef", "apiGroup"}));
  if (group != kRbacGroup) out.push_back(NotSupportedCause("roleRef.apiGroup", group, {kRbacGroup}));
  std::string kind = Str(At(b, {"roleRef", "kind"}));
  if (namespaced && kind != "Role" && kind != "ClusterRole")
    out.push_back(NotSupportedCause("roleRef.kind", kind, {"Role", "ClusterRole"}));
  if (!namespaced && kind != "ClusterRole")
    out.push_back(NotSupportedCause("roleRef.kind", kind, {"ClusterRole"}));
  std::string name = Str(At(b, {"roleRef", "name"}));
  if (name.empty()) {
    out.push_back(RequiredCause("roleRef.name"));
  } else {
    for (const auto& m : IsValidPathSegmentName(name))
      out.push_back(InvalidCause("roleRef.name", GoQuote(name), m));
  }
  const Json& subjects = Arr(b, {"subjects"});
  for (size_t i = 0; i < subjects.size(); ++i) {
    std::string sp = "subjects[" + std::to_string(i) + "]";
    const Json& s = subjects[i];
    std::string sname = Str(At(s, {"name"}));
    if (sname.empty()) out.push_back(RequiredCause(sp + ".name"));
    std::string skind = Str(At(s, {"kind"}));
    std::string sgroup = Str(At(s, {"apiGroup"}));
    if (skind == "ServiceAccount") {
      if (!sname.empty())
        for (const auto& m : IsDns1123Subdomain(sname))
          out.push_back(InvalidCause(sp + ".name", GoQuote(sname), m));
      if (!sgroup.empty()) out.push_back(NotSupportedCause(sp + ".apiGroup", sgroup, {""}));
      if (!namespaced && Str(At(s, {"namespace"})).empty())
        out.push_back(RequiredCause(sp + ".namespace"));
    } else if (skind == "User" || skind == "Group") {
      if (sgroup != kRbacGroup) out.push_back(NotSupportedCause(sp + ".apiGroup", sgroup, {kRbacGroup}));
    } else {
      out.push_back(NotSupportedCause(sp + ".kind", skind, {"ServiceAccount", "User", "Group"}));
    }
  }
}

void ValidateBindingUpdate(Causes& out, const Json& b, const Json& old) {
  const Json& ref = At(b, {"roleRef"});
  if (ref != At(old, {"roleRef"}))
    out.push_back(InvalidCause("roleRef",
                               "rbac.RoleRef{APIGroup:" + GoQuote(Str(At(ref, {"apiGroup"}))) +
                                   ", Kind:" + GoQuote(Str(At(ref, {"kind"}))) +
                                   ", Name:" + GoQuote(Str(At(ref, {"name"}))) + "}",
                               "cannot change roleRef"));
}

std::vector<Json> BindingCells(const Json& b, SystemTime now) {
  std::string users, groups, sas;
  for (const Json& s : Arr(b, {"subjects"})) {
    std::string kind = Str(At(s, {"kind"}));
    std::string name = Str(At(s, {"name"}));
    std::string* into = nullptr;
    if (kind == "User") into = &users;
    if (kind == "Group") into = &groups;
    if (kind == "ServiceAccount") {
      into = &sas;
      name = Str(At(s, {"namespace"})) + ":" + name;
    }
    if (into) *into += (into->empty() ? "" : ", ") + name;
  }
  return {Str(At(b, {"roleRef", "kind"})) + "/" + Str(At(b, {"roleRef", "name"})), AgeOf(b, now),
          users, groups, sas};
}

ResourceInfo RbacEntry(const std::string& kind, const std::string& plural, bool namespaced) {
  ResourceInfo r;
  r.group = kRbacGroup;
  r.version = "v1";
  r.kind = kind;
  r.plural = plural;
  std::string singular = kind;
  for (char& c : singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.singular = singular;
  r.namespaced = namespaced;
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("rbac", "v1", kind);
  r.name_rule = NameRule::kPathSegment;
  r.fields = NoFields;
  return r;
}

ResourceInfo RoleEntry(const std::string& kind, const std::string& plural, bool namespaced) {
  ResourceInfo r = RbacEntry(kind, plural, namespaced);
  DefaultTable(r);  // Role and ClusterRole have no printer upstream
  StrategySpec s;
  s.validate = [namespaced](Causes& out, const Json& obj) {
    ValidateRules(out, obj, namespaced);
    if (!namespaced) ValidateAggregationRule(out, obj);
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo BindingEntry(const std::string& kind, const std::string& plural, bool namespaced) {
  ResourceInfo r = RbacEntry(kind, plural, namespaced);
  const std::string what = namespaced ? "roleBinding" : "clusterRoleBinding";
  r.columns = {
      Col("Role", "string", Doc(namespaced ? "RoleBinding.roleRef" : "ClusterRoleBinding.roleRef")),
      AgeCol(),
      Col("Users", "string", "Users in the " + what, 1),
      Col("Groups", "string", "Groups in the " + what, 1),
      Col("ServiceAccounts", "string", "ServiceAccounts in the " + what, 1),
  };
  r.cells = BindingCells;
  StrategySpec s;
  s.defaults = DefaultBinding;
  s.validate = [namespaced](Causes& out, const Json& obj) { ValidateBinding(out, obj, namespaced); };
  s.validate_update = ValidateBindingUpdate;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace

ResourceInfo Roles() { return RoleEntry("Role", "roles", true); }
ResourceInfo ClusterRoles() { return RoleEntry("ClusterRole", "clusterroles", false); }
ResourceInfo RoleBindings() { return BindingEntry("RoleBinding", "rolebindings", true); }
ResourceInfo ClusterRoleBindings() {
  return BindingEntry("ClusterRoleBinding", "clusterrolebindings", false);
}

}  // namespace minik::res
