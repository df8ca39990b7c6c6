// The built-in admission plugins (see admission.h for the chain), each after its upstream
// plugin:
//   LimitRanger               plugin/pkg/admission/limitranger
//   PodSecurity               k8s.io/pod-security-admission (admission + policy checks)
//   DefaultStorageClass       plugin/pkg/admission/storage/persistentvolume/setdefault
//   ResourceQuota             k8s.io/apiserver/pkg/admission/plugin/resourcequota
// DefaultTolerationSeconds is part of the pods' defaulting (api/resources/core_pods.cc),
// DefaultIngressClass and NamespaceLifecycle of the registry itself. Plugins read objects
// through `client` (the registry, in-process, full rights).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/clock.h"
#include "apiserver/admission.h"

namespace minik {

std::shared_ptr<AdmissionPlugin> NewLimitRanger(Client& client);
std::shared_ptr<AdmissionPlugin> NewPodSecurity(Client& client);
std::shared_ptr<AdmissionPlugin> NewDefaultStorageClass(Client& client);
// Charges status.used of the matching ResourceQuotas before the object is stored (with a
// conflict retry), so that two creations cannot both take the last unit.
std::shared_ptr<AdmissionPlugin> NewResourceQuotaAdmission(Client& client, Clock& clock);

// Registers every plugin above on `chain`.
void RegisterBuiltinAdmission(AdmissionChain& chain, Client& client, Clock& clock);

// ---- pure parts, for tests

// PodLimitFunc's defaults: containers without requests/limits get the LimitRanges' Container
// defaultRequest/default (annotation kubernetes.io/limit-ranger says what was set).
void ApplyLimitRangeDefaults(const Json& limit_range, Json& pod);
// The LimitRange's min/max/maxLimitRequestRatio for the pod's containers and the pod as a
// whole: "" or the upstream message ("maximum memory usage per Container is 128Mi, but limit
// is 256Mi"; several are joined as "[a, b]").
std::string CheckLimitRange(const Json& limit_range, const Json& pod);
// The same for a PersistentVolumeClaim (type PersistentVolumeClaim, storage requests).
std::string CheckLimitRangeClaim(const Json& limit_range, const Json& claim);

// Pod Security Standards: "" when the pod (metadata + spec) satisfies `level` ("baseline",
// "restricted"; "privileged" always passes), else the ForbiddenDetail text:
// "privileged (container \"main\" must not set securityContext.privileged=true), ...".
std::string PodSecurityViolations(const std::string& level, const Json& pod_metadata,
                                  const Json& pod_spec);
// The failed checks as (reason, detail) pairs, in the order of the message.
std::vector<std::pair<std::string, std::string>> PodSecurityFailures(const std::string& level,
                                                                    const Json& pod_metadata,
                                                                    const Json& pod_spec);

}  // namespace minik
