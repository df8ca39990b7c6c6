// CronJobController: batch/v1 CronJobs, as upstream's pkg/controller/cronjob
// (cronjob_controllerv2.go). Per CronJob (key "ns/name"):
//  - reconciles status.active with the Jobs it controls (SawCompletedJob, MissingJob,
//    UnexpectedJob events) and status.lastSuccessfulTime;
//  - at the most recent unmet schedule time (cron_schedule.h; spec.timeZone from the system
//    tzdata, UTC when unset) creates Job "<cronjob>-<scheduled unix minutes>" from
//    spec.jobTemplate with a controllerRef and the annotation
//    batch.kubernetes.io/cronjob-scheduled-timestamp, and records status.lastScheduleTime;
//    startingDeadlineSeconds (MissSchedule), concurrencyPolicy Allow / Forbid (JobAlreadyActive)
//    / Replace (the active Jobs are deleted first), suspend;
//  - deletes the oldest finished Jobs beyond successfulJobsHistoryLimit /
//    failedJobsHistoryLimit (SuccessfulDelete);
//  - requeues itself for the next schedule time (+100 ms) on the injected Clock.
// Events are recorded as the "cronjob-controller".
//
// Threads: handlers only enqueue; Reconcile runs on the workers. zones_mu_ guards the cache of
// loaded time zones.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "api/client.h"
#include "api/events.h"
#include "api/informer.h"
#include "controllers/controller.h"
#include "controllers/cron_schedule.h"

namespace minik {

class CronJobController final : public QueueController {
 public:
  CronJobController(Client& client, Clock& clock, SharedInformerFactory& informers,
                    int workers = 5);
  // Where time zones are read from (tests point it at a directory of their own).
  void set_zoneinfo_dir(std::string dir) { zoneinfo_dir_ = std::move(dir); }

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  StatusOr<ReconcileResult> Sync(const std::string& key);
  StatusOr<std::shared_ptr<const cron::Location>> Zone(const std::string& name);

  Client& client_;
  Informer& cronjobs_;
  Informer& jobs_;
  EventRecorder recorder_;
  std::string zoneinfo_dir_ = "/usr/share/zoneinfo";
  std::mutex zones_mu_;
  std::map<std::string, std::shared_ptr<const cron::Location>> zones_;
};

}  // namespace minik
