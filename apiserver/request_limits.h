// What the HTTP server decides about a request before a worker runs its handler, after
// kube-apiserver's max-in-flight filter (k8s.io/apiserver/pkg/server/filters/maxinflight.go)
// with the fairness idea of API Priority and Fairness, kept cheap:
//  - ClassifyRequest: long-running or not (watch, exec, attach, port-forward, proxy, logs, as
//    upstream's BasicLongRunningRequestCheck), mutating or read-only (upstream: every verb
//    but get, list and watch mutates), exempt (client certificates of system:masters, which
//    upstream's filter lets through), and the flow: who is asking, before authentication.
//  - InFlightLimiter: at most 400 read-only and 200 mutating requests queued or running
//    (upstream's --max-requests-inflight / --max-mutating-requests-inflight); beyond that the
//    server answers 429 with Retry-After: 1 at once. Long-running requests are not counted.
//  - FairTaskQueue: the workers take requests round-robin across flows, and one flow never
//    runs on more than a set number of workers at once (a quarter of them; exempt flows,
//    like upstream's exempt priority level, are not capped), so a client flooding the server
//    leaves workers, and CPU, for everyone else.
// Pure (no sockets, no clock): unit-tested in tests/apiserver/request_limits_test.cc.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "apiserver/http.h"

namespace minik {

struct RequestClass {
  bool long_running = false;
  bool mutating = false;
  bool exempt = false;
  // "cert:<CN>" ("masters:<CN>" when exempt), "bearer:<hash of the token>" or
  // "anonymous:<client address>": what the client proves or presents before authentication,
  // so a flow is one client (a forged token makes a new flow, but not more workers than any
  // other flow gets).
  std::string flow;
};

// `request` has its path and query parsed (ParseTarget).
RequestClass ClassifyRequest(const HttpRequest& request);

class InFlightLimiter {
 public:
  // A limit <= 0 disables that limit, as the upstream flags do.
  InFlightLimiter(int max_read_only, int max_mutating)
      : max_read_only_(max_read_only), max_mutating_(max_mutating) {}

  // True when the request may go on; the caller then calls Release with the same class once
  // the handler returned. False: answer 429. Long-running and exempt requests always pass
  // and are not counted.
  bool TryAcquire(const RequestClass& c);
  void Release(const RequestClass& c);

  int read_only() const;
  int mutating() const;

 private:
  const int max_read_only_;
  const int max_mutating_;
  mutable std::mutex mu_;
  int read_only_ = 0;  // guarded by mu_
  int mutating_ = 0;   // guarded by mu_
};

// Tasks of many flows for a fixed set of workers. Thread-safe.
class FairTaskQueue {
 public:
  using Task = std::function<void()>;

  // `max_active_per_flow` >= 1: how many tasks of one flow may run at once, unless pushed
  // uncapped.
  explicit FairTaskQueue(size_t max_active_per_flow);

  // `capped` false: the flow's tasks may take any number of workers (exempt requests).
  void Push(const std::string& flow, Task task, bool capped = true);
  // The next task that may run (round-robin over flows below their cap), marking it active;
  // false when there is none now. The caller runs it, then calls Done(flow).
  bool TryPop(std::string* flow, Task* task);
  // TryPop that waits; false once Close() was called and no task is left to pop.
  bool Pop(std::string* flow, Task* task);
  void Done(const std::string& flow);
  // Wakes the waiting workers; queued tasks are still handed out (Pop drains, then fails).
  void Close();

  size_t queued() const;

 private:
  struct Flow {
    std::deque<Task> tasks;
    size_t active = 0;
    bool capped = true;  // as the last Push said
  };
  bool TryPopLocked(std::string* flow, Task* task);

  const size_t max_active_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Flow> flows_;  // guarded by mu_; flows with tasks or active
  std::list<std::string> ready_;  // guarded by mu_; flows with queued tasks, in turn order
  size_t queued_ = 0;             // guarded by mu_
  bool closed_ = false;           // guarded by mu_
};

}  // namespace minik
