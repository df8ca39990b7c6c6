// CRI log reading: hand-written log files with partial lines, rotation, malformed records,
// the options of `kubectl logs`, follow mode, and tail of a 10 MB file.
#include "kubelet/cri_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

namespace minik {
namespace {

using namespace std::string_literals;

class CriLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/crilogXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/0.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& path, const std::string& text, bool append = false) {
    std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
    f << text;
  }
  std::string Read(const LogReadOptions& o = {}) {
    auto r = ReadCriLog(path_, o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : "<error>";
  }

  std::string dir_, path_;
};

SystemTime At(const std::string& rfc3339) {
  SystemTime t;
  EXPECT_TRUE(ParseRfc3339(rfc3339, &t));
  return t;
}

TEST_F(CriLogTest, FullAndPartialLines) {
  Write(path_,
        "2024-01-02T15:04:05.000000001Z stdout F hello\n"
        "2024-01-02T15:04:05.1Z stdout P part one, \n"
        "2024-01-02T15:04:05.2Z stderr F an error\n"
        "2024-01-02T15:04:05.3Z stdout P part two, \n"
        "2024-01-02T15:04:05.4Z stdout F end\n"
        "2024-01-02T15:04:06Z stdout F \n");
  EXPECT_EQ(Read(), "hello\nan error\npart one, part two, end\n\n");
}

TEST_F(CriLogTest, Timestamps) {
  Write(path_,
        "2024-01-02T15:04:05.123456789Z stdout F a\n"
        "2024-01-02T15:04:05.500000000Z stderr F b\n"
        "2024-01-02T15:04:06+00:00 stdout F c\n"
        "2024-01-02T17:04:07.25+02:00 stdout F d\n");
  LogReadOptions o;
  o.timestamps = true;
  EXPECT_EQ(Read(o),
            "2024-01-02T15:04:05.123456789Z a\n"
            "2024-01-02T15:04:05.5Z b\n"
            "2024-01-02T15:04:06Z c\n"
            "2024-01-02T15:04:07.25Z d\n");
}

TEST_F(CriLogTest, PartialLineKeepsTheFirstTimestamp) {
  Write(path_,
        "2024-01-02T15:04:05Z stdout P ab\n"
        "2024-01-02T15:04:09Z stdout F cd\n");
  LogReadOptions o;
  o.timestamps = true;
  EXPECT_EQ(Read(o), "2024-01-02T15:04:05Z abcd\n");
}

TEST_F(CriLogTest, MalformedRecordsAreSkipped) {
  Write(path_,
        "garbage\n"
        "\n"
        "2024-01-02T15:04:05Z stdout F ok1\n"
        "not-a-time stdout F x\n"
        "2024-01-02T15:04:05Z stdin F x\n"
        "2024-01-02T15:04:05Z stdout\n"
        "2024-01-02T15:04:05Z stdout F\n"
        "2024-13-02T15:04:05Z stdout F x\n"
        "2024-01-02T15:04:05Z stdout F:extra ok2\n"
        "\xff\xfe\x00 binary\n"
        "2024-01-02T15:04:06Z stderr F ok3\n"s);
  EXPECT_EQ(Read(), "ok1\nok2\nok3\n");
}

TEST_F(CriLogTest, IncompleteRecordsAreHeldBack) {
  Write(path_,
        "2024-01-02T15:04:05Z stdout F one\n"
        "2024-01-02T15:04:06Z stdout P waiting for\n"
        "2024-01-02T15:04:07Z stdout F no newl");
  EXPECT_EQ(Read(), "one\n");
}

TEST_F(CriLogTest, StreamFilters) {
  Write(path_,
        "2024-01-02T15:04:05Z stdout F out1\n"
        "2024-01-02T15:04:05Z stderr P err\n"
        "2024-01-02T15:04:05Z stdout F out2\n"
        "2024-01-02T15:04:05Z stderr F 1\n");
  LogReadOptions o;
  o.stdout_only = true;
  EXPECT_EQ(Read(o), "out1\nout2\n");
  o = {};
  o.stderr_only = true;
  EXPECT_EQ(Read(o), "err1\n");
}

TEST_F(CriLogTest, SinceAndLimitBytes) {
  Write(path_,
        "2024-01-02T15:04:05Z stdout F early\n"
        "2024-01-02T15:04:06Z stdout F at\n"
        "2024-01-02T15:04:07Z stdout F late\n");
  LogReadOptions o;
  o.since = At("2024-01-02T15:04:06Z");
  EXPECT_EQ(Read(o), "at\nlate\n");
  o = {};
  o.limit_bytes = 8;
  EXPECT_EQ(Read(o), "early\nat");
  o.limit_bytes = 0;
  EXPECT_EQ(Read(o), "");
  o = {};
  o.timestamps = true;
  o.limit_bytes = 10;
  EXPECT_EQ(Read(o), "2024-01-02");
}

TEST_F(CriLogTest, TailLines) {
  Write(path_,
        "2024-01-02T15:04:01Z stdout F 1\n"
        "2024-01-02T15:04:02Z stdout P 2a\n"
        "2024-01-02T15:04:02Z stderr F e\n"
        "2024-01-02T15:04:02Z stdout F 2b\n"
        "bad line\n"
        "2024-01-02T15:04:03Z stdout F 3\n");
  LogReadOptions o;
  o.tail_lines = 2;
  EXPECT_EQ(Read(o), "2a2b\n3\n");
  o.tail_lines = 3;
  EXPECT_EQ(Read(o), "e\n2a2b\n3\n");
  o.tail_lines = 100;
  EXPECT_EQ(Read(o), "1\ne\n2a2b\n3\n");
  o.tail_lines = 0;
  EXPECT_EQ(Read(o), "");
  o.tail_lines = 1;
  o.stderr_only = true;
  EXPECT_EQ(Read(o), "e\n");
  o = {};
  o.tail_lines = 2;
  o.since = At("2024-01-02T15:04:03Z");
  EXPECT_EQ(Read(o), "3\n");
}

TEST_F(CriLogTest, RotatedFileIsReadFirst) {
  Write(path_ + ".1",
        "2024-01-02T15:04:01Z stdout F old1\n"
        "2024-01-02T15:04:02Z stdout F old2\n"
        "2024-01-02T15:04:03Z stdout P split \n");
  Write(path_,
        "2024-01-02T15:04:04Z stdout F line\n"
        "2024-01-02T15:04:05Z stdout F new\n");
  EXPECT_EQ(Read(), "old1\nold2\nsplit line\nnew\n");
  LogReadOptions o;
  o.tail_lines = 2;
  EXPECT_EQ(Read(o), "split line\nnew\n");
  o.tail_lines = 3;
  EXPECT_EQ(Read(o), "old2\nsplit line\nnew\n");
  o.tail_lines = 10;
  EXPECT_EQ(Read(o), "old1\nold2\nsplit line\nnew\n");
  o.tail_lines = 1;
  EXPECT_EQ(Read(o), "new\n");
}

TEST_F(CriLogTest, MissingFileIsNotFound) {
  auto r = ReadCriLog(dir_ + "/nope.log", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  uint64_t off = 0;
  EXPECT_EQ(ReadCriLogFrom(dir_ + "/nope.log", &off, {}).status().code(), Code::kNotFound);
}

TEST_F(CriLogTest, EmptyFile) {
  Write(path_, "");
  EXPECT_EQ(Read(), "");
  LogReadOptions o;
  o.tail_lines = 5;
  EXPECT_EQ(Read(o), "");
}

TEST_F(CriLogTest, FollowReadsAppendedCompleteLines) {
  Write(path_, "2024-01-02T15:04:01Z stdout F a\n2024-01-02T15:04:02Z stdout F b\n");
  LogCursor off;
  LogReadOptions tail;
  tail.tail_lines = 1;
  auto first = ReadCriLog(path_, tail, &off);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "b\n");
  auto none = ReadCriLogFrom(path_, &off, {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");

  // A partial record and a half-written record are not returned until complete.
  Write(path_, "2024-01-02T15:04:03Z stdout P c1\n2024-01-02T15:04:03Z stderr F x\n2024-01", true);
  auto held = ReadCriLogFrom(path_, &off, {});
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(*held, "");
  Write(path_, "-02T15:04:04Z stdout F c2\n", true);
  auto done = ReadCriLogFrom(path_, &off, {});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, "x\nc1c2\n");
  EXPECT_EQ(off.offset, std::filesystem::file_size(path_));
}

TEST_F(CriLogTest, FollowAcrossRotation) {
  Write(path_, "2024-01-02T15:04:01Z stdout F a\n");
  LogCursor off;
  ASSERT_EQ(*ReadCriLogFrom(path_, &off, {}), "a\n");
  // More lines land in the old file, then it is rotated and a new one started.
  Write(path_, "2024-01-02T15:04:02Z stdout F b\n2024-01-02T15:04:03Z stdout F c\n", true);
  std::filesystem::rename(path_, path_ + ".1");
  Write(path_, "2024-01-02T15:04:04Z stdout F d\n");
  auto r = ReadCriLogFrom(path_, &off, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "b\nc\nd\n");
  EXPECT_EQ(off.offset, std::filesystem::file_size(path_));
}

TEST_F(CriLogTest, FollowByOffsetSeesATruncatedFile) {
  Write(path_, "2024-01-02T15:04:01Z stdout F aaaaaaaaaa\n2024-01-02T15:04:02Z stdout F b\n");
  uint64_t off = 0;
  ASSERT_EQ(*ReadCriLogFrom(path_, &off, {}), "aaaaaaaaaa\nb\n");
  std::filesystem::rename(path_, path_ + ".1");
  Write(path_, "2024-01-02T15:04:04Z stdout F c\n");
  EXPECT_EQ(*ReadCriLogFrom(path_, &off, {}), "c\n");
  EXPECT_EQ(off, std::filesystem::file_size(path_));
}

TEST_F(CriLogTest, FollowAfterAPlainReadWithoutTail) {
  Write(path_, "2024-01-02T15:04:01Z stdout F a\n2024-01-02T15:04:02Z stdout P b");
  LogCursor cur;
  EXPECT_EQ(*ReadCriLog(path_, {}, &cur), "a\n");
  Write(path_, "\n2024-01-02T15:04:03Z stdout F c\n", true);
  EXPECT_EQ(*ReadCriLogFrom(path_, &cur, {}), "bc\n");
}

TEST_F(CriLogTest, TailKeepsTheHeadOfAnInterleavedPartialLine) {
  Write(path_,
        "2024-01-02T15:04:01Z stderr F old\n"
        "2024-01-02T15:04:02Z stdout P head-\n"
        "2024-01-02T15:04:03Z stderr F e1\n"
        "2024-01-02T15:04:04Z stderr F e2\n"
        "2024-01-02T15:04:05Z stdout F tail\n");
  LogReadOptions o;
  o.tail_lines = 2;
  EXPECT_EQ(Read(o), "e2\nhead-tail\n");
  o.tail_lines = 3;
  EXPECT_EQ(Read(o), "e1\ne2\nhead-tail\n");
}

TEST_F(CriLogTest, FollowWithTimestampsAndStreams) {
  Write(path_, "2024-01-02T15:04:01.5Z stdout F a\n2024-01-02T15:04:02Z stderr F b\n");
  uint64_t off = 0;
  LogReadOptions o;
  o.timestamps = true;
  o.stderr_only = true;
  EXPECT_EQ(*ReadCriLogFrom(path_, &off, o), "2024-01-02T15:04:02Z b\n");
}

// Tail must equal the end of a full read, for random interleavings of both streams with
// partial records and malformed lines, across chunk boundaries and a rotated file.
TEST_F(CriLogTest, TailMatchesTheEndOfAFullRead) {
  std::mt19937 rng(42);
  auto random_text = [&](size_t max) {
    std::string t(rng() % max, 'a');
    for (char& c : t) c = static_cast<char>('a' + rng() % 26);
    return t;
  };
  auto random_log = [&](int records) {
    std::string out;
    for (int i = 0; i < records; ++i) {
      if (rng() % 50 == 0) {
        out += "junk " + random_text(30) + "\n";
        continue;
      }
      out += "2024-01-02T15:04:05." + std::to_string(100000 + i) + "Z ";
      out += rng() % 3 ? "stdout " : "stderr ";
      out += rng() % 3 ? "F " : "P ";
      out += random_text(rng() % 8 ? 100 : 3000) + "\n";
    }
    return out;
  };
  auto split = [](const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines.push_back(text.substr(start, nl - start + 1));
    }
    return lines;
  };
  for (int round = 0; round < 3; ++round) {
    if (round == 2) Write(path_ + ".1", random_log(2000));
    Write(path_, random_log(round == 0 ? 3000 : 800));
    for (int filter = 0; filter < 3; ++filter) {
      LogReadOptions base;
      base.stdout_only = filter == 1;
      base.stderr_only = filter == 2;
      std::vector<std::string> all = split(Read(base));
      ASSERT_GT(all.size(), 100u);
      for (int64_t n : {1, 2, 5, 37, 500, 1999, 100000}) {
        LogReadOptions o = base;
        o.tail_lines = n;
        size_t keep = std::min<size_t>(all.size(), static_cast<size_t>(n));
        std::string want;
        for (size_t i = all.size() - keep; i < all.size(); ++i) want += all[i];
        ASSERT_EQ(Read(o), want) << "round " << round << " filter " << filter << " n " << n;
      }
    }
  }
}

// A follower that polls while a writer appends at arbitrary byte boundaries (and rotates
// once) sees exactly the lines of a full read, in order, without repeats.
TEST_F(CriLogTest, FollowEqualsAFullReadWhateverTheWriteBoundaries) {
  std::mt19937 rng(7);
  std::string log;
  for (int i = 0; i < 3000; ++i) {
    log += "2024-01-02T15:04:05Z ";
    log += rng() % 2 ? "stdout " : "stderr ";
    log += rng() % 3 ? "F " : "P ";
    log += "r" + std::to_string(i) + (rng() % 40 ? "" : std::string(2000, 'z')) + "\n";
    if (rng() % 100 == 0) log += "malformed\n";
  }
  const size_t rotate_at = log.size() / 2 + 17;  // mid-record
  Write(path_, "");
  LogCursor cursor;
  std::string followed;
  for (size_t pos = 0; pos < log.size();) {
    size_t n = std::min<size_t>(1 + rng() % 3000, log.size() - pos);
    if (pos < rotate_at && pos + n >= rotate_at) {
      Write(path_, log.substr(pos, rotate_at - pos), true);
      std::filesystem::rename(path_, path_ + ".1");
      Write(path_, log.substr(rotate_at, pos + n - rotate_at));
    } else {
      Write(path_, log.substr(pos, n), true);
    }
    pos += n;
    if (rng() % 2) {
      auto r = ReadCriLogFrom(path_, &cursor, {});
      ASSERT_TRUE(r.ok()) << r.status().message();
      followed += *r;
    }
  }
  auto r = ReadCriLogFrom(path_, &cursor, {});
  ASSERT_TRUE(r.ok());
  followed += *r;
  EXPECT_EQ(followed, Read());
}

TEST_F(CriLogTest, TailOfALargeFileReadsOnlyItsEnd) {
  // ~10 MB: 100k records with one 100 KB partial-split line near the end.
  {
    std::ofstream f(path_);
    std::string pad(80, 'x');
    for (int i = 0; i < 100000; ++i) {
      f << "2024-01-02T15:04:05.123456789Z " << (i % 3 ? "stdout" : "stderr") << " F line " << i
        << ' ' << pad << '\n';
    }
    std::string big(20000, 'y');
    for (int i = 0; i < 5; ++i) f << "2024-01-02T15:04:06Z stdout P " << big << '\n';
    f << "2024-01-02T15:04:06Z stdout F !\n";
    f << "2024-01-02T15:04:07Z stdout F last\n";
  }
  ASSERT_GT(std::filesystem::file_size(path_), 10u << 20);
  LogReadOptions o;
  o.tail_lines = 3;
  auto start = std::chrono::steady_clock::now();
  auto r = ReadCriLog(path_, o);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok());
  std::string want = "line 99999 " + std::string(80, 'x') + "\n" + std::string(100000, 'y') +
                     "!\nlast\n";
  EXPECT_EQ(*r, want);
  EXPECT_LT(took, std::chrono::milliseconds(200));

  // The whole file reads too, and a plain read with a byte limit stops early.
  auto all = ReadCriLog(path_, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->substr(0, 7), "line 0 ");
  o = {};
  o.limit_bytes = 100;
  EXPECT_EQ(ReadCriLog(path_, o)->size(), 100u);
}

}  // namespace
}  // namespace minik
