// The helper processes (see RunRuntimeHelper in runtime.h), forked by the zygote (or, as a
// fallback, re-executed). Each gets its working directory as argv[2] and reports to the
// server on fd 3 (kSyncFd), one line:
//   "ok <pid> <start time>\n"  or  "error <message>\n"
#pragma once

#include <string>
#include <vector>

namespace minik::rt {

inline constexpr char kSandboxVerb[] = "__minik-sandbox";
inline constexpr char kMonitorVerb[] = "__minik-monitor";
inline constexpr char kExecVerb[] = "__minik-exec";
inline constexpr int kSyncFd = 3;

// The sandbox holder: new namespaces, hostname, then waits forever.
int RunSandboxHolder(const std::string& dir);
// The container monitor: starts the container, copies its output to the log, records
// its exit in state.json.
int RunMonitor(const std::string& dir);
// ExecSync's helper: joins a running container and runs `argv` there. Reports
// "pid <pid>\n", then "exit <code>\n" (or "error <message>\n") on fd 3; the command's
// output goes to the helper's stdout.
int RunExecHelper(const std::string& dir, const std::vector<std::string>& argv);

// Writes one line to fd 3, ignoring a server that went away.
void Report(const std::string& line);

}  // namespace minik::rt
