// MutatingAdmissionWebhook and ValidatingAdmissionWebhook (see admission_webhook.h), after
// k8s.io/apiserver/pkg/admission/plugin/webhook/{mutating,validating}/dispatcher.go.
//
// Threads: WebhookSource::Hooks runs on request threads under mu_ (one re-list at a time);
// the watch notify only stores into a shared atomic flag, so it may run on the store's
// thread at any time, also after the source is gone.
#include "apiserver/admission_webhook.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "api/base64.h"
#include "api/log.h"
#include "api/patch.h"
#include "apiserver/admission_webhook_internal.h"
#include "apiserver/registry_internal.h"

namespace minik {
namespace {

constexpr const char* kTag = "webhook";
const ResourceRef kMutatingRef{"admissionregistration.k8s.io", "v1",
                               "mutatingwebhookconfigurations"};
const ResourceRef kValidatingRef{"admissionregistration.k8s.io", "v1",
                                 "validatingwebhookconfigurations"};

// One webhook of a configuration.
struct Hook {
  std::string config;  // the configuration's name
  Json spec;           // the webhook entry (defaults applied by the registry)
  std::string Name() const { return GetString(spec, {"name"}); }
};
using HookList = std::vector<Hook>;

// The webhooks of one kind of configuration, cached and re-listed on change.
class WebhookSource {
 public:
  WebhookSource(Client& client, ResourceRef ref) : client_(client), ref_(std::move(ref)) {}
  ~WebhookSource() {
    if (watcher_) watcher_->Stop();
  }

  void MarkDirty() { dirty_->store(true); }

  // The current webhooks, in configuration name order then webhook order.
  std::shared_ptr<const HookList> Hooks() {
    std::lock_guard lock(mu_);
    bool watch_ok = watcher_ && watcher_->Error().ok();
    if (unserved_ || (hooks_ && watch_ok && !dirty_->load())) return hooks_ ? hooks_ : Empty();
    dirty_->store(false);  // before the list: a change during it marks again
    if (watcher_) {
      std::vector<ObjectEvent> drained;
      while (watcher_->Poll(drained) > 0) drained.clear();
      if (!watch_ok) {
        watcher_->Stop();
        watcher_.reset();
      }
    }
    auto list = client_.List(ref_, "");
    if (!list.ok()) {
      if (list.status().code() == Code::kNotFound) {
        unserved_ = true;  // an embedder that does not serve the kind
      } else {
        LOG(Warning, kTag) << "listing " << ref_.resource << " failed: " << list.status().message();
        dirty_->store(true);
      }
      return hooks_ ? hooks_ : Empty();
    }
    std::vector<const Json*> configs;
    for (const Json& item : (*list)["items"]) configs.push_back(&item);
    std::sort(configs.begin(), configs.end(),
              [](const Json* a, const Json* b) { return Name(*a) < Name(*b); });
    auto hooks = std::make_shared<HookList>();
    for (const Json* cfg : configs) {
      const Json* webhooks = Find(*cfg, {"webhooks"});
      if (!webhooks || !webhooks->is_array()) continue;
      for (const Json& w : *webhooks) hooks->push_back({Name(*cfg), w});
    }
    hooks_ = std::move(hooks);
    if (!watcher_) {
      ListQuery query;
      query.resource_version = GetString(*list, {"metadata", "resourceVersion"});
      auto flag = dirty_;
      auto watcher = client_.Watch(ref_, "", query, [flag] { flag->store(true); });
      if (watcher.ok()) {
        watcher_ = std::move(*watcher);
      } else {
        dirty_->store(true);  // no watch: look again next time
      }
    }
    return hooks_;
  }

 private:
  static std::shared_ptr<const HookList> Empty() {
    static const auto kEmpty = std::make_shared<const HookList>();
    return kEmpty;
  }

