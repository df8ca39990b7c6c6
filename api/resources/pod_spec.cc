#include "api/resources/pod_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "api/resources/quantity.h"
#include "api/validation.h"

namespace minik::res {
namespace {

// parsers.ParseImageName's tag: docker's reference grammar (ParseNormalizedNamed); "latest"
// when neither tag nor digest is given; "" when the reference does not parse (the defaulter
// then picks IfNotPresent, as upstream ignores the parse error).
std::string ImageTag(const std::string& image) {
  static const std::regex kReference(
      R"(^((?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?/)?)"
      R"([a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)"
      R"((?::([\w][\w.-]{0,127}))?)"
      R"((@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$)");
  static const std::regex kHex64("^[a-f0-9]{64}$");
  if (image.empty() || std::regex_match(image, kHex64)) return "";
  // splitDockerDomain: the first component is a registry when it has '.', ':', is localhost
  // or has upper case; the repository itself must be lower case.
  std::string rest = image;
  if (auto slash = image.find('/'); slash != std::string::npos) {
    std::string first = image.substr(0, slash);
    bool domain = first.find_first_of(".:") != std::string::npos || first == "localhost" ||
                  std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (domain) rest = image.substr(slash + 1);
  }
  std::string repo = rest.substr(0, rest.find_first_of(":@"));
  if (std::any_of(repo.begin(), repo.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return "";
  std::smatch m;
  if (!std::regex_match(image, m, kReference)) return "";
  if (m[2].matched) return m[2].str();
  return m[3].matched ? "" : "latest";
}

void DefaultHttpGet(Json& handler) {
  if (!handler.is_object()) return;
  auto it = handler.find("httpGet");
  if (it == handler.end() || !it->is_object()) return;
  SetDefault(*it, "path", "/");
  SetDefault(*it, "scheme", "HTTP");
}

void DefaultProbe(Json& c, const char* key) {
  auto it = c.find(key);
  if (it == c.end() || !it->is_object()) return;
  Json& p = *it;
  SetDefault(p, "timeoutSeconds", 1);
  SetDefault(p, "periodSeconds", 10);
  SetDefault(p, "successThreshold", 1);
  SetDefault(p, "failureThreshold", 3);
  DefaultHttpGet(p);
  if (p.contains("grpc") && p["grpc"].is_object()) SetDefault(p["grpc"], "service", "");
}

void DefaultFieldRef(Json& holder) {
  if (!holder.is_object()) return;
  auto it = holder.find("fieldRef");
  if (it != holder.end() && it->is_object()) SetDefault(*it, "apiVersion", "v1");
}

void DefaultContainer(Json& c) {
  if (!c.is_object()) return;
  if (!c.contains("imagePullPolicy") || c["imagePullPolicy"].is_null()) {
    std::string image = Str(At(c, {"image"}));
    c["imagePullPolicy"] = ImageTag(image) == "latest" ? "Always" : "IfNotPresent";
  }
  SetDefault(c, "terminationMessagePath", "/dev/termination-log");
  SetDefault(c, "terminationMessagePolicy", "File");
  SetDefault(c, "resources", Json::object());
  // SetDefaults_ResourceList: quantities rounded up to milli units and stored canonical.
  if (c["resources"].is_object()) {
    for (const char* list : {"limits", "requests"})
      if (c["resources"].contains(list)) CanonicalizeResourceList(c["resources"][list]);
  }
  if (c.contains("ports") && c["ports"].is_array()) {
    for (Json& p : c["ports"])
      if (p.is_object()) SetDefault(p, "protocol", "TCP");
  }
  if (c.contains("env") && c["env"].is_array()) {
    for (Json& e : c["env"])
      if (e.is_object() && e.contains("valueFrom")) DefaultFieldRef(e["valueFrom"]);
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
    DefaultProbe(c, probe);
  if (c.contains("lifecycle") && c["lifecycle"].is_object()) {
    for (const char* h : {"postStart", "preStop"})
      if (c["lifecycle"].contains(h)) DefaultHttpGet(c["lifecycle"][h]);
  }
}

void DefaultVolume(Json& v) {
  if (!v.is_object()) return;
  bool has_source = false;
  for (auto it = v.begin(); it != v.end(); ++it)
    if (it.key() != "name" && !it->is_null()) has_source = true;
  if (!has_source) v["emptyDir"] = Json::object();
  for (const char* src : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (v.contains(src) && v[src].is_object()) SetDefault(v[src], "defaultMode", 420);
  }
  if (v.contains("downwardAPI") && v["downwardAPI"].is_object() &&
      v["downwardAPI"].contains("items") && v["downwardAPI"]["items"].is_array()) {
    for (Json& item : v["downwardAPI"]["items"]) DefaultFieldRef(item);
  }
  if (v.contains("hostPath") && v["hostPath"].is_object()) SetDefault(v["hostPath"], "type", "");
  // Declarative defaults (+default markers) the schema does not carry yet.
  if (v.contains("azureDisk") && v["azureDisk"].is_object()) {
    SetDefault(v["azureDisk"], "cachingMode", "ReadWrite");
    SetDefault(v["azureDisk"], "kind", "Shared");
  }
  // Generic ephemeral volumes: the claim template's spec is defaulted as a claim's.
  if (At(v, {"ephemeral", "volumeClaimTemplate"}).is_object()) {
    Json& claim = Obj(v["ephemeral"]["volumeClaimTemplate"], "spec");
    SetDefault(claim, "volumeMode", "Filesystem");
    CanonicalizeResourceListAt(claim, {"resources", "limits"});
    CanonicalizeResourceListAt(claim, {"resources", "requests"});
  }
  if (v.contains("projected") && v["projected"].is_object() &&
      v["projected"].contains("sources") && v["projected"]["sources"].is_array()) {
    for (Json& s : v["projected"]["sources"]) {
      if (!s.is_object()) continue;
      if (s.contains("serviceAccountToken") && s["serviceAccountToken"].is_object())
        SetDefault(s["serviceAccountToken"], "expirationSeconds", 3600);
      if (s.contains("downwardAPI") && s["downwardAPI"].is_object() &&
          s["downwardAPI"].contains("items") && s["downwardAPI"]["items"].is_array()) {
        for (Json& item : s["downwardAPI"]["items"]) DefaultFieldRef(item);
      }
    }
  }
}

}  // namespace

void DefaultPodSpec(Json& spec) {
  if (!spec.is_object()) return;
  SetDefault(spec, "dnsPolicy", "ClusterFirst");
  SetDefault(spec, "restartPolicy", "Always");
  SetDefault(spec, "terminationGracePeriodSeconds", 30);
  SetDefault(spec, "securityContext", Json::object());
  SetDefault(spec, "schedulerName", "default-scheduler");
  bool host_network = IsTrue(spec, {"hostNetwork"});
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (Json& c : spec[list]) {
      DefaultContainer(c);
      // defaultHostNetworkPorts: with host networking the host port is the container port.
      if (host_network && std::string(list) != "ephemeralContainers" && c.is_object() &&
          c.contains("ports") && c["ports"].is_array()) {
        for (Json& p : c["ports"]) {
          if (p.is_object() && Int(At(p, {"hostPort"})).value_or(0) == 0 &&
              p.contains("containerPort"))
            p["hostPort"] = p["containerPort"];
        }
      }
    }
  }
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (Json& v : spec["volumes"]) DefaultVolume(v);
  }
  CanonicalizeResourceListAt(spec, {"overhead"});
  CanonicalizeResourceListAt(spec, {"resources", "limits"});
  CanonicalizeResourceListAt(spec, {"resources", "requests"});
}

void DefaultPodTemplate(Json& tmpl) {
  if (!tmpl.is_object()) return;
  Json& meta = Obj(tmpl, "metadata");
  if (!meta.contains("creationTimestamp")) meta["creationTimestamp"] = nullptr;
  DefaultPodSpec(Obj(tmpl, "spec"));
}

// ---- validation ------------------------------------------------------------------------
// As pkg/apis/core/validation (ValidatePodSpec and what it calls), in upstream's order, so the
// aggregated message lists errors as the apiserver does.

namespace {

const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};
const char* const kFileModeMsg = "must be a number between 0 and 0777 (octal), both inclusive";
const char* const kPortRangeMsg = "must be between 1 and 65535, inclusive";

std::string Idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// A quantity's text as resource.Quantity.String() prints it (canonical), or the raw text.
std::string QuantityText(const Json& v) {
  if (auto c = CanonicalQuantity(v.is_string() ? v.get<std::string>() : v.dump())) return *c;
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void CheckDns1123Label(Causes& out, const std::string& value, const std::string& field) {
  for (const auto& m : IsDns1123Label(value)) out.push_back(InvalidCause(field, GoQuote(value), m));
}

void CheckMode(Causes& out, const Json& holder, const char* key, const std::string& field) {
  const Json& mode = At(holder, {key});
  if (auto m = Int(mode); m && (*m > 0777 || *m < 0))
    out.push_back(InvalidValue(field, mode, kFileModeMsg));
}

// validatePathNoBacksteps / validateLocalDescendingPath / ValidateLocalNonReservedPath.
void CheckNoBacksteps(Causes& out, const std::string& p, const std::string& field) {
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (p.compare(start, end - start, "..") == 0 && end - start == 2) {
      out.push_back(InvalidCause(field, GoQuote(p), "must not contain '..'"));
      return;
    }
    start = end + 1;
  }
}

void CheckLocalNonReservedPath(Causes& out, const std::string& p, const std::string& field) {
  if (!p.empty() && p[0] == '/')
    out.push_back(InvalidCause(field, GoQuote(p), "must be a relative path"));
  CheckNoBacksteps(out, p, field);
  if (p.rfind("..", 0) == 0 && p.rfind("../", 0) != 0)
    out.push_back(InvalidCause(field, GoQuote(p), "must not start with '..'"));
}

void CheckKeyToPaths(Causes& out, const Json& items, const std::string& path) {
  for (size_t i = 0; i < items.size(); ++i) {
    std::string ip = Idx(path, i);
    if (Str(At(items[i], {"key"})).empty()) out.push_back(RequiredCause(ip + ".key"));
    std::string p = Str(At(items[i], {"path"}));
    if (p.empty()) out.push_back(RequiredCause(ip + ".path"));
    CheckLocalNonReservedPath(out, p, ip + ".path");
    CheckMode(out, items[i], "mode", ip + ".mode");
  }
}

// Volume sources in the Go struct's order, with the child name upstream's Forbidden uses
// (its typos included: "downwarAPI", "cephFS").
const std::vector<std::pair<const char*, const char*>> kVolumeSources = {
    {"emptyDir", "emptyDir"},
    {"hostPath", "hostPath"},
    {"gitRepo", "gitRepo"},
    {"gcePersistentDisk", "gcePersistentDisk"},
    {"awsElasticBlockStore", "awsElasticBlockStore"},
    {"secret", "secret"},
    {"nfs", "nfs"},
    {"iscsi", "iscsi"},
    {"glusterfs", "glusterfs"},
    {"flocker", "flocker"},
    {"persistentVolumeClaim", "persistentVolumeClaim"},
    {"rbd", "rbd"},
    {"cinder", "cinder"},
    {"cephfs", "cephFS"},
    {"quobyte", "quobyte"},
    {"downwardAPI", "downwarAPI"},
    {"fc", "fc"},
    {"flexVolume", "flexVolume"},
    {"configMap", "configMap"},
    {"azureFile", "azureFile"},
    {"vsphereVolume", "vsphereVolume"},
    {"photonPersistentDisk", "photonPersistentDisk"},
    {"portworxVolume", "portworxVolume"},
    {"azureDisk", "azureDisk"},
    {"storageos", "storageos"},
    {"projected", "projected"},
    {"scaleIO", "scaleIO"},
    {"csi", "csi"},
    {"ephemeral", "ephemeral"},
    {"image", "image"},
};

const std::vector<std::string> kHostPathTypes = {"",     "BlockDevice", "CharDevice",
                                                 "Directory", "DirectoryOrCreate", "File",
                                                 "FileOrCreate", "Socket"};

// validateVolumeSource: the checks of the sources users write by hand; the others are only
// counted.
void ValidateVolumeSource(Causes& out, const Json& v, const std::string& idx) {
  int count = 0;
  for (const auto& [key, child] : kVolumeSources) {
    const Json& src = At(v, {key});
    if (src.is_null()) continue;
    if (count++ > 0) {
      out.push_back(ForbiddenCause(idx + "." + child, "may not specify more than 1 volume type"));
      continue;
    }
    std::string sp = idx + "." + key;
    std::string k = key;
    if (k == "emptyDir") {
      const Json& limit = At(src, {"sizeLimit"});
      if (!limit.is_null()) {
        auto q = ParseQuantity(QuantityText(limit));
        if (q && *q < 0)
          out.push_back(ForbiddenCause(sp + ".sizeLimit", "SizeLimit field must be a valid resource quantity"));
      }
    } else if (k == "hostPath") {
      std::string p = Str(At(src, {"path"}));
      if (p.empty()) {
        out.push_back(RequiredCause(sp + ".path"));
        continue;
      }
      CheckNoBacksteps(out, p, sp + ".path");
      const Json& type = At(src, {"type"});
      if (type.is_string() && std::find(kHostPathTypes.begin(), kHostPathTypes.end(),
                                        type.get<std::string>()) == kHostPathTypes.end())
        out.push_back(NotSupportedCause(sp + ".type", type, kHostPathTypes));
    } else if (k == "secret" || k == "configMap") {
      const char* name_key = k == "secret" ? "secretName" : "name";
      if (Str(At(src, {name_key})).empty()) out.push_back(RequiredCause(sp + "." + name_key));
      CheckMode(out, src, "defaultMode", sp + ".defaultMode");
      CheckKeyToPaths(out, Arr(src, {"items"}), sp + ".items");
    } else if (k == "persistentVolumeClaim") {
      if (Str(At(src, {"claimName"})).empty()) out.push_back(RequiredCause(sp + ".claimName"));
    } else if (k == "nfs") {
      std::string p = Str(At(src, {"path"}));
      if (Str(At(src, {"server"})).empty()) out.push_back(RequiredCause(sp + ".server"));
      if (p.empty()) out.push_back(RequiredCause(sp + ".path"));
      if (p.empty() || p[0] != '/')
        out.push_back(InvalidCause(sp + ".path", GoQuote(p), "must be an absolute path"));
    } else if (k == "downwardAPI" || k == "projected") {
      CheckMode(out, src, "defaultMode", sp + ".defaultMode");
    }
  }
  if (count == 0) out.push_back(RequiredCause(idx, "must specify a volume type"));
}

// ValidateVolumes: the names of the volumes without errors (mounts of the others are "not
// found", as upstream).
std::set<std::string> ValidateVolumes(Causes& out, const Json& volumes, const std::string& path) {
  std::set<std::string> names;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const Json& v = volumes[i];
    std::string idx = Idx(path, i);
    Causes el;
    ValidateVolumeSource(el, v, idx);
    std::string name = Str(At(v, {"name"}));
    if (name.empty()) {
      el.push_back(RequiredCause(idx + ".name"));
    } else {
      CheckDns1123Label(el, name, idx + ".name");
    }
    if (names.count(name)) el.push_back(DuplicateCause(idx + ".name", GoQuote(name)));
    if (el.empty()) {
      names.insert(name);
    } else {
      for (auto& c : el) out.push_back(std::move(c));
    }
  }
  return names;
}

void ValidateContainerPorts(Causes& out, const Json& ports, const std::string& path) {
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const Json& p = ports[i];
    std::string idx = Idx(path, i);
    std::string name = Str(At(p, {"name"}));
    if (!name.empty()) {
      auto errs = PortNameErrors(name);
      for (const auto& m : errs) out.push_back(InvalidCause(idx + ".name", GoQuote(name), m));
      if (errs.empty() && !names.insert(name).second)
        out.push_back(DuplicateCause(idx + ".name", GoQuote(name)));
    }
    const Json& cp = At(p, {"containerPort"});
    auto cpn = Int(cp);
    if (!cpn || *cpn == 0) {
      out.push_back(RequiredCause(idx + ".containerPort"));
    } else if (*cpn < 1 || *cpn > 65535) {
      out.push_back(InvalidValue(idx + ".containerPort", cp, kPortRangeMsg));
    }
    const Json& hp = At(p, {"hostPort"});
    if (auto h = Int(hp); h && *h != 0 && (*h < 1 || *h > 65535))
      out.push_back(InvalidValue(idx + ".hostPort", hp, kPortRangeMsg));
    std::string proto = Str(At(p, {"protocol"}));
    if (proto.empty()) {
      out.push_back(RequiredCause(idx + ".protocol"));
    } else if (proto != "TCP" && proto != "UDP" && proto != "SCTP") {
      out.push_back(NotSupportedCause(idx + ".protocol", proto, kProtocols));
    }
  }
}

