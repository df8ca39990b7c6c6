#include "controllers/controller.h"

#include "api/log.h"

namespace minik {

QueueController::QueueController(std::string name, Clock& clock, int workers, RateLimit limit)
    : clock_(clock), name_(std::move(name)), workers_(workers), queue_(clock, limit) {}

QueueController::~QueueController() { Stop(); }

void QueueController::Run() {
  if (!threads_.empty()) return;
  for (int i = 0; i < workers_; ++i) {
    threads_.emplace_back([this] {
      while (ProcessNextItem()) {
      }
    });
  }
}

void QueueController::Stop() {
  queue_.ShutDown();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

bool QueueController::ProcessNextItem() {
  std::string key;
  if (!queue_.Get(&key)) return false;
  auto result = Reconcile(key);
  if (!result.ok()) {
    // The worker loop is the boundary where reconcile errors are logged, once per attempt.
    LOG(Warning, name_.c_str()) << "reconcile failed key=" << key
                                << " retries=" << queue_.NumRequeues(key)
                                << " reason=" << result.status().Reason()
                                << " message=" << result.status().message();
    queue_.AddRateLimited(key);
  } else if (result->requeue) {
    queue_.AddRateLimited(key);
  } else if (result->requeue_after.count() > 0) {
    queue_.Forget(key);
    queue_.AddAfter(key, result->requeue_after);
  } else {
    queue_.Forget(key);
  }
  queue_.Done(key);
  return true;
}

ResourceEventHandlers QueueController::EnqueueHandlers() {
  return {[this](const Json& obj) { Enqueue(obj); },
          [this](const Json&, const Json& obj) { Enqueue(obj); },
          [this](const Json& obj) { Enqueue(obj); }};
}

}  // namespace minik
