// EventTtlController: deletes Events 1 h (`ttl`) after their last write, as the apiserver's
// `--event-ttl` etcd lease does (each write of an Event attaches a fresh lease).
//
// How "last write" is known without keeping every Event in memory: every sweep (each
// `ttl`/60, at most 1 min) records (store revision, time). An Event whose resourceVersion is
// at most the revision recorded at time T was last written at or before T, so once
// T <= now - ttl it has expired. Events are thus deleted between `ttl` and `ttl` + one sweep
// interval after their last write; Events written before the controller started count as
// written at its first sweep (the samples are not persisted).
//
// A sweep pages through core/v1 Events (500 a page, all namespaces; events.k8s.io/v1 Events are
// stored as core Events, so this covers both views) and deletes the expired ones with uid and
// resourceVersion preconditions, so an Event updated meanwhile (a renewed lease) survives.
//
// Driven like every QueueController: one key ("sweep"), requeued after the interval. Tests
// call Reconcile("sweep") by hand on a FakeClock.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>

#include "api/client.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class EventTtlController final : public QueueController {
 public:
  // `informers` is unused (Events are listed page by page, not cached); it keeps the
  // constructor shaped like the other controllers'.
  EventTtlController(Client& client, Clock& clock, SharedInformerFactory& informers,
                     std::chrono::seconds ttl = std::chrono::seconds(3600));

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

  // One sweep now; returns how many Events it deleted.
  StatusOr<int> Sweep();

  std::chrono::seconds interval() const { return interval_; }

 private:
  struct Sample {
    int64_t revision;
    SystemTime time;
  };
  StatusOr<int64_t> CurrentRevision();
  StatusOr<int> SweepResource(const ResourceRef& ref, int64_t expired_at_or_before);

  Client& client_;
  const std::chrono::seconds ttl_;
  const std::chrono::seconds interval_;
  std::mutex mu_;               // one sweep at a time (Sweep() may be called by hand)
  std::deque<Sample> samples_;  // guarded by mu_; oldest first
};

}  // namespace minik
