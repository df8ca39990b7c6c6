// QueueController: the client-go controller pattern shared by every controller here.
// Informer handlers only enqueue keys; `workers` threads take keys from a WorkQueue and call
// Reconcile(key), which reads the current state (informer caches, the client) and makes the
// world match it: level-triggered, so a missed or repeated event is harmless.
//
// Outcome of Reconcile:
//   error Status         -> logged, AddRateLimited(key) (per-key exponential back-off)
//   requeue = true       -> AddRateLimited(key) without logging (e.g. waiting for deletions)
//   requeue_after > 0    -> Forget(key), AddAfter(key, requeue_after)
//   otherwise            -> Forget(key)
//
// Threads: Run() starts the workers; Stop() shuts the queue down and joins them. The work
// queue guarantees that one key is never reconciled by two workers at once.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api/clock.h"
#include "api/informer.h"
#include "api/json.h"
#include "api/status.h"
#include "api/workqueue.h"

namespace minik {

struct ReconcileResult {
  bool requeue = false;
  std::chrono::milliseconds requeue_after{0};
};

class QueueController {
 public:
  QueueController(std::string name, Clock& clock, int workers, RateLimit limit = {});
  virtual ~QueueController();
  QueueController(const QueueController&) = delete;
  QueueController& operator=(const QueueController&) = delete;

  void Run();
  void Stop();

  // Level-triggered reconcile of one key ("ns/name" or "name"). Public so tests can drive it.
  virtual StatusOr<ReconcileResult> Reconcile(const std::string& key) = 0;

  // Takes one key (blocking), reconciles it and applies the outcome. false once the queue is
  // shut down. Tests call it to run a controller without worker threads.
  bool ProcessNextItem();

  WorkQueue& queue() { return queue_; }
  const std::string& name() const { return name_; }

 protected:
  void Enqueue(const Json& obj) { queue_.Add(ObjectKey(obj)); }
  // Handlers that enqueue the object's own key on add, update and delete.
  ResourceEventHandlers EnqueueHandlers();

  Clock& clock_;

 private:
  const std::string name_;
  const int workers_;
  WorkQueue queue_;
  std::vector<std::thread> threads_;
};

}  // namespace minik
