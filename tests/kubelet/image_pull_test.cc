#include <dirent.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "kubelet/images/fsutil.h"
#include "kubelet/images/http_client.h"
#include "kubelet/images/images.h"
#include "tests/kubelet/image_fake_registry.h"
#include "tests/kubelet/image_test_util.h"

namespace minik {
namespace {

using testing::FakeRegistry;
using testing::MakeImage;
using testing::MakeTar;
using testing::TestImage;

constexpr const char* kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kDockerListType = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr const char* kDockerManifestType = "application/vnd.docker.distribution.manifest.v2+json";

std::string Slurp(const std::string& path) {
  auto s = imagefs::ReadFile(path);
  return s.ok() ? *s : "";
}

std::string Layer1() { return MakeTar({{"bin/", 'd', "", 0755}, {"bin/app", 'f', "app-v1", 0755}}); }
std::string Layer2() { return MakeTar({{"etc/conf", 'f', "conf"}, {"bin/.wh.old", 'f', ""}}); }

// Publishes `img` under repo:tag; returns the manifest digest.
std::string Publish(FakeRegistry& reg, const std::string& repo, const std::string& tag, const TestImage& img,
                    const std::string& manifest_type = kOciManifestType) {
  reg.AddBlob(img.config);
  Json layers = Json::array();
  for (const auto& l : img.layers) {
    reg.AddBlob(l);
    layers.push_back({{"mediaType", manifest_type == kOciManifestType
                                        ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                        : "application/vnd.docker.image.rootfs.diff.tar.gzip"},
                      {"digest", Sha256Digest(l)},
                      {"size", l.size()}});
  }
  Json m = {{"schemaVersion", 2},
            {"mediaType", manifest_type},
            {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                        {"digest", img.id},
                        {"size", img.config.size()}}},
            {"layers", layers}};
  return reg.AddManifest(repo, tag, m.dump(), manifest_type);
}

class ImagePullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("pull");
    root_ = dir_ + "/images";
    auto s = OpenImageStore(root_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    img_ = MakeImage({Layer1(), Layer2()}, "p", "amd64", "gzip");
  }
  void TearDown() override { imagefs::RemoveTree(dir_); }

  std::string Fingerprint() {
    std::string out = Slurp(root_ + "/images.json") + "|";
    for (const auto& sub : {"/layers", "/blobs/sha256", "/tmp"}) {
      if (DIR* d = opendir((root_ + sub).c_str())) {
        std::vector<std::string> names;
        while (dirent* e = readdir(d)) names.push_back(e->d_name);
        closedir(d);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) out += n + ",";
      }
      out += "|";
    }
    return out;
  }

  std::string dir_, root_;
  std::unique_ptr<ImageStore> store_;
  TestImage img_;
};

TEST_F(ImagePullTest, PullsByTagAndDigest) {
  FakeRegistry reg;
  std::string digest = Publish(reg, "team/app", "1.0", img_);
  std::string ref = reg.host() + "/team/app:1.0";
  auto pulled = store_->Pull(ref);
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_EQ(pulled->id, img_.id);
  EXPECT_EQ(pulled->repo_tags, std::vector<std::string>{ref});
  EXPECT_EQ(pulled->repo_digests, std::vector<std::string>{reg.host() + "/team/app@" + digest});
  ASSERT_EQ(pulled->layer_dirs.size(), 2u);
  EXPECT_EQ(Slurp(pulled->layer_dirs[0] + "/bin/app"), "app-v1");
  EXPECT_EQ(pulled->config["Cmd"], Json::array({"sh"}));
  EXPECT_TRUE(store_->Resolve(ref).ok());
  EXPECT_TRUE(store_->Resolve(reg.host() + "/team/app@" + digest).ok());
  // The request carried the Accept list the registry needs for OCI manifests.
  auto reqs = reg.Requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_NE(reqs[0].headers["accept"].find("application/vnd.oci.image.manifest.v1+json"), std::string::npos);
  EXPECT_NE(reqs[0].headers["accept"].find(kDockerListType), std::string::npos);

  // Again, by digest: the layers are present, so no layer blob is fetched.
  int before = reg.Count("/blobs/");
  auto again = store_->Pull(reg.host() + "/team/app@" + digest);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(reg.Count("/blobs/") - before, 1);  // only the config
  EXPECT_EQ(store_->List().size(), 1u);
}

