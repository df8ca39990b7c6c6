// Object watches over store watches: decoding, selector filtering (an object leaving the
// selector is DELETED for this watcher, entering it is ADDED, as upstream's cacher does),
// the ADDED replay for resourceVersion 0, and timeoutSeconds.
//
// Threads: Poll/Error/Stop are called by the consumer; the store calls `OnStoreEvent` from
// its committer thread; the timeout thread fires deadlines. `mu_` guards the state all three
// touch; `notify_` is only called with `mu_` held and never after Stop().
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "apiserver/registry_internal.h"

namespace minik::registry {

namespace {

class ObjectWatcherImpl;

// One thread that ends watches whose timeoutSeconds ran out.
class WatchTimeouts {
 public:
  static WatchTimeouts& Get() {
    // Process-wide helper thread, created on first use and never destroyed (so it can
    // outlive every registry); holds only weak references.
    static WatchTimeouts* timeouts = new WatchTimeouts();
    return *timeouts;
  }
  void Schedule(SteadyTime deadline, std::weak_ptr<ObjectWatcherImpl> watcher);

 private:
  WatchTimeouts() : thread_([this] { Run(); }) { thread_.detach(); }
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<SteadyTime, std::weak_ptr<ObjectWatcherImpl>> deadlines_;
  std::thread thread_;
};

class ObjectWatcherImpl final : public ObjectWatcher,
                                public std::enable_shared_from_this<ObjectWatcherImpl> {
 public:
  ObjectWatcherImpl(Filter filter, std::vector<ObjectEvent> initial,
                    std::function<void()> notify)
      : filter_(std::move(filter)),
        initial_(std::make_move_iterator(initial.begin()), std::make_move_iterator(initial.end())),
        notify_(std::move(notify)) {}

  void Attach(std::unique_ptr<Watcher> store_watcher) {
    std::lock_guard lock(mu_);
    store_watcher_ = std::move(store_watcher);
  }

  size_t Poll(std::vector<ObjectEvent>& out, size_t max) override {
    std::lock_guard lock(mu_);
    size_t n = 0;
    while (!initial_.empty() && n < max) {
      out.push_back(std::move(initial_.front()));
      initial_.pop_front();
      ++n;
    }
    if (n >= max || !store_watcher_ || timed_out_) return n;
    std::vector<WatchEvent> events;
    store_watcher_->Poll(events, max - n);
    for (WatchEvent& ev : events) {
      if (Convert(ev, out)) ++n;
    }
    return n;
  }

  Status Error() const override {
    if (timed_out_) return Status(Code::kTimeout, "watch timeout reached");
    std::lock_guard lock(mu_);
    if (!store_watcher_) return Status::Ok();
    return store_watcher_->Error();
  }

  void Stop() override {
    {
      std::lock_guard lock(notify_mu_);
      stopped_ = true;
      notify_ = nullptr;
    }
    std::unique_ptr<Watcher> w;
    {
      std::lock_guard lock(mu_);
      w = std::move(store_watcher_);
    }
    if (w) w->Stop();
  }

  // Store side: forwards the wake-up unless stopped. Takes only notify_mu_, never mu_, so a
  // store calling this under its own locks cannot deadlock with Poll.
  void Wake() {
    std::lock_guard lock(notify_mu_);
    if (!stopped_ && notify_) notify_();
  }

  void TimeOut() {
    timed_out_ = true;
    Wake();
  }

  bool HasInitial() {
    std::lock_guard lock(mu_);
    return !initial_.empty();
  }

 private:
  // Store event -> object event for this watcher; false when it is filtered out.
  bool Convert(const WatchEvent& ev, std::vector<ObjectEvent>& out) {
    auto decode = [&](const std::shared_ptr<const std::string>& bytes) -> std::optional<Json> {
      if (!bytes) return std::nullopt;
      auto obj = Decode(*bytes, ev.revision);
      if (!obj.ok()) return std::nullopt;
      return std::move(*obj);
    };
    switch (ev.type) {
      case EventType::kAdded: {
        auto obj = decode(ev.value);
        if (!obj || !filter_.Matches(*obj)) return false;
        out.push_back({"ADDED", std::move(*obj)});
        return true;
      }
      case EventType::kModified: {
        auto obj = decode(ev.value);
        if (!obj) return false;
        bool now = filter_.Matches(*obj);
        bool before = now;
        if (!filter_.labels.Empty() || !filter_.fields.Empty()) {
          auto old = decode(ev.prev_value);
          before = old && filter_.Matches(*old);
        }
        if (now && before) out.push_back({"MODIFIED", std::move(*obj)});
        else if (now) out.push_back({"ADDED", std::move(*obj)});
        else if (before) out.push_back({"DELETED", std::move(*obj)});
        else return false;
        return true;
      }
      case EventType::kDeleted: {
        auto obj = decode(ev.prev_value ? ev.prev_value : ev.value);
        if (!obj || !filter_.Matches(*obj)) return false;
        out.push_back({"DELETED", std::move(*obj)});
        return true;
      }
    }
    return false;
  }

  Filter filter_;
  mutable std::mutex mu_;  // guards initial_, store_watcher_
  std::deque<ObjectEvent> initial_;
  std::unique_ptr<Watcher> store_watcher_;
  std::mutex notify_mu_;  // guards notify_, stopped_
  std::function<void()> notify_;
  bool stopped_ = false;
  std::atomic<bool> timed_out_{false};
};

void WatchTimeouts::Schedule(SteadyTime deadline, std::weak_ptr<ObjectWatcherImpl> watcher) {
  std::lock_guard lock(mu_);
  deadlines_.emplace(deadline, std::move(watcher));
  cv_.notify_one();
}

void WatchTimeouts::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (deadlines_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = deadlines_.begin();
    if (std::chrono::steady_clock::now() < first->first) {
      cv_.wait_until(lock, first->first);
      continue;
    }
    auto watcher = first->second.lock();
    deadlines_.erase(first);
    lock.unlock();
    if (watcher) watcher->TimeOut();
    lock.lock();
  }
}

// Keeps the watcher alive only as long as its owner does; the store's notify holds a weak
// reference so a late wake-up after the owner dropped it is harmless.
class OwnedWatcher final : public ObjectWatcher {
 public:
  explicit OwnedWatcher(std::shared_ptr<ObjectWatcherImpl> impl) : impl_(std::move(impl)) {}
  ~OwnedWatcher() override { impl_->Stop(); }
  size_t Poll(std::vector<ObjectEvent>& out, size_t max) override { return impl_->Poll(out, max); }
  Status Error() const override { return impl_->Error(); }
  void Stop() override { impl_->Stop(); }

