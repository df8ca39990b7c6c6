// `minik service NAME [-n NS] [--url] [--https]`: the URLs that reach a NodePort or
// LoadBalancer service from this machine, as `minikube service --url` prints them: the
// load-balancer IP with the service port, then the node's address with each node port.
#include <iostream>
#include <string>
#include <vector>

#include "api/json.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/https_client.h"
#include "cmd/node_setup.h"
#include "cmd/profile.h"

namespace minik {

namespace {

constexpr const char* kServiceUsage =
    "usage: minik service NAME [-n NAMESPACE] [--url] [--https] [--profile P]\n"
    "prints the URLs that reach a NodePort or LoadBalancer service from this machine\n";

}  // namespace

// The URLs for `service` (a v1 Service), or an error naming why there are none.
StatusOr<std::vector<std::string>> ServiceUrls(const Json& service, const std::string& node_ip,
                                               const std::string& scheme) {
  std::vector<std::string> urls;
  const std::string type = GetString(service, {"spec", "type"});
  const Json* ports = Find(service, {"spec", "ports"});
  const std::string id = Namespace(service) + "/" + Name(service);
  if (type == "LoadBalancer") {
    if (const Json* ing = Find(service, {"status", "loadBalancer", "ingress"}); ing && ing->is_array())
      for (const Json& i : *ing) {
        std::string host = GetString(i, {"ip"});
        if (host.empty()) host = GetString(i, {"hostname"});
        if (host.empty() || ports == nullptr || !ports->is_array()) continue;
        for (const Json& p : *ports)
          urls.push_back(scheme + "://" + host + ":" + std::to_string(GetInt(p, {"port"})));
      }
  }
  if ((type == "NodePort" || type == "LoadBalancer") && ports != nullptr && ports->is_array()) {
    for (const Json& p : *ports)
      if (int64_t np = GetInt(p, {"nodePort"}); np > 0)
        urls.push_back(scheme + "://" + node_ip + ":" + std::to_string(np));
  }
  if (urls.empty())
    return BadRequest("service " + id + " has no node port" +
                      (type.empty() || type == "ClusterIP" ? " (type ClusterIP: use kubectl port-forward, or expose it with --type=NodePort)" : ""));
  return urls;
}

int ServiceCommand(const CliArgs& args) {
  std::string profile = args.profile, ns = "default", scheme = "http";
  std::vector<std::string> names;
  const auto& rest = args.rest;
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& w = rest[i];
    auto value = [&]() -> const std::string* { return i + 1 < rest.size() ? &rest[++i] : nullptr; };
    if (w == "--help" || w == "-h") {
      std::cout << kServiceUsage;
      return 0;
    } else if (w == "--profile" || w == "-p" || w == "-n" || w == "--namespace") {
      const std::string* v = value();
      if (v == nullptr) return Fail("flag " + w + " needs a value", 2);
      (w == "-n" || w == "--namespace" ? ns : profile) = *v;
    } else if (w.rfind("--profile=", 0) == 0) {
      profile = w.substr(10);
    } else if (w.rfind("--namespace=", 0) == 0) {
      ns = w.substr(12);
    } else if (w == "--url") {
      // The only output there is: URLs, one per line.
    } else if (w == "--https") {
      scheme = "https";
    } else if (w.size() > 1 && w[0] == '-') {
      return Fail("unknown flag " + w + " for service", 2);
    } else {
      names.push_back(w);
    }
  }
  if (names.size() != 1) {
    std::cerr << kServiceUsage;
    return Fail("service needs exactly one service name", 2);
  }
  if (Status v = ValidateProfileName(profile); !v.ok()) return Fail(v.message(), 2);
  ProfilePaths paths = PathsFor(MinikHome(), profile);
  auto config = LoadProfileConfig(paths);
  if (!config.ok()) {
    if (config.status().code() == Code::kNotFound)
      return Fail("profile \"" + profile + "\" not found (run minik start first)");
    return Fail(config.status().message());
  }
  auto ca = ReadFile(paths.pki + "/ca.crt");
  auto cert = ReadFile(paths.pki + "/admin.crt");
  auto key = ReadFile(paths.pki + "/admin.key");
  if (!ca.ok() || !cert.ok() || !key.ok())
    return Fail("cannot read the cluster credentials in " + paths.pki + " (run as root)");
  HttpsClientOptions o;
  o.port = config->api_port;
  o.ca_pem = *ca;
  o.client_cert_pem = *cert;
  o.client_key_pem = *key;
  auto client = HttpsClient::New(o);
  if (!client.ok()) return Fail(client.status().message());
  auto resp = (*client)->Get("/api/v1/namespaces/" + ns + "/services/" + names[0]);
  if (!resp.ok())
    return Fail("profile " + profile + " is not running (" + resp.status().message() + ")");
  if (resp->status == 404) return Fail("service " + ns + "/" + names[0] + " not found");
  if (resp->status != 200)
    return Fail("getting service " + ns + "/" + names[0] + ": HTTP " + std::to_string(resp->status));
  auto service = ParseJson(resp->body);
  if (!service.ok()) return Fail("malformed Service from the API: " + service.status().message());
  auto urls = ServiceUrls(*service, NodeIpFor(*config), scheme);
  if (!urls.ok()) return Fail(urls.status().message());
  for (const std::string& u : *urls) std::cout << u << "\n";
  return 0;
}

}  // namespace minik
