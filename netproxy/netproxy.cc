#include "netproxy/netproxy.h"

#include <sstream>

#include "api/log.h"
#include "netproxy/dns.h"
#include "netproxy/ingress.h"
#include "netproxy/proxier.h"
#include "netproxy/service_lb.h"

namespace minik {

namespace {

class NetProxyImpl final : public NetProxy {
 public:
  NetProxyImpl(Client& client, Clock& clock, const NetProxyOptions& options)
      : client_(client), clock_(clock), options_(options) {}
  ~NetProxyImpl() override { Stop(); }

  Status Start() override {
    if (options_.informers == nullptr) return BadRequest("netproxy needs shared informers");
    netproxy::ProxierOptions po;
    po.node_name = options_.node_name;
    po.layout = {options_.chain_prefix, options_.pod_cidr, options_.service_cidr,
                 {"127.0.0.0/8", options_.node_ip + "/32"}};
    proxier_ = std::make_unique<netproxy::ServiceProxier>(
        *options_.informers, po, std::make_unique<net::ExecIptablesRunner>(),
        netproxy::NewExecConntrackRunner());
    MINIK_RETURN_IF_ERROR(proxier_->Start());
    Told("service rules", options_.chain_prefix + " chains");
    lb_ = std::make_unique<netproxy::LoadBalancerStatus>(client_, clock_, *options_.informers,
                                                        options_.node_ip);
    lb_->Start();
    if (options_.dns) {
      DnsOptions d;
      d.address = options_.node_ip;
      d.port = options_.dns_port;
      d.cluster_domain = options_.cluster_domain;
      d.upstreams = options_.dns_upstreams;
      dns_ = NewDnsServer(*options_.informers, d);
      if (Status st = dns_->Start(); !st.ok())
        return Status(st.code(), "cluster DNS: " + st.message());
      Told("DNS", "cluster.local on " + options_.node_ip + ":" + std::to_string(options_.dns_port));
    }
    if (options_.ingress) {
      IngressOptions io;
      // The node's own address is this profile's; 127.0.0.1:80 may be another profile's.
      io.addresses = {options_.node_ip.empty() ? "127.0.0.1" : options_.node_ip};
      if (io.addresses[0] != "127.0.0.1") io.optional_addresses = {"127.0.0.1"};
      io.http_port = options_.http_port;
      io.https_port = options_.https_port;
      io.status_ip = options_.node_ip;
      ingress_ = NewIngressController(client_, clock_, *options_.informers, io);
      if (Status st = ingress_->Start(); !st.ok())
        return Status(st.code(), "ingress: " + st.message());
      Told("ingress", "class minik on ports " + std::to_string(options_.http_port) + " and " +
                          std::to_string(options_.https_port));
    }
    return Status::Ok();
  }

  void Stop() override {
    if (ingress_) ingress_->Stop();
    if (dns_) dns_->Stop();
    if (lb_) lb_->Stop();
    if (proxier_) proxier_->Stop();
  }

 private:
  void Told(const std::string& step, const std::string& detail) {
    if (options_.on_step) options_.on_step(step, detail);
  }

  Client& client_;
  Clock& clock_;
  const NetProxyOptions options_;
  std::unique_ptr<netproxy::ServiceProxier> proxier_;
  std::unique_ptr<netproxy::LoadBalancerStatus> lb_;
  std::unique_ptr<DnsServer> dns_;
  std::unique_ptr<IngressController> ingress_;
};

}  // namespace

std::unique_ptr<NetProxy> NewNetProxy(Client& client, Clock& clock, const NetProxyOptions& options) {
  return std::make_unique<NetProxyImpl>(client, clock, options);
}

Status CleanupNetProxy(const std::string& chain_prefix) {
  net::ExecIptablesRunner runner;
  StatusOr<net::SavedTables> saved = runner.Save();
  if (!saved.ok()) return saved.status();
  return runner.Restore(netproxy::RenderServiceCleanup({chain_prefix, "", "", {}}, *saved));
}

std::vector<std::string> NameserversOf(const std::string& resolv_conf) {
  std::vector<std::string> out;
  std::istringstream in(resolv_conf);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (words >> key >> value && key == "nameserver") out.push_back(value);
  }
  return out;
}

}  // namespace minik
