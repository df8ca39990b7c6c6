// The container monitor (RunMonitor), one per container, like conmon:
//
//   zygote --fork(setsid)--> monitor: cgroups + limits, log file, seccomp compiled, joins
//     the sandbox's net/IPC/UTS namespaces, unshare(PID) (or joins the pod's), then
//     fork --> container init (RunContainerInit below): new mount namespace, rootfs; in
//       parallel the monitor moves it into the cgroups and signals it; then a cgroup
//       namespace, stdio (a pty from the container's devpts with tty), SecureAndExec.
//   The init reports a failure on a CLOEXEC pipe; EOF there means execve succeeded. The
//   monitor then writes state.json (running), reports "ok <pid> <start>" to the server,
//   copies output to the CRI log (and attached input to stdin) until the container exits,
//   writes state.json (exited, exit code, OOM kill) and exits.
//
// Single-threaded, so the forked init may use ordinary library calls.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kubelet/runtime/capabilities.h"
#include "kubelet/runtime/cgroups.h"
#include "kubelet/runtime/cri_log.h"
#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/process.h"
#include "kubelet/runtime/pty.h"
#include "kubelet/runtime/rootfs.h"
#include "kubelet/runtime/seccomp.h"
#include "kubelet/runtime/state.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

// Step timings for tuning, appended to the file named by $MINIK_RUNTIME_TRACE (if set).
class Trace {
 public:
  Trace() {
    if (const char* path = std::getenv("MINIK_RUNTIME_TRACE")) {
      fd_ = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
    last_ = std::chrono::steady_clock::now();
  }
  ~Trace() {
    if (fd_ >= 0) ::close(fd_);
  }
  void Step(const char* what) {
    if (fd_ < 0) return;
    auto now = std::chrono::steady_clock::now();
    char buf[128];
    int n = std::snprintf(buf, sizeof buf, "%d %-24s %8.3f ms\n", static_cast<int>(::getpid()),
                          what, std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
    ssize_t w = ::write(fd_, buf, static_cast<size_t>(n));
    (void)w;
  }

 private:
  int fd_ = -1;
  std::chrono::steady_clock::time_point last_;
};

Trace& GetTrace() {
  static Trace trace;
  return trace;
}

struct InitPlan {
  RootfsPlan rootfs;
  int cgroup_ready_fd = -1;  // one byte once the monitor has moved us into the cgroups
  ProcessPlan process;
  bool tty = false;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  // unused with tty
  int console_sock = -1;  // tty: the pty master goes to the monitor through it
  int error_fd = -1;
};

[[noreturn]] void InitFail(int error_fd, const std::string& msg) {
  ssize_t n = ::write(error_fd, msg.data(), msg.size());
  (void)n;
  ::_exit(127);
}

// The container's init, in the child of fork(). Never returns.
[[noreturn]] void RunContainerInit(const InitPlan& plan) {
  ResetSignals();
  GetTrace().Step("init: forked");
  if (::unshare(CLONE_NEWNS) != 0) {
    InitFail(plan.error_fd, std::string("unshare mount namespace: ") + std::strerror(errno));
  }
  // Meanwhile the monitor moves us into the cgroups (each move may wait for an RCU grace
  // period; doing it in parallel hides that behind the mounts).
  if (Status st = SetupRootfs(plan.rootfs); !st.ok()) InitFail(plan.error_fd, st.message());
  char ready = 0;
  ssize_t got;
  while ((got = ::read(plan.cgroup_ready_fd, &ready, 1)) < 0 && errno == EINTR) {
  }
  if (got != 1) ::_exit(127);  // the monitor failed and reports why
  GetTrace().Step("init: in cgroups");
  // Rooted at the container's own cgroups.
  if (::unshare(CLONE_NEWCGROUP) != 0) {
    InitFail(plan.error_fd, std::string("unshare cgroup namespace: ") + std::strerror(errno));
  }
  ::setsid();
  int in = plan.stdin_fd, out = plan.stdout_fd, err = plan.stderr_fd;
  UniqueFd slave;
  if (plan.tty) {
    // From the container's own devpts, so that `tty` inside names /dev/pts/N.
    auto pty = OpenPtyIn("/");
    if (!pty.ok()) InitFail(plan.error_fd, pty.status().message());
    if (Status st = SendFd(plan.console_sock, pty->master.get()); !st.ok()) {
      InitFail(plan.error_fd, st.message());
    }
    slave = std::move(pty->slave);
    in = out = err = slave.get();
  }
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
    InitFail(plan.error_fd, std::string("set up stdio: ") + std::strerror(errno));
  }
  if (plan.tty) ::ioctl(0, TIOCSCTTY, 0);
  // Every other descriptor closes at execve (the error pipe is CLOEXEC already).
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  InitFail(plan.error_fd, SecureAndExec(plan.process));
}

class Monitor {
 public:
  explicit Monitor(std::string dir) : dir_(std::move(dir)) {}
  int Run();

