// DialLocalPort (kubelet/node_streams.h) into a real network namespace: the connection
// reaches the namespace's loopback and not the host's, refusals say so in containerd's words,
// and the calling thread's namespace is left alone. Needs root (skipped otherwise).
#include "kubelet/node_streams.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace minik {
namespace {

// A network namespace with loopback up, held by a child that waits; the listener is
// created inside it by a thread that entered it.
class TestNetns {
 public:
  TestNetns() {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) return;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      char ok = ::unshare(CLONE_NEWNET) == 0 ? '1' : '0';
      if (::write(ready[1], &ok, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char ok = 0;
    if (pid > 0 && ::read(ready[0], &ok, 1) == 1 && ok == '1') pid_ = pid;
    ::close(ready[0]);
    if (pid > 0 && pid_ == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  ~TestNetns() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ok() const { return pid_ > 0; }
  std::string path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }

  // Brings lo up and listens on 127.0.0.1:<any> inside; returns the listener (port in *port).
  int Listen(uint16_t* port) {
    int result = -1;
    std::thread t([&] {
      int ns = ::open(path().c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) return;
      ::close(ns);
      int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      struct ifreq ifr = {};
      std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
      ::ioctl(s, SIOCGIFFLAGS, &ifr);
      ifr.ifr_flags |= IFF_UP;
      ::ioctl(s, SIOCSIFFLAGS, &ifr);
      ::close(s);
      int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      struct sockaddr_in a = {};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l, 8) != 0) return;
      socklen_t len = sizeof a;
      ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
      *port = ntohs(a.sin_port);
      result = l;
    });
    t.join();
    return result;
  }

 private:
  pid_t pid_ = 0;
};

ino_t NetnsInode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

class NodeStreamsNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!ns_.ok()) GTEST_SKIP() << "cannot create a network namespace";
  }
  TestNetns ns_;
};

TEST_F(NodeStreamsNetnsTest, ConnectsToLoopbackInsideTheNamespace) {
  uint16_t port = 0;
  int l = ns_.Listen(&port);
  ASSERT_GE(l, 0);
  ino_t before = NetnsInode("/proc/thread-self/ns/net");
  auto fd = DialLocalPort(ns_.path(), port, "sandbox1");
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  EXPECT_EQ(NetnsInode("/proc/thread-self/ns/net"), before);  // the caller stays where it was
  int peer = ::accept(l, nullptr, nullptr);
  ASSERT_GE(peer, 0);
  ASSERT_EQ(::write(*fd, "hello", 5), 5);
  char buf[8] = {};
  ASSERT_EQ(::read(peer, buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(::fcntl(*fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(*fd, F_GETFD) & FD_CLOEXEC, 0);
  // Many connections at once.
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) {
    auto c = DialLocalPort(ns_.path(), port, "sandbox1");
    ASSERT_TRUE(c.ok()) << c.status().message();
    fds.push_back(*c);
  }
  for (int c : fds) ::close(c);
  ::close(peer);
  ::close(*fd);
  ::close(l);
}

TEST_F(NodeStreamsNetnsTest, RefusedConnectionsSayWhy) {
  uint16_t port = 0;
  int l = ns_.Listen(&port);
  ASSERT_GE(l, 0);
  ::close(l);  // nothing listens on that port any more
  auto fd = DialLocalPort(ns_.path(), port, "sb");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Code::kServiceUnavailable);
  std::string p = std::to_string(port);
  EXPECT_EQ(fd.status().message().rfind(
                "failed to connect to localhost:" + p +
                    " inside namespace \"sb\", IPv4: dial tcp4 127.0.0.1:" + p +
                    ": connect: connection refused IPv6 dial tcp6 [::1]:" + p + ": ",
                0),
            0u)
      << fd.status().message();

  auto missing = DialLocalPort("/proc/0/ns/net", 80, "sb");
  EXPECT_EQ(missing.status().code(), Code::kInternal);
}

TEST_F(NodeStreamsNetnsTest, TheNamespacesListenerIsNotTheHosts) {
  uint16_t port = 0;
  int l = ns_.Listen(&port);
  ASSERT_GE(l, 0);
  // On the host the port is (almost certainly) closed; whatever answers there, it is not
  // our listener, which must see no connection.
  auto host = DialLocalPort("", port, "host");
  if (host.ok()) ::close(*host);
  struct pollfd p = {l, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 100), 0);
  ::close(l);
}

}  // namespace
}  // namespace minik
