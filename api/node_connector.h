// What the API server asks of the node for the pods' "connect" subresources (log, exec,
// attach, portforward): implemented by the kubelet, registered on the API server once
// the kubelet runs. Errors are Statuses with the codes Kubernetes uses (e.g. BadRequest
// `container "x" in pod "p" is waiting to start: ContainerCreating`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct PodLogOptions {
  std::string container;  // empty: the only container (an error when there are several)
  bool previous = false;
  bool timestamps = false;
  std::optional<int64_t> tail_lines;
  std::optional<int64_t> since_seconds;
  std::optional<std::string> since_time;  // RFC 3339
  std::optional<int64_t> limit_bytes;
};

// kubectl exec / attach: what the client asked for (?container=&command=&stdin=...).
struct NodeExecRequest {
  std::string container;              // empty: the pod's only container
  std::vector<std::string> command;   // exec only
  bool stdin = false;
  bool stdout = false;
  bool stderr = false;  // false with tty (the terminal carries both)
  bool tty = false;
};

// A process (exec), a container's stdio (attach) or a followed log (logs -f) connected to a
// client. The descriptors belong to the stream and stay valid until it is destroyed; callers
// poll them and may make them non-blocking. Destroying the stream closes them and, for exec,
// kills the process if it still runs (the client went away); an attached container and a
// followed log's container keep running.
class NodeStream {
 public:
  virtual ~NodeStream() = default;
  virtual int stdin_fd() const = 0;   // write end; -1 when stdin was not asked for
  virtual int stdout_fd() const = 0;  // read end; EOF when the output ended; -1 if none
  virtual int stderr_fd() const = 0;  // read end; -1 when not asked for or with tty
  // EOF on the process's (container's) stdin; with a tty, the terminal's EOF (^D).
  virtual void CloseStdin() = 0;
  // The terminal's size (tty only; ignored otherwise and for sizes with a zero dimension).
  virtual Status Resize(uint16_t width, uint16_t height) = 0;
  // Waits up to timeout_ms (-1: forever) for the end: the process's exit code (exec), the
  // container's exit code (attach), 0 (logs, once the container ended and the log was read
  // out). kTimeout while it runs. Any other error means the command could not be started or
  // the attach failed; its message is what the client is told ("executable file not found").
  virtual StatusOr<int> Wait(int timeout_ms) = 0;
};

class NodeConnector {
 public:
  virtual ~NodeConnector() = default;
  // The log of one container of a pod on this node, as `kubectl logs` shows it.
  virtual StatusOr<std::string> PodLogs(const std::string& ns, const std::string& pod,
                                        const PodLogOptions& options) = 0;

  // `kubectl logs -f`: the same text as PodLogs with `options`, on stdout_fd, then what the
  // container writes next, across log rotation, until the container ends. Errors as PodLogs.
  virtual StatusOr<std::unique_ptr<NodeStream>> FollowPodLogs(const std::string& ns,
                                                              const std::string& pod,
                                                              const PodLogOptions& options) {
    (void)ns, (void)pod, (void)options;
    return NotImplemented("logs --follow is not supported by this node");
  }

  // `kubectl exec`: starts request.command in the running container. Errors here are the
  // ones Kubernetes answers before the upgrade (pod or container unknown: NotFound /
  // BadRequest; container not running: BadRequest `container not found ("c")` as the kubelet
  // says); a command that cannot be started is reported by the stream's Wait.
  virtual StatusOr<std::unique_ptr<NodeStream>> Exec(const std::string& ns, const std::string& pod,
                                                     const NodeExecRequest& request) {
    (void)ns, (void)pod, (void)request;
    return NotImplemented("exec is not supported by this node");
  }

  // `kubectl attach`: the running container's output from now on (stdout, and stderr unless
  // tty) and, when asked and the container has `stdin: true`, its stdin. Errors as Exec.
  virtual StatusOr<std::unique_ptr<NodeStream>> Attach(const std::string& ns, const std::string& pod,
                                                       const NodeExecRequest& request) {
    (void)ns, (void)pod, (void)request;
    return NotImplemented("attach is not supported by this node");
  }

  // `kubectl port-forward`: a TCP connection to `port` in the pod's network namespace
  // (localhost there, as the kubelet's port-forward). The caller owns the descriptor.
  // Errors: pod unknown or not running here; the connection refused (the message says so,
  // e.g. "dial tcp4 127.0.0.1:8080: connect: connection refused").
  virtual StatusOr<int> PortForward(const std::string& ns, const std::string& pod, uint16_t port) {
    (void)ns, (void)pod, (void)port;
    return NotImplemented("port-forward is not supported by this node");
  }
};

}  // namespace minik
