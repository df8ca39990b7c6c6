// ExecSync's helper (RunExecHelper): joins a running container and runs one command.
//
//   zygote --fork--> helper: joins the container's cgroups, then its IPC, UTS, net,
//   PID, cgroup and (last) mount namespaces via /proc/<init>/ns/*; fork --> the command,
//   in the container's PID namespace, with the container's user, capabilities,
//   no_new_privs and seccomp (SecureAndExec). Its stdout/stderr are the helper's.
//   The helper reports "pid <host pid>" once the command is exec'd, then "exit <code>";
//   or "error <message>" when it could not be started.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kubelet/runtime/capabilities.h"
#include "kubelet/runtime/cgroups.h"
#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/process.h"
#include "kubelet/runtime/seccomp.h"
#include "kubelet/runtime/state.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {
namespace {

Status JoinContainer(const ContainerPlan& plan, const ContainerRecord& rec) {
  auto hier = DetectHierarchies();
  if (!hier.ok()) return hier.status();
  MINIK_RETURN_IF_ERROR(Cgroup(*hier, plan.cgroup).Join(0));
  std::string ns_dir = "/proc/" + std::to_string(rec.state.pid) + "/ns/";
  const std::pair<const char*, int> namespaces[] = {
      {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},       {"net", CLONE_NEWNET},
      {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS}};
  std::vector<UniqueFd> fds;
  for (auto [name, type] : namespaces) {
    UniqueFd fd(::open((ns_dir + name).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Errno(std::string("open the container's ") + name + " namespace", errno);
    fds.push_back(std::move(fd));
  }
  // The fds must belong to the recorded process, not a successor with its pid.
  if (!ProcessMatches(rec.state.pid, rec.pid_start)) {
    return Status(Code::kConflict, "container " + rec.state.id + " is not running");
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    if (::setns(fds[i].get(), namespaces[i].second) != 0) {
      return Errno(std::string("join the container's ") + namespaces[i].first + " namespace",
                   errno);
    }
  }
  return Status::Ok();
}

}  // namespace

int RunExecHelper(const std::string& dir, const std::vector<std::string>& argv) {
  ::signal(SIGPIPE, SIG_IGN);
  auto fail = [](const std::string& msg) {
    Report("error " + msg);
    return 1;
  };
  auto plan_json = LoadJsonFile(dir + "/spec.json");
  if (!plan_json.ok()) return fail(plan_json.status().message());
  auto plan = ContainerPlanFromJson(*plan_json);
  if (!plan.ok()) return fail(plan.status().message());
  auto rec_json = LoadJsonFile(dir + "/state.json");
  if (!rec_json.ok()) return fail(rec_json.status().message());
  auto rec = ContainerRecordFromJson(*rec_json);
  if (!rec.ok()) return fail(rec.status().message());
  if (rec->state.status != ContainerStatus::kRunning ||
      !ProcessMatches(rec->state.pid, rec->pid_start)) {
    return fail("container " + plan->spec.id + " is not running");
  }
  const ContainerSpec& spec = plan->spec;
  auto caps = ComputeCapabilities(spec.security.privileged, spec.security.cap_add,
                                  spec.security.cap_drop, CurrentPermitted());
  if (!caps.ok()) return fail(caps.status().message());
  std::vector<sock_filter> seccomp;
  ProcessPlan p;
  if (!spec.security.privileged && spec.security.seccomp != SeccompMode::kUnconfined) {
    SeccompProfile profile = RuntimeDefaultProfile();
    if (spec.security.seccomp == SeccompMode::kLocalhost) {
      auto text = ReadFile(spec.security.seccomp_profile_path);
      if (!text.ok()) return fail(text.status().message());
      auto parsed = ParseSeccompProfile(*text, *caps);
      if (!parsed.ok()) return fail(parsed.status().message());
      profile = std::move(*parsed);
    }
    auto program = spec.security.seccomp == SeccompMode::kLocalhost ? CompileSeccomp(profile)
                                                                     : RuntimeDefaultProgram();
    if (!program.ok()) return fail(program.status().message());
    seccomp = std::move(*program);
    p.seccomp = &seccomp;
  }
  p.argv = argv;
  p.env = spec.env;
  p.cwd = spec.working_dir.empty() ? "/" : spec.working_dir;
  p.hostname = plan->hostname;
  p.uid = spec.security.uid;
  p.gid = spec.security.gid;
  p.supplemental_groups = spec.security.supplemental_groups;
  p.caps = *caps;
  p.no_new_privs = spec.security.no_new_privs;

  if (Status st = JoinContainer(*plan, *rec); !st.ok()) return fail(st.message());

  int e[2];
  if (::pipe2(e, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
  UniqueFd error_r(e[0]), error_w(e[1]);
  pid_t child = ::fork();
  if (child < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ResetSignals();
    ::setsid();
    if (::isatty(0)) ::ioctl(0, TIOCSCTTY, 0);  // Exec with a tty: it becomes the terminal
    ::close(kSyncFd);
    std::string msg = SecureAndExec(p);
    ssize_t n = ::write(error_w.get(), msg.data(), msg.size());
    (void)n;
    ::_exit(127);
  }
  error_w.reset();
  std::string message;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(error_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  if (!message.empty()) {
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return fail(message);
  }
  Report("pid " + std::to_string(child));  // exec'd
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status)
             : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
  Report("exit " + std::to_string(code));
  return 0;
}

}  // namespace minik::rt
