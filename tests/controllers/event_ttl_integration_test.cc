// EventTtlController over the real registry on a FakeClock (sweeps driven by hand), the
// Event field selectors of core/v1 and events.k8s.io/v1 on list and watch, and the
// registry's consistent paged lists (continue tokens, resourceVersion/resourceVersionMatch)
// that the controller's sweeps rely on.
#include <gtest/gtest.h>

#include <set>

#include "apiserver/registry_internal.h"
#include "apiserver/router.h"
#include "controllers/event_ttl_controller.h"
#include "tests/controllers/workload_env.h"

namespace minik {
namespace {

using namespace std::chrono_literals;
using testing::kEventsRef;
const ResourceRef kEventsV1Ref{"events.k8s.io", "v1", "events"};

Json CoreEvent(const std::string& name, const std::string& about, const std::string& kind = "Pod",
               const std::string& type = "Normal", const std::string& reason = "Started") {
  return {{"metadata", {{"name", name}}},
          {"involvedObject",
           {{"kind", kind}, {"namespace", "default"}, {"name", about}, {"uid", "uid-" + about}}},
          {"reason", reason},
          {"message", "m"},
          {"type", type},
          {"source", {{"component", "kubelet"}}}};
}

Json V1Event(const std::string& name, const std::string& about) {
  return {{"metadata", {{"name", name}}},
          {"eventTime", "2025-01-01T00:00:00.000000Z"},
          {"type", "Warning"},
          {"reason", "BackOff"},
          {"action", "Pulling"},
          {"reportingController", "kubelet"},
          {"reportingInstance", "node-1"},
          {"regarding", {{"kind", "Pod"}, {"namespace", "default"}, {"name", about}}},
          {"note", "n"}};
}

class EventTtlTest : public testing::WorkloadEnv {
 protected:
  std::set<std::string> Names(const ResourceRef& ref, const std::string& selector = "") {
    ListQuery q;
    q.field_selector = selector;
    auto r = client().List(ref, "default", q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::set<std::string> out;
    if (r.ok())
      for (const Json& o : (*r)["items"]) out.insert(Name(o));
    return out;
  }
  // Advances the clock minute by minute to `minutes` after the start, sweeping each minute.
  void SweepUntil(EventTtlController& c, int minutes) {
    while (minute_ < minutes) {
      clock_.Step(1min);
      ++minute_;
      auto r = c.Reconcile("sweep");
      ASSERT_TRUE(r.ok()) << r.status().message();
      EXPECT_EQ(r->requeue_after, 60s);
    }
  }
  int minute_ = 0;
};

TEST_F(EventTtlTest, DeletesEventsAnHourAfterTheirLastWrite) {
  EventTtlController c(client(), clock_, *informers_);
  EXPECT_EQ(c.interval(), 60s);
  ASSERT_TRUE(c.Reconcile("sweep").ok());  // minute 0: the first sample
  Create(kEventsRef, CoreEvent("a", "p1"));
  Create(kEventsRef, CoreEvent("b", "p2"));
  SweepUntil(c, 30);
  // b is written again at minute 30: its hour starts over.
  Json b = Get(kEventsRef, "b");
  b["count"] = 2;
  ASSERT_TRUE(client().Update(kEventsRef, "default", b, {}).ok());
  Create(kEventsRef, CoreEvent("c", "p3"));
  SweepUntil(c, 60);
  EXPECT_EQ(Names(kEventsRef), (std::set<std::string>{"a", "b", "c"}));  // not an hour yet
  SweepUntil(c, 61);
  EXPECT_EQ(Names(kEventsRef), (std::set<std::string>{"b", "c"}));
  SweepUntil(c, 90);
  EXPECT_EQ(Names(kEventsRef), (std::set<std::string>{"b", "c"}));
  SweepUntil(c, 91);
  EXPECT_TRUE(Names(kEventsRef).empty());
  // Other kinds are never touched.
  EXPECT_EQ(ListObjects(testing::kNamespacesRef, "", "").size(), 1u);
}

TEST_F(EventTtlTest, ManyEventsArePagedAndUnknownKeysIgnored) {
  EventTtlController c(client(), clock_, *informers_, 120s);
  EXPECT_EQ(c.interval(), 2s);
  ASSERT_TRUE(c.Reconcile("sweep").ok());
  for (int i = 0; i < 1100; ++i) Create(kEventsRef, CoreEvent("e" + std::to_string(i), "p"));
  auto none = c.Reconcile("not-a-key");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->requeue_after, 0ms);
  clock_.Step(2s);
  auto kept = c.Sweep();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, 0);
  clock_.Step(120s);
  auto deleted = c.Sweep();
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  EXPECT_EQ(*deleted, 1100);
  EXPECT_TRUE(Names(kEventsRef).empty());
}

TEST_F(EventTtlTest, CoreFieldSelectorsOnListAndWatch) {
  Create(kEventsRef, CoreEvent("a", "web", "Pod", "Normal", "Started"));
  Create(kEventsRef, CoreEvent("b", "web", "Deployment", "Warning", "Failed"));
  Create(kEventsRef, CoreEvent("c", "db", "Pod", "Warning", "BackOff"));
  EXPECT_EQ(Names(kEventsRef, "involvedObject.name=web"), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(Names(kEventsRef, "involvedObject.name=web,involvedObject.kind=Pod"),
            (std::set<std::string>{"a"}));
  EXPECT_EQ(Names(kEventsRef, "involvedObject.uid=uid-db"), (std::set<std::string>{"c"}));
  EXPECT_EQ(Names(kEventsRef, "involvedObject.namespace=default,type=Warning"),
            (std::set<std::string>{"b", "c"}));
  EXPECT_EQ(Names(kEventsRef, "reason!=Started,source=kubelet"),
            (std::set<std::string>{"b", "c"}));
  EXPECT_EQ(Names(kEventsRef, "reportingComponent="), (std::set<std::string>{"a", "b", "c"}));
  for (const char* bad : {"regarding.name=web", "involvedObject.labels=x", "note=x"}) {
    ListQuery q;
    q.field_selector = bad;
    auto r = client().List(kEventsRef, "default", q);
    EXPECT_EQ(r.status().code(), Code::kBadRequest) << bad;
    EXPECT_EQ(r.status().message(),
              "field label not supported: " + std::string(bad).substr(0, std::string(bad).find('=')));
  }
  // Watch: only matching events arrive.
  ListQuery q;
  q.field_selector = "involvedObject.name=web";
  q.resource_version = ResourceVersion(Get(kEventsRef, "c"));
  auto w = client().Watch(kEventsRef, "default", q, [] {});
  ASSERT_TRUE(w.ok()) << w.status().message();
  Create(kEventsRef, CoreEvent("d", "db"));
  Create(kEventsRef, CoreEvent("e", "web"));
  std::vector<std::string> seen;
  ASSERT_TRUE(testing::Eventually([&] {
    std::vector<ObjectEvent> evs;
    (*w)->Poll(evs);
    for (const auto& e : evs) seen.push_back(e.type + " " + Name(e.object));
    return !seen.empty();
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED e"}));
  ListQuery bad;
  bad.field_selector = "regarding.name=web";
  EXPECT_EQ(client().Watch(kEventsRef, "default", bad, [] {}).status().code(),
            Code::kBadRequest);
}

TEST_F(EventTtlTest, EventsV1FieldSelectorsUseTheirOwnLabels) {
  Create(kEventsV1Ref, V1Event("a", "web"));
  Create(kEventsV1Ref, V1Event("b", "db"));
  EXPECT_EQ(Names(kEventsV1Ref, "regarding.name=web"), (std::set<std::string>{"a"}));
  EXPECT_EQ(Names(kEventsV1Ref, "regarding.kind=Pod,type=Warning,reason=BackOff"),
            (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(Names(kEventsV1Ref, "reportingController=kubelet"), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(Names(kEventsV1Ref, "source=kubelet"), (std::set<std::string>{"a", "b"}));
  for (const char* bad :
       {"involvedObject.name=web", "reportingComponent=kubelet", "deprecatedSource=x"}) {
    ListQuery q;
    q.field_selector = bad;
    auto r = client().List(kEventsV1Ref, "default", q);
    EXPECT_EQ(r.status().code(), Code::kBadRequest) << bad;
  }
}


// ---- Paged lists: every page at the first page's revision ----

const ResourceRef kCms{"", "v1", "configmaps"};

class PagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    StoreOptions small;
    small.watch_window = 16;
    store_ = NewMemStore(small);
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    ASSERT_TRUE(client_->Create({"", "v1", "namespaces"}, "",
                                Json{{"metadata", {{"name", "default"}}}}).ok());
  }
  Json Cm(const std::string& name, const std::string& v = "1") {
    return {{"metadata", {{"name", name}}}, {"data", {{"v", v}}}};
  }
  void Put(const std::string& name, const std::string& v = "1") {
    auto r = client_->Create(kCms, "default", Cm(name, v));
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // "name=v" of the items.
  static std::string Items(const Json& list) {
    std::string out;
    for (const Json& o : list["items"]) out += Name(o) + "=" + GetString(o, {"data", "v"}) + " ";
    return out;
  }
  StatusOr<Json> List(ListQuery q, const std::string& ns = "default") {
    return client_->List(kCms, ns, q);
  }

  FakeClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(PagingTest, LaterPagesReadAtTheFirstPagesRevision) {
  for (const char* n : {"a", "b", "c", "d", "e", "f"}) Put(n);
  ListQuery q;
  q.limit = 2;
  auto p1 = List(q);
  ASSERT_TRUE(p1.ok()) << p1.status().message();
  EXPECT_EQ(Items(*p1), "a=1 b=1 ");
  const std::string rv = ResourceVersion(*p1);
  // Between pages: d deleted, c updated, bb and g created.
  ASSERT_TRUE(client_->Delete(kCms, "default", "d", {}).ok());
  Json c = *client_->Get(kCms, "default", "c");
  c["data"]["v"] = "2";
  ASSERT_TRUE(client_->Update(kCms, "default", c, {}).ok());
  Put("bb");
  Put("g");
  std::string all = Items(*p1);
  q.continue_token = GetString(*p1, {"metadata", "continue"});
  for (int i = 0; i < 5 && !q.continue_token.empty(); ++i) {
    auto p = List(q);
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(ResourceVersion(*p), rv);
    all += Items(*p);
    q.continue_token = GetString(*p, {"metadata", "continue"});
  }
  EXPECT_EQ(all, "a=1 b=1 c=1 d=1 e=1 f=1 ");
  // A fresh list sees the writes.
  auto now = List({});
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(Items(*now), "a=1 b=1 bb=1 c=2 e=1 f=1 g=1 ");
}

TEST_F(PagingTest, PagesWithASelectorStayConsistent) {
  for (int i = 0; i < 10; ++i) {
    Json cm = Cm("cm" + std::to_string(i));
    cm["metadata"]["labels"] = {{"odd", i % 2 ? "y" : "n"}};
    ASSERT_TRUE(client_->Create(kCms, "default", cm).ok());
  }
  ListQuery q;
  q.limit = 2;
  q.label_selector = "odd=y";
  auto p1 = List(q);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(Items(*p1), "cm1=1 cm3=1 ");
  ASSERT_TRUE(client_->Delete(kCms, "default", "cm5", {}).ok());
  q.continue_token = GetString(*p1, {"metadata", "continue"});
  auto p2 = List(q);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(Items(*p2), "cm5=1 cm7=1 ");
}

TEST_F(PagingTest, CompactedContinueIs410WithAnInconsistentContinueToken) {
  for (const char* n : {"a", "b", "c", "d"}) Put(n);
  ListQuery q;
  q.limit = 2;
  auto p1 = List(q);
  ASSERT_TRUE(p1.ok());
  for (int i = 0; i < 20; ++i) Put("n" + std::to_string(i));  // the window moves past p1
  ASSERT_TRUE(client_->Delete(kCms, "default", "c", {}).ok());
  q.continue_token = GetString(*p1, {"metadata", "continue"});
  auto p2 = List(q);
  ASSERT_EQ(p2.status().code(), Code::kGone);
  EXPECT_EQ(p2.status().message(),
            "The provided continue parameter is too old to display a consistent list result. "
            "You can start a new list without the continue parameter, or use the continue token "
            "in this response to retrieve the remainder of the results. Continuing with the "
            "provided token results in an inconsistent list - objects that were created, "
            "modified, or deleted between the time the first chunk was returned and now may "
            "show up in the list.");
  const std::string token = p2.status().list_continue();
  ASSERT_FALSE(token.empty());
  Json wire = StatusToJson(p2.status());
  EXPECT_EQ(wire["metadata"]["continue"], token);
  EXPECT_EQ(wire["reason"], "Expired");
  EXPECT_EQ(wire["code"], 410);
  // The token lists the remainder at the newest revision (c is gone, n* are there).
  q.continue_token = token;
  q.limit = 3;
  auto rest = List(q);
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(Items(*rest), "d=1 n0=1 n1=1 ");
  EXPECT_EQ(ResourceVersion(*rest), std::to_string(store_->CurrentRevision()));
  // ... and its own continue token is consistent again (at that newer revision).
  auto p = registry::DecodeContinue(GetString(*rest, {"metadata", "continue"}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->first, "n1");  // relative to the list's prefix (namespace included)
  EXPECT_EQ(p->second, store_->CurrentRevision());
}

TEST_F(PagingTest, ResourceVersionAndMatch) {
  Put("a");
  const std::string rv1 = std::to_string(store_->CurrentRevision());
  Put("b");
  const std::string now = std::to_string(store_->CurrentRevision());
  const std::string future = std::to_string(store_->CurrentRevision() + 5);
  ListQuery q;
  q.resource_version = rv1;
  q.resource_version_match = "Exact";
  auto exact = List(q);
  ASSERT_TRUE(exact.ok()) << exact.status().message();
  EXPECT_EQ(Items(*exact), "a=1 ");
  EXPECT_EQ(ResourceVersion(*exact), rv1);
  // Legacy: a resourceVersion with a limit is exact too; without a limit, not older than.
  q.resource_version_match = "";
  q.limit = 5;
  EXPECT_EQ(Items(*List(q)), "a=1 ");
  q.limit = 0;
  EXPECT_EQ(Items(*List(q)), "a=1 b=1 ");
  EXPECT_EQ(ResourceVersion(*List(q)), now);
  q.resource_version_match = "NotOlderThan";
  EXPECT_EQ(Items(*List(q)), "a=1 b=1 ");
  q.resource_version = "0";
  EXPECT_EQ(Items(*List(q)), "a=1 b=1 ");
  // metadata.name lists honour the revision too.
  ListQuery by_name;
  by_name.field_selector = "metadata.name=b";
  by_name.resource_version = rv1;
  by_name.resource_version_match = "Exact";
  EXPECT_EQ(Items(*List(by_name)), "");
  by_name.resource_version = now;
  EXPECT_EQ(Items(*List(by_name)), "b=1 ");

  // Too new: 504 Timeout with the ResourceVersionTooLarge cause.
  for (const char* match : {"Exact", "NotOlderThan"}) {
    ListQuery f;
    f.resource_version = future;
    f.resource_version_match = match;
    auto r = List(f);
    ASSERT_EQ(r.status().code(), Code::kTimeout) << match;
    EXPECT_EQ(r.status().message(),
              "Timeout: Too large resource version: " + future + ", current: " + now);
    Json wire = StatusToJson(r.status());
    EXPECT_EQ(wire["details"]["causes"][0]["reason"], "ResourceVersionTooLarge");
    EXPECT_EQ(wire["details"]["causes"][0]["message"], "Too large resource version");
    EXPECT_EQ(wire["code"], 504);
    if (std::string(match) == "NotOlderThan") {
      EXPECT_EQ(wire["details"]["retryAfterSeconds"], 1);
    }
  }
  // Too old: 410.
  for (int i = 0; i < 20; ++i) Put("n" + std::to_string(i));
  q.resource_version = rv1;
  q.resource_version_match = "Exact";
  auto old = List(q);
  ASSERT_EQ(old.status().code(), Code::kGone);
  EXPECT_EQ(old.status().message(), "The resourceVersion for the provided list is too old.");
  EXPECT_TRUE(old.status().list_continue().empty());
}

TEST_F(PagingTest, BadListOptionsAsUpstream) {
  Put("a");
  auto message = [&](ListQuery q) {
    auto r = List(q);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  auto code = [&](ListQuery q) { return List(q).status().code(); };
  ListQuery q;
  q.resource_version_match = "Exact";
  EXPECT_EQ(code(q), Code::kInvalid);
  EXPECT_EQ(message(q),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
            "resourceVersionMatch is forbidden unless resourceVersion is provided");
  q.resource_version = "0";
  EXPECT_EQ(message(q),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
            "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
  q.resource_version_match = "Newest";
  EXPECT_EQ(message(q),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: "
            "\"Newest\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
  ListQuery with_continue;
  with_continue.resource_version = "1";
  with_continue.resource_version_match = "NotOlderThan";
  with_continue.continue_token = registry::EncodeContinue("default/a", 1);
  EXPECT_EQ(message(with_continue),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
            "resourceVersionMatch is forbidden when continue is provided");
  with_continue.resource_version_match = "";
  EXPECT_EQ(message(with_continue),
            "specifying resource version is not allowed when using continue");
  EXPECT_EQ(code(with_continue), Code::kBadRequest);

  ListQuery bad_rv;
  bad_rv.resource_version = "abc";
  EXPECT_EQ(message(bad_rv),
            "invalid resource version: resourceVersion: Invalid value: \"abc\": "
            "strconv.ParseUint: parsing \"abc\": invalid syntax");
  bad_rv.resource_version = "-1";
  EXPECT_EQ(code(bad_rv), Code::kBadRequest);

  auto token = [](const Json& j) {
    static constexpr char kB64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string in = j.dump(), out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char ch : in) {
      acc = (acc << 8) | ch;
      bits += 8;
      while (bits >= 6) out += kB64[(acc >> (bits -= 6)) & 63];
    }
    if (bits > 0) out += kB64[(acc << (6 - bits)) & 63];
    return out;
  };
  const std::string prefix = "invalid continue token: continue key is not valid";
  auto tok = [&](const std::string& t) {
    ListQuery c;
    c.continue_token = t;
    return message(c);
  };
  EXPECT_EQ(tok(token({{"v", "meta.k8s.io/v1"}, {"rv", 0}, {"start", "default/a"}})),
            prefix + ": incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  EXPECT_EQ(tok(token({{"v", "meta.k8s.io/v1"}, {"rv", 3}, {"start", ""}})),
            prefix + ": encoded start key empty (version meta.k8s.io/v1)");
  EXPECT_EQ(tok(token({{"v", "meta.k8s.io/v2"}, {"rv", 3}, {"start", "a"}})),
            prefix + ": server does not recognize this encoded version meta.k8s.io/v2");
  EXPECT_EQ(tok(token({{"v", "meta.k8s.io/v1"}, {"rv", 3}, {"start", "../kube-system/a"}})),
            prefix + ": ../kube-system/a");
  EXPECT_EQ(tok(token({{"v", "meta.k8s.io/v1"}, {"rv", 3}, {"start", "default//a"}})),
            prefix + ": default//a");
  EXPECT_EQ(tok("!!!"), prefix + ": illegal base64 data");
  EXPECT_EQ(tok(token(Json::array())), prefix + ": invalid character in JSON");
  // A valid hand-made token (no trailing NUL) continues after its key.
  EXPECT_EQ(Items(*List([&] {
              ListQuery c;
              c.continue_token = token({{"v", "meta.k8s.io/v1"}, {"rv", -1}, {"start", "0"}});
              return c;
            }())),
            "a=1 ");
}

// Not asserted: how long the first page of a 10,000-object list takes, and a later page read
// at a past revision after 500 writes (the window's undo). Printed for the report.
TEST_F(PagingTest, MicroBenchmarkFirstAndLaterPages) {
  StoreOptions big;
  big.watch_window = 10000;
  big.watch_window_bytes = 64 << 20;
  client_.reset();
  store_ = NewMemStore(big);
  client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
  ASSERT_TRUE(client_->Create({"", "v1", "namespaces"}, "",
                              Json{{"metadata", {{"name", "default"}}}}).ok());
  for (int i = 0; i < 10000; ++i) {
    char name[16];
    snprintf(name, sizeof name, "cm%05d", i);
    Put(name);
  }
  auto time = [&](ListQuery q, Json* out) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = List(q, "");
    auto dt = std::chrono::steady_clock::now() - t0;
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (r.ok() && out) *out = std::move(*r);
    return std::chrono::duration<double, std::milli>(dt).count();
  };
  ListQuery whole;
  double full = time(whole, nullptr);
  ListQuery q;
  q.limit = 500;
  Json p1;
  double first = time(q, &p1);
  for (int i = 0; i < 500; ++i) {
    char name[16];
    snprintf(name, sizeof name, "cm%05d", i * 20 + 1);
    Json cm = *client_->Get(kCms, "default", name);
    cm["data"]["v"] = "2";
    ASSERT_TRUE(client_->Update(kCms, "default", cm, {}).ok());
  }
  q.continue_token = GetString(p1, {"metadata", "continue"});
  Json p2;
  double later = time(q, &p2);
  EXPECT_EQ(Items(p2).find("=2"), std::string::npos);  // the past values
  printf("[ bench ] 10000 configmaps: full list %.1f ms, first page of 500 %.1f ms, "
         "second page at the first page's revision after 500 updates %.1f ms\n",
         full, first, later);
}

}  // namespace
}  // namespace minik
