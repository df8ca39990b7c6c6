// TaintEvictionController: the taint-eviction controller (pkg/controller/tainteviction).
// A pod on a node with NoExecute taints it does not tolerate is deleted at once; a pod that
// tolerates them all with tolerationSeconds is deleted that many seconds (the smallest of its
// matching tolerations) after the controller first saw it under those taints; tolerations
// without tolerationSeconds tolerate forever. Before deleting, the pod gets the condition
// DisruptionTarget=True (reason DeletionByTaintManager) and a Normal TaintManagerEviction
// event "Marking for deletion Pod ns/name"; a pending eviction that is no longer needed
// gets "Cancelling deletion of Pod ns/name".
//
// Threads: informer handlers only enqueue pod keys; one worker thread (Run) reconciles them.
// starts_ (when each pending eviction began) is guarded by mu_.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "api/client.h"
#include "api/clock.h"
#include "api/events.h"
#include "api/informer.h"
#include "api/workqueue.h"

namespace minik::sched {

struct EvictionDecision {
  enum Kind { kNone, kNow, kAfter };
  Kind kind = kNone;
  std::chrono::seconds after{0};  // kAfter: the smallest tolerationSeconds
};

// What the taint-eviction controller does with `pod` on `node` (pure).
EvictionDecision DecideTaintEviction(const Json& pod, const Json& node);

// The index of the pods informer by spec.nodeName that the controller relies on.
inline constexpr const char* kPodsByNodeIndex = "spec.nodeName";

class TaintEvictionController {
 public:
  // `pods` must have the kPodsByNodeIndex index (AddPodsByNodeIndex).
  TaintEvictionController(Client& client, Clock& clock, Informer& pods, Informer& nodes,
                          EventRecorder& recorder);
  ~TaintEvictionController();

  static Status AddPodsByNodeIndex(Informer& pods);

  void Run();
  void Stop();
  // One pod key: evicts, schedules a later check, or cancels. Public for tests.
  Status Reconcile(const std::string& key);
  // Takes and reconciles one key; false once stopped. For tests without Run().
  bool ProcessNextItem();
  WorkQueue& queue() { return queue_; }

 private:
  Status Evict(const Json& pod);

  Client& client_;
  Clock& clock_;
  Informer& pods_;
  Informer& nodes_;
  EventRecorder& recorder_;
  WorkQueue queue_;
  std::thread worker_;
  std::mutex mu_;
  std::map<std::string, SteadyTime> starts_;
};

}  // namespace minik::sched
