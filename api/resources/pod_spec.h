// Pod specs: defaulting as core/v1 defaults.go and validation as ValidatePodSpec, shared by
// pods and every kind with a pod template (deployments, jobs, podtemplates, ...).
#pragma once

#include <string>

#include "api/resources/common.h"

namespace minik::res {

// SetDefaults_PodSpec and the container, volume and probe defaults beneath it.
void DefaultPodSpec(Json& spec);
// A PodTemplateSpec: metadata.creationTimestamp null (as Go serializes a zero time) + spec.
void DefaultPodTemplate(Json& tmpl);

// ValidatePodSpec; `path` is the spec's field path ("spec", "spec.template.spec").
void ValidatePodSpec(Causes& out, const Json& spec, const std::string& path);
// ValidatePodTemplateSpec: labels, annotations-free metadata checks and the spec.
void ValidatePodTemplate(Causes& out, const Json& tmpl, const std::string& path);
// The checks of ValidatePodTemplateSpecForReplicaSet: template required, selector matches the
// template labels, restartPolicy Always, no activeDeadlineSeconds.
void ValidateReplicaTemplate(Causes& out, const Json& selector, const Json& tmpl,
                             const std::string& path);
// Selector required, not empty, valid (`kind` words the error: "deployment").
void ValidateWorkloadSelector(Causes& out, const Json& selector, const std::string& path,
                              const std::string& kind);

// v1.PodQOSClass of the pod: "Guaranteed", "Burstable" or "BestEffort".
std::string PodQosClass(const Json& spec);
// A resource.Quantity as a number ("100m" -> 0.1, "1Gi" -> 1073741824); nullopt if malformed.
std::optional<long double> ParseQuantity(const std::string& q);
// ValidateResourceQuantityValue: a quantity, non-negative, whole for extended resources.
void ValidateResourceQuantityValue(Causes& out, const std::string& resource, const Json& value,
                                   const std::string& field);

}  // namespace minik::res
