// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and
// ValidatingWebhookConfiguration: defaults (pkg/apis/admissionregistration/v1/defaults.go)
// and validation (pkg/apis/admissionregistration/validation/validation.go,
// ValidateMutatingWebhookConfiguration / ValidateValidatingWebhookConfiguration). The
// webhooks themselves are called by apiserver/admission_webhook.h.
//
// Deviation: matchConditions (CEL) are refused at validation, since minik does not evaluate
// them; accepting them would call webhooks upstream would skip.
#include <algorithm>
#include <cctype>
#include <set>

#include "api/resources/common.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

std::optional<std::string> NoFields(const Json&, const std::string&) { return std::nullopt; }

bool HasWildcard(const Json& list) {
  for (const Json& v : list)
    if (v == "*") return true;
  return false;
}

std::vector<std::string> Strings(const Json& list) {
  std::vector<std::string> out;
  for (const Json& v : list) out.push_back(Str(v));
  return out;
}

// ValidateWebhookURL with forceHttps: the parts url.Parse would find, checked as upstream.
void ValidateWebhookUrl(Causes& out, const std::string& url, const std::string& field) {
  const std::string form = "; desired format: https://host[/path]";
  std::string rest = url;
  std::string scheme;
  if (size_t colon = rest.find(':');
      colon != std::string::npos && rest.find_first_of("/?#") > colon) {
    scheme = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  std::string fragment, query;
  if (size_t hash = rest.find('#'); hash != std::string::npos) {
    fragment = rest.substr(hash + 1);
    rest.resize(hash);
  }
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  std::string host, user;
  if (rest.rfind("//", 0) == 0) {
    std::string authority = rest.substr(
        2, rest.find('/', 2) == std::string::npos ? std::string::npos : rest.find('/', 2) - 2);
    if (size_t at = authority.rfind('@'); at != std::string::npos) {
      user = authority.substr(0, at);
      authority = authority.substr(at + 1);
    }
    host = authority;
  }
  if (scheme != "https")
    out.push_back(
        InvalidCause(field, GoQuote(scheme), "'https' is the only allowed URL scheme" + form));
  if (host.empty()) out.push_back(InvalidCause(field, "\"\"", "host must be specified" + form));
  if (!user.empty()) {
    // url.Userinfo.String() hides nothing but escapes; the password is shown as given.
    out.push_back(
        InvalidCause(field, GoQuote(user), "user information is not permitted in the URL"));
  }
  if (!fragment.empty())
    out.push_back(InvalidCause(field, GoQuote(fragment), "fragments are not permitted in the URL"));
  if (!query.empty())
    out.push_back(
        InvalidCause(field, GoQuote(query), "query parameters are not permitted in the URL"));
}

void ValidateService(Causes& out, const Json& svc, const std::string& field) {
  if (Str(At(svc, {"name"})).empty())
    out.push_back(RequiredCause(field + ".name", "service name is required"));
  if (Str(At(svc, {"namespace"})).empty())
    out.push_back(RequiredCause(field + ".namespace", "service namespace is required"));
  const Json& port = At(svc, {"port"});
  if (auto p = Int(port); p && (*p < 1 || *p > 65535))
    out.push_back(InvalidValue(field + ".port", port,
                               "port is not valid: must be between 1 and 65535, inclusive"));
  const Json& path = At(svc, {"path"});
  if (path.is_string() && !Str(path).empty()) {
    std::string p = Str(path);
    if (p[0] != '/') {
      out.push_back(InvalidValue(field + ".path", path, "must start with a '/'"));
    } else if (p == "/") {
      // allowed
    } else {
      std::string body = p.substr(1);
      if (!body.empty() && body.back() == '/') body.pop_back();
      size_t start = 0;
      for (int i = 0;; ++i) {
        size_t slash = body.find('/', start);
        std::string seg =
            body.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (seg.empty()) {
          out.push_back(InvalidValue(field + ".path", path,
                                     "segment[" + std::to_string(i) + "] may not be empty"));
        } else {
          auto errs = IsDns1123Subdomain(seg);
          if (!errs.empty())
            out.push_back(InvalidValue(field + ".path", path,
                                       "segment[" + std::to_string(i) + "]: " + errs[0]));
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
    }
  }
}

void ValidateClientConfig(Causes& out, const Json& cc, const std::string& field) {
  const Json& url = At(cc, {"url"});
  const Json& svc = At(cc, {"service"});
  bool has_url = url.is_string();
  bool has_svc = svc.is_object();
  if (has_url == has_svc) {
    out.push_back(RequiredCause(field, "exactly one of url or service is required"));
  } else if (has_url) {
    ValidateWebhookUrl(out, Str(url), field + ".url");
  } else {
    ValidateService(out, svc, field + ".service");
  }
}

void ValidateResources(Causes& out, const Json& resources, const std::string& field) {
  if (resources.empty()) out.push_back(RequiredCause(field));
  std::set<std::string> wildcard_sub_of, wildcard_res_of;
  bool double_wildcard = false, single_wildcard = false, without_sub = false;
  for (size_t i = 0; i < resources.size(); ++i) {
    std::string rs = Str(resources[i]);
    std::string f = field + "[" + std::to_string(i) + "]";
    if (rs.empty()) {
      out.push_back(RequiredCause(f));
      continue;
    }
    if (rs == "*/*") double_wildcard = true;
    if (rs == "*") single_wildcard = true;
    size_t slash = rs.find('/');
    if (slash == std::string::npos) {
      without_sub = rs != "*";
      continue;
    }
    std::string res = rs.substr(0, slash), sub = rs.substr(slash + 1);
    if (wildcard_sub_of.count(res))
      out.push_back(InvalidValue(f, rs, "if '" + res + "/*' is present, must not specify " + rs));
    if (wildcard_res_of.count(sub))
      out.push_back(InvalidValue(f, rs, "if '*/" + sub + "' is present, must not specify " + rs));
    if (sub == "*") wildcard_sub_of.insert(res);
    if (res == "*") wildcard_res_of.insert(sub);
  }
  if (resources.size() > 1 && double_wildcard)
    out.push_back(InvalidCause(field, GoStringSlice(Strings(resources)),
                               "if '*/*' is present, must not specify other resources"));
  if (single_wildcard && without_sub)
    out.push_back(
        InvalidCause(field, GoStringSlice(Strings(resources)),
                     "if '*' is present, must not specify other resources without subresources"));
}

void ValidateRule(Causes& out, const Json& rule, const std::string& field) {
  const Json& ops = Arr(rule, {"operations"});
  if (ops.empty()) out.push_back(RequiredCause(field + ".operations"));
  if (ops.size() > 1 && HasWildcard(ops))
    out.push_back(InvalidCause(field + ".operations", GoStringSlice(Strings(ops)),
                               "if '*' is present, must not specify other operations"));
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string op = Str(ops[i]);
    if (op != "*" && op != "CONNECT" && op != "CREATE" && op != "DELETE" && op != "UPDATE")
      out.push_back(NotSupportedCause(field + ".operations[" + std::to_string(i) + "]", ops[i],
                                      {"*", "CONNECT", "CREATE", "DELETE", "UPDATE"}));
  }
  const Json& groups = Arr(rule, {"apiGroups"});
  if (groups.empty()) out.push_back(RequiredCause(field + ".apiGroups"));
  if (groups.size() > 1 && HasWildcard(groups))
    out.push_back(InvalidCause(field + ".apiGroups", GoStringSlice(Strings(groups)),
                               "if '*' is present, must not specify other API groups"));
  const Json& versions = Arr(rule, {"apiVersions"});
  if (versions.empty()) out.push_back(RequiredCause(field + ".apiVersions"));
  if (versions.size() > 1 && HasWildcard(versions))
    out.push_back(InvalidCause(field + ".apiVersions", GoStringSlice(Strings(versions)),
                               "if '*' is present, must not specify other API versions"));
  for (size_t i = 0; i < versions.size(); ++i)
    if (Str(versions[i]).empty())
      out.push_back(RequiredCause(field + ".apiVersions[" + std::to_string(i) + "]"));
  ValidateResources(out, Arr(rule, {"resources"}), field + ".resources");
  const Json& scope = At(rule, {"scope"});
  if (scope.is_string() && scope != "*" && scope != "Cluster" && scope != "Namespaced")
    out.push_back(NotSupportedCause(field + ".scope", scope, {"*", "Cluster", "Namespaced"}));
}

void ValidateReviewVersions(Causes& out, const Json& versions, const std::string& field) {
  if (versions.empty()) {
    out.push_back(RequiredCause(field, "must specify one of v1, v1beta1"));
    return;
  }
  std::set<std::string> seen;
  bool accepted = false;
  for (size_t i = 0; i < versions.size(); ++i) {
    std::string v = Str(versions[i]);
    std::string f = field + "[" + std::to_string(i) + "]";
    if (!seen.insert(v).second) {
      out.push_back(InvalidValue(f, versions[i], "duplicate version"));
      continue;
    }
    for (const std::string& e : IsDns1035Label(v)) out.push_back(InvalidValue(f, versions[i], e));
    if (v == "v1" || v == "v1beta1") accepted = true;
  }
  if (!accepted)
    out.push_back(InvalidCause(field, GoStringSlice(Strings(versions)),
                               "must include at least one of v1, v1beta1"));
}

void ValidateWebhook(Causes& out, const Json& hook, const std::string& f, bool mutating) {
  // utilvalidation.IsFullyQualifiedName
  std::string name = Str(At(hook, {"name"}));
  if (name.empty()) {
    out.push_back(RequiredCause(f + ".name"));
  } else if (auto errs = IsDns1123Subdomain(name); !errs.empty()) {
    std::string joined;
    for (const std::string& e : errs) joined += (joined.empty() ? "" : ",") + e;
    out.push_back(InvalidValue(f + ".name", name, joined));
  } else if (std::count(name.begin(), name.end(), '.') < 2) {
    out.push_back(InvalidValue(
        f + ".name", name, "should be a domain with at least three segments separated by dots"));
  }
  for (size_t i = 0; i < Arr(hook, {"rules"}).size(); ++i)
    ValidateRule(out, Arr(hook, {"rules"})[i], f + ".rules[" + std::to_string(i) + "]");
  const Json& fp = At(hook, {"failurePolicy"});
  if (fp.is_string() && fp != "Fail" && fp != "Ignore")
    out.push_back(NotSupportedCause(f + ".failurePolicy", fp, {"Fail", "Ignore"}));
  const Json& mp = At(hook, {"matchPolicy"});
  if (mp.is_string() && mp != "Equivalent" && mp != "Exact")
    out.push_back(NotSupportedCause(f + ".matchPolicy", mp, {"Equivalent", "Exact"}));
  const Json& se = At(hook, {"sideEffects"});
  if (!se.is_string() || Str(se).empty()) {
    out.push_back(RequiredCause(f + ".sideEffects", "must specify one of None, NoneOnDryRun"));
  } else if (se != "None" && se != "NoneOnDryRun") {
    out.push_back(NotSupportedCause(f + ".sideEffects", se, {"None", "NoneOnDryRun"}));
  }
  const Json& timeout = At(hook, {"timeoutSeconds"});
  if (auto t = Int(timeout); t && (*t < 1 || *t > 30))
    out.push_back(InvalidValue(f + ".timeoutSeconds", timeout,
                               "the timeout value must be between 1 and 30 seconds"));
  for (const char* sel : {"namespaceSelector", "objectSelector"}) {
    const Json& s = At(hook, {sel});
    if (s.is_object())
      for (StatusCause& c : ValidateLabelSelector(s, f + "." + sel)) out.push_back(std::move(c));
  }
  if (mutating) {
    const Json& rp = At(hook, {"reinvocationPolicy"});
    if (rp.is_string() && rp != "IfNeeded" && rp != "Never")
      out.push_back(NotSupportedCause(f + ".reinvocationPolicy", rp, {"IfNeeded", "Never"}));
  }
  ValidateReviewVersions(out, Arr(hook, {"admissionReviewVersions"}),
                         f + ".admissionReviewVersions");
  ValidateClientConfig(out, At(hook, {"clientConfig"}), f + ".clientConfig");
  if (!Arr(hook, {"matchConditions"}).empty())
    out.push_back(ForbiddenCause(f + ".matchConditions",
                                 "matchConditions are not supported by this server (CEL match "
                                 "conditions are not evaluated); remove them"));
}

void ValidateConfiguration(Causes& out, const Json& cfg, bool mutating) {
  const Json& hooks = Arr(cfg, {"webhooks"});
  std::set<std::string> names;
  for (size_t i = 0; i < hooks.size(); ++i) {
    std::string f = "webhooks[" + std::to_string(i) + "]";
    std::string name = Str(At(hooks[i], {"name"}));
    if (!name.empty() && !names.insert(name).second)
      out.push_back(DuplicateCause(f + ".name", GoQuote(name)));
    ValidateWebhook(out, hooks[i], f, mutating);
  }
}

void DefaultConfiguration(Json& cfg, bool mutating) {
  if (!cfg.contains("webhooks") || !cfg["webhooks"].is_array()) return;
  for (Json& hook : cfg["webhooks"]) {
    if (!hook.is_object()) continue;
    SetDefault(hook, "failurePolicy", "Fail");
    SetDefault(hook, "matchPolicy", "Equivalent");
    SetDefault(hook, "namespaceSelector", Json::object());
    SetDefault(hook, "objectSelector", Json::object());
    SetDefault(hook, "timeoutSeconds", 10);
    if (mutating) SetDefault(hook, "reinvocationPolicy", "Never");
    if (hook.contains("rules") && hook["rules"].is_array())
      for (Json& rule : hook["rules"])
        if (rule.is_object()) SetDefault(rule, "scope", "*");
    if (hook.contains("clientConfig") && hook["clientConfig"].is_object()) {
      Json& cc = hook["clientConfig"];
      if (cc.contains("service") && cc["service"].is_object())
        SetDefault(cc["service"], "port", 443);
    }
  }
}

ResourceInfo WebhookEntry(const std::string& kind, const std::string& plural, bool mutating) {
  ResourceInfo r;
  r.group = "admissionregistration.k8s.io";
  r.version = "v1";
  r.kind = kind;
  r.plural = plural;
  r.singular = kind;
  for (char& c : r.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.namespaced = false;
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("admissionregistration", "v1", kind);
  r.fields = NoFields;
  r.columns = {
      Col("Webhooks", "integer",
          "Webhooks indicates the number of webhooks registered in this configuration."),
      AgeCol(),
  };
  r.cells = [](const Json& cfg, SystemTime now) -> std::vector<Json> {
    return {static_cast<int64_t>(Arr(cfg, {"webhooks"}).size()), AgeOf(cfg, now)};
  };
  StrategySpec s;
  s.defaults = [mutating](Json& cfg) { DefaultConfiguration(cfg, mutating); };
  s.validate = [mutating](Causes& out, const Json& cfg) {
    ValidateConfiguration(out, cfg, mutating);
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace

ResourceInfo MutatingWebhookConfigurations() {
  return WebhookEntry("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", true);
}

ResourceInfo ValidatingWebhookConfigurations() {
  return WebhookEntry("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false);
}

}  // namespace minik::res
