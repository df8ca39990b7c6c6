// Terminals for containers: a pty pair taken from the devpts instance mounted inside a
// container (its /dev/pts), so that `tty` there names /dev/pts/N; and passing a descriptor
// over a unix socket (the container's init hands its pty master to the monitor).
#pragma once

#include <string>
#include <utility>

#include "api/status.h"
#include "kubelet/runtime/sys.h"

namespace minik::rt {

struct PtyPair {
  UniqueFd master, slave;
};

// Opens dev/pts/ptmx under `root` ("/" or "/proc/<pid>/root"), resolved inside root, and
// the slave through TIOCGPTPEER (no path lookup). Both CLOEXEC, the slave O_NOCTTY.
StatusOr<PtyPair> OpenPtyIn(const std::string& root);

Status SendFd(int sock, int fd);
// The received descriptor (CLOEXEC), or an invalid one when the peer closed without sending.
UniqueFd ReceiveFd(int sock);

}  // namespace minik::rt
