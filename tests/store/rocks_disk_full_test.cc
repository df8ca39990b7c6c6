// RocksStore on a full disk: failed writes leave nothing behind (no data, no watch events,
// no revision), reads keep working, writes work again once space is freed (no restart), and
// everything acknowledged survives a reopen. Runs on a small tmpfs, so it needs root (it
// skips otherwise, or when mount() is not allowed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace minik {
namespace {

using minik::testing::Collector;
using minik::testing::Opts;

constexpr size_t kValueSize = 64 << 10;
// The store refuses writes while less than 8 MiB (its reserve) would stay free. Leaving a new
// store 16 MiB means about 3.5 MiB of writes before it is "full" (RocksDB preallocates 4.4
// MiB for its WAL at the first write).
constexpr size_t kLeave = 16 << 20;

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    char tmpl[] = "/tmp/minik-disk-full-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
    dir_ = tmpl;
    if (mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=32m") != 0) {
      int err = errno;
      rmdir(dir_.c_str());
      dir_.clear();
      GTEST_SKIP() << "cannot mount a tmpfs: " << strerror(err);
    }
  }

  void TearDown() override {
    if (dir_.empty()) return;
    // Every store is closed by now; a lazy unmount only guards against a leaked fd.
    if (umount(dir_.c_str()) != 0) umount2(dir_.c_str(), MNT_DETACH);
    rmdir(dir_.c_str());
  }

  // Writes a ballast file that leaves `leave` bytes free on the tmpfs (0: fills it to the last
  // byte), with real data (tmpfs allocates it). Returns how many bytes were written.
  size_t FillLeaving(const std::string& name, size_t leave) {
    struct statvfs st;
    EXPECT_EQ(statvfs(dir_.c_str(), &st), 0);
    size_t free_bytes = static_cast<size_t>(st.f_bavail) * st.f_frsize;
    if (leave == 0) return WriteBallast(name, 0);
    EXPECT_GT(free_bytes, leave);
    return WriteBallast(name, free_bytes > leave ? free_bytes - leave : 0);
  }

  // Writes `bytes` of real data, or until the disk is full when `bytes` is 0.
  size_t WriteBallast(const std::string& name, size_t bytes) {
    int fd = open((dir_ + "/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    EXPECT_GE(fd, 0) << strerror(errno);
    std::string chunk(64 << 10, 'x');
    size_t written = 0;
    while (bytes == 0 || written < bytes) {
      size_t want = bytes == 0 ? chunk.size() : std::min(chunk.size(), bytes - written);
      ssize_t n = write(fd, chunk.data(), want);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    close(fd);
    return written;
  }

  void RemoveBallast(const std::string& name) {
    ASSERT_EQ(unlink((dir_ + "/" + name).c_str()), 0) << strerror(errno);
  }

  std::string dir_;
};

TEST_F(DiskFullTest, FailedWritesLeaveNoTraceAndWritesResumeOnceSpaceIsFreed) {
  const std::string path = dir_ + "/store";
  ASSERT_GT(FillLeaving("ballast", kLeave), 0u);
  const std::string full = "the store's disk is full (" + path + "): write not done";

  std::map<std::string, int64_t> acked;  // key -> mod_revision of its acknowledged create
  int64_t final_revision = 0;
  {
    auto opened = OpenRocksStore(path);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    std::unique_ptr<Store> store = std::move(*opened);
    Collector collector;
    auto watcher = store->Watch("/", 0, collector.Notify());
    ASSERT_TRUE(watcher.ok());

    // Several writers, so that failures hit whole commit groups.
    std::mutex mu;
    std::vector<std::string> errors;
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        const std::string value(kValueSize, static_cast<char>('a' + t));
        for (int i = 0; i < 200; ++i) {
          std::string key = "/k/" + std::to_string(t) + "/" + std::to_string(i);
          auto r = store->Create(key, value);
          std::lock_guard<std::mutex> l(mu);
          if (!r.ok()) {
            errors.push_back(r.status().message());
            EXPECT_EQ(r.status().code(), Code::kInternal);
            return;
          }
          acked[key] = r->mod_revision;
        }
      });
    }
    for (auto& w : writers) w.join();
    ASSERT_EQ(errors.size(), 4u) << "the disk never filled up";
    for (const auto& e : errors) EXPECT_EQ(e, full);
    ASSERT_FALSE(acked.empty());

    // The acknowledged writes took exactly the revisions 1..n; the failed ones took none.
    const int64_t n = static_cast<int64_t>(acked.size());
    std::set<int64_t> revisions;
    for (const auto& [key, rev] : acked) revisions.insert(rev);
    EXPECT_EQ(revisions.size(), acked.size());
    EXPECT_EQ(*revisions.begin(), 1);
    EXPECT_EQ(*revisions.rbegin(), n);
    EXPECT_EQ(store->CurrentRevision(), n);

    // Still full: a write fails again and changes nothing.
    auto again = store->Create("/again", "v");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().message(), full);
    EXPECT_EQ(store->CurrentRevision(), n);

    // Reads keep working while writes fail.
    for (const auto& [key, rev] : acked) {
      auto got = store->Get(key);
      ASSERT_TRUE(got.ok()) << key << ": " << got.status().message();
      EXPECT_EQ(got->mod_revision, rev);
      EXPECT_EQ(got->value.size(), kValueSize);
    }
    EXPECT_EQ(store->Get("/again").status().code(), Code::kNotFound);
    auto list = store->List(Opts("/"));
    ASSERT_TRUE(list.ok()) << list.status().message();
    EXPECT_EQ(list->items.size(), acked.size());
    EXPECT_EQ(list->revision, n);

    // Space comes back: the next write resumes the store, with the next revision.
    RemoveBallast("ballast");
    auto after = store->Create("/after", "v");
    ASSERT_TRUE(after.ok()) << after.status().message();
    EXPECT_EQ(after->mod_revision, n + 1);
    const std::string value(kValueSize, 'z');
    for (int i = 0; i < 8; ++i) {
      auto more = store->Create("/more/" + std::to_string(i), value);
      ASSERT_TRUE(more.ok()) << more.status().message();
      EXPECT_EQ(more->mod_revision, n + 2 + i);
      acked["/more/" + std::to_string(i)] = more->mod_revision;
    }
    acked["/after"] = n + 1;
    final_revision = n + 9;
    EXPECT_EQ(store->CurrentRevision(), final_revision);

    // The watcher saw exactly the acknowledged writes, in revision order: none of the
    // failed ones, and no revision twice.
    auto events = collector.WaitFor(**watcher, acked.size());
    ASSERT_EQ(events.size(), acked.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].revision, static_cast<int64_t>(i + 1));
      EXPECT_EQ(events[i].type, EventType::kAdded);
      auto it = acked.find(events[i].key);
      ASSERT_NE(it, acked.end()) << "event for a write that failed: " << events[i].key;
      EXPECT_EQ(it->second, events[i].revision);
    }
    std::vector<WatchEvent> extra;
    EXPECT_EQ((*watcher)->Poll(extra), 0u);
    EXPECT_TRUE((*watcher)->Error().ok());
  }

  // Everything acknowledged, and only that, survives a reopen.
  auto reopened = OpenRocksStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  std::unique_ptr<Store> store = std::move(*reopened);
  EXPECT_EQ(store->CurrentRevision(), final_revision);
  for (const auto& [key, rev] : acked) {
    auto got = store->Get(key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().message();
    EXPECT_EQ(got->mod_revision, rev);
  }
  auto list = store->List(Opts("/"));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), acked.size());
  auto next = store->Create("/next", "v");
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next->mod_revision, final_revision + 1);
}

