#include "apiserver/sa_admission.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>

#include "apiserver/registry_internal.h"

namespace minik {
namespace {

constexpr const char* kDefaultServiceAccount = "default";
constexpr const char* kVolumePrefix = "kube-api-access-";
constexpr const char* kMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
constexpr const char* kMirrorPodAnnotation = "kubernetes.io/config.mirror";
constexpr int64_t kProjectedTokenSeconds = 3607;  // WarnOnlyBoundTokenExpirationSeconds
constexpr int kProjectedDefaultMode = 0644;

// shouldAutomount: the pod's preference, then the ServiceAccount's, then true.
bool ShouldAutomount(const Json& sa, const Json& pod) {
  if (const Json* p = Find(pod, {"spec", "automountServiceAccountToken"}); p && p->is_boolean()) {
    return p->get<bool>();
  }
  if (const Json* s = Find(sa, {"automountServiceAccountToken"}); s && s->is_boolean()) {
    return s->get<bool>();
  }
  return true;
}

// TokenVolumeSource: the projected volume every automounted pod gets.
Json TokenVolume(const std::string& name) {
  return Json{
      {"name", name},
      {"projected",
       {{"defaultMode", kProjectedDefaultMode},
        {"sources",
         Json::array(
             {{{"serviceAccountToken",
                {{"expirationSeconds", kProjectedTokenSeconds}, {"path", "token"}}}},
              {{"configMap",
                {{"name", "kube-root-ca.crt"},
                 {"items", Json::array({{{"key", "ca.crt"}, {"path", "ca.crt"}}})}}}},
              {{"downwardAPI",
                {{"items", Json::array({{{"path", "namespace"},
                                         {"fieldRef",
                                          {{"apiVersion", "v1"},
                                           {"fieldPath", "metadata.namespace"}}}}})}}}}})}}}};
}

// Adds the mount to each container of `list` that has none at the path; true if any got it.
bool AddMounts(Json& spec, const char* list, const Json& mount) {
  Json* containers = spec.contains(list) ? &spec[list] : nullptr;
  if (!containers || !containers->is_array()) return false;
  bool added = false;
  for (Json& c : *containers) {
    if (!c.is_object()) continue;
    Json& mounts = c["volumeMounts"];
    if (!mounts.is_array()) mounts = Json::array();
    bool taken = false;
    for (const Json& m : mounts) taken = taken || GetString(m, {"mountPath"}) == kMountPath;
    if (!taken) {
      mounts.push_back(mount);
      added = true;
    }
  }
  return added;
}

class ServiceAccountAdmission final : public AdmissionPlugin {
 public:
  ServiceAccountAdmission(Client& client, Clock& clock, int default_attempts)
      : client_(client), clock_(clock), default_attempts_(std::max(1, default_attempts)) {}
  std::string_view Name() const override { return "ServiceAccount"; }

  Status Mutate(AdmissionRequest& req) override {
    if (!req.IsCreate() || !req.Is("", "pods") || req.object == nullptr ||
        !req.object->is_object()) {
      return Status::Ok();
    }
    Json& pod = *req.object;
    if (!Find(pod, {"metadata", "annotations", kMirrorPodAnnotation})) {
      if (!pod["spec"].is_object()) return Status::Ok();  // validation reports it
      Json& spec = pod["spec"];
      if (GetString(spec, {"serviceAccountName"}).empty()) {
        spec["serviceAccountName"] = kDefaultServiceAccount;
      }
    }
    std::string sa_name = GetString(pod, {"spec", "serviceAccountName"});
    if (sa_name.empty()) return Status::Ok();  // a mirror pod without one
    auto sa = GetServiceAccount(req.ns, sa_name);
    if (!sa.ok()) {
      std::string why = sa.status().code() == Code::kNotFound
                            ? "serviceaccount \"" + sa_name + "\" not found"
                            : sa.status().message();
      return req.Forbidden("error looking up service account " + req.ns + "/" + sa_name + ": " +
                           why);
    }
    if (Find(pod, {"metadata", "annotations", kMirrorPodAnnotation})) return Status::Ok();
    if (ShouldAutomount(*sa, pod)) {
      MountServiceAccountToken(pod, registry::RandomSuffix(5));
    }
    Json& spec = pod["spec"];
    const Json* pulls = Find(spec, {"imagePullSecrets"});
    const Json* sa_pulls = Find(*sa, {"imagePullSecrets"});
    if ((!pulls || !pulls->is_array() || pulls->empty()) && sa_pulls && sa_pulls->is_array() &&
        !sa_pulls->empty()) {
      Json names = Json::array();
      for (const Json& s : *sa_pulls) names.push_back(Json{{"name", GetString(s, {"name"})}});
      spec["imagePullSecrets"] = names;
    }
    return Status::Ok();
  }

 private:
  // getServiceAccount: "default" gets several tries, the controller may be about to make it.
  StatusOr<Json> GetServiceAccount(const std::string& ns, const std::string& name) {
    int attempts = name == kDefaultServiceAccount ? default_attempts_ : 1;
    std::uniform_int_distribution<int> jitter(100, 199);
    std::chrono::milliseconds interval;
    {
      std::lock_guard<std::mutex> g(rng_mu_);
      interval = std::chrono::milliseconds(jitter(rng_));
    }
    for (int i = 0;; ++i) {
      auto sa = client_.Get({"", "v1", "serviceaccounts"}, ns, name);
      if (sa.ok() || sa.status().code() != Code::kNotFound || i + 1 >= attempts) return sa;
      std::mutex m;
      std::condition_variable cv;
      std::unique_lock<std::mutex> lock(m);
      clock_.WaitUntil(lock, cv, clock_.Steady() + interval);
    }
  }

  Client& client_;
  Clock& clock_;
  const int default_attempts_;
  std::mutex rng_mu_;
  std::minstd_rand rng_{std::random_device{}()};  // guarded by rng_mu_
};

}  // namespace

void MountServiceAccountToken(Json& pod, const std::string& suffix) {
  Json& spec = pod["spec"];
  Json& volumes = spec["volumes"];
  if (!volumes.is_array()) volumes = Json::array();
  // A pod that already has a kube-api-access-* volume (a recreated manifest) keeps it.
  std::string name;
  for (const Json& v : volumes) {
    std::string n = GetString(v, {"name"});
    if (n.rfind(kVolumePrefix, 0) == 0) {
      name = n;
      break;
    }
  }
  bool has_volume = !name.empty();
  if (!has_volume) name = kVolumePrefix + suffix;
  Json mount = {{"name", name}, {"readOnly", true}, {"mountPath", kMountPath}};
  bool needed = AddMounts(spec, "initContainers", mount);
  needed = AddMounts(spec, "containers", mount) || needed;
  if (!has_volume && needed) volumes.push_back(TokenVolume(name));
  if (volumes.empty()) spec.erase("volumes");
}

std::shared_ptr<AdmissionPlugin> NewServiceAccountAdmission(Client& client, Clock& clock,
                                                            int default_attempts) {
  return std::make_shared<ServiceAccountAdmission>(client, clock, default_attempts);
}

}  // namespace minik
