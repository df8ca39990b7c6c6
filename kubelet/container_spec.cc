#include "kubelet/container_spec.h"

#include <cmath>
#include <set>

#include "api/base64.h"
#include "api/resources/pod_spec.h"

namespace minik {
namespace {

const Json kEmpty = Json::object();

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v ? *v : kEmpty;
}

std::vector<std::string> Strings(const Json& arr) {
  std::vector<std::string> out;
  if (!arr.is_array()) return out;
  for (const Json& v : arr) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::string PodRef(const Json& pod) {
  return "\"" + Name(pod) + "_" + Namespace(pod) + "(" + Uid(pod) + ")\"";
}

// The data of a ConfigMap (data + binaryData) or Secret (base64 data + stringData).
std::map<std::string, std::string> DataOf(const std::string& resource, const Json& obj) {
  std::map<std::string, std::string> out;
  if (resource == "configmaps") {
    if (const Json* d = Find(obj, {"data"}); d && d->is_object())
      for (auto& [k, v] : d->items()) out[k] = v.is_string() ? v.get<std::string>() : "";
    if (const Json* d = Find(obj, {"binaryData"}); d && d->is_object())
      for (auto& [k, v] : d->items())
        out[k] = v.is_string() ? Base64Decode(v.get<std::string>()).value_or("") : "";
  } else {
    if (const Json* d = Find(obj, {"data"}); d && d->is_object())
      for (auto& [k, v] : d->items())
        out[k] = v.is_string() ? Base64Decode(v.get<std::string>()).value_or("") : "";
  }
  return out;
}

std::string KindWord(const std::string& resource) {
  return resource == "configmaps" ? "ConfigMap" : "Secret";
}
std::string LowerKind(const std::string& resource) {
  return resource == "configmaps" ? "configmap" : "secret";
}

// A C identifier-ish env name check as upstream's envFrom (invalid keys are skipped).
bool ValidEnvName(const std::string& s) {
  if (s.empty()) return false;
  if (s[0] >= '0' && s[0] <= '9') return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return false;
  }
  return true;
}

class EnvBuilder {
 public:
  void Set(const std::string& k, const std::string& v) {
    if (!values_.count(k)) order_.push_back(k);
    values_[k] = v;
  }
  const std::map<std::string, std::string>& values() const { return values_; }
  std::vector<std::string> List() const {
    std::vector<std::string> out;
    for (const auto& k : order_) out.push_back(k + "=" + values_.at(k));
    return out;
  }

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::string> values_;
};

Status BuildEnv(const ContainerInputs& in, EnvBuilder& env) {
  const Json& pod = *in.pod;
  const Json& c = *in.container;
  // Service links come first so that the container's own env can override them.
  const Json& links = At(pod, {"spec", "enableServiceLinks"});
  for (const std::string& kv : in.service_env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq);
    bool is_master = k.rfind("KUBERNETES_", 0) == 0;
    if (links.is_boolean() && !links.get<bool>() && !is_master) continue;
    env.Set(k, kv.substr(eq + 1));
  }
  if (const Json* from = Find(c, {"envFrom"}); from && from->is_array()) {
    for (const Json& src : *from) {
      std::string prefix = GetString(src, {"prefix"});
      std::string resource, name;
      bool optional = false;
      if (const Json* r = Find(src, {"configMapRef"})) {
        resource = "configmaps";
        name = GetString(*r, {"name"});
        optional = At(*r, {"optional"}).is_boolean() && At(*r, {"optional"}).get<bool>();
      } else if (const Json* r = Find(src, {"secretRef"})) {
        resource = "secrets";
        name = GetString(*r, {"name"});
        optional = At(*r, {"optional"}).is_boolean() && At(*r, {"optional"}).get<bool>();
      } else {
        continue;
      }
      auto obj = in.lookup(resource, name);
      if (!obj.ok()) {
        if (optional && obj.status().code() == Code::kNotFound) continue;
        return Status(Code::kInvalid, LowerKind(resource) + " \"" + name + "\" not found");
      }
      for (const auto& [k, v] : DataOf(resource, *obj)) {
        if (!ValidEnvName(prefix + k)) continue;
        env.Set(prefix + k, v);
      }
    }
  }
  if (const Json* list = Find(c, {"env"}); list && list->is_array()) {
    for (const Json& e : *list) {
      std::string name = GetString(e, {"name"});
      if (name.empty()) continue;
      const Json* from = Find(e, {"valueFrom"});
      if (!from) {
        env.Set(name, ExpandVars(GetString(e, {"value"}), env.values()));
        continue;
      }
      if (const Json* f = Find(*from, {"fieldRef"})) {
        auto v = DownwardFieldValue(pod, GetString(*f, {"fieldPath"}));
        if (!v.ok()) return v.status();
        env.Set(name, *v);
      } else if (const Json* r = Find(*from, {"resourceFieldRef"})) {
        std::string container = GetString(*r, {"containerName"});
        if (container.empty()) container = GetString(c, {"name"});
        std::string divisor;
        if (const Json* d = Find(*r, {"divisor"}))
          divisor = d->is_string() ? d->get<std::string>() : d->dump();
        auto v = DownwardResourceValue(pod, container, GetString(*r, {"resource"}), divisor,
                                       in.node_cpu_milli, in.node_memory_bytes);
        if (!v.ok()) return v.status();
        env.Set(name, *v);
      } else {
        bool cm = Find(*from, {"configMapKeyRef"}) != nullptr;
        const Json* ref = cm ? Find(*from, {"configMapKeyRef"}) : Find(*from, {"secretKeyRef"});
        if (!ref) continue;
        std::string resource = cm ? "configmaps" : "secrets";
        std::string obj_name = GetString(*ref, {"name"});
        std::string key = GetString(*ref, {"key"});
        bool optional = At(*ref, {"optional"}).is_boolean() && At(*ref, {"optional"}).get<bool>();
        auto obj = in.lookup(resource, obj_name);
        if (!obj.ok()) {
          if (optional && obj.status().code() == Code::kNotFound) continue;
          if (obj.status().code() == Code::kNotFound)
            return Status(Code::kInvalid, LowerKind(resource) + " \"" + obj_name + "\" not found");
          return obj.status();
        }
        auto data = DataOf(resource, *obj);
        auto it = data.find(key);
        if (it == data.end()) {
          if (optional) continue;
          return Status(Code::kInvalid, "couldn't find key " + key + " in " + KindWord(resource) +
                                            " " + Namespace(pod) + "/" + obj_name);
        }
        env.Set(name, it->second);
      }
    }
  }
  return Status::Ok();
}

