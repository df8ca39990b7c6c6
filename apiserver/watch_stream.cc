#include "apiserver/watch_stream.h"

#include "apiserver/router.h"

namespace minik {
namespace {

// Events written per Pull before yielding, so one busy watch cannot monopolize a strand.
constexpr size_t kMaxEventsPerPull = 4096;

}  // namespace

DeadlineTimer::DeadlineTimer(Clock& clock) : clock_(clock), thread_([this] { Run(); }) {}

DeadlineTimer::~DeadlineTimer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t DeadlineTimer::Schedule(SteadyTime deadline, std::function<void()> fn) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    pending_.emplace(deadline, std::make_pair(id, std::move(fn)));
  }
  cv_.notify_all();
  return id;
}

void DeadlineTimer::Cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->second.first == id) {
      pending_.erase(it);
      return;
    }
  }
}

void DeadlineTimer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    SteadyTime now = clock_.Steady();
    if (!pending_.empty() && pending_.begin()->first <= now) {
      auto fn = std::move(pending_.begin()->second.second);
      pending_.erase(pending_.begin());
      lock.unlock();
      fn();
      lock.lock();
      continue;
    }
    SteadyTime next = pending_.empty() ? now + std::chrono::hours(1) : pending_.begin()->first;
    clock_.WaitUntil(lock, cv_, next);
  }
}

std::shared_ptr<void> WatchLimiter::Acquire(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  int& n = counts_[user];
  if (n >= max_) return nullptr;
  ++n;
  // Non-null so that callers can test the token; the deleter only releases the slot.
  return std::shared_ptr<void>(static_cast<void*>(this), [this, user](void*) {
    std::lock_guard<std::mutex> lock(mu_);
    if (--counts_[user] <= 0) counts_.erase(user);
  });
}

std::string EncodeWatchEvent(const Json& event) {
  return event.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

WatchStream::WatchStream(Clock& clock, DeadlineTimer& timer, SteadyTime deadline,
                         EventEncoder encode, std::shared_ptr<void> slot)
    : clock_(clock),
      timer_(timer),
      deadline_(deadline),
      encode_(std::move(encode)),
      slot_(std::move(slot)) {}

WatchStream::~WatchStream() {
  if (timer_id_ != 0) timer_.Cancel(timer_id_);
  if (watcher_) watcher_->Stop();
}

std::function<void()> WatchStream::Notifier() {
  std::weak_ptr<WatchStream> weak = weak_from_this();
  return [weak] {
    if (auto self = weak.lock()) self->Wake();
  };
}

void WatchStream::Start(std::unique_ptr<ObjectWatcher> watcher) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    watcher_ = std::move(watcher);
  }
  timer_id_ = timer_.Schedule(deadline_, Notifier());
  Wake();
}

void WatchStream::StartWithError(const Status& error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    start_error_ = error;
  }
  Wake();
}

void WatchStream::SetNotify(std::function<void()> notify) {
  std::lock_guard<std::mutex> lock(notify_mu_);
  notify_ = std::move(notify);
}

// Takes only notify_mu_, never mu_: the registry calls this with its own lock held, and Pull
// calls into the watcher with mu_ held. Called under notify_mu_ so that once Cancel returns
// the server's notify is never called again.
void WatchStream::Wake() {
  std::lock_guard<std::mutex> lock(notify_mu_);
  if (notify_) notify_();
}

bool WatchStream::Pull(std::string& out) {
  bool more = false;
  bool end = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ended_) return false;
    if (start_error_) {
      out += EncodeWatchEvent(encode_(ObjectEvent{"ERROR", StatusToJson(*start_error_)}));
      ended_ = true;
      return false;
    }
    if (!watcher_) return true;
    // Read the error before draining: events queued before the watch ended are still sent.
    Status error = watcher_->Error();
    std::vector<ObjectEvent> batch;
    size_t total = 0;
    while (true) {
      batch.clear();
      size_t n = watcher_->Poll(batch, 256);
      for (const auto& e : batch) out += EncodeWatchEvent(encode_(e));
      total += n;
      if (n == 0) break;
      if (total >= kMaxEventsPerPull) {
        more = true;
        break;
      }
    }
    if (!more && !error.ok()) {
      // A timeout ends the stream cleanly; anything else is reported as an ERROR event.
      if (error.code() != Code::kTimeout) {
        out += EncodeWatchEvent(encode_(ObjectEvent{"ERROR", StatusToJson(error)}));
      }
      end = true;
    }
    if (clock_.Steady() >= deadline_) end = true;
    if (end) {
      ended_ = true;
      watcher_->Stop();
    }
  }
  if (more) Wake();
  return !end;
}

void WatchStream::Cancel() {
  {
    std::lock_guard<std::mutex> lock(notify_mu_);
    notify_ = nullptr;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  if (watcher_) watcher_->Stop();
}

}  // namespace minik
