// Field sets (api/fieldpath.h): FieldsV1 encoding, set algebra, path printing, and the typed
// walks (ToFieldSet, Compare, Merge, RemoveItems) over the built-in schemas, with cases
// re-expressed from structured-merge-diff's tests.
#include "api/fieldpath.h"

#include <gtest/gtest.h>

#include <chrono>

namespace minik::fieldpath {
namespace {

Json J(const char* text) { return Json::parse(text); }

Set FromJson(const char* text) {
  auto s = Set::FromFieldsV1(Json::parse(text));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : Set();
}

std::vector<std::string> Strings(const Set& s) {
  std::vector<std::string> out;
  s.Iterate([&](const Path& p) { out.push_back(PathString(p)); });
  return out;
}

Typed TypedFor(const char* type) { return Typed{BuiltinSchemas(), BuiltinSchemas().Find(type)}; }

const char* kConfigMap = "io.k8s.api.core.v1.ConfigMap";
const char* kDeployment = "io.k8s.api.apps.v1.Deployment";
const char* kPod = "io.k8s.api.core.v1.Pod";

TEST(FieldPathTest, FieldsV1RoundTrip) {
  for (const char* text : {
           R"({"f:data":{".":{},"f:owner":{}}})",
           R"({"f:data":{"f:owner":{}}})",
           R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{}}}}})",
           R"({"f:metadata":{"f:finalizers":{".":{},"v:\"a\"":{}}}})",
           R"({})",
       }) {
    EXPECT_EQ(FromJson(text).ToFieldsV1(), Json::parse(text)) << text;
  }
}

TEST(FieldPathTest, FromFieldsV1CanonicalizesKeys) {
  Set s = FromJson(R"({"f:ports":{"k:{ \"protocol\": \"TCP\", \"containerPort\": 80 }":{}}})");
  EXPECT_TRUE(s.Has({"f:ports", R"(k:{"containerPort":80,"protocol":"TCP"})"}));
  EXPECT_EQ(Strings(s), std::vector<std::string>{R"(.ports[containerPort=80,protocol="TCP"])"});
  // "." alone, or an empty object, is a leaf member; unknown element types are dropped.
  Set t = FromJson(R"({"f:a":{".":{}},"f:b":{},"z:what":{},"f:c":{"z:x":{}}})");
  EXPECT_EQ(Strings(t), (std::vector<std::string>{".a", ".b", ".c"}));
}

