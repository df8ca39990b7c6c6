// The node agent: registers the Node (kubelet's registerWithAPIServer), posts its status
// (setNodeStatus) and keeps the node lease (pkg/kubelet/nodelease) alive.
//
// Threads: Start() runs on the caller's thread; then one heartbeat thread renews the Lease
// every heartbeat_seconds and refreshes the node status every status_report_seconds, waiting
// on the injected Clock. Stop() wakes and joins it. mu_ guards stopping_ (and the cv);
// everything else is touched by one thread at a time (Start before the thread, then the
// thread).
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/log.h"
#include "kubelet/node_agent.h"
#include "kubelet/node_machine.h"

namespace minik {

namespace {

constexpr const char* kLog = "node";
const ResourceRef kNodes{"", "v1", "nodes"};
const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases"};
constexpr const char* kLeaseNamespace = "kube-node-lease";
constexpr int kStatusUpdateRetries = 5;  // upstream nodeStatusUpdateRetry
constexpr int kKubeletPort = 10250;

Json Condition(const char* type, const char* status, const char* reason, const char* message) {
  return {{"type", type}, {"status", status}, {"reason", reason}, {"message", message}};
}

class NodeAgentImpl final : public NodeAgent {
 public:
  NodeAgentImpl(Client& client, Clock& clock, NodeAgentOptions options)
      : client_(client), clock_(clock), options_(std::move(options)) {}

  ~NodeAgentImpl() override { Stop(); }

