// networking.k8s.io/v1 Ingress, IngressClass, NetworkPolicy and discovery.k8s.io/v1
// EndpointSlice (pkg/registry/networking/*, pkg/apis/networking/validation,
// pkg/apis/discovery/validation).
#include <set>

#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/resources.h"
#include "api/resources/service_alloc.h"

namespace minik::res {
namespace {

std::optional<std::string> NoFields(const Json&, const std::string&) { return std::nullopt; }

std::string ListWithMore(const std::vector<std::string>& list, bool more, size_t count,
                         size_t max) {
  std::string ret;
  for (const auto& s : list) ret += (ret.empty() ? "" : ",") + s;
  if (more) return ret + " + " + std::to_string(count - max) + " more...";
  return ret.empty() ? "<unset>" : ret;
}

// ---- ingresses -------------------------------------------------------------------------

std::vector<Json> IngressCells(const Json& ing, SystemTime now) {
  std::string cls = Str(At(ing, {"spec", "ingressClassName"}));
  const Json& rules = Arr(ing, {"spec", "rules"});
  std::vector<std::string> hosts;
  bool more = false;
  for (const Json& rule : rules) {
    if (hosts.size() == 3) more = true;
    std::string host = Str(At(rule, {"host"}));
    if (!more && !host.empty()) hosts.push_back(host);
  }
  std::string host_text;
  for (const auto& h : hosts) host_text += (host_text.empty() ? "" : ",") + h;
  if (hosts.empty()) host_text = "*";
  if (more) host_text += " + " + std::to_string(rules.size() - 3) + " more...";
  std::set<std::string> addrs;
  for (const Json& in : Arr(ing, {"status", "loadBalancer", "ingress"})) {
    std::string ip = Str(At(in, {"ip"}));
    if (!ip.empty()) {
      addrs.insert(ip);
    } else if (!Str(At(in, {"hostname"})).empty()) {
      addrs.insert(Str(At(in, {"hostname"})));
    }
  }
  std::string address;
  for (const auto& a : addrs) address += (address.empty() ? "" : ",") + a;
  std::string ports = Arr(ing, {"spec", "tls"}).empty() ? "80" : "80, 443";
  return {cls.empty() ? "<none>" : cls, host_text, address, ports, AgeOf(ing, now)};
}

void AppendInvalid(Causes& out, const std::vector<std::string>& msgs, const std::string& path,
                   const std::string& value) {
  for (const auto& m : msgs) out.push_back(InvalidCause(path, GoQuote(value), m));
}

// validateIngressTypedLocalObjectReference / the parameters reference's common part.
void ValidateTypedReference(Causes& out, const Json& ref, const std::string& path) {
  if (At(ref, {"apiGroup"}).is_string()) {
    std::string group = Str(At(ref, {"apiGroup"}));
    AppendInvalid(out, IsDns1123Subdomain(group), path + ".apiGroup", group);
  }
  for (const char* key : {"kind", "name"}) {
    std::string v = Str(At(ref, {key}));
    if (v.empty()) {
      out.push_back(RequiredCause(path + "." + key));
    } else {
      AppendInvalid(out, IsValidPathSegmentName(v), path + "." + key, v);
    }
  }
}

// validateIngressBackend.
void ValidateBackend(Causes& out, const Json& backend, const std::string& path) {
  bool resource = At(backend, {"resource"}).is_object();
  bool service = At(backend, {"service"}).is_object();
  if (resource && service) {
    out.push_back(InvalidCause(path, "\"\"", "cannot set both resource and service backends"));
  } else if (resource) {
    ValidateTypedReference(out, At(backend, {"resource"}), path + ".resource");
  } else if (service) {
    std::string name = Str(At(backend, {"service", "name"}));
    if (name.empty()) {
      out.push_back(RequiredCause(path + ".service.name"));
    } else {
      AppendInvalid(out, IsDns1035Label(name), path + ".service.name", name);
    }
    std::string port_name = Str(At(backend, {"service", "port", "name"}));
    const Json& number_json = At(backend, {"service", "port", "number"});
    int64_t number = Int(number_json).value_or(0);
    if (!port_name.empty() && number != 0) {
      out.push_back(InvalidCause(path, "\"\"", "cannot set both port name & port number"));
    } else if (!port_name.empty()) {
      AppendInvalid(out, PortNameErrors(port_name), path + ".service.port.name", port_name);
    } else if (number != 0) {
      if (number < 1 || number > 65535)
        out.push_back(InvalidValue(path + ".service.port.number", number_json,
                                   InclusiveRangeError(1, 65535)));
    } else {
      out.push_back(RequiredCause(path, "port name or number is required"));
    }
  } else {
    out.push_back(InvalidCause(path, "\"\"", "resource or service backend is required"));
  }
}

// A rule or TLS host: wildcard hosts by IsWildcardDNS1123Subdomain, others by
// IsDNS1123Subdomain; rule hosts (not TLS hosts) may not be IP addresses.
void CheckHost(Causes& out, const std::string& host, const std::string& path, bool rule) {
  if (rule && ParseIp(host))
    out.push_back(InvalidCause(path, GoQuote(host), "must be a DNS name, not an IP address"));
  if (host.find('*') != std::string::npos) {
    AppendInvalid(out, IsWildcardDns1123Subdomain(host), path, host);
  } else {
    AppendInvalid(out, IsDns1123Subdomain(host), path, host);
  }
}

// validateHTTPIngressPath.
void ValidateIngressPath(Causes& out, const Json& p, const std::string& pp) {
  const Json& type_json = At(p, {"pathType"});
  if (!type_json.is_string()) {
    out.push_back(RequiredCause(pp + ".pathType", "pathType must be specified"));
    return;
  }
  std::string type = Str(type_json);
  std::string path = Str(At(p, {"path"}));
  if (type == "Exact" || type == "Prefix") {
    if (path.rfind('/', 0) != 0)
      out.push_back(InvalidCause(pp + ".path", GoQuote(path), "must be an absolute path"));
    if (!path.empty()) {
      for (const char* seq : {"//", "/./", "/../", "%2f", "%2F"})
        if (path.find(seq) != std::string::npos)
          out.push_back(InvalidCause(pp + ".path", GoQuote(path),
                                     std::string("must not contain '") + seq + "'"));
      for (std::string suffix : {"/..", "/."})
        if (path.size() >= suffix.size() &&
            path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
          out.push_back(
              InvalidCause(pp + ".path", GoQuote(path), "cannot end with '" + suffix + "'"));
    }
  } else if (type == "ImplementationSpecific") {
    if (!path.empty() && path.rfind('/', 0) != 0)
      out.push_back(InvalidCause(pp + ".path", GoQuote(path), "must be an absolute path"));
  } else {
    out.push_back(
        NotSupportedCause(pp + ".pathType", type, {"Exact", "ImplementationSpecific", "Prefix"}));
  }
  ValidateBackend(out, At(p, {"backend"}), pp + ".backend");
}

// ValidateIngressSpec (the update relaxations for stored invalid objects aside).
void ValidateIngress(Causes& out, const Json& ing) {
  const Json& spec = At(ing, {"spec"});
  const Json& rules = Arr(spec, {"rules"});
  if (rules.empty() && At(spec, {"defaultBackend"}).is_null())
    out.push_back(InvalidCause("spec",
                               At(spec, {"rules"}).is_array() ? "[]networking.IngressRule{}"
                                                              : "[]networking.IngressRule(nil)",
                               "either `defaultBackend` or `rules` must be specified"));
  if (At(spec, {"defaultBackend"}).is_object())
    ValidateBackend(out, At(spec, {"defaultBackend"}), "spec.defaultBackend");
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string rp = "spec.rules[" + std::to_string(i) + "]";
    std::string host = Str(At(rules[i], {"host"}));
    if (!host.empty()) CheckHost(out, host, rp + ".host", true);
    if (!At(rules[i], {"http"}).is_object()) continue;
    const Json& paths = Arr(rules[i], {"http", "paths"});
    if (paths.empty()) out.push_back(RequiredCause(rp + ".http.paths"));
    for (size_t j = 0; j < paths.size(); ++j)
      ValidateIngressPath(out, paths[j], rp + ".http.paths[" + std::to_string(j) + "]");
  }
  const Json& tls = Arr(spec, {"tls"});
  for (size_t i = 0; i < tls.size(); ++i) {
    std::string tp = "spec.tls[" + std::to_string(i) + "]";
    const Json& hosts = Arr(tls[i], {"hosts"});
    for (size_t j = 0; j < hosts.size(); ++j)
      CheckHost(out, Str(hosts[j]), tp + ".hosts[" + std::to_string(j) + "]", false);
    std::string secret = Str(At(tls[i], {"secretName"}));
    if (!secret.empty()) AppendInvalid(out, IsDns1123Subdomain(secret), tp + ".secretName", secret);
  }
  if (At(spec, {"ingressClassName"}).is_string()) {
    std::string cls = Str(At(spec, {"ingressClassName"}));
    AppendInvalid(out, IsDns1123Subdomain(cls), "spec.ingressClassName", cls);
  }
}

// ValidateIngressCreate: the legacy class annotation must agree with ingressClassName.
void ValidateIngressCreate(Causes& out, const Json& ing) {
  const Json& annotation = At(ing, {"metadata", "annotations", "kubernetes.io/ingress.class"});
  const Json& cls = At(ing, {"spec", "ingressClassName"});
  if (annotation.is_string() && cls.is_string() && annotation != cls)
    out.push_back(InvalidValue("annotations.kubernetes.io/ingress.class", annotation,
                               "must match `ingressClassName` when both are specified"));
}

// ValidateIngressLoadBalancerStatus (ValidateIngressStatusUpdate).
void ValidateIngressStatus(Causes& out, const Json& ing, const Json& old) {
  (void)old;
  const Json& ingress = Arr(ing, {"status", "loadBalancer", "ingress"});
  for (size_t i = 0; i < ingress.size(); ++i) {
    std::string ip_path = "status.loadBalancer.ingress[" + std::to_string(i) + "]";
    std::string ip = Str(At(ingress[i], {"ip"}));
    if (!ip.empty())
      for (auto& c : IsValidIp(ip_path + ".ip", ip)) out.push_back(std::move(c));
    std::string hostname = Str(At(ingress[i], {"hostname"}));
    if (!hostname.empty()) {
      AppendInvalid(out, IsDns1123Subdomain(hostname), ip_path + ".hostname", hostname);
      if (ParseIp(hostname))
        out.push_back(InvalidCause(ip_path + ".hostname", GoQuote(hostname),
                                   "must be a DNS name, not an IP address"));
    }
  }
}

// ---- ingress classes -------------------------------------------------------------------

// validateIngressClassSpec.
void ValidateIngressClass(Causes& out, const Json& ic) {
  std::string controller = Str(At(ic, {"spec", "controller"}));
  if (controller.empty()) {
    out.push_back(RequiredCause("spec.controller"));
  } else {
    if (controller.size() > 250) out.push_back(TooLongCause("spec.controller", 250));
    for (auto& c : IsDomainPrefixedPath("spec.controller", controller)) out.push_back(std::move(c));
  }
  const Json& params = At(ic, {"spec", "parameters"});
  if (!params.is_object()) return;
  const std::string pp = "spec.parameters";
  ValidateTypedReference(out, params, pp);
  const Json& scope_json = At(params, {"scope"});
  if (!scope_json.is_string()) {
    out.push_back(RequiredCause(pp + ".scope"));
    return;
  }
  std::string scope = Str(scope_json);
  const Json& ns = At(params, {"namespace"});
  if (scope != "Cluster" && scope != "Namespace") {
    out.push_back(NotSupportedCause(pp + ".scope", scope, {"Cluster", "Namespace"}));
  } else if (scope == "Namespace") {
    if (!ns.is_string()) {
      out.push_back(RequiredCause(pp + ".namespace", "`parameters.scope` is set to 'Namespace'"));
    } else {
      AppendInvalid(out, IsDns1123Label(Str(ns)), pp + ".namespace", Str(ns));
    }
  } else if (ns.is_string()) {
    out.push_back(ForbiddenCause(pp + ".namespace", "`parameters.scope` is set to 'Cluster'"));
  }
}

// ---- network policies ------------------------------------------------------------------

void DefaultNetworkPolicy(Json& np) {
  Json& spec = Obj(np, "spec");
  if (Arr(spec, {"policyTypes"}).empty()) {
    Json types = Json::array({"Ingress"});
    if (!Arr(spec, {"egress"}).empty()) types.push_back("Egress");
    spec["policyTypes"] = types;
  }
  for (const char* dir : {"ingress", "egress"}) {
    if (!spec.contains(dir) || !spec[dir].is_array()) continue;
    for (Json& rule : spec[dir]) {
      if (!rule.is_object() || !rule.contains("ports") || !rule["ports"].is_array()) continue;
      for (Json& p : rule["ports"])
        if (p.is_object()) SetDefault(p, "protocol", "TCP");
    }
  }
}

// ValidateNetworkPolicyPort.
void ValidateNetworkPolicyPort(Causes& out, const Json& port, const std::string& pp) {
  const Json& proto = At(port, {"protocol"});
  if (proto.is_string() && proto != "TCP" && proto != "UDP" && proto != "SCTP")
    out.push_back(NotSupportedCause(pp + ".protocol", proto, {"TCP", "UDP", "SCTP"}));
  const Json& p = At(port, {"port"});
  const Json& end = At(port, {"endPort"});
  if (p.is_null()) {
    if (!end.is_null())
      out.push_back(
          InvalidValue(pp + ".endPort", end, "may not be specified when `port` is not specified"));
  } else if (p.is_string()) {
    if (!end.is_null())
      out.push_back(
          InvalidValue(pp + ".endPort", end, "may not be specified when `port` is non-numeric"));
    AppendInvalid(out, PortNameErrors(Str(p)), pp + ".port", Str(p));
  } else {
    int64_t n = Int(p).value_or(0);
    if (n < 1 || n > 65535)
      out.push_back(InvalidValue(pp + ".port", p, InclusiveRangeError(1, 65535)));
    if (!end.is_null()) {
      int64_t e = Int(end).value_or(0);
      if (e < n)
        out.push_back(
            InvalidValue(pp + ".endPort", end, "must be greater than or equal to `port`"));
      if (e < 1 || e > 65535)
        out.push_back(InvalidValue(pp + ".endPort", end, InclusiveRangeError(1, 65535)));
    }
  }
}

// ValidateIPBlock (apimachinery 1.32's IsValidCIDR wording).
void ValidateIpBlock(Causes& out, const Json& block, const std::string& bp) {
  std::string cidr = Str(At(block, {"cidr"}));
  if (cidr.empty()) {
    out.push_back(RequiredCause(bp + ".cidr"));
    return;
  }
  for (auto& c : IsValidCidr(bp + ".cidr", cidr)) out.push_back(std::move(c));
  auto net = ParseCidr(cidr);
  if (!net) return;
  const Json& except = Arr(block, {"except"});
  for (size_t i = 0; i < except.size(); ++i) {
    std::string ep = bp + ".except[" + std::to_string(i) + "]";
    std::string value = Str(except[i]);
    for (auto& c : IsValidCidr(ep, value)) out.push_back(std::move(c));
    auto sub = ParseCidr(value);
    if (!sub) continue;
    if (!CidrContains(*net, sub->ip) || net->prefix >= sub->prefix)
      out.push_back(InvalidCause(ep, GoQuote(value), "must be a strict subset of `cidr`"));
  }
}

// ValidateNetworkPolicyPeer.
void ValidateNetworkPolicyPeer(Causes& out, const Json& peer, const std::string& pp) {
  int peers = 0;
  if (At(peer, {"podSelector"}).is_object()) {
    ++peers;
    CheckLabelSelector(out, At(peer, {"podSelector"}), pp + ".podSelector");
  }
  if (At(peer, {"namespaceSelector"}).is_object()) {
    ++peers;
    CheckLabelSelector(out, At(peer, {"namespaceSelector"}), pp + ".namespaceSelector");
  }
  bool ip_block = At(peer, {"ipBlock"}).is_object();
  if (ip_block) {
    ++peers;
    ValidateIpBlock(out, At(peer, {"ipBlock"}), pp + ".ipBlock");
  }
  if (peers == 0) {
    out.push_back(RequiredCause(pp, "must specify a peer"));
  } else if (peers > 1 && ip_block) {
    out.push_back(ForbiddenCause(pp, "may not specify both ipBlock and another peer"));
  }
}

// ValidateNetworkPolicySpec.
void ValidateNetworkPolicy(Causes& out, const Json& np) {
  const Json& spec = At(np, {"spec"});
  CheckLabelSelector(out, At(spec, {"podSelector"}), "spec.podSelector");
  for (const auto& [dir, peers] : {std::pair{"ingress", "from"}, std::pair{"egress", "to"}}) {
    const Json& rules = Arr(spec, {dir});
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string rp = std::string("spec.") + dir + "[" + std::to_string(i) + "]";
      const Json& ports = Arr(rules[i], {"ports"});
      for (size_t j = 0; j < ports.size(); ++j)
        ValidateNetworkPolicyPort(out, ports[j], rp + ".ports[" + std::to_string(j) + "]");
      const Json& list = Arr(rules[i], {peers});
      for (size_t j = 0; j < list.size(); ++j)
        ValidateNetworkPolicyPeer(out, list[j], rp + "." + peers + "[" + std::to_string(j) + "]");
    }
  }
  const Json& types = Arr(spec, {"policyTypes"});
  if (types.size() > 2) {
    std::string names;
    for (const Json& t : types) names += (names.empty() ? "" : ", ") + GoQuote(Str(t));
    out.push_back(InvalidCause("spec.policyTypes", "[]networking.PolicyType{" + names + "}",
                               "may not specify more than two policyTypes"));
    return;
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] != "Ingress" && types[i] != "Egress")
      out.push_back(NotSupportedCause("spec.policyTypes[" + std::to_string(i) + "]", types[i],
                                      {"Ingress", "Egress"}));
  }
}

