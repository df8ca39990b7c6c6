// IngressRoutes: class selection, host and path precedence, default backends, endpoint
// resolution and TLS selection, from plain objects.
#include "netproxy/ingress_routes.h"

#include <gtest/gtest.h>

#include "api/base64.h"

namespace minik::netproxy {
namespace {

ObjectPtr Obj(Json j) { return std::make_shared<const Json>(std::move(j)); }

Json Backend(const std::string& svc, Json port) {
  return {{"service", {{"name", svc}, {"port", port}}}};
}
Json Path(const std::string& path, const std::string& type, const std::string& svc) {
  return {{"path", path}, {"pathType", type}, {"backend", Backend(svc, {{"number", 80}})}};
}
Json Rule(const std::string& host, Json paths) {
  Json r = {{"http", {{"paths", paths}}}};
  if (!host.empty()) r["host"] = host;
  return r;
}
Json Ingress(const std::string& name, Json rules, const std::string& created = "2024-01-01T00:00:00Z") {
  return {{"metadata", {{"name", name}, {"namespace", "default"}, {"creationTimestamp", created}}},
          {"spec", {{"ingressClassName", "minik"}, {"rules", rules}}}};
}
Json Service(const std::string& name, Json ports = Json::array({{{"port", 80}, {"name", "http"}}})) {
  return {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"spec", {{"ports", ports}}}};
}
Json Slice(const std::string& svc, const std::string& suffix, Json endpoints,
           Json ports = Json::array({{{"name", "http"}, {"port", 8080}}})) {
  return {{"metadata",
           {{"name", svc + "-" + suffix},
            {"namespace", "default"},
            {"labels", {{"kubernetes.io/service-name", svc}}}}},
          {"addressType", "IPv4"},
          {"ports", ports},
          {"endpoints", endpoints}};
}
Json Ep(const std::string& ip, Json ready = true) {
  Json e = {{"addresses", {ip}}};
  if (!ready.is_null()) e["conditions"] = {{"ready", ready}};
  return e;
}

// Every service "sX" gets one endpoint 10.0.0.X:8080 so a match names its service.
IngressObjects WithServices(std::vector<Json> ingresses, int n = 9) {
  IngressObjects o;
  for (auto& i : ingresses) o.ingresses.push_back(Obj(i));
  for (int i = 1; i <= n; ++i) {
    std::string s = "s" + std::to_string(i);
    o.services.push_back(Obj(Service(s)));
    o.slices.push_back(Obj(Slice(s, "a", {Ep("10.0.0." + std::to_string(i))})));
  }
  return o;
}

std::string Target(const IngressRoutes& r, const std::string& host, const std::string& path) {
  RouteMatch m = r.Match(host, path);
  if (m.backend == nullptr) return "404";
  const IngressEndpoint* e = m.backend->Pick();
  return e == nullptr ? "503" : "s" + e->ip.substr(e->ip.rfind('.') + 1);
}

TEST(IngressRoutes, PrecedenceTable) {
  auto routes = BuildIngressRoutes(
      WithServices({Ingress("a",
                            {Rule("foo.com", {Path("/", "Prefix", "s1"), Path("/a", "Prefix", "s2"),
                                              Path("/a/b", "Exact", "s3"),
                                              Path("/a/b/", "Prefix", "s4"),
                                              Path("/img", "ImplementationSpecific", "s5")}),
                             Rule("*.foo.com", {Path("/", "Prefix", "s6")}),
                             Rule("", {Path("/any", "Prefix", "s7")})}),
                    // Merged into foo.com; the conflicting "/" of the newer Ingress loses.
                    Ingress("b",
                            {Rule("FOO.com", {Path("/b", "Exact", "s8"), Path("/", "Prefix", "s9")})},
                            "2024-02-01T00:00:00Z")}),
      "minik", "minik.io/ingress", nullptr);
  struct Case {
    std::string host, path, want;
  } cases[] = {
      {"foo.com", "/", "s1"},         {"foo.com", "/x", "s1"},
      {"foo.com", "/a", "s2"},        {"foo.com", "/a/", "s2"},
      {"foo.com", "/ab", "s1"},       {"foo.com", "/a/x", "s2"},
      {"foo.com", "/a/b", "s3"},      {"foo.com", "/a/b/", "s4"},
      {"foo.com", "/a/b/c", "s4"},    {"foo.com", "/img/1.png", "s5"},
      {"foo.com", "/imgs", "s1"},     {"foo.com", "/b", "s8"},
      {"foo.com", "/b/c", "s1"},      {"Foo.COM.:8080", "/a", "s2"},
      {"x.foo.com", "/anything", "s6"}, {"foo.com", "/any", "s1"},
      {"y.x.foo.com", "/any", "s7"},  {"other.com", "/any/thing", "s7"},
      {"other.com", "/anyway", "404"}, {"other.com", "/", "404"},
      {"", "/any", "s7"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Target(*routes, c.host, c.path), c.want) << c.host << " " << c.path;
  }
  EXPECT_EQ(routes->ingresses(), (std::vector<std::string>{"default/a", "default/b"}));
}

TEST(IngressRoutes, ExactBeatsPrefixOfSameLength) {
  auto routes = BuildIngressRoutes(
      WithServices({Ingress("a", {Rule("h", {Path("/p", "Prefix", "s1"), Path("/p", "Exact", "s2")})})}),
      "minik", "minik.io/ingress", nullptr);
  EXPECT_EQ(Target(*routes, "h", "/p"), "s2");
  EXPECT_EQ(Target(*routes, "h", "/p/q"), "s1");
}

TEST(IngressRoutes, DefaultBackends) {
  Json with_rules = Ingress("a", {Rule("foo.com", {Path("/a", "Prefix", "s1")})});
  with_rules["spec"]["defaultBackend"] = Backend("s2", {{"number", 80}});
  Json catch_all = Ingress("c", Json::array());
  catch_all["spec"].erase("rules");
  catch_all["spec"]["defaultBackend"] = Backend("s3", {{"name", "http"}});
  auto routes = BuildIngressRoutes(WithServices({with_rules, catch_all}), "minik",
                                   "minik.io/ingress", nullptr);
  EXPECT_EQ(Target(*routes, "foo.com", "/a"), "s1");
  EXPECT_EQ(Target(*routes, "foo.com", "/b"), "s2");  // the Ingress's own default
  EXPECT_EQ(Target(*routes, "bar.com", "/a"), "s3");  // the catch-all
}

TEST(IngressRoutes, ClassSelection) {
  Json mine = Ingress("mine", {Rule("a", {Path("/", "Prefix", "s1")})});
  Json other = Ingress("other", {Rule("b", {Path("/", "Prefix", "s1")})});
  other["spec"]["ingressClassName"] = "nginx";
  Json none = Ingress("none", {Rule("c", {Path("/", "Prefix", "s1")})});
  none["spec"].erase("ingressClassName");
  Json legacy_other = none;
  legacy_other["metadata"]["name"] = "legacy-other";
  legacy_other["metadata"]["annotations"] = {{"kubernetes.io/ingress.class", "nginx"}};
  legacy_other["spec"]["rules"][0]["host"] = "d";
  Json alias = Ingress("alias", {Rule("e", {Path("/", "Prefix", "s1")})});
  alias["spec"]["ingressClassName"] = "second";
  IngressObjects o = WithServices({mine, other, none, legacy_other, alias}, 1);
  o.classes.push_back(Obj({{"metadata", {{"name", "second"}}}, {"spec", {{"controller", "minik.io/ingress"}}}}));
  o.classes.push_back(Obj({{"metadata", {{"name", "nginx"}}}, {"spec", {{"controller", "k8s.io/ingress-nginx"}}}}));
  auto routes = BuildIngressRoutes(o, "minik", "minik.io/ingress", nullptr);
  EXPECT_EQ(routes->ingresses(),
            (std::vector<std::string>{"default/alias", "default/mine", "default/none"}));
  EXPECT_EQ(Target(*routes, "b", "/"), "404");
  EXPECT_EQ(Target(*routes, "d", "/"), "404");
  EXPECT_EQ(Target(*routes, "e", "/"), "s1");
}

TEST(IngressRoutes, EndpointsReadyPortsAndRoundRobin) {
  IngressObjects o;
  o.ingresses.push_back(Obj(Ingress(
      "a", {Rule("h", {Path("/", "Prefix", "web"),
                       {{"path", "/named"}, {"pathType", "Prefix"},
                        {"backend", Backend("web", {{"name", "admin"}})}},
                       Path("/missing", "Prefix", "nosvc"),
                       {{"path", "/badport"}, {"pathType", "Prefix"},
                        {"backend", Backend("web", {{"number", 81}})}},
                       Path("/notready", "Prefix", "down")})})));
  o.services.push_back(Obj(Service("web", {{{"port", 80}, {"name", "http"}},
                                          {{"port", 9000}, {"name", "admin"}}})));
  o.services.push_back(Obj(Service("down")));
  Json ports = {{{"name", "http"}, {"port", 8080}}, {{"name", "admin"}, {"port", 9090}}};
  o.slices.push_back(Obj(Slice("web", "1", {Ep("10.0.0.1"), Ep("10.0.0.2", false), Ep("10.0.0.3", nullptr)}, ports)));
  o.slices.push_back(Obj(Slice("web", "2", {Ep("10.0.0.4"), Ep("10.0.0.1")}, ports)));
  o.slices.push_back(Obj(Slice("down", "1", {Ep("10.0.1.1", false)})));
  auto routes = BuildIngressRoutes(o, "minik", "minik.io/ingress", nullptr);
  RouteMatch m = routes->Match("h", "/");
  ASSERT_NE(m.backend, nullptr);
  EXPECT_EQ(m.ingress, "default/a");
  EXPECT_EQ(m.backend->endpoints,
            (std::vector<IngressEndpoint>{{"10.0.0.1", 8080}, {"10.0.0.3", 8080}, {"10.0.0.4", 8080}}));
  std::set<std::string> picked;
  for (int i = 0; i < 3; ++i) picked.insert(m.backend->Pick()->ip);
  EXPECT_EQ(picked.size(), 3u);
  EXPECT_EQ(routes->Match("h", "/named").backend->endpoints.front().port, 9090);
  for (const char* p : {"/missing", "/badport", "/notready"}) {
    RouteMatch bad = routes->Match("h", p);
    ASSERT_NE(bad.backend, nullptr) << p;
    EXPECT_TRUE(bad.backend->endpoints.empty()) << p;
    EXPECT_FALSE(bad.backend->error.empty()) << p;
    EXPECT_EQ(bad.backend->Pick(), nullptr);
  }
  EXPECT_NE(routes->Match("h", "/missing").backend->error.find("not found"), std::string::npos);
}

TEST(IngressRoutes, TlsSelectionAndBadSecrets) {
  auto secret = [](const std::string& name, const std::string& type, Json data) {
    return Obj({{"metadata", {{"name", name}, {"namespace", "default"}, {"resourceVersion", "7"}}},
                {"type", type}, {"data", data}});
  };
  Json good_data = {{"tls.crt", Base64Encode("CERT")}, {"tls.key", Base64Encode("KEY")}};
  Json ing = Ingress("a", {Rule("a.com", {Path("/", "Prefix", "s1")}),
                           Rule("b.com", {Path("/", "Prefix", "s1")})});
  ing["spec"]["tls"] = {{{"hosts", {"a.com"}}, {"secretName", "good"}},
                        {{"hosts", {"*.w.com"}}, {"secretName", "good"}},
                        {{"secretName", "implicit"}},
                        {{"hosts", {"x.com"}}, {"secretName", "opaque"}},
                        {{"hosts", {"y.com"}}, {"secretName", "garbled"}},
                        {{"hosts", {"z.com"}}, {"secretName", "absent"}}};
  IngressObjects o = WithServices({ing}, 1);
  o.secrets = {secret("good", "kubernetes.io/tls", good_data),
               secret("implicit", "kubernetes.io/tls", good_data),
               secret("opaque", "Opaque", good_data),
               secret("garbled", "kubernetes.io/tls", {{"tls.crt", "!!!"}, {"tls.key", "a"}})};
  std::vector<std::string> warnings;
  auto routes = BuildIngressRoutes(o, "minik", "minik.io/ingress", &warnings);
  ASSERT_NE(routes->CertificateFor("a.com"), nullptr);
  EXPECT_EQ(routes->CertificateFor("a.com")->secret, "default/good");
  EXPECT_EQ(routes->CertificateFor("a.com")->cert_pem, "CERT");
  EXPECT_EQ(routes->CertificateFor("q.w.com")->secret, "default/good");
  EXPECT_EQ(routes->CertificateFor("w.com"), nullptr);
  EXPECT_EQ(routes->CertificateFor("b.com")->secret, "default/implicit");  // the rule hosts
  for (const char* h : {"x.com", "y.com", "z.com", "unknown.com"})
    EXPECT_EQ(routes->CertificateFor(h), nullptr) << h;
  EXPECT_EQ(warnings.size(), 3u);
  EXPECT_EQ(routes->certificates().size(), 2u);
}

TEST(IngressRoutes, NormalizeHost) {
  EXPECT_EQ(NormalizeHost("Foo.Example.COM:8443"), "foo.example.com");
  EXPECT_EQ(NormalizeHost("foo.com."), "foo.com");
  EXPECT_EQ(NormalizeHost("[::1]:80"), "::1");
  EXPECT_EQ(NormalizeHost("::1"), "::1");
  EXPECT_EQ(NormalizeHost(""), "");
}

TEST(IngressRoutes, RoutingPath) {
  struct Case {
    std::string target, want;
  } cases[] = {
      {"/", "/"},           {"", "/"},
      {"/a/b?x=1#f", "/a/b"}, {"/a/b/", "/a/b/"},
      {"//a///b", "/a/b"},  {"/public/../admin", "/admin"},
      {"/../../etc", "/etc"}, {"/a/./b/.", "/a/b/"},
      {"/a/..", "/"},       {"/a/b/..?q", "/a/"},
      {"/..a/b", "/..a/b"},
  };
  for (const Case& c : cases) EXPECT_EQ(RoutingPath(c.target), c.want) << c.target;
}

TEST(IngressRoutes, MalformedObjectsAreSkipped) {
  IngressObjects o;
  o.ingresses.push_back(Obj({{"metadata", {{"name", "x"}, {"namespace", "default"}}},
                             {"spec", {{"rules", {{{"host", 5}, {"http", {{"paths", "no"}}}},
                                                  "not-a-rule",
                                                  {{"http", {{"paths", {{{"path", "rel"}}, 7}}}}}}}}}}));
  o.services.push_back(Obj({{"metadata", {{"name", "s"}, {"namespace", "default"}}}, {"spec", 3}}));
  o.slices.push_back(Obj({{"metadata", {{"labels", {{"kubernetes.io/service-name", 4}}}}}}));
  auto routes = BuildIngressRoutes(o, "minik", "minik.io/ingress", nullptr);
  EXPECT_EQ(routes->Match("h", "/").backend, nullptr);
}

}  // namespace
}  // namespace minik::netproxy
