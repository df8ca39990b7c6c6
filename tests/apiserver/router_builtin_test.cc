// The router over the real registry, built-in kinds and schemas (no HTTP, no TLS): what
// kubectl's requests meet end to end inside the process.
#include <gtest/gtest.h>
#include <set>

#include "api/fake_clock.h"
#include "apiserver/apiserver.h"
#include "apiserver/registry.h"
#include "apiserver/router.h"
#include "store/store.h"

namespace minik {
namespace {

class RouterBuiltinTest : public ::testing::Test {
 protected:
  RouterBuiltinTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    registry_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    config_.external_address = "127.0.0.1:8443";
    router_ = NewRouter(*registry_, resources_, BuiltinSchemas(), clock_, nullptr, config_);
    Json ns{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "default"}}}};
    auto created = registry_->Create({"", "v1", "namespaces"}, "", ns);
    EXPECT_TRUE(created.ok()) << created.status().message();
  }

  HttpResponse Do(const std::string& method, const std::string& path,
                  std::multimap<std::string, std::string> query = {}, const std::string& body = "",
                  std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.target = path;
    r.query = std::move(query);
    r.body = body;
    for (auto& [k, v] : headers) r.headers[k] = v;
    PeerCertificate cert;
    cert.common_name = "admin";
    cert.organizations = {"system:masters"};
    r.client_cert = cert;
    return router_->Handle(r);
  }
  static Json Body(const HttpResponse& r) { return Json::parse(r.body); }

  ResourceRegistry resources_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> registry_;
  ApiServerConfig config_;
  std::unique_ptr<HttpHandler> router_;
};

constexpr const char* kTableAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
    "g=meta.k8s.io,application/json";

TEST_F(RouterBuiltinTest, DiscoveryHasScaleAndEveryEntryHasResponseKind) {
  HttpResponse r = Do("GET", "/apis", {},
                      "", {{"Accept", "application/json;g=apidiscovery.k8s.io;v=v2;"
                                      "as=APIGroupDiscoveryList,application/json"}});
  ASSERT_EQ(r.status, 200);
  Json list = Body(r);
  bool scale = false;
  for (const auto& group : list["items"]) {
    for (const auto& version : group["versions"]) {
      for (const auto& res : version["resources"]) {
        EXPECT_TRUE(res.contains("responseKind")) << res["resource"];
        for (const auto& sub : res.value("subresources", Json::array())) {
          EXPECT_FALSE(sub["responseKind"]["kind"].get<std::string>().empty())
              << res["resource"] << "/" << sub["subresource"];
          if (res["resource"] == "deployments" && sub["subresource"] == "scale") {
            scale = sub["responseKind"] ==
                    Json({{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}});
          }
        }
      }
    }
  }
  EXPECT_TRUE(scale);
  HttpResponse core = Do("GET", "/api/v1");
  ASSERT_EQ(core.status, 200);
  EXPECT_EQ(Body(core)["groupVersion"], "v1");
}

TEST_F(RouterBuiltinTest, OpenApiCoversEveryServedGroupVersion) {
  Json index = Body(Do("GET", "/openapi/v3"));
  for (const auto& [group, versions] : resources_.Groups()) {
    for (const auto& v : versions) {
      std::string key = group.empty() ? "api/" + v : "apis/" + group + "/" + v;
      ASSERT_TRUE(index["paths"].contains(key)) << key;
    }
  }
}

TEST_F(RouterBuiltinTest, CreateGetTableDelete) {
  HttpResponse created =
      Do("POST", "/api/v1/namespaces/default/configmaps", {{"fieldValidation", "Strict"}},
         R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{"a":"b"}})",
         {{"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Body(created)["metadata"]["namespace"], "default");

  HttpResponse table = Do("GET", "/api/v1/namespaces/default/configmaps", {{"limit", "500"}}, "",
                          {{"Accept", kTableAccept}});
  ASSERT_EQ(table.status, 200) << table.body;
  Json t = Body(table);
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["columnDefinitions"][0]["name"], "Name");
  ASSERT_EQ(t["rows"].size(), 1u);
  EXPECT_EQ(t["rows"][0]["cells"][0], "c1");
  EXPECT_EQ(t["rows"][0]["object"]["metadata"]["name"], "c1");
  EXPECT_FALSE(t["metadata"]["resourceVersion"].get<std::string>().empty());

  HttpResponse deleted = Do("DELETE", "/api/v1/namespaces/default/configmaps/c1", {},
                            R"({"propagationPolicy":"Background"})",
                            {{"Content-Type", "application/json"}});
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  HttpResponse gone = Do("GET", "/api/v1/namespaces/default/configmaps/c1");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Body(gone)["message"], "configmaps \"c1\" not found");
}

