// The PV/PVC binder and host-path provisioner over the real registry, with a temporary
// volumes directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "api/fake_clock.h"
#include "api/informer.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "controllers/persistentvolume_controller.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

namespace minik {
namespace {

namespace fs = std::filesystem;
using testing::Eventually;

const ResourceRef kClaims{"", "v1", "persistentvolumeclaims"};
const ResourceRef kVolumes{"", "v1", "persistentvolumes"};
const ResourceRef kClasses{"storage.k8s.io", "v1", "storageclasses"};
const ResourceRef kEvents{"", "v1", "events"};

class PersistentVolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "default"}}}};
    ASSERT_TRUE(client_->Create({"", "v1", "namespaces"}, "", ns).ok());
    char tmpl[] = "/tmp/minik-pv-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    dir_ = tmp_ + "/volumes";
  }
  void TearDown() override {
    // Informers first: their threads call the controller's handlers until they stop.
    if (informers_) informers_->Stop();
    controller_.reset();
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
  Client& client() { return *client_; }

  void Start() {
    informers_ = std::make_unique<SharedInformerFactory>(client(), clock_);
    controller_ = std::make_unique<PersistentVolumeController>(client(), clock_, *informers_, dir_);
    informers_->Start();
    ASSERT_TRUE(informers_->WaitForCacheSync(std::chrono::seconds(5)));
  }

  // Waits until the caches show what the store holds.
  void CatchUp() {
    for (const auto& [ref, ns] : std::vector<std::pair<ResourceRef, std::string>>{
             {kClaims, "default"}, {kVolumes, ""}, {kClasses, ""}}) {
      Informer& inf = informers_->For(ref);
      auto list = client().List(ref, ns);
      ASSERT_TRUE(list.ok());
      std::map<std::string, std::string> want;
      for (const Json& o : (*list)["items"]) want[ObjectKey(o)] = ResourceVersion(o);
      ASSERT_TRUE(Eventually([&] {
        if (inf.Size() != want.size()) return false;
        for (const auto& [k, rv] : want) {
          ObjectPtr o = inf.Get(k);
          if (!o || ResourceVersion(*o) != rv) return false;
        }
        return true;
      })) << ref.resource;
    }
  }
  // Reconciles every claim and volume (plus whatever the handlers queued), as the workers
  // would, until a round writes nothing.
  void Settle() {
    for (int round = 0; round < 20; ++round) {
      CatchUp();
      std::string before = StoreRv();
      for (const ResourceRef& ref : {kClaims, kVolumes}) {
        for (const std::string& key : informers_->For(ref).ListKeys())
          controller_->queue().Add(key);
      }
      while (controller_->queue().Len() > 0) controller_->ProcessNextItem();
      if (StoreRv() == before) return;
    }
    FAIL() << "the controller does not settle";
  }
  // The claims' and volumes' resource versions (events are written meanwhile, so the
  // store's revision is no measure of the controller's work).
  std::string StoreRv() {
    std::string out;
    for (const auto& [ref, ns] :
         std::vector<std::pair<ResourceRef, std::string>>{{kClaims, "default"}, {kVolumes, ""}}) {
      Json list = *client().List(ref, ns);
      for (const Json& o : list["items"]) out += ObjectKey(o) + "@" + ResourceVersion(o) + ",";
    }
    return out;
  }
  StatusOr<ReconcileResult> Sync(const std::string& key) {
    CatchUp();
    auto r = controller_->Reconcile(key);
    CatchUp();
    return r;
  }

  Json Claim(const std::string& name, const Json& class_name, const std::string& size = "1Mi",
             const std::string& mode = "ReadWriteOnce") {
    Json c = {
        {"apiVersion", "v1"},
        {"kind", "PersistentVolumeClaim"},
        {"metadata", {{"name", name}, {"namespace", "default"}}},
        {"spec", {{"accessModes", {mode}}, {"resources", {{"requests", {{"storage", size}}}}}}}};
    if (!class_name.is_null()) c["spec"]["storageClassName"] = class_name;
    return c;
  }
  Json CreateClaim(const Json& c) {
    auto r = client().Create(kClaims, "default", c);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : c;
  }
  Json StaticVolume(const std::string& name, const std::string& size,
                    const std::string& class_name = "", const std::string& policy = "Retain",
                    const std::string& path = "/srv/x") {
    Json pv = {{"apiVersion", "v1"},
               {"kind", "PersistentVolume"},
               {"metadata", {{"name", name}}},
               {"spec",
                {{"capacity", {{"storage", size}}},
                 {"accessModes", {"ReadWriteOnce"}},
                 {"persistentVolumeReclaimPolicy", policy},
                 {"hostPath", {{"path", path}}}}}};
    if (!class_name.empty()) pv["spec"]["storageClassName"] = class_name;
    return pv;
  }
  Json CreateClass(const std::string& name, const std::string& reclaim,
                   const std::string& mode = "Immediate",
                   const std::string& provisioner = kHostPathProvisioner) {
    Json sc = {{"apiVersion", "storage.k8s.io/v1"}, {"kind", "StorageClass"},
               {"metadata", {{"name", name}}},      {"provisioner", provisioner},
               {"reclaimPolicy", reclaim},          {"volumeBindingMode", mode}};
    auto r = client().Create(kClasses, "", sc);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : sc;
  }
  Json GetClaim(const std::string& name) { return *client().Get(kClaims, "default", name); }
  StatusOr<Json> GetVolume(const std::string& name) { return client().Get(kVolumes, "", name); }
  // The events of `reason` once at least `n` were written (the recorder writes on its own
  // thread).
  std::vector<std::string> Events(const std::string& reason, size_t n = 1) {
    std::vector<std::string> out;
    Eventually([&] {
      out.clear();
      Json list = *client().List(kEvents, "default");
      for (const Json& e : list["items"]) {
        if (GetString(e, {"reason"}) == reason) out.push_back(GetString(e, {"message"}));
      }
      return out.size() >= n;
    });
    return out;
  }

  FakeClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::string tmp_, dir_;
  std::unique_ptr<SharedInformerFactory> informers_;
  std::unique_ptr<PersistentVolumeController> controller_;
};

