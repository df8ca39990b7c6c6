// The container runtime: pod sandboxes and containers as real Linux processes, like crun
// plus a conmon-style monitor. No Docker, containerd, runc or CNI binaries.
//
// State lives under `root` (the profile's state dir + "/runtime"):
//   sandboxes/<id>/spec.json, state.json      the sandbox holder process (pid, start time)
//   containers/<id>/spec.json, state.json     created/started/exited, pid, exit status
//   containers/<id>/upper, work, rootfs       overlay upper/work dirs and the mount point
// Everything is re-read on Open, so a restarted server re-adopts sandboxes and containers
// whose processes kept running (pids are checked against their recorded start time, so a
// reused pid is never mistaken for a container).
//
// Sandbox: a small holder process (a re-exec of the minik binary, see RunRuntimeHelper) in
// new network, IPC and UTS namespaces (and a PID namespace when the pod shares one), with
// the pod's hostname, doing nothing but wait. Its namespaces are the pod's; the network is
// configured by the caller through /proc/<pid>/ns/net (kubelet/network).
//
// Container: a monitor process (a re-exec of the minik binary, detached with setsid so it
// survives the server) creates the container process: joins the sandbox's net/IPC/UTS
// namespaces, new mount + PID namespaces (or the sandbox's PID namespace), cgroups, overlay
// rootfs over the image layers, pivot_root, /proc, read-only /sys, minimal /dev, /dev/pts,
// /dev/shm, the given bind/tmpfs mounts, hostname, user/groups, capabilities, no_new_privs,
// seccomp, then execve. The monitor owns stdout/stderr and writes them to `log_path` in the
// CRI format ("<RFC3339Nano> stdout|stderr F|P <line>"), records the exit status (code,
// signal, OOM kill from the memory cgroup) in state.json, and exits after the container.
//
// cgroups: v1 hierarchies memory, cpu(acct), pids (and freezer if useful) under
// "minik/<cgroup_parent>/<container id>"; v2 (unified, with controllers) when the machine
// has it — detected at run time.
//
// As built (kubelet/runtime/linux_runtime.h and the files beside it):
// - cgroups are "<cgroup_root>/<cgroup_parent>/<id>" in the v1 memory, cpu, cpuacct, pids
//   and devices hierarchies (Docker's device allow-list), plus the v2 tree when mounted
//   beside them (only for cgroup.kill). The sandbox holder sits in "<cgroup_root>/<parent>".
//   Inside, /sys/fs/cgroup/<hierarchy> shows the container's own cgroup, read-only, so
//   /sys/fs/cgroup/memory/memory.limit_in_bytes is its limit; there is a cgroup namespace.
// - Capabilities: Docker's 14 defaults, then add "ALL", drop "ALL", named adds, named drops
//   (containerd's order); privileged = all the runtime holds. A non-root uid gets them in
//   its bounding set only (no effective capabilities after execve).
// - Seccomp RuntimeDefault: allow by default; EPERM for namespace creation (unshare, setns,
//   clone with CLONE_NEW*), mount family, keyrings, modules, kexec, bpf, ptrace,
//   perf_event_open, reboot, swap, clock setting and other host-level calls; clone3 gets
//   ENOSYS. Localhost: a Docker-style JSON profile. Privileged or Unconfined: none.
// - Non-privileged containers get Docker's masked paths (/proc/kcore, /proc/keys, ...) and
//   read-only /proc/{bus,fs,irq,sys,sysrq-trigger}; /sys is read-only.
// - A missing working_dir is created (as runc does).
// - A container whose monitor was killed keeps running and stays stoppable (StopContainer
//   kills through its cgroup). When it ends without a monitor to see its status, or is found
//   dead at Open with state "running", it is reported Exited with exit code 137 and the
//   message "container state lost: ..." (a non-parent cannot learn the real status).
// - The helper processes are the minik binary re-executed with argv[1] one of
//   "__minik-sandbox", "__minik-monitor", "__minik-exec" (see RunRuntimeHelper). To avoid
//   paying for an exec of the big binary on every start, the runtime execs it once as
//   "__minik-zygote", a fork server that forks the others (kubelet/runtime/zygote.h).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct SandboxSpec {
  std::string id;        // unique, [a-z0-9]{1,64}
  std::string hostname;  // pod name, or spec.hostname
  bool host_network = false;  // no new network/UTS namespace
  bool host_ipc = false;
  bool share_pid = false;     // shareProcessNamespace: the holder is PID 1 of a pod PID ns
  std::string cgroup_parent;  // e.g. "<profile>/pod<uid>" (relative to the "minik" root)
  std::map<std::string, std::string> labels;  // kept for List(), e.g. pod uid/name/namespace
};

