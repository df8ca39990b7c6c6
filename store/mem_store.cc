// MemStore: the Store contract in memory (minik start --ephemeral, tests).
//
// Concurrency: one mutex (mu_) guards the map and the revision. A write checks its
// preconditions, assigns the next revision and appends its event to the watch cache under
// mu_ (so events enter the cache in revision order), then wakes watchers after releasing it.
#include <map>
#include <mutex>

#include "store/list_at.h"
#include "store/watch_cache.h"
#include "store/write_op.h"

namespace minik {

namespace {

class MemStore final : public Store {
 public:
  explicit MemStore(const StoreOptions& options)
      : cache_(options, 0) {}

  StatusOr<KeyValue> Create(const std::string& key, std::string value) override {
    return Write(WriteOp{WriteKind::kCreate, key, std::move(value), 0});
  }

  StatusOr<KeyValue> Get(const std::string& key) override {
    MINIK_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard<std::mutex> l(mu_);
    auto it = data_.find(key);
    if (it == data_.end()) return Status(Code::kNotFound, "key \"" + key + "\" not found");
    return KeyValue{key, *it->second.value, it->second.create_revision, it->second.mod_revision};
  }

  StatusOr<ListResult> List(const ListOptions& options) override {
    if (options.limit < 0) return BadRequest("list limit must not be negative");
    if (options.revision < 0) return BadRequest("list revision must not be negative");
    ListResult result;
    std::lock_guard<std::mutex> l(mu_);
    result.revision = revision_;
    auto it = options.start_after.empty() || options.start_after < options.prefix
                  ? data_.lower_bound(options.prefix)
                  : data_.upper_bound(options.start_after);
    if (options.revision > revision_) return store::FutureRevision(options.revision, revision_);
    if (options.revision > 0 && options.revision < revision_) {
      // The cache holds every event up to revision_ (appended under mu_).
      auto past = cache_.StateAt(options.prefix, options.start_after, options.revision, revision_);
      if (!past.ok()) return past.status();
      result.revision = options.revision;
      struct Cursor {
        std::map<std::string, Record>::const_iterator it, end;
        const std::string& prefix;
        bool Valid() const { return it != end && it->first.compare(0, prefix.size(), prefix) == 0; }
        std::string_view Key() const { return it->first; }
        StatusOr<KeyValue> Take() const {
          return KeyValue{it->first, *it->second.value, it->second.create_revision,
                          it->second.mod_revision};
        }
        void Next() { ++it; }
      } cursor{it, data_.cend(), options.prefix};
      MINIK_RETURN_IF_ERROR(store::MergeAtRevision(cursor, *past, options.limit, &result));
      return result;
    }
    for (; it != data_.end(); ++it) {
      if (it->first.compare(0, options.prefix.size(), options.prefix) != 0) break;
      if (options.limit > 0 && static_cast<int64_t>(result.items.size()) == options.limit) {
        result.more = true;
        break;
      }
      result.items.push_back(
          KeyValue{it->first, *it->second.value, it->second.create_revision,
                   it->second.mod_revision});
    }
    return result;
  }

  StatusOr<KeyValue> Update(const std::string& key, std::string value,
                            int64_t expected_mod_revision) override {
    return Write(WriteOp{WriteKind::kUpdate, key, std::move(value), expected_mod_revision});
  }

  StatusOr<KeyValue> GuaranteedUpdate(const std::string& key, const UpdateFunc& fn,
                                      bool ignore_not_found) override {
    return RunGuaranteedUpdate(*this, key, fn, ignore_not_found);
  }

  StatusOr<KeyValue> Delete(const std::string& key, int64_t expected_mod_revision) override {
    return Write(WriteOp{WriteKind::kDelete, key, "", expected_mod_revision});
  }

  StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix, int64_t after_revision,
                                           std::function<void()> notify) override {
    return cache_.Watch(prefix, after_revision, std::move(notify));
  }

  int64_t CurrentRevision() override {
    std::lock_guard<std::mutex> l(mu_);
    return revision_;
  }

  int64_t OldestWatchableRevision() override { return cache_.OldestWatchableRevision(); }

 private:
  StatusOr<KeyValue> Write(WriteOp op) {
    MINIK_RETURN_IF_ERROR(ValidateKey(op.key));
    NotifyList wake;
    std::optional<StatusOr<KeyValue>> result;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = data_.find(op.key);
      const Record* current = it == data_.end() ? nullptr : &it->second;
      std::optional<Record> next;
      WatchEvent event{};
      std::string key = op.key;
      result.emplace(ApplyWrite(std::move(op), current, revision_ + 1, &next, &event));
      if (!result->ok()) return std::move(*result);
      ++revision_;
      if (next) {
        data_[key] = std::move(*next);
      } else {
        data_.erase(it);
      }
      std::vector<WatchEvent> events;
      events.push_back(std::move(event));
      wake = cache_.Append(std::move(events));
    }
    WatchCache::Notify(wake);
    return std::move(*result);
  }

  std::mutex mu_;
  std::map<std::string, Record> data_;  // guarded by mu_
  int64_t revision_ = 0;                // guarded by mu_
  WatchCache cache_;                    // Append() under mu_; Watch() from anywhere
};

}  // namespace

std::unique_ptr<Store> NewMemStore(const StoreOptions& options) {
  return std::make_unique<MemStore>(options);
}

}  // namespace minik
