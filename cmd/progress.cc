#include "cmd/progress.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "cmd/fileutil.h"

namespace minik {
namespace {

std::string Clean(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

ProgressWriter::~ProgressWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void ProgressWriter::Open(const std::string& path) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  last_ = std::chrono::steady_clock::now();
}

void ProgressWriter::Step(const std::string& name, const std::string& detail) {
  auto now = std::chrono::steady_clock::now();
  long ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count());
  last_ = now;
  if (fd_ < 0) return;
  std::string line = Clean(name) + "\t" + std::to_string(ms) + "\t" + Clean(detail) + "\n";
  // One write(2) with O_APPEND: a reader sees the whole line or none of it.
  while (::write(fd_, line.data(), line.size()) < 0 && errno == EINTR) {
  }
}

StatusOr<ProgressStep> ParseProgressLine(const std::string& line) {
  size_t t1 = line.find('\t');
  size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
  if (t2 == std::string::npos || t1 == 0) return BadRequest("malformed progress line");
  std::string ms = line.substr(t1 + 1, t2 - t1 - 1);
  char* end = nullptr;
  long n = std::strtol(ms.c_str(), &end, 10);
  if (ms.empty() || *end != '\0' || n < 0) return BadRequest("malformed progress line");
  return ProgressStep{line.substr(0, t1), n, line.substr(t2 + 1)};
}

std::vector<ProgressStep> ProgressReader::Poll() {
  std::vector<ProgressStep> out;
  auto text = ReadFile(path_);
  if (!text.ok()) return out;
  if (text->size() < offset_) offset_ = 0;  // a new server truncated it
  for (;;) {
    size_t nl = text->find('\n', offset_);
    if (nl == std::string::npos) break;
    auto step = ParseProgressLine(text->substr(offset_, nl - offset_));
    offset_ = nl + 1;
    if (step.ok()) out.push_back(std::move(*step));
  }
  return out;
}

void ProgressPrinter::Line(const std::string& text) {
  std::fputs(text.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void ProgressPrinter::Step(const ProgressStep& step) {
  if (json_) {
    Json j = {{"step", step.name}, {"ms", step.ms}};
    if (!step.detail.empty()) j["detail"] = step.detail;
    Line(j.dump());
    return;
  }
  std::string mark = color_ ? "\033[32m\u2713\033[0m" : "\u2713";
  std::string text = mark + " " + step.name;
  if (!step.detail.empty()) text += ": " + step.detail;
  Line(text + " (" + std::to_string(step.ms) + " ms)");
}

void ProgressPrinter::Note(const std::string& text) {
  if (json_) {
    Line(Json{{"note", text}}.dump());
  } else {
    Line("! " + text);
  }
}

void ProgressPrinter::Done(const Json& summary, const std::string& text) {
  Line(json_ ? summary.dump() : text);
}

void ProgressPrinter::Error(const std::string& message) {
  if (json_) Line(Json{{"error", message}}.dump());
}

}  // namespace minik
