#include "apiserver/request_info.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

RequestInfo Parse(const std::string& method, const std::string& path,
                  std::multimap<std::string, std::string> query = {}) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.target = path;
  r.query = std::move(query);
  return ParseRequestInfo(r);
}

TEST(RequestInfoTest, CoreNamespacedObject) {
  RequestInfo ri = Parse("GET", "/api/v1/namespaces/default/configmaps/c1");
  EXPECT_TRUE(ri.is_resource_request);
  EXPECT_EQ(ri.api_prefix, "api");
  EXPECT_EQ(ri.group, "");
  EXPECT_EQ(ri.version, "v1");
  EXPECT_EQ(ri.ns, "default");
  EXPECT_EQ(ri.resource, "configmaps");
  EXPECT_EQ(ri.name, "c1");
  EXPECT_EQ(ri.subresource, "");
  EXPECT_EQ(ri.verb, "get");
}

TEST(RequestInfoTest, GroupCollectionVerbs) {
  EXPECT_EQ(Parse("GET", "/apis/apps/v1/namespaces/ns/deployments").verb, "list");
  EXPECT_EQ(Parse("GET", "/apis/apps/v1/deployments").verb, "list");
  EXPECT_EQ(Parse("GET", "/apis/apps/v1/deployments", {{"watch", "true"}}).verb, "watch");
  EXPECT_EQ(Parse("GET", "/apis/apps/v1/deployments", {{"watch", "1"}}).verb, "watch");
  EXPECT_EQ(Parse("GET", "/apis/apps/v1/deployments", {{"watch", "false"}}).verb, "list");
  EXPECT_EQ(Parse("POST", "/apis/apps/v1/namespaces/ns/deployments").verb, "create");
  EXPECT_EQ(Parse("PUT", "/apis/apps/v1/namespaces/ns/deployments/d").verb, "update");
  EXPECT_EQ(Parse("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d").verb, "patch");
  EXPECT_EQ(Parse("DELETE", "/apis/apps/v1/namespaces/ns/deployments/d").verb, "delete");
  EXPECT_EQ(Parse("DELETE", "/apis/apps/v1/namespaces/ns/deployments").verb, "deletecollection");
  EXPECT_EQ(Parse("OPTIONS", "/apis/apps/v1/namespaces/ns/deployments").verb, "");
  RequestInfo all = Parse("GET", "/apis/apps/v1/deployments");
  EXPECT_EQ(all.group, "apps");
  EXPECT_EQ(all.ns, "");
}

TEST(RequestInfoTest, Subresource) {
  RequestInfo ri = Parse("PUT", "/apis/apps/v1/namespaces/ns/deployments/web/scale");
  EXPECT_EQ(ri.resource, "deployments");
  EXPECT_EQ(ri.name, "web");
  EXPECT_EQ(ri.subresource, "scale");
  EXPECT_EQ(ri.verb, "update");
  RequestInfo log = Parse("GET", "/api/v1/namespaces/ns/pods/p/log");
  EXPECT_EQ(log.subresource, "log");
  EXPECT_EQ(log.verb, "get");
}

TEST(RequestInfoTest, LegacyWatchPrefix) {
  RequestInfo ri = Parse("GET", "/api/v1/watch/namespaces/ns/pods/p");
  EXPECT_TRUE(ri.is_resource_request);
  EXPECT_EQ(ri.verb, "watch");
  EXPECT_EQ(ri.resource, "pods");
  EXPECT_EQ(ri.name, "p");
  EXPECT_EQ(Parse("GET", "/api/v1/watch/pods").verb, "watch");
  EXPECT_EQ(Parse("GET", "/api/v1/watch/pods").name, "");
  // ?watch=true on an object URL watches that object.
  EXPECT_EQ(Parse("GET", "/api/v1/namespaces/ns/pods/p", {{"watch", "true"}}).verb, "watch");
}

TEST(RequestInfoTest, NamespaceObjectAndSubresources) {
  RequestInfo ns = Parse("GET", "/api/v1/namespaces/team");
  EXPECT_EQ(ns.resource, "namespaces");
  EXPECT_EQ(ns.name, "team");
  EXPECT_EQ(ns.ns, "team");
  EXPECT_EQ(ns.verb, "get");
  RequestInfo status = Parse("PUT", "/api/v1/namespaces/team/status");
  EXPECT_EQ(status.resource, "namespaces");
  EXPECT_EQ(status.name, "team");
  EXPECT_EQ(status.subresource, "status");
  RequestInfo fin = Parse("PUT", "/api/v1/namespaces/team/finalize");
  EXPECT_EQ(fin.subresource, "finalize");
  RequestInfo list = Parse("GET", "/api/v1/namespaces");
  EXPECT_EQ(list.verb, "list");
  EXPECT_EQ(list.ns, "");
  EXPECT_EQ(Parse("POST", "/api/v1/namespaces").verb, "create");
}

TEST(RequestInfoTest, NonResourcePaths) {
  for (const char* p : {"/", "/api", "/apis", "/apis/apps", "/api/v1", "/apis/apps/v1",
                        "/api/v1/", "/version", "/healthz", "/openapi/v3/apis/apps/v1"}) {
    RequestInfo ri = Parse("GET", p);
    EXPECT_FALSE(ri.is_resource_request) << p;
    EXPECT_EQ(ri.verb, "get") << p;
    EXPECT_EQ(ri.path, p);
  }
  RequestInfo ri = Parse("GET", "/apis/apps/v1");
  EXPECT_EQ(ri.api_prefix, "apis");
  EXPECT_EQ(ri.group, "apps");
  EXPECT_EQ(ri.version, "v1");
  EXPECT_EQ(Parse("POST", "/api").verb, "post");
}

TEST(RequestInfoTest, TrailingSlashAndExtraParts) {
  RequestInfo ri = Parse("GET", "/api/v1/namespaces/ns/configmaps/");
  EXPECT_EQ(ri.resource, "configmaps");
  EXPECT_EQ(ri.verb, "list");
  RequestInfo deep = Parse("GET", "/api/v1/namespaces/ns/pods/p/proxy/a/b");
  EXPECT_EQ(deep.subresource, "proxy");
  EXPECT_EQ(deep.parts.size(), 5u);
}

}  // namespace
}  // namespace minik
