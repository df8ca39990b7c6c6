// BridgeNetwork: bridge + veth + host-local IPAM + portmap, in-process (see network.h).
#include "kubelet/network/bridge_network.h"

#include <fcntl.h>
#include <net/if.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "api/log.h"
#include "kubelet/network/cidr.h"
#include "kubelet/network/ipam.h"
#include "kubelet/network/netlink.h"
#include "kubelet/network/netns.h"

namespace minik {
namespace net {

namespace {

constexpr const char* kPodInterface = "eth0";
constexpr int kLoopbackIndex = 1;  // lo is ifindex 1 in every network namespace

Status WriteSysctl(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Internal("cannot open " + path + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return Internal("cannot write " + path + ": " + std::strerror(err));
  return Status::Ok();
}

// "" when unreadable.
std::string ReadSysctl(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  std::string s = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void KeepFirst(Status* first, const Status& st) {
  if (first->ok() && !st.ok()) *first = st;
}

class BridgeNetwork : public PodNetwork {
 public:
  BridgeNetwork(NetworkOptions options, Ipv4Cidr cidr, std::unique_ptr<IptablesRunner> iptables)
      : options_(std::move(options)),
        cidr_(cidr),
        layout_{options_.chain_prefix, options_.bridge, cidr},
        iptables_(std::move(iptables)) {}

  Status Init() override;
  StatusOr<PodNetworkState> Setup(const std::string& key, const std::string& netns_path,
                                  const std::vector<HostPort>& host_ports) override;
  Status Teardown(const std::string& key) override;
  StatusOr<std::string> IpOf(const std::string& key) const override;
  Status Cleanup() override;

 private:
  std::string StatePath() const { return options_.state_dir + "/ipam.json"; }
  StatusOr<std::shared_ptr<IpAllocator>> Allocator() const;
  StatusOr<LinkInfo> EnsureBridge(NetlinkSocket& nl);
  // Everything that does not need the address: the veth pair on the bridge with hairpin on,
  // eth0 and lo up in the pod. Leaves the pod's netlink socket and eth0 in the out params.
  Status PlumbPod(const std::string& key, NetlinkSocket& nl, const LinkInfo& bridge,
                  const NetnsFd& netns, const std::string& host_name, bool* created_veth,
                  std::optional<NetlinkSocket>* pod_nl, int* eth0_index);
  // Whether another key holding an address has the veth name `host_name` (32 bits of hash:
  // unlikely, but deleting another pod's link must not be the way we find out).
  bool VethOfAnotherPod(const std::string& key, const std::string& host_name) const;
  // eth0's address and the default route.
  Status AddressPod(NetlinkSocket& pod_nl, int eth0_index, uint32_t ip);
  // Makes the key's hostPort rules exactly `ports` (none: removes them).
  Status SyncHostPorts(const std::string& key, uint32_t ip, const std::vector<HostPort>& ports);

  const NetworkOptions options_;
  const Ipv4Cidr cidr_;
  const IptablesLayout layout_;
  const std::unique_ptr<IptablesRunner> iptables_;

  mutable std::mutex ipam_mu_;
  mutable std::shared_ptr<IpAllocator> ipam_;  // GUARDED_BY(ipam_mu_); opened on first use

  std::mutex iptables_mu_;
  // Our picture of P-HOSTPORTS, by key, once read (Init, or the first sync). With it a pod
  // without hostPorts skips iptables entirely, and one with them costs one iptables-restore
  // (no iptables-save). If the picture is stale, the restore fails and we re-read and retry.
  // GUARDED_BY(iptables_mu_)
  std::optional<std::map<std::string, std::vector<std::string>>> hostport_rules_;
};

StatusOr<std::shared_ptr<IpAllocator>> BridgeNetwork::Allocator() const {
  std::lock_guard<std::mutex> lock(ipam_mu_);
  if (ipam_) return ipam_;
  std::error_code ec;
  std::filesystem::create_directories(options_.state_dir, ec);
  if (ec) return Internal("cannot create " + options_.state_dir + ": " + ec.message());
  StatusOr<std::unique_ptr<IpAllocator>> a = IpAllocator::Open(StatePath(), cidr_);
  if (!a.ok()) return a.status();
  ipam_ = std::move(*a);
  return ipam_;
}

StatusOr<LinkInfo> BridgeNetwork::EnsureBridge(NetlinkSocket& nl) {
  StatusOr<LinkInfo> bridge = nl.GetLink(options_.bridge);
  if (!bridge.ok() && bridge.status().code() == Code::kNotFound) {
    std::array<uint8_t, 6> mac = BridgeMac(cidr_.Gateway());
    NlMessage m = BuildNewBridge(options_.bridge, mac.data());
    Status st = nl.Do(m, options_.bridge);
    if (!st.ok() && st.code() != Code::kAlreadyExists) return st;  // lost a race: fine
    bridge = nl.GetLink(options_.bridge);
  }
  if (!bridge.ok()) return bridge.status();
  if (bridge->kind != "bridge")
    return Status(Code::kConflict, "link " + options_.bridge + " exists and is a \"" +
                                       bridge->kind + "\", not a bridge");
  if (!(bridge->flags & IFF_UP)) {
    NlMessage up = BuildSetLinkUp(bridge->index);
    MINIK_RETURN_IF_ERROR(nl.Do(up, options_.bridge));
  }
  NlMessage addr = BuildNewAddr(bridge->index, cidr_.Gateway(), cidr_.prefix, cidr_.Broadcast());
  MINIK_RETURN_IF_ERROR(nl.Do(addr, options_.bridge + " " + FormatIpv4(cidr_.Gateway())));
  return bridge;
}

Status BridgeNetwork::Init() {
  MINIK_RETURN_IF_ERROR(WriteSysctl("/proc/sys/net/ipv4/ip_forward", "1"));
  StatusOr<NetlinkSocket> nl = NetlinkSocket::Open();
  if (!nl.ok()) return nl.status();
  StatusOr<LinkInfo> bridge = EnsureBridge(*nl);
  if (!bridge.ok()) return bridge.status();
  // NodePorts and hostPorts reached via 127.0.0.1 are routed out of the bridge.
  MINIK_RETURN_IF_ERROR(
      WriteSysctl("/proc/sys/net/ipv4/conf/" + options_.bridge + "/route_localnet", "1"));
  // Service traffic between pods on the one bridge must cross iptables to be un-DNATed.
  const std::string brnf = "/proc/sys/net/bridge/bridge-nf-call-iptables";
  std::string value = ReadSysctl(brnf);
  if (value.empty()) {
    LOG(Warning, "network") << "no " << brnf
                            << " (br_netfilter not loaded): pod-to-service traffic between "
                               "pods on one bridge will fail";
  } else if (value != "1") {
    MINIK_RETURN_IF_ERROR(WriteSysctl(brnf, "1"));
  }

  std::lock_guard<std::mutex> lock(iptables_mu_);
  StatusOr<SavedTables> saved = iptables_->Save();
  if (!saved.ok()) return saved.status();
  MINIK_RETURN_IF_ERROR(iptables_->Restore(RenderInit(layout_, *saved)));
  hostport_rules_ = HostPortRulesByKey(layout_, *saved);
  return Status::Ok();
}

Status BridgeNetwork::PlumbPod(const std::string& key, NetlinkSocket& nl, const LinkInfo& bridge,
                               const NetnsFd& netns, const std::string& host_name,
                               bool* created_veth, std::optional<NetlinkSocket>* pod_nl,
                               int* eth0_index) {
  StatusOr<NetlinkSocket> opened = OpenNetlinkIn(netns);
  if (!opened.ok()) return opened.status();
  NetlinkSocket& pod = pod_nl->emplace(std::move(*opened));

  // Already connected (a repeated Setup) when our veth and the pod's eth0 are each other's
  // peers and the veth is on our bridge; anything else is rebuilt.
  StatusOr<LinkInfo> host = nl.GetLink(host_name);
  StatusOr<LinkInfo> eth0 = pod.GetLink(kPodInterface);
  const bool peers =
      host.ok() && eth0.ok() && host->link == eth0->index && eth0->link == host->index;
  if (!peers || host->master != bridge.index) {
    if (eth0.ok() && !peers)
      return Status(Code::kAlreadyExists,
                    "the pod's network namespace already has an eth0 that is not ours");
    if (host.ok() && VethOfAnotherPod(key, host_name))
      return Status(Code::kConflict, "veth " + host_name + " of pod " + key +
                                         " is taken by another pod (hash collision)");
    if (host.ok()) {  // ours but off the bridge, or a leftover of another namespace
      NlMessage del = BuildDelLink(host_name);
      Status st = nl.Do(del, host_name);
      if (!st.ok() && st.code() != Code::kNotFound) return st;
    }
    NlMessage veth = BuildNewVeth(host_name, bridge.index, kPodInterface, netns.fd());
    MINIK_RETURN_IF_ERROR(nl.Do(veth, host_name));
    *created_veth = true;
    host = nl.GetLink(host_name);
    if (!host.ok()) return host.status();
    eth0 = pod.GetLink(kPodInterface);
    if (!eth0.ok()) return eth0.status();
  }
  NlMessage hairpin = BuildSetHairpin(host->index, true);
  MINIK_RETURN_IF_ERROR(nl.Do(hairpin, host_name + " hairpin"));
  if (!(host->flags & IFF_UP)) {
    NlMessage up = BuildSetLinkUp(host->index);
    MINIK_RETURN_IF_ERROR(nl.Do(up, host_name));
  }
  NlMessage lo_up = BuildSetLinkUp(kLoopbackIndex);
  MINIK_RETURN_IF_ERROR(pod.Do(lo_up, "pod lo"));
  if (!(eth0->flags & IFF_UP)) {
    NlMessage up = BuildSetLinkUp(eth0->index);
    MINIK_RETURN_IF_ERROR(pod.Do(up, "pod eth0"));
  }
  *eth0_index = eth0->index;
  return Status::Ok();
}

bool BridgeNetwork::VethOfAnotherPod(const std::string& key, const std::string& host_name) const {
  StatusOr<std::shared_ptr<IpAllocator>> ipam = Allocator();
  if (!ipam.ok()) return false;
  for (const auto& [other, ip] : (*ipam)->Allocations())
    if (other != key && HostVethName(other) == host_name) return true;
  return false;
}

Status BridgeNetwork::AddressPod(NetlinkSocket& pod, int eth0_index, uint32_t ip) {
  NlMessage addr = BuildNewAddr(eth0_index, ip, cidr_.prefix, cidr_.Broadcast());
  MINIK_RETURN_IF_ERROR(pod.Do(addr, "pod eth0 " + FormatIpv4(ip)));
  NlMessage route = BuildDefaultRoute(eth0_index, cidr_.Gateway());
  return pod.Do(route, "pod default route via " + FormatIpv4(cidr_.Gateway()));
}

StatusOr<PodNetworkState> BridgeNetwork::Setup(const std::string& key,
                                               const std::string& netns_path,
                                               const std::vector<HostPort>& host_ports) {
  MINIK_RETURN_IF_ERROR(ValidateKey(key));
  MINIK_RETURN_IF_ERROR(ValidateHostPorts(host_ports));
  StatusOr<NetnsFd> netns = NetnsFd::Open(netns_path);
  if (!netns.ok()) return netns.status();
  StatusOr<NetlinkSocket> nl = NetlinkSocket::Open();
  if (!nl.ok()) return nl.status();
  StatusOr<LinkInfo> bridge = nl->GetLink(options_.bridge);
  if (!bridge.ok()) {
    if (bridge.status().code() == Code::kNotFound)
      return Internal("bridge " + options_.bridge +
                      " is missing: the pod network is not "
                      "initialized (Init)");
    return bridge.status();
  }
  StatusOr<std::shared_ptr<IpAllocator>> ipam = Allocator();
  if (!ipam.ok()) return ipam.status();
  const bool had_ip = (*ipam)->Lookup(key).ok();

  // The allocation's fsyncs (most of Setup's time) overlap the plumbing, which does not need
  // the address; the address is only configured, and Setup only returns, once it is durable.
  std::future<StatusOr<uint32_t>> allocation =
      std::async(std::launch::async, [&] { return (*ipam)->Allocate(key); });
  const std::string host_name = HostVethName(key);
  bool created_veth = false;
  std::optional<NetlinkSocket> pod_nl;
  int eth0_index = 0;
  Status st = PlumbPod(key, *nl, *bridge, *netns, host_name, &created_veth, &pod_nl, &eth0_index);
  StatusOr<uint32_t> ip = allocation.get();
  if (st.ok()) st = ip.status();
  if (st.ok()) st = AddressPod(*pod_nl, eth0_index, *ip);
  if (st.ok()) st = SyncHostPorts(key, *ip, host_ports);
  if (!st.ok()) {
    // Undo what this call added, so a failed Setup leaks neither a link nor an address.
    if (created_veth) {
      NlMessage del = BuildDelLink(host_name);
      (void)nl->Do(del, host_name);
    }
    if (!had_ip && ip.ok()) (void)(*ipam)->Release(key);
    return st;
  }
  return PodNetworkState{FormatIpv4(*ip), FormatIpv4(cidr_.Gateway()), host_name};
}

Status BridgeNetwork::SyncHostPorts(const std::string& key, uint32_t ip,
                                    const std::vector<HostPort>& ports) {
  StatusOr<std::vector<std::string>> rules = HostPortRules(layout_, key, ip, ports);
  if (!rules.ok()) return rules.status();
  std::lock_guard<std::mutex> lock(iptables_mu_);
  Status st = Status(Code::kInternal, "not read yet");
  if (hostport_rules_) {
    auto it = hostport_rules_->find(key);
    if (it == hostport_rules_->end() && rules->empty()) return Status::Ok();
    st = iptables_->Restore(RenderReplace(
        it == hostport_rules_->end() ? std::vector<std::string>() : it->second, *rules));
  }
  if (!st.ok()) {
    // First use, or someone changed the chain behind our back: read it and retry.
    StatusOr<SavedTables> saved = iptables_->Save();
    if (!saved.ok()) return saved.status();
    hostport_rules_ = HostPortRulesByKey(layout_, *saved);
    StatusOr<std::string> script = RenderHostPorts(layout_, *saved, key, ip, ports);
    if (!script.ok()) return script.status();
    MINIK_RETURN_IF_ERROR(iptables_->Restore(*script));
  }
  if (rules->empty()) {
    hostport_rules_->erase(key);
  } else {
    (*hostport_rules_)[key] = std::move(*rules);
  }
  return Status::Ok();
}

Status BridgeNetwork::Teardown(const std::string& key) {
  MINIK_RETURN_IF_ERROR(ValidateKey(key));
  Status first;
  StatusOr<NetlinkSocket> nl = NetlinkSocket::Open();
  if (!nl.ok()) return nl.status();
  // Deleting our end takes the pod's eth0 with it; if the namespace is gone, so is the pair.
  const std::string host_name = HostVethName(key);
  NlMessage del = BuildDelLink(host_name);
  Status st = nl->Do(del, host_name);
  if (st.code() != Code::kNotFound) KeepFirst(&first, st);
  KeepFirst(&first, SyncHostPorts(key, 0, {}));
  // The address goes last: it must not be handed out while the old pod may still use it.
  if (first.ok()) {
    StatusOr<std::shared_ptr<IpAllocator>> ipam = Allocator();
    KeepFirst(&first, ipam.ok() ? (*ipam)->Release(key) : ipam.status());
  }
  return first;
}

StatusOr<std::string> BridgeNetwork::IpOf(const std::string& key) const {
  StatusOr<std::shared_ptr<IpAllocator>> ipam = Allocator();
  if (!ipam.ok()) return ipam.status();
  StatusOr<uint32_t> ip = (*ipam)->Lookup(key);
  if (!ip.ok()) return ip.status();
  return FormatIpv4(*ip);
}

Status BridgeNetwork::Cleanup() {
  Status first;
  StatusOr<NetlinkSocket> nl = NetlinkSocket::Open();
  if (!nl.ok()) return nl.status();
  StatusOr<std::vector<LinkInfo>> links = nl->ListLinks();
  if (!links.ok()) return links.status();
  for (const LinkInfo& bridge : *links) {
    if (bridge.name != options_.bridge) continue;
    for (const LinkInfo& port : *links) {
      if (port.master != bridge.index) continue;
      NlMessage del = BuildDelLink(port.name);
      Status st = nl->Do(del, port.name);
      if (st.code() != Code::kNotFound) KeepFirst(&first, st);
    }
    NlMessage del = BuildDelLink(bridge.name);
    Status st = nl->Do(del, bridge.name);
    if (st.code() != Code::kNotFound) KeepFirst(&first, st);
  }
  {
    std::lock_guard<std::mutex> lock(iptables_mu_);
    StatusOr<SavedTables> saved = iptables_->Save();
    if (saved.ok()) {
      KeepFirst(&first, iptables_->Restore(RenderCleanup(layout_, *saved)));
    } else {
      KeepFirst(&first, saved.status());
    }
    hostport_rules_.reset();
  }
  {
    std::lock_guard<std::mutex> lock(ipam_mu_);
    ipam_.reset();
    for (const std::string& path : {StatePath(), StatePath() + ".tmp"}) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        KeepFirst(&first, Internal("cannot remove " + path + ": " + std::strerror(errno)));
    }
    ::rmdir(options_.state_dir.c_str());  // only if empty; the directory may be shared
  }
  return first;
}

}  // namespace

std::string HostVethName(const std::string& key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha256(), nullptr);
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]);
  return std::string("veth") + hex;
}

