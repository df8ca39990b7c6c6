// ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1): CEL validations that
// ValidatingAdmissionPolicyBindings apply to requests, evaluated in the API server as
// upstream's k8s.io/apiserver/pkg/admission/plugin/policy/validating does.
//
// For every binding whose policy exists: the request must match the policy's
// matchConstraints and the binding's matchResources (rules with resourceNames, exclusions,
// namespace and object selectors); params are read (paramKind + paramRef: a name or a label
// selector, parameterNotFoundAction); matchConditions must all be true; then `variables` and
// `validations` run with object, oldObject, request, params, namespaceObject and variables.
// A false validation is enforced by the binding's validationActions: Deny (422 Invalid by
// default, or the validation's reason: "<resource> \"<name>\" is forbidden:
// ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request: <message>"), Warn (a
// warning), Audit (logged). Errors (compilation, evaluation, missing params kind) follow the
// policy's failurePolicy. Not supported: the `authorizer` variable, audit annotations (there
// is no audit log), type checking (status.typeChecking).
#pragma once

#include <memory>

#include "api/client.h"
#include "api/resource.h"
#include "apiserver/admission.h"

namespace minik {

// The "ValidatingAdmissionPolicy" plugin. Policies and bindings are read through `client`
// (listed once, then watched); the registries must outlive the plugin.
std::shared_ptr<AdmissionPlugin> NewValidatingAdmissionPolicy(Client& client,
                                                              const ResourceRegistry& resources);

}  // namespace minik
