// The admission chain: upstream plugin order, and the registry running it on create, update,
// patch, delete and subresource creates with the caller's user and dry-run flag.
#include <gtest/gtest.h>

#include "apiserver/admission.h"
#include "apiserver/registry.h"
#include "store/store.h"

namespace minik {
namespace {

// Records every call as "<name>:<phase>:<op>[/<subresource>]" and can refuse or mutate.
class Recorder : public AdmissionPlugin {
 public:
  Recorder(std::string name, std::vector<std::string>& log) : name_(std::move(name)), log_(log) {}
  std::string_view Name() const override { return name_; }
  Status Mutate(AdmissionRequest& req) override {
    log_.push_back(name_ + ":mutate:" + Op(req));
    last_user = req.user ? req.user->name : "<null>";
    last_dry_run = req.dry_run;
    if (req.object && req.IsCreate() && req.subresource.empty()) {
      (*req.object)["metadata"]["labels"][name_] = "seen";
    }
    return Status::Ok();
  }
  Status Validate(const AdmissionRequest& req) override {
    log_.push_back(name_ + ":validate:" + Op(req));
    if (req.object) {
      // Validation sees the mutated, defaulted object.
      saw_label = GetString(*req.object, {"metadata", "labels", name_.c_str()}) == "seen";
    }
    if (req.IsDelete()) saw_old = req.old != nullptr && req.object == nullptr;
    if (refuse) return req.Forbidden("refused by " + name_);
    req.Warn("warned by " + name_);
    return Status::Ok();
  }
  static std::string Op(const AdmissionRequest& req) {
    std::string op = req.IsCreate() ? "create" : req.IsUpdate() ? "update" : "delete";
    return req.subresource.empty() ? op : op + "/" + req.subresource;
  }
  bool refuse = false;
  bool saw_label = false;
  bool saw_old = false;
  bool last_dry_run = false;
  std::string last_user;

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

TEST(AdmissionOrderTest, UpstreamOrderAndUnknownNamesBeforeResourceQuota) {
  EXPECT_LT(AdmissionOrder("NamespaceLifecycle"), AdmissionOrder("LimitRanger"));
  EXPECT_LT(AdmissionOrder("LimitRanger"), AdmissionOrder("ServiceAccount"));
  EXPECT_LT(AdmissionOrder("ServiceAccount"), AdmissionOrder("PodSecurity"));
  EXPECT_LT(AdmissionOrder("PodSecurity"), AdmissionOrder("DefaultTolerationSeconds"));
  EXPECT_LT(AdmissionOrder("DefaultTolerationSeconds"), AdmissionOrder("DefaultStorageClass"));
  EXPECT_LT(AdmissionOrder("DefaultIngressClass"), AdmissionOrder("RBACEscalation"));
  EXPECT_LT(AdmissionOrder("RBACEscalation"), AdmissionOrder("MutatingAdmissionWebhook"));
  EXPECT_LT(AdmissionOrder("ValidatingAdmissionWebhook"), AdmissionOrder("ResourceQuota"));
}

TEST(AdmissionChainTest, RegisterKeepsUpstreamOrderWhateverTheRegistrationOrder) {
  std::vector<std::string> log;
  AdmissionChain chain;
  chain.Register(std::make_shared<Recorder>("ResourceQuota", log));
  chain.Register(std::make_shared<Recorder>("Mine", log));
  chain.Register(std::make_shared<Recorder>("PodSecurity", log));
  chain.Register(std::make_shared<Recorder>("LimitRanger", log));
  chain.Register(std::make_shared<Recorder>("Mine2", log));
  EXPECT_EQ(chain.Names(), (std::vector<std::string>{"LimitRanger", "PodSecurity", "Mine",
                                                     "Mine2", "ResourceQuota"}));
}

class AdmissionRegistryTest : public ::testing::Test {
 protected:
  AdmissionRegistryTest() {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_, &chain_);
    EXPECT_TRUE(client_->Create(kNs, "", Json{{"metadata", {{"name", "acc"}}}}).ok());
    first_ = std::make_shared<Recorder>("LimitRanger", log_);
    second_ = std::make_shared<Recorder>("ResourceQuota", log_);
    chain_.Register(second_);
    chain_.Register(first_);
    log_.clear();
  }

  Json ConfigMap(const std::string& name) {
    return Json{{"metadata", {{"name", name}}}, {"data", {{"a", "b"}}}};
  }

