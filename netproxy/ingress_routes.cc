#include "netproxy/ingress_routes.h"

#include <algorithm>
#include <map>
#include <set>

#include "api/base64.h"

namespace minik::netproxy {

namespace {

constexpr char kLegacyClassAnnotation[] = "kubernetes.io/ingress.class";
constexpr char kServiceNameLabel[] = "kubernetes.io/service-name";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Prefix rules compare without their trailing '/'.
std::string NormalizePrefix(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

bool PathMatches(const IngressPath& rule, std::string_view path) {
  if (rule.type == IngressPathType::kExact) return path == rule.path;
  if (rule.path == "/") return true;
  if (path.size() < rule.path.size() || path.compare(0, rule.path.size(), rule.path) != 0)
    return false;
  return path.size() == rule.path.size() || path[rule.path.size()] == '/';
}

// Oldest first (creationTimestamp, then key), as ingress-nginx orders conflicting rules.
bool OlderIngress(const ObjectPtr& a, const ObjectPtr& b) {
  std::string ta = GetString(*a, {"metadata", "creationTimestamp"});
  std::string tb = GetString(*b, {"metadata", "creationTimestamp"});
  if (ta != tb) return ta < tb;
  return ObjectKey(*a) < ObjectKey(*b);
}

}  // namespace

const IngressEndpoint* IngressBackend::Pick(size_t skip) const {
  if (endpoints.empty()) return nullptr;
  uint64_t n = next.fetch_add(1, std::memory_order_relaxed) + skip;
  return &endpoints[n % endpoints.size()];
}

std::string NormalizeHost(std::string_view host) {
  std::string_view h = host;
  if (!h.empty() && h.front() == '[') {
    size_t end = h.find(']');
    h = end == std::string_view::npos ? h.substr(1) : h.substr(1, end - 1);
    return Lower(h);
  }
  size_t colon = h.rfind(':');
  if (colon != std::string_view::npos && h.find(':') == colon) h = h.substr(0, colon);
  while (!h.empty() && h.back() == '.') h.remove_suffix(1);
  return Lower(h);
}

std::string RoutingPath(std::string_view target) {
  size_t end = target.find_first_of("?#");
  if (end != std::string_view::npos) target = target.substr(0, end);
  std::vector<std::string_view> segments;
  size_t i = 0;
  bool trailing = false;
  while (i < target.size()) {
    size_t slash = target.find('/', i);
    std::string_view seg = target.substr(i, slash == std::string_view::npos ? slash : slash - i);
    trailing = slash != std::string_view::npos && slash + 1 == target.size();
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing = true;
    } else if (seg == ".") {
      trailing = true;
    } else if (!seg.empty()) {
      trailing = trailing && slash != std::string_view::npos;
      segments.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  std::string out;
  for (std::string_view seg : segments) {
    out += '/';
    out += seg;
  }
  if (out.empty() || trailing) out += '/';
  return out;
}

RouteMatch IngressRoutes::MatchHost(const IngressHost& h, std::string_view path) {
  for (const IngressPath& p : h.paths) {
    if (PathMatches(p, path)) return {p.backend, p.ingress};
  }
  return {h.default_backend, ""};
}

RouteMatch IngressRoutes::Match(std::string_view host, std::string_view path) const {
  std::string name = NormalizeHost(host);
  const IngressHost* h = nullptr;
  if (auto it = exact_.find(name); it != exact_.end()) {
    h = &it->second;
  } else if (size_t dot = name.find('.'); dot != std::string::npos && dot > 0) {
    if (auto w = wildcard_.find(name.substr(dot + 1)); w != wildcard_.end()) h = &w->second;
  }
  if (h == nullptr && has_any_host_) h = &any_host_;
  RouteMatch m;
  if (h != nullptr) m = MatchHost(*h, path);
  if (m.backend == nullptr) m = {default_backend_, ""};
  return m;
}

std::shared_ptr<const IngressTls> IngressRoutes::CertificateFor(std::string_view host) const {
  std::string name = NormalizeHost(host);
  if (auto it = tls_exact_.find(name); it != tls_exact_.end()) return it->second;
  if (size_t dot = name.find('.'); dot != std::string::npos && dot > 0) {
    if (auto w = tls_wildcard_.find(name.substr(dot + 1)); w != tls_wildcard_.end())
      return w->second;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const IngressTls>> IngressRoutes::certificates() const {
  std::map<std::string, std::shared_ptr<const IngressTls>> by_secret;
  for (const auto& [host, tls] : tls_exact_) by_secret[tls->secret] = tls;
  for (const auto& [host, tls] : tls_wildcard_) by_secret[tls->secret] = tls;
  std::vector<std::shared_ptr<const IngressTls>> out;
  for (auto& [secret, tls] : by_secret) out.push_back(tls);
  return out;
}

bool HandlesIngress(const Json& ingress, const std::vector<ObjectPtr>& classes,
                    const std::string& class_name, const std::string& controller) {
  std::string cls;
  if (const Json* c = Find(ingress, {"spec", "ingressClassName"}); c != nullptr && c->is_string()) {
    cls = c->get<std::string>();
  } else if (const Json* a = Find(ingress, {"metadata", "annotations", kLegacyClassAnnotation});
             a != nullptr && a->is_string()) {
    cls = a->get<std::string>();
  } else {
    return true;  // no class: minik's is the default class
  }
  if (cls == class_name) return true;
  for (const ObjectPtr& c : classes) {
    if (Name(*c) == cls) return GetString(*c, {"spec", "controller"}) == controller;
  }
  return false;
}

// Builds one table; owns the lookups (services, slices, secrets) and shared backends.
class IngressRoutesBuilder {
 public:
  IngressRoutesBuilder(const IngressObjects& objects, std::vector<std::string>* warnings)
      : warnings_(warnings) {
    for (const ObjectPtr& s : objects.services) services_[ObjectKey(*s)] = s.get();
    for (const ObjectPtr& s : objects.secrets) secrets_[ObjectKey(*s)] = s;
    for (const ObjectPtr& s : objects.slices) {
      const Json& labels = Labels(*s);
      auto it = labels.find(kServiceNameLabel);
      if (it == labels.end() || !it->is_string()) continue;
      slices_[Namespace(*s) + "/" + it->get<std::string>()].push_back(s.get());
    }
  }

  RoutesPtr Build(std::vector<ObjectPtr> ingresses) {
    auto routes = std::make_shared<IngressRoutes>();
    std::sort(ingresses.begin(), ingresses.end(), OlderIngress);
    for (const ObjectPtr& ing : ingresses) {
      routes->ingresses_.push_back(ObjectKey(*ing));
      AddIngress(*routes, *ing);
    }
    std::sort(routes->ingresses_.begin(), routes->ingresses_.end());
    auto order = [](const IngressPath& a, const IngressPath& b) {
      if (a.path.size() != b.path.size()) return a.path.size() > b.path.size();
      return a.type == IngressPathType::kExact && b.type != IngressPathType::kExact;
    };
    for (auto* hosts : {&routes->exact_, &routes->wildcard_}) {
      for (auto& [name, h] : *hosts) std::stable_sort(h.paths.begin(), h.paths.end(), order);
    }
    std::stable_sort(routes->any_host_.paths.begin(), routes->any_host_.paths.end(), order);
    return routes;
  }

 private:
  void Warn(std::string w) {
    if (warnings_ != nullptr) warnings_->push_back(std::move(w));
  }

  IngressHost& HostEntry(IngressRoutes& r, const std::string& host) {
    if (host.empty()) {
      r.has_any_host_ = true;
      return r.any_host_;
    }
    if (host.rfind("*.", 0) == 0) return r.wildcard_[host.substr(2)];
    return r.exact_[host];
  }

  void AddIngress(IngressRoutes& r, const Json& ing) {
    const std::string ns = Namespace(ing);
    const std::string key = ObjectKey(ing);
    BackendPtr def;
    if (const Json* db = Find(ing, {"spec", "defaultBackend"}); db != nullptr && db->is_object())
      def = Resolve(ns, *db);
    const Json* rules = Find(ing, {"spec", "rules"});
    std::vector<std::string> rule_hosts;
    if (rules != nullptr && rules->is_array() && !rules->empty()) {
      for (const Json& rule : *rules) {
        if (!rule.is_object()) continue;
        std::string host = Lower(GetString(rule, {"host"}));
        rule_hosts.push_back(host);
        IngressHost& h = HostEntry(r, host);
        if (def != nullptr && h.default_backend == nullptr) h.default_backend = def;
        const Json* paths = Find(rule, {"http", "paths"});
        if (paths == nullptr || !paths->is_array()) continue;
        for (const Json& p : *paths) AddPath(h, ns, key, p);
      }
    } else if (def != nullptr && r.default_backend_ == nullptr) {
      r.default_backend_ = def;
    }
    AddTls(r, ing, rule_hosts);
  }

  void AddPath(IngressHost& h, const std::string& ns, const std::string& key, const Json& p) {
    if (!p.is_object()) return;
    IngressPath path;
    path.path = GetString(p, {"path"});
    if (path.path.empty()) path.path = "/";
    if (path.path.front() != '/') return;  // validation rejects these; nothing can match
    path.type = GetString(p, {"pathType"}) == "Exact" ? IngressPathType::kExact
                                                       : IngressPathType::kPrefix;
    if (path.type == IngressPathType::kPrefix) path.path = NormalizePrefix(path.path);
    for (const IngressPath& existing : h.paths) {
      if (existing.path == path.path && existing.type == path.type) return;  // older wins
    }
    const Json* backend = Find(p, {"backend"});
    path.backend = Resolve(ns, backend != nullptr ? *backend : Json::object());
    path.ingress = key;
    h.paths.push_back(std::move(path));
  }

  // A backend reference -> the shared backend of that service port.
  BackendPtr Resolve(const std::string& ns, const Json& ref) {
    std::string svc_name = GetString(ref, {"service", "name"});
    const Json* port = Find(ref, {"service", "port"});
    std::string port_text;
    if (port != nullptr) {
      if (const Json* n = Find(*port, {"number"}); n != nullptr && n->is_number_integer())
        port_text = std::to_string(n->get<int64_t>());
      else
        port_text = GetString(*port, {"name"});
    }
    std::string id = ns + "/" + svc_name + ":" + port_text;
    if (auto it = backends_.find(id); it != backends_.end()) return it->second;
    auto b = std::make_shared<IngressBackend>();
    b->name = id;
    if (svc_name.empty()) {
      b->error = Find(ref, {"resource"}) != nullptr ? "resource backends are not supported"
                                                   : "backend names no service";
    } else {
      FillEndpoints(*b, ns, svc_name, port);
    }
    backends_[id] = b;
    return b;
  }

  void FillEndpoints(IngressBackend& b, const std::string& ns, const std::string& svc_name,
                     const Json* port_ref) {
    auto svc_it = services_.find(ns + "/" + svc_name);
    if (svc_it == services_.end()) {
      b.error = "service \"" + ns + "/" + svc_name + "\" not found";
      return;
    }
    const Json& svc = *svc_it->second;
    if (GetString(svc, {"spec", "type"}) == "ExternalName") {
      b.error = "ExternalName services are not supported as Ingress backends";
      return;
    }
    const Json* port = nullptr;
    if (const Json* ports = Find(svc, {"spec", "ports"}); ports != nullptr && ports->is_array()) {
      for (const Json& p : *ports) {
        const Json* want_number = port_ref != nullptr ? Find(*port_ref, {"number"}) : nullptr;
        bool match = want_number != nullptr
                         ? GetInt(p, {"port"}, -1) == GetInt(*port_ref, {"number"}, -2)
                         : port_ref != nullptr &&
                               GetString(p, {"name"}) == GetString(*port_ref, {"name"});
        if (match) {
          port = &p;
          break;
        }
      }
    }
    if (port == nullptr) {
      b.error = "service \"" + ns + "/" + svc_name + "\" has no such port";
      return;
    }
    const std::string port_name = GetString(*port, {"name"});
    std::set<std::pair<std::string, int>> seen;
    for (const Json* slice : slices_[ns + "/" + svc_name]) {
      std::string type = GetString(*slice, {"addressType"});
      if (type != "IPv4" && type != "IPv6") continue;
      int target = -1;
      if (const Json* ports = Find(*slice, {"ports"}); ports != nullptr && ports->is_array()) {
        for (const Json& sp : *ports) {
          if (GetString(sp, {"name"}) == port_name) target = static_cast<int>(GetInt(sp, {"port"}, -1));
        }
      }
      if (target <= 0 || target > 65535) continue;
      const Json* eps = Find(*slice, {"endpoints"});
      if (eps == nullptr || !eps->is_array()) continue;
      for (const Json& ep : *eps) {
        const Json* ready = Find(ep, {"conditions", "ready"});
        if (ready != nullptr && ready->is_boolean() && !ready->get<bool>()) continue;
        const Json* addrs = Find(ep, {"addresses"});
        if (addrs == nullptr || !addrs->is_array() || addrs->empty() || !(*addrs)[0].is_string())
          continue;
        std::string ip = (*addrs)[0].get<std::string>();  // the others are the same endpoint
        if (seen.insert({ip, target}).second) b.endpoints.push_back({ip, target});
      }
    }
    if (b.endpoints.empty()) b.error = "service \"" + ns + "/" + svc_name + "\" has no ready endpoints";
  }

  void AddTls(IngressRoutes& r, const Json& ing, const std::vector<std::string>& rule_hosts) {
    const Json* tls = Find(ing, {"spec", "tls"});
    if (tls == nullptr || !tls->is_array()) return;
    const std::string ns = Namespace(ing);
    for (const Json& t : *tls) {
      std::string secret_name = GetString(t, {"secretName"});
      if (secret_name.empty()) continue;  // the default certificate
      std::vector<std::string> hosts;
      if (const Json* hs = Find(t, {"hosts"}); hs != nullptr && hs->is_array() && !hs->empty()) {
        for (const Json& h : *hs)
          if (h.is_string()) hosts.push_back(Lower(h.get<std::string>()));
      } else {
        hosts = rule_hosts;
      }
      std::shared_ptr<const IngressTls> cert = Certificate(ns + "/" + secret_name, ObjectKey(ing));
      if (cert == nullptr) continue;
      for (const std::string& h : hosts) {
        if (h.empty()) continue;
        if (h.rfind("*.", 0) == 0)
          r.tls_wildcard_.emplace(h.substr(2), cert);  // emplace: the oldest Ingress wins
        else
          r.tls_exact_.emplace(h, cert);
      }
    }
  }

  std::shared_ptr<const IngressTls> Certificate(const std::string& key, const std::string& ing) {
    if (auto it = certs_.find(key); it != certs_.end()) return it->second;
    std::shared_ptr<const IngressTls>& slot = certs_[key];
    auto it = secrets_.find(key);
    if (it == secrets_.end()) {
      Warn("ingress " + ing + ": TLS secret \"" + key + "\" not found");
      return nullptr;
    }
    const Json& s = *it->second;
    if (GetString(s, {"type"}) != "kubernetes.io/tls") {
      Warn("ingress " + ing + ": secret \"" + key + "\" is not of type kubernetes.io/tls");
      return nullptr;
    }
    auto crt = Base64Decode(GetString(s, {"data", "tls.crt"}));
    auto pkey = Base64Decode(GetString(s, {"data", "tls.key"}));
    if (!crt || !pkey || crt->empty() || pkey->empty()) {
      Warn("ingress " + ing + ": secret \"" + key + "\" lacks valid tls.crt / tls.key data");
      return nullptr;
    }
    auto cert = std::make_shared<IngressTls>();
    cert->secret = key;
    cert->resource_version = ResourceVersion(s);
    cert->cert_pem = std::move(*crt);
    cert->key_pem = std::move(*pkey);
    slot = cert;
    return cert;
  }

  std::vector<std::string>* warnings_;
  std::unordered_map<std::string, const Json*> services_;
  std::unordered_map<std::string, ObjectPtr> secrets_;
  std::unordered_map<std::string, std::vector<const Json*>> slices_;
  std::unordered_map<std::string, BackendPtr> backends_;
  std::unordered_map<std::string, std::shared_ptr<const IngressTls>> certs_;
};

RoutesPtr BuildIngressRoutes(const IngressObjects& objects, const std::string& class_name,
                             const std::string& controller, std::vector<std::string>* warnings) {
  std::vector<ObjectPtr> handled;
  for (const ObjectPtr& ing : objects.ingresses) {
    if (HandlesIngress(*ing, objects.classes, class_name, controller)) handled.push_back(ing);
  }
  IngressRoutesBuilder builder(objects, warnings);
  return builder.Build(std::move(handled));
}

}  // namespace minik::netproxy