// The image's User: "uid", "uid:gid", or a name looked up in the image's /etc/passwd.
struct ImageUser {
  std::optional<int64_t> uid, gid;
  std::string name;  // non-numeric user, when not resolvable
};

std::optional<int64_t> ParseId(const std::string& s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(s);
}

ImageUser ParseImageUser(const std::string& user) {
  ImageUser out;
  if (user.empty()) return out;
  std::string u = user, g;
  if (auto colon = user.find(':'); colon != std::string::npos) {
    u = user.substr(0, colon);
    g = user.substr(colon + 1);
  }
  out.uid = ParseId(u);
  if (!out.uid) {
    if (u == "root") out.uid = 0;
    else out.name = u;
  }
  out.gid = ParseId(g);
  return out;
}

const Json& SecurityField(const Json& pod, const Json& c, const char* field) {
  const Json& cv = At(c, {"securityContext", field});
  if (!cv.is_null() && !(cv.is_object() && cv.empty())) return cv;
  return At(pod, {"spec", "securityContext", field});
}

Status BuildSecurity(const ContainerInputs& in, ContainerSpec* spec) {
  const Json& pod = *in.pod;
  const Json& c = *in.container;
  SecuritySpec& sec = spec->security;
  ImageUser image_user = ParseImageUser(GetString(in.image->config, {"User"}));
  const Json& run_as_user = SecurityField(pod, c, "runAsUser");
  const Json& run_as_group = SecurityField(pod, c, "runAsGroup");
  if (run_as_user.is_number_integer()) sec.uid = run_as_user.get<int64_t>();
  else if (image_user.uid) sec.uid = image_user.uid;
  if (run_as_group.is_number_integer()) sec.gid = run_as_group.get<int64_t>();
  else if (image_user.gid) sec.gid = image_user.gid;
  const Json& non_root = SecurityField(pod, c, "runAsNonRoot");
  if (non_root.is_boolean() && non_root.get<bool>()) {
    if (!sec.uid && !image_user.name.empty()) {
      return Status(Code::kInvalid, "container has runAsNonRoot and image has non-numeric user (" +
                                        image_user.name + "), cannot verify user is non-root (pod: " +
                                        PodRef(pod) + ", container: " + GetString(c, {"name"}) + ")");
    }
    if (!sec.uid || *sec.uid == 0) {
      return Status(Code::kInvalid, "container has runAsNonRoot and image will run as root (pod: " +
                                        PodRef(pod) + ", container: " + GetString(c, {"name"}) + ")");
    }
  }
  for (const Json& g : At(pod, {"spec", "securityContext", "supplementalGroups"}))
    if (g.is_number_integer()) sec.supplemental_groups.push_back(g.get<int64_t>());
  const Json& fs_group = At(pod, {"spec", "securityContext", "fsGroup"});
  if (fs_group.is_number_integer()) sec.supplemental_groups.push_back(fs_group.get<int64_t>());

  const Json& csc = At(c, {"securityContext"});
  sec.privileged = At(csc, {"privileged"}).is_boolean() && At(csc, {"privileged"}).get<bool>();
  sec.cap_add = Strings(At(csc, {"capabilities", "add"}));
  sec.cap_drop = Strings(At(csc, {"capabilities", "drop"}));
  const Json& ape = At(csc, {"allowPrivilegeEscalation"});
  sec.no_new_privs = ape.is_boolean() && !ape.get<bool>();
  sec.read_only_rootfs =
      At(csc, {"readOnlyRootFilesystem"}).is_boolean() && At(csc, {"readOnlyRootFilesystem"}).get<bool>();

  // Kubernetes' default seccomp profile is Unconfined unless the pod asks (the kubelet's
  // SeccompDefault feature is off by default).
  const Json& profile = SecurityField(pod, c, "seccompProfile");
  std::string type = GetString(profile, {"type"});
  sec.seccomp = SeccompMode::kUnconfined;
  if (type == "RuntimeDefault") sec.seccomp = SeccompMode::kRuntimeDefault;
  if (type == "Localhost") {
    sec.seccomp = SeccompMode::kLocalhost;
    sec.seccomp_profile_path = GetString(profile, {"localhostProfile"});
  }
  if (sec.privileged) sec.seccomp = SeccompMode::kUnconfined;
  return Status::Ok();
}

