// The generic registry over an in-memory store, with a few hand-made kinds, so these tests
// depend only on the registry's own sequence.
#include "apiserver/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "api/schema.h"
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

// ---- garbage-collection finalizers on delete (store.go deletionFinalizersForGarbageCollection)

std::vector<std::string> FinalizersOf(const Json& obj) {
  std::vector<std::string> out;
  if (const Json* f = Find(obj, {"metadata", "finalizers"}); f && f->is_array())
    for (const Json& v : *f) out.push_back(v.get<std::string>());
  return out;
}

TEST_F(RegistryTest, OrphanPolicyAddsTheOrphanFinalizerAndKeepsTheObject) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("o")).ok());
  DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  auto r = client_->Delete(kCm, "acc", "o", orphan);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(FinalizersOf(*r), std::vector<std::string>{"orphan"});
  EXPECT_FALSE(GetString(*r, {"metadata", "deletionTimestamp"}).empty());
  EXPECT_EQ(GetInt(*r, {"metadata", "deletionGracePeriodSeconds"}, -1), 0);
  auto held = client_->Get(kCm, "acc", "o");
  ASSERT_TRUE(held.ok());
  // Deleting again with the same policy changes nothing (same resourceVersion).
  auto again = client_->Delete(kCm, "acc", "o", orphan);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ResourceVersion(*again), ResourceVersion(*held));
  // Removing the finalizer (what the garbage collector does) completes the deletion.
  auto released = client_->Patch(kCm, "acc", "o", PatchType::kMerge,
                                 R"({"metadata":{"finalizers":null}})");
  ASSERT_TRUE(released.ok()) << released.status().message();
  EXPECT_EQ(client_->Get(kCm, "acc", "o").status().code(), Code::kNotFound);
}

TEST_F(RegistryTest, ForegroundThenBackgroundSwapsTheFinalizers) {
  Json cm = ConfigMap("f");
  cm["metadata"]["finalizers"] = {"example.com/hold"};
  ASSERT_TRUE(client_->Create(kCm, "acc", cm).ok());
  DeleteOptions fg;
  fg.propagation_policy = "Foreground";
  auto r = client_->Delete(kCm, "acc", "f", fg);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(FinalizersOf(*r), (std::vector<std::string>{"example.com/hold", "foregroundDeletion"}));
  std::string ts = GetString(*r, {"metadata", "deletionTimestamp"});
  EXPECT_FALSE(ts.empty());
  // A later delete without a policy keeps the existing GC finalizer.
  auto same = client_->Delete(kCm, "acc", "f");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(FinalizersOf(*same), FinalizersOf(*r));
  DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  auto swapped = client_->Delete(kCm, "acc", "f", orphan);
  ASSERT_TRUE(swapped.ok());
  EXPECT_EQ(FinalizersOf(*swapped), (std::vector<std::string>{"example.com/hold", "orphan"}));
  DeleteOptions bg;
  bg.propagation_policy = "Background";
  auto cleared = client_->Delete(kCm, "acc", "f", bg);
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(FinalizersOf(*cleared), std::vector<std::string>{"example.com/hold"});
  EXPECT_EQ(GetString(*cleared, {"metadata", "deletionTimestamp"}), ts);
  ASSERT_TRUE(client_->Get(kCm, "acc", "f").ok());  // the other finalizer still holds it
}

TEST_F(RegistryTest, BackgroundRemovesTheOnlyGcFinalizerAndDeletesAtOnce) {
  Json cm = ConfigMap("b");
  cm["metadata"]["finalizers"] = {"orphan"};
  ASSERT_TRUE(client_->Create(kCm, "acc", cm).ok());
  DeleteOptions bg;
  bg.propagation_policy = "Background";
  ASSERT_TRUE(client_->Delete(kCm, "acc", "b", bg).ok());
  EXPECT_EQ(client_->Get(kCm, "acc", "b").status().code(), Code::kNotFound);
  // Without a policy, an existing "orphan" finalizer decides.
  ASSERT_TRUE(client_->Create(kCm, "acc", cm).ok());
  auto r = client_->Delete(kCm, "acc", "b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FinalizersOf(*r), std::vector<std::string>{"orphan"});
  EXPECT_TRUE(client_->Get(kCm, "acc", "b").ok());
}

TEST_F(RegistryTest, DryRunDeleteWithPolicyWritesNothing) {
  auto created = client_->Create(kCm, "acc", ConfigMap("d"));
  ASSERT_TRUE(created.ok());
  DeleteOptions dry;
  dry.propagation_policy = "Foreground";
  dry.dry_run = true;
  auto r = client_->Delete(kCm, "acc", "d", dry);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FinalizersOf(*r), std::vector<std::string>{"foregroundDeletion"});
  auto stored = client_->Get(kCm, "acc", "d");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(ResourceVersion(*stored), ResourceVersion(*created));
  EXPECT_TRUE(FinalizersOf(*stored).empty());
}

