// core/v1 Node, PersistentVolume and PersistentVolumeClaim.
#include <set>

#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/pod_spec.h"
#include "api/resources/quantity.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

// ---- nodes -----------------------------------------------------------------------------

std::string NodeAddress(const Json& node, const std::string& type) {
  for (const Json& a : Arr(node, {"status", "addresses"}))
    if (Str(At(a, {"type"})) == type) return Str(At(a, {"address"}));
  return "<none>";
}

std::vector<Json> NodeCells(const Json& node, SystemTime now) {
  std::string status;
  for (const Json& c : Arr(node, {"status", "conditions"})) {
    if (Str(At(c, {"type"})) != "Ready") continue;
    status = Str(At(c, {"status"})) == "True" ? "Ready" : "NotReady";
  }
  if (status.empty()) status = "Unknown";
  if (IsTrue(node, {"spec", "unschedulable"})) status += ",SchedulingDisabled";
  std::set<std::string> roles;
  const Json& labels = Labels(node);
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    const std::string& k = it.key();
    static const std::string kPrefix = "node-role.kubernetes.io/";
    if (k.rfind(kPrefix, 0) == 0) {
      if (k.size() > kPrefix.size()) roles.insert(k.substr(kPrefix.size()));
    } else if (k == "kubernetes.io/role" && !Str(*it).empty()) {
      roles.insert(Str(*it));
    }
  }
  std::string role_text;
  for (const auto& r : roles) role_text += (role_text.empty() ? "" : ",") + r;
  if (role_text.empty()) role_text = "<none>";
  auto info = [&](const char* f) {
    std::string v = Str(At(node, {"status", "nodeInfo", f}));
    return v.empty() ? std::string("<unknown>") : v;
  };
  return {status,
          role_text,
          AgeOf(node, now),
          Str(At(node, {"status", "nodeInfo", "kubeletVersion"})),
          NodeAddress(node, "InternalIP"),
          NodeAddress(node, "ExternalIP"),
          info("osImage"),
          info("kernelVersion"),
          info("containerRuntimeVersion")};
}

void DefaultNode(Json& node) {
  // SetDefaults_NodeStatus: allocatable defaults to capacity.
  if (!node.contains("status") || !node["status"].is_object()) return;
  Json& status = node["status"];
  CanonicalizeResourceListAt(status, {"capacity"});
  CanonicalizeResourceListAt(status, {"allocatable"});
  if (status.contains("capacity") && status["capacity"].is_object() &&
      (!status.contains("allocatable") || status["allocatable"].is_null()))
    status["allocatable"] = status["capacity"];
}

