// Quota evaluators and resource list arithmetic (api/quota.h).
#include "api/quota.h"

#include <gtest/gtest.h>

namespace minik::quota {
namespace {

const SystemTime kNow = SystemTime(std::chrono::seconds(1'700'000'000));

TEST(QuotaTest, ParseAndFormatMilli) {
  EXPECT_EQ(ParseMilli(Json("100m")), 100);
  EXPECT_EQ(ParseMilli(Json("0.1")), 100);
  EXPECT_EQ(ParseMilli(Json("0.5m")), 1);  // rounds up as MilliValue()
  EXPECT_EQ(ParseMilli(Json(2)), 2000);
  EXPECT_EQ(ParseMilli(Json("64Mi")), 64LL * 1024 * 1024 * 1000);
  EXPECT_FALSE(ParseMilli(Json("lots")).has_value());
  EXPECT_EQ(FormatMilli("pods", 2000), "2");
  EXPECT_EQ(FormatMilli("requests.cpu", 1500), "1500m");
  EXPECT_EQ(FormatMilli("requests.memory", 96LL * 1024 * 1024 * 1000), "96Mi");
  EXPECT_EQ(FormatMilli("requests.storage", 1024LL * 1024 * 1024 * 1000), "1Gi");
  EXPECT_EQ(FormatMilli("count/pods", 1000 * 1000), "1k");
}

TEST(QuotaTest, PrettyPrintMaskAndCompare) {
  ResourceList used = {{"pods", 2000}, {"requests.cpu", 500}};
  ResourceList hard = {{"pods", 2000}, {"requests.cpu", 1000}};
  EXPECT_EQ(PrettyPrint(used), "pods=2,requests.cpu=500m");
  std::vector<std::string> exceeded;
  EXPECT_FALSE(LessThanOrEqual(Add(used, {{"pods", 1000}}), hard, &exceeded));
  EXPECT_EQ(exceeded, std::vector<std::string>{"pods"});
  EXPECT_EQ(Mask(used, {"requests.cpu", "nope"}), (ResourceList{{"requests.cpu", 500}}));
}

TEST(QuotaTest, PodUsage) {
  Json pod = {{"spec",
               {{"containers",
                 {{{"name", "a"},
                   {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "1Gi"}}},
                                  {"limits", {{"cpu", "200m"}}}}}},
                  {{"name", "b"}, {"resources", {{"requests", {{"cpu", "300m"}}}}}}}},
                {"initContainers",
                 {{{"name", "i"}, {"resources", {{"requests", {{"cpu", "1"}}}}}}}}}}};
  ResourceList u = Usage("", "pods", pod, kNow);
  EXPECT_EQ(u["pods"], 1000);
  EXPECT_EQ(u["count/pods"], 1000);
  EXPECT_EQ(u["requests.cpu"], 1000);  // the init container's 1 beats 100m + 300m
  EXPECT_EQ(u["cpu"], 1000);
  EXPECT_EQ(u["limits.cpu"], 200);
  EXPECT_EQ(u["requests.memory"], 1024LL * 1024 * 1024 * 1000);
  pod["status"]["phase"] = "Succeeded";
  u = Usage("", "pods", pod, kNow);
  EXPECT_EQ(u, (ResourceList{{"count/pods", 1000}}));  // finished pods only count as objects
}

TEST(QuotaTest, ServiceClaimAndGenericUsage) {
  Json svc = {{"spec", {{"type", "NodePort"}, {"ports", {{{"port", 80}}, {{"port", 443}}}}}}};
  EXPECT_EQ(Usage("", "services", svc, kNow),
            (ResourceList{{"count/services", 1000}, {"services", 1000},
                          {"services.nodeports", 2000}}));
  Json claim = {{"spec", {{"storageClassName", "fast"},
                          {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
  ResourceList c = Usage("", "persistentvolumeclaims", claim, kNow);
  EXPECT_EQ(c["persistentvolumeclaims"], 1000);
  EXPECT_EQ(c["fast.storageclass.storage.k8s.io/requests.storage"], 1024LL * 1024 * 1024 * 1000);
  EXPECT_EQ(Usage("apps", "deployments", Json::object(), kNow),
            (ResourceList{{"count/deployments.apps", 1000}}));
  EXPECT_TRUE(TracksResource("", "configmaps", "configmaps"));
  EXPECT_TRUE(TracksResource("apps", "deployments", "count/deployments.apps"));
  EXPECT_FALSE(TracksResource("", "pods", "services"));
  EXPECT_TRUE(TracksResource("", "pods", "limits.memory"));
}

TEST(QuotaTest, Scopes) {
  Json best_effort = {{"spec", {{"containers", {{{"name", "a"}}}}}}};
  Json burstable = {{"spec", {{"containers",
                               {{{"name", "a"}, {"resources", {{"requests", {{"cpu", "1"}}}}}}}}}}};
  Json q = {{"spec", {{"scopes", {"BestEffort"}}}}};
  EXPECT_TRUE(MatchesScopes(q, "", "pods", best_effort));
  EXPECT_FALSE(MatchesScopes(q, "", "pods", burstable));
  EXPECT_TRUE(MatchesScopes(q, "", "services", Json::object()));  // no scopes for other kinds
  Json pc = {{"spec", {{"scopeSelector", {{"matchExpressions",
                                           {{{"scopeName", "PriorityClass"},
                                             {"operator", "In"},
                                             {"values", {"high"}}}}}}}}}};
  burstable["spec"]["priorityClassName"] = "high";
  EXPECT_TRUE(MatchesScopes(pc, "", "pods", burstable));
  EXPECT_FALSE(MatchesScopes(pc, "", "pods", best_effort));
}

TEST(QuotaTest, PodConstraints) {
  Json pod = {{"spec", {{"containers", {{{"name", "a"}, {"resources", {{"requests", {{"cpu", "1"}}}}}},
                                         {{"name", "b"}}}}}}};
  EXPECT_EQ(PodConstraintError({"pods", "requests.cpu", "limits.memory"}, pod),
            "must specify limits.memory for: a,b; requests.cpu for: b");
  EXPECT_EQ(PodConstraintError({"pods"}, pod), "");
}

}  // namespace
}  // namespace minik::quota