// ---- endpoint slices -------------------------------------------------------------------

std::vector<Json> EndpointSliceCells(const Json& eps, SystemTime now) {
  std::vector<std::string> ports;
  bool more = false;
  size_t count = 0;
  for (const Json& p : Arr(eps, {"ports"})) {
    if (ports.size() < 3) {
      std::string text = "*";
      if (auto n = Int(At(p, {"port"}))) {
        text = std::to_string(*n);
      } else if (At(p, {"name"}).is_string()) {
        text = Str(At(p, {"name"}));
      }
      ports.push_back(text);
    } else {
      more = true;
    }
    ++count;
  }
  std::string port_text = ListWithMore(ports, more, count, 3);
  std::vector<std::string> addrs;
  more = false;
  count = 0;
  for (const Json& e : Arr(eps, {"endpoints"})) {
    for (const Json& a : Arr(e, {"addresses"})) {
      if (addrs.size() < 3) {
        addrs.push_back(Str(a));
      } else {
        more = true;
      }
      ++count;
    }
  }
  return {Str(At(eps, {"addressType"})), port_text, ListWithMore(addrs, more, count, 3),
          AgeOf(eps, now)};
}

void DefaultEndpointSlice(Json& eps) {
  if (!eps.contains("ports") || !eps["ports"].is_array()) return;
  for (Json& p : eps["ports"]) {
    if (!p.is_object()) continue;
    SetDefault(p, "protocol", "TCP");
    SetDefault(p, "name", "");
  }
}

