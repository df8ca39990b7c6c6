// The generic registry over an in-memory store, with a few hand-made kinds, so these tests
// depend only on the registry's own sequence.
#include "apiserver/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "api/fieldpath.h"
#include "api/schema.h"
#include "apiserver/managed_fields.h"
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

// ---- server-side apply and managedFields (apiserver/managed_fields.h) ----

namespace ssa {

class ManagedFieldsTest : public ::testing::Test {
 protected:
  ManagedFieldsTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    EXPECT_TRUE(client_->Create(kNs, "", Json{{"metadata", {{"name", "acc"}}}}).ok());
  }

  static WriteOptions As(const std::string& manager, bool force = false) {
    WriteOptions o;
    o.field_manager = manager;
    o.force = force;
    return o;
  }

  StatusOr<Json> Apply(const std::string& manager, const std::string& body, bool force = false,
                       bool* created = nullptr, const ResourceRef& ref = {"", "v1", "configmaps"},
                       const std::string& name = "cm", const std::string& sub = "") {
    WriteOptions o = As(manager, force);
    o.created = created;
    return client_->Patch(ref, "acc", name, PatchType::kApply, body, o, sub);
  }

  Json Cm(const std::string& name = "cm") { return *client_->Get(kCm, "acc", name); }

  // manager/operation[/subresource] -> fieldsV1
  static std::map<std::string, Json> Entries(const Json& obj) {
    std::map<std::string, Json> out;
    const Json* mf = Find(obj, {"metadata", "managedFields"});
    if (!mf) return out;
    for (const Json& e : *mf) {
      std::string key = e["manager"].get<std::string>() + "/" + e["operation"].get<std::string>();
      if (e.contains("subresource")) key += "/" + e["subresource"].get<std::string>();
      out[key] = e["fieldsV1"];
    }
    return out;
  }

  const ResourceRef kNs{"", "v1", "namespaces"};
  const ResourceRef kCm{"", "v1", "configmaps"};
  const ResourceRef kDeploy{"apps", "v1", "deployments"};
  const ResourceRef kPods{"", "v1", "pods"};
  ResourceRegistry resources_;
  RealClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

const char* kCmApply = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
    "data":{"owner":"first"}})";
const char* kCmOther = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
    "data":{"owner":"second"}})";

