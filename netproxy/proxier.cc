#include "netproxy/proxier.h"

#include <map>

#include "api/log.h"
#include "kubelet/network/exec.h"
#include "netproxy/service_model.h"

namespace minik::netproxy {

namespace {

constexpr const char* kTag = "netproxy";
constexpr const char* kSliceIndex = "netproxy.service";
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kSlices{"discovery.k8s.io", "v1", "endpointslices"};

class ExecConntrack final : public ConntrackRunner {
 public:
  Status Delete(const std::vector<std::string>& args) override {
    std::vector<std::string> argv = {"conntrack"};
    argv.insert(argv.end(), args.begin(), args.end());
    StatusOr<net::CommandResult> r = net::RunCommand(argv);
    if (!r.ok()) return r.status();
    // Exit 1 with "0 flow entries have been deleted" is the common, harmless case.
    if (r->exit_code != 0 && r->err.find("0 flow entries") == std::string::npos)
      return Internal("conntrack exited " + std::to_string(r->exit_code) + ": " + r->err);
    return Status::Ok();
  }
};

std::set<std::string> EndpointIps(const ServicePort& sp) {
  std::set<std::string> ips;
  for (const Endpoint& ep : UsableEndpoints(sp.endpoints, false)) ips.insert(ep.ip);
  for (const Endpoint& ep : UsableEndpoints(sp.endpoints, true)) ips.insert(ep.ip);
  return ips;
}

}  // namespace

std::unique_ptr<ConntrackRunner> NewExecConntrackRunner() {
  return std::make_unique<ExecConntrack>();
}

ServiceProxier::ServiceProxier(SharedInformerFactory& informers, ProxierOptions options,
                               std::unique_ptr<net::IptablesRunner> iptables,
                               std::unique_ptr<ConntrackRunner> conntrack)
    : services_(informers.For(kServices)),
      slices_(informers.For(kSlices)),
      options_(std::move(options)),
      iptables_(std::move(iptables)),
      conntrack_(std::move(conntrack)) {}

ServiceProxier::~ServiceProxier() { Stop(); }

Status ServiceProxier::Start() {
  Status indexed = slices_.AddIndex(kSliceIndex, [](const Json& slice) -> std::vector<std::string> {
    std::string svc = GetString(slice, {"metadata", "labels", "kubernetes.io/service-name"});
    if (svc.empty()) return {};
    return {Namespace(slice) + "/" + svc};
  });
  if (!indexed.ok() && indexed.code() != Code::kAlreadyExists) return indexed;
  ResourceEventHandlers h;
  h.on_add = [this](const Json&) { MarkDirty(); };
  h.on_update = [this](const Json&, const Json&) { MarkDirty(); };
  h.on_delete = [this](const Json&) { MarkDirty(); };
  services_.AddEventHandler(h);
  slices_.AddEventHandler(h);
  services_.Start();
  slices_.Start();
  if (!services_.WaitForSync(std::chrono::seconds(60)) ||
      !slices_.WaitForSync(std::chrono::seconds(60)))
    return Status(Code::kTimeout, "netproxy: services and endpointslices did not sync");
  MINIK_RETURN_IF_ERROR(Sync(/*full=*/true));
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void ServiceProxier::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceProxier::MarkDirty() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
  }
  cv_.notify_all();
}

bool ServiceProxier::WaitForSyncAfterNow(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  // A sync already running may have read the state before the caller's change.
  const uint64_t target = started_syncs_ + 1;
  dirty_ = true;
  cv_.notify_all();
  return cv_.wait_for(lock, timeout, [&] { return done_syncs_ >= target || stopping_; }) &&
         done_syncs_ >= target;
}

Status ServiceProxier::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void ServiceProxier::Run() {
  bool need_full = false;
  auto last = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return dirty_ || stopping_; });
    if (stopping_) return;
    // Coalesce a burst of events, and keep a floor between syncs.
    auto earliest = std::max(std::chrono::steady_clock::now() + options_.batch,
                             last + options_.min_interval);
    cv_.wait_until(lock, earliest, [&] { return stopping_; });
    if (stopping_) return;
    dirty_ = false;
    ++started_syncs_;
    lock.unlock();
    Status st = Sync(need_full);
    last = std::chrono::steady_clock::now();
    lock.lock();
    ++done_syncs_;
    last_error_ = st;
    cv_.notify_all();
    if (!st.ok()) {
      LOG(Warning, kTag) << "sync failed, retrying: " << st.message();
      // Someone may have changed our chains: the retry re-reads and rewrites everything.
      need_full = true;
      cv_.wait_for(lock, options_.retry, [&] { return stopping_; });
      dirty_ = true;
    } else {
      need_full = false;
    }
  }
}

