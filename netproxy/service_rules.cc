#include "netproxy/service_rules.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace minik::netproxy {

namespace {

constexpr int kMaxChainName = 28;  // iptables' limit

// base32 (RFC 4648 alphabet) of sha256(text), cut to fit the chain name: kube-proxy's
// servicePortChainNameBase, so names are stable across restarts.
std::string HashName(const std::string& prefix, const std::string& kind, const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string b32;
  int bits = 0, value = 0;
  for (unsigned char c : digest) {
    value = (value << 8) | c;
    bits += 8;
    while (bits >= 5) {
      b32 += kAlphabet[(value >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  std::string base = prefix + "-" + kind + "-";
  size_t len = std::min<size_t>(16, kMaxChainName - std::min<size_t>(base.size(), kMaxChainName));
  return base + b32.substr(0, len);
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string Match(const std::string& proto, int port) {
  return "-p " + proto + " -m " + proto + " --dport " + std::to_string(port);
}

struct Names {
  std::string services, nodeports, mark_masq;
  explicit Names(const std::string& p)
      : services(p + "-SERVICES"), nodeports(p + "-NODEPORTS"), mark_masq(p + "-MARK-MASQ") {}
};

std::string SepChain(const RulesLayout& l, const ServicePort& sp, const Endpoint& ep) {
  return HashName(l.prefix, "SEP",
                  sp.Key() + sp.protocol + ep.ip + ":" + std::to_string(ep.port));
}

// One endpoint at random, weighted so each gets 1/n; ClientIP affinity first when asked.
void BalanceRules(const RulesLayout& l, const ServicePort& sp, const std::string& chain,
                  const std::vector<Endpoint>& eps, ChainSet& out) {
  auto& nat = out["nat"];
  auto& rules = nat[chain];
  const Names n(l.prefix);
  if (!sp.cluster_ip.empty()) {
    rules.push_back("-A " + chain + " ! -s " + l.pod_cidr + " -d " + sp.cluster_ip + "/32 " +
                    Match(sp.protocol, sp.port) + " -m comment --comment " +
                    Quote(sp.Key() + " cluster IP") + " -j " + n.mark_masq);
  }
  if (sp.affinity_seconds > 0) {
    for (const Endpoint& ep : eps) {
      std::string sep = SepChain(l, sp, ep);
      rules.push_back("-A " + chain + " -m comment --comment " +
                      Quote(sp.Key() + " -> " + ep.ip + ":" + std::to_string(ep.port)) +
                      " -m recent --rcheck --seconds " + std::to_string(sp.affinity_seconds) +
                      " --reap --name " + sep + " --mask 255.255.255.255 --rsource -j " + sep);
    }
  }
  for (size_t i = 0; i < eps.size(); ++i) {
    const Endpoint& ep = eps[i];
    std::string sep = SepChain(l, sp, ep);
    std::string rule = "-A " + chain + " -m comment --comment " +
                       Quote(sp.Key() + " -> " + ep.ip + ":" + std::to_string(ep.port));
    if (i + 1 < eps.size()) {
      char prob[32];
      std::snprintf(prob, sizeof prob, "%0.10f", 1.0 / static_cast<double>(eps.size() - i));
      rule += std::string(" -m statistic --mode random --probability ") + prob;
    }
    rules.push_back(rule + " -j " + sep);
    auto& sep_rules = nat[sep];
    if (!sep_rules.empty()) continue;  // shared by P-SVC and P-SVL
    const std::string comment = " -m comment --comment " + Quote(sp.Key());
    // A pod reaching itself through the service comes back through its own bridge port.
    sep_rules.push_back("-A " + sep + comment + " -s " + ep.ip + "/32 -j " + n.mark_masq);
    std::string dnat = "-A " + sep + comment + " -p " + sp.protocol;
    if (sp.affinity_seconds > 0)
      dnat += " -m recent --set --name " + sep + " --mask 255.255.255.255 --rsource";
    dnat += " -m " + sp.protocol + " -j DNAT --to-destination " + ep.ip + ":" +
            std::to_string(ep.port);
    sep_rules.push_back(dnat);
  }
}

void RejectRule(std::vector<std::string>& rules, const std::string& chain, const std::string& dst,
                const ServicePort& sp, int port, const std::string& why) {
  rules.push_back("-A " + chain + " -m comment --comment " + Quote(sp.Key() + " " + why) + " " +
                  dst + Match(sp.protocol, port) + " -j REJECT --reject-with icmp-port-unreachable");
}

// The destination matches of node-port traffic, each ending with a space.
std::vector<std::string> NodePortMatches(const RulesLayout& l) {
  if (l.nodeport_cidrs.empty()) return {"-m addrtype --dst-type LOCAL "};
  std::vector<std::string> out;
  for (const std::string& cidr : l.nodeport_cidrs) out.push_back("-d " + cidr + " ");
  return out;
}

void AppendTable(const std::string& table, const std::vector<std::string>& lines,
                 std::string& script) {
  if (lines.empty()) return;
  script += "*" + table + "\n";
  for (const std::string& line : lines) script += line + "\n";
  script += "COMMIT\n";
}

bool JumpsTo(const std::vector<std::string>& words, const RulesLayout& l) {
  for (size_t i = 0; i + 1 < words.size(); ++i)
    if ((words[i] == "-j" || words[i] == "-g") && IsServiceChain(l, words[i + 1])) return true;
  return false;
}

// The jumps into our chains from the built-in ones, first in each.
std::map<std::string, std::vector<std::string>> Jumps(const RulesLayout& l) {
  const Names n(l.prefix);
  const std::string comment = " -m comment --comment \"minik service portals\"";
  return {
      {"nat",
       {"-I PREROUTING 1" + comment + " -j " + n.services,
        "-I OUTPUT 1" + comment + " -j " + n.services}},
      {"filter",
       {"-I INPUT 1 -m conntrack --ctstate NEW" + comment + " -j " + n.services,
        "-I FORWARD 1 -m conntrack --ctstate NEW" + comment + " -j " + n.services,
        "-I OUTPUT 1 -m conntrack --ctstate NEW" + comment + " -j " + n.services}},
  };
}

}  // namespace

std::string ServicePort::Key() const { return ns + "/" + name + ":" + port_name; }

std::vector<Endpoint> UsableEndpoints(const std::vector<Endpoint>& endpoints, bool local_only) {
  std::vector<Endpoint> ready, terminating;
  for (const Endpoint& ep : endpoints) {
    if (local_only && !ep.local) continue;
    if (ep.ready) {
      ready.push_back(ep);
    } else if (ep.serving && ep.terminating) {
      terminating.push_back(ep);
    }
  }
  return ready.empty() ? terminating : ready;
}

bool IsServiceChain(const RulesLayout& l, const std::string& chain) {
  const std::string p = l.prefix + "-";
  if (chain.rfind(p, 0) != 0) return false;
  const std::string rest = chain.substr(p.size());
  if (rest == "SERVICES" || rest == "NODEPORTS" || rest == "MARK-MASQ") return true;
  for (const char* kind : {"SVC-", "SVL-", "EXT-", "SEP-"})
    if (rest.rfind(kind, 0) == 0) return true;
  return false;
}

ChainSet RenderServiceChains(const RulesLayout& l, std::vector<ServicePort> ports) {
  std::sort(ports.begin(), ports.end(), [](const ServicePort& a, const ServicePort& b) {
    return std::tie(a.ns, a.name, a.port_name, a.protocol) <
           std::tie(b.ns, b.name, b.port_name, b.protocol);
  });
  const Names n(l.prefix);
  ChainSet out;
  auto& nat = out["nat"];
  auto& filter = out["filter"];
  auto& services = nat[n.services];
  auto& nodeports = nat[n.nodeports];
  nat[n.mark_masq] = {"-A " + n.mark_masq + " -j MARK --set-xmark " + net::kMasqMark};
  auto& reject = filter[n.services];

  for (const ServicePort& sp : ports) {
    const std::string svc = HashName(l.prefix, "SVC", sp.Key() + sp.protocol);
    const std::string svl = HashName(l.prefix, "SVL", sp.Key() + sp.protocol);
    const std::string ext = HashName(l.prefix, "EXT", sp.Key() + sp.protocol);
    const std::vector<Endpoint> all = UsableEndpoints(sp.endpoints, false);
    const std::vector<Endpoint> local = UsableEndpoints(sp.endpoints, true);
    const bool needs_local = sp.internal_local || sp.external_local;
    const bool has_external = sp.node_port > 0 || !sp.external_ips.empty();
    const std::vector<Endpoint>& internal_eps = sp.internal_local ? local : all;
    const std::vector<Endpoint>& external_eps = sp.external_local ? local : all;
    const std::string internal_chain = sp.internal_local ? svl : svc;

    if (!all.empty() && (!sp.cluster_ip.empty() || has_external))
      BalanceRules(l, sp, svc, all, out);
    if (needs_local && !local.empty()) BalanceRules(l, sp, svl, local, out);

    if (!sp.cluster_ip.empty()) {
      const std::string dst = "-d " + sp.cluster_ip + "/32 ";
      if (internal_eps.empty()) {
        RejectRule(reject, n.services, dst, sp, sp.port, "has no endpoints");
      } else {
        services.push_back("-A " + n.services + " -m comment --comment " +
                           Quote(sp.Key() + " cluster IP") + " " + dst +
                           Match(sp.protocol, sp.port) + " -j " + internal_chain);
      }
    }
    if (!has_external) continue;
    if (external_eps.empty()) {
      for (const std::string& ip : sp.external_ips)
        RejectRule(reject, n.services, "-d " + ip + "/32 ", sp, sp.port, "has no endpoints");
      if (sp.node_port > 0)
        for (const std::string& dst : NodePortMatches(l))
          RejectRule(reject, n.services, dst, sp, sp.node_port, "has no endpoints");
      continue;
    }
    auto& ext_rules = nat[ext];
    if (sp.external_local) {
      // Pods and the node itself may use every endpoint; others keep their source address and
      // reach only this node's endpoints, as kube-proxy does.
      ext_rules.push_back("-A " + ext + " -s " + l.pod_cidr + " -j " + svc);
      ext_rules.push_back("-A " + ext + " -m addrtype --src-type LOCAL -j " + n.mark_masq);
      ext_rules.push_back("-A " + ext + " -m addrtype --src-type LOCAL -j " + svc);
      ext_rules.push_back("-A " + ext + " -j " + svl);
    } else {
      ext_rules.push_back("-A " + ext + " -j " + n.mark_masq);
      ext_rules.push_back("-A " + ext + " -j " + svc);
    }
    for (const std::string& ip : sp.external_ips) {
      services.push_back("-A " + n.services + " -m comment --comment " +
                         Quote(sp.Key() + " external IP") + " -d " + ip + "/32 " +
                         Match(sp.protocol, sp.port) + " -j " + ext);
    }
    if (sp.node_port > 0) {
      nodeports.push_back("-A " + n.nodeports + " -m comment --comment " + Quote(sp.Key()) + " " +
                          Match(sp.protocol, sp.node_port) + " -j " + ext);
    }
  }
  for (const std::string& dst : NodePortMatches(l))
    services.push_back("-A " + n.services + " -m comment --comment \"minik service nodeports\" " +
                       dst + "-j " + n.nodeports);
  if (!l.service_cidr.empty()) {
    // Whatever still heads for the service range has no rule: refuse it here rather than
    // letting the default route carry it off the machine.
    reject.push_back("-A " + n.services +
                     " -m comment --comment \"minik: no service at this address\" -d " +
                     l.service_cidr + " -j REJECT --reject-with icmp-port-unreachable");
  }
  return out;
}

std::string RenderChainDiff(const ChainSet& programmed, const ChainSet& desired) {
  std::set<std::string> tables;
  for (const auto& [t, _] : programmed) tables.insert(t);
  for (const auto& [t, _] : desired) tables.insert(t);
  static const std::map<std::string, std::vector<std::string>> kEmpty;
  std::string script;
  for (const std::string& table : tables) {
    auto pit = programmed.find(table);
    auto dit = desired.find(table);
    const auto& have = pit == programmed.end() ? kEmpty : pit->second;
    const auto& want = dit == desired.end() ? kEmpty : dit->second;
    std::vector<std::string> declare, rules, remove;
    for (const auto& [chain, lines] : want) {
      auto it = have.find(chain);
      if (it != have.end() && it->second == lines) continue;
      declare.push_back(":" + chain + " - [0:0]");
      rules.insert(rules.end(), lines.begin(), lines.end());
    }
    for (const auto& [chain, _] : have) {
      if (want.count(chain)) continue;
      declare.push_back(":" + chain + " - [0:0]");
      remove.push_back("-X " + chain);
    }
    declare.insert(declare.end(), rules.begin(), rules.end());
    declare.insert(declare.end(), remove.begin(), remove.end());
    AppendTable(table, declare, script);
  }
  return script;
}

std::string RenderFullSync(const RulesLayout& l, const net::SavedTables& saved,
                           const ChainSet& desired) {
  std::map<std::string, std::vector<std::string>> jumps = Jumps(l);
  std::set<std::string> tables;
  for (const auto& [t, _] : desired) tables.insert(t);
  for (const auto& [t, _] : jumps) tables.insert(t);
  std::string script;
  for (const std::string& table : tables) {
    std::vector<std::string> lines, rules, remove;
    auto sit = saved.find(table);
    auto dit = desired.find(table);
    std::set<std::string> declared;
    if (dit != desired.end()) {
      for (const auto& [chain, chain_rules] : dit->second) {
        declared.insert(chain);
        lines.push_back(":" + chain + " - [0:0]");
        rules.insert(rules.end(), chain_rules.begin(), chain_rules.end());
      }
    }
    if (sit != saved.end()) {
      for (const std::string& chain : sit->second.chains) {
        if (!IsServiceChain(l, chain) || declared.count(chain)) continue;
        lines.push_back(":" + chain + " - [0:0]");
        remove.push_back("-X " + chain);
      }
      for (const std::string& rule : sit->second.rules) {
        std::vector<std::string> w = net::SplitRuleWords(rule);
        if (w.size() < 2 || IsServiceChain(l, w[1]) || !JumpsTo(w, l)) continue;
        lines.push_back("-D" + rule.substr(2));
      }
    }
    lines.insert(lines.end(), rules.begin(), rules.end());
    auto jit = jumps.find(table);
    if (jit != jumps.end()) lines.insert(lines.end(), jit->second.begin(), jit->second.end());
    lines.insert(lines.end(), remove.begin(), remove.end());
    AppendTable(table, lines, script);
  }
  return script;
}

std::string RenderServiceCleanup(const RulesLayout& l, const net::SavedTables& saved) {
  std::string script;
  for (const auto& [table, content] : saved) {
    std::vector<std::string> lines, remove;
    for (const std::string& rule : content.rules) {
      std::vector<std::string> w = net::SplitRuleWords(rule);
      if (w.size() < 2 || IsServiceChain(l, w[1]) || !JumpsTo(w, l)) continue;
      lines.push_back("-D" + rule.substr(2));
    }
    for (const std::string& chain : content.chains) {
      if (!IsServiceChain(l, chain)) continue;
      lines.push_back(":" + chain + " - [0:0]");
      remove.push_back("-X " + chain);
    }
    lines.insert(lines.end(), remove.begin(), remove.end());
    AppendTable(table, lines, script);
  }
  return script;
}

}  // namespace minik::netproxy
