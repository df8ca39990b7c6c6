#include "api/workqueue.h"

namespace minik {

WorkQueue::WorkQueue(Clock& clock, RateLimit limit) : clock_(clock), limit_(limit) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  AddLocked(key);
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_) return;
  if (!dirty_.insert(key).second) return;  // already queued (or dirty while processing)
  if (processing_.count(key)) return;      // Done() queues it again
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::nanoseconds delay) {
  std::lock_guard<std::mutex> g(mu_);
  if (shutting_down_) return;
  if (delay.count() <= 0) {
    AddLocked(key);
    return;
  }
  SteadyTime when = clock_.Steady() + std::chrono::duration_cast<SteadyTime::duration>(delay);
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    if (it->second <= when) return;  // an earlier add is pending already
    waiting_by_time_.erase({it->second, key});
    it->second = when;
  } else {
    waiting_.emplace(key, when);
  }
  waiting_by_time_.insert({when, key});
  // A worker sleeping until a later deadline (or without one) must recompute it.
  cv_.notify_all();
}

std::chrono::nanoseconds WorkQueue::BackoffLocked(const std::string& key) const {
  auto it = failures_.find(key);
  int n = it == failures_.end() ? 0 : it->second;
  std::chrono::nanoseconds d = limit_.base_delay;
  for (int i = 0; i < n && d < limit_.max_delay; ++i) d *= 2;
  return d < limit_.max_delay ? d : limit_.max_delay;
}

void WorkQueue::AddRateLimited(const std::string& key) {
  std::chrono::nanoseconds delay;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (shutting_down_) return;
    delay = BackoffLocked(key);
    ++failures_[key];
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  failures_.erase(key);
}

int WorkQueue::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::chrono::nanoseconds WorkQueue::NextBackoff(const std::string& key) const {
  std::lock_guard<std::mutex> g(mu_);
  return BackoffLocked(key);
}

void WorkQueue::MoveDueLocked() {
  SteadyTime now = clock_.Steady();
  while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
    std::string key = waiting_by_time_.begin()->second;
    waiting_by_time_.erase(waiting_by_time_.begin());
    waiting_.erase(key);
    AddLocked(key);
  }
}

bool WorkQueue::Get(std::string* key) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    MoveDueLocked();
    if (!queue_.empty()) break;
    if (shutting_down_) return false;
    if (waiting_by_time_.empty()) {
      cv_.wait(lock);
    } else {
      clock_.WaitUntil(lock, cv_, waiting_by_time_.begin()->first);
    }
  }
  *key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(*key);
  dirty_.erase(*key);
  // Other waiters may hold delayed keys' deadlines; let one re-check if more is ready.
  if (!queue_.empty()) cv_.notify_one();
  return true;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  } else if (shutting_down_ && queue_.empty()) {
    cv_.notify_all();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> g(mu_);
  shutting_down_ = true;
  waiting_.clear();
  waiting_by_time_.clear();
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> g(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> g(mu_);
  return queue_.size();
}

size_t WorkQueue::NumWaiting() const {
  std::lock_guard<std::mutex> g(mu_);
  return waiting_.size();
}

}  // namespace minik