// ---- the built-in kinds: default GC policies and pods/eviction with budgets

class BuiltinRegistryTest : public ::testing::Test {
 protected:
  BuiltinRegistryTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    EXPECT_TRUE(client_->Create(kNs, "", Json{{"metadata", {{"name", "acc"}}}}).ok());
  }

  // A pod with labels app=web in phase `phase`, Ready or not.
  void MakePod(const std::string& name, const std::string& phase, bool ready) {
    Json pod = {{"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
    auto created = client_->Create(kPods, "acc", pod);
    ASSERT_TRUE(created.ok()) << created.status().message();
    Json next = *created;
    next["status"]["phase"] = phase;
    next["status"]["conditions"] = {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}};
    auto updated = client_->Update(kPods, "acc", next, {}, "status");
    ASSERT_TRUE(updated.ok()) << updated.status().message();
  }

  // A budget for app=web with the given status (observedGeneration current).
  void MakePdb(const std::string& name, int allowed, int current, int desired,
               const std::string& unhealthy_policy = "") {
    Json pdb = {{"metadata", {{"name", name}}},
                {"spec", {{"minAvailable", desired},
                          {"selector", {{"matchLabels", {{"app", "web"}}}}}}}};
    if (!unhealthy_policy.empty()) pdb["spec"]["unhealthyPodEvictionPolicy"] = unhealthy_policy;
    auto created = client_->Create(kPdbs, "acc", pdb);
    ASSERT_TRUE(created.ok()) << created.status().message();
    Json next = *created;
    next["status"] = {{"disruptionsAllowed", allowed},
                      {"currentHealthy", current},
                      {"desiredHealthy", desired},
                      {"expectedPods", current},
                      {"observedGeneration", GetInt(*created, {"metadata", "generation"})}};
    auto updated = client_->Update(kPdbs, "acc", next, {}, "status");
    ASSERT_TRUE(updated.ok()) << updated.status().message();
  }

  StatusOr<Json> Evict(const std::string& name, Json delete_options = nullptr,
                       bool dry_run = false) {
    Json eviction = {{"apiVersion", "policy/v1"},
                     {"kind", "Eviction"},
                     {"metadata", {{"name", name}, {"namespace", "acc"}}}};
    if (!delete_options.is_null()) eviction["deleteOptions"] = std::move(delete_options);
    WriteOptions opts;
    opts.dry_run = dry_run;
    return client_->Create(kPods, "acc", eviction, opts, "eviction", name);
  }

  bool PodExists(const std::string& name) { return client_->Get(kPods, "acc", name).ok(); }

  const ResourceRef kNs{"", "v1", "namespaces"};
  const ResourceRef kPods{"", "v1", "pods"};
  const ResourceRef kPdbs{"policy", "v1", "poddisruptionbudgets"};
  ResourceRegistry resources_;
  RealClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(BuiltinRegistryTest, JobsAndReplicationControllersOrphanByDefault) {
  Json job = Json::parse(R"({"metadata":{"name":"j"},"spec":{"template":{"spec":{
      "restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}})");
  ASSERT_TRUE(client_->Create({"batch", "v1", "jobs"}, "acc", job).ok());
  auto r = client_->Delete({"batch", "v1", "jobs"}, "acc", "j");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(FinalizersOf(*r), std::vector<std::string>{"orphan"});
  // kubectl's Background clears it again and the job goes.
  DeleteOptions bg;
  bg.propagation_policy = "Background";
  ASSERT_TRUE(client_->Delete({"batch", "v1", "jobs"}, "acc", "j", bg).ok());
  EXPECT_EQ(client_->Get({"batch", "v1", "jobs"}, "acc", "j").status().code(), Code::kNotFound);

  Json rc = Json::parse(R"({"metadata":{"name":"rc"},"spec":{"replicas":1,"selector":{"a":"b"},
      "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  ASSERT_TRUE(client_->Create({"", "v1", "replicationcontrollers"}, "acc", rc).ok());
  auto rr = client_->Delete({"", "v1", "replicationcontrollers"}, "acc", "rc");
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(FinalizersOf(*rr), std::vector<std::string>{"orphan"});

  // Deployments delete their dependents by default: nothing holds them. A Foreground delete
  // bumps the generation as markAsDeleting does.
  Json dep = Json::parse(R"({"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  auto created = client_->Create({"apps", "v1", "deployments"}, "acc", dep);
  ASSERT_TRUE(created.ok());
  DeleteOptions fg;
  fg.propagation_policy = "Foreground";
  auto fr = client_->Delete({"apps", "v1", "deployments"}, "acc", "d", fg);
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(GetInt(*fr, {"metadata", "generation"}), GetInt(*created, {"metadata", "generation"}) + 1);
  ASSERT_TRUE(client_->Create({"apps", "v1", "deployments"}, "acc",
                              Json::parse(R"({"metadata":{"name":"e"},"spec":{"selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})"))
                  .ok());
  ASSERT_TRUE(client_->Delete({"apps", "v1", "deployments"}, "acc", "e").ok());
  EXPECT_EQ(client_->Get({"apps", "v1", "deployments"}, "acc", "e").status().code(),
            Code::kNotFound);
}

TEST_F(BuiltinRegistryTest, EventsIgnoreThePropagationPolicy) {
  Json ev = Json::parse(R"({"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"p",
      "namespace":"acc"},"reason":"R","message":"m","type":"Normal"})");
  auto created = client_->Create({"", "v1", "events"}, "acc", ev);
  ASSERT_TRUE(created.ok()) << created.status().message();
  DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  ASSERT_TRUE(client_->Delete({"", "v1", "events"}, "acc", "e1", orphan).ok());
  EXPECT_EQ(client_->Get({"", "v1", "events"}, "acc", "e1").status().code(), Code::kNotFound);
}

TEST_F(BuiltinRegistryTest, GracefulPodKeepsTheOrphanFinalizerAfterForceDelete) {
  Json pod = Json::parse(R"({"metadata":{"name":"g"},"spec":{"nodeName":"n1",
      "containers":[{"name":"c","image":"busybox"}]}})");
  ASSERT_TRUE(client_->Create(kPods, "acc", pod).ok());
  DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  auto r = client_->Delete(kPods, "acc", "g", orphan);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(GetInt(*r, {"metadata", "deletionGracePeriodSeconds"}), 30);
  EXPECT_EQ(FinalizersOf(*r), std::vector<std::string>{"orphan"});
  // The kubelet's final delete (grace 0) leaves it to the garbage collector's finalizer.
  DeleteOptions now;
  now.grace_period_seconds = 0;
  auto last = client_->Delete(kPods, "acc", "g", now);
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(GetInt(*last, {"metadata", "deletionGracePeriodSeconds"}, -1), 0);
  EXPECT_TRUE(PodExists("g"));
  ASSERT_TRUE(client_->Patch(kPods, "acc", "g", PatchType::kMerge,
                             R"({"metadata":{"finalizers":null}})").ok());
  EXPECT_FALSE(PodExists("g"));
}

