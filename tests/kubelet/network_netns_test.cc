// The pod network on the real kernel: bridge, veths, two or more pod namespaces, TCP between
// them, hostPort DNAT, teardown and cleanup. Needs root (skipped otherwise).
//
// Every name is unique to this process (bridge mkt<pid>, chains MKT<pid>-*, CIDR
// 10.250.<pid%250>.0/24, state in a temp dir) and everything is removed, pass or fail:
// pod namespaces die with their holder processes (PR_SET_PDEATHSIG), and TearDown deletes
// the bridge and chains even when Cleanup itself is what failed. A run that was killed
// before its TearDown is swept by the next run (names carry the pid; only dead pids' things
// are removed). Traffic goes only to loopback and pod addresses.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "kubelet/network/bridge_network.h"
#include "kubelet/network/cidr.h"
#include "kubelet/network/exec.h"
#include "kubelet/network/ipam.h"
#include "kubelet/network/iptables.h"
#include "kubelet/network/netlink.h"
#include "kubelet/network/netns.h"
#include "kubelet/network/network.h"

namespace minik::net {
namespace {

using Clock = std::chrono::steady_clock;

// A network namespace held by a child process that does nothing but wait.
class PodNs {
 public:
  PodNs() {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) return;
    pid_t pid = ::fork();
    if (pid == 0) {
      // Child: only raw syscalls (the parent is multithreaded).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      char ok = ::unshare(CLONE_NEWNET) == 0 ? '1' : '0';
      if (::write(ready[1], &ok, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char ok = 0;
    if (pid > 0 && ::read(ready[0], &ok, 1) == 1 && ok == '1') pid_ = pid;
    ::close(ready[0]);
    if (pid > 0 && pid_ == 0) Kill(pid);
  }
  ~PodNs() {
    if (pid_ > 0) Kill(pid_);
  }
  PodNs(const PodNs&) = delete;
  PodNs& operator=(const PodNs&) = delete;

  bool ok() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }
  void Stop() {
    if (pid_ > 0) Kill(pid_);
    pid_ = 0;
  }

 private:
  static void Kill(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  pid_t pid_ = 0;
};

// A TCP socket created in `netns_path` ("" = the host).
int TcpSocketIn(const std::string& netns_path) {
  if (netns_path.empty()) return ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int fd = -1;
  Status st = RunInNetns(netns_path, [&] {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return fd >= 0 ? Status::Ok() : Internal("socket");
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return fd;
}

sockaddr_in Addr(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// Answers each connection with "<name> saw <peer ip>", until destroyed.
class TcpServer {
 public:
  TcpServer(const std::string& netns_path, int port, std::string name) : name_(std::move(name)) {
    fd_ = TcpSocketIn(netns_path);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a = Addr("0.0.0.0", port);
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 && ::listen(fd_, 16) == 0;
    thread_ = std::thread([this] { Serve(); });
  }
  ~TcpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  bool ok() const { return ok_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof(peer);
      int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
      if (c < 0) continue;
      char ip[INET_ADDRSTRLEN];
      ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
      std::string reply = name_ + " saw " + ip;
      (void)!::write(c, reply.data(), reply.size());
      ::close(c);
    }
  }
  std::string name_;
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Connects from `netns_path` ("" = host) to ip:port and returns what the server said, or an
// error after `timeout_ms`.
StatusOr<std::string> Ask(const std::string& netns_path, const std::string& ip, int port,
                          int timeout_ms = 3000) {
  int fd = TcpSocketIn(netns_path);
  if (fd < 0) return Internal("no socket");
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  sockaddr_in a = Addr(ip, port);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  if (rc != 0 && errno != EINPROGRESS) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return Internal("connect: " + err);
  }
  std::string out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) {
      ::close(fd);
      return Status(Code::kTimeout, "timeout talking to " + ip + ":" + std::to_string(port));
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) continue;
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) break;
    if (errno == EAGAIN || errno == EINTR) continue;
    std::string err = std::strerror(errno);
    ::close(fd);
    return Internal("read: " + err);
  }
  ::close(fd);
  return out;
}

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = Addr("127.0.0.1", 0);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string Sh(const std::vector<std::string>& argv) {
  StatusOr<CommandResult> r = RunCommand(argv);
  return r.ok() ? r->out + r->err : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

bool LinkExists(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

bool PidAlive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// The pid in `name` = <prefix><digits><rest>, or 0 if it does not look like one of ours.
pid_t PidIn(const std::string& name, const std::string& prefix, const std::string& rest) {
  if (name.rfind(prefix, 0) != 0) return 0;
  size_t end = name.find_first_not_of("0123456789", prefix.size());
  if (end == prefix.size()) return 0;
  if (end == std::string::npos) end = name.size();
  if (name.compare(end, std::string::npos, rest) != 0 &&
      !(rest == "x" && end < name.size() && name[end] == 'x'))
    return 0;
  return static_cast<pid_t>(std::stol(name.substr(prefix.size(), end - prefix.size())));
}

// Removes bridges, veths, chains and state dirs left by test runs that were killed.
void SweepDeadRuns() {
  StatusOr<NetlinkSocket> nl = NetlinkSocket::Open();
  if (nl.ok()) {
    StatusOr<std::vector<LinkInfo>> links = nl->ListLinks();
    for (const LinkInfo& link : links.ok() ? *links : std::vector<LinkInfo>()) {
      pid_t pid = link.kind == "bridge" ? PidIn(link.name, "mkt", "") : 0;
      if (pid == 0 && link.kind == "veth") pid = PidIn(link.name, "mkti", "x");
      if (pid == 0 && link.kind == "veth") pid = PidIn(link.name, "mkte", "");
      if (pid > 0 && !PidAlive(pid)) {
        NlMessage del = BuildDelLink(link.name);
        (void)nl->Do(del, link.name);
      }
    }
  }
  ExecIptablesRunner ipt;
  StatusOr<SavedTables> saved = ipt.Save();
  std::set<pid_t> dead;
  for (const auto& [table, content] : saved.ok() ? *saved : SavedTables())
    for (const std::string& chain : content.chains)
      for (const char* suffix : {"-POSTROUTING", "-HOSTPORTS", "-FORWARD"})
        if (pid_t pid = PidIn(chain, "MKT", suffix); pid > 0 && !PidAlive(pid)) dead.insert(pid);
  for (pid_t pid : dead) {
    IptablesLayout layout{"MKT" + std::to_string(pid), "", {}};
    (void)ipt.Restore(RenderCleanup(layout, *saved));
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(::testing::TempDir(), ec)) {
    pid_t pid = PidIn(entry.path().filename().string(), "minik_net_", "");
    if (pid > 0 && !PidAlive(pid)) std::filesystem::remove_all(entry.path(), ec);
  }
}

class NetworkNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (netns, bridges, iptables)";
    SweepDeadRuns();
    subnet_ = "10.250." + std::to_string(::getpid() % 250) + ".";
    options_.bridge = "mkt" + std::to_string(::getpid());
    options_.cidr = subnet_ + "0/24";
    options_.chain_prefix = "MKT" + std::to_string(::getpid());
    options_.state_dir = ::testing::TempDir() + "/minik_net_" + std::to_string(::getpid());
    std::filesystem::remove_all(options_.state_dir);
    gateway_ = subnet_ + "1";
    network_ = New();
  }

  void TearDown() override {
    if (::geteuid() != 0) return;
    pods_.clear();  // their namespaces, and so the veth pairs, go away
    // Belt and braces: remove whatever Cleanup may have missed, then insist nothing is left.
    if (network_) (void)network_->Cleanup();
    RunCommand({"ip", "link", "del", options_.bridge});
    ExecIptablesRunner ipt;
    IptablesLayout layout{options_.chain_prefix, options_.bridge, {}};
    StatusOr<SavedTables> saved = ipt.Save();
    if (saved.ok()) (void)ipt.Restore(RenderCleanup(layout, *saved));
    std::filesystem::remove_all(options_.state_dir);
    EXPECT_FALSE(LinkExists(options_.bridge));
    EXPECT_EQ(Sh({"iptables-save"}).find(options_.chain_prefix), std::string::npos);
  }

  std::unique_ptr<PodNetwork> New() {
    StatusOr<std::unique_ptr<PodNetwork>> n = NewPodNetwork(options_);
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? std::move(*n) : nullptr;
  }

  PodNs& NewPod() {
    pods_.push_back(std::make_unique<PodNs>());
    EXPECT_TRUE(pods_.back()->ok());
    return *pods_.back();
  }

  std::string InPod(const PodNs& pod, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"nsenter", "-t", std::to_string(pod.pid()), "-n"});
    return Sh(argv);
  }

