// Log lines look like klog's: `I1130 02:52:05.123456 store] message`. Each line is built in
// memory and handed to the kernel with write(2) so concurrent lines never interleave.
#include "api/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace minik {
namespace {

// The one process-wide setting; written by main before threads start, read everywhere.
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};

char LevelLetter(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return 'D';
    case LogLevel::Info: return 'I';
    case LogLevel::Warning: return 'W';
    case LogLevel::Error: return 'E';
  }
  return 'I';
}

void WriteAll(const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a logging failure
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }

LogLine::LogLine(LogLevel level, const char* component)
    : enabled_(static_cast<int>(level) >= g_level.load()), level_(level) {
  if (!enabled_) return;
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char head[64];
  std::snprintf(head, sizeof(head), "%c%02d%02d %02d:%02d:%02d.%06lld ", LevelLetter(level_),
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(us % 1000000));
  out_ << head << (component ? component : "") << "] ";
}

LogLine::~LogLine() {
  if (!enabled_) return;
  std::string line = out_.str();
  // One record per line: embedded newlines would let a message forge extra log lines.
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  line.push_back('\n');
  WriteAll(line);
}

}  // namespace minik