// IsRelaxedEnvVarName (the RelaxedEnvironmentVariableValidation gate is on in 1.32).
void CheckEnvVarName(Causes& out, const std::string& name, const std::string& field) {
  for (unsigned char c : name) {
    if (c < 0x20 || c > 0x7e || c == '=') {
      out.push_back(InvalidCause(field, GoQuote(name),
                                 "a valid environment variable name must consist only of "
                                 "printable ASCII characters other than '='"));
      return;
    }
  }
}

void CheckKeySelector(Causes& out, const Json& sel, const std::string& path) {
  std::string name = Str(At(sel, {"name"}));
  for (const auto& m : IsDns1123Subdomain(name))
    out.push_back(InvalidCause(path + ".name", GoQuote(name), m));
  std::string key = Str(At(sel, {"key"}));
  if (key.empty()) {
    out.push_back(RequiredCause(path + ".key"));
  } else if (key.size() > 253 ||
             key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") !=
                 std::string::npos) {
    out.push_back(InvalidCause(path + ".key", GoQuote(key),
                               key.size() > 253 ? "must be no more than 253 characters"
                                                : "a valid config key must consist of alphanumeric "
                                                  "characters, '-', '_' or '.' (e.g. 'key.name',  "
                                                  "or 'KEY_NAME',  or 'key-name', regex used for "
                                                  "validation is '[-._a-zA-Z0-9]+')"));
  }
}

