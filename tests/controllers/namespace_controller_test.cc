#include "controllers/namespace_controller.h"

#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "tests/controllers/fake_client.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using std::chrono::milliseconds;
using testing::Eventually;
using testing::FakeClient;

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};
const ResourceRef kWidgets{"example.com", "v1", "widgets"};

Json Named(const std::string& name) { return Json{{"metadata", {{"name", name}}}}; }

const Json* FindCondition(const Json& ns, const std::string& type) {
  const Json* conds = Find(ns, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}

class NamespaceControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddDefaultKinds();
    client_.AddKind(kWidgets, "Widget", true);
    testing::AddDefaultKinds(resources_);
    // A kind that can only be deleted one by one.
    ResourceInfo widgets = testing::Kind("example.com", "Widget", "widgets", true);
    widgets.verbs = {"create", "delete", "get", "list", "watch"};
    resources_.Add(widgets);
    // A kind that cannot be listed (like bindings): skipped.
    ResourceInfo bindings = testing::Kind("", "Binding", "bindings", true);
    bindings.verbs = {"create"};
    resources_.Add(bindings);

    ASSERT_TRUE(client_.Create(kNamespaces, "", Named("acc")).ok());
    ASSERT_TRUE(client_.Create(kNamespaces, "", Named("other")).ok());
    for (const char* ns : {"acc", "other"}) {
      ASSERT_TRUE(client_.Create(kConfigMaps, ns, Named("cm")).ok());
      ASSERT_TRUE(client_.Create(kPods, ns, Named("pod")).ok());
      ASSERT_TRUE(client_.Create(kWidgets, ns, Named("w1")).ok());
      ASSERT_TRUE(client_.Create(kWidgets, ns, Named("w2")).ok());
    }
  }

  bool Exists(const ResourceRef& ref, const std::string& ns, const std::string& name) {
    return client_.Get(ref, ns, name).ok();
  }

  FakeClient client_;
  FakeClock clock_;
  ResourceRegistry resources_;
  SharedInformerFactory informers_{client_, clock_};
};

TEST_F(NamespaceControllerTest, DeletesContentThenFinalizes) {
  NamespaceController c(client_, clock_, informers_, resources_);
  ASSERT_TRUE(client_.Delete(kNamespaces, "", "acc").ok());
  auto ns = client_.Get(kNamespaces, "", "acc");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(GetString(*ns, {"status", "phase"}), "Terminating");

  auto r = c.Reconcile("acc");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->requeue);
  EXPECT_FALSE(Exists(kNamespaces, "", "acc"));
  EXPECT_FALSE(Exists(kConfigMaps, "acc", "cm"));
  EXPECT_FALSE(Exists(kPods, "acc", "pod"));
  EXPECT_FALSE(Exists(kWidgets, "acc", "w1"));
  EXPECT_FALSE(Exists(kWidgets, "acc", "w2"));
  // Other namespaces are untouched.
  EXPECT_TRUE(Exists(kConfigMaps, "other", "cm"));
  EXPECT_TRUE(Exists(kWidgets, "other", "w1"));
  EXPECT_TRUE(Exists(kNamespaces, "", "other"));
  EXPECT_GE(client_.calls("deletecollection"), 1);
}

TEST_F(NamespaceControllerTest, ActiveNamespaceIsLeftAlone) {
  NamespaceController c(client_, clock_, informers_, resources_);
  auto r = c.Reconcile("acc");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Exists(kConfigMaps, "acc", "cm"));
  EXPECT_EQ(client_.calls("deletecollection"), 0);
  EXPECT_TRUE(c.Reconcile("missing").ok());
}

TEST_F(NamespaceControllerTest, OtherFinalizersAreNotOurs) {
  NamespaceController c(client_, clock_, informers_, resources_);
  auto ns = client_.Get(kNamespaces, "", "acc");
  ASSERT_TRUE(ns.ok());
  (*ns)["spec"]["finalizers"] = Json::array({"example.com/other"});
  ASSERT_TRUE(client_.Update(kNamespaces, "", *ns, {}, "finalize").ok());
  ASSERT_TRUE(client_.Delete(kNamespaces, "", "acc").ok());
  ASSERT_TRUE(c.Reconcile("acc").ok());
  EXPECT_TRUE(Exists(kNamespaces, "", "acc"));
  EXPECT_TRUE(Exists(kConfigMaps, "acc", "cm"));
}

