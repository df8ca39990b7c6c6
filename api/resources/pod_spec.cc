#include "api/resources/pod_spec.h"

#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "api/validation.h"

namespace minik::res {
namespace {

// parsers.ParseImageName's tag: "latest" when neither tag nor digest is given.
std::string ImageTag(const std::string& image) {
  std::string ref = image;
  bool digest = false;
  if (auto at = ref.find('@'); at != std::string::npos) {
    ref = ref.substr(0, at);
    digest = true;
  }
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return ref.substr(colon + 1);
  return digest ? "" : "latest";
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
}

void DefaultPodTemplate(Json& tmpl) {
  if (!tmpl.is_object()) return;
  Json& meta = Obj(tmpl, "metadata");
  if (!meta.contains("creationTimestamp")) meta["creationTimestamp"] = nullptr;
  DefaultPodSpec(Obj(tmpl, "spec"));
}

// ---- validation ------------------------------------------------------------------------

namespace {

const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};

void ValidatePorts(Causes& out, const Json& ports, const std::string& path) {
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const Json& p = ports[i];
    std::string idx = path + "[" + std::to_string(i) + "]";
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
      out.push_back(InvalidValue(idx + ".containerPort", cp, "must be between 1 and 65535, inclusive"));
    }
    const Json& hp = At(p, {"hostPort"});
    if (auto h = Int(hp); h && *h != 0 && (*h < 1 || *h > 65535))
      out.push_back(InvalidValue(idx + ".hostPort", hp, "must be between 1 and 65535, inclusive"));
    std::string proto = Str(At(p, {"protocol"}));
    if (proto.empty()) {
      out.push_back(RequiredCause(idx + ".protocol"));
    } else if (proto != "TCP" && proto != "UDP" && proto != "SCTP") {
      out.push_back(NotSupportedCause(idx + ".protocol", proto, kProtocols));
    }
  }
}

bool PrintableAsciiNoEquals(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e || c == '=') return false;
  return true;
}

