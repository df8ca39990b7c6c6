// FakeClock: a Clock that only moves when a test says so, so tests never sleep for real.
//
// Now() and Steady() start at fixed values and advance together with Step(d). A thread
// blocked in WaitUntil(lock, cv, deadline) is woken by Step() once its deadline has been
// reached, or by the owner notifying `cv`, as with RealClock.
//
// Concurrency: every method is thread-safe. Step() briefly locks each sleeper's own mutex
// (the one behind `lock` in WaitUntil) to wake it without a lost wake-up, so Step() must not
// be called while holding a mutex that some thread passes to WaitUntil.
#pragma once

#include <chrono>
#include <condition_variable>
#include <list>
#include <mutex>

#include "api/clock.h"

namespace minik {

class FakeClock final : public Clock {
 public:
  // Defaults: wall time 2025-01-01T00:00:00Z; steady time one hour after the epoch.
  FakeClock();
  FakeClock(SystemTime now, SteadyTime steady);

  SystemTime Now() const override;
  SteadyTime Steady() const override;
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline) const override;

  // Advances both clocks by `d` (>= 0) and wakes the sleepers whose deadline has passed.
  void Step(std::chrono::nanoseconds d);
  // Sets the wall clock only (e.g. to test timestamps); sleepers are not affected.
  void SetNow(SystemTime now);

  // Threads currently blocked in WaitUntil.
  size_t Sleepers() const;
  // Blocks (in real time, up to `timeout`) until at least `n` threads are blocked in
  // WaitUntil; lets a test wait for a worker to go to sleep before it steps the clock.
  bool AwaitSleepers(size_t n, std::chrono::milliseconds timeout =
                                   std::chrono::milliseconds(5000)) const;

 private:
  struct Sleeper {
    std::mutex* mu;
    std::condition_variable* cv;
    SteadyTime deadline;
    int notifying = 0;  // Step() calls currently waking this sleeper (it must stay alive)
  };

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // sleepers_ changed or a wake-up finished
  SystemTime now_;
  SteadyTime steady_;
  mutable std::list<Sleeper> sleepers_;  // list: stable iterators while sleeping
};

}  // namespace minik