TEST_F(ManagedFieldsTest, CreateRecordsAnUpdateEntry) {
  Json cm = {{"metadata", {{"name", "c"}, {"labels", {{"app", "x"}}}}}, {"data", {{"a", "1"}}}};
  auto created = client_->Create(kCm, "acc", cm, As("kubectl-create"));
  ASSERT_TRUE(created.ok()) << created.status().message();
  const Json& mf = (*created)["metadata"]["managedFields"];
  ASSERT_EQ(mf.size(), 1u);
  EXPECT_EQ(mf[0]["manager"], "kubectl-create");
  EXPECT_EQ(mf[0]["operation"], "Update");
  EXPECT_EQ(mf[0]["apiVersion"], "v1");
  EXPECT_EQ(mf[0]["fieldsType"], "FieldsV1");
  EXPECT_TRUE(std::regex_match(mf[0]["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(mf[0]["fieldsV1"], Json::parse(R"({"f:data":{".":{},"f:a":{}},
      "f:metadata":{"f:labels":{".":{},"f:app":{}}}})"));
  EXPECT_FALSE(mf[0].contains("subresource"));
  // Stored as returned.
  EXPECT_EQ(Cm("c")["metadata"]["managedFields"], mf);
}

TEST_F(ManagedFieldsTest, ManagerNamesWithoutFieldManager) {
  WriteOptions ua;
  ua.user_agent = "kubectl/v1.32.5 (linux/amd64) kubernetes/abc";
  auto a = client_->Create(kCm, "acc", {{"metadata", {{"name", "a"}}}, {"data", {{"k", "v"}}}}, ua);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)["metadata"]["managedFields"][0]["manager"], "kubectl");
  auto b = client_->Create(kCm, "acc", {{"metadata", {{"name", "b"}}}, {"data", {{"k", "v"}}}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)["metadata"]["managedFields"][0]["manager"], "kube-controller-manager");
  EXPECT_EQ(managedfields::PrefixFromUserAgent("a\x01" "b/c"), "ab");
  EXPECT_EQ(managedfields::PrefixFromUserAgent(std::string(200, 'x')).size(), 128u);
}

TEST_F(ManagedFieldsTest, UpdatesMoveFieldsBetweenManagers) {
  ASSERT_TRUE(client_->Create(kCm, "acc", {{"metadata", {{"name", "cm"}}},
                                           {"data", {{"a", "1"}, {"b", "1"}}}},
                              As("creator")).ok());
  Json next = Cm();
  next["data"]["a"] = "2";
  auto updated = client_->Update(kCm, "acc", next, As("editor"));
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  auto e = Entries(*updated);
  EXPECT_EQ(e["creator/Update"], Json::parse(R"({"f:data":{".":{},"f:b":{}}})"));
  EXPECT_EQ(e["editor/Update"], Json::parse(R"({"f:data":{"f:a":{}}})"));
  // A no-op write keeps the entries and the resourceVersion.
  auto again = client_->Update(kCm, "acc", *updated, As("third"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ResourceVersion(*again), ResourceVersion(*updated));
  EXPECT_EQ(Entries(*again).count("third/Update"), 0u);
  // Removing a field takes it from its owner; an emptied entry goes.
  ASSERT_TRUE(client_->Patch(kCm, "acc", "cm", PatchType::kMerge, R"({"data":{"a":null}})",
                             As("remover")).ok());
  e = Entries(Cm());
  EXPECT_EQ(e.count("editor/Update"), 0u);
  EXPECT_EQ(e.count("remover/Update"), 0u);
  EXPECT_EQ(e.count("creator/Update"), 1u);
}

TEST_F(ManagedFieldsTest, ApplyCreatesThenConflictsThenForces) {
  bool created = false;
  auto first = Apply("kubectl", kCmApply, false, &created);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(created);
  auto e = Entries(*first);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e["kubectl/Apply"], Json::parse(R"({"f:data":{"f:owner":{}}})"));
  EXPECT_EQ((*first)["metadata"]["managedFields"][0]["apiVersion"], "v1");

  // Re-applying the same configuration changes nothing.
  created = false;
  auto same = Apply("kubectl", kCmApply, false, &created);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(ResourceVersion(*same), ResourceVersion(*first));

  auto conflict = Apply("other", kCmOther);
  ASSERT_EQ(conflict.status().code(), Code::kConflict);
  EXPECT_EQ(conflict.status().message(),
            "Apply failed with 1 conflict: conflict with \"kubectl\": .data.owner");
  ASSERT_TRUE(conflict.status().details().has_value());
  const auto& causes = conflict.status().details()->causes;
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].reason, "FieldManagerConflict");
  EXPECT_EQ(causes[0].message, "conflict with \"kubectl\"");
  EXPECT_EQ(causes[0].field, ".data.owner");
  EXPECT_EQ(Cm()["data"]["owner"], "first");
  EXPECT_EQ(ResourceVersion(Cm()), ResourceVersion(*first));

  auto forced = Apply("other", kCmOther, /*force=*/true);
  ASSERT_TRUE(forced.ok()) << forced.status().message();
  EXPECT_EQ((*forced)["data"]["owner"], "second");
  e = Entries(*forced);
  EXPECT_EQ(e.count("kubectl/Apply"), 0u);
  EXPECT_EQ(e["other/Apply"], Json::parse(R"({"f:data":{"f:owner":{}}})"));
}

