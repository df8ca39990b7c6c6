// The built-in admission plugins: pure checks (LimitRanger, Pod Security) and the plugins
// through a real registry (built-in kinds, in-memory store) as the API server runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/admission_plugins.h"
#include "apiserver/registry.h"
#include "store/store.h"

namespace minik {
namespace {

Json Container(const std::string& name, Json resources = Json::object(),
               Json security = nullptr) {
  Json c = {{"name", name}, {"image", "busybox"}};
  if (!resources.empty()) c["resources"] = std::move(resources);
  if (!security.is_null()) c["securityContext"] = std::move(security);
  return c;
}

Json PodWith(Json containers, Json spec_extra = Json::object()) {
  Json pod = {{"metadata", {{"name", "p"}}}, {"spec", {{"containers", std::move(containers)}}}};
  for (auto& [k, v] : spec_extra.items()) pod["spec"][k] = v;
  return pod;
}

// ---- LimitRanger (pure)

const Json kMemRange = {{"spec",
                         {{"limits",
                           {{{"type", "Container"},
                             {"default", {{"memory", "64Mi"}}},
                             {"defaultRequest", {{"memory", "32Mi"}}},
                             {"max", {{"memory", "128Mi"}}}}}}}}};

TEST(LimitRangerTest, DefaultsFillMissingRequestsAndLimitsAndAnnotate) {
  Json pod = PodWith({Container("main"), Container("side", {{"limits", {{"memory", "100Mi"}}}})});
  ApplyLimitRangeDefaults(kMemRange, pod);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["limits"]["memory"], "64Mi");
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["memory"], "32Mi");
  EXPECT_EQ(pod["spec"]["containers"][1]["resources"]["limits"]["memory"], "100Mi");
  EXPECT_EQ(pod["spec"]["containers"][1]["resources"]["requests"]["memory"], "32Mi");
  EXPECT_EQ(GetString(pod, {"metadata", "annotations", "kubernetes.io/limit-ranger"}),
            "LimitRanger plugin set: memory request for container main; memory limit for "
            "container main; memory request for container side");
}

TEST(LimitRangerTest, MaxMinAndRatioMessagesAreUpstreams) {
  Json big = PodWith({Container("main", {{"limits", {{"memory", "256Mi"}}}})});
  EXPECT_EQ(CheckLimitRange(kMemRange, big),
            "maximum memory usage per Container is 128Mi, but limit is 256Mi");
  Json no_limit = PodWith({Container("main")});
  EXPECT_EQ(CheckLimitRange(kMemRange, no_limit),
            "maximum memory usage per Container is 128Mi.  No limit is specified");
  Json lr = {{"spec",
              {{"limits",
                {{{"type", "Container"},
                  {"min", {{"cpu", "100m"}}},
                  {"maxLimitRequestRatio", {{"cpu", "2"}}}},
                 {{"type", "Pod"}, {"max", {{"cpu", "1"}}}}}}}}};
  Json pod = PodWith({Container("a", {{"requests", {{"cpu", "50m"}}}, {"limits", {{"cpu", "600m"}}}}),
                      Container("b", {{"requests", {{"cpu", "200m"}}}, {"limits", {{"cpu", "600m"}}}})});
  EXPECT_EQ(CheckLimitRange(lr, pod),
            "[minimum cpu usage per Container is 100m, but request is 50m, cpu max limit to "
            "request ratio per Container is 2, but provided ratio is 12.000000, cpu max limit "
            "to request ratio per Container is 2, but provided ratio is 3.000000, maximum cpu "
            "usage per Pod is 1, but limit is 1200m]");
  Json ok = PodWith({Container("a", {{"requests", {{"cpu", "200m"}}}, {"limits", {{"cpu", "400m"}}}})});
  EXPECT_EQ(CheckLimitRange(lr, ok), "");
}

TEST(LimitRangerTest, ClaimsAreHeldToStorageMinMax) {
  Json lr = {{"spec",
              {{"limits",
                {{{"type", "PersistentVolumeClaim"},
                  {"min", {{"storage", "1Gi"}}},
                  {"max", {{"storage", "2Gi"}}}}}}}}};
  Json claim = {{"spec", {{"resources", {{"requests", {{"storage", "5Gi"}}}}}}}};
  EXPECT_EQ(CheckLimitRangeClaim(lr, claim),
            "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi");
  claim["spec"]["resources"]["requests"]["storage"] = "500Mi";
  EXPECT_EQ(CheckLimitRangeClaim(lr, claim),
            "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi");
}

// ---- Pod Security (pure)

