// The ServiceAccount admission plugin over the real registry: the default ServiceAccount,
// the Forbidden for a missing one, and the kube-api-access-* projected volume and mounts.
#include "apiserver/sa_admission.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "store/store.h"

namespace minik {
namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts"};
const ResourceRef kPods{"", "v1", "pods"};
constexpr const char* kMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

class ServiceAccountAdmissionTest : public ::testing::Test {
 protected:
  ServiceAccountAdmissionTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_, &chain_);
    chain_.Register(NewServiceAccountAdmission(*client_, clock_, 1));
    EXPECT_TRUE(client_->Create(kNamespaces, "", Json{{"metadata", {{"name", "a"}}}}).ok());
    EXPECT_TRUE(ServiceAccount("default", Json()).ok());
  }
  StatusOr<Json> ServiceAccount(const std::string& name, Json automount) {
    Json sa = {{"metadata", {{"name", name}}}};
    if (!automount.is_null()) sa["automountServiceAccountToken"] = automount;
    return client_->Create(kServiceAccounts, "a", sa);
  }
  StatusOr<Json> Pod(Json spec) {
    if (!spec.contains("containers")) {
      spec["containers"] = Json::array({{{"name", "main"}, {"image", "busybox"}}});
    }
    return client_->Create(kPods, "a", Json{{"metadata", {{"generateName", "p-"}}}, {"spec", spec}});
  }

  ResourceRegistry resources_;
  FakeClock clock_;
  AdmissionChain chain_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(ServiceAccountAdmissionTest, DefaultsTheServiceAccountAndMountsTheToken) {
  auto pod = Pod(Json{{"initContainers", Json::array({{{"name", "init"}, {"image", "busybox"}}})}});
  ASSERT_TRUE(pod.ok()) << pod.status().message();
  EXPECT_EQ(GetString(*pod, {"spec", "serviceAccountName"}), "default");
  const Json& volumes = (*pod)["spec"]["volumes"];
  ASSERT_EQ(volumes.size(), 1u);
  std::string name = GetString(volumes[0], {"name"});
  EXPECT_EQ(name.rfind("kube-api-access-", 0), 0u);
  EXPECT_EQ(name.size(), std::string("kube-api-access-").size() + 5);
  const Json& projected = volumes[0]["projected"];
  EXPECT_EQ(GetInt(projected, {"defaultMode"}), 0644);
  ASSERT_EQ(projected["sources"].size(), 3u);
  EXPECT_EQ(GetInt(projected["sources"][0], {"serviceAccountToken", "expirationSeconds"}), 3607);
  EXPECT_EQ(GetString(projected["sources"][0], {"serviceAccountToken", "path"}), "token");
  EXPECT_EQ(GetString(projected["sources"][1], {"configMap", "name"}), "kube-root-ca.crt");
  EXPECT_EQ(GetString(projected["sources"][1]["configMap"]["items"][0], {"path"}), "ca.crt");
  EXPECT_EQ(GetString(projected["sources"][2]["downwardAPI"]["items"][0], {"fieldRef", "fieldPath"}),
            "metadata.namespace");
  for (const char* list : {"containers", "initContainers"}) {
    const Json& mount = (*pod)["spec"][list][0]["volumeMounts"][0];
    EXPECT_EQ(GetString(mount, {"name"}), name) << list;
    EXPECT_EQ(GetString(mount, {"mountPath"}), kMountPath);
    EXPECT_TRUE(mount["readOnly"].get<bool>());
  }
}

