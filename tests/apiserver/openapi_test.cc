// OpenAPI v3 documents (what kubectl explain, the field-validation verifier and the SMP
// patcher read), the v2 Swagger document and its gnostic protobuf (what kubectl 1.27/1.28
// parse before every apply), and the HTTP edge.
#include "apiserver/openapi.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "api/resource.h"
#include "api/schema.h"

namespace minik {
namespace {

class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    resources_ = new ResourceRegistry();
    RegisterBuiltinResources(*resources_);
    v3_ = new OpenApiV3(*resources_, BuiltinSchemas());
    v2_ = new OpenApiV2(*resources_, BuiltinSchemas());
  }
  static void TearDownTestSuite() {
    delete v2_;
    delete v3_;
    delete resources_;
  }

  static Json Doc(const std::string& gv) {
    const OpenApiDocument* d = v3_->Find(gv);
    EXPECT_NE(d, nullptr) << gv;
    return d == nullptr ? Json::object() : Json::parse(d->body);
  }

  static ResourceRegistry* resources_;
  static OpenApiV3* v3_;
  static OpenApiV2* v2_;
};

ResourceRegistry* OpenApiTest::resources_ = nullptr;
OpenApiV3* OpenApiTest::v3_ = nullptr;
OpenApiV2* OpenApiTest::v2_ = nullptr;

// kubectl explain's walk: follow allOf[0] / $ref into components.schemas.
Json Resolve(const Json& doc, Json schema) {
  for (int i = 0; i < 8; ++i) {
    if (schema.contains("allOf") && !schema.contains("properties")) {
      schema = schema["allOf"][0];
      continue;
    }
    if (schema.contains("$ref")) {
      std::string ref = schema["$ref"];
      std::string name = ref.substr(ref.rfind('/') + 1);
      schema = doc["components"]["schemas"].value(name, Json::object());
      continue;
    }
    break;
  }
  return schema;
}

// The component whose x-kubernetes-group-version-kind array holds gvk (explain's lookup).
Json KindSchema(const Json& doc, const GroupVersionKind& gvk) {
  Json want{{"group", gvk.group}, {"version", gvk.version}, {"kind", gvk.kind}};
  for (const auto& [name, s] : doc["components"]["schemas"].items()) {
    if (!s.contains("x-kubernetes-group-version-kind")) continue;
    for (const auto& g : s["x-kubernetes-group-version-kind"]) {
      if (g == want) return s;
    }
  }
  return nullptr;
}

// The field schema at a dotted path (explain deployment.spec.replicas), unresolved.
Json Field(const Json& doc, const GroupVersionKind& gvk, const std::string& path) {
  Json cur = KindSchema(doc, gvk);
  if (cur.is_null()) return nullptr;
  Json field = nullptr;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string name =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    Json resolved = Resolve(doc, cur);
    if (resolved.contains("items")) resolved = Resolve(doc, resolved["items"]);
    if (!resolved.contains("properties") || !resolved["properties"].contains(name)) return nullptr;
    field = resolved["properties"][name];
    cur = field;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return field;
}

