// The built-in resource entries, one factory per kind. RegisterBuiltinResources (builtin.cc)
// adds them in the order the real apiserver's discovery lists them.
#pragma once

#include "api/resource.h"

namespace minik::res {

// core/v1 (core_*.cc)
ResourceInfo Bindings();
ResourceInfo ConfigMaps();
ResourceInfo Endpoints();
ResourceInfo Events();
ResourceInfo LimitRanges();
ResourceInfo Namespaces();
ResourceInfo Nodes();
ResourceInfo PersistentVolumeClaims();
ResourceInfo PersistentVolumes();
ResourceInfo Pods();
ResourceInfo PodTemplates();
ResourceInfo ReplicationControllers();
ResourceInfo ResourceQuotas();
ResourceInfo Secrets();
ResourceInfo ServiceAccounts();
// Services own the ClusterIP and NodePort allocators (core_services.cc).
ResourceInfo Services();

// apps/v1 (apps.cc)
ResourceInfo ControllerRevisions();
ResourceInfo DaemonSets();
ResourceInfo Deployments();
ResourceInfo ReplicaSets();
ResourceInfo StatefulSets();

// batch/v1 (batch.cc)
ResourceInfo CronJobs();
ResourceInfo Jobs();

// networking.k8s.io/v1, discovery.k8s.io/v1 (networking.cc)
ResourceInfo IngressClasses();
ResourceInfo Ingresses();
ResourceInfo NetworkPolicies();
ResourceInfo EndpointSlices();

// rbac.authorization.k8s.io/v1 (rbac.cc)
ResourceInfo ClusterRoleBindings();
ResourceInfo ClusterRoles();
ResourceInfo RoleBindings();
ResourceInfo Roles();

// Other groups (cluster_misc.cc)
ResourceInfo EventsV1();                  // events.k8s.io/v1
ResourceInfo HorizontalPodAutoscalers();  // autoscaling/v2
ResourceInfo PodDisruptionBudgets();      // policy/v1
ResourceInfo StorageClasses();            // storage.k8s.io/v1
ResourceInfo PriorityClasses();           // scheduling.k8s.io/v1
ResourceInfo Leases();                    // coordination.k8s.io/v1

// admissionregistration.k8s.io/v1 (admissionregistration.cc)
ResourceInfo MutatingWebhookConfigurations();
ResourceInfo ValidatingWebhookConfigurations();
ResourceInfo ValidatingAdmissionPolicies();        // (admission_policy.cc)
ResourceInfo ValidatingAdmissionPolicyBindings();

// authentication.k8s.io/v1 and authorization.k8s.io/v1 reviews (auth_reviews.cc)
std::vector<ResourceInfo> AuthenticationReviews();
std::vector<ResourceInfo> AuthorizationReviews();

}  // namespace minik::res
