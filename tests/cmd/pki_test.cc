#include "cmd/pki.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "cmd/fileutil.h"

namespace minik {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-pki-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(PkiTest, GeneratesAVerifyingChain) {
  ASSERT_TRUE(EnsurePki(dir_ + "/pki").ok());
  auto pki = LoadPki(dir_ + "/pki");
  ASSERT_TRUE(pki.ok()) << pki.status().message();

  auto ca = InspectCertificate(pki->ca_cert);
  ASSERT_TRUE(ca.ok());
  EXPECT_TRUE(ca->is_ca);

  EXPECT_TRUE(VerifyCertificate(pki->apiserver_cert, pki->ca_cert).ok());
  EXPECT_TRUE(VerifyCertificate(pki->admin_cert, pki->ca_cert).ok());
  EXPECT_TRUE(CheckKeyMatchesCert(pki->apiserver_cert, pki->apiserver_key).ok());
  EXPECT_TRUE(CheckKeyMatchesCert(pki->admin_cert, pki->admin_key).ok());
  EXPECT_FALSE(CheckKeyMatchesCert(pki->admin_cert, pki->apiserver_key).ok());
  EXPECT_NE(pki->sa_key.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(pki->sa_pub.find("PUBLIC KEY"), std::string::npos);
}

TEST_F(PkiTest, ServingCertHasEverySan) {
  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto pki = LoadPki(dir_);
  ASSERT_TRUE(pki.ok());
  auto info = InspectCertificate(pki->apiserver_cert);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->is_ca);
  EXPECT_TRUE(info->server_auth);
  EXPECT_FALSE(info->client_auth);
  for (const char* dns : {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                          "kubernetes.default.svc.cluster.local"}) {
    EXPECT_TRUE(Contains(info->dns_names, dns)) << dns;
  }
  EXPECT_TRUE(Contains(info->ip_addresses, "127.0.0.1"));
  EXPECT_TRUE(Contains(info->ip_addresses, "10.96.0.1"));
}

TEST_F(PkiTest, AdminCertIsAClientCertOfSystemMasters) {
  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto pki = LoadPki(dir_);
  ASSERT_TRUE(pki.ok());
  auto info = InspectCertificate(pki->admin_cert);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "minik-admin");
  EXPECT_EQ(info->organizations, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(info->client_auth);
  EXPECT_FALSE(info->server_auth);
}

TEST_F(PkiTest, KeysArePrivate) {
  ASSERT_TRUE(EnsurePki(dir_).ok());
  for (const char* f : {"ca.key", "apiserver.key", "admin.key", "sa.key"}) {
    struct stat st;
    ASSERT_EQ(stat((dir_ + "/" + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
}

TEST_F(PkiTest, SecondRunKeepsEverything) {
  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto first = LoadPki(dir_);
  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto second = LoadPki(dir_);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->ca_cert, second->ca_cert);
  EXPECT_EQ(first->apiserver_cert, second->apiserver_cert);
  EXPECT_EQ(first->admin_key, second->admin_key);
  EXPECT_EQ(first->sa_key, second->sa_key);
}

TEST_F(PkiTest, ReissuesMissingOrForeignLeaves) {
  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto first = LoadPki(dir_);
  ASSERT_TRUE(first.ok());
  std::filesystem::remove(dir_ + "/admin.key");
  // A serving cert from another CA must be replaced.
  std::string other = dir_ + "/other";
  ASSERT_TRUE(EnsurePki(other).ok());
  auto foreign = LoadPki(other);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/apiserver.crt", foreign->apiserver_cert, 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/apiserver.key", foreign->apiserver_key, 0600).ok());

  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto second = LoadPki(dir_);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->ca_cert, second->ca_cert);
  EXPECT_TRUE(VerifyCertificate(second->apiserver_cert, second->ca_cert).ok());
  EXPECT_TRUE(CheckKeyMatchesCert(second->admin_cert, second->admin_key).ok());
}

TEST_F(PkiTest, WantedSanChangeReissuesServingCert) {
  ASSERT_TRUE(EnsurePki(dir_).ok());
  PkiOptions opts;
  opts.ip_sans.push_back("192.168.1.7");
  ASSERT_TRUE(EnsurePki(dir_, opts).ok());
  auto pki = LoadPki(dir_);
  auto info = InspectCertificate(pki->apiserver_cert);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(Contains(info->ip_addresses, "192.168.1.7"));
}

TEST_F(PkiTest, IssuesRestrictedUserCert) {
  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto pki = LoadPki(dir_);
  auto ck = IssueClientCert(pki->ca_cert, pki->ca_key, "alice", {"dev", "qa"});
  ASSERT_TRUE(ck.ok()) << ck.status().message();
  EXPECT_TRUE(VerifyCertificate(ck->cert_pem, pki->ca_cert).ok());
  EXPECT_TRUE(CheckKeyMatchesCert(ck->cert_pem, ck->key_pem).ok());
  auto info = InspectCertificate(ck->cert_pem);
  EXPECT_EQ(info->common_name, "alice");
  EXPECT_EQ(info->organizations, (std::vector<std::string>{"dev", "qa"}));
  EXPECT_TRUE(info->client_auth);
}

TEST_F(PkiTest, RejectsBadInput) {
  EXPECT_FALSE(InspectCertificate("not a certificate").ok());
  EXPECT_FALSE(VerifyCertificate("garbage", "garbage").ok());
  ASSERT_TRUE(EnsurePki(dir_).ok());
  auto pki = LoadPki(dir_);
  EXPECT_FALSE(IssueClientCert(pki->ca_cert, "bad key", "bob", {}).ok());
  EXPECT_FALSE(IssueClientCert(pki->ca_cert, pki->ca_key, "", {}).ok());
  // A cert signed by another CA does not verify.
  ASSERT_TRUE(EnsurePki(dir_ + "/b").ok());
  auto other = LoadPki(dir_ + "/b");
  EXPECT_FALSE(VerifyCertificate(pki->admin_cert, other->ca_cert).ok());
  EXPECT_EQ(LoadPki(dir_ + "/missing").status().code(), Code::kNotFound);
}

TEST(Base64Test, Encodes) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace minik