TEST_F(PersistentVolumeTest, DefaultStorageClassIsCreatedOnceAndKept) {
  ASSERT_TRUE(EnsureDefaultStorageClass(client()).ok());
  auto sc = client().Get(kClasses, "", "standard");
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(
      GetString(*sc, {"metadata", "annotations", "storageclass.kubernetes.io/is-default-class"}),
      "true");
  EXPECT_EQ(GetString(*sc, {"provisioner"}), "minik.io/hostpath");
  EXPECT_EQ(GetString(*sc, {"reclaimPolicy"}), "Delete");
  EXPECT_EQ(GetString(*sc, {"volumeBindingMode"}), "Immediate");
  // A user's edit survives the next bootstrap.
  Json edited = *sc;
  edited["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] = "false";
  ASSERT_TRUE(client().Update(kClasses, "", edited).ok());
  ASSERT_TRUE(EnsureDefaultStorageClass(client()).ok());
  EXPECT_EQ(GetString(*client().Get(kClasses, "", "standard"),
                      {"metadata", "annotations", "storageclass.kubernetes.io/is-default-class"}),
            "false");
}

TEST_F(PersistentVolumeTest, ProvisionsBindsAndDeletesWithTheClaim) {
  ASSERT_TRUE(EnsureDefaultStorageClass(client()).ok());
  Start();
  Json claim = CreateClaim(Claim("data-web-0", "standard"));
  Settle();
  const std::string pv_name = "pvc-" + Uid(claim);
  auto pv = GetVolume(pv_name);
  ASSERT_TRUE(pv.ok()) << pv.status().message();
  const std::string path = dir_ + "/default-data-web-0-" + pv_name;
  EXPECT_EQ(GetString(*pv, {"spec", "hostPath", "path"}), path);
  EXPECT_EQ(GetString(*pv, {"spec", "hostPath", "type"}), "DirectoryOrCreate");
  EXPECT_EQ(GetString(*pv, {"spec", "capacity", "storage"}), "1Mi");
  EXPECT_EQ((*pv)["spec"]["accessModes"], Json::array({"ReadWriteOnce"}));
  EXPECT_EQ(GetString(*pv, {"spec", "persistentVolumeReclaimPolicy"}), "Delete");
  EXPECT_EQ(GetString(*pv, {"spec", "storageClassName"}), "standard");
  EXPECT_EQ(GetString(*pv, {"spec", "claimRef", "uid"}), Uid(claim));
  EXPECT_EQ(GetString(*pv, {"metadata", "annotations", "pv.kubernetes.io/provisioned-by"}),
            "minik.io/hostpath");
  EXPECT_EQ(GetString(*pv, {"status", "phase"}), "Bound");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0777u);

  Json c = GetClaim("data-web-0");
  EXPECT_EQ(GetString(c, {"spec", "volumeName"}), pv_name);
  EXPECT_EQ(GetString(c, {"status", "phase"}), "Bound");
  EXPECT_EQ(GetString(c, {"status", "capacity", "storage"}), "1Mi");
  EXPECT_EQ(c["status"]["accessModes"], Json::array({"ReadWriteOnce"}));
  EXPECT_EQ(GetString(c, {"metadata", "annotations", "pv.kubernetes.io/bind-completed"}), "yes");
  EXPECT_EQ(GetString(c, {"metadata", "annotations", "pv.kubernetes.io/bound-by-controller"}),
            "yes");
  EXPECT_EQ(GetString(c, {"metadata", "annotations", "volume.kubernetes.io/storage-provisioner"}),
            "minik.io/hostpath");
  EXPECT_EQ(Events("ProvisioningSucceeded"),
            std::vector<std::string>{"Successfully provisioned volume " + pv_name});

  // Data written, then the claim goes: Delete policy removes the directory and the volume.
  std::ofstream(path + "/file") << "data";
  ASSERT_TRUE(client().Delete(kClaims, "default", "data-web-0").ok());
  Settle();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(GetVolume(pv_name).status().code(), Code::kNotFound);
  EXPECT_TRUE(fs::exists(dir_));
}

