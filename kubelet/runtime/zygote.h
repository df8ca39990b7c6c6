// A fork server for the helper processes. Re-executing the minik binary costs tens of
// milliseconds of CPU (a large binary: dynamic relocations, static initializers), paid on
// every container start and every exec probe. Instead the runtime execs the binary once as
// "__minik-zygote", a small single-threaded process that forks a helper per request:
//
//   server --SOCK_SEQPACKET, request "<setsid 0|1>\0<argv...>" + SCM_RIGHTS {0, 1, 2, 3}-->
//   zygote: fork; child: setsid, the fds dup'ed to 0-3, default signals, RunRuntimeHelper;
//   zygote --reply "pid <n>" or "error <message>"--> server
//
// The zygote reaps its children and exits when the server's end of the socket closes (its
// children are in their own sessions and outlive it). When it cannot be used the runtime
// falls back to posix_spawn of the binary (SpawnHelper).
#pragma once

#include <sys/types.h>

#include <mutex>
#include <string>
#include <vector>

#include "kubelet/runtime/spawn.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {

inline constexpr char kZygoteVerb[] = "__minik-zygote";

class Zygote {
 public:
  explicit Zygote(std::string exe) : exe_(std::move(exe)) {}
  ~Zygote();  // the zygote exits; helpers it started keep running
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  // Like SpawnHelper. Thread-safe.
  StatusOr<SpawnedHelper> Spawn(const std::vector<std::string>& args, bool new_session,
                                HelperStdio stdio = {});

 private:
  Status StartLocked();
  StatusOr<SpawnedHelper> RequestLocked(const std::vector<std::string>& args, bool new_session,
                                        HelperStdio stdio);

  const std::string exe_;
  std::mutex mu_;
  UniqueFd sock_;  // guarded by mu_
  pid_t pid_ = 0;  // guarded by mu_
};

// The zygote's main loop (RunRuntimeHelper dispatches "__minik-zygote" here).
int RunZygote();

}  // namespace minik::rt
