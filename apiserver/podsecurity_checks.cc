// The Pod Security Standards checks of k8s.io/pod-security-admission/policy (check_*.go) at
// version "latest": baseline checks first, then restricted ones, each group sorted by check
// ID as the check registry orders them; restricted replaces capabilities_baseline,
// seccompProfile_baseline and hostPathVolumes with its stricter checks. Reasons and details
// are upstream's words, so the messages match a real cluster.
#include <algorithm>
#include <functional>
#include <set>

#include "apiserver/admission_plugins.h"

namespace minik {

namespace {

struct CheckResult {
  bool allowed = true;
  std::string reason;
  std::string detail;
};
CheckResult Forbid(std::string reason, std::string detail) {
  return {false, std::move(reason), std::move(detail)};
}

using CheckFn = std::function<CheckResult(const Json& meta, const Json& spec)>;

std::string Pluralize(const char* one, const char* many, size_t n) { return n == 1 ? one : many; }

std::string Quote(const std::string& s) { return Json(s).dump(); }

// joinQuote: "a", "b".
std::string JoinQuote(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + Quote(items[i]);
  return out;
}
std::string JoinQuote(const std::set<std::string>& items) {
  return JoinQuote(std::vector<std::string>(items.begin(), items.end()));
}
std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

// visitContainers: init containers, containers, ephemeral containers.
void VisitContainers(const Json& spec, const std::function<void(const Json&)>& fn) {
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const Json* cs = Find(spec, {list});
    if (!cs || !cs->is_array()) continue;
    for (const Json& c : *cs)
      if (c.is_object()) fn(c);
  }
}

std::string NameOf(const Json& c) { return GetString(c, {"name"}); }
bool True(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v && v->is_boolean() && v->get<bool>();
}
const Json* Ptr(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v && !v->is_null() ? v : nullptr;
}
std::string ContainersPhrase(const std::vector<std::string>& names) {
  return Pluralize("container", "containers", names.size()) + " " + JoinQuote(names);
}

// ---- baseline

CheckResult AppArmorProfile(const Json& meta, const Json& spec) {
  std::vector<std::string> bad;
  auto valid_type = [](const std::string& t) { return t == "RuntimeDefault" || t == "Localhost"; };
  if (const Json* t = Ptr(spec, {"securityContext", "appArmorProfile", "type"}); t && t->is_string()) {
    if (!valid_type(t->get<std::string>())) bad.push_back(Quote(t->get<std::string>()));
  }
  VisitContainers(spec, [&](const Json& c) {
    const Json* t = Ptr(c, {"securityContext", "appArmorProfile", "type"});
    if (t && t->is_string() && !valid_type(t->get<std::string>()))
      bad.push_back(Quote(t->get<std::string>()));
  });
  if (const Json* ann = Find(meta, {"annotations"}); ann && ann->is_object()) {
    for (const auto& [k, v] : ann->items()) {
      if (k.rfind("container.apparmor.security.beta.kubernetes.io/", 0) != 0 || !v.is_string())
        continue;
      std::string value = v.get<std::string>();
      if (value.empty() || value == "runtime/default" || value.rfind("localhost/", 0) == 0)
        continue;
      bad.push_back(k + "=" + Quote(value));
    }
  }
  if (bad.empty()) return {};
  std::sort(bad.begin(), bad.end());
  bad.erase(std::unique(bad.begin(), bad.end()), bad.end());
  return Forbid(Pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", bad.size()),
                Join(bad, ", "));
}

const std::set<std::string>& BaselineCapabilities() {
  static const std::set<std::string> kAllowed = {
      "AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE", "FOWNER", "FSETID",  "KILL",      "MKNOD",
      "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"};
  return kAllowed;
}

CheckResult CapabilitiesBaseline(const Json&, const Json& spec) {
  std::vector<std::string> bad;
  std::set<std::string> caps;
  VisitContainers(spec, [&](const Json& c) {
    const Json* add = Find(c, {"securityContext", "capabilities", "add"});
    if (!add || !add->is_array()) return;
    bool valid = true;
    for (const Json& cap : *add) {
      std::string s = cap.is_string() ? cap.get<std::string>() : cap.dump();
      if (!BaselineCapabilities().count(s)) {
        valid = false;
        caps.insert(s);
      }
    }
    if (!valid) bad.push_back(NameOf(c));
  });
  if (bad.empty()) return {};
  return Forbid("non-default capabilities", ContainersPhrase(bad) + " must not include " +
                                                JoinQuote(caps) +
                                                " in securityContext.capabilities.add");
}

CheckResult HostNamespaces(const Json&, const Json& spec) {
  std::vector<std::string> ns;
  if (True(spec, {"hostNetwork"})) ns.push_back("hostNetwork=true");
  if (True(spec, {"hostPID"})) ns.push_back("hostPID=true");
  if (True(spec, {"hostIPC"})) ns.push_back("hostIPC=true");
  if (ns.empty()) return {};
  return Forbid("host namespaces", Join(ns, ", "));
}

CheckResult HostPathVolumes(const Json&, const Json& spec) {
  std::vector<std::string> bad;
  if (const Json* vs = Find(spec, {"volumes"}); vs && vs->is_array()) {
    for (const Json& v : *vs)
      if (Ptr(v, {"hostPath"})) bad.push_back(NameOf(v));
  }
  if (bad.empty()) return {};
  return Forbid("hostPath volumes", Pluralize("volume", "volumes", bad.size()) + " " + JoinQuote(bad));
}

CheckResult HostPorts(const Json&, const Json& spec) {
  std::vector<std::string> bad;
  std::set<std::string> ports;
  VisitContainers(spec, [&](const Json& c) {
    const Json* ps = Find(c, {"ports"});
    if (!ps || !ps->is_array()) return;
    bool valid = true;
    for (const Json& p : *ps) {
      int64_t hp = GetInt(p, {"hostPort"}, 0);
      if (hp != 0) {
        valid = false;
        ports.insert(std::to_string(hp));
      }
    }
    if (!valid) bad.push_back(NameOf(c));
  });
  if (bad.empty()) return {};
  return Forbid("hostPort", ContainersPhrase(bad) + " " + Pluralize("uses", "use", bad.size()) +
                                " " + Pluralize("hostPort", "hostPorts", ports.size()) + " " +
                                Join(std::vector<std::string>(ports.begin(), ports.end()), ", "));
}

CheckResult Privileged(const Json&, const Json& spec) {
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Json& c) {
    if (True(c, {"securityContext", "privileged"})) bad.push_back(NameOf(c));
  });
  if (bad.empty()) return {};
  return Forbid("privileged", ContainersPhrase(bad) + " must not set securityContext.privileged=true");
}