TEST_F(PersistentVolumeTest, RetainKeepsVolumeAndDataAsReleased) {
  CreateClass("keep", "Retain");
  Start();
  Json claim = CreateClaim(Claim("c", "keep"));
  Settle();
  const std::string pv_name = "pvc-" + Uid(claim);
  const std::string path = dir_ + "/default-c-" + pv_name;
  ASSERT_TRUE(fs::is_directory(path));
  ASSERT_TRUE(client().Delete(kClaims, "default", "c").ok());
  Settle();
  auto pv = GetVolume(pv_name);
  ASSERT_TRUE(pv.ok());
  EXPECT_EQ(GetString(*pv, {"status", "phase"}), "Released");
  EXPECT_TRUE(fs::is_directory(path));

  // A new claim of the same name does not get the released volume.
  Json again = CreateClaim(Claim("c", "keep"));
  Settle();
  EXPECT_EQ(GetString(GetClaim("c"), {"spec", "volumeName"}), "pvc-" + Uid(again));
  EXPECT_EQ(GetString(*GetVolume(pv_name), {"status", "phase"}), "Released");
}

TEST_F(PersistentVolumeTest, StaticVolumesBindSmallestFitOfClassModesAndSelector) {
  Start();
  ASSERT_TRUE(client().Create(kVolumes, "", StaticVolume("big", "5Gi")).ok());
  ASSERT_TRUE(client().Create(kVolumes, "", StaticVolume("small", "500Mi")).ok());
  ASSERT_TRUE(client().Create(kVolumes, "", StaticVolume("fit", "1Gi")).ok());
  ASSERT_TRUE(client().Create(kVolumes, "", StaticVolume("classy", "900Mi", "gold")).ok());
  Json rox = StaticVolume("rox", "800Mi");
  rox["spec"]["accessModes"] = Json::array({"ReadOnlyMany"});
  ASSERT_TRUE(client().Create(kVolumes, "", rox).ok());
  Json labelled = StaticVolume("labelled", "20Gi");
  labelled["metadata"]["labels"] = {{"tier", "db"}};
  ASSERT_TRUE(client().Create(kVolumes, "", labelled).ok());
  Settle();
  EXPECT_EQ(GetString(*GetVolume("fit"), {"status", "phase"}), "Available");

  CreateClaim(Claim("plain", "", "800Mi"));
  Settle();
  Json c = GetClaim("plain");
  EXPECT_EQ(GetString(c, {"spec", "volumeName"}), "fit");  // not big, not the others
  EXPECT_EQ(GetString(c, {"status", "capacity", "storage"}), "1Gi");
  EXPECT_EQ(GetString(*GetVolume("fit"), {"status", "phase"}), "Bound");
  EXPECT_EQ(GetString(*GetVolume("fit"),
                      {"metadata", "annotations", "pv.kubernetes.io/bound-by-controller"}),
            "yes");

  Json sel = Claim("picky", "");
  sel["spec"]["selector"] = {{"matchLabels", {{"tier", "db"}}}};
  CreateClaim(sel);
  CreateClaim(Claim("gold", "gold", "800Mi"));
  CreateClaim(Claim("none", "", "100Gi"));
  Settle();
  EXPECT_EQ(GetString(GetClaim("picky"), {"spec", "volumeName"}), "labelled");
  EXPECT_EQ(GetString(GetClaim("gold"), {"spec", "volumeName"}), "classy");
  EXPECT_EQ(GetString(GetClaim("none"), {"status", "phase"}), "Pending");
  auto failed = Events("FailedBinding");
  EXPECT_NE(std::find(failed.begin(), failed.end(),
                      "no persistent volumes available for this claim and no storage class is set"),
            failed.end());

  // Retain: deleting the claim releases the volume and keeps it.
  ASSERT_TRUE(client().Delete(kClaims, "default", "plain").ok());
  Settle();
  EXPECT_EQ(GetString(*GetVolume("fit"), {"status", "phase"}), "Released");
}

