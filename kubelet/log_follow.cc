// LogFollower: see log_follow.h. Lines mode reuses ReadCriLog/ReadCriLogFrom (kubelet/cri_log.h),
// which keep a cursor (offset + inode) and hold back lines behind a pending partial line, so
// rotation and P records are handled there. Raw mode (attach) wants each record as written,
// without joining or holding, so it reads records itself with the same cursor rules.
#include "kubelet/log_follow.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

namespace minik {
namespace {

constexpr size_t kRawChunk = 256 * 1024;  // raw mode reads at most this much per round

Status ErrnoStatus(const std::string& what, int err) {
  return Internal(what + ": " + std::strerror(err));
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Reads [offset, offset+max) of an open file (short at EOF).
Status ReadAt(int fd, uint64_t offset, size_t max, std::string* out) {
  out->resize(max);
  size_t got = 0;
  while (got < max) {
    ssize_t n = ::pread(fd, out->data() + got, max - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read log", errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out->resize(got);
  return Status::Ok();
}

// One CRI record "<time> <stream> <tags> <content>" (without its '\n') as the container wrote
// it: false when malformed (skipped, as the log readers do).
bool DecodeRecord(std::string_view line, bool* is_stderr, std::string* out) {
  size_t a = line.find(' ');
  if (a == std::string_view::npos) return false;
  size_t b = line.find(' ', a + 1);
  if (b == std::string_view::npos) return false;
  size_t c = line.find(' ', b + 1);
  if (c == std::string_view::npos) return false;
  std::string_view stream = line.substr(a + 1, b - a - 1);
  if (stream != "stdout" && stream != "stderr") return false;
  *is_stderr = stream == "stderr";
  std::string_view tags = line.substr(b + 1, c - b - 1);
  out->assign(line.substr(c + 1));
  if (tags.substr(0, tags.find(':')) != "P") out->push_back('\n');
  return true;
}

}  // namespace

LogFollower::LogFollower(std::string path, LogFollowOptions options, std::function<bool()> ended)
    : path_(std::move(path)), options_(std::move(options)), ended_(std::move(ended)) {}

StatusOr<std::unique_ptr<LogFollower>> LogFollower::Start(const std::string& path,
                                                          const LogFollowOptions& options,
                                                          std::function<bool()> ended) {
  std::unique_ptr<LogFollower> f(new LogFollower(path, options, std::move(ended)));
  MINIK_RETURN_IF_ERROR(f->Init());
  try {
    f->thread_ = std::thread([p = f.get()] { p->Pump(); });
  } catch (const std::system_error& e) {
    return Internal(std::string("start the log follower: ") + e.what());
  }
  return f;
}

Status LogFollower::Init() {
  auto open_pipe = [](int* r, int* w) -> Status {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
    *r = p[0];
    *w = p[1];
    // The pump never blocks on a reader: it polls the write end together with its wake fd.
    ::fcntl(*w, F_SETFL, ::fcntl(*w, F_GETFL) | O_NONBLOCK);
    return Status::Ok();
  };
  MINIK_RETURN_IF_ERROR(open_pipe(&stdout_read_, &stdout_write_));
  if (options_.raw && !options_.merge_stderr && !options_.drop_stderr) {
    MINIK_RETURN_IF_ERROR(open_pipe(&stderr_read_, &stderr_write_));
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return ErrnoStatus("eventfd", errno);
  // Without inotify (limits reached) the pump polls every poll_ms.
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  Watch();  // before the first read, so that no later write goes unnoticed

  if (options_.raw) {
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0) {
      cursor_ = LogCursor{options_.raw_from_start ? 0 : static_cast<uint64_t>(st.st_size),
                          static_cast<uint64_t>(st.st_ino)};
    }
    return Status::Ok();
  }
  if (options_.read.limit_bytes) remaining_ = std::max<int64_t>(*options_.read.limit_bytes, 0);
  auto text = ReadCriLog(path_, options_.read, &cursor_);
  if (!text.ok()) {
    if (text.status().code() != Code::kNotFound) return text.status();
    cursor_ = LogCursor{};  // the file appears later: follow it from its start
    return Status::Ok();
  }
  if (remaining_) *remaining_ -= std::min<int64_t>(*remaining_, static_cast<int64_t>(text->size()));
  pending_out_ = std::move(*text);
  return Status::Ok();
}

LogFollower::~LogFollower() {
  if (thread_.joinable()) {
    stop_ = true;
    uint64_t one = 1;
    ssize_t n = ::write(wake_fd_, &one, sizeof one);
    (void)n;
    thread_.join();
  }
  CloseFd(stdout_write_);
  CloseFd(stderr_write_);
  CloseFd(stdout_read_);
  CloseFd(stderr_read_);
  CloseFd(wake_fd_);
  CloseFd(inotify_fd_);
}

Status LogFollower::Wait(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (timeout_ms < 0) {
    cv_.wait(lock, [&] { return done_; });
  } else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done_; })) {
    return Status(Code::kTimeout, "the log is still followed");
  }
  return result_;
}

void LogFollower::Finish(Status st) {
  CloseFd(stdout_write_);  // readers see EOF
  CloseFd(stderr_write_);
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  result_ = std::move(st);
  cv_.notify_all();
}

void LogFollower::Pump() {
  // A reader that closed its end must not kill the process: the write fails with EPIPE.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::milliseconds(std::max(options_.poll_ms, 1));
  auto last_check = Clock::now() - period;
  for (;;) {
    if (stop_ || !Flush())
      return Finish(Status(Code::kServiceUnavailable, "the log follower was stopped"));
    if (remaining_ && *remaining_ <= 0) return Finish(Status::Ok());
    bool ended = false;
    if (ended_ && Clock::now() - last_check >= period) {
      // Asked before reading: the runtime writes the log before it records the exit, so the
      // read below sees everything once `ended` said so.
      ended = ended_();
      last_check = Clock::now();
    }
    Status st = ReadMore();
    if (!st.ok()) return Finish(st);
    if (ended) {
      // Raw mode reads in chunks: drain the file before ending.
      while (more_ && st.ok()) {
        if (!Flush())
          return Finish(Status(Code::kServiceUnavailable, "the log follower was stopped"));
        st = ReadMore();
      }
      if (!st.ok()) return Finish(st);
      if (!Flush())
        return Finish(Status(Code::kServiceUnavailable, "the log follower was stopped"));
      return Finish(Status::Ok());
    }
    if (!pending_out_.empty() || !pending_err_.empty() || more_) continue;
    auto next_check = last_check + period;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_check - Clock::now());
    if (!WaitForChange(static_cast<int>(std::max<int64_t>(left.count(), 0) + 1))) {
      return Finish(Status(Code::kServiceUnavailable, "the log follower was stopped"));
    }
  }
}

