#include "kubelet/sim_nodes.h"

#include <bitset>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "api/informer.h"
#include "api/log.h"
#include "api/workqueue.h"
#include "kubelet/node_agent.h"
#include "kubelet/pod_status.h"

namespace minik {

namespace {

const ResourceRef kPods{"", "v1", "pods"};
constexpr const char* kLog = "simnodes";

// Capacity as KWOK's default node: roomy enough that scale tests measure the control plane.
MachineInfo SimulatedMachine() {
  MachineInfo m;
  m.cpus = 32;
  m.memory_kib = 256LL * 1024 * 1024;
  m.ephemeral_storage_bytes = 1LL << 40;
  m.kernel_version = "simulated";
  m.os_image = "minik simulated node";
  m.architecture = "amd64";
  return m;
}

struct SimNode {
  std::string name, ip, cidr_prefix;  // cidr_prefix "10.128.3."
  std::bitset<256> used;              // host octets handed out (0, 1, 255 reserved)
  int next = 2;
};

class SimulatedNodesImpl final : public SimulatedNodes {
 public:
  SimulatedNodesImpl(Client& client, Clock& clock, SimulatedNodesOptions options)
      : client_(client), clock_(clock), options_(std::move(options)), queue_(clock) {
    for (int i = 0; i < options_.count; ++i) {
      SimNode n;
      n.name = SimulatedNodeName(options_, i);
      n.ip = "10.255." + std::to_string((i + 1) / 256) + "." + std::to_string((i + 1) % 256);
      n.cidr_prefix = "10." + std::to_string(options_.pod_cidr_second_octet + i / 256) + "." +
                      std::to_string(i % 256) + ".";
      n.used.set(0).set(1).set(255);
      nodes_.emplace(n.name, std::move(n));
    }
  }

  ~SimulatedNodesImpl() override { Stop(); }

  Status Start() override {
    for (auto& [name, n] : nodes_) {
      NodeAgentOptions o;
      o.node_name = name;
      o.node_ip = n.ip;
      o.control_plane = false;
      o.profile = options_.real_node;
      o.labels = {{"minik.io/simulated", "true"}, {"type", "simulated"}};
      o.taints = Json::array(
          {{{"key", "minik.io/simulated"}, {"value", "true"}, {"effect", "NoSchedule"}}});
      o.pod_cidr = n.cidr_prefix + "0/24";
      o.machine = SimulatedMachine();
      auto agent = NewNodeAgent(client_, clock_, o);
      MINIK_RETURN_IF_ERROR(agent->Start());
      agents_.push_back(std::move(agent));
    }
    if (options_.informers) {
      pods_ = &options_.informers->For(kPods);
    } else {
      InformerOptions io;
      // Pods bound to some node other than the real one: ours or nobody's.
      io.field_selector = "spec.nodeName!=,spec.nodeName!=" + options_.real_node;
      own_pods_ = std::make_unique<Informer>(client_, clock_, kPods, "", io);
      pods_ = own_pods_.get();
    }
    pods_->AddEventHandler({[this](const Json& p) { OnPod(p); },
                            [this](const Json&, const Json& p) { OnPod(p); },
                            [this](const Json& p) { Release(p); }});
    pods_->Start();
    for (int i = 0; i < options_.workers; ++i) {
      workers_.emplace_back([this] {
        std::string key;
        while (queue_.Get(&key)) {
          Status st = Sync(key);
          if (!st.ok()) {
            LOG(Warning, kLog) << "sync failed pod=" << key << " message=" << st.message();
            queue_.AddRateLimited(key);
          } else {
            queue_.Forget(key);
          }
          queue_.Done(key);
        }
      });
    }
    LOG(Info, kLog) << "registered simulated nodes=" << nodes_.size();
    return Status::Ok();
  }

  void Stop() override {
    queue_.ShutDown();
    for (auto& t : workers_) t.join();
    workers_.clear();
    if (own_pods_) own_pods_->Stop();
    for (auto& a : agents_) a->Stop();
  }

 private:
  bool Ours(const Json& pod) const {
    return nodes_.count(GetString(pod, {"spec", "nodeName"})) > 0;
  }

  void OnPod(const Json& pod) {
    if (!Ours(pod)) return;
    if (ServedStatus(pod)) KeepIp(pod);  // e.g. served before a restart: never hand it out
    if (IsTerminating(pod) || !ServedStatus(pod)) queue_.Add(ObjectKey(pod));
  }

  static bool IsTerminating(const Json& pod) {
    const Json* ts = Find(pod, {"metadata", "deletionTimestamp"});
    return ts && !ts->is_null();
  }

  // True once the pod shows the status we write (Running with an IP).
  static bool ServedStatus(const Json& pod) {
    return GetString(pod, {"status", "phase"}) == "Running" &&
           !GetString(pod, {"status", "podIP"}).empty();
  }

