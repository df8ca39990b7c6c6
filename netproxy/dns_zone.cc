#include "netproxy/dns_zone.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace minik::netproxy::dns {
namespace {

// CoreDNS's msg.Service, reduced to what the kubernetes plugin fills in.
struct Ip {
  uint8_t len = 0;  // 4 or 16
  std::array<uint8_t, 16> bytes{};
  std::string_view Key() const { return {reinterpret_cast<const char*>(bytes.data()), len}; }
  bool operator==(const Ip& o) const { return len == o.len && Key() == o.Key(); }
};

bool ParseIp(std::string_view text, Ip* ip) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET, buf, ip->bytes.data()) == 1) {
    ip->len = 4;
    return true;
  }
  if (inet_pton(AF_INET6, buf, ip->bytes.data()) == 1) {
    ip->len = 16;
    return true;
  }
  return false;
}

struct Port {
  std::string name;      // lower case
  std::string protocol;  // lower case
  int32_t port = -1;     // -1: the object declares no ports (CoreDNS's sentinel)
};

struct Address {
  Ip ip;
  std::string hostname;  // CoreDNS's endpointHostname: spec hostname or the dashed IP
};

struct Subset {  // one EndpointSlice
  std::vector<Port> ports;
  std::vector<Address> addresses;  // ready ones
};

enum class Kind { kClusterIp, kHeadless, kExternalName };

struct Service {
  std::string name, ns;
  Kind kind = Kind::kClusterIp;
  std::vector<Ip> cluster_ips;
  std::string external_name;
  std::vector<Port> ports;
};

// One answer candidate (CoreDNS's msg.Service): an address or, for ExternalName, a host name.
struct Item {
  Ip ip;
  std::string_view host;  // non-empty: a name (CNAME)
  int32_t port = 0;
  std::string key;  // the record's name below the zone: "web.default.svc"
};

std::string Lower(std::string_view s) { return LowerAscii(s); }

std::string EndpointHostname(const std::string& hostname, const std::string& ip_text) {
  if (!hostname.empty()) return Lower(hostname);
  std::string h = ip_text;
  if (h.find('.') != std::string::npos) {
    std::replace(h.begin(), h.end(), '.', '-');
  } else {
    std::replace(h.begin(), h.end(), ':', '-');
    if (!h.empty() && h.back() == '-') h += "0";
  }
  return h;
}

std::vector<Port> PortsOf(const Json* ports, bool service) {
  std::vector<Port> out;
  if (ports && ports->is_array()) {
    for (const Json& p : *ports) {
      if (!p.is_object()) continue;
      Port port;
      port.name = Lower(GetString(p, {"name"}));
      port.protocol = Lower(GetString(p, {"protocol"}));
      // Services default the protocol to TCP; slices carry it (nil stays empty, as upstream).
      if (service && port.protocol.empty()) port.protocol = "tcp";
      port.port = static_cast<int32_t>(GetInt(p, {"port"}, -1));
      out.push_back(std::move(port));
    }
  }
  if (out.empty()) out.push_back(Port{});
  return out;
}

bool Ready(const Json& endpoint) {
  const Json* ready = Find(endpoint, {"conditions", "ready"});
  return !ready || !ready->is_boolean() || ready->get<bool>();
}

// The address of a reverse name ("4.3.2.1" + in-addr.arpa, 32 nibbles + ip6.arpa).
bool ReverseAddress(const std::vector<std::string_view>& labels, Ip* ip) {
  const size_t n = labels.size();
  if (n == 6 && labels[4] == "in-addr" && labels[5] == "arpa") {
    for (size_t i = 0; i < 4; ++i) {
      std::string_view l = labels[3 - i];
      if (l.empty() || l.size() > 3) return false;
      int v = 0;
      for (char c : l) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
      }
      // Go's ParseIP rejects leading zeros.
      if (v > 255 || (l.size() > 1 && l[0] == '0')) return false;
      ip->bytes[i] = static_cast<uint8_t>(v);
    }
    ip->len = 4;
    return true;
  }
  if (n == 34 && labels[32] == "ip6" && labels[33] == "arpa") {
    for (size_t i = 0; i < 32; ++i) {
      std::string_view l = labels[31 - i];
      if (l.size() != 1) return false;
      const char c = l[0];
      int v;
      if (c >= '0' && c <= '9')
        v = c - '0';
      else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
      else
        return false;
      if (i % 2 == 0)
        ip->bytes[i / 2] = static_cast<uint8_t>(v << 4);
      else
        ip->bytes[i / 2] = static_cast<uint8_t>(ip->bytes[i / 2] | v);
    }
    ip->len = 16;
    return true;
  }
  return false;
}

