#include "api/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

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
  // I1130 02:52:05.123456 store] opened path=/x n=3
  const std::string shape = "I#### ##:##:##.###### store] opened path=/x n=3\n";
  ASSERT_EQ(out.size(), shape.size()) << out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == '#') {
      EXPECT_TRUE(out[i] >= '0' && out[i] <= '9') << out;
    } else {
      EXPECT_EQ(out[i], shape[i]) << out;
    }
  }
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
