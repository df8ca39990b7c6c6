#include "apiserver/router.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "api/fake_clock.h"
#include "apiserver/authz.h"
#include "router_test_util.h"

namespace minik {
namespace {

using testing::FakeClient;

class FakeTokens : public TokenAuthenticator {
 public:
  std::optional<UserInfo> AuthenticateToken(const std::string& token) override {
    if (token != "good-token") return std::nullopt;
    UserInfo u;
    u.name = "system:serviceaccount:default:sa";
    u.uid = "uid-1";
    u.groups = {"system:serviceaccounts", "system:masters"};
    return u;
  }
};

PeerCertificate Cert(const std::string& cn, std::vector<std::string> orgs) {
  PeerCertificate c;
  c.common_name = cn;
  c.organizations = std::move(orgs);
  c.sha256_hex = "ab12";
  return c;
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

std::vector<std::string> HeadersOf(const HttpResponse& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) {
    if (k == name) out.push_back(v);
  }
  return out;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : client_(resources_) {
    testing::AddTestResources(resources_);
    testing::AddTestSchemas(schemas_);
    config_.external_address = "127.0.0.1:8443";
    router_ = NewRouter(client_, resources_, schemas_, clock_, &tokens_, config_);
    admin_ = Cert("admin", {"system:masters"});
  }

  HttpRequest Request(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      size_t start = 0;
      while (start <= rest.size()) {
        size_t amp = rest.find('&', start);
        std::string kv = rest.substr(start, amp == std::string::npos ? std::string::npos
                                                                     : amp - start);
        auto eq = kv.find('=');
        if (!kv.empty()) {
          r.query.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
        }
        if (amp == std::string::npos) break;
        start = amp + 1;
      }
    }
    for (auto& [k, v] : headers) r.headers[k] = v;
    r.body = body;
    r.client_cert = admin_;
    return r;
  }

  HttpResponse Do(HttpRequest r) { return router_->Handle(r); }
  HttpResponse Do(const std::string& method, const std::string& target,
                  const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return Do(Request(method, target, body, std::move(headers)));
  }
  static Json Body(const HttpResponse& r) { return Json::parse(r.body); }

  void PutConfigMap(const std::string& name) {
    client_.Put({"", "v1", "configmaps"}, "default",
                Json{{"kind", "ConfigMap"},
                     {"apiVersion", "v1"},
                     {"metadata",
                      {{"name", name},
                       {"namespace", "default"},
                       {"resourceVersion", "3"},
                       {"creationTimestamp", "2024-12-31T23:59:00Z"}}},
                     {"data", {{"a", "1"}}}});
  }

  ResourceRegistry resources_;
  SchemaRegistry schemas_;
  FakeClock clock_;
  FakeTokens tokens_;
  ApiServerConfig config_;
  FakeClient client_;
  std::unique_ptr<HttpHandler> router_;
  PeerCertificate admin_;
};

constexpr const char* kTableAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
    "g=meta.k8s.io,application/json";

// ---- authentication and authorization ----

TEST_F(RouterTest, AnonymousOnlyOnPublicPaths) {
  auto req = Request("GET", "/api/v1/namespaces/default/configmaps");
  req.client_cert.reset();
  HttpResponse r = Do(req);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["reason"], "Unauthorized");
  EXPECT_EQ(Body(r)["message"], "Unauthorized");

  for (const char* path : {"/healthz", "/livez", "/readyz", "/version", "/healthz/ping"}) {
    auto pub = Request("GET", path);
    pub.client_cert.reset();
    EXPECT_EQ(Do(pub).status, 200) << path;
  }
  auto apis = Request("GET", "/apis");
  apis.client_cert.reset();
  EXPECT_EQ(Do(apis).status, 401);
}

TEST_F(RouterTest, InvalidCredentialsAre401Everywhere) {
  auto bad_token = Request("GET", "/healthz", "", {{"Authorization", "Bearer nope"}});
  bad_token.client_cert.reset();
  EXPECT_EQ(Do(bad_token).status, 401);

  auto empty_cn = Request("GET", "/api");
  empty_cn.client_cert = Cert("", {"system:masters"});
  EXPECT_EQ(Do(empty_cn).status, 401);

  auto no_client_auth = Request("GET", "/api");
  no_client_auth.client_cert->client_auth_usage = false;
  EXPECT_EQ(Do(no_client_auth).status, 401);
}

TEST_F(RouterTest, BearerToken) {
  auto req = Request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "\x6b\x38",
                     {{"Authorization", "Bearer good-token"},
                      {"Content-Type", "application/vnd.kubernetes.protobuf"}});
  req.client_cert.reset();
  HttpResponse r = Do(req);
  ASSERT_EQ(r.status, 201) << r.body;
  Json j = Body(r);
  EXPECT_EQ(j["kind"], "SelfSubjectReview");
  EXPECT_EQ(j["apiVersion"], "authentication.k8s.io/v1");
  EXPECT_EQ(j["status"]["userInfo"]["username"], "system:serviceaccount:default:sa");
  EXPECT_EQ(j["status"]["userInfo"]["uid"], "uid-1");
  EXPECT_EQ(j["status"]["userInfo"]["groups"].back(), "system:authenticated");
}

TEST_F(RouterTest, WhoAmIFromCertificate) {
  auto req = Request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "{}");
  req.client_cert = Cert("alice", {"devs", "system:masters"});
  HttpResponse r = Do(req);
  ASSERT_EQ(r.status, 201);
  Json info = Body(r)["status"]["userInfo"];
  EXPECT_EQ(info["username"], "alice");
  EXPECT_EQ(info["groups"], Json::array({"devs", "system:masters", "system:authenticated"}));
  EXPECT_EQ(info["extra"]["authentication.kubernetes.io/credential-id"],
            Json::array({"X509SHA256=ab12"}));
  EXPECT_FALSE(info.contains("uid"));
}

TEST_F(RouterTest, NonMastersAreForbiddenButMayDiscover) {
  auto list = Request("GET", "/api/v1/namespaces/default/configmaps");
  list.client_cert = Cert("alice", {"devs"});
  HttpResponse r = Do(list);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["reason"], "Forbidden");
  EXPECT_EQ(Body(r)["message"],
            "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API "
            "group \"\" in the namespace \"default\"");

  auto get = Request("GET", "/apis/apps/v1/namespaces/ns/deployments/web/scale");
  get.client_cert = Cert("alice", {"devs"});
  EXPECT_EQ(Body(Do(get))["message"],
            "deployments.apps \"web\" is forbidden: User \"alice\" cannot get resource "
            "\"deployments/scale\" in API group \"apps\" in the namespace \"ns\"");

  auto nodes = Request("GET", "/api/v1/namespaces");
  nodes.client_cert = Cert("alice", {"devs"});
  EXPECT_EQ(Body(Do(nodes))["message"],
            "namespaces is forbidden: User \"alice\" cannot list resource \"namespaces\" in API "
            "group \"\" at the cluster scope");

  for (const char* path : {"/api", "/apis", "/api/v1", "/openapi/v3", "/version"}) {
    auto d = Request("GET", path);
    d.client_cert = Cert("alice", {"devs"});
    EXPECT_EQ(Do(d).status, 200) << path;
  }
  auto whoami = Request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "{}");
  whoami.client_cert = Cert("alice", {"devs"});
  EXPECT_EQ(Do(whoami).status, 201);
}

