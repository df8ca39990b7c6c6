// BuildCustomResources: served versions, tables, scale, conversion, schemas as TypeSchemas.
#include <gtest/gtest.h>

#include "api/schema.h"
#include "apiextensions/crd_internal.h"
#include "apiextensions/crd_serving.h"

namespace minik {
namespace {

Json WidgetCrd() {
  return Json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
      "group": "example.com", "scope": "Namespaced",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList",
                "shortNames": ["wd"], "categories": ["all"]},
      "versions": [
        {"name": "v1beta1", "served": true, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object"}}},
        {"name": "v1", "served": true, "storage": true,
         "additionalPrinterColumns": [
           {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
           {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
           {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status", "priority": 1}],
         "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
         "schema": {"openAPIV3Schema": {"type": "object", "properties": {
           "spec": {"type": "object", "properties": {
             "size": {"type": "integer", "default": 3},
             "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
             "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                       "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer", "format": "int32"}}}},
             "labels": {"type": "object", "additionalProperties": {"type": "string"}},
             "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
             "port": {"x-kubernetes-int-or-string": true}}},
           "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}}},
        {"name": "v1alpha1", "served": false, "storage": false}
      ]}})");
}

TEST(CrdServing, ServedVersionsPreferredFirst) {
  auto serving = BuildCustomResources(WidgetCrd(), nullptr, false);
  ASSERT_TRUE(serving.ok()) << serving.status().message();
  ASSERT_EQ(serving->infos.size(), 2u);
  EXPECT_EQ(serving->storage_version, "v1");
  const ResourceInfo& v1 = serving->infos[0];
  EXPECT_EQ(v1.version, "v1");
  EXPECT_EQ(v1.kind, "Widget");
  EXPECT_EQ(v1.short_names, std::vector<std::string>{"wd"});
  EXPECT_EQ(v1.categories, std::vector<std::string>{"all"});
  EXPECT_TRUE(v1.namespaced);
  EXPECT_TRUE(v1.HasSubresource("status"));
  EXPECT_TRUE(v1.HasSubresource("scale"));
  ASSERT_TRUE(v1.scale_paths);
  EXPECT_EQ(v1.scale_paths->spec_replicas, ".spec.replicas");
  EXPECT_FALSE(v1.strategic_merge_patch);
  EXPECT_EQ(v1.conversion, nullptr);
  EXPECT_EQ(v1.schema, "com.example.v1.Widget");
  const ResourceInfo& beta = serving->infos[1];
  EXPECT_EQ(beta.version, "v1beta1");
  ASSERT_NE(beta.conversion, nullptr);
  EXPECT_EQ(beta.conversion->storage.version, "v1");
  Json stored = beta.conversion->to_storage(Json{{"apiVersion", "example.com/v1beta1"}, {"spec", 1}});
  EXPECT_EQ(stored["apiVersion"], "example.com/v1");
  EXPECT_EQ(stored["spec"], 1);
  EXPECT_EQ(beta.conversion->from_storage(stored)["apiVersion"], "example.com/v1beta1");
}

TEST(CrdServing, PrinterColumnsReplaceAge) {
  auto serving = BuildCustomResources(WidgetCrd(), nullptr, false);
  ASSERT_TRUE(serving.ok());
  const ResourceInfo& v1 = serving->infos[0];
  EXPECT_TRUE(v1.full_row);
  ASSERT_EQ(v1.columns.size(), 4u);
  EXPECT_EQ(v1.columns[0].name, "Name");
  EXPECT_EQ(v1.columns[0].format, "name");
  EXPECT_EQ(v1.columns[3].priority, 1);
  Json w = Json::parse(R"({"metadata": {"name": "w1"}, "spec": {"size": 2},
      "status": {"conditions": [{"type": "Other", "status": "False"}, {"type": "Ready", "status": "True"}]}})");
  std::vector<Json> cells = v1.cells(w, SystemTime{});
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0], "w1");
  EXPECT_EQ(cells[1], 2);
  EXPECT_TRUE(cells[2].is_null());  // no phase yet
  EXPECT_EQ(cells[3], "True");
  // No printer columns: the default Name and Age.
  const ResourceInfo& beta = serving->infos[1];
  EXPECT_FALSE(beta.full_row);
  EXPECT_TRUE(beta.columns.empty());
}

TEST(CrdServing, StrategyKeepsStatusAndCountsGenerations) {
  auto serving = BuildCustomResources(WidgetCrd(), nullptr, false);
  ASSERT_TRUE(serving.ok());
  const Strategy& s = *serving->infos[0].strategy;
  Json w = Json::parse(R"({"metadata": {"name": "w"}, "spec": {"size": 1}, "status": {"phase": "x"}})");
  s.PrepareForCreate(w);
  EXPECT_FALSE(w.contains("status"));
  EXPECT_EQ(w["metadata"]["generation"], 1);
  Json old = w;
  old["status"] = {{"phase", "Ready"}};
  Json next = old;
  next["status"] = {{"phase", "Hacked"}};
  next["metadata"]["labels"] = {{"a", "b"}};
  s.PrepareForUpdate(next, old);
  EXPECT_EQ(next["status"]["phase"], "Ready");
  EXPECT_EQ(next["metadata"]["generation"], 1);
  next["spec"]["size"] = 2;
  s.PrepareForUpdate(next, old);
  EXPECT_EQ(next["metadata"]["generation"], 2);
}

TEST(CrdServing, TerminatingRefusesCreate) {
  auto serving = BuildCustomResources(WidgetCrd(), nullptr, true);
  ASSERT_TRUE(serving.ok());
  Json w = Json::object();
  Status st = serving->infos[0].strategy->BeforeCreate(w);
  EXPECT_EQ(st.code(), Code::kMethodNotAllowed);
  EXPECT_NE(st.message().find("terminating"), std::string::npos);
}

TEST(CrdServing, SchemasBecomeTypes) {
  auto serving = BuildCustomResources(WidgetCrd(), nullptr, false);
  ASSERT_TRUE(serving.ok());
  SchemaRegistry schemas(BuiltinSchemas());
  schemas.SetDynamic("widgets.example.com", serving->types);
  const TypeSchema* root = schemas.FindByGvk({"example.com", "v1", "Widget"});
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->name, "com.example.v1.Widget");
  ASSERT_NE(root->Field("metadata"), nullptr);
  const FieldSchema* spec = root->Field("spec");
  ASSERT_NE(spec, nullptr);
  const TypeSchema* spec_type = schemas.Find(spec->ref);
  ASSERT_NE(spec_type, nullptr);
  EXPECT_EQ(spec_type->Field("size")->type, ValueType::kInt64);
  EXPECT_EQ(spec_type->Field("size")->default_value, Json(3));
  EXPECT_EQ(spec_type->Field("tags")->list_type, ListType::kSet);
  EXPECT_EQ(spec_type->Field("ports")->list_map_keys, std::vector<std::string>{"name"});
  EXPECT_EQ(spec_type->Field("labels")->container, Container::kMap);
  EXPECT_EQ(spec_type->Field("extra")->type, ValueType::kAny);
  EXPECT_EQ(spec_type->Field("port")->type, ValueType::kIntOrString);

  Json w = Json::parse(R"({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
      "spec": {"size": 1, "bogus": 1, "extra": {"anything": 1}, "ports": [{"name": "a", "nope": 2}]}})");
  EXPECT_EQ(UnknownFields(schemas, *root, w),
            (std::vector<std::string>{"spec.bogus", "spec.ports[0].nope"}));
  Json d = Json::parse(R"({"spec": {}})");
  ApplySchemaDefaults(schemas, *root, d);
  EXPECT_EQ(d["spec"]["size"], 3);

  schemas.SetDynamic("widgets.example.com", {});
  EXPECT_EQ(schemas.FindByGvk({"example.com", "v1", "Widget"}), nullptr);
  EXPECT_EQ(root->name, "com.example.v1.Widget");  // retired, still readable
}

TEST(CrdServing, BadCrdsAreErrors) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"] = Json::array({Json{{"name", "v1"}, {"served", true}, {"storage", false}}});
  EXPECT_FALSE(BuildCustomResources(crd, nullptr, false).ok());
  crd = WidgetCrd();
  crd["spec"].erase("names");
  EXPECT_FALSE(BuildCustomResources(crd, nullptr, false).ok());
}

TEST(CrdServing, KubeAwareVersionOrder) {
  std::vector<std::string> v = {"foo1", "v1alpha1", "v11alpha2", "v1", "v2beta1", "v10", "v12alpha1", "v1beta1", "v2", "foo10"};
  std::sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
    return CompareKubeAwareVersions(a, b) < 0;
  });
  EXPECT_EQ(v, (std::vector<std::string>{"v10", "v2", "v1", "v2beta1", "v1beta1", "v12alpha1",
                                         "v11alpha2", "v1alpha1", "foo1", "foo10"}));
}