int64_t Milli(const Json& q) {
  if (q.is_null()) return 0;
  auto v = res::ParseQuantity(q.is_string() ? q.get<std::string>() : q.dump());
  return v ? static_cast<int64_t>(std::ceil(*v * 1000)) : 0;
}
int64_t Bytes(const Json& q) {
  if (q.is_null()) return 0;
  auto v = res::ParseQuantity(q.is_string() ? q.get<std::string>() : q.dump());
  return v ? static_cast<int64_t>(std::ceil(*v)) : 0;
}

void BuildResources(const Json& c, ResourceSpec* r) {
  const Json& limits = At(c, {"resources", "limits"});
  const Json& requests = At(c, {"resources", "requests"});
  r->memory_limit_bytes = Bytes(At(limits, {"memory"}));
  int64_t cpu_request = Milli(At(requests, {"cpu"}));
  int64_t cpu_limit = Milli(At(limits, {"cpu"}));
  if (cpu_request == 0 && cpu_limit > 0) cpu_request = cpu_limit;
  r->cpu_shares = MilliCpuToShares(cpu_request);
  r->cpu_period_us = 100000;
  // MilliCPUToQuota: at least 1 ms.
  if (cpu_limit > 0) r->cpu_quota_us = std::max<int64_t>(cpu_limit * r->cpu_period_us / 1000, 1000);
}

