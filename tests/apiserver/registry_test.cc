// The generic registry over an in-memory store, with a few hand-made kinds, so these tests
// depend only on the registry's own sequence.
#include "apiserver/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "store/store.h"

namespace minik {
namespace {

class FinalizeStrategy : public Strategy {};

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() {
    ResourceInfo ns;
    ns.version = "v1";
    ns.kind = "Namespace";
    ns.plural = "namespaces";
    ns.singular = "namespace";
    ns.namespaced = false;
    ns.subresources = {{"status", {"", "v1", "Namespace"}, {"get", "patch", "update"}},
                       {"finalize", {"", "v1", "Namespace"}, {"update"}}};
    ns.strategy = std::make_shared<Strategy>();
    resources_.Add(ns);

    ResourceInfo cm;
    cm.version = "v1";
    cm.kind = "ConfigMap";
    cm.plural = "configmaps";
    cm.singular = "configmap";
    cm.strategy = std::make_shared<Strategy>();
    resources_.Add(cm);

    ResourceInfo dep;
    dep.group = "apps";
    dep.version = "v1";
    dep.kind = "Deployment";
    dep.plural = "deployments";
    dep.singular = "deployment";
    dep.subresources = {{"scale", {"autoscaling", "v1", "Scale"}, {"get", "patch", "update"}},
                        {"status", {"apps", "v1", "Deployment"}, {"get", "patch", "update"}}};
    dep.strategy = std::make_shared<Strategy>();
    resources_.Add(dep);

    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, schemas_, clock_);
    EXPECT_TRUE(client_->Create(kNs, "", Json{{"metadata", {{"name", "acc"}}}}).ok());
  }

