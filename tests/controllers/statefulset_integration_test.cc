// ControllerRevision history helpers and the StatefulSet controller over the real registry.
#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "controllers/history.h"
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
  std::vector<ObjectPtr> v = {rev("c", 2, "2025-01-01T00:00:00Z"),
                              rev("b", 1, "2025-01-01T00:00:02Z"),
                              rev("a", 1, "2025-01-01T00:00:02Z"),
                              rev("d", 1, "2025-01-01T00:00:01Z")};
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
        hist::NewRevision(parent, "apps/v1", "StatefulSet", Json{{"app", "web"}}, data, i, 0),
        &cc);
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

}  // namespace
}  // namespace minik
