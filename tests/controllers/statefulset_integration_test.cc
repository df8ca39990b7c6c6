// ControllerRevision history helpers and the StatefulSet controller over the real registry.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "controllers/controller_ref.h"
#include "controllers/history.h"
#include "controllers/statefulset_controller.h"
#include "controllers/statefulset_utils.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using testing::Eventually;
namespace hist = minik::history;

const ResourceRef kStatefulSets{"apps", "v1", "statefulsets"};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "default"}}}};
    ASSERT_TRUE(client_->Create({"", "v1", "namespaces"}, "", ns).ok());
  }
  Client& client() { return *client_; }

  FakeClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

// ---- history -------------------------------------------------------------------------------

TEST(HistoryHash, FnvIsFnv1AndSafeEncodingUsesUpstreamAlphabet) {
  EXPECT_EQ(hist::Fnv32(""), 2166136261u);
  EXPECT_EQ(hist::Fnv32("a"), 0x050c5d7eu);  // FNV-1 (FNV-1a would be 0xe40c292c)
  EXPECT_EQ(hist::SafeEncodeString("0123456789"), "456789bcdf");
  EXPECT_EQ(hist::RevisionName("web", "abc"), "web-abc");
  EXPECT_EQ(hist::RevisionName(std::string(300, 'x'), "h").size(), 225u);
}

TEST(HistoryHash, DependsOnDataAndCollisionCount) {
  Json a = {{"spec", {{"template", {{"x", 1}}}}}};
  Json b = {{"spec", {{"template", {{"x", 2}}}}}};
  EXPECT_EQ(hist::HashRevision(a, std::nullopt), hist::HashRevision(a, std::nullopt));
  EXPECT_NE(hist::HashRevision(a, std::nullopt), hist::HashRevision(b, std::nullopt));
  EXPECT_NE(hist::HashRevision(a, 0), hist::HashRevision(a, 1));
  EXPECT_NE(hist::HashRevision(a, std::nullopt), hist::HashRevision(a, 0));
  // Only characters of the safe alphabet.
  for (char c : hist::HashRevision(a, 7)) {
    EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos);
  }
}

TEST(HistorySort, ByRevisionThenCreationThenName) {
  auto rev = [](const std::string& name, int64_t r, const std::string& ts) {
    return std::make_shared<const Json>(
        Json{{"metadata", {{"name", name}, {"creationTimestamp", ts}}}, {"revision", r}});
  };
  std::vector<ObjectPtr> v = {
      rev("c", 2, "2025-01-01T00:00:00Z"), rev("b", 1, "2025-01-01T00:00:02Z"),
      rev("a", 1, "2025-01-01T00:00:02Z"), rev("d", 1, "2025-01-01T00:00:01Z")};
  hist::SortRevisions(v);
  std::string order;
  for (const auto& r : v) order += Name(*r);
  EXPECT_EQ(order, "dabc");
  EXPECT_EQ(hist::NextRevision(v), 3);
  EXPECT_EQ(hist::NextRevision({}), 1);
}

class HistoryTest : public RegistryTest {
 protected:
  Json Parent() {
    Json sts = Json::parse(R"({"apiVersion": "apps/v1", "kind": "StatefulSet",
      "metadata": {"name": "web", "namespace": "default"},
      "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web",
               "template": {"metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})");
    auto r = client().Create(kStatefulSets, "default", sts);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : sts;
  }
};

TEST_F(HistoryTest, CreateHandlesCollisionsAndReturnsEqualExisting) {
  Json parent = Parent();
  Json data = {{"spec", {{"template", {{"a", 1}}}}}};
  Json rev = hist::NewRevision(parent, "apps/v1", "StatefulSet", Json{{"app", "web"}}, data, 1,
                               std::nullopt);
  EXPECT_EQ(Name(rev), "web-" + hist::HashRevision(data, std::nullopt));
  EXPECT_EQ(rev["metadata"]["labels"][hist::kHashLabel], hist::HashRevision(data, std::nullopt));
  EXPECT_EQ(rev["metadata"]["ownerReferences"][0]["uid"], Uid(parent));

  int32_t collisions = 0;
  auto created = hist::CreateRevision(client(), parent, rev, &collisions);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(Name(*created), "web-" + hist::HashRevision(data, 0));
  EXPECT_EQ(collisions, 0);

  // Same data again: the existing revision, no collision.
  auto again = hist::CreateRevision(client(), parent, rev, &collisions);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Uid(*again), Uid(*created));
  EXPECT_EQ(collisions, 0);

