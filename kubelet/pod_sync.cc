// Converging the node to one pod: pkg/kubelet's syncPod / syncTerminatingPod, simplified to
// one pass per call that does what it can and asks to be called again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>

#include "api/log.h"
#include "kubelet/container_spec.h"
#include "kubelet/cri_log.h"
#include "kubelet/kubelet_internal.h"

namespace minik {
namespace {

constexpr const char* kTag = "kubelet";
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};
const ResourceRef kSecrets{"", "v1", "secrets"};
constexpr auto kMaxBackoff = std::chrono::seconds(300);
constexpr auto kInitialBackoff = std::chrono::seconds(10);
constexpr auto kBackoffReset = std::chrono::minutes(10);

const Json kNullJson;

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v ? *v : kNullJson;
}

std::string RandomId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << data;
    if (!out) return Status(Code::kInternal, "cannot write " + tmp);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) return Status(Code::kInternal, "cannot rename " + tmp);
  return Status::Ok();
}

std::string ReadFileCapped(const std::string& path, size_t cap) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string out(cap, '\0');
  in.read(out.data(), static_cast<std::streamsize>(cap));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

std::string RestartPolicy(const Json& pod) {
  std::string p = GetString(pod, {"spec", "restartPolicy"});
  return p.empty() ? "Always" : p;
}

const char* SpecList(const ContainerRecord& c) {
  return c.ephemeral ? "ephemeralContainers" : c.init ? "initContainers" : "containers";
}

// The spec of `c` in its list of the pod spec, or nullptr.
const Json* SpecOf(const Json& pod, const ContainerRecord& c) {
  const Json* list = Find(pod, {"spec", SpecList(c)});
  if (!list || !list->is_array()) return nullptr;
  for (const Json& spec : *list)
    if (GetString(spec, {"name"}) == c.name) return &spec;
  return nullptr;
}

std::string FieldPath(const ContainerRecord& c) {
  return std::string("spec.") + SpecList(c) + "{" + c.name + "}";
}

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

std::string EnvName(std::string s) {
  for (char& ch : s) ch = ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

int64_t GraceOf(const Json& pod) {
  const Json& g = At(pod, {"spec", "terminationGracePeriodSeconds"});
  return g.is_number_integer() ? g.get<int64_t>() : 30;
}

}  // namespace

std::vector<std::string> KubeletImpl::ServiceEnv(const std::string& ns) {
  std::vector<std::string> out;
  if (!services_) return out;
  for (const ObjectPtr& svc : services_->List()) {
    std::string svc_ns = Namespace(*svc);
    bool master = svc_ns == "default" && Name(*svc) == "kubernetes";
    if (svc_ns != ns && !master) continue;
    if (svc_ns != ns && master && ns == "default") continue;
    std::string ip = GetString(*svc, {"spec", "clusterIP"});
    if (ip.empty() || ip == "None") continue;
    const Json& ports = At(*svc, {"spec", "ports"});
    if (!ports.is_array() || ports.empty()) continue;
    std::string name = EnvName(Name(*svc));
    // A port's protocol as the env names it (TCP) and as its URL scheme does (tcp).
    auto protocol = [](const Json& p) {
      std::string proto = GetString(p, {"protocol"});
      return proto.empty() ? std::string("TCP") : proto;
    };
    auto scheme = [&](const Json& p) {
      std::string lower = protocol(p);
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return lower;
    };
    std::string first_port = std::to_string(GetInt(ports[0], {"port"}));
    out.push_back(name + "_SERVICE_HOST=" + ip);
    out.push_back(name + "_SERVICE_PORT=" + first_port);
    out.push_back(name + "_PORT=" + scheme(ports[0]) + "://" + ip + ":" + first_port);
    for (const Json& p : ports) {
      std::string port = std::to_string(GetInt(p, {"port"}));
      std::string proto = protocol(p);
      std::string lower = scheme(p);
      std::string pname = GetString(p, {"name"});
      if (!pname.empty()) out.push_back(name + "_SERVICE_PORT_" + EnvName(pname) + "=" + port);
      std::string prefix = name + "_PORT_" + port + "_" + proto;
      out.push_back(prefix + "=" + lower + "://" + ip + ":" + port);
      out.push_back(prefix + "_PROTO=" + lower);
      out.push_back(prefix + "_PORT=" + port);
      out.push_back(prefix + "_ADDR=" + ip);
    }
  }
  return out;
}