  Status Sync(const std::string& key) {
    ObjectPtr pod = pods_->Get(key);
    if (!pod || !Ours(*pod)) return Status::Ok();
    const Json& p = *pod;
    if (IsTerminating(p)) {
      DeleteOptions del;
      del.grace_period_seconds = 0;
      del.precondition_uid = Uid(p);
      auto r = client_.Delete(kPods, Namespace(p), Name(p), del);
      if (!r.ok() && r.status().code() != Code::kNotFound &&
          r.status().code() != Code::kConflict) {
        return r.status();
      }
      return Status::Ok();
    }
    if (ServedStatus(p)) return Status::Ok();
    PodRecord rec;
    rec.uid = Uid(p);
    rec.ns = Namespace(p);
    rec.name = Name(p);
    rec.sandbox_id = "sim-" + rec.uid;
    rec.sandbox_ready = true;
    rec.pod_ip = AssignIp(p);
    if (rec.pod_ip.empty()) {
      return Status(Code::kInternal, "no pod IP left on node " + GetString(p, {"spec", "nodeName"}));
    }
    const std::string now = FormatRfc3339(clock_.Now());
    rec.start_time = now;
    auto add = [&](const Json* list, bool init, std::vector<ContainerRecord>& out) {
      if (!list || !list->is_array()) return;
      for (const Json& c : *list) {
        ContainerRecord cr;
        cr.name = GetString(c, {"name"});
        cr.init = init;
        cr.image = GetString(c, {"image"});
        cr.container_id = "sim-" + rec.uid + "-" + cr.name;
        cr.started_at = now;
        if (init && GetString(c, {"restartPolicy"}) != "Always") {
          cr.exited = true;
          cr.reason = "Completed";
          cr.finished_at = now;
        } else {
          cr.sidecar = init;
          cr.running = cr.ready = cr.started = true;
        }
        out.push_back(std::move(cr));
      }
    };
    add(Find(p, {"spec", "initContainers"}), true, rec.init_containers);
    add(Find(p, {"spec", "containers"}), false, rec.containers);
    const std::string host_ip = nodes_.at(GetString(p, {"spec", "nodeName"})).ip;
    Json status = MakePodStatus(p, rec, host_ip, clock_.Now());
    // A merge patch of the status alone: no resourceVersion, so a concurrent metadata
    // change (a label, a controller's adoption) never makes it conflict.
    Json patch = {{"metadata", {{"uid", rec.uid}}}, {"status", std::move(status)}};
    auto r = client_.Patch(kPods, rec.ns, rec.name, PatchType::kMerge, patch.dump(), {}, "status");
    if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
    return Status::Ok();
  }

  // The pod's IP: the one it already has, else the next free address of its node.
  std::string AssignIp(const Json& pod) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = ips_.find(Uid(pod));
    if (it != ips_.end()) return it->second.second;
    SimNode& n = nodes_.at(GetString(pod, {"spec", "nodeName"}));
    for (int tries = 0; tries < 256; ++tries) {
      int octet = n.next;
      n.next = n.next >= 254 ? 2 : n.next + 1;
      if (n.used.test(octet)) continue;
      n.used.set(octet);
      std::string ip = n.cidr_prefix + std::to_string(octet);
      ips_[Uid(pod)] = {n.name, ip};
      return ip;
    }
    return "";
  }

  void KeepIp(const Json& pod) {
    const std::string ip = GetString(pod, {"status", "podIP"});
    SimNode& n = nodes_.at(GetString(pod, {"spec", "nodeName"}));
    if (ip.rfind(n.cidr_prefix, 0) != 0) return;
    int octet = std::atoi(ip.c_str() + n.cidr_prefix.size());
    if (octet <= 0 || octet >= 255) return;
    std::lock_guard<std::mutex> g(mu_);
    if (ips_.count(Uid(pod))) return;
    n.used.set(octet);
    ips_[Uid(pod)] = {n.name, ip};
  }

  void Release(const Json& pod) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = ips_.find(Uid(pod));
    if (it == ips_.end()) return;
    SimNode& n = nodes_.at(it->second.first);
    const std::string& ip = it->second.second;
    n.used.reset(std::stoi(ip.substr(ip.rfind('.') + 1)));
    ips_.erase(it);
  }

  Client& client_;
  Clock& clock_;
  const SimulatedNodesOptions options_;
  std::map<std::string, SimNode> nodes_;  // the set is fixed; `used`/`next` under mu_
  std::mutex mu_;
  std::map<std::string, std::pair<std::string, std::string>> ips_;  // uid -> node, ip
  std::vector<std::unique_ptr<NodeAgent>> agents_;
  std::unique_ptr<Informer> own_pods_;
  Informer* pods_ = nullptr;
  WorkQueue queue_;
  std::vector<std::thread> workers_;
};

}  // namespace

Status RemoveStaleSimulatedNodes(Client& client, const SimulatedNodesOptions& options) {
  const ResourceRef nodes{"", "v1", "nodes"};
  ListQuery q;
  q.label_selector = "minik.io/simulated=true";
  auto list = client.List(nodes, "", q);
  if (!list.ok()) return list.status();
  std::set<std::string> keep;
  for (int i = 0; i < options.count; ++i) keep.insert(SimulatedNodeName(options, i));
  for (const Json& n : (*list)["items"]) {
    const std::string name = Name(n);
    if (keep.count(name)) continue;
    // Their pods would stay bound to a node that never runs them.
    ListQuery pq;
    pq.field_selector = "spec.nodeName=" + name;
    DeleteOptions now;
    now.grace_period_seconds = 0;
    auto pods = client.DeleteCollection(kPods, "", pq, now);
    if (!pods.ok()) return pods.status();
    auto r = client.Delete(nodes, "", name);
    if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
    LOG(Info, kLog) << "removed stale simulated node=" << name;
  }
  return Status::Ok();
}

std::string SimulatedNodeName(const SimulatedNodesOptions& options, int i) {
  return options.name_prefix + std::to_string(i);
}

std::unique_ptr<SimulatedNodes> NewSimulatedNodes(Client& client, Clock& clock,
                                                  const SimulatedNodesOptions& options) {
  return std::make_unique<SimulatedNodesImpl>(client, clock, options);
}

}  // namespace minik
