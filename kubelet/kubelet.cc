#include "kubelet/kubelet.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "api/log.h"
#include "kubelet/cri_log.h"
#include "kubelet/kubelet_internal.h"
#include "kubelet/node_machine.h"

namespace minik {
namespace {

constexpr const char* kTag = "kubelet";
const ResourceRef kPods{"", "v1", "pods"};
const ResourceRef kServices{"", "v1", "services"};

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

VolumeOptions VolumeOptionsFor(const KubeletOptions& options, const MachineInfo& machine,
                               const Clock& clock) {
  VolumeOptions v;
  v.pods_dir = options.state_dir + "/pods";
  v.node_cpu_milli = machine.cpus * 1000;
  v.node_memory_bytes = machine.memory_kib * 1024;
  v.clock = &clock;
  return v;
}

}  // namespace

KubeletImpl::KubeletImpl(Client& client, Clock& clock, const KubeletOptions& options)
    : client_(client),
      clock_(clock),
      options_(options),
      events_(client, clock, "kubelet", options.node_name),
      machine_(ReadMachineInfo(options.state_dir)),
      volumes_(client, VolumeOptionsFor(options, machine_, clock)),
      queue_(clock) {
  node_cpu_milli_ = machine_.cpus * 1000;
  node_memory_bytes_ = machine_.memory_kib * 1024;
}

KubeletImpl::~KubeletImpl() { Stop(); }

std::string KubeletImpl::PodDir(const std::string& uid) const {
  return options_.state_dir + "/pods/" + uid;
}

std::string KubeletImpl::LogPath(const PodRecord& r, const std::string& container,
                                 int attempt) const {
  return options_.state_dir + "/logs/pods/" + r.ns + "_" + r.name + "_" + r.uid + "/" +
         container + "/" + std::to_string(attempt) + ".log";
}

Status KubeletImpl::Start() {
  if (!options_.images || !options_.runtime || !options_.network) {
    return Status(Code::kInvalid, "kubelet: images, runtime and network are required");
  }
  host_resolv_conf_ = ReadWholeFile("/etc/resolv.conf");
  mkdir((options_.state_dir + "/pods").c_str(), 0750);
  mkdir((options_.state_dir + "/logs").c_str(), 0750);
  MINIK_RETURN_IF_ERROR(options_.network->Init());

  options_.runtime->SetExitHandler([this](const std::string& id) {
    std::string key;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = by_container_.find(id);
      if (it == by_container_.end()) return;
      key = it->second;
    }
    queue_.Add(key);
  });

  InformerOptions pod_options;
  pod_options.field_selector = "spec.nodeName=" + options_.node_name;
  pods_ = std::make_unique<Informer>(client_, clock_, kPods, "", pod_options);
  auto enqueue = [this](const Json& obj) { queue_.Add(ObjectKey(obj)); };
  pods_->AddEventHandler({enqueue, [enqueue](const Json&, const Json& n) { enqueue(n); },
                          enqueue});
  services_ = std::make_unique<Informer>(client_, clock_, kServices);
  services_->Start();
  pods_->Start();
  if (!pods_->WaitForSync(std::chrono::seconds(30))) {
    return Status(Code::kTimeout, "kubelet: pods did not sync");
  }
  services_->WaitForSync(std::chrono::seconds(5));
  Adopt();
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { Worker(); });
  threads_.emplace_back([this] { Housekeeping(); });
  threads_.emplace_back([this] { ProberLoop(); });
  LOG(Info, kTag) << "started node=" << options_.node_name << " pods=" << pods_->Size();
  return Status::Ok();
}

void KubeletImpl::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
  }
  stop_cv_.notify_all();
  queue_.ShutDown();
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (pods_) pods_->Stop();
  if (services_) services_->Stop();
}

void KubeletImpl::StopAllPods(int64_t max_grace_seconds) {
  std::vector<std::tuple<std::string, std::shared_ptr<PodWork>, ObjectPtr>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [k, w] : work_) all.emplace_back(k, w, pods_ ? pods_->Get(k) : nullptr);
  }
  // The workers go first: a sync running meanwhile would restart (restartPolicy Always)
  // the containers stopped here.
  Stop();
  std::vector<std::thread> stops;
  for (auto& [key, w, pod] : all) {
    stops.emplace_back([this, w = w, pod = pod, max_grace_seconds] {
      Json p = pod ? *pod : Json::object();
      std::lock_guard<std::mutex> lock(w->mu);
      StopPodContainers(p, *w, max_grace_seconds);
    });
  }
  for (auto& t : stops) t.join();
}