  // Asserts nothing of ours is left on the host.
  void ExpectNothingLeft() {
    EXPECT_FALSE(LinkExists(options_.bridge));
    EXPECT_EQ(Sh({"ip", "-o", "link", "show", "master", options_.bridge}).find("veth"),
              std::string::npos);
    EXPECT_EQ(Sh({"iptables-save"}).find(options_.chain_prefix), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(options_.state_dir + "/ipam.json"));
  }

  NetworkOptions options_;
  std::string subnet_, gateway_;
  std::unique_ptr<PodNetwork> network_;
  std::vector<std::unique_ptr<PodNs>> pods_;
};

TEST_F(NetworkNetnsTest, PodsTalkToEachOtherAndTheHost) {
  ASSERT_TRUE(network_->Init().ok());
  Status again = network_->Init();
  ASSERT_TRUE(again.ok()) << again.message();
  // Idempotent Init: one jump each.
  std::string saved = Sh({"iptables-save"});
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t p = saved.find(needle); p != std::string::npos; p = saved.find(needle, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("-A POSTROUTING -j " + options_.chain_prefix + "-POSTROUTING"), 1u);
  EXPECT_EQ(count("-j " + options_.chain_prefix + "-HOSTPORTS"), 2u);  // PREROUTING, OUTPUT
  EXPECT_EQ(count("-A FORWARD -j " + options_.chain_prefix + "-FORWARD"), 1u);
  EXPECT_NE(Sh({"ip", "-4", "addr", "show", "dev", options_.bridge}).find(gateway_ + "/24"),
            std::string::npos);
  EXPECT_EQ(ReadFile("/proc/sys/net/ipv4/conf/" + options_.bridge + "/route_localnet"), "1");
  EXPECT_EQ(ReadFile("/proc/sys/net/ipv4/ip_forward"), "1");

  PodNs& a = NewPod();
  PodNs& b = NewPod();
  StatusOr<PodNetworkState> sa = network_->Setup("pod-a", a.path(), {});
  ASSERT_TRUE(sa.ok()) << sa.status().message();
  StatusOr<PodNetworkState> sb = network_->Setup("pod-b", b.path(), {});
  ASSERT_TRUE(sb.ok()) << sb.status().message();
  EXPECT_EQ(sa->ip, subnet_ + "2");
  EXPECT_EQ(sb->ip, subnet_ + "3");
  EXPECT_EQ(sa->gateway, gateway_);
  EXPECT_EQ(sa->host_veth, HostVethName("pod-a"));

  // Host side: on the bridge, up, hairpin on.
  const std::string sys = "/sys/class/net/" + sa->host_veth;
  EXPECT_EQ(std::filesystem::read_symlink(sys + "/master").filename(), options_.bridge);
  EXPECT_EQ(ReadFile(sys + "/brport/hairpin_mode"), "1");
  EXPECT_EQ(ReadFile(sys + "/operstate"), "up");
  EXPECT_EQ(ReadFile(sys + "/mtu"), "1500");
  // Pod side: eth0 with the address, lo up, default route.
  EXPECT_NE(InPod(a, {"ip", "-4", "-o", "addr", "show", "dev", "eth0"}).find(sa->ip + "/24"),
            std::string::npos);
  EXPECT_NE(InPod(a, {"ip", "-o", "link", "show", "lo"}).find(",UP"), std::string::npos);
  EXPECT_NE(InPod(a, {"ip", "route"}).find("default via " + gateway_ + " dev eth0"),
            std::string::npos);

  TcpServer server_b(b.path(), 8080, "b");
  ASSERT_TRUE(server_b.ok());
  StatusOr<std::string> r = Ask(a.path(), sb->ip, 8080);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "b saw " + sa->ip);  // pod to pod: not NATed
  r = Ask("", sb->ip, 8080);         // host to pod
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "b saw " + gateway_);
  r = Ask(b.path(), sb->ip, 8080);  // a pod to itself
  ASSERT_TRUE(r.ok()) << r.status().message();

  // Setup again: same address, same link (not rebuilt).
  const unsigned veth_index = ::if_nametoindex(sa->host_veth.c_str());
  StatusOr<PodNetworkState> sa2 = network_->Setup("pod-a", a.path(), {});
  ASSERT_TRUE(sa2.ok()) << sa2.status().message();
  EXPECT_EQ(sa2->ip, sa->ip);
  EXPECT_EQ(::if_nametoindex(sa->host_veth.c_str()), veth_index);

  // A new instance (a restarted kubelet) knows the addresses.
  network_ = New();
  StatusOr<std::string> ip_a = network_->IpOf("pod-a");
  ASSERT_TRUE(ip_a.ok());
  EXPECT_EQ(*ip_a, sa->ip);
  ASSERT_TRUE(network_->Init().ok());
  sa2 = network_->Setup("pod-a", a.path(), {});
  ASSERT_TRUE(sa2.ok());
  EXPECT_EQ(sa2->ip, sa->ip);
  r = Ask(a.path(), sb->ip, 8080);
  EXPECT_TRUE(r.ok()) << r.status().message();

  // Teardown: veth and eth0 gone, address released (and not handed out again at once).
  ASSERT_TRUE(network_->Teardown("pod-a").ok());
  EXPECT_FALSE(LinkExists(sa->host_veth));
  EXPECT_EQ(InPod(a, {"ip", "-o", "link", "show"}).find("eth0"), std::string::npos);
  EXPECT_EQ(network_->IpOf("pod-a").status().code(), Code::kNotFound);
  EXPECT_TRUE(network_->Teardown("pod-a").ok());
  PodNs& c = NewPod();
  StatusOr<PodNetworkState> sc = network_->Setup("pod-c", c.path(), {});
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  EXPECT_EQ(sc->ip, subnet_ + "4");
  // A pod set up again in a fresh namespace (a new sandbox with the old key) is rebuilt.
  StatusOr<PodNetworkState> sa3 = network_->Setup("pod-a", a.path(), {});
  ASSERT_TRUE(sa3.ok()) << sa3.status().message();
  r = Ask(a.path(), sb->ip, 8080);
  EXPECT_TRUE(r.ok()) << r.status().message();

  Status cleanup = network_->Cleanup();
  ASSERT_TRUE(cleanup.ok()) << cleanup.message();
  ExpectNothingLeft();
  EXPECT_TRUE(network_->Cleanup().ok());  // idempotent
}

