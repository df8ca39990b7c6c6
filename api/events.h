// Events as client-go's EventRecorder writes them: core/v1 Events about an object, with the
// same event repeated within 10 minutes folded into one (count and lastTimestamp bumped), as
// the EventCorrelator does. Writing is best effort: a failed write is logged, never returned,
// since an event must not fail the work it describes.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/json.h"

namespace minik {

class EventRecorder {
 public:
  // `component` is source.component and reportingComponent (e.g. "default-scheduler",
  // "kubelet"); `host` is source.host (the node name for the kubelet).
  EventRecorder(Client& client, Clock& clock, std::string component, std::string host = "");

  // `type` is "Normal" or "Warning". `field_path` names a container within a pod
  // (e.g. "spec.containers{main}"), empty for the whole object.
  void Record(const Json& object, const std::string& type, const std::string& reason,
              const std::string& message, const std::string& field_path = "");

 private:
  struct Seen {
    std::string name;
    int64_t count = 0;
    SystemTime last;
  };
  Client& client_;
  Clock& clock_;
  std::string component_, host_;
  std::mutex mu_;
  std::map<std::string, Seen> seen_;  // by object uid + type + reason + message + field path
  uint64_t last_nanos_ = 0;          // the number in the last event name written
};

}  // namespace minik
