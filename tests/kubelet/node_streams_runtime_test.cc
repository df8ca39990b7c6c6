// The exec and attach NodeStreams (kubelet/node_streams.h) over the real Linux runtime:
// busybox containers, a pty, the attach socket, kill on destroy without zombies. Root only,
// with the busybox test image of ../shared/acceptance/images.sh (skipped otherwise); each
// test has its own state and cgroup root and cleans up.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "kubelet/node_streams.h"
#include "kubelet/runtime/runtime.h"

namespace minik {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

std::string g_layer;
std::string g_skip;

std::string ReadFor(int fd, const std::string& needle, int timeout_ms = 10000) {
  std::string out;
  auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  while (out.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    struct pollfd p = {fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string ReadToEof(int fd, int timeout_ms = 10000) {
  std::string out;
  auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    struct pollfd p = {fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return out + "<timeout>";
    }
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return out;  // EOF (or EIO: a pty whose process ended)
    out.append(buf, static_cast<size_t>(n));
  }
}

// Zombie children of this process (an unreaped helper or command).
int Zombies() {
  int count = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(e.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    if (state == 'Z' && ppid == ::getpid()) ++count;
  }
  return count;
}

class NodeStreamsRuntimeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      g_skip = "needs root";
      return;
    }
    char tmpl[] = "/tmp/minik-nsrt-image-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::string cmd = "set -e; t=$(bash " MINIK_SOURCE_DIR
                      "/../shared/acceptance/images.sh busybox 2>/dev/null); cd " +
                      dir + " && tar -xf \"$t\" && mkdir layer && tar -xf */layer.tar -C layer";
    if (std::system(cmd.c_str()) != 0) {
      g_skip = "cannot build the busybox test image";
      return;
    }
    g_layer = dir + "/layer";
  }
  static void TearDownTestSuite() {
    if (!g_layer.empty()) std::filesystem::remove_all(g_layer.substr(0, g_layer.rfind('/')));
  }

  void SetUp() override {
    if (!g_skip.empty()) GTEST_SKIP() << g_skip;
    char tmpl[] = "/tmp/minik-nsrt-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    RuntimeOptions opts;
    opts.root = dir_ + "/runtime";
    opts.cgroup_root = "minik-nsrt-" + std::to_string(::getpid());
    auto r = OpenContainerRuntime(opts);
    ASSERT_TRUE(r.ok()) << r.status().message();
    rt_ = std::move(*r);
    SandboxSpec s;
    s.id = "pod1";
    s.hostname = "pod1";
    s.cgroup_parent = "podpod1";
    auto sb = rt_->RunSandbox(s);
    ASSERT_TRUE(sb.ok()) << sb.status().message();
  }
  void TearDown() override {
    if (!rt_) return;
    EXPECT_TRUE(rt_->Cleanup().ok());
    rt_.reset();
    std::filesystem::remove_all(dir_);
  }

  ContainerSpec Container(const std::string& id, std::vector<std::string> argv) {
    ContainerSpec c;
    c.id = id;
    c.sandbox_id = "pod1";
    c.rootfs_layers = {g_layer};
    c.argv = std::move(argv);
    c.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    c.cgroup_parent = "podpod1";
    c.log_path = dir_ + "/" + id + ".log";
    return c;
  }
  void Start(const ContainerSpec& c) {
    auto s = rt_->StartContainer(c);
    ASSERT_TRUE(s.ok()) << s.status().message();
  }

  std::string dir_;
  std::unique_ptr<ContainerRuntime> rt_;
};

TEST_F(NodeStreamsRuntimeTest, ExecStreamsStartFailuresAndKillOnDestroy) {
  Start(Container("c1", {"sleep", "1000"}));
  NodeExecRequest r;
  r.stdout = r.stderr = true;
  ExecOptions o;
  o.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  auto s = NewExecStream(rt_->Exec("c1", o), r);
  EXPECT_EQ(ReadToEof(s->stdout_fd()), "out\n");
  EXPECT_EQ(ReadToEof(s->stderr_fd()), "err\n");
  auto code = s->Wait(10000);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 3);

