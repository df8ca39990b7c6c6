#include "cmd/hostcheck.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "cmd/fileutil.h"
#include "cmd/process.h"

namespace minik {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMountinfo =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

constexpr const char* kTcpHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n";

// A fake host with everything, which each test then breaks in one way.
class HostCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-hostcheck-XXXXXX";
    dir_ = mkdtemp(tmpl);
    roots_.proc = dir_ + "/proc";
    roots_.bin_dirs = {dir_ + "/sbin"};
    roots_.path_env = dir_ + "/bin";
    roots_.boot = dir_ + "/boot";
    roots_.modules = dir_ + "/modules";
    Write("proc/sys/kernel/osrelease", "6.1.0-test\n");
    Write("proc/filesystems",
          "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tcgroup\nnodev\tcgroup2\n"
          "nodev\tdevpts\n\text4\nnodev\tmqueue\nnodev\toverlay\n");
    for (const char* ns : {"mnt", "pid", "net", "uts", "ipc", "cgroup"}) {
      fs::create_directories(dir_ + "/proc/self/ns");
      fs::create_symlink(std::string(ns) + ":[4026531840]", dir_ + "/proc/self/ns/" + ns);
    }
    Write("proc/self/mountinfo", kMountinfo);
    Write("proc/self/status", "Name:\tx\nSeccomp:\t0\nSeccomp_filters:\t0\n");
    Write("proc/sys/kernel/seccomp/actions_avail",
          "kill_process kill_thread trap errno log allow\n");
    Write("proc/sys/net/ipv4/ip_forward", "0\n");
    Write("proc/sys/net/bridge/bridge-nf-call-iptables", "1\n");
    Exe("sbin/iptables-save");
    Exe("sbin/iptables-restore");
    Exe("bin/conntrack");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& content) {
    fs::path p = dir_ + "/" + rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  void Exe(const std::string& rel) {
    Write(rel, "#!/bin/sh\n");
    fs::permissions(dir_ + "/" + rel, fs::perms::owner_all);
  }

  std::string dir_;
  HostRoots roots_;
};

TEST_F(HostCheckTest, CompleteFakeHostIsOk) {
  Status st = CheckHost(roots_);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(HostWarnings(roots_).empty());
}

TEST_F(HostCheckTest, MissingOverlay) {
  Write("proc/filesystems", "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\n\text4\n");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_EQ(st.message(), "overlayfs is not available (no \"overlay\" in " + dir_ +
                              "/proc/filesystems): minik needs it for container filesystems; "
                              "load it with modprobe overlay or use a kernel with "
                              "CONFIG_OVERLAY_FS");
}

