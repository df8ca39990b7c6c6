// WatchCache unit tests: ring buffer wrap-around and bounds, replay, wake-ups,
// Close, and watchers outliving the cache. (Store-level watch behaviour is covered by the
// contract suite in store_contract_test.cc.)
#include "store/watch_cache.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/store/store_test_util.h"

namespace minik {
namespace {

using minik::testing::Window;

WatchEvent Event(int64_t rev, std::string key, size_t value_size = 1) {
  return WatchEvent{EventType::kAdded, rev, std::move(key),
                    std::make_shared<const std::string>(value_size, 'v'), nullptr, rev};
}

std::vector<WatchEvent> Drain(Watcher& w) {
  std::vector<WatchEvent> out;
  while (w.Poll(out) > 0) {
  }
  return out;
}

TEST(WatchCacheTest, ReplayAcrossWrapAround) {
  WatchCache cache(Window(7), 100);
  EXPECT_EQ(cache.Revision(), 100);
  EXPECT_EQ(cache.OldestWatchableRevision(), 100);
  std::mt19937 rng(1);
  int64_t rev = 100;
  while (rev < 300) {
    std::vector<WatchEvent> batch;
    for (int n = rng() % 4 + 1; n > 0; --n) batch.push_back(Event(++rev, "/k"));
    cache.Publish(std::move(batch));
    int64_t oldest = cache.OldestWatchableRevision();
    ASSERT_EQ(oldest, std::max<int64_t>(100, rev - 7));
    for (int64_t after = oldest; after <= rev; ++after) {
      auto w = cache.Watch("/", after, [] {});
      ASSERT_TRUE(w.ok());
      auto events = Drain(**w);
      ASSERT_EQ(events.size(), static_cast<size_t>(rev - after));
      for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].revision, after + 1 + i);
    }
    if (oldest > 100) {
      EXPECT_EQ(cache.Watch("/", oldest - 1, [] {}).status().code(), Code::kGone);
    }
  }
}

TEST(WatchCacheTest, WindowBoundedInBytes) {
  StoreOptions o = Window(1000);
  o.watch_window_bytes = 10 * 1024;
  WatchCache cache(o, 0);
  for (int i = 1; i <= 50; ++i) cache.Publish({Event(i, "/k", 1000)});
  int64_t oldest = cache.OldestWatchableRevision();
  EXPECT_GE(oldest, 40);  // at most ~10 events of 1 KB are kept
  EXPECT_LT(oldest, 50);
  EXPECT_EQ(cache.Watch("/", oldest - 1, [] {}).status().code(), Code::kGone);
  // One event larger than the whole bound is still kept.
  cache.Publish({Event(51, "/k", 100000)});
  EXPECT_EQ(cache.OldestWatchableRevision(), 50);
}

TEST(WatchCacheTest, WatcherBacklogBoundedInBytes) {
  StoreOptions o = Window(1000);
  o.watcher_max_backlog_bytes = 5000;
  WatchCache cache(o, 0);
  auto w = cache.Watch("/", 0, [] {});
  ASSERT_TRUE(w.ok());
  cache.Publish({Event(1, "/k", 100000)});  // one event is always accepted
  EXPECT_TRUE((*w)->Error().ok());
  EXPECT_EQ(Drain(**w).size(), 1u);
  for (int i = 2; i <= 10; ++i) cache.Publish({Event(i, "/k", 1000)});
  EXPECT_EQ((*w)->Error().code(), Code::kGone);
  EXPECT_EQ(cache.WatcherCount(), 0u);
}

TEST(WatchCacheTest, OneWakeUpPerAppendWithEvents) {
  WatchCache cache(Window(100), 0);
  int notifies = 0, other = 0;
  auto w = cache.Watch("/a/", 0, [&] { ++notifies; });
  auto o = cache.Watch("/b/", 0, [&] { ++other; });
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(o.ok());
  cache.Publish({Event(1, "/a/1"), Event(2, "/a/2"), Event(3, "/a/3")});  // one group
  EXPECT_EQ(notifies, 1);
  EXPECT_EQ(other, 0);  // nothing for it: not woken
  cache.Publish({Event(4, "/a/4")});  // not coalesced with the unpolled first wake-up
  EXPECT_EQ(notifies, 2);
  std::vector<WatchEvent> out;
  EXPECT_EQ((*w)->Poll(out, 3), 3u);  // partial poll
  EXPECT_EQ(Drain(**w).size(), 1u);
}

TEST(WatchCacheTest, PrefixFilterAndReplayNotify) {
  WatchCache cache(Window(100), 0);
  cache.Publish({Event(1, "/a/1"), Event(2, "/b/1"), Event(3, "/a/2")});
  int notifies = 0;
  auto w = cache.Watch("/a/", 0, [&] { ++notifies; });  // from now: nothing replayed
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(notifies, 0);
  auto r = cache.Watch("/a/", 1, [&] { ++notifies; });  // replay of /a/2 wakes once
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(notifies, 1);
  auto events = Drain(**r);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "/a/2");
}

TEST(WatchCacheTest, CloseEndsWatchersAndRefusesNewOnes) {
  WatchCache cache(Window(100), 0);
  int notifies = 0;
  auto w = cache.Watch("/", 0, [&] { ++notifies; });
  ASSERT_TRUE(w.ok());
  cache.Publish({Event(1, "/k")});
  cache.Close(Status(Code::kServiceUnavailable, "bye"));
  EXPECT_EQ(notifies, 2);
  EXPECT_EQ((*w)->Error().message(), "bye");
  EXPECT_EQ(Drain(**w).size(), 1u);
  EXPECT_EQ(cache.Watch("/", 0, [] {}).status().code(), Code::kServiceUnavailable);
  cache.Close(Status(Code::kInternal, "again"));  // idempotent
  EXPECT_EQ((*w)->Error().message(), "bye");
}

TEST(WatchCacheTest, WatcherOutlivesCache) {
  std::unique_ptr<Watcher> w;
  {
    WatchCache cache(Window(100), 0);
    auto r = cache.Watch("/", 0, [] {});
    ASSERT_TRUE(r.ok());
    w = std::move(*r);
  }
  EXPECT_EQ(w->Error().code(), Code::kServiceUnavailable);
  w->Stop();
  w.reset();
}

TEST(WatchCacheTest, StoppedWatcherIsUnregistered) {
  WatchCache cache(Window(100), 0);
  auto w = cache.Watch("/", 0, [] {});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(cache.WatcherCount(), 1u);
  (*w)->Stop();
  EXPECT_EQ(cache.WatcherCount(), 0u);
  cache.Publish({Event(1, "/k")});
  std::vector<WatchEvent> out;
  EXPECT_EQ((*w)->Poll(out), 0u);
}

}  // namespace
}  // namespace minik