  o.argv = {"nope"};
  s = NewExecStream(rt_->Exec("c1", o), r);
  EXPECT_EQ(ReadToEof(s->stdout_fd()), "");
  code = s->Wait(0);
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("executable file not found"), std::string::npos)
      << code.status().message();

  o.argv = {"sleep", "777"};
  s = NewExecStream(rt_->Exec("c1", o), r);
  EXPECT_EQ(s->Wait(100).status().code(), Code::kTimeout);
  s.reset();  // the client went away: killed and reaped
  std::string ps;
  ASSERT_TRUE(rt_->ExecSync("c1", {"ps"}, 10000, &ps).ok());
  EXPECT_EQ(ps.find("sleep 777"), std::string::npos) << ps;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(Zombies(), 0);
}

TEST_F(NodeStreamsRuntimeTest, ExecWithATerminalHonoursResize) {
  Start(Container("c1", {"sleep", "1000"}));
  NodeExecRequest r;
  r.stdin = r.stdout = r.tty = true;
  ExecOptions o;
  o.argv = {"sh", "-c", "read x; stty size"};
  o.tty = o.stdin = true;
  auto s = NewExecStream(rt_->Exec("c1", o), r);
  EXPECT_EQ(s->stderr_fd(), -1);
  ASSERT_TRUE(s->Resize(100, 30).ok());
  ASSERT_EQ(::write(s->stdin_fd(), "\n", 1), 1);
  EXPECT_NE(ReadFor(s->stdout_fd(), "30 100").find("30 100"), std::string::npos);
  EXPECT_EQ(s->Wait(10000).value(), 0);
}

TEST_F(NodeStreamsRuntimeTest, AttachFollowsOutputFeedsStdinAndEndsWithTheExitCode) {
  ContainerSpec c = Container(
      "c1",
      {"sh", "-c", "echo early; while read l; do echo got $l; echo err $l >&2; done; exit 4"});
  c.stdin = c.stdin_once = true;
  Start(c);
  // Output written before the attach is not shown.
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(c.log_path);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find("early") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  auto sock = rt_->AttachStdin("c1");
  ASSERT_TRUE(sock.ok()) << sock.status().message();
  NodeExecRequest r;
  r.stdin = r.stdout = r.stderr = true;
  auto s = NewAttachStream(*rt_, "c1", c.log_path, false, r, *sock);
  ASSERT_TRUE(s.ok()) << s.status().message();
  NodeStream& a = **s;
  ASSERT_EQ(::write(a.stdin_fd(), "a\n", 2), 2);
  EXPECT_EQ(ReadFor(a.stdout_fd(), "got a\n"), "got a\n");
  EXPECT_EQ(ReadFor(a.stderr_fd(), "err a\n"), "err a\n");
  EXPECT_EQ(a.Wait(0).status().code(), Code::kTimeout);
  a.CloseStdin();  // stdinOnce: the container's stdin closes, the loop ends
  EXPECT_EQ(ReadToEof(a.stdout_fd()), "");
  EXPECT_EQ(ReadToEof(a.stderr_fd()), "");
  auto code = a.Wait(10000);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 4);
}

TEST_F(NodeStreamsRuntimeTest, AttachToATerminalResizesIt) {
  ContainerSpec c = Container("c1", {"sh"});
  c.stdin = c.tty = true;
  Start(c);
  auto sock = rt_->AttachStdin("c1");
  ASSERT_TRUE(sock.ok()) << sock.status().message();
  NodeExecRequest r;
  r.stdin = r.stdout = r.tty = true;
  auto s = NewAttachStream(*rt_, "c1", c.log_path, true, r, *sock);
  ASSERT_TRUE(s.ok()) << s.status().message();
  NodeStream& a = **s;
  EXPECT_EQ(a.stderr_fd(), -1);
  Status st = a.Resize(120, 40);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(::write(a.stdin_fd(), "stty size; echo ok >&2\n", 23), 23);
  std::string out = ReadFor(a.stdout_fd(), "40 120");
  EXPECT_NE(out.find("40 120"), std::string::npos) << out;
  ASSERT_EQ(::write(a.stdin_fd(), "exit 5\n", 7), 7);
  ReadToEof(a.stdout_fd());
  EXPECT_EQ(a.Wait(10000).value(), 5);
}

}  // namespace
}  // namespace minik

int main(int argc, char** argv) {
  if (auto rc = minik::RunRuntimeHelper(argc, argv)) return *rc;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
