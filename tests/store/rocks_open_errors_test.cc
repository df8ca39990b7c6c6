// Opening a damaged, locked or inaccessible store: a clear one-line error naming the path,
// and the store's files left exactly as they were (never repaired, recreated or wiped).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "store/rocks_errors.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace minik {
namespace {

namespace fs = std::filesystem;
using minik::testing::TempDir;

std::string ReadAll(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteAll(const std::string& file, const std::string& data) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << data;
}

// The store's data files and their contents. LOCK (created empty by every open attempt) and
// RocksDB's own log files are not data.
std::map<std::string, std::string> Contents(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name == "LOCK" || name.rfind("LOG", 0) == 0) continue;
    out[name] = e.is_regular_file() ? ReadAll(e.path().string()) : "<dir>";
  }
  return out;
}

std::string FileEndingWith(const std::string& dir, const std::string& prefix,
                           const std::string& suffix) {
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return e.path().string();
    }
  }
  return "";
}

// A closed store at `path` holding a few keys, flushed into an SST file (so that there is a
// table to damage) with more writes in the WAL after it.
void MakeStore(const std::string& path) {
  {
    auto s = OpenRocksStore(path);
    ASSERT_TRUE(s.ok()) << s.status().message();
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE((*s)->Create("/k/" + std::to_string(i), std::string(100, 'v')).ok());
    }
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Options o;
  ASSERT_TRUE(rocksdb::DB::Open(o, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  ASSERT_TRUE(db->Close().ok());
  ASSERT_FALSE(FileEndingWith(path, "", ".sst").empty());
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Opens the damaged store at `path`, expects the "corrupt" error and the files untouched.
// `rocks_opens`: the damage is only found after RocksDB opened the store, which rewrites its
// OPTIONS file and starts a new MANIFEST and WAL; the data files are then compared.
void ExpectCorrupt(const std::string& path, bool rocks_opens = false) {
  auto before = Contents(path);
  auto s = OpenRocksStore(path);
  ASSERT_FALSE(s.ok()) << "a damaged store opened";
  const std::string& m = s.status().message();
  EXPECT_EQ(s.status().code(), Code::kInternal);
  EXPECT_TRUE(StartsWith(m, "the store at " + path + " is corrupt (")) << m;
  EXPECT_TRUE(EndsWith(m, "); it was left untouched: move it away or delete it")) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  if (rocks_opens) {
    auto after = Contents(path);
    for (const auto& [name, data] : before) {
      if (EndsWith(name, ".sst")) {
        EXPECT_EQ(after[name], data) << name << " changed";
      }
    }
  } else {
    EXPECT_EQ(Contents(path), before) << "the failed open changed the store's files";
  }
  // Still refused the second time: nothing was "fixed" by the first attempt.
  EXPECT_FALSE(OpenRocksStore(path).ok());
}

TEST(RocksOpenErrorsTest, GarbageInCurrent) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  WriteAll(path + "/CURRENT", "\x01garbage without a newline");
  ExpectCorrupt(path);
}

TEST(RocksOpenErrorsTest, CurrentNamesAMissingManifest) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  WriteAll(path + "/CURRENT", "MANIFEST-999999\n");
  ExpectCorrupt(path);
}

TEST(RocksOpenErrorsTest, TruncatedManifest) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  std::string manifest = path + "/" + ReadAll(path + "/CURRENT");
  manifest.pop_back();  // the newline
  ASSERT_TRUE(fs::exists(manifest)) << manifest;
  fs::resize_file(manifest, 20);
  ExpectCorrupt(path);
}

TEST(RocksOpenErrorsTest, TruncatedSst) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  std::string sst = FileEndingWith(path, "", ".sst");
  fs::resize_file(sst, fs::file_size(sst) / 2);
  ExpectCorrupt(path);
}

TEST(RocksOpenErrorsTest, GarbageSst) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  std::string sst = FileEndingWith(path, "", ".sst");
  WriteAll(sst, std::string(fs::file_size(sst), '\x5a'));  // same size, no valid block
  ExpectCorrupt(path);
}

TEST(RocksOpenErrorsTest, MissingCurrentIsNotAnEmptyStore) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  fs::remove(path + "/CURRENT");
  // RocksDB alone would create a fresh store here and delete the old files as obsolete.
  ExpectCorrupt(path);
  auto s = OpenRocksStore(path);
  EXPECT_NE(s.status().message().find("its CURRENT file is missing but "), std::string::npos)
      << s.status().message();
}

TEST(RocksOpenErrorsTest, BadRevisionRecord) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "m/revision", "short").ok());
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  ExpectCorrupt(path, /*rocks_opens=*/true);
  // The data is all still there.
  rocksdb::DB* raw = nullptr;
  rocksdb::Options o;
  o.create_if_missing = false;
  ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(o, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "m/revision", &value).ok());
  EXPECT_EQ(value, "short");
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "d/k/19", &value).ok());
}

TEST(RocksOpenErrorsTest, CorruptSstBlock) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  // The table's footer and index still parse, so RocksDB opens it; the block holding the
  // revision record fails its checksum when the store reads it.
  std::string sst = FileEndingWith(path, "", ".sst");
  std::string data = ReadAll(sst);
  ASSERT_GT(data.size(), 200u);
  for (size_t i = 40; i < 60; ++i) data[i] = static_cast<char>(data[i] ^ 0xff);
  WriteAll(sst, data);
  ExpectCorrupt(path, /*rocks_opens=*/true);
  auto s = OpenRocksStore(path);
  EXPECT_NE(s.status().message().find("Corruption: "), std::string::npos) << s.status().message();
}