void ValidateEndpointSlice(Causes& out, const Json& eps) {
  std::string type = Str(At(eps, {"addressType"}));
  if (type.empty()) {
    out.push_back(RequiredCause("addressType"));
  } else if (type != "IPv4" && type != "IPv6" && type != "FQDN") {
    out.push_back(NotSupportedCause("addressType", type, {"FQDN", "IPv4", "IPv6"}));
  }
  const Json& endpoints = Arr(eps, {"endpoints"});
  for (size_t i = 0; i < endpoints.size(); ++i) {
    std::string ep = "endpoints[" + std::to_string(i) + "]";
    const Json& addrs = Arr(endpoints[i], {"addresses"});
    if (addrs.empty()) {
      out.push_back(RequiredCause(ep + ".addresses", "must contain at least 1 address"));
    } else if (addrs.size() > 100) {
      out.push_back({"FieldValueTooMany",
                     "Too many: " + std::to_string(addrs.size()) + ": must have at most 100 items",
                     ep + ".addresses"});
    }
    for (size_t j = 0; j < addrs.size(); ++j) {
      std::string a = Str(addrs[j]);
      std::string ap = ep + ".addresses[" + std::to_string(j) + "]";
      if (type == "IPv4" && !ParseIpv4(a))
        out.push_back(InvalidCause(ap, GoQuote(a), "must be a valid IPv4 address"));
      if (type == "FQDN")
        for (const auto& m : IsDns1123Subdomain(a)) out.push_back(InvalidCause(ap, GoQuote(a), m));
    }
  }
  const Json& ports = Arr(eps, {"ports"});
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string pp = "ports[" + std::to_string(i) + "]";
    std::string proto = Str(At(ports[i], {"protocol"}));
    if (!proto.empty() && proto != "TCP" && proto != "UDP" && proto != "SCTP")
      out.push_back(NotSupportedCause(pp + ".protocol", proto, {"SCTP", "TCP", "UDP"}));
    const Json& port = At(ports[i], {"port"});
    if (auto n = Int(port); n && (*n < 1 || *n > 65535))
      out.push_back(InvalidValue(pp + ".port", port, "must be between 1 and 65535, inclusive"));
  }
}

