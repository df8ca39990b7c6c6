// Leveled, component-tagged key/value logging to stderr.
//   LOG(Info, "store") << "opened path=" << path;
// Boundaries log (worker loops, HTTP sessions, main); business logic returns a Status.
#pragma once

#include <sstream>
#include <string>

namespace minik {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 };

// Messages below this level are dropped. Set once by main before threads start.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

class LogLine {
 public:
  LogLine(LogLevel level, const char* component);
  ~LogLine();  // writes one line atomically
  template <typename T>
  LogLine& operator<<(const T& v) {
    if (enabled_) out_ << v;
    return *this;
  }

 private:
  bool enabled_;
  LogLevel level_;
  std::ostringstream out_;
};

}  // namespace minik

#define LOG(level, component) ::minik::LogLine(::minik::LogLevel::level, component)
