#include <gtest/gtest.h>

#include <chrono>

#include "api/patch.h"

namespace minik {
namespace {

Json J(const char* s) { return Json::parse(s); }

FieldSchema F(std::string name, ValueType type, std::string ref = "",
              Container container = Container::kNone, std::string strategy = "",
              std::string merge_key = "") {
  FieldSchema f;
  f.name = std::move(name);
  f.type = type;
  f.ref = std::move(ref);
  f.container = container;
  f.patch_strategy = std::move(strategy);
  f.merge_key = std::move(merge_key);
  return f;
}

// Upstream's test types (MergeItem, RetainKeysMergeItem in patch_test.go).
SchemaRegistry MergeItemSchemas() {
  SchemaRegistry r;
  TypeSchema item;
  item.name = "mergeItem";
  item.fields = {
      F("name", ValueType::kString),
      F("value", ValueType::kString),
      F("other", ValueType::kString),
      F("mergingList", ValueType::kObject, "mergeItem", Container::kList, "merge", "name"),
      F("nonMergingList", ValueType::kObject, "mergeItem", Container::kList),
      F("mergingIntList", ValueType::kInt32, "", Container::kList, "merge"),
      F("nonMergingIntList", ValueType::kInt32, "", Container::kList),
      F("mergeItemPtr", ValueType::kObject, "mergeItem", Container::kNone, "merge", "name"),
      F("simpleMap", ValueType::kString, "", Container::kMap),
      F("replacingItem", ValueType::kRawExtension, "", Container::kNone, "replace"),
      F("retainKeysMap", ValueType::kObject, "retainKeysMergeItem", Container::kNone, "retainKeys"),
      F("retainKeysMergingList", ValueType::kObject, "mergeItem", Container::kList,
        "merge,retainKeys", "name"),
  };
  r.Add(item);
  TypeSchema retain;
  retain.name = "retainKeysMergeItem";
  retain.fields = {
      F("name", ValueType::kString),
      F("value", ValueType::kString),
      F("other", ValueType::kString),
      F("simpleMap", ValueType::kString, "", Container::kMap),
      F("mergingIntList", ValueType::kInt32, "", Container::kList, "merge"),
      F("mergingList", ValueType::kObject, "mergeItem", Container::kList, "merge", "name"),
      F("nonMergingList", ValueType::kObject, "mergeItem", Container::kList),
  };
  r.Add(retain);
  return r;
}

const TypeSchema* Type(const SchemaRegistry& r, const std::string& name) {
  auto it = r.types().find(name);
  return it == r.types().end() ? nullptr : &it->second;
}

// Order-insensitive form for upstream's "sorted" cases: merging lists sorted as upstream's
// sortMergeListsByName does (by the %v text of the merge key, or of the value).
std::string SortKey(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void SortMergeLists(const SchemaRegistry& r, const TypeSchema* t, Json& v) {
  if (!v.is_object() || t == nullptr) return;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const FieldSchema* f = nullptr;
    for (const auto& fs : t->fields) {
      if (fs.name == it.key()) f = &fs;
    }
    if (f == nullptr) continue;
    const TypeSchema* elem = f->type == ValueType::kObject ? Type(r, f->ref) : nullptr;
    if (f->container == Container::kList && it->is_array()) {
      if (f->patch_strategy.find("merge") == std::string::npos) continue;
      for (Json& e : *it) SortMergeLists(r, elem, e);
      std::stable_sort(it->begin(), it->end(), [&](const Json& a, const Json& b) {
        if (!f->merge_key.empty() && a.is_object() && b.is_object()) {
          return SortKey(a.value(f->merge_key, Json())) < SortKey(b.value(f->merge_key, Json()));
        }
        return SortKey(a) < SortKey(b);
      });
    } else if (f->container == Container::kNone) {
      SortMergeLists(r, elem, *it);
    }
  }
}

struct UpstreamCase {
  const char* name;
  const char* original;
  const char* patch;
  const char* result;
  const char* error;
  bool order_insensitive;
};

const UpstreamCase kUpstreamCases[] = {
#include "tests/api/strategic_patch_upstream_cases.inc"
};

TEST(StrategicPatchTest, UpstreamCases) {
  SchemaRegistry schemas = MergeItemSchemas();
  const TypeSchema* item = Type(schemas, "mergeItem");
  int ran = 0;
  for (const auto& c : kUpstreamCases) {
    SCOPED_TRACE(c.name);
    Json original = J(c.original);
    if (original.is_null()) original = Json::object();
    auto r = ApplyStrategicMergePatch(schemas, item, original, J(c.patch));
    ++ran;
    if (c.error[0] != '\0') {
      ASSERT_FALSE(r.ok()) << r->dump();
      EXPECT_NE(r.status().message().find(c.error), std::string::npos) << r.status().message();
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().message() << "\npatch: " << c.patch;
    Json got = *r;
    Json want = J(c.result);
    if (c.order_insensitive) {
      SortMergeLists(schemas, item, got);
      SortMergeLists(schemas, item, want);
    }
    EXPECT_EQ(got, want) << "original: " << c.original << "\npatch: " << c.patch;
  }
  EXPECT_GT(ran, 200);
}

// Deployment fragment with the struct tags kubectl uses (apps/v1, core/v1, meta/v1).
SchemaRegistry DeploymentSchemas() {
  SchemaRegistry r;
  auto add = [&](std::string name, std::vector<FieldSchema> fields) {
    TypeSchema t;
    t.name = std::move(name);
    t.fields = std::move(fields);
    r.Add(std::move(t));
  };
  add("Deployment", {F("metadata", ValueType::kObject, "ObjectMeta"),
                     F("spec", ValueType::kObject, "DeploymentSpec")});
  add("ObjectMeta",
      {F("name", ValueType::kString), F("labels", ValueType::kString, "", Container::kMap),
       F("annotations", ValueType::kString, "", Container::kMap),
       F("finalizers", ValueType::kString, "", Container::kList, "merge"),
       F("ownerReferences", ValueType::kObject, "OwnerReference", Container::kList, "merge", "uid")});
  add("OwnerReference", {F("uid", ValueType::kString), F("name", ValueType::kString)});
  add("DeploymentSpec", {F("replicas", ValueType::kInt32),
                         F("strategy", ValueType::kObject, "DeploymentStrategy", Container::kNone,
                           "retainKeys"),
                         F("template", ValueType::kObject, "PodTemplateSpec")});
  add("DeploymentStrategy", {F("type", ValueType::kString),
                             F("rollingUpdate", ValueType::kObject, "RollingUpdateDeployment")});
  add("RollingUpdateDeployment",
      {F("maxSurge", ValueType::kIntOrString), F("maxUnavailable", ValueType::kIntOrString)});
  add("PodTemplateSpec", {F("metadata", ValueType::kObject, "ObjectMeta"),
                          F("spec", ValueType::kObject, "PodSpec")});
  add("PodSpec",
      {F("containers", ValueType::kObject, "Container", Container::kList, "merge", "name"),
       F("volumes", ValueType::kObject, "Volume", Container::kList, "merge,retainKeys", "name"),
       F("tolerations", ValueType::kObject, "Toleration", Container::kList),
       F("nodeSelector", ValueType::kString, "", Container::kMap)});
  add("Container", {F("name", ValueType::kString), F("image", ValueType::kString),
                    F("args", ValueType::kString, "", Container::kList),
                    F("env", ValueType::kObject, "EnvVar", Container::kList, "merge", "name"),
                    F("ports", ValueType::kObject, "ContainerPort", Container::kList, "merge",
                      "containerPort")});
  add("EnvVar", {F("name", ValueType::kString), F("value", ValueType::kString)});
  add("ContainerPort", {F("containerPort", ValueType::kInt32), F("protocol", ValueType::kString)});
  add("Volume", {F("name", ValueType::kString),
                 F("configMap", ValueType::kObject, "ConfigMapVolumeSource"),
                 F("emptyDir", ValueType::kObject, "EmptyDirVolumeSource")});
  add("ConfigMapVolumeSource", {F("name", ValueType::kString)});
  add("EmptyDirVolumeSource", {F("medium", ValueType::kString)});
  add("Toleration", {F("key", ValueType::kString)});
  return r;
}

// The body kubectl 1.32 sent for `apply` of a changed Deployment (kubectl-wire.md §4).
TEST(StrategicPatchTest, ObservedKubectlApplyBody) {
  SchemaRegistry schemas = DeploymentSchemas();
  Json live = J(R"({
    "metadata":{"name":"web","finalizers":["example.com/a","example.com/b"],
                "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old","keep":"me"}},
    "spec":{"replicas":2,
      "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
      "template":{"spec":{
        "containers":[{"name":"a","image":"nginx","args":["p"]},{"name":"side","image":"busybox"},
                      {"name":"b","image":"redis"}],
        "volumes":[{"name":"v1","emptyDir":{}}]}}}})");
  Json patch = J(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/b"],
      "$setElementOrder/finalizers":["example.com/a"],
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},
    "spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},
      "template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],
        "$setElementOrder/volumes":[{"name":"v1"}],
        "containers":[{"args":["q"],"name":"a"},{"$patch":"delete","name":"side"}],
        "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"emptyDir":null,"name":"v1"}]}}}})");
  auto r = ApplyStrategicMergePatch(schemas, Type(schemas, "Deployment"), live, patch);
  ASSERT_TRUE(r.ok()) << r.status().message();
  Json want = J(R"({
    "metadata":{"name":"web","finalizers":["example.com/a"],
                "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new","keep":"me"}},
    "spec":{"replicas":2,"strategy":{"type":"Recreate"},
      "template":{"spec":{
        "containers":[{"name":"b","image":"redis"},{"name":"a","image":"nginx","args":["q"]}],
        "volumes":[{"name":"v1","configMap":{"name":"cm"}}]}}}})");
  EXPECT_EQ(*r, want) << r->dump(2);
}

