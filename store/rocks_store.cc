// RocksStore: the durable Store on RocksDB, with group commit.
//
// On-disk layout (one column family):
//   "d" + key   -> 16-byte header (create_revision, mod_revision: little-endian int64) + value
//   "m/revision"-> the global revision (8-byte little-endian), written in every batch, so it
//                  survives deleting the newest key and never goes backwards.
// Only current objects are kept; history lives in the watch cache window. A list at a past
// revision is a snapshot's keys with the window's later writes undone; a list cut by `limit`
// keeps its snapshot a while (Retain) so that its continuation reads it directly.
//
// Threads: writers enqueue a PendingOp and wait on its `done` flag. One committer thread
// owns revision assignment and all writes: it takes the whole queue, checks preconditions in
// order against the DB plus the earlier ops of the same group, writes one synced WriteBatch,
// appends the events to the watch cache, wakes the writers, then calls watch callbacks.
// Reads (Get/List) go straight to RocksDB from the caller's thread.
//
// A full disk. RocksDB 7.8 handles ENOSPC inside a write badly: Debian builds it with
// assertions, and a WAL writer that saw an error can be appended to again after a recovery,
// which aborts the process (found by rocks_disk_full_test). So the committer keeps RocksDB
// away from ENOSPC: before a group whose bytes take the total since the last check past
// kSpaceCheckEvery (and before every group while space is short) it reads the free space
// (statvfs, about one call per MiB written) and refuses the group while less than
// kSpaceReserve plus the group would remain: "the store's disk is full (P): write not done".
// The reserve covers flushing both memtables and the bytes between checks. Refused or failed
// groups leave nothing visible (RocksDB applies the memtable only after the WAL write): no
// events are appended and their revisions are reused. The first write after space comes back
// succeeds. If RocksDB still hits ENOSPC (another process filled the disk between checks),
// it stops writes with a background error and its own recovery (SstFileManager, every 5 s)
// resumes them once there is room. Reads keep working throughout.
// RocksDB's info log goes to minik's log (warnings and errors only), not to a LOG file in
// the store: on a full disk the file's failed append made RocksDB abort on its next line.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/log.h"
#include "store/list_at.h"
#include "store/rocks_errors.h"
#include "store/watch_cache.h"
#include "store/write_op.h"

namespace minik {

namespace {

constexpr char kRevisionKey[] = "m/revision";
constexpr size_t kHeaderSize = 16;

std::string DataKey(const std::string& key) { return "d" + key; }

void PutFixed64(std::string* out, int64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  out->append(buf, 8);
}

int64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return static_cast<int64_t>(v);
}

std::string EncodeRecord(const Record& r) {
  std::string out;
  out.reserve(kHeaderSize + r.value->size());
  PutFixed64(&out, r.create_revision);
  PutFixed64(&out, r.mod_revision);
  out.append(*r.value);
  return out;
}

StatusOr<KeyValue> DecodeKeyValue(std::string key, const rocksdb::Slice& raw) {
  if (raw.size() < kHeaderSize) return Internal("corrupt store record for key \"" + key + "\"");
  return KeyValue{std::move(key), std::string(raw.data() + kHeaderSize, raw.size() - kHeaderSize),
                  GetFixed64(raw.data()), GetFixed64(raw.data() + 8)};
}

Status FromRocks(const rocksdb::Status& s, const char* what) {
  return Internal(std::string("rocksdb ") + what + ": " + s.ToString());
}

// The smallest key greater than every key starting with `prefix` ("d..." is never all 0xff).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

// RocksDB's warnings and errors, as minik log lines; the rest (info, the options dump at
// HEADER level) is dropped. Called from any RocksDB thread.
class StoreLogger final : public rocksdb::Logger {
 public:
  StoreLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < rocksdb::InfoLogLevel::WARN_LEVEL || level > rocksdb::InfoLogLevel::FATAL_LEVEL) {
      return;
    }
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    LogLine(level == rocksdb::InfoLogLevel::WARN_LEVEL ? LogLevel::Warning : LogLevel::Error,
            "store")
        << "rocksdb: " << line;
  }
};

// Options chosen for a small resident footprint (the whole server idles under 40 MB).
rocksdb::Options SmallOptions() {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 4 << 20;
  o.max_write_buffer_number = 2;
  o.max_background_jobs = 2;
  o.max_open_files = 256;
  o.stats_dump_period_sec = 0;
  o.stats_persist_period_sec = 0;
  o.recycle_log_file_num = 0;
  o.max_total_wal_size = 16 << 20;
  o.target_file_size_base = 4 << 20;
  o.max_bytes_for_level_base = 32 << 20;
  o.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions t;
  t.no_block_cache = true;  // reads come from the OS page cache; no second copy in RSS
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.info_log = std::make_shared<StoreLogger>();
  return o;
}

