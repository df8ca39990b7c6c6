#include "apiserver/body.h"

#include <gtest/gtest.h>

#include "apiserver/media.h"
#include "apiserver/options.h"
#include "router_test_util.h"

namespace minik {
namespace {

TEST(YamlToJsonTest, ScalarsResolveLikeCoreSchema) {
  auto j = YamlToJson(
      "a: 1\nb: -2.5\nc: true\nd: null\ne: ~\nf: hello\ng: \"1\"\nh: 'true'\n"
      "j: [x, 2]\nk: {m: n}\nl:\n");
  ASSERT_TRUE(j.ok()) << j.status().message();
  EXPECT_EQ((*j)["a"], 1);
  EXPECT_EQ((*j)["b"], -2.5);
  EXPECT_EQ((*j)["c"], true);
  EXPECT_TRUE((*j)["d"].is_null());
  EXPECT_TRUE((*j)["e"].is_null());
  EXPECT_EQ((*j)["f"], "hello");
  EXPECT_EQ((*j)["g"], "1");
  EXPECT_EQ((*j)["h"], "true");
  EXPECT_EQ((*j)["j"], Json::array({"x", 2}));
  EXPECT_EQ((*j)["k"]["m"], "n");
  EXPECT_TRUE((*j)["l"].is_null());
}

TEST(YamlToJsonTest, Numbers) {
  auto j = YamlToJson("a: 1.5e3\nb: .5\nc: 3.\nd: 1e\ne: +7\nf: 1.2.3\nh: 12345678901234567890\n");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["a"], 1500.0);
  EXPECT_EQ((*j)["b"], 0.5);
  EXPECT_EQ((*j)["c"], 3.0);
  EXPECT_EQ((*j)["d"], "1e");
  EXPECT_EQ((*j)["e"], 7);
  EXPECT_EQ((*j)["f"], "1.2.3");
  EXPECT_TRUE((*j)["h"].is_number_unsigned());
}

TEST(YamlToJsonTest, JsonTextIsYaml) {
  auto j = YamlToJson(R"({"apiVersion":"v1","kind":"ConfigMap","data":{"k":"1"}})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["data"]["k"], "1");
  EXPECT_EQ((*j)["kind"], "ConfigMap");
}

TEST(YamlToJsonTest, BadInputIsBadRequest) {
  auto bad = YamlToJson("a: [1, 2\nb: }");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kBadRequest);

  std::string deep(5000, '[');
  auto too_deep = YamlToJson(deep);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().code(), Code::kBadRequest);

  // Alias expansion cannot grow without bound ("billion laughs").
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  auto exploded = YamlToJson(bomb);
  ASSERT_FALSE(exploded.ok());
  EXPECT_EQ(exploded.status().code(), Code::kBadRequest);

  auto complex_key = YamlToJson("? [a]\n: b\n");
  EXPECT_FALSE(complex_key.ok());
}

TEST(DecodeObjectBodyTest, ByContentType) {
  SchemaRegistry schemas;
  auto json = DecodeObjectBody(schemas, "application/json", R"({"kind":"ConfigMap"})");
  ASSERT_TRUE(json.ok());
  auto none = DecodeObjectBody(schemas, "", R"({"kind":"ConfigMap"})");
  ASSERT_TRUE(none.ok());
  auto charset = DecodeObjectBody(schemas, "application/json; charset=utf-8", "{}");
  ASSERT_TRUE(charset.ok());
  auto yaml = DecodeObjectBody(schemas, "application/yaml", "kind: ConfigMap\n");
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ((*yaml)["kind"], "ConfigMap");

  auto other = DecodeObjectBody(schemas, "text/plain", "x");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kUnsupportedMediaType);
  EXPECT_EQ(other.status().HttpCode(), 415);

  auto malformed = DecodeObjectBody(schemas, "application/json", "{\"a\":");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), Code::kBadRequest);

  auto array = DecodeObjectBody(schemas, "application/json", "[1]");
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().message(), "Object 'Kind' is missing in '[1]'");

  auto proto = DecodeObjectBody(schemas, "application/vnd.kubernetes.protobuf", "junk");
  ASSERT_FALSE(proto.ok());
  EXPECT_EQ(proto.status().code(), Code::kBadRequest);
}