// Re-reads the runtime state of each record's current container.
void KubeletImpl::RefreshFromRuntime(const Json& pod, PodWork& w) {
  for (auto* list : {&w.record.init_containers, &w.record.containers, &w.record.ephemeral_containers}) {
    for (ContainerRecord& c : *list) {
      if (c.container_id.empty() || (c.exited && !c.running)) continue;
      auto st = options_.runtime->Inspect(c.container_id);
      if (st.ok() && st->status == ContainerStatus::kRunning) {
        c.running = true;
        if (c.started_at.empty()) c.started_at = st->started_at;
        continue;
      }
      c.running = false;
      c.exited = true;
      c.ready = false;
      c.started = false;
      if (!st.ok() || st->status == ContainerStatus::kUnknown) {
        c.exit_code = 137;
        c.reason = "Error";
        c.message = "the container's state was lost";
        c.finished_at = FormatRfc3339(clock_.Now());
        continue;
      }
      if (st->status == ContainerStatus::kCreated) {
        c.running = false;
        c.exited = false;
        continue;
      }
      c.exit_code = st->exit_code;
      c.reason = st->oom_killed ? "OOMKilled" : (st->exit_code == 0 ? "Completed" : "Error");
      c.started_at = st->started_at;
      c.finished_at = st->finished_at.empty() ? FormatRfc3339(clock_.Now()) : st->finished_at;
      ContainerExtra& e = w.extra[c.name];
      std::string msg = ReadFileCapped(e.termination_log, 4096);
      const Json* spec = SpecOf(pod, c);
      if (msg.empty() && c.exit_code != 0 && spec &&
          GetString(*spec, {"terminationMessagePolicy"}) == "FallbackToLogsOnError") {
        LogReadOptions tail;
        tail.tail_lines = 80;
        tail.limit_bytes = 2048;
        auto text = ReadCriLog(LogPath(w.record, c.name, c.restart_count), tail);
        if (text.ok()) msg = *text;
      }
      c.message = !st->message.empty() && msg.empty() ? st->message : msg;
      if (!st->message.empty() && st->started_at.empty()) c.reason = "StartError";
      e.last_finished = clock_.Now();
    }
  }
}

Status KubeletImpl::EnsureSandbox(const Json& pod, PodWork& w) {
  PodRecord& r = w.record;
  if (!r.sandbox_id.empty()) {
    auto st = options_.runtime->SandboxStatus(r.sandbox_id);
    if (st.ok() && st->running) return Status::Ok();
    // The sandbox died: its containers lost their namespaces; start over as the kubelet does.
    LOG(Warning, kTag) << "sandbox gone pod=" << r.ns << "/" << r.name << ", recreating";
    StopPodContainers(pod, w, 0);
    TearDownPod(w);
  }
  const bool host_network = At(pod, {"spec", "hostNetwork"}).is_boolean() &&
                            At(pod, {"spec", "hostNetwork"}).get<bool>();
  SandboxSpec spec;
  spec.id = RandomId();
  spec.hostname = GetString(pod, {"spec", "hostname"});
  if (spec.hostname.empty()) spec.hostname = r.name.substr(0, 63);
  spec.host_network = host_network;
  spec.host_ipc = At(pod, {"spec", "hostIPC"}).is_boolean() && At(pod, {"spec", "hostIPC"}).get<bool>();
  spec.share_pid = At(pod, {"spec", "shareProcessNamespace"}).is_boolean() &&
                   At(pod, {"spec", "shareProcessNamespace"}).get<bool>();
  spec.cgroup_parent = "pod" + r.uid;
  spec.labels = {{"pod-uid", r.uid}, {"pod-name", r.name}, {"pod-namespace", r.ns}};
  auto sb = options_.runtime->RunSandbox(spec);
  if (!sb.ok()) {
    events_.Record(pod, "Warning", "FailedCreatePodSandBox",
                   "Failed to create pod sandbox: " + sb.status().message());
    return sb.status();
  }
  r.sandbox_id = spec.id;
  if (host_network) {
    r.pod_ip = options_.node_ip;
  } else {
    std::vector<HostPort> host_ports;
    for (const char* list : {"containers", "initContainers"}) {
      for (const Json& c : At(pod, {"spec", list})) {
        for (const Json& p : At(c, {"ports"})) {
          int hp = static_cast<int>(GetInt(p, {"hostPort"}));
          if (hp <= 0) continue;
          HostPort h;
          h.host_port = hp;
          h.container_port = static_cast<int>(GetInt(p, {"containerPort"}));
          h.protocol = GetString(p, {"protocol"}).empty() ? "TCP" : GetString(p, {"protocol"});
          h.host_ip = GetString(p, {"hostIP"});
          host_ports.push_back(h);
        }
      }
    }
    auto net = options_.network->Setup(spec.id, "/proc/" + std::to_string(sb->pid) + "/ns/net",
                                       host_ports);
    if (!net.ok()) {
      events_.Record(pod, "Warning", "FailedCreatePodSandBox",
                     "Failed to create pod sandbox: failed to set up the pod network: " +
                         net.status().message());
      options_.runtime->StopSandbox(spec.id);
      options_.runtime->RemoveSandbox(spec.id);
      r.sandbox_id.clear();
      return net.status();
    }
    r.pod_ip = net->ip;
  }
  r.sandbox_ready = true;
  std::filesystem::create_directories(w.pod_dir);
  MINIK_RETURN_IF_ERROR(WriteFileAtomic(w.pod_dir + "/etc-hosts", HostsFile(pod, r.pod_ip)));
  MINIK_RETURN_IF_ERROR(WriteFileAtomic(w.pod_dir + "/etc-hostname", spec.hostname + "\n"));
  MINIK_RETURN_IF_ERROR(WriteFileAtomic(
      w.pod_dir + "/resolv.conf",
      ResolvConf(pod, options_.cluster_dns, options_.cluster_domain, host_resolv_conf_)));
  return Status::Ok();
}