void ValidateEnv(Causes& out, const Json& env, const std::string& path) {
  for (size_t i = 0; i < env.size(); ++i) {
    std::string ep = Idx(path, i);
    std::string name = Str(At(env[i], {"name"}));
    if (name.empty()) {
      out.push_back(RequiredCause(ep + ".name"));
    } else {
      CheckEnvVarName(out, name, ep + ".name");
    }
    const Json& vf = At(env[i], {"valueFrom"});
    if (vf.is_null()) continue;
    int sources = 0;
    const Json& fr = At(vf, {"fieldRef"});
    if (!fr.is_null()) {
      ++sources;
      if (Str(At(fr, {"apiVersion"})).empty()) {
        out.push_back(RequiredCause(ep + ".valueFrom.fieldRef.apiVersion"));
      } else if (Str(At(fr, {"fieldPath"})).empty()) {
        out.push_back(RequiredCause(ep + ".valueFrom.fieldRef.fieldPath"));
      }
    }
    if (!At(vf, {"resourceFieldRef"}).is_null()) ++sources;
    for (const char* ref : {"configMapKeyRef", "secretKeyRef"}) {
      const Json& sel = At(vf, {ref});
      if (sel.is_null()) continue;
      ++sources;
      CheckKeySelector(out, sel, ep + ".valueFrom." + ref);
    }
    if (sources == 0) {
      out.push_back(InvalidCause(ep + ".valueFrom", "\"\"",
                                 "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                 "`configMapKeyRef` or `secretKeyRef`"));
    } else if (!Str(At(env[i], {"value"})).empty()) {
      out.push_back(InvalidCause(ep + ".valueFrom", "\"\"",
                                 "may not be specified when `value` is not empty"));
    } else if (sources > 1) {
      out.push_back(InvalidCause(ep + ".valueFrom", "\"\"",
                                 "may not have more than one field specified at a time"));
    }
  }
}

void ValidateEnvFrom(Causes& out, const Json& env_from, const std::string& path) {
  for (size_t i = 0; i < env_from.size(); ++i) {
    std::string ip = Idx(path, i);
    std::string prefix = Str(At(env_from[i], {"prefix"}));
    if (!prefix.empty()) CheckEnvVarName(out, prefix, ip + ".prefix");
    int sources = 0;
    for (const char* ref : {"configMapRef", "secretRef"}) {
      const Json& r = At(env_from[i], {ref});
      if (r.is_null()) continue;
      ++sources;
      std::string name = Str(At(r, {"name"}));
      for (const auto& m : IsDns1123Subdomain(name))
        out.push_back(InvalidCause(ip + "." + ref + ".name", GoQuote(name), m));
    }
    if (sources == 0) {
      out.push_back(InvalidCause(path, "\"\"", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (sources > 1) {
      out.push_back(InvalidCause(path, "\"\"", "may not have more than one field specified at a time"));
    }
  }
}

void ValidateVolumeMounts(Causes& out, const Json& mounts, const std::set<std::string>& volumes,
                          const std::string& path) {
  std::set<std::string> paths;
  for (size_t i = 0; i < mounts.size(); ++i) {
    std::string mp = Idx(path, i);
    std::string vname = Str(At(mounts[i], {"name"}));
    if (vname.empty()) out.push_back(RequiredCause(mp + ".name"));
    if (!volumes.count(vname)) out.push_back(NotFoundCause(mp + ".name", GoQuote(vname)));
    std::string mount_path = Str(At(mounts[i], {"mountPath"}));
    if (mount_path.empty()) out.push_back(RequiredCause(mp + ".mountPath"));
    if (!paths.insert(mount_path).second)
      out.push_back(InvalidCause(mp + ".mountPath", GoQuote(mount_path), "must be unique"));
    // Upstream names these two by the list's path, not the item's.
    std::string sub = Str(At(mounts[i], {"subPath"}));
    std::string expr = Str(At(mounts[i], {"subPathExpr"}));
    if (!sub.empty()) {
      if (sub[0] == '/') out.push_back(InvalidCause(path + ".subPath", GoQuote(sub), "must be a relative path"));
      CheckNoBacksteps(out, sub, path + ".subPath");
    }
    if (!expr.empty()) {
      if (!sub.empty())
        out.push_back(InvalidCause(mp + ".subPathExpr", GoQuote(expr),
                                   "subPathExpr and subPath are mutually exclusive"));
      if (expr[0] == '/')
        out.push_back(InvalidCause(path + ".subPathExpr", GoQuote(expr), "must be a relative path"));
      CheckNoBacksteps(out, expr, path + ".subPathExpr");
    }
  }
}

bool IsHugePages(const std::string& r) { return r.rfind("hugepages-", 0) == 0; }
bool IsNativeResource(const std::string& r) {
  return r.find('/') == std::string::npos || r.find("kubernetes.io/") != std::string::npos;
}
bool IsExtendedResource(const std::string& r) {
  return !IsNativeResource(r) && r.rfind("requests.", 0) != 0 &&
         IsQualifiedName("requests." + r).empty();
}
bool OvercommitAllowed(const std::string& r) { return IsNativeResource(r) && !IsHugePages(r); }

// validateContainerResourceName.
void CheckContainerResourceName(Causes& out, const std::string& r, const std::string& field) {
  static const std::set<std::string> kStandard = {
      "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
      "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
      "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
      "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
      "services.loadbalancers"};
  size_t before = out.size();
  for (const auto& m : IsQualifiedName(r)) out.push_back(InvalidCause(field, GoQuote(r), m));
  bool single = r.find('/') == std::string::npos;
  if (out.size() == before && single && !kStandard.count(r) && !IsHugePages(r) &&
      r.rfind("requests.hugepages-", 0) != 0)
    out.push_back(InvalidCause(field, GoQuote(r), "must be a standard resource type or fully qualified"));
  if (single) {
    if (r != "cpu" && r != "memory" && r != "ephemeral-storage" && !IsHugePages(r))
      out.push_back(InvalidCause(field, GoQuote(r), "must be a standard resource for containers"));
  } else if (!IsNativeResource(r) && !IsExtendedResource(r)) {
    out.push_back(InvalidCause(field, GoQuote(r), "doesn't follow extended resource name standard"));
  }
}

// ValidateResourceQuantityValue. False when the text is no quantity (decoding rejects those
// upstream; here they are a cause).
bool CheckQuantity(Causes& out, const std::string& r, const Json& v, const std::string& field) {
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  auto q = ParseQuantity(text);
  if (!q) {
    out.push_back(InvalidCause(field, GoQuote(text),
                               "quantities must match the regular expression "
                               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    return false;
  }
  if (*q < 0) out.push_back(InvalidCause(field, GoQuote(QuantityText(v)), "must be greater than or equal to 0"));
  if (IsExtendedResource(r) && std::fabs(static_cast<double>(*q - std::round(*q))) > 1e-12)
    out.push_back(InvalidCause(field, GoQuote(QuantityText(v)), "must be an integer"));
  return true;
}

// validateResourceRequirements for a container.
void ValidateResources(Causes& out, const Json& res, const std::string& path) {
  const Json& limits = At(res, {"limits"});
  const Json& requests = At(res, {"requests"});
  bool lim_compute = false, req_compute = false, huge = false;
  if (limits.is_object()) {
    for (auto it = limits.begin(); it != limits.end(); ++it) {
      std::string field = path + ".limits[" + it.key() + "]";
      CheckContainerResourceName(out, it.key(), field);
      CheckQuantity(out, it.key(), *it, field);
      if (IsHugePages(it.key())) huge = true;
      if (it.key() == "cpu" || it.key() == "memory") lim_compute = true;
    }
  }
  if (requests.is_object()) {
    for (auto it = requests.begin(); it != requests.end(); ++it) {
      std::string field = path + ".requests[" + it.key() + "]";
      CheckContainerResourceName(out, it.key(), field);
      bool ok = CheckQuantity(out, it.key(), *it, field);
      auto lim_it = limits.is_object() ? limits.find(it.key()) : limits.end();
      if (limits.is_object() && lim_it != limits.end()) {
        auto req = ParseQuantity(QuantityText(*it));
        auto lim = ParseQuantity(QuantityText(*lim_it));
        if (ok && req && lim) {
          if (*req != *lim && !OvercommitAllowed(it.key())) {
            out.push_back(InvalidCause(path + ".requests", GoQuote(QuantityText(*it)),
                                       "must be equal to " + it.key() + " limit of " +
                                           QuantityText(*lim_it)));
          } else if (*req > *lim) {
            out.push_back(InvalidCause(path + ".requests", GoQuote(QuantityText(*it)),
                                       "must be less than or equal to " + it.key() + " limit of " +
                                           QuantityText(*lim_it)));
          }
        }
      } else if (!OvercommitAllowed(it.key())) {
        out.push_back(RequiredCause(path + ".limits", "Limit must be set for non overcommitable resources"));
      }
      if (IsHugePages(it.key())) huge = true;
      if (it.key() == "cpu" || it.key() == "memory") req_compute = true;
    }
  }
  if (!lim_compute && !req_compute && huge)
    out.push_back(ForbiddenCause(path, "HugePages require cpu or memory"));
}

void CheckPortNumOrName(Causes& out, const Json& port, const std::string& field) {
  if (port.is_string()) {
    std::string name = port.get<std::string>();
    for (const auto& m : PortNameErrors(name)) out.push_back(InvalidCause(field, GoQuote(name), m));
  } else if (auto p = Int(port); !p || *p < 1 || *p > 65535) {
    out.push_back(InvalidCause(field, std::to_string(p.value_or(0)), kPortRangeMsg));
  }
}

// validateHandler: exactly one handler, each checked.
void ValidateHandler(Causes& out, const Json& h, const std::string& path, const Json& grace) {
  int handlers = 0;
  for (const char* kind : {"exec", "httpGet", "tcpSocket", "grpc", "sleep"}) {
    const Json& a = At(h, {kind});
    if (a.is_null()) continue;
    std::string ap = path + "." + kind;
    if (handlers++ > 0) {
      out.push_back(ForbiddenCause(ap, "may not specify more than 1 handler type"));
      continue;
    }
    std::string k = kind;
    if (k == "exec") {
      if (Arr(a, {"command"}).empty()) out.push_back(RequiredCause(ap + ".command"));
    } else if (k == "httpGet") {
      if (Str(At(a, {"path"})).empty()) out.push_back(RequiredCause(ap + ".path"));
      CheckPortNumOrName(out, At(a, {"port"}), ap + ".port");
      std::string scheme = Str(At(a, {"scheme"}));
      if (scheme != "HTTP" && scheme != "HTTPS")
        out.push_back(NotSupportedCause(ap + ".scheme", scheme, {"HTTP", "HTTPS"}));
    } else if (k == "tcpSocket") {
      CheckPortNumOrName(out, At(a, {"port"}), ap + ".port");
    } else if (k == "grpc") {
      CheckPortNumOrName(out, Int(At(a, {"port"})).value_or(0), ap + ".port");
    } else if (k == "sleep") {
      auto secs = Int(At(a, {"seconds"})).value_or(0);
      if (auto g = Int(grace); g && (secs <= 0 || secs > *g))
        out.push_back(InvalidCause(
            ap, std::to_string(secs),
            "must be greater than 0 and less than terminationGracePeriodSeconds (" +
                std::to_string(*g) +
                "). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."));
    }
  }
  if (handlers == 0) out.push_back(RequiredCause(path, "must specify a handler type"));
}

void ValidateProbe(Causes& out, const Json& c, const char* kind, const std::string& idx,
                   const Json& grace) {
  const Json& p = At(c, {kind});
  if (p.is_null()) return;
  std::string path = idx + "." + kind;
  ValidateHandler(out, p, path, grace);
  for (const char* f : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                        "successThreshold", "failureThreshold"})
    CheckNonNegative(out, p, {f}, path + "." + f);
  const Json& tgps = At(p, {"terminationGracePeriodSeconds"});
  if (auto t = Int(tgps); t && *t <= 0)
    out.push_back(InvalidValue(path + ".terminationGracePeriodSeconds", tgps, "must be greater than 0"));
  std::string k = kind;
  if (k == "readinessProbe" && !tgps.is_null())
    out.push_back(InvalidValue(path + ".terminationGracePeriodSeconds", tgps,
                               "must not be set for readinessProbes"));
  if ((k == "livenessProbe" || k == "startupProbe") && Int(At(p, {"successThreshold"})).value_or(0) != 1)
    out.push_back(InvalidValue(path + ".successThreshold", Int(At(p, {"successThreshold"})).value_or(0),
                               "must be 1"));
}

void ValidateLifecycle(Causes& out, const Json& c, const std::string& idx, const Json& grace) {
  for (const char* h : {"postStart", "preStop"}) {
    const Json& handler = At(c, {"lifecycle", h});
    if (!handler.is_null()) ValidateHandler(out, handler, idx + ".lifecycle." + h, grace);
  }
}

// ---- security contexts -----------------------------------------------------------------

std::string GoOptionalString(const Json& v) {
  return v.is_string() ? "(*string)(0xc000000000)" : "(*string)(nil)";
}

// IsValidUserID / IsValidGroupID: 0 .. MaxInt32.
void CheckId(Causes& out, const Json& holder, const char* key, const std::string& field) {
  const Json& v = At(holder, {key});
  if (auto n = Int(v); n && (*n < 0 || *n > 2147483647))
    out.push_back(InvalidValue(field, v, InclusiveRangeError(0, 2147483647)));
}

// validateSeccompProfileField. A localhostProfile with another type renders the profile as
// %#v, whose pointer address cannot be reproduced.
void ValidateSeccompProfile(Causes& out, const Json& sp, const std::string& path) {
  if (!sp.is_object()) return;
  std::string type = Str(At(sp, {"type"}));
  if (type.empty()) {
    out.push_back(RequiredCause(path + ".type", "type is required when seccompProfile is set"));
  } else if (type != "Localhost" && type != "RuntimeDefault" && type != "Unconfined") {
    out.push_back(
        NotSupportedCause(path + ".type", type, {"Localhost", "RuntimeDefault", "Unconfined"}));
  }
  const Json& profile = At(sp, {"localhostProfile"});
  if (type == "Localhost") {
    if (!profile.is_string()) {
      out.push_back(
          RequiredCause(path + ".localhostProfile", "must be set when seccomp type is Localhost"));
    } else {
      std::string p = Str(profile);
      if (!p.empty() && p[0] == '/')
        out.push_back(
            InvalidCause(path + ".localhostProfile", GoQuote(p), "must be a relative path"));
      CheckNoBacksteps(out, p, path + ".localhostProfile");
    }
  } else if (profile.is_string()) {
    out.push_back(InvalidCause(path + ".localhostProfile",
                               "core.SeccompProfile{Type:" + GoQuote(type) +
                                   ", LocalhostProfile:" + GoOptionalString(profile) + "}",
                               "can only be set when seccomp type is Localhost"));
  }
}

// ValidateAppArmorProfileField.
void ValidateAppArmorProfile(Causes& out, const Json& ap, const std::string& path) {
  if (!ap.is_object()) return;
  std::string type = Str(At(ap, {"type"}));
  const Json& profile = At(ap, {"localhostProfile"});
  if (type == "Localhost") {
    if (!profile.is_string()) {
      out.push_back(
          RequiredCause(path + ".localhostProfile", "must be set when AppArmor type is Localhost"));
    } else {
      std::string p = Str(profile);
      size_t b = p.find_first_not_of(" \t\n\v\f\r");
      size_t e = p.find_last_not_of(" \t\n\v\f\r");
      std::string trimmed = b == std::string::npos ? "" : p.substr(b, e - b + 1);
      if (trimmed != p) {
        out.push_back(InvalidCause(path + ".localhostProfile", GoQuote(p),
                                   "must not be padded with whitespace"));
      } else if (trimmed.empty()) {
        out.push_back(RequiredCause(path + ".localhostProfile",
                                    "must be set when AppArmor type is Localhost"));
      }
      if (p.size() > 4095)
        out.push_back({"FieldValueTooLong", "Too long: may not be more than 4095 bytes",
                       path + ".localhostProfile"});
    }
  } else if (type == "RuntimeDefault" || type == "Unconfined") {
    if (profile.is_string())
      out.push_back(InvalidCause(path + ".localhostProfile", GoQuote(Str(profile)),
                                 "can only be set when AppArmor type is Localhost"));
  } else if (type.empty()) {
    out.push_back(RequiredCause(path + ".type", "type is required when appArmorProfile is set"));
  } else {
    out.push_back(
        NotSupportedCause(path + ".type", type, {"Localhost", "RuntimeDefault", "Unconfined"}));
  }
}

// ValidateSecurityContext (a container's). Privileged containers are allowed (minik's
// capabilities allow them, as kube-apiserver's --allow-privileged=true).
void ValidateContainerSecurityContext(Causes& out, const Json& sc, const std::string& path,
                                      bool host_users) {
  if (!sc.is_object()) return;
  CheckId(out, sc, "runAsUser", path + ".runAsUser");
  CheckId(out, sc, "runAsGroup", path + ".runAsGroup");
  const Json& proc = At(sc, {"procMount"});
  if (proc.is_string()) {
    if (proc != "Default" && proc != "Unmasked")
      out.push_back(NotSupportedCause(path + ".procMount", proc, {"Default", "Unmasked"}));
    if (host_users && proc == "Unmasked")
      out.push_back(
          InvalidValue(path + ".procMount", proc, "`hostUsers` must be false to use `Unmasked`"));
  }
  ValidateSeccompProfile(out, At(sc, {"seccompProfile"}), path + ".seccompProfile");
  if (At(sc, {"allowPrivilegeEscalation"}) == false) {
    if (IsTrue(sc, {"privileged"}))
      out.push_back(
          InvalidCause(path, "core.SecurityContext{...}",
                       "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    for (const Json& cap : Arr(sc, {"capabilities", "add"}))
      if (cap == "CAP_SYS_ADMIN")
        out.push_back(InvalidCause(
            path, "core.SecurityContext{...}",
            "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
  }
  ValidateAppArmorProfile(out, At(sc, {"appArmorProfile"}), path + ".appArmorProfile");
}

// IsValidSysctlName: dot- or slash-separated segments [a-z0-9]([-_a-z0-9]*[a-z0-9])?.
bool IsValidSysctlName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t end = name.find_first_of("./", start);
    std::string seg =
        name.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (seg.empty()) return false;
    auto edge = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!edge(seg.front()) || !edge(seg.back())) return false;
    for (char c : seg)
      if (!edge(c) && c != '-' && c != '_') return false;
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

// validateSysctls with ValidateHostSysctl (utilsysctl.GetNamespace: net.* is the network
// namespace; kernel.sem, kernel.shm*, kernel.msg* and fs.mqueue.* the IPC namespace).
void ValidateSysctls(Causes& out, const Json& spec, const std::string& path) {
  const Json& sysctls = Arr(spec, {"securityContext", "sysctls"});
  std::set<std::string> names;
  for (size_t i = 0; i < sysctls.size(); ++i) {
    std::string np = Idx(path, i) + ".name";
    std::string name = Str(At(sysctls[i], {"name"}));
    if (name.empty()) {
      out.push_back(RequiredCause(np));
    } else if (!IsValidSysctlName(name)) {
      out.push_back(
          InvalidCause(np, GoQuote(name),
                       "must have at most 253 characters and match regex "
                       "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"));
    } else if (names.count(name)) {
      out.push_back(DuplicateCause(np, GoQuote(name)));
    }
    std::string dotted = name;
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    auto starts = [&](const char* prefix) { return dotted.rfind(prefix, 0) == 0; };
    bool net = starts("net.");
    bool ipc = dotted == "kernel.sem" || starts("kernel.shm") || starts("kernel.msg") ||
               starts("fs.mqueue.");
    if (IsTrue(spec, {"hostNetwork"}) && net) {
      out.push_back(
          InvalidCause(np, GoQuote(name), "may not be specified when 'hostNetwork' is true"));
    } else if (IsTrue(spec, {"hostIPC"}) && ipc) {
      out.push_back(InvalidCause(np, GoQuote(name), "may not be specified when 'hostIPC' is true"));
    }
    names.insert(name);
  }
}

// validatePodSpecSecurityContext (Windows options aside). The internal
// PodSecurityContext also holds the v1 PodSpec's hostPID and shareProcessNamespace.
void ValidatePodSecurityContext(Causes& out, const Json& spec, const std::string& path) {
  const Json& sc = At(spec, {"securityContext"});
  CheckId(out, sc, "fsGroup", path + ".fsGroup");
  CheckId(out, sc, "runAsUser", path + ".runAsUser");
  CheckId(out, sc, "runAsGroup", path + ".runAsGroup");
  const Json& groups = Arr(sc, {"supplementalGroups"});
  for (size_t i = 0; i < groups.size(); ++i) {
    auto n = Int(groups[i]);
    if (n && (*n < 0 || *n > 2147483647))
      out.push_back(InvalidValue(Idx(path + ".supplementalGroups", i), groups[i],
                                 InclusiveRangeError(0, 2147483647)));
  }
  if (IsTrue(spec, {"shareProcessNamespace"}) && IsTrue(spec, {"hostPID"}))
    out.push_back(InvalidValue(path + ".shareProcessNamespace", true,
                               "ShareProcessNamespace and HostPID cannot both be enabled"));
  ValidateSysctls(out, spec, path + ".sysctls");
  const Json& fs_policy = At(sc, {"fsGroupChangePolicy"});
  if (fs_policy.is_string() && fs_policy != "Always" && fs_policy != "OnRootMismatch")
    out.push_back(
        NotSupportedCause(path + ".fsGroupChangePolicy", fs_policy, {"Always", "OnRootMismatch"}));
  ValidateSeccompProfile(out, At(sc, {"seccompProfile"}), path + ".seccompProfile");
  ValidateAppArmorProfile(out, At(sc, {"appArmorProfile"}), path + ".appArmorProfile");
  const Json& sg_policy = At(sc, {"supplementalGroupsPolicy"});
  if (sg_policy.is_string() && sg_policy != "Merge" && sg_policy != "Strict")
    out.push_back(
        NotSupportedCause(path + ".supplementalGroupsPolicy", sg_policy, {"Merge", "Strict"}));
}

// validateContainerCommon.
void ValidateContainerCommon(Causes& out, const Json& c, const std::string& idx,
                             const std::set<std::string>& volumes, bool host_users) {
  std::string name = Str(At(c, {"name"}));
  if (name.empty()) {
    out.push_back(RequiredCause(idx + ".name"));
  } else {
    CheckDns1123Label(out, name, idx + ".name");
  }
  if (Str(At(c, {"image"})).empty()) out.push_back(RequiredCause(idx + ".image"));
  std::string tmp = Str(At(c, {"terminationMessagePolicy"}));
  if (tmp.empty()) {
    out.push_back(RequiredCause(idx + ".terminationMessagePolicy"));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    out.push_back(NotSupportedCause(idx + ".terminationMessagePolicy", tmp,
                                    {"File", "FallbackToLogsOnError"}));
  }
  ValidateContainerPorts(out, Arr(c, {"ports"}), idx + ".ports");
  ValidateEnv(out, Arr(c, {"env"}), idx + ".env");
  ValidateEnvFrom(out, Arr(c, {"envFrom"}), idx + ".envFrom");
  ValidateVolumeMounts(out, Arr(c, {"volumeMounts"}), volumes, idx + ".volumeMounts");
  std::string pull = Str(At(c, {"imagePullPolicy"}));
  if (pull.empty()) {
    out.push_back(RequiredCause(idx + ".imagePullPolicy"));
  } else if (pull != "Always" && pull != "IfNotPresent" && pull != "Never") {
    out.push_back(NotSupportedCause(idx + ".imagePullPolicy", pull,
                                    {"Always", "IfNotPresent", "Never"}));
  }
  ValidateResources(out, At(c, {"resources"}), idx + ".resources");
  ValidateContainerSecurityContext(out, At(c, {"securityContext"}), idx + ".securityContext",
                                   host_users);
}

// AccumulateUniqueHostPorts over `containers` ("TCP//80" duplicates).
void CheckHostPortConflicts(Causes& out, const Json& containers, const std::string& path,
                            size_t first_index) {
  std::set<std::string> seen;
  for (size_t ci = 0; ci < containers.size(); ++ci) {
    const Json& ports = Arr(containers[ci], {"ports"});
    for (size_t pi = 0; pi < ports.size(); ++pi) {
      int64_t hp = Int(At(ports[pi], {"hostPort"})).value_or(0);
      if (hp == 0) continue;
      std::string key = Str(At(ports[pi], {"protocol"})) + "/" + Str(At(ports[pi], {"hostIP"})) +
                        "/" + std::to_string(hp);
      if (!seen.insert(key).second)
        out.push_back(DuplicateCause(
            Idx(Idx(path, first_index + ci) + ".ports", pi) + ".hostPort", GoQuote(key)));
    }
  }
}

bool IsObjectList(Causes& out, const Json& list, const std::string& path) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) {
      out.push_back(InvalidCause(Idx(path, i), GoScalar(list[i]), "must be an object"));
      return false;
    }
  }
  return true;
}

void ValidateContainers(Causes& out, const Json& containers, const std::set<std::string>& volumes,
                        const Json& grace, const std::string& path, bool host_users) {
  if (containers.empty()) {
    out.push_back(RequiredCause(path));
    return;
  }
  if (!IsObjectList(out, containers, path)) return;
  std::set<std::string> names;
  for (size_t i = 0; i < containers.size(); ++i) {
    const Json& c = containers[i];
    std::string idx = Idx(path, i);
    ValidateContainerCommon(out, c, idx, volumes, host_users);
    std::string name = Str(At(c, {"name"}));
    if (!names.insert(name).second) out.push_back(DuplicateCause(idx + ".name", GoQuote(name)));
    ValidateLifecycle(out, c, idx, grace);
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
      ValidateProbe(out, c, probe, idx, grace);
    if (!At(c, {"restartPolicy"}).is_null())
      out.push_back(ForbiddenCause(idx + ".restartPolicy", "may not be set for non-init containers"));
  }
  CheckHostPortConflicts(out, containers, path, 0);
}

void ValidateInitContainers(Causes& out, const Json& init, const Json& containers,
                            const std::set<std::string>& volumes, const Json& grace,
                            const std::string& path, bool host_users) {
  if (!IsObjectList(out, init, path)) return;
  std::set<std::string> names;
  for (const Json& c : containers) names.insert(Str(At(c, {"name"})));
  for (size_t i = 0; i < init.size(); ++i) {
    const Json& c = init[i];
    std::string idx = Idx(path, i);
    ValidateContainerCommon(out, c, idx, volumes, host_users);
    const Json& rp = At(c, {"restartPolicy"});
    bool always = false;
    if (!rp.is_null()) {
      if (Str(rp) != "Always") {
        out.push_back(NotSupportedCause(idx + ".restartPolicy", rp, {"Always"}));
      } else {
        always = true;
      }
    }
    std::string name = Str(At(c, {"name"}));
    if (names.count(name)) {
      out.push_back(DuplicateCause(idx + ".name", GoQuote(name)));
    } else if (!name.empty()) {
      names.insert(name);
    }
    CheckHostPortConflicts(out, Json::array({c}), path, i);
    if (always) {
      ValidateLifecycle(out, c, idx, grace);
      for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
        ValidateProbe(out, c, probe, idx, grace);
    } else {
      for (const char* f : {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"})
        if (!At(c, {f}).is_null())
          out.push_back(ForbiddenCause(idx + "." + f,
                                       "may not be set for init containers without restartPolicy=Always"));
    }
  }
}

// validatePodDNSConfig.
void ValidatePodDnsConfig(Causes& out, const Json& spec, const std::string& dns_policy,
                          const std::string& path) {
  const Json& config = At(spec, {"dnsConfig"});
  const Json& nameservers = Arr(config, {"nameservers"});
  if (dns_policy == "None") {
    if (!config.is_object()) {
      out.push_back(RequiredCause(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
      return;
    }
    if (nameservers.empty()) {
      out.push_back(
          RequiredCause(path + ".nameservers",
                        "must provide at least one DNS nameserver when `dnsPolicy` is None"));
      return;
    }
  }
  if (!config.is_object()) return;
  auto strings = [](const Json& list) {
    std::vector<std::string> v;
    for (const Json& e : list) v.push_back(Str(e));
    return v;
  };
  if (nameservers.size() > 3)
    out.push_back(InvalidCause(path + ".nameservers", GoStringSlice(strings(nameservers)),
                               "must not have more than 3 nameservers"));
  for (size_t i = 0; i < nameservers.size(); ++i)
    for (auto& c : IsValidIp(Idx(path + ".nameservers", i), Str(nameservers[i])))
      out.push_back(std::move(c));
  const Json& searches = Arr(config, {"searches"});
  std::vector<std::string> search_list = strings(searches);
  if (searches.size() > 32)
    out.push_back(InvalidCause(path + ".searches", GoStringSlice(search_list),
                               "must not have more than 32 search paths"));
  size_t chars = 0;
  for (const auto& s : search_list) chars += s.size();
  if (!search_list.empty() && chars + search_list.size() - 1 > 2048)
    out.push_back(InvalidCause(path + ".searches", GoStringSlice(search_list),
                               "must not have more than 2048 characters (including spaces) in the "
                               "search list"));
  for (size_t i = 0; i < search_list.size(); ++i) {
    std::string search = search_list[i];
    if (!search.empty() && search.back() == '.') search.pop_back();  // a trailing dot is fine
    for (const auto& m : IsDns1123Subdomain(search))
      out.push_back(InvalidCause(Idx(path + ".searches", i), GoQuote(search), m));
  }
  const Json& options = Arr(config, {"options"});
  for (size_t i = 0; i < options.size(); ++i)
    if (Str(At(options[i], {"name"})).empty())
      out.push_back(RequiredCause(Idx(path + ".options", i), "must not be empty"));
}

// ---- affinity --------------------------------------------------------------------------

// ValidateNodeSelectorRequirement (matchExpressions) and ValidateNodeFieldSelectorRequirement
// (matchFields: only metadata.name).
void ValidateNodeSelectorTerm(Causes& out, const Json& term, const std::string& path) {
  const Json& exprs = Arr(term, {"matchExpressions"});
  for (size_t j = 0; j < exprs.size(); ++j) {
    std::string ep = Idx(path + ".matchExpressions", j);
    std::string op = Str(At(exprs[j], {"operator"}));
    size_t values = Arr(exprs[j], {"values"}).size();
    if (op == "In" || op == "NotIn") {
      if (values == 0)
        out.push_back(
            RequiredCause(ep + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (values > 0)
        out.push_back(ForbiddenCause(
            ep + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else if (op == "Gt" || op == "Lt") {
      if (values != 1)
        out.push_back(RequiredCause(
            ep + ".values", "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    } else {
      out.push_back(InvalidCause(ep + ".operator", GoQuote(op), "not a valid selector operator"));
    }
    std::string key = Str(At(exprs[j], {"key"}));
    for (const auto& m : IsQualifiedName(key))
      out.push_back(InvalidCause(ep + ".key", GoQuote(key), m));
  }
  const Json& fields = Arr(term, {"matchFields"});
  for (size_t j = 0; j < fields.size(); ++j) {
    std::string fp = Idx(path + ".matchFields", j);
    std::string op = Str(At(fields[j], {"operator"}));
    const Json& values = Arr(fields[j], {"values"});
    if (op == "In" || op == "NotIn") {
      if (values.size() != 1)
        out.push_back(RequiredCause(fp + ".values",
                                    "must be only one value when `operator` is 'In' or "
                                    "'NotIn' for node field selector"));
    } else {
      out.push_back(InvalidCause(fp + ".operator", GoQuote(op), "not a valid selector operator"));
    }
    std::string key = Str(At(fields[j], {"key"}));
    if (key != "metadata.name") {
      out.push_back(InvalidCause(fp + ".key", GoQuote(key), "not a valid field selector key"));
    } else {
      for (size_t k = 0; k < values.size(); ++k)
        for (const auto& m : IsDns1123Subdomain(Str(values[k])))
          out.push_back(InvalidCause(Idx(fp + ".values", k), GoQuote(Str(values[k])), m));
    }
  }
}

void CheckWeight(Causes& out, const Json& term, const std::string& path) {
  const Json& w = At(term, {"weight"});
  int64_t weight = Int(w).value_or(0);
  if (weight <= 0 || weight > 100)
    out.push_back(InvalidValue(path + ".weight", weight, "must be in the range 1-100"));
}

// validatePodAffinityTerm.
void ValidatePodAffinityTerm(Causes& out, const Json& term, const std::string& path) {
  CheckLabelSelector(out, At(term, {"labelSelector"}), path + ".labelSelector");
  CheckLabelSelector(out, At(term, {"namespaceSelector"}), path + ".namespaceSelector");
  for (const Json& ns : Arr(term, {"namespaces"}))
    for (const auto& m : IsDns1123Label(Str(ns)))
      out.push_back(InvalidCause(path + ".namespace", GoQuote(Str(ns)), m));
  // validateMatchLabelKeysAndMismatchLabelKeys.
  const Json& selector = At(term, {"labelSelector"});
  for (const char* list : {"matchLabelKeys", "mismatchLabelKeys"}) {
    const Json& keys = Arr(term, {list});
    if (keys.empty()) continue;
    if (!selector.is_object()) {
      out.push_back(
          ForbiddenCause(path + "." + list, "must not be specified when labelSelector is not set"));
      continue;
    }
    for (size_t i = 0; i < keys.size(); ++i)
      for (const auto& m : IsQualifiedName(Str(keys[i])))
        out.push_back(InvalidCause(Idx(path + "." + list, i), GoQuote(Str(keys[i])), m));
  }
  std::set<std::string> mismatch;
  for (const Json& k : Arr(term, {"mismatchLabelKeys"})) mismatch.insert(Str(k));
  const Json& match = Arr(term, {"matchLabelKeys"});
  for (size_t i = 0; i < match.size(); ++i)
    if (mismatch.count(Str(match[i])))
      out.push_back(InvalidCause(Idx(path + ".matchLabelKeys", i), GoQuote(Str(match[i])),
                                 "exists in both matchLabelKeys and mismatchLabelKeys"));
  std::string topology = Str(At(term, {"topologyKey"}));
  if (topology.empty()) out.push_back(RequiredCause(path + ".topologyKey", "can not be empty"));
  for (const auto& m : IsQualifiedName(topology))
    out.push_back(InvalidCause(path + ".topologyKey", GoQuote(topology), m));
}

void ValidatePodAffinityKind(Causes& out, const Json& affinity, const std::string& path) {
  if (!affinity.is_object()) return;
  const Json& required = Arr(affinity, {"requiredDuringSchedulingIgnoredDuringExecution"});
  for (size_t i = 0; i < required.size(); ++i)
    ValidatePodAffinityTerm(out, required[i],
                            Idx(path + ".requiredDuringSchedulingIgnoredDuringExecution", i));
  const Json& preferred = Arr(affinity, {"preferredDuringSchedulingIgnoredDuringExecution"});
  for (size_t i = 0; i < preferred.size(); ++i) {
    std::string pp = Idx(path + ".preferredDuringSchedulingIgnoredDuringExecution", i);
    CheckWeight(out, preferred[i], pp);
    ValidatePodAffinityTerm(out, At(preferred[i], {"podAffinityTerm"}), pp + ".podAffinityTerm");
  }
}

// validateAffinity.
void ValidateAffinity(Causes& out, const Json& affinity, const std::string& path) {
  if (!affinity.is_object()) return;
  const Json& node = At(affinity, {"nodeAffinity"});
  if (node.is_object()) {
    std::string np = path + ".nodeAffinity";
    const Json& required = At(node, {"requiredDuringSchedulingIgnoredDuringExecution"});
    if (required.is_object()) {
      std::string tp = np + ".requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
      const Json& terms = Arr(required, {"nodeSelectorTerms"});
      if (terms.empty())
        out.push_back(RequiredCause(tp, "must have at least one node selector term"));
      for (size_t i = 0; i < terms.size(); ++i) ValidateNodeSelectorTerm(out, terms[i], Idx(tp, i));
    }
    const Json& preferred = Arr(node, {"preferredDuringSchedulingIgnoredDuringExecution"});
    for (size_t i = 0; i < preferred.size(); ++i) {
      std::string pp = Idx(np + ".preferredDuringSchedulingIgnoredDuringExecution", i);
      CheckWeight(out, preferred[i], pp);
      ValidateNodeSelectorTerm(out, At(preferred[i], {"preference"}), pp + ".preference");
    }
  }
  ValidatePodAffinityKind(out, At(affinity, {"podAffinity"}), path + ".podAffinity");
  ValidatePodAffinityKind(out, At(affinity, {"podAntiAffinity"}), path + ".podAntiAffinity");
}

// validateTopologySpreadConstraints.
void ValidateTopologySpread(Causes& out, const Json& spread, const std::string& path) {
  for (size_t i = 0; i < spread.size(); ++i) {
    const Json& c = spread[i];
    std::string sp = Idx(path, i);
    int64_t skew = Int(At(c, {"maxSkew"})).value_or(0);
    if (skew <= 0) out.push_back(InvalidValue(sp + ".maxSkew", skew, "must be greater than zero"));
    std::string key = Str(At(c, {"topologyKey"}));
    if (key.empty()) out.push_back(RequiredCause(sp + ".topologyKey", "can not be empty"));
    std::string when = Str(At(c, {"whenUnsatisfiable"}));
    if (when != "DoNotSchedule" && when != "ScheduleAnyway")
      out.push_back(
          NotSupportedCause(sp + ".whenUnsatisfiable", when, {"DoNotSchedule", "ScheduleAnyway"}));
    for (size_t j = i + 1; j < spread.size(); ++j) {
      if (Str(At(spread[j], {"topologyKey"})) == key &&
          Str(At(spread[j], {"whenUnsatisfiable"})) == when) {
        out.push_back(DuplicateCause(sp + ".{topologyKey, whenUnsatisfiable}",
                                     GoQuote("{" + key + ", " + when + "}")));
        break;
      }
    }
    const Json& min_domains = At(c, {"minDomains"});
    if (auto m = Int(min_domains)) {
      if (*m <= 0) out.push_back(InvalidValue(sp + ".minDomains", *m, "must be greater than zero"));
      if (when != "DoNotSchedule")
        out.push_back(InvalidValue(
            sp + ".minDomains", *m,
            "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not " + when));
    }
    for (const char* policy : {"nodeAffinityPolicy", "nodeTaintsPolicy"}) {
      const Json& v = At(c, {policy});
      if (v.is_string() && v != "Honor" && v != "Ignore")
        out.push_back(NotSupportedCause(sp + "." + policy, v, {"Honor", "Ignore"}));
    }
    // validateMatchLabelKeysInTopologySpread.
    const Json& keys = Arr(c, {"matchLabelKeys"});
    const Json& selector = At(c, {"labelSelector"});
    if (!keys.empty()) {
      std::set<std::string> selector_keys;
      if (selector.is_object()) {
        if (At(selector, {"matchLabels"}).is_object())
          for (auto it = selector["matchLabels"].begin(); it != selector["matchLabels"].end(); ++it)
            selector_keys.insert(it.key());
        for (const Json& e : Arr(selector, {"matchExpressions"}))
          selector_keys.insert(Str(At(e, {"key"})));
      } else {
        out.push_back(ForbiddenCause(sp + ".matchLabelKeys",
                                     "must not be specified when labelSelector is not set"));
      }
      for (size_t k = 0; k < keys.size(); ++k) {
        std::string key_k = Str(keys[k]);
        for (const auto& m : IsQualifiedName(key_k))
          out.push_back(InvalidCause(Idx(sp + ".matchLabelKeys", k), GoQuote(key_k), m));
        if (selector_keys.count(key_k))
          out.push_back(InvalidCause(Idx(sp + ".matchLabelKeys", k), GoQuote(key_k),
                                     "exists in both matchLabelKeys and labelSelector"));
      }
    }
    CheckLabelSelector(out, selector, sp + ".labelSelector");
  }
}

void ValidateTolerations(Causes& out, const Json& tolerations, const std::string& path) {
  for (size_t i = 0; i < tolerations.size(); ++i) {
    const Json& t = tolerations[i];
    std::string tp = Idx(path, i);
    std::string key = Str(At(t, {"key"}));
    std::string op = Str(At(t, {"operator"}));
    std::string value = Str(At(t, {"value"}));
    std::string effect = Str(At(t, {"effect"}));
    if (!key.empty())
      for (const auto& m : IsQualifiedName(key)) out.push_back(InvalidCause(tp + ".key", GoQuote(key), m));
    if (key.empty() && op != "Exists")
      out.push_back(InvalidCause(tp + ".operator", GoQuote(op),
                                 "operator must be Exists when `key` is empty, which means \"match "
                                 "all values and all keys\""));
    if (!At(t, {"tolerationSeconds"}).is_null() && effect != "NoExecute")
      out.push_back(InvalidCause(tp + ".effect", GoQuote(effect),
                                 "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op == "Equal" || op.empty()) {
      auto errs = IsValidLabelValue(value);
      if (!errs.empty()) {
        std::string joined;
        for (size_t k = 0; k < errs.size(); ++k) joined += (k ? ";" : "") + errs[k];
        out.push_back(InvalidCause(tp + ".operator", GoQuote(value), joined));
      }
    } else if (op == "Exists") {
      if (!value.empty())
        out.push_back(InvalidCause(
            tp + ".operator",
            "core.Toleration{Key:" + GoQuote(key) + ", Operator:" + GoQuote(op) + ", Value:" +
                GoQuote(value) + ", Effect:" + GoQuote(effect) + ", TolerationSeconds:" +
                (At(t, {"tolerationSeconds"}).is_null() ? "(*int64)(nil)"
                                                        : "(*int64)(0xc000000000)") +
                "}",
            "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push_back(NotSupportedCause(tp + ".operator", op, {"Equal", "Exists"}));
    }
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" &&
        effect != "NoExecute")
      out.push_back(NotSupportedCause(tp + ".effect", effect,
                                      {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
  }
}

}  // namespace

void ValidateResourceQuantityValue(Causes& out, const std::string& resource, const Json& value,
                                   const std::string& field) {
  CheckQuantity(out, resource, value, field);
}

void ValidatePodSpec(Causes& out, const Json& spec, const std::string& path) {
  if (!spec.is_object()) {
    out.push_back(RequiredCause(path));
    return;
  }
  const Json& grace = At(spec, {"terminationGracePeriodSeconds"});
  if (grace.is_null()) out.push_back(RequiredCause(path + ".terminationGracePeriodSeconds"));
  std::set<std::string> volumes = ValidateVolumes(out, Arr(spec, {"volumes"}), path + ".volumes");
  const Json& containers = Arr(spec, {"containers"});
  // The default for hostUsers is true.
  const bool host_users = At(spec, {"hostUsers"}) != false;
  ValidateContainers(out, containers, volumes, grace, path + ".containers", host_users);
  ValidateInitContainers(out, Arr(spec, {"initContainers"}), containers, volumes, grace,
                         path + ".initContainers", host_users);
  // validatePodHostNetworkDeps (templates: an unset host port is defaulted later).
  if (IsTrue(spec, {"hostNetwork"})) {
    for (size_t i = 0; i < containers.size(); ++i) {
      const Json& ports = Arr(containers[i], {"ports"});
      for (size_t j = 0; j < ports.size(); ++j) {
        int64_t hp = Int(At(ports[j], {"hostPort"})).value_or(0);
        if (hp != 0 && hp != Int(At(ports[j], {"containerPort"})).value_or(0))
          out.push_back(InvalidCause(Idx(Idx(path + ".containers", i) + ".ports", j) + ".hostPort",
                                     std::to_string(hp),
                                     "must match `containerPort` when `hostNetwork` is true"));
      }
    }
  }
  std::string restart = Str(At(spec, {"restartPolicy"}));
  if (restart.empty()) {
    out.push_back(RequiredCause(path + ".restartPolicy"));
  } else if (restart != "Always" && restart != "OnFailure" && restart != "Never") {
    out.push_back(NotSupportedCause(path + ".restartPolicy", restart,
                                    {"Always", "OnFailure", "Never"}));
  }
  std::string dns = Str(At(spec, {"dnsPolicy"}));
  if (dns.empty()) {
    out.push_back(RequiredCause(path + ".dnsPolicy"));
  } else if (dns != "ClusterFirstWithHostNet" && dns != "ClusterFirst" && dns != "Default" &&
             dns != "None") {
    out.push_back(NotSupportedCause(path + ".dnsPolicy", dns,
                                    {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  CheckLabels(out, At(spec, {"nodeSelector"}), path + ".nodeSelector");
  ValidatePodSecurityContext(out, spec, path + ".securityContext");
  const Json& secrets = Arr(spec, {"imagePullSecrets"});
  for (size_t i = 0; i < secrets.size(); ++i) {
    if (!secrets[i].is_object()) continue;
    for (auto it = secrets[i].begin(); it != secrets[i].end(); ++it) {
      if (it.key() == "name") continue;
      out.push_back(InvalidCause(Idx(path + ".imagePullSecrets", i),
                                 "core.LocalObjectReference{Name:" + GoQuote(Str(At(secrets[i], {"name"}))) + "}",
                                 "only name may be set"));
      break;
    }
  }
  ValidateAffinity(out, At(spec, {"affinity"}), path + ".affinity");
  ValidatePodDnsConfig(out, spec, dns, path + ".dnsConfig");
  const Json& gates = Arr(spec, {"readinessGates"});
  for (size_t i = 0; i < gates.size(); ++i) {
    std::string type = Str(At(gates[i], {"conditionType"}));
    for (const auto& m : IsQualifiedName(type))
      out.push_back(InvalidCause(Idx(path + ".readinessGates", i) + ".conditionType", GoQuote(type), m));
  }
  const Json& sgates = Arr(spec, {"schedulingGates"});
  std::set<std::string> seen_gates;
  for (size_t i = 0; i < sgates.size(); ++i) {
    std::string name = Str(At(sgates[i], {"name"}));
    for (const auto& m : IsQualifiedName(name))
      out.push_back(InvalidCause(Idx(path + ".schedulingGates", i), GoQuote(name), m));
    if (!seen_gates.insert(name).second)
      out.push_back(DuplicateCause(Idx(path + ".schedulingGates", i), GoQuote(name)));
  }
  ValidateTopologySpread(out, Arr(spec, {"topologySpreadConstraints"}),
                         path + ".topologySpreadConstraints");
  std::string sa = Str(At(spec, {"serviceAccountName"}));
  if (!sa.empty()) {
    for (const auto& m : IsDns1123Subdomain(sa))
      out.push_back(InvalidCause(path + ".serviceAccountName", GoQuote(sa), m));
  }
  std::string node = Str(At(spec, {"nodeName"}));
  if (!node.empty()) {
    for (const auto& m : IsDns1123Subdomain(node))
      out.push_back(InvalidCause(path + ".nodeName", GoQuote(node), m));
  }
  const Json& ads = At(spec, {"activeDeadlineSeconds"});
  if (auto a = Int(ads); a && (*a < 1 || *a > 2147483647))
    out.push_back(InvalidValue(path + ".activeDeadlineSeconds", ads,
                               "must be between 1 and 2147483647, inclusive"));
  for (const char* f : {"hostname", "subdomain"}) {
    std::string v = Str(At(spec, {f}));
    if (!v.empty()) CheckDns1123Label(out, v, path + "." + f);
  }
  ValidateTolerations(out, Arr(spec, {"tolerations"}), path + ".tolerations");
  // ValidateHostAliases.
  const Json& aliases = Arr(spec, {"hostAliases"});
  for (size_t i = 0; i < aliases.size(); ++i) {
    std::string ap = Idx(path + ".hostAliases", i);
    for (auto& c : IsValidIp(ap + ".ip", Str(At(aliases[i], {"ip"})))) out.push_back(std::move(c));
    const Json& names = Arr(aliases[i], {"hostnames"});
    for (size_t j = 0; j < names.size(); ++j)
      for (const auto& m : IsDns1123Subdomain(Str(names[j])))
        out.push_back(InvalidCause(Idx(ap + ".hostnames", j), GoQuote(Str(names[j])), m));
  }
  std::string pc = Str(At(spec, {"priorityClassName"}));
  if (!pc.empty()) {
    for (const auto& m : IsDns1123Subdomain(pc))
      out.push_back(InvalidCause(path + ".priorityClassName", GoQuote(pc), m));
  }
  const Json& preemption = At(spec, {"preemptionPolicy"});
  if (preemption.is_string() && preemption != "PreemptLowerPriority" && preemption != "Never")
    out.push_back(NotSupportedCause(path + ".preemptionPolicy", preemption,
                                    {"PreemptLowerPriority", "Never"}));
  std::string os = Str(At(spec, {"os", "name"}));
  if (!At(spec, {"os"}).is_null() && os.empty()) {
    out.push_back(RequiredCause(path + ".os.name", "cannot be empty"));
  } else if (!os.empty() && os != "linux" && os != "windows") {
    out.push_back(NotSupportedCause(path + ".os", os, {"linux", "windows"}));
  }
}

void ValidatePodTemplate(Causes& out, const Json& tmpl, const std::string& path) {
  if (!tmpl.is_object()) {
    out.push_back(RequiredCause(path));
    return;
  }
  // Upstream names template metadata fields without "metadata" ("spec.template.labels").
  CheckLabels(out, At(tmpl, {"metadata", "labels"}), path + ".labels");
  for (auto& c : ValidateAnnotations(At(tmpl, {"metadata", "annotations"}), path + ".annotations"))
    out.push_back(std::move(c));
  ValidatePodSpec(out, At(tmpl, {"spec"}), path + ".spec");
  if (!Arr(tmpl, {"spec", "ephemeralContainers"}).empty())
    out.push_back(ForbiddenCause(path + ".spec.ephemeralContainers",
                                 "ephemeral containers not allowed in pod template"));
}

void ValidateWorkloadSelector(Causes& out, const Json& selector, const std::string& path,
                              const std::string& kind) {
  if (!selector.is_object()) {
    out.push_back(RequiredCause(path));
    return;
  }
  CheckLabelSelector(out, selector, path);
  if (SelectorEmpty(selector))
    out.push_back(InvalidCause(path, GoLabelSelector(selector),
                               "empty selector is invalid for " + kind));
}

void ValidateReplicaTemplate(Causes& out, const Json& selector, const Json& tmpl,
                             const std::string& path) {
  if (!tmpl.is_object()) {
    out.push_back(RequiredCause(path));
    return;
  }
  const Json& labels = At(tmpl, {"metadata", "labels"});
  // A nil selector converts to labels.Nothing(), which is not empty and matches nothing.
  if (selector.is_null() || (!SelectorEmpty(selector) && !SelectorMatches(selector, labels)))
    out.push_back(InvalidCause(path + ".metadata.labels", GoStringMap(labels),
                               "`selector` does not match template `labels`"));
  ValidatePodTemplate(out, tmpl, path);
  std::string restart = Str(At(tmpl, {"spec", "restartPolicy"}));
  if (restart != "Always")
    out.push_back(NotSupportedCause(path + ".spec.restartPolicy", restart, {"Always"}));
  if (!At(tmpl, {"spec", "activeDeadlineSeconds"}).is_null())
    out.push_back(ForbiddenCause(path + ".spec.activeDeadlineSeconds",
                                 "activeDeadlineSeconds in ReplicaSet is not Supported"));
}

// ---- quantities and QoS ----------------------------------------------------------------

std::optional<long double> ParseQuantity(const std::string& q) {
  size_t i = 0;
  const size_t n = q.size();
  bool neg = false;
  if (i < n && (q[i] == '+' || q[i] == '-')) neg = q[i++] == '-';
  long double mantissa = 0;
  size_t digits = 0;
  while (i < n && std::isdigit(static_cast<unsigned char>(q[i]))) {
    mantissa = mantissa * 10 + (q[i++] - '0');
    ++digits;
  }
  if (i < n && q[i] == '.') {
    ++i;
    long double scale = 0.1L;
    while (i < n && std::isdigit(static_cast<unsigned char>(q[i]))) {
      mantissa += (q[i++] - '0') * scale;
      scale /= 10;
      ++digits;
    }
  }
  if (digits == 0) return std::nullopt;
  std::string suffix = q.substr(i);
  static const std::map<std::string, long double> kSuffix = {
      {"", 1},          {"n", 1e-9L},           {"u", 1e-6L},           {"m", 1e-3L},
      {"k", 1e3L},      {"M", 1e6L},            {"G", 1e9L},            {"T", 1e12L},
      {"P", 1e15L},     {"E", 1e18L},           {"Ki", 1024.0L},        {"Mi", 1048576.0L},
      {"Gi", 1073741824.0L}, {"Ti", 1099511627776.0L}, {"Pi", 1125899906842624.0L},
      {"Ei", 1152921504606846976.0L}};
  long double mult;
  if (auto it = kSuffix.find(suffix); it != kSuffix.end()) {
    mult = it->second;
  } else if (suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    size_t j = 1;
    bool eneg = false;
    if (suffix[j] == '+' || suffix[j] == '-') eneg = suffix[j++] == '-';
    if (j >= suffix.size()) return std::nullopt;
    int exp = 0;
    for (; j < suffix.size(); ++j) {
      if (!std::isdigit(static_cast<unsigned char>(suffix[j])) || exp > 1000) return std::nullopt;
      exp = exp * 10 + (suffix[j] - '0');
    }
    mult = std::pow(10.0L, eneg ? -exp : exp);
  } else {
    return std::nullopt;
  }
  long double v = mantissa * mult;
  return neg ? -v : v;
}

std::string PodQosClass(const Json& spec) {
  std::map<std::string, long double> requests, limits;
  bool guaranteed = true;
  auto add = [](std::map<std::string, long double>& into, const Json& m) {
    if (!m.is_object()) return;
    for (const char* r : {"cpu", "memory"}) {
      const Json& v = At(m, {r});
      std::string text = v.is_string() ? v.get<std::string>()
                                       : (Int(v) ? std::to_string(*Int(v)) : std::string());
      auto q = ParseQuantity(text);
      if (q && *q > 0) into[r] += *q;
    }
  };
  for (const char* list : {"initContainers", "containers"}) {
    for (const Json& c : Arr(spec, {list})) {
      Json req = At(c, {"resources", "requests"});
      const Json& lim = At(c, {"resources", "limits"});
      // Requests default to limits (SetDefaults_Pod), so count them as such.
      if (lim.is_object()) {
        if (!req.is_object()) req = Json::object();
        for (auto it = lim.begin(); it != lim.end(); ++it)
          if (!req.contains(it.key())) req[it.key()] = *it;
      }
      add(requests, req);
      std::map<std::string, long double> own;
      add(own, lim);
      add(limits, lim);
      if (!own.count("cpu") || !own.count("memory")) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    bool equal = requests.size() == limits.size();
    for (const auto& [k, v] : requests) {
      auto it = limits.find(k);
      if (it == limits.end() || std::fabs(static_cast<double>(it->second - v)) > 1e-9) equal = false;
    }
    if (equal) return "Guaranteed";
  }
  return "Burstable";
}

}  // namespace minik::res
