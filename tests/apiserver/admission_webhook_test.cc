// Admission webhooks through the real registry (in-memory store) and a test HTTPS server on
// 127.0.0.1: configuration validation and defaults, allow / deny / patch, failure policies
// (server down, timeout, wrong CA), rule and selector matching, dry runs, reinvocation,
// service references.
#include "apiserver/admission_webhook.h"

#include <gtest/gtest.h>

#include <mutex>

#include "api/base64.h"
#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "store/store.h"
#include "tests/apiserver/webhook_test_server.h"

namespace minik {
namespace {

using testing_webhook::MakeSelfSigned;
using testing_webhook::Pem;
using testing_webhook::WebhookServer;

const ResourceRef kNs{"", "v1", "namespaces"};
const ResourceRef kConfigMaps{"", "v1", "configmaps"};
const ResourceRef kServices{"", "v1", "services"};
const ResourceRef kEndpoints{"", "v1", "endpoints"};
const ResourceRef kMutating{"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations"};
const ResourceRef kValidating{"admissionregistration.k8s.io", "v1",
                              "validatingwebhookconfigurations"};

std::string Response(const Json& review, Json fields) {
  Json response = {{"uid", review["request"]["uid"]}, {"allowed", true}};
  for (auto it = fields.begin(); it != fields.end(); ++it) response[it.key()] = it.value();
  return Json{
      {"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", response}}
      .dump();
}

std::string PatchField(const Json& patch) { return Base64Encode(patch.dump()); }

class AdmissionWebhookTest : public ::testing::Test {
 protected:
  AdmissionWebhookTest() : pem_(MakeSelfSigned({"hook.hooks.svc"})) {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_, &chain_);
    AdmissionWebhookPlugins plugins = NewAdmissionWebhooks(*client_);
    chain_.Register(plugins.mutating);
    chain_.Register(plugins.validating);
    server_ = std::make_unique<WebhookServer>(
        pem_,
        [this](const std::string& path, const std::string& body) { return Handle(path, body); });
    MakeNamespace("hooked", {{"webhook-test", "true"}});
    MakeNamespace("plain", Json::object());
  }

  // /mutate adds label mutated=yes; /validate refuses deny=true; /hang never answers;
  // /warn allows with a warning; /other adds label other=yes.
  std::optional<std::string> Handle(const std::string& path, const std::string& body) {
    Json review = Json::parse(body);
    {
      std::lock_guard lock(mu_);
      reviews_.push_back(review);
      paths_.push_back(path);
    }
    const Json& obj = review["request"]["object"];
    Json labels =
        obj.is_object() ? obj["metadata"].value("labels", Json::object()) : Json::object();
    if (path.rfind("/hang", 0) == 0) return std::nullopt;
    if (path.rfind("/validate", 0) == 0) {
      if (labels.value("deny", "") == "true")
        return Response(review,
                        {{"allowed", false},
                         {"status", {{"code", 403}, {"message", "denied by test webhook"}}}});
      return Response(review, Json::object());
    }
    if (path.rfind("/nocode", 0) == 0)
      return Response(review, {{"allowed", false}, {"status", {{"message", "no"}}}});
    if (path.rfind("/warn", 0) == 0) return Response(review, {{"warnings", {"careful"}}});
    if (path.rfind("/baduid", 0) == 0) {
      review["request"]["uid"] = "nope";
      return Response(review, Json::object());
    }
    std::string key = path.rfind("/other", 0) == 0 ? "other" : "mutated";
    Json patch =
        labels.empty()
            ? Json::array(
                  {{{"op", "add"}, {"path", "/metadata/labels"}, {"value", {{key, "yes"}}}}})
            : Json::array({{{"op", "add"}, {"path", "/metadata/labels/" + key}, {"value", "yes"}}});
    if (labels.value(key, "") == "yes") return Response(review, Json::object());
    return Response(review, {{"patchType", "JSONPatch"}, {"patch", PatchField(patch)}});
  }

  void MakeNamespace(const std::string& name, Json labels) {
    Json ns = {{"metadata", {{"name", name}}}};
    if (!labels.empty()) ns["metadata"]["labels"] = labels;
    ASSERT_TRUE(client_->Create(kNs, "", ns).ok());
  }

