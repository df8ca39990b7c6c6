// RegisterBuiltinResources: every built-in kind, in discovery order. Groups come in the
// order the real apiserver lists them under /apis (apps, events.k8s.io, authentication,
// authorization, autoscaling, batch, networking.k8s.io, policy, rbac, storage,
// admissionregistration, scheduling,
// coordination, discovery), and the resources of a group alphabetically, as /api/v1 and
// /apis/<g>/<v> list them.
#include "api/resources/conversion.h"
#include "api/resources/resources.h"

namespace minik {

void RegisterBuiltinResources(ResourceRegistry& registry) {
  using namespace res;
  // core/v1
  registry.Add(Bindings());
  registry.Add(ConfigMaps());
  registry.Add(Endpoints());
  registry.Add(Events());
  registry.Add(LimitRanges());
  registry.Add(Namespaces());
  registry.Add(Nodes());
  registry.Add(PersistentVolumeClaims());
  registry.Add(PersistentVolumes());
  registry.Add(Pods());
  registry.Add(PodTemplates());
  registry.Add(ReplicationControllers());
  registry.Add(ResourceQuotas());
  registry.Add(Secrets());
  registry.Add(ServiceAccounts());
  registry.Add(Services());
  // apps/v1
  registry.Add(ControllerRevisions());
  registry.Add(DaemonSets());
  registry.Add(Deployments());
  registry.Add(ReplicaSets());
  registry.Add(StatefulSets());
  // events.k8s.io/v1
  registry.Add(EventsV1());
  // authentication.k8s.io/v1, authorization.k8s.io/v1 (answered by the router, not stored)
  for (ResourceInfo& r : AuthenticationReviews()) registry.Add(std::move(r));
  for (ResourceInfo& r : AuthorizationReviews()) registry.Add(std::move(r));
  // autoscaling/v2, then v1 (stored as v2)
  registry.Add(HorizontalPodAutoscalers());
  registry.Add(HorizontalPodAutoscalersV1());
  // batch/v1
  registry.Add(CronJobs());
  registry.Add(Jobs());
  // networking.k8s.io/v1
  registry.Add(IngressClasses());
  registry.Add(Ingresses());
  registry.Add(NetworkPolicies());
  // policy/v1
  registry.Add(PodDisruptionBudgets());
  // rbac.authorization.k8s.io/v1
  registry.Add(ClusterRoleBindings());
  registry.Add(ClusterRoles());
  registry.Add(RoleBindings());
  registry.Add(Roles());
  // storage.k8s.io/v1
  registry.Add(StorageClasses());
  // admissionregistration.k8s.io/v1
  registry.Add(MutatingWebhookConfigurations());
  registry.Add(ValidatingWebhookConfigurations());
  registry.Add(ValidatingAdmissionPolicies());
  registry.Add(ValidatingAdmissionPolicyBindings());
  // scheduling.k8s.io/v1
  registry.Add(PriorityClasses());
  // coordination.k8s.io/v1
  registry.Add(Leases());
  // discovery.k8s.io/v1
  registry.Add(EndpointSlices());
}

}  // namespace minik
