// The admission chain: ordering and running plugins (see admission.h).
#include "apiserver/admission.h"

#include <algorithm>

namespace minik {

namespace {

// kube-apiserver's AllOrderedPlugins (pkg/kubeapiserver/options/plugins.go, v1.32).
constexpr std::string_view kOrderedPlugins[] = {
    "AlwaysAdmit",
    "NamespaceAutoProvision",
    "NamespaceLifecycle",
    "NamespaceExists",
    "LimitPodHardAntiAffinityTopology",
    "LimitRanger",
    "ServiceAccount",
    "NodeRestriction",
    "TaintNodesByCondition",
    "AlwaysPullImages",
    "ImagePolicyWebhook",
    "PodSecurity",
    "PodNodeSelector",
    "Priority",
    "DefaultTolerationSeconds",
    "PodTolerationRestriction",
    "EventRateLimit",
    "ExtendedResourceToleration",
    "DefaultStorageClass",
    "StorageObjectInUseProtection",
    "OwnerReferencesPermissionEnforcement",
    "PersistentVolumeClaimResize",
    "RuntimeClass",
    "CertificateApproval",
    "CertificateSigning",
    "ClusterTrustBundleAttest",
    "CertificateSubjectRestriction",
    "DefaultIngressClass",
    "DenyServiceExternalIPs",
    "PodTopologyLabels",
    // Plugins minik adds under other names go here (see AdmissionOrder).
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook",
    "ResourceQuota",
    "AlwaysDeny",
};

constexpr std::string_view kFirstOfTheEnd = "MutatingAdmissionWebhook";

}  // namespace

int AdmissionOrder(std::string_view plugin_name) {
  int end = 0;
  for (int i = 0; i < int(std::size(kOrderedPlugins)); ++i) {
    if (kOrderedPlugins[i] == plugin_name) return 2 * i;
    if (kOrderedPlugins[i] == kFirstOfTheEnd) end = i;
  }
  return 2 * end - 1;  // unknown: after every known plugin but the end group
}

bool AdmissionRequest::Is(std::string_view group, std::string_view plural) const {
  return info != nullptr && subresource.empty() && info->group == group && info->plural == plural;
}

void AdmissionRequest::Warn(std::string message) const {
  if (warnings != nullptr) warnings->push_back(std::move(message));
}

Status AdmissionRequest::Forbidden(const std::string& reason) const {
  std::string resource = info ? info->GroupResource() : "";
  std::string n = name;
  if (n.empty() && object != nullptr) n = GetString(*object, {"metadata", "name"});
  std::string message;
  if (resource.empty()) {
    message = "forbidden: " + reason;
  } else if (n.empty()) {
    message = resource + " is forbidden: " + reason;
  } else {
    message = resource + " \"" + n + "\" is forbidden: " + reason;
  }
  StatusDetails details;
  details.name = n;
  details.group = info ? info->group : "";
  details.kind = info ? info->plural : "";
  return Status(Code::kForbidden, std::move(message), std::move(details));
}

void AdmissionChain::Register(std::shared_ptr<AdmissionPlugin> plugin) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = std::make_shared<List>(*plugins_);
  int order = AdmissionOrder(plugin->Name());
  // After every plugin of the same or an earlier place: registration order breaks ties.
  auto pos = std::find_if(next->begin(), next->end(), [&](const auto& p) {
    return AdmissionOrder(p->Name()) > order;
  });
  next->insert(pos, std::move(plugin));
  plugins_ = std::move(next);
}

std::shared_ptr<const AdmissionChain::List> AdmissionChain::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return plugins_;
}

Status AdmissionChain::Mutate(AdmissionRequest& req) const {
  for (const auto& p : *Snapshot()) MINIK_RETURN_IF_ERROR(p->Mutate(req));
  return Status::Ok();
}

Status AdmissionChain::Validate(const AdmissionRequest& req) const {
  for (const auto& p : *Snapshot()) MINIK_RETURN_IF_ERROR(p->Validate(req));
  return Status::Ok();
}

std::vector<std::string> AdmissionChain::Names() const {
  std::vector<std::string> names;
  for (const auto& p : *Snapshot()) names.emplace_back(p->Name());
  return names;
}

}  // namespace minik
