// Every built-in entry is complete and consistent: names, verbs, subresources, schemas,
// tables (one cell per column, for empty and odd objects), field selectors.
#include <cctype>
#include <set>

#include <gtest/gtest.h>

#include "api/resource.h"
#include "api/schema.h"

namespace minik {
namespace {

const ResourceRegistry& Builtins() {
  static const ResourceRegistry* r = [] {
    auto* reg = new ResourceRegistry();
    RegisterBuiltinResources(*reg);
    return reg;
  }();
  return *r;
}

const std::vector<std::string> kStandard = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

TEST(ResourcesRegistry, EveryEntryIsComplete) {
  const ResourceRegistry& reg = Builtins();
  ASSERT_EQ(reg.All().size(), 48u);
  std::set<std::string> short_names;
  for (const auto& info : reg.All()) {
    SCOPED_TRACE(info->GroupResource());
    EXPECT_FALSE(info->kind.empty());
    if (info->group == "autoscaling") {
      // v2 is served as itself, v1 is stored as v2.
      EXPECT_EQ(info->conversion != nullptr, info->version == "v1");
    } else {
      EXPECT_EQ(info->version, "v1");
    }
    ASSERT_FALSE(info->plural.empty());
    for (char c : info->plural) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)));
    for (char c : info->singular) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)));
    EXPECT_FALSE(info->singular.empty());
    ASSERT_NE(info->strategy, nullptr);
    EXPECT_FALSE(info->verbs.empty());
    EXPECT_TRUE(std::is_sorted(info->verbs.begin(), info->verbs.end()));
    for (const auto& s : info->short_names)
      EXPECT_TRUE(short_names.insert(s + "/" + info->group + "/" + info->version).second) << s;
    EXPECT_EQ(info->schema.rfind("io.k8s.api.", 0), 0u);
    EXPECT_EQ(info->schema.substr(info->schema.rfind('.') + 1), info->kind);
    std::vector<std::string> subs;
    for (const auto& s : info->subresources) {
      subs.push_back(s.name);
      EXPECT_FALSE(s.verbs.empty());
      EXPECT_FALSE(s.response.kind.empty());
    }
    EXPECT_TRUE(std::is_sorted(subs.begin(), subs.end()));
    EXPECT_EQ(reg.Find(info->Ref()), info.get());
    EXPECT_EQ(reg.FindByKind(info->Gvk()), info.get());
  }
  EXPECT_EQ(reg.Find({"apps", "v1", "nope"}), nullptr);
}

TEST(ResourcesRegistry, SchemasExist) {
  const ResourceRegistry& reg = Builtins();
  const SchemaRegistry& schemas = BuiltinSchemas();
  for (const auto& info : reg.All()) {
    const TypeSchema* t = schemas.Find(info->schema);
    ASSERT_NE(t, nullptr) << info->schema;
    ASSERT_TRUE(t->gvk.has_value()) << info->schema;
    EXPECT_EQ(*t->gvk, info->Gvk()) << info->schema;
  }
}

TEST(ResourcesRegistry, TablesHaveOneCellPerColumn) {
  const ResourceRegistry& reg = Builtins();
  SystemTime now{};
  ParseRfc3339("2026-01-01T00:10:00Z", &now);
  std::vector<Json> samples = {
      Json::object(),
      Json{{"metadata", {{"name", "x"}, {"creationTimestamp", "2026-01-01T00:00:00Z"}}}},
      // Wrong types everywhere must not throw.
      Json{{"metadata", 5}, {"spec", "x"}, {"status", Json::array({1, 2})}},
      Json{{"spec", {{"containers", "bad"}, {"ports", {1}}, {"rules", {{{"host", 5}}}}}},
           {"status", {{"conditions", {"x"}}, {"containerStatuses", {{{"state", 1}}}}}}},
  };
  for (const auto& info : reg.All()) {
    SCOPED_TRACE(info->GroupResource());
    ASSERT_TRUE(info->cells) << "no cells";
    std::set<std::string> names;
    for (const auto& c : info->columns) {
      EXPECT_TRUE(names.insert(c.name).second) << c.name;
      EXPECT_TRUE(c.type == "string" || c.type == "integer" || c.type == "boolean" ||
                  c.type == "date")
          << c.type;
      if (c.name != "Created At") {
        EXPECT_FALSE(c.description.empty()) << c.name;
      }
    }
    if (info->full_row) {
      EXPECT_TRUE(names.count("Name"));
    } else {
      EXPECT_FALSE(names.count("Name"));
    }
    for (const Json& sample : samples) {
      std::vector<Json> cells;
      ASSERT_NO_THROW(cells = info->cells(sample, now)) << sample.dump();
      EXPECT_EQ(cells.size(), info->columns.size()) << sample.dump();
    }
  }
}