TEST_F(RouterTest, SelfSubjectAccessReview) {
  std::string can_list =
      R"({"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1",)"
      R"("spec":{"resourceAttributes":{"namespace":"default","verb":"list","resource":"pods"}}})";
  auto alice = Request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                       can_list, {{"Content-Type", "application/json"}});
  alice.client_cert = Cert("alice", {"devs"});
  HttpResponse no = Do(alice);
  ASSERT_EQ(no.status, 201) << no.body;
  EXPECT_EQ(Body(no)["status"]["allowed"], false);
  EXPECT_EQ(Body(no)["spec"]["resourceAttributes"]["verb"], "list");

  HttpResponse yes = Do("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                        can_list, {{"Content-Type", "application/json"}});
  EXPECT_EQ(Body(yes)["status"]["allowed"], true);

  auto path = Request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                      R"({"spec":{"nonResourceAttributes":{"path":"/apis","verb":"get"}}})");
  path.client_cert = Cert("alice", {"devs"});
  EXPECT_EQ(Body(Do(path))["status"]["allowed"], true);

  HttpResponse invalid = Do("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                            R"({"spec":{}})");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(Do("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").status, 405);
}

TEST_F(RouterTest, SelfSubjectRulesReview) {
  std::string in_default =
      R"({"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1",)"
      R"("spec":{"namespace":"default"}})";
  // The admin (system:masters) holds cluster-admin's wildcard rules first.
  HttpResponse admin = Do("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                          in_default, {{"Content-Type", "application/json"}});
  ASSERT_EQ(admin.status, 201) << admin.body;
  Json rules = Body(admin)["status"];
  EXPECT_EQ(rules["incomplete"], false);
  EXPECT_EQ(rules["resourceRules"][0]["resources"], Json({"*"}));
  EXPECT_EQ(rules["nonResourceRules"][0]["nonResourceURLs"], Json({"*"}));

  // Everyone else gets only the basic-user and discovery rules.
  auto alice = Request("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                       in_default, {{"Content-Type", "application/json"}});
  alice.client_cert = Cert("alice", {"devs"});
  HttpResponse mine = Do(alice);
  ASSERT_EQ(mine.status, 201) << mine.body;
  Json mine_body = Body(mine);  // a named copy: range-for over a temporary's member dangles
  for (const Json& r : mine_body["status"]["resourceRules"]) {
    EXPECT_EQ(r["verbs"], Json({"create"}));
    EXPECT_NE(r["resources"][0], "*");
  }

  HttpResponse no_ns = Do("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                          R"({"spec":{}})", {{"Content-Type", "application/json"}});
  EXPECT_EQ(no_ns.status, 400);
  EXPECT_EQ(Body(no_ns)["message"], "no namespace on request");
  EXPECT_EQ(Do("GET", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews").status, 405);
}

TEST_F(RouterTest, SubjectAccessReviews) {
  const std::string sar = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
  // For another user: the masters group may do anything, alice may not list pods.
  HttpResponse masters = Do("POST", sar,
      R"({"spec":{"groups":["system:masters"],"resourceAttributes":{"verb":"delete","resource":"nodes"}}})");
  ASSERT_EQ(masters.status, 201) << masters.body;
  EXPECT_EQ(Body(masters)["kind"], "SubjectAccessReview");
  EXPECT_EQ(Body(masters)["status"]["allowed"], true);
  HttpResponse alice = Do("POST", sar,
      R"({"spec":{"user":"alice","resourceAttributes":{"namespace":"default","verb":"list","resource":"pods"}}})");
  EXPECT_EQ(Body(alice)["status"]["allowed"], false) << alice.body;

  // Upstream's validation: a subject, exactly one attribute kind, empty metadata.
  HttpResponse nobody = Do("POST", sar, R"({"spec":{"resourceAttributes":{"verb":"get"}}})");
  EXPECT_EQ(nobody.status, 422);
  EXPECT_EQ(Body(nobody)["details"]["causes"][0]["field"], "spec.user") << nobody.body;
  HttpResponse both = Do("POST", sar,
      R"({"spec":{"user":"a","resourceAttributes":{},"nonResourceAttributes":{}}})");
  EXPECT_EQ(Body(both)["details"]["causes"][0]["field"], "spec.nonResourceAttributes");
  HttpResponse named = Do("POST", sar,
      R"({"metadata":{"name":"x"},"spec":{"user":"a","resourceAttributes":{}}})");
  EXPECT_EQ(named.status, 422);
  EXPECT_NE(Body(named)["message"].get<std::string>().find("metadata: Invalid value"),
            std::string::npos) << named.body;

  // The namespaced kind: in the URL's namespace, resource attributes only.
  const std::string local =
      "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews";
  HttpResponse ok = Do("POST", local,
      R"({"metadata":{"namespace":"default"},"spec":{"groups":["system:masters"],)"
      R"("resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(Body(ok)["kind"], "LocalSubjectAccessReview");
  EXPECT_EQ(Body(ok)["status"]["allowed"], true);
  HttpResponse other_ns = Do("POST", local,
      R"({"metadata":{"namespace":"default"},"spec":{"user":"a",)"
      R"("resourceAttributes":{"namespace":"kube-system","verb":"get"}}})");
  EXPECT_EQ(Body(other_ns)["details"]["causes"][0]["field"], "spec.resourceAttributes.namespace")
      << other_ns.body;
  HttpResponse url_mismatch = Do("POST", local,
      R"({"metadata":{"namespace":"x"},"spec":{"user":"a","resourceAttributes":{"namespace":"x"}}})");
  EXPECT_EQ(url_mismatch.status, 400) << url_mismatch.body;
  HttpResponse non = Do("POST", local,
      R"({"metadata":{"namespace":"default"},"spec":{"user":"a","nonResourceAttributes":{"path":"/"}}})");
  EXPECT_EQ(Body(non)["details"]["causes"][0]["field"], "spec.nonResourceAttributes");
  // The cluster-scoped kind has no namespaced path and vice versa.
  EXPECT_EQ(Do("POST", "/apis/authorization.k8s.io/v1/namespaces/default/subjectaccessreviews",
               R"({})").status, 404);
  EXPECT_EQ(Do("POST", "/apis/authorization.k8s.io/v1/localsubjectaccessreviews", R"({})").status,
            404);
  EXPECT_EQ(Do("GET", sar).status, 405);
}

TEST_F(RouterTest, TokenReview) {
  const std::string path = "/apis/authentication.k8s.io/v1/tokenreviews";
  HttpResponse good = Do("POST", path, R"({"spec":{"token":"good-token"}})");
  ASSERT_EQ(good.status, 201) << good.body;
  EXPECT_EQ(Body(good)["kind"], "TokenReview");
  EXPECT_EQ(Body(good)["status"]["authenticated"], true);
  EXPECT_FALSE(Body(good)["status"]["user"]["username"].get<std::string>().empty());
  HttpResponse bad = Do("POST", path, R"({"spec":{"token":"nope"}})");
  ASSERT_EQ(bad.status, 201) << bad.body;
  EXPECT_EQ(Body(bad)["status"]["authenticated"], false);
  EXPECT_EQ(Do("POST", path, R"({"spec":{}})").status, 400);
  EXPECT_EQ(Do("POST", path, R"({"spec":{"token":"good-token","audiences":["x"]}})").status, 501);
  EXPECT_EQ(Do("POST", path, "{not json").status, 400);
}

TEST_F(RouterTest, Impersonation) {
  const std::string whoami = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  // The admin (system:masters) may impersonate anyone: the request then acts as them.
  HttpResponse as_alice = Do("POST", whoami, "{}", {{"Impersonate-User", "alice"}});
  ASSERT_EQ(as_alice.status, 201) << as_alice.body;
  EXPECT_EQ(Body(as_alice)["status"]["userInfo"],
            Json::parse(R"({"username":"alice","groups":["system:authenticated"]})"));
  HttpResponse denied = Do("GET", "/api/v1/namespaces/default/configmaps", "",
                           {{"Impersonate-User", "alice"}});
  EXPECT_EQ(denied.status, 403) << denied.body;

  HttpResponse grouped = Do("POST", whoami, "{}",
                            {{"Impersonate-User", "bob"}, {"Impersonate-Group", "devs, ops"},
                             {"Impersonate-Extra-Scopes%2Fx", "a, b"}, {"Impersonate-Uid", "u1"}});
  ASSERT_EQ(grouped.status, 201) << grouped.body;
  EXPECT_EQ(Body(grouped)["status"]["userInfo"], Json::parse(R"({"username":"bob","uid":"u1",
      "groups":["devs","ops","system:authenticated"],"extra":{"scopes/x":["a","b"]}})"));

  // A service account gets its fixed groups unless groups are named.
  HttpResponse sa = Do("POST", whoami, "{}",
                       {{"Impersonate-User", "system:serviceaccount:default:builder"}});
  EXPECT_EQ(Body(sa)["status"]["userInfo"]["groups"],
            Json({"system:serviceaccounts", "system:serviceaccounts:default",
                  "system:authenticated"}));
  HttpResponse anon = Do("POST", whoami, "{}", {{"Impersonate-User", "system:anonymous"}});
  EXPECT_EQ(Body(anon)["status"]["userInfo"]["groups"], Json({"system:unauthenticated"}));

  // Groups without a user: upstream answers 500.
  EXPECT_EQ(Do("POST", whoami, "{}", {{"Impersonate-Group", "devs"}}).status, 500);

  // alice may not impersonate: 403 naming the verb and resource.
  auto alice = Request("POST", whoami, "{}", {{"Impersonate-User", "bob"}});
  alice.client_cert = Cert("alice", {"devs"});
  HttpResponse no = Do(alice);
  ASSERT_EQ(no.status, 403) << no.body;
  EXPECT_EQ(Body(no)["message"].get<std::string>().rfind(
                R"(users "bob" is forbidden: User "alice" cannot impersonate resource "users")", 0),
            0u)
      << no.body;
}

// An authorizer that lets alice read configmaps and denies the rest with a reason.
class AliceReads : public Authorizer {
 public:
  AuthzDecision Authorize(const AuthzAttributes& a) const override {
    if (a.user->name == "alice" && a.resource == "configmaps" && a.verb == "list") {
      return {true, ""};
    }
    return {false, "no rule"};
  }
};

TEST_F(RouterTest, InjectedAuthorizerDecides) {
  AliceReads authz;
  auto router = NewRouter(client_, resources_, schemas_, clock_, &tokens_, config_, authz);
  auto list = Request("GET", "/api/v1/namespaces/default/configmaps");
  list.client_cert = Cert("alice", {});
  EXPECT_EQ(router->Handle(list).status, 200);
  auto get = Request("GET", "/api/v1/namespaces/default/configmaps/c1");
  get.client_cert = Cert("alice", {});
  HttpResponse denied = router->Handle(get);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(Body(denied)["message"],
            "configmaps \"c1\" is forbidden: User \"alice\" cannot get resource \"configmaps\" "
            "in API group \"\" in the namespace \"default\": no rule");
  // Masters get no special treatment from an injected authorizer.
  auto admin = Request("GET", "/api/v1/namespaces/default/configmaps/c1");
  EXPECT_EQ(router->Handle(admin).status, 403);
}

// ---- routing errors ----

TEST_F(RouterTest, UnknownResourceIs404) {
  HttpResponse r = Do("GET", "/api/v1/namespaces/default/foos");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["reason"], "NotFound");
  EXPECT_EQ(Body(r)["message"], "the server could not find the requested resource");
  EXPECT_EQ(Do("GET", "/apis/nope/v1/things").status, 404);
  EXPECT_EQ(Do("GET", "/apis/apps/v1/namespaces/ns/deployments/web/nosuch").status, 404);
  EXPECT_EQ(Do("GET", "/apis/apps/v1/namespaces/ns/deployments/web/status/x").status, 404);
  EXPECT_EQ(Do("GET", "/nothing/here").status, 404);
  // Cluster-scoped kinds have no namespaced URLs; namespaced objects need a namespace.
  EXPECT_EQ(Do("GET", "/api/v1/namespaces/default/namespaces/x").status, 404);
  EXPECT_EQ(Do("GET", "/api/v1/configmaps/x").status, 404);
}

TEST_F(RouterTest, VerbNotServedIs405) {
  HttpResponse r = Do("DELETE", "/api/v1/namespaces");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Body(r)["reason"], "MethodNotAllowed");
  EXPECT_EQ(Body(r)["message"],
            "deletecollection is not supported on resources of kind \"namespaces\"");
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/configmaps/c1", "{}").status, 405);
  EXPECT_EQ(Do("PUT", "/api/v1/namespaces/default/configmaps", "{}").status, 405);
  EXPECT_EQ(Do("POST", "/api/v1/configmaps", "{}").status, 405);
  EXPECT_EQ(Do("OPTIONS", "/api/v1/namespaces/default/configmaps").status, 405);
  EXPECT_EQ(Do("POST", "/apis/apps/v1/namespaces/ns/deployments/web/scale", "{}").status, 405);
  EXPECT_EQ(Do("DELETE", "/apis/apps/v1/namespaces/ns/deployments/web/status").status, 405);
  EXPECT_EQ(Do("POST", "/apis", "{}").status, 405);
}

TEST_F(RouterTest, PodLogsNeedTheKubeletAndStreamsAreNotImplemented) {
  HttpResponse r = Do("GET", "/api/v1/namespaces/default/pods/p/log?container=c");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r)["reason"], "ServiceUnavailable");
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/pods/p/log").status, 405);
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/pods/p/exec?command=sh").status, 503);
  EXPECT_EQ(Do("GET", "/api/v1/namespaces/default/pods/p/proxy").status, 501);
}

// A kubelet that records what it was asked.
class FakeNode : public NodeConnector {
 public:
  StatusOr<std::string> PodLogs(const std::string& ns, const std::string& pod,
                                const PodLogOptions& options) override {
    last_ns = ns;
    last_pod = pod;
    last = options;
    if (pod == "missing") return Status(Code::kNotFound, "pods \"missing\" not found");
    return std::string("line 1\nline 2\n");
  }
  std::string last_ns, last_pod;
  PodLogOptions last;
};

TEST_F(RouterTest, PodLogsComeFromTheNode) {
  FakeNode node;
  std::atomic<NodeConnector*> slot{&node};
  ApiServerConfig config = config_;
  config.node_connector = &slot;
  auto router = NewRouter(client_, resources_, schemas_, clock_, &tokens_, config);
  auto get = [&](const std::string& target) {
    HttpRequest req = Request("GET", target, "", {});
    return router->Handle(req);
  };
  HttpResponse r = get("/api/v1/namespaces/ns1/pods/web/log?container=c&previous=true&"
                       "tailLines=5&timestamps=true&limitBytes=100");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "line 1\nline 2\n");
  EXPECT_EQ(node.last_ns, "ns1");
  EXPECT_EQ(node.last_pod, "web");
  EXPECT_EQ(node.last.container, "c");
  EXPECT_TRUE(node.last.previous);
  EXPECT_TRUE(node.last.timestamps);
  EXPECT_EQ(node.last.tail_lines, 5);
  EXPECT_EQ(node.last.limit_bytes, 100);
  EXPECT_FALSE(node.last.since_seconds.has_value());
  // Options not given stay absent (not a value read from an empty optional).
  ASSERT_EQ(get("/api/v1/namespaces/ns1/pods/web/log").status, 200);
  EXPECT_FALSE(node.last.tail_lines.has_value());
  EXPECT_FALSE(node.last.since_seconds.has_value());
  EXPECT_FALSE(node.last.limit_bytes.has_value());
  EXPECT_EQ(get("/api/v1/namespaces/ns1/pods/missing/log").status, 404);
  EXPECT_EQ(get("/api/v1/namespaces/ns1/pods/web/log?tailLines=x").status, 400);
  EXPECT_EQ(get("/api/v1/namespaces/ns1/pods/web/log?tailLines=-1").status, 422);
  EXPECT_EQ(get("/api/v1/namespaces/ns1/pods/web/log?limitBytes=0").status, 422);
  EXPECT_EQ(get("/api/v1/namespaces/ns1/pods/web/log?sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z").status,
            422);
  EXPECT_EQ(get("/api/v1/namespaces/ns1/pods/web/log?follow=true").status, 501);
}

// A node whose streams are pipes nobody writes to; records the exec request.
class FakeStreamNode : public NodeConnector {
 public:
  class Stream : public NodeStream {
   public:
    Stream() {
      if (pipe(out_) != 0) out_[0] = out_[1] = -1;
    }
    ~Stream() override {
      for (int fd : out_) if (fd >= 0) close(fd);
    }
    int stdin_fd() const override { return -1; }
    int stdout_fd() const override { return out_[0]; }
    int stderr_fd() const override { return -1; }
    void CloseStdin() override {}
    Status Resize(uint16_t, uint16_t) override { return Status::Ok(); }
    StatusOr<int> Wait(int) override { return Status(Code::kTimeout, "running"); }

   private:
    int out_[2];
  };
  StatusOr<std::string> PodLogs(const std::string&, const std::string&,
                                const PodLogOptions&) override {
    return std::string();
  }
  StatusOr<std::unique_ptr<NodeStream>> Exec(const std::string& ns, const std::string& pod,
                                             const NodeExecRequest& request) override {
    ++execs;
    last_ns = ns;
    last_pod = pod;
    last = request;
    if (request.command == std::vector<std::string>{"fail"}) {
      return Status(Code::kBadRequest, "container not found (\"main\")");
    }
    return std::unique_ptr<NodeStream>(std::make_unique<Stream>());
  }
  StatusOr<std::unique_ptr<NodeStream>> Attach(const std::string&, const std::string&,
                                               const NodeExecRequest& request) override {
    last = request;
    return std::unique_ptr<NodeStream>(std::make_unique<Stream>());
  }
  int execs = 0;
  std::string last_ns, last_pod;
  NodeExecRequest last;
};

TEST_F(RouterTest, ExecAttachAndPortForwardUpgrade) {
  FakeStreamNode node;
  std::atomic<NodeConnector*> slot{&node};
  ApiServerConfig config = config_;
  config.node_connector = &slot;
  auto router = NewRouter(client_, resources_, schemas_, clock_, &tokens_, config);
  auto pod = [](const std::string& name, std::vector<std::string> containers) {
    Json cs = Json::array();
    for (auto& c : containers) cs.push_back({{"name", c}, {"image", "busybox"}});
    return Json{{"kind", "Pod"},
                {"apiVersion", "v1"},
                {"metadata", {{"name", name}, {"namespace", "ns1"}, {"uid", "u-1"}}},
                {"spec", {{"containers", cs}}}};
  };
  client_.Put({"", "v1", "pods"}, "ns1", pod("one", {"main"}));
  client_.Put({"", "v1", "pods"}, "ns1", pod("two", {"a", "b"}));
  const std::map<std::string, std::string> ws = {
      {"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"},
      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
      {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"}};
  const std::map<std::string, std::string> spdy = {
      {"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"},
      {"X-Stream-Protocol-Version", "v4.channel.k8s.io, v3.channel.k8s.io"}};
  auto call = [&](const std::string& method, const std::string& target,
                  std::map<std::string, std::string> headers) {
    HttpRequest req = Request(method, target, "", std::move(headers));
    return router->Handle(req);
  };

  // WebSocket exec (kubectl 1.30+): 101 with the chosen subprotocol, the node was asked.
  HttpResponse r = call("GET",
                        "/api/v1/namespaces/ns1/pods/one/exec?command=sh&command=-c&command=id&"
                        "stdout=true&stderr=true",
                        ws);
  ASSERT_TRUE(r.upgrade.has_value()) << r.status << " " << r.body;
  EXPECT_EQ(r.upgrade->kind, HttpUpgrade::Kind::kWebSocket);
  EXPECT_EQ(r.upgrade->protocol, "v5.channel.k8s.io");
  EXPECT_EQ(node.last_ns, "ns1");
  EXPECT_EQ(node.last_pod, "one");
  EXPECT_EQ(node.last.container, "main");  // the only container
  EXPECT_EQ(node.last.command, (std::vector<std::string>{"sh", "-c", "id"}));
  EXPECT_TRUE(node.last.stdout);
  EXPECT_TRUE(node.last.stderr);
  EXPECT_FALSE(node.last.stdin);

  // SPDY exec (kubectl 1.27-1.29, or the fallback): raw 101 with the negotiated version.
  r = call("POST", "/api/v1/namespaces/ns1/pods/two/exec?command=true&container=b&stdin=true&tty=true&stderr=true", spdy);
  ASSERT_TRUE(r.upgrade.has_value()) << r.status << " " << r.body;
  EXPECT_EQ(r.upgrade->kind, HttpUpgrade::Kind::kRaw);
  EXPECT_EQ(HeaderOf(r, "X-Stream-Protocol-Version"), "v4.channel.k8s.io");
  EXPECT_EQ(HeaderOf(r, "Upgrade"), "SPDY/3.1");
  EXPECT_EQ(node.last.container, "b");
  EXPECT_TRUE(node.last.tty);
  EXPECT_FALSE(node.last.stderr);  // a terminal carries both

  // Attach and port-forward.
  r = call("GET", "/api/v1/namespaces/ns1/pods/one/attach?stdout=true", ws);
  ASSERT_TRUE(r.upgrade.has_value()) << r.body;
  HttpResponse pf = call("GET", "/api/v1/namespaces/ns1/pods/one/portforward",
                         {{"Connection", "Upgrade"}, {"Upgrade", "websocket"},
                          {"Sec-WebSocket-Protocol", "SPDY/3.1+portforward.k8s.io"}});
  ASSERT_TRUE(pf.upgrade.has_value()) << pf.body;
  EXPECT_EQ(pf.upgrade->protocol, "SPDY/3.1+portforward.k8s.io");
  pf = call("POST", "/api/v1/namespaces/ns1/pods/one/portforward",
            {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"},
             {"X-Stream-Protocol-Version", "portforward.k8s.io"}});
  ASSERT_TRUE(pf.upgrade.has_value()) << pf.body;
  EXPECT_EQ(HeaderOf(pf, "X-Stream-Protocol-Version"), "portforward.k8s.io");
  pf = call("GET", "/api/v1/namespaces/ns1/pods/one/portforward?ports=8080",
            {{"Connection", "Upgrade"}, {"Upgrade", "websocket"},
             {"Sec-WebSocket-Protocol", "v4.channel.k8s.io"}});
  ASSERT_TRUE(pf.upgrade.has_value()) << pf.body;
  EXPECT_EQ(pf.upgrade->protocol, "v4.channel.k8s.io");

  // Bad requests: answered before anything runs.
  int execs = node.execs;
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ns1/pods/one/exec?command=true&stdout=true", {}).status, 400);
  r = call("GET", "/api/v1/namespaces/ns1/pods/two/exec?command=true&stdout=true", ws);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("a container name must be specified for pod two, choose one of: [a b]"),
            std::string::npos) << r.body;
  r = call("GET", "/api/v1/namespaces/ns1/pods/one/exec?command=true&stdout=true&container=x", ws);
  EXPECT_NE(r.body.find("container x is not valid for pod one"), std::string::npos) << r.body;
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ns1/pods/one/exec?stdout=true", ws).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ns1/pods/one/exec?command=true", ws).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ns1/pods/nope/exec?command=true&stdout=true", ws).status, 404);
  auto bad_proto = ws;
  bad_proto["Sec-WebSocket-Protocol"] = "v9.channel.k8s.io";
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ns1/pods/one/exec?command=true&stdout=true", bad_proto).status, 403);
  auto no_version = spdy;
  no_version.erase("X-Stream-Protocol-Version");
  r = call("POST", "/api/v1/namespaces/ns1/pods/one/exec?command=true&stdout=true", no_version);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("X-Stream-Protocol-Version is required"), std::string::npos) << r.body;
  auto old_version = spdy;
  old_version["X-Stream-Protocol-Version"] = "v9.channel.k8s.io";
  r = call("POST", "/api/v1/namespaces/ns1/pods/one/exec?command=true&stdout=true", old_version);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(HeadersOf(r, "X-Accepted-Stream-Protocol-Versions").size(), 5u);
  EXPECT_EQ(node.execs, execs);
  // The node's own refusal (container not running) is the answer.
  r = call("GET", "/api/v1/namespaces/ns1/pods/one/exec?command=fail&stdout=true", ws);
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.upgrade.has_value());
  EXPECT_EQ(call("PUT", "/api/v1/namespaces/ns1/pods/one/exec?command=true", ws).status, 405);
}

