#include "apiserver/rbac.h"

#include <gtest/gtest.h>

#include "api/fake_clock.h"
#include "tests/controllers/fake_client.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

using std::chrono::milliseconds;
using testing::FakeClient;

const ResourceRef kRoles{"rbac.authorization.k8s.io", "v1", "roles"};
const ResourceRef kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
const ResourceRef kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
const ResourceRef kClusterRoleBindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings"};

Json Rule(std::vector<std::string> verbs, std::vector<std::string> groups,
          std::vector<std::string> resources, std::vector<std::string> names = {}) {
  Json r = {{"verbs", verbs}, {"apiGroups", groups}, {"resources", resources}};
  if (!names.empty()) r["resourceNames"] = names;
  return r;
}

Json Role(const std::string& ns, const std::string& name, Json rules) {
  Json meta = {{"name", name}};
  if (!ns.empty()) meta["namespace"] = ns;
  return {{"metadata", meta}, {"rules", rules}};
}

Json Binding(const std::string& ns, const std::string& name, const std::string& role_kind,
             const std::string& role, Json subjects) {
  Json meta = {{"name", name}};
  if (!ns.empty()) meta["namespace"] = ns;
  return {{"metadata", meta},
          {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", role_kind}, {"name", role}}},
          {"subjects", subjects}};
}

Json User(const std::string& name) { return {{"kind", "User"}, {"name", name}}; }

AuthzAttributes Res(const UserInfo& user, const std::string& verb, const std::string& group,
                    const std::string& resource, const std::string& ns,
                    const std::string& name = "", const std::string& sub = "") {
  AuthzAttributes a;
  a.user = &user;
  a.resource_request = true;
  a.verb = verb;
  a.api_group = group;
  a.resource = resource;
  a.subresource = sub;
  a.ns = ns;
  a.name = name;
  return a;
}

class RbacTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.AddKind(kRoles, "Role", true);
    client_.AddKind(kClusterRoles, "ClusterRole", false);
    client_.AddKind(kRoleBindings, "RoleBinding", true);
    client_.AddKind(kClusterRoleBindings, "ClusterRoleBinding", false);
    rbac_.Attach(informers_);
  }
  void Create(const ResourceRef& ref, const Json& obj) {
    ASSERT_TRUE(client_.Create(ref, Namespace(obj), obj).ok());
  }
  void Sync() {
    informers_.Start();
    ASSERT_TRUE(informers_.WaitForCacheSync(milliseconds(5000)));
  }
  bool Allowed(const AuthzAttributes& a) { return rbac_.Authorize(a).allowed; }

  FakeClient client_;
  FakeClock clock_;
  SharedInformerFactory informers_{client_, clock_};
  RbacAuthorizer rbac_;
};

TEST(RbacRules, RuleAllowsVerbsGroupsResourcesNames) {
  UserInfo u{"u", "", {}, {}};
  PolicyRule rule{{"get"}, {""}, {"secrets"}, {"visible"}, {}};
  EXPECT_TRUE(RuleAllows(Res(u, "get", "", "secrets", "a", "visible"), rule));
  EXPECT_FALSE(RuleAllows(Res(u, "get", "", "secrets", "a", "hidden"), rule));
  EXPECT_FALSE(RuleAllows(Res(u, "list", "", "secrets", "a"), rule));
  EXPECT_FALSE(RuleAllows(Res(u, "get", "apps", "secrets", "a", "visible"), rule));
  PolicyRule scale{{"*"}, {"*"}, {"*/scale"}, {}, {}};
  EXPECT_TRUE(RuleAllows(Res(u, "update", "apps", "deployments", "a", "d", "scale"), scale));
  EXPECT_FALSE(RuleAllows(Res(u, "update", "apps", "deployments", "a", "d"), scale));
  PolicyRule sub{{"get"}, {""}, {"pods"}, {}, {}};
  EXPECT_FALSE(RuleAllows(Res(u, "get", "", "pods", "a", "p", "log"), sub));
}

TEST(RbacRules, NonResourceUrls) {
  UserInfo u{"u", "", {}, {}};
  AuthzAttributes a;
  a.user = &u;
  a.verb = "get";
  a.path = "/apis/apps/v1";
  PolicyRule rule{{"get"}, {}, {}, {}, {"/apis", "/apis/*"}};
  EXPECT_TRUE(RuleAllows(a, rule));
  a.path = "/logs";
  EXPECT_FALSE(RuleAllows(a, rule));
  a.verb = "post";
  a.path = "/apis";
  EXPECT_FALSE(RuleAllows(a, rule));
}

