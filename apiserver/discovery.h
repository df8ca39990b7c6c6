// Discovery documents, built once from the resource registry and served as cached bytes:
// aggregated (apidiscovery.k8s.io v2 and v2beta1) and legacy /api, /apis, /apis/<g>,
// /api/v1 and /apis/<g>/<v> (kubectl-wire.md §1), plus /version.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "api/resource.h"

namespace minik {

struct DiscoveryDocument {
  std::string content_type;
  std::string body;
};

class Discovery {
 public:
  // `external_address` ("127.0.0.1:8443") goes into /api serverAddressByClientCIDRs.
  Discovery(const ResourceRegistry& resources, const std::string& external_address);

  // `path` is "/api" or "/apis"; `aggregated` is "v2", "v2beta1" or "" (legacy).
  const DiscoveryDocument& Root(const std::string& path, const std::string& aggregated) const;
  // /apis/<group> (APIGroup); nullopt for an unknown group.
  std::optional<DiscoveryDocument> Group(const std::string& group) const;
  // /api/v1 or /apis/<group>/<version> (APIResourceList); nullopt when not served.
  std::optional<DiscoveryDocument> ResourceList(const std::string& group,
                                                const std::string& version) const;
  const DiscoveryDocument& Version() const { return version_; }

 private:
  DiscoveryDocument api_legacy_, apis_legacy_;
  std::map<std::string, DiscoveryDocument> api_aggregated_, apis_aggregated_;  // by version
  std::map<std::string, DiscoveryDocument> groups_;                             // by group
  std::map<std::string, DiscoveryDocument> resource_lists_;  // by "group/version"
  DiscoveryDocument version_;
};

// The /version document: {"major":"1","minor":"32","gitVersion":"v1.32.0-minik",...}.
std::string VersionJson();

}  // namespace minik
