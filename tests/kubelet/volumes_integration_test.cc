// VolumeManager over the real registry (in-memory store): ConfigMaps, Secrets and a bound
// hostPath PV as the API server stores them, updates picked up by a later Prepare.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/fake_clock.h"
#include "api/schema.h"
#include "apiserver/registry.h"
#include "kubelet/volumes.h"
#include "store/store.h"

namespace minik {
namespace {

namespace fs = std::filesystem;

const ResourceRef kConfigMaps{"", "v1", "configmaps"};
const ResourceRef kSecrets{"", "v1", "secrets"};
const ResourceRef kPvcs{"", "v1", "persistentvolumeclaims"};
const ResourceRef kPvs{"", "v1", "persistentvolumes"};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class VolumesIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    auto ns = client_->Create({"", "v1", "namespaces"}, "",
                              Json{{"apiVersion", "v1"},
                                   {"kind", "Namespace"},
                                   {"metadata", {{"name", "default"}}}});
    ASSERT_TRUE(ns.ok() || ns.status().code() == Code::kAlreadyExists) << ns.status().message();
    std::string tmpl = ::testing::TempDir() + "/volintXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = fs::canonical(tmpl).string();
    VolumeOptions o;
    o.pods_dir = root_ + "/pods";
    o.node_cpu_milli = 1000;
    o.node_memory_bytes = 1 << 30;
    o.clock = &clock_;
    manager_ = std::make_unique<VolumeManager>(*client_, o);
  }
  void TearDown() override {
    Status st = manager_->Cleanup("pod-uid");
    EXPECT_TRUE(st.ok()) << st.message();
    // Whatever a failed test left mounted.
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    std::vector<std::string> mps;
    while (std::getline(in, line)) {
      std::istringstream ss(line);
      std::string a, b, c, d, mp;
      ss >> a >> b >> c >> d >> mp;
      if (mp.rfind(root_, 0) == 0) mps.push_back(mp);
    }
    for (const auto& mp : mps) ::umount2(mp.c_str(), MNT_DETACH);
    fs::remove_all(root_);
  }

  Json Pod(Json volumes) {
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "pod-uid"}}},
            {"spec",
             {{"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})},
              {"volumes", std::move(volumes)}}}};
  }

  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  FakeClock clock_;
  std::unique_ptr<Client> client_;
  std::string root_;
  std::unique_ptr<VolumeManager> manager_;
};

TEST_F(VolumesIntegrationTest, ConfigMapAndSecretFromTheRegistry) {
  Json pod = Pod(Json::array({{{"name", "config"}, {"configMap", {{"name", "app"}}}},
                              {{"name", "creds"}, {"secret", {{"secretName", "db"}}}}}));
  auto missing = manager_->Prepare(pod);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "MountVolume.SetUp failed for volume \"config\" : configmap \"app\" not found");

  Json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "app"}, {"namespace", "default"}}},
             {"data", {{"app.conf", "debug=true\n"}}},
             {"binaryData", {{"raw", "AP8="}}}};
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", cm).ok());
  auto no_secret = manager_->Prepare(pod);
  ASSERT_FALSE(no_secret.ok());
  EXPECT_EQ(no_secret.status().message(),
            "MountVolume.SetUp failed for volume \"creds\" : secret \"db\" not found");

  Json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "db"}, {"namespace", "default"}}},
                 {"type", "Opaque"},
                 {"data", {{"password", "aHVudGVyMg=="}}}};
  auto created = client_->Create(kSecrets, "default", secret);
  ASSERT_TRUE(created.ok()) << created.status().message();

  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::string cfg = r->at("config").host_path;
  EXPECT_EQ(ReadFile(cfg + "/app.conf"), "debug=true\n");
  EXPECT_EQ(ReadFile(cfg + "/raw"), std::string("\0\xff", 2));
  EXPECT_EQ(ReadFile(r->at("creds").host_path + "/password"), "hunter2");

  // An update of the ConfigMap shows up at the next Prepare, through a new ..data.
  std::string before = fs::read_symlink(cfg + "/..data");
  auto got = client_->Get(kConfigMaps, "default", "app");
  ASSERT_TRUE(got.ok());
  (*got)["data"]["app.conf"] = "debug=false\n";
  ASSERT_TRUE(client_->Update(kConfigMaps, "default", *got).ok());
  ASSERT_TRUE(manager_->Prepare(pod).ok());
  EXPECT_EQ(ReadFile(cfg + "/app.conf"), "debug=false\n");
  EXPECT_NE(fs::read_symlink(cfg + "/..data"), before);
}

TEST_F(VolumesIntegrationTest, BoundHostPathClaim) {
  Json pod = Pod(Json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "c"}}}}}));
  Json pvc = {{"apiVersion", "v1"},
              {"kind", "PersistentVolumeClaim"},
              {"metadata", {{"name", "c"}, {"namespace", "default"}}},
              {"spec",
               {{"accessModes", {"ReadWriteOnce"}},
                {"resources", {{"requests", {{"storage", "1Gi"}}}}},
                {"volumeName", "pv-c"}}}};
  auto made = client_->Create(kPvcs, "default", pvc);
  ASSERT_TRUE(made.ok()) << made.status().message();
  auto unbound = manager_->Prepare(pod);
  ASSERT_FALSE(unbound.ok());
  EXPECT_EQ(unbound.status().message(), "MountVolume.SetUp failed for volume \"data\" : error "
                                        "processing PVC default/c: PVC is not bound");

  std::string path = root_ + "/pv-c";
  Json pv = {{"apiVersion", "v1"},
             {"kind", "PersistentVolume"},
             {"metadata", {{"name", "pv-c"}}},
             {"spec",
              {{"capacity", {{"storage", "1Gi"}}},
               {"accessModes", {"ReadWriteOnce"}},
               {"hostPath", {{"path", path}, {"type", "DirectoryOrCreate"}}},
               {"claimRef",
                {{"kind", "PersistentVolumeClaim"},
                 {"namespace", "default"},
                 {"name", "c"},
                 {"uid", Uid(*made)}}}}}};
  auto pv_made = client_->Create(kPvs, "", pv);
  ASSERT_TRUE(pv_made.ok()) << pv_made.status().message();
  Json status = *made;
  status["status"]["phase"] = "Bound";
  auto bound = client_->Update(kPvcs, "default", status, {}, "status");
  ASSERT_TRUE(bound.ok()) << bound.status().message();

  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("data").host_path, path);
  EXPECT_TRUE(fs::is_directory(path));
}

}  // namespace
}  // namespace minik
