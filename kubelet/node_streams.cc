// NodeStreams over the runtime (see node_streams.h).
//
// Threads: a log or attach stream owns its LogFollower's pump thread; an exec stream owns at
// most one drain thread (outputs nobody asked for). Each is woken and joined by the stream's
// destructor. DialLocalPort runs one short-lived thread per call (joined before it returns).
#include "kubelet/node_streams.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace minik {
namespace {

// Go's spelling of an errno ("connection refused"), for messages that mirror upstream's.
std::string GoErrno(int err) {
  if (err == ETIMEDOUT) return "i/o timeout";
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& o) noexcept : fd_(o.Release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.Release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// ---- logs -f ----

class LogStream final : public NodeStream {
 public:
  explicit LogStream(std::unique_ptr<LogFollower> f) : follower_(std::move(f)) {}
  int stdin_fd() const override { return -1; }
  int stdout_fd() const override { return follower_->stdout_fd(); }
  int stderr_fd() const override { return -1; }
  void CloseStdin() override {}
  Status Resize(uint16_t, uint16_t) override { return Status::Ok(); }
  StatusOr<int> Wait(int timeout_ms) override {
    Status st = follower_->Wait(timeout_ms);
    if (!st.ok()) return st;
    return 0;
  }

 private:
  std::unique_ptr<LogFollower> follower_;
};

// ---- exec ----

// Reads and discards descriptors until EOF (or error) on all of them, or until stopped.
class Drainer {
 public:
  explicit Drainer(std::vector<int> fds) : fds_(std::move(fds)) {
    wake_ = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    thread_ = std::thread([this] { Run(); });
  }
  ~Drainer() {
    uint64_t one = 1;
    ssize_t n = ::write(wake_.get(), &one, sizeof one);
    (void)n;
    thread_.join();
  }

 private:
  void Run() {
    std::vector<struct pollfd> p;
    p.push_back({wake_.get(), POLLIN, 0});
    for (int fd : fds_) p.push_back({fd, POLLIN, 0});
    size_t open = fds_.size();
    char buf[16384];
    while (open > 0) {
      int n = ::poll(p.data(), p.size(), -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || p[0].revents) return;
      for (size_t i = 1; i < p.size(); ++i) {
        if (p[i].fd < 0 || !p[i].revents) continue;
        ssize_t got = ::read(p[i].fd, buf, sizeof buf);
        if (got > 0 || (got < 0 && (errno == EINTR || errno == EAGAIN))) continue;
        p[i].fd = -1;  // EOF, or EIO from a pty whose process ended
        --open;
      }
    }
  }

  std::vector<int> fds_;
  Fd wake_;
  std::thread thread_;
};

class ExecStream final : public NodeStream {
 public:
  ExecStream(std::unique_ptr<ExecSession> session, const NodeExecRequest& request)
      : session_(std::move(session)), request_(request) {
    std::vector<int> unread;
    if (!request_.stdout && session_->stdout_fd() >= 0) unread.push_back(session_->stdout_fd());
    if (!StderrWanted() && session_->stderr_fd() >= 0) unread.push_back(session_->stderr_fd());
    if (!unread.empty()) drainer_ = std::make_unique<Drainer>(std::move(unread));
  }
  // The command could not be started: descriptors at EOF, Wait says why.
  ExecStream(Status failed, const NodeExecRequest& request)
      : request_(request), failed_(std::move(failed)) {
    if (request_.stdin) null_in_ = Fd(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (request_.stdout) null_out_ = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (StderrWanted()) null_err_ = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  ~ExecStream() override {
    if (session_) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!result_) {
        // The client went away while the command runs: kill it and reap it. Should the
        // helper not report within the bound, the session reaps it in the background.
        session_->Kill();
        (void)session_->Wait(2000);
      }
    }
    drainer_.reset();  // before the session closes the descriptors it reads
  }

  int stdin_fd() const override {
    if (!request_.stdin) return -1;
    return session_ ? session_->stdin_fd() : null_in_.get();
  }
  int stdout_fd() const override {
    if (!request_.stdout) return -1;
    return session_ ? session_->stdout_fd() : null_out_.get();
  }
  int stderr_fd() const override {
    if (!StderrWanted()) return -1;
    return session_ ? session_->stderr_fd() : null_err_.get();
  }
  void CloseStdin() override {
    if (session_ && request_.stdin) session_->CloseStdin();
  }
  Status Resize(uint16_t width, uint16_t height) override {
    if (!session_ || !request_.tty || width == 0 || height == 0) return Status::Ok();
    return session_->Resize(width, height);
  }
  StatusOr<int> Wait(int timeout_ms) override {
    if (!session_) return failed_;
    std::lock_guard<std::mutex> lock(mu_);
    if (result_) return *result_;
    StatusOr<int> r = session_->Wait(timeout_ms);
    if (!r.ok() && r.status().code() == Code::kTimeout) return r;
    result_ = r;
    return r;
  }

 private:
  bool StderrWanted() const { return request_.stderr && !request_.tty; }

  std::unique_ptr<ExecSession> session_;
  const NodeExecRequest request_;
  Status failed_;
  Fd null_in_, null_out_, null_err_;
  std::unique_ptr<Drainer> drainer_;
  std::mutex mu_;  // guards result_ and calls of session_->Wait
  std::optional<StatusOr<int>> result_;
};

// ---- attach ----

// UNIX 98 pty slaves (/dev/pts/N) have majors 136-143.
bool IsPtySlave(dev_t dev) { return major(dev) >= 136 && major(dev) <= 143; }

// Whether the container ended; its exit code is kept in *exit_code (the kubelet may remove
// an exited container soon after, when it restarts it).
bool ContainerEnded(ContainerRuntime& runtime, const std::string& id, std::atomic<int>* exit_code) {
  auto st = runtime.Inspect(id);
  if (st.ok() && st->status == ContainerStatus::kExited) *exit_code = st->exit_code;
  return !st.ok() || st->status == ContainerStatus::kExited ||
         st->status == ContainerStatus::kUnknown;
}

class AttachStream final : public NodeStream {
 public:
  AttachStream(ContainerRuntime& runtime, std::string id, bool tty, bool show_stdout,
               std::shared_ptr<std::atomic<int>> exit_code,
               std::function<std::optional<int>()> recorded_exit,
               std::unique_ptr<LogFollower> follower, int stdin_fd)
      : runtime_(runtime),
        exit_code_(std::move(exit_code)),
        recorded_exit_(std::move(recorded_exit)),
        id_(std::move(id)),
        tty_(tty),
        show_stdout_(show_stdout),
        follower_(std::move(follower)),
        stdin_(stdin_fd) {}

  int stdin_fd() const override { return stdin_.get(); }
  int stdout_fd() const override { return show_stdout_ ? follower_->stdout_fd() : -1; }
  int stderr_fd() const override { return follower_->stderr_fd(); }
  void CloseStdin() override {
    if (stdin_.get() >= 0) ::shutdown(stdin_.get(), SHUT_WR);  // /dev/null: ENOTSOCK, harmless
  }
  Status Resize(uint16_t width, uint16_t height) override {
    if (!tty_ || width == 0 || height == 0) return Status::Ok();
    auto st = runtime_.Inspect(id_);
    if (!st.ok()) return st.status();
    if (st->status != ContainerStatus::kRunning || st->pid <= 0) {
      return Status(Code::kConflict, "container " + id_ + " is not running");
    }
    // The container's terminal is its stdin (the monitor holds the master): setting the
    // size on the slave side resizes the terminal and signals the foreground group.
    struct winsize ws = {};
    ws.ws_col = width;
    ws.ws_row = height;
    int last_err = 0;
    for (int fd : {0, 1, 2}) {
      std::string path = "/proc/" + std::to_string(st->pid) + "/fd/" + std::to_string(fd);
      // Only a pty slave is opened: opening whatever else the process holds there (a device,
      // a FIFO) could have effects of its own.
      struct stat sb;
      if (::stat(path.c_str(), &sb) != 0 || !S_ISCHR(sb.st_mode) || !IsPtySlave(sb.st_rdev)) {
        last_err = ENOTTY;
        continue;
      }
      Fd t(::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
      if (t.get() < 0) {
        last_err = errno;
        continue;
      }
      if (::ioctl(t.get(), TIOCSWINSZ, &ws) == 0) return Status::Ok();
      last_err = errno;
    }
    return Internal("resize the terminal of container " + id_ + ": " + std::strerror(last_err));
  }
  StatusOr<int> Wait(int timeout_ms) override {
    Status st = follower_->Wait(timeout_ms);
    if (!st.ok()) return st;
    if (*exit_code_ >= 0) return exit_code_->load();
    auto state = runtime_.Inspect(id_);
    if (state.ok()) return state->exit_code;
    if (recorded_exit_) {
      if (auto code = recorded_exit_()) return *code;
    }
    // Unknown: upstream's attach reports success whatever the exit code, so 0 loses nothing
    // a client relies on.
    return 0;
  }

 private:
  ContainerRuntime& runtime_;
  const std::shared_ptr<std::atomic<int>> exit_code_;  // -1 until seen
  const std::function<std::optional<int>()> recorded_exit_;
  const std::string id_;
  const bool tty_;
  const bool show_stdout_;
  std::unique_ptr<LogFollower> follower_;
  Fd stdin_;
};

// ---- port-forward ----

// Connects to loopback:port in the calling thread's network namespace.
StatusOr<int> ConnectLoopback(int family, uint16_t port, int timeout_ms) {
  const std::string what = family == AF_INET ? "dial tcp4 127.0.0.1:" + std::to_string(port) + ": "
                                             : "dial tcp6 [::1]:" + std::to_string(port) + ": ";
  Fd s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.get() < 0) return Status(Code::kServiceUnavailable, what + "socket: " + GoErrno(errno));
  struct sockaddr_storage ss = {};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  }
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) {
      return Status(Code::kServiceUnavailable, what + "connect: " + GoErrno(errno));
    }
    struct pollfd p = {s.get(), POLLOUT, 0};
    int n;
    do {
      n = ::poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n == 0) return Status(Code::kServiceUnavailable, what + GoErrno(ETIMEDOUT));
    int err = 0;
    socklen_t elen = sizeof err;
    if (::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
    if (err != 0) return Status(Code::kServiceUnavailable, what + "connect: " + GoErrno(err));
  }
  ::fcntl(s.get(), F_SETFL, ::fcntl(s.get(), F_GETFL) & ~O_NONBLOCK);
  return s.Release();
}

}  // namespace