std::vector<ServicePort> ServiceProxier::CurrentPorts() const {
  std::vector<ServicePort> ports;
  for (const ObjectPtr& svc : services_.List()) {
    std::vector<ObjectPtr> slices = slices_.ByIndex(kSliceIndex, ObjectKey(*svc));
    std::vector<const Json*> raw;
    raw.reserve(slices.size());
    for (const ObjectPtr& s : slices) raw.push_back(s.get());
    for (ServicePort& sp : ServicePortsOf(*svc, raw, options_.node_name))
      ports.push_back(std::move(sp));
  }
  return ports;
}

Status ServiceProxier::Sync(bool full) {
  auto started = std::chrono::steady_clock::now();
  std::vector<ServicePort> ports = CurrentPorts();
  ChainSet desired = RenderServiceChains(options_.layout, ports);
  std::string script;
  if (full) {
    StatusOr<net::SavedTables> saved = iptables_->Save();
    if (!saved.ok()) return saved.status();
    script = RenderFullSync(options_.layout, *saved, desired);
  } else {
    script = RenderChainDiff(programmed_, desired);
  }
  Status st = iptables_->Restore(script);
  syncs_.fetch_add(1);
  if (!st.ok()) return st;
  programmed_ = std::move(desired);
  if (options_.on_synced) options_.on_synced(script);
  FlushStaleUdp(last_ports_, ports);
  last_ports_ = std::move(ports);
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  LOG(Debug, kTag) << "synced full=" << full << " services=" << services_.Size()
                   << " script_bytes=" << script.size() << " took_us=" << took.count();
  return Status::Ok();
}

void ServiceProxier::FlushStaleUdp(const std::vector<ServicePort>& before,
                                   const std::vector<ServicePort>& after) {
  if (conntrack_ == nullptr) return;
  std::map<std::string, const ServicePort*> now;
  for (const ServicePort& sp : after)
    if (sp.protocol == "udp") now[sp.Key()] = &sp;
  std::map<std::string, const ServicePort*> was;
  for (const ServicePort& sp : before)
    if (sp.protocol == "udp") was[sp.Key()] = &sp;
  auto run = [&](const std::vector<std::string>& args) {
    if (Status st = conntrack_->Delete(args); !st.ok())
      LOG(Warning, kTag) << "conntrack: " << st.message();
  };
  for (const auto& [key, old_sp] : was) {
    auto it = now.find(key);
    std::set<std::string> old_ips = EndpointIps(*old_sp);
    std::set<std::string> new_ips = it == now.end() ? std::set<std::string>{} : EndpointIps(*it->second);
    for (const std::string& ip : old_ips) {
      if (new_ips.count(ip)) continue;
      // Entries still pointing at a gone endpoint would keep UDP clients talking to nobody.
      std::vector<std::string> dsts = old_sp->external_ips;
      if (!old_sp->cluster_ip.empty()) dsts.push_back(old_sp->cluster_ip);
      for (const std::string& dst : dsts)
        run({"-D", "-p", "udp", "--orig-dst", dst, "--dst-nat", ip});
      if (old_sp->node_port > 0)
        run({"-D", "-p", "udp", "--orig-port-dst", std::to_string(old_sp->node_port),
             "--dst-nat", ip});
    }
  }
  for (const auto& [key, sp] : now) {
    auto it = was.find(key);
    bool had = it != was.end() && !EndpointIps(*it->second).empty();
    // Traffic sent while the service had no endpoints may have a conntrack entry (rejected
    // or routed elsewhere) that would shadow the new rules.
    if (!had && !EndpointIps(*sp).empty() && !sp->cluster_ip.empty())
      run({"-D", "-p", "udp", "--orig-dst", sp->cluster_ip});
  }
}

}  // namespace minik::netproxy
