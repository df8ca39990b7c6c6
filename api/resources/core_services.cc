// core/v1 Service: entry, table (printService), defaults (SetDefaults_Service and the REST
// layer's IP-family initialisation), validation (ValidateService) and the ClusterIP /
// NodePort allocation of pkg/registry/core/service/storage.
//
// Thread-safety: ServiceStrategy is shared by every request; its allocators lock inside.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/resources.h"
#include "api/resources/service_alloc.h"

namespace minik::res {
namespace {

constexpr const char* kServiceCidr = "10.96.0.0/12";
constexpr int kNodePortFirst = 30000;
constexpr int kNodePortLast = 32767;

std::string TypeOf(const Json& svc) {
  std::string t = Str(At(svc, {"spec", "type"}));
  return t.empty() ? "ClusterIP" : t;
}
bool NeedsClusterIp(const Json& svc) { return TypeOf(svc) != "ExternalName"; }
bool NeedsNodePort(const Json& svc) {
  std::string t = TypeOf(svc);
  if (t == "NodePort") return true;
  if (t != "LoadBalancer") return false;
  const Json& a = At(svc, {"spec", "allocateLoadBalancerNodePorts"});
  return !(a.is_boolean() && !a.get<bool>());
}
bool NeedsHealthCheckPort(const Json& svc) {
  return TypeOf(svc) == "LoadBalancer" &&
         Str(At(svc, {"spec", "externalTrafficPolicy"})) == "Local";
}
bool ExternallyAccessible(const Json& svc) {
  std::string t = TypeOf(svc);
  return t == "LoadBalancer" || t == "NodePort" ||
         (t == "ClusterIP" && !Arr(svc, {"spec", "externalIPs"}).empty());
}

// The allocated IP of the service ("" for headless, ExternalName or none yet).
std::string AllocatedIp(const Json& svc) {
  if (!NeedsClusterIp(svc)) return "";
  std::string ip = Str(At(svc, {"spec", "clusterIP"}));
  return ip == "None" ? "" : ip;
}

std::set<int> NodePortsOf(const Json& svc) {
  std::set<int> ports;
  for (const Json& p : Arr(svc, {"spec", "ports"}))
    if (auto n = Int(At(p, {"nodePort"})); n && *n > 0) ports.insert(static_cast<int>(*n));
  if (auto h = Int(At(svc, {"spec", "healthCheckNodePort"})); h && *h > 0)
    ports.insert(static_cast<int>(*h));
  return ports;
}

std::string GoServicePortKey(const Json& port) {
  return "core.ServicePort{Name:\"\", Protocol:" + GoQuote(Str(At(port, {"protocol"}))) +
         ", AppProtocol:(*string)(nil), Port:" + std::to_string(Int(At(port, {"port"})).value_or(0)) +
         ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

bool ValidIpv4OrV6(const std::string& s) {
  if (ParseIpv4(s)) return true;
  // A loose IPv6 check: hex digits, colons, at most one "::", optional trailing v4.
  if (s.find(':') == std::string::npos) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  return true;
}

// ---- table -----------------------------------------------------------------------------

std::string LoadBalancerText(const Json& status, bool wide) {
  std::set<std::string> addrs;
  for (const Json& in : Arr(status, {"loadBalancer", "ingress"})) {
    std::string ip = Str(At(in, {"ip"}));
    if (!ip.empty()) {
      addrs.insert(ip);
    } else if (!Str(At(in, {"hostname"})).empty()) {
      addrs.insert(Str(At(in, {"hostname"})));
    }
  }
  std::string r;
  for (const auto& a : addrs) r += (r.empty() ? "" : ",") + a;
  if (!wide && r.size() > 16) r = r.substr(0, 13) + "...";
  return r;
}

std::string ExternalIpText(const Json& svc) {
  std::vector<std::string> external;
  for (const Json& ip : Arr(svc, {"spec", "externalIPs"})) external.push_back(Str(ip));
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  };
  std::string t = Str(At(svc, {"spec", "type"}));
  if (t == "ClusterIP" || t == "NodePort") return external.empty() ? "<none>" : join(external);
  if (t == "LoadBalancer") {
    // The server renders wide cells; kubectl then shows them as they are.
    std::string lb = LoadBalancerText(At(svc, {"status"}), true);
    if (!external.empty()) {
      std::vector<std::string> all;
      if (!lb.empty()) all.push_back(lb);
      for (const auto& e : external) all.push_back(e);
      return join(all);
    }
    return lb.empty() ? "<pending>" : lb;
  }
  if (t == "ExternalName") return Str(At(svc, {"spec", "externalName"}));
  return "<unknown>";
}

std::vector<Json> ServiceCells(const Json& svc, SystemTime now) {
  const Json& ips = Arr(svc, {"spec", "clusterIPs"});
  std::string internal = ips.empty() ? "<none>" : Str(ips[0]);
  std::string ports;
  for (const Json& p : Arr(svc, {"spec", "ports"})) {
    if (!ports.empty()) ports += ",";
    std::string port = std::to_string(Int(At(p, {"port"})).value_or(0));
    int64_t node_port = Int(At(p, {"nodePort"})).value_or(0);
    if (node_port > 0) port += ":" + std::to_string(node_port);
    ports += port + "/" + Str(At(p, {"protocol"}));
  }
  if (ports.empty()) ports = "<none>";
  return {Str(At(svc, {"spec", "type"})), internal, ExternalIpText(svc), ports, AgeOf(svc, now),
          FormatLabels(At(svc, {"spec", "selector"}))};
}

// ---- defaults and validation -----------------------------------------------------------

void DefaultService(Json& svc) {
  Json& spec = Obj(svc, "spec");
  SetDefault(spec, "type", "ClusterIP");
  SetDefault(spec, "sessionAffinity", "None");
  if (Str(At(spec, {"sessionAffinity"})) == "ClientIP" &&
      !At(spec, {"sessionAffinityConfig", "clientIP", "timeoutSeconds"}).is_number())
    Obj(Obj(spec, "sessionAffinityConfig"), "clientIP")["timeoutSeconds"] = 10800;
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (Json& p : spec["ports"]) {
      if (!p.is_object()) continue;
      SetDefault(p, "protocol", "TCP");
      const Json& tp = At(p, {"targetPort"});
      if (tp.is_null() || Int(tp) == 0 || (tp.is_string() && tp.get<std::string>().empty()))
        if (p.contains("port")) p["targetPort"] = p["port"];
    }
  }
  std::string type = Str(At(spec, {"type"}));
  if (type == "NodePort" || type == "LoadBalancer") SetDefault(spec, "externalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") SetDefault(spec, "allocateLoadBalancerNodePorts", true);
  if (type == "ExternalName") return;
  SetDefault(spec, "internalTrafficPolicy", "Cluster");
  // clusterIP and clusterIPs mirror each other.
  std::string ip = Str(At(spec, {"clusterIP"}));
  const Json& ips = Arr(spec, {"clusterIPs"});
  if (!ip.empty() && ips.empty()) spec["clusterIPs"] = Json::array({ip});
  if (ip.empty() && !ips.empty() && ips[0].is_string()) spec["clusterIP"] = ips[0];
  // initIPFamilyFields on a single-stack IPv4 cluster: headless services without a selector
  // default to RequireDualStack, every other service to SingleStack; the families are the
  // cluster's.
  bool headless = Str(At(spec, {"clusterIP"})) == "None";
  const Json& sel = At(spec, {"selector"});
  bool selectorless = !sel.is_object() || sel.empty();
  SetDefault(spec, "ipFamilyPolicy", headless && selectorless ? "RequireDualStack" : "SingleStack");
  if (Arr(spec, {"ipFamilies"}).empty()) spec["ipFamilies"] = Json::array({"IPv4"});
}

void ValidateServicePorts(Causes& out, const Json& svc) {
  const Json& ports = Arr(svc, {"spec", "ports"});
  const std::string type = TypeOf(svc);
  std::set<std::string> names;
  std::set<std::pair<std::string, int64_t>> keys, node_ports;
  for (size_t i = 0; i < ports.size(); ++i) {
    const Json& p = ports[i];
    std::string path = "spec.ports[" + std::to_string(i) + "]";
    std::string name = Str(At(p, {"name"}));
    if (ports.size() > 1 && name.empty()) {
      out.push_back(RequiredCause(path + ".name"));
    } else if (!name.empty()) {
      for (const auto& m : IsDns1123Label(name))
        out.push_back(InvalidCause(path + ".name", GoQuote(name), m));
      if (!names.insert(name).second) out.push_back(DuplicateCause(path + ".name", GoQuote(name)));
    }
    const Json& port = At(p, {"port"});
    auto pn = Int(port);
    if (!pn || *pn < 1 || *pn > 65535)
      out.push_back(InvalidCause(path + ".port", pn ? std::to_string(*pn) : GoScalar(port),
                                 "must be between 1 and 65535, inclusive"));
    std::string proto = Str(At(p, {"protocol"}));
    if (proto.empty()) {
      out.push_back(RequiredCause(path + ".protocol"));
    } else if (proto != "TCP" && proto != "UDP" && proto != "SCTP") {
      out.push_back(NotSupportedCause(path + ".protocol", proto, {"SCTP", "TCP", "UDP"}));
    }
    const Json& tp = At(p, {"targetPort"});
    if (auto t = Int(tp)) {
      if (*t < 1 || *t > 65535)
        out.push_back(InvalidValue(path + ".targetPort", tp, "must be between 1 and 65535, inclusive"));
    } else if (tp.is_string()) {
      for (const auto& m : PortNameErrors(tp.get<std::string>()))
        out.push_back(InvalidValue(path + ".targetPort", tp, m));
    }
    int64_t node_port = Int(At(p, {"nodePort"})).value_or(0);
    if (type == "ClusterIP" && node_port != 0)
      out.push_back(ForbiddenCause(path + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
    if (pn && !keys.insert({proto, *pn}).second)
      out.push_back(DuplicateCause(path, GoServicePortKey(p)));
    if (node_port != 0 && !node_ports.insert({proto, node_port}).second)
      out.push_back(DuplicateCause(path + ".nodePort", std::to_string(node_port)));
  }
}

void ValidateService(Causes& out, const Json& svc) {
  const Json& spec = At(svc, {"spec"});
  const std::string type = TypeOf(svc);
  static const std::vector<std::string> kTypes = {"ClusterIP", "ExternalName", "LoadBalancer",
                                                  "NodePort"};
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    out.push_back(NotSupportedCause("spec.type", type, kTypes));
    return;
  }
  std::string ip = Str(At(spec, {"clusterIP"}));
  bool headless = ip == "None";
  if (type == "ExternalName") {
    if (!Arr(spec, {"clusterIPs"}).empty() || (!ip.empty()))
      out.push_back(ForbiddenCause("spec.clusterIPs", "may not be set for ExternalName services"));
    if (!Arr(spec, {"ipFamilies"}).empty())
      out.push_back(ForbiddenCause("spec.ipFamilies", "may not be set for ExternalName services"));
    if (!At(spec, {"ipFamilyPolicy"}).is_null())
      out.push_back(ForbiddenCause("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    std::string cname = Str(At(spec, {"externalName"}));
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (cname.empty()) {
      out.push_back(RequiredCause("spec.externalName"));
    } else {
      for (const auto& m : IsDns1123Subdomain(cname))
        out.push_back(InvalidCause("spec.externalName", GoQuote(cname), m));
    }
  } else {
    if (Arr(spec, {"ports"}).empty() && !headless) out.push_back(RequiredCause("spec.ports"));
    const Json& ips = Arr(spec, {"clusterIPs"});
    for (size_t i = 0; i < ips.size(); ++i) {
      std::string v = Str(ips[i]);
      if (i == 0 && v == "None") continue;
      if (!ValidIpv4OrV6(v))
        out.push_back(InvalidCause("spec.clusterIPs[" + std::to_string(i) + "]", GoQuote(v),
                                   "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }
    if (!ips.empty() && Str(ips[0]) != ip) {
      std::vector<std::string> all;
      for (const Json& x : ips) all.push_back(Str(x));
      out.push_back(InvalidCause("spec.clusterIPs", GoStringSlice(all), "first value must match `clusterIP`"));
    }
    if (ips.size() > 1)
      out.push_back(InvalidCause("spec.clusterIPs", GoStringSlice({Str(ips[0]), Str(ips[1])}),
                                 "may only hold dual-stack IPs when the cluster is configured for "
                                 "dual-stack"));
    if (headless && (type == "NodePort" || type == "LoadBalancer"))
      out.push_back(InvalidCause("spec.clusterIPs[0]", "\"None\"",
                                 "may not be set to 'None' for " + type + " services"));
    const Json& families = Arr(spec, {"ipFamilies"});
    for (size_t i = 0; i < families.size(); ++i) {
      std::string f = Str(families[i]);
      std::string path = "spec.ipFamilies[" + std::to_string(i) + "]";
      if (f != "IPv4" && f != "IPv6") {
        out.push_back(NotSupportedCause(path, f, {"IPv4", "IPv6"}));
      } else if (f == "IPv6") {
        out.push_back(InvalidCause(path, GoQuote(f), "not configured on this cluster"));
      }
    }
    std::string policy = Str(At(spec, {"ipFamilyPolicy"}));
    if (!policy.empty() && policy != "SingleStack" && policy != "PreferDualStack" &&
        policy != "RequireDualStack") {
      out.push_back(NotSupportedCause("spec.ipFamilyPolicy", policy,
                                      {"PreferDualStack", "RequireDualStack", "SingleStack"}));
    } else if (policy == "RequireDualStack") {
      const Json& sel = At(spec, {"selector"});
      bool selectorless = !sel.is_object() || sel.empty();
      if (!(headless && selectorless))
        out.push_back(InvalidCause("spec.ipFamilyPolicy", GoQuote(policy),
                                   "this cluster is not configured for dual-stack services"));
    }
  }
  ValidateServicePorts(out, svc);
  std::string affinity = Str(At(spec, {"sessionAffinity"}));
  if (!affinity.empty() && affinity != "None" && affinity != "ClientIP")
    out.push_back(NotSupportedCause("spec.sessionAffinity", affinity, {"ClientIP", "None"}));
  CheckLabels(out, At(spec, {"selector"}), "spec.selector");
  std::string etp = Str(At(spec, {"externalTrafficPolicy"}));
  if (!ExternallyAccessible(svc)) {
    if (!etp.empty())
      out.push_back(InvalidCause("spec.externalTrafficPolicy", GoQuote(etp),
                                 "may only be set for externally-accessible services"));
  } else if (etp.empty()) {
    out.push_back(RequiredCause("spec.externalTrafficPolicy"));
  } else if (etp != "Cluster" && etp != "Local") {
    out.push_back(NotSupportedCause("spec.externalTrafficPolicy", etp, {"Cluster", "Local"}));
  }
  std::string itp = Str(At(spec, {"internalTrafficPolicy"}));
  if (!itp.empty() && itp != "Cluster" && itp != "Local")
    out.push_back(NotSupportedCause("spec.internalTrafficPolicy", itp, {"Cluster", "Local"}));
  if (auto h = Int(At(spec, {"healthCheckNodePort"})); h && *h != 0 && !NeedsHealthCheckPort(svc))
    out.push_back(InvalidCause("spec.healthCheckNodePort", std::to_string(*h),
                               "may only be set when `type` is 'LoadBalancer' and "
                               "`externalTrafficPolicy` is 'Local'"));
  for (size_t i = 0; i < Arr(spec, {"externalIPs"}).size(); ++i) {
    std::string v = Str(Arr(spec, {"externalIPs"})[i]);
    if (!ValidIpv4OrV6(v))
      out.push_back(InvalidCause("spec.externalIPs[" + std::to_string(i) + "]", GoQuote(v),
                                 "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  }
}

void ValidateServiceUpdate(Causes& out, const Json& svc, const Json& old) {
  std::string old_ip = Str(At(old, {"spec", "clusterIP"}));
  std::string new_ip = Str(At(svc, {"spec", "clusterIP"}));
  // An allocated (or headless) IP stays unless the service stops needing one.
  if (NeedsClusterIp(old) && NeedsClusterIp(svc) && !old_ip.empty() && new_ip != old_ip) {
    out.push_back(InvalidCause("spec.clusterIPs[0]", GoStringSlice({new_ip}), "may not change once set"));
  }
}

// ---- the strategy ----------------------------------------------------------------------

class ServiceStrategy : public Strategy {
 public:
  ServiceStrategy()
      : ips_(kServiceCidr, std::random_device{}()),
        ports_(kNodePortFirst, kNodePortLast, std::random_device{}()) {}

  void PrepareForCreate(Json& svc) const override {
    if (!svc.is_object()) return;
    svc["status"] = Json{{"loadBalancer", Json::object()}};
  }

  // serviceStatusStrategy: only the spec is reset (labels may change).
  void PrepareForStatusUpdate(Json& svc, const Json& old) const override {
    KeepAllButStatusAndMetadata(svc, old, /*keep_labels=*/false);
  }

  // patchAllocatedValues and dropTypeDependentFields of the service REST storage.
  void PrepareForUpdate(Json& svc, const Json& old) const override {
    if (!svc.is_object() || !old.is_object()) return;
    svc["status"] = old.contains("status") ? old["status"] : Json{{"loadBalancer", Json::object()}};
    Json& spec = Obj(svc, "spec");
    const Json& old_spec = At(old, {"spec"});
    if (NeedsClusterIp(old) && NeedsClusterIp(svc)) {
      if (Str(At(spec, {"clusterIP"})).empty() && old_spec.contains("clusterIP"))
        spec["clusterIP"] = old_spec["clusterIP"];
      if (Arr(spec, {"clusterIPs"}).empty() && old_spec.contains("clusterIPs") &&
          Str(At(spec, {"clusterIP"})) == Str(At(old_spec, {"clusterIP"})))
        spec["clusterIPs"] = old_spec["clusterIPs"];
    }
    if (NeedsNodePort(old) && NeedsNodePort(svc) && spec.contains("ports") &&
        spec["ports"].is_array()) {
      for (Json& p : spec["ports"]) {
        if (!p.is_object() || Int(At(p, {"nodePort"})).value_or(0) != 0) continue;
        std::string proto = Str(At(p, {"protocol"}));
        if (proto.empty()) proto = "TCP";
        for (const Json& op : Arr(old_spec, {"ports"})) {
          std::string oproto = Str(At(op, {"protocol"}));
          if (oproto.empty()) oproto = "TCP";
          if (Int(At(op, {"port"})) == Int(At(p, {"port"})) && oproto == proto &&
              Int(At(op, {"nodePort"})).value_or(0) > 0) {
            p["nodePort"] = op["nodePort"];
            break;
          }
        }
      }
    }
    if (NeedsHealthCheckPort(old) && NeedsHealthCheckPort(svc) &&
        Int(At(spec, {"healthCheckNodePort"})).value_or(0) == 0 &&
        old_spec.contains("healthCheckNodePort"))
      spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"];
    // dropTypeDependentFields: what the old type needed and the new one does not goes,
    // when the client left it as it was.
    if (NeedsClusterIp(old) && !NeedsClusterIp(svc)) {
      if (At(spec, {"clusterIP"}) == At(old_spec, {"clusterIP"})) spec.erase("clusterIP");
      if (At(spec, {"clusterIPs"}) == At(old_spec, {"clusterIPs"})) spec.erase("clusterIPs");
      if (At(spec, {"ipFamilies"}) == At(old_spec, {"ipFamilies"})) spec.erase("ipFamilies");
      if (At(spec, {"ipFamilyPolicy"}) == At(old_spec, {"ipFamilyPolicy"}))
        spec.erase("ipFamilyPolicy");
      if (At(spec, {"internalTrafficPolicy"}) == At(old_spec, {"internalTrafficPolicy"}))
        spec.erase("internalTrafficPolicy");
    }
    if (NeedsNodePort(old) && !NeedsNodePort(svc) && NodePortsMatch(spec, old_spec) &&
        spec.contains("ports") && spec["ports"].is_array()) {
      for (Json& p : spec["ports"])
        if (p.is_object()) p.erase("nodePort");
    }
    if (NeedsHealthCheckPort(old) && !NeedsHealthCheckPort(svc) &&
        At(spec, {"healthCheckNodePort"}) == At(old_spec, {"healthCheckNodePort"}))
      spec.erase("healthCheckNodePort");
    if (TypeOf(old) == "LoadBalancer" && TypeOf(svc) != "LoadBalancer" &&
        At(spec, {"allocateLoadBalancerNodePorts"}) == At(old_spec, {"allocateLoadBalancerNodePorts"}))
      spec.erase("allocateLoadBalancerNodePorts");
    if (ExternallyAccessible(old) && !ExternallyAccessible(svc) &&
        At(spec, {"externalTrafficPolicy"}) == At(old_spec, {"externalTrafficPolicy"}))
      spec.erase("externalTrafficPolicy");
  }

  void Default(Json& svc) const override {
    if (svc.is_object()) DefaultService(svc);
  }

  std::vector<StatusCause> Validate(const Json& svc) const override {
    Causes out;
    ValidateService(out, svc);
    return out;
  }

  std::vector<StatusCause> ValidateUpdate(const Json& svc, const Json& old) const override {
    Causes out = Validate(svc);
    ValidateServiceUpdate(out, svc, old);
    return out;
  }

  Status BeforeCreate(Json& svc) const override { return Allocate(svc, Json::object()); }

  Status BeforeUpdate(Json& svc, const Json& old) const override { return Allocate(svc, old); }

  void AfterDelete(const Json& svc) const override { ReleaseAllBut(svc, Json::object()); }

  void AfterUpdate(const Json& svc, const Json& old, bool committed) const override {
    if (committed) {
      ReleaseAllBut(old, svc);
    } else {
      ReleaseAllBut(svc, old);
    }
  }

  void Restore(const Json& svc) const override {
    std::string ip = AllocatedIp(svc);
    if (!ip.empty()) ips_.MarkTaken(ip);
    for (int p : NodePortsOf(svc)) ports_.MarkTaken(p);
  }

 private:
  static bool NodePortsMatch(const Json& spec, const Json& old_spec) {
    std::vector<Json> a, b;
    for (const Json& p : Arr(spec, {"ports"})) a.push_back(At(p, {"nodePort"}));
    for (const Json& p : Arr(old_spec, {"ports"})) b.push_back(At(p, {"nodePort"}));
    return a == b;
  }

  // Releases what `svc` holds and `keep` does not.
  void ReleaseAllBut(const Json& svc, const Json& keep) const {
    std::string ip = AllocatedIp(svc);
    if (!ip.empty() && ip != AllocatedIp(keep)) ips_.Release(ip);
    std::set<int> kept = NodePortsOf(keep);
    for (int p : NodePortsOf(svc))
      if (!kept.count(p)) ports_.Release(p);
  }

  // Allocates what `svc` needs and `old` does not already hold. On failure nothing stays
  // allocated.
  Status Allocate(Json& svc, const Json& old) const {
    if (!svc.is_object()) return Status::Ok();
    Json& spec = Obj(svc, "spec");
    std::string name = Name(svc);
    std::string allocated_ip;
    std::vector<int> allocated_ports;
    auto rollback = [&]() {
      if (!allocated_ip.empty()) ips_.Release(allocated_ip);
      for (int p : allocated_ports) ports_.Release(p);
    };
    auto fail = [&](StatusCause cause) {
      rollback();
      return Invalid("Service", name, {std::move(cause)});
    };
    if (NeedsClusterIp(svc)) {
      std::string ip = Str(At(spec, {"clusterIP"}));
      std::string old_ip = AllocatedIp(old);
      if (ip.empty()) {
        Allocation a = ips_.AllocateNext();
        if (!a.error.empty()) {
          rollback();
          return Internal("failed to allocate a serviceIP: " + a.error);
        }
        allocated_ip = a.value;
        spec["clusterIP"] = a.value;
        spec["clusterIPs"] = Json::array({a.value});
      } else if (ip != "None" && ip != old_ip) {
        Allocation a = ips_.AllocateSpecific(ip);
        if (!a.error.empty())
          return fail(InvalidCause("spec.clusterIPs", GoStringSlice({ip}),
                                   "failed to allocate IP " + ip + ": " + a.error));
        allocated_ip = ip;
      }
      if (Arr(spec, {"clusterIPs"}).empty()) spec["clusterIPs"] = Json::array({spec["clusterIP"]});
    }
    std::set<int> old_ports = NodePortsOf(old);
    std::map<int64_t, std::string> used_here;  // nodePort -> protocol, within this service
    if (NeedsNodePort(svc) && spec.contains("ports") && spec["ports"].is_array()) {
      Json& ports = spec["ports"];
      // Requested ports first, so a dynamic pick cannot take one of them.
      for (int pass = 0; pass < 2; ++pass) {
        for (size_t i = 0; i < ports.size(); ++i) {
          Json& p = ports[i];
          if (!p.is_object()) continue;
          int64_t requested = Int(At(p, {"nodePort"})).value_or(0);
          if ((pass == 0) != (requested != 0)) continue;
          std::string field = "spec.ports[" + std::to_string(i) + "].nodePort";
          if (requested != 0) {
            if (old_ports.count(static_cast<int>(requested)) || used_here.count(requested))
              continue;  // held already (by the old object or another protocol here)
            Allocation a = ports_.AllocateSpecific(static_cast<int>(requested));
            if (!a.error.empty())
              return fail(InvalidCause(field, std::to_string(requested), a.error));
            allocated_ports.push_back(static_cast<int>(requested));
            used_here[requested] = Str(At(p, {"protocol"}));
          } else {
            // Ports with the same number share a NodePort across protocols.
            bool shared = false;
            for (size_t j = 0; j < ports.size(); ++j) {
              if (j == i || Int(At(ports[j], {"port"})) != Int(At(p, {"port"}))) continue;
              if (int64_t np = Int(At(ports[j], {"nodePort"})).value_or(0); np != 0) {
                p["nodePort"] = np;
                shared = true;
                break;
              }
            }
            if (shared) continue;
            Allocation a = ports_.AllocateNext();
            if (!a.error.empty()) {
              rollback();
              return Internal("failed to allocate a nodePort: " + a.error);
            }
            int port = std::stoi(a.value);
            allocated_ports.push_back(port);
            used_here[port] = Str(At(p, {"protocol"}));
            p["nodePort"] = port;
          }
        }
      }
    }
    if (NeedsHealthCheckPort(svc)) {
      int64_t requested = Int(At(spec, {"healthCheckNodePort"})).value_or(0);
      if (requested == 0) {
        Allocation a = ports_.AllocateNext();
        if (!a.error.empty()) {
          rollback();
          return Internal("failed to allocate a nodePort: " + a.error);
        }
        allocated_ports.push_back(std::stoi(a.value));
        spec["healthCheckNodePort"] = std::stoi(a.value);
      } else if (!old_ports.count(static_cast<int>(requested))) {
        Allocation a = ports_.AllocateSpecific(static_cast<int>(requested));
        if (!a.error.empty())
          return fail(InvalidCause("spec.healthCheckNodePort", std::to_string(requested), a.error));
        allocated_ports.push_back(static_cast<int>(requested));
      }
    }
    return Status::Ok();
  }

  mutable ClusterIpAllocator ips_;
  mutable PortAllocator ports_;
};

std::optional<std::string> ServiceField(const Json& svc, const std::string& field) {
  if (field == "spec.clusterIP") return Str(At(svc, {"spec", "clusterIP"}));
  if (field == "spec.type") return Str(At(svc, {"spec", "type"}));
  return std::nullopt;
}

}  // namespace

ResourceInfo Services() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Service";
  r.plural = "services";
  r.singular = "service";
  r.short_names = {"svc"};
  r.categories = {"all"};
  r.verbs = kStandardVerbs;
  r.subresources = {
      {"proxy", {"", "v1", "ServiceProxyOptions"}, {"create", "delete", "get", "patch", "update"}},
      StatusSubresource("", "v1", "Service"),
  };
  r.schema = SchemaName("core", "v1", "Service");
  r.name_rule = NameRule::kDns1035Label;
  r.columns = {
      Col("Type", "string", Doc("ServiceSpec.type")),
      Col("Cluster-IP", "string", Doc("ServiceSpec.clusterIP")),
      Col("External-IP", "string", Doc("ServiceSpec.externalIPs")),
      Col("Port(s)", "string", Doc("ServiceSpec.ports")),
      AgeCol(),
      Col("Selector", "string", Doc("ServiceSpec.selector"), 1),
  };
  r.cells = ServiceCells;
  r.fields = ServiceField;
  r.strategy = std::make_shared<ServiceStrategy>();
  return r;
}

}  // namespace minik::res
