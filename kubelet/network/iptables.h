// The pod network's iptables rules, as iptables-restore input rendered from what
// iptables-save shows now (so every change is one atomic, idempotent transaction).
//
// Chains (P = NetworkOptions::chain_prefix):
//   nat    P-POSTROUTING  <- POSTROUTING         MASQUERADE: pod egress (-s cidr ! -d cidr),
//                                                hairpin mark 0x4000, 127.0.0.0/8 -o bridge
//   nat    P-HOSTPORTS    <- PREROUTING, OUTPUT  per pod: MARK for hairpin + DNAT, each rule
//                            (-m addrtype --dst-type LOCAL)      commented with the pod key
//   filter P-FORWARD      <- FORWARD (first)     ACCEPT -i bridge, -o bridge
//
// Rendering is pure and tested; IptablesRunner execs iptables-save/iptables-restore (the nft
// backend; its "iptables-legacy tables present" warning on stderr is ignored).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/status.h"
#include "kubelet/network/cidr.h"
#include "kubelet/network/network.h"

namespace minik::net {

inline constexpr const char* kMasqMark = "0x4000/0x4000";

struct IptablesLayout {
  std::string prefix;  // chain prefix
  std::string bridge;
  Ipv4Cidr cidr;

  std::string Postrouting() const { return prefix + "-POSTROUTING"; }
  std::string HostPorts() const { return prefix + "-HOSTPORTS"; }
  std::string Forward() const { return prefix + "-FORWARD"; }
};

// One table of iptables-save output.
struct SavedTable {
  std::set<std::string> chains;    // every chain declared (built-in and user)
  std::vector<std::string> rules;  // "-A CHAIN ..." lines, in order
};
using SavedTables = std::map<std::string, SavedTable>;  // "nat", "filter", ...

SavedTables ParseIptablesSave(const std::string& text);
// Splits a rule line into words the way iptables-restore does ("..." quoting, \" escapes).
std::vector<std::string> SplitRuleWords(const std::string& line);

// Chain prefixes are [A-Za-z0-9_-]{1,16} (chain names are at most 28 characters).
Status ValidateChainPrefix(const std::string& prefix);
// Pod keys go into rule comments: [A-Za-z0-9_.:@+=/-]{1,200}.
Status ValidateKey(const std::string& key);

// Checks protocol (TCP/UDP/SCTP, any case, "" = TCP), port ranges and an IPv4 hostIP.
Status ValidateHostPorts(const std::vector<HostPort>& ports);

// Creates/refreshes our chains (P-HOSTPORTS keeps its per-pod rules) and adds each missing
// jump once (duplicates are removed).
std::string RenderInit(const IptablesLayout& layout, const SavedTables& saved);
// The "-A P-HOSTPORTS ..." lines for a pod's hostPorts: per port a MARK (hairpin) and a DNAT
// rule, commented with the key. Validates the ports.
StatusOr<std::vector<std::string>> HostPortRules(const IptablesLayout& layout,
                                                 const std::string& key, uint32_t pod_ip,
                                                 const std::vector<HostPort>& ports);
// The rules of P-HOSTPORTS in `saved`, by the key in their comment.
std::map<std::string, std::vector<std::string>> HostPortRulesByKey(const IptablesLayout& layout,
                                                                   const SavedTables& saved);
// nat-table input deleting `old_rules` ("-A" lines, deleted by their spec) and appending
// `new_rules`; "" when both are empty.
std::string RenderReplace(const std::vector<std::string>& old_rules,
                          const std::vector<std::string>& new_rules);
// Replaces the rules of `key` in P-HOSTPORTS, as `saved` shows them, with those for `ports`
// (possibly none). "" when there is nothing to do; an error if rules are to be added and the
// chain does not exist.
StatusOr<std::string> RenderHostPorts(const IptablesLayout& layout, const SavedTables& saved,
                                      const std::string& key, uint32_t pod_ip,
                                      const std::vector<HostPort>& ports);
// Removes every jump to our chains and the chains. "" when there is nothing to do.
std::string RenderCleanup(const IptablesLayout& layout, const SavedTables& saved);
// The keys that have rules in P-HOSTPORTS.
std::set<std::string> HostPortKeys(const IptablesLayout& layout, const SavedTables& saved);

class IptablesRunner {
 public:
  virtual ~IptablesRunner() = default;
  virtual StatusOr<SavedTables> Save() = 0;
  // Applies `script` with iptables-restore --noflush (nothing when empty).
  virtual Status Restore(const std::string& script) = 0;
};

// The real one: /usr/sbin/iptables-save and iptables-restore --noflush -w.
class ExecIptablesRunner : public IptablesRunner {
 public:
  StatusOr<SavedTables> Save() override;
  Status Restore(const std::string& script) override;
};

}  // namespace minik::net