 private:
  std::shared_ptr<ObjectWatcherImpl> impl_;
};

}  // namespace

StatusOr<std::unique_ptr<ObjectWatcher>> NewObjectWatcher(Store& store, Clock& clock,
                                                          const ResourceInfo& info,
                                                          const std::string& ns, Filter filter,
                                                          const ListQuery& query,
                                                          std::vector<ObjectEvent> initial,
                                                          int64_t after_revision,
                                                          std::function<void()> notify) {
  (void)clock;
  auto impl = std::make_shared<ObjectWatcherImpl>(std::move(filter), std::move(initial),
                                                  std::move(notify));
  std::weak_ptr<ObjectWatcherImpl> weak = impl;
  auto store_watcher = store.Watch(StoragePrefix(info, ns), after_revision, [weak] {
    if (auto w = weak.lock()) w->Wake();
  });
  if (!store_watcher.ok()) {
    if (store_watcher.status().code() == Code::kGone) return Expired(store_watcher.status().message());
    return store_watcher.status();
  }
  impl->Attach(std::move(*store_watcher));
  if (query.timeout_seconds > 0) {
    // Watch deadlines are wall-clock bounds on an HTTP stream, so they use real time.
    WatchTimeouts::Get().Schedule(
        std::chrono::steady_clock::now() + std::chrono::seconds(query.timeout_seconds), weak);
  }
  // The store may have replayed events (and notified) before Attach: wake the consumer so
  // it polls them now rather than at the next write.
  impl->Wake();
  return std::unique_ptr<ObjectWatcher>(new OwnedWatcher(std::move(impl)));
}

}  // namespace minik::registry