  std::string Url(const std::string& path, int port = 0) {
    return "https://127.0.0.1:" + std::to_string(port ? port : server_->port()) + path;
  }

  Json Hook(const std::string& name, const std::string& path, Json extra = Json::object()) {
    Json hook = {{"name", name},
                 {"clientConfig", {{"url", Url(path)}, {"caBundle", Base64Encode(pem_.cert)}}},
                 {"rules",
                  {{{"operations", {"CREATE"}},
                    {"apiGroups", {""}},
                    {"apiVersions", {"v1"}},
                    {"resources", {"configmaps"}}}}},
                 {"sideEffects", "None"},
                 {"admissionReviewVersions", {"v1"}},
                 {"timeoutSeconds", 5}};
    for (auto it = extra.begin(); it != extra.end(); ++it) hook[it.key()] = it.value();
    return hook;
  }

  StatusOr<Json> Configure(const ResourceRef& ref, const std::string& name, Json hooks) {
    std::string kind =
        ref == kMutating ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration";
    Json cfg = {{"apiVersion", "admissionregistration.k8s.io/v1"},
                {"kind", kind},
                {"metadata", {{"name", name}}},
                {"webhooks", hooks}};
    return client_->Create(ref, "", cfg);
  }

  StatusOr<Json> CreateConfigMap(const std::string& ns, const std::string& name,
                                 Json labels = Json::object(), bool dry_run = false,
                                 std::vector<std::string>* warnings = nullptr) {
    Json cm = {{"metadata", {{"name", name}}}, {"data", {{"k", "v"}}}};
    if (!labels.empty()) cm["metadata"]["labels"] = labels;
    WriteOptions opts;
    opts.dry_run = dry_run;
    opts.warnings = warnings;
    return client_->Create(kConfigMaps, ns, cm, opts);
  }

  size_t Calls() {
    std::lock_guard lock(mu_);
    return reviews_.size();
  }
  Json LastReview() {
    std::lock_guard lock(mu_);
    return reviews_.empty() ? Json() : reviews_.back();
  }

