#include "kubelet/images/reference.h"

#include <gtest/gtest.h>

#include "kubelet/images/images.h"

namespace minik {
namespace {

std::string Norm(const std::string& ref) {
  auto n = NormalizeImageRef(ref);
  return n.ok() ? *n : "ERROR: " + n.status().message();
}

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(ImageReferenceTest, NormalisesLikeDocker) {
  EXPECT_EQ(Norm("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Norm("busybox:1.35"), "docker.io/library/busybox:1.35");
  EXPECT_EQ(Norm("library/busybox:1.35"), "docker.io/library/busybox:1.35");
  EXPECT_EQ(Norm("docker.io/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Norm("index.docker.io/library/busybox:1"), "docker.io/library/busybox:1");
  EXPECT_EQ(Norm("user/x"), "docker.io/user/x:latest");
  EXPECT_EQ(Norm("docker.io/probe/busybox:1.35"), "docker.io/probe/busybox:1.35");
  EXPECT_EQ(Norm("127.0.0.1:5000/x:1"), "127.0.0.1:5000/x:1");
  EXPECT_EQ(Norm("127.0.0.1:5000/x/y/z:t"), "127.0.0.1:5000/x/y/z:t");
  EXPECT_EQ(Norm("localhost/x"), "localhost/x:latest");
  EXPECT_EQ(Norm("localhost:5000/a-b_c.d__e---f"), "localhost:5000/a-b_c.d__e---f:latest");
  EXPECT_EQ(Norm("[::1]:5000/x"), "[::1]:5000/x:latest");
  EXPECT_EQ(Norm("quay.io/coreos/etcd:v3.5"), "quay.io/coreos/etcd:v3.5");
  EXPECT_EQ(Norm("busybox@" + kDigest), "docker.io/library/busybox@" + kDigest);
  EXPECT_EQ(Norm("busybox:1.35@" + kDigest), "docker.io/library/busybox:1.35@" + kDigest);
  EXPECT_EQ(Norm("Registry.Example/x"), "Registry.Example/x:latest");  // upper case: a domain
}

TEST(ImageReferenceTest, RejectsMalformed) {
  for (const std::string& bad : std::vector<std::string>{
           "", "Busybox", "busybox:", ":tag", "busybox:-x", "a//b", "a/", "/a", "a b", "busybox@sha256:abc",
        "busybox@md5:" + std::string(32, 'a'), "busybox@" + std::string(64, 'a'), "-x", "x-",
        "a..b", std::string(64, 'f'), "exa_mple.com:5000/x", "host:/x",
        "busybox:" + std::string(129, 't'), "x\n"}) {
    auto n = NormalizeImageRef(bad);
    EXPECT_FALSE(n.ok()) << "accepted \"" << bad << "\" as " << (n.ok() ? *n : "");
    if (!n.ok()) {
      EXPECT_EQ(n.status().code(), Code::kInvalid) << bad;
      EXPECT_NE(n.status().message().find("invalid reference format"), std::string::npos);
    }
  }
  EXPECT_NE(NormalizeImageRef("Busybox").status().message().find("must be lowercase"), std::string::npos);
}

TEST(ImageReferenceTest, ParsesParts) {
  auto r = ParseImageRef("127.0.0.1:5000/probe/busybox:1.35");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->domain, "127.0.0.1:5000");
  EXPECT_EQ(r->path, "probe/busybox");
  EXPECT_EQ(r->tag, "1.35");
  EXPECT_TRUE(IsInsecureRegistry(*r));
  EXPECT_EQ(RegistryHost(*r), "127.0.0.1:5000");
  auto hub = ParseImageRef("busybox");
  ASSERT_TRUE(hub.ok());
  EXPECT_FALSE(IsInsecureRegistry(*hub));
  EXPECT_EQ(RegistryHost(*hub), "registry-1.docker.io");
  EXPECT_TRUE(IsInsecureRegistry(*ParseImageRef("localhost:5000/x")));
  EXPECT_TRUE(IsInsecureRegistry(*ParseImageRef("[::1]:5000/x")));
  EXPECT_FALSE(IsInsecureRegistry(*ParseImageRef("127.0.0.1.example.com/x")));
}

TEST(ImageReferenceTest, ShortRepository) {
  EXPECT_EQ(ShortRepository("docker.io/library/busybox"), "busybox");
  EXPECT_EQ(ShortRepository("docker.io/probe/busybox"), "probe/busybox");
  EXPECT_EQ(ShortRepository("127.0.0.1:5000/x"), "127.0.0.1:5000/x");
}

}  // namespace
}  // namespace minik