  // A foreign object squatting on the name of other data: collisionCount goes up.
  Json other = {{"spec", {{"template", {{"a", 2}}}}}};
  Json squatter = {{"apiVersion", "apps/v1"},
                   {"kind", "ControllerRevision"},
                   {"metadata", {{"name", "web-" + hist::HashRevision(other, 0)}}},
                   {"data", {{"something", "else"}}},
                   {"revision", 1}};
  ASSERT_TRUE(client().Create(hist::kControllerRevisions, "default", squatter).ok());
  Json rev2 = hist::NewRevision(parent, "apps/v1", "StatefulSet", Json{{"app", "web"}}, other, 2,
                                std::nullopt);
  auto second = hist::CreateRevision(client(), parent, rev2, &collisions);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(collisions, 1);
  EXPECT_EQ(Name(*second), "web-" + hist::HashRevision(other, 1));
  EXPECT_EQ(GetString(*second, {"metadata", "labels", hist::kHashLabel}),
            hist::HashRevision(other, 1));

  EXPECT_FALSE(hist::CreateRevision(client(), parent, rev2, nullptr).ok());
}

TEST_F(HistoryTest, ClaimUpdateAndTruncate) {
  Json parent = Parent();
  SharedInformerFactory informers(client(), clock_);
  Informer& revs = informers.For(hist::kControllerRevisions);
  std::vector<std::string> names;
  for (int i = 1; i <= 4; ++i) {
    Json data = {{"spec", {{"template", {{"n", i}}}}}};
    int32_t cc = 0;
    auto r = hist::CreateRevision(
        client(), parent,
        hist::NewRevision(parent, "apps/v1", "StatefulSet", Json{{"app", "web"}}, data, i, 0), &cc);
    ASSERT_TRUE(r.ok());
    names.push_back(Name(*r));
  }
  // An orphan that matches the selector is adopted; one that doesn't is ignored.
  Json orphan = {{"apiVersion", "apps/v1"},
                 {"kind", "ControllerRevision"},
                 {"metadata", {{"name", "orphan"}, {"labels", {{"app", "web"}}}}},
                 {"data", {{"o", 1}}},
                 {"revision", 9}};
  ASSERT_TRUE(client().Create(hist::kControllerRevisions, "default", orphan).ok());
  orphan["metadata"]["name"] = "stranger";
  orphan["metadata"]["labels"]["app"] = "db";
  ASSERT_TRUE(client().Create(hist::kControllerRevisions, "default", orphan).ok());

  informers.Start();
  ASSERT_TRUE(informers.WaitForCacheSync(std::chrono::seconds(5)));
  ASSERT_TRUE(Eventually([&] { return revs.Size() == 6; }));
  auto selector = LabelSelector::FromJson(parent["spec"]["selector"]);
  ASSERT_TRUE(selector.ok());
  auto claimed = hist::ClaimRevisions(client(), revs, parent, "apps/v1", "StatefulSet",
                                      kStatefulSets, *selector);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  ASSERT_EQ(claimed->size(), 5u);
  EXPECT_EQ(Name(*claimed->back()), "orphan");  // revision 9 sorts last
  EXPECT_EQ(hist::NextRevision(*claimed), 10);
  auto adopted = client().Get(hist::kControllerRevisions, "default", "orphan");
  EXPECT_EQ((*adopted)["metadata"]["ownerReferences"][0]["uid"], Uid(parent));

  auto eq = hist::FindEqualRevisions(*claimed, Json{{"data", {{"o", 1}}}});
  ASSERT_EQ(eq.size(), 1u);

  auto bumped = hist::UpdateRevisionNumber(client(), *(*claimed)[0], 11);
  ASSERT_TRUE(bumped.ok()) << bumped.status().message();
  EXPECT_EQ(GetInt(*bumped, {"revision"}), 11);

  // Keep 1 non-live revision; names[1] is live. Oldest non-live ones go first.
  ASSERT_TRUE(hist::TruncateHistory(client(), *claimed, {names[1]}, 1).ok());
  EXPECT_FALSE(client().Get(hist::kControllerRevisions, "default", names[0]).ok());
  EXPECT_TRUE(client().Get(hist::kControllerRevisions, "default", names[1]).ok());
  EXPECT_FALSE(client().Get(hist::kControllerRevisions, "default", names[2]).ok());
  EXPECT_FALSE(client().Get(hist::kControllerRevisions, "default", names[3]).ok());
  EXPECT_TRUE(client().Get(hist::kControllerRevisions, "default", "orphan").ok());
  // Already deleted ones are fine.
  EXPECT_TRUE(hist::TruncateHistory(client(), *claimed, {}, 0).ok());
}

