// Following a container's CRI log (kubelet/runtime/cri_log.h writes it) into pipes: the
// output side of `kubectl logs -f` and of `kubectl attach`.
//
// Two modes:
// - Lines (logs -f): first what ReadCriLog returns for `read` (tail, since, timestamps), then
//   each line appended later, partial (P) records joined as ReadCriLog joins them, on one
//   pipe. limit_bytes counts the whole output, initial text included.
// - Raw (attach): only what is appended from now on, record by record as the container
//   wrote it (a P record's content without a newline, an F record's with one), stdout
//   records on the stdout pipe and stderr records on the stderr pipe (or on stdout when
//   `merge_stderr`).
// Both follow rotation (the file renamed to <path>.1 and a new one created): the inode
// change is seen and the rest of the old file is read before the new one, so no line is lost
// or repeated (unless the file was rotated twice between two reads). A missing file is
// waited for.
//
// The end: `ended` is asked at most every poll_ms; once it says true, the file is read once
// more (the runtime writes the log before it records the exit), the rest is written out and
// the pipes are closed (readers see EOF). limit_bytes reached also ends the output.
//
// Threads: one pump thread per follower; it waits on inotify (the log's directory), a wake
// eventfd and a poll_ms timeout, and writes to non-blocking pipes only as fast as they are
// read (it reads no more of the file while its output is pending). The destructor wakes and
// joins it promptly, then closes every descriptor. `ended` runs on the pump thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/status.h"
#include "kubelet/cri_log.h"

namespace minik {

struct LogFollowOptions {
  LogReadOptions read;        // lines mode: the selection, timestamps and limit_bytes
  bool raw = false;           // raw mode (attach): from the current end, record by record
  bool raw_from_start = false;  // raw mode: from the file's start instead
  bool merge_stderr = false;  // raw mode: stderr records on the stdout pipe (tty)
  bool drop_stdout = false;   // raw mode: stdout records are discarded (nobody asked)
  bool drop_stderr = false;   // raw mode: stderr records are discarded (no stderr pipe)
  int poll_ms = 100;          // how often `ended` is asked (and the file checked without inotify)
};

class LogFollower {
 public:
  // Starts following `path`. `ended` (may be empty: follow until destroyed) says whether
  // the writer is done. Errors: only when pipes, eventfd or the thread cannot be created, or
  // the initial read fails for another reason than a missing file.
  static StatusOr<std::unique_ptr<LogFollower>> Start(const std::string& path,
                                                      const LogFollowOptions& options,
                                                      std::function<bool()> ended);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  int stdout_fd() const { return stdout_read_; }  // read end
  // Read end; -1 in lines mode, merged or dropped.
  int stderr_fd() const { return stderr_read_; }
  // Waits up to timeout_ms (-1: forever) for the end of the output (everything written,
  // pipes closed): OK, or the error that stopped the follower (a read error). kTimeout while
  // it follows.
  Status Wait(int timeout_ms);

 private:
  LogFollower(std::string path, LogFollowOptions options, std::function<bool()> ended);
  Status Init();
  void Pump();
  // Reads what was appended since the cursor into out_[]/err_.
  Status ReadMore();
  Status ReadRaw();
  void ConsumeRecords();
  // Writes pending output; false when stopped (or nobody reads) before it was all written.
  bool Flush();
  void Finish(Status st);
  void Watch();  // sets the inotify watch on the log's directory, if it exists
  // Waits for the log to change, at most timeout_ms; false when stopped.
  bool WaitForChange(int timeout_ms);

  const std::string path_;
  const LogFollowOptions options_;
  const std::function<bool()> ended_;

  // Descriptors: the read ends belong to the reader side (closed by the destructor), the
  // write ends to the pump thread (closed when it finishes).
  int stdout_read_ = -1, stdout_write_ = -1;
  int stderr_read_ = -1, stderr_write_ = -1;
  int wake_fd_ = -1;     // eventfd: the destructor stops the pump
  int inotify_fd_ = -1;  // -1: poll only
  std::atomic<bool> stop_{false};

  // Pump thread state.
  LogCursor cursor_;
  std::string pending_out_, pending_err_;
  std::optional<int64_t> remaining_;  // lines mode: limit_bytes left
  bool watching_ = false;             // the inotify watch on the log's directory is set
  std::string raw_;                   // raw mode: the unfinished record read so far
  bool more_ = false;                 // raw mode: the file holds more than the last read took

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
  Status result_;      // guarded by mu_
};

}  // namespace minik
