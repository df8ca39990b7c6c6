// Resource quota accounting shared by the ResourceQuota admission plugin and the
// ResourceQuota controller, as upstream's pkg/quota/v1 (evaluators for pods, services,
// persistentvolumeclaims and object counts) and the quota helpers (Add, Mask,
// LessThanOrEqual).
//
// Usage values are kept in milli units (int64) so cpu ("100m") and counts add exactly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/json.h"

namespace minik::quota {

// resource name -> amount in milli units (1 pod = 1000).
using ResourceList = std::map<std::string, int64_t>;

// A quantity (string or JSON number) in milli units, rounded up as MilliValue(); nullopt when
// malformed.
std::optional<int64_t> ParseMilli(const Json& value);
// The canonical quantity text of `milli` ("2", "500m", "96Mi" for memory-like resources).
std::string FormatMilli(const std::string& resource, int64_t milli);

// A ResourceList JSON object (spec.hard) parsed; malformed values are skipped.
ResourceList Parse(const Json& list);
// As JSON with canonical quantity strings.
Json ToJson(const ResourceList& list);
// "pods=1,requests.cpu=500m" (sorted by name), as the admission errors print lists.
std::string PrettyPrint(const ResourceList& list);

ResourceList Add(const ResourceList& a, const ResourceList& b);
ResourceList Subtract(const ResourceList& a, const ResourceList& b);
// The entries of `list` whose names are in `names`.
ResourceList Mask(const ResourceList& list, const std::vector<std::string>& names);
std::vector<std::string> Names(const ResourceList& list);
// Whether every entry of `a` is <= the same entry of `b` (entries missing from `b` pass);
// the names that exceed.
bool LessThanOrEqual(const ResourceList& a, const ResourceList& b,
                     std::vector<std::string>* exceeded);

// The kinds quota accounts for: pods, services and persistentvolumeclaims have their own
// evaluators; everything else counts objects only (count/<plural>[.<group>], plus the legacy
// names configmaps, secrets, replicationcontrollers, resourcequotas).
bool TracksResource(const std::string& group, const std::string& plural,
                    const std::string& resource_name);
// What one object uses. `now` decides whether a terminating pod still counts.
ResourceList Usage(const std::string& group, const std::string& plural, const Json& obj,
                   SystemTime now);
// Whether the quota's scopes (spec.scopes, spec.scopeSelector) select the object; only pods
// have scopes (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass), other
// kinds match any scope as upstream's generic evaluator.
bool MatchesScopes(const Json& resource_quota, const std::string& group,
                   const std::string& plural, const Json& obj);
// Pods must name requests/limits for every compute resource a quota restricts (upstream's
// podEvaluator.Constraints): "must specify limits.cpu for: main; requests.memory for: a,b",
// or "" when the pod satisfies them.
std::string PodConstraintError(const std::vector<std::string>& restricted, const Json& pod);

}  // namespace minik::quota