std::string_view StripUnderscore(std::string_view s) {
  if (!s.empty() && s[0] == '_') s.remove_prefix(1);
  return s;
}

bool MatchPortAndProtocol(std::string_view want_port, const std::string& port,
                          std::string_view want_proto, const std::string& proto) {
  return (want_port.empty() || want_port == port) && (want_proto.empty() || want_proto == proto);
}

// The parsed question name (CoreDNS's recordRequest), lower case.
struct Request {
  std::string_view pod_or_svc, ns, service, endpoint, port, protocol;
};

constexpr size_t kMaxCnameChain = 10;

}  // namespace

struct ZoneSnapshot::Data {
  ZoneOptions options;
  std::string domain;  // lower case, no trailing dot
  uint32_t serial = 0;
  std::unordered_set<std::string> namespaces;
  std::unordered_map<std::string, Service> services;               // "name.ns"
  std::unordered_map<std::string, std::vector<Subset>> endpoints;  // "name.ns", by slice
  std::unordered_map<std::string, std::vector<std::string>> ptr;   // Ip::Key() -> targets

  static std::string Key(std::string_view name, std::string_view ns) {
    std::string k;
    k.reserve(name.size() + ns.size() + 1);
    k.append(name).push_back('.');
    k.append(ns);
    return k;
  }

  // CoreDNS's Records: parse the name below the zone and look it up. False: a name error.
  bool Records(std::string_view base, std::vector<Item>* items) const;
  bool FindServices(const Request& r, std::vector<Item>* items) const;
  // plugin.A / AAAA / TXT with CNAME handling; false: a name error.
  bool Resolve(const std::string& qname, uint16_t qtype, size_t depth, std::vector<Record>* out,
               std::string* chase) const;
  std::string_view Base(std::string_view lname) const {
    if (lname.size() == domain.size()) return {};
    return lname.substr(0, lname.size() - domain.size() - 1);
  }
  Record Soa(const std::string& zone) const {
    Record rr = MakeNameRecord(kTypeSoa, zone, std::min(options.ttl, 300u), "ns.dns." + zone);
    rr.mbox = "hostmaster." + zone;
    rr.serial = serial;
    rr.refresh = 7200;
    rr.retry = 1800;
    rr.expire = 86400;
    rr.minimum = options.ttl;
    return rr;
  }
};

bool ZoneSnapshot::Data::Records(std::string_view base, std::vector<Item>* items) const {
  if (base.empty() || base == "svc" || base == "pod") return true;
  std::vector<std::string_view> segs = SplitLabels(base);
  Request r;
  size_t last = segs.size();
  r.pod_or_svc = segs[--last];
  if (r.pod_or_svc != "svc" && r.pod_or_svc != "pod") return false;
  if (last == 0) return true;
  r.ns = segs[--last];
  if (namespaces.count(std::string(r.ns)) == 0) return false;
  if (last == 0) return true;  // <ns>.svc: NODATA
  r.service = segs[--last];
  if (last == 1) {
    r.endpoint = segs[0];
  } else if (last == 2) {
    r.protocol = StripUnderscore(segs[1]);
    r.port = StripUnderscore(segs[0]);
  } else if (last > 2) {
    return false;
  }

  if (r.pod_or_svc == "pod") {  // "pods insecure": any IP-shaped name answers
    std::string ip_text(r.service);
    const bool v4 = std::count(ip_text.begin(), ip_text.end(), '-') == 3 &&
                    ip_text.find("--") == std::string::npos;
    std::replace(ip_text.begin(), ip_text.end(), '-', v4 ? '.' : ':');
    Item item;
    if (!ParseIp(ip_text, &item.ip)) return false;
    item.key = std::string(r.service) + "." + std::string(r.ns) + ".pod";
    items->push_back(std::move(item));
    return true;
  }
  return FindServices(r, items);
}