CheckResult ProcMount(const Json&, const Json& spec) {
  std::vector<std::string> bad;
  std::set<std::string> types;
  VisitContainers(spec, [&](const Json& c) {
    const Json* pm = Ptr(c, {"securityContext", "procMount"});
    if (!pm || !pm->is_string() || pm->get<std::string>() == "Default") return;
    bad.push_back(NameOf(c));
    types.insert(pm->get<std::string>());
  });
  if (bad.empty()) return {};
  return Forbid("procMount", ContainersPhrase(bad) + " must not set securityContext.procMount to " +
                                 JoinQuote(types));
}

CheckResult SeLinuxOptions(const Json&, const Json& spec) {
  static const std::set<std::string> kTypes = {"", "container_t", "container_init_t",
                                               "container_kvm_t", "container_engine_t"};
  std::set<std::string> bad_types;
  bool set_user = false, set_role = false;
  auto bad = [&](const Json* opts) {
    if (!opts || !opts->is_object()) return false;
    bool b = false;
    std::string t = GetString(*opts, {"type"});
    if (!kTypes.count(t)) {
      bad_types.insert(t);
      b = true;
    }
    if (!GetString(*opts, {"user"}).empty()) set_user = b = true;
    if (!GetString(*opts, {"role"}).empty()) set_role = b = true;
    return b;
  };
  std::vector<std::string> setters;
  if (bad(Ptr(spec, {"securityContext", "seLinuxOptions"}))) setters.push_back("pod");
  std::vector<std::string> containers;
  VisitContainers(spec, [&](const Json& c) {
    if (bad(Ptr(c, {"securityContext", "seLinuxOptions"}))) containers.push_back(NameOf(c));
  });
  if (!containers.empty()) setters.push_back(ContainersPhrase(containers));
  if (setters.empty()) return {};
  std::vector<std::string> data;
  if (!bad_types.empty())
    data.push_back(Pluralize("type", "types", bad_types.size()) + " " + JoinQuote(bad_types));
  if (set_user) data.push_back("user may not be set");
  if (set_role) data.push_back("role may not be set");
  return Forbid("seLinuxOptions", Join(setters, " and ") + " " + Join(data, "; "));
}

