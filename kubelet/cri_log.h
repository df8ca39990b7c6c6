// Reading container logs written in the CRI format
// ("<RFC3339Nano> stdout|stderr F|P <content>", see kubelet/runtime/runtime.h), for
// `kubectl logs` as pkg/kubelet/kuberuntime/logs/logs.go serves them: partial (P) lines are
// joined with the following line, timestamps optionally prefixed, and tailLines,
// sinceSeconds/sinceTime and limitBytes applied. The rotated file (<path>.1) is read first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/clock.h"
#include "api/status.h"

namespace minik {

struct LogReadOptions {
  bool timestamps = false;                 // prefix each line with its RFC3339Nano time
  std::optional<int64_t> tail_lines;       // the last N lines
  std::optional<SystemTime> since;         // only lines at or after this time
  std::optional<int64_t> limit_bytes;      // cut the output at this many bytes
  bool stdout_only = false, stderr_only = false;
};

// NotFound when the log file does not exist.
StatusOr<std::string> ReadCriLog(const std::string& path, const LogReadOptions& options);

// Incremental reading for `logs --follow`: returns the complete lines appended since
// *offset (advancing it); handles rotation (file replaced: starts at 0 of the new file).
StatusOr<std::string> ReadCriLogFrom(const std::string& path, uint64_t* offset,
                                     const LogReadOptions& options);

}  // namespace minik