  Json ConfigMap(const std::string& name, Json data = Json::object()) {
    return Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                {"metadata", {{"name", name}}}, {"data", std::move(data)}};
  }

  const ResourceRef kNs{"", "v1", "namespaces"};
  const ResourceRef kCm{"", "v1", "configmaps"};
  const ResourceRef kDep{"apps", "v1", "deployments"};
  ResourceRegistry resources_;
  SchemaRegistry schemas_;
  RealClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(RegistryTest, CreateSetsSystemMetadata) {
  auto obj = client_->Create(kCm, "acc", ConfigMap("c1", {{"a", "b"}}));
  ASSERT_TRUE(obj.ok()) << obj.status().message();
  EXPECT_TRUE(std::regex_match(Uid(*obj), std::regex(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_TRUE(std::regex_match(GetString(*obj, {"metadata", "creationTimestamp"}),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(Namespace(*obj), "acc");
  EXPECT_FALSE(ResourceVersion(*obj).empty());
  auto got = client_->Get(kCm, "acc", "c1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *obj);
}

TEST_F(RegistryTest, CreateErrorsAreWordedLikeTheApiserver) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("c1")).ok());
  auto dup = client_->Create(kCm, "acc", ConfigMap("c1"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "configmaps \"c1\" already exists");

  auto missing = client_->Get(kCm, "acc", "nope");
  EXPECT_EQ(missing.status().message(), "configmaps \"nope\" not found");

  auto no_ns = client_->Create(kCm, "ghost", ConfigMap("c1"));
  EXPECT_EQ(no_ns.status().code(), Code::kNotFound);
  EXPECT_EQ(no_ns.status().message(), "namespaces \"ghost\" not found");

  auto bad = client_->Create(kCm, "acc", ConfigMap("Bad_Name"));
  ASSERT_EQ(bad.status().code(), Code::kInvalid);
  EXPECT_NE(bad.status().message().find("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value"),
            std::string::npos)
      << bad.status().message();
}

TEST_F(RegistryTest, GenerateName) {
  Json obj = ConfigMap("");
  obj["metadata"] = {{"generateName", "gen-"}};
  auto created = client_->Create(kCm, "acc", obj);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(std::regex_match(Name(*created), std::regex("gen-[a-z0-9]{5}")));
}

TEST_F(RegistryTest, UpdateConflictsAndNoOps) {
  auto c1 = client_->Create(kCm, "acc", ConfigMap("c1"));
  ASSERT_TRUE(c1.ok());
  auto same = client_->Update(kCm, "acc", *c1);
  ASSERT_TRUE(same.ok()) << same.status().message();
  EXPECT_EQ(ResourceVersion(*same), ResourceVersion(*c1)) << "a no-op update keeps the RV";

  Json changed = *c1;
  changed["data"]["k"] = "v";
  auto updated = client_->Update(kCm, "acc", changed);
  ASSERT_TRUE(updated.ok());
  EXPECT_NE(ResourceVersion(*updated), ResourceVersion(*c1));

  auto stale = client_->Update(kCm, "acc", changed);  // still carries c1's RV
  ASSERT_EQ(stale.status().code(), Code::kConflict);
  EXPECT_NE(stale.status().message().find(
                "Operation cannot be fulfilled on configmaps \"c1\": the object has been modified"),
            std::string::npos);
  // uid and creationTimestamp cannot be changed by an update.
  Json hijack = *updated;
  hijack["metadata"]["uid"] = "x";
  auto kept = client_->Update(kCm, "acc", hijack);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(Uid(*kept), Uid(*c1));
}

TEST_F(RegistryTest, Patches) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("c1", {{"a", "b"}, {"x", "y"}})).ok());
  auto merged = client_->Patch(kCm, "acc", "c1", PatchType::kMerge, R"({"data":{"a":"patched"}})");
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ((*merged)["data"]["a"], "patched");
  auto jp = client_->Patch(kCm, "acc", "c1", PatchType::kJson, R"([{"op":"remove","path":"/data/x"}])");
  ASSERT_TRUE(jp.ok()) << jp.status().message();
  EXPECT_FALSE((*jp)["data"].contains("x"));
  auto bad = client_->Patch(kCm, "acc", "c1", PatchType::kMerge, R"({"data":)");
  EXPECT_EQ(bad.status().code(), Code::kBadRequest);
  auto missing = client_->Patch(kCm, "acc", "nope", PatchType::kMerge, "{}");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

TEST_F(RegistryTest, ListSelectorsAndPaging) {
  for (int i = 0; i < 30; ++i) {
    Json cm = ConfigMap("page-" + std::to_string(i));
    cm["metadata"]["labels"] = {{"tier", i % 2 ? "web" : "db"}};
    ASSERT_TRUE(client_->Create(kCm, "acc", cm).ok());
  }
  ListQuery q;
  q.label_selector = "tier=web";
  auto web = client_->List(kCm, "acc", q);
  ASSERT_TRUE(web.ok());
  EXPECT_EQ((*web)["items"].size(), 15u);
  EXPECT_EQ((*web)["kind"], "ConfigMapList");

  ListQuery by_name;
  by_name.field_selector = "metadata.name=page-3";
  auto one = client_->List(kCm, "acc", by_name);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ((*one)["items"].size(), 1u);

  ListQuery bad_field;
  bad_field.field_selector = "spec.nope=1";
  EXPECT_EQ(client_->List(kCm, "acc", bad_field).status().code(), Code::kBadRequest);

  std::set<std::string> seen;
  ListQuery page;
  page.limit = 7;
  for (int pages = 0; pages < 10; ++pages) {
    auto r = client_->List(kCm, "acc", page);
    ASSERT_TRUE(r.ok()) << r.status().message();
    for (auto& item : (*r)["items"]) seen.insert(Name(item));
    std::string next = GetString(*r, {"metadata", "continue"});
    if (next.empty()) break;
    page.continue_token = next;
  }
  EXPECT_EQ(seen.size(), 30u);
  ListQuery garbage;
  garbage.continue_token = "!!!";
  EXPECT_EQ(client_->List(kCm, "acc", garbage).status().code(), Code::kBadRequest);
}

std::vector<std::string> Drain(ObjectWatcher& w, size_t want) {
  std::vector<std::string> types;
  for (int i = 0; i < 200 && types.size() < want; ++i) {
    std::vector<ObjectEvent> evs;
    w.Poll(evs);
    for (auto& e : evs) types.push_back(e.type + ":" + Name(e.object));
    if (types.size() < want) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return types;
}

TEST_F(RegistryTest, WatchSeesAddedModifiedDeleted) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("before")).ok());
  auto list = client_->List(kCm, "acc");
  ListQuery q;
  q.resource_version = GetString(*list, {"metadata", "resourceVersion"});
  auto w = client_->Watch(kCm, "acc", q, [] {});
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("w1")).ok());
  ASSERT_TRUE(client_->Patch(kCm, "acc", "w1", PatchType::kMerge, R"({"data":{"a":"b"}})").ok());
  ASSERT_TRUE(client_->Delete(kCm, "acc", "w1").ok());
  EXPECT_EQ(Drain(**w, 3), (std::vector<std::string>{"ADDED:w1", "MODIFIED:w1", "DELETED:w1"}));

  // resourceVersion 0 replays the current objects first.
  ListQuery zero;
  zero.resource_version = "0";
  auto w0 = client_->Watch(kCm, "acc", zero, [] {});
  ASSERT_TRUE(w0.ok());
  EXPECT_EQ(Drain(**w0, 1), (std::vector<std::string>{"ADDED:before"}));
}

