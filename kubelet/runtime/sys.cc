#include "kubelet/runtime/sys.h"

#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace minik::rt {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Status Errno(const std::string& what, int err) {
  return Internal(what + ": " + std::strerror(err));
}

StatusOr<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Errno("open " + path, errno);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read " + path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

static Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status WriteFile(const std::string& path, std::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd.valid()) return Errno("open " + path, errno);
  return WriteAll(fd.get(), data, path);
}

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return Errno("open " + tmp, errno);
    MINIK_RETURN_IF_ERROR(WriteAll(fd.get(), data, tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename " + tmp, errno);
  return Status::Ok();
}

Status MkdirAll(const std::string& path, mode_t mode) {
  if (path.empty()) return Status::Ok();
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return Status::Ok();
  if (errno != ENOENT) return Errno("mkdir " + path, errno);
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    MINIK_RETURN_IF_ERROR(MkdirAll(path.substr(0, slash), mode));
  }
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return Status::Ok();
  return Errno("mkdir " + path, errno);
}

static int RemoveEntry(const char* path, const struct stat*, int type, struct FTW*) {
  int rc = (type == FTW_DP || type == FTW_D) ? ::rmdir(path) : ::unlink(path);
  return rc == 0 || errno == ENOENT ? 0 : -1;
}

Status RemoveAll(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : Errno("stat " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("unlink " + path, errno);
    return Status::Ok();
  }
  // FTW_MOUNT: never descend into something still mounted below the tree.
  if (::nftw(path.c_str(), RemoveEntry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0) {
    return Errno("remove " + path, errno);
  }
  return Status::Ok();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

static bool ParseStat(int pid, uint64_t* start, char* state) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text.ok()) return false;
  size_t paren = text->rfind(')');
  if (paren == std::string::npos) return false;
  // Fields after the command: 3 (state) ... 22 (starttime).
  std::vector<std::string> fields = Split(std::string_view(*text).substr(paren + 1), ' ');
  if (fields.size() < 20) return false;
  *state = fields[0].empty() ? '?' : fields[0][0];
  *start = std::strtoull(fields[19].c_str(), nullptr, 10);
  return true;
}

uint64_t ProcStartTime(int pid) {
  uint64_t start = 0;
  char state = 0;
  if (pid <= 0 || !ParseStat(pid, &start, &state)) return 0;
  return start;
}

bool ProcessMatches(int pid, uint64_t start_time) {
  uint64_t start = 0;
  char state = 0;
  if (pid <= 0 || !ParseStat(pid, &start, &state)) return false;
  return start == start_time && state != 'Z' && state != 'X';
}

UniqueFd OpenPidfd(int pid, uint64_t start_time) {
  if (pid <= 0) return UniqueFd();
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!fd.valid()) return fd;
  ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC);
  if (start_time != 0 && ProcStartTime(pid) != start_time) return UniqueFd();
  return fd;
}

int PidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

bool WaitPidfd(int pidfd, int timeout_ms) {
  struct timespec start;
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int left = timeout_ms;
    if (timeout_ms >= 0) {
      struct timespec now;
      ::clock_gettime(CLOCK_MONOTONIC, &now);
      int64_t spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      left = spent >= timeout_ms ? 0 : static_cast<int>(timeout_ms - spent);
    }
    struct pollfd p = {pidfd, POLLIN, 0};
    int rc = ::poll(&p, 1, left);
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string FormatRfc3339Nano(int64_t sec, int64_t nsec) {
  time_t t = static_cast<time_t>(sec);
  struct tm tm;
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(nsec));
  return buf;
}

std::string NowRfc3339Nano() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return FormatRfc3339Nano(ts.tv_sec, ts.tv_nsec);
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string> MountPointsUnder(const std::string& dir) {
  std::vector<std::string> out;
  auto text = ReadFile("/proc/self/mountinfo");
  if (!text.ok()) return out;
  for (const std::string& line : Split(*text, '\n')) {
    std::vector<std::string> f = Split(line, ' ');
    if (f.size() < 5) continue;
    const std::string& mp = f[4];  // octal-escaped; our paths have no spaces
    if (mp == dir || (mp.size() > dir.size() && mp.compare(0, dir.size(), dir) == 0 &&
                      mp[dir.size()] == '/')) {
      out.push_back(mp);
    }
  }
  return out;
}

}  // namespace minik::rt