// ---- pure helpers --------------------------------------------------------------------------

namespace sts = minik::statefulset;

TEST(StatefulSetUtils, ParentAndOrdinal) {
  EXPECT_EQ(sts::ParentAndOrdinal("web-0"), std::make_pair(std::string("web"), 0));
  EXPECT_EQ(sts::ParentAndOrdinal("my-web-12"), std::make_pair(std::string("my-web"), 12));
  EXPECT_EQ(sts::ParentAndOrdinal("web").second, -1);
  EXPECT_EQ(sts::ParentAndOrdinal("web-").second, -1);
  EXPECT_EQ(sts::ParentAndOrdinal("web-1a").second, -1);
  EXPECT_EQ(sts::ParentAndOrdinal("web-99999999999").second, -1);  // beyond int32
}

TEST(StatefulSetUtils, RetentionPolicyOwnerRefsForEveryCombination) {
  Json set = {{"metadata", {{"name", "web"}, {"uid", "set-uid"}}}, {"spec", {{"replicas", 2}}}};
  Json in_range = {{"metadata", {{"name", "web-1"}, {"uid", "pod-1"}}}};
  Json scaled_down = {{"metadata", {{"name", "web-2"}, {"uid", "pod-2"}}}};
  auto owners = [](const Json& claim) {
    std::string out;
    if (const Json* r = Find(claim, {"metadata", "ownerReferences"}))
      for (const Json& ref : *r) out += GetString(ref, {"kind"}) + ",";
    return out;
  };
  struct Case {
    std::string deleted, scaled, want_in_range, want_scaled_down;
  };
  for (const Case& c : std::vector<Case>{{"Retain", "Retain", "", ""},
                                         {"Delete", "Retain", "StatefulSet,", "StatefulSet,"},
                                         {"Retain", "Delete", "", "Pod,"},
                                         {"Delete", "Delete", "StatefulSet,", "Pod,"}}) {
    set["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", c.deleted},
                                                           {"whenScaled", c.scaled}};
    for (const auto& [pod, want] : {std::make_pair(in_range, c.want_in_range),
                                    std::make_pair(scaled_down, c.want_scaled_down)}) {
      Json claim = {{"metadata", {{"name", "data-" + Name(pod)}}}};
      // A foreign non-controller owner is kept.
      claim["metadata"]["ownerReferences"] = Json::array(
          {{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "x"}, {"uid", "cm"}}});
      bool up_to_date = sts::ClaimOwnerUpToDate(claim, set, pod);
      EXPECT_EQ(up_to_date, want.empty()) << c.deleted << "/" << c.scaled << " " << Name(pod);
      sts::UpdateClaimOwnerRefs(claim, set, pod);
      EXPECT_EQ(owners(claim), "ConfigMap," + want)
          << c.deleted << "/" << c.scaled << " " << Name(pod);
      EXPECT_TRUE(sts::ClaimOwnerUpToDate(claim, set, pod));
    }
  }
  // A claim controlled by someone else is left alone under a Delete policy.
  Json claim = {{"metadata",
                 {{"ownerReferences", Json::array({{{"apiVersion", "v1"},
                                                    {"kind", "Other"},
                                                    {"name", "o"},
                                                    {"uid", "o"},
                                                    {"controller", true}}})}}}};
  EXPECT_TRUE(sts::HasUnexpectedController(claim, set, in_range));
  EXPECT_TRUE(sts::ClaimOwnerUpToDate(claim, set, in_range));
  // A ref to an earlier web-2 makes the claim stale for a new web-2.
  Json stale = {
      {"metadata",
       {{"ownerReferences",
         Json::array(
             {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "web-2"}, {"uid", "old"}}})}}}};
  EXPECT_TRUE(sts::HasStalePodRef(stale, scaled_down));
  EXPECT_FALSE(sts::HasStalePodRef(stale, in_range));
}