  Pem pem_;
  ResourceRegistry resources_;
  FakeClock clock_;
  // The store outlives the chain, whose webhook plugins hold a watch on it.
  std::unique_ptr<Store> store_;
  AdmissionChain chain_;
  std::unique_ptr<Client> client_;
  std::mutex mu_;
  std::vector<Json> reviews_;
  std::vector<std::string> paths_;
  std::unique_ptr<WebhookServer> server_;
};

// ---- the configuration kinds

TEST_F(AdmissionWebhookTest, ConfigurationGetsUpstreamDefaults) {
  Json hook = Hook("mutate.test.example.com", "/mutate");
  hook.erase("timeoutSeconds");
  auto cfg = Configure(kMutating, "defaults", {hook});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  const Json& h = (*cfg)["webhooks"][0];
  EXPECT_EQ(h["failurePolicy"], "Fail");
  EXPECT_EQ(h["matchPolicy"], "Equivalent");
  EXPECT_EQ(h["namespaceSelector"], Json::object());
  EXPECT_EQ(h["objectSelector"], Json::object());
  EXPECT_EQ(h["timeoutSeconds"], 10);
  EXPECT_EQ(h["reinvocationPolicy"], "Never");
  EXPECT_EQ(h["rules"][0]["scope"], "*");

  Json vhook = Hook("validate.test.example.com", "/validate");
  vhook["clientConfig"] = {{"service", {{"namespace", "hooks"}, {"name", "hook"}}}};
  auto vcfg = Configure(kValidating, "vdefaults", {vhook});
  ASSERT_TRUE(vcfg.ok()) << vcfg.status().message();
  EXPECT_FALSE((*vcfg)["webhooks"][0].contains("reinvocationPolicy"));
  EXPECT_EQ((*vcfg)["webhooks"][0]["clientConfig"]["service"]["port"], 443);
}

std::vector<std::string> CauseTexts(const Status& st) {
  std::vector<std::string> out;
  if (st.details())
    for (const StatusCause& c : st.details()->causes) out.push_back(c.field + ": " + c.message);
  return out;
}

TEST_F(AdmissionWebhookTest, BadConfigurationsAreRefusedWithUpstreamMessages) {
  Json dup = Hook("a.test.example.com", "/mutate");
  Json bad = Hook("short.name", "/mutate");
  bad["clientConfig"] = {{"url", "http://u:p@127.0.0.1/x?q=1#f"}};
  bad.erase("sideEffects");
  bad["admissionReviewVersions"] = {"v2"};
  bad["timeoutSeconds"] = 31;
  bad["failurePolicy"] = "Sometimes";
  bad["rules"] = {{{"operations", {"*", "CREATE"}},
                   {"apiGroups", {""}},
                   {"apiVersions", {"v1"}},
                   {"resources", {"*", "pods"}}}};
  bad["matchConditions"] = {{{"name", "c"}, {"expression", "true"}}};
  Json both = Hook("both.test.example.com", "/mutate");
  both["clientConfig"]["service"] = {{"namespace", "x"}, {"name", "y"}};
  auto st = Configure(kMutating, "bad", {dup, dup, bad, both});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kInvalid);
  auto causes = CauseTexts(st.status());
  auto has = [&](const std::string& text) {
    for (const auto& c : causes)
      if (c == text) return true;
    ADD_FAILURE() << "missing cause: " << text << "\nhave:\n" << ::testing::PrintToString(causes);
    return false;
  };
  has("webhooks[1].name: Duplicate value: \"a.test.example.com\"");
  has("webhooks[2].name: Invalid value: \"short.name\": should be a domain with at least three "
      "segments separated by dots");
  has("webhooks[2].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL "
      "scheme; desired format: https://host[/path]");
  has("webhooks[2].clientConfig.url: Invalid value: \"u:p\": user information is not permitted in "
      "the URL");
  has("webhooks[2].clientConfig.url: Invalid value: \"f\": fragments are not permitted in the URL");
  has("webhooks[2].clientConfig.url: Invalid value: \"q=1\": query parameters are not permitted in "
      "the URL");
  has("webhooks[2].sideEffects: Required value: must specify one of None, NoneOnDryRun");
  has("webhooks[2].admissionReviewVersions: Invalid value: []string{\"v2\"}: must include at "
      "least one of v1, v1beta1");
  has("webhooks[2].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 "
      "seconds");
  has("webhooks[2].failurePolicy: Unsupported value: \"Sometimes\": supported values: \"Fail\", "
      "\"Ignore\"");
  has("webhooks[2].rules[0].operations: Invalid value: []string{\"*\", \"CREATE\"}: if '*' is "
      "present, must not specify other operations");
  has("webhooks[2].rules[0].resources: Invalid value: []string{\"*\", \"pods\"}: if '*' is "
      "present, "
      "must not specify other resources without subresources");
  has("webhooks[3].clientConfig: Required value: exactly one of url or service is required");
  bool match_conditions = false;
  for (const auto& c : causes)
    match_conditions =
        match_conditions || c.rfind("webhooks[2].matchConditions: Forbidden", 0) == 0;
  EXPECT_TRUE(match_conditions) << ::testing::PrintToString(causes);
}

TEST_F(AdmissionWebhookTest, EntriesAreClusterScopedWithWebhookCount) {
  for (const ResourceRef& ref : {kMutating, kValidating}) {
    const ResourceInfo* info = resources_.Find(ref);
    ASSERT_NE(info, nullptr);
    EXPECT_FALSE(info->namespaced);
    EXPECT_TRUE(info->short_names.empty());
    ASSERT_EQ(info->columns.size(), 2u);
    EXPECT_EQ(info->columns[0].name, "Webhooks");
    EXPECT_EQ(info->columns[1].name, "Age");
    Json cfg = {{"metadata", {{"name", "x"}}}, {"webhooks", {Json::object(), Json::object()}}};
    auto cells = info->cells(cfg, clock_.Now());
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_EQ(cells[0], 2);
  }
  EXPECT_EQ(resources_.Find(kMutating)->singular, "mutatingwebhookconfiguration");
}

