// Store: the storage contract of minik, modelled on Kubernetes' storage.Interface over etcd3.
//
// Keys are byte strings ("/registry/configmaps/default/c1"); values are opaque bytes (JSON
// objects, without metadata.resourceVersion, which callers derive from `mod_revision`).
// Every successful write gets the next value of one global, strictly increasing revision;
// a key's `mod_revision` is the revision of its last write. Revisions start at 1.
//
// Durability: when a write returns OK it is durable (synced WAL) unless the store was opened
// ephemeral. Concurrent writers are group-committed.
//
// Watch: a watch cache keeps the most recent events (a bounded window) and fans them out to
// any number of watchers without blocking writers. A watch that starts at a revision older
// than the window fails with Code::kGone ("too old resource version: R (OLDEST)").
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
};

struct ListOptions {
  std::string prefix;       // list keys starting with prefix
  std::string start_after;  // continue: return keys > start_after (empty: from the beginning)
  int64_t limit = 0;        // 0: no limit
  // Read the keys as they were at this revision (etcd's Range WithRev), 0 = the current state.
  // Every revision since OldestWatchableRevision() is readable (rebuilt from the watch
  // window's events); an older one MAY still be readable (RocksStore keeps a snapshot at the
  // revision of a list cut by `limit` for a while) and otherwise is Code::kGone
  // ("compacted: revision R is older than the oldest kept revision O"). A revision newer
  // than CurrentRevision() is Code::kTimeout ("too large resource version: R, current: C").
  int64_t revision = 0;
};

struct ListResult {
  std::vector<KeyValue> items;
  int64_t revision = 0;  // the store revision the list reflects (= options.revision if set)
  bool more = false;     // true when `limit` cut the list; continue after items.back().key
};

enum class EventType { kAdded, kModified, kDeleted };

struct WatchEvent {
  EventType type;
  int64_t revision;  // the revision of this write
  std::string key;
  // ADDED/MODIFIED: the new value. DELETED: the value just before deletion
  // (with its create_revision; mod_revision of the deleted object is `revision`).
  std::shared_ptr<const std::string> value;
  std::shared_ptr<const std::string> prev_value;  // MODIFIED/DELETED: the value before
  int64_t create_revision = 0;
  int64_t prev_mod_revision = 0;  // MODIFIED/DELETED: the mod_revision of prev_value
};

// A live watch. Events arrive in revision order. The store calls `notify` (set at Watch())
// from a writer thread whenever new events may be available; it must not block. The
// consumer then drains with Poll(). A watcher that falls more than a bounded number of
// events behind is closed by the store (Poll returns kGone-like status via Error()).
// Replayed events (after_revision older than now) are queued before Watch() returns, and
// `notify` may run before Watch() returns (for them, or for concurrent writes): Poll once
// right after Watch() returns rather than relying on a later notify. `notify` is called
// once per committed group of writes while events are pending (not coalesced), so a
// missed wake-up is made up for by the next event. Poll until it returns fewer than `max`.
class Watcher {
 public:
  virtual ~Watcher() = default;
  // Moves up to `max` pending events into `out`; returns how many. Non-blocking.
  virtual size_t Poll(std::vector<WatchEvent>& out, size_t max = 1024) = 0;
  // Non-OK once the watch has ended on the store side (overflow, store closing).
  virtual Status Error() const = 0;
  // Stops delivery; `notify` is never called after Stop() returns.
  virtual void Stop() = 0;
};

// A precondition/transform for GuaranteedUpdate. Called with the current value (nullptr when
// the key does not exist); returns the new value, or an error that aborts the update.
// May be called more than once (on conflicts); must not have side effects.
using UpdateFunc = std::function<StatusOr<std::string>(const KeyValue* current)>;

class Store {
 public:
  virtual ~Store() = default;

  // Creates `key`; Code::kAlreadyExists if it exists. Returns the stored KeyValue.
  virtual StatusOr<KeyValue> Create(const std::string& key, std::string value) = 0;

  // Code::kNotFound if absent.
  virtual StatusOr<KeyValue> Get(const std::string& key) = 0;

  virtual StatusOr<ListResult> List(const ListOptions& options) = 0;

  // Writes `value` only if the key's mod_revision is still `expected_mod_revision`
  // (Code::kConflict otherwise; Code::kNotFound if the key is gone).
  virtual StatusOr<KeyValue> Update(const std::string& key, std::string value,
                                    int64_t expected_mod_revision) = 0;

  // Read-modify-write with retries on concurrent modification, like the apiserver's
  // GuaranteedUpdate. When `fn` returns exactly the current bytes, nothing is written
  // and the current KeyValue is returned (a no-op update keeps the resourceVersion).
  // With `ignore_not_found` false a missing key is Code::kNotFound; with true, `fn`
  // receives nullptr and the key is created.
  virtual StatusOr<KeyValue> GuaranteedUpdate(const std::string& key, const UpdateFunc& fn,
                                              bool ignore_not_found = false) = 0;

  // Deletes `key`. `expected_mod_revision` 0 = unconditional; otherwise Code::kConflict on
  // mismatch. Returns the deleted KeyValue (mod_revision = the deletion's revision).
  virtual StatusOr<KeyValue> Delete(const std::string& key, int64_t expected_mod_revision = 0) = 0;

  // Watches keys under `prefix` for events with revision > `after_revision`.
  // `after_revision` 0 means "from now". Code::kGone if events after `after_revision`
  // are no longer in the window.
  virtual StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix,
                                                   int64_t after_revision,
                                                   std::function<void()> notify) = 0;

  // The newest committed revision.
  virtual int64_t CurrentRevision() = 0;

  // The oldest revision a watch may resume after (older gives kGone).
  virtual int64_t OldestWatchableRevision() = 0;
};

struct StoreOptions {
  size_t watch_window = 10000;       // events kept for watch resumption
  size_t watcher_max_backlog = 100000;  // events a slow watcher may lag before it is closed
  // Byte bounds beside the counts above, so large objects cannot blow up memory: the window
  // also drops its oldest events past `watch_window_bytes`, and a watcher is also closed when
  // its queued events exceed `watcher_max_backlog_bytes` (one event is always accepted).
  size_t watch_window_bytes = 4 << 20;
  size_t watcher_max_backlog_bytes = 64 << 20;
};

// RocksDB-backed durable store in directory `path` (created if needed).
StatusOr<std::unique_ptr<Store>> OpenRocksStore(const std::string& path,
                                                const StoreOptions& options = {});
// In-memory store: the same semantics, nothing on disk (minik start --ephemeral, tests).
std::unique_ptr<Store> NewMemStore(const StoreOptions& options = {});

}  // namespace minik