TEST(StatefulSetUtils, RevisionDataRoundTripsTheTemplate) {
  Json set = {{"spec", {{"template", {{"spec", {{"containers", Json::array()}}}}}}}};
  Json data = sts::RevisionData(set);
  EXPECT_EQ(data["spec"]["template"]["$patch"], "replace");
  Json other = {{"spec", {{"replicas", 3}, {"template", {{"x", 1}}}}}};
  Json applied = sts::ApplyRevision(other, Json{{"data", data}});
  EXPECT_EQ(applied["spec"]["template"], set["spec"]["template"]);
  EXPECT_EQ(applied["spec"]["replicas"], 3);
}

// ---- the controller ------------------------------------------------------------------------

const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kClaims{"", "v1", "persistentvolumeclaims"};
const ResourceRef kEvents{"", "v1", "events"};

class StatefulSetTest : public RegistryTest {
 protected:
  void Start() {
    informers_ = std::make_unique<SharedInformerFactory>(client(), clock_);
    controller_ = std::make_unique<StatefulSetController>(client(), clock_, *informers_);
    informers_->Start();
    ASSERT_TRUE(informers_->WaitForCacheSync(std::chrono::seconds(5)));
  }
  void TearDown() override {
    // Informers first: their threads call the controller's handlers until they stop.
    if (informers_) informers_->Stop();
    controller_.reset();
  }