const Json kRestrictedSecurity = {{"allowPrivilegeEscalation", false},
                                  {"capabilities", {{"drop", {"ALL"}}}}};
const Json kRestrictedPodSecurity = {{"runAsNonRoot", true},
                                     {"runAsUser", 1000},
                                     {"seccompProfile", {{"type", "RuntimeDefault"}}}};

TEST(PodSecurityTest, CompliantPodPassesRestricted) {
  Json spec = {{"securityContext", kRestrictedPodSecurity},
               {"containers", {Container("main", {}, kRestrictedSecurity)}},
               {"volumes", {{{"name", "token"}, {"projected", {{"sources", Json::array()}}}}}}};
  EXPECT_EQ(PodSecurityViolations("restricted", Json::object(), spec), "");
}

TEST(PodSecurityTest, PrivilegedPodUnderRestrictedListsBaselineThenRestrictedChecks) {
  Json spec = {{"containers", {Container("main", {}, {{"privileged", true}})}}};
  EXPECT_EQ(PodSecurityViolations("restricted", Json::object(), spec),
            "privileged (container \"main\" must not set securityContext.privileged=true), "
            "allowPrivilegeEscalation != false (container \"main\" must set "
            "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities "
            "(container \"main\" must set securityContext.capabilities.drop=[\"ALL\"]), "
            "runAsNonRoot != true (pod or container \"main\" must set "
            "securityContext.runAsNonRoot=true), seccompProfile (pod or container \"main\" must "
            "set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
  EXPECT_EQ(PodSecurityViolations("baseline", Json::object(), spec),
            "privileged (container \"main\" must not set securityContext.privileged=true)");
  EXPECT_EQ(PodSecurityViolations("privileged", Json::object(), spec), "");
}

TEST(PodSecurityTest, BaselineChecks) {
  Json spec = {{"hostNetwork", true},
               {"hostPID", true},
               {"containers",
                {Container("a", {}, {{"capabilities", {{"add", {"NET_ADMIN", "CHOWN", "SYS_TIME"}}}}}),
                 {{"name", "b"}, {"image", "x"}, {"ports", {{{"containerPort", 80}, {"hostPort", 8080}}}}}}},
               {"volumes", {{{"name", "host"}, {"hostPath", {{"path", "/tmp"}}}}}},
               {"securityContext",
                {{"seccompProfile", {{"type", "Unconfined"}}},
                 {"sysctls", {{{"name", "kernel.msgmax"}, {"value", "1"}}}}}}};
  EXPECT_EQ(PodSecurityViolations("baseline", Json::object(), spec),
            "non-default capabilities (container \"a\" must not include \"NET_ADMIN\", "
            "\"SYS_TIME\" in securityContext.capabilities.add), host namespaces "
            "(hostNetwork=true, hostPID=true), hostPath volumes (volume \"host\"), hostPort "
            "(container \"b\" uses hostPort 8080), seccompProfile (pod must not set "
            "securityContext.seccompProfile.type to \"Unconfined\"), forbidden sysctls "
            "(kernel.msgmax)");
}

TEST(PodSecurityTest, RestrictedReplacesHostPathWithVolumeTypes) {
  Json spec = {{"securityContext", kRestrictedPodSecurity},
               {"containers", {Container("main", {}, kRestrictedSecurity)}},
               {"volumes", {{{"name", "host"}, {"hostPath", {{"path", "/tmp"}}}}}}};
  EXPECT_EQ(PodSecurityViolations("restricted", Json::object(), spec),
            "restricted volume types (volume \"host\" uses restricted volume type \"hostPath\")");
}

TEST(PodSecurityTest, RunAsUserZeroAndExplicitRunAsNonRootFalse) {
  Json sc = kRestrictedSecurity;
  sc["runAsUser"] = 0;
  sc["runAsNonRoot"] = false;
  Json spec = {{"securityContext", {{"seccompProfile", {{"type", "RuntimeDefault"}}}}},
               {"containers", {Container("main", {}, sc)}}};
  EXPECT_EQ(PodSecurityViolations("restricted", Json::object(), spec),
            "runAsNonRoot != true (container \"main\" must not set "
            "securityContext.runAsNonRoot=false), runAsUser=0 (container \"main\" must not set "
            "runAsUser=0)");
}

// ---- through the registry

class AdmissionPluginsRegistryTest : public ::testing::Test {
 protected:
  AdmissionPluginsRegistryTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_, &chain_);
    RegisterBuiltinAdmission(chain_, *client_, clock_);
  }

  void MakeNamespace(const std::string& name, Json labels = Json::object()) {
    Json ns = {{"metadata", {{"name", name}}}};
    if (!labels.empty()) ns["metadata"]["labels"] = std::move(labels);
    auto r = client_->Create(kNs, "", ns);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  StatusOr<Json> CreatePod(const std::string& ns, Json pod, std::vector<std::string>* warnings = nullptr) {
    WriteOptions opts;
    opts.warnings = warnings;
    return client_->Create(kPods, ns, std::move(pod), opts);
  }

  const ResourceRef kNs{"", "v1", "namespaces"};
  const ResourceRef kPods{"", "v1", "pods"};
  const ResourceRef kLimitRanges{"", "v1", "limitranges"};
  const ResourceRef kClaims{"", "v1", "persistentvolumeclaims"};
  const ResourceRef kClasses{"storage.k8s.io", "v1", "storageclasses"};
  const ResourceRef kDeployments{"apps", "v1", "deployments"};
  ResourceRegistry resources_;
  FakeClock clock_;
  AdmissionChain chain_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(AdmissionPluginsRegistryTest, ChainHasUpstreamOrder) {
  EXPECT_EQ(chain_.Names(), (std::vector<std::string>{"LimitRanger", "PodSecurity",
                                                      "DefaultStorageClass", "ResourceQuota"}));
}

TEST_F(AdmissionPluginsRegistryTest, LimitRangerDefaultsAndRefuses) {
  MakeNamespace("b");
  Json lr = kMemRange;
  lr["metadata"]["name"] = "mem";
  ASSERT_TRUE(client_->Create(kLimitRanges, "b", lr).ok());
  auto pod = CreatePod("b", PodWith({Container("main")}));
  ASSERT_TRUE(pod.ok()) << pod.status().message();
  EXPECT_EQ((*pod)["spec"]["containers"][0]["resources"]["limits"]["memory"], "64Mi");
  EXPECT_EQ((*pod)["spec"]["containers"][0]["resources"]["requests"]["memory"], "32Mi");
  Json big = PodWith({Container("main", {{"limits", {{"memory", "256Mi"}}}})});
  big["metadata"]["name"] = "too-big";
  auto refused = CreatePod("b", big);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kForbidden);
  EXPECT_EQ(refused.status().message(),
            "pods \"too-big\" is forbidden: maximum memory usage per Container is 128Mi, but "
            "limit is 256Mi");
}

