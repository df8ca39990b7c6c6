// WorkQueue: the controller work queue of client-go's util/workqueue (a rate-limiting,
// delaying queue in one object), keyed by strings ("ns/name").
//
// Contract:
//  - Add(key) coalesces: a key waiting in the queue is queued once however often it is added.
//  - A key handed out by Get() is "processing" until Done(key). It is never handed to two
//    workers at once: Add() during processing marks it dirty, and Done() queues it again.
//  - AddAfter(key, d) adds the key once the injected Clock has advanced by d (the earliest
//    pending time wins when a key is added after several delays).
//  - AddRateLimited(key) = AddAfter(key, back-off), the back-off doubling per key from
//    base_delay up to max_delay (client-go's ItemExponentialFailureRateLimiter, 5 ms to
//    1000 s); Forget(key) resets it; NumRequeues(key) counts the failures since.
//  - ShutDown(): later Adds are ignored, delayed keys are dropped, keys already queued are
//    still handed out (drained), then Get() returns false in every worker.
//
// Threads: any thread may call any method. Workers block in Get(); while a worker waits and
// delayed keys are pending, that worker's wait is bounded by the earliest deadline (through
// Clock::WaitUntil, so a FakeClock's Step() releases it) and it moves due keys into the
// queue itself; there is no timer thread. All state is guarded by one mutex, mu_.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "api/clock.h"

namespace minik {

struct RateLimit {
  std::chrono::nanoseconds base_delay = std::chrono::milliseconds(5);
  std::chrono::nanoseconds max_delay = std::chrono::seconds(1000);
};

class WorkQueue {
 public:
  explicit WorkQueue(Clock& clock, RateLimit limit = {});
  ~WorkQueue();  // ShutDown(); callers join their workers before destroying the queue
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::nanoseconds delay);
  void AddRateLimited(const std::string& key);
  // Resets the key's back-off (after a successful reconcile).
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;
  // The delay the next AddRateLimited(key) would use (does not count as a failure).
  std::chrono::nanoseconds NextBackoff(const std::string& key) const;

  // Blocks until a key is available; false once the queue is shut down and drained.
  bool Get(std::string* key);
  // Ends processing of a key handed out by Get(); re-queues it if it was added meanwhile.
  void Done(const std::string& key);

  void ShutDown();
  bool ShuttingDown() const;
  // Keys ready to be handed out (not counting delayed or processing keys).
  size_t Len() const;
  // Keys waiting for their AddAfter deadline.
  size_t NumWaiting() const;

 private:
  void AddLocked(const std::string& key);
  void MoveDueLocked();
  std::chrono::nanoseconds BackoffLocked(const std::string& key) const;

  Clock& clock_;
  const RateLimit limit_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;               // ready keys, in order (each also in dirty_)
  std::unordered_set<std::string> dirty_;       // keys that need processing
  std::unordered_set<std::string> processing_;  // keys handed out, not yet Done
  std::map<std::string, SteadyTime> waiting_;   // delayed key -> when it becomes ready
  std::set<std::pair<SteadyTime, std::string>> waiting_by_time_;
  std::unordered_map<std::string, int> failures_;
  bool shutting_down_ = false;
};

}  // namespace minik
