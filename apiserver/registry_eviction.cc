// pods/<name>/eviction, as pkg/registry/core/pod/storage/eviction.go. The eviction goes
// through the registry's own Client interface (Get/List/Update/Delete), so the pod's
// deletion takes the ordinary path (graceful deletion, finalizers, preconditions).
#include "api/selector.h"
#include "apiserver/registry_internal.h"

namespace minik::registry {

namespace {

const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kPdbs{"policy", "v1", "poddisruptionbudgets"};

// Upstream's EvictionsRetry: 20 steps; conflicts here are between in-process writers,
// so the steps follow each other without the 500 ms pause.
constexpr int kEvictionSteps = 20;
// MaxDisruptedPodSize: evictions approved but not yet seen by the disruption controller.
constexpr size_t kMaxDisruptedPodSize = 2000;

constexpr const char* kViolation =
    "Cannot evict pod as it would violate the pod's disruption budget.";

Status TooManyRequests(int retry_after, const std::string& cause) {
  Status st(Code::kTooManyRequests, kViolation);
  st.mutable_details().retry_after_seconds = retry_after;
  st.mutable_details().causes.push_back({"DisruptionBudget", cause, ""});
  return st;
}

// createTooManyRequestsError: the budget's status is behind its spec or the pod changed.
Status StillProcessing(const std::string& pdb) {
  return TooManyRequests(
      10, "The disruption budget " + pdb + " is still being processed by the server.");
}

Status PdbForbidden(const std::string& pdb, const std::string& why) {
  Status st(Code::kForbidden, "poddisruptionbudget.policy \"" + pdb + "\" is forbidden: " + why);
  st.mutable_details().name = pdb;
  st.mutable_details().group = "policy";
  st.mutable_details().kind = "poddisruptionbudget";
  return st;
}

Json Success() {
  return Json{{"kind", "Status"},
              {"apiVersion", "v1"},
              {"metadata", Json::object()},
              {"status", "Success"},
              {"code", 201}};
}

bool IsPodReady(const Json& pod) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const Json& c : *conds) {
    if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) == "True";
  }
  return false;
}

