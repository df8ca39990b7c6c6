// File-system helpers of the image store (kept apart from cmd/fileutil.h, which the kubelet
// does not link). Errors name the path and the errno text.
#pragma once

#include <string>

#include "api/status.h"

namespace minik::imagefs {

std::string ErrnoText(int err);

// The whole file; kNotFound when absent.
StatusOr<std::string> ReadFile(const std::string& path, size_t max_size = 64 << 20);

// Temp file beside `path`, fsync, rename, fsync of the directory.
Status WriteFileAtomic(const std::string& path, const std::string& content);

Status MakeDirs(const std::string& path, int mode = 0755);

// rm -rf that never follows symlinks and copes with read-only directories. OK if absent.
Status RemoveTree(const std::string& path);

// An exclusive flock(2) held until destruction; also a process-local mutex is needed by
// callers, since flock alone does not order threads sharing one open file description.
class FlockGuard {
 public:
  static StatusOr<FlockGuard> Acquire(const std::string& path);
  FlockGuard(FlockGuard&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FlockGuard& operator=(FlockGuard&&) = delete;
  FlockGuard(const FlockGuard&) = delete;
  ~FlockGuard();

 private:
  explicit FlockGuard(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace minik::imagefs