TEST_F(RouterTest, StreamsPerUserAreLimited) {
  FakeStreamNode node;
  std::atomic<NodeConnector*> slot{&node};
  ApiServerConfig config = config_;
  config.node_connector = &slot;
  auto router = NewRouter(client_, resources_, schemas_, clock_, &tokens_, config);
  client_.Put({"", "v1", "pods"}, "ns1",
              Json{{"kind", "Pod"},
                   {"apiVersion", "v1"},
                   {"metadata", {{"name", "one"}, {"namespace", "ns1"}, {"uid", "u-1"}}},
                   {"spec", {{"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}});
  const std::map<std::string, std::string> ws = {
      {"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"},
      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
      {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"}};
  auto exec = [&] {
    HttpRequest req = Request("GET", "/api/v1/namespaces/ns1/pods/one/exec?command=sh&stdout=true", "", ws);
    return router->Handle(req);
  };
  std::vector<HttpResponse> open;
  for (int i = 0; i < 100; ++i) {
    open.push_back(exec());
    ASSERT_TRUE(open.back().upgrade.has_value()) << i << " " << open.back().status;
  }
  HttpResponse refused = exec();
  EXPECT_EQ(refused.status, 429);
  EXPECT_NE(refused.body.find("too many concurrent streams"), std::string::npos) << refused.body;
  EXPECT_EQ(HeaderOf(refused, "Retry-After"), "1");
  open.pop_back();  // a connection ends: its slot is free again
  EXPECT_TRUE(exec().upgrade.has_value());
}

// ---- writes ----

TEST_F(RouterTest, CreateFillsNamespaceAndReturns201) {
  HttpResponse r = Do("POST",
                      "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&"
                      "fieldValidation=Strict&timeout=10s",
                      R"({"metadata":{"name":"c1"},"data":{"a":"b"}})",
                      {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  EXPECT_EQ(client_.last_verb, "create");
  EXPECT_EQ(client_.last_ns, "default");
  EXPECT_EQ(client_.last_object["metadata"]["namespace"], "default");
  EXPECT_EQ(client_.last_object["kind"], "ConfigMap");
  EXPECT_EQ(client_.last_object["apiVersion"], "v1");
  EXPECT_EQ(client_.last_opts.field_manager, "kubectl-create");
  EXPECT_EQ(client_.last_opts.field_validation, FieldValidation::kStrict);
  EXPECT_FALSE(client_.last_opts.dry_run);

  Do("POST", "/api/v1/namespaces/default/configmaps?dryRun=All",
     R"({"metadata":{"name":"c2"}})");
  EXPECT_TRUE(client_.last_opts.dry_run);
}

TEST_F(RouterTest, CreateRejectsMismatches) {
  HttpResponse v = Do("POST", "/api/v1/namespaces/default/configmaps",
                      R"({"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"c"}})");
  EXPECT_EQ(v.status, 400);
  EXPECT_EQ(Body(v)["message"],
            "the API version in the data (apps/v1) does not match the expected API version (v1)");
  HttpResponse ns = Do("POST", "/api/v1/namespaces/default/configmaps",
                       R"({"metadata":{"name":"c","namespace":"other"}})");
  EXPECT_EQ(ns.status, 400);
  EXPECT_EQ(Body(ns)["message"],
            "the namespace of the provided object does not match the namespace sent on the "
            "request");
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":").status, 400);
  HttpResponse media = Do("POST", "/api/v1/namespaces/default/configmaps", "x",
                          {{"Content-Type", "text/plain"}});
  EXPECT_EQ(media.status, 415);
  EXPECT_EQ(Body(media)["reason"], "UnsupportedMediaType");
  EXPECT_EQ(client_.last_verb, "");  // nothing reached the registry
}

TEST_F(RouterTest, StrictFieldValidation) {
  std::string body = R"({"metadata":{"name":"c","bogus":1},"spec":{"foo":1},"data":{}})";
  HttpResponse strict =
      Do("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", body);
  ASSERT_EQ(strict.status, 400);
  EXPECT_EQ(Body(strict)["reason"], "BadRequest");
  std::string msg = Body(strict)["message"];
  EXPECT_EQ(msg.rfind("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict "
                      "decoding error: unknown field \"",
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find("unknown field \"spec\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown field \"metadata.bogus\""), std::string::npos) << msg;

  HttpResponse warn =
      Do("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn", body);
  ASSERT_EQ(warn.status, 201);
  auto warnings = HeadersOf(warn, "Warning");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(std::find(warnings.begin(), warnings.end(), "299 - \"unknown field \\\"spec\\\"\""),
            warnings.end());

  HttpResponse ignore = Do("POST",
                           "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore",
                           R"({"metadata":{"name":"c3"},"spec":{"foo":1}})");
  EXPECT_EQ(ignore.status, 201);
  EXPECT_TRUE(HeadersOf(ignore, "Warning").empty());
}

// sigs.k8s.io/json's strict decoder: repeated keys are "duplicate field" errors with the full
// path; Warn keeps the last value; Ignore says nothing.
TEST_F(RouterTest, DuplicateFields) {
  std::string body = R"({"metadata":{"name":"d1","labels":{"a":"1","a":"2"}},)"
                     R"("data":{"k":"x"},"data":{"k":"y"}})";
  HttpResponse strict =
      Do("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", body);
  ASSERT_EQ(strict.status, 400) << strict.body;
  EXPECT_EQ(Body(strict)["message"],
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding "
            "error: duplicate field \"metadata.labels.a\", duplicate field \"data\"");
  HttpResponse warn = Do("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn", body);
  ASSERT_EQ(warn.status, 201) << warn.body;
  EXPECT_EQ(HeadersOf(warn, "Warning"),
            (std::vector<std::string>{"299 - \"duplicate field \\\"metadata.labels.a\\\"\"",
                                      "299 - \"duplicate field \\\"data\\\"\""}));
  EXPECT_EQ(Body(warn)["data"]["k"], "y");
  EXPECT_EQ(Body(warn)["metadata"]["labels"]["a"], "2");
  HttpResponse ignore =
      Do("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore",
         R"({"metadata":{"name":"d2","name":"d2"}})");
  EXPECT_EQ(ignore.status, 201);
  EXPECT_TRUE(HeadersOf(ignore, "Warning").empty());

  // Inside lists the path names the element; patches are checked too.
  HttpResponse patched =
      Do("PATCH", "/api/v1/namespaces/default/configmaps/d1?fieldValidation=Strict",
         R"({"metadata":{"ownerReferences":[{"name":"a"},{"name":"b","name":"c"}]}})",
         {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(patched.status, 400) << patched.body;
  EXPECT_NE(Body(patched)["message"].get<std::string>().find(
                "duplicate field \"metadata.ownerReferences[1].name\""),
            std::string::npos)
      << patched.body;
}

TEST_F(RouterTest, RegistryWarningsBecomeHeaders) {
  client_.registry_warning = "metadata.finalizers: \"x\": prefer a domain-qualified finalizer";
  HttpResponse r = Do("POST", "/api/v1/namespaces/default/configmaps",
                      R"({"metadata":{"name":"c"}})");
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(HeadersOf(r, "Warning"),
            std::vector<std::string>({"299 - \"metadata.finalizers: \\\"x\\\": prefer a "
                                      "domain-qualified finalizer\""}));
}

TEST_F(RouterTest, YamlBody) {
  HttpResponse r = Do("POST", "/api/v1/namespaces/default/configmaps",
                      "metadata:\n  name: y\ndata:\n  k: \"1\"\n",
                      {{"Content-Type", "application/yaml"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(client_.last_object["data"]["k"], "1");
}

TEST_F(RouterTest, UpdateChecksNameAndAcceptsNoContentType) {
  PutConfigMap("c1");
  HttpResponse ok = Do("PUT", "/api/v1/namespaces/default/configmaps/c1",
                       R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c1"}})");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(client_.last_verb, "update");

  HttpResponse bad = Do("PUT", "/api/v1/namespaces/default/configmaps/c1",
                        R"({"metadata":{"name":"c2"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["message"],
            "the name of the object (c2) does not match the name on the URL (c1)");

  // kubectl scale --current-replicas: PUT .../scale with no Content-Type and a Scale body.
  HttpResponse scale = Do("PUT", "/apis/apps/v1/namespaces/ns/deployments/web/scale",
                          R"({"kind":"Scale","apiVersion":"autoscaling/v1",)"
                          R"("metadata":{"name":"web","namespace":"ns"},"spec":{"replicas":3}})");
  EXPECT_EQ(scale.status, 200) << scale.body;
  EXPECT_EQ(client_.last_subresource, "scale");
  EXPECT_EQ(client_.last_object["spec"]["replicas"], 3);

  HttpResponse wrong_kind = Do("PUT", "/apis/apps/v1/namespaces/ns/deployments/web/scale",
                               R"({"kind":"Deployment","metadata":{"name":"web"}})");
  EXPECT_EQ(wrong_kind.status, 400);
}

TEST_F(RouterTest, NamespaceObjectIsClusterScoped) {
  client_.Put({"", "v1", "namespaces"}, "", Json{{"metadata", {{"name", "team"}}}});
  HttpResponse r = Do("GET", "/api/v1/namespaces/team");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(client_.last_ns, "");
  HttpResponse fin = Do("PUT", "/api/v1/namespaces/team/finalize",
                        R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team"}})");
  EXPECT_EQ(fin.status, 200) << fin.body;
  EXPECT_EQ(client_.last_subresource, "finalize");
  EXPECT_EQ(client_.last_ns, "");
}

TEST_F(RouterTest, PatchTypes) {
  PutConfigMap("c1");
  struct Case {
    const char* type;
    PatchType want;
  } cases[] = {{"application/json-patch+json", PatchType::kJson},
               {"application/merge-patch+json", PatchType::kMerge},
               {"application/strategic-merge-patch+json", PatchType::kStrategicMerge}};
  for (const auto& c : cases) {
    HttpResponse r = Do("PATCH", "/api/v1/namespaces/default/configmaps/c1?fieldManager=m",
                        "{}", {{"Content-Type", c.type}});
    EXPECT_EQ(r.status, 200) << c.type;
    EXPECT_EQ(client_.last_patch_type, c.want);
    EXPECT_EQ(client_.last_opts.field_manager, "m");
  }
  HttpResponse apply = Do("PATCH",
                          "/api/v1/namespaces/default/configmaps/c1?fieldManager=kubectl&force=true",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\n",
                          {{"Content-Type", "application/apply-patch+yaml"}});
  EXPECT_EQ(apply.status, 200);
  EXPECT_EQ(client_.last_patch_type, PatchType::kApply);
  EXPECT_TRUE(client_.last_opts.force);
  EXPECT_EQ(Json::parse(client_.last_patch_body)["metadata"]["name"], "c1");

  EXPECT_EQ(Do("PATCH", "/api/v1/namespaces/default/configmaps/c1", "{}",
               {{"Content-Type", "application/json"}})
                .status,
            415);
  EXPECT_EQ(Do("PATCH", "/apis/apps/v1/namespaces/ns/deployments/web/scale",
               R"({"spec":{"replicas":3}})", {{"Content-Type", "application/merge-patch+json"}})
                .status,
            404);  // the fake has no such deployment; the subresource reached the client
  EXPECT_EQ(client_.last_subresource, "scale");
}

TEST_F(RouterTest, PatchStrictFieldValidation) {
  PutConfigMap("c1");
  HttpResponse strict = Do("PATCH", "/api/v1/namespaces/default/configmaps/c1?fieldValidation=Strict",
                           R"({"datta":{"a":"b"}})",
                           {{"Content-Type", "application/strategic-merge-patch+json"}});
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(Body(strict)["message"],
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding "
            "error: unknown field \"datta\"");
  HttpResponse directives =
      Do("PATCH", "/api/v1/namespaces/default/configmaps/c1?fieldValidation=Strict",
         R"({"$patch":"replace","metadata":{"$setElementOrder/finalizers":["a"]},"data":{}})",
         {{"Content-Type", "application/strategic-merge-patch+json"}});
  EXPECT_EQ(directives.status, 200) << directives.body;
  HttpResponse warn = Do("PATCH", "/api/v1/namespaces/default/configmaps/c1?fieldValidation=Warn",
                         R"({"datta":{}})", {{"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(warn.status, 200);
  EXPECT_EQ(HeadersOf(warn, "Warning"),
            std::vector<std::string>({"299 - \"unknown field \\\"datta\\\"\""}));
  // JSON patches name paths, not fields: left to the registry.
  EXPECT_EQ(Do("PATCH", "/api/v1/namespaces/default/configmaps/c1?fieldValidation=Strict",
               R"([{"op":"add","path":"/datta","value":1}])",
               {{"Content-Type", "application/json-patch+json"}})
                .status,
            200);
}

TEST_F(RouterTest, DeleteReadsBody) {
  PutConfigMap("c1");
  HttpResponse r = Do("DELETE", "/api/v1/namespaces/default/configmaps/c1?gracePeriodSeconds=3",
                      R"({"propagationPolicy":"Background"})",
                      {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(client_.last_delete.propagation_policy, "Background");
  EXPECT_EQ(client_.last_delete.grace_period_seconds, 3);
  EXPECT_EQ(Do("DELETE", "/api/v1/namespaces/default/configmaps/c1").status, 404);

  HttpResponse coll = Do("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=a%3Db");
  EXPECT_EQ(coll.status, 200);
  EXPECT_EQ(client_.last_verb, "deletecollection");
}

// ---- reads ----

TEST_F(RouterTest, ListAsJsonAndTable) {
  PutConfigMap("c1");
  PutConfigMap("c2");
  HttpResponse plain = Do("GET", "/api/v1/namespaces/default/configmaps?limit=500",
                          "", {{"Accept", "application/json"}});
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(Body(plain)["kind"], "ConfigMapList");
  EXPECT_EQ(client_.last_query.limit, 500);

  HttpResponse table = Do("GET", "/api/v1/namespaces/default/configmaps?limit=500", "",
                          {{"Accept", kTableAccept}});
  ASSERT_EQ(table.status, 200);
  Json t = Body(table);
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["metadata"]["resourceVersion"], "10");
  EXPECT_EQ(t["metadata"]["continue"], "next-page");
  EXPECT_EQ(t["columnDefinitions"][0]["format"], "name");
  EXPECT_EQ(t["columnDefinitions"][1]["name"], "Data");
  ASSERT_EQ(t["rows"].size(), 2u);
  EXPECT_EQ(t["rows"][0]["cells"], Json::array({"c1", 1, "60s"}));  // fake clock: 2025-01-01
  EXPECT_EQ(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(t["rows"][0]["object"]["metadata"]["namespace"], "default");

  HttpResponse full = Do("GET", "/api/v1/namespaces/default/configmaps?includeObject=Object",
                         "", {{"Accept", kTableAccept}});
  EXPECT_EQ(Body(full)["rows"][0]["object"]["data"]["a"], "1");
  EXPECT_EQ(Do("GET", "/api/v1/namespaces/default/configmaps?includeObject=All", "",
               {{"Accept", kTableAccept}})
                .status,
            400);

  HttpResponse one = Do("GET", "/api/v1/namespaces/default/configmaps/c1", "",
                        {{"Accept", kTableAccept}});
  EXPECT_EQ(Body(one)["rows"].size(), 1u);
  EXPECT_EQ(Body(one)["metadata"]["resourceVersion"], "3");

  HttpResponse proto = Do("GET", "/api/v1/namespaces/default/configmaps/c1", "",
                          {{"Accept", "application/vnd.kubernetes.protobuf"}});
  EXPECT_EQ(proto.status, 200);
  EXPECT_EQ(HeaderOf(proto, "Content-Type"), "application/json");
  EXPECT_EQ(Body(proto)["kind"], "ConfigMap");
  EXPECT_EQ(Do("GET", "/api/v1/namespaces/default/configmaps/c1", "",
               {{"Accept", "text/html"}})
                .status,
            406);
  HttpResponse missing = Do("GET", "/api/v1/namespaces/default/configmaps/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Body(missing)["message"], "configmaps \"nope\" not found");
}

TEST_F(RouterTest, ListAllNamespaces) {
  HttpResponse r = Do("GET", "/api/v1/configmaps?labelSelector=app%3Dweb");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(client_.last_ns, "");
  EXPECT_EQ(client_.last_query.label_selector, "app%3Dweb");  // decoding is the server's job
}

// ---- discovery, OpenAPI, health ----

TEST_F(RouterTest, DiscoveryEndpoints) {
  HttpResponse agg =
      Do("GET", "/apis?timeout=32s", "",
         {{"Accept",
           "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/"
           "json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"}});
  ASSERT_EQ(agg.status, 200);
  EXPECT_EQ(HeaderOf(agg, "Content-Type"),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(Body(agg)["kind"], "APIGroupDiscoveryList");

  HttpResponse legacy = Do("GET", "/api", "", {{"Accept", "application/json, */*"}});
  EXPECT_EQ(HeaderOf(legacy, "Content-Type"), "application/json");
  EXPECT_EQ(Body(legacy)["kind"], "APIVersions");
  EXPECT_EQ(Body(Do("GET", "/apis/apps/v1"))["kind"], "APIResourceList");
  EXPECT_EQ(Body(Do("GET", "/apis/apps"))["kind"], "APIGroup");
  EXPECT_EQ(Body(Do("GET", "/api/v1/"))["groupVersion"], "v1");
  EXPECT_EQ(Do("GET", "/apis/apps/v9").status, 404);
  EXPECT_EQ(Do("GET", "/apis/nope").status, 404);
  EXPECT_EQ(Body(Do("GET", "/version?timeout=5s"))["minor"], "32");
  EXPECT_EQ(Do("GET", "/").status, 200);
}

TEST_F(RouterTest, OpenApi) {
  HttpResponse v2 = Do("GET", "/openapi/v2", "",
                       {{"Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}});
  EXPECT_EQ(v2.status, 200);  // kubectl 1.27/1.28 read it before every apply
  EXPECT_EQ(HeaderOf(v2, "Content-Type"),
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  HttpResponse index = Do("GET", "/openapi/v3");
  ASSERT_EQ(index.status, 200);
  std::string url = Body(index)["paths"]["apis/apps/v1"]["serverRelativeURL"];
  HttpResponse doc = Do("GET", url);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(HeaderOf(doc, "Cache-Control"), "public, immutable");
  EXPECT_EQ(Body(doc)["openapi"], "3.0.0");
  EXPECT_EQ(HeaderOf(Do("GET", "/openapi/v3/apis/apps/v1"), "Cache-Control"),
            "no-cache, private");
  EXPECT_EQ(Do("GET", "/openapi/v3/apis/nope/v1").status, 404);
}

TEST_F(RouterTest, Health) {
  HttpResponse ok = Do("GET", "/readyz");
  EXPECT_EQ(ok.body, "ok");
  EXPECT_EQ(HeaderOf(ok, "Content-Type"), "text/plain; charset=utf-8");
  HttpResponse verbose = Do("GET", "/healthz?verbose");
  EXPECT_NE(verbose.body.find("[+]ping ok"), std::string::npos);
  EXPECT_NE(verbose.body.find("healthz check passed"), std::string::npos);
  EXPECT_NE(Do("GET", "/livez?verbose=1").body.find("livez check passed"), std::string::npos);
  EXPECT_EQ(Do("GET", "/livez/ping").body, "ok");
  EXPECT_EQ(Do("GET", "/readyz/nope").status, 404);
}

// ---- watch ----

class Collector {
 public:
  explicit Collector(std::shared_ptr<ResponseStream> s) : stream_(std::move(s)) {
    stream_->SetNotify([this] { ++notified_; });
  }
  // Pulls once; returns the lines (events) and whether the stream goes on.
  std::vector<Json> Pull(bool* more) {
    std::string out;
    *more = stream_->Pull(out);
    std::vector<Json> events;
    size_t start = 0;
    while (start < out.size()) {
      size_t nl = out.find('\n', start);
      EXPECT_NE(nl, std::string::npos) << "every event ends with a newline";
      events.push_back(Json::parse(out.substr(start, nl - start)));
      start = nl + 1;
    }
    return events;
  }
  int notified() const { return notified_; }

 private:
  std::shared_ptr<ResponseStream> stream_;
  std::atomic<int> notified_{0};
};

Json ConfigMap(const std::string& name, const std::string& rv) {
  return Json{{"kind", "ConfigMap"},
              {"apiVersion", "v1"},
              {"metadata",
               {{"name", name},
                {"namespace", "default"},
                {"resourceVersion", rv},
                {"creationTimestamp", "2025-01-01T00:00:00Z"}}}};
}

TEST_F(RouterTest, WatchEventsAndTimeout) {
  HttpResponse r = Do("GET",
                      "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=5&"
                      "timeoutSeconds=30&allowWatchBookmarks=true");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.stream);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  EXPECT_EQ(client_.last_verb, "watch");
  EXPECT_EQ(client_.last_query.resource_version, "5");
  EXPECT_TRUE(client_.last_query.allow_bookmarks);
  EXPECT_EQ(client_.last_query.timeout_seconds, 30);
  ASSERT_NE(client_.watcher, nullptr);

  Collector c(r.stream);
  bool more = false;
  EXPECT_TRUE(c.Pull(&more).empty());
  EXPECT_TRUE(more);
  client_.watcher->Push({"ADDED", ConfigMap("a", "6")});
  client_.watcher->Push({"MODIFIED", ConfigMap("a", "7")});
  EXPECT_GE(c.notified(), 2);
  auto events = c.Pull(&more);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(more);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "a");
  EXPECT_EQ(events[1]["type"], "MODIFIED");

  clock_.Step(std::chrono::seconds(31));
  events = c.Pull(&more);
  EXPECT_TRUE(events.empty());
  EXPECT_FALSE(more);
  EXPECT_TRUE(client_.watcher->stopped());
}

TEST_F(RouterTest, WatchOfOneObjectNarrowsByName) {
  HttpResponse r = Do("GET", "/api/v1/watch/namespaces/default/configmaps/c1");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(client_.last_query.field_selector, "metadata.name=c1");
  // Without timeoutSeconds the watch still ends, after 30-60 minutes.
  EXPECT_GE(client_.last_query.timeout_seconds, 1800);
  EXPECT_LT(client_.last_query.timeout_seconds, 3600);
}

TEST_F(RouterTest, HugeWatchTimeoutIsBounded) {
  HttpResponse r =
      Do("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=9000000000000");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(client_.last_query.timeout_seconds, 365LL * 24 * 3600);
  EXPECT_EQ(Do("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1e9")
                .status,
            400);
}

TEST_F(RouterTest, WatchEndsWithErrorEventsOrCleanly) {
  HttpResponse r = Do("GET", "/api/v1/namespaces/default/configmaps?watch=true");
  Collector c(r.stream);
  client_.watcher->Push({"ADDED", ConfigMap("a", "6")});
  client_.watcher->End(Expired("too old resource version: 5 (10)"));
  bool more = true;
  auto events = c.Pull(&more);
  EXPECT_FALSE(more);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[1]["type"], "ERROR");
  EXPECT_EQ(events[1]["object"]["kind"], "Status");
  EXPECT_EQ(events[1]["object"]["reason"], "Expired");
  EXPECT_EQ(events[1]["object"]["code"], 410);

  HttpResponse t = Do("GET", "/api/v1/namespaces/default/configmaps?watch=true");
  Collector c2(t.stream);
  client_.watcher->End(Status(Code::kTimeout, "watch timeout reached"));
  EXPECT_TRUE(c2.Pull(&more).empty());
  EXPECT_FALSE(more);
}

TEST_F(RouterTest, WatchTooOldAtStartIsAnErrorEvent) {
  client_.watch_error = Expired("too old resource version: 2 (8)");
  HttpResponse r = Do("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2");
  ASSERT_EQ(r.status, 200);
  Collector c(r.stream);
  bool more = true;
  auto events = c.Pull(&more);
  EXPECT_FALSE(more);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "ERROR");
  EXPECT_EQ(events[0]["object"]["message"], "too old resource version: 2 (8)");

  client_.watch_error = BadRequest("unable to parse requirement");
  HttpResponse bad = Do("GET", "/api/v1/namespaces/default/configmaps?watch=true");
  EXPECT_EQ(bad.status, 400);
  EXPECT_FALSE(bad.stream);
}

TEST_F(RouterTest, WatchAsTable) {
  HttpResponse r = Do("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=9",
                      "", {{"Accept", kTableAccept}});
  Collector c(r.stream);
  client_.watcher->Push({"ADDED", ConfigMap("a", "10")});
  client_.watcher->Push({"DELETED", ConfigMap("a", "11")});
  client_.watcher->Push({"ERROR", Json{{"kind", "Status"}, {"code", 410}}});
  bool more;
  auto events = c.Pull(&more);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["object"]["kind"], "Table");
  EXPECT_EQ(events[0]["object"]["columnDefinitions"].size(), 3u);
  EXPECT_EQ(events[0]["object"]["rows"][0]["cells"][0], "a");
  EXPECT_EQ(events[0]["object"]["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(events[1]["type"], "DELETED");
  EXPECT_TRUE(events[1]["object"]["columnDefinitions"].empty());
  EXPECT_EQ(events[1]["object"]["rows"].size(), 1u);
  EXPECT_EQ(events[2]["object"]["kind"], "Status");  // errors are not tables
}

TEST_F(RouterTest, WatchesPerUserAreCapped) {
  std::vector<HttpResponse> open;
  for (int i = 0; i < 100; ++i) {
    open.push_back(Do("GET", "/api/v1/namespaces/default/configmaps?watch=true"));
    ASSERT_EQ(open.back().status, 200);
  }
  HttpResponse over = Do("GET", "/api/v1/namespaces/default/configmaps?watch=true");
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(Body(over)["reason"], "TooManyRequests");
  EXPECT_EQ(HeaderOf(over, "Retry-After"), "1");
  open.pop_back();  // a stream released frees a slot
  EXPECT_EQ(Do("GET", "/api/v1/namespaces/default/configmaps?watch=true").status, 200);
}

TEST_F(RouterTest, CancelStopsTheWatcher) {
  HttpResponse r = Do("GET", "/api/v1/namespaces/default/configmaps?watch=true");
  Collector c(r.stream);
  r.stream->Cancel();
  EXPECT_TRUE(client_.watcher->stopped());
  client_.watcher->Push({"ADDED", ConfigMap("a", "6")});  // no notify after Cancel: no crash
  std::string out;
  EXPECT_FALSE(r.stream->Pull(out));
}

}  // namespace
}  // namespace minik
