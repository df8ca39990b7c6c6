// Container output in the CRI log format, as the kubelet's log reader expects:
//   <RFC3339Nano UTC> stdout|stderr F|P <content>\n
// F ends a line; P is a piece of a longer line (more than 16 KiB without a newline), or an
// unterminated tail at the end of a stream. The file is rotated (renamed to path + ".1",
// replacing an older one) before a write would take it past max_bytes.
//
// Used by the monitor only (one thread).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "api/status.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {

enum class LogStream { kStdout = 0, kStderr = 1 };

std::string FormatCriLine(const std::string& timestamp, LogStream stream, bool partial,
                          std::string_view content);

class CriLogWriter {
 public:
  static constexpr size_t kMaxLine = 16 * 1024;

  CriLogWriter(std::string path, int64_t max_bytes,
               std::function<std::string()> now = NowRfc3339Nano)
      : path_(std::move(path)), max_bytes_(max_bytes), now_(std::move(now)) {}

  Status Open();
  // Complete lines (and 16 KiB pieces) are written at once; the rest waits for more data.
  void Append(LogStream stream, std::string_view data);
  // The stream ended: its unterminated tail is written with tag P.
  void CloseStream(LogStream stream);

 private:
  void Write(const std::string& out);

  std::string path_;
  int64_t max_bytes_;
  std::function<std::string()> now_;
  UniqueFd fd_;
  int64_t size_ = 0;
  std::string pending_[2];
};

}  // namespace minik::rt