TEST_F(AdmissionWebhookTest, ConfigurationPatchesAsKubectlSendsThem) {
  ASSERT_TRUE(Configure(kMutating, "patched", {Hook("m.test.example.com", "/mutate")}).ok());
  auto json =
      client_->Patch(kMutating, "", "patched", PatchType::kJson,
                     R"([{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}])");
  ASSERT_TRUE(json.ok()) << json.status().message();
  EXPECT_EQ((*json)["webhooks"][0]["failurePolicy"], "Ignore");
  auto smp = client_->Patch(kMutating, "", "patched", PatchType::kStrategicMerge,
                            R"({"webhooks":[{"name":"m.test.example.com","timeoutSeconds":3}]})");
  ASSERT_TRUE(smp.ok()) << smp.status().message();
  EXPECT_EQ((*smp)["webhooks"][0]["timeoutSeconds"], 3);
  EXPECT_EQ((*smp)["webhooks"][0]["failurePolicy"], "Ignore");
  EXPECT_EQ((*smp)["webhooks"].size(), 1u);
}

// ---- calls

TEST_F(AdmissionWebhookTest, MutatingWebhookPatchesAndValidatingWebhookDenies) {
  Json selector = {{"namespaceSelector", {{"matchLabels", {{"webhook-test", "true"}}}}}};
  ASSERT_TRUE(
      Configure(kMutating, "acc-mutate", {Hook("mutate.acc.example.com", "/mutate", selector)})
          .ok());
  ASSERT_TRUE(Configure(kValidating, "acc-validate",
                        {Hook("validate.acc.example.com", "/validate", selector)})
                  .ok());

  auto cm = CreateConfigMap("hooked", "plain");
  ASSERT_TRUE(cm.ok()) << cm.status().message();
  EXPECT_EQ((*cm)["metadata"]["labels"]["mutated"], "yes");
  auto stored = client_->Get(kConfigMaps, "hooked", "plain");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)["metadata"]["labels"]["mutated"], "yes");

  auto denied = CreateConfigMap("hooked", "deny", {{"deny", "true"}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Code::kForbidden);
  EXPECT_EQ(
      denied.status().message(),
      "admission webhook \"validate.acc.example.com\" denied the request: denied by test webhook");
  EXPECT_FALSE(client_->Get(kConfigMaps, "hooked", "deny").ok());

  // namespaceSelector: elsewhere neither webhook is called.
  size_t calls = Calls();
  auto outside = CreateConfigMap("plain", "outside", {{"deny", "true"}});
  ASSERT_TRUE(outside.ok()) << outside.status().message();
  EXPECT_FALSE((*outside)["metadata"].contains("labels") &&
               (*outside)["metadata"]["labels"].contains("mutated"));
  EXPECT_EQ(Calls(), calls);
}

TEST_F(AdmissionWebhookTest, ReviewCarriesTheRequest) {
  ASSERT_TRUE(Configure(kValidating, "v", {Hook("validate.test.example.com", "/validate")}).ok());
  ASSERT_TRUE(CreateConfigMap("hooked", "seen", {{"a", "b"}}, /*dry_run=*/true).ok());
  Json review = LastReview();
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(review["kind"], "AdmissionReview");
  const Json& r = review["request"];
  EXPECT_FALSE(r["uid"].get<std::string>().empty());
  EXPECT_EQ(r["kind"], (Json{{"group", ""}, {"version", "v1"}, {"kind", "ConfigMap"}}));
  EXPECT_EQ(r["resource"], (Json{{"group", ""}, {"version", "v1"}, {"resource", "configmaps"}}));
  EXPECT_EQ(r["requestKind"], r["kind"]);
  EXPECT_EQ(r["name"], "seen");
  EXPECT_EQ(r["namespace"], "hooked");
  EXPECT_EQ(r["operation"], "CREATE");
  EXPECT_EQ(r["dryRun"], true);
  EXPECT_EQ(r["object"]["data"]["k"], "v");
  EXPECT_TRUE(r["oldObject"].is_null());
  EXPECT_EQ(r["options"]["kind"], "CreateOptions");
  EXPECT_TRUE(r["userInfo"].contains("username"));
  std::lock_guard lock(mu_);
  EXPECT_EQ(paths_.back(), "/validate?timeout=5s");
}