TEST_F(BuiltinRegistryTest, EvictionWithoutBudgetDeletes) {
  MakePod("p", "Running", true);
  auto r = Evict("p");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["status"], "Success");
  EXPECT_FALSE(PodExists("p"));
  EXPECT_EQ(Evict("p").status().code(), Code::kNotFound);
}

TEST_F(BuiltinRegistryTest, EvictionBodyIsValidated) {
  MakePod("p", "Running", true);
  Json wrong = {{"metadata", {{"name", "other"}}}};
  auto r = client_->Create(kPods, "acc", wrong, {}, "eviction", "p");
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
  EXPECT_EQ(r.status().message(), "name in URL does not match name in Eviction object");
  EXPECT_EQ(Evict("p", {{"dryRun", {"Some"}}}).status().code(), Code::kBadRequest);
  // The body says dry-run, the request does not.
  EXPECT_EQ(Evict("p", {{"dryRun", {"All"}}}, false).status().code(), Code::kBadRequest);
  EXPECT_EQ(Evict("p", {{"propagationPolicy", "Sideways"}}).status().code(), Code::kInvalid);
  EXPECT_TRUE(PodExists("p"));
}

TEST_F(BuiltinRegistryTest, EvictionThatViolatesTheBudgetIs429) {
  MakePod("p", "Running", true);
  MakePdb("budget", 0, 1, 1);
  auto r = Evict("p");
  ASSERT_EQ(r.status().code(), Code::kTooManyRequests);
  EXPECT_EQ(r.status().message(),
            "Cannot evict pod as it would violate the pod's disruption budget.");
  ASSERT_TRUE(r.status().details().has_value());
  ASSERT_EQ(r.status().details()->causes.size(), 1u);
  EXPECT_EQ(r.status().details()->causes[0].reason, "DisruptionBudget");
  EXPECT_EQ(r.status().details()->causes[0].message,
            "The disruption budget budget needs 1 healthy pods and has 1 currently");
  EXPECT_TRUE(PodExists("p"));
}

