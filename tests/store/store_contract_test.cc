// The storage contract (store/store.h), run against every Store implementation.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace minik {
namespace {

using minik::testing::Collector;
using minik::testing::Opts;
using minik::testing::TempDir;
using minik::testing::Window;
using namespace std::chrono_literals;

struct MemFactory {
  std::unique_ptr<Store> Open(const StoreOptions& options) { return NewMemStore(options); }
};

struct RocksFactory {
  TempDir dir;
  int n = 0;
  std::unique_ptr<Store> Open(const StoreOptions& options) {
    auto s = OpenRocksStore(dir.path() + "/db" + std::to_string(n++), options);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(*s) : nullptr;
  }
};

template <typename Factory>
class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Open(StoreOptions{}); }
  std::unique_ptr<Store> Open(const StoreOptions& o) { return factory_.Open(o); }

  Factory factory_;
  std::unique_ptr<Store> store_;
};

using Implementations = ::testing::Types<MemFactory, RocksFactory>;
class Names {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemFactory> ? "Mem" : "Rocks";
  }
};
TYPED_TEST_SUITE(StoreContractTest, Implementations, Names);

TYPED_TEST(StoreContractTest, CreateGetAlreadyExistsNotFound) {
  Store& s = *this->store_;
  EXPECT_EQ(s.CurrentRevision(), 0);
  auto created = s.Create("/registry/pods/default/a", "v1");
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->key, "/registry/pods/default/a");
  EXPECT_EQ(created->value, "v1");
  EXPECT_EQ(created->create_revision, 1);
  EXPECT_EQ(created->mod_revision, 1);

  auto got = s.Get("/registry/pods/default/a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value, "v1");
  EXPECT_EQ(got->create_revision, 1);
  EXPECT_EQ(got->mod_revision, 1);

  auto again = s.Create("/registry/pods/default/a", "v2");
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(s.Get("/registry/pods/default/a")->value, "v1");
  EXPECT_EQ(s.CurrentRevision(), 1);  // failed writes consume no revision

  EXPECT_EQ(s.Get("/registry/pods/default/missing").status().code(), Code::kNotFound);
  EXPECT_EQ(s.Get("").status().code(), Code::kBadRequest);
  EXPECT_EQ(s.Create("", "x").status().code(), Code::kBadRequest);
}

TYPED_TEST(StoreContractTest, BinaryKeysAndValues) {
  Store& s = *this->store_;
  std::string key("/k/\0\xff\x01", 6);
  std::string value("\0\0bin\xff", 6);
  ASSERT_TRUE(s.Create(key, value).ok());
  auto got = s.Get(key);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value, value);
  ASSERT_TRUE(s.Create("/e", "").ok());
  EXPECT_EQ(s.Get("/e")->value, "");
}

TYPED_TEST(StoreContractTest, ListPrefixLimitContinue) {
  Store& s = *this->store_;
  for (const char* k : {"/a/3", "/a/1", "/a/5", "/a/2", "/a/4", "/b/1", "/a"}) {
    ASSERT_TRUE(s.Create(k, std::string("v") + k).ok());
  }
  auto all = s.List(Opts("/a/"));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(all->items[i].key, "/a/" + std::to_string(i + 1));
  EXPECT_EQ(all->items[0].value, "v/a/1");
  EXPECT_FALSE(all->more);
  EXPECT_EQ(all->revision, 7);
  EXPECT_EQ(all->revision, s.CurrentRevision());

  std::vector<std::string> paged;
  std::string after;
  int pages = 0;
  for (;;) {
    auto page = s.List(Opts("/a/", after, 2));
    ASSERT_TRUE(page.ok());
    ++pages;
    for (auto& kv : page->items) paged.push_back(kv.key);
    if (!page->more) break;
    ASSERT_FALSE(page->items.empty());
    after = page->items.back().key;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(paged, (std::vector<std::string>{"/a/1", "/a/2", "/a/3", "/a/4", "/a/5"}));

  // An exact page: the limit equals what is left, so nothing more.
  auto exact = s.List(Opts("/a/", "/a/3", 2));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->items.size(), 2u);
  EXPECT_FALSE(exact->more);

  // start_after that does not exist, before the prefix, and past it.
  EXPECT_EQ(s.List(Opts("/a/", "/a/25"))->items.size(), 3u);
  EXPECT_EQ(s.List(Opts("/a/", "/"))->items.size(), 5u);
  EXPECT_EQ(s.List(Opts("/a/", "/z"))->items.size(), 0u);

  EXPECT_EQ(s.List(Opts(""))->items.size(), 7u);
  EXPECT_EQ(s.List(Opts("/c/"))->items.size(), 0u);
  EXPECT_EQ(s.List(Opts("/a/", "", -1)).status().code(), Code::kBadRequest);
}