void LogFollower::Watch() {
  if (inotify_fd_ < 0 || watching_) return;
  // The log's directory: writes to the file, and the new file of a rotation.
  size_t slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
  if (dir.empty()) dir = "/";
  watching_ = ::inotify_add_watch(inotify_fd_, dir.c_str(),
                                  IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) >= 0;
}

bool LogFollower::WaitForChange(int timeout_ms) {
  if (inotify_fd_ >= 0 && !watching_) {
    Watch();
    // What changed before the watch existed raised no event: look again at once.
    if (watching_) return true;
  }
  struct pollfd p[2] = {{wake_fd_, POLLIN, 0}, {watching_ ? inotify_fd_ : -1, POLLIN, 0}};
  int n = ::poll(p, 2, timeout_ms);
  if (n <= 0) return true;
  if (p[0].revents) return false;
  if (p[1].revents) {
    alignas(struct inotify_event) char buf[4096];
    while (::read(inotify_fd_, buf, sizeof buf) > 0) {
    }
  }
  return true;
}

bool LogFollower::Flush() {
  for (;;) {
    std::string* bufs[2] = {&pending_out_, &pending_err_};
    int fds[2] = {stdout_write_, stderr_write_ >= 0 ? stderr_write_ : stdout_write_};
    struct pollfd p[3] = {{wake_fd_, POLLIN, 0}, {-1, POLLOUT, 0}, {-1, POLLOUT, 0}};
    bool waiting = false;
    for (int i = 0; i < 2; ++i) {
      std::string& b = *bufs[i];
      while (!b.empty()) {
        ssize_t n = ::write(fds[i], b.data(), b.size());
        if (n > 0) {
          b.erase(0, static_cast<size_t>(n));
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
          p[i + 1].fd = fds[i];
          waiting = true;
          break;
        }
        return false;  // EPIPE: nobody reads any more
      }
    }
    if (!waiting) return true;
    int n = ::poll(p, 3, -1);
    if (n < 0 && errno != EINTR) return false;
    if (n > 0 && p[0].revents) return false;
  }
}

