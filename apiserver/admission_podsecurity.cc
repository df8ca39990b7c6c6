// PodSecurity admission (k8s.io/pod-security-admission/admission/admission.go), validating:
//  - pods (create; significant updates, e.g. an added ephemeral container) are held
//    to the namespace's enforce level (403 `violates PodSecurity "restricted:latest": ...`)
//    and, when admitted, warned about its warn level (`would violate PodSecurity ...`);
//  - workloads with pod templates (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
//    CronJobs, ReplicationControllers, PodTemplates) are only warned about, never refused;
//  - namespaces must carry valid pod-security.kubernetes.io labels, and a namespace whose
//    enforce level becomes stricter warns about the existing pods that would violate it.
// The levels come from the namespace labels pod-security.kubernetes.io/<mode>[-version];
// without labels everything is privileged. A warn level not set follows enforce (so that
// workloads warn about what their pods will be refused). Versions other than "latest" are
// accepted and shown, but the checks are those of the latest version. Audit annotations are
// not kept (minik has no audit log).
#include <regex>

#include "apiserver/admission_plugins.h"

namespace minik {

namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces"};
const ResourceRef kPods{"", "v1", "pods"};
constexpr const char* kPrefix = "pod-security.kubernetes.io/";

struct LevelVersion {
  std::string level = "privileged";
  std::string version = "latest";
  std::string String() const { return level + ":" + version; }
  bool operator==(const LevelVersion&) const = default;
};

struct Policy {
  LevelVersion enforce, warn, audit;
  std::vector<StatusCause> errors;  // invalid labels
};

std::string Label(const Json& ns, const std::string& key) {
  const Json* labels = Find(ns, {"metadata", "labels"});
  if (!labels || !labels->is_object()) return "";
  auto it = labels->find(key);
  return it != labels->end() && it->is_string() ? it->get<std::string>() : "";
}
bool HasLabel(const Json& ns, const std::string& key) {
  const Json* labels = Find(ns, {"metadata", "labels"});
  return labels && labels->is_object() && labels->contains(key);
}

// api.PolicyToEvaluate: invalid values fail closed (restricted:latest) and are reported.
Policy PolicyOf(const Json& ns) {
  Policy p;
  static const std::regex kVersion("^v1\\.(0|[1-9][0-9]*)$");
  for (auto [mode, lv] : {std::pair{"enforce", &p.enforce}, std::pair{"warn", &p.warn},
                          std::pair{"audit", &p.audit}}) {
    std::string level_key = std::string(kPrefix) + mode;
    std::string version_key = level_key + "-version";
    std::string level = Label(ns, level_key);
    if (HasLabel(ns, level_key)) {
      if (level == "privileged" || level == "baseline" || level == "restricted") {
        lv->level = level;
      } else {
        lv->level = "restricted";
        p.errors.push_back({"FieldValueInvalid",
                            "Invalid value: " + Json(level).dump() +
                                ": must be one of privileged, baseline, restricted",
                            "metadata.labels[" + level_key + "]"});
      }
    }
    if (HasLabel(ns, version_key)) {
      std::string version = Label(ns, version_key);
      if (version == "latest" || std::regex_match(version, kVersion)) {
        lv->version = version;
      } else {
        p.errors.push_back({"FieldValueInvalid",
                            "Invalid value: " + Json(version).dump() +
                                ": must be \"latest\" or of the form \"v1.x\"",
                            "metadata.labels[" + version_key + "]"});
      }
    }
  }
  if (!HasLabel(ns, std::string(kPrefix) + "warn")) p.warn.level = p.enforce.level;
  if (!HasLabel(ns, std::string(kPrefix) + "warn-version")) p.warn.version = p.enforce.version;
  return p;
}

// Where a workload keeps its pod template (PodSpecExtractor).
const Json* TemplateOf(const AdmissionRequest& req, const Json& obj) {
  const std::string& g = req.info->group;
  const std::string& r = req.info->plural;
  if (g.empty() && r == "podtemplates") return Find(obj, {"template"});
  if ((g.empty() && r == "replicationcontrollers") ||
      (g == "apps" && (r == "deployments" || r == "replicasets" || r == "statefulsets" ||
                       r == "daemonsets")) ||
      (g == "batch" && r == "jobs"))
    return Find(obj, {"spec", "template"});
  if (g == "batch" && r == "cronjobs") return Find(obj, {"spec", "jobTemplate", "spec", "template"});
  return nullptr;
}

const Json& Sub(const Json* obj, const char* key) {
  static const Json kEmpty = Json::object();
  if (!obj || !obj->is_object()) return kEmpty;
  auto it = obj->find(key);
  return it != obj->end() && it->is_object() ? *it : kEmpty;
}

// isSignificantPodUpdate: pod specs are nearly immutable, so an update is evaluated again
// only when it changes the seccomp annotations, the number of containers or init containers,
// or adds an ephemeral container (kubectl debug).
bool SignificantPodUpdate(const Json& pod, const Json& old) {
  const std::string kPodSeccomp = "seccomp.security.alpha.kubernetes.io/pod";
  const std::string kContainerSeccomp = "container.seccomp.security.alpha.kubernetes.io/";
  auto annotation = [](const Json& p, const std::string& key) {
    const Json& ann = Sub(&Sub(&p, "metadata"), "annotations");
    auto it = ann.find(key);
    return it != ann.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto list = [](const Json& p, const char* name) {
    const Json& spec = Sub(&p, "spec");
    auto it = spec.find(name);
    return it != spec.end() && it->is_array() ? *it : Json::array();
  };
  if (annotation(pod, kPodSeccomp) != annotation(old, kPodSeccomp)) return true;
  for (const char* name : {"containers", "initContainers"}) {
    Json now = list(pod, name), before = list(old, name);
    if (now.size() != before.size()) return true;
    for (size_t i = 0; i < now.size(); ++i) {
      // isSignificantContainerUpdate: an image change is not; else the container's seccomp
      // annotation decides.
      if (GetString(now[i], {"image"}) != GetString(before[i], {"image"})) continue;
      std::string key = kContainerSeccomp + GetString(now[i], {"name"});
      if (annotation(pod, key) != annotation(old, key)) return true;
    }
  }
  Json old_ephemeral = list(old, "ephemeralContainers");
  for (const Json& c : list(pod, "ephemeralContainers")) {
    const Json* before = nullptr;
    for (const Json& o : old_ephemeral)
      if (GetString(o, {"name"}) == GetString(c, {"name"})) before = &o;
    if (!before) return true;  // added
    if (GetString(c, {"image"}) != GetString(*before, {"image"})) continue;
    std::string key = kContainerSeccomp + GetString(c, {"name"});
    if (annotation(pod, key) != annotation(old, key)) return true;
  }
  return false;
}

class PodSecurity final : public AdmissionPlugin {
 public:
  explicit PodSecurity(Client& client) : client_(client) {}
  std::string_view Name() const override { return "PodSecurity"; }

  Status Validate(const AdmissionRequest& req) override {
    if (!req.object || req.IsDelete()) return Status::Ok();
    if (req.info->group.empty() && req.info->plural == "namespaces")
      return ValidateNamespace(req);
    if (req.info->group.empty() && req.info->plural == "pods") return ValidatePod(req);
    if (req.subresource.empty() && TemplateOf(req, *req.object)) return ValidateWorkload(req);
    return Status::Ok();
  }

 private:
  StatusOr<Policy> NamespacePolicy(const AdmissionRequest& req) {
    auto ns = client_.Get(kNamespaces, "", req.ns);
    if (!ns.ok()) {
      if (ns.status().code() == Code::kNotFound) return Policy{};  // NamespaceLifecycle's job
      return req.Forbidden("failed to look up namespace " + Json(req.ns).dump() + ": " +
                           ns.status().message());
    }
    return PolicyOf(*ns);
  }

  Status ValidatePod(const AdmissionRequest& req) {
    if (!req.subresource.empty() && req.subresource != "ephemeralcontainers") return Status::Ok();
    if (req.IsUpdate() && req.old && !SignificantPodUpdate(*req.object, *req.old))
      return Status::Ok();
    auto policy = NamespacePolicy(req);
    if (!policy.ok()) return policy.status();
    const Json& meta = Sub(req.object, "metadata");
    const Json& spec = Sub(req.object, "spec");
    std::string enforced;
    if (policy->enforce.level != "privileged") {
      enforced = PodSecurityViolations(policy->enforce.level, meta, spec);
      if (!enforced.empty()) {
        return req.Forbidden("violates PodSecurity " + Json(policy->enforce.String()).dump() +
                             ": " + enforced);
      }
    }
    if (policy->warn.level != "privileged") {
      std::string warned = policy->warn == policy->enforce
                               ? enforced
                               : PodSecurityViolations(policy->warn.level, meta, spec);
      if (!warned.empty())
        req.Warn("would violate PodSecurity " + Json(policy->warn.String()).dump() + ": " + warned);
    }
    return Status::Ok();
  }

  Status ValidateWorkload(const AdmissionRequest& req) {
    const Json* tmpl = TemplateOf(req, *req.object);
    if (req.IsUpdate() && req.old) {
      const Json* old_tmpl = TemplateOf(req, *req.old);
      if (old_tmpl && *old_tmpl == *tmpl) return Status::Ok();
    }
    auto policy = NamespacePolicy(req);
    if (!policy.ok()) return policy.status();
    if (policy->warn.level == "privileged") return Status::Ok();
    std::string warned =
        PodSecurityViolations(policy->warn.level, Sub(tmpl, "metadata"), Sub(tmpl, "spec"));
    if (!warned.empty())
      req.Warn("would violate PodSecurity " + Json(policy->warn.String()).dump() + ": " + warned);
    return Status::Ok();
  }

  Status ValidateNamespace(const AdmissionRequest& req) {
    if (!req.subresource.empty()) return Status::Ok();
    Policy policy = PolicyOf(*req.object);
    if (!policy.errors.empty()) {
      return Invalid("Namespace", GetString(*req.object, {"metadata", "name"}),
                     std::move(policy.errors));
    }
    if (!req.IsUpdate() || !req.old) return Status::Ok();
    Policy before = PolicyOf(*req.old);
    if (policy.enforce == before.enforce || policy.enforce.level == "privileged") return Status::Ok();
    // EvaluatePodsInNamespace: the existing pods that the new enforce level would refuse.
    auto pods = client_.List(kPods, req.name);
    if (!pods.ok()) return Status::Ok();  // warnings only: never fail the update for them
    std::vector<std::string> warnings;
    for (const Json& pod : (*pods)["items"]) {
      auto failures = PodSecurityFailures(policy.enforce.level, Sub(&pod, "metadata"),
                                          Sub(&pod, "spec"));
      if (failures.empty()) continue;
      std::string reasons;
      for (size_t i = 0; i < failures.size(); ++i)
        reasons += (i ? ", " : "") + failures[i].first;
      warnings.push_back(GetString(pod, {"metadata", "name"}) + ": " + reasons);
    }
    if (warnings.empty()) return Status::Ok();
    req.Warn("existing pods in namespace " + Json(req.name).dump() +
             " violate the new PodSecurity enforce level " +
             Json(policy.enforce.String()).dump());
    for (auto& w : warnings) req.Warn(std::move(w));
    return Status::Ok();
  }

  Client& client_;
};

}  // namespace

std::shared_ptr<AdmissionPlugin> NewPodSecurity(Client& client) {
  return std::make_shared<PodSecurity>(client);
}

}  // namespace minik