TYPED_TEST(StoreContractTest, ListEmptyStore) {
  auto r = this->store_->List(Opts("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->items.empty());
  EXPECT_EQ(r->revision, 0);
  EXPECT_FALSE(r->more);
}

TYPED_TEST(StoreContractTest, RevisionsStrictlyIncrease) {
  Store& s = *this->store_;
  int64_t last = 0;
  auto check = [&](const StatusOr<KeyValue>& r) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->mod_revision, last + 1);
    last = r->mod_revision;
    EXPECT_EQ(s.CurrentRevision(), last);
  };
  check(s.Create("/x", "1"));
  check(s.Create("/y", "1"));
  check(s.Update("/x", "2", 1));
  EXPECT_FALSE(s.Update("/x", "3", 1).ok());
  check(s.Delete("/y"));
  check(s.Create("/y", "again"));
  EXPECT_EQ(s.Get("/y")->create_revision, 5);
}

TYPED_TEST(StoreContractTest, UpdateCas) {
  Store& s = *this->store_;
  auto c = s.Create("/k", "a");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(s.Create("/other", "o").ok());
  auto u = s.Update("/k", "b", c->mod_revision);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->value, "b");
  EXPECT_EQ(u->create_revision, 1);
  EXPECT_EQ(u->mod_revision, 3);

  auto stale = s.Update("/k", "c", c->mod_revision);
  EXPECT_EQ(stale.status().code(), Code::kConflict);
  EXPECT_EQ(s.Get("/k")->value, "b");
  EXPECT_EQ(s.Update("/missing", "x", 1).status().code(), Code::kNotFound);
}

TYPED_TEST(StoreContractTest, ConcurrentCreatesOfOneKeyExactlyOneWins) {
  Store& s = *this->store_;
  for (int round = 0; round < 5; ++round) {
    std::string key = "/race/" + std::to_string(round);
    std::atomic<int> ok{0}, exists{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        auto r = s.Create(key, std::to_string(i));
        if (r.ok()) ++ok;
        if (r.status().code() == Code::kAlreadyExists) ++exists;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(exists.load(), 7);
  }
  EXPECT_EQ(s.CurrentRevision(), 5);
}

TYPED_TEST(StoreContractTest, ConcurrentWritersGetUniqueRevisions) {
  Store& s = *this->store_;
  constexpr int kThreads = 16, kPerThread = 40;
  std::vector<std::vector<int64_t>> revs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = s.Create("/c/" + std::to_string(t) + "/" + std::to_string(i), "v");
        ASSERT_TRUE(r.ok());
        if (!revs[t].empty()) {
          EXPECT_GT(r->mod_revision, revs[t].back());
        }
        revs[t].push_back(r->mod_revision);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  for (auto& v : revs) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kPerThread);
  EXPECT_EQ(s.List(Opts("/c/"))->items.size(), size_t{kThreads * kPerThread});
}

TYPED_TEST(StoreContractTest, GuaranteedUpdateNoLostUpdates) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.Create("/counter", "0").ok());
  constexpr int kThreads = 8, kPerThread = 30;
  std::atomic<int> calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = s.GuaranteedUpdate("/counter", [&](const KeyValue* cur) -> StatusOr<std::string> {
          ++calls;
          if (!cur) return Internal("missing");
          return std::to_string(std::stoi(cur->value) + 1);
        });
        ASSERT_TRUE(r.ok()) << r.status().message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(s.Get("/counter")->value, std::to_string(kThreads * kPerThread));
  EXPECT_GE(calls.load(), kThreads * kPerThread);
}

