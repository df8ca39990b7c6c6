#include "controllers/persistentvolume_controller.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>

#include "api/log.h"
#include "api/resources/pod_spec.h"
#include "api/selector.h"
#include "controllers/controller_ref.h"

namespace minik {

namespace {

namespace fs = std::filesystem;

const ResourceRef kClaims{"", "v1", "persistentvolumeclaims"};
const ResourceRef kVolumes{"", "v1", "persistentvolumes"};
const ResourceRef kClasses{"storage.k8s.io", "v1", "storageclasses"};
constexpr const char* kComponent = "persistentvolume-controller";
constexpr const char* kAnnBindCompleted = "pv.kubernetes.io/bind-completed";
constexpr const char* kAnnBoundByController = "pv.kubernetes.io/bound-by-controller";
constexpr const char* kAnnProvisionedBy = "pv.kubernetes.io/provisioned-by";
constexpr const char* kAnnStorageProvisioner = "volume.kubernetes.io/storage-provisioner";
constexpr const char* kAnnBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
constexpr const char* kAnnSelectedNode = "volume.kubernetes.io/selected-node";
constexpr const char* kAnnBetaClass = "volume.beta.kubernetes.io/storage-class";
constexpr const char* kAnnDefaultClass = "storageclass.kubernetes.io/is-default-class";
constexpr const char* kAnnBetaDefaultClass = "storageclass.beta.kubernetes.io/is-default-class";
// Volumes indexed by their claimRef "ns/name".
constexpr const char* kVolumesByClaim = "persistentvolume-by-claim";

bool HasAnn(const Json& o, const char* a) {
  return Find(o, {"metadata", "annotations", a}) != nullptr;
}
std::string Ann(const Json& o, const char* a) {
  return GetString(o, {"metadata", "annotations", a});
}
void SetAnn(Json& o, const char* a, const std::string& v) { o["metadata"]["annotations"][a] = v; }
std::string Phase(const Json& o) { return GetString(o, {"status", "phase"}); }
std::string ClaimKeyOf(const Json& claim) { return Namespace(claim) + "/" + Name(claim); }

// GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation wins.
std::string ClassOf(const Json& o) {
  if (HasAnn(o, kAnnBetaClass)) return Ann(o, kAnnBetaClass);
  return GetString(o, {"spec", "storageClassName"});
}
bool ClaimHasNoClass(const Json& claim) {
  const Json* c = Find(claim, {"spec", "storageClassName"});
  return !HasAnn(claim, kAnnBetaClass) && (!c || c->is_null());
}
bool IsDefaultClass(const Json& sc) {
  return Ann(sc, kAnnDefaultClass) == "true" || Ann(sc, kAnnBetaDefaultClass) == "true";
}

const Json* ClaimRef(const Json& volume) {
  const Json* r = Find(volume, {"spec", "claimRef"});
  return r && r->is_object() ? r : nullptr;
}
std::string ClaimRefKey(const Json& volume) {
  const Json* r = ClaimRef(volume);
  return r ? GetString(*r, {"namespace"}) + "/" + GetString(*r, {"name"}) : "";
}
// IsVolumeBoundToClaim: the claimRef names the claim (and its uid, once known).
bool BoundToClaim(const Json& volume, const Json& claim) {
  const Json* r = ClaimRef(volume);
  if (!r) return false;
  if (GetString(*r, {"name"}) != Name(claim) || GetString(*r, {"namespace"}) != Namespace(claim))
    return false;
  std::string uid = GetString(*r, {"uid"});
  return uid.empty() || uid == Uid(claim);
}
Json ClaimRefFor(const Json& claim) {
  return Json{{"kind", "PersistentVolumeClaim"},
              {"namespace", Namespace(claim)},
              {"name", Name(claim)},
              {"uid", Uid(claim)},
              {"apiVersion", "v1"},
              {"resourceVersion", ResourceVersion(claim)}};
}

std::optional<long double> Storage(const Json* q) {
  if (!q) return std::nullopt;
  if (q->is_string()) return res::ParseQuantity(q->get<std::string>());
  if (q->is_number()) return q->get<long double>();
  return std::nullopt;
}
long double Requested(const Json& claim) {
  return Storage(Find(claim, {"spec", "resources", "requests", "storage"})).value_or(0);
}
std::string VolumeMode(const Json& o) {
  std::string m = GetString(o, {"spec", "volumeMode"});
  return m.empty() ? "Filesystem" : m;
}
bool AccessModesCovered(const Json& claim, const Json& volume) {
  std::set<std::string> have;
  if (const Json* m = Find(volume, {"spec", "accessModes"}); m && m->is_array()) {
    for (const Json& v : *m) have.insert(v.is_string() ? v.get<std::string>() : "");
  }
  if (const Json* m = Find(claim, {"spec", "accessModes"}); m && m->is_array()) {
    for (const Json& v : *m) {
      if (!v.is_string() || !have.count(v.get<std::string>())) return false;
    }
  }
  return true;
}
// checkVolumeSatisfyClaim: "" when `volume` can serve `claim`, else why not.
std::string Unsatisfied(const Json& volume, const Json& claim) {
  auto size = Storage(Find(volume, {"spec", "capacity", "storage"}));
  if (!size || *size < Requested(claim)) return "requested PV is too small";
  if (ClassOf(volume) != ClassOf(claim)) return "storageClassName does not match";
  if (VolumeMode(volume) != VolumeMode(claim)) return "incompatible volumeMode";
  if (!AccessModesCovered(claim, volume)) return "incompatible accessMode";
  return "";
}

}  // namespace

Status EnsureDefaultStorageClass(Client& client) {
  auto existing = client.Get(kClasses, "", kDefaultStorageClass);
  if (existing.ok()) return Status::Ok();
  if (existing.status().code() != Code::kNotFound) return existing.status();
  // volumeBindingMode Immediate, as minikube's "standard" class: the scheduler does handle
  // WaitForFirstConsumer (it sets volume.kubernetes.io/selected-node, which this controller
  // honours), but a host-path volume lives on the one real node anyway, so delaying the
  // binding buys no placement and only makes pods wait on the scheduler's volume poll; with
  // Immediate, `kubectl get pvc` shows Bound as soon as the claim exists.
  Json sc = {
      {"apiVersion", "storage.k8s.io/v1"},
      {"kind", "StorageClass"},
      {"metadata", {{"name", kDefaultStorageClass}, {"annotations", {{kAnnDefaultClass, "true"}}}}},
      {"provisioner", kHostPathProvisioner},
      {"reclaimPolicy", "Delete"},
      {"volumeBindingMode", "Immediate"}};
  auto r = client.Create(kClasses, "", sc);
  if (!r.ok() && r.status().code() != Code::kAlreadyExists) return r.status();
  return Status::Ok();
}

PersistentVolumeController::PersistentVolumeController(Client& client, Clock& clock,
                                                       SharedInformerFactory& informers,
                                                       std::string volumes_dir, int workers)
    : QueueController(kComponent, clock, workers),
      client_(client),
      volumes_dir_(std::move(volumes_dir)),
      claims_(informers.For(kClaims)),
      volumes_(informers.For(kVolumes)),
      classes_(informers.For(kClasses)),
      recorder_(client, clock, kComponent),
      provisioner_(client, clock, kHostPathProvisioner) {
  Status st = volumes_.AddIndex(kVolumesByClaim, [](const Json& pv) -> std::vector<std::string> {
    std::string key = ClaimRefKey(pv);
    if (key.empty()) return {};
    return {key};
  });
  if (!st.ok()) LOG(Warning, kComponent) << "volume index: " << st.message();
  claims_.AddEventHandler({[this](const Json& c) { Enqueue(c); },
                           [this](const Json&, const Json& c) { Enqueue(c); },
                           [this](const Json& c) { EnqueueVolumesOf(c); }});
  // Claims waiting for a volume or a class (upstream finds them by its periodic resync).
  auto pending_claims = [this](const Json&) {
    for (const ObjectPtr& c : claims_.List()) {
      if (!HasAnn(*c, kAnnBindCompleted)) Enqueue(*c);
    }
  };
  // A volume without claimRef may serve any waiting claim; one with a claimRef, its claim.
  auto volume_changed = [this, pending_claims](const Json& v) {
    Enqueue(v);
    if (ClaimRef(v)) {
      EnqueueClaimOf(v);
    } else {
      pending_claims(v);
    }
  };
  volumes_.AddEventHandler({volume_changed,
                            [volume_changed](const Json&, const Json& v) { volume_changed(v); },
                            [this](const Json& v) { EnqueueClaimOf(v); }});
  classes_.AddEventHandler({pending_claims,
                            [pending_claims](const Json&, const Json& sc) { pending_claims(sc); },
                            nullptr});
}

void PersistentVolumeController::EnqueueClaimOf(const Json& volume) {
  std::string key = ClaimRefKey(volume);
  if (!key.empty()) queue().Add(key);
}

void PersistentVolumeController::EnqueueVolumesOf(const Json& claim) {
  std::string name = GetString(claim, {"spec", "volumeName"});
  if (!name.empty()) queue().Add(name);
  for (const ObjectPtr& v : volumes_.ByIndex(kVolumesByClaim, ClaimKeyOf(claim))) Enqueue(*v);
}

StatusOr<ReconcileResult> PersistentVolumeController::Reconcile(const std::string& key) {
  StatusOr<ReconcileResult> r = ReconcileResult{};
  if (key.find('/') != std::string::npos) {
    if (ObjectPtr claim = claims_.Get(key)) r = SyncClaim(*claim);
  } else if (ObjectPtr volume = volumes_.Get(key)) {
    r = SyncVolume(*volume);
  }
  // A write against a cached object that changed meanwhile: the informer brings the new
  // version and the key is retried, quietly.
  if (!r.ok() && r.status().code() == Code::kConflict) return ReconcileResult{true, {}};
  return r;
}

// ---- claims ----------------------------------------------------------------------------------

StatusOr<ReconcileResult> PersistentVolumeController::SyncClaim(const Json& claim) {
  if (ClaimHasNoClass(claim) && GetString(claim, {"spec", "volumeName"}).empty()) {
    // Retroactive default class: the newest default class, as GetDefaultClass.
    ObjectPtr best;
    for (const ObjectPtr& sc : classes_.List()) {
      if (!IsDefaultClass(*sc)) continue;
      if (!best) {
        best = sc;
        continue;
      }
      std::string a = GetString(*sc, {"metadata", "creationTimestamp"});
      std::string b = GetString(*best, {"metadata", "creationTimestamp"});
      if (a > b || (a == b && Name(*sc) < Name(*best))) best = sc;
    }
    if (best) {
      Json updated = claim;
      updated["spec"]["storageClassName"] = Name(*best);
      auto r = client_.Update(kClaims, Namespace(claim), updated);
      if (r.ok() || r.status().code() == Code::kNotFound) return ReconcileResult{};
      if (r.status().code() == Code::kConflict) return ReconcileResult{true, {}};
      return r.status();
    }
  }
  if (!HasAnn(claim, kAnnBindCompleted)) return SyncUnboundClaim(claim);
  return SyncBoundClaim(claim);
}

StatusOr<ReconcileResult> PersistentVolumeController::SyncUnboundClaim(const Json& claim) {
  const std::string volume_name = GetString(claim, {"spec", "volumeName"});
  if (!volume_name.empty()) {
    // Pre-bound by the user to a volume.
    ObjectPtr volume = volumes_.Get(volume_name);
    if (!volume) {
      MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
      return ReconcileResult{};
    }
    if (!ClaimRef(*volume)) {
      std::string why = Unsatisfied(*volume, claim);
      if (!why.empty()) {
        recorder_.Record(claim, "Warning", "VolumeMismatch",
                         "Cannot bind to requested volume \"" + volume_name + "\": " + why);
        MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
        return ReconcileResult{};
      }
      MINIK_RETURN_IF_ERROR(Bind(*volume, claim));
      return ReconcileResult{};
    }
    if (BoundToClaim(*volume, claim)) {
      MINIK_RETURN_IF_ERROR(Bind(*volume, claim));
      return ReconcileResult{};
    }
    if (!HasAnn(claim, kAnnBoundByController)) {
      recorder_.Record(claim, "Warning", "FailedBinding",
                       "volume \"" + volume_name + "\" already bound to a different claim.");
      MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
      return ReconcileResult{};
    }
    return Status(Code::kInternal, "Invalid binding of claim \"" + ClaimKeyOf(claim) +
                                       "\" to volume \"" + volume_name +
                                       "\": volume already claimed by \"" + ClaimRefKey(*volume) +
                                       "\"");
  }

  const std::string class_name = ClassOf(claim);
  ObjectPtr sc = class_name.empty() ? nullptr : classes_.Get(class_name);
  const bool delayed = sc && GetString(*sc, {"volumeBindingMode"}) == "WaitForFirstConsumer";
  const bool waiting = delayed && Ann(claim, kAnnSelectedNode).empty();

  // findBestMatchForClaim: a volume pre-bound to the claim, else the smallest that fits.
  std::optional<LabelSelector> selector;
  if (const Json* s = Find(claim, {"spec", "selector"}); s && !s->is_null()) {
    auto parsed = LabelSelector::FromJson(*s);
    if (!parsed.ok()) {
      recorder_.Record(claim, "Warning", "FailedBinding",
                       "invalid selector: " + parsed.status().message());
      return ReconcileResult{};
    }
    selector = std::move(*parsed);
  }
  const long double requested = Requested(claim);
  ObjectPtr best;
  long double best_size = 0;
  for (const ObjectPtr& v : volumes_.List()) {
    const Json& pv = *v;
    if (IsBeingDeleted(pv) || VolumeMode(pv) != VolumeMode(claim)) continue;
    if (BoundToClaim(pv, claim)) {
      best = v;
      break;
    }
    // Delayed binding: only the scheduler's choice of node may pick an unbound volume.
    if (waiting || ClaimRef(pv)) continue;
    if (selector && !selector->Matches(Labels(pv))) continue;
    if (ClassOf(pv) != class_name || !AccessModesCovered(claim, pv)) continue;
    auto size = Storage(Find(pv, {"spec", "capacity", "storage"}));
    if (!size || *size < requested) continue;
    if (!best || *size < best_size) {
      best = v;
      best_size = *size;
    }
  }
  if (best) {
    MINIK_RETURN_IF_ERROR(Bind(*best, claim));
    return ReconcileResult{};
  }
  if (waiting) {
    recorder_.Record(claim, "Normal", "WaitForFirstConsumer",
                     "waiting for first consumer to be created before binding");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
    return ReconcileResult{};
  }
  if (class_name.empty()) {
    recorder_.Record(claim, "Normal", "FailedBinding",
                     "no persistent volumes available for this claim and no storage class is set");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
    return ReconcileResult{};
  }
  if (!sc) {
    recorder_.Record(claim, "Warning", "ProvisioningFailed",
                     "storageclass.storage.k8s.io \"" + class_name + "\" not found");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
    return ReconcileResult{};  // the class's arrival enqueues the claim again
  }
  const std::string provisioner = GetString(*sc, {"provisioner"});
  if (provisioner != kHostPathProvisioner) {
    if (Ann(claim, kAnnStorageProvisioner) != provisioner) {
      Json updated = claim;
      SetAnn(updated, kAnnStorageProvisioner, provisioner);
      SetAnn(updated, kAnnBetaStorageProvisioner, provisioner);
      auto r = client_.Update(kClaims, Namespace(claim), updated);
      if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
    }
    recorder_.Record(claim, "Normal", "ExternalProvisioning",
                     "Waiting for a volume to be created either by the external provisioner '" +
                         provisioner +
                         "' or manually by the system administrator. If volume creation is "
                         "delayed, please verify that the provisioner is running and correctly "
                         "registered.");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
    return ReconcileResult{};
  }
  if (IsBeingDeleted(claim)) return ReconcileResult{};
  return Provision(claim, *sc);
}

StatusOr<ReconcileResult> PersistentVolumeController::SyncBoundClaim(const Json& claim) {
  const std::string volume_name = GetString(claim, {"spec", "volumeName"});
  if (volume_name.empty()) {
    recorder_.Record(
        claim, "Warning", "ClaimLost",
        "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Lost"));
    return ReconcileResult{};
  }
  ObjectPtr volume = volumes_.Get(volume_name);
  if (!volume) {
    // The cache may not show a volume we just provisioned: ask the API before declaring loss.
    auto got = client_.Get(kVolumes, "", volume_name);
    if (got.ok()) {
      volume = std::make_shared<const Json>(std::move(*got));
    } else if (got.status().code() != Code::kNotFound) {
      return got.status();
    }
  }
  if (!volume) {
    if (Phase(claim) != "Lost") {
      recorder_.Record(claim, "Warning", "ClaimLost",
                       "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    }
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Lost"));
    return ReconcileResult{};
  }
  const Json* ref = ClaimRef(*volume);
  if (!ref || GetString(*ref, {"uid"}) == Uid(claim)) {
    MINIK_RETURN_IF_ERROR(Bind(*volume, claim));
    return ReconcileResult{};
  }
  if (Phase(claim) != "Lost") {
    recorder_.Record(claim, "Warning", "ClaimMisbound",
                     "Two claims are bound to the same volume, this one is bound incorrectly");
  }
  MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Lost"));
  return ReconcileResult{};
}

StatusOr<ReconcileResult> PersistentVolumeController::Provision(const Json& claim, const Json& sc) {
  const std::string class_name = Name(sc);
  auto fail = [&](const std::string& why) {
    provisioner_.Record(
        claim, "Warning", "ProvisioningFailed",
        "failed to provision volume with StorageClass \"" + class_name + "\": " + why);
  };
  if (const Json* s = Find(claim, {"spec", "selector"}); s && !s->is_null()) {
    fail("claim Selector is not supported");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
    return ReconcileResult{};
  }
  if (VolumeMode(claim) == "Block") {
    fail(std::string(kHostPathProvisioner) + " does not support block volumes");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
    return ReconcileResult{};
  }
  for (const char* f : {"dataSource", "dataSourceRef"}) {
    if (const Json* d = Find(claim, {"spec", f}); d && !d->is_null()) {
      fail(std::string(kHostPathProvisioner) + " does not support volume data sources");
      MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
      return ReconcileResult{};
    }
  }
  const Json* request = Find(claim, {"spec", "resources", "requests", "storage"});
  if (!request || !Storage(request)) {
    fail("claim has no valid storage request");
    MINIK_RETURN_IF_ERROR(SetClaimPhase(claim, "Pending"));
    return ReconcileResult{};
  }
  const std::string pv_name = "pvc-" + Uid(claim);
  if (ObjectPtr existing = volumes_.Get(pv_name)) {
    // Provisioned earlier; the binding did not finish.
    if (BoundToClaim(*existing, claim)) MINIK_RETURN_IF_ERROR(Bind(*existing, claim));
    return ReconcileResult{};
  }

  Json current = claim;
  if (Ann(claim, kAnnStorageProvisioner) != kHostPathProvisioner) {
    SetAnn(current, kAnnStorageProvisioner, kHostPathProvisioner);
    SetAnn(current, kAnnBetaStorageProvisioner, kHostPathProvisioner);
    auto r = client_.Update(kClaims, Namespace(claim), current);
    if (!r.ok()) {
      if (r.status().code() == Code::kNotFound) return ReconcileResult{};
      if (r.status().code() == Code::kConflict) return ReconcileResult{true, {}};
      return r.status();
    }
    current = std::move(*r);
  }
  provisioner_.Record(
      current, "Normal", "Provisioning",
      "External provisioner is provisioning volume for claim \"" + ClaimKeyOf(current) + "\"");

  // minikube's hostpath provisioner: <dir>/<namespace>-<claim>-<volume>, world-writable.
  const std::string path =
      volumes_dir_ + "/" + Namespace(claim) + "-" + Name(claim) + "-" + pv_name;
  std::error_code ec;
  fs::create_directories(volumes_dir_, ec);
  if (ec) {
    fail("creating " + volumes_dir_ + ": " + ec.message());
    return Status(Code::kInternal, "creating " + volumes_dir_ + ": " + ec.message());
  }
  if (::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST) {
    std::string err = "creating " + path + ": " + std::strerror(errno);
    fail(err);
    return Status(Code::kInternal, err);
  }
  if (::chmod(path.c_str(), 0777) != 0) {
    std::string err = "chmod " + path + ": " + std::strerror(errno);
    fail(err);
    return Status(Code::kInternal, err);
  }

  Json spec = {{"capacity", {{"storage", *request}}},
               {"accessModes", current["spec"].value("accessModes", Json::array())},
               {"persistentVolumeReclaimPolicy", sc.value("reclaimPolicy", "Delete")},
               {"storageClassName", class_name},
               {"volumeMode", VolumeMode(current)},
               {"hostPath", {{"path", path}, {"type", "DirectoryOrCreate"}}},
               {"claimRef", ClaimRefFor(current)}};
  if (const Json* mo = Find(sc, {"mountOptions"}); mo && mo->is_array()) spec["mountOptions"] = *mo;
  Json pv = {{"apiVersion", "v1"},
             {"kind", "PersistentVolume"},
             {"metadata",
              {{"name", pv_name}, {"annotations", {{kAnnProvisionedBy, kHostPathProvisioner}}}}},
             {"spec", std::move(spec)}};
  auto created = client_.Create(kVolumes, "", pv);
  if (!created.ok()) {
    if (created.status().code() == Code::kAlreadyExists) return ReconcileResult{true, {}};
    fs::remove(path, ec);  // empty: nothing has used it yet
    fail(created.status().message());
    return created.status();
  }
  provisioner_.Record(current, "Normal", "ProvisioningSucceeded",
                      "Successfully provisioned volume " + pv_name);
  MINIK_RETURN_IF_ERROR(Bind(*created, current));
  return ReconcileResult{};
}

// bind(): volume -> claim first (the claim's volumeName is the authoritative side), each
// write only when something differs.
Status PersistentVolumeController::Bind(const Json& volume, const Json& claim) {
  Json pv = volume;
  const Json* ref = ClaimRef(pv);
  bool dirty = false;
  if (!ref || GetString(*ref, {"name"}) != Name(claim) ||
      GetString(*ref, {"namespace"}) != Namespace(claim) ||
      GetString(*ref, {"uid"}) != Uid(claim)) {
    bool by_us = !BoundToClaim(pv, claim);
    pv["spec"]["claimRef"] = ClaimRefFor(claim);
    if (by_us) SetAnn(pv, kAnnBoundByController, "yes");
    dirty = true;
  }
  if (dirty) {
    auto r = client_.Update(kVolumes, "", pv);
    if (!r.ok()) return r.status();
    pv = std::move(*r);
  }
  MINIK_RETURN_IF_ERROR(SetVolumePhase(pv, "Bound", ""));

  Json c = claim;
  dirty = false;
  if (GetString(c, {"spec", "volumeName"}) != Name(pv)) {
    c["spec"]["volumeName"] = Name(pv);
    SetAnn(c, kAnnBoundByController, "yes");
    dirty = true;
  }
  if (Ann(c, kAnnBindCompleted) != "yes") {
    SetAnn(c, kAnnBindCompleted, "yes");
    dirty = true;
  }
  if (dirty) {
    auto r = client_.Update(kClaims, Namespace(c), c);
    if (!r.ok()) return r.status();
    c = std::move(*r);
  }
  const Json modes = pv["spec"].value("accessModes", Json::array());
  const Json capacity = pv["spec"].value("capacity", Json::object());
  if (Phase(c) != "Bound" || c["status"].value("accessModes", Json()) != modes ||
      c["status"].value("capacity", Json()) != capacity) {
    c["status"]["phase"] = "Bound";
    c["status"]["accessModes"] = modes;
    c["status"]["capacity"] = capacity;
    auto r = client_.Update(kClaims, Namespace(c), c, {}, "status");
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Status PersistentVolumeController::SetClaimPhase(const Json& claim, const std::string& phase) {
  if (Phase(claim) == phase) return Status::Ok();
  Json c = claim;
  c["status"]["phase"] = phase;
  // Capacity and access modes describe a bound volume only.
  c["status"].erase("accessModes");
  c["status"].erase("capacity");
  auto r = client_.Update(kClaims, Namespace(c), c, {}, "status");
  if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  return Status::Ok();
}

// ---- volumes ---------------------------------------------------------------------------------

Status PersistentVolumeController::SetVolumePhase(const Json& volume, const std::string& phase,
                                                  const std::string& message) {
  if (Phase(volume) == phase && GetString(volume, {"status", "message"}) == message) {
    return Status::Ok();
  }
  Json pv = volume;
  if (Phase(volume) != phase) pv["status"]["lastPhaseTransitionTime"] = FormatRfc3339(clock_.Now());
  pv["status"]["phase"] = phase;
  if (message.empty()) {
    pv["status"].erase("message");
  } else {
    pv["status"]["message"] = message;
  }
  auto r = client_.Update(kVolumes, "", pv, {}, "status");
  if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  return Status::Ok();
}

StatusOr<ReconcileResult> PersistentVolumeController::SyncVolume(const Json& volume) {
  const Json* ref = ClaimRef(volume);
  if (!ref) {
    MINIK_RETURN_IF_ERROR(SetVolumePhase(volume, "Available", ""));
    return ReconcileResult{};
  }
  const std::string ref_uid = GetString(*ref, {"uid"});
  const std::string claim_key = ClaimRefKey(volume);
  if (ref_uid.empty()) {
    // Pre-bound by the user to a claim that may not exist yet.
    MINIK_RETURN_IF_ERROR(SetVolumePhase(volume, "Available", ""));
    queue().Add(claim_key);
    return ReconcileResult{};
  }
  std::optional<Json> claim;
  if (ObjectPtr c = claims_.Get(claim_key)) {
    claim = *c;
  } else {
    // Not in the cache: the API server decides (the claim may be brand new).
    auto got = client_.Get(kClaims, GetString(*ref, {"namespace"}), GetString(*ref, {"name"}));
    if (got.ok()) {
      claim = std::move(*got);
    } else if (got.status().code() != Code::kNotFound) {
      return got.status();
    }
  }
  if (claim && Uid(*claim) != ref_uid) claim.reset();  // the bound claim was deleted
  if (!claim) {
    Json current = volume;
    if (Phase(volume) != "Released" && Phase(volume) != "Failed") {
      MINIK_RETURN_IF_ERROR(SetVolumePhase(volume, "Released", ""));
      auto fresh = client_.Get(kVolumes, "", Name(volume));
      if (!fresh.ok()) {
        return fresh.status().code() == Code::kNotFound
                   ? StatusOr<ReconcileResult>(ReconcileResult{})
                   : StatusOr<ReconcileResult>(fresh.status());
      }
      current = std::move(*fresh);
    }
    MINIK_RETURN_IF_ERROR(Reclaim(current));
    return ReconcileResult{};
  }
  const std::string claim_volume = GetString(*claim, {"spec", "volumeName"});
  if (claim_volume.empty()) {
    // Binding in progress (or a volume pre-bound to this claim): the claim side finishes it.
    queue().Add(claim_key);
    return ReconcileResult{};
  }
  if (claim_volume == Name(volume)) {
    MINIK_RETURN_IF_ERROR(SetVolumePhase(volume, "Bound", ""));
    return ReconcileResult{};
  }
  // The claim is bound to another volume.
  if (HasAnn(volume, kAnnProvisionedBy) &&
      GetString(volume, {"spec", "persistentVolumeReclaimPolicy"}) == "Delete") {
    // Provisioned for this claim, which got another volume: not needed.
    if (Phase(volume) != "Released" && Phase(volume) != "Failed") {
      MINIK_RETURN_IF_ERROR(SetVolumePhase(volume, "Released", ""));
    }
    auto fresh = client_.Get(kVolumes, "", Name(volume));
    if (fresh.ok()) MINIK_RETURN_IF_ERROR(Reclaim(*fresh));
    return ReconcileResult{};
  }
  if (HasAnn(volume, kAnnBoundByController)) {
    // unbindVolume: we bound it, so we may take the binding back.
    Json pv = volume;
    pv["spec"].erase("claimRef");
    pv["metadata"]["annotations"].erase(kAnnBoundByController);
    auto r = client_.Update(kVolumes, "", pv);
    if (!r.ok()) return r.status();
    MINIK_RETURN_IF_ERROR(SetVolumePhase(*r, "Available", ""));
  }
  // Otherwise the user pre-bound it to a claim bound elsewhere: leave it.
  return ReconcileResult{};
}

Status PersistentVolumeController::Reclaim(const Json& volume) {
  const std::string policy = GetString(volume, {"spec", "persistentVolumeReclaimPolicy"});
  if (policy == "Retain") return Status::Ok();
  auto failed = [&](const std::string& reason, const std::string& message) {
    if (Phase(volume) != "Failed" || GetString(volume, {"status", "message"}) != message) {
      recorder_.Record(volume, "Warning", reason, message);
    }
    return SetVolumePhase(volume, "Failed", message);
  };
  if (policy == "Recycle") {
    return failed("VolumeFailedRecycle", "No recycler plugin found for the volume!");
  }
  if (policy != "Delete") {
    return failed("VolumeUnknownReclaimPolicy",
                  "Volume has unrecognized PersistentVolumeReclaimPolicy");
  }
  const std::string provisioner = Ann(volume, kAnnProvisionedBy);
  if (provisioner.empty()) {
    return failed("VolumeFailedDelete", "error getting deleter volume plugin for volume \"" +
                                            Name(volume) +
                                            "\": no deletable volume plugin matched");
  }
  if (provisioner != kHostPathProvisioner) return Status::Ok();  // its provisioner deletes it
  Status st = DeleteProvisioned(volume);
  if (st.code() == Code::kForbidden) return failed("VolumeFailedDelete", st.message());
  return st;
}

Status PersistentVolumeController::DeleteProvisioned(const Json& volume) {
  const std::string path = GetString(volume, {"spec", "hostPath", "path"});
  fs::path root = fs::path(volumes_dir_).lexically_normal();
  if (!root.has_filename()) root = root.parent_path();  // "/x/" -> "/x"
  const fs::path p(path);
  const std::string leaf = p.filename().string();
  // Only a direct child of volumes_dir, named plainly: never "..", never elsewhere.
  if (path.empty() || volumes_dir_.empty() || p.lexically_normal() != p ||
      p.parent_path() != root || leaf.empty() || leaf == "." || leaf == "..") {
    return Status(Code::kForbidden, "refusing to delete volume directory \"" + path +
                                        "\": it is not a directory under " + volumes_dir_);
  }
  // remove_all removes a symlink itself, never what it points to, and does not follow
  // symlinks inside the tree.
  std::error_code ec;
  fs::remove_all(p, ec);
  if (ec) return Status(Code::kInternal, "removing " + path + ": " + ec.message());
  DeleteOptions opts;
  opts.precondition_uid = Uid(volume);
  auto r = client_.Delete(kVolumes, "", Name(volume), opts);
  if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  return Status::Ok();
}

}  // namespace minik