void KubeletImpl::StartContainer(const Json& pod, PodWork& w, ContainerRecord& c,
                                 const Json& cspec,
                                 const std::map<std::string, PreparedVolume>& volumes) {
  ContainerExtra& e = w.extra[c.name];
  const SystemTime now = clock_.Now();
  const std::string image_ref = GetString(cspec, {"image"});
  std::string policy = GetString(cspec, {"imagePullPolicy"});
  if (policy.empty()) policy = "IfNotPresent";
  const std::string field = FieldPath(c);

  // The image.
  if (e.pull_failed && now < e.pull_retry_at) {
    c.waiting_reason = "ImagePullBackOff";
    c.waiting_message = "Back-off pulling image \"" + image_ref + "\"";
    events_.Record(pod, "Normal", "BackOff", c.waiting_message, field);
    events_.Record(pod, "Warning", "Failed", "Error: ImagePullBackOff", field);
    return;
  }
  auto image = options_.images->Resolve(image_ref);
  if (policy == "Never" && !image.ok()) {
    c.waiting_reason = "ErrImageNeverPull";
    c.waiting_message = "Container image \"" + image_ref +
                        "\" is not present with pull policy of Never";
    events_.Record(pod, "Warning", "ErrImageNeverPull", c.waiting_message, field);
    return;
  }
  if (policy == "Always" || !image.ok()) {
    events_.Record(pod, "Normal", "Pulling", "Pulling image \"" + image_ref + "\"", field);
    auto t0 = std::chrono::steady_clock::now();
    image = options_.images->Pull(image_ref);
    if (!image.ok()) {
      e.pull_failed = true;
      e.pull_backoff = e.pull_backoff.count() == 0 ? kInitialBackoff
                                                   : std::min(e.pull_backoff * 2, kMaxBackoff);
      e.pull_retry_at = clock_.Now() + e.pull_backoff;
      c.waiting_reason = "ErrImagePull";
      c.waiting_message = image.status().message();
      events_.Record(pod, "Warning", "Failed",
                     "Failed to pull image \"" + image_ref + "\": " + image.status().message(), field);
      events_.Record(pod, "Warning", "Failed", "Error: ErrImagePull", field);
      return;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char took[64];
    std::snprintf(took, sizeof took, "%.3fs", secs);
    events_.Record(pod, "Normal", "Pulled",
                   "Successfully pulled image \"" + image_ref + "\" in " + took + " (" + took +
                       " including waiting). Image size: " + std::to_string(image->size) + " bytes.",
                   field);
  } else {
    events_.Record(pod, "Normal", "Pulled",
                   "Container image \"" + image_ref + "\" already present on machine", field);
  }
  e.pull_failed = false;
  e.pull_backoff = std::chrono::seconds(0);
  c.image = image->repo_tags.empty() ? image_ref : image->repo_tags[0];
  if (auto n = NormalizeImageRef(image_ref); n.ok()) c.image = *n;
  c.image_id = image->repo_digests.empty() ? image->id : image->repo_digests[0];

  // A restart: the exited container becomes lastState and is removed.
  int attempt = c.restart_count;
  if (!c.container_id.empty()) {
    if (c.exited) {
      c.last_terminated = ContainerStatusJson(c)["state"]["terminated"];
      attempt = ++c.restart_count;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      by_container_.erase(c.container_id);
    }
    options_.runtime->RemoveContainer(c.container_id);
    c.container_id.clear();
  }
  c.exited = false;
  c.running = false;
  c.reason.clear();
  c.message.clear();
  c.started_at.clear();
  c.finished_at.clear();

  ContainerSpec spec;
  spec.id = RandomId();
  spec.sandbox_id = w.record.sandbox_id;
  spec.log_path = LogPath(w.record, c.name, attempt);
  std::filesystem::create_directories(std::filesystem::path(spec.log_path).parent_path());
  std::string term_dir = w.pod_dir + "/containers/" + c.name;
  std::filesystem::create_directories(term_dir);
  e.termination_log = term_dir + "/" + spec.id;
  {
    int fd = open(e.termination_log.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0666);
    if (fd >= 0) {
      fchmod(fd, 0666);
      close(fd);
    }
  }
  spec.cgroup_parent = "pod" + w.record.uid;
  spec.labels = {{"pod-uid", w.record.uid},
                 {"pod-name", w.record.name},
                 {"pod-namespace", w.record.ns},
                 {"container-name", c.name},
                 {"attempt", std::to_string(attempt)},
                 {"init", c.init ? "true" : "false"}};
  if (c.ephemeral) spec.labels["ephemeral"] = "true";
  Json pod_with_ip = pod;
  pod_with_ip["status"]["podIP"] = w.record.pod_ip;
  pod_with_ip["status"]["podIPs"] = Json::array({{{"ip", w.record.pod_ip}}});
  pod_with_ip["status"]["hostIP"] = options_.node_ip;
  pod_with_ip["status"]["hostIPs"] = Json::array({{{"ip", options_.node_ip}}});
  ContainerInputs in;
  in.pod = &pod_with_ip;
  in.container = &cspec;
  in.image = &*image;
  in.volumes = &volumes;
  const std::string ns = w.record.ns;
  in.lookup = [this, ns](const std::string& resource, const std::string& name) {
    return client_.Get(resource == "configmaps" ? kConfigMaps : kSecrets, ns, name);
  };
  in.service_env = ServiceEnv(ns);
  in.pod_dir = w.pod_dir;
  in.termination_log = e.termination_log;
  const std::string uid = w.record.uid, container_name = c.name;
  in.sub_path = [this, uid, container_name](const std::string& volume, int index,
                                            const std::string& path, const std::string& sub) {
    return volumes_.PrepareSubPath(uid, volume, container_name, index, path, sub);
  };
  in.node_cpu_milli = node_cpu_milli_;
  in.node_memory_bytes = node_memory_bytes_;
  if (Status st = BuildContainerSpec(in, &spec); !st.ok()) {
    c.waiting_reason = "CreateContainerConfigError";
    c.waiting_message = st.message();
    events_.Record(pod, "Warning", "Failed", "Error: " + st.message(), field);
    return;
  }
  if (c.ephemeral) {
    // targetContainerName: the target's PID namespace (upstream's getTargetID); a target
    // that is not running is a config error, retried on the next sync.
    const std::string target = GetString(cspec, {"targetContainerName"});
    if (!target.empty()) {
      const ContainerRecord* t = FindContainerRecord(w.record, target);
      if (!t || t->ephemeral || !t->running || t->container_id.empty()) {
        c.waiting_reason = "CreateContainerConfigError";
        c.waiting_message = "unable to find target container " + target;
        events_.Record(pod, "Warning", "Failed", "Error: " + c.waiting_message, field);
        return;
      }
      spec.pid_namespace_of = t->container_id;
    }
  }
  events_.Record(pod, "Normal", "Created", "Created container " + c.name, field);
  {
    std::lock_guard<std::mutex> lock(mu_);
    by_container_[spec.id] = ObjectKey(pod);
  }
  auto started = options_.runtime->StartContainer(spec);
  c.container_id = spec.id;
  if (!started.ok()) {
    // The runtime recorded it as exited (exit code 128) with the reason.
    c.exited = true;
    c.exit_code = 128;
    c.reason = "StartError";
    c.message = started.status().message();
    c.finished_at = FormatRfc3339(clock_.Now());
    e.last_finished = clock_.Now();
    events_.Record(pod, "Warning", "Failed", "Error: " + started.status().message(), field);
    return;
  }
  c.running = true;
  c.waiting_reason.clear();
  c.waiting_message.clear();
  c.started_at = started->started_at.empty() ? FormatRfc3339(clock_.Now()) : started->started_at;
  const bool has_startup = Find(cspec, {"startupProbe"}) != nullptr;
  const bool has_readiness = Find(cspec, {"readinessProbe"}) != nullptr;
  c.started = !has_startup;
  c.ready = !has_startup && !has_readiness && !c.ephemeral;
  e.live_fail = e.ready_ok = e.ready_fail = e.startup_fail = e.startup_ok = 0;
  e.kill_requested = false;
  const SystemTime t = clock_.Now();
  auto delay = [&](const char* probe) {
    return std::chrono::seconds(GetInt(cspec, {probe, "initialDelaySeconds"}, 0));
  };
  e.next_startup = t + delay("startupProbe");
  e.next_liveness = t + delay("livenessProbe");
  e.next_readiness = t + delay("readinessProbe");
  events_.Record(pod, "Normal", "Started", "Started container " + c.name, field);

  // postStart: a failed hook kills the container (FailedPostStartHook).
  if (const Json* hook = Find(cspec, {"lifecycle", "postStart", "exec", "command"});
      hook && hook->is_array()) {
    std::vector<std::string> argv;
    for (const Json& a : *hook) argv.push_back(a.is_string() ? a.get<std::string>() : a.dump());
    std::string out;
    auto rc = options_.runtime->ExecSync(spec.id, argv, 30000, &out);
    if (!rc.ok() || *rc != 0) {
      std::string why = rc.ok() ? "command '" + argv[0] + "' exited with " + std::to_string(*rc) +
                                      ": " + out
                                : rc.status().message();
      events_.Record(pod, "Warning", "FailedPostStartHook", "PostStartHook failed: " + why, field);
      options_.runtime->StopContainer(spec.id, GraceOf(pod));
    }
  }
}

void KubeletImpl::StopPodContainers(const Json& pod, PodWork& w, int64_t grace_seconds) {
  std::vector<std::future<void>> stops;
  for (auto* list : {&w.record.containers, &w.record.init_containers, &w.record.ephemeral_containers}) {
    for (ContainerRecord& c : *list) {
      if (c.container_id.empty() || !c.running) continue;
      const Json* spec = pod.is_object() ? SpecOf(pod, c) : nullptr;
      std::string id = c.container_id;
      if (pod.is_object() && !pod.empty())
        events_.Record(pod, "Normal", "Killing", "Stopping container " + c.name, FieldPath(c));
      std::vector<std::string> pre_stop;
      if (spec) {
        if (const Json* cmd = Find(*spec, {"lifecycle", "preStop", "exec", "command"}); cmd && cmd->is_array())
          for (const Json& a : *cmd) pre_stop.push_back(a.is_string() ? a.get<std::string>() : a.dump());
      }
      stops.push_back(std::async(std::launch::async, [this, id, pre_stop, grace_seconds] {
        auto t0 = std::chrono::steady_clock::now();
        if (!pre_stop.empty() && grace_seconds > 0) {
          std::string out;
          options_.runtime->ExecSync(id, pre_stop, static_cast<int>(grace_seconds * 1000), &out);
        }
        int64_t used = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::steady_clock::now() - t0).count();
        // The kubelet gives at least 2 s after preStop (minimumGracePeriodInSeconds).
        int64_t left = std::max<int64_t>(grace_seconds - used, pre_stop.empty() ? grace_seconds : 2);
        Status st = options_.runtime->StopContainer(id, left);
        if (!st.ok()) LOG(Warning, kTag) << "stop container=" << id << ": " << st.message();
      }));
    }
  }
  for (auto& f : stops) f.wait();
  RefreshFromRuntime(pod, w);
}