TYPED_TEST(StoreContractTest, GuaranteedUpdateSemantics) {
  Store& s = *this->store_;
  auto same = [](const KeyValue* cur) -> StatusOr<std::string> { return cur->value; };
  EXPECT_EQ(s.GuaranteedUpdate("/g", same).status().code(), Code::kNotFound);

  auto created = s.GuaranteedUpdate(
      "/g",
      [](const KeyValue* cur) -> StatusOr<std::string> {
        EXPECT_EQ(cur, nullptr);
        return std::string("init");
      },
      /*ignore_not_found=*/true);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->value, "init");
  EXPECT_EQ(created->mod_revision, 1);

  // Identical bytes: nothing written, revision kept.
  auto noop = s.GuaranteedUpdate("/g", same);
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ(noop->mod_revision, 1);
  EXPECT_EQ(s.CurrentRevision(), 1);

  // An error from fn aborts without writing.
  auto aborted = s.GuaranteedUpdate("/g", [](const KeyValue*) -> StatusOr<std::string> {
    return Status(Code::kInvalid, "rejected");
  });
  EXPECT_EQ(aborted.status().code(), Code::kInvalid);
  EXPECT_EQ(s.CurrentRevision(), 1);

  auto changed = s.GuaranteedUpdate("/g", [](const KeyValue* cur) -> StatusOr<std::string> {
    return cur->value + "+";
  });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->value, "init+");
  EXPECT_EQ(changed->create_revision, 1);
  EXPECT_EQ(changed->mod_revision, 2);
  EXPECT_EQ(s.GuaranteedUpdate("", same).status().code(), Code::kBadRequest);
}

TYPED_TEST(StoreContractTest, DeleteWithPrecondition) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.Create("/d", "val").ok());
  ASSERT_TRUE(s.Update("/d", "val2", 1).ok());
  EXPECT_EQ(s.Delete("/d", 1).status().code(), Code::kConflict);
  EXPECT_TRUE(s.Get("/d").ok());
  auto del = s.Delete("/d", 2);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->value, "val2");
  EXPECT_EQ(del->create_revision, 1);
  EXPECT_EQ(del->mod_revision, 3);
  EXPECT_EQ(s.Get("/d").status().code(), Code::kNotFound);
  EXPECT_EQ(s.Delete("/d").status().code(), Code::kNotFound);

  ASSERT_TRUE(s.Create("/d2", "x").ok());
  EXPECT_TRUE(s.Delete("/d2").ok());  // unconditional
  EXPECT_EQ(s.CurrentRevision(), 5);
}

TYPED_TEST(StoreContractTest, WatchAddedModifiedDeleted) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.Create("/w/before", "old").ok());
  Collector c;
  auto w = s.Watch("/w/", 0, c.Notify());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(s.Create("/w/a", "1").ok());
  ASSERT_TRUE(s.Create("/other/x", "ignored").ok());
  ASSERT_TRUE(s.Update("/w/a", "2", 2).ok());
  ASSERT_TRUE(s.Delete("/w/a").ok());
  auto events = c.WaitFor(**w, 3);
  ASSERT_EQ(events.size(), 3u);

  EXPECT_EQ(events[0].type, EventType::kAdded);
  EXPECT_EQ(events[0].key, "/w/a");
  EXPECT_EQ(events[0].revision, 2);
  EXPECT_EQ(*events[0].value, "1");
  EXPECT_EQ(events[0].prev_value, nullptr);
  EXPECT_EQ(events[0].create_revision, 2);

  EXPECT_EQ(events[1].type, EventType::kModified);
  EXPECT_EQ(events[1].revision, 4);
  EXPECT_EQ(*events[1].value, "2");
  ASSERT_NE(events[1].prev_value, nullptr);
  EXPECT_EQ(*events[1].prev_value, "1");
  EXPECT_EQ(events[1].create_revision, 2);

  EXPECT_EQ(events[2].type, EventType::kDeleted);
  EXPECT_EQ(events[2].revision, 5);
  EXPECT_EQ(*events[2].value, "2");
  ASSERT_NE(events[2].prev_value, nullptr);
  EXPECT_EQ(*events[2].prev_value, "2");
  EXPECT_EQ(events[2].create_revision, 2);
  EXPECT_GE(c.notifies(), 1);
  EXPECT_TRUE((*w)->Error().ok());
}

