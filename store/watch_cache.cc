// WatchCache implementation.
//
// Ownership: Core (window + watcher registry) is shared by the WatchCache and by every
// watcher handle, so a handle stays safe after the cache is gone. WatchState (queue +
// callback) is shared by the registry, the handle and any in-flight NotifyList.
//
// Locks: Core::mu_ guards the ring, revisions and registry; WatchState::mu_ guards one
// watcher's queue and flags. Core::mu_ is taken before WatchState::mu_, never the reverse.
// Callbacks run without either lock; Stop() waits on WatchState::idle_ for callbacks in
// flight on other threads.
#include "store/watch_cache.h"

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace minik {

namespace {
bool HasPrefix(const std::string& key, const std::string& prefix) {
  return key.size() >= prefix.size() && key.compare(0, prefix.size(), prefix) == 0;
}

// Watch states whose callback the current thread is running (Stop() from inside a callback
// must not wait for itself). A stack: callbacks may nest through a MemStore write.
thread_local std::vector<const WatchState*> tl_notifying;
}  // namespace

class WatchState {
 public:
  WatchState(uint64_t id, std::string prefix, int64_t after, std::function<void()> notify)
      : id_(id), prefix_(std::move(prefix)), after_(after), notify_(std::move(notify)) {}

  uint64_t id() const { return id_; }
  bool Matches(const WatchEvent& e) const {
    return e.revision > after_ && HasPrefix(e.key, prefix_);
  }

  // Queues `e`. Returns true when the callback should be called (coalesced). Sets *overflow
  // when the backlog limit closed the watcher (the caller unregisters it).
  bool Push(const WatchEvent& e, size_t max_backlog, bool* overflow) {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_ || !error_.ok()) return false;
    if (queue_.size() >= max_backlog) {
      queue_.clear();
      queue_.shrink_to_fit();
      error_ = Expired("watch closed: the consumer fell more than " +
                       std::to_string(max_backlog) + " events behind");
      *overflow = true;
      notify_pending_ = true;
      return true;  // one last wake-up so the consumer sees Error()
    }
    queue_.push_back(e);
    if (notify_pending_) return false;
    notify_pending_ = true;
    return true;
  }

  // Closes the watcher with `reason`; returns true when it should be woken.
  bool Close(const Status& reason) {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_ || !error_.ok()) return false;
    error_ = reason;
    notify_pending_ = true;
    return true;
  }

  size_t Poll(std::vector<WatchEvent>& out, size_t max) {
    std::lock_guard<std::mutex> l(mu_);
    notify_pending_ = false;
    size_t n = std::min(max, queue_.size());
    for (size_t i = 0; i < n; ++i) {
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    return n;
  }

  Status Error() const {
    std::lock_guard<std::mutex> l(mu_);
    return error_;
  }

  void CallNotify() {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stopped_ || !notify_) return;
      ++in_flight_;
    }
    tl_notifying.push_back(this);
    notify_();
    tl_notifying.pop_back();
    std::lock_guard<std::mutex> l(mu_);
    if (--in_flight_ == 0 && stopped_) idle_.notify_all();
  }

  // Marks stopped and waits until no callback runs on another thread.
  void Stop() {
    int own = static_cast<int>(std::count(tl_notifying.begin(), tl_notifying.end(), this));
    std::unique_lock<std::mutex> l(mu_);
    stopped_ = true;
    queue_.clear();
    idle_.wait(l, [&] { return in_flight_ <= own; });
  }

 private:
  const uint64_t id_;
  const std::string prefix_;
  const int64_t after_;  // events at or before this revision are not for this watcher
  const std::function<void()> notify_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::deque<WatchEvent> queue_;  // guarded by mu_
  Status error_;                  // guarded by mu_
  bool notify_pending_ = false;   // guarded by mu_: woken, not polled since
  bool stopped_ = false;          // guarded by mu_
  int in_flight_ = 0;             // guarded by mu_: callbacks running now
};

class WatchCache::Core {
 public:
  Core(size_t window, size_t max_backlog, int64_t start_revision)
      : capacity_(std::max<size_t>(window, 1)),
        max_backlog_(std::max<size_t>(max_backlog, 1)),
        revision_(start_revision),
        oldest_(start_revision) {}

  NotifyList Append(std::vector<WatchEvent> events) {
    NotifyList wake;
    std::lock_guard<std::mutex> l(mu_);
    for (auto& e : events) {
      assert(e.revision > revision_);
      revision_ = e.revision;
      for (auto it = watchers_.begin(); it != watchers_.end();) {
        WatchState& w = *it->second;
        bool overflow = false;
        if (w.Matches(e) && w.Push(e, max_backlog_, &overflow)) wake.push_back(it->second);
        it = overflow ? watchers_.erase(it) : std::next(it);
      }
      if (ring_.size() < capacity_) {
        ring_.push_back(std::move(e));
      } else {
        oldest_ = ring_[head_].revision;
        ring_[head_] = std::move(e);
        head_ = (head_ + 1) % capacity_;
      }
    }
    return wake;
  }

