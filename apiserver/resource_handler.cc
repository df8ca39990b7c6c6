#include "apiserver/resource_handler.h"

#include <algorithm>

#include "apiserver/body.h"
#include "apiserver/media.h"
#include "apiserver/node_output_stream.h"
#include "apiserver/options.h"
#include "apiserver/responses.h"
#include "apiserver/router.h"
#include "apiserver/table.h"

namespace minik {
namespace {

// The apiserver's default watch length is --min-request-timeout (1800 s) spread over
// [1x, 2x) so that watches of many clients do not all end together.
constexpr int64_t kMinRequestTimeoutSeconds = 1800;

// Subresources that proxy to the node (kubelet); log, exec, attach and portforward of pods
// are served, proxy is not built yet.
bool IsConnectSubresource(const std::string& sub) {
  return sub == "log" || sub == "exec" || sub == "attach" || sub == "portforward" ||
         sub == "proxy";
}
bool IsStreamSubresource(const std::string& sub) {
  return sub == "exec" || sub == "attach" || sub == "portforward";
}

Status MethodNotSupported(const ResourceInfo& info, const std::string& verb) {
  StatusDetails d;
  d.group = info.group;
  d.kind = info.plural;
  return Status(Code::kMethodNotAllowed,
                verb + " is not supported on resources of kind \"" + info.GroupResource() + "\"",
                d);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

ResourceHandler::ResourceHandler(Client& client, const SchemaRegistry& schemas, Clock& clock,
                                 DeadlineTimer& timer, WatchLimiter& watches,
                                 const std::atomic<NodeConnector*>* node)
    : client_(client),
      schemas_(schemas),
      clock_(clock),
      timer_(timer),
      watches_(watches),
      node_(node),
      rng_(std::random_device{}()) {}

StatusOr<ResourceHandler::Target> ResourceHandler::Resolve(const RequestInfo& ri,
                                                           const ResourceInfo& info) {
  if (ri.verb.empty()) {
    return Status(Code::kMethodNotAllowed,
                  "the server does not allow this method on the requested resource");
  }
  if (ri.parts.size() > 3) return NotFoundResource();
  Target t;
  t.ref = info.Ref();
  t.name = ri.name;
  t.subresource = ri.subresource;
  t.body_kind = info.Gvk();
  // namespaces/<name> puts the name in ri.ns too; cluster-scoped kinds take no namespace.
  bool namespace_object = ri.resource == "namespaces" && ri.ns == ri.name;
  if (info.namespaced) {
    t.ns = ri.ns;
    if (t.ns.empty() && ri.verb != "list" && ri.verb != "watch") {
      if (!ri.name.empty()) return NotFoundResource();
      return MethodNotSupported(info, ri.verb);
    }
  } else if (!ri.ns.empty() && !namespace_object) {
    return NotFoundResource();
  }
  if (ri.name.empty() && (ri.verb == "update" || ri.verb == "patch")) {
    return MethodNotSupported(info, ri.verb);
  }
  if (!ri.name.empty() && ri.verb == "create" && ri.subresource.empty()) {
    return MethodNotSupported(info, ri.verb);
  }

  if (!t.subresource.empty()) {
    if (t.subresource == "log" && info.plural == "pods" && info.group.empty()) {
      if (ri.verb != "get") return MethodNotSupported(info, ri.verb);
      return t;
    }
    if (IsStreamSubresource(t.subresource) && info.plural == "pods" && info.group.empty()) {
      // Connect verbs: GET (WebSocket) and POST (SPDY), authorized as get and create.
      if (ri.verb != "get" && ri.verb != "create") return MethodNotSupported(info, ri.verb);
      return t;
    }
    if (IsConnectSubresource(t.subresource)) {
      return NotImplemented(info.plural + "/" + t.subresource +
                            " is not implemented yet in minik (it needs the kubelet's "
                            "streaming support)");
    }
    auto sub = std::find_if(info.subresources.begin(), info.subresources.end(),
                            [&](const SubresourceInfo& s) { return s.name == t.subresource; });
    if (sub == info.subresources.end()) return NotFoundResource();
    bool collection_verb = ri.verb == "watch" || ri.verb == "list" ||
                           ri.verb == "delete" || ri.verb == "deletecollection";
    if (collection_verb || !Contains(sub->verbs, ri.verb)) {
      return MethodNotSupported(info, ri.verb);
    }
    if (!sub->response.kind.empty()) t.body_kind = sub->response;
    return t;
  }
  if (!info.HasVerb(ri.verb)) return MethodNotSupported(info, ri.verb);
  return t;
}

namespace {

// Holds a user's stream slot for as long as the upgraded connection runs.
class SlotTunnel final : public Tunnel {
 public:
  SlotTunnel(std::shared_ptr<Tunnel> inner, std::shared_ptr<void> slot)
      : inner_(std::move(inner)), slot_(std::move(slot)) {}
  void Start(std::shared_ptr<TunnelIo> io) override { inner_->Start(std::move(io)); }
  void OnReceive(std::string data, bool text) override { inner_->OnReceive(std::move(data), text); }
  void OnClosed() override { inner_->OnClosed(); }

 private:
  std::shared_ptr<Tunnel> inner_;
  std::shared_ptr<void> slot_;
};

}  // namespace

// exec, attach and portforward: at most as many open at once per user as watches, counted
// apart from them, so one user's streams cannot take every node stream and thread.
HttpResponse ResourceHandler::ConnectLimited(const HttpRequest& request, const Target& t,
                                             const UserInfo& user) {
  auto slot = watches_.Acquire("streams/" + user.name);
  if (!slot) {
    StatusDetails d;
    d.retry_after_seconds = 1;
    HttpResponse r = ErrorResponse(Status(
        Code::kTooManyRequests, "too many concurrent streams for user \"" + user.name + "\"", d));
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  HttpResponse r = Connect(request, t);
  if (r.upgrade && r.upgrade->tunnel) {
    r.upgrade->tunnel = std::make_shared<SlotTunnel>(std::move(r.upgrade->tunnel), std::move(slot));
  }
  return r;
}

HttpResponse ResourceHandler::Serve(const HttpRequest& request, const RequestInfo& ri,
                                    const ResourceInfo& info, const UserInfo& user) {
  auto target = Resolve(ri, info);
  if (!target.ok()) return ErrorResponse(target.status());
  const Target& t = *target;
  if (t.subresource == "log") return Log(request, t);
  if (IsStreamSubresource(t.subresource)) return ConnectLimited(request, t, user);
  if (ri.verb == "get" || ri.verb == "list") return Read(request, ri, info, t);
  if (ri.verb == "watch") return Watch(request, info, t, user);
  if (ri.verb == "create" || ri.verb == "update") return Write(request, ri, t, user);
  if (ri.verb == "patch") return Patch(request, t, user);
  return Delete(request, ri, t, user);  // delete, deletecollection
}

namespace {

Json Shape(const ResourceInfo& info, const Json& result, const Negotiated& neg,
           IncludeObject include, SystemTime now) {
  switch (neg.shape) {
    case ResponseShape::kTable:
      return ToTable(info, result, now, TableOptions{include, neg.meta_version, true});
    case ResponseShape::kPartialObjectMetadata:
      return ToPartialObjectMetadata(result, neg.meta_version);
    case ResponseShape::kObject:
      break;
  }
  return result;
}

}  // namespace

HttpResponse ResourceHandler::Read(const HttpRequest& request, const RequestInfo& ri,
                                   const ResourceInfo& info, const Target& t) {
  auto neg = NegotiateObjectResponse(request.Header("Accept"));
  if (!neg.ok()) return ErrorResponse(neg.status());
  auto include = ParseIncludeObject(request);
  if (!include.ok()) return ErrorResponse(include.status());
  StatusOr<Json> result = Status(Code::kInternal, "unset");
  if (ri.verb == "get") {
    result = client_.Get(t.ref, t.ns, t.name, t.subresource);
  } else {
    auto query = ParseListQuery(request);
    if (!query.ok()) return ErrorResponse(query.status());
    result = client_.List(t.ref, t.ns, *query);
  }
  if (!result.ok()) return ErrorResponse(result.status());
  // Subresources (scale) are other kinds: their own JSON, never a Table of the parent.
  if (!t.subresource.empty()) return JsonResponse(200, *result);
  return JsonResponse(200, Shape(info, *result, *neg, *include, clock_.Now()));
}

SteadyTime ResourceHandler::WatchDeadline(int64_t timeout_seconds) {
  // Bounded so that the deadline arithmetic cannot overflow; clients re-watch anyway.
  constexpr int64_t kMaxWatchSeconds = 365LL * 24 * 3600;
  if (timeout_seconds > kMaxWatchSeconds) timeout_seconds = kMaxWatchSeconds;
  if (timeout_seconds <= 0) {
    std::lock_guard<std::mutex> lock(rng_mu_);
    std::uniform_int_distribution<int64_t> spread(0, kMinRequestTimeoutSeconds - 1);
    timeout_seconds = kMinRequestTimeoutSeconds + spread(rng_);
  }
  return clock_.Steady() + std::chrono::seconds(timeout_seconds);
}

HttpResponse ResourceHandler::Watch(const HttpRequest& request, const ResourceInfo& info,
                                    const Target& t, const UserInfo& user) {
  auto neg = NegotiateObjectResponse(request.Header("Accept"));
  if (!neg.ok()) return ErrorResponse(neg.status());
  auto include = ParseIncludeObject(request);
  if (!include.ok()) return ErrorResponse(include.status());
  auto query = ParseListQuery(request);
  if (!query.ok()) return ErrorResponse(query.status());
  if (!t.name.empty()) {
    // A watch of one object is a watch of the collection narrowed to its name.
    std::string by_name = "metadata.name=" + t.name;
    query->field_selector =
        query->field_selector.empty() ? by_name : query->field_selector + "," + by_name;
  }
  auto slot = watches_.Acquire(user.name);
  if (!slot) {
    StatusDetails d;
    d.retry_after_seconds = 1;
    HttpResponse r = ErrorResponse(Status(
        Code::kTooManyRequests, "too many concurrent watches for user \"" + user.name + "\"", d));
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  SteadyTime deadline = WatchDeadline(query->timeout_seconds);
  query->timeout_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(deadline - clock_.Steady()).count();
  if (query->timeout_seconds <= 0) query->timeout_seconds = 1;

  Negotiated shape = *neg;
  IncludeObject inc = *include;
  auto first = std::make_shared<bool>(true);
  Clock& clock = clock_;
  // Called under the stream's lock, one event at a time.
  EventEncoder encode = [&info, shape, inc, first, &clock](const ObjectEvent& e) -> Json {
    if (e.type == "ERROR" || shape.shape == ResponseShape::kObject) {
      return Json{{"type", e.type}, {"object", e.object}};
    }
    if (shape.shape == ResponseShape::kPartialObjectMetadata) {
      return Json{{"type", e.type}, {"object", ToPartialObjectMetadata(e.object,
                                                                       shape.meta_version)}};
    }
    TableOptions opts{inc, shape.meta_version, *first};
    Json table;
    if (e.type == "BOOKMARK") {
      table = Json{{"kind", "Table"},
                   {"apiVersion", "meta.k8s.io/" + shape.meta_version},
                   {"metadata", Json{{"resourceVersion", ResourceVersion(e.object)}}},
                   {"columnDefinitions", Json::array()},
                   {"rows", Json::array()}};
    } else {
      table = ToTable(info, e.object, clock.Now(), opts);
      *first = false;
    }
    return Json{{"type", e.type}, {"object", std::move(table)}};
  };

  auto stream = std::make_shared<WatchStream>(clock_, timer_, deadline, std::move(encode),
                                              std::move(slot));
  auto watcher = client_.Watch(t.ref, t.ns, *query, stream->Notifier());
  if (watcher.ok()) {
    stream->Start(std::move(*watcher));
  } else if (watcher.status().code() == Code::kGone) {
    // Like the apiserver's cacher: once the request is accepted, a too-old
    // resourceVersion is reported in the stream (200 + ERROR event), not as a 410.
    stream->StartWithError(watcher.status());
  } else {
    return ErrorResponse(watcher.status());
  }
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "application/json");
  r.stream = std::move(stream);
  return r;
}

StatusOr<Json> ResourceHandler::DecodeWriteBody(const HttpRequest& request, const Target& t,
                                                bool create, const WriteOptions& opts,
                                                std::vector<std::string>& warnings) {
  std::string content_type = request.Header("Content-Type");
  std::vector<std::string> duplicates;
  bool validate = opts.field_validation != FieldValidation::kIgnore;
  auto obj = DecodeObjectBody(schemas_, content_type, request.body, validate ? &duplicates : nullptr);
  if (!obj.ok()) return obj.status();
  // Subresource bodies (Scale, Eviction, Binding) may come in another version of their group.
  MINIK_RETURN_IF_ERROR(CheckBodyAgainstUrl(*obj, t.body_kind, t.ns, t.subresource.empty()));
  if (!create) {
    std::string name = Name(*obj);
    if (name != t.name) {
      return BadRequest("the name of the object (" + name +
                        ") does not match the name on the URL (" + t.name + ")");
    }
  }
  if (validate) {
    auto unknown = FindUnknownFields(schemas_, t.body_kind, *obj);
    if (!unknown.empty() || !duplicates.empty()) {
      if (opts.field_validation == FieldValidation::kStrict) {
        return StrictDecodingError(t.body_kind, unknown, duplicates);
      }
      for (const auto& d : duplicates) warnings.push_back("duplicate field \"" + d + "\"");
      for (const auto& u : unknown) warnings.push_back("unknown field \"" + u + "\"");
    }
  }
  return obj;
}

HttpResponse ResourceHandler::Write(const HttpRequest& request, const RequestInfo& ri,
                                    const Target& t, const UserInfo& user) {
  auto opts = ParseWriteOptions(request);
  if (!opts.ok()) return ErrorResponse(opts.status());
  bool create = ri.verb == "create";
  std::vector<std::string> warnings;
  auto obj = DecodeWriteBody(request, t, create, *opts, warnings);
  if (!obj.ok()) return ErrorResponse(obj.status());
  WriteOptions w = *opts;
  w.warnings = &warnings;
  w.user = &user;
  StatusOr<Json> result =
      create ? client_.Create(t.ref, t.ns, std::move(*obj), w, t.subresource, t.name)
             : client_.Update(t.ref, t.ns, std::move(*obj), w, t.subresource);
  HttpResponse r = result.ok() ? JsonResponse(create ? 201 : 200, *result)
                               : ErrorResponse(result.status());
  AddWarnings(r, warnings);
  return r;
}

HttpResponse ResourceHandler::Patch(const HttpRequest& request, const Target& t,
                                    const UserInfo& user) {
  auto type = PatchTypeFor(request.Header("Content-Type"));
  if (!type.ok()) return ErrorResponse(type.status());
  auto opts = ParseWriteOptions(request);
  if (!opts.ok()) return ErrorResponse(opts.status());
  if (*type != PatchType::kApply && request.HasQuery("force")) {
    // ValidatePatchOptions.
    return ErrorResponse(Invalid("PatchOptions.meta.k8s.io", "",
                                 {{"FieldValueForbidden",
                                   "Forbidden: may not be specified for non-apply patch",
                                   "force"}}));
  }
  std::string body = request.body;
  if (*type == PatchType::kApply) {
    // Apply configurations may be YAML; the registry gets them as JSON text.
    auto json = YamlToJson(body);
    if (!json.ok()) return ErrorResponse(json.status());
    if (!json->is_object()) {
      return ErrorResponse(BadRequest("Object 'Kind' is missing in '" + body.substr(0, 200) +
                                      "'"));
    }
    body = json->dump();
  }
  std::vector<std::string> warnings;
  if (*type != PatchType::kJson && opts->field_validation != FieldValidation::kIgnore) {
    // Merge, strategic and apply patches have the object's shape: unknown fields in them
    // are unknown in the result. (JSON patches name paths; the registry sees their result.)
    std::vector<std::string> duplicates;  // JSON patch bodies only (apply was YAML)
    auto patch = *type == PatchType::kApply ? ParseJson(body)
                                            : ParseJson(request.body, 100, &duplicates);
    if (patch.ok() && patch->is_object()) {
      auto unknown = FindUnknownFields(schemas_, t.body_kind, StripPatchDirectives(*patch));
      if (!unknown.empty() || !duplicates.empty()) {
        if (opts->field_validation == FieldValidation::kStrict) {
          return ErrorResponse(StrictDecodingError(t.body_kind, unknown, duplicates));
        }
        for (const auto& d : duplicates) warnings.push_back("duplicate field \"" + d + "\"");
        for (const auto& u : unknown) warnings.push_back("unknown field \"" + u + "\"");
      }
    }
  }
  WriteOptions w = *opts;
  w.warnings = &warnings;
  w.user = &user;
  bool created = false;  // server-side apply may create the object: 201, as patch.go
  w.created = &created;
  auto result = client_.Patch(t.ref, t.ns, t.name, *type, body, w, t.subresource);
  HttpResponse r = result.ok() ? JsonResponse(created ? 201 : 200, *result)
                               : ErrorResponse(result.status());
  AddWarnings(r, warnings);
  return r;
}

HttpResponse ResourceHandler::Delete(const HttpRequest& request, const RequestInfo& ri,
                                     const Target& t, const UserInfo& user) {
  // The body is always read (kubectl sends DeleteOptions with every DELETE).
  auto opts = ParseDeleteOptions(request, schemas_);
  if (!opts.ok()) return ErrorResponse(opts.status());
  opts->user = &user;
  StatusOr<Json> result = Status(Code::kInternal, "unset");
  if (ri.verb == "delete") {
    result = client_.Delete(t.ref, t.ns, t.name, *opts);
  } else {
    auto query = ParseListQuery(request);
    if (!query.ok()) return ErrorResponse(query.status());
    result = client_.DeleteCollection(t.ref, t.ns, *query, *opts);
  }
  if (!result.ok()) return ErrorResponse(result.status());
  return JsonResponse(200, *result);
}

}  // namespace minik

namespace minik {
namespace {

// A non-negative integer query parameter, as the apiserver's PodLogOptions conversion.
StatusOr<std::optional<int64_t>> IntParam(const HttpRequest& request, const std::string& key) {
  if (!request.HasQuery(key)) return std::optional<int64_t>();
  std::string v = request.Query(key);
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return std::optional<int64_t>(n);
  } catch (...) {
    return Status(Code::kBadRequest, "invalid value for " + key + ": " + v);
  }
}

bool BoolParam(const HttpRequest& request, const std::string& key) {
  std::string v = request.Query(key);
  return v == "true" || v == "1" || v == "True" || v == "TRUE";
}

}  // namespace

HttpResponse ResourceHandler::Log(const HttpRequest& request, const Target& t) {
  NodeConnector* node = node_ ? node_->load() : nullptr;
  if (!node) {
    return ErrorResponse(Status(Code::kServiceUnavailable, "the node's kubelet is not running"));
  }
  PodLogOptions opts;
  opts.container = request.Query("container");
  opts.previous = BoolParam(request, "previous");
  opts.timestamps = BoolParam(request, "timestamps");
  auto tail = IntParam(request, "tailLines");
  auto since = IntParam(request, "sinceSeconds");
  auto limit = IntParam(request, "limitBytes");
  for (auto* p : {&tail, &since, &limit})
    if (!p->ok()) return ErrorResponse(p->status());
  opts.tail_lines = *tail;  // the optional itself: absent stays absent
  opts.since_seconds = *since;
  opts.limit_bytes = *limit;
  // Validation as PodLogOptions' (pkg/apis/core/validation ValidatePodLogOptions).
  if (opts.tail_lines && *opts.tail_lines < 0)
    return ErrorResponse(Status(Code::kInvalid, "PodLogOptions \"\" is invalid: tailLines: Invalid value: " +
                                                    std::to_string(*opts.tail_lines) + ": must be greater than or equal to 0"));
  if (opts.limit_bytes && *opts.limit_bytes < 1)
    return ErrorResponse(Status(Code::kInvalid, "PodLogOptions \"\" is invalid: limitBytes: Invalid value: " +
                                                    std::to_string(*opts.limit_bytes) + ": must be greater than 0"));
  if (opts.since_seconds && *opts.since_seconds < 1)
    return ErrorResponse(Status(Code::kInvalid, "PodLogOptions \"\" is invalid: sinceSeconds: Invalid value: " +
                                                    std::to_string(*opts.since_seconds) + ": must be greater than 0"));
  if (request.HasQuery("sinceTime")) {
    if (opts.since_seconds) {
      return ErrorResponse(Status(Code::kInvalid, "PodLogOptions \"\" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"));
    }
    opts.since_time = request.Query("sinceTime");
  }
  if (BoolParam(request, "follow")) {
    // `kubectl logs -f`: the node's output as chunks, until the container ends.
    auto stream = node->FollowPodLogs(t.ns, t.name, opts);
    if (!stream.ok()) return ErrorResponse(stream.status());
    HttpResponse resp = TextResponse(200, "");
    resp.stream = NewNodeOutputStream(std::move(*stream));
    return resp;
  }
  auto text = node->PodLogs(t.ns, t.name, opts);
  if (!text.ok()) return ErrorResponse(text.status());
  HttpResponse resp = TextResponse(200, std::move(*text));
  return resp;
}

}  // namespace minik
