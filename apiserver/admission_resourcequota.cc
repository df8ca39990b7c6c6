// ResourceQuota admission (k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go,
// checkRequest), validating and last in the chain:
//  - a write in a namespace with ResourceQuotas is measured by the kind's evaluator
//    (api/quota.h): creates of every kind, updates of services and claims (their usage can
//    grow); subresources and deletes are not charged (the quota controller gives back);
//  - a quota takes part when its status.hard names a resource the kind uses and its scopes
//    select the object; a pod must name requests/limits for the compute resources it
//    restricts ("failed quota: ..."), and a quota whose status.used lacks a hard resource
//    refuses ("status unknown for quota: ...") until the controller has counted;
//  - the new usage must stay within status.hard ("exceeded quota: <name>, requested: ...,
//    used: ..., limited: ..."), then status.used is written before the object is stored,
//    with the resourceVersion read, so two writes racing for the last unit cannot both pass
//    (a conflict re-reads and re-checks). Dry runs check without charging.
#include "api/log.h"
#include "api/quota.h"
#include "apiserver/admission_plugins.h"

namespace minik {

namespace {

const ResourceRef kQuotas{"", "v1", "resourcequotas"};
constexpr int kConflictRetries = 8;

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
  return out;
}

class ResourceQuotaAdmission final : public AdmissionPlugin {
 public:
  ResourceQuotaAdmission(Client& client, Clock& clock) : client_(client), clock_(clock) {}
  std::string_view Name() const override { return "ResourceQuota"; }

  Status Validate(const AdmissionRequest& req) override {
    if (!req.subresource.empty() || req.ns.empty() || !req.object || !req.info->namespaced)
      return Status::Ok();
    const std::string& group = req.info->group;
    const std::string& plural = req.info->plural;
    const bool update_counts =
        group.empty() && (plural == "services" || plural == "persistentvolumeclaims");
    if (!req.IsCreate() && !(req.IsUpdate() && update_counts && req.old)) return Status::Ok();

    const SystemTime now = clock_.Now();
    quota::ResourceList delta = quota::Usage(group, plural, *req.object, now);
    if (req.IsUpdate()) delta = quota::Subtract(delta, quota::Usage(group, plural, *req.old, now));

    for (int attempt = 0;; ++attempt) {
      auto list = client_.List(kQuotas, req.ns);
      // NotFound: the server does not serve ResourceQuotas (embedders may serve a subset).
      if (!list.ok() && list.status().code() == Code::kNotFound) return Status::Ok();
      if (!list.ok()) return req.Forbidden("error looking up quota: " + list.status().message());
      std::vector<Json> changed;
      for (Json& rq : (*list)["items"]) {
        quota::ResourceList hard = quota::Parse(Find(rq, {"status", "hard"}) ? rq["status"]["hard"]
                                                                            : Json::object());
        std::vector<std::string> restricted;
        for (const auto& [name, v] : hard)
          if (quota::TracksResource(group, plural, name)) restricted.push_back(name);
        if (restricted.empty()) continue;
        if (!quota::MatchesScopes(rq, group, plural, *req.object)) continue;
        const std::string qname = minik::Name(rq);
        if (group.empty() && plural == "pods") {
          std::string err = quota::PodConstraintError(restricted, *req.object);
          if (!err.empty()) return req.Forbidden("failed quota: " + qname + ": " + err);
        }
        const Json* used_json = Find(rq, {"status", "used"});
        quota::ResourceList used =
            quota::Parse(used_json && used_json->is_object() ? *used_json : Json::object());
        for (const std::string& r : restricted) {
          if (!used_json || !used_json->is_object() || !used_json->contains(r)) {
            return req.Forbidden("status unknown for quota: " + qname +
                                 ", resources: " + JoinNames(restricted));
          }
        }
        quota::ResourceList requested = quota::Mask(delta, quota::Names(hard));
        bool any = false;
        for (const auto& [name, v] : requested) any = any || v != 0;
        if (!any) continue;
        quota::ResourceList next = quota::Add(used, requested);
        std::vector<std::string> exceeded;
        if (!quota::LessThanOrEqual(quota::Mask(next, quota::Names(requested)), hard, &exceeded)) {
          return req.Forbidden("exceeded quota: " + qname +
                               ", requested: " + quota::PrettyPrint(quota::Mask(requested, exceeded)) +
                               ", used: " + quota::PrettyPrint(quota::Mask(used, exceeded)) +
                               ", limited: " + quota::PrettyPrint(quota::Mask(hard, exceeded)));
        }
        Json updated = rq;
        Json& out = updated["status"]["used"];
        if (!out.is_object()) out = Json::object();
        const Json next_json = quota::ToJson(next);
        for (const auto& [name, v] : next_json.items())
          if (requested.count(name)) out[name] = v;
        changed.push_back(std::move(updated));
      }
      if (req.dry_run || changed.empty()) return Status::Ok();
      bool conflict = false;
      for (Json& rq : changed) {
        auto r = client_.Update(kQuotas, req.ns, rq, {}, "status");
        if (r.ok()) continue;
        if (r.status().code() == Code::kConflict) {
          conflict = true;
          break;
        }
        return req.Forbidden("failed to update quota " + minik::Name(rq) + ": " + r.status().message());
      }
      if (!conflict) return Status::Ok();
      if (attempt + 1 >= kConflictRetries) {
        return Status(Code::kConflict,
                      "Operation cannot be fulfilled on resourcequotas: the quota status "
                      "changed while the request was admitted, please try again");
      }
    }
  }

 private:
  Client& client_;
  Clock& clock_;
};

}  // namespace

std::shared_ptr<AdmissionPlugin> NewResourceQuotaAdmission(Client& client, Clock& clock) {
  return std::make_shared<ResourceQuotaAdmission>(client, clock);
}

}  // namespace minik
