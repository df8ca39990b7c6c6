// Processes of the CLI: spawning the server as a daemon, pid files, liveness, stopping, and
// the port check. The OS calls are used directly: these are thin and tested with /bin/sh.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "api/status.h"

namespace minik {

struct DaemonSpec {
  std::string exe;                                       // path to execute ("/proc/self/exe")
  std::vector<std::string> argv;                         // argv[0] included
  std::string log_path;                                  // stdout and stderr are appended here
  std::vector<std::pair<std::string, std::string>> env;  // set on top of ours
};

// fork; the child starts a new session (setsid), reads /dev/null, appends stdout/stderr to
// log_path, and execs. Returns the child's pid once the exec succeeded (the exec error
// otherwise). The child stays our child: the caller may waitpid(WNOHANG) it to notice an early
// exit; when the caller exits, init adopts it.
StatusOr<pid_t> SpawnDaemon(const DaemonSpec& spec);

// NotFound when there is no pid file; BadRequest when it does not hold a pid.
StatusOr<pid_t> ReadPidFile(const std::string& path);
Status WritePidFile(const std::string& path, pid_t pid);
// Removes the pid file only when it holds `pid` (a newer server may have replaced it).
void RemovePidFileIf(const std::string& path, pid_t pid);

// The process exists and is not a zombie.
bool ProcessAlive(pid_t pid);
// The process is alive and is `minik server --profile <profile>` (guards against pid reuse).
bool IsServerProcess(pid_t pid, const std::string& profile);

// Reaps `pid` if it is our exited child. Returns true and the wait status when it was.
bool ReapChild(pid_t pid, int* wait_status);

// SIGTERM, then waits up to `grace` (polling every few ms) and SIGKILLs what is left.
// Code::kForbidden when we may not signal the process. `killed` tells whether SIGKILL was needed.
Status TerminateProcess(pid_t pid, std::chrono::milliseconds grace, bool* killed = nullptr);

// OK when a TCP listener could bind `address`:`port` now; kServiceUnavailable with
// "port N is taken by another program" when it is in use.
Status CheckPortFree(const std::string& address, int port);

}  // namespace minik
