#include "apiserver/discovery.h"

#include "api/json.h"

namespace minik {
namespace {

constexpr const char* kJson = "application/json";

Json GroupVersionKindJson(const GroupVersionKind& gvk) {
  return Json{{"group", gvk.group}, {"version", gvk.version}, {"kind", gvk.kind}};
}

Json StringArray(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

// A subresource's kind; the parent's kind when the entry names none.
GroupVersionKind SubresourceKind(const ResourceInfo& info, const SubresourceInfo& sub) {
  return sub.response.kind.empty() ? info.Gvk() : sub.response;
}

// apidiscovery.k8s.io APIResourceDiscovery.
Json AggregatedResource(const ResourceInfo& info) {
  Json r{{"resource", info.plural},
         {"responseKind", GroupVersionKindJson(info.Gvk())},
         {"scope", info.namespaced ? "Namespaced" : "Cluster"},
         {"singularResource", info.singular},
         {"verbs", StringArray(info.verbs)}};
  if (!info.short_names.empty()) r["shortNames"] = StringArray(info.short_names);
  if (!info.categories.empty()) r["categories"] = StringArray(info.categories);
  if (!info.subresources.empty()) {
    Json subs = Json::array();
    for (const auto& sub : info.subresources) {
      subs.push_back(Json{{"subresource", sub.name},
                          {"responseKind", GroupVersionKindJson(SubresourceKind(info, sub))},
                          {"verbs", StringArray(sub.verbs)}});
    }
    r["subresources"] = std::move(subs);
  }
  return r;
}

// meta/v1 APIResource entries of a resource and its subresources.
void AppendLegacyResources(const ResourceInfo& info, Json& out) {
  Json r{{"name", info.plural},
         {"singularName", info.singular},
         {"namespaced", info.namespaced},
         {"kind", info.kind},
         {"verbs", StringArray(info.verbs)}};
  if (!info.short_names.empty()) r["shortNames"] = StringArray(info.short_names);
  if (!info.categories.empty()) r["categories"] = StringArray(info.categories);
  out.push_back(std::move(r));
  for (const auto& sub : info.subresources) {
    GroupVersionKind gvk = SubresourceKind(info, sub);
    Json s{{"name", info.plural + "/" + sub.name},
           {"singularName", ""},
           {"namespaced", info.namespaced},
           {"kind", gvk.kind},
           {"verbs", StringArray(sub.verbs)}};
    // The group and version are given only when they differ from the list's.
    if (gvk.group != info.group || gvk.version != info.version) {
      s["group"] = gvk.group;
      s["version"] = gvk.version;
    }
    out.push_back(std::move(s));
  }
}

Json GroupVersionEntry(const std::string& group, const std::string& version) {
  return Json{{"groupVersion", group.empty() ? version : group + "/" + version},
              {"version", version}};
}

Json ApiGroupJson(const std::string& group, const std::vector<std::string>& versions) {
  Json vs = Json::array();
  for (const auto& v : versions) vs.push_back(GroupVersionEntry(group, v));
  Json g{{"name", group}, {"versions", vs}};
  if (!versions.empty()) g["preferredVersion"] = GroupVersionEntry(group, versions.front());
  return g;
}

std::string AggregatedContentType(const std::string& version) {
  return "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList";
}

}  // namespace

std::string VersionJson() {
#if defined(__x86_64__)
  const char* arch = "amd64";
#elif defined(__aarch64__)
  const char* arch = "arm64";
#else
  const char* arch = "unknown";
#endif
  Json v{{"major", "1"},
         {"minor", "32"},
         {"gitVersion", "v1.32.0-minik"},
         {"gitCommit", ""},
         {"gitTreeState", "clean"},
         {"buildDate", "2024-12-11T00:00:00Z"},
         {"goVersion", ""},
         {"compiler", "minik"},
         {"platform", std::string("linux/") + arch}};
  return v.dump();
}

Discovery::Discovery(const ResourceRegistry& resources, const std::string& external_address) {
  auto groups = resources.Groups();

  // Per group version: aggregated and legacy resource entries.
  std::map<std::string, Json> aggregated_resources, legacy_resources;  // by "group/version"
  for (const auto& info : resources.All()) {
    std::string gv = info->group + "/" + info->version;
    if (!aggregated_resources.count(gv)) {
      aggregated_resources[gv] = Json::array();
      legacy_resources[gv] = Json::array();
    }
    aggregated_resources[gv].push_back(AggregatedResource(*info));
    AppendLegacyResources(*info, legacy_resources[gv]);
  }

  Json core_items = Json::array(), group_items = Json::array();
  Json legacy_groups = Json::array();
  std::vector<std::string> core_versions;
  for (const auto& [group, versions] : groups) {
    Json versions_json = Json::array();
    for (const auto& version : versions) {
      std::string gv = group + "/" + version;
      versions_json.push_back(Json{{"version", version},
                                   {"resources", aggregated_resources.count(gv)
                                                     ? aggregated_resources[gv]
                                                     : Json::array()},
                                   {"freshness", "Current"}});
      Json list{{"kind", "APIResourceList"},
                {"apiVersion", "v1"},
                {"groupVersion", group.empty() ? version : gv},
                {"resources",
                 legacy_resources.count(gv) ? legacy_resources[gv] : Json::array()}};
      resource_lists_[gv] = {kJson, list.dump()};
    }
    Json item{{"metadata", Json{{"name", group}}}, {"versions", versions_json}};
    if (group.empty()) {
      core_versions = versions;
      core_items.push_back(std::move(item));
    } else {
      group_items.push_back(std::move(item));
      Json g = ApiGroupJson(group, versions);
      legacy_groups.push_back(g);
      g["kind"] = "APIGroup";
      g["apiVersion"] = "v1";
      groups_[group] = {kJson, g.dump()};
    }
  }

  for (const char* v : {"v2", "v2beta1"}) {
    std::string api_version = std::string("apidiscovery.k8s.io/") + v;
    Json api{{"kind", "APIGroupDiscoveryList"},
             {"apiVersion", api_version},
             {"metadata", Json::object()},
             {"items", core_items}};
    Json apis{{"kind", "APIGroupDiscoveryList"},
              {"apiVersion", api_version},
              {"metadata", Json::object()},
              {"items", group_items}};
    api_aggregated_[v] = {AggregatedContentType(v), api.dump()};
    apis_aggregated_[v] = {AggregatedContentType(v), apis.dump()};
  }

  Json api_versions{{"kind", "APIVersions"},
                    {"versions", StringArray(core_versions)},
                    {"serverAddressByClientCIDRs",
                     Json::array({Json{{"clientCIDR", "0.0.0.0/0"},
                                       {"serverAddress", external_address}}})}};
  api_legacy_ = {kJson, api_versions.dump()};
  Json group_list{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", legacy_groups}};
  apis_legacy_ = {kJson, group_list.dump()};
  version_ = {kJson, VersionJson()};
}

const DiscoveryDocument& Discovery::Root(const std::string& path,
                                         const std::string& aggregated) const {
  bool core = path == "/api";
  if (!aggregated.empty()) {
    const auto& docs = core ? api_aggregated_ : apis_aggregated_;
    auto it = docs.find(aggregated);
    if (it != docs.end()) return it->second;
  }
  return core ? api_legacy_ : apis_legacy_;
}

std::optional<DiscoveryDocument> Discovery::Group(const std::string& group) const {
  auto it = groups_.find(group);
  if (it == groups_.end()) return std::nullopt;
  return it->second;
}

std::optional<DiscoveryDocument> Discovery::ResourceList(const std::string& group,
                                                         const std::string& version) const {
  auto it = resource_lists_.find(group + "/" + version);
  if (it == resource_lists_.end()) return std::nullopt;
  return it->second;
}

}  // namespace minik
