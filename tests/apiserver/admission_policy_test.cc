// ValidatingAdmissionPolicy over the real registry: bindings with params, namespace selectors,
// matchConditions, variables, messageExpression, Deny and Warn, failurePolicy, and bad input.
#include "apiserver/admission_policy.h"

#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "store/store.h"

namespace minik {
namespace {

const ResourceRef kNs{"", "v1", "namespaces"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};
const ResourceRef kPolicies{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicies"};
const ResourceRef kBindings{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings"};

class AdmissionPolicyTest : public ::testing::Test {
 protected:
  AdmissionPolicyTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_, &chain_);
    chain_.Register(NewValidatingAdmissionPolicy(*client_, resources_));
    MakeNamespace("test", {{"env", "test"}});
    MakeNamespace("prod", Json::object());
    // Params: at most this many keys in a ConfigMap.
    EXPECT_TRUE(Create(kConfigMaps, "prod", ConfigMap("limits", {{"maxKeys", "2"}})).ok());
  }

  void MakeNamespace(const std::string& name, Json labels) {
    ASSERT_TRUE(client_->Create(kNs, "", Json{{"apiVersion", "v1"}, {"kind", "Namespace"},
                                              {"metadata", {{"name", name}, {"labels", labels}}}})
                    .ok());
  }
  static Json ConfigMap(const std::string& name, Json data, Json labels = Json::object()) {
    return Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                {"metadata", {{"name", name}, {"labels", labels}}}, {"data", data}};
  }
  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        std::vector<std::string>* warnings = nullptr) {
    WriteOptions opts;
    opts.warnings = warnings;
    return client_->Create(ref, ns, std::move(obj), opts);
  }
  void Policy(Json spec) {
    Json p = {{"apiVersion", "admissionregistration.k8s.io/v1"},
              {"kind", "ValidatingAdmissionPolicy"},
              {"metadata", {{"name", "max-keys"}}},
              {"spec", std::move(spec)}};
    auto r = Create(kPolicies, "", p);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  void Binding(Json spec, const std::string& name = "max-keys-binding") {
    Json b = {{"apiVersion", "admissionregistration.k8s.io/v1"},
              {"kind", "ValidatingAdmissionPolicyBinding"},
              {"metadata", {{"name", name}}},
              {"spec", std::move(spec)}};
    auto r = Create(kBindings, "", b);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  static Json MaxKeysPolicy() {
    return Json::parse(R"j({
      "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
      "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
        "operations": ["CREATE", "UPDATE"], "resources": ["configmaps"]}]},
      "matchConditions": [{"name": "not-limits", "expression": "object.metadata.name != 'limits'"}],
      "variables": [{"name": "max", "expression": "int(params.data.maxKeys)"}],
      "validations": [{"expression": "size(object.data) <= variables.max",
                       "messageExpression": "'at most ' + string(variables.max) + ' keys'"}]})j");
  }

  FakeClock clock_;
  ResourceRegistry resources_;
  AdmissionChain chain_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
};