TEST_F(RegistryTest, FilteredWatchTurnsSelectorChangesIntoAddAndDelete) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("c")).ok());
  ListQuery q;
  q.label_selector = "x=1";
  q.resource_version = std::to_string(store_->CurrentRevision());
  auto w = client_->Watch(kCm, "acc", q, [] {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(client_->Patch(kCm, "acc", "c", PatchType::kMerge, R"({"metadata":{"labels":{"x":"1"}}})").ok());
  ASSERT_TRUE(client_->Patch(kCm, "acc", "c", PatchType::kMerge, R"({"metadata":{"labels":{"x":"2"}}})").ok());
  EXPECT_EQ(Drain(**w, 2), (std::vector<std::string>{"ADDED:c", "DELETED:c"}));
}

TEST_F(RegistryTest, WatchTimeoutEndsTheStream) {
  ListQuery q;
  q.timeout_seconds = 1;
  std::atomic<int> wakes{0};
  auto w = client_->Watch(kCm, "acc", q, [&] { ++wakes; });
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 300 && (*w)->Error().ok(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ((*w)->Error().code(), Code::kTimeout);
  EXPECT_GE(wakes.load(), 1);
}

TEST_F(RegistryTest, FinalizersHoldDeletionUntilRemoved) {
  Json cm = ConfigMap("held");
  cm["metadata"]["finalizers"] = {"example.com/hold"};
  ASSERT_TRUE(client_->Create(kCm, "acc", cm).ok());
  auto deleting = client_->Delete(kCm, "acc", "held");
  ASSERT_TRUE(deleting.ok());
  EXPECT_FALSE(GetString(*deleting, {"metadata", "deletionTimestamp"}).empty());
  ASSERT_TRUE(client_->Get(kCm, "acc", "held").ok());
  auto released = client_->Patch(kCm, "acc", "held", PatchType::kMerge,
                                 R"({"metadata":{"finalizers":null}})");
  ASSERT_TRUE(released.ok()) << released.status().message();
  EXPECT_EQ(client_->Get(kCm, "acc", "held").status().code(), Code::kNotFound);
}

TEST_F(RegistryTest, NamespaceDeletionWaitsForFinalize) {
  Json ns = {{"metadata", {{"name", "gone"}}}, {"spec", {{"finalizers", {"kubernetes"}}}}};
  ASSERT_TRUE(client_->Create(kNs, "", ns).ok());
  auto terminating = client_->Delete(kNs, "", "gone");
  ASSERT_TRUE(terminating.ok());
  EXPECT_EQ(GetString(*terminating, {"status", "phase"}), "Terminating");
  auto refused = client_->Create(kCm, "gone", ConfigMap("late"));
  EXPECT_EQ(refused.status().code(), Code::kForbidden);

  Json fin = *terminating;
  fin["spec"]["finalizers"] = Json::array();
  auto finalized = client_->Update(kNs, "", fin, {}, "finalize");
  ASSERT_TRUE(finalized.ok()) << finalized.status().message();
  EXPECT_EQ(client_->Get(kNs, "", "gone").status().code(), Code::kNotFound);
}

TEST_F(RegistryTest, DeletePreconditions) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("p")).ok());
  DeleteOptions opts;
  opts.precondition_uid = "not-the-uid";
  EXPECT_EQ(client_->Delete(kCm, "acc", "p", opts).status().code(), Code::kConflict);
  EXPECT_TRUE(client_->Delete(kCm, "acc", "p").ok());
  EXPECT_EQ(client_->Delete(kCm, "acc", "p").status().code(), Code::kNotFound);
}

TEST_F(RegistryTest, ScaleSubresource) {
  Json dep = {{"metadata", {{"name", "web"}}},
              {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", "web"}}}}}}}};
  ASSERT_TRUE(client_->Create(kDep, "acc", dep).ok());
  auto scale = client_->Get(kDep, "acc", "web", "scale");
  ASSERT_TRUE(scale.ok()) << scale.status().message();
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_EQ((*scale)["status"]["selector"], "app=web");
  auto patched = client_->Patch(kDep, "acc", "web", PatchType::kMerge, R"({"spec":{"replicas":3}})",
                                {}, "scale");
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  EXPECT_EQ((*patched)["spec"]["replicas"], 3);
  EXPECT_EQ(GetInt(*client_->Get(kDep, "acc", "web"), {"spec", "replicas"}), 3);
  auto negative = client_->Patch(kDep, "acc", "web", PatchType::kMerge,
                                 R"({"spec":{"replicas":-1}})", {}, "scale");
  EXPECT_EQ(negative.status().code(), Code::kInvalid);
}

TEST_F(RegistryTest, DryRunWritesNothing) {
  WriteOptions dry;
  dry.dry_run = true;
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("dry"), dry).ok());
  EXPECT_EQ(client_->Get(kCm, "acc", "dry").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace minik
