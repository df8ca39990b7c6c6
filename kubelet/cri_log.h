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

// NotFound when the log file does not exist. Malformed records are skipped. A trailing
// partial line whose final (F) record is not written yet is not shown.
StatusOr<std::string> ReadCriLog(const std::string& path, const LogReadOptions& options);

// Where a follower is in a log: the offset in the file with that inode.
struct LogCursor {
  uint64_t offset = 0;
  uint64_t inode = 0;  // 0: not known yet
};

// ReadCriLog that also sets *end to where ReadCriLogFrom continues (for `logs --follow`:
// first the (tailed) existing lines, then the appended ones without gaps or repeats).
StatusOr<std::string> ReadCriLog(const std::string& path, const LogReadOptions& options,
                                 LogCursor* end);

// Incremental reading for `logs --follow`: returns the complete lines appended since
// *offset (advancing it); handles rotation (file replaced: the rest of <path>.1 from
// *offset, then the new file from 0). tail_lines is ignored here. Rotation is detected by
// the file being shorter than *offset, so poll more often than the file can regrow.
StatusOr<std::string> ReadCriLogFrom(const std::string& path, uint64_t* offset,
                                     const LogReadOptions& options);
// The same with a cursor: rotation is detected by the inode changing (the rest of the old
// file, now <path>.1, is read first), so it is reliable however large the new file grew.
StatusOr<std::string> ReadCriLogFrom(const std::string& path, LogCursor* cursor,
                                     const LogReadOptions& options);

}  // namespace minik