TEST_F(HostCheckTest, OverlayAsLoadableModule) {
  // Not registered yet, but mount(2) autoloads the module.
  Write("proc/filesystems",
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tcgroup\nnodev\tdevpts\nnodev\tmqueue\n");
  Write("modules/6.1.0-test/modules.dep",
        "kernel/fs/fuse/fuse.ko.xz:\nkernel/fs/overlayfs/overlay.ko.xz:\n");
  Status st = CheckHost(roots_);
  EXPECT_TRUE(st.ok()) << st.message();
  // Module loading switched off: not loadable after all.
  Write("proc/sys/kernel/modules_disabled", "1\n");
  EXPECT_NE(CheckHost(roots_).message().find("overlayfs is not available"), std::string::npos);
  fs::remove(dir_ + "/proc/sys/kernel/modules_disabled");
  // Modules of another kernel do not count.
  Write("proc/sys/kernel/osrelease", "6.2.0-other\n");
  EXPECT_NE(CheckHost(roots_).message().find("overlayfs is not available"), std::string::npos);
  fs::remove(dir_ + "/proc/sys/kernel/osrelease");
  EXPECT_NE(CheckHost(roots_).message().find("overlayfs is not available"), std::string::npos);
}

TEST_F(HostCheckTest, KernelConfigGz) {
  const std::string config =
      "CONFIG_BRIDGE=y\nCONFIG_VETH=m\n# CONFIG_NETFILTER_XT_MATCH_STATISTIC is not set\n";
  gzFile gz = gzopen((dir_ + "/proc/config.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, config.data(), static_cast<unsigned>(config.size()));
  gzclose(gz);
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_EQ(st.message(),
            "the iptables statistic match is not available (# "
            "CONFIG_NETFILTER_XT_MATCH_STATISTIC is not set in " +
                dir_ +
                "/proc/config.gz): minik needs it to balance Services over endpoints; use a "
                "kernel with CONFIG_NETFILTER_XT_MATCH_STATISTIC");
}

TEST_F(HostCheckTest, KernelConfigGzLinesAcrossChunks) {
  // The inflater hands out 16 KB at a time: a "not set" line anywhere, split or not, is found.
  for (int filler : {0, 1, 7, 1000, 16384 - 3, 16384, 40000}) {
    std::string config = "CONFIG_A=y\n" + std::string(filler, 'x') + "\nCONFIG_B=y\n";
    while (config.size() < 70000)
      config += "CONFIG_FILLER_" + std::to_string(config.size()) + "=y\n";
    config += "# CONFIG_BRIDGE is not set";  // last line, no newline
    gzFile gz = gzopen((dir_ + "/proc/config.gz").c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    gzwrite(gz, config.data(), static_cast<unsigned>(config.size()));
    gzclose(gz);
    EXPECT_NE(CheckHost(roots_).message().find("the bridge device is not available (# "
                                               "CONFIG_BRIDGE is not set in "),
              std::string::npos)
        << filler;
  }
}

TEST_F(HostCheckTest, KernelConfigFromBoot) {
  Write("boot/config-6.1.0-test", "CONFIG_BRIDGE=y\n# CONFIG_VETH is not set\n");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.message(),
            "virtual ethernet pairs (veth) is not available (# CONFIG_VETH is not "
            "set in " +
                dir_ +
                "/boot/config-6.1.0-test): minik needs it to connect pods to their "
                "bridge; use a kernel with CONFIG_VETH");
  // /proc/config.gz wins over /boot when both exist.
  gzFile gz = gzopen((dir_ + "/proc/config.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, "CONFIG_VETH=y\n", 13);
  gzclose(gz);
  EXPECT_TRUE(CheckHost(roots_).ok());
}

TEST_F(HostCheckTest, KernelConfigUnusableIsIgnored) {
  // Options the config does not mention (renamed in other kernels) are not failures.
  Write("boot/config-6.1.0-test", "CONFIG_SOMETHING_ELSE=y\n# CONFIG_VETH_OLD is not set\n");
  EXPECT_TRUE(CheckHost(roots_).ok());
  // A corrupt config.gz gives nothing to go by.
  Write("proc/config.gz", "not gzip at all");
  EXPECT_TRUE(CheckHost(roots_).ok());
  // A truncated one neither.
  const std::string config(200000, 'x');
  gzFile gz = gzopen((dir_ + "/proc/config.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, "# CONFIG_VETH is not set\n", 25);
  gzwrite(gz, config.data(), static_cast<unsigned>(config.size()));
  gzclose(gz);
  EXPECT_FALSE(CheckHost(roots_).ok());  // whole: read
  std::string whole = *ReadFile(dir_ + "/proc/config.gz");
  Write("proc/config.gz", whole.substr(0, whole.size() / 2));
  EXPECT_TRUE(CheckHost(roots_).ok());
}

TEST_F(HostCheckTest, MissingOtherFilesystem) {
  Write("proc/filesystems",
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tcgroup\nnodev\tdevpts\nnodev\toverlay\n");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.message(), "filesystem mqueue is not available (no \"mqueue\" in " + dir_ +
                              "/proc/filesystems): minik needs it for the containers' "
                              "/dev/mqueue; use a kernel with CONFIG_POSIX_MQUEUE");
}

TEST_F(HostCheckTest, UnreadableProc) {
  fs::remove(dir_ + "/proc/filesystems");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_NE(st.message().find("cannot check the kernel's filesystems: "), std::string::npos)
      << st.message();
}

TEST_F(HostCheckTest, MissingNamespace) {
  fs::remove(dir_ + "/proc/self/ns/cgroup");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.message(), "the cgroup namespace is not available (no " + dir_ +
                              "/proc/self/ns/cgroup): minik needs it to isolate containers; "
                              "use a kernel with CONFIG_CGROUPS");
}

TEST_F(HostCheckTest, MissingCgroupController) {
  std::string info = kMountinfo;
  info.erase(info.find("38 30"), info.find("40 30") - info.find("38 30"));  // no pids
  Write("proc/self/mountinfo", info);
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_EQ(st.message(),
            "cgroup v1 controller pids is not available (no cgroup mount with \"pids\" in " + dir_ +
                "/proc/self/mountinfo): minik needs it for container resource limits; this "
                "host has cgroup v2 without the v1 hierarchies, whose limits minik does not "
                "support; boot with systemd.unified_cgroup_hierarchy=0");
}

TEST_F(HostCheckTest, MissingCgroupControllerWithoutV2SuggestsMount) {
  Write("proc/self/mountinfo",
        "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "38 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n");
  Status st = CheckHost(roots_);
  EXPECT_NE(st.message().find("cgroup v1 controller memory is not available"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("mount it with mkdir -p /sys/fs/cgroup/memory && mount -t cgroup "
                              "-o memory cgroup /sys/fs/cgroup/memory"),
            std::string::npos)
      << st.message();
}

TEST_F(HostCheckTest, ReadOnlyCgroupHierarchy) {
  std::string info = kMountinfo;
  const std::string rw = "/sys/fs/cgroup/memory rw,";
  info.replace(info.find(rw), rw.size(), "/sys/fs/cgroup/memory ro,");
  Write("proc/self/mountinfo", info);
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.message(),
            "cgroup v1 controller memory is not available (/sys/fs/cgroup/memory is mounted "
            "read-only): minik needs it to create container cgroups; remount it read-write "
            "(mount -o remount,rw /sys/fs/cgroup/memory) or run minik on the host or in a "
            "privileged container");
}

TEST_F(HostCheckTest, MissingSeccomp) {
  Write("proc/self/status", "Name:\tx\nNoNewPrivs:\t0\n");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.message(), "seccomp is not available (no Seccomp: line in " + dir_ +
                              "/proc/self/status): minik needs it to filter containers' system "
                              "calls; use a kernel with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER");
}

TEST_F(HostCheckTest, SeccompWithoutErrnoAction) {
  Write("proc/sys/kernel/seccomp/actions_avail", "kill_process allow\n");
  Status st = CheckHost(roots_);
  EXPECT_NE(st.message().find("seccomp filtering is not available (no \"errno\" in "),
            std::string::npos)
      << st.message();
  // Kernels before 4.14 list no actions: not held against them.
  fs::remove(dir_ + "/proc/sys/kernel/seccomp/actions_avail");
  EXPECT_TRUE(CheckHost(roots_).ok());
}

TEST_F(HostCheckTest, MissingIpForward) {
  fs::remove(dir_ + "/proc/sys/net/ipv4/ip_forward");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.message(), "IPv4 forwarding is not available (no " + dir_ +
                              "/proc/sys/net/ipv4/ip_forward): minik needs it to route pod "
                              "traffic; use a kernel with CONFIG_INET");
}

TEST_F(HostCheckTest, MissingProgram) {
  fs::remove(dir_ + "/sbin/iptables-restore");
  Status st = CheckHost(roots_);
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_EQ(st.message(),
            "the program iptables-restore is not available (no executable "
            "iptables-restore in " +
                dir_ + "/sbin:" + dir_ +
                "/bin): minik needs it for pod networking and Services; "
                "apt-get install iptables (or scripts/install-deps)");
}

TEST_F(HostCheckTest, ProgramFoundOnPathAndMustBeExecutable) {
  // conntrack lives in the PATH dir only; not executable means not there.
  fs::permissions(dir_ + "/bin/conntrack", fs::perms::owner_read | fs::perms::owner_write);
  Status st = CheckHost(roots_);
  EXPECT_NE(st.message().find("the program conntrack is not available"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("apt-get install conntrack"), std::string::npos);
  // A directory of that name is not a program either.
  fs::remove(dir_ + "/bin/conntrack");
  fs::create_directories(dir_ + "/bin/conntrack");
  EXPECT_FALSE(CheckHost(roots_).ok());
  fs::remove(dir_ + "/bin/conntrack");
  Exe("bin/conntrack");
  EXPECT_TRUE(CheckHost(roots_).ok());
}

TEST_F(HostCheckTest, FirstMissingFeatureWins) {
  Write("proc/filesystems", "nodev\tproc\n");
  fs::remove(dir_ + "/sbin/iptables-save");
  EXPECT_NE(CheckHost(roots_).message().find("overlayfs"), std::string::npos);
}

TEST_F(HostCheckTest, BridgeNetfilterIsAWarning) {
  fs::remove(dir_ + "/proc/sys/net/bridge/bridge-nf-call-iptables");
  EXPECT_TRUE(CheckHost(roots_).ok());
  std::vector<std::string> w = HostWarnings(roots_);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "no " + dir_ +
                      "/proc/sys/net/bridge/bridge-nf-call-iptables (br_netfilter not loaded): "
                      "pod-to-service traffic between pods on one bridge will fail; load it "
                      "with modprobe br_netfilter");
}

TEST_F(HostCheckTest, PortHolderFromFakeProc) {
  // 4242 listens on 0.0.0.0:8080 (0x1F90); 4343 on 10.0.0.1:8080, which does not stop a
  // bind of 127.0.0.1; 4444 has a connection (state 01) from port 8081.
  Write("proc/net/tcp",
        std::string(kTcpHeader) +
            "   0: 0100000A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
            "       0 2001 1 0000000000000000 100 0 0 10 0\n"
            "   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
            "       0 1001 1 0000000000000000 100 0 0 10 0\n"
            "   2: 0100007F:1F91 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0 "
            "       0 3001 1 0000000000000000 100 0 0 10 0\n");
  Write("proc/4242/comm", "python3\n");
  fs::create_directories(dir_ + "/proc/4242/fd");
  fs::create_symlink("/dev/null", dir_ + "/proc/4242/fd/0");
  fs::create_symlink("socket:[1001]", dir_ + "/proc/4242/fd/3");
  fs::create_directories(dir_ + "/proc/4343/fd");
  fs::create_symlink("socket:[2001]", dir_ + "/proc/4343/fd/3");
  fs::create_directories(dir_ + "/proc/4444/fd");
  fs::create_symlink("socket:[3001]", dir_ + "/proc/4444/fd/3");
  EXPECT_EQ(PortHolder(8080, roots_), "python3 (pid 4242)");
  EXPECT_EQ(PortHolder(8081, roots_), "");  // not listening
  EXPECT_EQ(PortHolder(9999, roots_), "");
  // Without a readable comm, the pid alone.
  fs::remove(dir_ + "/proc/4242/comm");
  EXPECT_EQ(PortHolder(8080, roots_), "pid 4242");
  // A server re-executed through /proc/self/exe is named by its command line.
  Write("proc/4242/comm", "exe\n");
  Write("proc/4242/cmdline", std::string("minik\0server\0--profile\0dev\0", 27));
  EXPECT_EQ(PortHolder(8080, roots_), "minik server --profile dev (pid 4242)");
  Write("proc/4242/cmdline", "minik " + std::string(100, 'x'));
  EXPECT_EQ(PortHolder(8080, roots_), "minik " + std::string(51, 'x') + "... (pid 4242)");
  fs::remove(dir_ + "/proc/4242/cmdline");
  EXPECT_EQ(PortHolder(8080, roots_), "exe (pid 4242)");
  // A listener whose holder is not visible: unknown.
  fs::remove(dir_ + "/proc/4242/fd/3");
  EXPECT_EQ(PortHolder(8080, roots_), "");
}

TEST_F(HostCheckTest, PortHolderIpv6) {
  // [::]:443 and [::ffff:127.0.0.1]:444 cover 127.0.0.1; [::1]:445 does not.
  Write("proc/net/tcp6",
        std::string(kTcpHeader) +
            "   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 "
            "0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0 100 0 0 10 0\n"
            "   1: 0000000000000000FFFF00000100007F:01BC 00000000000000000000000000000000:0000 "
            "0A 00000000:00000000 00:00000000 00000000     0        0 5002 1 0 100 0 0 10 0\n"
            "   2: 00000000000000000000000001000000:01BD 00000000000000000000000000000000:0000 "
            "0A 00000000:00000000 00:00000000 00000000     0        0 5003 1 0 100 0 0 10 0\n");
  Write("proc/77/comm", "nginx\n");
  fs::create_directories(dir_ + "/proc/77/fd");
  fs::create_symlink("socket:[5001]", dir_ + "/proc/77/fd/4");
  fs::create_symlink("socket:[5002]", dir_ + "/proc/77/fd/5");
  fs::create_symlink("socket:[5003]", dir_ + "/proc/77/fd/6");
  EXPECT_EQ(PortHolder(443, roots_), "nginx (pid 77)");
  EXPECT_EQ(PortHolder(444, roots_), "nginx (pid 77)");
  EXPECT_EQ(PortHolder(445, roots_), "");
}

TEST_F(HostCheckTest, PortHolderSurvivesGarbage) {
  Write("proc/net/tcp", std::string(kTcpHeader) + "garbage\n   0: XYZ:1F90 0A\n" +
                            "   1: 0100007F: 00000000:0000 0A a b c d e 77 1\n" +
                            "   2: 01007F:1F90 00000000:0000 0A a b c d e 78 1\n" + "\n\n");
  Write("proc/net/tcp6", "");
  EXPECT_EQ(PortHolder(8080, roots_), "");
  roots_.proc = dir_ + "/nothing";
  EXPECT_EQ(PortHolder(8080, roots_), "");
}

// The real host: the machine the tests run on has every feature minik needs. (Its cost is
// measured by bench/lifecycle.sh, never asserted here: shared CI machines flake on timings.)
TEST(HostCheckRealTest, RealHostIsOk) {
  Status st = CheckHost();
  EXPECT_TRUE(st.ok()) << st.message();
}

class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 1) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string OwnComm() {
  std::string comm = *ReadFile("/proc/self/comm");
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

TEST(HostCheckRealTest, PortHolderFindsOwnListener) {
  Listener l;
  ASSERT_GT(l.port(), 0);
  EXPECT_EQ(PortHolder(l.port()), OwnComm() + " (pid " + std::to_string(getpid()) + ")");
}

TEST(HostCheckRealTest, FindFreePortSkipsTakenAndReserved) {
  Listener l;
  ASSERT_GT(l.port(), 0);
  if (l.port() >= 65535 - 3) GTEST_SKIP() << "ephemeral port at the top of the range";
  auto p = FindFreePort(l.port(), {l.port() + 1});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_GT(*p, l.port() + 1);
  EXPECT_TRUE(CheckPortFree("127.0.0.1", *p).ok());
}

TEST(HostCheckRealTest, FindFreePortBadInputAndExhaustion) {
  EXPECT_EQ(FindFreePort(0).status().code(), Code::kBadRequest);
  EXPECT_EQ(FindFreePort(65536).status().code(), Code::kBadRequest);
  EXPECT_EQ(FindFreePort(-5).status().code(), Code::kBadRequest);
  // Every candidate reserved: none.
  std::set<int> all;
  for (int p = 65500; p <= 65535; ++p) all.insert(p);
  auto none = FindFreePort(65500, all);
  EXPECT_EQ(none.status().code(), Code::kServiceUnavailable);
  EXPECT_EQ(none.status().message(), "no free port on 127.0.0.1 from 65500 to 65535");
}

TEST(HostCheckRealTest, CheckApiPortNamesHolderAndSuggestsPort) {
  Listener l;
  ASSERT_GT(l.port(), 0);
  Status st = CheckApiPort(l.port());
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  const std::string prefix = "API port " + std::to_string(l.port()) + " is in use by " + OwnComm() +
                             " (pid " + std::to_string(getpid()) +
                             "): stop it, or start with --api-port ";
  ASSERT_EQ(st.message().rfind(prefix, 0), 0u) << st.message();
  std::string rest = st.message().substr(prefix.size());
  ASSERT_NE(rest.find(" (free now)"), std::string::npos) << st.message();
  int suggested = std::stoi(rest);
  EXPECT_NE(suggested, l.port());
  EXPECT_TRUE(CheckPortFree("127.0.0.1", suggested).ok());
}

TEST(HostCheckRealTest, CheckApiPortFreeIsOk) {
  int port = 0;
  {
    Listener l;
    port = l.port();
  }
  ASSERT_GT(port, 0);
  EXPECT_TRUE(CheckApiPort(port).ok());
}

}  // namespace
}  // namespace minik
