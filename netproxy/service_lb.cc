#include "netproxy/service_lb.h"

#include "api/log.h"
#include "netproxy/service_model.h"

namespace minik::netproxy {

namespace {
const ResourceRef kServices{"", "v1", "services"};
}

LoadBalancerStatus::LoadBalancerStatus(Client& client, Clock& clock,
                                       SharedInformerFactory& informers, std::string node_ip)
    : client_(client), services_(informers.For(kServices)), node_ip_(std::move(node_ip)),
      queue_(clock) {}

LoadBalancerStatus::~LoadBalancerStatus() { Stop(); }

void LoadBalancerStatus::Start() {
  ResourceEventHandlers h;
  h.on_add = [this](const Json& s) { queue_.Add(ObjectKey(s)); };
  h.on_update = [this](const Json&, const Json& s) { queue_.Add(ObjectKey(s)); };
  services_.AddEventHandler(h);
  services_.Start();
  thread_ = std::thread([this] { Run(); });
}

void LoadBalancerStatus::Stop() {
  queue_.ShutDown();
  if (thread_.joinable()) thread_.join();
}

void LoadBalancerStatus::Run() {
  std::string key;
  while (queue_.Get(&key)) {
    Status st = Reconcile(key);
    if (st.ok() || st.code() == Code::kNotFound) {
      queue_.Forget(key);
    } else {
      LOG(Warning, "netproxy") << "load balancer status of " << key << ": " << st.message();
      queue_.AddRateLimited(key);
    }
    queue_.Done(key);
  }
}

Status LoadBalancerStatus::Reconcile(const std::string& key) {
  ObjectPtr svc = services_.Get(key);
  if (svc == nullptr) return Status::Ok();
  Json ingress = Json::array();
  for (const std::string& ip : WantedLoadBalancerIps(*svc, node_ip_))
    ingress.push_back({{"ip", ip}, {"ipMode", "VIP"}});
  const Json* current = Find(*svc, {"status", "loadBalancer", "ingress"});
  const bool type_lb = GetString(*svc, {"spec", "type"}) == "LoadBalancer";
  // Another load-balancer class's status is not ours to clear.
  if (type_lb && ingress.empty()) return Status::Ok();
  if ((current == nullptr && ingress.empty()) || (current != nullptr && *current == ingress))
    return Status::Ok();
  Json patch = {{"status", {{"loadBalancer", ingress.empty() ? Json::object()
                                                               : Json{{"ingress", ingress}}}}}};
  if (ingress.empty()) patch["status"]["loadBalancer"] = {{"ingress", nullptr}};
  auto r = client_.Patch(kServices, Namespace(*svc), Name(*svc), PatchType::kMerge, patch.dump(),
                         {}, "status");
  return r.status();
}

}  // namespace minik::netproxy