TEST_F(NetworkNetnsTest, HostPortsFromLoopbackTheNodeAndTheirOwnPod) {
  ASSERT_TRUE(network_->Init().ok());
  PodNs& a = NewPod();
  PodNs& b = NewPod();
  const int port = FreeLoopbackPort();
  StatusOr<PodNetworkState> sa = network_->Setup("pod-a", a.path(), {{"TCP", port, 8080, ""}});
  ASSERT_TRUE(sa.ok()) << sa.status().message();
  const int port_b = FreeLoopbackPort();
  StatusOr<PodNetworkState> sb =
      network_->Setup("pod-b", b.path(), {{"TCP", port_b, 8080, "127.0.0.1"}});
  ASSERT_TRUE(sb.ok()) << sb.status().message();
  TcpServer server_a(a.path(), 8080, "a");
  TcpServer server_b(b.path(), 8080, "b");
  ASSERT_TRUE(server_a.ok() && server_b.ok());

  // 127.0.0.1 (route_localnet + MASQUERADE of 127/8), the node's bridge address.
  StatusOr<std::string> r = Ask("", "127.0.0.1", port);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "a saw " + gateway_);
  r = Ask("", gateway_, port);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->substr(0, 1), "a");
  // Another pod through the node, and the pod itself (hairpin: mark + MASQUERADE + port mode).
  r = Ask(b.path(), gateway_, port);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "a saw " + sb->ip);
  r = Ask(a.path(), gateway_, port);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "a saw " + gateway_);
  // hostIP 127.0.0.1 only.
  r = Ask("", "127.0.0.1", port_b);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->substr(0, 1), "b");
  EXPECT_FALSE(Ask("", gateway_, port_b, 500).ok());

  // Setup again with another port replaces the rules.
  const int port2 = FreeLoopbackPort();
  ASSERT_TRUE(network_->Setup("pod-a", a.path(), {{"TCP", port2, 8080, ""}}).ok());
  EXPECT_TRUE(Ask("", "127.0.0.1", port2).ok());
  EXPECT_FALSE(Ask("", "127.0.0.1", port, 500).ok());

  // Rules removed behind our back: the next Setup notices (its delete fails), re-reads, and
  // still converges.
  ExecIptablesRunner ipt;
  StatusOr<SavedTables> saved_now = ipt.Save();
  ASSERT_TRUE(saved_now.ok());
  IptablesLayout layout{options_.chain_prefix, options_.bridge, {}};
  ASSERT_TRUE(ipt.Restore(RenderReplace(HostPortRulesByKey(layout, *saved_now)["pod-a"], {})).ok());
  EXPECT_FALSE(Ask("", "127.0.0.1", port2, 500).ok());
  StatusOr<PodNetworkState> again = network_->Setup("pod-a", a.path(), {{"TCP", port2, 8080, ""}});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(Ask("", "127.0.0.1", port2).ok());

  // Teardown removes exactly pod-a's rules.
  ASSERT_TRUE(network_->Teardown("pod-a").ok());
  std::string saved = Sh({"iptables-save", "-t", "nat"});
  EXPECT_EQ(saved.find("pod-a"), std::string::npos) << saved;
  EXPECT_NE(saved.find("pod-b"), std::string::npos) << saved;
  EXPECT_FALSE(Ask("", "127.0.0.1", port2, 500).ok());
  EXPECT_TRUE(Ask("", "127.0.0.1", port_b).ok());

  ASSERT_TRUE(network_->Cleanup().ok());
  ExpectNothingLeft();
}