TEST_F(ManagedFieldsTest, ConflictsWithUpdatersAndSeveralManagers) {
  ASSERT_TRUE(client_->Create(kCm, "acc", {{"metadata", {{"name", "cm"}}},
                                           {"data", {{"a", "1"}, {"b", "1"}}}},
                              As("creator")).ok());
  ASSERT_TRUE(client_->Patch(kCm, "acc", "cm", PatchType::kMerge, R"({"data":{"c":"1"}})",
                             As("patcher")).ok());
  auto r = Apply("applier", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
      "data":{"a":"2","b":"2","c":"2"}})");
  ASSERT_EQ(r.status().code(), Code::kConflict);
  EXPECT_EQ(r.status().message(),
            "Apply failed with 3 conflicts: conflicts with \"creator\" using v1:\n- .data.a\n"
            "- .data.b\nconflicts with \"patcher\" using v1:\n- .data.c");
  EXPECT_EQ(r.status().details()->causes[0].message, "conflict with \"creator\" using v1");
  // Applying the values they already have is shared ownership, not a conflict.
  auto shared = Apply("applier", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
      "data":{"a":"1"}})");
  ASSERT_TRUE(shared.ok()) << shared.status().message();
  auto e = Entries(*shared);
  EXPECT_EQ(e["applier/Apply"], Json::parse(R"({"f:data":{"f:a":{}}})"));
  EXPECT_EQ(e["creator/Update"], Json::parse(R"({"f:data":{".":{},"f:a":{},"f:b":{}}})"));
}

TEST_F(ManagedFieldsTest, ApplyRemovesFieldsNoLongerApplied) {
  ASSERT_TRUE(Apply("kubectl", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm",
      "labels":{"l":"1"}},"data":{"a":"1","b":"1","c":"1"}})").ok());
  // Someone else also applies c: it stays when kubectl drops it.
  ASSERT_TRUE(Apply("helper", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
      "data":{"c":"1"}})").ok());
  auto r = Apply("kubectl", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
      "data":{"a":"1"}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["data"], Json::parse(R"({"a":"1","c":"1"})"));
  EXPECT_FALSE(Find(*r, {"metadata", "labels"}));
  auto e = Entries(*r);
  EXPECT_EQ(e["kubectl/Apply"], Json::parse(R"({"f:data":{"f:a":{}}})"));
}

TEST_F(ManagedFieldsTest, ApplyErrors) {
  auto no_manager = client_->Patch(kCm, "acc", "cm", PatchType::kApply, kCmApply, {});
  EXPECT_EQ(no_manager.status().code(), Code::kInvalid);
  EXPECT_EQ(no_manager.status().message(),
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
            "for apply patch");
  auto kind = Apply("m", R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"cm"}})");
  EXPECT_EQ(kind.status().code(), Code::kBadRequest);
  EXPECT_EQ(kind.status().message(), "invalid object type: /v1, Kind=Secret");
  auto version = Apply("m", R"({"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"cm"}})");
  EXPECT_EQ(version.status().message(), "invalid object type: /v2, Kind=ConfigMap");
  auto mf = Apply("m", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm",
      "managedFields":[]}})");
  EXPECT_EQ(mf.status().code(), Code::kBadRequest);
  EXPECT_EQ(mf.status().message(), "metadata.managedFields must be nil");
  auto name = Apply("m", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}})");
  EXPECT_EQ(name.status().code(), Code::kBadRequest);
  EXPECT_EQ(name.status().message(),
            "the name of the object (other) does not match the name on the URL (cm)");
  auto ns = Apply("m", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm",
      "namespace":"elsewhere"}})");
  EXPECT_EQ(ns.status().code(), Code::kBadRequest);
  EXPECT_EQ(Apply("m", "[1]").status().code(), Code::kBadRequest);
  EXPECT_EQ(Apply("m", "{").status().code(), Code::kBadRequest);
  auto dup = Apply("m", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}})", false,
                   nullptr, kPods, "p");
  EXPECT_EQ(dup.status().code(), Code::kInternal);
  EXPECT_NE(dup.status().message().find(
                R"(.spec.containers: duplicate entries for key [name="a"])"),
            std::string::npos)
      << dup.status().message();
  // Invalid objects fail validation as usual; nothing was created by any of these.
  auto invalid = Apply("m", R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"replicas":-1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":
      {"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})", false, nullptr, kDeploy, "d");
  EXPECT_EQ(invalid.status().code(), Code::kInvalid);
  EXPECT_EQ(client_->Get(kCm, "acc", "cm").status().code(), Code::kNotFound);
  EXPECT_EQ(client_->Get(kDeploy, "acc", "d").status().code(), Code::kNotFound);
  auto scale = Apply("m", R"({"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"d"},
      "spec":{"replicas":2}})", false, nullptr, kDeploy, "d", "scale");
  EXPECT_EQ(scale.status().code(), Code::kNotImplemented);
}

