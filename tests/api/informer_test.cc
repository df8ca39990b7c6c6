#include "api/informer.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "tests/controllers/fake_client.h"

namespace minik {
namespace {

using std::chrono::milliseconds;
using testing::FakeClient;

const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kNamespaces{"", "v1", "namespaces"};

// Waits (real time, bounded) for another thread's progress.
template <typename F>
bool Eventually(F f) {
  for (int i = 0; i < 5000; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return f();
}

Json Pod(const std::string& ns, const std::string& name, const std::string& node = "") {
  Json p = {{"metadata", {{"name", name}, {"namespace", ns}}}, {"spec", Json::object()}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

// Records handler calls as strings: "add ns/a", "update ns/a", "delete ns/a".
class Recorder {
 public:
  ResourceEventHandlers Handlers() {
    return {[this](const Json& o) { Push("add " + ObjectKey(o)); },
            [this](const Json& old_obj, const Json& o) {
              EXPECT_EQ(ObjectKey(old_obj), ObjectKey(o));
              Push("update " + ObjectKey(o));
            },
            [this](const Json& o) { Push("delete " + ObjectKey(o)); }};
  }
  std::vector<std::string> Events() {
    std::lock_guard<std::mutex> g(mu_);
    return events_;
  }
  bool Has(const std::string& e) {
    auto ev = Events();
    return std::find(ev.begin(), ev.end(), e) != ev.end();
  }
  size_t Size() { return Events().size(); }

 private:
  void Push(std::string s) {
    std::lock_guard<std::mutex> g(mu_);
    events_.push_back(std::move(s));
  }
  std::mutex mu_;
  std::vector<std::string> events_;
};

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddDefaultKinds();
    for (const char* ns : {"a", "b"}) {
      ASSERT_TRUE(client_.Create(kNamespaces, "", Json{{"metadata", {{"name", ns}}}}).ok());
    }
  }
  FakeClient client_;
  FakeClock clock_;
};

TEST_F(InformerTest, ListsThenWatches) {
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p1")).ok());
  ASSERT_TRUE(client_.Create(kPods, "b", Pod("b", "p2")).ok());
  Informer inf(client_, clock_, kPods);
  Recorder rec;
  inf.AddEventHandler(rec.Handlers());
  EXPECT_FALSE(inf.HasSynced());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  EXPECT_EQ(inf.ListKeys(), (std::vector<std::string>{"a/p1", "b/p2"}));
  ASSERT_NE(inf.Get("a/p1"), nullptr);
  EXPECT_EQ(GetString(*inf.Get("a/p1"), {"kind"}), "Pod");  // filled in from the List
  EXPECT_EQ(inf.Get("a/none"), nullptr);
  EXPECT_EQ(rec.Size(), 2u);

  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p3")).ok());
  auto p1 = client_.Get(kPods, "a", "p1");
  ASSERT_TRUE(p1.ok());
  (*p1)["spec"]["nodeName"] = "n1";
  ASSERT_TRUE(client_.Update(kPods, "a", *p1).ok());
  ASSERT_TRUE(client_.Delete(kPods, "b", "p2").ok());
  ASSERT_TRUE(Eventually([&] { return rec.Size() == 5; }));
  EXPECT_EQ(rec.Events(), (std::vector<std::string>{"add a/p1", "add b/p2", "add a/p3",
                                                    "update a/p1", "delete b/p2"}));
  EXPECT_EQ(inf.ListKeys(), (std::vector<std::string>{"a/p1", "a/p3"}));
  EXPECT_EQ(GetString(*inf.Get("a/p1"), {"spec", "nodeName"}), "n1");
  EXPECT_EQ(inf.LastSyncResourceVersion(), std::to_string(client_.revision()));
  EXPECT_EQ(inf.lists(), 1);
  EXPECT_EQ(inf.watches(), 1);
  inf.Stop();
  EXPECT_EQ(client_.open_watches(), 0u);
}

TEST_F(InformerTest, PagedList) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p" + std::to_string(i))).ok());
  }
  InformerOptions opts;
  opts.page_size = 3;
  Informer inf(client_, clock_, kPods, "", opts);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  EXPECT_EQ(inf.Size(), 7u);
  EXPECT_EQ(client_.calls("list"), 3);
}

TEST_F(InformerTest, RelistOnExpiredEmitsTheDiff) {
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "keep")).ok());
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "change")).ok());
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "gone")).ok());
  Informer inf(client_, clock_, kPods);
  Recorder rec;
  inf.AddEventHandler(rec.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  ASSERT_EQ(rec.Size(), 3u);

  // Changes the informer never hears about, then the watch expires.
  auto changed = client_.Get(kPods, "a", "change");
  ASSERT_TRUE(changed.ok());
  (*changed)["spec"]["nodeName"] = "n";
  client_.SetSilently(kPods, *changed);
  client_.DeleteSilently(kPods, "a", "gone");
  Json fresh = Pod("a", "new");
  fresh["apiVersion"] = "v1";
  fresh["kind"] = "Pod";
  client_.SetSilently(kPods, fresh);
  client_.EndWatches(Expired("too old resource version"));

  ASSERT_TRUE(Eventually([&] { return rec.Size() == 6; }));
  EXPECT_TRUE(rec.Has("update a/change"));
  EXPECT_TRUE(rec.Has("delete a/gone"));
  EXPECT_TRUE(rec.Has("add a/new"));
  EXPECT_FALSE(rec.Has("update a/keep"));  // unchanged objects are not re-announced
  EXPECT_EQ(inf.lists(), 2);
  EXPECT_EQ(inf.ListKeys(), (std::vector<std::string>{"a/change", "a/keep", "a/new"}));

  // And the new watch works.
  ASSERT_TRUE(client_.Create(kPods, "b", Pod("b", "later")).ok());
  ASSERT_TRUE(Eventually([&] { return rec.Has("add b/later"); }));
}

