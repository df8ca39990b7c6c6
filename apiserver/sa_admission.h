// The ServiceAccount admission plugin (upstream plugin/pkg/admission/serviceaccount), for pod
// creates: a pod without spec.serviceAccountName runs as "default"; a pod whose
// ServiceAccount does not exist is Forbidden ("error looking up service account NS/NAME:
// serviceaccount \"NAME\" not found"); unless automountServiceAccountToken says no (the pod's
// setting wins over the ServiceAccount's), the pod gets the projected volume
// kube-api-access-<5 random> (a 3607 s token, kube-root-ca.crt's ca.crt and the namespace)
// mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container and
// init container that does not already mount something there; imagePullSecrets come from the
// ServiceAccount when the pod names none. Mirror pods are left alone.
#pragma once

#include <memory>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "apiserver/admission.h"

namespace minik {

// `client` (the registry) reads ServiceAccounts; it and `clock` must outlive the plugin. As
// upstream, a missing "default" ServiceAccount is looked up `default_attempts` times, 100-200
// ms apart, since the ServiceAccount controller makes it moments after its namespace.
std::shared_ptr<AdmissionPlugin> NewServiceAccountAdmission(Client& client, Clock& clock,
                                                            int default_attempts = 10);

// The volume and mounts alone (mountServiceAccountToken); `suffix` ends a new volume's name.
void MountServiceAccountToken(Json& pod, const std::string& suffix);

}  // namespace minik
