// LinuxRuntime::ExecSync: runs the exec helper (exec_helper.cc) and collects its output.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/linux_runtime.h"
#include "kubelet/runtime/spawn.h"

namespace minik::rt {
namespace {

constexpr size_t kMaxOutput = 64 * 1024;

}  // namespace

StatusOr<int> LinuxRuntime::ExecSync(const std::string& id, const std::vector<std::string>& argv,
                                     int timeout_ms, std::string* output) {
  if (argv.empty()) return BadRequest("exec: no command specified");
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return NotFound("containers", id);
    Refresh(it->second);
    if (it->second.rec.state.status != ContainerStatus::kRunning) {
      return Status(Code::kConflict, "container " + id + " is not running");
    }
  }
  std::vector<std::string> args = {kExecVerb, ContainerDir(id), "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  auto helper = SpawnHelper(options_.exe, args, /*new_session=*/false, /*capture_output=*/true);
  if (!helper.ok()) return helper.status();

  std::string out, status_text;
  int child = 0;
  bool out_open = true, status_open = true, timed_out = false;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 1 << 30);
  char buf[16384];
  while (status_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd fds[2] = {{out_open ? helper->output.get() : -1, POLLIN, 0},
                            {helper->sync.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (fds[0].revents) {
      ssize_t got = ::read(helper->output.get(), buf, sizeof buf);
      if (got > 0) {
        out.append(buf, std::min(static_cast<size_t>(got), kMaxOutput - std::min(out.size(), kMaxOutput)));
      } else if (got == 0) {
        out_open = false;
      }
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
    if (child > 0) ::kill(child, SIGKILL);  // still ours: the helper waits for it
    ::kill(helper->pid, SIGKILL);
  }
  // What the command wrote just before exiting (background children may keep the pipe).
  while (out_open && !timed_out) {
    struct pollfd p = {helper->output.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    ssize_t got = ::read(helper->output.get(), buf, sizeof buf);
    if (got <= 0) break;
    out.append(buf, std::min(static_cast<size_t>(got), kMaxOutput - std::min(out.size(), kMaxOutput)));
  }
  while (::waitpid(helper->pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (output) *output = std::move(out);
  if (timed_out) {
    return Status(Code::kTimeout, "command timed out after " + std::to_string(timeout_ms) + "ms");
  }
  for (const std::string& line : Split(status_text, '\n')) {
    if (line.rfind("exit ", 0) == 0) return std::atoi(line.c_str() + 5);
    if (line.rfind("error ", 0) == 0) return Status(Code::kBadRequest, line.substr(6));
  }
  return Internal("exec in container " + id + ": the helper exited without a status");
}

}  // namespace minik::rt
