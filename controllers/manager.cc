// The controller manager: one shared informer factory, the controllers over it, and their
// workers. Start() waits for the caches before the workers run, as kube-controller-manager.
#include <memory>
#include <vector>

#include "api/informer.h"
#include "api/log.h"
#include "controllers/controllers.h"
#include "controllers/cronjob_controller.h"
#include "controllers/daemonset_controller.h"
#include "controllers/deployment_controller.h"
#include "controllers/disruption_controller.h"
#include "controllers/endpoints_controller.h"
#include "controllers/endpointslice_controller.h"
#include "controllers/endpointslice_mirroring_controller.h"
#include "controllers/event_ttl_controller.h"
#include "controllers/garbage_collector.h"
#include "controllers/job_controller.h"
#include "controllers/namespace_controller.h"
#include "controllers/node_lifecycle_controller.h"
#include "controllers/persistentvolume_controller.h"
#include "controllers/replicaset_controller.h"
#include "controllers/resourcequota_controller.h"
#include "controllers/clusterrole_aggregation_controller.h"
#include "controllers/rootca_publisher_controller.h"
#include "controllers/serviceaccount_controller.h"
#include "controllers/statefulset_controller.h"
#include "controllers/ttl_after_finished_controller.h"

namespace minik {

namespace {

class ControllerManagerImpl final : public ControllerManager {
 public:
  ControllerManagerImpl(Client& client, Clock& clock, const ControllerOptions& options)
      : options_(options),
        own_informers_(options.informers ? nullptr
                                         : std::make_unique<SharedInformerFactory>(client, clock)),
        informers_(options.informers ? *options.informers : *own_informers_) {
    const ResourceRegistry* resources = options.resources;
    if (!resources) {
      RegisterBuiltinResources(builtin_);
      resources = &builtin_;
    }
    controllers_.push_back(
        std::make_unique<NamespaceController>(client, clock, informers_, *resources));
    controllers_.push_back(std::make_unique<ServiceAccountController>(client, clock, informers_));
    if (!options.root_ca_pem.empty() && resources->Find({"", "v1", "configmaps"})) {
      controllers_.push_back(
          std::make_unique<RootCaPublisher>(client, clock, informers_, options.root_ca_pem));
    }
    if (resources->Find({"rbac.authorization.k8s.io", "v1", "clusterroles"})) {
      controllers_.push_back(
          std::make_unique<ClusterRoleAggregationController>(client, clock, informers_));
    }
    // A controller runs only when the server serves every kind it reads (tests and
    // embedders may serve a subset); a missing kind would leave its informer unsynced.
    auto serves = [&](std::initializer_list<ResourceRef> refs) {
      for (const ResourceRef& r : refs)
        if (!resources->Find(r)) return false;
      return true;
    };
    const ResourceRef pods{"", "v1", "pods"}, nodes{"", "v1", "nodes"},
        rcs{"", "v1", "replicationcontrollers"}, pvcs{"", "v1", "persistentvolumeclaims"},
        pvs{"", "v1", "persistentvolumes"}, leases{"coordination.k8s.io", "v1", "leases"},
        rss{"apps", "v1", "replicasets"}, deploys{"apps", "v1", "deployments"},
        dss{"apps", "v1", "daemonsets"}, stss{"apps", "v1", "statefulsets"},
        revisions{"apps", "v1", "controllerrevisions"}, jobs{"batch", "v1", "jobs"},
        cronjobs{"batch", "v1", "cronjobs"}, pdbs{"policy", "v1", "poddisruptionbudgets"},
        classes{"storage.k8s.io", "v1", "storageclasses"};
    controllers_.push_back(std::make_unique<GarbageCollector>(client, clock, informers_, *resources));
    if (serves({pods, rss}))
      controllers_.push_back(std::make_unique<ReplicaSetController>(client, clock, informers_));
    if (serves({pods, rcs}))
      controllers_.push_back(std::make_unique<ReplicaSetController>(
          client, clock, informers_, /*replication_controller=*/true));
    if (serves({pods, rss, deploys}))
      controllers_.push_back(std::make_unique<DeploymentController>(client, clock, informers_));
    if (serves({pods, nodes, dss, revisions}))
      controllers_.push_back(std::make_unique<DaemonSetController>(client, clock, informers_));
    if (serves({pods, pvcs, stss, revisions}))
      controllers_.push_back(std::make_unique<StatefulSetController>(client, clock, informers_));
    if (serves({pods, jobs})) {
      controllers_.push_back(std::make_unique<JobController>(client, clock, informers_));
      controllers_.push_back(std::make_unique<TtlAfterFinishedController>(client, clock, informers_));
    }
    if (serves({jobs, cronjobs}))
      controllers_.push_back(std::make_unique<CronJobController>(client, clock, informers_));
    if (serves({pods, pdbs, rss, deploys, rcs, stss}))
      controllers_.push_back(std::make_unique<DisruptionController>(client, clock, informers_));
    if (serves({pods, nodes, leases}))
      controllers_.push_back(std::make_unique<NodeLifecycleController>(client, clock, informers_));
    if (serves({pods, {"", "v1", "services"}, {"", "v1", "endpoints"}}))
      controllers_.push_back(std::make_unique<EndpointsController>(client, clock, informers_));
    if (serves({pods, nodes, {"", "v1", "services"}, {"discovery.k8s.io", "v1", "endpointslices"}}))
      controllers_.push_back(std::make_unique<EndpointSliceController>(client, clock, informers_));
    if (serves({{"", "v1", "services"},
                {"", "v1", "endpoints"},
                {"discovery.k8s.io", "v1", "endpointslices"}}))
      controllers_.push_back(
          std::make_unique<EndpointSliceMirroringController>(client, clock, informers_));
    if (serves({{"", "v1", "events"}}))
      controllers_.push_back(std::make_unique<EventTtlController>(client, clock, informers_));
    if (serves({{"", "v1", "resourcequotas"}}))
      controllers_.push_back(
          std::make_unique<ResourceQuotaController>(client, clock, informers_, *resources));
    if (!options.volumes_dir.empty() && serves({pods, pvcs, pvs, classes})) {
      controllers_.push_back(std::make_unique<PersistentVolumeController>(
          client, clock, informers_, options.volumes_dir));
    }
  }

  ~ControllerManagerImpl() override { Stop(); }

  Status Start() override {
    informers_.Start();
    if (!informers_.WaitForCacheSync(std::chrono::seconds(options_.sync_timeout_seconds))) {
      return Status(Code::kServiceUnavailable, "controllers: timed out waiting for caches to sync");
    }
    for (auto& c : controllers_) c->Run();
    LOG(Info, "controllers") << "started controllers=" << controllers_.size();
    return Status::Ok();
  }

  void Stop() override {
    for (auto& c : controllers_) c->Stop();
    if (own_informers_) own_informers_->Stop();
  }

 private:
  const ControllerOptions options_;
  ResourceRegistry builtin_;
  std::unique_ptr<SharedInformerFactory> own_informers_;
  SharedInformerFactory& informers_;
  std::vector<std::unique_ptr<QueueController>> controllers_;
};

}  // namespace

std::unique_ptr<ControllerManager> NewControllerManager(Client& client, Clock& clock,
                                                        const ControllerOptions& options) {
  return std::make_unique<ControllerManagerImpl>(client, clock, options);
}

}  // namespace minik