TYPED_TEST(StoreContractTest, WatchResumesAfterRevision) {
  Store& s = *this->store_;
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(s.Create("/r/" + std::to_string(i), "v").ok());
  Collector c;
  auto w = s.Watch("/r/", 6, c.Notify());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(s.Create("/r/11", "v").ok());
  auto events = c.WaitFor(**w, 5);
  ASSERT_EQ(events.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(events[i].revision, 7 + i);

  // From the current revision: only new events. From the future: filtered until reached.
  Collector c2, c3;
  auto now = s.Watch("/r/", s.CurrentRevision(), c2.Notify());
  auto future = s.Watch("/r/", s.CurrentRevision() + 1, c3.Notify());
  ASSERT_TRUE(now.ok());
  ASSERT_TRUE(future.ok());
  ASSERT_TRUE(s.Create("/r/12", "v").ok());
  ASSERT_TRUE(s.Create("/r/13", "v").ok());
  EXPECT_EQ(c2.WaitFor(**now, 2).size(), 2u);
  auto f = c3.WaitFor(**future, 1);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key, "/r/13");
  EXPECT_EQ(s.Watch("/r/", -1, [] {}).status().code(), Code::kBadRequest);
}

TYPED_TEST(StoreContractTest, WatchTooOldIsGone) {
  auto s = this->Open(Window(5));
  for (int i = 1; i <= 20; ++i) ASSERT_TRUE(s->Create("/g/" + std::to_string(i), "v").ok());
  EXPECT_EQ(s->OldestWatchableRevision(), 15);
  auto gone = s->Watch("/g/", 3, [] {});
  EXPECT_EQ(gone.status().code(), Code::kGone);
  EXPECT_EQ(gone.status().message(), "too old resource version: 3 (15)");
  EXPECT_EQ(s->Watch("/g/", 14, [] {}).status().code(), Code::kGone);

  Collector c;
  auto ok = s->Watch("/g/", 15, c.Notify());
  ASSERT_TRUE(ok.ok());
  auto events = c.WaitFor(**ok, 5);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events.front().revision, 16);
  EXPECT_EQ(events.back().revision, 20);
}

TYPED_TEST(StoreContractTest, ManyWatchers) {
  Store& s = *this->store_;
  constexpr int kWatchers = 50, kWrites = 60;
  std::vector<std::unique_ptr<Collector>> collectors;
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    collectors.push_back(std::make_unique<Collector>());
    // Half watch everything, half one sub-prefix.
    auto w = s.Watch(i % 2 ? "/m/" : "/m/even/", 0, collectors.back()->Notify());
    ASSERT_TRUE(w.ok());
    watchers.push_back(std::move(*w));
  }
  for (int i = 0; i < kWrites; ++i) {
    std::string key = std::string(i % 2 ? "/m/odd/" : "/m/even/") + std::to_string(i);
    ASSERT_TRUE(s.Create(key, "v").ok());
  }
  for (int i = 0; i < kWatchers; ++i) {
    size_t want = i % 2 ? kWrites : kWrites / 2;
    auto events = collectors[i]->WaitFor(*watchers[i], want);
    ASSERT_EQ(events.size(), want) << "watcher " << i;
    for (size_t j = 1; j < events.size(); ++j) {
      EXPECT_GT(events[j].revision, events[j - 1].revision);
    }
  }
}