std::shared_ptr<PodWork> KubeletImpl::WorkFor(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& w = work_[key];
  if (!w) w = std::make_shared<PodWork>();
  return w;
}

void KubeletImpl::Worker() {
  std::string key;
  while (queue_.Get(&key)) {
    std::chrono::milliseconds requeue{0};
    Status st = SyncPod(key, &requeue);
    if (!st.ok()) {
      LOG(Warning, kTag) << "sync pod=" << key << ": " << st.message();
      queue_.AddRateLimited(key);
    } else {
      queue_.Forget(key);
      if (requeue.count() > 0) queue_.AddAfter(key, requeue);
    }
    queue_.Done(key);
  }
}

// Every 10 s every pod is synced again (volume contents, missed exits, status drift).
void KubeletImpl::Housekeeping() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::seconds(10));
    if (stopping_) break;
    std::vector<std::string> keys = pods_->ListKeys();
    {
      std::lock_guard<std::mutex> l(mu_);
      for (auto& [k, w] : work_) keys.push_back(k);
    }
    for (const auto& k : keys) queue_.Add(k);
  }
}

StatusOr<std::string> KubeletImpl::PodLogs(const std::string& ns, const std::string& name,
                                           const PodLogOptions& options) {
  auto pod = client_.Get(kPods, ns, name);
  if (!pod.ok()) return pod.status();
  std::vector<std::string> names;
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    if (const Json* cs = Find(*pod, {"spec", list}); cs && cs->is_array())
      for (const Json& c : *cs) names.push_back(GetString(c, {"name"}));
  }
  std::string container = options.container;
  if (container.empty()) {
    const Json* cs = Find(*pod, {"spec", "containers"});
    if (cs && cs->is_array() && cs->size() == 1) {
      container = GetString((*cs)[0], {"name"});
    } else {
      std::string list;
      if (cs && cs->is_array())
        for (const Json& c : *cs) list += (list.empty() ? "" : " ") + GetString(c, {"name"});
      return Status(Code::kBadRequest, "a container name must be specified for pod " + name +
                                           ", choose one of: [" + list + "]");
    }
  }
  if (std::find(names.begin(), names.end(), container) == names.end()) {
    return Status(Code::kBadRequest,
                  "container " + container + " is not valid for pod " + name);
  }
  if (GetString(*pod, {"spec", "nodeName"}) != options_.node_name) {
    return Status(Code::kBadRequest, "container \"" + container + "\" in pod \"" + name +
                                         "\" is waiting to start: ContainerCreating");
  }
  std::shared_ptr<PodWork> w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = work_.find(ns + "/" + name);
    if (it != work_.end()) w = it->second;
  }
  if (!w) {
    return Status(Code::kBadRequest, "container \"" + container + "\" in pod \"" + name +
                                         "\" is waiting to start: ContainerCreating");
  }
  std::string path;
  {
    std::lock_guard<std::mutex> lock(w->mu);
    const ContainerRecord* rec = FindContainerRecord(w->record, container);
    if (!rec) {
      return Status(Code::kBadRequest, "container \"" + container + "\" in pod \"" + name +
                                           "\" is waiting to start: ContainerCreating");
    }
    int attempt = rec->restart_count;
    if (options.previous) {
      if (rec->restart_count == 0 || !rec->last_terminated.is_object()) {
        return Status(Code::kBadRequest, "previous terminated container \"" + container +
                                             "\" in pod \"" + name + "\" not found");
      }
      attempt = rec->restart_count - 1;
    } else if (rec->container_id.empty()) {
      std::string reason = rec->waiting_reason.empty() ? "ContainerCreating" : rec->waiting_reason;
      return Status(Code::kBadRequest, "container \"" + container + "\" in pod \"" + name +
                                           "\" is waiting to start: " + reason);
    }
    path = LogPath(w->record, container, attempt);
  }
  LogReadOptions read;
  read.timestamps = options.timestamps;
  read.tail_lines = options.tail_lines;
  read.limit_bytes = options.limit_bytes;
  if (options.since_seconds) read.since = clock_.Now() - std::chrono::seconds(*options.since_seconds);
  if (options.since_time) {
    SystemTime t;
    if (!ParseRfc3339(*options.since_time, &t)) {
      return Status(Code::kBadRequest, "invalid sinceTime: " + *options.since_time);
    }
    read.since = t;
  }
  auto text = ReadCriLog(path, read);
  if (!text.ok() && text.status().code() == Code::kNotFound) return std::string();
  return text;
}

std::unique_ptr<Kubelet> NewKubelet(Client& client, Clock& clock, const KubeletOptions& options) {
  return std::make_unique<KubeletImpl>(client, clock, options);
}

}  // namespace minik
