#include "api/fake_clock.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace minik {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(FakeClockTest, StepAdvancesBothClocks) {
  FakeClock clock;
  SystemTime now = clock.Now();
  SteadyTime steady = clock.Steady();
  clock.Step(seconds(3));
  EXPECT_EQ(clock.Now() - now, seconds(3));
  EXPECT_EQ(clock.Steady() - steady, seconds(3));
  clock.Step(seconds(-5));  // negative steps are ignored: time never goes backwards
  EXPECT_EQ(clock.Steady() - steady, seconds(3));
}

TEST(FakeClockTest, SetNowChangesOnlyWallTime) {
  FakeClock clock;
  SteadyTime steady = clock.Steady();
  clock.SetNow(SystemTime(seconds(1000)));
  EXPECT_EQ(clock.Now(), SystemTime(seconds(1000)));
  EXPECT_EQ(clock.Steady(), steady);
}

TEST(FakeClockTest, WaitUntilPastDeadlineReturnsAtOnce) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  clock.WaitUntil(lock, cv, clock.Steady());
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_EQ(clock.Sleepers(), 0u);
}

TEST(FakeClockTest, StepWakesSleeperOnlyAtDeadline) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> woke{false};
  SteadyTime deadline = clock.Steady() + seconds(10);
  std::thread t([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (clock.Steady() < deadline) clock.WaitUntil(lock, cv, deadline);
    woke = true;
  });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Step(seconds(5));
  // Still asleep (the sleeper may re-register after a spurious wake; it must not finish).
  ASSERT_TRUE(clock.AwaitSleepers(1));
  EXPECT_FALSE(woke);
  clock.Step(seconds(5));
  t.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.Sleepers(), 0u);
}

TEST(FakeClockTest, OwnerNotifyWakesSleeper) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool flag = false;
  std::thread t([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!flag) clock.WaitUntil(lock, cv, clock.Steady() + seconds(3600));
  });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  {
    std::lock_guard<std::mutex> g(mu);
    flag = true;
  }
  cv.notify_all();
  t.join();
  EXPECT_EQ(clock.Sleepers(), 0u);
}

TEST(FakeClockTest, ManySleepersAndSteppers) {
  // Stress the sleeper registry: sleepers come and go while another thread steps.
  FakeClock clock;
  constexpr int kThreads = 4;
  std::atomic<int> finished{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::mutex mu;
      std::condition_variable cv;
      for (int round = 0; round < 50; ++round) {
        std::unique_lock<std::mutex> lock(mu);
        SteadyTime deadline = clock.Steady() + milliseconds(1 + i);
        while (clock.Steady() < deadline) clock.WaitUntil(lock, cv, deadline);
      }
      ++finished;
    });
  }
  while (finished < kThreads) {
    clock.Step(milliseconds(1));
    std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.Sleepers(), 0u);
}

TEST(FakeClockTest, AwaitSleepersTimesOut) {
  FakeClock clock;
  EXPECT_FALSE(clock.AwaitSleepers(1, milliseconds(10)));
}

}  // namespace
}  // namespace minik
