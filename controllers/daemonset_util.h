// Helpers of the DaemonSet controller (daemonset_controller.h), as upstream's
// pkg/controller/daemon/util and the scheduling predicates it uses: which nodes should run a
// daemon pod, the tolerations every daemon pod gets, pod readiness and "updated" checks, and
// the ControllerRevision data of a template. Pure functions over JSON objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/clock.h"
#include "api/informer.h"
#include "api/json.h"

namespace minik::daemonutil {

inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";
inline constexpr const char* kGenerationLabel = "pod-template-generation";

// ---- pods ----
std::string Phase(const Json& pod);
bool IsTerminal(const Json& pod);
const Json* ReadyCondition(const Json& pod);
bool IsReady(const Json& pod);
// podutil.IsPodAvailable: ready for more than minReadySeconds.
bool IsAvailable(const Json& pod, int64_t min_ready, SystemTime now);
// util.GetTargetNodeName: spec.nodeName, else the node the required affinity pins it to.
std::string TargetNodeName(const Json& pod);
// podByCreationTimestampAndPhase: scheduled first, then oldest, then by name.
bool OlderFirst(const ObjectPtr& a, const ObjectPtr& b);

// ---- placement ----
Json Toleration(const std::string& key, const std::string& effect);
// util.AddOrUpdateDaemonPodTolerations on a pod spec.
void AddDaemonTolerations(Json& spec);
bool ToleratesTaint(const Json& toleration, const Json& taint);
// A taint of the node with one of `effects` that no toleration tolerates exists.
bool HasUntoleratedTaint(const Json& node, const Json& tolerations,
                         std::initializer_list<const char*> effects);
bool RequirementMatches(const Json& req, const std::optional<std::string>& value);
// One nodeSelectorTerm (matchExpressions on labels, matchFields on metadata.name).
bool TermMatches(const Json& term, const Json& node);
// nodeSelector and required node affinity of a pod spec match the node.
bool NodeMatches(const Json& spec, const Json& node);

struct ShouldRun {
  bool run = false;   // a pod should be created here
  bool keep = false;  // an existing pod may stay
};
// NodeShouldRunDaemonPod, with the pod spec the controller would create; nodes being deleted
// get no new pods.
ShouldRun NodeShouldRunDaemonPod(const Json& node, const Json& ds);

// ---- templates and revisions ----
Json TemplateOf(const Json& ds);  // spec.template (an empty object when absent)
// The deprecated.daemonset.template.generation annotation.
std::optional<int64_t> TemplateGeneration(const Json& ds);
// util.IsPodUpdated: the hash label or the template generation label is current.
bool IsPodUpdated(const Json& pod, const std::string& hash, std::optional<int64_t> gen);
// intstr.GetScaledValueFromIntOrPercent rounding up (bad values: 0).
int ScaledValue(const Json& v, int total);
bool AllowsSurge(const Json& ds);  // RollingUpdate with a non-zero maxSurge
// The revision's hash, as the pods' controller-revision-hash label carries it.
std::string RevisionHash(const Json& rev);
// getPatch: {"spec":{"template":{..., "$patch":"replace"}}}.
Json RevisionData(const Json& ds);

}  // namespace minik::daemonutil
