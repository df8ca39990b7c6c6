// Clock: time as an injected seam. Components take a Clock& so tests drive time by hand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace minik {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps written into objects.
  virtual SystemTime Now() const = 0;
  // Monotonic time, for timeouts, back-off and periods.
  virtual SteadyTime Steady() const = 0;
  // Blocks until Steady() >= deadline, or `cv` is notified (spurious wake-ups allowed).
  // FakeClock wakes sleepers when it is stepped.
  virtual void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         SteadyTime deadline) const = 0;
};

class RealClock final : public Clock {
 public:
  SystemTime Now() const override { return std::chrono::system_clock::now(); }
  SteadyTime Steady() const override { return std::chrono::steady_clock::now(); }
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline) const override {
    cv.wait_until(lock, deadline);
  }
};

// RFC 3339 with second precision, UTC: "2026-11-30T02:52:05Z" (metav1.Time).
std::string FormatRfc3339(SystemTime t);
// RFC 3339 with microseconds: "2026-11-30T02:52:05.123456Z" (metav1.MicroTime).
std::string FormatRfc3339Micro(SystemTime t);
// Parses RFC 3339 (with optional fraction and offset). false on malformed input.
bool ParseRfc3339(const std::string& s, SystemTime* out);
// Kubernetes' human duration, as in the AGE column: "5s", "3m12s", "2d3h", "45d".
std::string HumanDuration(std::chrono::seconds d);

}  // namespace minik
