// The escalation check of the RBAC REST storage (pkg/registry/rbac/*/policybased), run as
// a validating admission plugin so that create, update, patch and apply all see the final
// object.
#include "apiserver/admission.h"
#include "apiserver/rbac.h"

namespace minik {
namespace {

class RbacEscalation final : public AdmissionPlugin {
 public:
  explicit RbacEscalation(const RbacAuthorizer& rbac) : rbac_(rbac) {}
  std::string_view Name() const override { return "RBACEscalation"; }
  Status Validate(const AdmissionRequest& req) override {
    if (req.user == nullptr || req.object == nullptr || req.IsDelete() || !req.subresource.empty())
      return Status::Ok();
    if (req.info->group != "rbac.authorization.k8s.io") return Status::Ok();
    return ConfirmNoEscalation(rbac_, *req.user, req.info->plural, *req.object, req.old);
  }

 private:
  const RbacAuthorizer& rbac_;
};

}  // namespace

std::shared_ptr<AdmissionPlugin> NewRbacEscalationPlugin(const RbacAuthorizer& rbac) {
  return std::make_shared<RbacEscalation>(rbac);
}

}  // namespace minik