StatusOr<std::unique_ptr<NodeStream>> NewLogStream(const std::string& path,
                                                   const LogFollowOptions& options,
                                                   std::function<bool()> ended) {
  auto f = LogFollower::Start(path, options, std::move(ended));
  if (!f.ok()) return f.status();
  return std::unique_ptr<NodeStream>(new LogStream(std::move(*f)));
}

std::unique_ptr<NodeStream> NewExecStream(StatusOr<std::unique_ptr<ExecSession>> session,
                                          const NodeExecRequest& request) {
  if (!session.ok()) return std::make_unique<ExecStream>(session.status(), request);
  return std::make_unique<ExecStream>(std::move(*session), request);
}

StatusOr<std::unique_ptr<NodeStream>> NewAttachStream(
    ContainerRuntime& runtime, const std::string& id, const std::string& log_path, bool tty,
    const NodeExecRequest& request, int stdin_fd,
    std::function<std::optional<int>()> recorded_exit, bool from_start) {
  Fd in(stdin_fd);
  LogFollowOptions o;
  o.raw = true;
  o.raw_from_start = from_start;
  o.merge_stderr = tty;
  // With a tty the terminal carries both streams on stdout.
  o.drop_stdout = !request.stdout && !(tty && request.stderr);
  o.drop_stderr = tty ? o.drop_stdout : !request.stderr;
  ContainerRuntime* rt = &runtime;
  auto exit_code = std::make_shared<std::atomic<int>>(-1);
  auto f = LogFollower::Start(
      log_path, o, [rt, id, exit_code] { return ContainerEnded(*rt, id, exit_code.get()); });
  if (!f.ok()) return f.status();
  return std::unique_ptr<NodeStream>(new AttachStream(runtime, id, tty, !o.drop_stdout, exit_code,
                                                      std::move(recorded_exit), std::move(*f),
                                                      in.Release()));
}