bool ZoneSnapshot::Data::FindServices(const Request& r, std::vector<Item>* items) const {
  const std::string key = Key(r.service, r.ns);
  auto it = services.find(key);
  if (it == services.end()) return false;
  const Service& svc = it->second;
  bool found = false;
  if (svc.kind == Kind::kExternalName) {
    if (!r.endpoint.empty() || !r.port.empty() || !r.protocol.empty()) return false;
    Ip ip;
    // An IP as external name is no CNAME; upstream answers nothing for it either.
    if (svc.external_name.empty() || ParseIp(svc.external_name, &ip)) return false;
    Item item;
    item.host = svc.external_name;
    item.key = key + ".svc";
    items->push_back(std::move(item));
    return true;
  }
  if (svc.kind == Kind::kHeadless || !r.endpoint.empty()) {
    auto eps = endpoints.find(key);
    if (eps == endpoints.end()) return false;
    for (const Subset& subset : eps->second) {
      for (const Address& addr : subset.addresses) {
        if (!r.endpoint.empty() && r.endpoint != addr.hostname) continue;
        for (const Port& p : subset.ports) {
          if (!MatchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
          Item item;
          item.ip = addr.ip;
          item.port = p.port;
          item.key = addr.hostname + "." + key + ".svc";
          items->push_back(std::move(item));
          found = true;
        }
      }
    }
    return found;
  }
  for (const Port& p : svc.ports) {
    if (!MatchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
    found = true;
    for (const Ip& ip : svc.cluster_ips) {
      Item item;
      item.ip = ip;
      item.port = p.port;
      item.key = key + ".svc";
      items->push_back(std::move(item));
    }
  }
  return found;
}

bool ZoneSnapshot::Data::Resolve(const std::string& qname, uint16_t qtype, size_t depth,
                                 std::vector<Record>* out, std::string* chase) const {
  const std::string lname = Lower(qname);
  std::vector<Item> items;
  std::string_view base = Base(lname);
  if (base == "ns.dns") {
    // CoreDNS answers its own addresses here; minik's DNS address is the Service's. NODATA.
  } else if (!Records(base, &items)) {
    return false;
  }
  std::vector<const Ip*> seen;
  for (const Item& item : items) {
    if (!item.host.empty()) {
      if (NameEquals(item.host, qname) || depth >= kMaxCnameChain || !chase->empty()) continue;
      Record cname = MakeNameRecord(kTypeCname, qname, options.ttl, std::string(item.host));
      if (IsSubdomain(item.host, domain)) {
        std::vector<Record> next;
        std::string next_chase;
        if (Resolve(std::string(item.host), qtype, depth + 1, &next, &next_chase) &&
            (!next.empty() || !next_chase.empty())) {
          out->push_back(std::move(cname));
          for (Record& rr : next) out->push_back(std::move(rr));
          *chase = std::move(next_chase);
        }
        continue;
      }
      out->push_back(std::move(cname));
      *chase = std::string(item.host);
      continue;
    }
    const bool want =
        (qtype == kTypeA && item.ip.len == 4) || (qtype == kTypeAaaa && item.ip.len == 16);
    if (!want) continue;
    if (std::any_of(seen.begin(), seen.end(), [&](const Ip* s) { return *s == item.ip; })) continue;
    seen.push_back(&item.ip);
    if (item.ip.len == 4) {
      std::array<uint8_t, 4> a;
      std::copy_n(item.ip.bytes.begin(), 4, a.begin());
      out->push_back(MakeA(qname, options.ttl, a));
    } else {
      out->push_back(MakeAaaa(qname, options.ttl, item.ip.bytes));
    }
  }
  return true;
}

ZoneSnapshot::ZoneSnapshot(std::unique_ptr<Data> data) : data_(std::move(data)) {}
ZoneSnapshot::~ZoneSnapshot() = default;
const ZoneOptions& ZoneSnapshot::options() const { return data_->options; }
size_t ZoneSnapshot::service_count() const { return data_->services.size(); }

std::shared_ptr<const ZoneSnapshot> ZoneSnapshot::Build(const ZoneOptions& options,
                                                        const std::vector<const Json*>& namespaces,
                                                        const std::vector<const Json*>& services,
                                                        const std::vector<const Json*>& slices,
                                                        uint32_t serial) {
  auto d = std::make_unique<Data>();
  d->options = options;
  d->domain = Lower(options.domain);
  while (!d->domain.empty() && d->domain.back() == '.') d->domain.pop_back();
  d->serial = serial;
  for (const Json* ns : namespaces)
    if (ns && ns->is_object() && !Name(*ns).empty()) d->namespaces.insert(Lower(Name(*ns)));

  for (const Json* obj : services) {
    if (!obj || !obj->is_object() || Name(*obj).empty() || Namespace(*obj).empty()) continue;
    Service svc;
    svc.name = Lower(Name(*obj));
    svc.ns = Lower(Namespace(*obj));
    const std::string type = GetString(*obj, {"spec", "type"});
    std::vector<std::string> ips;
    const Json* cips = Find(*obj, {"spec", "clusterIPs"});
    if (cips && cips->is_array() && !cips->empty()) {
      for (const Json& ip : *cips) ips.push_back(ip.is_string() ? ip.get<std::string>() : "");
    } else {
      ips.push_back(GetString(*obj, {"spec", "clusterIP"}));
    }
    if (type == "ExternalName") {
      svc.kind = Kind::kExternalName;
      svc.external_name = GetString(*obj, {"spec", "externalName"});
      while (!svc.external_name.empty() && svc.external_name.back() == '.')
        svc.external_name.pop_back();
      if (!ValidateName(svc.external_name).ok()) svc.external_name.clear();
    } else if (ips[0] == "None") {
      svc.kind = Kind::kHeadless;
    } else {
      for (const std::string& text : ips) {
        Ip ip;
        if (ParseIp(text, &ip)) svc.cluster_ips.push_back(ip);
      }
    }
    svc.ports = PortsOf(Find(*obj, {"spec", "ports"}), /*service=*/true);
    std::string key = Data::Key(svc.name, svc.ns);
    if (svc.kind == Kind::kClusterIp) {
      for (const Ip& ip : svc.cluster_ips) {
        // The first Service with the IP answers its PTR, as CoreDNS's index does.
        auto& targets = d->ptr[std::string(ip.Key())];
        if (targets.empty()) targets.push_back(key + ".svc." + d->domain);
      }
    }
    d->services.emplace(std::move(key), std::move(svc));
  }

  // Endpoint PTRs come after every ClusterIP: a ClusterIP's own name wins.
  std::unordered_set<std::string> cluster_ip_keys;
  for (const auto& [k, v] : d->ptr) cluster_ip_keys.insert(k);
  for (const Json* obj : slices) {
    if (!obj || !obj->is_object()) continue;
    const std::string service =
        Lower(GetString(*obj, {"metadata", "labels", "kubernetes.io/service-name"}));
    const std::string ns = Lower(Namespace(*obj));
    const std::string type = GetString(*obj, {"addressType"});
    if (service.empty() || ns.empty() || (type != "IPv4" && type != "IPv6")) continue;
    Subset subset;
    subset.ports = PortsOf(Find(*obj, {"ports"}), /*service=*/false);
    const std::string key = Data::Key(service, ns);
    const Json* eps = Find(*obj, {"endpoints"});
    if (eps && eps->is_array()) {
      for (const Json& ep : *eps) {
        if (!ep.is_object() || !Ready(ep)) continue;
        const Json* addrs = Find(ep, {"addresses"});
        if (!addrs || !addrs->is_array()) continue;
        for (const Json& a : *addrs) {
          if (!a.is_string()) continue;
          Address addr;
          const std::string text = a.get<std::string>();
          if (!ParseIp(text, &addr.ip)) continue;
          addr.hostname = EndpointHostname(GetString(ep, {"hostname"}), text);
          std::string ip_key(addr.ip.Key());
          if (!cluster_ip_keys.count(ip_key)) {
            auto& targets = d->ptr[ip_key];
            std::string target = addr.hostname + "." + key + ".svc." + d->domain;
            if (std::find(targets.begin(), targets.end(), target) == targets.end())
              targets.push_back(std::move(target));
          }
          subset.addresses.push_back(std::move(addr));
        }
      }
    }
    d->endpoints[key].push_back(std::move(subset));
  }
  return std::shared_ptr<const ZoneSnapshot>(new ZoneSnapshot(std::move(d)));
}

Disposition ZoneSnapshot::Answer(const Question& q, Message* reply, std::string* chase) const {
  const Data& d = *data_;
  std::string qname = q.name;  // parsed names carry no root dot; built ones might
  if (!qname.empty() && qname.back() == '.' &&
      (qname.size() < 2 || qname[qname.size() - 2] != '\\'))
    qname.pop_back();
  const std::string lname = Lower(qname);

  if (!IsSubdomain(lname, d.domain)) {
    // Reverse names: ours when the cluster knows the address, the upstreams' otherwise
    // (kubeadm's "fallthrough in-addr.arpa ip6.arpa").
    if (q.type != kTypePtr) return Disposition::kForward;
    Ip ip;
    if (!ReverseAddress(SplitLabels(lname), &ip)) return Disposition::kForward;
    auto it = d.ptr.find(std::string(ip.Key()));
    if (it == d.ptr.end()) return Disposition::kForward;
    reply->rcode = kNoError;
    reply->aa = true;
    for (const std::string& target : it->second)
      reply->answers.push_back(MakeNameRecord(kTypePtr, qname, d.options.ttl, target));
    return Disposition::kAnswered;
  }

  const std::string zone = qname.substr(qname.size() - d.domain.size());  // question's case
  const std::string_view base = d.Base(lname);
  reply->aa = true;
  reply->rcode = kNoError;
  bool name_error = false;
  std::vector<Record>& answers = reply->answers;
  std::vector<Item> items;

  switch (q.type) {
    case kTypeA:
    case kTypeAaaa:
      name_error = !d.Resolve(qname, q.type, 0, &answers, chase);
      break;
    case kTypeTxt:
      if (base == "dns-version") {
        // The schema version of the Kubernetes DNS specification.
        answers.push_back(MakeTxt(qname, 28800, "1.1.0"));
      } else {
        name_error = !d.Resolve(qname, q.type, 0, &answers, chase);
      }
      break;
    case kTypeCname:
      name_error = !d.Records(base, &items);
      if (!items.empty() && !items[0].host.empty())
        answers.push_back(
            MakeNameRecord(kTypeCname, qname, d.options.ttl, std::string(items[0].host)));
      break;
    case kTypeSrv: {
      name_error = !d.Records(base, &items);
      // ExternalName has no SRV records (CoreDNS drops them).
      items.erase(
          std::remove_if(items.begin(), items.end(), [](const Item& i) { return !i.host.empty(); }),
          items.end());
      // CoreDNS's weights: every record of priority 0 weighs 100, shares are of 100.
      double share = items.empty() ? 0 : 100.0 / (100.0 * static_cast<double>(items.size())) * 100;
      uint16_t weight = static_cast<uint16_t>(std::floor(share));
      if (weight == 0) weight = 1;
      std::vector<std::pair<std::string, int32_t>> srv_seen;
      std::vector<std::pair<std::string, const Ip*>> addr_seen;
      for (const Item& item : items) {
        if (item.port == -1) continue;
        std::string target = item.key + "." + zone;
        if (std::find(srv_seen.begin(), srv_seen.end(), std::make_pair(target, item.port)) ==
            srv_seen.end()) {
          srv_seen.emplace_back(target, item.port);
          answers.push_back(
              MakeSrv(qname, d.options.ttl, 0, weight, static_cast<uint16_t>(item.port), target));
        }
        bool dup = std::any_of(addr_seen.begin(), addr_seen.end(), [&](const auto& s) {
          return s.first == target && *s.second == item.ip;
        });
        if (dup) continue;
        addr_seen.emplace_back(target, &item.ip);
        if (item.ip.len == 4) {
          std::array<uint8_t, 4> a;
          std::copy_n(item.ip.bytes.begin(), 4, a.begin());
          reply->additional.push_back(MakeA(target, d.options.ttl, a));
        } else {
          reply->additional.push_back(MakeAaaa(target, d.options.ttl, item.ip.bytes));
        }
      }
      break;
    }
    case kTypeSoa:
      if (base.empty()) answers.push_back(d.Soa(zone));
      break;
    case kTypeAxfr:
    case kTypeIxfr:
      reply->aa = false;
      reply->rcode = kRefused;
      return Disposition::kAnswered;
    case kTypeNs:
      if (base.empty()) {
        answers.push_back(MakeNameRecord(kTypeNs, zone, d.options.ttl, "ns.dns." + zone));
        break;
      }
      [[fallthrough]];
    default: {
      // Other types (MX, PTR of a forward name, ANY, ...): NODATA or NXDOMAIN, told apart by
      // an A lookup, as CoreDNS does.
      std::vector<Record> ignored;
      std::string ignored_chase;
      name_error = !d.Resolve(qname, kTypeA, 0, &ignored, &ignored_chase);
    }
  }
  if (name_error) {
    answers.clear();
    reply->additional.clear();
    chase->clear();
    reply->rcode = kNxDomain;
    reply->authority.push_back(d.Soa(zone));
    return Disposition::kAnswered;
  }
  if (!chase->empty()) return Disposition::kChase;
  if (answers.empty()) reply->authority.push_back(d.Soa(zone));
  return Disposition::kAnswered;
}

}  // namespace minik::netproxy::dns