TYPED_TEST(StoreContractTest, SlowWatcherIsClosedWithoutBlockingWriters) {
  auto s = this->Open(Window(100, 10));
  std::atomic<int> slow_notifies{0};
  auto slow = s->Watch("/", 0, [&] { ++slow_notifies; });  // never polls
  Collector c;
  auto healthy = s->Watch("/", 0, c.Notify());
  ASSERT_TRUE(slow.ok());
  ASSERT_TRUE(healthy.ok());
  std::vector<WatchEvent> got;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(s->Create("/s/" + std::to_string(i), "v").ok());
    (*healthy)->Poll(got);  // keep the healthy one drained
  }
  EXPECT_EQ((*slow)->Error().code(), Code::kGone);
  std::vector<WatchEvent> none;
  EXPECT_EQ((*slow)->Poll(none), 0u);
  EXPECT_EQ(slow_notifies.load(), 11);  // 10 queued events, then the close
  EXPECT_TRUE((*healthy)->Error().ok());
  auto all = c.WaitFor(**healthy, 30 - got.size());
  EXPECT_EQ(got.size() + all.size(), 30u);

  // A replay larger than the backlog closes the watch at once.
  auto big = s->Watch("/", 5, [] {});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->Error().code(), Code::kGone);
}

TYPED_TEST(StoreContractTest, NoNotifyAfterStop) {
  Store& s = *this->store_;
  std::atomic<bool> stop_writers{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop_writers; ++i) {
        (void)s.Create("/st/" + std::to_string(t) + "/" + std::to_string(i), "v");
      }
    });
  }
  for (int round = 0; round < 100; ++round) {
    auto stopped = std::make_shared<std::atomic<bool>>(false);
    auto violations = std::make_shared<std::atomic<int>>(0);
    auto w = s.Watch("/st/", 0, [stopped, violations] {
      std::this_thread::yield();  // widen the window for a racing Stop()
      if (*stopped) ++*violations;
    });
    ASSERT_TRUE(w.ok());
    std::this_thread::sleep_for(std::chrono::microseconds(round * 20));
    (*w)->Stop();
    *stopped = true;
    std::this_thread::sleep_for(1ms);
    EXPECT_EQ(violations->load(), 0) << "round " << round;
    w->reset();
  }
  stop_writers = true;
  for (auto& t : writers) t.join();
}

TYPED_TEST(StoreContractTest, StopFromInsideNotifyDoesNotDeadlock) {
  Store& s = *this->store_;
  std::unique_ptr<Watcher> w;
  std::atomic<int> calls{0};
  std::mutex mu;
  auto r = s.Watch("/in/", 0, [&] {
    ++calls;
    std::lock_guard<std::mutex> l(mu);
    if (w) w->Stop();
  });
  ASSERT_TRUE(r.ok());
  {
    std::lock_guard<std::mutex> l(mu);
    w = std::move(*r);
  }
  ASSERT_TRUE(s.Create("/in/1", "v").ok());
  ASSERT_TRUE(s.Create("/in/2", "v").ok());
  EXPECT_EQ(calls.load(), 1);
}

TYPED_TEST(StoreContractTest, WatchersSeeStoreClose) {
  Collector c;
  auto w = this->store_->Watch("/", 0, c.Notify());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(this->store_->Create("/x", "v").ok());
  this->store_.reset();
  EXPECT_EQ((*w)->Error().code(), Code::kServiceUnavailable);
  std::vector<WatchEvent> events;
  EXPECT_EQ((*w)->Poll(events), 1u);  // committed events stay pollable
  (*w)->Stop();                      // safe after the store is gone
}


// ---- Lists at a past revision (ListOptions::revision) ----

ListOptions At(std::string prefix, int64_t revision, std::string start_after = "",
               int64_t limit = 0) {
  ListOptions o = Opts(std::move(prefix), std::move(start_after), limit);
  o.revision = revision;
  return o;
}

std::string Dump(const std::vector<KeyValue>& items) {
  std::string out;
  for (const auto& kv : items) {
    out += kv.key + "=" + kv.value + "@" + std::to_string(kv.create_revision) + "/" +
           std::to_string(kv.mod_revision) + " ";
  }
  return out;
}

