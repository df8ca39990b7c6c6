// LogFollower (kubelet/log_follow.h) over CRI logs written by the runtime's CriLogWriter or
// by hand: following, rotation, partial lines, the end, timestamps, tail, limitBytes, raw
// (attach) mode and a prompt stop.
#include "kubelet/log_follow.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "kubelet/runtime/cri_log.h"

namespace minik {
namespace {

using Steady = std::chrono::steady_clock;
using rt::CriLogWriter;
using rt::LogStream;

// Reads from fd until `want` bytes arrived, EOF, or timeout_ms passed.
std::string ReadUpTo(int fd, size_t want, int timeout_ms = 3000) {
  std::string out;
  auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  while (out.size() < want) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() <= 0) break;
    struct pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[65536];
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, want - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Reads until EOF (or timeout: then "<timeout>" is appended).
std::string ReadToEof(int fd, int timeout_ms = 5000) {
  std::string out;
  auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    struct pollfd p = {fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return out + "<timeout>";
    }
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return out;
    if (n < 0) return out + "<error>";
    out.append(buf, static_cast<size_t>(n));
  }
}

// Nothing readable within `ms` (the fd stays open and quiet).
bool Quiet(int fd, int ms = 150) {
  struct pollfd p = {fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 0;
}

void AppendFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
}

class LogFollowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-logfollow-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/0.log";
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // A writer with increasing timestamps (one second apart, from 2024-01-01T00:00:00Z).
  std::unique_ptr<CriLogWriter> Writer(int64_t max_bytes = 0) {
    auto w = std::make_unique<CriLogWriter>(path_, max_bytes, [this] {
      char buf[64];
      int s = seconds_++;
      std::snprintf(buf, sizeof buf, "2024-01-01T00:%02d:%02d.%09dZ", s / 60 % 60, s % 60, 5);
      return std::string(buf);
    });
    EXPECT_TRUE(w->Open().ok());
    return w;
  }

  std::unique_ptr<LogFollower> Follow(const LogFollowOptions& o) {
    auto f = LogFollower::Start(path_, o, [this] { return ended_.load(); });
    EXPECT_TRUE(f.ok()) << f.status().message();
    return f.ok() ? std::move(*f) : nullptr;
  }

  std::string dir_, path_;
  int seconds_ = 0;
  std::atomic<bool> ended_{false};
};

TEST_F(LogFollowTest, ShowsTheLogThenAppendedLinesQuicklyAndEndsWithTheContainer) {
  auto w = Writer();
  w->Append(LogStream::kStdout, "one\ntwo\n");
  w->Append(LogStream::kStderr, "err\n");
  LogFollowOptions o;
  o.poll_ms = 1000;  // new lines come through inotify, not the poll
  auto f = Follow(o);
  ASSERT_TRUE(f);
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 12), "one\ntwo\nerr\n");
  EXPECT_EQ(f->stderr_fd(), -1);
  EXPECT_EQ(f->Wait(0).code(), Code::kTimeout);
  auto t0 = Steady::now();
  w->Append(LogStream::kStdout, "three\n");
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 6), "three\n");
  EXPECT_LT(Steady::now() - t0, std::chrono::milliseconds(500));
  EXPECT_TRUE(Quiet(f->stdout_fd()));
  w->Append(LogStream::kStdout, "last\n");
  ended_ = true;
  EXPECT_EQ(ReadToEof(f->stdout_fd()), "last\n");
  EXPECT_TRUE(f->Wait(1000).ok());
}