CheckResult SeccompProfileBaseline(const Json&, const Json& spec) {
  std::vector<std::string> setters;
  const Json* pod_type = Ptr(spec, {"securityContext", "seccompProfile", "type"});
  if (pod_type && pod_type->is_string() && pod_type->get<std::string>() == "Unconfined")
    setters.push_back("pod must not set securityContext.seccompProfile.type to \"Unconfined\"");
  std::vector<std::string> bad;
  std::set<std::string> types;
  VisitContainers(spec, [&](const Json& c) {
    const Json* t = Ptr(c, {"securityContext", "seccompProfile", "type"});
    if (t && t->is_string() && t->get<std::string>() == "Unconfined") {
      bad.push_back(NameOf(c));
      types.insert("Unconfined");
    }
  });
  if (!bad.empty())
    setters.push_back(ContainersPhrase(bad) + " must not set securityContext.seccompProfile.type to " +
                      JoinQuote(types));
  if (setters.empty()) return {};
  return Forbid("seccompProfile", Join(setters, "; "));
}

CheckResult Sysctls(const Json&, const Json& spec) {
  static const std::set<std::string> kSafe = {
      "kernel.shm_rmid_forced",        "net.ipv4.ip_local_port_range",
      "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
      "net.ipv4.ping_group_range",     "net.ipv4.ip_local_reserved_ports",
      "net.ipv4.tcp_keepalive_time",   "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl",  "net.ipv4.tcp_keepalive_probes"};
  std::vector<std::string> bad;
  if (const Json* s = Find(spec, {"securityContext", "sysctls"}); s && s->is_array()) {
    for (const Json& sc : *s) {
      std::string n = GetString(sc, {"name"});
      if (!kSafe.count(n)) bad.push_back(n);
    }
  }
  if (bad.empty()) return {};
  return Forbid("forbidden sysctls", Join(bad, ", "));
}

CheckResult WindowsHostProcess(const Json&, const Json& spec) {
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Json& c) {
    if (True(c, {"securityContext", "windowsOptions", "hostProcess"})) bad.push_back(NameOf(c));
  });
  bool pod = True(spec, {"securityContext", "windowsOptions", "hostProcess"});
  if (bad.empty() && !pod) return {};
  std::vector<std::string> setters;
  if (pod) setters.push_back("pod");
  if (!bad.empty()) setters.push_back(ContainersPhrase(bad));
  return Forbid("hostProcess",
                Join(setters, " and ") + " must not set securityContext.windowsOptions.hostProcess=true");
}

// ---- restricted

bool IsWindows(const Json& spec) { return GetString(spec, {"os", "name"}) == "windows"; }

CheckResult AllowPrivilegeEscalation(const Json&, const Json& spec) {
  if (IsWindows(spec)) return {};
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Json& c) {
    const Json* v = Ptr(c, {"securityContext", "allowPrivilegeEscalation"});
    if (!v || !v->is_boolean() || v->get<bool>()) bad.push_back(NameOf(c));
  });
  if (bad.empty()) return {};
  return Forbid("allowPrivilegeEscalation != false",
                ContainersPhrase(bad) + " must set securityContext.allowPrivilegeEscalation=false");
}