TEST_F(ManagedFieldsTest, ApplyDryRunPersistsNothing) {
  WriteOptions o = As("kubectl");
  o.dry_run = true;
  bool created = false;
  o.created = &created;
  auto r = client_->Patch(kCm, "acc", "cm", PatchType::kApply, kCmApply, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(created);
  EXPECT_EQ(Entries(*r).count("kubectl/Apply"), 1u);
  EXPECT_EQ(client_->Get(kCm, "acc", "cm").status().code(), Code::kNotFound);
  ASSERT_TRUE(Apply("kubectl", kCmApply).ok());
  auto d = client_->Patch(kCm, "acc", "cm", PatchType::kApply, kCmOther, [&] {
    WriteOptions f = As("kubectl");
    f.dry_run = true;
    return f;
  }());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)["data"]["owner"], "second");
  EXPECT_EQ(Cm()["data"]["owner"], "first");
}

TEST_F(ManagedFieldsTest, DeploymentContainersByKey) {
  const char* web = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
      "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"httpd","image":"httpd:2"}]}}}})";
  auto r = Apply("kubectl", web, false, nullptr, kDeploy, "web");
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Defaults are not the applier's.
  EXPECT_EQ((*r)["spec"]["replicas"], 1);
  auto e = Entries(*r);
  EXPECT_EQ(e["kubectl/Apply"], Json::parse(R"({"f:spec":{"f:selector":{},
      "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{
      "k:{\"name\":\"httpd\"}":{".":{},"f:image":{},"f:name":{}}}}}}})"))
      << e["kubectl/Apply"].dump();
  auto c = Apply("other", R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
      "spec":{"template":{"spec":{"containers":[{"name":"httpd","image":"httpd:3"}]}}}})", false,
                 nullptr, kDeploy, "web");
  EXPECT_EQ(c.status().message(),
            "Apply failed with 1 conflict: conflict with \"kubectl\": "
            ".spec.template.spec.containers[name=\"httpd\"].image");
  // The main resource does not own status; /status owns only status.
  Json dep = *client_->Get(kDeploy, "acc", "web");
  dep["status"] = {{"replicas", 1}, {"observedGeneration", 1}};
  auto st = client_->Update(kDeploy, "acc", dep, As("deployment-controller"), "status");
  ASSERT_TRUE(st.ok()) << st.status().message();
  e = Entries(*st);
  EXPECT_EQ(e["deployment-controller/Update/status"],
            Json::parse(R"({"f:status":{"f:observedGeneration":{},"f:replicas":{}}})"));
  // Managers the write does not touch are kept as they were.
  EXPECT_EQ(e["kubectl/Apply"], Entries(dep)["kubectl/Apply"]);
  // Server-side apply to /status.
  auto sa = Apply("status-applier", R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web"},"status":{"readyReplicas":1}})", false, nullptr, kDeploy, "web",
                  "status");
  ASSERT_TRUE(sa.ok()) << sa.status().message();
  EXPECT_EQ((*sa)["status"]["readyReplicas"], 1);
  EXPECT_EQ(Entries(*sa)["status-applier/Apply/status"],
            Json::parse(R"({"f:status":{"f:readyReplicas":{}}})"));
  // Scale writes are recorded with subresource "scale".
  ASSERT_TRUE(client_->Patch(kDeploy, "acc", "web", PatchType::kMerge, R"({"spec":{"replicas":3}})",
                             As("kubectl"), "scale").ok());
  e = Entries(*client_->Get(kDeploy, "acc", "web"));
  EXPECT_EQ(e["kubectl/Update/scale"], Json::parse(R"({"f:spec":{"f:replicas":{}}})"));
}