TEST(StrategicPatchTest, KubectlCommandShapes) {
  SchemaRegistry schemas = DeploymentSchemas();
  const TypeSchema* dep = Type(schemas, "Deployment");
  Json live = J(R"({"metadata":{"name":"web"},"spec":{"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"v1","env":[{"name":"A","value":"1"}],
                             "ports":[{"containerPort":80}]}],
              "tolerations":[{"key":"a"},{"key":"b"}]}}}})");
  // rollout restart
  auto r = ApplyStrategicMergePatch(schemas, dep, live, J(R"({"spec":{"template":{"metadata":
      {"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["template"]["metadata"],
            J(R"({"labels":{"app":"web"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}})"));
  // set image / set env: merge by name, untouched fields kept.
  r = ApplyStrategicMergePatch(schemas, dep, live, J(R"({"spec":{"template":{"spec":{"containers":
      [{"name":"c","image":"v2","env":[{"name":"B","value":"2"}],"ports":[{"containerPort":443}]}]}}}})"));
  ASSERT_TRUE(r.ok());
  Json c = (*r)["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "v2");
  // Upstream puts items new to a merging list before the live ones (unless the patch carries
  // $setElementOrder, as kubectl apply's patches do).
  EXPECT_EQ(c["env"], J(R"([{"name":"B","value":"2"},{"name":"A","value":"1"}])"));
  EXPECT_EQ(c["ports"], J(R"([{"containerPort":443},{"containerPort":80}])"));
  r = ApplyStrategicMergePatch(schemas, dep, live, J(R"({"spec":{"template":{"spec":{"containers":
      [{"name":"c","$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"2"}]}]}}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["template"]["spec"]["containers"][0]["env"],
            J(R"([{"name":"A","value":"1"},{"name":"B","value":"2"}])"));
  // Atomic lists are replaced.
  r = ApplyStrategicMergePatch(schemas, dep, live,
                               J(R"({"spec":{"template":{"spec":{"tolerations":[{"key":"z"}]}}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["template"]["spec"]["tolerations"], J(R"([{"key":"z"}])"));
  // A new container keeps no nulls or directives.
  r = ApplyStrategicMergePatch(schemas, dep, live, J(R"({"spec":{"template":{"spec":{"containers":
      [{"name":"n","image":null,"$setElementOrder/env":[{"name":"X"}],"env":[{"name":"X","value":null}]}]}}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["template"]["spec"]["containers"][0], J(R"({"name":"n","env":[{"name":"X"}]})"));
  // A replace directive in a list replaces it wholesale; in a map, the map.
  r = ApplyStrategicMergePatch(schemas, dep, live, J(R"({"spec":{"template":{"spec":{"containers":
      [{"$patch":"replace"},{"name":"only","image":"x","bogus":null}]}}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["template"]["spec"]["containers"], J(R"([{"name":"only","image":"x"}])"));
  r = ApplyStrategicMergePatch(schemas, dep, live, J(R"({"spec":{"template":{"metadata":
      {"labels":{"$patch":"replace","tier":"fe"}}}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["template"]["metadata"]["labels"], J(R"({"tier":"fe"})"));
  // $patch: merge in a map is the default.
  r = ApplyStrategicMergePatch(schemas, dep, live, J(R"({"metadata":{"$patch":"merge","labels":{"x":"y"}}})"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["metadata"], J(R"({"name":"web","labels":{"x":"y"}})"));
  // Null patch and empty patch change nothing.
  EXPECT_EQ(*ApplyStrategicMergePatch(schemas, dep, live, Json()), live);
  EXPECT_EQ(*ApplyStrategicMergePatch(schemas, dep, live, Json::object()), live);
}

TEST(StrategicPatchTest, UnknownTypeBehavesLikeMergePatch) {
  SchemaRegistry schemas;
  Json doc = J(R"({"spec":{"items":[{"name":"a"}],"m":{"x":1,"y":2}},"keep":true})");
  auto r = ApplyStrategicMergePatch(schemas, nullptr, doc,
                                    J(R"({"spec":{"items":[{"name":"b"}],"m":{"x":null,"z":3}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, J(R"({"spec":{"items":[{"name":"b"}],"m":{"y":2,"z":3}},"keep":true})"));
  // A field missing from a known type is treated the same way.
  SchemaRegistry known = DeploymentSchemas();
  r = ApplyStrategicMergePatch(known, Type(known, "Deployment"), doc,
                               J(R"({"spec":{"items":[{"name":"b"}]}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["spec"]["items"], J(R"([{"name":"b"}])"));
}

TEST(StrategicPatchTest, MapOfObjectsRecursesWithElementType) {
  SchemaRegistry r;
  TypeSchema holder;
  holder.name = "Holder";
  holder.fields = {F("things", ValueType::kObject, "Thing", Container::kMap)};
  r.Add(holder);
  TypeSchema thing;
  thing.name = "Thing";
  thing.fields = {F("items", ValueType::kObject, "Item", Container::kList, "merge", "id")};
  r.Add(thing);
  TypeSchema item;
  item.name = "Item";
  item.fields = {F("id", ValueType::kString), F("v", ValueType::kInt32)};
  r.Add(item);
  Json doc = J(R"({"things":{"a":{"items":[{"id":"1","v":1}]}}})");
  auto out = ApplyStrategicMergePatch(r, Type(r, "Holder"), doc,
                                      J(R"({"things":{"a":{"items":[{"id":"2","v":2}]},"b":{}}})"));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, J(R"({"things":{"a":{"items":[{"id":"2","v":2},{"id":"1","v":1}]},"b":{}}})"));
}

std::string PatchError(const char* doc, const char* patch, Code want = Code::kBadRequest) {
  static const SchemaRegistry schemas = MergeItemSchemas();
  auto r = ApplyStrategicMergePatch(schemas, Type(schemas, "mergeItem"), J(doc), J(patch));
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.status().code(), want) << patch << ": " << r.status().message();
  return r.status().message();
}

TEST(StrategicPatchTest, ErrorsWordedLikeUpstream) {
  EXPECT_EQ(PatchError("{}", "[1]"),
            "json: cannot unmarshal array into Go value of type map[string]interface {}");
  EXPECT_EQ(PatchError("{}", "\"x\""),
            "json: cannot unmarshal string into Go value of type map[string]interface {}");
  EXPECT_EQ(PatchError("{}", R"({"$patch":"frob","a":1})"),
            "unknown patch type: frob in map: map[$patch:frob a:1]");
  EXPECT_EQ(PatchError(R"({"retainKeysMap":{"name":"a"}})",
                       R"({"retainKeysMap":{"$retainKeys":"name"}})"),
            "invalid patch format of retainKeys");
  EXPECT_EQ(PatchError(R"({"retainKeysMap":{"name":"a"}})",
                       R"({"retainKeysMap":{"$retainKeys":["name"],"value":"x"}})"),
            "invalid patch format of retainKeys");
  EXPECT_EQ(PatchError("{}", R"({"$setElementOrderX/a":[]})"),
            "invalid patch format of setElementOrder list");
  EXPECT_EQ(PatchError("{}", R"({"$setElementOrder/mergingList":"x"})"),
            "expected a []interface {}, but received a string");
  EXPECT_EQ(PatchError("{}", R"({"$deleteFromPrimitiveListX":[1]})"),
            "invalid patch format of primitive list");
  EXPECT_EQ(PatchError(R"({"mergingList":[{"name":"a"}]})",
                       R"({"mergingList":[{"$patch":"merge","name":"a"}]})"),
            "merging lists cannot yet be specified in the patch");
  EXPECT_EQ(PatchError(R"({"mergingList":[{"name":"a"}]})",
                       R"({"mergingList":[{"$patch":"oops","name":"a"}]})"),
            "unknown patch type: oops in map: map[$patch:oops name:a]");
  EXPECT_EQ(PatchError(R"({"mergingList":[{"name":"a"}]})", R"({"mergingList":[{"$patch":"delete"}]})"),
            "map: map[$patch:delete] does not contain declared merge key: name");
  EXPECT_EQ(PatchError(R"({"mergingList":[{"name":"a"}]})", R"({"mergingList":["x"]})"),
            "list element types are not identical: [[map[name:a]] [x]]");
  EXPECT_EQ(PatchError(R"({"mergingIntList":[[1]]})", R"({"mergingIntList":[[2]]})", Code::kInvalid),
            "the server rejected our request due to an error in our request");
  EXPECT_EQ(PatchError(R"({"mergingList":[{"name":"a"}]})",
                       R"({"$setElementOrder/mergingList":[{"name":"b"}],"mergingList":[{"name":"a"}]})"),
            "The order in patch list:\n[map[name:a]]\n doesn't match $setElementOrder list:\n"
            "[map[name:b]]\n");
  EXPECT_EQ(PatchError(R"({"mergingList":[{"name":"a"}]})",
                       R"({"$setElementOrder/mergingList":["a"],"mergingList":[{"name":"a"}]})"),
            "expected a map[string]interface {}, but received a string");
  EXPECT_EQ(PatchError("[1]", "{}"), "invalid JSON document");
}

TEST(StrategicPatchTest, HostileInput) {
  SchemaRegistry schemas = MergeItemSchemas();
  const TypeSchema* item = Type(schemas, "mergeItem");
  // Deep nesting is refused, not recursed into without bound.
  Json deep = Json::object();
  Json* cur = &deep;
  for (int i = 0; i < 150; ++i) cur = &((*cur)["mergeItemPtr"] = Json::object());
  Json deep_doc = deep;
  auto r = ApplyStrategicMergePatch(schemas, item, deep_doc, deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);

  // Wrong types everywhere: errors or replacement, never exceptions.
  for (const char* patch :
       {R"({"mergingList":{"a":1}})", R"({"mergingList":[1,2]})", R"({"mergingList":[null]})",
        R"({"mergingList":[{"name":null}]})", R"({"$retainKeys":[1,2]})",
        R"({"$setElementOrder/mergingIntList":[{"a":1}],"mergingIntList":[1]})",
        R"({"$deleteFromPrimitiveList/mergingList":[{"name":"a"}]})",
        R"({"retainKeysMergingList":[{"name":"a","$retainKeys":5}]})",
        R"({"mergingList":[{"name":"a","$patch":["x"]}]})", R"({"simpleMap":{"$patch":7}})"}) {
    Json doc = J(R"({"mergingList":[{"name":"a","value":"1"}],"mergingIntList":[1,2],
        "simpleMap":{"k":"v"},"retainKeysMergingList":[{"name":"a"}]})");
    auto res = ApplyStrategicMergePatch(schemas, item, doc, J(patch));
    if (!res.ok()) {
      EXPECT_NE(res.status().code(), Code::kOk);
    }
  }

  // Large lists stay fast (hash lookups, not quadratic scans).
  Json big_doc = Json::object();
  Json big_patch = Json::object();
  for (int i = 0; i < 20000; ++i) {
    big_doc["mergingList"].push_back({{"name", "n" + std::to_string(i)}, {"value", "a"}});
    big_patch["mergingList"].push_back({{"name", "n" + std::to_string(i * 2)}, {"other", "b"}});
    big_patch["$setElementOrder/mergingList"].push_back({{"name", "n" + std::to_string(i * 2)}});
  }
  auto start = std::chrono::steady_clock::now();
  r = ApplyStrategicMergePatch(schemas, item, big_doc, big_patch);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["mergingList"].size(), 30000u);
  // Linear work takes well under a second; a quadratic scan would take minutes. The margin is
  // wide because the machine running tests may be heavily loaded.
  EXPECT_LT(took, std::chrono::seconds(30));
}

}  // namespace
}  // namespace minik