struct SandboxState {
  std::string id;
  int pid = 0;            // the holder; its /proc/<pid>/ns/{net,ipc,uts,pid} are the pod's
  bool running = false;
  std::map<std::string, std::string> labels;
};

struct Mount {
  std::string source;       // host path (bind) or ignored (tmpfs)
  std::string destination;  // absolute path in the container
  std::string type = "bind";  // "bind" or "tmpfs"
  bool read_only = false;
  std::string options;      // tmpfs options, e.g. "size=64m,mode=1777"
};

enum class SeccompMode { kUnconfined, kRuntimeDefault, kLocalhost };

struct SecuritySpec {
  std::optional<int64_t> uid;      // runAsUser; unset: the image's user (resolved by the caller) or 0
  std::optional<int64_t> gid;      // runAsGroup
  std::vector<int64_t> supplemental_groups;
  bool privileged = false;         // all capabilities, no seccomp, devices of the host
  std::vector<std::string> cap_add;   // "NET_ADMIN", "CAP_NET_ADMIN" or "ALL"
  std::vector<std::string> cap_drop;
  bool no_new_privs = false;       // allowPrivilegeEscalation: false
  bool read_only_rootfs = false;
  SeccompMode seccomp = SeccompMode::kRuntimeDefault;
  std::string seccomp_profile_path;  // kLocalhost: a Docker/OCI-style JSON profile
};

struct ResourceSpec {
  int64_t memory_limit_bytes = 0;  // 0: none
  int64_t cpu_shares = 0;          // 0: default (1024); from requests.cpu (milli*1024/1000, min 2)
  int64_t cpu_quota_us = 0;        // 0: none; from limits.cpu (milli*period/1000)
  int64_t cpu_period_us = 100000;
  int64_t pids_limit = 0;          // 0: none
};

struct ContainerSpec {
  std::string id;          // unique, [a-z0-9]{1,64}
  std::string sandbox_id;  // joins that sandbox's namespaces
  std::vector<std::string> rootfs_layers;  // lower dirs, lowest layer FIRST
  std::vector<std::string> argv;           // resolved command + args; argv[0] looked up in PATH
  std::vector<std::string> env;            // "K=V"
  std::string working_dir = "/";
  std::vector<Mount> mounts;               // applied in order, after the standard mounts
  SecuritySpec security;
  ResourceSpec resources;
  std::string cgroup_parent;               // as the sandbox's
  std::string log_path;                    // CRI log file (its directory exists)
  int64_t max_log_bytes = 10 << 20;        // rotate to log_path + ".1" beyond this
  bool tty = false;
  bool stdin = false;       // keep stdin open for AttachStdin (else it is /dev/null)
  bool stdin_once = false;  // the end of the first attached stdin closes the container's stdin
  // A running container of the same sandbox whose PID namespace this one joins instead of
  // getting its own (an ephemeral container's targetContainerName). Ignored when the sandbox
  // shares one PID namespace. Not running, unknown or of another sandbox: kConflict/kNotFound.
  std::string pid_namespace_of;
  std::map<std::string, std::string> labels;  // kept for List()
};

enum class ContainerStatus { kCreated, kRunning, kExited, kUnknown };

struct ContainerState {
  std::string id;
  ContainerStatus status = ContainerStatus::kUnknown;
  int pid = 0;
  int exit_code = 0;        // 128+signal when killed by a signal (as Kubernetes reports)
  bool oom_killed = false;  // the memory cgroup killed it
  std::string started_at;   // RFC 3339 (UTC, seconds or finer)
  std::string finished_at;
  std::string message;      // why it could not start, e.g. `exec: "nope": executable file not found in $PATH`
  std::map<std::string, std::string> labels;
};

struct ExecOptions {
  std::vector<std::string> argv;
  bool tty = false;    // the process gets a terminal (stdout carries stdout and stderr)
  bool stdin = false;  // stdin_fd() is connected; otherwise the process reads /dev/null
};

