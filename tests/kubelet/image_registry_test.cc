// Against the real tools, when installed (Debian's docker-registry and skopeo; skipped
// otherwise): skopeo pushes the acceptance busybox image to a registry on a free 127.0.0.1
// port, we pull it (Docker v2 and OCI manifests), and load skopeo's docker-archive and
// oci-archive outputs.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "kubelet/images/fsutil.h"
#include "kubelet/images/http_client.h"
#include "kubelet/images/images.h"
#include "tests/kubelet/image_test_util.h"

namespace minik {
namespace {

const char* const kBusybox = "/tmp/minik-acc-cache/busybox.tar";

bool Installed(const char* path) { return access(path, X_OK) == 0; }

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class RealRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Installed("/usr/bin/docker-registry") || !Installed("/usr/bin/skopeo"))
      GTEST_SKIP() << "docker-registry or skopeo not installed";
    if (access(kBusybox, R_OK) != 0) GTEST_SKIP() << "no " << kBusybox << " (acceptance/images.sh busybox)";
    dir_ = testing::MakeTempDir("registry");
    port_ = FreePort();
    host_ = "127.0.0.1:" + std::to_string(port_);
    std::string config = "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: " + dir_ +
                         "/data\nhttp:\n  addr: " + host_ + "\n";
    testing::WriteTemp(dir_, "config.yml", config);
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = dir_ + "/registry.log";
      freopen(log.c_str(), "w", stdout);
      freopen(log.c_str(), "a", stderr);
      execl("/usr/bin/docker-registry", "docker-registry", "serve", (dir_ + "/config.yml").c_str(), nullptr);
      _exit(127);
    }
    auto url = HttpUrl::Parse("http://" + host_ + "/v2/");
    for (int i = 0; i < 100; ++i) {
      auto resp = RegistryRequest("GET", *url, {}, 1000);
      if (resp.ok() && (*resp)->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "docker-registry did not come up on " << host_;
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) imagefs::RemoveTree(dir_);
  }

  void Skopeo(const std::string& args) {
    std::string cmd = "/usr/bin/skopeo --insecure-policy copy -q " + args + " >" + dir_ + "/skopeo.log 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << *imagefs::ReadFile(dir_ + "/skopeo.log");
  }

  std::unique_ptr<ImageStore> Store(const std::string& name) {
    auto s = OpenImageStore(dir_ + "/" + name);
    EXPECT_TRUE(s.ok());
    return s.ok() ? std::move(*s) : nullptr;
  }

  static void ExpectBusybox(const ImageInfo& img) {
    ASSERT_EQ(img.layer_dirs.size(), 1u);
    struct stat st;
    ASSERT_EQ(lstat((img.layer_dirs[0] + "/bin/busybox").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(img.config["Cmd"], Json::array({"sh"}));
  }

  std::string dir_, host_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(RealRegistryTest, PullsWhatSkopeoPushed) {
  Skopeo("--dest-tls-verify=false docker-archive:" + std::string(kBusybox) + " docker://" + host_ +
         "/probe/busybox:1.35");
  Skopeo("--dest-tls-verify=false --format oci docker-archive:" + std::string(kBusybox) + " docker://" + host_ +
         "/probe/busybox:oci");
  auto store = Store("images");
  ASSERT_TRUE(store);
  auto v2 = store->Pull(host_ + "/probe/busybox:1.35");
  ASSERT_TRUE(v2.ok()) << v2.status().message();
  ExpectBusybox(*v2);
  auto oci = store->Pull(host_ + "/probe/busybox:oci");
  ASSERT_TRUE(oci.ok()) << oci.status().message();
  ExpectBusybox(*oci);
  auto missing = store->Pull(host_ + "/probe/busybox:nope");
  EXPECT_EQ(missing.status().code(), Code::kNotFound) << missing.status().message();
  auto by_digest = store->Pull(v2->repo_digests.at(0));
  ASSERT_TRUE(by_digest.ok()) << by_digest.status().message();
  EXPECT_EQ(by_digest->id, v2->id);
}

TEST_F(RealRegistryTest, LoadsSkopeoArchives) {
  std::string docker_out = dir_ + "/docker.tar", oci_out = dir_ + "/oci.tar";
  Skopeo("docker-archive:" + std::string(kBusybox) + " docker-archive:" + docker_out + ":probe/busybox:1.35");
  Skopeo("docker-archive:" + std::string(kBusybox) + " oci-archive:" + oci_out + ":probe/busybox:1.35");
  auto store = Store("images");
  ASSERT_TRUE(store);
  auto from_docker = store->Load(docker_out);
  ASSERT_TRUE(from_docker.ok()) << from_docker.status().message();
  ASSERT_EQ(from_docker->size(), 1u);
  EXPECT_EQ(from_docker->front().repo_tags, std::vector<std::string>{"docker.io/probe/busybox:1.35"});
  ExpectBusybox(from_docker->front());
  auto fresh = Store("images2");
  ASSERT_TRUE(fresh);
  auto from_oci = fresh->Load(oci_out);
  ASSERT_TRUE(from_oci.ok()) << from_oci.status().message();
  ASSERT_EQ(from_oci->size(), 1u);
  ExpectBusybox(from_oci->front());
  EXPECT_EQ(from_oci->front().repo_tags, std::vector<std::string>{"docker.io/probe/busybox:1.35"});
}

}  // namespace
}  // namespace minik