 private:
  // Records a failed start (exit code 128, as Kubernetes shows StartError) and reports it.
  int Fail(const std::string& message);
  Status Prepare(InitPlan* init);
  Status SaveRecord() { return SaveJsonFile(dir_ + "/state.json", ToJson(rec_)); }
  void CopyOutputUntilExit(int child, int out_fd, int err_fd, int* status);

  std::string dir_;
  ContainerPlan plan_;
  ContainerRecord rec_;
  std::unique_ptr<Cgroup> cgroup_;
  std::unique_ptr<CriLogWriter> log_;
  std::vector<sock_filter> seccomp_;
  uint64_t oom_before_ = 0;
  UniqueFd stdin_w_;  // the container's stdin for attach (the pty master with tty)
  UniqueFd attach_;   // listening attach socket, when spec.stdin
};

int Monitor::Fail(const std::string& message) {
  rec_.state.status = ContainerStatus::kExited;
  rec_.state.exit_code = 128;
  rec_.state.message = message;
  rec_.state.finished_at = NowRfc3339Nano();
  (void)SaveRecord();
  Report("error " + message);
  return 1;
}

Status Monitor::Prepare(InitPlan* init) {
  const ContainerSpec& spec = plan_.spec;
  auto hier = DetectHierarchies();
  if (!hier.ok()) return hier.status();
  cgroup_ = std::make_unique<Cgroup>(*hier, plan_.cgroup);
  MINIK_RETURN_IF_ERROR(cgroup_->Create());
  MINIK_RETURN_IF_ERROR(cgroup_->ApplyResources(spec.resources));
  if (!spec.security.privileged) MINIK_RETURN_IF_ERROR(cgroup_->RestrictDevices());
  GetTrace().Step("monitor: cgroups");
  oom_before_ = cgroup_->OomKillCount();
  for (const Hierarchy& h : *hier) {
    if (h.v2) continue;
    size_t slash = h.mount.find_last_of('/');
    init->rootfs.cgroup_dirs.emplace_back(h.mount + "/" + plan_.cgroup,
                                          h.mount.substr(slash + 1));
  }

  log_ = std::make_unique<CriLogWriter>(spec.log_path, spec.max_log_bytes);
  MINIK_RETURN_IF_ERROR(log_->Open());

  auto caps = ComputeCapabilities(spec.security.privileged, spec.security.cap_add,
                                  spec.security.cap_drop, CurrentPermitted());
  if (!caps.ok()) return caps.status();
  ProcessPlan& p = init->process;
  p.caps = *caps;
  if (!spec.security.privileged && spec.security.seccomp != SeccompMode::kUnconfined) {
    SeccompProfile profile = RuntimeDefaultProfile();
    if (spec.security.seccomp == SeccompMode::kLocalhost) {
      auto text = ReadFile(spec.security.seccomp_profile_path);
      if (!text.ok()) {
        return BadRequest("seccomp profile " + spec.security.seccomp_profile_path + ": " +
                          text.status().message());
      }
      auto parsed = ParseSeccompProfile(*text, *caps);
      if (!parsed.ok()) return parsed.status();
      profile = std::move(*parsed);
    }
    auto program = spec.security.seccomp == SeccompMode::kLocalhost ? CompileSeccomp(profile)
                                                                     : RuntimeDefaultProgram();
    if (!program.ok()) return program.status();
    seccomp_ = std::move(*program);
    p.seccomp = &seccomp_;
  }
  GetTrace().Step("monitor: log, caps, seccomp");
  p.argv = spec.argv;
  p.env = spec.env;
  p.cwd = spec.working_dir.empty() ? "/" : spec.working_dir;
  p.hostname = plan_.hostname;
  p.uid = spec.security.uid;
  p.gid = spec.security.gid;
  p.supplemental_groups = spec.security.supplemental_groups;
  p.no_new_privs = spec.security.no_new_privs;

  RootfsPlan& r = init->rootfs;
  r.layers = spec.rootfs_layers;
  r.upper = dir_ + "/upper";
  r.work = dir_ + "/work";
  r.rootfs = dir_ + "/rootfs";
  for (const std::string& d : {r.upper, r.work, r.rootfs}) MINIK_RETURN_IF_ERROR(MkdirAll(d));
  r.mounts = spec.mounts;
  r.privileged = spec.security.privileged;
  r.read_only = spec.security.read_only_rootfs;
  r.working_dir = p.cwd;
  r.trace = [](const char* what) { GetTrace().Step(what); };
  init->tty = spec.tty;

  // The pod's namespaces: opened first (all paths are the holder's), then joined.
  if (!ProcessMatches(plan_.sandbox_pid, plan_.sandbox_start)) {
    return Status(Code::kNotFound, "the pod sandbox is not running");
  }
  std::string ns_dir = "/proc/" + std::to_string(plan_.sandbox_pid) + "/ns/";
  std::vector<std::pair<const char*, int>> namespaces = {
      {"net", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}};
  if (plan_.share_pid) namespaces.push_back({"pid", CLONE_NEWPID});
  std::vector<UniqueFd> fds;
  for (auto [name, type] : namespaces) {
    UniqueFd fd(::open((ns_dir + name).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Errno(std::string("open the pod's ") + name + " namespace", errno);
    fds.push_back(std::move(fd));
  }
  if (!ProcessMatches(plan_.sandbox_pid, plan_.sandbox_start)) {
    return Status(Code::kNotFound, "the pod sandbox is not running");
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    if (::setns(fds[i].get(), namespaces[i].second) != 0) {
      return Errno(std::string("join the pod's ") + namespaces[i].first + " namespace", errno);
    }
  }
  if (plan_.pid_ns_pid > 0 && !plan_.share_pid) {
    // Another container's PID namespace (an ephemeral container's target): like the pod's
    // namespaces above, opened and checked against the recorded start time, then joined.
    UniqueFd fd(::open(("/proc/" + std::to_string(plan_.pid_ns_pid) + "/ns/pid").c_str(),
                       O_RDONLY | O_CLOEXEC));
    if (!fd.valid() || !ProcessMatches(plan_.pid_ns_pid, plan_.pid_ns_start)) {
      return Status(Code::kConflict, "the target container is not running");
    }
    if (::setns(fd.get(), CLONE_NEWPID) != 0) {
      return Errno("join the target container's PID namespace", errno);
    }
  } else if (!plan_.share_pid && ::unshare(CLONE_NEWPID) != 0) {
    return Errno("create the PID namespace", errno);
  }
  GetTrace().Step("monitor: namespaces");
  return Status::Ok();
}

// The attach socket: containers/<id>/attach.sock, mode 0600. Bound through /proc/self/fd so
// that a long state directory does not hit the 108-byte sun_path limit.
UniqueFd ListenAttach(const std::string& dir) {
  UniqueFd dfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!dfd.valid() || !sock.valid()) return UniqueFd();
  std::string path = "/proc/self/fd/" + std::to_string(dfd.get()) + "/attach.sock";
  ::unlink(path.c_str());
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  mode_t old = ::umask(0077);
  int rc = ::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::listen(sock.get(), 4) != 0) return UniqueFd();
  return sock;
}

void Monitor::CopyOutputUntilExit(int child, int out_fd, int err_fd, int* status) {
  UniqueFd pidfd = OpenPidfd(child);
  enum { kOut, kErr, kPid, kListen, kClient, kStdin, kCount };
  struct pollfd fds[kCount];
  bool exited = false;
  auto drain_deadline = std::chrono::steady_clock::time_point::max();
  std::string pending;  // attached input not yet written to the container's stdin
  UniqueFd client;
  char buf[65536];
  auto close_stdin = [&] {
    if (plan_.spec.tty) {
      if (stdin_w_.valid()) {
        ssize_t n = ::write(stdin_w_.get(), "\x04", 1);
        (void)n;
      }
    }
    stdin_w_.reset();
    attach_.reset();
    ::unlink((dir_ + "/attach.sock").c_str());
  };
  for (;;) {
    int timeout = -1;
    if (exited) {
      if (out_fd < 0 && err_fd < 0) break;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          drain_deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeout = static_cast<int>(left.count());
    }
    fds[kOut] = {out_fd, POLLIN, 0};
    fds[kErr] = {err_fd, POLLIN, 0};
    fds[kPid] = {exited ? -1 : pidfd.get(), POLLIN, 0};
    fds[kListen] = {client.valid() || exited ? -1 : attach_.get(), POLLIN, 0};
    fds[kClient] = {pending.empty() && client.valid() ? client.get() : -1, POLLIN, 0};
    fds[kStdin] = {pending.empty() ? -1 : stdin_w_.get(), POLLOUT, 0};
    int n = ::poll(fds, kCount, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i : {kOut, kErr}) {
      int& fd = i == kOut ? out_fd : err_fd;
      if (fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got > 0) {
        log_->Append(static_cast<LogStream>(i), std::string_view(buf, static_cast<size_t>(got)));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        log_->CloseStream(static_cast<LogStream>(i));
        fd = -1;  // EOF (a pty reports EIO once every slave is closed)
      }
    }
    if (fds[kListen].fd >= 0 && fds[kListen].revents) {
      client.reset(::accept4(attach_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    }
    if (fds[kClient].fd >= 0 && fds[kClient].revents) {
      ssize_t got = ::read(client.get(), buf, sizeof buf);
      if (got > 0) {
        pending.assign(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        client.reset();
        if (plan_.spec.stdin_once) close_stdin();
      }
    }
    if (fds[kStdin].fd >= 0 && fds[kStdin].revents) {
      ssize_t put = ::write(stdin_w_.get(), pending.data(), pending.size());
      if (put > 0) {
        pending.erase(0, static_cast<size_t>(put));
      } else if (put < 0 && errno != EAGAIN && errno != EINTR) {
        pending.clear();  // the container closed its stdin
        close_stdin();
      }
    }
    if (!exited && fds[kPid].fd >= 0 && fds[kPid].revents != 0) {
      if (::waitpid(child, status, 0) == child) {
        exited = true;
        close_stdin();
        client.reset();
        // Everything in a private PID namespace dies with its init; give the pipes a moment
        // to deliver the rest, but do not wait on processes that outlive it.
        drain_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
      }
    }
  }
  if (!exited) ::waitpid(child, status, 0);
  log_->CloseStream(LogStream::kStdout);
  log_->CloseStream(LogStream::kStderr);
}

int Monitor::Run() {
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  GetTrace().Step("monitor: exec'd");
  auto plan_json = LoadJsonFile(dir_ + "/spec.json");
  if (!plan_json.ok()) return Fail(plan_json.status().message());
  auto plan = ContainerPlanFromJson(*plan_json);
  if (!plan.ok()) return Fail(plan.status().message());
  plan_ = std::move(*plan);
  rec_.state.id = plan_.spec.id;
  rec_.state.labels = plan_.spec.labels;
  rec_.state.status = ContainerStatus::kCreated;
  rec_.monitor_pid = ::getpid();
  rec_.monitor_start = ProcStartTime(rec_.monitor_pid);

  InitPlan init;
  if (Status st = Prepare(&init); !st.ok()) return Fail(st.message());

  // stdio: a pty for tty containers, else a pipe per stream; stdin is /dev/null.
  UniqueFd stdin_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd out_r, out_w, err_r, err_w;
  UniqueFd console_parent, console_child;
  if (plan_.spec.tty) {
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
      return Fail(std::string("socketpair: ") + std::strerror(errno));
    }
    console_parent.reset(sp[0]);
    console_child.reset(sp[1]);
    init.console_sock = console_child.get();
  } else {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
    out_r.reset(p[0]);
    out_w.reset(p[1]);
    if (::pipe2(p, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
    err_r.reset(p[0]);
    err_w.reset(p[1]);
    if (plan_.spec.stdin) {
      if (::pipe2(p, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
      stdin_fd.reset(p[0]);
      stdin_w_.reset(p[1]);
      ::fcntl(stdin_w_.get(), F_SETFL, O_NONBLOCK);
    }
    init.stdin_fd = stdin_fd.get();
    init.stdout_fd = out_w.get();
    init.stderr_fd = err_w.get();
  }
  if (plan_.spec.stdin) {
    attach_ = ListenAttach(dir_);
    if (!attach_.valid()) return Fail(std::string("attach socket: ") + std::strerror(errno));
  }
  int e[2];
  if (::pipe2(e, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
  UniqueFd error_r(e[0]), error_w(e[1]);
  init.error_fd = error_w.get();
  if (::pipe2(e, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
  UniqueFd ready_r(e[0]), ready_w(e[1]);
  init.cgroup_ready_fd = ready_r.get();

  pid_t child = ::fork();
  if (child < 0) return Fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) RunContainerInit(init);

  ready_r.reset();
  if (Status st = cgroup_->Join(child); !st.ok()) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return Fail(st.message());
  }
  GetTrace().Step("monitor: child in cgroups");
  if (::write(ready_w.get(), "1", 1) != 1) {
    // EPIPE: the init failed before it waited for us (a mount of the rootfs, say); its
    // report on the error pipe says why.
    std::string why = std::string("start the container: ") + std::strerror(errno);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    error_w.reset();
    std::string report;
    char chunk[4096];
    for (ssize_t n; (n = ::read(error_r.get(), chunk, sizeof chunk)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      report.append(chunk, static_cast<size_t>(n));
    }
    return Fail(report.empty() ? why : report);
  }
  ready_w.reset();
  error_w.reset();
  out_w.reset();
  err_w.reset();
  stdin_fd.reset();
  console_child.reset();
  if (plan_.spec.tty) {
    out_r = ReceiveFd(console_parent.get());  // invalid when the init failed before
    if (out_r.valid() && plan_.spec.stdin) {
      stdin_w_.reset(::fcntl(out_r.get(), F_DUPFD_CLOEXEC, 3));
      ::fcntl(stdin_w_.get(), F_SETFL, O_NONBLOCK);  // shared with out_r: reads see EAGAIN
    }
  }
  std::string message;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(error_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
  GetTrace().Step("monitor: init exec'd");
  if (!message.empty()) {
    ::waitpid(child, nullptr, 0);
    return Fail(message);
  }

  rec_.state.status = ContainerStatus::kRunning;
  rec_.state.pid = child;
  rec_.pid_start = ProcStartTime(child);
  rec_.state.started_at = NowRfc3339Nano();
  (void)SaveRecord();
  Report("ok " + std::to_string(child) + " " + std::to_string(rec_.pid_start));
  ::close(kSyncFd);
  GetTrace().Step("monitor: reported");

  int status = 0;
  CopyOutputUntilExit(child, out_r.get(), err_r.valid() ? err_r.get() : -1, &status);
  rec_.state.status = ContainerStatus::kExited;
  rec_.state.exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                         : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
  rec_.state.oom_killed = cgroup_->OomKillCount() > oom_before_;
  rec_.state.finished_at = NowRfc3339Nano();
  (void)SaveRecord();
  return 0;
}

}  // namespace

int RunMonitor(const std::string& dir) {
  ::prctl(PR_SET_NAME, "minik-monitor", 0, 0, 0);
  return Monitor(dir).Run();
}

}  // namespace minik::rt