  Status Start() override {
    if (thread_.joinable()) return Status::Ok();
    machine_ = options_.machine ? *options_.machine : ReadMachineInfo(options_.state_dir);
    MINIK_RETURN_IF_ERROR(Register());
    MINIK_RETURN_IF_ERROR(PostStatus());
    MINIK_RETURN_IF_ERROR(RenewLease());
    auto node = client_.Get(kNodes, "", options_.node_name);
    if (!node.ok()) return node.status();
    if (!IsReady(*node)) {
      return Status(Code::kInternal, "node " + options_.node_name + " did not become Ready");
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      stopping_ = false;
    }
    thread_ = std::thread([this] { Heartbeat(); });
    LOG(Info, kLog) << "registered node=" << options_.node_name << " cpu=" << machine_.cpus
                    << " memory=" << machine_.memory_kib << "Ki";
    return Status::Ok();
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> g(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  static bool IsReady(const Json& node) {
    const Json* conds = Find(node, {"status", "conditions"});
    if (!conds || !conds->is_array()) return false;
    for (const Json& c : *conds) {
      if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) == "True";
    }
    return false;
  }

  Json WantedLabels() const {
    Json labels = {{"beta.kubernetes.io/arch", machine_.architecture},
                   {"beta.kubernetes.io/os", "linux"},
                   {"kubernetes.io/arch", machine_.architecture},
                   {"kubernetes.io/hostname", options_.node_name},
                   {"kubernetes.io/os", "linux"},
                   {"minik.io/profile", options_.profile.empty() ? options_.node_name : options_.profile}};
    if (options_.control_plane) labels["node-role.kubernetes.io/control-plane"] = "";
    for (const auto& [k, v] : options_.labels) labels[k] = v;
    return labels;
  }

  // Applies what this agent owns in metadata and spec; true when something changed.
  bool ApplySpec(Json& node) const {
    Json before = node;
    Json& meta = node["metadata"];
    if (!meta.contains("labels") || !meta["labels"].is_object()) meta["labels"] = Json::object();
    const Json wanted = WantedLabels();  // named: items() must not outlive a temporary
    for (auto& [k, v] : wanted.items()) meta["labels"][k] = v;
    if (!meta.contains("annotations") || !meta["annotations"].is_object()) {
      meta["annotations"] = Json::object();
    }
    meta["annotations"]["node.alpha.kubernetes.io/ttl"] = "0";
    meta["annotations"]["volumes.kubernetes.io/controller-managed-attach-detach"] = "true";
    if (!node.contains("spec") || !node["spec"].is_object()) node["spec"] = Json::object();
    if (!options_.pod_cidr.empty()) {
      node["spec"]["podCIDR"] = options_.pod_cidr;
      node["spec"]["podCIDRs"] = Json::array({options_.pod_cidr});
    }
    if (options_.taints.is_array() && !options_.taints.empty()) {
      node["spec"]["taints"] = options_.taints;
    }
    return node != before;
  }

  Json Resources(bool allocatable) const {
    Json r = {{"cpu", std::to_string(machine_.cpus)},
              {"pods", "110"},
              {"hugepages-1Gi", "0"},
              {"hugepages-2Mi", "0"}};
    if (machine_.memory_kib > 0) {
      // Allocatable = capacity - the default hard eviction threshold memory.available<100Mi.
      int64_t kib = machine_.memory_kib;
      if (allocatable) kib = std::max<int64_t>(0, kib - 100 * 1024);
      r["memory"] = std::to_string(kib) + "Ki";
    }
    if (machine_.ephemeral_storage_bytes > 0) {
      if (allocatable) {
        // nodefs.available<10%: what upstream leaves allocatable, in bytes.
        r["ephemeral-storage"] = std::to_string(machine_.ephemeral_storage_bytes / 10 * 9);
      } else {
        r["ephemeral-storage"] = std::to_string(machine_.ephemeral_storage_bytes / 1024) + "Ki";
      }
    }
    return r;
  }

  // The status this agent reports, keeping each condition's lastTransitionTime while its
  // status is unchanged.
  Json BuildStatus(const Json& current) const {
    std::string now = FormatRfc3339(clock_.Now());
    Json conditions = Json::array({
        Condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                  "kubelet has sufficient memory available"),
        Condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                  "kubelet has no disk pressure"),
        Condition("PIDPressure", "False", "KubeletHasSufficientPID",
                  "kubelet has sufficient PID available"),
        Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    });
    const Json* old = Find(current, {"status", "conditions"});
    for (Json& c : conditions) {
      c["lastHeartbeatTime"] = now;
      c["lastTransitionTime"] = now;
      if (!old || !old->is_array()) continue;
      for (const Json& o : *old) {
        if (GetString(o, {"type"}) == GetString(c, {"type"}) &&
            GetString(o, {"status"}) == GetString(c, {"status"}) &&
            !GetString(o, {"lastTransitionTime"}).empty()) {
          c["lastTransitionTime"] = GetString(o, {"lastTransitionTime"});
        }
      }
    }
    Json status = current.contains("status") && current["status"].is_object() ? current["status"]
                                                                              : Json::object();
    status["capacity"] = Resources(false);
    status["allocatable"] = Resources(true);
    status["conditions"] = std::move(conditions);
    status["addresses"] = Json::array({{{"type", "InternalIP"}, {"address", options_.node_ip}},
                                       {{"type", "Hostname"}, {"address", options_.node_name}}});
    status["daemonEndpoints"] = {{"kubeletEndpoint", {{"Port", kKubeletPort}}}};
    Json info = {{"architecture", machine_.architecture},
                 {"bootID", machine_.boot_id},
                 {"containerRuntimeVersion", "minik://" + options_.runtime_version},
                 {"kernelVersion", machine_.kernel_version},
                 {"kubeProxyVersion", ""},
                 {"kubeletVersion", "v1.32.0"},
                 {"machineID", machine_.machine_id},
                 {"operatingSystem", "linux"},
                 {"osImage", machine_.os_image},
                 {"systemUUID", machine_.system_uuid.empty() ? machine_.machine_id
                                                             : machine_.system_uuid}};
    status["nodeInfo"] = std::move(info);
    if (!status.contains("images")) status["images"] = Json::array();
    return status;
  }

  Json NewNode() const {
    Json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", options_.node_name}}},
                 {"spec", Json::object()}};
    ApplySpec(node);
    node["status"] = BuildStatus(node);
    return node;
  }

  // Creates the Node, or brings an existing one's labels and spec up to date.
  Status Register() {
    for (int attempt = 0; attempt < kStatusUpdateRetries; ++attempt) {
      auto created = client_.Create(kNodes, "", NewNode());
      if (created.ok()) {
        node_uid_ = Uid(*created);
        return Status::Ok();
      }
      if (created.status().code() != Code::kAlreadyExists) return created.status();
      auto node = client_.Get(kNodes, "", options_.node_name);
      if (!node.ok()) {
        if (node.status().code() == Code::kNotFound) continue;
        return node.status();
      }
      node_uid_ = Uid(*node);
      Json next = *node;
      if (!ApplySpec(next)) return Status::Ok();
      auto updated = client_.Update(kNodes, "", std::move(next));
      if (updated.ok()) return Status::Ok();
      if (updated.status().code() != Code::kConflict) return updated.status();
    }
    return Status(Code::kConflict, "node " + options_.node_name + ": registration kept conflicting");
  }

