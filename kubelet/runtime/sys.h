// Small Linux helpers shared by the runtime's files: an owning fd, whole-file reads and
// writes, atomic replace, /proc start times (so a reused pid is never mistaken for ours),
// pidfds, directory trees and RFC 3339 time. Nothing here keeps state.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/status.h"

namespace minik::rt {

// Owns one file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// "<what>: <strerror(err)>" as an Internal status.
Status Errno(const std::string& what, int err);

StatusOr<std::string> ReadFile(const std::string& path);
// Writes `data` to an existing file (O_WRONLY|O_TRUNC, no create): cgroup and proc files.
Status WriteFile(const std::string& path, std::string_view data);
// Writes to path.tmp, fsync-less rename over `path`: readers see the old or the new file.
Status WriteFileAtomic(const std::string& path, std::string_view data);
// mkdir -p with mode 0755. OK when it exists.
Status MkdirAll(const std::string& path, mode_t mode = 0755);
// rm -rf that does not cross mount points; OK when absent.
Status RemoveAll(const std::string& path);
bool PathExists(const std::string& path);

// Field 22 of /proc/<pid>/stat (clock ticks since boot), or 0 when the process is gone.
uint64_t ProcStartTime(int pid);
// True when `pid` is alive (not a zombie) and started at `start_time`.
bool ProcessMatches(int pid, uint64_t start_time);

// pidfd_open(2). The result is checked against `start_time` when non-zero, so the fd
// refers to the recorded process, never a successor that reused its pid. Invalid on error.
UniqueFd OpenPidfd(int pid, uint64_t start_time = 0);
int PidfdSendSignal(int pidfd, int sig);
// Waits until the process behind `pidfd` exits or `timeout_ms` passes (-1: forever).
bool WaitPidfd(int pidfd, int timeout_ms);

// Current time, UTC, RFC 3339 with nanoseconds: 2024-05-01T10:00:00.123456789Z.
std::string NowRfc3339Nano();
std::string FormatRfc3339Nano(int64_t sec, int64_t nsec);

// Splits on `sep`, dropping empty pieces.
std::vector<std::string> Split(std::string_view s, char sep);

// Lines of /proc/self/mountinfo whose mount point is `dir` or below it.
std::vector<std::string> MountPointsUnder(const std::string& dir);

}  // namespace minik::rt
