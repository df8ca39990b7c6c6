// Kinds served in one version and stored as another (api/resource.h StorageConversion):
// events.k8s.io/v1 Event <-> core/v1 Event, autoscaling/v1 <-> autoscaling/v2
// HorizontalPodAutoscaler, converted as upstream's pkg/apis/events/v1 and
// pkg/apis/autoscaling/v1 conversions do.
#pragma once

#include <memory>

#include "api/resource.h"

namespace minik::res {

std::shared_ptr<const StorageConversion> EventsV1Conversion();

// autoscaling/v1 HorizontalPodAutoscaler, stored as autoscaling/v2.
ResourceInfo HorizontalPodAutoscalersV1();

// The conversions themselves (exposed for tests). Objects keep metadata; apiVersion and kind
// are set to the target version.
Json CoreEventFromV1(const Json& ev);
Json V1EventFromCore(const Json& ev);
Json HpaV2FromV1(const Json& hpa);
Json HpaV1FromV2(const Json& hpa);

}  // namespace minik::res
