#include "apiserver/impersonation.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace minik {
namespace {

constexpr std::string_view kExtraPrefix = "impersonate-extra-";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// Repeated header lines reach us joined with ", " (RFC 9110 list syntax).
std::vector<std::string> Values(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    std::string v = Trim(std::string_view(joined).substr(start, comma - start));
    if (!v.empty()) out.push_back(std::move(v));
    start = comma + 1;
  }
  return out;
}

struct Target {
  std::string group, resource, subresource, ns, name;
};

}  // namespace

StatusOr<std::optional<UserInfo>> Impersonate(const HttpRequest& request,
                                              const UserInfo& requester,
                                              const Authorizer& authorizer) {
  std::string user_name = request.Header("Impersonate-User");
  std::vector<std::string> groups = Values(request.Header("Impersonate-Group"));
  std::string uid = request.Header("Impersonate-Uid");
  std::map<std::string, std::vector<std::string>> extra;
  for (const auto& [name, value] : request.headers) {
    std::string lower = Lower(name);
    if (lower.rfind(kExtraPrefix, 0) != 0) continue;
    // url.PathUnescape of the key ("Impersonate-Extra-Scopes%2Fa" -> "scopes/a"); a bad
    // escape leaves the key as sent.
    std::string key = lower.substr(kExtraPrefix.size()), unescaped;
    if (PercentDecode(key, /*plus_as_space=*/false, unescaped)) key = std::move(unescaped);
    extra[key] = Values(value);
  }
  if (user_name.empty()) {
    if (groups.empty() && uid.empty() && extra.empty()) return std::optional<UserInfo>();
    return Internal("requested impersonation of groups, a uid or extras without impersonating a "
                    "user");
  }

  // What to authorize, in upstream's order: the user (or service account), groups, extras,
  // the uid.
  std::vector<Target> targets;
  UserInfo acting;
  constexpr std::string_view kSaPrefix = "system:serviceaccount:";
  bool service_account = false;
  if (user_name.rfind(kSaPrefix, 0) == 0) {
    std::string rest = user_name.substr(kSaPrefix.size());
    size_t colon = rest.find(':');
    if (colon != std::string::npos && colon > 0 && colon + 1 < rest.size() &&
        rest.find(':', colon + 1) == std::string::npos) {
      service_account = true;
      std::string ns = rest.substr(0, colon);
      targets.push_back({"", "serviceaccounts", "", ns, rest.substr(colon + 1)});
      if (groups.empty()) acting.groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns};
    }
  }
  if (!service_account) targets.push_back({"", "users", "", "", user_name});
  acting.name = user_name;
  for (const std::string& g : groups) {
    targets.push_back({"", "groups", "", "", g});
    acting.groups.push_back(g);
  }
  for (const auto& [key, values] : extra) {
    for (const std::string& v : values)
      targets.push_back({"authentication.k8s.io", "userextras", key, "", v});
  }
  acting.extra = extra;
  if (!uid.empty()) {
    targets.push_back({"authentication.k8s.io", "uids", "", "", uid});
    acting.uid = uid;
  }

  for (const Target& t : targets) {
    AuthzAttributes attrs;
    attrs.user = &requester;
    attrs.resource_request = true;
    attrs.verb = "impersonate";
    attrs.api_group = t.group;
    attrs.api_version = "v1";
    attrs.resource = t.resource;
    attrs.subresource = t.subresource;
    attrs.ns = t.ns;
    attrs.name = t.name;
    AuthzDecision decision = authorizer.Authorize(attrs);
    if (!decision.allowed) return ForbiddenStatus(attrs, decision.reason);
  }

  auto has = [&](const char* g) {
    return std::find(acting.groups.begin(), acting.groups.end(), g) != acting.groups.end();
  };
  if (user_name != "system:anonymous") {
    if (!has("system:authenticated") && !has("system:unauthenticated"))
      acting.groups.push_back("system:authenticated");
  } else if (!has("system:unauthenticated")) {
    acting.groups.push_back("system:unauthenticated");
  }
  return std::optional<UserInfo>(std::move(acting));
}

}  // namespace minik