bool Terminal(const Json& pod) {
  std::string phase = GetString(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

bool Terminating(const Json& obj) {
  return Find(obj, {"metadata", "deletionTimestamp"}) != nullptr;
}

// canIgnorePDB: terminal, pending and terminating pods are deleted without a budget check.
bool CanIgnorePdb(const Json& pod) {
  return Terminal(pod) || GetString(pod, {"status", "phase"}) == "Pending" || Terminating(pod);
}

// shouldEnforceResourceVersion: a live pod is deleted only as it was checked, so a pod that
// became ready meanwhile is not taken without its budget.
bool ShouldEnforceResourceVersion(const Json& pod) { return !Terminal(pod) && !Terminating(pod); }

StatusOr<bool> DryRunValues(const Json* values) {
  bool dry = false;
  if (!values || values->is_null()) return dry;
  if (!values->is_array()) return BadRequest("deleteOptions.dryRun must be a list of strings");
  for (const Json& v : *values) {
    if (v == Json("All")) {
      dry = true;
    } else {
      return BadRequest("dryRun: Unsupported value: " + v.dump() + ": supported values: \"All\"");
    }
  }
  return dry;
}

// The Eviction's deleteOptions, with the request's dry-run merged in (propagateDryRun).
StatusOr<DeleteOptions> EvictionDeleteOptions(const Json& eviction, const WriteOptions& opts) {
  DeleteOptions del;
  const Json* d = Find(eviction, {"deleteOptions"});
  if (!d || d->is_null()) {
    del.dry_run = opts.dry_run;
    return del;
  }
  if (!d->is_object()) return BadRequest("deleteOptions must be an object");
  if (const Json* g = Find(*d, {"gracePeriodSeconds"}); g && !g->is_null()) {
    if (!g->is_number_integer())
      return BadRequest("deleteOptions.gracePeriodSeconds must be an integer");
    del.grace_period_seconds = g->get<int64_t>();
  }
  del.propagation_policy = GetString(*d, {"propagationPolicy"});
  if (!del.propagation_policy.empty() && del.propagation_policy != "Orphan" &&
      del.propagation_policy != "Background" && del.propagation_policy != "Foreground") {
    return Invalid("Eviction.policy", GetString(eviction, {"metadata", "name"}),
                   {{"FieldValueNotSupported",
                     "Unsupported value: \"" + del.propagation_policy +
                         "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                     "deleteOptions.propagationPolicy"}});
  }
  del.precondition_uid = GetString(*d, {"preconditions", "uid"});
  del.precondition_resource_version = GetString(*d, {"preconditions", "resourceVersion"});
  const Json* dry_values = Find(*d, {"dryRun"});
  auto body_dry = DryRunValues(dry_values);
  if (!body_dry.ok()) return body_dry.status();
  bool body_has_dry = dry_values && dry_values->is_array() && !dry_values->empty();
  if (body_has_dry && opts.dry_run != *body_dry) {
    return BadRequest("Non-matching dry-run options in request and content: [All] and " +
                      dry_values->dump());
  }
  del.dry_run = opts.dry_run || *body_dry;
  return del;
}

// The budgets in the pod's namespace whose (non-empty) selector matches the pod.
StatusOr<std::vector<Json>> PdbsFor(Client& self, const ResourceRegistry& resources,
                                    const Json& pod) {
  std::vector<Json> out;
  if (!resources.Find(kPdbs)) return out;
  auto list = self.List(kPdbs, Namespace(pod));
  if (!list.ok()) return list.status();
  for (Json& pdb : (*list)["items"]) {
    const Json* sel = Find(pdb, {"spec", "selector"});
    if (!sel || sel->is_null()) continue;  // a nil selector matches nothing
    auto selector = LabelSelector::FromJson(*sel);
    // An invalid or empty selector matches nothing either.
    if (!selector.ok() || selector->Empty() || !selector->Matches(Labels(pod))) continue;
    out.push_back(std::move(pdb));
  }
  return out;
}

// pdbhelper.UpdateDisruptionAllowedCondition (meta.SetStatusCondition semantics).
void UpdateDisruptionAllowedCondition(Json& pdb, Clock& clock) {
  bool allowed = GetInt(pdb, {"status", "disruptionsAllowed"}) > 0;
  Json want = {{"type", "DisruptionAllowed"},
               {"status", allowed ? "True" : "False"},
               {"reason", allowed ? "SufficientPods" : "InsufficientPods"},
               {"message", ""},
               {"observedGeneration", GetInt(pdb, {"status", "observedGeneration"})}};
  Json& conds = pdb["status"]["conditions"];
  if (!conds.is_array()) conds = Json::array();
  for (Json& c : conds) {
    if (GetString(c, {"type"}) != "DisruptionAllowed") continue;
    if (GetString(c, {"status"}) != want["status"].get<std::string>())
      c["lastTransitionTime"] = FormatRfc3339(clock.Now());
    for (const char* f : {"status", "reason", "message", "observedGeneration"}) c[f] = want[f];
    return;
  }
  want["lastTransitionTime"] = FormatRfc3339(clock.Now());
  conds.push_back(std::move(want));
}

// checkAndDecrement: takes one disruption from the budget and records the pod as disrupted.
Status CheckAndDecrement(Client& self, Clock& clock, const std::string& pod_name, Json pdb,
                         bool dry_run) {
  const std::string name = Name(pdb);
  if (GetInt(pdb, {"status", "observedGeneration"}) < GetInt(pdb, {"metadata", "generation"}))
    return StillProcessing(name);
  int64_t allowed = GetInt(pdb, {"status", "disruptionsAllowed"});
  if (allowed < 0) return PdbForbidden(name, "pdb disruptions allowed is negative");
  const Json* disrupted = Find(pdb, {"status", "disruptedPods"});
  if (disrupted && disrupted->is_object() && disrupted->size() > kMaxDisruptedPodSize) {
    return PdbForbidden(name,
                        "DisruptedPods map too big - too many evictions not confirmed by PDB "
                        "controller");
  }
  if (allowed == 0) {
    return TooManyRequests(0, "The disruption budget " + name + " needs " +
                                  std::to_string(GetInt(pdb, {"status", "desiredHealthy"})) +
                                  " healthy pods and has " +
                                  std::to_string(GetInt(pdb, {"status", "currentHealthy"})) +
                                  " currently");
  }
  pdb["status"]["disruptionsAllowed"] = allowed - 1;
  if (allowed - 1 == 0) UpdateDisruptionAllowedCondition(pdb, clock);
  if (dry_run) return Status::Ok();
  Json& pods = pdb["status"]["disruptedPods"];
  if (!pods.is_object()) pods = Json::object();
  pods[pod_name] = FormatRfc3339(clock.Now());
  // The budget's resourceVersion makes this a compare-and-swap (409 on a concurrent change).
  const std::string ns = Namespace(pdb);
  auto r = self.Update(kPdbs, ns, std::move(pdb), WriteOptions{}, "status");
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

StatusOr<Json> Evict(Client& self, Clock& clock, const ResourceRegistry& resources,
                     const std::string& ns, const std::string& name, const Json& eviction,
                     const WriteOptions& opts) {
  if (!eviction.is_object()) return BadRequest("the body of the request must be a JSON object");
  if (GetString(eviction, {"metadata", "name"}) != name)
    return BadRequest("name in URL does not match name in Eviction object");
  auto options = EvictionDeleteOptions(eviction, opts);
  if (!options.ok()) return options.status();
  const DeleteOptions& original = *options;
  const bool rv_unset = original.precondition_resource_version.empty();

  // Pods that cannot count towards a budget are deleted at once (conflicts retried unless
  // the caller gave its own resourceVersion precondition).
  Json pod;
  Status last;
  bool checked = false;
  for (int step = 0; step < kEvictionSteps; ++step) {
    auto got = self.Get(kPods, ns, name);
    if (!got.ok()) return got.status();
    pod = std::move(*got);
    if (!CanIgnorePdb(pod)) {
      checked = true;
      break;
    }
    DeleteOptions del = original;
    if (ShouldEnforceResourceVersion(pod) && rv_unset)
      del.precondition_resource_version = ResourceVersion(pod);
    auto deleted = self.Delete(kPods, ns, name, del);
    if (deleted.ok()) return Success();
    last = deleted.status();
    if (last.code() != Code::kConflict || !rv_unset) return last;
  }
  if (!checked) return last;

  auto pdbs = PdbsFor(self, resources, pod);
  if (!pdbs.ok()) return pdbs.status();
  if (pdbs->size() > 1) {
    return Status(Code::kInternal,
                  "This pod has more than one PodDisruptionBudget, which the eviction "
                  "subresource does not support.");
  }
  bool enforce_rv = false;  // the pod is deleted only if unchanged since this check
  std::string pdb_name;
  if (pdbs->size() == 1) {
    Json pdb = std::move((*pdbs)[0]);
    pdb_name = Name(pdb);
    if (!IsPodReady(pod)) {
      // An unhealthy pod does not count towards currentHealthy: it may go without taking a
      // disruption when the budget is met, or always with unhealthyPodEvictionPolicy
      // AlwaysAllow.
      int64_t current = GetInt(pdb, {"status", "currentHealthy"});
      int64_t desired = GetInt(pdb, {"status", "desiredHealthy"});
      if (GetString(pdb, {"spec", "unhealthyPodEvictionPolicy"}) == "AlwaysAllow" ||
          (current >= desired && desired > 0)) {
        enforce_rv = true;
      }
    }
    if (!enforce_rv) {
      Status st;
      int step = 0;
      for (; step < kEvictionSteps; ++step) {
        if (step > 0) {
          auto fresh = self.Get(kPdbs, ns, pdb_name);
          if (!fresh.ok()) return fresh.status();
          pdb = std::move(*fresh);
        }
        st = CheckAndDecrement(self, clock, name, pdb, original.dry_run);
        if (st.code() != Code::kConflict) break;
      }
      if (step == kEvictionSteps) {
        Status timeout(Code::kTimeout,
                       "couldn't update PodDisruptionBudget \"" + pdb_name + "\" due to conflicts");
        timeout.mutable_details().retry_after_seconds = 10;
        return timeout;
      }
      if (!st.ok()) return st;
    }
  }

  DeleteOptions del = original;
  if (enforce_rv) del.precondition_resource_version = ResourceVersion(pod);
  auto deleted = self.Delete(kPods, ns, name, del);
  if (!deleted.ok()) {
    // The pod changed since it was found unhealthy: the client should try again.
    if (deleted.status().code() == Code::kConflict && enforce_rv && rv_unset)
      return StillProcessing(pdb_name);
    return deleted.status();
  }
  return Success();
}

}  // namespace minik::registry
