// Events as client-go's EventRecorder writes them: core/v1 Events about an object, with the
// same event repeated within 10 minutes folded into one (count and lastTimestamp bumped), as
// the EventCorrelator does. Writing is best effort: a failed write is logged, never returned,
// since an event must not fail the work it describes.
//
// Record() only queues the event; one writer thread per recorder (started on first use)
// writes them in order, as client-go's broadcaster does, so that a controller's work never
// waits for an event's durable write. Up to 1,000 events wait; more are dropped (logged).
// Flush() waits until the queue is written; the destructor writes what is queued and joins.
#pragma once

#include <cstdint>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

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
  void Flush();

  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

 private:
  struct Pending {
    Json involved;  // the object's kind, apiVersion and metadata (name, namespace, uid, rv)
    std::string type, reason, message, field_path;
    SystemTime at;
  };
  void Write(const Pending& e);
  void Run();

  struct Seen {
    std::string name;
    int64_t count = 0;
    SystemTime last;
  };
  Client& client_;
  Clock& clock_;
  std::string component_, host_;
  // Writer thread only: events written, by object uid + type + reason + message + field
  // path, and the number in the last event name written.
  std::map<std::string, Seen> seen_;
  uint64_t last_nanos_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace minik