TYPED_TEST(StoreContractTest, ListAtPastRevisionUndoesLaterWrites) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.Create("/r/p/a", "a1").ok());   // 1
  ASSERT_TRUE(s.Create("/r/p/b", "b1").ok());   // 2
  ASSERT_TRUE(s.Create("/r/p/c", "c1").ok());   // 3
  ASSERT_TRUE(s.Create("/r/q/x", "x1").ok());   // 4: outside the prefix
  const int64_t r = s.CurrentRevision();
  ASSERT_TRUE(s.Update("/r/p/b", "b2", 2).ok());  // 5
  ASSERT_TRUE(s.Delete("/r/p/c").ok());           // 6
  ASSERT_TRUE(s.Create("/r/p/d", "d1").ok());     // 7
  ASSERT_TRUE(s.Create("/r/p/a0", "n1").ok());    // 8: between a and b
  ASSERT_TRUE(s.Update("/r/p/a", "a2", 1).ok());  // 9
  ASSERT_TRUE(s.Update("/r/p/a", "a3", 9).ok());  // 10
  ASSERT_TRUE(s.Create("/r/p/c", "c2").ok());     // 11: re-created
  ASSERT_TRUE(s.Delete("/r/q/x").ok());           // 12

  auto past = s.List(At("/r/p/", r));
  ASSERT_TRUE(past.ok()) << past.status().message();
  EXPECT_EQ(past->revision, r);
  EXPECT_FALSE(past->more);
  EXPECT_EQ(Dump(past->items), "/r/p/a=a1@1/1 /r/p/b=b1@2/2 /r/p/c=c1@3/3 ");

  auto mid = s.List(At("/r/p/", 8));
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->revision, 8);
  EXPECT_EQ(Dump(mid->items), "/r/p/a=a1@1/1 /r/p/a0=n1@8/8 /r/p/b=b2@2/5 /r/p/d=d1@7/7 ");

  auto other = s.List(At("/r/q/", r));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Dump(other->items), "/r/q/x=x1@4/4 ");

  // The current revision (and 0) read the current state.
  auto now = s.List(At("/r/p/", s.CurrentRevision()));
  auto cur = s.List(Opts("/r/p/"));
  ASSERT_TRUE(now.ok() && cur.ok());
  EXPECT_EQ(Dump(now->items), Dump(cur->items));
  EXPECT_EQ(now->revision, 12);
  EXPECT_EQ(Dump(cur->items),
            "/r/p/a=a3@1/10 /r/p/a0=n1@8/8 /r/p/b=b2@2/5 /r/p/c=c2@11/11 /r/p/d=d1@7/7 ");

  // Revision 1 and every revision in between are readable while in the window.
  auto first = s.List(At("/r/", 1));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Dump(first->items), "/r/p/a=a1@1/1 ");
}

TYPED_TEST(StoreContractTest, ListAtPastRevisionPagesWithLimitAndStartAfter) {
  Store& s = *this->store_;
  for (const char* k : {"a", "b", "c", "d"}) ASSERT_TRUE(s.Create(std::string("/p/") + k, k).ok());
  const int64_t r = s.CurrentRevision();  // a b c d
  auto page1 = s.List(At("/p/", r, "", 2));
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(Dump(page1->items), "/p/a=a@1/1 /p/b=b@2/2 ");
  EXPECT_TRUE(page1->more);
  EXPECT_EQ(page1->revision, r);
  // Between the pages: c deleted, b and d changed, e and bb created, a deleted.
  ASSERT_TRUE(s.Delete("/p/c").ok());
  ASSERT_TRUE(s.Update("/p/d", "d2", 4).ok());
  ASSERT_TRUE(s.Create("/p/e", "e").ok());
  ASSERT_TRUE(s.Create("/p/bb", "bb").ok());
  ASSERT_TRUE(s.Delete("/p/a").ok());
  auto page2 = s.List(At("/p/", r, page1->items.back().key, 1));
  ASSERT_TRUE(page2.ok()) << page2.status().message();
  EXPECT_EQ(Dump(page2->items), "/p/c=c@3/3 ");
  EXPECT_TRUE(page2->more);
  auto page3 = s.List(At("/p/", r, "/p/c", 1));
  ASSERT_TRUE(page3.ok());
  EXPECT_EQ(Dump(page3->items), "/p/d=d@4/4 ");
  EXPECT_FALSE(page3->more);  // e exists now, not at r
  EXPECT_EQ(page3->revision, r);
  // A start key past every key, and a start key before the prefix.
  auto none = s.List(At("/p/", r, "/p/z", 1));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
  EXPECT_FALSE(none->more);
  auto before = s.List(At("/p/", r, "/a", 10));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->items.size(), 4u);
  // The limit counts only keys that existed at r: a key created later is skipped, not counted.
  auto after_b = s.List(At("/p/", r, "/p/b", 1));
  ASSERT_TRUE(after_b.ok());
  EXPECT_EQ(Dump(after_b->items), "/p/c=c@3/3 ");
  EXPECT_TRUE(after_b->more);
}