struct PendingOp {
  explicit PendingOp(WriteOp o) : op(std::move(o)) {}
  WriteOp op;
  std::optional<StatusOr<KeyValue>> result;  // set by the committer before `done`
  std::atomic<bool> done{false};
};

class RocksStore final : public Store {
 public:
  RocksStore(std::string path, std::unique_ptr<rocksdb::DB> db, int64_t revision,
             const StoreOptions& options)
      : path_(std::move(path)),
        db_(std::move(db)),
        revision_(revision),
        cache_(options, revision) {
    committer_ = std::thread([this] { CommitLoop(); });
  }

  ~RocksStore() override {
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_one();
    committer_.join();  // drains what was queued before stopping_
    cache_.Close(Status(Code::kServiceUnavailable, "store closed"));
    {
      std::lock_guard<std::mutex> l(retained_mu_);
      retained_.clear();  // release the snapshots before the DB closes
    }
    db_->Close().PermitUncheckedError();
  }

  StatusOr<KeyValue> Create(const std::string& key, std::string value) override {
    return Submit(WriteOp{WriteKind::kCreate, key, std::move(value), 0});
  }

  StatusOr<KeyValue> Get(const std::string& key) override {
    MINIK_RETURN_IF_ERROR(ValidateKey(key));
    rocksdb::PinnableSlice raw;
    auto s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), DataKey(key), &raw);
    if (s.IsNotFound()) return Status(Code::kNotFound, "key \"" + key + "\" not found");
    if (!s.ok()) return FromRocks(s, "get");
    return DecodeKeyValue(key, raw);
  }

  StatusOr<ListResult> List(const ListOptions& options) override {
    if (options.limit < 0) return BadRequest("list limit must not be negative");
    if (options.revision < 0) return BadRequest("list revision must not be negative");
    std::shared_ptr<const rocksdb::Snapshot> snap;
    int64_t snap_revision = 0;
    if (options.revision > 0) snap = Retained(options.revision);
    if (snap) {
      snap_revision = options.revision;
    } else {
      snap = TakeSnapshot();
      auto rev = SnapshotRevision(snap.get());
      if (!rev.ok()) return rev.status();
      snap_revision = *rev;
    }
    if (options.revision > snap_revision) {
      return store::FutureRevision(options.revision, snap_revision);
    }
    ListResult result;
    result.revision = snap_revision;
    rocksdb::ReadOptions ro;
    ro.snapshot = snap.get();
    ro.fill_cache = false;
    ro.readahead_size = 1 << 20;  // sequential scan without a block cache: fewer, larger reads
    const std::string lower = DataKey(options.prefix);
    const std::string upper = PrefixEnd(lower);
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    std::string after;
    if (!options.start_after.empty() && options.start_after >= options.prefix) {
      after = DataKey(options.start_after);
      it->Seek(after);
      if (it->Valid() && it->key() == rocksdb::Slice(after)) it->Next();
    } else {
      it->Seek(lower);
    }
    if (options.revision > 0 && options.revision < snap_revision) {
      // Rebuild the past from the snapshot and the watch window's events since.
      auto past = cache_.StateAt(options.prefix, options.start_after, options.revision,
                                 snap_revision);
      if (!past.ok()) return past.status();
      result.revision = options.revision;
      struct Cursor {
        rocksdb::Iterator* it;
        bool Valid() const { return it->Valid(); }
        std::string_view Key() const {
          return std::string_view(it->key().data() + 1, it->key().size() - 1);
        }
        StatusOr<KeyValue> Take() const {
          return DecodeKeyValue(it->key().ToString().substr(1), it->value());
        }
        void Next() { it->Next(); }
      } cursor{it.get()};
      MINIK_RETURN_IF_ERROR(store::MergeAtRevision(cursor, *past, options.limit, &result));
    } else {
      for (; it->Valid(); it->Next()) {
        if (options.limit > 0 && static_cast<int64_t>(result.items.size()) == options.limit) {
          result.more = true;
          break;
        }
        auto kv = DecodeKeyValue(it->key().ToString().substr(1), it->value());
        if (!kv.ok()) return kv.status();
        result.items.push_back(std::move(*kv));
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "list");
    // A list cut by `limit` is likely continued at its revision: keep the snapshot a while.
    if (result.more && result.revision == snap_revision) Retain(snap_revision, std::move(snap));
    return result;
  }

  StatusOr<KeyValue> Update(const std::string& key, std::string value,
                            int64_t expected_mod_revision) override {
    return Submit(WriteOp{WriteKind::kUpdate, key, std::move(value), expected_mod_revision});
  }

  StatusOr<KeyValue> GuaranteedUpdate(const std::string& key, const UpdateFunc& fn,
                                      bool ignore_not_found) override {
    return RunGuaranteedUpdate(*this, key, fn, ignore_not_found);
  }

  StatusOr<KeyValue> Delete(const std::string& key, int64_t expected_mod_revision) override {
    return Submit(WriteOp{WriteKind::kDelete, key, "", expected_mod_revision});
  }

  StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix, int64_t after_revision,
                                           std::function<void()> notify) override {
    return cache_.Watch(prefix, after_revision, std::move(notify));
  }

  int64_t CurrentRevision() override { return revision_.load(std::memory_order_acquire); }
  int64_t OldestWatchableRevision() override { return cache_.OldestWatchableRevision(); }

 private:
  StatusOr<KeyValue> Submit(WriteOp op) {
    MINIK_RETURN_IF_ERROR(ValidateKey(op.key));
    // Shared with the committer: it may still be inside notify_one() when we return.
    auto pending = std::make_shared<PendingOp>(std::move(op));
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      if (stopping_) return Status(Code::kServiceUnavailable, "store closed");
      queue_.push_back(pending);
      // The committer only sleeps with an empty queue, so only the first push must wake it.
      if (queue_.size() == 1) queue_cv_.notify_one();
    }
    pending->done.wait(false, std::memory_order_acquire);
    return std::move(*pending->result);
  }

  void CommitLoop() {
    std::vector<std::shared_ptr<PendingOp>> group;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(queue_mu_);
        queue_cv_.wait(l, [&] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;  // stopping, and everything queued is done
        group.swap(queue_);
      }
      CommitGroup(group);
      group.clear();
    }
  }

  // Runs on the committer thread only.
  void CommitGroup(const std::vector<std::shared_ptr<PendingOp>>& group) {
    int64_t base = revision_.load(std::memory_order_relaxed);
    int64_t rev = base;
    // Key states as changed by earlier ops of this group (nullopt: deleted).
    std::unordered_map<std::string, std::optional<Record>> overlay;
    rocksdb::WriteBatch batch;
    std::vector<WatchEvent> events;
    std::vector<PendingOp*> written;
    for (const auto& p : group) {
      const std::string key = p->op.key;
      std::optional<Record> loaded;
      const Record* current = nullptr;
      if (auto it = overlay.find(key); it != overlay.end()) {
        if (it->second) current = &*it->second;
      } else {
        auto read = Load(key, &loaded);
        if (!read.ok()) {
          p->result.emplace(read);
          continue;
        }
        if (loaded) current = &*loaded;
      }
      std::optional<Record> next;
      WatchEvent event{};
      p->result.emplace(ApplyWrite(std::move(p->op), current, rev + 1, &next, &event));
      if (!p->result->ok()) continue;
      ++rev;
      if (next) {
        batch.Put(DataKey(key), EncodeRecord(*next));
      } else {
        batch.Delete(DataKey(key));
      }
      overlay[key] = std::move(next);
      events.push_back(std::move(event));
      written.push_back(p.get());
    }

    NotifyList wake;
    if (rev != base) {
      std::string rev_raw;
      PutFixed64(&rev_raw, rev);
      batch.Put(kRevisionKey, rev_raw);
      rocksdb::WriteOptions wo;
      wo.sync = true;
      const size_t bytes = batch.GetDataSize();
      rocksdb::Status s;
      if ((low_space_ || unchecked_bytes_ + bytes > kSpaceCheckEvery) && !HasRoomFor(bytes)) {
        s = rocksdb::Status::NoSpace("less than the store's reserve is free");
      } else {
        unchecked_bytes_ += bytes;
        s = db_->Write(wo, &batch);
      }
      if (s.ok()) {
        revision_.store(rev, std::memory_order_release);
        wake = cache_.Append(std::move(events));
      } else {
        // Nothing of the batch is visible; the revisions are reused by the next group.
        Status failed = store::WriteError(path_, s);
        for (PendingOp* p : written) p->result.emplace(failed);
      }
    }
    for (const auto& p : group) {
      p->done.store(true, std::memory_order_release);
      p->done.notify_one();
    }
    WatchCache::Notify(wake);
  }

  // Committer thread only. False when the disk holding the store has less than
  // kSpaceReserve + `bytes` free; then every later group checks again until there is room.
  bool HasRoomFor(size_t bytes) {
    struct statvfs st;
    if (::statvfs(path_.c_str(), &st) != 0) return true;  // cannot tell: let RocksDB try
    const uint64_t free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    low_space_ = free_bytes < kSpaceReserve + bytes;
    if (!low_space_) unchecked_bytes_ = 0;
    return !low_space_;
  }

  std::shared_ptr<const rocksdb::Snapshot> TakeSnapshot() {
    rocksdb::DB* db = db_.get();
    return std::shared_ptr<const rocksdb::Snapshot>(
        db->GetSnapshot(), [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
  }

  StatusOr<int64_t> SnapshotRevision(const rocksdb::Snapshot* snap) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    std::string raw;
    auto s = db_->Get(ro, kRevisionKey, &raw);
    if (s.IsNotFound()) return int64_t{0};
    if (!s.ok()) return FromRocks(s, "get revision");
    if (raw.size() != 8) return Internal("corrupt store revision");
    return GetFixed64(raw.data());
  }

  // Snapshots kept for continued lists: at most kMaxRetained, each until kRetainFor after its
  // last use. They pin old versions in RocksDB (disk, not memory) only while kept.
  static constexpr size_t kMaxRetained = 8;
  static constexpr std::chrono::seconds kRetainFor{300};
  struct RetainedSnapshot {
    std::shared_ptr<const rocksdb::Snapshot> snapshot;
    std::chrono::steady_clock::time_point expires;
  };

  std::shared_ptr<const rocksdb::Snapshot> Retained(int64_t revision) {
    std::lock_guard<std::mutex> l(retained_mu_);
    auto now = std::chrono::steady_clock::now();
    ExpireRetained(now);
    auto it = retained_.find(revision);
    if (it == retained_.end()) return nullptr;
    it->second.expires = now + kRetainFor;
    return it->second.snapshot;
  }

  void Retain(int64_t revision, std::shared_ptr<const rocksdb::Snapshot> snap) {
    std::lock_guard<std::mutex> l(retained_mu_);
    auto now = std::chrono::steady_clock::now();
    ExpireRetained(now);
    auto& slot = retained_[revision];
    if (!slot.snapshot) slot.snapshot = std::move(snap);
    slot.expires = now + kRetainFor;
    while (retained_.size() > kMaxRetained) {
      auto oldest = retained_.begin();
      for (auto i = retained_.begin(); i != retained_.end(); ++i) {
        if (i->second.expires < oldest->second.expires) oldest = i;
      }
      retained_.erase(oldest);
    }
  }

  void ExpireRetained(std::chrono::steady_clock::time_point now) {
    for (auto i = retained_.begin(); i != retained_.end();) {
      i = i->second.expires <= now ? retained_.erase(i) : std::next(i);
    }
  }

  // Reads the current record of `key` from the DB into *out (nullopt when absent).
  Status Load(const std::string& key, std::optional<Record>* out) {
    rocksdb::PinnableSlice raw;
    auto s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), DataKey(key), &raw);
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return FromRocks(s, "get");
    auto kv = DecodeKeyValue(key, raw);
    if (!kv.ok()) return kv.status();
    *out = Record{std::make_shared<const std::string>(std::move(kv->value)), kv->create_revision,
                  kv->mod_revision};
    return Status::Ok();
  }

  // Free space checks (see the top of this file); the state is the committer thread's.
  static constexpr uint64_t kSpaceCheckEvery = 1 << 20;
  static constexpr uint64_t kSpaceReserve = 8 << 20;  // 2 memtables (write_buffer_size 4 MiB)
  uint64_t unchecked_bytes_ = kSpaceCheckEvery;  // written since the last check (first: now)
  bool low_space_ = false;        // the last check found too little room

  const std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::mutex retained_mu_;
  std::map<int64_t, RetainedSnapshot> retained_;  // guarded by retained_mu_
  std::atomic<int64_t> revision_;  // newest committed; written by the committer only
  WatchCache cache_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<std::shared_ptr<PendingOp>> queue_;  // guarded by queue_mu_
  bool stopping_ = false;          // guarded by queue_mu_
  std::thread committer_;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenRocksStore(const std::string& path,
                                                const StoreOptions& options) {
  MINIK_RETURN_IF_ERROR(store::CheckNotHeadless(path));
  // RocksDB would create it too, but logs an error first when it is missing. Any failure
  // here (a file in the way, no permission) is reported by the open below.
  ::mkdir(path.c_str(), 0755);
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(SmallOptions(), path, &raw);
  if (!s.ok()) return store::OpenError(path, s);
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string rev_raw;
  int64_t revision = 0;
  s = db->Get(rocksdb::ReadOptions(), kRevisionKey, &rev_raw);
  if (s.ok()) {
    if (rev_raw.size() != 8) {
      return store::CorruptStore(path, "its revision record has " +
                                           std::to_string(rev_raw.size()) + " bytes, not 8");
    }
    revision = GetFixed64(rev_raw.data());
  } else if (!s.IsNotFound()) {
    return store::OpenError(path, s);
  }
  return std::unique_ptr<Store>(
      std::make_unique<RocksStore>(path, std::move(db), revision, options));
}

}  // namespace minik
