// LinuxRuntime::ExecSync and Exec: both run the exec helper (exec_helper.cc), which joins the
// container and reports "pid <pid>" once the command is exec'd, then "exit <code>".
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/linux_runtime.h"
#include "kubelet/runtime/pty.h"
#include "kubelet/runtime/spawn.h"

namespace minik::rt {
namespace {

constexpr size_t kMaxOutput = 64 * 1024;
constexpr int kExecStartTimeoutMs = 30000;

// The helper waits for the command. A zygote's child is reaped by the zygote; our own (the
// fallback spawn) is reaped by a thread once it exits, so no zombie is left behind.
void ReapInBackground(SpawnedHelper helper) {
  siginfo_t info = {};
  if (helper.pidfd.valid() &&
      ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(helper.pidfd.get()), &info,
               WEXITED | WNOHANG) != 0) {
    return;  // ECHILD: not ours
  }
  if (info.si_pid != 0) return;  // reaped just now
  std::thread([h = std::move(helper)]() mutable { WaitHelper(h); }).detach();
}

// "exit <code>" / "error <message>" among the helper's status lines.
std::optional<StatusOr<int>> ParseResult(const std::string& text) {
  for (const std::string& line : Split(text, '\n')) {
    if (line.rfind("exit ", 0) == 0) return StatusOr<int>(std::atoi(line.c_str() + 5));
    if (line.rfind("error ", 0) == 0) return StatusOr<int>(Status(Code::kBadRequest, line.substr(6)));
  }
  return std::nullopt;
}

class LinuxExecSession : public ExecSession {
 public:
  LinuxExecSession(SpawnedHelper helper, int pid, UniqueFd in, UniqueFd out, UniqueFd err,
                   bool tty)
      : helper_(std::move(helper)),
        pid_(pid),
        pidfd_(OpenPidfd(pid)),
        in_(std::move(in)),
        out_(std::move(out)),
        err_(std::move(err)),
        tty_(tty) {}
  ~LinuxExecSession() override {
    if (!reaped_) ReapInBackground(std::move(helper_));
  }

  int pid() const override { return pid_; }
  int stdin_fd() const override { return in_.get(); }
  int stdout_fd() const override { return out_.get(); }
  int stderr_fd() const override { return err_.get(); }

  void CloseStdin() override {
    if (!in_.valid()) return;
    if (tty_) {
      ssize_t n = ::write(in_.get(), "\x04", 1);  // the line discipline's EOF
      (void)n;
    } else {
      in_.reset();
    }
  }

  Status Resize(uint16_t columns, uint16_t rows) override {
    if (!tty_) return BadRequest("resize: the exec session has no terminal");
    struct winsize ws = {};
    ws.ws_col = columns;
    ws.ws_row = rows;
    if (::ioctl(out_.get(), TIOCSWINSZ, &ws) != 0) return Errno("resize the terminal", errno);
    return Status::Ok();
  }

  StatusOr<int> Wait(int timeout_ms) override {
    if (result_) return *result_;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[256];
    for (;;) {
      if (auto r = ParseResult(status_)) {
        result_ = *r;
        break;
      }
      int left = -1;
      if (timeout_ms >= 0) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
        if (ms <= 0) return Status(Code::kTimeout, "the command is still running");
        left = static_cast<int>(ms);
      }
      struct pollfd p = {helper_.sync.get(), POLLIN, 0};
      int n = ::poll(&p, 1, left);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) continue;
      ssize_t got = n > 0 ? ::read(helper_.sync.get(), buf, sizeof buf) : -1;
      if (got > 0) {
        status_.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        if (auto r = ParseResult(status_)) {
          result_ = *r;
        } else {
          result_ = StatusOr<int>(Internal("the exec helper exited without a status"));
        }
        break;
      }
    }
    WaitHelper(helper_);
    reaped_ = true;
    return *result_;
  }

  void Kill() override {
    if (pidfd_.valid()) PidfdSendSignal(pidfd_.get(), SIGKILL);
  }

 private:
  SpawnedHelper helper_;
  int pid_;
  UniqueFd pidfd_;
  UniqueFd in_, out_, err_;
  bool tty_;
  std::string status_;
  std::optional<StatusOr<int>> result_;
  bool reaped_ = false;
};

struct Pipe {
  UniqueFd read, write;
  Status Open() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return Errno("pipe", errno);
    read.reset(p[0]);
    write.reset(p[1]);
    return Status::Ok();
  }
};

}  // namespace

StatusOr<int> LinuxRuntime::RunningPid(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return NotFound("containers", id);
  Refresh(it->second);
  const ContainerRecord& rec = it->second.rec;
  if (rec.state.status != ContainerStatus::kRunning ||
      !ProcessMatches(rec.state.pid, rec.pid_start)) {
    return Status(Code::kConflict, "container " + id + " is not running");
  }
  return rec.state.pid;
}