TEST_F(InformerTest, WatchFromStaleVersionRelists) {
  Informer inf(client_, clock_, kPods);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  client_.Compact();
  client_.SetSilently(kPods, Json{{"apiVersion", "v1"}, {"kind", "Pod"},
                                  {"metadata", {{"name", "x"}, {"namespace", "a"}}}});
  // A timeout re-watches from the last version, which is now too old: Expired -> relist.
  client_.EndWatches(Status(Code::kTimeout, "watch timeout reached"));
  ASSERT_TRUE(Eventually([&] { return inf.Get("a/x") != nullptr; }));
  EXPECT_EQ(inf.lists(), 2);
}

TEST_F(InformerTest, TimeoutRewatchesWithoutRelist) {
  Informer inf(client_, clock_, kPods);
  Recorder rec;
  inf.AddEventHandler(rec.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  ASSERT_TRUE(Eventually([&] { return client_.open_watches() == 1; }));
  client_.EndWatches(Status(Code::kTimeout, "watch timeout reached"));
  ASSERT_TRUE(Eventually([&] { return inf.watches() == 2 && client_.open_watches() == 1; }));
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p")).ok());
  ASSERT_TRUE(Eventually([&] { return rec.Has("add a/p"); }));
  EXPECT_EQ(inf.lists(), 1);
  EXPECT_EQ(rec.Size(), 1u);
}

TEST_F(InformerTest, ErrorEventRelists) {
  Informer inf(client_, clock_, kPods);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  ASSERT_TRUE(Eventually([&] { return client_.open_watches() == 1; }));
  client_.SendWatchError(410, "Expired");
  ASSERT_TRUE(Eventually([&] { return inf.lists() == 2; }));
}

TEST_F(InformerTest, FailedListRetriesAfterBackoffOnTheClock) {
  client_.FailNext("list", Internal("etcd down"));
  client_.FailNext("list", Internal("etcd down"));
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p")).ok());
  Informer inf(client_, clock_, kPods);
  inf.Start();
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  EXPECT_FALSE(inf.HasSynced());
  clock_.Step(milliseconds(199));
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  EXPECT_EQ(inf.lists(), 1);
  clock_.Step(milliseconds(1));  // 200 ms: second try fails, back-off doubles
  ASSERT_TRUE(Eventually([&] { return inf.lists() == 2; }));
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  clock_.Step(milliseconds(400));
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  EXPECT_EQ(inf.lists(), 3);
  EXPECT_NE(inf.Get("a/p"), nullptr);
}

TEST_F(InformerTest, FailedWatchBacksOffAndRelists) {
  client_.FailNext("watch", Internal("boom"));
  Informer inf(client_, clock_, kPods);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  clock_.Step(milliseconds(200));
  ASSERT_TRUE(Eventually([&] { return client_.open_watches() == 1; }));
  EXPECT_EQ(inf.lists(), 2);
  EXPECT_EQ(inf.watches(), 2);
}

TEST_F(InformerTest, StopWhileBackingOff) {
  client_.FailNext("list", Internal("down"));
  Informer inf(client_, clock_, kPods);
  inf.Start();
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  inf.Stop();  // must not wait for the clock
  EXPECT_FALSE(inf.HasSynced());
}

TEST_F(InformerTest, UnknownResourceKeepsRetrying) {
  Informer inf(client_, clock_, ResourceRef{"nope", "v1", "things"});
  inf.Start();
  ASSERT_TRUE(clock_.AwaitSleepers(1));
  EXPECT_FALSE(inf.WaitForSync(milliseconds(10)));
}

TEST_F(InformerTest, NamespaceAndLabelSelector) {
  Json labelled = Pod("a", "l");
  labelled["metadata"]["labels"] = {{"app", "web"}};
  ASSERT_TRUE(client_.Create(kPods, "a", labelled).ok());
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "u")).ok());
  ASSERT_TRUE(client_.Create(kPods, "b", Pod("b", "other")).ok());
  InformerOptions opts;
  opts.label_selector = "app=web";
  Informer by_label(client_, clock_, kPods, "", opts);
  Informer by_ns(client_, clock_, kPods, "a");
  by_label.Start();
  by_ns.Start();
  ASSERT_TRUE(by_label.WaitForSync(milliseconds(5000)));
  ASSERT_TRUE(by_ns.WaitForSync(milliseconds(5000)));
  EXPECT_EQ(by_label.ListKeys(), (std::vector<std::string>{"a/l"}));
  EXPECT_EQ(by_ns.ListKeys(), (std::vector<std::string>{"a/l", "a/u"}));
  ASSERT_TRUE(client_.Create(kPods, "b", Pod("b", "late")).ok());
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "late")).ok());
  ASSERT_TRUE(Eventually([&] { return by_ns.Size() == 3; }));
  EXPECT_EQ(by_ns.Get("b/late"), nullptr);
}