// Egress: a pod reaching a network beyond the node is masqueraded to the node's address.
// "Beyond" is a third namespace behind a veth of this test (10.251.<pid%250>.0/24).
TEST_F(NetworkNetnsTest, EgressIsMasqueraded) {
  ASSERT_TRUE(network_->Init().ok());
  PodNs& pod = NewPod();
  PodNs& outside = NewPod();
  StatusOr<PodNetworkState> s = network_->Setup("pod-a", pod.path(), {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  const std::string ext = "mkte" + std::to_string(::getpid());
  const std::string net = "10.251." + std::to_string(::getpid() % 250) + ".";
  const std::string opid = std::to_string(outside.pid());
  for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
           {"ip", "link", "add", ext, "type", "veth", "peer", "name", "eth1", "netns", opid},
           {"ip", "addr", "add", net + "1/24", "dev", ext},
           {"ip", "link", "set", ext, "up"},
           {"nsenter", "-t", opid, "-n", "ip", "addr", "add", net + "2/24", "dev", "eth1"},
           {"nsenter", "-t", opid, "-n", "ip", "link", "set", "eth1", "up"}}) {
    StatusOr<CommandResult> r = RunCommand(step);
    ASSERT_TRUE(r.ok() && r->exit_code == 0) << step[2] << " " << (r.ok() ? r->err : "");
  }
  TcpServer server(outside.path(), 9000, "out");
  StatusOr<std::string> r = Ask(pod.path(), net + "2", 9000);
  EXPECT_EQ(r.ok() ? *r : r.status().message(), "out saw " + net + "1");
  RunCommand({"ip", "link", "del", ext});
}