CheckResult CapabilitiesRestricted(const Json&, const Json& spec) {
  if (IsWindows(spec)) return {};
  std::vector<std::string> missing_drop, adding;
  std::set<std::string> caps;
  VisitContainers(spec, [&](const Json& c) {
    const Json* cap = Ptr(c, {"securityContext", "capabilities"});
    if (!cap) {
      missing_drop.push_back(NameOf(c));
      return;
    }
    bool dropped_all = false;
    if (const Json* d = Find(*cap, {"drop"}); d && d->is_array()) {
      for (const Json& x : *d)
        if (x == "ALL") dropped_all = true;
    }
    if (!dropped_all) missing_drop.push_back(NameOf(c));
    bool forbidden = false;
    if (const Json* a = Find(*cap, {"add"}); a && a->is_array()) {
      for (const Json& x : *a) {
        std::string s = x.is_string() ? x.get<std::string>() : x.dump();
        if (s != "NET_BIND_SERVICE") {
          forbidden = true;
          caps.insert(s);
        }
      }
    }
    if (forbidden) adding.push_back(NameOf(c));
  });
  std::vector<std::string> details;
  if (!missing_drop.empty())
    details.push_back(ContainersPhrase(missing_drop) +
                      " must set securityContext.capabilities.drop=[\"ALL\"]");
  if (!adding.empty())
    details.push_back(ContainersPhrase(adding) + " must not include " + JoinQuote(caps) +
                      " in securityContext.capabilities.add");
  if (details.empty()) return {};
  return Forbid("unrestricted capabilities", Join(details, "; "));
}

CheckResult RestrictedVolumes(const Json&, const Json& spec) {
  static const std::set<std::string> kAllowed = {"configMap", "csi", "downwardAPI",
                                                 "emptyDir", "ephemeral", "persistentVolumeClaim",
                                                 "projected", "secret"};
  std::vector<std::string> bad;
  std::set<std::string> types;
  if (const Json* vs = Find(spec, {"volumes"}); vs && vs->is_array()) {
    for (const Json& v : *vs) {
      if (!v.is_object()) continue;
      std::string type;
      for (const auto& [k, val] : v.items()) {
        if (k == "name" || val.is_null()) continue;
        type = k;
        break;
      }
      if (type.empty()) continue;  // a volume without a source is "emptyDir" after defaulting
      if (kAllowed.count(type)) continue;
      bad.push_back(NameOf(v));
      types.insert(type);
    }
  }
  if (bad.empty()) return {};
  return Forbid("restricted volume types",
                Pluralize("volume", "volumes", bad.size()) + " " + JoinQuote(bad) + " " +
                    Pluralize("uses", "use", bad.size()) + " " +
                    Pluralize("restricted volume type", "restricted volume types", types.size()) +
                    " " + JoinQuote(types));
}

CheckResult RunAsNonRoot(const Json&, const Json& spec) {
  std::vector<std::string> setters;
  bool pod_non_root = false;
  if (const Json* v = Ptr(spec, {"securityContext", "runAsNonRoot"}); v && v->is_boolean()) {
    if (!v->get<bool>()) {
      setters.push_back("pod");
    } else {
      pod_non_root = true;
    }
  }
  std::vector<std::string> explicit_bad, implicit_bad;
  VisitContainers(spec, [&](const Json& c) {
    const Json* v = Ptr(c, {"securityContext", "runAsNonRoot"});
    if (v && v->is_boolean()) {
      if (!v->get<bool>()) explicit_bad.push_back(NameOf(c));
    } else if (!pod_non_root) {
      implicit_bad.push_back(NameOf(c));
    }
  });
  if (!explicit_bad.empty()) setters.push_back(ContainersPhrase(explicit_bad));
  if (!setters.empty())
    return Forbid("runAsNonRoot != true",
                  Join(setters, " and ") + " must not set securityContext.runAsNonRoot=false");
  if (!implicit_bad.empty())
    return Forbid("runAsNonRoot != true",
                  "pod or " + ContainersPhrase(implicit_bad) +
                      " must set securityContext.runAsNonRoot=true");
  return {};
}

CheckResult RunAsUser(const Json&, const Json& spec) {
  std::vector<std::string> setters;
  auto zero = [](const Json* v) { return v && v->is_number_integer() && v->get<int64_t>() == 0; };
  if (zero(Ptr(spec, {"securityContext", "runAsUser"}))) setters.push_back("pod");
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Json& c) {
    if (zero(Ptr(c, {"securityContext", "runAsUser"}))) bad.push_back(NameOf(c));
  });
  if (!bad.empty()) setters.push_back(ContainersPhrase(bad));
  if (setters.empty()) return {};
  return Forbid("runAsUser=0", Join(setters, " and ") + " must not set runAsUser=0");
}