TEST(ResourcesRegistry, StrategiesSurviveOddObjects) {
  const ResourceRegistry& reg = Builtins();
  std::vector<Json> samples = {
      Json::object(),
      Json{{"metadata", {{"name", "x"}, {"namespace", "d"}}}, {"spec", nullptr}},
      Json{{"metadata", {{"name", "x"}}}, {"spec", "x"}, {"status", 3}, {"data", {1, 2}}},
      Json{{"metadata", {{"name", "x"}}},
           {"spec",
            {{"template", "t"},
             {"containers", {1, "a", nullptr}},
             {"ports", {{{"port", "x"}}}},
             {"selector", {{"matchExpressions", {{{"key", 1}}}}}},
             {"rules", 5}}}},
  };
  for (const auto& info : reg.All()) {
    SCOPED_TRACE(info->GroupResource());
    for (const Json& sample : samples) {
      Json obj = sample;
      ASSERT_NO_THROW(info->strategy->PrepareForCreate(obj));
      ASSERT_NO_THROW(info->strategy->Default(obj));
      ASSERT_NO_THROW(info->strategy->Validate(obj));
      Json updated = sample;
      ASSERT_NO_THROW(info->strategy->PrepareForUpdate(updated, obj));
      ASSERT_NO_THROW(info->strategy->Default(updated));
      ASSERT_NO_THROW(info->strategy->ValidateUpdate(updated, obj));
      Json status = sample;
      ASSERT_NO_THROW(info->strategy->PrepareForStatusUpdate(status, obj));
    }
  }
}

TEST(ResourcesRegistry, DiscoveryFacts) {
  const ResourceRegistry& reg = Builtins();
  std::vector<std::string> groups;
  for (const auto& [g, versions] : reg.Groups()) {
    groups.push_back(g);
    // autoscaling serves v2 (preferred) and v1; every other group one version.
    std::vector<std::string> want = {versions.front()};
    if (g == "autoscaling") want = {"v2", "v1"};
    EXPECT_EQ(versions, want) << g;
  }
  EXPECT_EQ(groups, (std::vector<std::string>{
                        "", "apps", "events.k8s.io", "authentication.k8s.io",
                        "authorization.k8s.io", "autoscaling", "batch", "networking.k8s.io",
                        "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
                        "admissionregistration.k8s.io", "scheduling.k8s.io",
                        "coordination.k8s.io", "discovery.k8s.io"}));
  std::set<std::string> all;
  for (const auto& info : reg.All())
    if (std::find(info->categories.begin(), info->categories.end(), "all") != info->categories.end())
      all.insert(info->plural);
  EXPECT_EQ(all, (std::set<std::string>{"pods", "services", "replicationcontrollers",
                                        "deployments", "replicasets", "statefulsets", "daemonsets",
                                        "jobs", "cronjobs", "horizontalpodautoscalers"}));

  const ResourceInfo* pods = reg.Find({"", "v1", "pods"});
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->verbs, kStandard);
  EXPECT_EQ(pods->short_names, std::vector<std::string>{"po"});
  for (const char* s : {"attach", "binding", "ephemeralcontainers", "eviction", "exec", "log",
                        "portforward", "proxy", "status"})
    EXPECT_TRUE(pods->HasSubresource(s)) << s;
  EXPECT_FALSE(pods->HasSubresource("scale"));

  const ResourceInfo* ns = reg.Find({"", "v1", "namespaces"});
  EXPECT_FALSE(ns->HasVerb("deletecollection"));
  EXPECT_TRUE(ns->HasSubresource("finalize"));
  EXPECT_FALSE(ns->namespaced);
  EXPECT_EQ(ns->name_rule, NameRule::kDns1123Label);
  EXPECT_EQ(reg.Find({"", "v1", "services"})->name_rule, NameRule::kDns1035Label);
  EXPECT_EQ(reg.Find({"rbac.authorization.k8s.io", "v1", "roles"})->name_rule,
            NameRule::kPathSegment);
  EXPECT_EQ(reg.Find({"", "v1", "configmaps"})->name_rule, NameRule::kDns1123Subdomain);

  EXPECT_EQ(reg.Find({"", "v1", "bindings"})->verbs, std::vector<std::string>{"create"});
  for (const char* r : {"deployments", "replicasets", "statefulsets"}) {
    const ResourceInfo* info = reg.Find({"apps", "v1", r});
    ASSERT_NE(info, nullptr);
    ASSERT_TRUE(info->HasSubresource("scale")) << r;
    for (const auto& s : info->subresources)
      if (s.name == "scale") {
        EXPECT_EQ(s.response, (GroupVersionKind{"autoscaling", "v1", "Scale"}));
        EXPECT_EQ(s.verbs, (std::vector<std::string>{"get", "patch", "update"}));
      }
  }
  EXPECT_TRUE(reg.Find({"", "v1", "replicationcontrollers"})->HasSubresource("scale"));
  EXPECT_FALSE(reg.Find({"apps", "v1", "daemonsets"})->HasSubresource("scale"));
  const ResourceInfo* sa = reg.Find({"", "v1", "serviceaccounts"});
  ASSERT_TRUE(sa->HasSubresource("token"));
  EXPECT_EQ(sa->subresources[0].response,
            (GroupVersionKind{"authentication.k8s.io", "v1", "TokenRequest"}));
  EXPECT_EQ(reg.Find({"apps", "v1", "deployments"})->GroupResource(), "deployments.apps");
}