  // Writes the node status through the status subresource (re-registering a deleted node).
  Status PostStatus() {
    Status last;
    for (int attempt = 0; attempt < kStatusUpdateRetries; ++attempt) {
      auto node = client_.Get(kNodes, "", options_.node_name);
      if (!node.ok()) {
        if (node.status().code() != Code::kNotFound) return node.status();
        MINIK_RETURN_IF_ERROR(Register());
        continue;
      }
      node_uid_ = Uid(*node);
      Json next = *node;
      next["status"] = BuildStatus(*node);
      auto updated = client_.Update(kNodes, "", std::move(next), WriteOptions{}, "status");
      if (updated.ok()) return Status::Ok();
      last = updated.status();
      if (last.code() != Code::kConflict && last.code() != Code::kNotFound) return last;
    }
    return last;
  }

  Status RenewLease() {
    std::string now = FormatRfc3339Micro(clock_.Now());
    for (int attempt = 0; attempt < kStatusUpdateRetries; ++attempt) {
      auto lease = client_.Get(kLeases, kLeaseNamespace, options_.node_name);
      if (!lease.ok()) {
        if (lease.status().code() != Code::kNotFound) return lease.status();
        Json fresh = {{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", {{"name", options_.node_name}, {"namespace", kLeaseNamespace}}},
                      {"spec",
                       {{"holderIdentity", options_.node_name},
                        {"leaseDurationSeconds", options_.lease_duration_seconds},
                        {"renewTime", now}}}};
        if (!node_uid_.empty()) {
          fresh["metadata"]["ownerReferences"] = Json::array(
              {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", options_.node_name},
                {"uid", node_uid_}}});
        }
        auto created = client_.Create(kLeases, kLeaseNamespace, std::move(fresh));
        if (created.ok()) return Status::Ok();
        if (created.status().code() != Code::kAlreadyExists) return created.status();
        continue;
      }
      Json next = *lease;
      next["spec"]["holderIdentity"] = options_.node_name;
      next["spec"]["leaseDurationSeconds"] = options_.lease_duration_seconds;
      next["spec"]["renewTime"] = now;
      auto updated = client_.Update(kLeases, kLeaseNamespace, std::move(next));
      if (updated.ok()) return Status::Ok();
      if (updated.status().code() != Code::kConflict &&
          updated.status().code() != Code::kNotFound) {
        return updated.status();
      }
    }
    return Status(Code::kConflict, "lease " + options_.node_name + ": renewal kept conflicting");
  }

  void Heartbeat() {
    using std::chrono::seconds;
    const seconds lease_period(std::max(1, options_.heartbeat_seconds));
    const seconds status_period(std::max(1, options_.status_report_seconds));
    const seconds retry(1);
    SteadyTime next_lease = clock_.Steady() + lease_period;
    SteadyTime next_status = clock_.Steady() + status_period;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      SteadyTime deadline = std::min(next_lease, next_status);
      if (clock_.Steady() < deadline) {
        clock_.WaitUntil(lock, cv_, deadline);
        continue;
      }
      lock.unlock();
      SteadyTime now = clock_.Steady();
      if (now >= next_lease) {
        Status st = RenewLease();
        if (!st.ok()) {
          LOG(Warning, kLog) << "lease renewal failed node=" << options_.node_name
                             << " reason=" << st.Reason() << " message=" << st.message();
        }
        next_lease = now + (st.ok() ? lease_period : std::min<seconds>(retry, lease_period));
      }
      if (now >= next_status) {
        Status st = PostStatus();
        if (!st.ok()) {
          LOG(Warning, kLog) << "node status update failed node=" << options_.node_name
                             << " reason=" << st.Reason() << " message=" << st.message();
        }
        next_status = now + (st.ok() ? status_period : std::min<seconds>(retry, status_period));
      }
      lock.lock();
    }
  }

  Client& client_;
  Clock& clock_;
  const NodeAgentOptions options_;
  MachineInfo machine_;
  std::string node_uid_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<NodeAgent> NewNodeAgent(Client& client, Clock& clock,
                                        const NodeAgentOptions& options) {
  return std::make_unique<NodeAgentImpl>(client, clock, options);
}

}  // namespace minik
