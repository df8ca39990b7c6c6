// Small file-system helpers for the CLI: whole-file reads, atomic writes and advisory locks.
// Every function reports failures as a Status whose message names the path and the errno text,
// so callers can print it as the one-line reason.
#pragma once

#include <string>

#include "api/status.h"

namespace minik {

// The whole file. Code::kNotFound when it does not exist.
StatusOr<std::string> ReadFile(const std::string& path);

// Writes `content` to a temporary file beside `path`, fsyncs it, sets `mode`, and renames it
// over `path`: readers see the old or the new file, never a partial one. When `path` exists
// its owner is kept (a root `minik start` must not steal a user's kubeconfig). With `durable`
// false the fsync is skipped (for files that are re-created when found broken).
Status WriteFileAtomic(const std::string& path, const std::string& content, int mode,
                       bool durable = true);

// mkdir -p with `mode` for the directories it creates.
Status MakeDirs(const std::string& path, int mode = 0755);

// rm -rf. OK when `path` does not exist.
Status RemoveAll(const std::string& path);

bool PathExists(const std::string& path);

// An exclusive flock(2) on a lock file, released by the destructor. The lock file is opened
// O_CLOEXEC so that processes we spawn never inherit it.
class FileLock {
 public:
  FileLock() = default;
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&& o) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // Creates `path` if needed and locks it. With `wait` false, Code::kConflict when another
  // holder has it. Re-opens when the file was unlinked or replaced while we waited (a
  // concurrent `minik delete`), so the lock held is always the one at `path`.
  static StatusOr<FileLock> Acquire(const std::string& path, bool wait);

  bool held() const { return fd_ >= 0; }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace minik
