// IngressRoutes: the Ingress controller's routing table, built purely from the API objects
// (Ingresses, IngressClasses, Services, EndpointSlices, Secrets) into an immutable snapshot
// that the proxy swaps atomically; a request keeps the snapshot (and backend) it started with.
//
// Semantics, as networking.k8s.io/v1 documents them and ingress-nginx implements them:
//  - Ingresses handled: spec.ingressClassName is `class_name` or names an IngressClass whose
//    spec.controller is `controller`; without ingressClassName, the legacy annotation
//    kubernetes.io/ingress.class decides the same way; with neither, handled (minik's class
//    is the default class).
//  - Hosts: exact names beat `*.example.com` wildcards (which match one label only: not
//    `example.com`, not `a.b.example.com`); rules without a host apply to every other host.
//    Host names compare case-insensitively, without port and trailing dot.
//  - Paths: Exact, Prefix (element-wise: `/a` matches `/a`, `/a/`, `/a/b`, not `/ab`; a
//    trailing `/` in the rule is ignored), ImplementationSpecific (as Prefix). The longest
//    path wins; Exact beats Prefix of the same length. Rules of several Ingresses for one host
//    merge; on a conflict (same host, path and type) the oldest Ingress wins.
//  - defaultBackend: an Ingress's spec.defaultBackend answers its hosts' unmatched paths; the
//    one of an Ingress without rules (the oldest) answers every request that matches nothing
//    else. No match at all: 404.
//  - Backends: service name + port number or name -> the Service's port -> the ready
//    endpoints (conditions.ready != false) of its EndpointSlices (label
//    kubernetes.io/service-name), port picked by the service port's name; round-robin. A
//    missing Service, unknown port or no ready endpoint is a backend with an error (503).
//  - TLS: spec.tls[].hosts (empty: the Ingress's rule hosts) -> Secret secretName (type
//    kubernetes.io/tls, data tls.crt / tls.key). Exact host, then wildcard. A bad Secret is
//    reported in `warnings` and skipped; the proxy then serves its default certificate.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/informer.h"
#include "api/json.h"

namespace minik::netproxy {

struct IngressEndpoint {
  std::string ip;
  int port = 0;
  bool operator==(const IngressEndpoint&) const = default;
};

// Where a matched request goes. Immutable but for the round-robin cursor.
struct IngressBackend {
  std::string name;                        // "ns/service:port", for logs and errors
  std::vector<IngressEndpoint> endpoints;  // ready endpoints
  std::string error;                       // why `endpoints` is empty (503)
  mutable std::atomic<uint64_t> next{0};

  // The next endpoint round-robin (skipping `skip` further ones); nullptr when none.
  const IngressEndpoint* Pick(size_t skip = 0) const;
};
using BackendPtr = std::shared_ptr<const IngressBackend>;

enum class IngressPathType { kExact, kPrefix };

struct IngressPath {
  std::string path;  // Prefix: without trailing '/' (but "/" stays "/")
  IngressPathType type = IngressPathType::kPrefix;
  BackendPtr backend;
  std::string ingress;  // "ns/name" of the Ingress that defined it
};

struct IngressHost {
  std::vector<IngressPath> paths;  // longest first; Exact before Prefix of the same length
  BackendPtr default_backend;      // may be null
};

struct IngressTls {
  std::string secret;  // "ns/name"
  std::string resource_version;
  std::string cert_pem;
  std::string key_pem;
};

struct RouteMatch {
  BackendPtr backend;    // null: 404
  std::string ingress;   // the Ingress that matched ("" for a default backend)
};

class IngressRoutes {
 public:
  // `host` as in the Host header (port, case and trailing dot are ignored); `path` without
  // the query string.
  RouteMatch Match(std::string_view host, std::string_view path) const;
  // The certificate for an SNI name; nullptr: none configured (the default certificate).
  std::shared_ptr<const IngressTls> CertificateFor(std::string_view host) const;
  // The handled Ingresses ("ns/name"), sorted.
  const std::vector<std::string>& ingresses() const { return ingresses_; }
  // Every distinct TLS secret in use.
  std::vector<std::shared_ptr<const IngressTls>> certificates() const;

 private:
  friend class IngressRoutesBuilder;
  static RouteMatch MatchHost(const IngressHost& h, std::string_view path);

  std::unordered_map<std::string, IngressHost> exact_;
  std::unordered_map<std::string, IngressHost> wildcard_;  // "example.com" for *.example.com
  IngressHost any_host_;
  bool has_any_host_ = false;
  BackendPtr default_backend_;
  std::unordered_map<std::string, std::shared_ptr<const IngressTls>> tls_exact_;
  std::unordered_map<std::string, std::shared_ptr<const IngressTls>> tls_wildcard_;
  std::vector<std::string> ingresses_;
};
using RoutesPtr = std::shared_ptr<const IngressRoutes>;

struct IngressObjects {
  std::vector<ObjectPtr> ingresses;
  std::vector<ObjectPtr> classes;
  std::vector<ObjectPtr> services;
  std::vector<ObjectPtr> slices;
  std::vector<ObjectPtr> secrets;
};

// Whether the controller of `class_name` / `controller` handles `ingress` (rules above).
bool HandlesIngress(const Json& ingress, const std::vector<ObjectPtr>& classes,
                    const std::string& class_name, const std::string& controller);

// Builds the table. Problems that skip a part of the configuration (a bad TLS Secret) are
// appended to `warnings` (may be null).
RoutesPtr BuildIngressRoutes(const IngressObjects& objects, const std::string& class_name,
                             const std::string& controller, std::vector<std::string>* warnings);

// "Foo.Example.com.:8080" -> "foo.example.com"; "[::1]:80" -> "::1".
std::string NormalizeHost(std::string_view host);

// The path of a request target as routing sees it: query and fragment dropped, repeated
// slashes merged, "." and ".." segments resolved (never above "/"), so "/public/../admin"
// routes as "/admin". The request is forwarded with its target unchanged.
std::string RoutingPath(std::string_view target);

}  // namespace minik::netproxy