void KubeletImpl::TearDownPod(PodWork& w) {
  PodRecord& r = w.record;
  for (auto* list : {&r.containers, &r.init_containers, &r.ephemeral_containers}) {
    for (ContainerRecord& c : *list) {
      if (c.container_id.empty()) continue;
      options_.runtime->StopContainer(c.container_id, 0);
      options_.runtime->RemoveContainer(c.container_id);
      std::lock_guard<std::mutex> lock(mu_);
      by_container_.erase(c.container_id);
    }
  }
  if (!r.sandbox_id.empty()) {
    options_.network->Teardown(r.sandbox_id);
    options_.runtime->StopSandbox(r.sandbox_id);
    options_.runtime->RemoveSandbox(r.sandbox_id);
    r.sandbox_id.clear();
  }
  r.sandbox_ready = false;
}

Status KubeletImpl::WriteStatus(const Json& pod, PodWork& w) {
  Json status = MakePodStatus(pod, w.record, options_.node_ip, clock_.Now());
  const Json* current = Find(pod, {"status"});
  if (current && *current == status) {
    w.last_status = status;
    return Status::Ok();
  }
  Json updated = pod;
  updated["status"] = status;
  auto res = client_.Update(kPods, w.record.ns, updated, {}, "status");
  if (!res.ok() && res.status().code() == Code::kConflict) {
    auto fresh = client_.Get(kPods, w.record.ns, w.record.name);
    if (!fresh.ok()) return fresh.status();
    if (Uid(*fresh) != w.record.uid) return Status::Ok();
    status = MakePodStatus(*fresh, w.record, options_.node_ip, clock_.Now());
    (*fresh)["status"] = status;
    res = client_.Update(kPods, w.record.ns, *fresh, {}, "status");
  }
  if (!res.ok()) {
    if (res.status().code() == Code::kNotFound) return Status::Ok();
    return res.status();
  }
  w.last_status = status;
  return Status::Ok();
}

