// DefaultStorageClass (plugin/pkg/admission/storage/persistentvolume/setdefault) and the
// registration of the built-in plugins.
//
// DefaultStorageClass and the PersistentVolume controller's retroactive assignment both exist
// upstream: the plugin names the class when a claim is created (so the claim is complete at
// once), the controller catches claims created while no default class existed.
#include "apiserver/admission_plugins.h"

namespace minik {

namespace {

const ResourceRef kStorageClasses{"storage.k8s.io", "v1", "storageclasses"};

bool IsDefaultClass(const Json& sc) {
  for (const char* a : {"storageclass.kubernetes.io/is-default-class",
                        "storageclass.beta.kubernetes.io/is-default-class"})
    if (GetString(sc, {"metadata", "annotations", a}) == "true") return true;
  return false;
}

class DefaultStorageClass final : public AdmissionPlugin {
 public:
  explicit DefaultStorageClass(Client& client) : client_(client) {}
  std::string_view Name() const override { return "DefaultStorageClass"; }

  Status Mutate(AdmissionRequest& req) override {
    if (!req.Is("", "persistentvolumeclaims") || !req.IsCreate() || !req.object)
      return Status::Ok();
    Json& claim = *req.object;
    // PersistentVolumeClaimHasClass: "" is a class ("none"), as is the beta annotation.
    if (Find(claim, {"spec", "storageClassName"}) &&
        !Find(claim, {"spec", "storageClassName"})->is_null())
      return Status::Ok();
    if (Find(claim, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"}))
      return Status::Ok();
    auto classes = client_.List(kStorageClasses, "");
    if (!classes.ok() && classes.status().code() == Code::kNotFound) return Status::Ok();
    if (!classes.ok()) return req.Forbidden(classes.status().message());
    // GetDefaultClass: the newest default class, then the name, when several are marked.
    const Json* chosen = nullptr;
    for (const Json& sc : (*classes)["items"]) {
      if (!IsDefaultClass(sc)) continue;
      if (chosen == nullptr) {
        chosen = &sc;
        continue;
      }
      std::string t = GetString(sc, {"metadata", "creationTimestamp"});
      std::string ct = GetString(*chosen, {"metadata", "creationTimestamp"});
      if (t > ct || (t == ct && minik::Name(sc) < minik::Name(*chosen))) chosen = &sc;
    }
    if (chosen == nullptr) return Status::Ok();
    if (!claim["spec"].is_object()) claim["spec"] = Json::object();
    claim["spec"]["storageClassName"] = minik::Name(*chosen);
    return Status::Ok();
  }

 private:
  Client& client_;
};

}  // namespace

std::shared_ptr<AdmissionPlugin> NewDefaultStorageClass(Client& client) {
  return std::make_shared<DefaultStorageClass>(client);
}

void RegisterBuiltinAdmission(AdmissionChain& chain, Client& client, Clock& clock) {
  chain.Register(NewLimitRanger(client));
  chain.Register(NewPodSecurity(client));
  chain.Register(NewDefaultStorageClass(client));
  chain.Register(NewResourceQuotaAdmission(client, clock));
}

}  // namespace minik
