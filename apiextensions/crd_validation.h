// Validation and defaulting of CustomResourceDefinition objects (apiextensions.k8s.io/v1),
// worded like apiextensions-apiserver's ValidateCustomResourceDefinition and SetDefaults.
#pragma once

#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik {

// The checks on create (run after DefaultCustomResourceDefinition): metadata.name is
// <plural>.<group>; group a DNS subdomain with a dot; names (plural, singular, kind,
// listKind, shortNames, categories); scope Namespaced|Cluster; versions non-empty, unique,
// DNS-1035 names, exactly one storage version, served/storage booleans, a structural
// schema each (required in v1, causes under "spec.versions[i].schema.openAPIV3Schema");
// conversion None (Webhook is refused: this server cannot call conversion webhooks);
// subresources.scale paths; additionalPrinterColumns. Metadata other than the name (labels,
// ...) is left to the registry's ValidateObjectMeta.
std::vector<StatusCause> ValidateCustomResourceDefinition(const Json& crd);

// SetDefaults of apiextensions/v1: names.singular = lower(kind), names.listKind =
// kind + "List", spec.conversion.strategy = None, served/storage false when absent, printer
// column priority absent stays absent.
void DefaultCustomResourceDefinition(Json& crd);

}  // namespace minik