  Json NewSet(int replicas, const std::string& policy = "OrderedReady") {
    Json sts = Json::parse(R"({"apiVersion": "apps/v1", "kind": "StatefulSet",
      "metadata": {"name": "web", "namespace": "default"},
      "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web",
               "template": {"metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "main", "image": "busybox:1.35",
                                       "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
               "volumeClaimTemplates": [{"metadata": {"name": "data"},
                   "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                            "resources": {"requests": {"storage": "1Mi"}}}}]}})");
    sts["spec"]["replicas"] = replicas;
    sts["spec"]["podManagementPolicy"] = policy;
    return sts;
  }
  Json CreateSet(const Json& sts) {
    auto r = client().Create(kStatefulSets, "default", sts);
    EXPECT_TRUE(r.ok()) << r.status().message();
    WaitSetRv(r.ok() ? ResourceVersion(*r) : "");
    return r.ok() ? *r : sts;
  }
  Json GetSet() { return *client().Get(kStatefulSets, "default", "web"); }
  // Applies `edit` to the stored set (spec update) and waits for the cache to have it.
  void EditSet(const std::function<void(Json&)>& edit) {
    Json sts = GetSet();
    edit(sts);
    auto r = client().Update(kStatefulSets, "default", sts);
    ASSERT_TRUE(r.ok()) << r.status().message();
    WaitSetRv(ResourceVersion(*r));
  }
  void WaitSetRv(const std::string& rv) {
    Informer& sets = informers_->For(kStatefulSets);
    ASSERT_TRUE(Eventually([&] {
      ObjectPtr s = sets.Get("default/web");
      return s && ResourceVersion(*s) == rv;
    }));
  }

  // Reconciles web after the caches have caught up with the store.
  StatusOr<ReconcileResult> Sync() {
    CatchUp();
    auto r = controller_->Reconcile("default/web");
    CatchUp();
    return r;
  }
  // Waits until the pod, claim and set caches show what the store holds.
  void CatchUp() {
    for (const ResourceRef& ref : {kPods, kClaims, kStatefulSets, hist::kControllerRevisions}) {
      Informer& inf = informers_->For(ref);
      auto list = client().List(ref, "default");
      ASSERT_TRUE(list.ok());
      std::map<std::string, std::string> want;
      for (const Json& o : (*list)["items"]) want["default/" + Name(o)] = ResourceVersion(o);
      ASSERT_TRUE(Eventually([&] {
        if (inf.Size() != want.size()) return false;
        for (const auto& [k, rv] : want) {
          ObjectPtr o = inf.Get(k);
          if (!o || ResourceVersion(*o) != rv) return false;
        }
        return true;
      })) << ref.resource;
    }
  }

  std::vector<std::string> PodNames() {
    std::vector<std::string> out;
    Json list = *client().List(kPods, "default");
    for (const Json& p : list["items"]) out.push_back(Name(p));
    std::sort(out.begin(), out.end());
    return out;
  }
  StatusOr<Json> Pod(const std::string& name) { return client().Get(kPods, "default", name); }
  // Plays the kubelet: phase and Ready condition through the status subresource.
  void SetPodStatus(const std::string& name, const std::string& phase, bool ready) {
    Json pod = *Pod(name);
    pod["status"]["phase"] = phase;
    pod["status"]["conditions"] =
        Json::array({{{"type", "Ready"},
                      {"status", ready ? "True" : "False"},
                      {"lastTransitionTime", FormatRfc3339(clock_.Now())}}});
    auto r = client().Update(kPods, "default", pod, {}, "status");
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void MakeReady(const std::string& name) { SetPodStatus(name, "Running", true); }
  // Reconciles and marks every new pod ready until `n` pods are ready (OrderedReady start-up).
  void BringUp(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(Sync().ok());
      MakeReady("web-" + std::to_string(i));
    }
    ASSERT_TRUE(Sync().ok());
  }
  // The events of `reason` once at least `n` were written (the recorder writes on its own
  // thread).
  std::vector<std::string> EventMessages(const std::string& reason, size_t n = 1) {
    std::vector<std::string> out;
    Eventually([&] {
      out.clear();
      Json list = *client().List(kEvents, "default");
      for (const Json& e : list["items"]) {
        if (GetString(e, {"reason"}) == reason) out.push_back(GetString(e, {"message"}));
      }
      return out.size() >= n;
    });
    return out;
  }

  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<StatefulSetController> controller_;
};

TEST_F(StatefulSetTest, OrderedReadyCreatesPodsOneAtATimeWithIdentityAndClaims) {
  Start();
  Json sts = CreateSet(NewSet(3));
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames(), std::vector<std::string>{"web-0"});
  auto pod = Pod("web-0");
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(GetString(*pod, {"spec", "hostname"}), "web-0");
  EXPECT_EQ(GetString(*pod, {"spec", "subdomain"}), "web");
  EXPECT_EQ(GetString(*pod, {"metadata", "labels", "statefulset.kubernetes.io/pod-name"}), "web-0");
  EXPECT_EQ(GetString(*pod, {"metadata", "labels", "apps.kubernetes.io/pod-index"}), "0");
  EXPECT_EQ(GetString(*pod, {"metadata", "labels", "app"}), "web");
  EXPECT_EQ(GetString(*pod, {"metadata", "generateName"}), "web-");
  EXPECT_EQ((*pod)["metadata"]["ownerReferences"][0]["uid"], Uid(sts));
  EXPECT_EQ((*pod)["metadata"]["ownerReferences"][0]["controller"], true);
  const Json& vol = (*pod)["spec"]["volumes"][0];
  EXPECT_EQ(GetString(vol, {"name"}), "data");
  EXPECT_EQ(GetString(vol, {"persistentVolumeClaim", "claimName"}), "data-web-0");
  auto claim = client().Get(kClaims, "default", "data-web-0");
  ASSERT_TRUE(claim.ok());
  EXPECT_EQ(GetString(*claim, {"metadata", "labels", "app"}), "web");
  EXPECT_EQ(GetString(*claim, {"spec", "storageClassName"}), "standard");
  EXPECT_FALSE(Find(*claim, {"metadata", "ownerReferences"}));  // Retain/Retain

  // web-0 is not ready yet: nothing more.
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames().size(), 1u);
  SetPodStatus("web-0", "Running", false);
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames().size(), 1u);
  MakeReady("web-0");
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames(), (std::vector<std::string>{"web-0", "web-1"}));
  MakeReady("web-1");
  ASSERT_TRUE(Sync().ok());
  MakeReady("web-2");
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames(), (std::vector<std::string>{"web-0", "web-1", "web-2"}));

  Json st = GetSet()["status"];
  EXPECT_EQ(st["replicas"], 3);
  EXPECT_EQ(st["readyReplicas"], 3);
  EXPECT_EQ(st["availableReplicas"], 3);
  EXPECT_EQ(st["currentReplicas"], 3);
  EXPECT_EQ(st["updatedReplicas"], 3);
  EXPECT_EQ(st["observedGeneration"], 1);
  EXPECT_EQ(st["collisionCount"], 0);
  EXPECT_FALSE(GetString(st, {"currentRevision"}).empty());
  EXPECT_EQ(st["currentRevision"], st["updateRevision"]);
  EXPECT_EQ(GetString(*Pod("web-2"), {"metadata", "labels", "controller-revision-hash"}),
            GetString(st, {"updateRevision"}));
  auto rev = client().Get(hist::kControllerRevisions, "default", GetString(st, {"updateRevision"}));
  ASSERT_TRUE(rev.ok());
  EXPECT_EQ(GetInt(*rev, {"revision"}), 1);

  auto created = EventMessages("SuccessfulCreate", 6);
  EXPECT_NE(
      std::find(created.begin(), created.end(), "create Pod web-0 in StatefulSet web successful"),
      created.end());
  EXPECT_NE(std::find(created.begin(), created.end(),
                      "create Claim data-web-0 Pod web-0 in StatefulSet web success"),
            created.end());
}