  Client& client_;
  const ResourceRef ref_;
  const std::shared_ptr<std::atomic<bool>> dirty_ = std::make_shared<std::atomic<bool>>(true);
  std::mutex mu_;
  std::shared_ptr<const HookList> hooks_;   // guarded by mu_
  std::unique_ptr<ObjectWatcher> watcher_;  // guarded by mu_
  bool unserved_ = false;                   // guarded by mu_
};

// ErrCallingWebhook under failurePolicy Fail: apierrors.NewInternalError.
Status CallingError(const std::string& hook, const std::string& reason) {
  std::string err = "failed calling webhook \"" + hook + "\": " + reason;
  StatusDetails details;
  details.causes.push_back({"", err, ""});
  return Status(Code::kInternal, "Internal error occurred: " + err, std::move(details));
}

Code CodeForHttp(int64_t http) {
  switch (http) {
    case 400:
      return Code::kBadRequest;
    case 401:
      return Code::kUnauthorized;
    case 403:
      return Code::kForbidden;
    case 404:
      return Code::kNotFound;
    case 405:
      return Code::kMethodNotAllowed;
    case 406:
      return Code::kNotAcceptable;
    case 409:
      return Code::kConflict;
    case 410:
      return Code::kGone;
    case 413:
      return Code::kRequestEntityTooLarge;
    case 415:
      return Code::kUnsupportedMediaType;
    case 422:
      return Code::kInvalid;
    case 429:
      return Code::kTooManyRequests;
    case 501:
      return Code::kNotImplemented;
    case 503:
      return Code::kServiceUnavailable;
    case 504:
      return Code::kTimeout;
    default:
      return http >= 500 ? Code::kInternal : Code::kBadRequest;
  }
}

// webhookerrors.ToStatusErr: the webhook's status with its code (at least 400) and the
// message prefixed by who denied.
Status Denied(const std::string& hook, const Json& result) {
  std::string denied = "admission webhook \"" + hook + "\" denied the request";
  std::string message = GetString(result, {"message"});
  std::string reason = GetString(result, {"reason"});
  if (!message.empty()) {
    message = denied + ": " + message;
  } else if (!reason.empty()) {
    message = denied + ": " + reason;
  } else {
    message = denied + " without explanation";
  }
  int64_t code = GetInt(result, {"code"}, 0);
  Status st(CodeForHttp(code < 400 ? 400 : code), message);
  if (const Json* causes = Find(result, {"details", "causes"}); causes && causes->is_array()) {
    for (const Json& c : *causes)
      st.mutable_details().causes.push_back(
          {GetString(c, {"reason"}), GetString(c, {"message"}), GetString(c, {"field"})});
  }
  return st;
}

struct Target {
  HttpsPostRequest post;
  std::string url;  // for messages
};

// Where to send: the URL, or a ready endpoint of the Service (upstream's endpoint routing,
// verified as <svc>.<ns>.svc).
StatusOr<Target> Resolve(const Json& hook, Client& client, int64_t timeout_seconds) {
  Target t;
  const std::string query = "?timeout=" + std::to_string(timeout_seconds) + "s";
  t.post.timeout = std::chrono::seconds(timeout_seconds);
  if (auto ca = Base64Decode(GetString(hook, {"clientConfig", "caBundle"}))) t.post.ca_pem = *ca;
  const std::string url = GetString(hook, {"clientConfig", "url"});
  if (!url.empty()) {
    // Validation made it https://host[:port][/path] without user info, query or fragment.
    std::string rest = url.substr(url.find("://") + 3);
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
    std::string host = authority;
    int port = 443;
    if (!authority.empty() && authority[0] == '[') {
      size_t close = authority.find(']');
      host = authority.substr(1, close - 1);
      if (close + 1 < authority.size() && authority[close + 1] == ':')
        port = std::atoi(authority.c_str() + close + 2);
    } else if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
      host = authority.substr(0, colon);
      port = std::atoi(authority.c_str() + colon + 1);
    }
    t.post.host = host;
    t.post.server_name = host;
    t.post.port = port;
    t.post.path = path + query;
    t.url = url + query;
    return t;
  }
  const std::string ns = GetString(hook, {"clientConfig", "service", "namespace"});
  const std::string name = GetString(hook, {"clientConfig", "service", "name"});
  const int64_t port = GetInt(hook, {"clientConfig", "service", "port"}, 443);
  std::string path = GetString(hook, {"clientConfig", "service", "path"});
  if (path.empty()) path = "/";
  t.post.server_name = name + "." + ns + ".svc";
  t.url = "https://" + t.post.server_name + ":" + std::to_string(port) + path + query;
  t.post.path = path + query;
  auto fail = [&](const std::string& why) {
    return Status(Code::kServiceUnavailable, "Post \"" + t.url + "\": " + why);
  };
  auto svc = client.Get({"", "v1", "services"}, ns, name);
  if (!svc.ok()) return fail("service \"" + name + "\" not found");
  const Json* ports = Find(*svc, {"spec", "ports"});
  const Json* svc_port = nullptr;
  if (ports && ports->is_array())
    for (const Json& p : *ports)
      if (GetInt(p, {"port"}) == port) svc_port = &p;
  if (!svc_port)
    return fail("no service port " + std::to_string(port) + " found for service \"" + name + "\"");
  const std::string port_name = GetString(*svc_port, {"name"});
  auto eps = client.Get({"", "v1", "endpoints"}, ns, name);
  if (eps.ok()) {
    if (const Json* subsets = Find(*eps, {"subsets"}); subsets && subsets->is_array()) {
      for (const Json& subset : *subsets) {
        const Json* addrs = Find(subset, {"addresses"});
        const Json* eports = Find(subset, {"ports"});
        if (!addrs || !addrs->is_array() || addrs->empty() || !eports || !eports->is_array())
          continue;
        for (const Json& ep : *eports) {
          if (GetString(ep, {"name"}) != port_name) continue;
          t.post.host = GetString((*addrs)[0], {"ip"});
          t.post.port = static_cast<int>(GetInt(ep, {"port"}));
          return t;
        }
      }
    }
  }
  return fail("no endpoints available for service \"" + name + "\"");
}

// The outcome of one call.
struct Outcome {
  Status status;         // non-OK: the request ends with it
  bool changed = false;  // a patch changed the object
};

class WebhookDispatcher {
 public:
  explicit WebhookDispatcher(Client& client) : client_(client) {}

