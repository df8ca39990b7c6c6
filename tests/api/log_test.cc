#include "api/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <string>

namespace minik {
namespace {

// Runs fn with stderr redirected to a pipe and returns what was written.
template <typename Fn>
std::string CaptureStderr(Fn fn) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  int saved = dup(STDERR_FILENO);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  fn();
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  return out;
}

TEST(LogTest, FormatsOneLine) {
  SetLogLevel(LogLevel::Info);
  std::string out = CaptureStderr([] { LOG(Info, "store") << "opened path=" << "/x" << " n=" << 3; });
  std::regex re(R"(I\d{4} \d{2}:\d{2}:\d{2}\.\d{6} store\] opened path=/x n=3\n)");
  EXPECT_TRUE(std::regex_match(out, re)) << out;
}

TEST(LogTest, LevelsAndFiltering) {
  SetLogLevel(LogLevel::Warning);
  EXPECT_EQ(GetLogLevel(), LogLevel::Warning);
  std::string out = CaptureStderr([] {
    LOG(Info, "a") << "dropped";
    LOG(Debug, "a") << "dropped";
    LOG(Warning, "b") << "warn";
    LOG(Error, "c") << "err\nforged";
  });
  EXPECT_EQ(out.find("dropped"), std::string::npos);
  EXPECT_EQ(out[0], 'W');
  EXPECT_NE(out.find("b] warn\nE"), std::string::npos) << out;
  EXPECT_NE(out.find("c] err forged\n"), std::string::npos) << out;
  SetLogLevel(LogLevel::Info);
}

}  // namespace
}  // namespace minik