TEST_F(BuiltinRegistryTest, EvictionTakesADisruptionFromTheBudget) {
  MakePod("p", "Running", true);
  MakePdb("budget", 1, 2, 1);
  auto r = Evict("p");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(PodExists("p"));
  auto pdb = client_->Get(kPdbs, "acc", "budget");
  ASSERT_TRUE(pdb.ok());
  EXPECT_EQ(GetInt(*pdb, {"status", "disruptionsAllowed"}, -1), 0);
  EXPECT_FALSE(GetString(*pdb, {"status", "disruptedPods", "p"}).empty());
  const Json& cond = (*pdb)["status"]["conditions"][0];
  EXPECT_EQ(cond["type"], "DisruptionAllowed");
  EXPECT_EQ(cond["status"], "False");
  EXPECT_EQ(cond["reason"], "InsufficientPods");
}

TEST_F(BuiltinRegistryTest, EvictionDryRunChangesNothing) {
  MakePod("p", "Running", true);
  MakePdb("budget", 1, 2, 1);
  auto before = client_->Get(kPdbs, "acc", "budget");
  auto r = Evict("p", nullptr, /*dry_run=*/true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(PodExists("p"));
  EXPECT_EQ(ResourceVersion(*client_->Get(kPdbs, "acc", "budget")), ResourceVersion(*before));
  // Matching dry-run in body and request.
  EXPECT_TRUE(Evict("p", {{"dryRun", {"All"}}}, true).ok());
  EXPECT_TRUE(PodExists("p"));
}

TEST_F(BuiltinRegistryTest, EvictionWaitsForTheBudgetToCatchUp) {
  MakePod("p", "Running", true);
  MakePdb("budget", 1, 2, 1);
  // A spec change the controller has not observed yet.
  ASSERT_TRUE(client_->Patch(kPdbs, "acc", "budget", PatchType::kMerge,
                             R"({"spec":{"minAvailable":2}})").ok());
  auto r = Evict("p");
  ASSERT_EQ(r.status().code(), Code::kTooManyRequests);
  EXPECT_EQ(r.status().details()->causes[0].message,
            "The disruption budget budget is still being processed by the server.");
  EXPECT_EQ(r.status().details()->retry_after_seconds, 10);
}

TEST_F(BuiltinRegistryTest, PendingAndUnhealthyPodsSkipTheBudget) {
  MakePdb("budget", 0, 2, 1);
  MakePod("pending", "Pending", false);
  EXPECT_TRUE(Evict("pending").ok());
  EXPECT_FALSE(PodExists("pending"));
  // Not ready, and the budget is met without it: no disruption is taken.
  MakePod("sick", "Running", false);
  EXPECT_TRUE(Evict("sick").ok());
  EXPECT_FALSE(PodExists("sick"));
  EXPECT_EQ(GetInt(*client_->Get(kPdbs, "acc", "budget"), {"status", "disruptionsAllowed"}), 0);
}

TEST_F(BuiltinRegistryTest, UnhealthyPodEvictionPolicy) {
  // The budget is not met: IfHealthyBudget (the default) protects even an unready pod...
  MakePdb("budget", 0, 0, 1);
  MakePod("sick", "Running", false);
  EXPECT_EQ(Evict("sick").status().code(), Code::kTooManyRequests);
  // ...AlwaysAllow lets it go.
  ASSERT_TRUE(client_->Patch(kPdbs, "acc", "budget", PatchType::kMerge,
                             R"({"spec":{"unhealthyPodEvictionPolicy":"AlwaysAllow"}})").ok());
  EXPECT_TRUE(Evict("sick").ok()) ;
  EXPECT_FALSE(PodExists("sick"));
}

TEST_F(BuiltinRegistryTest, TwoBudgetsAreRefused) {
  MakePod("p", "Running", true);
  MakePdb("one", 1, 2, 1);
  MakePdb("two", 1, 2, 1);
  auto r = Evict("p");
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message(),
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does "
            "not support.");
  EXPECT_TRUE(PodExists("p"));
}

}  // namespace
}  // namespace minik
