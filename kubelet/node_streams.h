// The NodeStreams (api/node_connector.h) the kubelet hands to the API server, and the
// port-forward dial, apart from the pod lookups of kubelet/streams.cc so that they can be
// tested against a runtime alone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/node_connector.h"
#include "api/status.h"
#include "kubelet/log_follow.h"
#include "kubelet/runtime/runtime.h"

namespace minik {

// `kubectl logs -f`: the follower's output on stdout_fd; Wait is 0 once the container ended
// and the log was read out (or limitBytes reached).
StatusOr<std::unique_ptr<NodeStream>> NewLogStream(const std::string& path,
                                                   const LogFollowOptions& options,
                                                   std::function<bool()> ended);

// `kubectl exec`: wraps what ContainerRuntime::Exec returned. A start failure (the command
// not found or not executable) is not an error here: the stream's descriptors are at EOF
// (stdin discards) and Wait returns that Status, with the runtime's message. Outputs the
// client did not ask for are read and discarded (the process never blocks on them).
// Destroying the stream while the process runs kills it (SIGKILL) and reaps it.
std::unique_ptr<NodeStream> NewExecStream(StatusOr<std::unique_ptr<ExecSession>> session,
                                          const NodeExecRequest& request);

// `kubectl attach` to container `id` of `runtime`, whose CRI log is `log_path`: what the
// container writes from now on (stdout; stderr on its own pipe unless `tty`), and `stdin_fd`
// (owned by the stream; -1: none) as the stream's stdin. Wait: the container's exit code
// once it ended and its output was written out: as the runtime reported it, else (the
// container was removed at once, e.g. to restart it) as `recorded_exit` finds it in the
// kubelet's record, else 0.
// Resize (tty) sets the size of the container's terminal (its stdin, /proc/<pid>/fd/0).
// CloseStdin half-closes the stdin socket (the runtime applies stdinOnce).
// `from_start`: the output from the container's first byte instead (see Attach in streams.cc).
StatusOr<std::unique_ptr<NodeStream>> NewAttachStream(
    ContainerRuntime& runtime, const std::string& id, const std::string& log_path, bool tty,
    const NodeExecRequest& request, int stdin_fd,
    std::function<std::optional<int>()> recorded_exit = {}, bool from_start = false);

// A TCP connection to localhost:`port` in the network namespace `netns_path`
// (/proc/<pid>/ns/net; empty: the host's), as containerd's port-forward dials: 127.0.0.1,
// then ::1. The socket is blocking and close-on-exec; the caller owns it. The namespace is
// entered by a short-lived thread of its own (setns changes only the calling thread).
// Errors: kServiceUnavailable when nothing accepts the connection, with containerd's words
// (`failed to connect to localhost:8080 inside namespace "<sandbox>", IPv4: dial tcp4
// 127.0.0.1:8080: connect: connection refused IPv6 dial tcp6 [::1]:8080: connect:
// connection refused`); kInternal when the namespace cannot be entered.
StatusOr<int> DialLocalPort(const std::string& netns_path, uint16_t port,
                            const std::string& sandbox_id, int timeout_ms = 5000);

}  // namespace minik