TEST_F(DiskFullTest, UpdatesAndDeletesFailCleanlyToo) {
  const std::string path = dir_ + "/store";
  auto opened = OpenRocksStore(path);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  std::unique_ptr<Store> store = std::move(*opened);
  auto a = store->Create("/a", "1");
  auto b = store->Create("/b", "2");
  ASSERT_TRUE(a.ok() && b.ok());
  // The WAL is preallocated already: 9 MiB free allows about 1 MiB of new keys.
  ASSERT_GT(FillLeaving("ballast", 9 << 20), 0u);
  StatusOr<KeyValue> created = Internal("not tried");
  int64_t revision = store->CurrentRevision();
  for (int i = 0; i < 200; ++i) {
    created = store->Create("/fill/" + std::to_string(i), std::string(kValueSize, 'f'));
    if (!created.ok()) break;
    revision = created->mod_revision;
  }
  ASSERT_FALSE(created.ok());
  const std::string full = "the store's disk is full (" + path + "): write not done";
  EXPECT_EQ(created.status().message(), full);
  // While short of space every write checks: an update and a delete fail too, however small.
  auto updated = store->Update("/a", "1b", a->mod_revision);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().message(), full);
  const int64_t a_revision = a->mod_revision;
  auto deleted = store->Delete("/b");
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.status().message(), full);
  EXPECT_EQ(store->CurrentRevision(), revision);
  auto a_now = store->Get("/a");
  ASSERT_TRUE(a_now.ok());
  EXPECT_EQ(a_now->mod_revision, a_revision);
  EXPECT_EQ(a_now->value, "1");
  EXPECT_EQ(store->Get("/b")->value, "2");

  RemoveBallast("ballast");
  auto retried = store->Update("/a", "1b", a_revision);
  ASSERT_TRUE(retried.ok()) << retried.status().message();
  EXPECT_EQ(retried->mod_revision, revision + 1);
  auto deleted_now = store->Delete("/b");
  ASSERT_TRUE(deleted_now.ok()) << deleted_now.status().message();
  EXPECT_EQ(deleted_now->mod_revision, revision + 2);
  EXPECT_EQ(store->CurrentRevision(), revision + 2);
  EXPECT_EQ(store->Get("/b").status().code(), Code::kNotFound);
}