void ValidateContainer(Causes& out, const Json& c, const std::string& idx,
                       std::set<std::string>& names, const std::set<std::string>& volumes) {
  if (!c.is_object()) {
    out.push_back(InvalidCause(idx, GoScalar(c), "must be an object"));
    return;
  }
  std::string name = Str(At(c, {"name"}));
  if (name.empty()) {
    out.push_back(RequiredCause(idx + ".name"));
  } else {
    auto errs = IsDns1123Label(name);
    for (const auto& m : errs) out.push_back(InvalidCause(idx + ".name", GoQuote(name), m));
    if (errs.empty() && !names.insert(name).second)
      out.push_back(DuplicateCause(idx + ".name", GoQuote(name)));
  }
  if (Str(At(c, {"image"})).empty()) out.push_back(RequiredCause(idx + ".image"));
  ValidatePorts(out, Arr(c, {"ports"}), idx + ".ports");
  const Json& env = Arr(c, {"env"});
  for (size_t i = 0; i < env.size(); ++i) {
    std::string ep = idx + ".env[" + std::to_string(i) + "]";
    std::string ename = Str(At(env[i], {"name"}));
    if (ename.empty()) {
      out.push_back(RequiredCause(ep + ".name"));
    } else if (!PrintableAsciiNoEquals(ename)) {
      out.push_back(InvalidCause(
          ep + ".name", GoQuote(ename),
          "a valid environment variable name must consist only of printable ASCII characters "
          "other than '='"));
    }
  }
  const Json& mounts = Arr(c, {"volumeMounts"});
  std::set<std::string> paths;
  for (size_t i = 0; i < mounts.size(); ++i) {
    std::string mp = idx + ".volumeMounts[" + std::to_string(i) + "]";
    std::string vname = Str(At(mounts[i], {"name"}));
    if (vname.empty()) {
      out.push_back(RequiredCause(mp + ".name"));
    } else if (!volumes.count(vname)) {
      out.push_back(NotFoundCause(mp + ".name", GoQuote(vname)));
    }
    std::string path = Str(At(mounts[i], {"mountPath"}));
    if (path.empty()) {
      out.push_back(RequiredCause(mp + ".mountPath"));
    } else if (!paths.insert(path).second) {
      out.push_back(InvalidCause(mp + ".mountPath", GoQuote(path), "must be unique"));
    }
  }
  for (const char* kind : {"requests", "limits"}) {
    const Json& m = At(c, {"resources", kind});
    if (!m.is_object()) continue;
    for (auto it = m.begin(); it != m.end(); ++it) {
      std::string q = it->is_string() ? it->get<std::string>()
                                      : (Int(*it) ? std::to_string(*Int(*it)) : GoScalar(*it));
      auto v = ParseQuantity(q);
      std::string field = idx + ".resources." + kind + "[" + it.key() + "]";
      if (!v) {
        out.push_back(InvalidCause(field, GoQuote(q),
                                   "quantities must match the regular expression "
                                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      } else if (*v < 0) {
        out.push_back(InvalidCause(field, GoQuote(q), "must be greater than or equal to 0"));
      }
    }
  }
  // Requests may not exceed limits.
  const Json& limits = At(c, {"resources", "limits"});
  const Json& requests = At(c, {"resources", "requests"});
  if (limits.is_object() && requests.is_object()) {
    for (auto it = requests.begin(); it != requests.end(); ++it) {
      auto lim_it = limits.find(it.key());
      if (lim_it == limits.end()) continue;
      auto text = [](const Json& v) {
        return v.is_string() ? v.get<std::string>() : (Int(v) ? std::to_string(*Int(v)) : "");
      };
      auto req = ParseQuantity(text(*it));
      auto lim = ParseQuantity(text(*lim_it));
      if (req && lim && *req > *lim)
        out.push_back(InvalidCause(idx + ".resources.requests[" + it.key() + "]", GoQuote(text(*it)),
                                   "must be less than or equal to " + it.key() + " limit of " +
                                       text(*lim_it)));
    }
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    const Json& p = At(c, {probe});
    if (!p.is_object()) continue;
    int handlers = 0;
    for (const char* h : {"exec", "httpGet", "tcpSocket", "grpc"}) {
      if (At(p, {h}).is_null()) continue;
      if (++handlers > 1)
        out.push_back(ForbiddenCause(idx + "." + probe + "." + h,
                                     "may not specify more than 1 handler type"));
    }
    if (handlers == 0)
      out.push_back(RequiredCause(idx + "." + probe, "must specify a handler type"));
  }
  std::string pull = Str(At(c, {"imagePullPolicy"}));
  if (pull.empty()) {
    out.push_back(RequiredCause(idx + ".imagePullPolicy"));
  } else if (pull != "Always" && pull != "IfNotPresent" && pull != "Never") {
    out.push_back(NotSupportedCause(idx + ".imagePullPolicy", pull,
                                    {"Always", "IfNotPresent", "Never"}));
  }
  std::string tmp = Str(At(c, {"terminationMessagePolicy"}));
  if (tmp.empty()) {
    out.push_back(RequiredCause(idx + ".terminationMessagePolicy"));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    out.push_back(NotSupportedCause(idx + ".terminationMessagePolicy", tmp,
                                    {"File", "FallbackToLogsOnError"}));
  }
}

std::set<std::string> ValidateVolumes(Causes& out, const Json& volumes, const std::string& path) {
  std::set<std::string> names;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const Json& v = volumes[i];
    std::string idx = path + "[" + std::to_string(i) + "]";
    std::string name = Str(At(v, {"name"}));
    if (name.empty()) {
      out.push_back(RequiredCause(idx + ".name"));
    } else {
      auto errs = IsDns1123Label(name);
      for (const auto& m : errs) out.push_back(InvalidCause(idx + ".name", GoQuote(name), m));
      if (errs.empty() && !names.insert(name).second)
        out.push_back(DuplicateCause(idx + ".name", GoQuote(name)));
      if (!errs.empty()) names.insert(name);  // mounts of it are not "not found" too
    }
    int sources = 0;
    std::string first;
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it.key() == "name" || it->is_null()) continue;
        if (++sources == 1) {
          first = it.key();
        } else {
          out.push_back(ForbiddenCause(idx + "." + it.key(), "may not specify more than 1 volume type"));
        }
      }
    }
    if (sources == 0) out.push_back(RequiredCause(idx, "must specify a volume type"));
    if (first == "hostPath" && Str(At(v, {"hostPath", "path"})).empty())
      out.push_back(RequiredCause(idx + ".hostPath.path"));
    if (first == "configMap" && Str(At(v, {"configMap", "name"})).empty())
      out.push_back(RequiredCause(idx + ".configMap.name"));
    if (first == "secret" && Str(At(v, {"secret", "secretName"})).empty())
      out.push_back(RequiredCause(idx + ".secret.secretName"));
    if (first == "persistentVolumeClaim" &&
        Str(At(v, {"persistentVolumeClaim", "claimName"})).empty())
      out.push_back(RequiredCause(idx + ".persistentVolumeClaim.claimName"));
  }
  return names;
}

}  // namespace

