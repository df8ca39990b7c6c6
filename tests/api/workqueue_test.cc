#include "api/workqueue.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "api/fake_clock.h"

namespace minik {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WorkQueueTest, AddDeduplicates) {
  FakeClock clock;
  WorkQueue q(clock);
  q.Add("a");
  q.Add("b");
  q.Add("a");
  EXPECT_EQ(q.Len(), 2u);
  std::string key;
  ASSERT_TRUE(q.Get(&key));
  EXPECT_EQ(key, "a");
  ASSERT_TRUE(q.Get(&key));
  EXPECT_EQ(key, "b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, KeyReaddedWhileProcessingIsQueuedAfterDone) {
  FakeClock clock;
  WorkQueue q(clock);
  q.Add("a");
  std::string key;
  ASSERT_TRUE(q.Get(&key));
  q.Add("a");  // dirty while processing: not handed out again yet
  q.Add("a");
  EXPECT_EQ(q.Len(), 0u);
  q.Done("a");
  EXPECT_EQ(q.Len(), 1u);
  ASSERT_TRUE(q.Get(&key));
  EXPECT_EQ(key, "a");
  q.Done("a");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, NoKeyProcessedConcurrently) {
  FakeClock clock;
  WorkQueue q(clock);
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      std::string key;
      while (q.Get(&key)) {
        {
          std::lock_guard<std::mutex> g(mu);
          if (!in_flight.insert(key).second) overlap = true;
        }
        std::this_thread::yield();
        {
          std::lock_guard<std::mutex> g(mu);
          in_flight.erase(key);
        }
        ++processed;
        q.Done(key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) q.Add("k" + std::to_string(i % 3));
  // Wait until everything added has been handed out and finished.
  while (q.Len() > 0) std::this_thread::yield();
  q.ShutDown();
  for (auto& w : workers) w.join();
  EXPECT_FALSE(overlap);
  EXPECT_GT(processed, 0);
}

TEST(WorkQueueTest, GetBlocksUntilAdd) {
  FakeClock clock;
  WorkQueue q(clock);
  std::string got;
  std::thread t([&] { ASSERT_TRUE(q.Get(&got)); });
  std::this_thread::sleep_for(milliseconds(5));  // lets the worker block (not required)
  q.Add("x");
  t.join();
  EXPECT_EQ(got, "x");
}

TEST(WorkQueueTest, ShutDownWakesWaitersAndDrains) {
  FakeClock clock;
  WorkQueue q(clock);
  std::atomic<int> returned_false{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      std::string key;
      if (!q.Get(&key)) ++returned_false;
    });
  }
  q.ShutDown();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(returned_false, 3);

  WorkQueue q2(clock);
  q2.Add("a");
  q2.Add("b");
  q2.ShutDown();
  q2.Add("c");  // ignored
  std::string key;
  ASSERT_TRUE(q2.Get(&key));
  EXPECT_EQ(key, "a");
  ASSERT_TRUE(q2.Get(&key));
  EXPECT_EQ(key, "b");
  EXPECT_FALSE(q2.Get(&key));
  EXPECT_TRUE(q2.ShuttingDown());
}

TEST(WorkQueueTest, AddAfterWaitsForTheClock) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddAfter("a", seconds(10));
  q.AddAfter("a", seconds(20));  // the earlier deadline wins
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.NumWaiting(), 1u);
  std::string got;
  std::thread t([&] { ASSERT_TRUE(q.Get(&got)); });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Step(seconds(9));
  ASSERT_TRUE(clock.AwaitSleepers(1));
  EXPECT_TRUE(got.empty());
  clock.Step(seconds(1));
  t.join();
  EXPECT_EQ(got, "a");
  EXPECT_EQ(q.NumWaiting(), 0u);
}

TEST(WorkQueueTest, AddAfterEarlierDeadlineReplacesLater) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddAfter("a", seconds(20));
  q.AddAfter("a", seconds(5));
  clock.Step(seconds(5));
  std::string got;
  ASSERT_TRUE(q.Get(&got));  // due already: Get moves it without sleeping
  EXPECT_EQ(got, "a");
}

TEST(WorkQueueTest, AddAfterZeroAddsNow) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddAfter("a", seconds(0));
  EXPECT_EQ(q.Len(), 1u);
}

TEST(WorkQueueTest, RateLimitedBackoffDoublesAndForgetResets) {
  FakeClock clock;
  WorkQueue q(clock);
  EXPECT_EQ(q.NextBackoff("a"), milliseconds(5));
  q.AddRateLimited("a");
  EXPECT_EQ(q.NumRequeues("a"), 1);
  EXPECT_EQ(q.NextBackoff("a"), milliseconds(10));
  q.AddRateLimited("a");
  q.AddRateLimited("a");
  EXPECT_EQ(q.NumRequeues("a"), 3);
  EXPECT_EQ(q.NextBackoff("a"), milliseconds(40));
  for (int i = 0; i < 100; ++i) q.AddRateLimited("a");
  EXPECT_EQ(q.NextBackoff("a"), seconds(1000));  // capped
  EXPECT_EQ(q.NumRequeues("b"), 0);
  q.Forget("a");
  EXPECT_EQ(q.NumRequeues("a"), 0);
  EXPECT_EQ(q.NextBackoff("a"), milliseconds(5));
}

TEST(WorkQueueTest, RateLimitedKeyArrivesAfterBackoff) {
  FakeClock clock;
  WorkQueue q(clock, RateLimit{milliseconds(100), seconds(1)});
  q.AddRateLimited("a");  // 100 ms
  q.AddRateLimited("a");  // 200 ms, but the pending 100 ms deadline is earlier
  std::string got;
  std::thread t([&] { ASSERT_TRUE(q.Get(&got)); });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Step(milliseconds(99));
  ASSERT_TRUE(clock.AwaitSleepers(1));
  EXPECT_TRUE(got.empty());
  clock.Step(milliseconds(1));
  t.join();
  EXPECT_EQ(got, "a");
  EXPECT_EQ(q.NumRequeues("a"), 2);
}

TEST(WorkQueueTest, DelayedKeysDroppedOnShutDown) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddAfter("a", seconds(1));
  std::atomic<bool> result{true};
  std::thread t([&] {
    std::string key;
    result = q.Get(&key);
  });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  q.ShutDown();
  t.join();
  EXPECT_FALSE(result);
  EXPECT_EQ(q.NumWaiting(), 0u);
  q.AddAfter("b", seconds(1));
  q.AddRateLimited("b");
  EXPECT_EQ(q.NumWaiting(), 0u);
}

TEST(WorkQueueTest, EmptyKeyIsAKeyLikeAnyOther) {
  FakeClock clock;
  WorkQueue q(clock);
  q.Add("");
  std::string key = "x";
  ASSERT_TRUE(q.Get(&key));
  EXPECT_EQ(key, "");
  q.Done("");
  q.Done("never-added");  // harmless
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, WorksWithRealClock) {
  RealClock clock;
  WorkQueue q(clock);
  q.AddAfter("a", milliseconds(20));
  auto start = std::chrono::steady_clock::now();
  std::string key;
  ASSERT_TRUE(q.Get(&key));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(19));
  EXPECT_EQ(key, "a");
}

}  // namespace
}  // namespace minik
