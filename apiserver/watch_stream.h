// Watch responses: a ResponseStream over a Client watch (ObjectWatcher), writing one
// `{"type":..,"object":..}\n` per event (kubectl-wire.md §5). Events can be transformed
// (Table rows for `kubectl get -w`). The stream ends cleanly at its deadline
// (timeoutSeconds), and with an ERROR event when the watch fails (410 Expired when the
// watcher fell behind the watch window).
//
// Threads: the registry calls the watcher's notify from a writer thread; the HTTP server
// calls Pull/Cancel on its connection strand; the DeadlineTimer thread fires deadlines.
// Stream state is guarded by mu_; the server's notify function by notify_mu_ alone (lock
// order: mu_ may be held while calling the watcher; notify_mu_ is never held while taking
// mu_), so the registry's notify path and Pull cannot deadlock.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/client.h"
#include "api/clock.h"
#include "apiserver/http.h"

namespace minik {

// Calls callbacks at Clock deadlines from one thread (so FakeClock tests drive timeouts).
class DeadlineTimer {
 public:
  explicit DeadlineTimer(Clock& clock);
  ~DeadlineTimer();  // joins; pending callbacks are dropped
  // Returns an id for Cancel. `fn` runs on the timer thread, without the timer's lock.
  uint64_t Schedule(SteadyTime deadline, std::function<void()> fn);
  void Cancel(uint64_t id);

 private:
  void Run();

  Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                                            // GUARDED_BY(mu_)
  uint64_t next_id_ = 1;                                         // GUARDED_BY(mu_)
  std::multimap<SteadyTime, std::pair<uint64_t, std::function<void()>>> pending_;  // mu_
  std::thread thread_;
};

// Caps concurrent watches per user; Acquire returns nullptr (429) when the user is at the cap.
class WatchLimiter {
 public:
  explicit WatchLimiter(int max_per_user) : max_(max_per_user) {}
  // The slot is released when the returned token is destroyed.
  std::shared_ptr<void> Acquire(const std::string& user);

 private:
  int max_;
  std::mutex mu_;
  std::map<std::string, int> counts_;  // GUARDED_BY(mu_)
};

using EventEncoder = std::function<Json(const ObjectEvent& event)>;

// A watch that runs until `deadline`. `start_error`, when non-OK, makes a stream of one
// ERROR event (the apiserver answers a too-old resourceVersion so: 200 + ERROR event).
// `encode` turns an event into the JSON written on the wire ({"type","object"}).
class WatchStream : public ResponseStream, public std::enable_shared_from_this<WatchStream> {
 public:
  WatchStream(Clock& clock, DeadlineTimer& timer, SteadyTime deadline, EventEncoder encode,
              std::shared_ptr<void> slot);
  ~WatchStream() override;

  // The function to give Client::Watch as `notify`; safe to call before SetNotify.
  std::function<void()> Notifier();
  // Attaches the watcher (after Client::Watch returned it), or the error that stopped it.
  void Start(std::unique_ptr<ObjectWatcher> watcher);
  void StartWithError(const Status& error);

  void SetNotify(std::function<void()> notify) override;
  bool Pull(std::string& out) override;
  void Cancel() override;

 private:
  void Wake();

  Clock& clock_;
  DeadlineTimer& timer_;
  SteadyTime deadline_;
  EventEncoder encode_;
  std::shared_ptr<void> slot_;
  uint64_t timer_id_ = 0;

  std::mutex notify_mu_;
  std::function<void()> notify_;             // GUARDED_BY(notify_mu_)
  std::mutex mu_;
  std::unique_ptr<ObjectWatcher> watcher_;   // GUARDED_BY(mu_)
  std::optional<Status> start_error_;        // GUARDED_BY(mu_)
  bool ended_ = false;                       // GUARDED_BY(mu_)
};

// The wire form of one event: {"type":..,"object":..} + "\n".
std::string EncodeWatchEvent(const Json& event);

}  // namespace minik