  StatusOr<std::shared_ptr<WatchState>> Register(const std::string& prefix, int64_t after,
                                                 std::function<void()> notify, bool* wake) {
    if (after < 0) return BadRequest("invalid resource version: " + std::to_string(after));
    std::lock_guard<std::mutex> l(mu_);
    if (!closed_.ok()) return closed_;
    if (after == 0) after = revision_;
    if (after < oldest_) {
      return Expired("too old resource version: " + std::to_string(after) + " (" +
                     std::to_string(oldest_) + ")");
    }
    auto state = std::make_shared<WatchState>(next_id_++, prefix, after, std::move(notify));
    // Replay: the ring is in revision order starting at head_; find the first event > after.
    size_t n = ring_.size();
    auto at = [&](size_t i) -> const WatchEvent& { return ring_[(head_ + i) % n]; };
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (at(mid).revision <= after) lo = mid + 1; else hi = mid;
    }
    *wake = false;
    for (size_t i = lo; i < n; ++i) {
      bool overflow = false;
      if (state->Matches(at(i)) && state->Push(at(i), max_backlog_, &overflow)) *wake = true;
      if (overflow) return state;  // closed already; not registered
    }
    watchers_.emplace(state->id(), state);
    return state;
  }

  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> l(mu_);
    watchers_.erase(id);
  }

  NotifyList Close(const Status& reason) {
    NotifyList wake;
    std::lock_guard<std::mutex> l(mu_);
    if (!closed_.ok()) return wake;
    closed_ = reason;
    for (auto& [id, w] : watchers_) {
      if (w->Close(reason)) wake.push_back(w);
    }
    watchers_.clear();
    return wake;
  }

  int64_t Revision() const {
    std::lock_guard<std::mutex> l(mu_);
    return revision_;
  }
  int64_t Oldest() const {
    std::lock_guard<std::mutex> l(mu_);
    return oldest_;
  }
  size_t WatcherCount() const {
    std::lock_guard<std::mutex> l(mu_);
    return watchers_.size();
  }

 private:
  const size_t capacity_;
  const size_t max_backlog_;

  mutable std::mutex mu_;
  std::vector<WatchEvent> ring_;  // guarded by mu_; oldest at head_ once full
  size_t head_ = 0;               // guarded by mu_
  int64_t revision_;              // guarded by mu_: newest appended
  int64_t oldest_;                // guarded by mu_: newest revision no longer in the ring
  uint64_t next_id_ = 1;          // guarded by mu_
  std::map<uint64_t, std::shared_ptr<WatchState>> watchers_;  // guarded by mu_
  Status closed_;                                             // guarded by mu_
};

namespace {
class CacheWatcher final : public Watcher {
 public:
  CacheWatcher(std::shared_ptr<WatchState> state, std::weak_ptr<WatchCache::Core> core)
      : state_(std::move(state)), core_(std::move(core)) {}
  ~CacheWatcher() override { Stop(); }

  size_t Poll(std::vector<WatchEvent>& out, size_t max) override {
    return state_->Poll(out, max);
  }
  Status Error() const override { return state_->Error(); }
  void Stop() override {
    state_->Stop();
    if (auto core = core_.lock()) core->Unregister(state_->id());
  }

 private:
  std::shared_ptr<WatchState> state_;
  std::weak_ptr<WatchCache::Core> core_;
};
}  // namespace

WatchCache::WatchCache(size_t window, size_t max_backlog, int64_t start_revision)
    : core_(std::make_shared<Core>(window, max_backlog, start_revision)) {}

WatchCache::~WatchCache() { Close(Status(Code::kServiceUnavailable, "store closed")); }

NotifyList WatchCache::Append(std::vector<WatchEvent> events) {
  return core_->Append(std::move(events));
}

void WatchCache::Notify(const NotifyList& list) {
  for (const auto& w : list) w->CallNotify();
}

StatusOr<std::unique_ptr<Watcher>> WatchCache::Watch(const std::string& prefix,
                                                      int64_t after_revision,
                                                      std::function<void()> notify) {
  bool wake = false;
  auto state = core_->Register(prefix, after_revision, std::move(notify), &wake);
  if (!state.ok()) return state.status();
  std::unique_ptr<Watcher> watcher = std::make_unique<CacheWatcher>(*state, core_);
  if (wake) (*state)->CallNotify();
  return watcher;
}

int64_t WatchCache::Revision() const { return core_->Revision(); }
int64_t WatchCache::OldestWatchableRevision() const { return core_->Oldest(); }
size_t WatchCache::WatcherCount() const { return core_->WatcherCount(); }

void WatchCache::Close(const Status& reason) { Notify(core_->Close(reason)); }

}  // namespace minik