TEST_F(AdmissionPluginsRegistryTest, PodSecurityEnforcesAndWarns) {
  MakeNamespace("c", {{"pod-security.kubernetes.io/enforce", "restricted"}});
  MakeNamespace("d", {{"pod-security.kubernetes.io/warn", "baseline"}});
  Json priv = PodWith({Container("main", {}, {{"privileged", true}})});
  priv["metadata"]["name"] = "priv";
  auto refused = CreatePod("c", priv);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kForbidden);
  EXPECT_EQ(refused.status().message().rfind(
                "pods \"priv\" is forbidden: violates PodSecurity \"restricted:latest\": "
                "privileged (container \"main\" must not set securityContext.privileged=true), ",
                0),
            0u)
      << refused.status().message();

  Json compliant = PodWith({Container("main", {}, kRestrictedSecurity)},
                           {{"securityContext", kRestrictedPodSecurity}});
  std::vector<std::string> warnings;
  auto ok = CreatePod("c", compliant, &warnings);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE(warnings.empty());

  Json host = PodWith({Container("main")},
                      {{"volumes", {{{"name", "host"}, {"hostPath", {{"path", "/tmp"}}}}}}});
  auto warned = CreatePod("d", host, &warnings);
  ASSERT_TRUE(warned.ok()) << warned.status().message();
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "would violate PodSecurity \"baseline:latest\": hostPath volumes "
                          "(volume \"host\")"}));
}

TEST_F(AdmissionPluginsRegistryTest, PodSecurityOnlyWarnsForWorkloads) {
  MakeNamespace("c", {{"pod-security.kubernetes.io/enforce", "baseline"}});
  Json deploy = {{"metadata", {{"name", "web"}}},
                 {"spec",
                  {{"selector", {{"matchLabels", {{"app", "web"}}}}},
                   {"template",
                    {{"metadata", {{"labels", {{"app", "web"}}}}},
                     {"spec", {{"hostNetwork", true}, {"containers", {Container("main")}}}}}}}}};
  std::vector<std::string> warnings;
  WriteOptions opts;
  opts.warnings = &warnings;
  auto created = client_->Create(kDeployments, "c", deploy, opts);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "would violate PodSecurity \"baseline:latest\": host namespaces "
                          "(hostNetwork=true)"}));
}