TEST_F(DiskFullTest, ClosedWhileFullReopensWithTheAcknowledgedWritesOnly) {
  const std::string path = dir_ + "/store";
  ASSERT_GT(FillLeaving("ballast", kLeave), 0u);
  std::map<std::string, int64_t> acked;
  {
    auto opened = OpenRocksStore(path);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    const std::string value(kValueSize, 'v');
    for (int i = 0; i < 200; ++i) {
      std::string key = "/k/" + std::to_string(i);
      auto r = (*opened)->Create(key, value);
      if (!r.ok()) break;
      acked[key] = r->mod_revision;
    }
    ASSERT_FALSE(acked.empty());
    ASSERT_LT(acked.size(), 200u) << "the disk never filled up";
  }
  RemoveBallast("ballast");
  auto reopened = OpenRocksStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  std::unique_ptr<Store> store = std::move(*reopened);
  const int64_t n = static_cast<int64_t>(acked.size());
  EXPECT_EQ(store->CurrentRevision(), n);
  auto list = store->List(Opts("/"));
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->items.size(), acked.size());
  for (const auto& kv : list->items) EXPECT_EQ(acked[kv.key], kv.mod_revision) << kv.key;
  auto next = store->Create("/next", "v");
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next->mod_revision, n + 1);
}

TEST_F(DiskFullTest, OpeningOnAFullDiskSaysSoAndLeavesNoHalfStore) {
  const std::string path = dir_ + "/store";
  FillLeaving("ballast", 0);
  auto opened = OpenRocksStore(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kServiceUnavailable);
  EXPECT_EQ(opened.status().message().rfind(
                "the store at " + path + " cannot be opened: its disk is full (", 0),
            0u)
      << opened.status().message();
  EXPECT_EQ(opened.status().message().find('\n'), std::string::npos);

  // Once there is space the same directory opens as a new store (not as a corrupt one).
  RemoveBallast("ballast");
  auto again = OpenRocksStore(path);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE((*again)->Create("/a", "1").ok());
}

}  // namespace
}  // namespace minik