CheckResult SeccompProfileRestricted(const Json&, const Json& spec) {
  if (IsWindows(spec)) return {};
  auto valid = [](const std::string& t) { return t == "RuntimeDefault" || t == "Localhost"; };
  std::vector<std::string> setters;
  std::set<std::string> bad_values;
  bool pod_set = false;
  if (const Json* p = Ptr(spec, {"securityContext", "seccompProfile"})) {
    std::string t = GetString(*p, {"type"});
    if (!valid(t)) {
      setters.push_back("pod");
      bad_values.insert(t);
    } else {
      pod_set = true;
    }
  }
  std::vector<std::string> explicit_bad, implicit_bad;
  VisitContainers(spec, [&](const Json& c) {
    if (const Json* p = Ptr(c, {"securityContext", "seccompProfile"})) {
      std::string t = GetString(*p, {"type"});
      if (!valid(t)) {
        explicit_bad.push_back(NameOf(c));
        bad_values.insert(t);
      }
    } else if (!pod_set) {
      implicit_bad.push_back(NameOf(c));
    }
  });
  if (!explicit_bad.empty()) setters.push_back(ContainersPhrase(explicit_bad));
  if (!setters.empty())
    return Forbid("seccompProfile", Join(setters, " and ") +
                                        " must not set securityContext.seccompProfile.type to " +
                                        JoinQuote(bad_values));
  if (!implicit_bad.empty())
    return Forbid("seccompProfile",
                  "pod or " + ContainersPhrase(implicit_bad) +
                      " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or "
                      "\"Localhost\"");
  return {};
}

struct Check {
  const char* id;
  bool restricted;
  CheckFn fn;
  std::vector<const char*> overrides;
};

const std::vector<Check>& Checks() {
  // Sorted by ID within each level, as populate() orders them.
  static const std::vector<Check> kChecks = {
      {"appArmorProfile", false, AppArmorProfile, {}},
      {"capabilities_baseline", false, CapabilitiesBaseline, {}},
      {"hostNamespaces", false, HostNamespaces, {}},
      {"hostPathVolumes", false, HostPathVolumes, {}},
      {"hostPorts", false, HostPorts, {}},
      {"privileged", false, Privileged, {}},
      {"procMount", false, ProcMount, {}},
      {"seLinuxOptions", false, SeLinuxOptions, {}},
      {"seccompProfile_baseline", false, SeccompProfileBaseline, {}},
      {"sysctls", false, Sysctls, {}},
      {"windowsHostProcess", false, WindowsHostProcess, {}},
      {"allowPrivilegeEscalation", true, AllowPrivilegeEscalation, {}},
      {"capabilities_restricted", true, CapabilitiesRestricted, {"capabilities_baseline"}},
      {"restrictedVolumes", true, RestrictedVolumes, {"hostPathVolumes"}},
      {"runAsNonRoot", true, RunAsNonRoot, {}},
      {"runAsUser", true, RunAsUser, {}},
      {"seccompProfile_restricted", true, SeccompProfileRestricted, {"seccompProfile_baseline"}},
  };
  return kChecks;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> PodSecurityFailures(const std::string& level,
                                                                    const Json& pod_metadata,
                                                                    const Json& pod_spec) {
  std::vector<std::pair<std::string, std::string>> out;
  if (level != "baseline" && level != "restricted") return out;
  const bool restricted = level == "restricted";
  std::set<std::string> overridden;
  if (restricted) {
    for (const Check& c : Checks())
      if (c.restricted)
        for (const char* o : c.overrides) overridden.insert(o);
  }
  for (const Check& c : Checks()) {
    if (c.restricted && !restricted) continue;
    if (overridden.count(c.id)) continue;
    CheckResult r = c.fn(pod_metadata, pod_spec);
    if (!r.allowed) out.emplace_back(std::move(r.reason), std::move(r.detail));
  }
  return out;
}

std::string PodSecurityViolations(const std::string& level, const Json& pod_metadata,
                                  const Json& pod_spec) {
  // AggregateCheckResult.ForbiddenDetail.
  std::vector<std::string> parts;
  for (auto& [reason, detail] : PodSecurityFailures(level, pod_metadata, pod_spec))
    parts.push_back(detail.empty() ? reason : reason + " (" + detail + ")");
  return Join(parts, ", ");
}

}  // namespace minik