TEST_F(AdmissionPluginsRegistryTest, PodSecurityRejectsInvalidNamespaceLabels) {
  Json ns = {{"metadata",
              {{"name", "bad"}, {"labels", {{"pod-security.kubernetes.io/enforce", "strict"}}}}}};
  auto r = client_->Create(kNs, "", ns);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalid);
  EXPECT_NE(r.status().message().find("must be one of privileged, baseline, restricted"),
            std::string::npos)
      << r.status().message();
}

TEST_F(AdmissionPluginsRegistryTest, DefaultStorageClassNamesTheDefault) {
  MakeNamespace("b");
  Json sc = {{"metadata",
              {{"name", "standard"},
               {"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}}},
             {"provisioner", "minik.io/hostpath"}};
  ASSERT_TRUE(client_->Create(kClasses, "", sc).ok());
  Json claim = {{"metadata", {{"name", "claim"}}},
                {"spec",
                 {{"accessModes", {"ReadWriteOnce"}},
                  {"resources", {{"requests", {{"storage", "1Mi"}}}}}}}};
  auto created = client_->Create(kClaims, "b", claim);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(GetString(*created, {"spec", "storageClassName"}), "standard");
  claim["metadata"]["name"] = "none";
  claim["spec"]["storageClassName"] = "";
  auto none = client_->Create(kClaims, "b", claim);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(GetString(*none, {"spec", "storageClassName"}), "");
}


TEST_F(AdmissionPluginsRegistryTest, PodSecurityNamespaceUpdateWarnsAboutExistingPods) {
  MakeNamespace("d");
  Json host = PodWith({Container("main")},
                      {{"volumes", {{{"name", "host"}, {"hostPath", {{"path", "/tmp"}}}}}}});
  host["metadata"]["name"] = "hostpath";
  ASSERT_TRUE(CreatePod("d", host).ok());
  auto ns = client_->Get(kNs, "", "d");
  ASSERT_TRUE(ns.ok());
  (*ns)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline";
  std::vector<std::string> warnings;
  WriteOptions opts;
  opts.warnings = &warnings;
  auto updated = client_->Update(kNs, "", *ns, opts);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "existing pods in namespace \"d\" violate the new PodSecurity enforce "
                          "level \"baseline:latest\"",
                          "hostpath: hostPath volumes"}));
  // The pod stays, and updates that add nothing to evaluate are not refused...
  auto pod = client_->Get(kPods, "d", "hostpath");
  ASSERT_TRUE(pod.ok());
  (*pod)["spec"]["containers"][0]["image"] = "busybox:2";
  (*pod)["metadata"]["labels"]["x"] = "y";
  EXPECT_TRUE(client_->Update(kPods, "d", *pod).ok());
  // ...but an ephemeral container is.
  pod = client_->Get(kPods, "d", "hostpath");
  ASSERT_TRUE(pod.ok());
  (*pod)["spec"]["ephemeralContainers"] = {{{"name", "debug"}, {"image", "busybox"},
                                            {"securityContext", {{"privileged", true}}}}};
  auto debug = client_->Update(kPods, "d", *pod, {}, "ephemeralcontainers");
  ASSERT_FALSE(debug.ok());
  EXPECT_EQ(debug.status().code(), Code::kForbidden);
  EXPECT_NE(debug.status().message().find("violates PodSecurity \"baseline:latest\": hostPath "
                                          "volumes (volume \"host\"), privileged (container "
                                          "\"debug\" must not set securityContext.privileged=true)"),
            std::string::npos)
      << debug.status().message();
}

// ---- ResourceQuota