TYPED_TEST(StoreContractTest, ListAtCompactedOrFutureRevisionFails) {
  auto store = this->Open(Window(4));
  Store& s = *store;
  ASSERT_TRUE(s.Create("/k/a", "1").ok());
  ASSERT_TRUE(s.Create("/k/b", "1").ok());
  auto whole = s.List(Opts("/k/"));  // no limit: nothing is kept for it
  ASSERT_TRUE(whole.ok());
  const int64_t r = whole->revision;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(s.Create("/k/n" + std::to_string(i), "x").ok());
  EXPECT_GT(s.OldestWatchableRevision(), r);
  auto gone = s.List(At("/k/", r));
  EXPECT_EQ(gone.status().code(), Code::kGone) << gone.status().message();
  // Still inside the window: readable.
  auto recent = s.List(At("/k/", s.OldestWatchableRevision()));
  EXPECT_TRUE(recent.ok()) << recent.status().message();
  auto future = s.List(At("/k/", s.CurrentRevision() + 1));
  EXPECT_EQ(future.status().code(), Code::kTimeout);
  EXPECT_EQ(future.status().message(), "too large resource version: 13, current: 12");
  EXPECT_EQ(s.List(At("/k/", -1)).status().code(), Code::kBadRequest);
}

TYPED_TEST(StoreContractTest, ListCutByLimitMayStayReadableAfterTheWindow) {
  auto store = this->Open(Window(4));
  Store& s = *store;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s.Create("/k/" + std::to_string(i), "v").ok());
  auto page = s.List(Opts("/k/", "", 1));
  ASSERT_TRUE(page.ok());
  ASSERT_TRUE(page->more);
  const int64_t r = page->revision;
  for (int i = 3; i < 13; ++i) ASSERT_TRUE(s.Create("/k/" + std::to_string(i), "v").ok());
  ASSERT_GT(s.OldestWatchableRevision(), r);
  auto next = s.List(At("/k/", r, page->items.back().key, 1));
  if (std::is_same_v<TypeParam, RocksFactory>) {
    // RocksStore kept the snapshot of the cut list.
    ASSERT_TRUE(next.ok()) << next.status().message();
    EXPECT_EQ(Dump(next->items), "/k/1=v@2/2 ");
    EXPECT_TRUE(next->more);
    EXPECT_EQ(next->revision, r);
  } else {
    EXPECT_EQ(next.status().code(), Code::kGone);
  }
}

