#include "cmd/node_setup.h"

#include "kubelet/network/cidr.h"

namespace minik {

RuntimeOptions RuntimeOptionsFor(const std::string& profile, const ProfileConfig& config,
                                 const ProfilePaths& paths) {
  RuntimeOptions o;
  o.root = paths.dir + "/runtime";
  o.exe = "/proc/self/exe";
  // Named by the host-wide network index too: profiles called alike in two $MINIK_HOMEs
  // never share (or clean up) each other's cgroups.
  o.cgroup_root = "minik/" + std::to_string(config.pod_cidr_index) + "-" + profile;
  return o;
}

NetworkOptions NetworkOptionsFor(const ProfileConfig& config, const ProfilePaths& paths) {
  NetworkOptions o;
  o.bridge = BridgeName(config);
  o.cidr = PodCidr(config);
  o.state_dir = paths.dir + "/network";
  // iptables chain names are at most 28 characters: MINIK<i>-POSTROUTING fits.
  o.chain_prefix = "MINIK" + std::to_string(config.pod_cidr_index);
  return o;
}

std::string ImagesDir(const ProfilePaths& paths) { return paths.dir + "/images"; }

std::string NodeIpFor(const ProfileConfig& config) {
  auto cidr = net::ParseCidr(PodCidr(config));
  return cidr.ok() ? net::FormatIpv4(cidr->Gateway()) : "127.0.0.1";
}

NetProxyOptions NetProxyOptionsFor(const std::string& profile, const ProfileConfig& config) {
  NetProxyOptions o;
  o.node_name = profile;
  o.node_ip = NodeIpFor(config);
  o.chain_prefix = "MINIK" + std::to_string(config.pod_cidr_index);
  o.pod_cidr = PodCidr(config);
  return o;
}

}  // namespace minik