ResourceInfo NetworkingEntry(const std::string& kind, const std::string& plural,
                             const std::string& singular) {
  ResourceInfo r;
  r.group = "networking.k8s.io";
  r.version = "v1";
  r.kind = kind;
  r.plural = plural;
  r.singular = singular;
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("networking", "v1", kind);
  r.fields = NoFields;
  return r;
}

}  // namespace

ResourceInfo Ingresses() {
  ResourceInfo r = NetworkingEntry("Ingress", "ingresses", "ingress");
  r.short_names = {"ing"};
  r.subresources = {StatusSubresource("networking.k8s.io", "v1", "Ingress")};
  r.columns = {
      Col("Class", "string",
          "The name of the IngressClass resource that should be used for additional configuration"),
      Col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
      Col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
      Col("Ports", "string", "Ports of TLS configurations that open"),
      AgeCol(),
  };
  r.cells = IngressCells;
  StrategySpec s;
  s.empty_status = Json{{"loadBalancer", Json::object()}};
  s.generation = Generation::kSpec;
  s.validate = ValidateIngress;
  s.validate_create = ValidateIngressCreate;
  s.validate_status = ValidateIngressStatus;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo IngressClasses() {
  ResourceInfo r = NetworkingEntry("IngressClass", "ingressclasses", "ingressclass");
  r.namespaced = false;
  r.columns = {
      Col("Controller", "string", "Controller that is responsible for handling this class"),
      Col("Parameters", "string", "A reference to a resource with additional parameters"),
      AgeCol(),
  };
  r.cells = [](const Json& ic, SystemTime now) -> std::vector<Json> {
    std::string params = "<none>";
    const Json& p = At(ic, {"spec", "parameters"});
    if (p.is_object()) {
      params = Str(At(p, {"kind"}));
      if (At(p, {"apiGroup"}).is_string()) params += "." + Str(At(p, {"apiGroup"}));
      params += "/" + Str(At(p, {"name"}));
    }
    return {Str(At(ic, {"spec", "controller"})), params, AgeOf(ic, now)};
  };
  StrategySpec s;
  s.generation = Generation::kSpec;
  s.defaults = [](Json& ic) {
    const Json& p = At(ic, {"spec", "parameters"});
    if (p.is_object()) SetDefault(ic["spec"]["parameters"], "scope", "Cluster");
  };
  s.validate = ValidateIngressClass;
  s.validate_update = [](Causes& out, const Json& ic, const Json& old) {
    const Json& c = At(ic, {"spec", "controller"});
    if (c != At(old, {"spec", "controller"}))
      out.push_back(InvalidValue("spec.controller", c, "field is immutable"));
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo NetworkPolicies() {
  ResourceInfo r = NetworkingEntry("NetworkPolicy", "networkpolicies", "networkpolicy");
  r.short_names = {"netpol"};
  r.columns = {Col("Pod-Selector", "string", Doc("NetworkPolicySpec.podSelector")), AgeCol()};
  r.cells = [](const Json& np, SystemTime now) -> std::vector<Json> {
    return {FormatLabelSelector(At(np, {"spec", "podSelector"})), AgeOf(np, now)};
  };
  StrategySpec s;
  s.generation = Generation::kSpec;
  s.defaults = DefaultNetworkPolicy;
  s.validate = ValidateNetworkPolicy;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo EndpointSlices() {
  ResourceInfo r;
  r.group = "discovery.k8s.io";
  r.version = "v1";
  r.kind = "EndpointSlice";
  r.plural = "endpointslices";
  r.singular = "endpointslice";
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("discovery", "v1", "EndpointSlice");
  r.columns = {
      Col("AddressType", "string", Doc("EndpointSlice.addressType")),
      Col("Ports", "string", Doc("EndpointSlice.ports")),
      Col("Endpoints", "string", Doc("EndpointSlice.endpoints")),
      AgeCol(),
  };
  r.cells = EndpointSliceCells;
  r.fields = NoFields;
  StrategySpec s;
  s.generation = Generation::kContent;
  s.defaults = DefaultEndpointSlice;
  s.validate = ValidateEndpointSlice;
  s.validate_update = [](Causes& out, const Json& eps, const Json& old) {
    const Json& t = At(eps, {"addressType"});
    if (t != At(old, {"addressType"})) out.push_back(InvalidValue("addressType", t, "field is immutable"));
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik::res