TEST_F(OpenApiTest, DeploymentReplicasForExplain) {
  Json doc = Doc("apis/apps/v1");
  Json replicas = Field(doc, {"apps", "v1", "Deployment"}, "spec.replicas");
  ASSERT_TRUE(replicas.is_object());
  EXPECT_EQ(replicas["type"], "integer");
  EXPECT_EQ(replicas["format"], "int32");
  EXPECT_FALSE(replicas.value("description", "").empty());
  // The kind: array-form GVK, description, object type; a $ref with a description is
  // wrapped in allOf.
  const Json& dep = doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"];
  EXPECT_EQ(dep["x-kubernetes-group-version-kind"],
            Json::parse(R"([{"group":"apps","kind":"Deployment","version":"v1"}])"));
  EXPECT_EQ(dep["type"], "object");
  EXPECT_EQ(dep["properties"]["metadata"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_EQ(dep["properties"]["metadata"]["default"], Json::object());
  EXPECT_EQ(dep["properties"]["spec"]["default"], Json::object());
  EXPECT_TRUE(doc["components"]["schemas"].contains("io.k8s.api.apps.v1.DeploymentList"));
  EXPECT_TRUE(doc["components"]["schemas"].contains("io.k8s.api.core.v1.PodSpec"));
  EXPECT_TRUE(doc["components"]["schemas"].contains("io.k8s.api.autoscaling.v1.Scale"));
  Json strategy = Field(doc, {"apps", "v1", "Deployment"}, "spec.strategy");
  EXPECT_EQ(strategy["x-kubernetes-patch-strategy"], "retainKeys");
  // Required scalars carry their zero default, as openapi-gen writes them.
  Json revision = Field(doc, {"apps", "v1", "ControllerRevision"}, "revision");
  EXPECT_EQ(revision["default"], 0);
  EXPECT_EQ(revision["format"], "int64");
}

// Drops every "description" (the texts are the schema data's; shapes are this builder's).
Json WithoutDescriptions(Json j) {
  if (j.is_object()) {
    j.erase("description");
    for (auto& [k, v] : j.items()) v = WithoutDescriptions(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = WithoutDescriptions(v);
  }
  return j;
}

// Shapes as in kubernetes/kubernetes api/openapi-spec/v3/apis__apps__v1_openapi.json.
TEST_F(OpenApiTest, DefinitionsShapedAsUpstream) {
  Json doc = Doc("apis/apps/v1");
  const Json& schemas = doc["components"]["schemas"];
  EXPECT_EQ(WithoutDescriptions(schemas["io.k8s.api.apps.v1.DaemonSetCondition"]), Json::parse(R"({
    "properties": {
      "lastTransitionTime": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}]},
      "message": {"type": "string"},
      "reason": {"type": "string"},
      "status": {"default": "", "type": "string"},
      "type": {"default": "", "type": "string"}},
    "required": ["type", "status"],
    "type": "object"})"));
  EXPECT_EQ(WithoutDescriptions(schemas["io.k8s.api.apps.v1.ControllerRevision"]), Json::parse(R"({
    "properties": {
      "apiVersion": {"type": "string"},
      "data": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension"}]},
      "kind": {"type": "string"},
      "metadata": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}], "default": {}},
      "revision": {"default": 0, "format": "int64", "type": "integer"}},
    "required": ["revision"],
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "apps", "kind": "ControllerRevision", "version": "v1"}]})"));
  EXPECT_EQ(WithoutDescriptions(schemas["io.k8s.api.apps.v1.RollingUpdateDeployment"]),
            Json::parse(R"({
    "properties": {
      "maxSurge": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]},
      "maxUnavailable": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]}},
    "type": "object"})"));
  EXPECT_EQ(WithoutDescriptions(
                schemas["io.k8s.api.apps.v1.DaemonSetStatus"]["properties"]["conditions"]),
            Json::parse(R"({
    "items": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DaemonSetCondition"}], "default": {}},
    "type": "array",
    "x-kubernetes-list-map-keys": ["type"],
    "x-kubernetes-list-type": "map",
    "x-kubernetes-patch-merge-key": "type",
    "x-kubernetes-patch-strategy": "merge"})"));
}

