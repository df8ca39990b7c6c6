// `minik start`'s progress: the server appends one line per finished step to
// profiles/P/progress ("<step>\t<ms>\t<detail>"), and `start` prints them as they come, with
// its own steps, as text (a check mark and the duration per line, coloured on a terminal)
// or, with --output json, as one JSON object per line for machines.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik {

struct ProgressStep {
  std::string name;    // "store", "API server", ...
  long ms = 0;         // how long the step took
  std::string detail;  // "" or a short note ("rocksdb at ...", "https://127.0.0.1:8443")
};

// Server side: truncates `path` on Open and appends a line per Step, timed since the previous
// step (or Open). Failures to write are ignored: progress is cosmetic, the server is not.
class ProgressWriter {
 public:
  ProgressWriter() = default;
  ~ProgressWriter();
  ProgressWriter(const ProgressWriter&) = delete;
  ProgressWriter& operator=(const ProgressWriter&) = delete;

  void Open(const std::string& path);
  void Step(const std::string& name, const std::string& detail = "");

 private:
  int fd_ = -1;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Start side: the complete lines appended since the last Poll (a line still being written is
// left for the next one). Tabs and newlines in names/details are never written.
class ProgressReader {
 public:
  explicit ProgressReader(std::string path) : path_(std::move(path)) {}
  std::vector<ProgressStep> Poll();

 private:
  std::string path_;
  size_t offset_ = 0;
};

// Parses one progress line (without its newline). BadRequest when malformed.
StatusOr<ProgressStep> ParseProgressLine(const std::string& line);

// Prints steps, notes, the final summary and errors for `start`.
class ProgressPrinter {
 public:
  // `color`: ANSI colour for the check marks (stdout is a terminal).
  ProgressPrinter(FILE* out, bool json, bool color) : out_(out), json_(json), color_(color) {}

  void Step(const ProgressStep& step);
  void Note(const std::string& text);  // a line of information ("using port 8444")
  // The last line: `summary` is printed as is in JSON mode, `text` otherwise.
  void Done(const Json& summary, const std::string& text);
  // In JSON mode an {"error": ...} object on stdout (the one-line stderr reason is the
  // caller's, as for every command).
  void Error(const std::string& message);

 private:
  void Line(const std::string& text);
  FILE* out_;
  bool json_, color_;
};

}  // namespace minik