TEST_F(ImagePullTest, PicksLinuxAmd64FromAnIndex) {
  FakeRegistry reg;
  TestImage arm = MakeImage({Layer1()}, "arm", "arm64", "gzip");
  std::string amd_digest = Publish(reg, "multi", "", img_, kDockerManifestType);
  std::string arm_digest = Publish(reg, "multi", "", arm, kDockerManifestType);
  Json index = {{"schemaVersion", 2},
                {"mediaType", kDockerListType},
                {"manifests",
                 {{{"mediaType", kDockerManifestType},
                   {"digest", arm_digest},
                   {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}},
                  {{"mediaType", kDockerManifestType},
                   {"digest", amd_digest},
                   {"size", 1},
                   {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
  std::string index_digest = reg.AddManifest("multi", "latest", index.dump(), kDockerListType);
  auto pulled = store_->Pull(reg.host() + "/multi");
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_EQ(pulled->id, img_.id);
  EXPECT_EQ(pulled->repo_tags, std::vector<std::string>{reg.host() + "/multi:latest"});
  EXPECT_EQ(pulled->repo_digests, std::vector<std::string>{reg.host() + "/multi@" + index_digest});

  // An index without linux/amd64 names what it has.
  Json arm_only = {{"schemaVersion", 2},
                   {"mediaType", kDockerListType},
                   {"manifests",
                    {{{"mediaType", kDockerManifestType},
                      {"digest", arm_digest},
                      {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}}}}};
  reg.AddManifest("armonly", "1", arm_only.dump(), kDockerListType);
  auto bad = store_->Pull(reg.host() + "/armonly:1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("linux/arm64"), std::string::npos) << bad.status().message();
  // A manifest whose config is for another platform.
  Publish(reg, "armdirect", "1", arm);
  auto bad2 = store_->Pull(reg.host() + "/armdirect:1");
  ASSERT_FALSE(bad2.ok());
  EXPECT_NE(bad2.status().message().find("arm64"), std::string::npos) << bad2.status().message();
}

TEST_F(ImagePullTest, ErrorsLeaveTheStoreUnchanged) {
  FakeRegistry reg;
  std::string digest = Publish(reg, "app", "1", img_);
  const std::string before = Fingerprint();

  auto missing = store_->Pull(reg.host() + "/app:2");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("manifest unknown"), std::string::npos) << missing.status().message();

  // Asking by a digest the registry answers with other bytes for.
  std::string other = "sha256:" + std::string(64, 'b');
  reg.AddManifest("app", other, Json{{"schemaVersion", 2}}.dump(), kOciManifestType);
  auto wrong = store_->Pull(reg.host() + "/app@" + other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("digest mismatch"), std::string::npos) << wrong.status().message();

  reg.lie_digest = "sha256:" + std::string(64, 'c');
  auto lie = store_->Pull(reg.host() + "/app:1");
  ASSERT_FALSE(lie.ok());
  EXPECT_NE(lie.status().message().find("Docker-Content-Digest"), std::string::npos) << lie.status().message();
  reg.lie_digest.clear();

  reg.corrupt_blob = Sha256Digest(img_.layers[1]);
  auto corrupt = store_->Pull(reg.host() + "/app:1");
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), Code::kInvalid) << corrupt.status().message();
  reg.corrupt_blob = img_.id;
  auto bad_config = store_->Pull(reg.host() + "/app:1");
  ASSERT_FALSE(bad_config.ok());
  EXPECT_NE(bad_config.status().message().find("digest mismatch"), std::string::npos);
  reg.corrupt_blob.clear();

  // A blob body cut short (the server closes before Content-Length bytes).
  FakeRegistry cut([&](const testing::FakeRequest& r) {
    testing::FakeResponse resp = reg.Default(r);
    if (r.target.find("/blobs/" + Sha256Digest(img_.layers[0])) != std::string::npos) resp.truncate = true;
    return resp;
  });
  Publish(cut, "app", "1", img_);
  auto truncated = store_->Pull(cut.host() + "/app:1");
  ASSERT_FALSE(truncated.ok());

  // Nobody listening.
  int port;
  {
    FakeRegistry gone;
    port = gone.port();
  }
  auto unreachable = store_->Pull("127.0.0.1:" + std::to_string(port) + "/app:1");
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().code(), Code::kServiceUnavailable);
  EXPECT_NE(unreachable.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << unreachable.status().message();

  EXPECT_EQ(store_->Pull("Bad/Ref:").status().code(), Code::kInvalid);
  EXPECT_EQ(Fingerprint(), before);
  EXPECT_TRUE(store_->Pull(reg.host() + "/app@" + digest).ok());
}

TEST_F(ImagePullTest, BearerTokenRedirectsAndChunkedBlobs) {
  FakeRegistry cdn;  // blobs live on another host: no Authorization must reach it
  FakeRegistry reg;
  reg.require_token = true;
  reg.redirect_host = cdn.host();
  cdn.chunked_blobs = true;
  Publish(reg, "x", "1", img_);
  Publish(cdn, "x", "1", img_);
  auto pulled = store_->Pull(reg.host() + "/x:1");
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_EQ(reg.Count("/token?"), 1);
  bool saw_scope = false;
  for (const auto& r : reg.Requests()) {
    if (r.target.rfind("/token?", 0) == 0) {
      EXPECT_NE(r.target.find("service=fake"), std::string::npos) << r.target;
      saw_scope = r.target.find("scope=repository%3Ax%3Apull") != std::string::npos;
    } else if (r.target.rfind("/v2/", 0) == 0 && r.headers.count("authorization")) {
      EXPECT_EQ(r.headers.at("authorization"), "Bearer tok123");
    }
  }
  EXPECT_TRUE(saw_scope);
  EXPECT_EQ(cdn.Count("/cdn/"), 3);  // config + 2 layers
  for (const auto& r : cdn.Requests()) EXPECT_EQ(r.headers.count("authorization"), 0u) << r.target;
  EXPECT_EQ(Slurp(pulled->layer_dirs[1] + "/etc/conf"), "conf");

  // Same-host redirect.
  FakeRegistry self;
  self.redirect_blobs = true;
  self.chunked_blobs = true;
  Publish(self, "y", "1", MakeImage({Layer2()}, "self", "amd64", "gzip"));
  EXPECT_TRUE(store_->Pull(self.host() + "/y:1").ok());
}

TEST_F(ImagePullTest, ConcurrentPullsShareOneDownload) {
  FakeRegistry reg;
  Publish(reg, "shared", "1", img_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&] { ok += store_->Pull(reg.host() + "/shared:1").ok(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  for (const auto& l : img_.layers) EXPECT_EQ(reg.Count("/blobs/" + Sha256Digest(l)), 1);
}

TEST_F(ImagePullTest, BlobLargerThanItsDescriptorIsRefused) {
  FakeRegistry reg;
  reg.AddBlob(img_.config);
  Json layers = Json::array();
  for (const auto& l : img_.layers) {
    reg.AddBlob(l);
    layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                      {"digest", Sha256Digest(l)},
                      {"size", 10}});
  }
  Json m = {{"schemaVersion", 2},
            {"mediaType", kOciManifestType},
            {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", img_.id}}},
            {"layers", layers}};
  reg.AddManifest("big", "1", m.dump(), kOciManifestType);
  auto pulled = store_->Pull(reg.host() + "/big:1");
  ASSERT_FALSE(pulled.ok());
  EXPECT_NE(pulled.status().message().find("larger than its descriptor"), std::string::npos)
      << pulled.status().message();
}

TEST_F(ImagePullTest, BasicAuthIsRefusedClearly) {
  FakeRegistry reg([](const testing::FakeRequest&) {
    testing::FakeResponse r;
    r.status = 401;
    r.headers.push_back({"WWW-Authenticate", "Basic realm=\"registry\""});
    return r;
  });
  auto pulled = store_->Pull(reg.host() + "/x:1");
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.status().code(), Code::kUnauthorized);
  EXPECT_NE(pulled.status().message().find("basic"), std::string::npos) << pulled.status().message();
}

TEST(HttpUrlTest, ParsesAndResolves) {
  auto u = HttpUrl::Parse("http://127.0.0.1:5000/v2/x/manifests/1?a=b#frag");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "5000");
  EXPECT_EQ(u->target, "/v2/x/manifests/1?a=b");
  auto v6 = HttpUrl::Parse("https://[::1]/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "443");
  EXPECT_EQ(v6->Authority(), "[::1]:443");
  EXPECT_EQ(u->Resolve("/cdn/a")->String(), "http://127.0.0.1:5000/cdn/a");
  EXPECT_EQ(u->Resolve("b")->String(), "http://127.0.0.1:5000/v2/x/manifests/b");
  EXPECT_EQ(u->Resolve("https://other/z")->String(), "https://other:443/z");
  for (const char* bad : {"ftp://x/", "x/y", "http:///x", "http://a b/", "http://u@h/", "http://h:x/"})
    EXPECT_FALSE(HttpUrl::Parse(bad).ok()) << bad;
}

}  // namespace
}  // namespace minik