TEST_F(InformerTest, Indexes) {
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p1", "n1")).ok());
  ASSERT_TRUE(client_.Create(kPods, "b", Pod("b", "p2", "n1")).ok());
  ASSERT_TRUE(client_.Create(kPods, "b", Pod("b", "p3")).ok());
  Informer inf(client_, clock_, kPods);
  ASSERT_TRUE(inf.AddIndex("node", [](const Json& o) {
                    std::string node = GetString(o, {"spec", "nodeName"});
                    return node.empty() ? std::vector<std::string>{}
                                        : std::vector<std::string>{node};
                  }).ok());
  EXPECT_EQ(inf.AddIndex("node", [](const Json&) { return std::vector<std::string>{}; }).code(),
            Code::kAlreadyExists);
  EXPECT_EQ(inf.AddIndex(kNamespaceIndex, nullptr).code(), Code::kAlreadyExists);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  auto keys = [](const std::vector<ObjectPtr>& objs) {
    std::vector<std::string> out;
    for (auto& o : objs) out.push_back(ObjectKey(*o));
    return out;
  };
  EXPECT_EQ(keys(inf.ByIndex("node", "n1")), (std::vector<std::string>{"a/p1", "b/p2"}));
  EXPECT_EQ(keys(inf.ByIndex(kNamespaceIndex, "b")), (std::vector<std::string>{"b/p2", "b/p3"}));
  EXPECT_TRUE(inf.ByIndex("node", "n9").empty());
  EXPECT_TRUE(inf.ByIndex("unknown", "n1").empty());

  auto p2 = client_.Get(kPods, "b", "p2");
  ASSERT_TRUE(p2.ok());
  (*p2)["spec"]["nodeName"] = "n2";
  ASSERT_TRUE(client_.Update(kPods, "b", *p2).ok());
  ASSERT_TRUE(client_.Delete(kPods, "a", "p1").ok());
  ASSERT_TRUE(Eventually([&] { return inf.ByIndex("node", "n1").empty(); }));
  EXPECT_EQ(keys(inf.ByIndex("node", "n2")), (std::vector<std::string>{"b/p2"}));

  // An index added after the cache filled is built at once.
  ASSERT_TRUE(inf.AddIndex("name", [](const Json& o) {
                    return std::vector<std::string>{Name(o)};
                  }).ok());
  EXPECT_EQ(keys(inf.ByIndex("name", "p3")), (std::vector<std::string>{"b/p3"}));
}

TEST_F(InformerTest, LateHandlerGetsReplay) {
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p1")).ok());
  Informer inf(client_, clock_, kPods);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(5000)));
  Recorder rec;
  inf.AddEventHandler(rec.Handlers());
  EXPECT_EQ(rec.Events(), (std::vector<std::string>{"add a/p1"}));
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p2")).ok());
  ASSERT_TRUE(Eventually([&] { return rec.Size() == 2; }));
}

TEST_F(InformerTest, HandlersMayReadTheCache) {
  Informer inf(client_, clock_, kPods);
  std::atomic<bool> seen{false};
  inf.AddEventHandler({[&](const Json& o) { seen = inf.Get(ObjectKey(o)) != nullptr; }, nullptr,
                       nullptr});
  inf.Start();
  ASSERT_TRUE(client_.Create(kPods, "a", Pod("a", "p")).ok());
  ASSERT_TRUE(Eventually([&] { return seen.load(); }));
}

TEST_F(InformerTest, FactorySharesInformers) {
  SharedInformerFactory factory(client_, clock_);
  Informer& a = factory.For(kPods);
  Informer& b = factory.For(kPods);
  Informer& c = factory.For(kPods, "a");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  factory.For(kNamespaces);
  factory.Start();
  ASSERT_TRUE(factory.WaitForCacheSync(milliseconds(5000)));
  EXPECT_EQ(factory.For(kNamespaces).Size(), 2u);
  Informer& late = factory.For({"", "v1", "configmaps"});
  EXPECT_FALSE(late.Started());
  factory.Start();
  EXPECT_TRUE(late.Started());
  ASSERT_TRUE(factory.WaitForCacheSync(milliseconds(5000)));
  factory.Stop();
  EXPECT_EQ(client_.open_watches(), 0u);
}

TEST_F(InformerTest, FactoryWaitTimesOutWhenAnInformerCannotSync) {
  SharedInformerFactory factory(client_, clock_);
  factory.For(ResourceRef{"nope", "v1", "things"});
  factory.Start();
  EXPECT_FALSE(factory.WaitForCacheSync(milliseconds(20)));
}

}  // namespace
}  // namespace minik