TEST_F(StatefulSetTest, ScaleDownDeletesHighestOrdinalFirstAndWaitsForItToGo) {
  Start();
  CreateSet(NewSet(3));
  BringUp(3);
  // A finalizer keeps web-2 terminating after its deletion.
  Json p2 = *Pod("web-2");
  p2["metadata"]["finalizers"] = Json::array({"test/hold"});
  ASSERT_TRUE(client().Update(kPods, "default", p2).ok());
  EditSet([](Json& s) { s["spec"]["replicas"] = 1; });
  ASSERT_TRUE(Sync().ok());
  EXPECT_TRUE(IsBeingDeleted(*Pod("web-2")));
  EXPECT_TRUE(Pod("web-1").ok());
  ASSERT_TRUE(Sync().ok());  // web-2 still terminating: web-1 stays
  EXPECT_FALSE(IsBeingDeleted(*Pod("web-1")));
  p2 = *Pod("web-2");
  p2["metadata"].erase("finalizers");
  ASSERT_TRUE(client().Update(kPods, "default", p2).ok());
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames(), std::vector<std::string>{"web-0"});
  EXPECT_TRUE(client().Get(kClaims, "default", "data-web-2").ok());  // retained
  EXPECT_TRUE(client().Get(kClaims, "default", "data-web-1").ok());
  EXPECT_EQ(EventMessages("SuccessfulDelete", 2).size(), 2u);
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(GetSet()["status"]["replicas"], 1);

  // Scaling up again reuses the claims.
  EditSet([](Json& s) { s["spec"]["replicas"] = 2; });
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(
      GetString((*Pod("web-1"))["spec"]["volumes"][0], {"persistentVolumeClaim", "claimName"}),
      "data-web-1");
}

TEST_F(StatefulSetTest, DeletedAndFailedPodsAreRecreatedWithTheSameClaims) {
  Start();
  CreateSet(NewSet(2));
  BringUp(2);
  std::string uid1 = Uid(*Pod("web-1"));
  ASSERT_TRUE(client().Delete(kPods, "default", "web-1").ok());
  ASSERT_TRUE(Sync().ok());
  auto again = Pod("web-1");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(Uid(*again), uid1);
  EXPECT_EQ(GetString((*again)["spec"]["volumes"][0], {"persistentVolumeClaim", "claimName"}),
            "data-web-1");
  EXPECT_EQ(PodNames().size(), 2u);

  MakeReady("web-1");
  SetPodStatus("web-0", "Failed", false);
  std::string uid0 = Uid(*Pod("web-0"));
  ASSERT_TRUE(Sync().ok());  // deleted; recreated once gone
  ASSERT_TRUE(Sync().ok());
  auto web0 = Pod("web-0");
  ASSERT_TRUE(web0.ok());
  EXPECT_NE(Uid(*web0), uid0);
  auto deleted = EventMessages("SuccessfulDelete");
  EXPECT_NE(
      std::find(deleted.begin(), deleted.end(), "delete Pod web-0 in StatefulSet web successful"),
      deleted.end());
}

TEST_F(StatefulSetTest, ParallelCreatesAndDeletesAllAtOnce) {
  Start();
  CreateSet(NewSet(3, "Parallel"));
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames(), (std::vector<std::string>{"web-0", "web-1", "web-2"}));
  EditSet([](Json& s) { s["spec"]["replicas"] = 0; });
  ASSERT_TRUE(Sync().ok());
  EXPECT_TRUE(PodNames().empty());
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(GetSet()["status"]["replicas"], 0);
}