TEST_F(NamespaceControllerTest, WaitsForFinalizedContent) {
  NamespaceController c(client_, clock_, informers_, resources_);
  Json pod = Named("held");
  pod["metadata"]["finalizers"] = Json::array({"example.com/hold"});
  ASSERT_TRUE(client_.Create(kPods, "acc", pod).ok());
  ASSERT_TRUE(client_.Delete(kNamespaces, "", "acc").ok());

  auto r = c.Reconcile("acc");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->requeue);
  auto ns = client_.Get(kNamespaces, "", "acc");
  ASSERT_TRUE(ns.ok());
  const Json* remaining = FindCondition(*ns, "NamespaceContentRemaining");
  ASSERT_NE(remaining, nullptr);
  EXPECT_EQ(GetString(*remaining, {"status"}), "True");
  EXPECT_EQ(GetString(*remaining, {"reason"}), "SomeResourcesRemain");
  EXPECT_EQ(GetString(*remaining, {"message"}),
            "Some resources are remaining: pods. has 1 resource instances");
  const Json* fins = FindCondition(*ns, "NamespaceFinalizersRemaining");
  ASSERT_NE(fins, nullptr);
  EXPECT_EQ(GetString(*fins, {"message"}),
            "Some content in the namespace has finalizers remaining: example.com/hold in 1 "
            "resource instances");
  const Json* failure = FindCondition(*ns, "NamespaceDeletionContentFailure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(GetString(*failure, {"status"}), "False");
  EXPECT_FALSE(GetString(*failure, {"lastTransitionTime"}).empty());

  // A second pass with nothing new does not rewrite the status.
  std::string rv = ResourceVersion(*ns);
  ASSERT_TRUE(c.Reconcile("acc").ok());
  EXPECT_EQ(ResourceVersion(*client_.Get(kNamespaces, "", "acc")), rv);

  // The finalizer goes: the next pass finishes.
  auto held = client_.Get(kPods, "acc", "held");
  ASSERT_TRUE(held.ok());
  (*held)["metadata"]["finalizers"] = Json::array();
  ASSERT_TRUE(client_.Update(kPods, "acc", *held).ok());
  r = c.Reconcile("acc");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->requeue);
  EXPECT_FALSE(Exists(kNamespaces, "", "acc"));
}

TEST_F(NamespaceControllerTest, DeleteFailureIsReportedAndRetried) {
  NamespaceController c(client_, clock_, informers_, resources_);
  ASSERT_TRUE(client_.Delete(kNamespaces, "", "acc").ok());
  client_.FailNext("deletecollection", Internal("disk on fire"));
  auto r = c.Reconcile("acc");
  EXPECT_FALSE(r.ok());
  auto ns = client_.Get(kNamespaces, "", "acc");
  ASSERT_TRUE(ns.ok());
  const Json* failure = FindCondition(*ns, "NamespaceDeletionContentFailure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(GetString(*failure, {"status"}), "True");
  EXPECT_EQ(GetString(*failure, {"reason"}), "ContentDeletionFailed");
  EXPECT_NE(GetString(*failure, {"message"}).find("disk on fire"), std::string::npos);
  // The retry succeeds.
  ASSERT_TRUE(c.Reconcile("acc").ok());
  EXPECT_FALSE(Exists(kNamespaces, "", "acc"));
}

TEST_F(NamespaceControllerTest, FinalizeConflictIsAnError) {
  NamespaceController c(client_, clock_, informers_, resources_);
  ASSERT_TRUE(client_.Delete(kNamespaces, "", "acc").ok());
  client_.FailNext("update", Status::Ok());  // the status update passes
  client_.FailNext("update", ConflictModified("namespaces", "acc"));
  EXPECT_EQ(c.Reconcile("acc").status().code(), Code::kConflict);
  ASSERT_TRUE(c.Reconcile("acc").ok());
  EXPECT_FALSE(Exists(kNamespaces, "", "acc"));
}

TEST_F(NamespaceControllerTest, RunsFromInformerEvents) {
  NamespaceController c(client_, clock_, informers_, resources_);
  informers_.Start();
  ASSERT_TRUE(informers_.WaitForCacheSync(milliseconds(5000)));
  c.Run();
  Json pod = Named("held");
  pod["metadata"]["finalizers"] = Json::array({"example.com/hold"});
  ASSERT_TRUE(client_.Create(kPods, "acc", pod).ok());
  ASSERT_TRUE(client_.Delete(kNamespaces, "", "acc").ok());
  // Content goes, the held pod keeps the namespace (requeued with back-off on the clock).
  ASSERT_TRUE(Eventually([&] { return !Exists(kConfigMaps, "acc", "cm"); }));
  EXPECT_TRUE(Exists(kNamespaces, "", "acc"));
  auto held = client_.Get(kPods, "acc", "held");
  ASSERT_TRUE(held.ok());
  (*held)["metadata"]["finalizers"] = Json::array();
  ASSERT_TRUE(client_.Update(kPods, "acc", *held).ok());
  // Step the fake clock until the requeued key comes back (back-off is capped at 1 s).
  ASSERT_TRUE(Eventually([&] {
    clock_.Step(milliseconds(100));
    return !Exists(kNamespaces, "", "acc");
  }));
  EXPECT_TRUE(Exists(kNamespaces, "", "other"));
  c.Stop();
  informers_.Stop();
}

}  // namespace
}  // namespace minik