// An interactive process started by Exec (kubectl exec). The descriptors belong to the
// session. Destroying the session does not kill the process (as with Kubernetes); call Kill.
class ExecSession {
 public:
  virtual ~ExecSession() = default;
  virtual int pid() const = 0;        // as seen from the host
  virtual int stdin_fd() const = 0;   // write end (-1 without ExecOptions.stdin); with tty the pty
  virtual int stdout_fd() const = 0;  // read end; with tty the pty (stdout and stderr)
  virtual int stderr_fd() const = 0;  // read end; -1 with tty
  // EOF for the process's stdin (with tty: ^D).
  virtual void CloseStdin() = 0;
  virtual Status Resize(uint16_t columns, uint16_t rows) = 0;  // tty only
  // The exit code (128+signal when killed); kTimeout when still running after timeout_ms
  // (-1: wait forever).
  virtual StatusOr<int> Wait(int timeout_ms) = 0;
  virtual void Kill() = 0;  // SIGKILL
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;

  // Starts the holder process; returns when its namespaces exist.
  virtual StatusOr<SandboxState> RunSandbox(const SandboxSpec& spec) = 0;
  // Kills the holder (and, first, any container still running in it: SIGKILL).
  virtual Status StopSandbox(const std::string& id) = 0;
  virtual Status RemoveSandbox(const std::string& id) = 0;  // after StopSandbox; idempotent
  virtual StatusOr<SandboxState> SandboxStatus(const std::string& id) const = 0;
  virtual std::vector<SandboxState> ListSandboxes() const = 0;

  // Creates and starts the container; returns once the command has been exec'd (state
  // kRunning) or failed to start: then a non-OK Status whose message says why in the words
  // a user needs (executable not found, permission denied, bad working dir, mount failure).
  virtual StatusOr<ContainerState> StartContainer(const ContainerSpec& spec) = 0;
  // SIGTERM (or `stop_signal`) to the container's PID 1, then SIGKILL to every process in
  // its cgroup after `grace_seconds`; returns when it has exited. OK if already exited.
  virtual Status StopContainer(const std::string& id, int64_t grace_seconds) = 0;
  // Removes the stopped container's state, rootfs and cgroups (not its log file). Idempotent.
  // A still running container: kConflict.
  virtual Status RemoveContainer(const std::string& id) = 0;
  virtual StatusOr<ContainerState> Inspect(const std::string& id) const = 0;
  virtual std::vector<ContainerState> ListContainers() const = 0;

  // Called from a runtime thread whenever a container exits (not under a runtime lock).
  virtual void SetExitHandler(std::function<void(const std::string& id)> handler) = 0;

  // Runs `argv` inside a running container (its namespaces, cgroups, user, capabilities,
  // seccomp), waits up to `timeout_ms`, and returns the exit code; stdout+stderr (capped at
  // 64 KiB) in *output. Used by exec probes and lifecycle hooks. Errors: kTimeout (the
  // command was killed), kBadRequest (it could not be started, e.g. not found), kConflict
  // (the container is not running), kNotFound.
  virtual StatusOr<int> ExecSync(const std::string& id, const std::vector<std::string>& argv,
                                 int timeout_ms, std::string* output) = 0;

  // Starts `options.argv` inside a running container like ExecSync, with its stdio handed
  // to the caller (kubectl exec). A command that cannot be started (not found, not
  // executable) is a non-OK Status with the message ExecSync would give.
  virtual StatusOr<std::unique_ptr<ExecSession>> Exec(const std::string& id,
                                                      const ExecOptions& options) {
    (void)id;
    (void)options;
    return NotImplemented("interactive exec is not supported by this runtime");
  }

  // kubectl attach: a connected socket whose bytes go to the container's stdin (the
  // container must have been started with stdin = true). The caller owns and closes it; with
  // stdin_once, closing the first one closes the container's stdin. Output is in the log.
  virtual StatusOr<int> AttachStdin(const std::string& id) {
    (void)id;
    return NotImplemented("attach is not supported by this runtime");
  }

  // Stops and removes everything this runtime created (for `minik delete`): processes,
  // mounts, cgroups, state.
  virtual Status Cleanup() = 0;
};

struct RuntimeOptions {
  std::string root;     // state directory (created if needed)
  std::string exe = "/proc/self/exe";  // the minik binary, re-executed for helpers
  std::string cgroup_root = "minik";   // top cgroup name under each hierarchy
};

StatusOr<std::unique_ptr<ContainerRuntime>> OpenContainerRuntime(const RuntimeOptions& options);

// Entry point for the re-executed helper processes (sandbox holder, container monitor).
// cmd/main.cc calls it first: when argv[1] is one of the helper verbs it runs the helper and
// returns its exit status; otherwise it returns std::nullopt and the CLI runs.
std::optional<int> RunRuntimeHelper(int argc, char** argv);

}  // namespace minik
