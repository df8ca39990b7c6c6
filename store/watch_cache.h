// WatchCache: the bounded window of recent events shared by every Store implementation, and
// the fan-out of those events to watchers (Kubernetes' cacher/watch_cache.go, reduced).
//
// Contract:
// - Events enter through Append(), in strictly increasing revision order, from one writer at
//   a time (RocksStore: its committer thread; MemStore: under its mutex). The newest events
//   (at most `watch_window` of them and about `watch_window_bytes`) are kept in a ring
//   buffer for watches that resume from a revision.
// - Watch(prefix, after, notify) queues the buffered events with revision > `after` whose key
//   starts with `prefix`, then every matching event appended later. `after` 0 = from now.
//   A resume point that has left the window is Code::kGone:
//   "too old resource version: AFTER (OLDEST)".
// - Writers never wait for consumers: each watcher has its own queue. Append() only pushes
//   and collects the watchers to wake; Notify() then calls their `notify` callbacks, outside
//   the caller's locks: once per Append() for each watcher that got events. Wake-ups are not
//   coalesced across Append()s on purpose: a consumer that missed one (e.g. it polled before
//   its own wiring was ready) recovers at the next event. A consumer must Poll() until it
//   returns fewer than `max` events.
// - A watcher whose queue exceeds `watcher_max_backlog` (or its byte bound) is closed: its queue is dropped, Error()
//   turns Code::kGone, and it gets one last notify.
// - Watcher::Stop(): no notify runs after it returns, even one in flight on another thread
//   (it waits for it); calling Stop() from inside its own notify is allowed.
// - The cache may be destroyed before its watchers: they then report the Close() status.
//
// Threading: Append() is serialized by the caller; everything else may be called from any
// thread. Lock order: Core::mu_ before WatchState::mu_; notify callbacks run with no lock held.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace minik {

class WatchState;  // one watcher's queue and callback (watch_cache.cc)

// Watchers to wake after an Append(); pass to WatchCache::Notify() once no lock is held.
using NotifyList = std::vector<std::shared_ptr<WatchState>>;

class WatchCache {
 public:
  // Bounds come from `options` (watch_window*, watcher_max_backlog*). `start_revision`: the
  // store's revision when the cache starts (nothing older is watchable).
  WatchCache(const StoreOptions& options, int64_t start_revision);
  ~WatchCache();  // Close()s with "store closed" if not closed yet
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  // Adds events (revisions increasing, all > Revision()) to the window and to the queues of
  // matching watchers. Returns the watchers whose callbacks must be called via Notify().
  NotifyList Append(std::vector<WatchEvent> events);
  // Calls each watcher's callback (skipping stopped ones). Call with no lock held.
  static void Notify(const NotifyList& list);
  // Append() then Notify(): for callers that hold no lock.
  void Publish(std::vector<WatchEvent> events) { Notify(Append(std::move(events))); }

  // See the contract above. `notify` may run before Watch() returns (when replayed events are
  // queued, and for concurrent appends), on any thread; it must only signal, never block.
  StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix, int64_t after_revision,
                                           std::function<void()> notify);

  // For reads at a past revision (ListOptions::revision): the state at `revision` of every
  // key under `prefix` and > `start_after` that was written in (revision, upto], i.e. the
  // state just before its first write after `revision` (nullopt: the key did not exist).
  // Keys not in the result did not change in that range. Waits until the cache has been
  // appended up to `upto` (a RocksStore writer commits to the DB before it appends).
  // Code::kGone when events after `revision` have left the window; kBadRequest when
  // revision > upto.
  using PastState = std::map<std::string, std::optional<KeyValue>>;
  StatusOr<PastState> StateAt(const std::string& prefix, const std::string& start_after,
                              int64_t revision, int64_t upto) const;

  // The newest appended revision (or start_revision).
  int64_t Revision() const;
  // Watches may resume after this revision or any newer one.
  int64_t OldestWatchableRevision() const;
  // Number of live watchers (for tests and metrics).
  size_t WatcherCount() const;

  // Ends every watcher with `reason` (their queued events can still be polled) and makes
  // later Watch() calls fail with it. Idempotent.
  void Close(const Status& reason);

  class Core;  // shared with the watchers so they may outlive the cache

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace minik