Status KubeletImpl::SyncPod(const std::string& key, std::chrono::milliseconds* requeue_after) {
  ObjectPtr pod_ptr = pods_->Get(key);
  std::shared_ptr<PodWork> w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = work_.find(key);
    if (it != work_.end()) w = it->second;
  }
  if (!pod_ptr) {
    if (!w) return Status::Ok();
    std::string uid;
    {
      std::lock_guard<std::mutex> lock(w->mu);
      StopPodContainers(Json::object(), *w, 0);
      TearDownPod(*w);
      uid = w->record.uid;
    }
    if (!uid.empty()) volumes_.Cleanup(uid);
    std::lock_guard<std::mutex> lock(mu_);
    if (work_[key] == w) work_.erase(key);
    return Status::Ok();
  }
  const Json& pod = *pod_ptr;
  if (!w) w = WorkFor(key);
  std::lock_guard<std::mutex> lock(w->mu);
  PodRecord& r = w->record;
  if (!r.uid.empty() && r.uid != Uid(pod)) {
    // Same name, new pod: the old one goes first.
    StopPodContainers(Json::object(), *w, 0);
    TearDownPod(*w);
    volumes_.Cleanup(r.uid);
    r = PodRecord{};
    w->extra.clear();
    w->terminated = false;
    w->last_status = Json();
  }
  if (r.uid.empty()) {
    r.uid = Uid(pod);
    r.ns = Namespace(pod);
    r.name = Name(pod);
    r.start_time = GetString(pod, {"status", "startTime"});
    if (r.start_time.empty()) r.start_time = FormatRfc3339(clock_.Now());
    w->pod_dir = PodDir(r.uid);
  }
  // Container records follow the spec.
  auto sync_list = [&](const char* field, std::vector<ContainerRecord>& list, bool init,
                       bool ephemeral = false) {
    std::vector<ContainerRecord> next;
    for (const Json& c : At(pod, {"spec", field})) {
      std::string name = GetString(c, {"name"});
      auto it = std::find_if(list.begin(), list.end(), [&](auto& x) { return x.name == name; });
      ContainerRecord rec = it != list.end() ? *it : ContainerRecord{};
      rec.name = name;
      rec.init = init;
      rec.sidecar = init && GetString(c, {"restartPolicy"}) == "Always";
      rec.ephemeral = ephemeral;
      if (rec.image.empty()) rec.image = GetString(c, {"image"});
      next.push_back(rec);
    }
    list = std::move(next);
  };
  sync_list("initContainers", r.init_containers, true);
  sync_list("containers", r.containers, false);
  sync_list("ephemeralContainers", r.ephemeral_containers, false, true);
  RefreshFromRuntime(pod, *w);

  // Deletion: stop gracefully, then remove the pod object (grace 0), as the kubelet does.
  if (Find(pod, {"metadata", "deletionTimestamp"})) {
    if (!w->terminated) {
      int64_t grace = GetInt(pod, {"metadata", "deletionGracePeriodSeconds"}, GraceOf(pod));
      StopPodContainers(pod, *w, grace);
      w->terminated = true;
    }
    TearDownPod(*w);
    WriteStatus(pod, *w);
    DeleteOptions d;
    d.grace_period_seconds = 0;
    d.precondition_uid = r.uid;
    auto del = client_.Delete(kPods, r.ns, r.name, d);
    if (!del.ok() && del.status().code() != Code::kNotFound && del.status().code() != Code::kConflict)
      return del.status();
    return Status::Ok();
  }

  // activeDeadlineSeconds.
  const Json& deadline = At(pod, {"spec", "activeDeadlineSeconds"});
  if (deadline.is_number_integer() && r.failed_reason.empty()) {
    SystemTime start;
    if (ParseRfc3339(r.start_time, &start)) {
      auto end = start + std::chrono::seconds(deadline.get<int64_t>());
      if (clock_.Now() >= end) {
        r.failed_reason = "DeadlineExceeded";
        r.failed_message = "Pod was active on the node longer than the specified deadline";
        events_.Record(pod, "Normal", "DeadlineExceeded", r.failed_message);
      } else {
        *requeue_after = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock_.Now()) +
                         std::chrono::milliseconds(100);
      }
    }
  }

  std::string phase = PodPhase(pod, r);
  if (phase == "Succeeded" || phase == "Failed") {
    if (!w->terminated) {
      StopPodContainers(pod, *w, GraceOf(pod));
      TearDownPod(*w);
      w->terminated = true;
    }
    return WriteStatus(pod, *w);
  }

  if (Status st = EnsureSandbox(pod, *w); !st.ok()) {
    WriteStatus(pod, *w);
    *requeue_after = std::chrono::seconds(5);
    return Status::Ok();
  }
  auto volumes = volumes_.Prepare(pod);
  if (!volumes.ok()) {
    events_.Record(pod, "Warning", "FailedMount", volumes.status().message());
    WriteStatus(pod, *w);
    *requeue_after = std::chrono::seconds(2);
    return Status::Ok();
  }

  // Liveness/startup failures found by the prober: restart those containers.
  for (auto* list : {&r.init_containers, &r.containers}) {
    for (ContainerRecord& c : *list) {
      ContainerExtra& e = w->extra[c.name];
      if (!e.kill_requested || !c.running) continue;
      e.kill_requested = false;
      events_.Record(pod, "Normal", "Killing", e.kill_reason, FieldPath(c));
      options_.runtime->StopContainer(c.container_id, GraceOf(pod));
    }
  }
  RefreshFromRuntime(pod, *w);

  const std::string policy = RestartPolicy(pod);
  const SystemTime now = clock_.Now();
  std::chrono::milliseconds wait{0};
  auto note_wait = [&](std::chrono::milliseconds d) {
    if (d.count() > 0 && (wait.count() == 0 || d < wait)) wait = d;
  };
  // Starts `c` unless it is in its restart back-off (then CrashLoopBackOff).
  auto start_or_backoff = [&](ContainerRecord& c, const Json& cspec) {
    ContainerExtra& e = w->extra[c.name];
    if (c.exited) {
      SystemTime started{}, finished{};
      ParseRfc3339(c.started_at, &started);
      ParseRfc3339(c.finished_at, &finished);
      if (c.started_at.empty() || finished - started < kBackoffReset) {
        if (e.backoff.count() > 0) {
          auto until = e.last_finished + e.backoff;
          if (now < until) {
            c.waiting_reason = "CrashLoopBackOff";
            c.waiting_message = "back-off " + Seconds(e.backoff) + " restarting failed container=" +
                                c.name + " pod=" + r.name + "_" + r.ns + "(" + r.uid + ")";
            note_wait(std::chrono::duration_cast<std::chrono::milliseconds>(until - now) +
                      std::chrono::milliseconds(50));
            events_.Record(pod, "Warning", "BackOff",
                           "Back-off restarting failed container " + c.name + " in pod " + r.name +
                               "_" + r.ns + "(" + r.uid + ")",
                           FieldPath(c));
            return;
          }
        }
        e.backoff = e.backoff.count() == 0 ? kInitialBackoff : std::min(e.backoff * 2, kMaxBackoff);
      } else {
        e.backoff = std::chrono::seconds(0);
      }
    }
    if (e.pull_failed && now < e.pull_retry_at) {
      note_wait(std::chrono::duration_cast<std::chrono::milliseconds>(e.pull_retry_at - now) +
                std::chrono::milliseconds(50));
    }
    StartContainer(pod, *w, c, cspec, *volumes);
    // Retry soon after a failure, but inside an image pull back-off only as often as upstream's
    // pod workers re-sync a failing pod (10 s): each sync there records the BackOff events.
    if (!c.running && c.waiting_reason == "ImagePullBackOff") {
      note_wait(std::chrono::seconds(10));
    } else if (!c.running && !c.waiting_reason.empty()) {
      note_wait(std::chrono::seconds(2));
    }
  };

  // Ephemeral containers: started once, whether or not initialization is complete, and
  // never restarted (upstream's computePodActions starts those without a runtime container;
  // SyncPod starts them before init containers so that a failing init can be debugged).
  // Until a container exists (image pull or config errors) each sync tries again.
  for (ContainerRecord& c : r.ephemeral_containers) {
    const Json* cspec = SpecOf(pod, c);
    if (!cspec || !c.container_id.empty()) continue;
    start_or_backoff(c, *cspec);
  }

  bool init_done = true;
  for (ContainerRecord& c : r.init_containers) {
    const Json* cspec = SpecOf(pod, c);
    if (!cspec) continue;
    if (c.sidecar) {
      if (!c.running) start_or_backoff(c, *cspec);
      if (!c.running || !c.started) {
        init_done = false;
        break;
      }
      continue;
    }
    if (c.exited && c.exit_code == 0 && !c.running) continue;
    init_done = false;
    if (c.running) break;
    if (c.exited && policy == "Never") break;  // the pod failed
    start_or_backoff(c, *cspec);
    break;
  }
  for (ContainerRecord& c : r.containers) {
    const Json* cspec = SpecOf(pod, c);
    if (!cspec || c.running) continue;
    if (!init_done) {
      c.waiting_reason = "PodInitializing";
      continue;
    }
    if (c.exited) {
      bool restart = policy == "Always" || (policy == "OnFailure" && c.exit_code != 0);
      if (!restart) {
        c.waiting_reason.clear();
        continue;
      }
    }
    if (c.waiting_reason == "PodInitializing") c.waiting_reason.clear();
    start_or_backoff(c, *cspec);
  }
  MINIK_RETURN_IF_ERROR(WriteStatus(pod, *w));
  if (wait.count() > 0 && (requeue_after->count() == 0 || wait < *requeue_after)) *requeue_after = wait;
  return Status::Ok();
}