void ValidateNode(Causes& out, const Json& node) {
  // ValidateResourceQuantityValue on status.capacity and status.allocatable.
  for (const char* list : {"capacity", "allocatable"}) {
    const Json& values = At(node, {"status", list});
    if (!values.is_object()) continue;
    for (const auto& [name, v] : values.items())
      ValidateResourceQuantityValue(out, name, v, std::string("status.") + list + "." + name);
  }
  const Json& taints = Arr(node, {"spec", "taints"});
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < taints.size(); ++i) {
    std::string path = "spec.taints[" + std::to_string(i) + "]";
    std::string key = Str(At(taints[i], {"key"}));
    for (const auto& m : IsQualifiedName(key))
      out.push_back(InvalidCause(path + ".key", GoQuote(key), m));
    std::string effect = Str(At(taints[i], {"effect"}));
    if (effect.empty()) {
      out.push_back(RequiredCause(path + ".effect"));
    } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      out.push_back(NotSupportedCause(path + ".effect", effect,
                                      {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
    if (!seen.insert({key, effect}).second)
      out.push_back(DuplicateCause(path, "core.Taint{Key:" + GoQuote(key) + ", Effect:" +
                                             GoQuote(effect) + "}"));
  }
}

void ValidateNodeUpdate(Causes& out, const Json& node, const Json& old) {
  const Json& old_cidr = At(old, {"spec", "podCIDR"});
  if (old_cidr.is_string() && !old_cidr.get<std::string>().empty() &&
      At(node, {"spec", "podCIDR"}) != old_cidr)
    out.push_back(ForbiddenCause("spec.podCIDRs",
                                 "node updates may not change podCIDR except from \"\" to valid"));
  const Json& old_provider = At(old, {"spec", "providerID"});
  if (old_provider.is_string() && !old_provider.get<std::string>().empty() &&
      At(node, {"spec", "providerID"}) != old_provider)
    out.push_back(ForbiddenCause("spec.providerID",
                                 "node updates may not change providerID except from \"\" to valid"));
}

// ---- persistent volumes ----------------------------------------------------------------

// helper.GetAccessModesAsString: the modes present, in a fixed order.
std::string AccessModes(const Json& modes) {
  static const std::pair<const char*, const char*> kModes[] = {{"ReadWriteOnce", "RWO"},
                                                               {"ReadOnlyMany", "ROX"},
                                                               {"ReadWriteMany", "RWX"},
                                                               {"ReadWriteOncePod", "RWOP"}};
  std::string out;
  if (!modes.is_array()) return out;
  for (const auto& [mode, abbr] : kModes)
    if (std::find(modes.begin(), modes.end(), Json(mode)) != modes.end())
      out += (out.empty() ? "" : ",") + std::string(abbr);
  return out;
}

std::string StorageClassOf(const Json& obj) {
  const Json& beta = At(obj, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  if (beta.is_string()) return beta.get<std::string>();
  return Str(At(obj, {"spec", "storageClassName"}));
}

std::string QuantityText(const Json& q) {
  if (q.is_string()) return q.get<std::string>();
  if (auto i = Int(q)) return std::to_string(*i);
  return "0";
}

std::vector<Json> PvCells(const Json& pv, SystemTime now) {
  std::string claim;
  if (At(pv, {"spec", "claimRef"}).is_object())
    claim = Str(At(pv, {"spec", "claimRef", "namespace"})) + "/" +
            Str(At(pv, {"spec", "claimRef", "name"}));
  std::string phase = Str(At(pv, {"status", "phase"}));
  if (At(pv, {"metadata", "deletionTimestamp"}).is_string()) phase = "Terminating";
  std::string mode = Str(At(pv, {"spec", "volumeMode"}));
  std::string vac = Str(At(pv, {"spec", "volumeAttributesClassName"}));
  return {QuantityText(At(pv, {"spec", "capacity", "storage"})),
          AccessModes(At(pv, {"spec", "accessModes"})),
          Str(At(pv, {"spec", "persistentVolumeReclaimPolicy"})),
          phase,
          claim,
          StorageClassOf(pv),
          vac.empty() ? "<unset>" : vac,
          Str(At(pv, {"status", "reason"})),
          AgeOf(pv, now),
          mode.empty() ? "<unset>" : mode};
}

void DefaultPv(Json& pv) {
  Json& spec = Obj(pv, "spec");
  SetDefault(spec, "persistentVolumeReclaimPolicy", "Retain");
  SetDefault(spec, "volumeMode", "Filesystem");
  if (spec.contains("hostPath") && spec["hostPath"].is_object()) SetDefault(spec["hostPath"], "type", "");
  if (spec.contains("azureDisk") && spec["azureDisk"].is_object()) {
    SetDefault(spec["azureDisk"], "cachingMode", "ReadWrite");
    SetDefault(spec["azureDisk"], "kind", "Shared");
  }
  CanonicalizeResourceListAt(spec, {"capacity"});
  SetDefault(Obj(pv, "status"), "phase", "Pending");
}

const std::vector<std::string> kAccessModes = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                               "ReadWriteOncePod"};

void ValidatePv(Causes& out, const Json& pv) {
  const Json& spec = At(pv, {"spec"});
  const Json& modes = Arr(spec, {"accessModes"});
  if (modes.empty()) out.push_back(RequiredCause("spec.accessModes"));
  for (const Json& m : modes)
    if (std::find(kAccessModes.begin(), kAccessModes.end(), Str(m)) == kAccessModes.end())
      out.push_back(NotSupportedCause("spec.accessModes", m, kAccessModes));
  const Json& capacity = At(spec, {"capacity"});
  if (!capacity.is_object() || capacity.empty()) {
    out.push_back(RequiredCause("spec.capacity"));
  } else if (!capacity.contains("storage") || capacity.size() > 1) {
    out.push_back(InvalidCause("spec.capacity", capacity.dump(), "supported values: \"storage\""));
  }
  std::string policy = Str(At(spec, {"persistentVolumeReclaimPolicy"}));
  if (!policy.empty() && policy != "Delete" && policy != "Recycle" && policy != "Retain")
    out.push_back(NotSupportedCause("spec.persistentVolumeReclaimPolicy", policy,
                                    {"Delete", "Recycle", "Retain"}));
  static const std::set<std::string> kNotSources = {
      "accessModes", "capacity", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName",
      "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName"};
  int sources = 0;
  if (spec.is_object())
    for (auto it = spec.begin(); it != spec.end(); ++it)
      if (!kNotSources.count(it.key()) && !it->is_null()) ++sources;
  if (sources == 0) out.push_back(RequiredCause("spec", "must specify a volume type"));
  if (sources > 1) out.push_back(ForbiddenCause("spec", "may not specify more than 1 volume type"));
}

void ValidatePvUpdate(Causes& out, const Json& pv, const Json& old) {
  // The volume source is immutable (ValidatePersistentVolumeUpdate's spec.persistentvolumesource).
  static const std::set<std::string> kMutable = {"accessModes", "capacity", "claimRef",
                                                 "persistentVolumeReclaimPolicy", "storageClassName",
                                                 "mountOptions", "nodeAffinity",
                                                 "volumeAttributesClassName", "volumeMode"};
  const Json& spec = At(pv, {"spec"});
  const Json& old_spec = At(old, {"spec"});
  std::set<std::string> keys;
  if (spec.is_object())
    for (auto it = spec.begin(); it != spec.end(); ++it) keys.insert(it.key());
  if (old_spec.is_object())
    for (auto it = old_spec.begin(); it != old_spec.end(); ++it) keys.insert(it.key());
  for (const auto& k : keys) {
    if (kMutable.count(k)) continue;
    if (At(spec, {k.c_str()}) != At(old_spec, {k.c_str()})) {
      Json old_source = old_spec, new_source = spec;
      for (const auto& m : kMutable) {
        if (old_source.is_object()) old_source.erase(m);
        if (new_source.is_object()) new_source.erase(m);
      }
      out.push_back(ForbiddenCause("spec.persistentvolumesource",
                                   "spec.persistentvolumesource is immutable after creation" +
                                       SpecDiff(old_source, new_source)));
      break;
    }
  }
  // Upstream's path here is "volumeMode", without "spec.".
  if (At(spec, {"volumeMode"}) != At(old_spec, {"volumeMode"}))
    out.push_back(InvalidValue("volumeMode", At(spec, {"volumeMode"}), "field is immutable"));
}

std::vector<Json> PvcCells(const Json& pvc, SystemTime now) {
  std::string phase = Str(At(pvc, {"status", "phase"}));
  if (At(pvc, {"metadata", "deletionTimestamp"}).is_string()) phase = "Terminating";
  std::string capacity, modes;
  std::string volume = Str(At(pvc, {"spec", "volumeName"}));
  if (!volume.empty()) {
    modes = AccessModes(At(pvc, {"status", "accessModes"}));
    capacity = QuantityText(At(pvc, {"status", "capacity", "storage"}));
  }
  std::string mode = Str(At(pvc, {"spec", "volumeMode"}));
  std::string vac = Str(At(pvc, {"spec", "volumeAttributesClassName"}));
  return {phase,
          volume,
          capacity,
          modes,
          StorageClassOf(pvc),
          vac.empty() ? "<unset>" : vac,
          AgeOf(pvc, now),
          mode.empty() ? "<unset>" : mode};
}

void DefaultPvc(Json& pvc) {
  SetDefault(Obj(pvc, "spec"), "volumeMode", "Filesystem");
  CanonicalizeResourceListAt(pvc, {"spec", "resources", "limits"});
  CanonicalizeResourceListAt(pvc, {"spec", "resources", "requests"});
  SetDefault(Obj(pvc, "status"), "phase", "Pending");
  CanonicalizeResourceListAt(pvc, {"status", "capacity"});
  CanonicalizeResourceListAt(pvc, {"status", "allocatedResources"});
}

void ValidatePvc(Causes& out, const Json& pvc) {
  const Json& modes = Arr(pvc, {"spec", "accessModes"});
  if (modes.empty())
    out.push_back(RequiredCause("spec.accessModes", "at least 1 access mode is required"));
  for (const Json& m : modes)
    if (std::find(kAccessModes.begin(), kAccessModes.end(), Str(m)) == kAccessModes.end())
      out.push_back(NotSupportedCause("spec.accessModes", m, kAccessModes));
  const Json& storage = At(pvc, {"spec", "resources", "requests", "storage"});
  if (storage.is_null()) out.push_back(RequiredCause("spec.resources[storage]"));
  std::string mode = Str(At(pvc, {"spec", "volumeMode"}));
  if (!mode.empty() && mode != "Block" && mode != "Filesystem")
    out.push_back(NotSupportedCause("spec.volumeMode", mode, {"Block", "Filesystem"}));
}

// ValidatePersistentVolumeClaimUpdate: the spec is immutable except a volumeName set once, a
// class set on a claim without one (retroactive default class), and, for bound claims, the
// storage request (RecoverVolumeExpansionFailure, beta in 1.32: it may shrink, but not to or
// below status.capacity) and volumeAttributesClassName.
void ValidatePvcUpdate(Causes& out, const Json& pvc, const Json& old) {
  Json spec = At(pvc, {"spec"});
  Json old_spec = At(old, {"spec"});
  if (!spec.is_object() || !old_spec.is_object()) return;
  if (Str(At(old_spec, {"volumeName"})).empty()) {
    if (spec.contains("volumeName")) {
      old_spec["volumeName"] = spec["volumeName"];
    } else {
      old_spec.erase("volumeName");
    }
  }
  if (At(old_spec, {"storageClassName"}).is_null() &&
      Str(At(old, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"})).empty()) {
    if (spec.contains("storageClassName")) {
      old_spec["storageClassName"] = spec["storageClassName"];
    } else {
      old_spec.erase("storageClassName");
    }
  }
  bool bound = Str(At(pvc, {"status", "phase"})) == "Bound";
  if (bound && At(spec, {"resources", "requests"}).is_object()) {
    const Json& was = At(old_spec, {"resources", "requests", "storage"});
    if (was.is_null()) {
      spec["resources"]["requests"].erase("storage");
    } else {
      spec["resources"]["requests"]["storage"] = was;
    }
  }
  if (bound && !At(spec, {"volumeAttributesClassName"}).is_null()) {
    if (old_spec.contains("volumeAttributesClassName")) {
      spec["volumeAttributesClassName"] = old_spec["volumeAttributesClassName"];
    } else {
      spec.erase("volumeAttributesClassName");
    }
  }
  if (spec != old_spec)
    out.push_back(ForbiddenCause(
        "spec", "spec is immutable after creation except resources.requests and "
                "volumeAttributesClassName for bound claims" + SpecDiff(old_spec, spec)));
  auto size = [](const Json& v) {
    return v.is_null() ? 0.0L : ParseQuantity(v.is_string() ? v.get<std::string>() : v.dump()).value_or(0);
  };
  long double new_size = size(At(pvc, {"spec", "resources", "requests", "storage"}));
  long double old_size = size(At(old, {"spec", "resources", "requests", "storage"}));
  long double status_size = size(At(old, {"status", "capacity", "storage"}));
  if (new_size < old_size && new_size <= status_size)
    out.push_back(ForbiddenCause("spec.resources.requests.storage",
                                 "field can not be less than status.capacity"));
  // Upstream's path here is "volumeMode", without "spec.".
  if (At(pvc, {"spec", "volumeMode"}) != At(old, {"spec", "volumeMode"}))
    out.push_back(InvalidValue("volumeMode", At(pvc, {"spec", "volumeMode"}), "field is immutable"));
}

}  // namespace

ResourceInfo Nodes() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Node";
  r.plural = "nodes";
  r.singular = "node";
  r.short_names = {"no"};
  r.namespaced = false;
  r.verbs = kStandardVerbs;
  r.subresources = {
      {"proxy", {"", "v1", "NodeProxyOptions"}, {"create", "delete", "get", "patch", "update"}},
      StatusSubresource("", "v1", "Node"),
  };
  r.schema = SchemaName("core", "v1", "Node");
  r.columns = {
      Col("Status", "string", "The status of the node"),
      Col("Roles", "string", "The roles of the node"),
      AgeCol(),
      Col("Version", "string", Doc("NodeSystemInfo.kubeletVersion")),
      Col("Internal-IP", "string", Doc("NodeStatus.addresses"), 1),
      Col("External-IP", "string", Doc("NodeStatus.addresses"), 1),
      Col("OS-Image", "string", Doc("NodeSystemInfo.osImage"), 1),
      Col("Kernel-Version", "string", Doc("NodeSystemInfo.kernelVersion"), 1),
      Col("Container-Runtime", "string", Doc("NodeSystemInfo.containerRuntimeVersion"), 1),
  };
  r.cells = NodeCells;
  r.fields = [](const Json& node, const std::string& field) -> std::optional<std::string> {
    if (field == "spec.unschedulable")
      return std::string(IsTrue(node, {"spec", "unschedulable"}) ? "true" : "false");
    return std::nullopt;
  };
  StrategySpec s;
  // Nodes register with their status: create keeps it, update keeps the stored one.
  s.prepare_update = [](Json& node, const Json& old) {
    if (old.contains("status")) {
      node["status"] = old["status"];
    } else {
      node.erase("status");
    }
  };
  s.prepare_status_update = [](Json& node, const Json& old) {
    if (old.contains("spec")) {
      node["spec"] = old["spec"];
    } else {
      node.erase("spec");
    }
  };
  s.defaults = DefaultNode;
  s.validate = ValidateNode;
  s.validate_update = ValidateNodeUpdate;
  // nodeStatusStrategy validates the whole node, as an update does.
  s.validate_status = [](Causes& out, const Json& node, const Json& old) {
    ValidateNode(out, node);
    ValidateNodeUpdate(out, node, old);
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo PersistentVolumes() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "PersistentVolume";
  r.plural = "persistentvolumes";
  r.singular = "persistentvolume";
  r.short_names = {"pv"};
  r.namespaced = false;
  r.verbs = kStandardVerbs;
  r.subresources = {StatusSubresource("", "v1", "PersistentVolume")};
  r.schema = SchemaName("core", "v1", "PersistentVolume");
  r.columns = {
      Col("Capacity", "string", Doc("PersistentVolumeSpec.capacity")),
      Col("Access Modes", "string", Doc("PersistentVolumeSpec.accessModes")),
      Col("Reclaim Policy", "string", Doc("PersistentVolumeSpec.persistentVolumeReclaimPolicy")),
      Col("Status", "string", Doc("PersistentVolumeStatus.phase")),
      Col("Claim", "string", Doc("PersistentVolumeSpec.claimRef")),
      Col("StorageClass", "string", "StorageClass of the pv"),
      Col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
      Col("Reason", "string", Doc("PersistentVolumeStatus.reason")),
      AgeCol(),
      Col("VolumeMode", "string", Doc("PersistentVolumeSpec.volumeMode"), 1),
  };
  r.cells = PvCells;
  r.fields = [](const Json&, const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  StrategySpec s;
  s.empty_status = Json{{"phase", "Pending"}};
  // PersistentVolumeLastPhaseTransitionTime (GA): the creation time starts the phase; a status
  // write that keeps the phase and omits the time keeps the stored one (a phase change without
  // a time is stamped by the PV controller here, which has the clock).
  s.prepare_create = [](Json& pv) {
    const Json& created = At(pv, {"metadata", "creationTimestamp"});
    if (created.is_string()) pv["status"]["lastPhaseTransitionTime"] = created;
  };
  s.prepare_status_update = [](Json& pv, const Json& old) {
    KeepAllButStatusAndMetadata(pv, old, /*keep_labels=*/false);
    if (!pv.contains("status") || !pv["status"].is_object()) return;
    const Json& was = At(old, {"status", "lastPhaseTransitionTime"});
    if (Str(At(pv, {"status", "phase"})) == Str(At(old, {"status", "phase"})) && !was.is_null() &&
        At(pv, {"status", "lastPhaseTransitionTime"}).is_null())
      pv["status"]["lastPhaseTransitionTime"] = was;
  };
  s.defaults = DefaultPv;
  s.validate = ValidatePv;
  s.validate_update = ValidatePvUpdate;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo PersistentVolumeClaims() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "PersistentVolumeClaim";
  r.plural = "persistentvolumeclaims";
  r.singular = "persistentvolumeclaim";
  r.short_names = {"pvc"};
  r.verbs = kStandardVerbs;
  r.subresources = {StatusSubresource("", "v1", "PersistentVolumeClaim")};
  r.schema = SchemaName("core", "v1", "PersistentVolumeClaim");
  r.columns = {
      Col("Status", "string", Doc("PersistentVolumeClaimStatus.phase")),
      Col("Volume", "string", Doc("PersistentVolumeClaimSpec.volumeName")),
      Col("Capacity", "string", Doc("PersistentVolumeClaimStatus.capacity")),
      Col("Access Modes", "string", Doc("PersistentVolumeClaimStatus.accessModes")),
      Col("StorageClass", "string", "StorageClass of the pvc"),
      Col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
      AgeCol(),
      Col("VolumeMode", "string", Doc("PersistentVolumeClaimSpec.volumeMode"), 1),
  };
  r.cells = PvcCells;
  r.fields = [](const Json&, const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  StrategySpec s;
  s.empty_status = Json{{"phase", "Pending"}};
  s.defaults = DefaultPvc;
  s.validate = ValidatePvc;
  s.validate_update = ValidatePvcUpdate;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik::res