TEST(CrdServing, SimpleJsonPath) {
  Json o = Json::parse(R"({"a": {"b": [10, 20, {"c": "x"}], "d.e": 1}, "l": [{"k": "q", "v": 1}, {"k": "r", "v": 2}]})");
  EXPECT_EQ(EvaluateSimpleJsonPath(o, ".a.b[1]"), 20);
  EXPECT_EQ(EvaluateSimpleJsonPath(o, ".a.b[-1].c"), "x");
  EXPECT_EQ(EvaluateSimpleJsonPath(o, ".a['d.e']"), 1);
  EXPECT_EQ(EvaluateSimpleJsonPath(o, "{.l[?(@.k=='r')].v}"), 2);
  EXPECT_EQ(EvaluateSimpleJsonPath(o, ".l[*].k"), "q");
  for (const char* bad : {".a.b[9]", ".a.nope", ".a.b[x]", ".a.b[", ".l[?(@.k)]", "..", ".a.b.c"}) {
    EXPECT_TRUE(EvaluateSimpleJsonPath(o, bad).is_null()) << bad;
  }
}

TEST(CrdServing, TypeNames) {
  EXPECT_EQ(CustomResourceTypeName("example.com", "v1", "Widget"), "com.example.v1.Widget");
  EXPECT_EQ(CustomResourceTypeName("a.b.io", "v2", "K"), "io.b.a.v2.K");
}

}  // namespace
}  // namespace minik
