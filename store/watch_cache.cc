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

// Approximate memory held by an event (the value and, when not shared, the previous value).
size_t EventBytes(const WatchEvent& e) {
  size_t n = sizeof(WatchEvent) + e.key.size() + (e.value ? e.value->size() : 0);
  if (e.prev_value && e.prev_value != e.value) n += e.prev_value->size();
  return n;
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
  // The last Append() that put this watcher on its wake list; guarded by Core::mu_.
  uint64_t woken_in_append = 0;
  bool Matches(const WatchEvent& e) const {
    return e.revision > after_ && HasPrefix(e.key, prefix_);
  }

  // Queues `e`. Returns true when the callback should be called. Sets *overflow when the
  // backlog limit closed the watcher (the caller unregisters it).
  bool Push(const WatchEvent& e, size_t max_backlog, size_t max_bytes, bool* overflow) {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_ || !error_.ok()) return false;
    size_t bytes = EventBytes(e);
    bool too_many = queue_.size() >= max_backlog;
    if (too_many || (!queue_.empty() && queued_bytes_ + bytes > max_bytes)) {
      queue_.clear();
      queue_.shrink_to_fit();
      queued_bytes_ = 0;
      error_ = Expired("watch closed: the consumer fell more than " +
                       (too_many ? std::to_string(max_backlog) + " events"
                                 : std::to_string(max_bytes) + " bytes") +
                       " behind");
      *overflow = true;
      return true;  // one last wake-up so the consumer sees Error()
    }
    queue_.push_back(e);
    queued_bytes_ += bytes;
    return true;
  }

  // Closes the watcher with `reason`; returns true when it should be woken.
  bool Close(const Status& reason) {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_ || !error_.ok()) return false;
    error_ = reason;
    return true;
  }

  size_t Poll(std::vector<WatchEvent>& out, size_t max) {
    std::lock_guard<std::mutex> l(mu_);
    size_t n = std::min(max, queue_.size());
    for (size_t i = 0; i < n; ++i) {
      queued_bytes_ -= EventBytes(queue_.front());
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
    queued_bytes_ = 0;
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
  size_t queued_bytes_ = 0;       // guarded by mu_: EventBytes() of queue_
  Status error_;                  // guarded by mu_
  bool stopped_ = false;          // guarded by mu_
  int in_flight_ = 0;             // guarded by mu_: callbacks running now
};

namespace {
// The newest events, oldest first, bounded by count and by EventBytes(). A circular buffer
// whose slots grow on demand up to the count bound (an idle store holds little). Unlocked.
class EventRing {
 public:
  EventRing(size_t max_events, size_t max_bytes)
      : max_events_(std::max<size_t>(max_events, 1)), max_bytes_(max_bytes) {}

  size_t size() const { return count_; }
  const WatchEvent& at(size_t i) const { return slots_[(head_ + i) % slots_.size()]; }

  // Appends `e`, then drops the oldest events while over a bound (never `e` itself).
  // Returns the revision of the newest dropped event, or 0 when none was dropped.
  int64_t Push(WatchEvent e) {
    int64_t dropped = 0;
    if (count_ == max_events_) dropped = PopOldest();
    if (count_ == slots_.size()) Grow();
    bytes_ += EventBytes(e);
    slots_[(head_ + count_) % slots_.size()] = std::move(e);
    ++count_;
    while (bytes_ > max_bytes_ && count_ > 1) dropped = PopOldest();
    return dropped;
  }

 private:
  int64_t PopOldest() {
    WatchEvent& e = slots_[head_];
    int64_t rev = e.revision;
    bytes_ -= EventBytes(e);
    e = WatchEvent{};  // release the values now
    head_ = (head_ + 1) % slots_.size();
    --count_;
    return rev;
  }

  void Grow() {
    std::vector<WatchEvent> bigger;
    bigger.reserve(std::min(max_events_, std::max<size_t>(16, slots_.size() * 2)));
    for (size_t i = 0; i < count_; ++i) {
      bigger.push_back(std::move(slots_[(head_ + i) % slots_.size()]));
    }
    bigger.resize(bigger.capacity());
    slots_ = std::move(bigger);
    head_ = 0;
  }

  const size_t max_events_;
  const size_t max_bytes_;
  std::vector<WatchEvent> slots_;
  size_t head_ = 0;   // index of the oldest event
  size_t count_ = 0;
  size_t bytes_ = 0;  // EventBytes() of the events held
};
}  // namespace

class WatchCache::Core {
 public:
  Core(const StoreOptions& o, int64_t start_revision)
      : max_backlog_(std::max<size_t>(o.watcher_max_backlog, 1)),
        max_backlog_bytes_(o.watcher_max_backlog_bytes),
        ring_(o.watch_window, o.watch_window_bytes),
        revision_(start_revision),
        oldest_(start_revision) {}

  NotifyList Append(std::vector<WatchEvent> events) {
    NotifyList wake;
    std::lock_guard<std::mutex> l(mu_);
    ++appends_;
    for (auto& e : events) {
      assert(e.revision > revision_);
      revision_ = e.revision;
      for (auto it = watchers_.begin(); it != watchers_.end();) {
        WatchState& w = *it->second;
        bool overflow = false;
        if (w.Matches(e) && w.Push(e, max_backlog_, max_backlog_bytes_, &overflow) &&
            w.woken_in_append != appends_) {
          w.woken_in_append = appends_;  // one wake-up per watcher per Append()
          wake.push_back(it->second);
        }
        it = overflow ? watchers_.erase(it) : std::next(it);
      }
      if (int64_t dropped = ring_.Push(std::move(e))) oldest_ = dropped;
    }
    if (catch_up_waiters_ > 0) appended_.notify_all();
    return wake;
  }

  StatusOr<WatchCache::PastState> StateAt(const std::string& prefix,
                                          const std::string& start_after, int64_t revision,
                                          int64_t upto) const {
    if (revision > upto) {
      return BadRequest("revision " + std::to_string(revision) + " is newer than " +
                        std::to_string(upto));
    }
    std::unique_lock<std::mutex> l(mu_);
    if (revision_ < upto) {
      ++catch_up_waiters_;
      appended_.wait(l, [&] { return revision_ >= upto || !closed_.ok(); });
      --catch_up_waiters_;
      if (revision_ < upto) return closed_;
    }
    if (revision < oldest_) {
      return Status(Code::kGone, "compacted: revision " + std::to_string(revision) +
                                     " is older than the oldest kept revision " +
                                     std::to_string(oldest_));
    }
    WatchCache::PastState out;
    size_t n = ring_.size();
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (ring_.at(mid).revision <= revision) lo = mid + 1; else hi = mid;
    }
    for (size_t i = lo; i < n; ++i) {
      const WatchEvent& e = ring_.at(i);
      if (e.revision > upto) break;
      if (!HasPrefix(e.key, prefix) || (!start_after.empty() && e.key <= start_after)) continue;
      auto [it, fresh] = out.try_emplace(e.key);
      if (!fresh) continue;  // the first write after `revision` tells the state at it
      if (e.type != EventType::kAdded && e.prev_value) {
        it->second = KeyValue{e.key, *e.prev_value, e.create_revision, e.prev_mod_revision};
      }
    }
    return out;
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
    // Replay: the ring is in revision order; find the first event > after.
    size_t n = ring_.size();
    auto at = [&](size_t i) -> const WatchEvent& { return ring_.at(i); };
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (at(mid).revision <= after) lo = mid + 1; else hi = mid;
    }
    *wake = false;
    for (size_t i = lo; i < n; ++i) {
      bool overflow = false;
      if (state->Matches(at(i)) &&
          state->Push(at(i), max_backlog_, max_backlog_bytes_, &overflow)) {
        *wake = true;
      }
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
    appended_.notify_all();
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
  const size_t max_backlog_;
  const size_t max_backlog_bytes_;

  mutable std::mutex mu_;
  mutable std::condition_variable appended_;  // StateAt() waiting for an Append()
  mutable int catch_up_waiters_ = 0;          // guarded by mu_
  EventRing ring_;                // guarded by mu_
  int64_t revision_;              // guarded by mu_: newest appended
  int64_t oldest_;                // guarded by mu_: newest revision no longer in the ring
  uint64_t next_id_ = 1;          // guarded by mu_
  uint64_t appends_ = 0;          // guarded by mu_: Append() calls so far
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

WatchCache::WatchCache(const StoreOptions& options, int64_t start_revision)
    : core_(std::make_shared<Core>(options, start_revision)) {}

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

StatusOr<WatchCache::PastState> WatchCache::StateAt(const std::string& prefix,
                                                   const std::string& start_after,
                                                   int64_t revision, int64_t upto) const {
  return core_->StateAt(prefix, start_after, revision, upto);
}

int64_t WatchCache::Revision() const { return core_->Revision(); }
int64_t WatchCache::OldestWatchableRevision() const { return core_->Oldest(); }
size_t WatchCache::WatcherCount() const { return core_->WatcherCount(); }

void WatchCache::Close(const Status& reason) { Notify(core_->Close(reason)); }

}  // namespace minik
