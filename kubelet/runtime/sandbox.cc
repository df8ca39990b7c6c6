// The sandbox holder (RunSandboxHolder): the process whose namespaces are the pod's.
//
//   zygote --fork(setsid)--> holder-parent: joins the pod cgroup, unshare(net, ipc, uts
//   [, pid]), sethostname, fork --> holder: waits for signals (reaps orphans when it is
//   PID 1 of the pod's PID namespace); holder-parent reports "ok <pid> <start>" and exits,
//   so the holder is re-parented away from the server and survives it.
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kubelet/runtime/cgroups.h"
#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/state.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

void NoopHandler(int) {}

[[noreturn]] void HoldNamespaces() {
  // PID 1 of a namespace only receives signals it has handlers for.
  struct sigaction sa = {};
  sa.sa_handler = NoopHandler;
  for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGHUP}) sigaddset(&set, sig);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  for (;;) {
    int sig = 0;
    if (::sigwait(&set, &sig) != 0) continue;
    if (sig == SIGCHLD) {
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
    } else if (sig == SIGTERM || sig == SIGINT) {
      ::_exit(0);
    }
  }
}

}  // namespace

int RunSandboxHolder(const std::string& dir) {
  ::signal(SIGPIPE, SIG_IGN);
  ::chdir("/");
  auto json = LoadJsonFile(dir + "/state.json");
  if (!json.ok()) {
    Report("error " + json.status().message());
    return 1;
  }
  auto rec = SandboxRecordFromJson(*json);
  if (!rec.ok()) {
    Report("error " + rec.status().message());
    return 1;
  }
  const SandboxSpec& spec = rec->spec;
  auto hier = DetectHierarchies();
  if (!hier.ok()) {
    Report("error " + hier.status().message());
    return 1;
  }
  Cgroup pod(*hier, rec->cgroup);
  if (Status st = pod.Create(); !st.ok()) {
    Report("error " + st.message());
    return 1;
  }
  if (Status st = pod.Join(0); !st.ok()) {
    Report("error " + st.message());
    return 1;
  }
  int flags = 0;
  if (!spec.host_network) flags |= CLONE_NEWNET | CLONE_NEWUTS;
  if (!spec.host_ipc) flags |= CLONE_NEWIPC;
  if (spec.share_pid) flags |= CLONE_NEWPID;
  if (flags != 0 && ::unshare(flags) != 0) {
    Report(std::string("error create the pod's namespaces: ") + std::strerror(errno));
    return 1;
  }
  if (flags & CLONE_NEWUTS) {
    if (::sethostname(spec.hostname.data(), spec.hostname.size()) != 0) {
      Report("error sethostname \"" + spec.hostname + "\": " + std::strerror(errno));
      return 1;
    }
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    Report(std::string("error fork: ") + std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    ::close(kSyncFd);
    ::prctl(PR_SET_NAME, "minik-sandbox", 0, 0, 0);  // what `ps` inside a shared PID ns shows
    HoldNamespaces();
  }
  Report("ok " + std::to_string(pid) + " " + std::to_string(ProcStartTime(pid)));
  return 0;
}

}  // namespace minik::rt
