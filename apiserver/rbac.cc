#include "apiserver/rbac.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace minik {

struct RbacAuthorizer::Snapshot {
  struct Subject {
    std::string kind, name, ns;
  };
  struct Binding {
    std::string kind, name, ns;  // kind: RoleBinding or ClusterRoleBinding
    std::vector<Subject> subjects;
    std::string role_kind, role_name;
  };
  std::unordered_map<std::string, std::vector<PolicyRule>> cluster_roles;  // by name
  std::unordered_map<std::string, std::vector<PolicyRule>> roles;          // by "ns/name"
  std::vector<Binding> cluster_bindings;
  std::unordered_map<std::string, std::vector<Binding>> bindings;  // by namespace
};

namespace {

constexpr const char* kRbacGroup = "rbac.authorization.k8s.io";
constexpr const char* kAll = "*";

const ResourceRef kRoles{kRbacGroup, "v1", "roles"};
const ResourceRef kClusterRoles{kRbacGroup, "v1", "clusterroles"};
const ResourceRef kRoleBindings{kRbacGroup, "v1", "rolebindings"};
const ResourceRef kClusterRoleBindings{kRbacGroup, "v1", "clusterrolebindings"};

using Snapshot = RbacAuthorizer::Snapshot;

bool Has(const std::vector<std::string>& set, const std::string& v) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

bool HasAll(const std::vector<std::string>& set, const std::vector<std::string>& want) {
  for (const auto& w : want)
    if (!Has(set, w)) return false;
  return true;
}

std::vector<std::string> StringList(const Json& obj, const char* field) {
  std::vector<std::string> out;
  const Json* arr = Find(obj, {field});
  if (arr == nullptr || !arr->is_array()) return out;
  for (const Json& v : *arr)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool InGroup(const UserInfo& user, const std::string& group) { return Has(user.groups, group); }

// Go's %q of a []string: ["a" "b"].
std::string QuoteList(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += " ";
    out += Json(list[i]).dump();
  }
  return out + "]";
}

bool AppliesTo(const UserInfo& user, const Snapshot::Subject& s, const std::string& binding_ns) {
  if (s.kind == "User") return user.name == s.name;
  if (s.kind == "Group") return InGroup(user, s.name);
  if (s.kind == "ServiceAccount") {
    // A ServiceAccount subject without a namespace means the binding's own namespace.
    std::string ns = s.ns.empty() ? binding_ns : s.ns;
    if (ns.empty()) return false;
    return user.name == "system:serviceaccount:" + ns + ":" + s.name;
  }
  return false;
}

std::string DescribeSource(const Snapshot::Binding& b, const Snapshot::Subject& s) {
  std::string out = b.kind + " \"" + b.name + "\"";
  if (!b.ns.empty()) out = b.kind + " \"" + b.name + "/" + b.ns + "\"";
  out += " of " + b.role_kind + " \"" + b.role_name + "\" to " + s.kind + " \"";
  if (s.kind == "ServiceAccount") out += s.ns + "/";
  return out + s.name + "\"";
}

std::shared_ptr<Snapshot> Build(const Informer* roles, const Informer* cluster_roles,
                                const Informer* bindings, const Informer* cluster_bindings) {
  auto snap = std::make_shared<Snapshot>();
  for (const ObjectPtr& r : cluster_roles->List())
    snap->cluster_roles[Name(*r)] = ParseRules(r->value("rules", Json::array()));
  for (const ObjectPtr& r : roles->List())
    snap->roles[Namespace(*r) + "/" + Name(*r)] = ParseRules(r->value("rules", Json::array()));
  auto parse_binding = [](const Json& obj, const char* kind) {
    Snapshot::Binding b;
    b.kind = kind;
    b.name = Name(obj);
    b.ns = Namespace(obj);
    b.role_kind = GetString(obj, {"roleRef", "kind"});
    b.role_name = GetString(obj, {"roleRef", "name"});
    if (const Json* subjects = Find(obj, {"subjects"}); subjects && subjects->is_array()) {
      for (const Json& s : *subjects) {
        b.subjects.push_back({GetString(s, {"kind"}), GetString(s, {"name"}),
                              GetString(s, {"namespace"})});
      }
    }
    return b;
  };
  for (const ObjectPtr& b : cluster_bindings->List())
    snap->cluster_bindings.push_back(parse_binding(*b, "ClusterRoleBinding"));
  for (const ObjectPtr& b : bindings->List())
    snap->bindings[Namespace(*b)].push_back(parse_binding(*b, "RoleBinding"));
  return snap;
}

// Visits the rules granted to `user` in `ns` as upstream's VisitRulesFor: cluster bindings
// first, then the namespace's bindings. `visit` returns false to stop.
template <typename Visit>
void VisitRules(const Snapshot& snap, const UserInfo& user, const std::string& ns,
                std::vector<std::string>* errors, Visit visit) {
  auto role_rules = [&](const Snapshot::Binding& b) -> const std::vector<PolicyRule>* {
    if (b.role_kind == "ClusterRole") {
      auto it = snap.cluster_roles.find(b.role_name);
      if (it != snap.cluster_roles.end()) return &it->second;
      if (errors) errors->push_back("clusterrole.rbac.authorization.k8s.io \"" + b.role_name + "\" not found");
      return nullptr;
    }
    if (b.role_kind == "Role" && !b.ns.empty()) {
      auto it = snap.roles.find(b.ns + "/" + b.role_name);
      if (it != snap.roles.end()) return &it->second;
      if (errors) errors->push_back("role.rbac.authorization.k8s.io \"" + b.role_name + "\" not found");
    }
    return nullptr;
  };
  auto visit_binding = [&](const Snapshot::Binding& b) {
    for (const auto& s : b.subjects) {
      if (!AppliesTo(user, s, b.ns)) continue;
      const std::vector<PolicyRule>* rules = role_rules(b);
      if (rules == nullptr) return true;
      for (const PolicyRule& rule : *rules)
        if (!visit(b, s, rule)) return false;
      return true;  // one matching subject is enough
    }
    return true;
  };
  for (const auto& b : snap.cluster_bindings)
    if (!visit_binding(b)) return;
  if (ns.empty()) return;
  auto it = snap.bindings.find(ns);
  if (it == snap.bindings.end()) return;
  for (const auto& b : it->second)
    if (!visit_binding(b)) return;
}

bool ResourceMatches(const PolicyRule& rule, const std::string& resource,
                     const std::string& subresource) {
  std::string combined = subresource.empty() ? resource : resource + "/" + subresource;
  for (const std::string& r : rule.resources) {
    if (r == kAll || r == combined) return true;
    // "*/scale" matches the scale subresource of every resource.
    if (!subresource.empty() && r.size() == subresource.size() + 2 && r.rfind("*/", 0) == 0 &&
        r.compare(2, std::string::npos, subresource) == 0)
      return true;
  }
  return false;
}

bool NonResourceUrlMatches(const std::string& rule_url, const std::string& path) {
  if (rule_url == kAll || rule_url == path) return true;
  if (!rule_url.empty() && rule_url.back() == '*') {
    return path.rfind(rule_url.substr(0, rule_url.size() - 1), 0) == 0;
  }
  return false;
}

// validation.BreakdownRule: one verb, group, resource and name (or URL) per rule.
std::vector<PolicyRule> Breakdown(const PolicyRule& rule) {
  std::vector<PolicyRule> out;
  for (const auto& group : rule.api_groups) {
    for (const auto& resource : rule.resources) {
      for (const auto& verb : rule.verbs) {
        if (rule.resource_names.empty()) {
          out.push_back({{verb}, {group}, {resource}, {}, {}});
          continue;
        }
        for (const auto& name : rule.resource_names)
          out.push_back({{verb}, {group}, {resource}, {name}, {}});
      }
    }
  }
  for (const auto& url : rule.non_resource_urls)
    for (const auto& verb : rule.verbs) out.push_back({{verb}, {}, {}, {}, {url}});
  return out;
}

bool ResourceCoversAll(const std::vector<std::string>& owner, const std::vector<std::string>& want) {
  if (Has(owner, kAll) || HasAll(owner, want)) return true;
  for (const auto& path : want) {
    if (Has(owner, path)) continue;
    size_t slash = path.find('/');
    if (slash == std::string::npos) return false;
    if (!Has(owner, "*/" + path.substr(slash + 1))) return false;
  }
  return true;
}

bool NonResourceUrlsCoverAll(const std::vector<std::string>& owner,
                             const std::vector<std::string>& want) {
  for (const auto& w : want) {
    bool covered = false;
    for (const auto& o : owner) {
      if (o == w || o == kAll ||
          (!o.empty() && o.back() == '*' && w.rfind(o.substr(0, o.find_last_not_of('*') + 1), 0) == 0)) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

bool RuleCovers(const std::vector<PolicyRule>& owner, const PolicyRule& sub) {
  for (const PolicyRule& o : owner) {
    bool verbs = Has(o.verbs, kAll) || HasAll(o.verbs, sub.verbs);
    bool groups = Has(o.api_groups, kAll) || HasAll(o.api_groups, sub.api_groups);
    bool resources = ResourceCoversAll(o.resources, sub.resources);
    bool urls = NonResourceUrlsCoverAll(o.non_resource_urls, sub.non_resource_urls);
    bool names = sub.resource_names.empty()
                     ? o.resource_names.empty()
                     : o.resource_names.empty() || HasAll(o.resource_names, sub.resource_names);
    if (verbs && groups && resources && urls && names) return true;
  }
  return false;
}

Status Forbidden(const std::string& resource, const std::string& name, const std::string& why) {
  std::string gr = resource + "." + kRbacGroup;
  StatusDetails details;
  details.name = name;
  details.group = kRbacGroup;
  details.kind = resource;
  return Status(Code::kForbidden, gr + " \"" + name + "\" is forbidden: " + why, details);
}

}  // namespace

std::vector<PolicyRule> ParseRules(const Json& rules) {
  std::vector<PolicyRule> out;
  if (!rules.is_array()) return out;
  for (const Json& r : rules) {
    if (!r.is_object()) continue;
    out.push_back({StringList(r, "verbs"), StringList(r, "apiGroups"), StringList(r, "resources"),
                   StringList(r, "resourceNames"), StringList(r, "nonResourceURLs")});
  }
  return out;
}

Json RuleToJson(const PolicyRule& rule) {
  Json j = {{"verbs", rule.verbs}};
  if (!rule.non_resource_urls.empty()) {
    j["nonResourceURLs"] = rule.non_resource_urls;
    return j;
  }
  j["apiGroups"] = rule.api_groups;
  j["resources"] = rule.resources;
  if (!rule.resource_names.empty()) j["resourceNames"] = rule.resource_names;
  return j;
}

std::string CompactString(const PolicyRule& r) {
  std::vector<std::string> parts;
  if (!r.api_groups.empty()) parts.push_back("APIGroups:" + QuoteList(r.api_groups));
  if (!r.resources.empty()) parts.push_back("Resources:" + QuoteList(r.resources));
  if (!r.non_resource_urls.empty()) parts.push_back("NonResourceURLs:" + QuoteList(r.non_resource_urls));
  if (!r.resource_names.empty()) parts.push_back("ResourceNames:" + QuoteList(r.resource_names));
  if (!r.verbs.empty()) parts.push_back("Verbs:" + QuoteList(r.verbs));
  std::string out = "{";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + "}";
}

bool RuleAllows(const AuthzAttributes& a, const PolicyRule& rule) {
  if (!Has(rule.verbs, kAll) && !Has(rule.verbs, a.verb)) return false;
  if (!a.resource_request) {
    for (const auto& url : rule.non_resource_urls)
      if (NonResourceUrlMatches(url, a.path)) return true;
    return false;
  }
  if (!Has(rule.api_groups, kAll) && !Has(rule.api_groups, a.api_group)) return false;
  if (!ResourceMatches(rule, a.resource, a.subresource)) return false;
  return rule.resource_names.empty() || Has(rule.resource_names, a.name);
}

bool Covers(const std::vector<PolicyRule>& owner, const std::vector<PolicyRule>& servant,
            std::vector<PolicyRule>* missing) {
  bool all = true;
  for (const PolicyRule& rule : servant) {
    for (PolicyRule& sub : Breakdown(rule)) {
      if (RuleCovers(owner, sub)) continue;
      all = false;
      if (missing) missing->push_back(std::move(sub));
    }
  }
  return all;
}

void RbacAuthorizer::Attach(SharedInformerFactory& informers) {
  Informer* inf[] = {&informers.For(kRoles), &informers.For(kClusterRoles),
                     &informers.For(kRoleBindings), &informers.For(kClusterRoleBindings)};
  for (Informer* i : inf) {
    i->AddEventHandler({[this](const Json&) { stale_ = true; },
                        [this](const Json&, const Json&) { stale_ = true; },
                        [this](const Json&) { stale_ = true; }});
  }
  std::lock_guard<std::mutex> lock(mu_);
  roles_ = inf[0];
  cluster_roles_ = inf[1];
  role_bindings_ = inf[2];
  cluster_role_bindings_ = inf[3];
  stale_ = true;
}

void RbacAuthorizer::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  roles_ = cluster_roles_ = role_bindings_ = cluster_role_bindings_ = nullptr;
}

std::shared_ptr<const RbacAuthorizer::Snapshot> RbacAuthorizer::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (roles_ == nullptr) return snapshot_ ? snapshot_ : std::make_shared<Snapshot>();
  // Clear the flag before reading the caches: an event arriving during the rebuild sets it
  // again and the next reader rebuilds.
  if (stale_.exchange(false) || !snapshot_) {
    bool synced = roles_->HasSynced() && cluster_roles_->HasSynced() &&
                  role_bindings_->HasSynced() && cluster_role_bindings_->HasSynced();
    snapshot_ = Build(roles_, cluster_roles_, role_bindings_, cluster_role_bindings_);
    if (!synced) stale_ = true;
  }
  return snapshot_;
}

AuthzDecision RbacAuthorizer::Authorize(const AuthzAttributes& attrs) const {
  if (attrs.user == nullptr) return {false, ""};
  // The privileged group comes first in the apiserver's authorizer union.
  if (InGroup(*attrs.user, "system:masters")) return {true, ""};
  auto snap = Current();
  std::vector<std::string> errors;
  AuthzDecision decision;
  VisitRules(*snap, *attrs.user, attrs.ns, &errors,
             [&](const Snapshot::Binding& b, const Snapshot::Subject& s, const PolicyRule& rule) {
               if (!RuleAllows(attrs, rule)) return true;
               decision = {true, "RBAC: allowed by " + DescribeSource(b, s)};
               return false;
             });
  if (decision.allowed || errors.empty()) return decision;
  std::string reason = "RBAC: ";
  if (errors.size() > 1) reason += "[";
  for (size_t i = 0; i < errors.size(); ++i) reason += (i ? ", " : "") + errors[i];
  if (errors.size() > 1) reason += "]";
  return {false, reason};
}

std::vector<PolicyRule> RbacAuthorizer::Rules(const UserInfo& user, const std::string& ns,
                                              std::vector<std::string>* errors) const {
  std::vector<PolicyRule> rules;
  VisitRules(*Current(), user, ns, errors,
             [&](const Snapshot::Binding&, const Snapshot::Subject&, const PolicyRule& rule) {
               rules.push_back(rule);
               return true;
             });
  return rules;
}

UserRules RbacAuthorizer::RulesFor(const UserInfo& user, const std::string& ns) const {
  UserRules out;
  std::vector<std::string> errors;
  for (const PolicyRule& rule : Rules(user, ns, &errors)) {
    if (!rule.non_resource_urls.empty()) {
      out.non_resource_rules.push_back(
          Json{{"verbs", rule.verbs}, {"nonResourceURLs", rule.non_resource_urls}});
    } else {
      out.resource_rules.push_back(RuleToJson(rule));
    }
  }
  if (!errors.empty()) {
    out.incomplete = true;
    for (size_t i = 0; i < errors.size(); ++i) out.evaluation_error += (i ? ", " : "") + errors[i];
  }
  return out;
}

StatusOr<std::vector<PolicyRule>> RbacAuthorizer::RoleRefRules(const std::string& kind,
                                                               const std::string& name,
                                                               const std::string& ns) const {
  auto snap = Current();
  if (kind == "ClusterRole") {
    auto it = snap->cluster_roles.find(name);
    if (it == snap->cluster_roles.end()) return NotFound("clusterroles.rbac.authorization.k8s.io", name);
    return it->second;
  }
  if (kind == "Role") {
    auto it = snap->roles.find(ns + "/" + name);
    if (it == snap->roles.end()) return NotFound("roles.rbac.authorization.k8s.io", name);
    return it->second;
  }
  return Status(Code::kInvalid, "unsupported role reference kind: \"" + kind + "\"");
}

Status ConfirmNoEscalation(const RbacAuthorizer& rbac, const UserInfo& user,
                           const std::string& resource, const Json& obj, const Json* old) {
  if (InGroup(user, "system:masters")) return Status::Ok();
  std::string ns = Namespace(obj), name = Name(obj);
  bool binding = resource == "rolebindings" || resource == "clusterrolebindings";
  bool role = resource == "roles" || resource == "clusterroles";
  if (!binding && !role) return Status::Ok();

  auto authorized = [&](const std::string& verb, const std::string& res, const std::string& n) {
    AuthzAttributes a;
    a.user = &user;
    a.resource_request = true;
    a.verb = verb;
    a.api_group = kRbacGroup;
    a.api_version = "*";
    a.resource = res;
    a.name = n;
    a.ns = ns;
    return rbac.Authorize(a).allowed;
  };

  std::vector<PolicyRule> granted;
  if (role) {
    const Json empty = Json::array();
    const Json& rules = obj.contains("rules") ? obj["rules"] : empty;
    // An update that leaves the rules alone grants nothing new.
    if (old != nullptr && old->value("rules", Json::array()) == rules &&
        old->value("aggregationRule", Json()) == obj.value("aggregationRule", Json()))
      return Status::Ok();
    if (authorized("escalate", resource, name)) return Status::Ok();
    granted = ParseRules(rules);
  } else {
    std::string kind = GetString(obj, {"roleRef", "kind"});
    std::string ref = GetString(obj, {"roleRef", "name"});
    if (old != nullptr && GetString(*old, {"roleRef", "kind"}) == kind &&
        GetString(*old, {"roleRef", "name"}) == ref && old->value("subjects", Json()) == obj.value("subjects", Json()))
      return Status::Ok();
    if (authorized("bind", kind == "Role" ? "roles" : "clusterroles", ref)) return Status::Ok();
    auto rules = rbac.RoleRefRules(kind, ref, ns);
    // Upstream answers an unresolvable roleRef with an internal error; a clear 404 helps more.
    if (!rules.ok()) return rules.status();
    granted = std::move(*rules);
  }

  std::vector<std::string> errors;
  std::vector<PolicyRule> held = rbac.Rules(user, ns, &errors);
  std::vector<PolicyRule> missing;
  if (!Covers(held, granted, &missing)) {
    // validation.CompactRules: rules differing only by verb are shown as one.
    std::vector<PolicyRule> compact;
    for (auto& m : missing) {
      auto same = std::find_if(compact.begin(), compact.end(), [&](const PolicyRule& c) {
        return m.non_resource_urls.empty() && c.non_resource_urls.empty() &&
               c.api_groups == m.api_groups && c.resources == m.resources &&
               c.resource_names == m.resource_names;
      });
      if (same == compact.end()) {
        compact.push_back(std::move(m));
      } else if (!Has(same->verbs, m.verbs[0])) {
        same->verbs.push_back(m.verbs[0]);
      }
    }
    std::set<std::string> lines;
    for (const auto& m : compact) lines.insert(CompactString(m));
    std::string msg = "user \"" + user.name + "\" (groups=" + QuoteList(user.groups) +
                      ") is attempting to grant RBAC permissions not currently held:";
    for (const auto& l : lines) msg += "\n" + l;
    if (!errors.empty()) {
      msg += "; resolution errors: [";
      for (size_t i = 0; i < errors.size(); ++i) msg += (i ? " " : "") + errors[i];
      msg += "]";
    }
    return Forbidden(resource, name, msg);
  }
  if (role && resource == "clusterroles" && obj.contains("aggregationRule") &&
      !obj["aggregationRule"].is_null()) {
    // An aggregation rule can gather anything: it takes full authority.
    PolicyRule all{{kAll}, {kAll}, {kAll}, {}, {}};
    PolicyRule urls{{kAll}, {}, {}, {}, {kAll}};
    if (!Covers(held, {all, urls}, nullptr))
      return Forbidden(resource, name, "must have cluster-admin privileges to use the aggregationRule");
  }
  return Status::Ok();
}

}  // namespace minik
