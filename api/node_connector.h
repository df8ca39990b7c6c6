// What the API server asks of the node for the pods' "connect" subresources (log, and later
// exec, attach, portforward): implemented by the kubelet, registered on the API server once
// the kubelet runs. Errors are Statuses with the codes Kubernetes uses (e.g. BadRequest
// `container "x" in pod "p" is waiting to start: ContainerCreating`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

class NodeConnector {
 public:
  virtual ~NodeConnector() = default;
  // The log of one container of a pod on this node, as `kubectl logs` shows it.
  virtual StatusOr<std::string> PodLogs(const std::string& ns, const std::string& pod,
                                        const PodLogOptions& options) = 0;
};

}  // namespace minik