TEST_F(AdmissionPolicyTest, DenyWithParamsAndNamespaceSelector) {
  Policy(MaxKeysPolicy());
  Binding(Json::parse(R"j({"policyName": "max-keys", "validationActions": ["Deny"],
      "paramRef": {"name": "limits", "namespace": "prod", "parameterNotFoundAction": "Deny"},
      "matchResources": {"namespaceSelector": {"matchLabels": {"env": "test"}}}})j"));
  auto big = Create(kConfigMaps, "test", ConfigMap("big", {{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), Code::kInvalid);  // 422, the default reason
  EXPECT_EQ(big.status().message(),
            "configmaps \"big\" is forbidden: ValidatingAdmissionPolicy 'max-keys' with binding "
            "'max-keys-binding' denied request: at most 2 keys");
  EXPECT_TRUE(Create(kConfigMaps, "test", ConfigMap("small", {{"a", "1"}})).ok());
  // Outside the selected namespaces the policy does not apply.
  EXPECT_TRUE(Create(kConfigMaps, "prod", ConfigMap("big", {{"a", "1"}, {"b", "2"}, {"c", "3"}})).ok());
  // Updates are checked too.
  auto small = client_->Get(kConfigMaps, "test", "small");
  ASSERT_TRUE(small.ok());
  (*small)["data"] = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(client_->Update(kConfigMaps, "test", *small).status().code(), Code::kInvalid);
}

TEST_F(AdmissionPolicyTest, WarnOnlyWarns) {
  Policy(MaxKeysPolicy());
  Binding(Json::parse(R"j({"policyName": "max-keys", "validationActions": ["Warn"],
      "paramRef": {"name": "limits", "namespace": "prod", "parameterNotFoundAction": "Deny"}})j"));
  std::vector<std::string> warnings;
  auto big = Create(kConfigMaps, "test", ConfigMap("big", {{"a", "1"}, {"b", "2"}, {"c", "3"}}), &warnings);
  ASSERT_TRUE(big.ok()) << big.status().message();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "Validation failed for ValidatingAdmissionPolicy 'max-keys' with binding "
                         "'max-keys-binding': at most 2 keys");
}

TEST_F(AdmissionPolicyTest, MissingParamsAndFailurePolicy) {
  Json spec = MaxKeysPolicy();
  Policy(spec);
  Binding(Json::parse(R"j({"policyName": "max-keys", "validationActions": ["Deny"],
      "paramRef": {"name": "nope", "namespace": "prod", "parameterNotFoundAction": "Deny"}})j"));
  auto r = Create(kConfigMaps, "test", ConfigMap("x", {{"a", "1"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no params found"), std::string::npos) << r.status().message();
}

TEST_F(AdmissionPolicyTest, ErrorsFollowFailurePolicyAndReasonSetsTheCode) {
  Policy(Json::parse(R"j({
      "failurePolicy": "Ignore",
      "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
        "operations": ["CREATE"], "resources": ["configmaps"], "resourceNames": ["guarded", "broken"]}]},
      "validations": [
        {"expression": "object.metadata.name != 'broken' || object.data.missing == 'x'"},
        {"expression": "!has(object.metadata.labels) || !('bad' in object.metadata.labels)", "reason": "Forbidden", "message": "no bad label"}]})j"));
  Binding(Json::parse(R"j({"policyName": "max-keys", "validationActions": ["Deny"]})j"));
  // An evaluation error under Ignore lets the request through.
  EXPECT_TRUE(Create(kConfigMaps, "test", ConfigMap("broken", {{"a", "1"}})).ok());
  auto bad = Create(kConfigMaps, "test", ConfigMap("guarded", {{"a", "1"}}, {{"bad", "1"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kForbidden);
  EXPECT_NE(bad.status().message().find("no bad label"), std::string::npos);
  // resourceNames: other names are not checked.
  EXPECT_TRUE(Create(kConfigMaps, "test", ConfigMap("free", {{"a", "1"}}, {{"bad", "1"}})).ok());
}

TEST_F(AdmissionPolicyTest, CompileErrorsFailClosed) {
  Policy(Json::parse(R"j({
      "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
        "operations": ["CREATE"], "resources": ["configmaps"]}]},
      "validations": [{"expression": "object.data.a =="}]})j"));
  Binding(Json::parse(R"j({"policyName": "max-keys", "validationActions": ["Deny"]})j"));
  auto r = Create(kConfigMaps, "test", ConfigMap("x", {{"a", "1"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("resulted in error"), std::string::npos) << r.status().message();
}

TEST_F(AdmissionPolicyTest, BadPoliciesAndBindingsAreRefused) {
  Json p = {{"apiVersion", "admissionregistration.k8s.io/v1"}, {"kind", "ValidatingAdmissionPolicy"},
            {"metadata", {{"name", "bad"}}}, {"spec", {{"failurePolicy", "Maybe"}}}};
  auto r = Create(kPolicies, "", p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("spec.matchConstraints: Required value"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("spec.failurePolicy: Unsupported value: \"Maybe\""), std::string::npos);
  Json b = {{"apiVersion", "admissionregistration.k8s.io/v1"}, {"kind", "ValidatingAdmissionPolicyBinding"},
            {"metadata", {{"name", "bad"}}},
            {"spec", {{"validationActions", {"Deny", "Warn", "Shout"}},
                      {"paramRef", {{"name", "a"}, {"selector", Json::object()}}}}}};
  r = Create(kBindings, "", b);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("spec.policyName: Required value"), std::string::npos) << m;
  EXPECT_NE(m.find("Unsupported value: \"Shout\""), std::string::npos) << m;
  EXPECT_NE(m.find("must not contain both Deny and Warn"), std::string::npos) << m;
  EXPECT_NE(m.find("one of name or selector must be specified"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.paramRef.parameterNotFoundAction: Required value"), std::string::npos) << m;
}

}  // namespace
}  // namespace minik