// After a restart, the runtime's sandboxes and containers are matched to pods by their
// labels; those of pods that no longer exist are torn down by the first sync.
void KubeletImpl::Adopt() {
  std::map<std::string, std::shared_ptr<PodWork>> found;
  auto work_for = [&](const std::map<std::string, std::string>& labels) -> std::shared_ptr<PodWork> {
    auto uid = labels.find("pod-uid"), name = labels.find("pod-name"), ns = labels.find("pod-namespace");
    if (uid == labels.end() || name == labels.end() || ns == labels.end()) return nullptr;
    std::string key = ns->second + "/" + name->second;
    auto& w = found[key];
    if (!w) {
      w = std::make_shared<PodWork>();
      w->record.uid = uid->second;
      w->record.ns = ns->second;
      w->record.name = name->second;
      w->pod_dir = PodDir(uid->second);
      ObjectPtr pod = pods_->Get(key);
      if (pod) w->record.start_time = GetString(*pod, {"status", "startTime"});
      if (w->record.start_time.empty()) w->record.start_time = FormatRfc3339(clock_.Now());
    }
    return w->record.uid == uid->second ? w : nullptr;
  };
  for (const SandboxState& sb : options_.runtime->ListSandboxes()) {
    auto w = work_for(sb.labels);
    if (!w) {
      options_.runtime->StopSandbox(sb.id);
      options_.runtime->RemoveSandbox(sb.id);
      options_.network->Teardown(sb.id);
      continue;
    }
    w->record.sandbox_id = sb.id;
    w->record.sandbox_ready = sb.running;
    auto ip = options_.network->IpOf(sb.id);
    if (ip.ok()) w->record.pod_ip = *ip;
  }
  for (const ContainerState& cs : options_.runtime->ListContainers()) {
    auto w = work_for(cs.labels);
    auto cname = cs.labels.find("container-name");
    if (!w || cname == cs.labels.end()) {
      options_.runtime->StopContainer(cs.id, 0);
      options_.runtime->RemoveContainer(cs.id);
      continue;
    }
    bool init = cs.labels.count("init") && cs.labels.at("init") == "true";
    bool ephemeral = cs.labels.count("ephemeral") && cs.labels.at("ephemeral") == "true";
    auto& list = ephemeral ? w->record.ephemeral_containers
                 : init    ? w->record.init_containers
                           : w->record.containers;
    int attempt = cs.labels.count("attempt") ? std::atoi(cs.labels.at("attempt").c_str()) : 0;
    auto it = std::find_if(list.begin(), list.end(), [&](auto& c) { return c.name == cname->second; });
    if (it != list.end() && it->restart_count > attempt) {  // an older attempt
      options_.runtime->RemoveContainer(cs.id);
      continue;
    }
    if (it != list.end()) {
      options_.runtime->RemoveContainer(it->container_id);
    } else {
      list.push_back(ContainerRecord{});
      it = list.end() - 1;
    }
    it->name = cname->second;
    it->init = init;
    it->ephemeral = ephemeral;
    it->container_id = cs.id;
    it->restart_count = attempt;
    it->running = cs.status == ContainerStatus::kRunning;
    it->started = it->running;
    it->ready = it->running && !ephemeral;
    it->started_at = cs.started_at;
    w->extra[it->name].termination_log = w->pod_dir + "/containers/" + it->name + "/" + cs.id;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, w] : found) {
    for (auto* list :
         {&w->record.init_containers, &w->record.containers, &w->record.ephemeral_containers})
      for (auto& c : *list)
        if (!c.container_id.empty()) by_container_[c.container_id] = key;
    work_[key] = w;
    queue_.Add(key);
  }
  LOG(Info, kTag) << "adopted pods=" << found.size();
}

}  // namespace minik
