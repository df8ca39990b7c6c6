#include <gtest/gtest.h>

#include "api/schema.h"

namespace minik {
namespace {

using Paths = std::vector<std::string>;

Paths Unknown(const GroupVersionKind& gvk, const char* json) {
  const TypeSchema* type = BuiltinSchemas().FindByGvk(gvk);
  EXPECT_NE(type, nullptr);
  if (type == nullptr) return {};
  return UnknownFields(BuiltinSchemas(), *type, Json::parse(json));
}

const GroupVersionKind kDeployment{"apps", "v1", "Deployment"};

TEST(UnknownFields, KnownObjectHasNone) {
  EXPECT_EQ(Unknown(kDeployment, R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"any-key": "v"}, "annotations": {"a/b": "c"},
                 "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "x", "uid": "u"}],
                 "managedFields": [{"manager": "m", "fieldsV1": {"f:anything": {".": {}}}}]},
    "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "c", "image": "nginx",
                                                   "ports": [{"containerPort": 80}],
                                                   "resources": {"limits": {"cpu": "1"}},
                                                   "livenessProbe": {"httpGet": {"port": 80}}}],
                                   "volumes": [{"name": "v", "configMap": {"name": "cm"}}]}}},
    "status": {}})"),
            Paths{});
}

TEST(UnknownFields, PathsAreWordedLikeTheApiserver) {
  EXPECT_EQ(Unknown(kDeployment, R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "spec": {"replicaz": 3}})"),
            Paths{"spec.replicaz"});
  EXPECT_EQ(Unknown(kDeployment, R"({"spec": {"template": {"spec": {"containers": [
      {"name": "a", "image": "x"}, {"name": "b", "imagee": "y",
       "env": [{"name": "E", "valu": "1"}]}]}}}})"),
            (Paths{"spec.template.spec.containers[1].env[0].valu",
                   "spec.template.spec.containers[1].imagee"}));
  EXPECT_EQ(Unknown(kDeployment, R"({"metadata": {"nam": "x"}, "extra": 1, "spec": null})"),
            (Paths{"extra", "metadata.nam"}));
}

TEST(UnknownFields, InlineFieldsAreKnown) {
  // Volume embeds VolumeSource; ConfigMapKeySelector embeds LocalObjectReference; Probe
  // embeds ProbeHandler.
  EXPECT_EQ(Unknown({"", "v1", "Pod"}, R"({"spec": {"containers": [{"name": "c",
      "env": [{"name": "E", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k"}}}],
      "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 5}}],
      "volumes": [{"name": "v", "secret": {"secretName": "s"}, "bogus": 1}]}})"),
            Paths{"spec.volumes[0].bogus"});
}

TEST(UnknownFields, FreeFormValuesAreNotInspected) {
  EXPECT_EQ(Unknown({"apps", "v1", "ControllerRevision"},
                    R"({"data": {"spec": {"whatever": true}}, "revision": 1})"),
            Paths{});
  // Map values of scalar type are strings whatever their key.
  EXPECT_EQ(Unknown({"", "v1", "ConfigMap"}, R"({"data": {"x.y": "1"}, "binaryData": {}})"),
            Paths{});
}

TEST(UnknownFields, MapsOfObjectsAndWrappers) {
  // SubjectAccessReview.spec.extra: map of ExtraValue (a list of strings).
  EXPECT_EQ(Unknown({"authorization.k8s.io", "v1", "SubjectAccessReview"},
                    R"({"spec": {"user": "u", "extra": {"k": ["a", "b"]}, "usr": 1}})"),
            Paths{"spec.usr"});
  // Map of objects: paths use the key.
  SchemaRegistry r;
  ASSERT_TRUE(r.Load(R"(package t
type T gvk=t.io/v1/T
  items 1 map<Item>
type Item
  a 1 string
)").ok());
  EXPECT_EQ(UnknownFields(r, *r.Find("t.T"), Json::parse(R"({"items": {"x": {"a": "1", "b": 2}}})")),
            Paths{"items.x.b"});
}

TEST(UnknownFields, ApiVersionAndKindOnlyAtTheTop) {
  EXPECT_EQ(Unknown(kDeployment, R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "spec": {"template": {"kind": "Pod"}}})"),
            Paths{"spec.template.kind"});
}

TEST(UnknownFields, WrongShapesAreNotUnknownFields) {
  // Type errors are for validation; the walk must just not trip over them.
  EXPECT_EQ(Unknown(kDeployment, R"({"spec": "text", "metadata": [1, 2]})"), Paths{});
  EXPECT_EQ(Unknown(kDeployment, R"({"spec": {"template": {"spec": {"containers": {"a": 1}}}}})"),
            Paths{});
  EXPECT_EQ(Unknown(kDeployment, R"({"spec": {"template": {"spec": {"containers": [1, null]}}}})"),
            Paths{});
  EXPECT_EQ(Unknown(kDeployment, "[]"), Paths{});
}

TEST(ApplySchemaDefaults, FillsAbsentFieldsRecursively) {
  const SchemaRegistry& r = BuiltinSchemas();
  Json pod = Json::parse(R"({"spec": {"containers": [
      {"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"},
                              {"containerPort": 81, "protocol": null}]}]}})");
  ApplySchemaDefaults(r, *r.FindByGvk({"", "v1", "Pod"}), pod);
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"], Json::parse(R"([
      {"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"},
      {"containerPort": 81, "protocol": "TCP"}])"));
  EXPECT_FALSE(pod["spec"].contains("dnsPolicy"));  // per-kind defaulting is the strategy's job

  Json svc = Json::parse(R"({"spec": {"ports": [{"port": 80}]}})");
  ApplySchemaDefaults(r, *r.FindByGvk({"", "v1", "Service"}), svc);
  EXPECT_EQ(svc["spec"]["ports"][0]["protocol"], "TCP");

  // Absent parents are not created.
  Json empty = Json::parse(R"({"metadata": {"name": "x"}})");
  ApplySchemaDefaults(r, *r.FindByGvk({"", "v1", "Service"}), empty);
  EXPECT_EQ(empty, Json::parse(R"({"metadata": {"name": "x"}})"));
}

TEST(ApplySchemaDefaults, InlineMapsAndWrongShapes) {
  SchemaRegistry r;
  ASSERT_TRUE(r.Load(R"(package t
type T gvk=t.io/v1/T
  items  1 map<Item>
  list   2 list<Item>
  -      3 Base
type Item
  mode 1 string default="On"
  n    2 int32 default=3
type Base
  policy 1 string default={"a": [1]}
)").ok());
  Json obj = Json::parse(R"({"items": {"x": {}, "y": {"mode": "Off"}}, "list": [{}, 5, null]})");
  ApplySchemaDefaults(r, *r.Find("t.T"), obj);
  EXPECT_EQ(obj, Json::parse(R"({"items": {"x": {"mode": "On", "n": 3},
      "y": {"mode": "Off", "n": 3}}, "list": [{"mode": "On", "n": 3}, 5, null],
      "policy": {"a": [1]}})"));
  Json not_object = "text";
  ApplySchemaDefaults(r, *r.Find("t.T"), not_object);
  EXPECT_EQ(not_object, "text");
}

}  // namespace
}  // namespace minik