std::array<uint8_t, 6> BridgeMac(uint32_t gateway) {
  return {0x0a,
          0x58,
          static_cast<uint8_t>(gateway >> 24),
          static_cast<uint8_t>(gateway >> 16),
          static_cast<uint8_t>(gateway >> 8),
          static_cast<uint8_t>(gateway)};
}

StatusOr<std::unique_ptr<PodNetwork>> NewBridgeNetwork(const NetworkOptions& options,
                                                       std::unique_ptr<IptablesRunner> iptables) {
  if (options.bridge.empty() || options.bridge.size() >= IFNAMSIZ)
    return BadRequest("bridge name \"" + options.bridge + "\" must have 1 to 15 characters");
  if (options.state_dir.empty()) return BadRequest("pod network: state_dir is required");
  MINIK_RETURN_IF_ERROR(ValidateChainPrefix(options.chain_prefix));
  StatusOr<Ipv4Cidr> cidr = ParseCidr(options.cidr);
  if (!cidr.ok()) return cidr.status();
  return std::unique_ptr<PodNetwork>(new BridgeNetwork(options, *cidr, std::move(iptables)));
}

}  // namespace net

StatusOr<std::unique_ptr<PodNetwork>> NewPodNetwork(const NetworkOptions& options) {
  return net::NewBridgeNetwork(options, std::make_unique<net::ExecIptablesRunner>());
}

}  // namespace minik
