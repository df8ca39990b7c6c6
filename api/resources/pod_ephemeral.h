// pods/ephemeralcontainers (kubectl debug): upstream's podEphemeralContainersStrategy and
// ValidatePodEphemeralContainersUpdate, for the pod strategy in core_pods.cc.
#pragma once

#include "api/resources/common.h"

namespace minik::res {

// dropNonEphemeralContainerUpdates: `pod` becomes the stored `old` but for
// spec.ephemeralContainers (and the request's name, namespace, resourceVersion).
void PrepareEphemeralContainersUpdate(Json& pod, const Json& old);

// The pod's spec (ValidatePodSpec), each ephemeral container (validateEphemeralContainers:
// name, image, unique names, targetContainerName, fields an ephemeral container cannot set,
// no subPath mounts), and existing ephemeral containers neither removed nor changed.
void ValidateEphemeralContainersUpdate(Causes& out, const Json& pod, const Json& old);

}  // namespace minik::res
