// The container monitor (RunMonitor), one per container, like conmon:
//
//   server --posix_spawn(setsid)--> monitor: cgroups + limits, log file, seccomp compiled,
//     joins the sandbox's net/IPC/UTS namespaces, unshare(PID) (or joins the pod's),
//     fork --> container init (RunContainerInit below): joins its cgroups, new cgroup and
//       mount namespaces, rootfs, stdio, then SecureAndExec (process.h)
//   The init reports a failure on a CLOEXEC pipe; EOF there means execve succeeded. The
//   monitor then writes state.json (running), reports "ok <pid> <start>" to the server,
//   copies output to the CRI log until the container exits, writes state.json (exited,
//   exit code, OOM kill) and exits.
//
// Single-threaded, so the forked init may use ordinary library calls.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "kubelet/runtime/capabilities.h"
#include "kubelet/runtime/cgroups.h"
#include "kubelet/runtime/cri_log.h"
#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/process.h"
#include "kubelet/runtime/rootfs.h"
#include "kubelet/runtime/seccomp.h"
#include "kubelet/runtime/state.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

struct InitPlan {
  RootfsPlan rootfs;
  std::vector<std::string> cgroup_procs;  // cgroup.procs files to join
  ProcessPlan process;
  bool tty = false;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
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
  for (const std::string& procs : plan.cgroup_procs) {
    if (Status st = WriteFile(procs, "0"); !st.ok()) InitFail(plan.error_fd, st.message());
  }
  // The cgroup namespace is rooted at the container's own cgroups, joined just above.
  if (::unshare(CLONE_NEWCGROUP | CLONE_NEWNS) != 0) {
    InitFail(plan.error_fd, std::string("unshare mount namespace: ") + std::strerror(errno));
  }
  if (Status st = SetupRootfs(plan.rootfs); !st.ok()) InitFail(plan.error_fd, st.message());
  ::setsid();
  if (::dup2(plan.stdin_fd, 0) < 0 || ::dup2(plan.stdout_fd, 1) < 0 ||
      ::dup2(plan.stderr_fd, 2) < 0) {
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
  oom_before_ = cgroup_->OomKillCount();
  for (const Hierarchy& h : *hier) {
    init->cgroup_procs.push_back(h.mount + "/" + plan_.cgroup + "/cgroup.procs");
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
    auto program = CompileSeccomp(profile);
    if (!program.ok()) return program.status();
    seccomp_ = std::move(*program);
    p.seccomp = &seccomp_;
  }
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
  if (!plan_.share_pid && ::unshare(CLONE_NEWPID) != 0) {
    return Errno("create the PID namespace", errno);
  }
  return Status::Ok();
}

void Monitor::CopyOutputUntilExit(int child, int out_fd, int err_fd, int* status) {
  UniqueFd pidfd = OpenPidfd(child);
  struct pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
  bool exited = false;
  auto drain_deadline = std::chrono::steady_clock::time_point::max();
  char buf[65536];
  for (;;) {
    int timeout = -1;
    if (exited) {
      if (fds[0].fd < 0 && fds[1].fd < 0) break;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          drain_deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeout = static_cast<int>(left.count());
    }
    int n = ::poll(fds, 3, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        log_->Append(static_cast<LogStream>(i), std::string_view(buf, static_cast<size_t>(got)));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        log_->CloseStream(static_cast<LogStream>(i));
        fds[i].fd = -1;  // EOF (a pty reports EIO once every slave is closed)
      }
    }
    if (!exited && fds[2].fd >= 0 && fds[2].revents != 0) {
      if (::waitpid(child, status, 0) == child) {
        exited = true;
        fds[2].fd = -1;
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
  if (plan_.spec.tty) {
    out_r.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!out_r.valid() || ::grantpt(out_r.get()) != 0 || ::unlockpt(out_r.get()) != 0) {
      return Fail(std::string("allocate a pty: ") + std::strerror(errno));
    }
    char name[128];
    if (::ptsname_r(out_r.get(), name, sizeof name) != 0) return Fail("ptsname failed");
    out_w.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!out_w.valid()) return Fail(std::string("open ") + name + ": " + std::strerror(errno));
    init.stdin_fd = init.stdout_fd = init.stderr_fd = out_w.get();
  } else {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
    out_r.reset(p[0]);
    out_w.reset(p[1]);
    if (::pipe2(p, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
    err_r.reset(p[0]);
    err_w.reset(p[1]);
    init.stdin_fd = stdin_fd.get();
    init.stdout_fd = out_w.get();
    init.stderr_fd = err_w.get();
  }
  int e[2];
  if (::pipe2(e, O_CLOEXEC) != 0) return Fail(std::string("pipe: ") + std::strerror(errno));
  UniqueFd error_r(e[0]), error_w(e[1]);
  init.error_fd = error_w.get();

  pid_t child = ::fork();
  if (child < 0) return Fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) RunContainerInit(init);

  error_w.reset();
  out_w.reset();
  err_w.reset();
  stdin_fd.reset();
  std::string message;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(error_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
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

int RunMonitor(const std::string& dir) { return Monitor(dir).Run(); }

}  // namespace minik::rt