TEST(FieldPathTest, FromFieldsV1RejectsMalformedInput) {
  for (const char* text : {R"({"f":{}})", R"({"fx":{}})", R"({"k:notjson":{}})",
                           R"({"k:[1]":{}})", R"({"v:{":{}})", R"({"i:x":{}})",
                           R"({"f:a":"str"})", R"({"f:a":[1]})", R"([])", R"("x")"}) {
    EXPECT_FALSE(Set::FromFieldsV1(Json::parse(text)).ok()) << text;
  }
  EXPECT_TRUE(Set::FromFieldsV1(Json()).ok());
}

TEST(FieldPathTest, SetAlgebra) {
  Set a = FromJson(R"({"f:a":{"f:b":{},"f:c":{}},"f:d":{}})");
  Set b = FromJson(R"({"f:a":{"f:c":{}},"f:e":{}})");
  EXPECT_EQ(Strings(a.Union(b)), (std::vector<std::string>{".d", ".e", ".a.b", ".a.c"}));
  EXPECT_EQ(Strings(a.Intersection(b)), (std::vector<std::string>{".a.c"}));
  EXPECT_EQ(Strings(a.Difference(b)), (std::vector<std::string>{".d", ".a.b"}));
  EXPECT_TRUE(a.Intersects(b));
  EXPECT_FALSE(a.Intersects(FromJson(R"({"f:a":{"f:x":{}}})")));
  // A parent member does not remove its children in Difference, but does in
  // RecursiveDifference.
  Set parent = FromJson(R"({"f:a":{}})");
  EXPECT_EQ(Strings(a.Difference(parent)), (std::vector<std::string>{".d", ".a.b", ".a.c"}));
  EXPECT_EQ(Strings(a.RecursiveDifference(parent)), (std::vector<std::string>{".d"}));
  EXPECT_TRUE(a.Difference(a).Empty());
  EXPECT_EQ(a.Size(), 3u);
  EXPECT_TRUE(a == a.Union(Set()));
  EXPECT_FALSE(a == b);
  Set c;
  c.Insert({});
  EXPECT_TRUE(c.Empty());
  c.Insert({"f:x", "f:y"});
  EXPECT_TRUE(c.Has({"f:x", "f:y"}));
  EXPECT_FALSE(c.Has({"f:x"}));
  EXPECT_FALSE(c.Has({}));
}

TEST(FieldPathTest, ElementOrderAndPrinting) {
  ElementLess less;
  EXPECT_TRUE(less("f:z", R"(k:{"a":1})"));
  EXPECT_TRUE(less(R"(k:{"a":1})", R"(v:"a")"));
  EXPECT_TRUE(less(R"(v:"a")", "i:0"));
  EXPECT_TRUE(less("i:2", "i:10"));
  EXPECT_EQ(PathString({"f:spec", "f:template", "f:spec", "f:containers",
                        KeyElement(J(R"({"name":"httpd"})")), "f:image"}),
            R"(.spec.template.spec.containers[name="httpd"].image)");
  EXPECT_EQ(PathString({"f:finalizers", ValueElement("a\"b")}), R"(.finalizers[="a\"b"])");
  EXPECT_EQ(PathString({"f:args", IndexElement(3)}), ".args[3]");
  EXPECT_EQ(KeyElement(J(R"({"protocol":"TCP","containerPort":80})")),
            R"(k:{"containerPort":80,"protocol":"TCP"})");
  EXPECT_EQ(GoJson(J(R"({"b":"<&>","a":[1,2.5,true,null]})")),
            R"({"a":[1,2.5,true,null],"b":"\u003c\u0026\u003e"})");
  EXPECT_EQ(GoJson(Json(1.0)), "1");
}

TEST(FieldPathTest, ToFieldSetFollowsTheSchema) {
  Json dep = J(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","labels":{"app":"web"}},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
        "spec":{"containers":[{"name":"httpd","image":"httpd:2","args":["a","b"],
                               "ports":[{"containerPort":80}]}]}}}})");
  Set s = ToFieldSet(TypedFor(kDeployment), dep);
  EXPECT_EQ(s.ToFieldsV1(), J(R"({"f:apiVersion":{},"f:kind":{},
    "f:metadata":{"f:labels":{"f:app":{}},"f:name":{}},
    "f:spec":{"f:replicas":{},"f:selector":{},
      "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
        "f:spec":{"f:containers":{"k:{\"name\":\"httpd\"}":{".":{},"f:args":{},"f:image":{},
          "f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},
            "f:containerPort":{}}}}}}}}})"));
  // LabelSelector is an atomic struct (+structType=atomic): owned whole.
  // Empty maps and nulls are owned as such; empty lists are not.
  Set e = ToFieldSet(TypedFor(kConfigMap), J(R"({"data":{},"binaryData":null,"metadata":{"finalizers":[]}})"));
  EXPECT_EQ(Strings(e), (std::vector<std::string>{".binaryData", ".data"}));
  // Without a schema, objects are granular maps and lists atomic.
  Set d = ToFieldSet(Typed{BuiltinSchemas(), nullptr}, J(R"({"a":{"b":1},"l":[1,2]})"));
  EXPECT_EQ(d.ToFieldsV1(), J(R"({"f:a":{".":{},"f:b":{}},"f:l":{}})"));
}

TEST(FieldPathTest, ToFieldSetOwnsDuplicatesWhole) {
  Json pod = J(R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}})");
  Set s = ToFieldSet(TypedFor(kPod), pod);
  EXPECT_EQ(Strings(s), std::vector<std::string>{R"(.spec.containers[name="a"])"});
}