void ValidatePodSpec(Causes& out, const Json& spec, const std::string& path) {
  if (!spec.is_object()) {
    out.push_back(RequiredCause(path));
    return;
  }
  std::set<std::string> volumes = ValidateVolumes(out, Arr(spec, {"volumes"}), path + ".volumes");
  std::set<std::string> names;
  const Json& containers = Arr(spec, {"containers"});
  if (containers.empty()) out.push_back(RequiredCause(path + ".containers"));
  for (size_t i = 0; i < containers.size(); ++i)
    ValidateContainer(out, containers[i], path + ".containers[" + std::to_string(i) + "]", names,
                      volumes);
  const Json& init = Arr(spec, {"initContainers"});
  for (size_t i = 0; i < init.size(); ++i)
    ValidateContainer(out, init[i], path + ".initContainers[" + std::to_string(i) + "]", names,
                      volumes);

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
  std::string sa = Str(At(spec, {"serviceAccountName"}));
  if (!sa.empty()) {
    for (const auto& m : IsDns1123Subdomain(sa))
      out.push_back(InvalidCause(path + ".serviceAccountName", GoQuote(sa), m));
  }
  const Json& ads = At(spec, {"activeDeadlineSeconds"});
  if (auto a = Int(ads); a && (*a < 1 || *a > 2147483647))
    out.push_back(InvalidValue(path + ".activeDeadlineSeconds", ads,
                               "must be between 1 and 2147483647, inclusive"));
  for (const char* f : {"hostname", "subdomain"}) {
    std::string v = Str(At(spec, {f}));
    if (v.empty()) continue;
    for (const auto& m : IsDns1123Label(v))
      out.push_back(InvalidCause(path + "." + f, GoQuote(v), m));
  }
  const Json& tolerations = Arr(spec, {"tolerations"});
  for (size_t i = 0; i < tolerations.size(); ++i) {
    std::string tp = path + ".tolerations[" + std::to_string(i) + "]";
    std::string op = Str(At(tolerations[i], {"operator"}));
    if (!op.empty() && op != "Equal" && op != "Exists")
      out.push_back(NotSupportedCause(tp + ".operator", op, {"Equal", "Exists"}));
    std::string effect = Str(At(tolerations[i], {"effect"}));
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" &&
        effect != "NoExecute")
      out.push_back(NotSupportedCause(tp + ".effect", effect,
                                      {"NoExecute", "NoSchedule", "PreferNoSchedule"}));
  }
}

void ValidatePodTemplate(Causes& out, const Json& tmpl, const std::string& path) {
  if (!tmpl.is_object()) {
    out.push_back(RequiredCause(path));
    return;
  }
  // Upstream names template metadata fields without "metadata" ("spec.template.labels").
  CheckLabels(out, At(tmpl, {"metadata", "labels"}), path + ".labels");
  ValidatePodSpec(out, At(tmpl, {"spec"}), path + ".spec");
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