TEST_F(ManagedFieldsTest, ClientManagedFieldsAreUsedResetOrIgnored) {
  ASSERT_TRUE(client_->Create(kCm, "acc", {{"metadata", {{"name", "cm"}}}, {"data", {{"a", "1"}}}},
                              As("kubectl-client-side-apply")).ok());
  // kubectl's csaupgrade: a JSON patch rewriting managedFields to an Apply entry.
  Json live = Cm();
  Json entries = live["metadata"]["managedFields"];
  entries[0]["manager"] = "kubectl";
  entries[0]["operation"] = "Apply";
  Json patch = Json::array({{{"op", "test"}, {"path", "/metadata/resourceVersion"},
                             {"value", ResourceVersion(live)}},
                            {{"op", "replace"}, {"path", "/metadata/managedFields"},
                             {"value", entries}}});
  auto upgraded = client_->Patch(kCm, "acc", "cm", PatchType::kJson, patch.dump(), As("kubectl"));
  ASSERT_TRUE(upgraded.ok()) << upgraded.status().message();
  auto e = Entries(*upgraded);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e["kubectl/Apply"], Json::parse(R"({"f:data":{".":{},"f:a":{}}})"));
  // Invalid managedFields are ignored: the live ones stay.
  Json bad = *upgraded;
  bad["metadata"]["managedFields"] = Json::array({{{"manager", "x"}, {"operation", "Bogus"}}});
  bad["data"]["b"] = "2";
  auto kept = client_->Update(kCm, "acc", bad, As("editor"));
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  e = Entries(*kept);
  EXPECT_EQ(e.count("kubectl/Apply"), 1u);
  EXPECT_EQ(e["editor/Update"], Json::parse(R"({"f:data":{"f:b":{}}})"));
  // An empty list clears them, and the object stays untracked on later updates.
  Json reset = *kept;
  reset["metadata"]["managedFields"] = Json::array();
  auto cleared = client_->Update(kCm, "acc", reset, As("editor"));
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(Find(*cleared, {"metadata", "managedFields"}));
  Json more = *cleared;
  more["data"]["c"] = "3";
  auto untracked = client_->Update(kCm, "acc", more, As("editor"));
  ASSERT_TRUE(untracked.ok());
  EXPECT_FALSE(Find(*untracked, {"metadata", "managedFields"}));
  // The first apply to an untracked object gives the rest to "before-first-apply".
  auto applied = Apply("kubectl", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
      "data":{"a":"1"}})");
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  e = Entries(*applied);
  EXPECT_EQ(e["kubectl/Apply"], Json::parse(R"({"f:data":{"f:a":{}}})"));
  EXPECT_EQ(e["before-first-apply/Update"],
            Json::parse(R"({"f:data":{".":{},"f:a":{},"f:b":{},"f:c":{}}})"));
}

TEST_F(ManagedFieldsTest, ServerSideApplyOverClientSideApply) {
  // Created by client-side apply: the annotation records what the user set.
  Json cm = Json::parse(R"({"metadata":{"name":"cm","annotations":{
      "kubectl.kubernetes.io/last-applied-configuration":
      "{\"apiVersion\":\"v1\",\"data\":{\"owner\":\"first\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"cm\",\"namespace\":\"acc\"}}\n"}},
      "data":{"owner":"first"}})");
  ASSERT_TRUE(client_->Create(kCm, "acc", cm, As("kubectl-client-side-apply")).ok());
  // kubectl takes over the fields the annotation lists despite the conflict.
  auto r = Apply("kubectl", kCmOther);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["data"]["owner"], "second");
  // And the annotation follows what was applied.
  std::string ann = (*r)["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"];
  EXPECT_EQ(ann, R"({"apiVersion":"v1","data":{"owner":"second"},"kind":"ConfigMap","metadata":{"name":"cm"}})"
                 "\n");
  // Another manager still conflicts.
  EXPECT_EQ(Apply("other", kCmApply).status().code(), Code::kConflict);
}

