// TtlAfterFinishedController: deletes finished Jobs (Complete or Failed condition True) once
// spec.ttlSecondsAfterFinished has passed since the condition's lastTransitionTime, as
// upstream's pkg/controller/ttlafterfinished. The deletion uses Background propagation and a
// uid precondition, after re-reading the Job from the API (the TTL may have been changed).
// A Job not yet expired is requeued for the moment it expires (on the injected Clock).
#pragma once

#include <string>

#include "api/client.h"
#include "api/informer.h"
#include "controllers/controller.h"

namespace minik {

class TtlAfterFinishedController final : public QueueController {
 public:
  TtlAfterFinishedController(Client& client, Clock& clock, SharedInformerFactory& informers,
                             int workers = 1);

  StatusOr<ReconcileResult> Reconcile(const std::string& key) override;

 private:
  Client& client_;
  Informer& jobs_;
};

}  // namespace minik