StatusOr<std::unique_ptr<ExecSession>> LinuxRuntime::Exec(const std::string& id,
                                                          const ExecOptions& options) {
  if (options.argv.empty()) return BadRequest("exec: no command specified");
  auto pid = RunningPid(id);
  if (!pid.ok()) return pid.status();
  UniqueFd in, out, err;        // ours
  UniqueFd child_in, child_out, child_err;  // the helper's, closed after the spawn
  if (options.tty) {
    // From the container's devpts instance, so that `tty` inside names /dev/pts/N.
    auto pty = OpenPtyIn("/proc/" + std::to_string(*pid) + "/root");
    if (!pty.ok()) return pty.status();
    child_out = std::move(pty->slave);
    if (options.stdin) in.reset(::fcntl(pty->master.get(), F_DUPFD_CLOEXEC, 3));
    out = std::move(pty->master);
  } else {
    Pipe pin, pout, perr;
    if (options.stdin) MINIK_RETURN_IF_ERROR(pin.Open());
    MINIK_RETURN_IF_ERROR(pout.Open());
    MINIK_RETURN_IF_ERROR(perr.Open());
    in = std::move(pin.write);
    child_in = std::move(pin.read);
    out = std::move(pout.read);
    child_out = std::move(pout.write);
    err = std::move(perr.read);
    child_err = std::move(perr.write);
  }
  HelperStdio stdio;
  if (options.tty) {
    stdio = {child_out.get(), child_out.get(), child_out.get()};
  } else {
    stdio = {child_in.get(), child_out.get(), child_err.get()};
  }
  std::vector<std::string> args = {kExecVerb, ContainerDir(id), "--"};
  args.insert(args.end(), options.argv.begin(), options.argv.end());
  auto helper = zygote_.Spawn(args, /*new_session=*/false, stdio);
  if (!helper.ok()) return helper.status();
  child_in.reset();
  child_out.reset();
  child_err.reset();
  auto line = ReadLine(helper->sync.get(), kExecStartTimeoutMs);
  if (!line.ok() || line->rfind("pid ", 0) != 0) {
    if (!line.ok()) PidfdSendSignal(helper->pidfd.get(), SIGKILL);
    WaitHelper(*helper);
    if (!line.ok()) return line.status();
    if (line->rfind("error ", 0) == 0) return Status(Code::kBadRequest, line->substr(6));
    return Internal("exec in container " + id + ": the helper exited without a status");
  }
  int exec_pid = std::atoi(line->c_str() + 4);
  return std::unique_ptr<ExecSession>(new LinuxExecSession(
      std::move(*helper), exec_pid, std::move(in), std::move(out), std::move(err), options.tty));
}

StatusOr<int> LinuxRuntime::ExecSync(const std::string& id, const std::vector<std::string>& argv,
                                     int timeout_ms, std::string* output) {
  if (argv.empty()) return BadRequest("exec: no command specified");
  if (auto pid = RunningPid(id); !pid.ok()) return pid.status();
  Pipe pout;
  MINIK_RETURN_IF_ERROR(pout.Open());
  std::vector<std::string> args = {kExecVerb, ContainerDir(id), "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  auto helper = zygote_.Spawn(args, /*new_session=*/false,
                            HelperStdio{-1, pout.write.get(), pout.write.get()});
  if (!helper.ok()) return helper.status();
  pout.write.reset();

  std::string out, status_text;
  int child = 0;
  bool out_open = true, status_open = true, timed_out = false;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 1 << 30);
  char buf[16384];
  auto keep = [&](ssize_t got) {
    size_t room = kMaxOutput - std::min(out.size(), kMaxOutput);
    out.append(buf, std::min(static_cast<size_t>(got), room));
  };
  while (status_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd fds[2] = {{out_open ? pout.read.get() : -1, POLLIN, 0},
                            {helper->sync.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (fds[0].revents) {
      ssize_t got = ::read(pout.read.get(), buf, sizeof buf);
      if (got > 0) keep(got);
      else if (got == 0) out_open = false;
    }
    if (fds[1].revents) {
      ssize_t got = ::read(helper->sync.get(), buf, sizeof buf);
      if (got > 0) {
        status_text.append(buf, static_cast<size_t>(got));
        size_t pos = status_text.find("pid ");
        if (child == 0 && pos != std::string::npos) child = std::atoi(status_text.c_str() + pos + 4);
      } else if (got == 0) {
        status_open = false;
      }
    }
  }
  if (timed_out) {
    if (child > 0) ::kill(child, SIGKILL);  // still the helper's unreaped child: not reused
    PidfdSendSignal(helper->pidfd.get(), SIGKILL);
  }
  // What the command wrote just before exiting (background children may keep the pipe).
  while (out_open && !timed_out) {
    struct pollfd p = {pout.read.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    ssize_t got = ::read(pout.read.get(), buf, sizeof buf);
    if (got <= 0) break;
    keep(got);
  }
  WaitHelper(*helper);
  if (output) *output = std::move(out);
  if (timed_out) {
    return Status(Code::kTimeout, "command timed out after " + std::to_string(timeout_ms) + "ms");
  }
  if (auto r = ParseResult(status_text)) return *r;
  return Internal("exec in container " + id + ": the helper exited without a status");
}

}  // namespace minik::rt