TEST_F(OpenApiTest, PodContainersAtDepth) {
  Json doc = Doc("api/v1");
  GroupVersionKind pod{"", "v1", "Pod"};
  Json containers = Field(doc, pod, "spec.containers");
  ASSERT_TRUE(containers.is_object());
  EXPECT_EQ(containers["type"], "array");
  EXPECT_EQ(containers["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(containers["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(containers["items"]["default"], Json::object());
  Json ports = Field(doc, pod, "spec.containers.ports");
  ASSERT_TRUE(ports.is_object());
  EXPECT_EQ(ports["x-kubernetes-patch-merge-key"], "containerPort");
  EXPECT_EQ(ports["x-kubernetes-list-type"], "map");
  EXPECT_EQ(ports["x-kubernetes-list-map-keys"], Json::parse(R"(["containerPort","protocol"])"));
  Json port = Field(doc, pod, "spec.containers.ports.containerPort");
  EXPECT_EQ(port["type"], "integer");
  EXPECT_EQ(port["format"], "int32");
  Json env = Field(doc, pod, "spec.containers.env");
  EXPECT_EQ(env["x-kubernetes-patch-merge-key"], "name");
  Json volumes = Field(doc, pod, "spec.volumes");
  EXPECT_EQ(volumes["x-kubernetes-patch-strategy"], "merge,retainKeys");
  // Embedded structs appear inline: Volume has configMap from VolumeSource.
  EXPECT_TRUE(Field(doc, pod, "spec.volumes.configMap.name").is_object());
  // Labels: a map of strings.
  Json labels = Field(doc, pod, "metadata.labels");
  EXPECT_EQ(labels["type"], "object");
  EXPECT_EQ(labels["additionalProperties"], Json::parse(R"({"default":"","type":"string"})"));
  EXPECT_TRUE(Field(doc, pod, "spec.nope").is_null());
  EXPECT_TRUE(Field(doc, {"", "v1", "Nope"}, "spec").is_null());
}

TEST_F(OpenApiTest, EnumsAndValueTypes) {
  Json doc = Doc("api/v1");
  GroupVersionKind svc{"", "v1", "Service"};
  Json type = Field(doc, svc, "spec.type");
  ASSERT_TRUE(type.is_object());
  EXPECT_EQ(type["type"], "string");
  EXPECT_EQ(type["enum"], Json::parse(R"(["ClusterIP","ExternalName","LoadBalancer","NodePort"])"));
  Json target = Field(doc, svc, "spec.ports.targetPort");
  EXPECT_EQ(Resolve(doc, target)["format"], "int-or-string");
  EXPECT_EQ(Resolve(doc, target)["oneOf"],
            Json::parse(R"([{"type":"integer"},{"type":"string"}])"));
  Json created = Field(doc, svc, "metadata.creationTimestamp");
  EXPECT_EQ(Resolve(doc, created)["format"], "date-time");
  Json limits = Field(doc, {"", "v1", "Pod"}, "spec.containers.resources.limits");
  EXPECT_EQ(limits["additionalProperties"]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity");
}

// Every $ref of every document names a component of the same document; every operation
// that takes a body and is tagged with a GVK carries fieldValidation; every patch operation
// advertises strategic merge patch.
TEST_F(OpenApiTest, EveryDocumentIsSelfContained) {
  Json index = Json::parse(v3_->Index());
  ASSERT_GT(index["paths"].size(), 10u);
  int patch_ops = 0;
  for (const auto& [gv, entry] : index["paths"].items()) {
    Json doc = Doc(gv);
    const Json& schemas = doc["components"]["schemas"];
    std::function<void(const Json&)> check = [&](const Json& j) {
      if (j.is_object()) {
        if (j.contains("$ref")) {
          std::string ref = j["$ref"];
          ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
          EXPECT_TRUE(schemas.contains(ref.substr(21))) << gv << " " << ref;
        }
        for (const auto& [k, v] : j.items()) check(v);
      } else if (j.is_array()) {
        for (const auto& v : j) check(v);
      }
    };
    check(doc);
    for (const auto& [path, item] : doc["paths"].items()) {
      for (const char* method : {"post", "put", "patch"}) {
        if (!item.contains(method)) continue;
        const Json& op = item[method];
        ASSERT_TRUE(op.contains("x-kubernetes-group-version-kind")) << path << " " << method;
        EXPECT_TRUE(op["x-kubernetes-group-version-kind"].is_object());
        bool found = false;
        for (const auto& p : op["parameters"]) {
          if (p["name"] == "fieldValidation" && p["in"] == "query") found = true;
        }
        EXPECT_TRUE(found) << path << " " << method;
        if (std::string(method) == "patch") {
          ++patch_ops;
          EXPECT_TRUE(
              op["requestBody"]["content"].contains("application/strategic-merge-patch+json"))
              << path;
        }
      }
    }
  }
  EXPECT_GT(patch_ops, 40);
}

TEST_F(OpenApiTest, ExplainFindsKindsThroughPaths) {
  // explain looks up the GVK from /apis/<g>/<v>/[namespaces/{namespace}/]<plural>[/{name}].
  Json doc = Doc("apis/apps/v1");
  const Json& list = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["get"];
  EXPECT_EQ(list["x-kubernetes-group-version-kind"]["kind"], "Deployment");
  EXPECT_EQ(list["operationId"], "listAppsV1NamespacedDeployment");
  EXPECT_EQ(list["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/io.k8s.api.apps.v1.DeploymentList");
  const Json& scale =
      doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"];
  EXPECT_EQ(scale["x-kubernetes-group-version-kind"],
            (Json{{"group", "autoscaling"}, {"kind", "Scale"}, {"version", "v1"}}));
  EXPECT_TRUE(doc["paths"].contains("/apis/apps/v1/deployments"));  // all namespaces
  Json core = Doc("api/v1");
  EXPECT_TRUE(core["paths"].contains("/api/v1/nodes/{name}"));  // cluster-scoped
  EXPECT_EQ(v3_->Find("apis/nope/v1"), nullptr);
}

// ---- v2 ----

// The constraints kube-openapi's proto model parser (kubectl's v2 reader) enforces.
void CheckV2Schema(const Json& defs, const Json& s, const std::string& where) {
  ASSERT_TRUE(s.is_object()) << where;
  EXPECT_FALSE(s.contains("allOf")) << where;
  EXPECT_FALSE(s.contains("oneOf")) << where;
  if (s.contains("$ref")) {
    std::string ref = s["$ref"];
    ASSERT_EQ(ref.rfind("#/definitions/", 0), 0u) << where;
    EXPECT_TRUE(defs.contains(ref.substr(14))) << where << " " << ref;
    EXPECT_FALSE(s.contains("type")) << where;
    EXPECT_FALSE(s.contains("properties")) << where;
    return;
  }
  if (s.value("type", "") == "array") {
    ASSERT_TRUE(s.contains("items")) << where;
    CheckV2Schema(defs, s["items"], where + "[]");
  }
  if (s.contains("additionalProperties")) {
    CheckV2Schema(defs, s["additionalProperties"], where + "{}");
  }
  if (!s.contains("properties")) return;
  for (const auto& [name, p] : s["properties"].items()) {
    CheckV2Schema(defs, p, where + "." + name);
  }
}

TEST_F(OpenApiTest, V2DocumentParsesAsKubectlParsesIt) {
  Json doc = Json::parse(v2_->JsonDocument().body);
  EXPECT_EQ(doc["swagger"], "2.0");
  const Json& defs = doc["definitions"];
  for (const auto& [name, s] : defs.items()) CheckV2Schema(defs, s, name);
  const Json& dep = defs["io.k8s.api.apps.v1.Deployment"];
  EXPECT_EQ(dep["properties"]["spec"]["$ref"], "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
  EXPECT_EQ(defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["type"], "string");
  const Json& patch =
      doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
  EXPECT_EQ(patch["x-kubernetes-group-version-kind"]["kind"], "Deployment");
  EXPECT_NE(std::find(patch["consumes"].begin(), patch["consumes"].end(),
                      "application/strategic-merge-patch+json"),
            patch["consumes"].end());
  bool found = false;
  for (const auto& p : patch["parameters"]) {
    if (p["name"] == "fieldValidation" && p["in"] == "query") found = true;
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(doc["paths"].contains("/api/v1/namespaces/{namespace}/configmaps/{name}"));
}

// A minimal protobuf reader: the fields of one message.
struct ProtoField {
  int number = 0;
  int wire = 0;
  uint64_t varint = 0;
  std::string bytes;
};

bool ReadVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

std::vector<ProtoField> Fields(std::string_view in) {
  std::vector<ProtoField> out;
  while (!in.empty()) {
    uint64_t key;
    if (!ReadVarint(in, key)) {
      ADD_FAILURE() << "bad key";
      return out;
    }
    ProtoField f;
    f.number = static_cast<int>(key >> 3);
    f.wire = static_cast<int>(key & 7);
    if (f.wire == 0) {
      EXPECT_TRUE(ReadVarint(in, f.varint));
    } else if (f.wire == 2) {
      uint64_t len;
      EXPECT_TRUE(ReadVarint(in, len));
      if (len > in.size()) {
        ADD_FAILURE() << "length past end";
        return out;
      }
      f.bytes = std::string(in.substr(0, len));
      in.remove_prefix(len);
    } else if (f.wire == 1) {
      if (in.size() < 8) {
        ADD_FAILURE() << "fixed64 past end";
        return out;
      }
      in.remove_prefix(8);
    } else {
      ADD_FAILURE() << "wire type " << f.wire;
      return out;
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> All(std::string_view msg, int number) {
  std::vector<std::string> out;
  for (auto& f : Fields(msg)) {
    if (f.number == number) out.push_back(f.bytes);
  }
  return out;
}

std::string One(std::string_view msg, int number) {
  auto all = All(msg, number);
  return all.empty() ? "" : all.back();
}

// The value of the Named* entry (name = 1, value = 2) called `name` among fields `number`.
std::string Named(std::string_view msg, int number, const std::string& name) {
  for (const auto& entry : All(msg, number)) {
    if (One(entry, 1) == name) return One(entry, 2);
  }
  return "";
}

TEST_F(OpenApiTest, V2ProtobufDecodesToTheDocument) {
  const std::string& pb = v2_->ProtobufDocument().body;
  ASSERT_FALSE(pb.empty());
  EXPECT_EQ(One(pb, 1), "2.0");                 // swagger
  EXPECT_EQ(One(One(pb, 2), 1), "Kubernetes");  // info.title
  std::string definitions = One(pb, 9);
  std::string dep = Named(definitions, 1, "io.k8s.api.apps.v1.Deployment");
  ASSERT_FALSE(dep.empty());
  EXPECT_EQ(One(One(dep, 22), 1), "object");                                    // type
  std::string gvk = One(Named(dep, 31, "x-kubernetes-group-version-kind"), 2);  // Any.yaml
  EXPECT_EQ(Json::parse(gvk),
            Json::parse(R"([{"group":"apps","kind":"Deployment","version":"v1"}])"));
  std::string spec = Named(One(dep, 25), 1, "spec");
  EXPECT_EQ(One(spec, 1), "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");  // _ref
  EXPECT_FALSE(One(spec, 4).empty());                                          // description
  std::string pod_spec = Named(definitions, 1, "io.k8s.api.core.v1.PodSpec");
  std::string containers = Named(One(pod_spec, 25), 1, "containers");
  EXPECT_EQ(One(Named(containers, 31, "x-kubernetes-patch-merge-key"), 2), "\"name\"");
  EXPECT_EQ(One(One(containers, 23), 1).empty(), false);  // items.schema[0]

  std::string path_item =
      Named(One(pb, 8), 2, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
  ASSERT_FALSE(path_item.empty());
  std::string patch = One(path_item, 8);
  ASSERT_FALSE(patch.empty());
  auto consumes = All(patch, 7);
  EXPECT_NE(std::find(consumes.begin(), consumes.end(), "application/strategic-merge-patch+json"),
            consumes.end());
  EXPECT_EQ(Json::parse(One(Named(patch, 13, "x-kubernetes-group-version-kind"), 2)),
            (Json{{"group", "apps"}, {"kind", "Deployment"}, {"version", "v1"}}));
  // parameters: ParametersItem.parameter.non_body_parameter.query_parameter_sub_schema.name,
  // the exact chain cli-runtime's v2 query-param verifier reads.
  bool found = false;
  for (const auto& item : All(patch, 8)) {
    std::string query = One(One(One(item, 1), 2), 3);
    if (One(query, 4) == "fieldValidation") found = true;
  }
  EXPECT_TRUE(found);
  // responses["200"].schema.schema._ref
  std::string ok = Named(One(patch, 9), 1, "200");
  EXPECT_EQ(One(One(One(One(ok, 1), 2), 1), 1), "#/definitions/io.k8s.api.apps.v1.Deployment");
}

TEST(OpenApiProtoTest, EncodesSmallDocumentAndRejectsUnknownShapes) {
  Json doc = Json::parse(R"({"swagger":"2.0","info":{"title":"T","version":"v"},
    "definitions":{"A":{"type":"object","required":["x"],"properties":{
      "x":{"type":"integer","format":"int32","default":0,"enum":[1,2]},
      "m":{"type":"object","additionalProperties":false}}}}})");
  auto pb = EncodeOpenApiV2Protobuf(doc);
  ASSERT_TRUE(pb.ok()) << pb.status().message();
  std::string a = Named(One(*pb, 9), 1, "A");
  EXPECT_EQ(One(a, 19), "x");
  std::string x = Named(One(a, 25), 1, "x");
  EXPECT_EQ(One(x, 2), "int32");
  EXPECT_EQ(One(One(x, 5), 2), "0");
  EXPECT_EQ(All(x, 20).size(), 2u);
  std::string m = Named(One(a, 25), 1, "m");
  auto additional = Fields(One(m, 21));
  ASSERT_EQ(additional.size(), 1u);  // AdditionalPropertiesItem.boolean = false, written
  EXPECT_EQ(additional[0].number, 2);
  EXPECT_EQ(additional[0].varint, 0u);

  EXPECT_FALSE(EncodeOpenApiV2Protobuf(Json::array()).ok());
  EXPECT_FALSE(EncodeOpenApiV2Protobuf(Json::parse(R"({"definitions":{"A":{"oneOf":[]}}})")).ok());
  EXPECT_FALSE(EncodeOpenApiV2Protobuf(Json::parse(R"({"definitions":{"A":{"type":3}}})")).ok());
  EXPECT_FALSE(EncodeOpenApiV2Protobuf(Json::parse(R"({"nope":1})")).ok());
  EXPECT_FALSE(
      EncodeOpenApiV2Protobuf(
          Json::parse(R"({"paths":{"/a":{"get":{"parameters":[{"in":"formData","name":"f"}]}}}})"))
          .ok());
  EXPECT_FALSE(EncodeOpenApiV2Protobuf(Json::parse(R"({"paths":{"/a":{"trace":{}}}})")).ok());
}

// ---- HTTP ----

HttpRequest Get(const std::string& path, const std::string& accept = "") {
  HttpRequest r;
  r.method = "GET";
  r.target = path;
  EXPECT_TRUE(ParseTarget(r).ok());
  if (!accept.empty()) r.headers["Accept"] = accept;
  return r;
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST_F(OpenApiTest, ServesV2AsKubectlAsksForIt) {
  HttpResponse pb = ServeOpenApi(
      *v3_, *v2_, Get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"));
  EXPECT_EQ(pb.status, 200);
  EXPECT_EQ(HeaderOf(pb, "Content-Type"),
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  EXPECT_EQ(pb.body, v2_->ProtobufDocument().body);
  EXPECT_EQ(HeaderOf(pb, "Etag"), "\"" + v2_->ProtobufDocument().hash + "\"");
  HttpResponse pb2 = ServeOpenApi(
      *v3_, *v2_, Get("/openapi/v2", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"));
  EXPECT_EQ(pb2.body, pb.body);

  HttpResponse js = ServeOpenApi(*v3_, *v2_, Get("/openapi/v2", "application/json"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(HeaderOf(js, "Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(js.body)["swagger"], "2.0");
  EXPECT_EQ(ServeOpenApi(*v3_, *v2_, Get("/openapi/v2")).body, js.body);  // no Accept: JSON
  // q values order the choice.
  HttpResponse q = ServeOpenApi(
      *v3_, *v2_,
      Get("/openapi/v2",
          "application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf"));
  EXPECT_EQ(q.body, pb.body);

  EXPECT_EQ(ServeOpenApi(*v3_, *v2_, Get("/openapi/v2", "text/html")).status, 406);
  HttpRequest cached = Get("/openapi/v2", "application/json");
  cached.headers["If-None-Match"] = HeaderOf(js, "Etag");
  HttpResponse not_modified = ServeOpenApi(*v3_, *v2_, cached);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  HttpRequest post = Get("/openapi/v2");
  post.method = "POST";
  EXPECT_EQ(ServeOpenApi(*v3_, *v2_, post).status, 405);
  EXPECT_EQ(ServeOpenApi(*v3_, *v2_, Get("/openapi/v4")).status, 404);
}

TEST_F(OpenApiTest, ServesV3WithHashesAndNegotiation) {
  HttpResponse index = ServeOpenApi(*v3_, *v2_, Get("/openapi/v3", "application/json, */*"));
  ASSERT_EQ(index.status, 200);
  std::string url = Json::parse(index.body)["paths"]["apis/apps/v1"]["serverRelativeURL"];
  HttpResponse doc = ServeOpenApi(*v3_, *v2_, Get(url, "application/json"));
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(HeaderOf(doc, "Cache-Control"), "public, immutable");
  EXPECT_EQ(HeaderOf(doc, "Etag"), "\"" + v3_->Find("apis/apps/v1")->hash + "\"");
  HttpResponse unhashed = ServeOpenApi(*v3_, *v2_, Get("/openapi/v3/apis/apps/v1"));
  EXPECT_EQ(unhashed.status, 200);
  EXPECT_EQ(HeaderOf(unhashed, "Cache-Control"), "no-cache, private");
  HttpResponse stale = ServeOpenApi(*v3_, *v2_, Get("/openapi/v3/apis/apps/v1?hash=ABC"));
  EXPECT_EQ(stale.status, 301);
  EXPECT_EQ(HeaderOf(stale, "Location"), url);
  EXPECT_EQ(ServeOpenApi(*v3_, *v2_, Get("/openapi/v3/apis/nope/v1")).status, 404);
  EXPECT_EQ(ServeOpenApi(*v3_, *v2_, Get("/openapi/v3/apis/apps/v1", "text/html")).status, 406);
}

}  // namespace
}  // namespace minik