Status BuildMounts(const ContainerInputs& in, const std::map<std::string, std::string>& env,
                   ContainerSpec* spec) {
  const Json& pod = *in.pod;
  const Json& c = *in.container;
  std::set<std::string> destinations;
  if (const Json* mounts = Find(c, {"volumeMounts"}); mounts && mounts->is_array()) {
    int index = -1;
    for (const Json& m : *mounts) {
      ++index;
      std::string name = GetString(m, {"name"});
      auto it = in.volumes->find(name);
      if (it == in.volumes->end()) {
        return Status(Code::kInvalid, "cannot find volume \"" + name + "\" to mount into container \"" +
                                          GetString(c, {"name"}) + "\"");
      }
      std::string source = it->second.host_path;
      std::string sub = GetString(m, {"subPath"});
      if (sub.empty()) sub = ExpandVars(GetString(m, {"subPathExpr"}), env);
      if (!sub.empty()) {
        auto resolved = in.sub_path ? in.sub_path(name, index, source, sub) : ResolveSubPath(source, sub);
        if (!resolved.ok()) return resolved.status();
        source = *resolved;
      }
      Mount mount;
      mount.source = source;
      mount.destination = GetString(m, {"mountPath"});
      mount.read_only = it->second.read_only ||
                        (At(m, {"readOnly"}).is_boolean() && At(m, {"readOnly"}).get<bool>());
      destinations.insert(mount.destination);
      spec->mounts.push_back(mount);
    }
  }
  // The kubelet's managed files, unless a volume is mounted there.
  const bool host_network = At(pod, {"spec", "hostNetwork"}).is_boolean() &&
                            At(pod, {"spec", "hostNetwork"}).get<bool>();
  auto add_file = [&](const std::string& host, const std::string& dest, bool ro) {
    if (destinations.count(dest)) return;
    spec->mounts.push_back(Mount{host, dest, "bind", ro, ""});
  };
  add_file(in.pod_dir + "/etc-hosts", "/etc/hosts", false);
  if (!host_network) add_file(in.pod_dir + "/etc-hostname", "/etc/hostname", false);
  add_file(in.pod_dir + "/resolv.conf", "/etc/resolv.conf", false);
  std::string term_path = GetString(c, {"terminationMessagePath"});
  if (term_path.empty()) term_path = "/dev/termination-log";
  if (!in.termination_log.empty()) add_file(in.termination_log, term_path, false);
  return Status::Ok();
}

}  // namespace

int64_t MilliCpuToShares(int64_t milli) {
  if (milli == 0) return 2;
  int64_t shares = milli * 1024 / 1000;
  return std::max<int64_t>(shares, 2);
}

std::string ExpandVars(const std::string& input, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$' || i + 1 >= input.size()) {
      out += input[i];
      continue;
    }
    char next = input[i + 1];
    if (next == '$') {  // escaped
      out += '$';
      ++i;
      continue;
    }
    if (next == '(') {
      size_t close = input.find(')', i + 2);
      if (close == std::string::npos) {  // unterminated: kept as written
        out += input.substr(i);
        break;
      }
      std::string name = input.substr(i + 2, close - i - 2);
      auto it = vars.find(name);
      if (it != vars.end()) out += it->second;
      else out += input.substr(i, close - i + 1);
      i = close;
      continue;
    }
    out += '$';
  }
  return out;
}

std::string HostsFile(const Json& pod, const std::string& pod_ip) {
  std::string out =
      "# Kubernetes-managed hosts file.\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  std::string hostname = GetString(pod, {"spec", "hostname"});
  if (hostname.empty()) hostname = Name(pod);
  std::string subdomain = GetString(pod, {"spec", "subdomain"});
  if (!pod_ip.empty()) {
    if (!subdomain.empty()) {
      out += pod_ip + "\t" + hostname + "." + subdomain + "." + Namespace(pod) +
             ".svc.cluster.local\t" + hostname + "\n";
    } else {
      out += pod_ip + "\t" + hostname + "\n";
    }
  }
  const Json& aliases = At(pod, {"spec", "hostAliases"});
  if (aliases.is_array() && !aliases.empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const Json& a : aliases) {
      std::string line = GetString(a, {"ip"});
      for (const std::string& h : Strings(At(a, {"hostnames"}))) line += "\t" + h;
      out += line + "\n";
    }
  }
  return out;
}