  // Calls `hook` when it matches. `mutating` applies its patch to req.object.
  Outcome Call(const Hook& hook, AdmissionRequest& req, bool mutating) {
    Outcome out;
    const std::string name = hook.Name();
    const bool ignore = GetString(hook.spec, {"failurePolicy"}) == "Ignore";
    if (!webhook::RulesMatch(hook.spec, req)) return out;
    auto ns_match = webhook::NamespaceSelectorMatches(hook.spec, req, client_);
    if (!ns_match.ok()) {
      out.status = Internal(ns_match.status().message());
      return out;
    }
    if (!*ns_match || !webhook::ObjectSelectorMatches(hook.spec, req)) return out;
    const std::string side_effects = GetString(hook.spec, {"sideEffects"});
    if (req.dry_run && side_effects != "None" && side_effects != "NoneOnDryRun") {
      out.status = BadRequest("admission webhook \"" + name + "\" does not support dry run");
      return out;
    }
    auto fail = [&](const std::string& reason) {
      if (ignore) {
        LOG(Warning, kTag) << "failed calling webhook, failing open webhook=" << name
                           << " error=" << reason;
        return out;
      }
      out.status = CallingError(name, reason);
      return out;
    };
    int64_t timeout = GetInt(hook.spec, {"timeoutSeconds"}, 10);
    if (timeout < 1 || timeout > 30) timeout = 10;
    auto target = Resolve(hook.spec, client_, timeout);
    if (!target.ok()) return fail("failed to call webhook: " + target.status().message());
    const std::string uid = registry::NewUid();
    target->post.body = webhook::BuildReview(req, uid).dump();
    auto body = HttpsPost(target->post);
    if (!body.ok()) return fail("failed to call webhook: " + body.status().message());
    auto review = ParseJson(*body);
    if (!review.ok()) return fail("failed to call webhook: " + review.status().message());
    const std::string api = GetString(*review, {"apiVersion"});
    const std::string kind = GetString(*review, {"kind"});
    if (api != "admission.k8s.io/v1" || kind != "AdmissionReview")
      return fail(
          "received invalid webhook response: expected webhook response of "
          "admission.k8s.io/v1, Kind=AdmissionReview, got " +
          api + ", Kind=" + kind);
    const Json* response = Find(*review, {"response"});
    if (!response || !response->is_object())
      return fail("received invalid webhook response: webhook response was absent");
    if (GetString(*response, {"uid"}) != uid)
      return fail("received invalid webhook response: expected response.uid=\"" + uid +
                  "\", got \"" + GetString(*response, {"uid"}) + "\"");
    const std::string patch_type = GetString(*response, {"patchType"});
    const std::string patch64 = GetString(*response, {"patch"});
    if (!patch64.empty() && patch_type.empty())
      return fail(
          "received invalid webhook response: webhook returned response.patch but not "
          "response.patchType");
    if (!patch_type.empty() && patch_type != "JSONPatch")
      return fail(
          "received invalid webhook response: webhook returned invalid "
          "response.patchType of \"" +
          patch_type + "\"");
    if (!mutating && (!patch64.empty() || !patch_type.empty()))
      return fail(
          "received invalid webhook response: validating webhook may not return "
          "response.patch or response.patchType");
    if (const Json* warnings = Find(*response, {"warnings"}); warnings && warnings->is_array())
      for (const Json& w : *warnings)
        if (w.is_string()) req.Warn(w.get<std::string>());
    const Json* allowed = Find(*response, {"allowed"});
    if (!allowed || !allowed->is_boolean() || !allowed->get<bool>()) {
      const Json* result = Find(*response, {"status"});
      out.status = Denied(name, result ? *result : Json::object());
      return out;
    }
    if (patch64.empty() || !req.object) return out;
    auto patch_bytes = Base64Decode(patch64);
    if (!patch_bytes)
      return fail("received invalid webhook response: illegal base64 data in response.patch");
    auto patch = ParseJson(*patch_bytes);
    if (!patch.ok()) {
      out.status = Internal(patch.status().message());
      return out;
    }
    auto patched = ApplyJsonPatch(*req.object, *patch);
    if (!patched.ok()) {
      out.status = Internal(patched.status().message());
      return out;
    }
    if (*patched != *req.object) {
      *req.object = std::move(*patched);
      out.changed = true;
    }
    return out;
  }