TEST_F(AdmissionWebhookTest, DenialWithoutCodeIsBadRequest) {
  ASSERT_TRUE(Configure(kValidating, "v", {Hook("nocode.test.example.com", "/nocode")}).ok());
  auto st = CreateConfigMap("hooked", "x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kBadRequest);
  EXPECT_EQ(st.status().message(),
            "admission webhook \"nocode.test.example.com\" denied the request: no");
}

TEST_F(AdmissionWebhookTest, WarningsReachTheCaller) {
  ASSERT_TRUE(Configure(kValidating, "v", {Hook("warn.test.example.com", "/warn")}).ok());
  std::vector<std::string> warnings;
  ASSERT_TRUE(CreateConfigMap("hooked", "w", Json::object(), false, &warnings).ok());
  EXPECT_EQ(warnings, std::vector<std::string>{"careful"});
}

TEST_F(AdmissionWebhookTest, FailurePolicyWhenTheServerIsDown) {
  // A port nobody listens on: bind, read the port, close.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);

  Json hook = Hook("down.test.example.com", "/validate");
  hook["clientConfig"]["url"] = Url("/validate", port);
  ASSERT_TRUE(Configure(kValidating, "down", {hook}).ok());
  auto st = CreateConfigMap("hooked", "x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kInternal);
  EXPECT_EQ(st.status().message(),
            "Internal error occurred: failed calling webhook \"down.test.example.com\": failed to "
            "call webhook: Post \"https://127.0.0.1:" +
                std::to_string(port) + "/validate?timeout=5s\": dial tcp 127.0.0.1:" +
                std::to_string(port) + ": connect: connection refused");

  auto patched =
      client_->Patch(kValidating, "", "down", PatchType::kJson,
                     R"([{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}])");
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  auto ok = CreateConfigMap("hooked", "y");
  EXPECT_TRUE(ok.ok()) << ok.status().message();
}

TEST_F(AdmissionWebhookTest, TimeoutFailsTheCall) {
  Json hook = Hook("hang.test.example.com", "/hang", {{"timeoutSeconds", 1}});
  ASSERT_TRUE(Configure(kValidating, "hang", {hook}).ok());
  auto st = CreateConfigMap("hooked", "x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kInternal);
  EXPECT_NE(st.status().message().find("failed calling webhook \"hang.test.example.com\": failed "
                                       "to call webhook: Post \"" +
                                       Url("/hang?timeout=1s") + "\": context deadline exceeded"),
            std::string::npos)
      << st.status().message();
}

TEST_F(AdmissionWebhookTest, WrongCaIsRefused) {
  Pem other = MakeSelfSigned({});
  Json hook = Hook("ca.test.example.com", "/validate");
  hook["clientConfig"]["caBundle"] = Base64Encode(other.cert);
  ASSERT_TRUE(Configure(kValidating, "ca", {hook}).ok());
  auto st = CreateConfigMap("hooked", "x");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("x509: certificate signed by unknown authority"),
            std::string::npos)
      << st.status().message();
  EXPECT_EQ(Calls(), 0u);
}

TEST_F(AdmissionWebhookTest, BadResponseUidFails) {
  ASSERT_TRUE(Configure(kValidating, "u", {Hook("uid.test.example.com", "/baduid")}).ok());
  auto st = CreateConfigMap("hooked", "x");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("received invalid webhook response: expected response.uid="),
            std::string::npos)
      << st.status().message();
}

TEST_F(AdmissionWebhookTest, RulesDecideWhichRequestsAreSent) {
  Json update_only = Hook("update.test.example.com", "/validate");
  update_only["rules"][0]["operations"] = {"UPDATE"};
  Json secrets = Hook("secrets.test.example.com", "/validate");
  secrets["rules"][0]["resources"] = {"secrets"};
  Json cluster = Hook("cluster.test.example.com", "/validate");
  cluster["rules"][0]["scope"] = "Cluster";
  ASSERT_TRUE(Configure(kValidating, "rules", {update_only, secrets, cluster}).ok());
  auto cm = CreateConfigMap("hooked", "r");
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(Calls(), 0u);

  // UPDATE matches the first webhook.
  Json changed = *cm;
  changed["data"]["k"] = "w";
  ASSERT_TRUE(client_->Update(kConfigMaps, "hooked", changed).ok());
  EXPECT_EQ(Calls(), 1u);
  EXPECT_EQ(LastReview()["request"]["operation"], "UPDATE");
  EXPECT_EQ(LastReview()["request"]["oldObject"]["data"]["k"], "v");

  // "*/*" with any group and version matches everything, DELETE included.
  Json all = Hook("all.test.example.com", "/validate");
  all["rules"] = {{{"operations", {"*"}},
                   {"apiGroups", {"*"}},
                   {"apiVersions", {"*"}},
                   {"resources", {"*/*"}}}};
  ASSERT_TRUE(Configure(kValidating, "all", {all}).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "hooked", "r").ok());
  EXPECT_EQ(LastReview()["request"]["operation"], "DELETE");
  EXPECT_TRUE(LastReview()["request"]["object"].is_null());
  EXPECT_EQ(LastReview()["request"]["oldObject"]["metadata"]["name"], "r");
}

