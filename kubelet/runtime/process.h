// The last steps of every process started in a container (its init and ExecSync commands),
// run by the process itself, in this order:
//   1. seccomp, when no_new_privs is off (loading it needs CAP_SYS_ADMIN, so before caps)
//   2. bounding set reduced to the container's capabilities
//   3. groups, gid, uid (image passwd/group resolved inside the container's root)
//   4. permitted = effective = the capabilities; inheritable and ambient empty (a non-root
//      user ends with no effective capabilities after execve, as in Kubernetes)
//   5. chdir to the working directory (as the user)
//   6. no_new_privs, then seccomp when no_new_privs is on (as late as possible)
//   7. execve, argv[0] searched in the container's PATH
// On failure the caller gets a message worded for users, e.g.
//   exec: "nope": executable file not found in $PATH
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubelet/runtime/capabilities.h"

namespace minik::rt {

struct ProcessPlan {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // PATH, HOSTNAME and HOME are added when missing
  std::string cwd = "/";
  std::string hostname;
  std::optional<int64_t> uid, gid;
  std::vector<int64_t> supplemental_groups;
  CapMask caps = 0;
  bool no_new_privs = false;
  const std::vector<sock_filter>* seccomp = nullptr;  // null: unconfined
};

inline constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Never returns on success; returns the error message otherwise.
std::string SecureAndExec(const ProcessPlan& plan);

// Resets every signal to its default disposition and unblocks them (a child of the monitor
// must not inherit its SIGPIPE ignore).
void ResetSignals();

}  // namespace minik::rt