TEST_F(ServiceAccountAdmissionTest, RefusesAMissingServiceAccount) {
  auto pod = client_->Create(
      kPods, "a",
      Json{{"metadata", {{"name", "x"}}},
           {"spec", {{"serviceAccountName", "nope"},
                     {"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}});
  EXPECT_EQ(pod.status().code(), Code::kForbidden);
  EXPECT_EQ(pod.status().message(),
            "pods \"x\" is forbidden: error looking up service account a/nope: serviceaccount "
            "\"nope\" not found");
}

TEST_F(ServiceAccountAdmissionTest, WaitsForTheDefaultServiceAccount) {
  AdmissionChain chain;
  auto client = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_, &chain);
  chain.Register(NewServiceAccountAdmission(*client, clock_, 10));
  ASSERT_TRUE(client->Create(kNamespaces, "", Json{{"metadata", {{"name", "fresh"}}}}).ok());
  // The controller's part, played by this thread once the plugin has looked and waits.
  std::atomic<bool> done{false};
  std::thread controller([&] {
    EXPECT_TRUE(clock_.AwaitSleepers(1));
    EXPECT_TRUE(
        client->Create(kServiceAccounts, "fresh", Json{{"metadata", {{"name", "default"}}}}).ok());
    while (!done) {
      if (clock_.Sleepers() > 0) clock_.Step(std::chrono::milliseconds(200));
      std::this_thread::yield();
    }
  });
  auto pod = client->Create(
      kPods, "fresh",
      Json{{"metadata", {{"name", "p"}}},
           {"spec", {{"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}});
  done = true;
  controller.join();
  ASSERT_TRUE(pod.ok()) << pod.status().message();
  EXPECT_EQ(GetString(*pod, {"spec", "serviceAccountName"}), "default");
}

TEST_F(ServiceAccountAdmissionTest, AutomountFalseOnPodOrServiceAccount) {
  ASSERT_TRUE(ServiceAccount("quiet", false).ok());
  auto off = Pod(Json{{"automountServiceAccountToken", false}});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE((*off)["spec"].contains("volumes"));
  auto sa_off = Pod(Json{{"serviceAccountName", "quiet"}});
  ASSERT_TRUE(sa_off.ok());
  EXPECT_FALSE((*sa_off)["spec"].contains("volumes"));
  // The pod's own true wins over its ServiceAccount's false.
  auto pod_on = Pod(Json{{"serviceAccountName", "quiet"}, {"automountServiceAccountToken", true}});
  ASSERT_TRUE(pod_on.ok());
  EXPECT_EQ((*pod_on)["spec"]["volumes"].size(), 1u);
}

TEST_F(ServiceAccountAdmissionTest, KeepsExistingMountsAtThePath) {
  Json spec = {{"containers",
                Json::array({{{"name", "own"},
                              {"image", "busybox"},
                              {"volumeMounts", Json::array({{{"name", "mine"}, {"mountPath", kMountPath}}})}},
                             {{"name", "other"}, {"image", "busybox"}}})},
               {"volumes", Json::array({{{"name", "mine"}, {"emptyDir", Json::object()}}})}};
  auto pod = Pod(spec);
  ASSERT_TRUE(pod.ok()) << pod.status().message();
  EXPECT_EQ((*pod)["spec"]["containers"][0]["volumeMounts"].size(), 1u);
  EXPECT_EQ((*pod)["spec"]["containers"][1]["volumeMounts"].size(), 1u);
  EXPECT_EQ((*pod)["spec"]["volumes"].size(), 2u);
  // Every container already mounting the path: no volume at all.
  Json all = spec;
  all["containers"].erase(1);
  auto none = Pod(all);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)["spec"]["volumes"].size(), 1u);
}

TEST_F(ServiceAccountAdmissionTest, CopiesImagePullSecretsFromTheServiceAccount) {
  ASSERT_TRUE(client_->Create(kServiceAccounts, "a",
                              Json{{"metadata", {{"name", "puller"}}},
                                   {"imagePullSecrets", Json::array({{{"name", "reg"}}})}})
                  .ok());
  auto pod = Pod(Json{{"serviceAccountName", "puller"}});
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ((*pod)["spec"]["imagePullSecrets"], Json::array({{{"name", "reg"}}}));
}

}  // namespace
}  // namespace minik