TEST_F(AdmissionWebhookTest, ObjectSelectorMatchesLabels) {
  Json hook = Hook("obj.test.example.com", "/validate",
                   {{"objectSelector", {{"matchLabels", {{"hook", "me"}}}}}});
  ASSERT_TRUE(Configure(kValidating, "obj", {hook}).ok());
  ASSERT_TRUE(CreateConfigMap("plain", "a").ok());
  EXPECT_EQ(Calls(), 0u);
  ASSERT_TRUE(CreateConfigMap("plain", "b", {{"hook", "me"}}).ok());
  EXPECT_EQ(Calls(), 1u);
}

TEST_F(AdmissionWebhookTest, WebhookConfigurationsAreNeverSentAndChangesApplyAtOnce) {
  Json all = Hook("all.test.example.com", "/validate");
  all["rules"] = {
      {{"operations", {"*"}}, {"apiGroups", {"*"}}, {"apiVersions", {"*"}}, {"resources", {"*"}}}};
  ASSERT_TRUE(Configure(kValidating, "all", {all}).ok());
  ASSERT_TRUE(Configure(kMutating, "another", {Hook("m.test.example.com", "/mutate")}).ok());
  ASSERT_TRUE(client_->Delete(kMutating, "", "another").ok());
  EXPECT_EQ(Calls(), 0u);
  // The deletion applies to the next request: no mutation.
  auto cm = CreateConfigMap("plain", "after");
  ASSERT_TRUE(cm.ok());
  EXPECT_FALSE((*cm)["metadata"].contains("labels"));
  EXPECT_EQ(Calls(), 1u);
  ASSERT_TRUE(client_->Delete(kValidating, "", "all").ok());
  ASSERT_TRUE(CreateConfigMap("plain", "later").ok());
  EXPECT_EQ(Calls(), 1u);
}

TEST_F(AdmissionWebhookTest, DryRunNeedsWebhooksWithoutSideEffects) {
  // v1 validation only admits None / NoneOnDryRun; a configuration stored by an older
  // version (v1beta1 allowed Unknown) is written to the store directly.
  Json cfg = {
      {"apiVersion", "admissionregistration.k8s.io/v1"},
      {"kind", "ValidatingWebhookConfiguration"},
      {"metadata",
       {{"name", "legacy"}, {"uid", "u1"}, {"creationTimestamp", "2026-01-01T00:00:00Z"}}},
      {"webhooks", {Hook("legacy.test.example.com", "/validate", {{"sideEffects", "Unknown"}})}}};
  const ResourceInfo* info = resources_.Find(kValidating);
  ASSERT_NE(info, nullptr);
  ASSERT_TRUE(store_->Create(StorageKey(*info, "", "legacy"), cfg.dump()).ok());
  auto st = CreateConfigMap("hooked", "dry", Json::object(), /*dry_run=*/true);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kBadRequest);
  EXPECT_EQ(st.status().message(),
            "admission webhook \"legacy.test.example.com\" does not support dry run");
  EXPECT_EQ(Calls(), 0u);
  EXPECT_TRUE(CreateConfigMap("hooked", "wet").ok());
  EXPECT_EQ(Calls(), 1u);
}

