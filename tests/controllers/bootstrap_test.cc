#include <gtest/gtest.h>

#include "controllers/controllers.h"
#include "tests/controllers/fake_client.h"

namespace minik {
namespace {

using testing::FakeClient;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};

class BootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override { client_.AddDefaultKinds(); }
  FakeClient client_;
};

TEST_F(BootstrapTest, CreatesSystemObjects) {
  BootstrapOptions opts;
  opts.api_endpoint_ip = "192.168.1.5";
  opts.api_port = 8443;
  ASSERT_TRUE(EnsureBootstrapObjects(client_, opts).ok());
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    EXPECT_TRUE(client_.Get(kNamespaces, "", ns).ok()) << ns;
  }
  auto svc = client_.Get(kServices, "default", "kubernetes");
  ASSERT_TRUE(svc.ok());
  EXPECT_EQ((*svc)["spec"]["clusterIP"], "10.96.0.1");
  EXPECT_EQ((*svc)["spec"]["clusterIPs"], Json::array({"10.96.0.1"}));
  EXPECT_EQ((*svc)["spec"]["type"], "ClusterIP");
  EXPECT_EQ((*svc)["spec"]["ports"],
            Json::parse(R"([{"name":"https","port":443,"protocol":"TCP","targetPort":8443}])"));
  EXPECT_EQ((*svc)["metadata"]["labels"],
            Json::parse(R"({"component":"apiserver","provider":"kubernetes"})"));

  auto ep = client_.Get(kEndpoints, "default", "kubernetes");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ((*ep)["subsets"], Json::parse(R"([{"addresses":[{"ip":"192.168.1.5"}],
      "ports":[{"name":"https","port":8443,"protocol":"TCP"}]}])"));

  auto slice = client_.Get(kSlices, "default", "kubernetes");
  ASSERT_TRUE(slice.ok());
  EXPECT_EQ((*slice)["addressType"], "IPv4");
  EXPECT_EQ((*slice)["metadata"]["labels"]["kubernetes.io/service-name"], "kubernetes");
  EXPECT_EQ((*slice)["endpoints"],
            Json::parse(R"([{"addresses":["192.168.1.5"],"conditions":{"ready":true}}])"));
  EXPECT_EQ((*slice)["ports"],
            Json::parse(R"([{"name":"https","port":8443,"protocol":"TCP"}])"));
}

TEST_F(BootstrapTest, IdempotentAndFollowsTheEndpoint) {
  ASSERT_TRUE(EnsureBootstrapObjects(client_, {}).ok());
  int64_t rev = client_.revision();
  ASSERT_TRUE(EnsureBootstrapObjects(client_, {}).ok());
  EXPECT_EQ(client_.revision(), rev);  // nothing rewritten
  EXPECT_EQ(client_.calls("update"), 0);

  BootstrapOptions moved;
  moved.api_endpoint_ip = "10.0.0.7";
  moved.api_port = 8444;
  ASSERT_TRUE(EnsureBootstrapObjects(client_, moved).ok());
  auto ep = client_.Get(kEndpoints, "default", "kubernetes");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ((*ep)["subsets"][0]["addresses"][0]["ip"], "10.0.0.7");
  EXPECT_EQ((*ep)["subsets"][0]["ports"][0]["port"], 8444);
  auto slice = client_.Get(kSlices, "default", "kubernetes");
  ASSERT_TRUE(slice.ok());
  EXPECT_EQ((*slice)["endpoints"][0]["addresses"][0], "10.0.0.7");
  auto svc = client_.Get(kServices, "default", "kubernetes");
  ASSERT_TRUE(svc.ok());
  EXPECT_EQ((*svc)["spec"]["ports"][0]["targetPort"], 8444);
  EXPECT_EQ((*svc)["spec"]["clusterIP"], "10.96.0.1");
}

TEST_F(BootstrapTest, ErrorsAreReturned) {
  client_.FailNext("create", Internal("store down"));
  Status st = EnsureBootstrapObjects(client_, {});
  EXPECT_EQ(st.code(), Code::kInternal);
  // A later run completes.
  EXPECT_TRUE(EnsureBootstrapObjects(client_, {}).ok());
}

TEST_F(BootstrapTest, RetriesOnConflict) {
  ASSERT_TRUE(EnsureBootstrapObjects(client_, {}).ok());
  BootstrapOptions moved;
  moved.api_endpoint_ip = "10.0.0.8";
  client_.FailNext("update", ConflictModified("endpoints", "kubernetes"));
  ASSERT_TRUE(EnsureBootstrapObjects(client_, moved).ok());
  auto ep = client_.Get(kEndpoints, "default", "kubernetes");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ((*ep)["subsets"][0]["addresses"][0]["ip"], "10.0.0.8");
}

}  // namespace
}  // namespace minik