TEST_F(LogFollowTest, JoinsPartialLinesAndShowsThemOnlyOnceComplete) {
  AppendFile(path_,
             "2024-01-01T00:00:00Z stdout F before\n"
             "2024-01-01T00:00:01Z stdout P hel\n");
  LogFollowOptions o;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 7), "before\n");
  EXPECT_TRUE(Quiet(f->stdout_fd()));
  AppendFile(path_, "2024-01-01T00:00:01Z stderr F other\n");  // held behind the partial line
  AppendFile(path_, "2024-01-01T00:00:02Z stdout P lo \n");
  EXPECT_TRUE(Quiet(f->stdout_fd()));
  AppendFile(path_, "2024-01-01T00:00:03Z stdout F world\n");
  // As ReadCriLog orders them: the other stream's line first, it was complete first.
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 12 + 6), "other\nhello world\n");
  // A long line the writer splits into 16 KiB pieces comes back whole.
  auto w = Writer();
  std::string big(40000, 'x');
  w->Append(LogStream::kStdout, big + "\n");
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), big.size() + 1), big + "\n");
  ended_ = true;
  EXPECT_EQ(ReadToEof(f->stdout_fd()), "");
  EXPECT_TRUE(f->Wait(1000).ok());
}

TEST_F(LogFollowTest, FollowsRotationWithoutLosingOrRepeatingALine) {
  auto w = Writer(/*max_bytes=*/2000);
  for (int i = 0; i < 30; ++i) w->Append(LogStream::kStdout, "line " + std::to_string(i) + "\n");
  LogFollowOptions o;
  o.poll_ms = 10;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  std::string want;
  for (int i = 0; i < 30; ++i) want += "line " + std::to_string(i) + "\n";
  std::string got = ReadUpTo(f->stdout_fd(), want.size());
  // Several rotations (about 50 lines a file), each seen by the follower (two rotations
  // between two of its reads would lose the first file, as upstream's would).
  for (int i = 30; i < 300; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    want += line;
    w->Append(LogStream::kStdout, line);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (i % 40 == 0) got += ReadUpTo(f->stdout_fd(), want.size() - got.size(), 200);
  }
  ended_ = true;
  got += ReadToEof(f->stdout_fd());
  EXPECT_EQ(got, want);
  struct stat st;
  EXPECT_EQ(::stat((path_ + ".1").c_str(), &st), 0) << "the log never rotated";
  EXPECT_TRUE(f->Wait(1000).ok());
}

TEST_F(LogFollowTest, TimestampsTailAndSince) {
  auto w = Writer();
  for (int i = 0; i < 5; ++i) w->Append(LogStream::kStdout, "l" + std::to_string(i) + "\n");
  LogFollowOptions o;
  o.read.tail_lines = 2;
  o.read.timestamps = true;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  std::string want =
      "2024-01-01T00:00:03.000000005Z l3\n"
      "2024-01-01T00:00:04.000000005Z l4\n";
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), want.size()), want);
  w->Append(LogStream::kStdout, "l5\n");
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 34), "2024-01-01T00:00:05.000000005Z l5\n");
  f.reset();

  // tail 0 shows nothing old, then what follows; since drops older lines.
  o = LogFollowOptions();
  o.read.tail_lines = 0;
  o.poll_ms = 20;
  f = Follow(o);
  EXPECT_TRUE(Quiet(f->stdout_fd()));
  w->Append(LogStream::kStdout, "l6\n");
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 3), "l6\n");
  f.reset();
  o = LogFollowOptions();
  SystemTime since;
  ASSERT_TRUE(ParseRfc3339("2024-01-01T00:00:05Z", &since));
  o.read.since = since;
  o.poll_ms = 20;
  f = Follow(o);
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 6), "l5\nl6\n");
}

TEST_F(LogFollowTest, LimitBytesCountsTheWholeStream) {
  auto w = Writer();
  w->Append(LogStream::kStdout, "12345\n");
  LogFollowOptions o;
  o.read.limit_bytes = 10;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 6), "12345\n");
  w->Append(LogStream::kStdout, "abcdefgh\n");
  // The limit ends the stream although the container still runs.
  EXPECT_EQ(ReadToEof(f->stdout_fd()), "abcd");
  EXPECT_TRUE(f->Wait(1000).ok());
}