class QuotaAdmissionTest : public AdmissionPluginsRegistryTest {
 protected:
  void SetUp() override {
    MakeNamespace("b");
    Json rq = {{"metadata", {{"name", "pods"}}}, {"spec", {{"hard", {{"pods", "2"}}}}}};
    auto created = client_->Create(kQuotas, "b", rq);
    ASSERT_TRUE(created.ok()) << created.status().message();
  }
  // What the quota controller would write.
  void SetStatus(Json hard, Json used) {
    auto rq = client_->Get(kQuotas, "b", "pods");
    ASSERT_TRUE(rq.ok());
    (*rq)["status"] = {{"hard", std::move(hard)}};
    if (!used.is_null()) (*rq)["status"]["used"] = std::move(used);
    auto r = client_->Update(kQuotas, "b", *rq, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  Json Pod(const std::string& name, Json resources = Json::object()) {
    Json pod = PodWith({Container("main", std::move(resources))});
    pod["metadata"]["name"] = name;
    return pod;
  }
  std::string Used(const std::string& resource) {
    auto rq = client_->Get(kQuotas, "b", "pods");
    return rq.ok() ? GetString(*rq, {"status", "used", resource.c_str()}) : "<error>";
  }
  const ResourceRef kQuotas{"", "v1", "resourcequotas"};
};

TEST_F(QuotaAdmissionTest, NotEnforcedBeforeTheControllerFilledStatusHard) {
  EXPECT_TRUE(CreatePod("b", Pod("a")).ok());
  EXPECT_TRUE(CreatePod("b", Pod("b")).ok());
  EXPECT_TRUE(CreatePod("b", Pod("c")).ok());
}

TEST_F(QuotaAdmissionTest, RefusedWhileUsageIsUnknown) {
  SetStatus({{"pods", "2"}}, nullptr);
  auto r = CreatePod("b", Pod("a"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  EXPECT_EQ(r.status().message(),
            "pods \"a\" is forbidden: status unknown for quota: pods, resources: pods");
}

TEST_F(QuotaAdmissionTest, ChargesUsedAndRefusesBeyondHard) {
  SetStatus({{"pods", "2"}}, {{"pods", "1"}});
  ASSERT_TRUE(CreatePod("b", Pod("q1")).ok());
  EXPECT_EQ(Used("pods"), "2");
  auto r = CreatePod("b", Pod("q2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  EXPECT_EQ(r.status().message(),
            "pods \"q2\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, "
            "limited: pods=2");
  EXPECT_EQ(Used("pods"), "2");
  // Other kinds are not counted by a pods quota.
  EXPECT_TRUE(client_->Create({"", "v1", "configmaps"}, "b", Json{{"metadata", {{"name", "x"}}}}).ok());
}

TEST_F(QuotaAdmissionTest, DryRunChecksWithoutCharging) {
  SetStatus({{"pods", "2"}}, {{"pods", "1"}});
  WriteOptions opts;
  opts.dry_run = true;
  ASSERT_TRUE(client_->Create(kPods, "b", Pod("q1"), opts).ok());
  EXPECT_EQ(Used("pods"), "1");
}

TEST_F(QuotaAdmissionTest, ComputeQuotasNeedRequestsAndAddThemUp) {
  SetStatus({{"pods", "2"}, {"requests.memory", "100Mi"}},
            {{"pods", "0"}, {"requests.memory", "0"}});
  auto missing = CreatePod("b", Pod("a"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "pods \"a\" is forbidden: failed quota: pods: must specify requests.memory for: main");
  ASSERT_TRUE(CreatePod("b", Pod("a", {{"requests", {{"memory", "64Mi"}}}})).ok());
  EXPECT_EQ(Used("requests.memory"), "64Mi");
  auto over = CreatePod("b", Pod("b", {{"requests", {{"memory", "64Mi"}}}}));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(),
            "pods \"b\" is forbidden: exceeded quota: pods, requested: requests.memory=64Mi, "
            "used: requests.memory=64Mi, limited: requests.memory=100Mi");
}

TEST_F(QuotaAdmissionTest, ObjectCountsOfOtherKinds) {
  SetStatus({{"count/configmaps", "1"}, {"configmaps", "5"}},
            {{"count/configmaps", "0"}, {"configmaps", "0"}});
  const ResourceRef cms{"", "v1", "configmaps"};
  ASSERT_TRUE(client_->Create(cms, "b", Json{{"metadata", {{"name", "x"}}}}).ok());
  auto r = client_->Create(cms, "b", Json{{"metadata", {{"name", "y"}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "configmaps \"y\" is forbidden: exceeded quota: pods, requested: count/configmaps=1, "
            "used: count/configmaps=1, limited: count/configmaps=1");
}


TEST_F(QuotaAdmissionTest, ConcurrentCreatesNeverExceedTheQuota) {
  SetStatus({{"pods", "5"}}, {{"pods", "0"}});
  std::atomic<int> admitted{0}, other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2; ++i) {
        auto r = CreatePod("b", Pod("p" + std::to_string(t) + "-" + std::to_string(i)));
        if (r.ok()) {
          ++admitted;
        } else if (r.status().code() != Code::kForbidden && r.status().code() != Code::kConflict) {
          ++other_errors;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(admitted.load(), 5);
  EXPECT_GE(admitted.load(), 1);
  EXPECT_EQ(other_errors.load(), 0);
  // Every admitted pod was charged exactly once.
  EXPECT_EQ(Used("pods"), std::to_string(admitted.load()));
  auto pods = client_->List(kPods, "b");
  ASSERT_TRUE(pods.ok());
  EXPECT_EQ(int((*pods)["items"].size()), admitted.load());
}

}  // namespace
}  // namespace minik