std::string ResolvConf(const Json& pod, const std::string& cluster_dns,
                       const std::string& cluster_domain, const std::string& host_resolv_conf) {
  std::string policy = GetString(pod, {"spec", "dnsPolicy"});
  if (policy.empty()) policy = "ClusterFirst";
  const bool host_network = At(pod, {"spec", "hostNetwork"}).is_boolean() &&
                            At(pod, {"spec", "hostNetwork"}).get<bool>();
  if (policy == "ClusterFirst" && host_network) policy = "Default";
  std::vector<std::string> servers, searches, options;
  if (policy == "ClusterFirst" || policy == "ClusterFirstWithHostNet") {
    servers.push_back(cluster_dns);
    std::string ns = Namespace(pod);
    searches = {ns + ".svc." + cluster_domain, "svc." + cluster_domain, cluster_domain};
    options = {"ndots:5"};
  } else if (policy == "Default") {
    return host_resolv_conf;
  }
  const Json& cfg = At(pod, {"spec", "dnsConfig"});
  for (const std::string& s : Strings(At(cfg, {"nameservers"}))) servers.push_back(s);
  for (const std::string& s : Strings(At(cfg, {"searches"}))) searches.push_back(s);
  for (const Json& o : At(cfg, {"options"})) {
    std::string name = GetString(o, {"name"});
    std::string value = GetString(o, {"value"});
    std::string opt = value.empty() ? name : name + ":" + value;
    // A pod option replaces a default with the same name (ndots).
    std::erase_if(options, [&](const std::string& x) { return x.substr(0, x.find(':')) == name; });
    options.push_back(opt);
  }
  std::string out;
  if (!searches.empty()) {
    out += "search";
    for (const auto& s : searches) out += " " + s;
    out += "\n";
  }
  for (const auto& s : servers) out += "nameserver " + s + "\n";
  if (!options.empty()) {
    out += "options";
    for (const auto& o : options) out += " " + o;
    out += "\n";
  }
  return out;
}

Status BuildContainerSpec(const ContainerInputs& in, ContainerSpec* spec) {
  const Json& c = *in.container;
  EnvBuilder env;
  MINIK_RETURN_IF_ERROR(BuildEnv(in, env));

  // argv: command replaces the image Entrypoint (and drops its Cmd); args replace Cmd.
  std::vector<std::string> command = Strings(At(c, {"command"}));
  std::vector<std::string> args = Strings(At(c, {"args"}));
  for (auto& s : command) s = ExpandVars(s, env.values());
  for (auto& s : args) s = ExpandVars(s, env.values());
  std::vector<std::string> argv;
  if (!command.empty()) {
    argv = command;
    argv.insert(argv.end(), args.begin(), args.end());
  } else {
    argv = Strings(At(in.image->config, {"Entrypoint"}));
    std::vector<std::string> rest = !args.empty() ? args : Strings(At(in.image->config, {"Cmd"}));
    argv.insert(argv.end(), rest.begin(), rest.end());
  }
  if (argv.empty()) {
    return Status(Code::kInvalid, "no command specified");
  }
  spec->argv = argv;

  // The image's Env first; the pod's env overrides it (as the CRI merges them).
  std::map<std::string, size_t> index;
  std::vector<std::string> final_env;
  auto put = [&](const std::string& kv) {
    std::string k = kv.substr(0, kv.find('='));
    auto it = index.find(k);
    if (it != index.end()) final_env[it->second] = kv;
    else {
      index[k] = final_env.size();
      final_env.push_back(kv);
    }
  };
  for (const std::string& kv : Strings(At(in.image->config, {"Env"}))) put(kv);
  if (!index.count("PATH")) put("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  std::string hostname = GetString(*in.pod, {"spec", "hostname"});
  if (hostname.empty()) hostname = Name(*in.pod);
  put("HOSTNAME=" + hostname);
  for (const std::string& kv : env.List()) put(kv);
  spec->env = final_env;

  spec->working_dir = GetString(c, {"workingDir"});
  if (spec->working_dir.empty()) spec->working_dir = GetString(in.image->config, {"WorkingDir"});
  if (spec->working_dir.empty()) spec->working_dir = "/";
  spec->rootfs_layers = in.image->layer_dirs;
  spec->tty = At(c, {"tty"}).is_boolean() && At(c, {"tty"}).get<bool>();
  spec->stdin = At(c, {"stdin"}).is_boolean() && At(c, {"stdin"}).get<bool>();
  spec->stdin_once = At(c, {"stdinOnce"}).is_boolean() && At(c, {"stdinOnce"}).get<bool>();
  MINIK_RETURN_IF_ERROR(BuildSecurity(in, spec));
  BuildResources(c, &spec->resources);
  MINIK_RETURN_IF_ERROR(BuildMounts(in, env.values(), spec));
  return Status::Ok();
}

}  // namespace minik