TEST_F(LogFollowTest, WaitsForAMissingFileAndEndsAtOnceWhenAlreadyEnded) {
  LogFollowOptions o;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  EXPECT_TRUE(Quiet(f->stdout_fd()));
  auto w = Writer();
  w->Append(LogStream::kStdout, "hi\n");
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 3), "hi\n");
  f.reset();

  ended_ = true;
  f = Follow(o);
  EXPECT_EQ(ReadToEof(f->stdout_fd()), "hi\n");
  EXPECT_TRUE(f->Wait(1000).ok());
}

int OpenFds() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

TEST_F(LogFollowTest, DestroyingItStopsPromptlyEvenWhenNobodyReads) {
  const int fds_before = OpenFds();
  auto w = Writer();
  std::string line(1000, 'y');
  for (int i = 0; i < 2000; ++i) w->Append(LogStream::kStdout, line + "\n");  // > a pipe's 64 KiB
  LogFollowOptions o;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  int fd = f->stdout_fd();
  EXPECT_EQ(ReadUpTo(fd, 100).size(), 100u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto t0 = Steady::now();
  f.reset();
  EXPECT_LT(Steady::now() - t0, std::chrono::milliseconds(200));
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);  // closed
  // And while idle.
  f = Follow(o);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  t0 = Steady::now();
  f.reset();
  EXPECT_LT(Steady::now() - t0, std::chrono::milliseconds(200));
  w.reset();
  EXPECT_EQ(OpenFds(), fds_before);  // pipes, eventfd and inotify all closed
}

TEST_F(LogFollowTest, RawModeShowsOnlyNewRecordsAsWrittenOnTwoPipes) {
  auto w = Writer(/*max_bytes=*/300);
  w->Append(LogStream::kStdout, "old\n");
  LogFollowOptions o;
  o.raw = true;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  ASSERT_NE(f->stderr_fd(), -1);
  EXPECT_TRUE(Quiet(f->stdout_fd()));
  w->Append(LogStream::kStdout, "out\n");
  w->Append(LogStream::kStderr, "err\n");
  w->Append(LogStream::kStdout, "prompt> ");
  w->CloseStream(LogStream::kStdout);  // an unterminated tail: a P record, shown as is
  EXPECT_EQ(ReadUpTo(f->stdout_fd(), 12), "out\nprompt> ");
  EXPECT_EQ(ReadUpTo(f->stderr_fd(), 4), "err\n");
  // Across rotations.
  std::string want;
  for (int i = 0; i < 40; ++i) {
    want += "r" + std::to_string(i) + "\n";
    w->Append(LogStream::kStdout, "r" + std::to_string(i) + "\n");
    if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ended_ = true;
  EXPECT_EQ(ReadToEof(f->stdout_fd()), want);
  EXPECT_EQ(ReadToEof(f->stderr_fd()), "");
  EXPECT_TRUE(f->Wait(1000).ok());
}

TEST_F(LogFollowTest, RawModeMergesStderrForTty) {
  auto w = Writer();
  LogFollowOptions o;
  o.raw = true;
  o.merge_stderr = true;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->stderr_fd(), -1);
  w->Append(LogStream::kStdout, "a\n");
  w->Append(LogStream::kStderr, "b\n");
  AppendFile(path_, "garbage line\n");  // malformed records are skipped
  ended_ = true;
  EXPECT_EQ(ReadToEof(f->stdout_fd()), "a\nb\n");
}

TEST_F(LogFollowTest, RawModeFromStartShowsWhatWasWrittenBefore) {
  // kubectl run -i: the command may be done before the attach; its output is not lost.
  auto w = Writer();
  w->Append(LogStream::kStdout, "hi\n");
  w->Append(LogStream::kStderr, "warn\n");
  LogFollowOptions o;
  o.raw = true;
  o.raw_from_start = true;
  o.poll_ms = 20;
  auto f = Follow(o);
  ASSERT_TRUE(f);
  w->Append(LogStream::kStdout, "later\n");
  ended_ = true;
  EXPECT_EQ(ReadToEof(f->stdout_fd()), "hi\nlater\n");
  EXPECT_EQ(ReadToEof(f->stderr_fd()), "warn\n");
}

}  // namespace
}  // namespace minik