TEST_F(PersistentVolumeTest, PreBoundClaimsAndVolumes) {
  Start();
  Json claim = Claim("mine", "");
  claim["spec"]["volumeName"] = "reserved";
  CreateClaim(claim);
  Settle();
  EXPECT_EQ(GetString(GetClaim("mine"), {"status", "phase"}), "Pending");  // no such volume yet
  ASSERT_TRUE(client().Create(kVolumes, "", StaticVolume("reserved", "10Mi")).ok());
  Settle();
  EXPECT_EQ(GetString(GetClaim("mine"), {"status", "phase"}), "Bound");
  EXPECT_FALSE(GetString(*GetVolume("reserved"),
                         {"metadata", "annotations", "pv.kubernetes.io/bound-by-controller"})
                   .empty());

  // A volume pre-bound (claimRef without uid) to a claim goes to that claim only.
  Json pv = StaticVolume("for-other", "1Gi");
  pv["spec"]["claimRef"] = {{"namespace", "default"}, {"name", "other"}};
  ASSERT_TRUE(client().Create(kVolumes, "", pv).ok());
  CreateClaim(Claim("someone", ""));
  Settle();
  EXPECT_EQ(GetString(GetClaim("someone"), {"status", "phase"}), "Pending");
  CreateClaim(Claim("other", ""));
  Settle();
  EXPECT_EQ(GetString(GetClaim("other"), {"spec", "volumeName"}), "for-other");

  // Too small a requested volume: VolumeMismatch.
  ASSERT_TRUE(client().Create(kVolumes, "", StaticVolume("tiny", "1Ki")).ok());
  Json big = Claim("big", "", "1Gi");
  big["spec"]["volumeName"] = "tiny";
  CreateClaim(big);
  Settle();
  EXPECT_EQ(Events("VolumeMismatch"),
            std::vector<std::string>{
                "Cannot bind to requested volume \"tiny\": requested PV is too small"});
}

