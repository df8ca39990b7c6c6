#include "kubelet/network/iptables.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>

#include "kubelet/network/exec.h"

namespace minik::net {

namespace {

bool JumpsTo(const std::vector<std::string>& words, const std::string& target) {
  for (size_t i = 0; i + 1 < words.size(); ++i)
    if ((words[i] == "-j" || words[i] == "-g") && words[i + 1] == target) return true;
  return false;
}

// The value of `--comment`, or "".
std::string CommentOf(const std::vector<std::string>& words) {
  for (size_t i = 0; i + 1 < words.size(); ++i)
    if (words[i] == "--comment") return words[i + 1];
  return "";
}

// "-A CHAIN spec" -> "-D CHAIN spec": iptables-save prints rules in a form -D accepts.
std::string DeleteOf(const std::string& rule) { return "-D" + rule.substr(2); }

// Emits what it takes for exactly one rule in `chain` (of `table`) to jump to `target`.
void EnsureOneJump(const SavedTable* table, const std::string& chain, const std::string& target,
                   const std::string& add_line, std::vector<std::string>* out) {
  int seen = 0;
  if (table != nullptr) {
    for (const std::string& rule : table->rules) {
      std::vector<std::string> w = SplitRuleWords(rule);
      if (w.size() < 2 || w[0] != "-A" || w[1] != chain || !JumpsTo(w, target)) continue;
      if (++seen > 1) out->push_back(DeleteOf(rule));
    }
  }
  if (seen == 0) out->push_back(add_line);
}

void AppendTable(const std::string& name, const std::vector<std::string>& lines,
                 std::string* script) {
  if (lines.empty()) return;
  *script += "*" + name + "\n";
  for (const std::string& l : lines) *script += l + "\n";
  *script += "COMMIT\n";
}

const SavedTable* FindTable(const SavedTables& saved, const std::string& name) {
  auto it = saved.find(name);
  return it == saved.end() ? nullptr : &it->second;
}

StatusOr<std::string> NormalizeProtocol(const std::string& protocol) {
  std::string p = protocol.empty() ? "tcp" : protocol;
  std::transform(p.begin(), p.end(), p.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (p != "tcp" && p != "udp" && p != "sctp")
    return BadRequest("hostPort protocol \"" + protocol + "\" is not TCP, UDP or SCTP");
  return p;
}

}  // namespace

std::vector<std::string> SplitRuleWords(const std::string& line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false, quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size()) {
        cur += line[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

SavedTables ParseIptablesSave(const std::string& text) {
  SavedTables tables;
  SavedTable* current = nullptr;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '*') {
      current = &tables[line.substr(1)];
    } else if (line == "COMMIT") {
      current = nullptr;
    } else if (current != nullptr && line[0] == ':') {
      size_t space = line.find(' ');
      current->chains.insert(line.substr(1, space == std::string::npos ? space : space - 1));
    } else if (current != nullptr && line.rfind("-A ", 0) == 0) {
      current->rules.push_back(line);
    }
  }
  return tables;
}

Status ValidateChainPrefix(const std::string& prefix) {
  if (prefix.empty() || prefix.size() > 16)
    return BadRequest("chain prefix \"" + prefix + "\" must have 1 to 16 characters");
  for (char c : prefix)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return BadRequest("chain prefix \"" + prefix + "\" may hold only [A-Za-z0-9_-]");
  return Status::Ok();
}

Status ValidateKey(const std::string& key) {
  if (key.empty() || key.size() > 200)
    return BadRequest("pod network key must have 1 to 200 characters");
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("_.:@+=/-", c))
      return BadRequest("pod network key \"" + key + "\" may hold only [A-Za-z0-9_.:@+=/-]");
  return Status::Ok();
}

Status ValidateHostPorts(const std::vector<HostPort>& ports) {
  return HostPortRules(IptablesLayout{"X", "x", {}}, "k", 1, ports).status();
}

std::string RenderInit(const IptablesLayout& l, const SavedTables& saved) {
  const std::string cidr = l.cidr.ToString();
  std::vector<std::string> nat = {
      // Declaring an existing user chain flushes it: its content is rewritten whole.
      ":" + l.Postrouting() + " - [0:0]",
      "-A " + l.Postrouting() + " -s " + cidr + " ! -d " + cidr + " -j MASQUERADE",
      "-A " + l.Postrouting() + " -m mark --mark " + kMasqMark + " -j MASQUERADE",
      // NodePorts/hostPorts reached via 127.0.0.1 (needs route_localnet on the bridge).
      "-A " + l.Postrouting() + " -s 127.0.0.0/8 -o " + l.bridge + " -j MASQUERADE",
  };
  const SavedTable* saved_nat = FindTable(saved, "nat");
  // P-HOSTPORTS holds the running pods' rules: create it only when missing.
  if (saved_nat == nullptr || !saved_nat->chains.count(l.HostPorts()))
    nat.push_back(":" + l.HostPorts() + " - [0:0]");
  EnsureOneJump(saved_nat, "POSTROUTING", l.Postrouting(), "-A POSTROUTING -j " + l.Postrouting(),
                &nat);
  for (const char* chain : {"PREROUTING", "OUTPUT"})
    EnsureOneJump(saved_nat, chain, l.HostPorts(),
                  std::string("-A ") + chain + " -m addrtype --dst-type LOCAL -j " + l.HostPorts(),
                  &nat);

  std::vector<std::string> filter = {
      ":" + l.Forward() + " - [0:0]",
      "-A " + l.Forward() + " -i " + l.bridge + " -j ACCEPT",
      "-A " + l.Forward() + " -o " + l.bridge + " -j ACCEPT",
  };
  // First in FORWARD: a DROP policy or docker's rules must not see pod traffic first.
  EnsureOneJump(FindTable(saved, "filter"), "FORWARD", l.Forward(), "-I FORWARD -j " + l.Forward(),
                &filter);

  std::string script;
  AppendTable("nat", nat, &script);
  AppendTable("filter", filter, &script);
  return script;
}

StatusOr<std::vector<std::string>> HostPortRules(const IptablesLayout& l, const std::string& key,
                                                 uint32_t pod_ip,
                                                 const std::vector<HostPort>& ports) {
  MINIK_RETURN_IF_ERROR(ValidateKey(key));
  std::vector<std::string> rules;
  const std::string ip = FormatIpv4(pod_ip);
  for (const HostPort& p : ports) {
    StatusOr<std::string> proto = NormalizeProtocol(p.protocol);
    if (!proto.ok()) return proto.status();
    if (p.host_port < 1 || p.host_port > 65535 || p.container_port < 1 || p.container_port > 65535)
      return BadRequest("hostPort " + std::to_string(p.host_port) + " -> " +
                        std::to_string(p.container_port) + ": ports must be in 1..65535");
    std::string match;
    if (!p.host_ip.empty() && p.host_ip != "0.0.0.0") {
      StatusOr<uint32_t> host_ip = ParseIpv4(p.host_ip);
      if (!host_ip.ok()) return BadRequest("hostIP \"" + p.host_ip + "\" is not an IPv4 address");
      match += "-d " + FormatIpv4(*host_ip) + "/32 ";
    }
    match += "-p " + *proto + " -m " + *proto + " --dport " + std::to_string(p.host_port);
    const std::string comment = " -m comment --comment \"" + key + "\"";
    // A pod reaching its own hostPort comes back through its own bridge port: masquerade it.
    rules.push_back("-A " + l.HostPorts() + " " + match + " -s " + ip + "/32" + comment +
                    " -j MARK --set-xmark " + kMasqMark);
    rules.push_back("-A " + l.HostPorts() + " " + match + comment + " -j DNAT --to-destination " +
                    ip + ":" + std::to_string(p.container_port));
  }
  return rules;
}

std::map<std::string, std::vector<std::string>> HostPortRulesByKey(const IptablesLayout& l,
                                                                   const SavedTables& saved) {
  std::map<std::string, std::vector<std::string>> by_key;
  const SavedTable* nat = FindTable(saved, "nat");
  if (nat == nullptr) return by_key;
  for (const std::string& rule : nat->rules) {
    std::vector<std::string> w = SplitRuleWords(rule);
    if (w.size() < 2 || w[1] != l.HostPorts()) continue;
    std::string key = CommentOf(w);
    if (!key.empty()) by_key[key].push_back(rule);
  }
  return by_key;
}

std::string RenderReplace(const std::vector<std::string>& old_rules,
                          const std::vector<std::string>& new_rules) {
  std::vector<std::string> lines;
  for (const std::string& rule : old_rules) lines.push_back(DeleteOf(rule));
  lines.insert(lines.end(), new_rules.begin(), new_rules.end());
  std::string script;
  AppendTable("nat", lines, &script);
  return script;
}

StatusOr<std::string> RenderHostPorts(const IptablesLayout& l, const SavedTables& saved,
                                      const std::string& key, uint32_t pod_ip,
                                      const std::vector<HostPort>& ports) {
  StatusOr<std::vector<std::string>> rules = HostPortRules(l, key, pod_ip, ports);
  if (!rules.ok()) return rules.status();
  const SavedTable* nat = FindTable(saved, "nat");
  if (!rules->empty() && (nat == nullptr || !nat->chains.count(l.HostPorts())))
    return Status(Code::kInternal, "iptables chain " + l.HostPorts() +
                                       " is missing: the pod network is not initialized");
  std::map<std::string, std::vector<std::string>> by_key = HostPortRulesByKey(l, saved);
  return RenderReplace(by_key[key], *rules);
}

std::string RenderCleanup(const IptablesLayout& l, const SavedTables& saved) {
  const std::set<std::string> ours = {l.Postrouting(), l.HostPorts(), l.Forward()};
  std::string script;
  for (const auto& [name, table] : saved) {
    std::vector<std::string> lines;
    for (const std::string& rule : table.rules) {
      std::vector<std::string> w = SplitRuleWords(rule);
      if (w.size() < 2 || ours.count(w[1])) continue;
      for (const std::string& target : ours)
        if (JumpsTo(w, target)) lines.push_back(DeleteOf(rule));
    }
    std::vector<std::string> present;
    for (const std::string& chain : ours)
      if (table.chains.count(chain)) present.push_back(chain);
    for (const std::string& chain : present) lines.push_back(":" + chain + " - [0:0]");
    for (const std::string& chain : present) lines.push_back("-X " + chain);
    AppendTable(name, lines, &script);
  }
  return script;
}

std::set<std::string> HostPortKeys(const IptablesLayout& l, const SavedTables& saved) {
  std::set<std::string> keys;
  for (const auto& [key, rules] : HostPortRulesByKey(l, saved)) keys.insert(key);
  return keys;
}

StatusOr<SavedTables> ExecIptablesRunner::Save() {
  StatusOr<CommandResult> r = RunCommand({"iptables-save"});
  if (!r.ok()) return r.status();
  if (r->exit_code != 0)
    return Internal("iptables-save exited " + std::to_string(r->exit_code) + ": " + r->err);
  return ParseIptablesSave(r->out);
}

Status ExecIptablesRunner::Restore(const std::string& script) {
  if (script.empty()) return Status::Ok();
  StatusOr<CommandResult> r = RunCommand({"iptables-restore", "--noflush", "-w"}, script);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0)
    return Internal("iptables-restore exited " + std::to_string(r->exit_code) + ": " + r->err +
                    "input:\n" + script);
  return Status::Ok();
}

}  // namespace minik::net