// kubectl apply --server-side over an object made by client-side apply, request by request
// as kubectl 1.32 sends them (apply.go: the apply, saveLastApplyAnnotationIfNecessary,
// migrateToSSAIfNecessary with csaupgrade's JSON patch).
TEST_F(ManagedFieldsTest, KubectlMigratesClientSideApplyToServerSideApply) {
  const std::string last =
      R"({"apiVersion":"v1","data":{"a":"1","b":"2"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"cm","namespace":"acc"}})"
      "\n";
  Json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata",
              {{"name", "cm"},
               {"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", last}}}}},
             {"data", {{"a", "1"}, {"b", "2"}}}};
  ASSERT_TRUE(client_->Create(kCm, "acc", cm, As("kubectl-client-side-apply")).ok());
  // 1. The server-side apply of the same file.
  const char* file = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm",
      "namespace":"acc"},"data":{"a":"1","b":"2"}})";
  auto applied = Apply("kubectl", file);
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  // 2. The annotation, applied by its own manager.
  Json just_annotation = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", "cm"},
        {"namespace", "acc"},
        {"annotations",
         {{"kubectl.kubernetes.io/last-applied-configuration",
           (*applied)["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]}}}}}};
  auto annotated = Apply("kubectl-last-applied", just_annotation.dump());
  ASSERT_TRUE(annotated.ok()) << annotated.status().message();
  // 3. csaupgrade: the client-side manager's fields merge into kubectl's Apply entry.
  Json entries = Json::array();
  Json csa, ssa;
  for (const Json& e : (*annotated)["metadata"]["managedFields"]) {
    if (e["manager"] == "kubectl-client-side-apply" && e["operation"] == "Update") {
      csa = e;
    } else {
      if (e["manager"] == "kubectl" && e["operation"] == "Apply") ssa = e;
      entries.push_back(e);
    }
  }
  ASSERT_FALSE(csa.is_null());
  ASSERT_FALSE(ssa.is_null());
  auto merged = fieldpath::Set::FromFieldsV1(ssa["fieldsV1"])
                    ->Union(*fieldpath::Set::FromFieldsV1(csa["fieldsV1"]));
  for (Json& e : entries) {
    if (e["manager"] == "kubectl" && e["operation"] == "Apply") e["fieldsV1"] = merged.ToFieldsV1();
  }
  Json patch = Json::array({{{"op", "replace"}, {"path", "/metadata/managedFields"},
                             {"value", entries}},
                            {{"op", "test"}, {"path", "/metadata/resourceVersion"},
                             {"value", ResourceVersion(*annotated)}}});
  auto upgraded = client_->Patch(kCm, "acc", "cm", PatchType::kJson, patch.dump(), {});
  ASSERT_TRUE(upgraded.ok()) << upgraded.status().message();
  auto e = Entries(*upgraded);
  EXPECT_EQ(e.count("kubectl-client-side-apply/Update"), 0u);
  EXPECT_EQ(e.count("kubectl-last-applied/Apply"), 1u);
  ASSERT_EQ(e.count("kubectl/Apply"), 1u);
  EXPECT_TRUE(e["kubectl/Apply"]["f:data"].contains("f:b"));
  // Now a field dropped from the file is removed by the next server-side apply.
  auto dropped = Apply("kubectl", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm",
      "namespace":"acc"},"data":{"a":"1"}})");
  ASSERT_TRUE(dropped.ok()) << dropped.status().message();
  EXPECT_EQ((*dropped)["data"], Json::parse(R"({"a":"1"})"));
}

TEST_F(ManagedFieldsTest, UpdateManagersAreCapped) {
  ASSERT_TRUE(client_->Create(kCm, "acc", {{"metadata", {{"name", "cm"}}}, {"data", {{"k0", "v"}}}},
                              As("m0")).ok());
  for (int i = 1; i <= 12; ++i) {
    std::string patch = R"({"data":{"k)" + std::to_string(i) + R"(":"v"}})";
    ASSERT_TRUE(client_->Patch(kCm, "acc", "cm", PatchType::kMerge, patch,
                               As("m" + std::to_string(i))).ok());
  }
  auto e = Entries(Cm());
  EXPECT_EQ(e.size(), 10u);
  ASSERT_EQ(e.count("ancient-changes/Update"), 1u);
  // The merged bucket holds the oldest managers' fields (same second: by name).
  EXPECT_TRUE(e["ancient-changes/Update"]["f:data"].contains("f:k0"));
}

// Not a timed assertion: what managedFields tracking costs an update (printed).
TEST_F(ManagedFieldsTest, MicroBenchmarkUpdates) {
  Json pod = Json::parse(R"({"metadata":{"name":"p","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],
      "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}})");
  ASSERT_TRUE(client_->Create(kPods, "acc", pod, As("creator")).ok());
  const int n = 500;
  // Baseline: the same pod without managedFields (untracked).
  Json untracked = pod;
  untracked["metadata"]["name"] = "u";
  untracked["metadata"]["managedFields"] = Json::array();
  ASSERT_TRUE(client_->Create(kPods, "acc", untracked).ok());
  {
    Json reset = *client_->Get(kPods, "acc", "u");
    reset["metadata"]["managedFields"] = Json::array();
    ASSERT_TRUE(client_->Update(kPods, "acc", reset).ok());
  }
  auto base = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    Json cur = *client_->Get(kPods, "acc", "u");
    cur["status"]["phase"] = i % 2 ? "Running" : "Pending";
    cur["status"]["conditions"] = Json::array({{{"type", "Ready"}, {"status", i % 2 ? "True" : "False"}}});
    ASSERT_TRUE(client_->Update(kPods, "acc", cur, As("kubelet"), "status").ok());
  }
  EXPECT_FALSE(Find(*client_->Get(kPods, "acc", "u"), {"metadata", "managedFields"}));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    Json cur = *client_->Get(kPods, "acc", "p");
    cur["status"]["phase"] = i % 2 ? "Running" : "Pending";
    cur["status"]["conditions"] = Json::array({{{"type", "Ready"}, {"status", i % 2 ? "True" : "False"}}});
    ASSERT_TRUE(client_->Update(kPods, "acc", cur, As("kubelet"), "status").ok());
  }
  auto mid = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    Json cur = *client_->Get(kPods, "acc", "p");
    ASSERT_TRUE(client_->Update(kPods, "acc", cur, As("kubelet"), "status").ok());
  }
  auto end = std::chrono::steady_clock::now();
  auto us = [&](auto a, auto b) {
    return std::chrono::duration<double, std::micro>(b - a).count() / n;
  };
  std::printf("pod status update: untracked %.1f us/write; tracked %.1f us/write (changed), "
              "%.1f us/write (no-op)\n",
              us(base, start), us(start, mid), us(mid, end));
  EXPECT_EQ(Entries(*client_->Get(kPods, "acc", "p")).count("kubelet/Update/status"), 1u);

  // The field manager alone, on the stored pod.
  managedfields::FieldManager fm(BuiltinSchemas(), clock_);
  const ResourceInfo* info = resources_.Find(kPods);
  ASSERT_NE(info, nullptr);
  Json live = *client_->Get(kPods, "acc", "p");
  Json changed = live;
  changed["status"]["phase"] = "Succeeded";
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    Json obj = changed;
    fm.Update(*info, "status", &live, obj, "kubelet");
  }
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    Json obj = live;
    fm.Update(*info, "status", &live, obj, "kubelet");
  }
  auto t2 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    Json obj = changed;
  }
  auto t3 = std::chrono::steady_clock::now();
  std::printf("field manager alone: %.1f us (changed), %.1f us (no-op), copy %.1f us\n",
              us(t0, t1), us(t1, t2), us(t2, t3));
}

}  // namespace ssa

}  // namespace
}  // namespace minik