TEST_F(AdmissionWebhookTest, MutatingOrderAndReinvocation) {
  // "a-first" runs before "b-second" (configuration name order); the first is IfNeeded, so the
  // second's change calls it once more.
  ASSERT_TRUE(Configure(kMutating, "b-second", {Hook("other.test.example.com", "/other")}).ok());
  ASSERT_TRUE(
      Configure(kMutating, "a-first",
                {Hook("mutate.test.example.com", "/mutate", {{"reinvocationPolicy", "IfNeeded"}})})
          .ok());
  auto cm = CreateConfigMap("hooked", "order");
  ASSERT_TRUE(cm.ok()) << cm.status().message();
  EXPECT_EQ((*cm)["metadata"]["labels"], (Json{{"mutated", "yes"}, {"other", "yes"}}));
  std::lock_guard lock(mu_);
  ASSERT_EQ(paths_.size(), 3u);
  EXPECT_EQ(paths_[0], "/mutate?timeout=5s");
  EXPECT_EQ(paths_[1], "/other?timeout=5s");
  EXPECT_EQ(paths_[2], "/mutate?timeout=5s");
  EXPECT_EQ(reviews_[2]["request"]["object"]["metadata"]["labels"]["other"], "yes");
}

TEST_F(AdmissionWebhookTest, ServiceReferenceGoesToAnEndpoint) {
  MakeNamespace("hooks", Json::object());
  Json svc = {{"metadata", {{"name", "hook"}}},
              {"spec",
               {{"clusterIP", "None"},
                {"ports", {{{"name", "https"}, {"port", 443}, {"targetPort", 8443}}}}}}};
  ASSERT_TRUE(client_->Create(kServices, "hooks", svc).ok());
  Json hook = Hook("svc.test.example.com", "/validate");
  hook["clientConfig"] = {
      {"service", {{"namespace", "hooks"}, {"name", "hook"}, {"path", "/validate"}}},
      {"caBundle", Base64Encode(pem_.cert)}};
  ASSERT_TRUE(Configure(kValidating, "svc", {hook}).ok());
  auto none = CreateConfigMap("hooked", "x");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "Internal error occurred: failed calling webhook \"svc.test.example.com\": failed to "
            "call webhook: Post \"https://hook.hooks.svc:443/validate?timeout=5s\": no endpoints "
            "available for service \"hook\"");
  Json eps = {{"metadata", {{"name", "hook"}}},
              {"subsets",
               {{{"addresses", {{{"ip", "127.0.0.1"}}}},
                 {"ports", {{{"name", "https"}, {"port", server_->port()}}}}}}}};
  ASSERT_TRUE(client_->Create(kEndpoints, "hooks", eps).ok());
  auto denied = CreateConfigMap("hooked", "y", {{"deny", "true"}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Code::kForbidden);
  EXPECT_EQ(Calls(), 1u);
}

// ---- the HTTPS client

HttpsPostRequest PostTo(int port, const std::string& ca) {
  HttpsPostRequest req;
  req.host = "127.0.0.1";
  req.server_name = "127.0.0.1";
  req.port = port;
  req.path = "/x?timeout=5s";
  req.ca_pem = ca;
  req.body = "{}";
  req.timeout = std::chrono::seconds(5);
  return req;
}

TEST(HttpsPost, LeafCertificateAndBareEofAnswer) {
  Pem leaf = MakeSelfSigned({}, /*ca=*/false);
  WebhookServer server(
      leaf, [](const std::string&, const std::string& body) { return "echo:" + body; },
      /*http10_eof=*/true);
  auto body = HttpsPost(PostTo(server.port(), leaf.cert));
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ(*body, "echo:{}");
}

TEST(HttpsPost, NameMismatchAndBadBundle) {
  Pem pem = MakeSelfSigned({"hook.hooks.svc"});
  WebhookServer server(pem,
                       [](const std::string&, const std::string&) { return std::string("{}"); });
  HttpsPostRequest req = PostTo(server.port(), pem.cert);
  req.server_name = "other.hooks.svc";
  auto wrong = HttpsPost(req);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(),
            "Post \"https://other.hooks.svc:" + std::to_string(server.port()) +
                "/x?timeout=5s\": tls: failed to verify certificate: x509: certificate is valid "
                "for hook.hooks.svc, not other.hooks.svc");
  req.server_name = "hook.hooks.svc";
  auto right = HttpsPost(req);
  EXPECT_TRUE(right.ok()) << right.status().message();

  HttpsPostRequest bad = PostTo(server.port(), "not a certificate");
  auto refused = HttpsPost(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("unable to load root certificates"), std::string::npos);
  EXPECT_EQ(server.requests(), 1);
}

}  // namespace
}  // namespace minik