Status LogFollower::ReadMore() {
  if (options_.raw) return ReadRaw();
  LogReadOptions o = options_.read;
  o.tail_lines.reset();
  o.limit_bytes = remaining_;
  auto text = ReadCriLogFrom(path_, &cursor_, o);
  if (!text.ok()) {
    // Between a rotation's rename and the new file's creation the log is briefly missing.
    return text.status().code() == Code::kNotFound ? Status::Ok() : text.status();
  }
  if (remaining_) *remaining_ -= std::min<int64_t>(*remaining_, static_cast<int64_t>(text->size()));
  pending_out_ += *text;
  return Status::Ok();
}

// Appends the complete records of raw_ to the pending output; keeps an unfinished record.
void LogFollower::ConsumeRecords() {
  size_t begin = 0;
  std::string content;
  for (;;) {
    size_t nl = raw_.find('\n', begin);
    if (nl == std::string::npos) break;
    bool is_stderr = false;
    if (DecodeRecord(std::string_view(raw_).substr(begin, nl - begin), &is_stderr, &content)) {
      if (is_stderr ? options_.drop_stderr : options_.drop_stdout) {
        // nobody asked for this stream
      } else {
        (is_stderr && !options_.merge_stderr ? pending_err_ : pending_out_) += content;
      }
    }
    begin = nl + 1;
  }
  raw_.erase(0, begin);
}

Status LogFollower::ReadRaw() {
  more_ = false;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : ErrnoStatus("open " + path_, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("stat " + path_, err);
  }
  const uint64_t inode = static_cast<uint64_t>(st.st_ino);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  Status result = Status::Ok();
  if ((cursor_.inode != 0 && inode != cursor_.inode) || size < cursor_.offset) {
    // Rotated: the rest of the old file (now <path>.1) first, then the new one from 0.
    int old = ::open((path_ + ".1").c_str(), O_RDONLY | O_CLOEXEC);
    struct stat ost;
    if (old >= 0 && ::fstat(old, &ost) == 0 && static_cast<uint64_t>(ost.st_ino) == cursor_.inode &&
        static_cast<uint64_t>(ost.st_size) > cursor_.offset) {
      std::string rest;
      result =
          ReadAt(old, cursor_.offset,
                 static_cast<size_t>(static_cast<uint64_t>(ost.st_size) - cursor_.offset), &rest);
      raw_ += rest;
      ConsumeRecords();
    }
    if (old >= 0) ::close(old);
    raw_.clear();  // an unfinished record of the old file never completes
    cursor_ = LogCursor{0, inode};
  }
  cursor_.inode = inode;
  if (result.ok() && size > cursor_.offset) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size - cursor_.offset, kRawChunk));
    std::string chunk;
    result = ReadAt(fd, cursor_.offset, want, &chunk);
    if (result.ok()) {
      cursor_.offset += chunk.size();
      more_ = cursor_.offset < size && !chunk.empty();
      raw_ += chunk;
      ConsumeRecords();
    }
  }
  ::close(fd);
  return result;
}

}  // namespace minik