  const ResourceRef kNs{"", "v1", "namespaces"};
  const ResourceRef kCm{"", "v1", "configmaps"};
  const ResourceRef kPods{"", "v1", "pods"};
  ResourceRegistry resources_;
  RealClock clock_;
  AdmissionChain chain_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::vector<std::string> log_;
  std::shared_ptr<Recorder> first_, second_;
};

TEST_F(AdmissionRegistryTest, CreateRunsAllMutationsThenAllValidations) {
  UserInfo alice{"alice", "", {"devs"}, {}};
  std::vector<std::string> warnings;
  WriteOptions opts;
  opts.user = &alice;
  opts.warnings = &warnings;
  auto created = client_->Create(kCm, "acc", ConfigMap("c1"), opts);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(log_, (std::vector<std::string>{
                      "LimitRanger:mutate:create", "ResourceQuota:mutate:create",
                      "LimitRanger:validate:create", "ResourceQuota:validate:create"}));
  EXPECT_EQ(GetString(*created, {"metadata", "labels", "LimitRanger"}), "seen");
  EXPECT_TRUE(first_->saw_label);
  EXPECT_EQ(first_->last_user, "alice");
  EXPECT_FALSE(first_->last_dry_run);
  EXPECT_EQ(warnings, (std::vector<std::string>{"warned by LimitRanger",
                                                "warned by ResourceQuota"}));
}

TEST_F(AdmissionRegistryTest, InProcessCallersHaveNoUser) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("c1")).ok());
  EXPECT_EQ(first_->last_user, "<null>");
}

TEST_F(AdmissionRegistryTest, RefusalIsForbiddenAndNothingIsStored) {
  second_->refuse = true;
  auto created = client_->Create(kCm, "acc", ConfigMap("c1"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), Code::kForbidden);
  EXPECT_EQ(created.status().message(), "configmaps \"c1\" is forbidden: refused by ResourceQuota");
  ASSERT_TRUE(created.status().details().has_value());
  EXPECT_EQ(created.status().details()->kind, "configmaps");
  EXPECT_EQ(client_->Get(kCm, "acc", "c1").status().code(), Code::kNotFound);
}

TEST_F(AdmissionRegistryTest, InvalidObjectsNeverReachValidatingAdmission) {
  Json bad = ConfigMap("Bad_Name");
  auto created = client_->Create(kCm, "acc", bad);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), Code::kInvalid);
  EXPECT_EQ(log_, (std::vector<std::string>{"LimitRanger:mutate:create",
                                            "ResourceQuota:mutate:create"}));
}

TEST_F(AdmissionRegistryTest, DryRunIsPassedToPlugins) {
  WriteOptions opts;
  opts.dry_run = true;
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("c1"), opts).ok());
  EXPECT_TRUE(first_->last_dry_run);
  EXPECT_EQ(client_->Get(kCm, "acc", "c1").status().code(), Code::kNotFound);
}

TEST_F(AdmissionRegistryTest, UpdatePatchAndDeleteAreAdmitted) {
  ASSERT_TRUE(client_->Create(kCm, "acc", ConfigMap("c1")).ok());
  log_.clear();
  UserInfo bob{"bob", "", {}, {}};
  WriteOptions opts;
  opts.user = &bob;
  auto patched = client_->Patch(kCm, "acc", "c1", PatchType::kMerge, R"({"data":{"a":"c"}})",
                                opts);
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  EXPECT_EQ(log_, (std::vector<std::string>{
                      "LimitRanger:mutate:update", "ResourceQuota:mutate:update",
                      "LimitRanger:validate:update", "ResourceQuota:validate:update"}));
  EXPECT_EQ(first_->last_user, "bob");
  log_.clear();
  second_->refuse = true;
  auto refused = client_->Patch(kCm, "acc", "c1", PatchType::kMerge, R"({"data":{"a":"d"}})");
  EXPECT_EQ(refused.status().code(), Code::kForbidden);
  EXPECT_EQ(GetString(*client_->Get(kCm, "acc", "c1"), {"data", "a"}), "c");
  auto del = client_->Delete(kCm, "acc", "c1");
  EXPECT_EQ(del.status().code(), Code::kForbidden);
  EXPECT_TRUE(first_->saw_old);
  second_->refuse = false;
  DeleteOptions dopts;
  dopts.user = &bob;
  first_->last_user.clear();
  EXPECT_TRUE(client_->Delete(kCm, "acc", "c1", dopts).ok());
  EXPECT_EQ(first_->last_user, "bob");
}

TEST_F(AdmissionRegistryTest, SubresourceCreatesAreAdmittedOnTheirBody) {
  Json pod = {{"metadata", {{"name", "p"}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  ASSERT_TRUE(client_->Create(kPods, "acc", pod).ok());
  log_.clear();
  second_->refuse = true;
  Json eviction = {{"apiVersion", "policy/v1"}, {"kind", "Eviction"},
                   {"metadata", {{"name", "p"}, {"namespace", "acc"}}}};
  auto evicted = client_->Create(kPods, "acc", eviction, {}, "eviction", "p");
  EXPECT_EQ(evicted.status().code(), Code::kForbidden);
  EXPECT_EQ(evicted.status().message(), "pods \"p\" is forbidden: refused by ResourceQuota");
  EXPECT_EQ(log_.front(), "LimitRanger:mutate:create/eviction");
  EXPECT_TRUE(client_->Get(kPods, "acc", "p").ok());
}

}  // namespace
}  // namespace minik