TEST(FieldPathTest, CompareReportsAddedModifiedRemoved) {
  Typed t = TypedFor(kConfigMap);
  Json a = J(R"({"data":{"x":"1","y":"2"},"metadata":{"labels":{"l":"v"}}})");
  Json b = J(R"({"data":{"x":"1","y":"3","z":"4"},"binaryData":{"k":"AA=="}})");
  auto c = Compare(t, &a, b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Strings(c->added), (std::vector<std::string>{".binaryData", ".binaryData.k", ".data.z"}));
  EXPECT_EQ(Strings(c->modified), (std::vector<std::string>{".data.y"}));
  EXPECT_EQ(Strings(c->removed),
            (std::vector<std::string>{".metadata", ".metadata.labels", ".metadata.labels.l"}));
  // The skip set hides subtrees.
  Set skip;
  skip.Insert({"f:metadata"});
  skip.Insert({"f:data", "f:y"});
  auto c2 = Compare(t, &a, b, &skip);
  ASSERT_TRUE(c2.ok());
  EXPECT_TRUE(c2->removed.Empty());
  EXPECT_TRUE(c2->modified.Empty());
  // Same objects: nothing.
  auto same = Compare(t, &a, a);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->IsSame());
  // No old object: everything is added.
  auto created = Compare(t, nullptr, J(R"({"data":{"x":"1"}})"));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->added.ToFieldsV1(), J(R"({"f:data":{".":{},"f:x":{}}})"));
}

TEST(FieldPathTest, CompareListItems) {
  Typed t = TypedFor(kPod);
  Json a = J(R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}})");
  Json b = J(R"({"spec":{"containers":[{"name":"b","image":"z"},{"name":"c","image":"w"}]}})");
  auto c = Compare(t, &a, b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Strings(c->modified), std::vector<std::string>{R"(.spec.containers[name="b"].image)"});
  EXPECT_EQ(c->added.ToFieldsV1(), J(R"({"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},
      "f:image":{},"f:name":{}}}}})"));
  EXPECT_EQ(Strings(c->removed)[0], R"(.spec.containers[name="a"])");
  // A keyless item cannot be compared.
  Json bad = J(R"({"spec":{"containers":[{"image":"x"}]}})");
  auto e = Compare(t, &a, bad);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(".spec.containers[0]: element 0: associative list with keys "
                                      "has an element that omits all key fields [\"name\"]"),
            std::string::npos)
      << e.status().message();
}

TEST(FieldPathTest, ValidateAppliedFindsDuplicatesAndBadItems) {
  Typed t = TypedFor(kPod);
  EXPECT_TRUE(ValidateApplied(t, J(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})")).ok());
  Status dup = ValidateApplied(t, J(R"({"spec":{"containers":[{"name":"a"},{"name":"a"}]}})"));
  EXPECT_EQ(dup.message(), R"(.spec.containers: duplicate entries for key [name="a"])");
  Status map_in_set = ValidateApplied(t, J(R"({"metadata":{"finalizers":[{"a":1}]}})"));
  EXPECT_NE(map_in_set.message().find("associative list without keys has an element that's a map type"),
            std::string::npos);
  Status null_item = ValidateApplied(t, J(R"({"spec":{"containers":[null]}})"));
  EXPECT_FALSE(null_item.ok());
  // Port keys take the protocol's schema default: 80/TCP twice is a duplicate.
  Status ports = ValidateApplied(t, J(R"({"spec":{"containers":[{"name":"a","ports":[
      {"containerPort":80},{"containerPort":80,"protocol":"TCP"}]}]}})"));
  EXPECT_NE(ports.message().find("duplicate entries for key [containerPort=80,protocol=\"TCP\"]"),
            std::string::npos)
      << ports.message();
}

