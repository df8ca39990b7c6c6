// ResourceHandler: serves resource requests (get, list, watch, create, update, patch,
// delete, deletecollection, and their subresources) for any registry entry by calling the
// Client, like the apiserver's generic handlers (k8s.io/apiserver/pkg/endpoints/handlers).
// Nothing here is per kind: the ResourceInfo entry says what is served.
#pragma once

#include <atomic>
#include <random>
#include <string>

#include "api/client.h"
#include "api/clock.h"
#include "api/node_connector.h"
#include "api/resource.h"
#include "api/schema.h"
#include "apiserver/http.h"
#include "apiserver/request_info.h"
#include "apiserver/watch_stream.h"

namespace minik {

class ResourceHandler {
 public:
  // `node` (may be null) points at the kubelet serving the pods' connect subresources.
  ResourceHandler(Client& client, const SchemaRegistry& schemas, Clock& clock,
                  DeadlineTimer& timer, WatchLimiter& watches,
                  const std::atomic<NodeConnector*>* node = nullptr);

  // `info` is the entry `ri` names (group, version, resource already matched).
  HttpResponse Serve(const HttpRequest& request, const RequestInfo& ri, const ResourceInfo& info,
                     const UserInfo& user);

 private:
  // What a request names after scope and subresource checks.
  struct Target {
    ResourceRef ref;
    std::string ns;           // "" for cluster-scoped kinds
    std::string name;
    std::string subresource;
    GroupVersionKind body_kind;  // the kind a body must be (subresource kind for scale, ...)
  };

  StatusOr<Target> Resolve(const RequestInfo& ri, const ResourceInfo& info);
  HttpResponse Read(const HttpRequest& request, const RequestInfo& ri, const ResourceInfo& info,
                    const Target& t);
  HttpResponse Watch(const HttpRequest& request, const ResourceInfo& info, const Target& t,
                     const UserInfo& user);
  HttpResponse Write(const HttpRequest& request, const RequestInfo& ri, const Target& t,
                     const UserInfo& user);
  HttpResponse Patch(const HttpRequest& request, const Target& t, const UserInfo& user);
  HttpResponse Delete(const HttpRequest& request, const RequestInfo& ri, const Target& t,
                      const UserInfo& user);
  // pods/log, from the kubelet.
  HttpResponse Log(const HttpRequest& request, const Target& t);
  // pods/exec, pods/attach, pods/portforward: upgrades to a stream tunnel (connect.cc).
  HttpResponse Connect(const HttpRequest& request, const Target& t);
  HttpResponse ConnectLimited(const HttpRequest& request, const Target& t, const UserInfo& user);
  // Decodes and checks a create/update body; collects unknown-field warnings.
  StatusOr<Json> DecodeWriteBody(const HttpRequest& request, const Target& t, bool create,
                                 const WriteOptions& opts, std::vector<std::string>& warnings);
  SteadyTime WatchDeadline(int64_t timeout_seconds);

  Client& client_;
  const SchemaRegistry& schemas_;
  Clock& clock_;
  DeadlineTimer& timer_;
  WatchLimiter& watches_;
  const std::atomic<NodeConnector*>* node_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // GUARDED_BY(rng_mu_): spreads default watch timeouts
};

}  // namespace minik
