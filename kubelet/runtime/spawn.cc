#include "kubelet/runtime/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "kubelet/runtime/helpers.h"

extern char** environ;

namespace minik::rt {

StatusOr<SpawnedHelper> SpawnHelper(const std::string& exe, const std::vector<std::string>& args,
                                    bool new_session, HelperStdio stdio) {
  UniqueFd sync_r, sync_w;
  if (stdio.sync < 0) {
    int sync[2];
    if (::pipe2(sync, O_CLOEXEC) != 0) return Errno("pipe", errno);
    sync_r.reset(sync[0]);
    sync_w.reset(sync[1]);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const int fds[3] = {stdio.in, stdio.out, stdio.err};
  for (int target = 0; target < 3; ++target) {
    if (fds[target] >= 0) {
      posix_spawn_file_actions_adddup2(&fa, fds[target], target);
    } else {
      posix_spawn_file_actions_addopen(&fa, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY,
                                       0);
    }
  }
  // dup2 onto fd 3 clears CLOEXEC (even when the pipe already is fd 3: glibc 2.29+).
  posix_spawn_file_actions_adddup2(&fa, stdio.sync >= 0 ? stdio.sync : sync_w.get(), kSyncFd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (new_session) flags |= POSIX_SPAWN_SETSID;
  posix_spawnattr_setflags(&attr, flags);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Errno("start " + exe, rc);
  SpawnedHelper h;
  h.pid = pid;
  h.pidfd = OpenPidfd(pid);
  h.sync = std::move(sync_r);
  return h;
}

void WaitHelper(SpawnedHelper& helper) {
  if (helper.pidfd.valid()) {
    WaitPidfd(helper.pidfd.get(), -1);
    siginfo_t info;
    ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(helper.pidfd.get()), &info, WEXITED);
  } else {
    while (::waitpid(helper.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

StatusOr<std::string> ReadLine(int fd, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string line;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left < 0) left = 0;
    struct pollfd p = {fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("poll", errno);
    if (n == 0) return Status(Code::kTimeout, "timed out waiting for the runtime helper");
    char c;
    // Byte by byte: the line is short and must not swallow what follows it.
    ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return line;
    if (c == '\n') return line;
    line += c;
  }
}

}  // namespace minik::rt
