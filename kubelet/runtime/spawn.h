// Starting the helper processes from the (multi-threaded) server: posix_spawn (vfork-like,
// nothing runs in the child before execve), stdio on /dev/null unless captured, the sync
// pipe's write end as fd 3, default signal dispositions, an empty signal mask.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "api/status.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {

struct SpawnedHelper {
  pid_t pid = 0;
  UniqueFd pidfd;  // for signals that cannot hit a successor of the pid
  UniqueFd sync;   // read end of fd 3 (invalid when HelperStdio.sync was given)
};

// The helper's fds 0, 1, 2 (-1: /dev/null) and 3 (-1: a new sync pipe). They stay owned by
// the caller.
struct HelperStdio {
  int in = -1, out = -1, err = -1;
  int sync = -1;
};

StatusOr<SpawnedHelper> SpawnHelper(const std::string& exe, const std::vector<std::string>& args,
                                    bool new_session, HelperStdio stdio = {});

// Waits for the helper to exit and reaps it when it is our child (a zygote's child is reaped
// by the zygote).
void WaitHelper(SpawnedHelper& helper);

// One line (without '\n') from `fd`, waiting up to `timeout_ms`; "" at EOF; kTimeout when
// nothing complete arrived in time.
StatusOr<std::string> ReadLine(int fd, int timeout_ms);

}  // namespace minik::rt