TEST_F(PersistentVolumeTest, ClaimsWithoutClassGetTheDefaultRetroactively) {
  Start();
  CreateClaim(Claim("late", nullptr));
  Settle();
  EXPECT_EQ(GetString(GetClaim("late"), {"status", "phase"}), "Pending");
  ASSERT_TRUE(EnsureDefaultStorageClass(client()).ok());
  Settle();
  Json c = GetClaim("late");
  EXPECT_EQ(GetString(c, {"spec", "storageClassName"}), "standard");
  EXPECT_EQ(GetString(c, {"status", "phase"}), "Bound");
}

TEST_F(PersistentVolumeTest, WaitForFirstConsumerWaitsForTheSelectedNode) {
  CreateClass("late-bind", "Delete", "WaitForFirstConsumer");
  Start();
  Json claim = CreateClaim(Claim("w", "late-bind"));
  Settle();
  EXPECT_EQ(GetString(GetClaim("w"), {"status", "phase"}), "Pending");
  EXPECT_FALSE(GetVolume("pvc-" + Uid(claim)).ok());
  EXPECT_FALSE(Events("WaitForFirstConsumer").empty());
  Json c = GetClaim("w");
  c["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] = "node-1";
  ASSERT_TRUE(client().Update(kClaims, "default", c).ok());
  Settle();
  EXPECT_EQ(GetString(GetClaim("w"), {"status", "phase"}), "Bound");
  EXPECT_TRUE(GetVolume("pvc-" + Uid(claim)).ok());
}

TEST_F(PersistentVolumeTest, UnknownAndForeignClassesAndUnsupportedRequests) {
  CreateClass("elsewhere", "Delete", "Immediate", "example.com/other");
  Start();
  CreateClaim(Claim("nope", "missing"));
  CreateClaim(Claim("ext", "elsewhere"));
  Settle();
  EXPECT_EQ(Events("ProvisioningFailed"),
            std::vector<std::string>{"storageclass.storage.k8s.io \"missing\" not found"});
  EXPECT_EQ(GetString(GetClaim("ext"),
                      {"metadata", "annotations", "volume.kubernetes.io/storage-provisioner"}),
            "example.com/other");
  EXPECT_EQ(Events("ExternalProvisioning").size(), 1u);
  EXPECT_EQ(GetString(GetClaim("ext"), {"status", "phase"}), "Pending");

  // The class appears later: the waiting claim is provisioned.
  CreateClass("missing", "Delete");
  Settle();
  EXPECT_EQ(GetString(GetClaim("nope"), {"status", "phase"}), "Bound");

  // Selectors and block volumes are not provisioned.
  Json sel = Claim("sel", "missing");
  sel["spec"]["selector"] = {{"matchLabels", {{"a", "b"}}}};
  CreateClaim(sel);
  Json block = Claim("block", "missing");
  block["spec"]["volumeMode"] = "Block";
  CreateClaim(block);
  Settle();
  EXPECT_EQ(GetString(GetClaim("sel"), {"status", "phase"}), "Pending");
  EXPECT_EQ(GetString(GetClaim("block"), {"status", "phase"}), "Pending");
  EXPECT_EQ(Events("ProvisioningFailed", 3).size(), 3u);
}

TEST_F(PersistentVolumeTest, RecycleAndUnsafeDeletesFail) {
  Start();
  // Recycle is not supported.
  Json rec = StaticVolume("rec", "1Gi", "", "Recycle");
  rec["spec"]["claimRef"] = {{"namespace", "default"}, {"name", "gone"}, {"uid", "u-1"}};
  ASSERT_TRUE(client().Create(kVolumes, "", rec).ok());
  // "Ours", but its path is outside the volumes directory: never deleted.
  fs::create_directories(tmp_ + "/outside");
  std::ofstream(tmp_ + "/outside/keep") << "x";
  Json evil = StaticVolume("evil", "1Gi", "", "Delete", dir_ + "/../outside");
  evil["metadata"]["annotations"] = {{"pv.kubernetes.io/provisioned-by", "minik.io/hostpath"}};
  evil["spec"]["claimRef"] = {{"namespace", "default"}, {"name", "gone"}, {"uid", "u-2"}};
  ASSERT_TRUE(client().Create(kVolumes, "", evil).ok());
  // A symlink in the volumes directory pointing outside: the link goes, the target stays.
  fs::create_directories(dir_);
  fs::create_directory_symlink(tmp_ + "/outside", dir_ + "/link");
  Json link = StaticVolume("link", "1Gi", "", "Delete", dir_ + "/link");
  link["metadata"]["annotations"] = {{"pv.kubernetes.io/provisioned-by", "minik.io/hostpath"}};
  link["spec"]["claimRef"] = {{"namespace", "default"}, {"name", "gone"}, {"uid", "u-3"}};
  ASSERT_TRUE(client().Create(kVolumes, "", link).ok());
  // A static Delete volume nobody provisioned.
  Json stat = StaticVolume("static", "1Gi", "", "Delete");
  stat["spec"]["claimRef"] = {{"namespace", "default"}, {"name", "gone"}, {"uid", "u-4"}};
  ASSERT_TRUE(client().Create(kVolumes, "", stat).ok());
  Settle();

  auto r = GetVolume("rec");
  EXPECT_EQ(GetString(*r, {"status", "phase"}), "Failed");
  EXPECT_EQ(GetString(*r, {"status", "message"}), "No recycler plugin found for the volume!");
  EXPECT_EQ(GetString(*GetVolume("evil"), {"status", "phase"}), "Failed");
  EXPECT_NE(GetString(*GetVolume("evil"), {"status", "message"}).find("refusing to delete"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(tmp_ + "/outside/keep"));
  EXPECT_FALSE(GetVolume("link").ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir_ + "/link")));
  EXPECT_TRUE(fs::exists(tmp_ + "/outside/keep"));
  EXPECT_EQ(GetString(*GetVolume("static"), {"status", "phase"}), "Failed");
  // Events are about cluster-scoped volumes: they land in "default".
  EXPECT_EQ(Events("VolumeFailedRecycle"),
            std::vector<std::string>{"No recycler plugin found for the volume!"});
}

TEST_F(PersistentVolumeTest, BoundClaimWhoseVolumeVanishedIsLost) {
  ASSERT_TRUE(EnsureDefaultStorageClass(client()).ok());
  Start();
  CreateClaim(Claim("c", "standard"));
  Settle();
  std::string pv = GetString(GetClaim("c"), {"spec", "volumeName"});
  ASSERT_FALSE(pv.empty());
  ASSERT_TRUE(client().Delete(kVolumes, "", pv).ok());
  Settle();
  EXPECT_EQ(GetString(GetClaim("c"), {"status", "phase"}), "Lost");
  EXPECT_EQ(Events("ClaimLost"),
            std::vector<std::string>{
                "Bound claim has lost its PersistentVolume. Data on the volume is lost!"});
}

TEST_F(PersistentVolumeTest, UnknownKeysAreNotErrors) {
  Start();
  EXPECT_TRUE(Sync("default/none").ok());
  EXPECT_TRUE(Sync("none").ok());
}

}  // namespace
}  // namespace minik
