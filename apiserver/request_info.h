// RequestInfo: what a Kubernetes URL names, parsed like the apiserver's
// k8s.io/apiserver/pkg/endpoints/request/requestinfo.go. Pure: no registry look-ups.
//
//   /api/v1/namespaces/ns/pods/web/status      resource request: get pods/status "web" in "ns"
//   /apis/apps/v1/deployments?watch=true       resource request: watch deployments (all ns)
//   /api/v1/watch/namespaces/ns/pods/web       legacy watch prefix: watch one pod
//   /api/v1/namespaces/ns/status               namespaces/status of namespace "ns"
//   /apis, /apis/apps, /version, /healthz      non-resource requests (verb = lower-case method)
#pragma once

#include <string>
#include <vector>

#include "apiserver/http.h"

namespace minik {

struct RequestInfo {
  bool is_resource_request = false;
  std::string path;  // the request path, always set
  // Resource verbs: get, list, watch, create, update, patch, delete, deletecollection.
  // Non-resource verbs: get, post, put, patch, delete, head, options.
  std::string verb;
  std::string api_prefix;  // "api" or "apis" (resource requests and API discovery paths)
  std::string group;       // "" for the core group
  std::string version;
  std::string ns;  // from namespaces/<ns>/...; also the name for namespaces/<name>
  std::string resource;
  std::string name;
  std::string subresource;
  std::vector<std::string> parts;  // resource[/name[/subresource[/...]]]
};

RequestInfo ParseRequestInfo(const HttpRequest& request);

}  // namespace minik