StatusOr<int> DialLocalPort(const std::string& netns_path, uint16_t port,
                            const std::string& sandbox_id, int timeout_ms) {
  Fd ns;
  if (!netns_path.empty()) {
    ns = Fd(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (ns.get() < 0) {
      return Internal("open the network namespace " + netns_path + ": " + std::strerror(errno));
    }
  }
  StatusOr<int> result = Internal("port-forward: not dialled");
  auto dial = [&] {
    if (ns.get() >= 0 && ::setns(ns.get(), CLONE_NEWNET) != 0) {
      result = Internal("enter the network namespace " + netns_path + ": " + std::strerror(errno));
      return;
    }
    auto v4 = ConnectLoopback(AF_INET, port, timeout_ms);
    if (v4.ok()) {
      result = v4;
      return;
    }
    auto v6 = ConnectLoopback(AF_INET6, port, timeout_ms);
    if (v6.ok()) {
      result = v6;
      return;
    }
    result = Status(Code::kServiceUnavailable,
                    "failed to connect to localhost:" + std::to_string(port) +
                        " inside namespace \"" + sandbox_id + "\", IPv4: " + v4.status().message() +
                        " IPv6 " + v6.status().message());
  };
  if (ns.get() < 0) {
    dial();
    return result;
  }
  try {
    std::thread t(dial);  // setns affects only this thread, which ends right after
    t.join();
  } catch (const std::system_error& e) {
    return Internal(std::string("port-forward: start a thread: ") + e.what());
  }
  return result;
}

}  // namespace minik