 private:
  Client& client_;
};

class MutatingWebhookPlugin final : public AdmissionPlugin {
 public:
  MutatingWebhookPlugin(Client& client, std::shared_ptr<WebhookSource> source,
                        std::shared_ptr<WebhookSource> other)
      : dispatcher_(client), source_(std::move(source)), other_(std::move(other)) {}
  std::string_view Name() const override { return "MutatingAdmissionWebhook"; }

  Status Mutate(AdmissionRequest& req) override {
    if (webhook::IsWebhookConfiguration(req)) {
      source_->MarkDirty();
      other_->MarkDirty();
      return Status::Ok();
    }
    auto hooks = source_->Hooks();
    if (hooks->empty()) return Status::Ok();
    // What each IfNeeded webhook last saw, to call it again if a later webhook changed it.
    std::vector<std::pair<const Hook*, Json>> seen;
    for (const Hook& hook : *hooks) {
      Outcome out = dispatcher_.Call(hook, req, true);
      if (!out.status.ok()) return out.status;
      if (GetString(hook.spec, {"reinvocationPolicy"}) == "IfNeeded")
        seen.emplace_back(&hook, req.object ? *req.object : Json());
    }
    for (const auto& [hook, object] : seen) {
      if (!req.object || object == *req.object) continue;
      Outcome out = dispatcher_.Call(*hook, req, true);
      if (!out.status.ok()) return out.status;
    }
    return Status::Ok();
  }

 private:
  WebhookDispatcher dispatcher_;
  std::shared_ptr<WebhookSource> source_;
  std::shared_ptr<WebhookSource> other_;
};

class ValidatingWebhookPlugin final : public AdmissionPlugin {
 public:
  ValidatingWebhookPlugin(Client& client, std::shared_ptr<WebhookSource> source,
                          std::shared_ptr<WebhookSource> other)
      : dispatcher_(client), source_(std::move(source)), other_(std::move(other)) {}
  std::string_view Name() const override { return "ValidatingAdmissionWebhook"; }

  Status Validate(const AdmissionRequest& req) override {
    if (webhook::IsWebhookConfiguration(req)) {
      source_->MarkDirty();
      other_->MarkDirty();
      return Status::Ok();
    }
    auto hooks = source_->Hooks();
    if (hooks->empty()) return Status::Ok();
    // Validating webhooks see the object read-only: the dispatcher gets a copy of the request
    // whose object it cannot change (no patch is accepted from them anyway).
    AdmissionRequest copy = req;
    Json object;
    if (req.object) {
      object = *req.object;
      copy.object = &object;
    }
    for (const Hook& hook : *hooks) {
      Outcome out = dispatcher_.Call(hook, copy, false);
      if (!out.status.ok()) return out.status;
    }
    return Status::Ok();
  }

 private:
  WebhookDispatcher dispatcher_;
  std::shared_ptr<WebhookSource> source_;
  std::shared_ptr<WebhookSource> other_;
};

}  // namespace

AdmissionWebhookPlugins NewAdmissionWebhooks(Client& client) {
  auto mutating = std::make_shared<WebhookSource>(client, kMutatingRef);
  auto validating = std::make_shared<WebhookSource>(client, kValidatingRef);
  AdmissionWebhookPlugins plugins;
  plugins.mutating = std::make_shared<MutatingWebhookPlugin>(client, mutating, validating);
  plugins.validating = std::make_shared<ValidatingWebhookPlugin>(client, validating, mutating);
  return plugins;
}

}  // namespace minik