TEST_F(RouterBuiltinTest, StrictRejectsUnknownDeploymentField) {
  std::string body = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
    "spec":{"replicaz":2,"selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"nginx","imagee":"x"}]}}}})";
  HttpResponse r = Do("POST", "/apis/apps/v1/namespaces/default/deployments",
                      {{"fieldValidation", "Strict"}}, body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 400) << r.body;
  std::string msg = Body(r)["message"];
  EXPECT_EQ(msg.rfind("Deployment in version \"v1\" cannot be handled as a Deployment: strict "
                      "decoding error: ",
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find("unknown field \"spec.replicaz\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown field \"spec.template.spec.containers[0].imagee\""),
            std::string::npos)
      << msg;
}

// Protobuf wire helpers: enough to build what `kubectl create configmap` (1.32) sends.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
std::string Bytes(int field, const std::string& value) {
  return Varint(static_cast<uint64_t>(field) << 3 | 2) + Varint(value.size()) + value;
}

TEST_F(RouterBuiltinTest, ProtobufCreateAsKubectlSends) {
  std::string meta = Bytes(1, "pb") + Bytes(3, "default");
  std::string entry = Bytes(1, "k") + Bytes(2, "v");
  std::string raw = Bytes(1, meta) + Bytes(2, entry);
  std::string type_meta = Bytes(1, "v1") + Bytes(2, "ConfigMap");
  std::string body = std::string("k8s\0", 4) + Bytes(1, type_meta) + Bytes(2, raw);
  HttpResponse r = Do("POST", "/api/v1/namespaces/default/configmaps",
                      {{"fieldManager", "kubectl-create"}, {"fieldValidation", "Strict"}}, body,
                      {{"Content-Type", "application/vnd.kubernetes.protobuf"},
                       {"Accept", "application/vnd.kubernetes.protobuf,application/json"}});
  ASSERT_EQ(r.status, 201) << r.body;
  Json j = Body(r);
  EXPECT_EQ(j["kind"], "ConfigMap");
  EXPECT_EQ(j["metadata"]["name"], "pb");
  EXPECT_EQ(j["data"]["k"], "v");

  HttpResponse junk = Do("POST", "/api/v1/namespaces/default/configmaps", {}, "k8s\0\x0a\xff",
                         {{"Content-Type", "application/vnd.kubernetes.protobuf"}});
  EXPECT_EQ(junk.status, 400) << junk.body;
}

// kubectl drain (1.32) posts the Eviction as protobuf to pods/NAME/eviction.
TEST_F(RouterBuiltinTest, ProtobufEvictionAsKubectlDrainSends) {
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/pods", {},
               R"({"metadata":{"name":"ev"},"spec":{"containers":[{"name":"c","image":"busybox"}]}})")
                .status,
            201);
  std::string raw = Bytes(1, Bytes(1, "ev") + Bytes(3, "default"));
  std::string type_meta = Bytes(1, "policy/v1") + Bytes(2, "Eviction");
  std::string body = std::string("k8s\0", 4) + Bytes(1, type_meta) + Bytes(2, raw);
  HttpResponse r = Do("POST", "/api/v1/namespaces/default/pods/ev/eviction", {}, body,
                      {{"Content-Type", "application/vnd.kubernetes.protobuf"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["status"], "Success") << r.body;
  HttpResponse gone = Do("GET", "/api/v1/namespaces/default/pods/ev");
  EXPECT_TRUE(gone.status == 404 || Body(gone)["metadata"].contains("deletionTimestamp"))
      << gone.body;

  // The wrong kind in the envelope is a 400, and nothing is evicted.
  std::string wrong = std::string("k8s\0", 4) + Bytes(1, Bytes(1, "v1") + Bytes(2, "ConfigMap")) +
                      Bytes(2, raw);
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/pods/ev/eviction", {}, wrong,
               {{"Content-Type", "application/vnd.kubernetes.protobuf"}})
                .status,
            400);
}

TEST_F(RouterBuiltinTest, ReviewKindsAreDiscoverable) {
  HttpResponse authz = Do("GET", "/apis/authorization.k8s.io/v1");
  ASSERT_EQ(authz.status, 200) << authz.body;
  std::set<std::string> names;
  Json list = Body(authz);
  for (const Json& r : list["resources"]) {
    names.insert(r["name"].get<std::string>());
    EXPECT_EQ(r["verbs"], Json({"create"}));
  }
  EXPECT_EQ(names, (std::set<std::string>{"localsubjectaccessreviews", "selfsubjectaccessreviews",
                                          "selfsubjectrulesreviews", "subjectaccessreviews"}));
  EXPECT_EQ(Do("GET", "/apis/authentication.k8s.io/v1").status, 200);
}

TEST_F(RouterBuiltinTest, WatchReplaysExistingObjects) {
  ASSERT_EQ(Do("POST", "/api/v1/namespaces/default/configmaps", {},
               R"({"metadata":{"name":"w1"}})")
                .status,
            201);
  HttpResponse r = Do("GET", "/api/v1/namespaces/default/configmaps",
                      {{"watch", "true"}, {"resourceVersion", "0"}, {"timeoutSeconds", "5"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.stream);
  std::mutex mu;
  std::condition_variable cv;
  bool notified = false;
  r.stream->SetNotify([&] {
    std::lock_guard<std::mutex> lock(mu);
    notified = true;
    cv.notify_all();
  });
  std::string out;
  for (int i = 0; i < 50 && out.empty(); ++i) {
    ASSERT_TRUE(r.stream->Pull(out));
    if (!out.empty()) break;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return notified; });
    notified = false;
  }
  ASSERT_FALSE(out.empty());
  Json event = Json::parse(out.substr(0, out.find('\n')));
  EXPECT_EQ(event["type"], "ADDED");
  EXPECT_EQ(event["object"]["metadata"]["name"], "w1");
  r.stream->Cancel();
}

TEST_F(RouterBuiltinTest, NewApiServerLocalClient) {
  ApiServerConfig config;
  config.http.port = 0;
  auto server = NewApiServer(*store_, resources_, BuiltinSchemas(), clock_, nullptr, config);
  Json cm{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "local"}}}};
  auto created = server->LocalClient().Create({"", "v1", "configmaps"}, "default", cm);
  ASSERT_TRUE(created.ok()) << created.status().message();
  auto got = server->LocalClient().Get({"", "v1", "configmaps"}, "default", "local");
  ASSERT_TRUE(got.ok());
}

}  // namespace
}  // namespace minik