TEST_F(NetworkNetnsTest, TeardownAfterTheNamespaceIsGone) {
  ASSERT_TRUE(network_->Init().ok());
  PodNs& a = NewPod();
  const int port = FreeLoopbackPort();
  StatusOr<PodNetworkState> sa = network_->Setup("pod-a", a.path(), {{"UDP", port, 53, ""}});
  ASSERT_TRUE(sa.ok()) << sa.status().message();
  a.Stop();
  Status st = network_->Teardown("pod-a");
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(network_->IpOf("pod-a").status().code(), Code::kNotFound);
  EXPECT_EQ(Sh({"iptables-save", "-t", "nat"}).find("pod-a"), std::string::npos);
  // The kernel removes the pair with the namespace, asynchronously; either way it goes.
  for (int i = 0; i < 100 && LinkExists(sa->host_veth); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(LinkExists(sa->host_veth));
}

TEST_F(NetworkNetnsTest, FailedSetupLeaksNothing) {
  PodNs& a = NewPod();
  // Before Init: no bridge.
  StatusOr<PodNetworkState> s = network_->Setup("pod-a", a.path(), {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("Init"), std::string::npos) << s.status().message();
  ASSERT_TRUE(network_->Init().ok());
  s = network_->Setup("pod-a", "/proc/999999999/ns/net", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_EQ(network_->IpOf("pod-a").status().code(), Code::kNotFound);
  s = network_->Setup("pod-a", a.path(), {{"ICMP", 1, 1, ""}});
  EXPECT_EQ(s.status().code(), Code::kBadRequest);
  s = network_->Setup("bad key", a.path(), {});
  EXPECT_EQ(s.status().code(), Code::kBadRequest);
  EXPECT_EQ(network_->IpOf("pod-a").status().code(), Code::kNotFound);
  EXPECT_FALSE(LinkExists(HostVethName("pod-a")));
  // A namespace that already has a foreign eth0 is refused, and the address is given back.
  // (A veth pair inside the namespace: this kernel has no dummy driver.)
  ASSERT_EQ(InPod(a, {"ip", "link", "add", "eth0", "type", "veth", "peer", "name", "other"}), "");
  s = network_->Setup("pod-a", a.path(), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kAlreadyExists) << s.status().message();
  EXPECT_EQ(network_->IpOf("pod-a").status().code(), Code::kNotFound);
  EXPECT_FALSE(LinkExists(HostVethName("pod-a")));
}

// A corrupt allocator file stops Setup (no guessing which addresses are live) but not
// Cleanup, after which the network works again.
TEST_F(NetworkNetnsTest, CorruptStateBlocksSetupUntilCleanup) {
  ASSERT_TRUE(network_->Init().ok());
  std::filesystem::create_directories(options_.state_dir);
  std::ofstream(options_.state_dir + "/ipam.json") << "{\"cidr\": tru";
  network_ = New();
  PodNs& a = NewPod();
  StatusOr<PodNetworkState> s = network_->Setup("pod-a", a.path(), {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("corrupt"), std::string::npos) << s.status().message();
  EXPECT_FALSE(LinkExists(HostVethName("pod-a")));
  EXPECT_FALSE(network_->IpOf("pod-a").ok());
  ASSERT_TRUE(network_->Cleanup().ok());
  ExpectNothingLeft();
  ASSERT_TRUE(network_->Init().ok());
  s = network_->Setup("pod-a", a.path(), {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->ip, subnet_ + "2");
}

TEST_F(NetworkNetnsTest, ConcurrentSetups) {
  ASSERT_TRUE(network_->Init().ok());
  constexpr int kPods = 8;
  std::vector<PodNs*> pods;
  for (int i = 0; i < kPods; ++i) pods.push_back(&NewPod());
  std::vector<StatusOr<PodNetworkState>> results(kPods, Status(Code::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kPods; ++i)
    threads.emplace_back(
        [&, i] { results[i] = network_->Setup("pod-" + std::to_string(i), pods[i]->path(), {}); });
  for (auto& t : threads) t.join();
  std::set<std::string> ips;
  for (int i = 0; i < kPods; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().message();
    ips.insert(results[i]->ip);
  }
  EXPECT_EQ(ips.size(), size_t{kPods});
  TcpServer server(pods[0]->path(), 80, "p0");
  for (int i = 1; i < kPods; ++i) {
    StatusOr<std::string> r = Ask(pods[i]->path(), results[0]->ip, 80);
    EXPECT_TRUE(r.ok()) << r.status().message();
  }
  ASSERT_TRUE(network_->Cleanup().ok());
  ExpectNothingLeft();
}

// Setup latency, netlink vs the same steps done with `ip` commands. Prints the numbers.
TEST_F(NetworkNetnsTest, SetupLatencyNetlinkVersusIpCommands) {
  ASSERT_TRUE(network_->Init().ok());
  constexpr int kPods = 20;
  std::vector<PodNs*> pods;
  for (int i = 0; i < 2 * kPods; ++i) pods.push_back(&NewPod());
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::vector<double> netlink, ip_cmd, teardown, hostport;
  for (int i = 0; i < kPods; ++i) {
    auto t0 = Clock::now();
    StatusOr<PodNetworkState> s = network_->Setup("nl-" + std::to_string(i), pods[i]->path(), {});
    netlink.push_back(ms(Clock::now() - t0));
    ASSERT_TRUE(s.ok()) << s.status().message();
  }
  for (int i = 0; i < kPods; ++i) {
    auto t0 = Clock::now();
    ASSERT_TRUE(network_->Teardown("nl-" + std::to_string(i)).ok());
    teardown.push_back(ms(Clock::now() - t0));
  }
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    StatusOr<PodNetworkState> s =
        network_->Setup("hp-" + std::to_string(i), pods[i]->path(), {{"TCP", 20000 + i, 80, ""}});
    hostport.push_back(ms(Clock::now() - t0));
    ASSERT_TRUE(s.ok()) << s.status().message();
    ASSERT_TRUE(network_->Teardown("hp-" + std::to_string(i)).ok());
  }
  // The same pod plumbing with iproute2, as a CNI-less script would do it (no IPAM, no
  // iptables): 7 processes per pod.
  for (int i = 0; i < kPods; ++i) {
    const PodNs& pod = *pods[kPods + i];
    const std::string veth = "mkti" + std::to_string(::getpid()) + "x" + std::to_string(i);
    const std::string pid = std::to_string(pod.pid());
    const std::string ip = subnet_ + std::to_string(100 + i) + "/24";
    auto t0 = Clock::now();
    std::vector<std::vector<std::string>> steps = {
        {"ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", pid},
        {"ip", "link", "set", veth, "master", options_.bridge, "up"},
        {"ip", "link", "set", veth, "type", "bridge_slave", "hairpin", "on"},
        {"nsenter", "-t", pid, "-n", "ip", "link", "set", "lo", "up"},
        {"nsenter", "-t", pid, "-n", "ip", "link", "set", "eth0", "up"},
        {"nsenter", "-t", pid, "-n", "ip", "addr", "add", ip, "dev", "eth0"},
        {"nsenter", "-t", pid, "-n", "ip", "route", "add", "default", "via", gateway_},
    };
    for (const auto& step : steps) {
      StatusOr<CommandResult> r = RunCommand(step);
      ASSERT_TRUE(r.ok() && r->exit_code == 0) << step[3] << ": " << (r.ok() ? r->err : "");
    }
    ip_cmd.push_back(ms(Clock::now() - t0));
  }
  // The allocator alone (its fsyncs), for scale: Setup overlaps it with the plumbing.
  std::vector<double> alloc;
  StatusOr<std::unique_ptr<IpAllocator>> ipam =
      IpAllocator::Open(options_.state_dir + "/bench-ipam.json", *ParseCidr(options_.cidr));
  ASSERT_TRUE(ipam.ok());
  for (int i = 0; i < kPods; ++i) {
    auto t0 = Clock::now();
    ASSERT_TRUE((*ipam)->Allocate("b-" + std::to_string(i)).ok());
    alloc.push_back(ms(Clock::now() - t0));
  }
  std::filesystem::remove(options_.state_dir + "/bench-ipam.json");
  auto report = [](const char* what, std::vector<double> v) {
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v) sum += x;
    std::printf("%-32s n=%2zu mean %7.2f ms  p50 %7.2f ms  max %7.2f ms\n", what, v.size(),
                sum / static_cast<double>(v.size()), v[v.size() / 2], v.back());
  };
  report("Setup (netlink, no hostPort)", netlink);
  report("Setup (netlink, 1 hostPort)", hostport);
  report("Teardown (no hostPort)", teardown);
  report("same plumbing via ip commands", ip_cmd);
  report("IpAllocator::Allocate (fsyncs)", alloc);
  ASSERT_TRUE(network_->Cleanup().ok());  // removes the ip-made veths too: they are on the bridge
  ExpectNothingLeft();
}

}  // namespace
}  // namespace minik::net