TEST(RbacRules, CoversBreaksDownAndReportsMissing) {
  std::vector<PolicyRule> owner = {{{"get", "list"}, {""}, {"pods"}, {}, {}},
                                   {{"get"}, {""}, {"secrets"}, {"visible"}, {}},
                                   {{"*"}, {"apps"}, {"*/scale"}, {}, {}}};
  EXPECT_TRUE(Covers(owner, {{{"get"}, {""}, {"pods"}, {}, {}}}, nullptr));
  EXPECT_TRUE(Covers(owner, {{{"get"}, {""}, {"pods"}, {"one"}, {}}}, nullptr));
  EXPECT_TRUE(Covers(owner, {{{"get"}, {""}, {"secrets"}, {"visible"}, {}}}, nullptr));
  EXPECT_TRUE(Covers(owner, {{{"patch"}, {"apps"}, {"deployments/scale"}, {}, {}}}, nullptr));
  std::vector<PolicyRule> missing;
  EXPECT_FALSE(Covers(owner, {{{"get", "delete"}, {""}, {"pods", "secrets"}, {}, {}}}, &missing));
  std::vector<std::string> got;
  for (const auto& m : missing) got.push_back(CompactString(m));
  EXPECT_EQ(got, (std::vector<std::string>{R"({APIGroups:[""], Resources:["pods"], Verbs:["delete"]})",
                                           R"({APIGroups:[""], Resources:["secrets"], Verbs:["get"]})",
                                           R"({APIGroups:[""], Resources:["secrets"], Verbs:["delete"]})"}));
}

TEST_F(RbacTest, BindingsGrantInTheirNamespaceOnly) {
  Create(kRoles, Role("a", "reader", Json::array({Rule({"get", "list"}, {""}, {"pods"})})));
  Create(kRoleBindings, Binding("a", "dev-reader", "Role", "reader",
                                Json::array({{{"kind", "ServiceAccount"}, {"name", "dev"}, {"namespace", "a"}}})));
  Sync();
  UserInfo dev{"system:serviceaccount:a:dev", "", {"system:serviceaccounts"}, {}};
  EXPECT_TRUE(Allowed(Res(dev, "list", "", "pods", "a")));
  EXPECT_FALSE(Allowed(Res(dev, "list", "", "pods", "b")));
  EXPECT_FALSE(Allowed(Res(dev, "delete", "", "pods", "a", "p")));
  EXPECT_FALSE(Allowed(Res(dev, "list", "", "pods", "")));  // cluster-wide
  UserInfo other{"system:serviceaccount:b:dev", "", {}, {}};
  EXPECT_FALSE(Allowed(Res(other, "list", "", "pods", "a")));
  AuthzDecision d = rbac_.Authorize(Res(dev, "get", "", "pods", "a", "p"));
  EXPECT_EQ(d.reason, "RBAC: allowed by RoleBinding \"dev-reader/a\" of Role \"reader\" to ServiceAccount \"a/dev\"");
}

TEST_F(RbacTest, ClusterRoleBindingsGroupsAndMissingRoles) {
  Create(kClusterRoles, Role("", "view", Json::array({Rule({"get"}, {"*"}, {"*"})})));
  Create(kClusterRoleBindings, Binding("", "devs-view", "ClusterRole", "view",
                                       Json::array({{{"kind", "Group"}, {"name", "devs"}}})));
  Create(kRoleBindings, Binding("a", "gone", "ClusterRole", "no-such-role", Json::array({User("carol")})));
  Sync();
  UserInfo carol{"carol", "", {"devs", "system:authenticated"}, {}};
  EXPECT_TRUE(Allowed(Res(carol, "get", "apps", "deployments", "x", "d")));
  EXPECT_FALSE(Allowed(Res(carol, "list", "", "pods", "a")));
  AuthzDecision d = rbac_.Authorize(Res(carol, "list", "", "pods", "a"));
  EXPECT_EQ(d.reason, "RBAC: clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found");
  UserInfo masters{"admin", "", {"system:masters"}, {}};
  EXPECT_TRUE(Allowed(Res(masters, "delete", "", "nodes", "", "n")));
}

