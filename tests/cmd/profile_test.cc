#include "cmd/profile.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "cmd/fileutil.h"

namespace minik {
namespace {

class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-prof-XXXXXX";
    home_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(home_); }
  void Save(const ProfileConfig& c) {
    auto p = PathsFor(home_, c.name);
    ASSERT_TRUE(MakeDirs(p.dir).ok());
    ASSERT_TRUE(SaveProfileConfig(p, c).ok());
  }
  std::string home_;
};

TEST_F(ProfileTest, Paths) {
  auto p = PathsFor("/h", "dev");
  EXPECT_EQ(p.dir, "/h/profiles/dev");
  EXPECT_EQ(p.config, "/h/profiles/dev/config.json");
  EXPECT_EQ(p.pid, "/h/profiles/dev/server.pid");
  EXPECT_EQ(p.log, "/h/profiles/dev/server.log");
  EXPECT_EQ(p.lock, "/h/profiles/dev/lock");
  EXPECT_EQ(p.pki, "/h/profiles/dev/pki");
  EXPECT_EQ(p.store, "/h/profiles/dev/store");
}

TEST_F(ProfileTest, MinikHome) {
  std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  setenv("MINIK_HOME", "/custom/place/", 1);
  EXPECT_EQ(MinikHome(), "/custom/place");
  unsetenv("MINIK_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(MinikHome(), "/home/u/.minik");
  setenv("HOME", saved_home.c_str(), 1);
}

TEST_F(ProfileTest, FirstProfileGetsDefaults) {
  auto c = NewProfileConfig(home_, "minik");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->api_port, 8443);
  EXPECT_EQ(c->pod_cidr_index, 0);
  EXPECT_EQ(PodCidr(*c), "10.244.0.0/16");
  EXPECT_EQ(BridgeName(*c), "minik0");
  EXPECT_EQ(BridgeIp(*c), "10.244.0.1");
}

TEST_F(ProfileTest, LaterProfilesTakeTheNextFreeValues) {
  Save({.name = "a",
        .api_port = 8443,
        .pod_cidr_index = 0,
        .ephemeral = false,
        .simulated_nodes = 0});
  Save({.name = "b",
        .api_port = 8445,
        .pod_cidr_index = 2,
        .ephemeral = false,
        .simulated_nodes = 0});
  auto c = NewProfileConfig(home_, "c");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->api_port, 8444);
  EXPECT_EQ(c->pod_cidr_index, 1);
  EXPECT_EQ(PodCidr(*c), "10.245.0.0/16");
  // A profile's own old config does not block itself.
  auto a = NewProfileConfig(home_, "a");
  EXPECT_EQ(a->api_port, 8443);
}

TEST_F(ProfileTest, TooManyProfiles) {
  for (int i = 0; i <= kMaxPodCidrIndex; ++i) {
    Save({.name = "p" + std::to_string(i),
          .api_port = 9000 + i,
          .pod_cidr_index = i,
          .ephemeral = false,
          .simulated_nodes = 0});
  }
  auto c = NewProfileConfig(home_, "one-more");
  EXPECT_EQ(c.status().code(), Code::kServiceUnavailable);
}

TEST_F(ProfileTest, ConfigRoundTrip) {
  ProfileConfig c{
      .name = "x", .api_port = 8500, .pod_cidr_index = 3, .ephemeral = true, .simulated_nodes = 5};
  Save(c);
  auto back = LoadProfileConfig(PathsFor(home_, "x"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->name, "x");
  EXPECT_EQ(back->api_port, 8500);
  EXPECT_EQ(back->pod_cidr_index, 3);
  EXPECT_TRUE(back->ephemeral);
  EXPECT_EQ(back->simulated_nodes, 5);
}

TEST_F(ProfileTest, BadConfigs) {
  auto p = PathsFor(home_, "x");
  EXPECT_EQ(LoadProfileConfig(p).status().code(), Code::kNotFound);
  ASSERT_TRUE(MakeDirs(p.dir).ok());
  for (const char* text : {"", "{", "[]", "{\"name\":\"x\"}",
                           "{\"name\":\"x\",\"apiPort\":\"8443\",\"podCidrIndex\":0}",
                           "{\"name\":\"x\",\"apiPort\":70000,\"podCidrIndex\":0}",
                           "{\"name\":\"x\",\"apiPort\":8443,\"podCidrIndex\":99}"}) {
    ASSERT_TRUE(WriteFileAtomic(p.config, text, 0644).ok());
    EXPECT_EQ(LoadProfileConfig(p).status().code(), Code::kBadRequest) << text;
  }
  // A broken profile claims nothing when choosing values for a new one.
  EXPECT_EQ(NewProfileConfig(home_, "y")->api_port, 8443);
}

TEST_F(ProfileTest, ListProfiles) {
  EXPECT_TRUE(ListProfiles(home_).empty());
  ASSERT_TRUE(MakeDirs(home_ + "/profiles/b").ok());
  ASSERT_TRUE(MakeDirs(home_ + "/profiles/a").ok());
  ASSERT_TRUE(MakeDirs(home_ + "/profiles/Not_Valid").ok());
  ASSERT_TRUE(WriteFileAtomic(home_ + "/profiles/file", "", 0644).ok());
  EXPECT_EQ(ListProfiles(home_), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ProfileTest, FileLockExcludes) {
  std::string path = home_ + "/lock";
  auto a = FileLock::Acquire(path, false);
  ASSERT_TRUE(a.ok());
  auto b = FileLock::Acquire(path, false);
  EXPECT_EQ(b.status().code(), Code::kConflict);
  *a = FileLock();  // release
  auto c = FileLock::Acquire(path, false);
  EXPECT_TRUE(c.ok());
}

TEST_F(ProfileTest, NetworkClaimsKeepHomesApart) {
  std::string claims = home_ + "/run/networks";
  std::string a = home_ + "/a/profiles/minik", b = home_ + "/b/profiles/minik";
  ASSERT_TRUE(MakeDirs(a).ok());
  ASSERT_TRUE(MakeDirs(b).ok());
  EXPECT_EQ(*ClaimNetworkIndex(claims, 0, a, {}), 0);
  EXPECT_EQ(*ClaimNetworkIndex(claims, 0, a, {}), 0);  // our own claim again
  EXPECT_EQ(NetworkIndexOwner(claims, 0), a);
  // Home b's profile wants 0 too: it gets the first index free in its home and on the host.
  EXPECT_EQ(*ClaimNetworkIndex(claims, 0, b, {1}), 2);
  EXPECT_EQ(NetworkIndexOwner(claims, 2), b);
  // a's config naming another index makes its claim on 0 stale.
  ASSERT_TRUE(WriteFileAtomic(a + "/config.json",
                              R"({"name":"minik","apiPort":8443,"podCidrIndex":5})", 0644)
                  .ok());
  EXPECT_EQ(NetworkIndexOwner(claims, 0), "");
  // A removed profile's claim is stale too.
  ASSERT_TRUE(RemoveAll(home_ + "/b").ok());
  EXPECT_EQ(NetworkIndexOwner(claims, 2), "");
  ReleaseNetworkIndex(claims, 2, a);  // not a's: left alone
  EXPECT_TRUE(PathExists(claims + "/2"));
  ReleaseNetworkIndex(claims, 2, b);
  ReleaseNetworkIndex(claims, 0, a);
  // The last claim gone, the claims directory goes too.
  EXPECT_FALSE(PathExists(claims));
  EXPECT_FALSE(PathExists(home_ + "/run"));
}

}  // namespace
}  // namespace minik