TEST(RocksOpenErrorsTest, PathIsAFile) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  WriteAll(path, "not a store");
  auto s = OpenRocksStore(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "the store at " + path +
                                      " is not a directory; it was left untouched: move it "
                                      "away or delete it");
  EXPECT_EQ(ReadAll(path), "not a store");
}

TEST(RocksOpenErrorsTest, LockedByThisProcess) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  auto first = OpenRocksStore(path);
  ASSERT_TRUE(first.ok());
  auto second = OpenRocksStore(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kConflict);
  EXPECT_TRUE(StartsWith(second.status().message(),
                         "the store at " + path + " is in use by another process ("))
      << second.status().message();
  EXPECT_TRUE((*first)->Create("/still", "works").ok());
}

TEST(RocksOpenErrorsTest, LockedByAnotherProcess) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const std::string lock = path + "/LOCK";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Only async-signal-safe calls: the parent has threads. RocksDB locks with fcntl too.
    int fd = open(lock.c_str(), O_RDWR | O_CREAT, 0644);
    struct flock f {};
    f.l_type = F_WRLCK;
    f.l_whence = SEEK_SET;
    char ok = (fd >= 0 && fcntl(fd, F_SETLK, &f) == 0) ? 'y' : 'n';
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  auto s = OpenRocksStore(path);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_EQ(ok, 'y');
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kConflict);
  EXPECT_TRUE(
      StartsWith(s.status().message(), "the store at " + path + " is in use by another process ("))
      << s.status().message();
  EXPECT_TRUE(OpenRocksStore(path).ok()) << "the lock holder is gone";
}

TEST(RocksOpenErrorsTest, PermissionDenied) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  MakeStore(path);
  auto before = Contents(path);
  std::string expect_prefix = "the store at " + path + " cannot be opened (";
  if (geteuid() != 0) {
    fs::permissions(path, fs::perms::none);
    auto s = OpenRocksStore(path);
    fs::permissions(path, fs::perms::owner_all);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Code::kForbidden);
    EXPECT_TRUE(StartsWith(s.status().message(), expect_prefix)) << s.status().message();
    EXPECT_TRUE(EndsWith(s.status().message(), "; it was left untouched: check its permissions"))
        << s.status().message();
  } else {
    // Root ignores permissions: a read-only bind mount of the store refuses writes instead.
    if (mount(path.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      GTEST_SKIP() << "cannot bind-mount: " << strerror(errno);
    }
    bool ro = mount(nullptr, path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) == 0;
    auto s = ro ? OpenRocksStore(path) : StatusOr<std::unique_ptr<Store>>(Internal("skip"));
    umount(path.c_str());
    if (!ro) GTEST_SKIP() << "cannot remount read-only";
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Code::kForbidden) << s.status().message();
    EXPECT_TRUE(StartsWith(s.status().message(), expect_prefix)) << s.status().message();
  }
  EXPECT_EQ(Contents(path), before);
  EXPECT_TRUE(OpenRocksStore(path).ok());
}

// The classification of statuses that are hard to cause for real (RocksDB keeps errno only as
// text in its messages).
TEST(RocksOpenErrorsTest, ClassifiesRocksStatuses) {
  const std::string p = "/nowhere/store";
  auto lock = store::OpenError(p, rocksdb::Status::IOError("While lock file: /nowhere/store/LOCK",
                                                           "Resource temporarily unavailable"));
  EXPECT_EQ(lock.code(), Code::kConflict);
  auto open_lock = store::OpenError(
      p, rocksdb::Status::IOError("while open a file for lock: /nowhere/store/LOCK",
                                  "Permission denied"));
  EXPECT_EQ(open_lock.code(), Code::kForbidden) << open_lock.message();
  auto full = store::OpenError(p, rocksdb::Status::NoSpace("While appending", "x"));
  EXPECT_EQ(full.code(), Code::kServiceUnavailable);
  EXPECT_TRUE(
      StartsWith(full.message(), "the store at " + p + " cannot be opened: its disk is full ("));
  auto corrupt = store::OpenError(p, rocksdb::Status::Corruption("bad block"));
  EXPECT_EQ(corrupt.message(), "the store at " + p +
                                   " is corrupt (Corruption: bad block); it was left "
                                   "untouched: move it away or delete it");
  auto other = store::OpenError(p, rocksdb::Status::IOError("While reading", "I/O error"));
  EXPECT_EQ(other.code(), Code::kInternal);
  EXPECT_TRUE(EndsWith(other.message(), "; it was left untouched")) << other.message();

  EXPECT_EQ(store::WriteError(p, rocksdb::Status::NoSpace("While appending", "x")).message(),
            "the store's disk is full (/nowhere/store): write not done");
  auto failed = store::WriteError(p, rocksdb::Status::IOError("While appending", "I/O error"));
  EXPECT_EQ(failed.code(), Code::kInternal);
  EXPECT_EQ(failed.message(),
            "the store at /nowhere/store failed a write (IO error: While appending: I/O "
            "error): write not done");
}

}  // namespace
}  // namespace minik