TEST_F(StatefulSetTest, RollingUpdateHonoursPartitionAndGoesFromTheHighestOrdinal) {
  Start();
  CreateSet(NewSet(3));
  BringUp(3);
  std::string rev1 = GetString(GetSet(), {"status", "currentRevision"});
  EditSet([](Json& s) {
    s["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.36";
    s["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 1;
  });
  ASSERT_TRUE(Sync().ok());
  Json st = GetSet()["status"];
  std::string rev2 = GetString(st, {"updateRevision"});
  EXPECT_NE(rev1, rev2);
  EXPECT_EQ(GetString(st, {"currentRevision"}), rev1);
  EXPECT_EQ(PodNames(), (std::vector<std::string>{"web-0", "web-1"}));  // web-2 went first
  ASSERT_TRUE(Sync().ok());
  auto web2 = Pod("web-2");
  ASSERT_TRUE(web2.ok());
  EXPECT_EQ(GetString(*web2, {"metadata", "labels", "controller-revision-hash"}), rev2);
  EXPECT_EQ(GetString((*web2)["spec"]["containers"][0], {"image"}), "busybox:1.36");
  ASSERT_TRUE(Sync().ok());
  EXPECT_TRUE(Pod("web-1").ok());  // waits for web-2 to be ready
  MakeReady("web-2");
  ASSERT_TRUE(Sync().ok());
  EXPECT_FALSE(Pod("web-1").ok());
  ASSERT_TRUE(Sync().ok());
  MakeReady("web-1");
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(GetString(*Pod("web-0"), {"metadata", "labels", "controller-revision-hash"}), rev1);
  st = GetSet()["status"];
  EXPECT_EQ(st["updatedReplicas"], 2);
  EXPECT_EQ(st["currentReplicas"], 1);
  EXPECT_EQ(GetString(st, {"currentRevision"}), rev1);

  EditSet([](Json& s) { s["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 0; });
  ASSERT_TRUE(Sync().ok());
  ASSERT_TRUE(Sync().ok());
  MakeReady("web-0");
  ASSERT_TRUE(Sync().ok());
  st = GetSet()["status"];
  EXPECT_EQ(GetString(st, {"currentRevision"}), rev2);
  EXPECT_EQ(st["updatedReplicas"], 3);
  EXPECT_EQ(st["currentReplicas"], 3);

  // Rolling back to the first template reuses its revision with a new number.
  EditSet(
      [](Json& s) { s["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.35"; });
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(GetString(GetSet(), {"status", "updateRevision"}), rev1);
  EXPECT_EQ(GetInt(*client().Get(hist::kControllerRevisions, "default", rev1), {"revision"}), 3);
}

TEST_F(StatefulSetTest, OnDeleteUpdatesOnlyDeletedPods) {
  Start();
  Json sts = NewSet(2);
  sts["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  CreateSet(sts);
  BringUp(2);
  EditSet(
      [](Json& s) { s["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.36"; });
  ASSERT_TRUE(Sync().ok());
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(PodNames().size(), 2u);
  std::string rev2 = GetString(GetSet(), {"status", "updateRevision"});
  EXPECT_NE(GetString(*Pod("web-1"), {"metadata", "labels", "controller-revision-hash"}), rev2);
  ASSERT_TRUE(client().Delete(kPods, "default", "web-1").ok());
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(GetString(*Pod("web-1"), {"metadata", "labels", "controller-revision-hash"}), rev2);
  EXPECT_EQ(GetString((*Pod("web-1"))["spec"]["containers"][0], {"image"}), "busybox:1.36");
}

TEST_F(StatefulSetTest, RetentionPolicyDeleteOwnsClaimsBySetAndScaledDownPods) {
  Start();
  Json sts = NewSet(2);
  sts["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Delete"},
                                                         {"whenScaled", "Delete"}};
  Json set = CreateSet(sts);
  BringUp(2);
  Json c1 = *client().Get(kClaims, "default", "data-web-1");
  ASSERT_EQ(c1["metadata"]["ownerReferences"].size(), 1u);
  EXPECT_EQ(c1["metadata"]["ownerReferences"][0]["uid"], Uid(set));
  EXPECT_EQ(c1["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
  EXPECT_EQ(c1["metadata"]["ownerReferences"][0]["controller"], true);

  std::string pod_uid = Uid(*Pod("web-1"));
  EditSet([](Json& s) { s["spec"]["replicas"] = 1; });
  ASSERT_TRUE(Sync().ok());
  c1 = *client().Get(kClaims, "default", "data-web-1");
  ASSERT_EQ(c1["metadata"]["ownerReferences"].size(), 1u);
  EXPECT_EQ(c1["metadata"]["ownerReferences"][0]["uid"], pod_uid);  // the GC deletes it with web-1
  EXPECT_EQ(c1["metadata"]["ownerReferences"][0]["kind"], "Pod");
  EXPECT_FALSE(Pod("web-1").ok());

  // Back to Retain: the refs go.
  EditSet([](Json& s) {
    s["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Retain"},
                                                         {"whenScaled", "Retain"}};
  });
  ASSERT_TRUE(Sync().ok());
  EXPECT_FALSE(
      Find(*client().Get(kClaims, "default", "data-web-0"), {"metadata", "ownerReferences"}));
}

TEST_F(StatefulSetTest, HistoryIsTruncatedToTheLimit) {
  Start();
  Json sts = NewSet(1, "Parallel");
  sts["spec"]["revisionHistoryLimit"] = 1;
  sts["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  CreateSet(sts);
  for (int i = 0; i < 4; ++i) {
    EditSet([i](Json& s) {
      s["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1." + std::to_string(i);
    });
    ASSERT_TRUE(Sync().ok());
    ASSERT_TRUE(Sync().ok());
  }
  // Live: the pod's revision (the first one, OnDelete) and the update revision; plus 1 more.
  auto revs = client().List(hist::kControllerRevisions, "default");
  EXPECT_EQ((*revs)["items"].size(), 3u);
}

TEST_F(StatefulSetTest, AdoptsMatchingOrphansAndRequeuesOnForeignNames) {
  Start();
  // An orphan with the right name and labels is adopted, not recreated.
  Json orphan = Json::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-0", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "main", "image": "busybox:1.35"}],
             "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}}]}})");
  auto created = client().Create(kPods, "default", orphan);
  ASSERT_TRUE(created.ok()) << created.status().message();
  Json set = CreateSet(NewSet(2));
  ASSERT_TRUE(Sync().ok());
  auto web0 = Pod("web-0");
  EXPECT_EQ(Uid(*web0), Uid(*created));
  EXPECT_EQ((*web0)["metadata"]["ownerReferences"][0]["uid"], Uid(set));

  // A foreign web-1 (labels don't match): creation conflicts, the key is retried quietly.
  Json foreign = orphan;
  foreign["metadata"]["name"] = "web-1";
  foreign["metadata"]["labels"]["app"] = "other";
  ASSERT_TRUE(client().Create(kPods, "default", foreign).ok());
  MakeReady("web-0");
  auto r = Sync();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->requeue);
  EXPECT_EQ(GetString(*Pod("web-1"), {"metadata", "labels", "app"}), "other");
  // The adopted pod got its identity labels once it was ready.
  EXPECT_EQ(GetString(*Pod("web-0"), {"metadata", "labels", "statefulset.kubernetes.io/pod-name"}),
            "web-0");
  EXPECT_TRUE(client().Get(kClaims, "default", "data-web-0").ok());
}

// Upstream 1.32 does not validate a StatefulSet's pod spec (a TODO in ValidateStatefulSetSpec):
// a mount naming nothing is accepted, and the pods it would make are refused.
TEST_F(StatefulSetTest, MountsMayNameClaimTemplatesButNotNothing) {
  Start();
  Json sts = NewSet(1);
  sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["name"] = "nope";
  auto r = client().Create(kStatefulSets, "default", sts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto sync = controller_->Reconcile("default/web");
  EXPECT_FALSE(sync.ok() && PodNames().size() == 1u);
  EXPECT_TRUE(PodNames().empty());
}

TEST_F(StatefulSetTest, MissingSetIsNotAnError) {
  Start();
  auto r = controller_->Reconcile("default/nope");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->requeue);
}

}  // namespace
}  // namespace minik