// Model check: random writes on a few keys; every past revision listed in random pages must
// equal the model's state at that revision.
TYPED_TEST(StoreContractTest, ListAtEveryPastRevisionMatchesModel) {
  Store& s = *this->store_;
  std::mt19937 rng(42);
  std::map<std::string, KeyValue> model;
  std::vector<std::map<std::string, KeyValue>> at{model};  // at[rev]
  const std::vector<std::string> keys = {"/m/a", "/m/b", "/m/c", "/m/d", "/m/e", "/n/x"};
  for (int i = 0; i < 200; ++i) {
    const std::string& key = keys[rng() % keys.size()];
    auto it = model.find(key);
    StatusOr<KeyValue> r = Status(Code::kInternal, "unset");
    bool deleted = false;
    if (it == model.end()) {
      r = s.Create(key, "v" + std::to_string(i));
    } else if (rng() % 3 == 0) {
      r = s.Delete(key);
      deleted = true;
    } else {
      r = s.Update(key, "v" + std::to_string(i), it->second.mod_revision);
    }
    ASSERT_TRUE(r.ok()) << r.status().message();
    if (deleted) {
      model.erase(key);
    } else {
      model[key] = *r;
    }
    at.push_back(model);
  }
  for (int64_t rev = 1; rev < static_cast<int64_t>(at.size()); ++rev) {
    std::string want;
    for (const auto& [k, kv] : at[rev]) {
      if (k.rfind("/m/", 0) == 0) want += Dump({kv});
    }
    int64_t limit = 1 + rng() % 3;
    std::string got, start;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = s.List(At("/m/", rev, start, limit));
      ASSERT_TRUE(page.ok()) << page.status().message();
      ASSERT_EQ(page->revision, rev);
      got += Dump(page->items);
      if (!page->more) break;
      ASSERT_FALSE(page->items.empty());
      start = page->items.back().key;
    }
    EXPECT_EQ(got, want) << "revision " << rev << " limit " << limit;
  }
}

// Not asserted: a 10,000-key list (2 KB values, as pods) in pages of 500 at the current
// revision (the first page's path) and at the first page's revision after 500 updates
// (the window's undo, or RocksStore's kept snapshot). Printed for the report.
TYPED_TEST(StoreContractTest, MicroBenchmarkPagedListAtRevision) {
  StoreOptions o;
  o.watch_window_bytes = 64 << 20;
  auto store = this->Open(o);
  Store& s = *store;
  const std::string value(2048, 'x');
  auto key = [](int i) {
    char k[48];
    snprintf(k, sizeof k, "/registry/pods/ns%02d/pod%05d", i % 20, i);
    return std::string(k);
  };
  {
    // Concurrent writers, so that RocksStore group-commits (one fsync per group).
    std::vector<std::thread> writers;
    std::atomic<int> failed{0};
    for (int t = 0; t < 32; ++t) {
      writers.emplace_back([&, t] {
        for (int i = t; i < 10000; i += 32)
          if (!s.Create(key(i), value).ok()) ++failed;
      });
    }
    for (auto& w : writers) w.join();
    ASSERT_EQ(failed.load(), 0);
  }
  using Ms = std::chrono::duration<double, std::milli>;
  auto t0 = std::chrono::steady_clock::now();
  auto whole = s.List(Opts("/registry/pods/"));
  double full = Ms(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(whole.ok());
  t0 = std::chrono::steady_clock::now();
  auto first = s.List(Opts("/registry/pods/", "", 500));
  double first_ms = Ms(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(first.ok() && first->more);
  {
    std::vector<std::thread> writers;
    std::atomic<int> failed{0};
    for (int t = 0; t < 20; ++t) {
      writers.emplace_back([&, t] {
        for (int i = t; i < 500; i += 20) {
          auto cur = s.Get(key(i * 20 + 7));
          if (!cur.ok() || !s.Update(cur->key, value + "y", cur->mod_revision).ok()) ++failed;
        }
      });
    }
    for (auto& w : writers) w.join();
    ASSERT_EQ(failed.load(), 0);
  }
  double pages_ms = 0;
  size_t n = first->items.size();
  std::string start = first->items.back().key;
  for (int page = 0; page < 19; ++page) {
    t0 = std::chrono::steady_clock::now();
    auto next = s.List(At("/registry/pods/", first->revision, start, 500));
    pages_ms += Ms(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(next.ok()) << next.status().message();
    n += next->items.size();
    for (const auto& kv : next->items) ASSERT_EQ(kv.value.size(), value.size());
    if (!next->more) break;
    start = next->items.back().key;
  }
  EXPECT_EQ(n, 10000u);
  printf("[ bench ] %s: 10000 x 2 KB: full list %.1f ms, first page of 500 %.2f ms, "
         "19 later pages at its revision after 500 updates %.1f ms (%.2f ms/page)\n",
         std::is_same_v<TypeParam, RocksFactory> ? "Rocks" : "Mem", full, first_ms, pages_ms,
         pages_ms / 19);
}

}  // namespace
}  // namespace minik