TEST(PatchTypeTest, ByContentType) {
  EXPECT_EQ(*PatchTypeFor("application/json-patch+json"), PatchType::kJson);
  EXPECT_EQ(*PatchTypeFor("application/merge-patch+json"), PatchType::kMerge);
  EXPECT_EQ(*PatchTypeFor("application/strategic-merge-patch+json; charset=utf-8"),
            PatchType::kStrategicMerge);
  EXPECT_EQ(*PatchTypeFor("application/apply-patch+yaml"), PatchType::kApply);
  auto bad = PatchTypeFor("application/json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().HttpCode(), 415);
}

TEST(CheckBodyTest, FillsAndRejects) {
  GroupVersionKind cm{"", "v1", "ConfigMap"};
  Json obj = Json::object();
  ASSERT_TRUE(CheckBodyAgainstUrl(obj, cm, "default", true).ok());
  EXPECT_EQ(obj["apiVersion"], "v1");
  EXPECT_EQ(obj["kind"], "ConfigMap");
  EXPECT_EQ(obj["metadata"]["namespace"], "default");

  Json wrong_version{{"apiVersion", "apps/v1"}, {"kind", "ConfigMap"}};
  Status st = CheckBodyAgainstUrl(wrong_version, cm, "default", true);
  EXPECT_EQ(st.code(), Code::kBadRequest);
  EXPECT_EQ(st.message(),
            "the API version in the data (apps/v1) does not match the expected API version "
            "(v1)");

  Json wrong_ns{{"metadata", {{"namespace", "other"}}}};
  st = CheckBodyAgainstUrl(wrong_ns, cm, "default", true);
  EXPECT_EQ(st.message(),
            "the namespace of the provided object does not match the namespace sent on the "
            "request");

  Json wrong_kind{{"kind", "Secret"}};
  st = CheckBodyAgainstUrl(wrong_kind, cm, "default", true);
  EXPECT_EQ(st.code(), Code::kBadRequest);

  // Cluster-scoped: a namespace in the body is cleared.
  Json ns_obj{{"metadata", {{"name", "n"}, {"namespace", "x"}}}};
  ASSERT_TRUE(CheckBodyAgainstUrl(ns_obj, {"", "v1", "Namespace"}, "", true).ok());
  EXPECT_FALSE(ns_obj["metadata"].contains("namespace"));

  Json bad_meta{{"metadata", "x"}};
  EXPECT_FALSE(CheckBodyAgainstUrl(bad_meta, cm, "default", true).ok());
}

TEST(StrictDecodingTest, Message) {
  Status one = StrictDecodingError({"", "v1", "ConfigMap"}, {"spec.foo"});
  EXPECT_EQ(one.code(), Code::kBadRequest);
  EXPECT_EQ(one.message(),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding "
            "error: unknown field \"spec.foo\"");
  Status two = StrictDecodingError({"apps", "v1", "Deployment"}, {"a", "b"});
  EXPECT_EQ(two.message(),
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding "
            "error: unknown field \"a\", unknown field \"b\"");
}

TEST(MediaTest, Negotiation) {
  auto table = NegotiateObjectResponse(
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
      "g=meta.k8s.io,application/json");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->shape, ResponseShape::kTable);
  EXPECT_EQ(table->meta_version, "v1");
  auto beta = NegotiateObjectResponse("application/json;as=Table;v=v1beta1;g=meta.k8s.io");
  EXPECT_EQ(beta->meta_version, "v1beta1");
  EXPECT_EQ(NegotiateObjectResponse("application/json")->shape, ResponseShape::kObject);
  EXPECT_EQ(NegotiateObjectResponse("")->shape, ResponseShape::kObject);
  EXPECT_EQ(NegotiateObjectResponse("*/*")->shape, ResponseShape::kObject);
  EXPECT_EQ(NegotiateObjectResponse("application/vnd.kubernetes.protobuf")->shape,
            ResponseShape::kObject);
  EXPECT_EQ(
      NegotiateObjectResponse("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io")
          ->shape,
      ResponseShape::kPartialObjectMetadata);
  auto none = NegotiateObjectResponse("text/html");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().HttpCode(), 406);
  EXPECT_FALSE(NegotiateObjectResponse("application/json;q=0").ok());
  // An unknown `as` is skipped in favour of the next entry.
  EXPECT_EQ(NegotiateObjectResponse("application/json;as=Foo;g=x;v=v1, application/json")->shape,
            ResponseShape::kObject);

  std::string discovery =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/"
      "json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
  EXPECT_EQ(NegotiateDiscovery(discovery), "v2");
  EXPECT_EQ(NegotiateDiscovery(
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"),
            "v2beta1");
  EXPECT_EQ(NegotiateDiscovery("application/json, */*"), "");
  EXPECT_EQ(NegotiateDiscovery(""), "");

  MediaType m = ParseMediaType(" Application/JSON ; charset=\"utf-8\" ;as=Table");
  EXPECT_EQ(m.type, "application/json");
  EXPECT_EQ(m.Param("charset"), "utf-8");
  EXPECT_EQ(m.Param("as"), "Table");
}