TEST(FieldPathTest, MergeListsAsUpstream) {
  Typed t = TypedFor(kPod);
  auto names = [](const Json& obj) {
    std::vector<std::string> out;
    for (const Json& c : obj["spec"]["containers"]) out.push_back(c["name"]);
    return out;
  };
  Json live = J(R"({"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"},
      {"name":"c","image":"1"}]}})");
  // Shared items follow the configuration's order; live-only items keep their places.
  auto m = Merge(t, live, J(R"({"spec":{"containers":[{"name":"c","image":"2"},{"name":"d"},
      {"name":"a"}]}})"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(names(*m), (std::vector<std::string>{"b", "c", "d", "a"}));
  EXPECT_EQ((*m)["spec"]["containers"][1]["image"], "2");
  EXPECT_EQ((*m)["spec"]["containers"][3]["image"], "1");
  // Sets are unioned, atomic lists and scalars replaced, maps merged.
  auto s = Merge(t, J(R"({"metadata":{"finalizers":["a","b"],"labels":{"x":"1"}},
      "spec":{"containers":[{"name":"a","args":["1","2"]}]}})"),
                 J(R"({"metadata":{"finalizers":["b","c"],"labels":{"y":"2"}},
      "spec":{"containers":[{"name":"a","args":["3"]}]}})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["metadata"]["finalizers"], J(R"(["a","b","c"])"));
  EXPECT_EQ((*s)["metadata"]["labels"], J(R"({"x":"1","y":"2"})"));
  EXPECT_EQ((*s)["spec"]["containers"][0]["args"], J(R"(["3"])"));
  // Null in the configuration removes; untyped values are replaced whole.
  auto n = Merge(TypedFor(kConfigMap), J(R"({"data":{"a":"1","b":"2"}})"),
                 J(R"({"data":{"a":null}})"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)["data"], J(R"({"b":"2"})"));
  // Nulls inside new values do not land in the object.
  auto nested = Merge(TypedFor(kPod), J(R"({"metadata":{"name":"p"}})"),
                      J(R"({"spec":{"nodeName":null,"hostname":"h"}})"));
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ((*nested)["spec"], J(R"({"hostname":"h"})"));
  // Duplicates in the configuration are an error.
  auto d = Merge(t, live, J(R"({"spec":{"containers":[{"name":"x"},{"name":"x"}]}})"));
  EXPECT_FALSE(d.ok());
}

TEST(FieldPathTest, RemoveItemsAndNamedFields) {
  Typed t = TypedFor(kPod);
  Json pod = J(R"({"metadata":{"labels":{"a":"1","b":"2"}},
      "spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}],
              "nodeSelector":{"k":"v"}}})");
  Set remove;
  remove.Insert({"f:metadata", "f:labels", "f:a"});
  remove.Insert({"f:spec", "f:containers", KeyElement(J(R"({"name":"a"})"))});
  remove.Insert({"f:spec", "f:nodeSelector", "f:k"});
  Json out = RemoveItems(t, pod, remove);
  EXPECT_EQ(out, J(R"({"metadata":{"labels":{"b":"2"}},
      "spec":{"containers":[{"name":"b","image":"y"}]}})"));
  // EnsureNamedFieldsAreMembers: struct fields with members below become members.
  Set s;
  s.Insert({"f:spec", "f:nodeSelector", "f:k"});
  Set named = EnsureNamedFieldsAreMembers(t, s);
  EXPECT_TRUE(named.Has({"f:spec"}));
  EXPECT_TRUE(named.Has({"f:spec", "f:nodeSelector"}));
  EXPECT_FALSE(s.Has({"f:spec"}));
}

// Not a timed assertion: prints what a typical status write costs the field-set walks.
TEST(FieldPathTest, MicroBenchmarkCompareAndFieldSet) {
  Typed t = TypedFor(kPod);
  Json pod = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],
      "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}],"restartPolicy":"Always"},
    "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"}]}})");
  Json next = pod;
  next["status"]["phase"] = "Running";
  next["status"]["conditions"].push_back({{"type", "Ready"}, {"status", "True"}});
  const int n = 2000;
  auto start = std::chrono::steady_clock::now();
  size_t total = 0;
  for (int i = 0; i < n; ++i) {
    auto c = Compare(t, &pod, next);
    total += c->added.Size();
  }
  auto mid = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) total += ToFieldSet(t, pod).Size();
  auto end = std::chrono::steady_clock::now();
  auto us = [&](auto a, auto b) {
    return std::chrono::duration<double, std::micro>(b - a).count() / n;
  };
  std::printf("compare: %.1f us/op, to-field-set: %.1f us/op (%zu)\n", us(start, mid),
              us(mid, end), total);
}

}  // namespace
}  // namespace minik::fieldpath