TEST(ResourcesRegistry, FieldSelectors) {
  const ResourceRegistry& reg = Builtins();
  struct Case {
    ResourceRef ref;
    std::vector<std::string> fields;
  };
  std::vector<Case> cases = {
      {{"", "v1", "pods"},
       {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"}},
      {{"", "v1", "events"},
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}},
      {{"", "v1", "secrets"}, {"type"}},
      {{"", "v1", "namespaces"}, {"status.phase"}},
      {{"", "v1", "nodes"}, {"spec.unschedulable"}},
      {{"apps", "v1", "replicasets"}, {"status.replicas"}},
      {{"", "v1", "replicationcontrollers"}, {"status.replicas"}},
      {{"batch", "v1", "jobs"}, {"status.successful"}},
  };
  for (const auto& c : cases) {
    const ResourceInfo* info = reg.Find(c.ref);
    ASSERT_NE(info, nullptr);
    ASSERT_TRUE(info->fields);
    for (const auto& f : c.fields) EXPECT_TRUE(info->fields(Json::object(), f).has_value()) << f;
    EXPECT_FALSE(info->fields(Json::object(), "spec.bogus").has_value());
  }
  const ResourceInfo* pods = reg.Find({"", "v1", "pods"});
  Json pod = {{"spec", {{"nodeName", "minik"}, {"hostNetwork", true}}},
              {"status", {{"phase", "Running"}, {"podIPs", {{{"ip", "10.244.0.5"}}}}}}};
  EXPECT_EQ(pods->fields(pod, "spec.nodeName"), "minik");
  EXPECT_EQ(pods->fields(pod, "spec.hostNetwork"), "true");
  EXPECT_EQ(pods->fields(Json::object(), "spec.hostNetwork"), "false");
  EXPECT_EQ(pods->fields(pod, "status.podIP"), "10.244.0.5");
  EXPECT_EQ(pods->fields(pod, "status.phase"), "Running");
  const ResourceInfo* events = reg.Find({"", "v1", "events"});
  Json ev = {{"involvedObject", {{"kind", "Pod"}, {"name", "web"}}},
             {"reportingComponent", "kubelet"}};
  EXPECT_EQ(events->fields(ev, "involvedObject.kind"), "Pod");
  EXPECT_EQ(events->fields(ev, "source"), "kubelet");
  const ResourceInfo* rs = reg.Find({"apps", "v1", "replicasets"});
  EXPECT_EQ(rs->fields(Json{{"status", {{"replicas", 3}}}}, "status.replicas"), "3");
  EXPECT_EQ(rs->fields(Json::object(), "status.replicas"), "0");
  const ResourceInfo* jobs = reg.Find({"batch", "v1", "jobs"});
  EXPECT_EQ(jobs->fields(Json{{"status", {{"succeeded", 2}}}}, "status.successful"), "2");
  const ResourceInfo* ev1 = reg.Find({"events.k8s.io", "v1", "events"});
  Json ev1obj = {{"regarding", {{"kind", "Node"}, {"name", "minik"}}}};
  EXPECT_EQ(ev1->fields(ev1obj, "regarding.kind"), "Node");
  // The core spelling is not an events.k8s.io/v1 field label (upstream's label conversion).
  EXPECT_EQ(ev1->fields(ev1obj, "involvedObject.name"), std::nullopt);
}

TEST(ResourcesRegistry, DefaultStatusUpdateKeepsSpecAndLabels) {
  Strategy plain;
  Json old = {{"metadata", {{"name", "a"}, {"labels", {{"x", "1"}}}, {"annotations", {{"a", "1"}}}}},
              {"spec", {{"replicas", 1}}},
              {"status", {{"replicas", 0}}}};
  Json obj = {{"metadata", {{"name", "a"}, {"labels", {{"x", "2"}}}, {"annotations", {{"a", "2"}}}}},
              {"spec", {{"replicas", 5}}},
              {"status", {{"replicas", 3}}}};
  plain.PrepareForStatusUpdate(obj, old);
  EXPECT_EQ(obj["spec"]["replicas"], 1);
  EXPECT_EQ(obj["status"]["replicas"], 3);
  EXPECT_EQ(obj["metadata"]["labels"]["x"], "1");
  EXPECT_EQ(obj["metadata"]["annotations"]["a"], "2");
}

}  // namespace
}  // namespace minik