HttpRequest Req(std::multimap<std::string, std::string> query, std::string body = "",
                std::string content_type = "") {
  HttpRequest r;
  r.method = "DELETE";
  r.query = std::move(query);
  r.body = std::move(body);
  if (!content_type.empty()) r.headers["Content-Type"] = content_type;
  return r;
}

TEST(OptionsTest, ListQuery) {
  auto q = ParseListQuery(Req({{"labelSelector", "a=b"},
                               {"fieldSelector", "metadata.name=x"},
                               {"limit", "500"},
                               {"continue", "tok"},
                               {"resourceVersion", "7"},
                               {"allowWatchBookmarks", "true"},
                               {"timeoutSeconds", "30"},
                               {"timeout", "32s"}}));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->label_selector, "a=b");
  EXPECT_EQ(q->field_selector, "metadata.name=x");
  EXPECT_EQ(q->limit, 500);
  EXPECT_EQ(q->continue_token, "tok");
  EXPECT_EQ(q->resource_version, "7");
  EXPECT_TRUE(q->allow_bookmarks);
  EXPECT_EQ(q->timeout_seconds, 30);
  auto bad = ParseListQuery(Req({{"limit", "ten"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kBadRequest);
}

TEST(OptionsTest, WriteOptions) {
  auto o = ParseWriteOptions(Req({{"dryRun", "All"},
                                  {"fieldManager", "kubectl"},
                                  {"fieldValidation", "Strict"},
                                  {"force", "true"}}));
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->dry_run);
  EXPECT_EQ(o->field_manager, "kubectl");
  EXPECT_EQ(o->field_validation, FieldValidation::kStrict);
  EXPECT_TRUE(o->force);
  EXPECT_EQ(ParseWriteOptions(Req({}))->field_validation, FieldValidation::kWarn);
  EXPECT_EQ(ParseWriteOptions(Req({{"fieldValidation", "Ignore"}}))->field_validation,
            FieldValidation::kIgnore);
  EXPECT_FALSE(ParseWriteOptions(Req({{"fieldValidation", "Loose"}})).ok());
  EXPECT_FALSE(ParseWriteOptions(Req({{"dryRun", "Some"}})).ok());
}

TEST(OptionsTest, DeleteOptionsFromQueryAndBody) {
  SchemaRegistry schemas;
  auto q = ParseDeleteOptions(
      Req({{"gracePeriodSeconds", "0"}, {"propagationPolicy", "Foreground"}}), schemas);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->grace_period_seconds, 0);
  EXPECT_EQ(q->propagation_policy, "Foreground");

  auto b = ParseDeleteOptions(
      Req({}, R"({"kind":"DeleteOptions","apiVersion":"meta.k8s.io/v1",)"
              R"("propagationPolicy":"Background","gracePeriodSeconds":5,)"
              R"("preconditions":{"uid":"u1","resourceVersion":"9"},"dryRun":["All"]})",
          "application/json"),
      schemas);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->propagation_policy, "Background");
  EXPECT_EQ(b->grace_period_seconds, 5);
  EXPECT_EQ(b->precondition_uid, "u1");
  EXPECT_EQ(b->precondition_resource_version, "9");
  EXPECT_TRUE(b->dry_run);

  // A body without Content-Type is JSON; orphanDependents maps to a policy.
  auto orphan = ParseDeleteOptions(Req({}, R"({"orphanDependents":true})"), schemas);
  ASSERT_TRUE(orphan.ok());
  EXPECT_EQ(orphan->propagation_policy, "Orphan");

  auto bad_policy = ParseDeleteOptions(Req({{"propagationPolicy", "Later"}}), schemas);
  ASSERT_FALSE(bad_policy.ok());
  EXPECT_EQ(bad_policy.status().code(), Code::kInvalid);
  EXPECT_FALSE(ParseDeleteOptions(Req({}, "{not json"), schemas).ok());
  EXPECT_FALSE(ParseDeleteOptions(Req({{"gracePeriodSeconds", "x"}}), schemas).ok());
  EXPECT_TRUE(ParseDeleteOptions(Req({}, "  \n"), schemas).ok());
}

}  // namespace
}  // namespace minik