TEST_F(RbacTest, UpdatesAreSeen) {
  Sync();
  UserInfo alice{"alice", "", {"system:authenticated"}, {}};
  EXPECT_FALSE(Allowed(Res(alice, "get", "", "pods", "a", "p")));
  Create(kRoles, Role("a", "r", Json::array({Rule({"get"}, {""}, {"pods"})})));
  Create(kRoleBindings, Binding("a", "b", "Role", "r", Json::array({User("alice")})));
  EXPECT_TRUE(testing::Eventually([&] { return Allowed(Res(alice, "get", "", "pods", "a", "p")); }));
  ASSERT_TRUE(client_.Delete(kRoleBindings, "a", "b").ok());
  EXPECT_TRUE(testing::Eventually([&] { return !Allowed(Res(alice, "get", "", "pods", "a", "p")); }));
}

TEST_F(RbacTest, EscalationPrevention) {
  Create(kRoles, Role("a", "role-manager",
                      Json::array({Rule({"create", "get"}, {"rbac.authorization.k8s.io"}, {"roles", "rolebindings"}),
                                   Rule({"bind"}, {"rbac.authorization.k8s.io"}, {"clusterroles"}, {"view"})})));
  Create(kRoleBindings, Binding("a", "alice", "Role", "role-manager", Json::array({User("alice")})));
  Create(kClusterRoles, Role("", "view", Json::array({Rule({"get"}, {""}, {"pods"})})));
  Create(kClusterRoles, Role("", "admin", Json::array({Rule({"*"}, {"*"}, {"*"})})));
  Sync();
  UserInfo alice{"alice", "", {"system:authenticated"}, {}};

  Json sneaky = Role("a", "sneaky", Json::array({Rule({"get"}, {""}, {"pods"})}));
  Status st = ConfirmNoEscalation(rbac_, alice, "roles", sneaky, nullptr);
  EXPECT_EQ(st.code(), Code::kForbidden);
  EXPECT_EQ(st.message(),
            "roles.rbac.authorization.k8s.io \"sneaky\" is forbidden: user \"alice\" "
            "(groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not "
            "currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}");
  Json within = Role("a", "ok", Json::array({Rule({"get"}, {"rbac.authorization.k8s.io"}, {"roles"})}));
  EXPECT_TRUE(ConfirmNoEscalation(rbac_, alice, "roles", within, nullptr).ok());

  // bind on view lets alice hand out view without holding it; admin she can not.
  Json bind_view = Binding("a", "bob-view", "ClusterRole", "view", Json::array({User("bob")}));
  EXPECT_TRUE(ConfirmNoEscalation(rbac_, alice, "rolebindings", bind_view, nullptr).ok());
  Json bind_admin = Binding("a", "alice-admin", "ClusterRole", "admin", Json::array({User("alice")}));
  st = ConfirmNoEscalation(rbac_, alice, "rolebindings", bind_admin, nullptr);
  EXPECT_EQ(st.code(), Code::kForbidden);
  EXPECT_NE(st.message().find("attempting to grant RBAC permissions not currently held"), std::string::npos);
  Json bind_missing = Binding("a", "x", "ClusterRole", "missing", Json::array({User("bob")}));
  EXPECT_EQ(ConfirmNoEscalation(rbac_, alice, "rolebindings", bind_missing, nullptr).code(), Code::kNotFound);

  // An update that leaves the rules alone is not checked again; escalate allows anything.
  EXPECT_TRUE(ConfirmNoEscalation(rbac_, alice, "roles", sneaky, &sneaky).ok());
  UserInfo masters{"admin", "", {"system:masters"}, {}};
  EXPECT_TRUE(ConfirmNoEscalation(rbac_, masters, "roles", sneaky, nullptr).ok());
}

TEST_F(RbacTest, RulesForListsClusterAndNamespaceRules) {
  Create(kClusterRoles, Role("", "basic", Json::array({Rule({"create"}, {"authorization.k8s.io"},
                                                            {"selfsubjectaccessreviews"})})));
  Create(kClusterRoleBindings, Binding("", "basic", "ClusterRole", "basic",
                                       Json::array({{{"kind", "Group"}, {"name", "system:authenticated"}}})));
  Create(kRoles, Role("a", "r", Json::array({Rule({"get"}, {""}, {"secrets"}, {"visible"})})));
  Create(kRoleBindings, Binding("a", "b", "Role", "r", Json::array({User("dev")})));
  Sync();
  UserInfo dev{"dev", "", {"system:authenticated"}, {}};
  UserRules in_a = rbac_.RulesFor(dev, "a");
  ASSERT_EQ(in_a.resource_rules.size(), 2u);
  EXPECT_EQ(in_a.resource_rules[1]["resourceNames"], Json::array({"visible"}));
  EXPECT_FALSE(in_a.incomplete);
  EXPECT_EQ(rbac_.RulesFor(dev, "b").resource_rules.size(), 1u);
}

}  // namespace
}  // namespace minik
