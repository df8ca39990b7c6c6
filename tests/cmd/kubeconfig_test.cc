#include "cmd/kubeconfig.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>

#include "cmd/fileutil.h"
#include "cmd/pki.h"

namespace minik {
namespace {

KubeconfigEntry Entry(const std::string& name, int port = 8443) {
  return {.name = name,
          .server = "https://127.0.0.1:" + std::to_string(port),
          .ca_pem = "CA-" + name,
          .client_cert_pem = "CERT-" + name,
          .client_key_pem = "KEY-" + name,
          .user_name = ""};
}

const char* kExisting = R"(apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- cluster:
    server: https://prod.example.com
    certificate-authority: /etc/prod-ca.crt
    proxy-url: http://proxy:3128
  name: prod
users:
- name: prod-admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
      env:
      - name: DEBUG
        value: "true"
      - name: LEVEL
        value: "3"
contexts:
- context:
    cluster: prod
    user: prod-admin
    namespace: "007"
  name: prod
current-context: prod
extensions:
- name: something
  extension: {a: 1}
)";

YAML::Node Load(const std::string& s) { return YAML::Load(s); }

YAML::Node FindIn(const YAML::Node& root, const char* list, const std::string& name) {
  for (const auto& item : root[list]) {
    if (item["name"].as<std::string>() == name) return item;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

TEST(KubeconfigText, UpsertIntoEmpty) {
  auto text = UpsertKubeconfigText("", Entry("minik"));
  ASSERT_TRUE(text.ok()) << text.status().message();
  YAML::Node r = Load(*text);
  EXPECT_EQ(r["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(r["kind"].as<std::string>(), "Config");
  EXPECT_EQ(r["current-context"].as<std::string>(), "minik");
  YAML::Node c = FindIn(r, "clusters", "minik");
  EXPECT_EQ(c["cluster"]["server"].as<std::string>(), "https://127.0.0.1:8443");
  EXPECT_EQ(c["cluster"]["certificate-authority-data"].as<std::string>(), Base64Encode("CA-minik"));
  YAML::Node u = FindIn(r, "users", "minik");
  EXPECT_EQ(u["user"]["client-certificate-data"].as<std::string>(), Base64Encode("CERT-minik"));
  EXPECT_EQ(u["user"]["client-key-data"].as<std::string>(), Base64Encode("KEY-minik"));
  YAML::Node x = FindIn(r, "contexts", "minik");
  EXPECT_EQ(x["context"]["cluster"].as<std::string>(), "minik");
  EXPECT_EQ(x["context"]["user"].as<std::string>(), "minik");
}

TEST(KubeconfigText, UpsertKeepsEverythingElse) {
  auto text = UpsertKubeconfigText(kExisting, Entry("minik"));
  ASSERT_TRUE(text.ok()) << text.status().message();
  YAML::Node r = Load(*text);
  EXPECT_EQ(r["current-context"].as<std::string>(), "minik");
  EXPECT_TRUE(r["preferences"]["colors"].as<bool>());
  EXPECT_EQ(r["extensions"][0]["name"].as<std::string>(), "something");
  YAML::Node prod = FindIn(r, "clusters", "prod");
  EXPECT_EQ(prod["cluster"]["server"].as<std::string>(), "https://prod.example.com");
  EXPECT_EQ(prod["cluster"]["proxy-url"].as<std::string>(), "http://proxy:3128");
  EXPECT_EQ(prod["cluster"]["certificate-authority"].as<std::string>(), "/etc/prod-ca.crt");
  YAML::Node user = FindIn(r, "users", "prod-admin");
  EXPECT_EQ(user["user"]["exec"]["command"].as<std::string>(), "aws");
  EXPECT_EQ(r["clusters"].size(), 2u);
  EXPECT_EQ(r["users"].size(), 2u);
  EXPECT_EQ(r["contexts"].size(), 2u);
}

TEST(KubeconfigText, QuotedStringsStayStrings) {
  auto text = UpsertKubeconfigText(kExisting, Entry("minik"));
  ASSERT_TRUE(text.ok());
  // Go's yaml (YAML 1.1) would read unquoted true / 3 / 007 as bool / int.
  EXPECT_NE(text->find("value: \"true\""), std::string::npos) << *text;
  EXPECT_NE(text->find("value: \"3\""), std::string::npos) << *text;
  EXPECT_NE(text->find("namespace: \"007\""), std::string::npos) << *text;
  // A profile whose name looks like a number is quoted too.
  auto numeric = UpsertKubeconfigText("", Entry("123"));
  ASSERT_TRUE(numeric.ok());
  EXPECT_NE(numeric->find("current-context: \"123\""), std::string::npos) << *numeric;
}

TEST(KubeconfigText, UpsertTwiceIsStable) {
  auto once = UpsertKubeconfigText(kExisting, Entry("minik"));
  ASSERT_TRUE(once.ok());
  auto twice = UpsertKubeconfigText(*once, Entry("minik"));
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*once, *twice);
}

TEST(KubeconfigText, UpsertReplacesInPlace) {
  auto a = UpsertKubeconfigText(kExisting, Entry("minik", 8443));
  auto b = UpsertKubeconfigText(*a, Entry("other", 8444));
  auto c = UpsertKubeconfigText(*b, Entry("minik", 9000));
  ASSERT_TRUE(c.ok());
  YAML::Node r = Load(*c);
  EXPECT_EQ(r["clusters"].size(), 3u);
  EXPECT_EQ(r["clusters"][1]["name"].as<std::string>(), "minik");
  EXPECT_EQ(FindIn(r, "clusters", "minik")["cluster"]["server"].as<std::string>(),
            "https://127.0.0.1:9000");
  EXPECT_EQ(r["current-context"].as<std::string>(), "minik");
}

TEST(KubeconfigText, RemoveOnlyTouchesTheProfile) {
  auto a = UpsertKubeconfigText(kExisting, Entry("minik"));
  auto b = UpsertKubeconfigText(*a, Entry("other", 8444));
  bool changed = false;
  auto c = RemoveKubeconfigText(*b, "minik", &changed);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(changed);
  YAML::Node r = Load(*c);
  EXPECT_EQ(r["clusters"].size(), 2u);
  EXPECT_FALSE(FindIn(r, "clusters", "minik"));
  EXPECT_FALSE(FindIn(r, "users", "minik"));
  EXPECT_FALSE(FindIn(r, "contexts", "minik"));
  EXPECT_TRUE(FindIn(r, "contexts", "other"));
  EXPECT_TRUE(FindIn(r, "users", "prod-admin"));
  // current-context was "other", not the removed one: kept.
  EXPECT_EQ(r["current-context"].as<std::string>(), "other");
}

TEST(KubeconfigText, RemoveUnsetsCurrentContext) {
  auto a = UpsertKubeconfigText(kExisting, Entry("minik"));
  auto b = RemoveKubeconfigText(*a, "minik");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(Load(*b)["current-context"].as<std::string>(), "");
  // Removing what is not there changes nothing.
  bool changed = true;
  auto c = RemoveKubeconfigText(kExisting, "minik", &changed);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(changed);
}

TEST(KubeconfigText, RejectsMalformed) {
  EXPECT_EQ(UpsertKubeconfigText("a: [b", Entry("minik")).status().code(), Code::kBadRequest);
  EXPECT_FALSE(UpsertKubeconfigText("- just\n- a list\n", Entry("minik")).ok());
  EXPECT_FALSE(UpsertKubeconfigText("clusters: 5\n", Entry("minik")).ok());
  EXPECT_FALSE(UpsertKubeconfigText("users: {a: b}\n", Entry("minik")).ok());
  EXPECT_FALSE(RemoveKubeconfigText("contexts: x\n", "minik").ok());
  // Null lists (as kubectl writes them) are fine.
  EXPECT_TRUE(UpsertKubeconfigText("clusters: null\nusers:\ncontexts: []\n", Entry("m")).ok());
  // Entries without names or of odd shapes do not crash the merge.
  EXPECT_TRUE(UpsertKubeconfigText("clusters: [5, {a: b}, [x]]\n", Entry("m")).ok());
}

TEST(KubeconfigText, HasContext) {
  auto a = UpsertKubeconfigText(kExisting, Entry("minik"));
  EXPECT_TRUE(KubeconfigHasContext(*a, "minik", "https://127.0.0.1:8443"));
  EXPECT_FALSE(KubeconfigHasContext(*a, "minik", "https://127.0.0.1:8444"));
  EXPECT_FALSE(KubeconfigHasContext(*a, "other", "https://127.0.0.1:8443"));
  EXPECT_FALSE(KubeconfigHasContext("a: [", "minik", "x"));
}

TEST(KubeconfigText, RenderHasOnlyTheEntry) {
  YAML::Node r = Load(RenderKubeconfig(Entry("dev")));
  EXPECT_EQ(r["clusters"].size(), 1u);
  EXPECT_EQ(r["current-context"].as<std::string>(), "dev");
}

class KubeconfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-kc-XXXXXX";
    dir_ = mkdtemp(tmpl);
    saved_kubeconfig_ = std::getenv("KUBECONFIG") ? std::getenv("KUBECONFIG") : "";
    saved_home_ = std::getenv("HOME") ? std::getenv("HOME") : "";
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    setenv("KUBECONFIG", saved_kubeconfig_.c_str(), 1);
    setenv("HOME", saved_home_.c_str(), 1);
  }
  std::string dir_, saved_kubeconfig_, saved_home_;
};

TEST_F(KubeconfigFile, DefaultPath) {
  setenv("HOME", dir_.c_str(), 1);
  unsetenv("KUBECONFIG");
  EXPECT_EQ(DefaultKubeconfigPath(), dir_ + "/.kube/config");
  setenv("KUBECONFIG", "", 1);
  EXPECT_EQ(DefaultKubeconfigPath(), dir_ + "/.kube/config");
  setenv("KUBECONFIG", "/a/b:/c/d", 1);
  EXPECT_EQ(DefaultKubeconfigPath(), "/a/b");
  setenv("KUBECONFIG", "::/x/y:/z", 1);
  EXPECT_EQ(DefaultKubeconfigPath(), "/x/y");
}

TEST_F(KubeconfigFile, CreatesDirAndFileWithMode0600) {
  std::string path = dir_ + "/new/.kube/config";
  ASSERT_TRUE(UpsertKubeconfigFile(path, Entry("minik")).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(PathExists(path + ".lock"));
  auto text = ReadFile(path);
  EXPECT_TRUE(KubeconfigHasContext(*text, "minik", "https://127.0.0.1:8443"));
}

TEST_F(KubeconfigFile, MergesAndRemoves) {
  std::string path = dir_ + "/config";
  ASSERT_TRUE(WriteFileAtomic(path, kExisting, 0644).ok());
  ASSERT_TRUE(UpsertKubeconfigFile(path, Entry("minik")).ok());
  auto merged = ReadFile(path);
  ASSERT_TRUE(merged.ok());
  EXPECT_TRUE(KubeconfigHasContext(*merged, "minik", "https://127.0.0.1:8443"));
  ASSERT_TRUE(RemoveFromKubeconfigFile(path, "minik").ok());
  YAML::Node r = Load(*ReadFile(path));
  EXPECT_EQ(r["clusters"].size(), 1u);
  EXPECT_EQ(r["current-context"].as<std::string>(), "");
}

TEST_F(KubeconfigFile, FollowsSymlink) {
  std::string real = dir_ + "/real-config";
  std::string link = dir_ + "/link-config";
  ASSERT_TRUE(WriteFileAtomic(real, kExisting, 0600).ok());
  std::filesystem::create_symlink(real, link);
  ASSERT_TRUE(UpsertKubeconfigFile(link, Entry("minik")).ok());
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_TRUE(KubeconfigHasContext(*ReadFile(real), "minik", "https://127.0.0.1:8443"));
}

TEST_F(KubeconfigFile, MalformedFileIsLeftAlone) {
  std::string path = dir_ + "/config";
  ASSERT_TRUE(WriteFileAtomic(path, "clusters: [oops", 0600).ok());
  Status st = UpsertKubeconfigFile(path, Entry("minik"));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path), std::string::npos);
  EXPECT_EQ(*ReadFile(path), "clusters: [oops");
}

TEST_F(KubeconfigFile, RemoveFromMissingFileIsOk) {
  std::string path = dir_ + "/none";
  EXPECT_TRUE(RemoveFromKubeconfigFile(path, "minik").ok());
  EXPECT_FALSE(PathExists(path));
}

TEST_F(KubeconfigFile, HeldLockTimesOut) {
  std::string path = dir_ + "/config";
  ASSERT_TRUE(WriteFileAtomic(path + ".lock", "", 0600).ok());
  Status st = UpsertKubeconfigFile(path, Entry("minik"));
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_FALSE(PathExists(path));
}

}  // namespace
}  // namespace minik
