// Integration tests of the Linux container runtime: real namespaces, cgroups, overlayfs and
// seccomp. Root only (skipped otherwise); they need the busybox test image built by
// ../shared/acceptance/images.sh beside the checkout (skipped when it cannot be built).
//
// Every test runs against its own state root and cgroup root ("minik-rttest-<pid>") and
// checks in TearDown that Cleanup() left no process, mount, cgroup or file behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "kubelet/runtime/runtime.h"
#include "kubelet/runtime/state.h"
#include "kubelet/runtime/sys.h"

namespace minik {
namespace {

using namespace std::chrono_literals;

std::string g_layer;  // extracted busybox layer (a lower dir)
std::string g_skip;   // why the suite is skipped

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The content of every complete stdout/stderr line of a CRI log, checking the format.
std::string LogContent(const std::string& path, const char* stream = "stdout") {
  static const std::regex kLine(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) (F|P) ([^\n]*)$)");
  std::string out;
  std::istringstream in(Slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, kLine)) << "bad CRI line: " << line;
    if (m.size() == 4 && m[1] == stream) out += m[3].str() + (m[2] == "F" ? "\n" : "");
  }
  return out;
}

class RuntimeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      g_skip = "needs root";
      return;
    }
    char tmpl[] = "/tmp/minik-rttest-image-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::string cmd =
        "set -e; t=$(bash " MINIK_SOURCE_DIR "/../shared/acceptance/images.sh busybox 2>/dev/null); cd " + dir +
        " && tar -xf \"$t\" && mkdir layer && tar -xf */layer.tar -C layer";
    if (std::system(cmd.c_str()) != 0) {
      g_skip = "cannot build the busybox test image";
      return;
    }
    g_layer = dir + "/layer";
  }
  static void TearDownTestSuite() {
    if (!g_layer.empty()) (void)rt::RemoveAll(g_layer.substr(0, g_layer.rfind('/')));
  }

  void SetUp() override {
    if (!g_skip.empty()) GTEST_SKIP() << g_skip;
    char tmpl[] = "/tmp/minik-rttest-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    cgroup_root_ = "minik-rttest-" + std::to_string(::getpid());
    Open();
  }

  void Open() {
    RuntimeOptions opts;
    opts.root = dir_ + "/runtime";
    opts.exe = "/proc/self/exe";
    opts.cgroup_root = cgroup_root_;
    auto r = OpenContainerRuntime(opts);
    ASSERT_TRUE(r.ok()) << r.status().message();
    rt_ = std::move(*r);
  }

  void TearDown() override {
    if (!rt_) return;
    Status st = rt_->Cleanup();
    EXPECT_TRUE(st.ok()) << st.message();
    rt_.reset();
    EXPECT_FALSE(rt::PathExists(dir_ + "/runtime"));
    EXPECT_TRUE(rt::MountPointsUnder(dir_).empty());
    for (const char* h : {"memory", "cpu", "cpuacct", "pids", "devices", "unified"}) {
      std::string cg = std::string("/sys/fs/cgroup/") + h + "/" + cgroup_root_;
      EXPECT_FALSE(rt::PathExists(cg)) << cg << " left behind";
    }
    (void)rt::RemoveAll(dir_);
  }

  SandboxSpec Sandbox(const std::string& id = "pod1") {
    SandboxSpec s;
    s.id = id;
    s.hostname = id == "pod1" ? "mypod" : id;
    s.cgroup_parent = "pod" + id;
    return s;
  }

  void RunSandbox(const std::string& id = "pod1") {
    auto s = rt_->RunSandbox(Sandbox(id));
    ASSERT_TRUE(s.ok()) << s.status().message();
    ASSERT_TRUE(s->running);
  }

  ContainerSpec Container(const std::string& id, std::vector<std::string> argv,
                          const std::string& sandbox = "pod1") {
    ContainerSpec c;
    c.id = id;
    c.sandbox_id = sandbox;
    c.rootfs_layers = {g_layer};
    c.argv = std::move(argv);
    c.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    c.cgroup_parent = "pod" + sandbox;
    c.log_path = dir_ + "/" + id + ".log";
    return c;
  }

  ContainerState Start(const ContainerSpec& c) {
    auto s = rt_->StartContainer(c);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : ContainerState{};
  }

  ContainerState WaitExit(const std::string& id, std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto s = rt_->Inspect(id);
      EXPECT_TRUE(s.ok()) << s.status().message();
      if (!s.ok() || s->status == ContainerStatus::kExited) return s.ok() ? *s : ContainerState{};
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << id << " did not exit";
        return *s;
      }
      std::this_thread::sleep_for(10ms);
    }
  }

  // Runs `script` with sh -c and returns its stdout (after it exited).
  std::string RunScript(const std::string& id, const std::string& script,
                        std::function<void(ContainerSpec&)> tweak = nullptr,
                        int* exit_code = nullptr) {
    ContainerSpec c = Container(id, {"sh", "-c", script});
    if (tweak) tweak(c);
    Start(c);
    ContainerState s = WaitExit(id);
    if (exit_code) *exit_code = s.exit_code;
    return LogContent(c.log_path);
  }

  bool WaitForLog(const std::string& path, const std::string& needle,
                  std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Slurp(path).find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  std::string dir_;
  std::string cgroup_root_;
  std::unique_ptr<ContainerRuntime> rt_;
};

TEST_F(RuntimeTest, SandboxHolderHasOwnNamespacesAndHostname) {
  RunSandbox();
  auto s = rt_->SandboxStatus("pod1");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->running);
  for (const char* ns : {"net", "uts", "ipc"}) {
    char self[256], pod[256];
    std::string a = std::string("/proc/self/ns/") + ns;
    std::string b = "/proc/" + std::to_string(s->pid) + "/ns/" + ns;
    ssize_t n1 = ::readlink(a.c_str(), self, sizeof self);
    ssize_t n2 = ::readlink(b.c_str(), pod, sizeof pod);
    ASSERT_GT(n1, 0);
    ASSERT_GT(n2, 0);
    EXPECT_NE(std::string(self, n1), std::string(pod, n2)) << ns;
  }
  EXPECT_EQ(1u, rt_->ListSandboxes().size());
  EXPECT_FALSE(rt_->RunSandbox(Sandbox()).ok());  // duplicate id
  ASSERT_TRUE(rt_->StopSandbox("pod1").ok());
  EXPECT_FALSE(rt_->SandboxStatus("pod1")->running);
  ASSERT_TRUE(rt_->RemoveSandbox("pod1").ok());
  EXPECT_FALSE(rt_->SandboxStatus("pod1").ok());
  EXPECT_TRUE(rt_->RemoveSandbox("pod1").ok());  // idempotent
}

TEST_F(RuntimeTest, RejectsBadIds) {
  SandboxSpec s = Sandbox();
  s.id = "Bad_Id";
  EXPECT_EQ(Code::kBadRequest, rt_->RunSandbox(s).status().code());
  RunSandbox();
  ContainerSpec c = Container("c1", {"true"});
  c.id = "../x";
  EXPECT_EQ(Code::kBadRequest, rt_->StartContainer(c).status().code());
  c = Container("c1", {"true"}, "nosuchpod");
  EXPECT_EQ(Code::kNotFound, rt_->StartContainer(c).status().code());
}

TEST_F(RuntimeTest, LogsInCriFormatAndExitCodes) {
  RunSandbox();
  ContainerSpec c = Container("c1", {"sh", "-c", "echo hello; echo oops >&2; printf tail; exit 3"});
  ContainerState started = Start(c);
  // The script can finish before StartContainer returns; either state is honest.
  EXPECT_TRUE(started.status == ContainerStatus::kRunning ||
              started.status == ContainerStatus::kExited);
  EXPECT_GT(started.pid, 0);
  EXPECT_FALSE(started.started_at.empty());
  ContainerState s = WaitExit("c1");
  EXPECT_EQ(3, s.exit_code);
  EXPECT_FALSE(s.oom_killed);
  EXPECT_TRUE(std::regex_match(s.finished_at,
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)")));
  EXPECT_EQ("hello\ntail", LogContent(c.log_path));
  EXPECT_EQ("oops\n", LogContent(c.log_path, "stderr"));
  EXPECT_NE(std::string::npos, Slurp(c.log_path).find(" stdout P tail\n"));
  int code = -1;
  RunScript("c2", "false", nullptr, &code);
  EXPECT_EQ(1, code);
  ASSERT_TRUE(rt_->RemoveContainer("c1").ok());
  EXPECT_EQ(Code::kNotFound, rt_->Inspect("c1").status().code());
  EXPECT_TRUE(rt::PathExists(c.log_path));  // logs stay
}

TEST_F(RuntimeTest, ExecFailureIsReported) {
  RunSandbox();
  auto r = rt_->StartContainer(Container("c1", {"nope"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ("exec: \"nope\": executable file not found in $PATH", r.status().message());
  auto s = rt_->Inspect("c1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ContainerStatus::kExited, s->status);
  EXPECT_EQ(128, s->exit_code);
  EXPECT_EQ(r.status().message(), s->message);
  r = rt_->StartContainer(Container("c2", {"/bin/nope"}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string::npos, r.status().message().find("no such file or directory"))
      << r.status().message();
  ContainerSpec c = Container("c3", {"true"});
  c.mounts.push_back(Mount{dir_ + "/does-not-exist", "/data", "bind", false, ""});
  r = rt_->StartContainer(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string::npos, r.status().message().find("does-not-exist"));
}

TEST_F(RuntimeTest, WorkingDirIsCreated) {
  RunSandbox();
  ContainerSpec c = Container("c1", {"pwd"});
  c.working_dir = "/srv/app";
  Start(c);
  EXPECT_EQ(0, WaitExit("c1").exit_code);
  EXPECT_EQ("/srv/app\n", LogContent(c.log_path));
}

TEST_F(RuntimeTest, GracefulStopDeliversSigterm) {
  RunSandbox();
  ContainerSpec c = Container(
      "c1", {"sh", "-c", "trap 'echo got-term; exit 0' TERM; echo ready; while true; do sleep 0.1; done"});
  Start(c);
  ASSERT_TRUE(WaitForLog(c.log_path, "ready"));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(rt_->StopContainer("c1", 30).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  auto s = rt_->Inspect("c1");
  EXPECT_EQ(ContainerStatus::kExited, s->status);
  EXPECT_EQ(0, s->exit_code);
  EXPECT_NE(std::string::npos, LogContent(c.log_path).find("got-term"));
  EXPECT_TRUE(rt_->StopContainer("c1", 30).ok());  // already stopped
}

TEST_F(RuntimeTest, SigkillAfterGracePeriod) {
  RunSandbox();
  Start(Container("c1", {"sleep", "1000"}));  // PID 1 without a handler ignores SIGTERM
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(rt_->StopContainer("c1", 1).ok());
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
  EXPECT_EQ(137, rt_->Inspect("c1")->exit_code);
}

TEST_F(RuntimeTest, OomKillIsReported) {
  RunSandbox();
  int code = 0;
  RunScript("c1", "dd if=/dev/zero of=/dev/null bs=100M count=1; exit 0",
            [](ContainerSpec& c) {
              c.argv = {"dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"};
              c.resources.memory_limit_bytes = 20 << 20;
            },
            &code);
  EXPECT_EQ(137, code);
  EXPECT_TRUE(rt_->Inspect("c1")->oom_killed);
  // The acceptance test's shell, which keeps 100 MB in a variable.
  RunScript("c2", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo \"allocated ${#x} bytes\"",
            [](ContainerSpec& c) { c.resources.memory_limit_bytes = 20 << 20; }, &code);
  EXPECT_EQ(137, code);
  EXPECT_TRUE(rt_->Inspect("c2")->oom_killed);
}

TEST_F(RuntimeTest, CgroupLimitsAreVisibleInside) {
  RunSandbox();
  std::string out = RunScript(
      "c1",
      "test -f /sys/fs/cgroup/memory.max && echo V2; "
      "echo MEM=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); "
      "echo CPU=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us); "
      "echo PIDS=$(cat /sys/fs/cgroup/pids/pids.max); "
      "echo x > /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || echo RO",
      [](ContainerSpec& c) {
        c.resources.memory_limit_bytes = 64 << 20;
        c.resources.cpu_quota_us = 50000;
        c.resources.cpu_shares = 512;
        c.resources.pids_limit = 100;
      });
  EXPECT_EQ("MEM=67108864\nCPU=50000 100000\nPIDS=100\nRO\n", out);
}

TEST_F(RuntimeTest, DefaultSecurity) {
  RunSandbox();
  std::string out = RunScript(
      "c1",
      "grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status; touch /tmp/x; "
      "chown nobody /tmp/x && echo CHOWN=allowed; unshare -U true 2>/dev/null || echo UNSHARE=denied; "
      "mount -t tmpfs none /tmp 2>/dev/null || echo MOUNT=denied; "
      "echo evil > /proc/sys/kernel/hostname 2>/dev/null || echo SYSCTL=denied; "
      "awk '$5 == \"/sys\" {print substr($6, 1, 3)}' /proc/self/mountinfo; ls /dev | tr '\\n' ' '; echo");
  EXPECT_NE(std::string::npos, out.find("CapEff:\t00000000a80425fb")) << out;
  EXPECT_NE(std::string::npos, out.find("CapBnd:\t00000000a80425fb")) << out;
  EXPECT_NE(std::string::npos, out.find("Seccomp:\t2")) << out;
  EXPECT_NE(std::string::npos, out.find("NoNewPrivs:\t0")) << out;
  EXPECT_NE(std::string::npos, out.find("CHOWN=allowed")) << out;
  EXPECT_NE(std::string::npos, out.find("UNSHARE=denied")) << out;
  EXPECT_NE(std::string::npos, out.find("MOUNT=denied")) << out;
  EXPECT_NE(std::string::npos, out.find("SYSCTL=denied")) << out;
  EXPECT_NE(std::string::npos, out.find("\nro,\n")) << out;  // /sys read-only
  EXPECT_NE(std::string::npos, out.find("null")) << out;
}

TEST_F(RuntimeTest, DropAllNoNewPrivsAndUnconfined) {
  RunSandbox();
  std::string out = RunScript(
      "c1",
      "grep -E '^(CapEff|Seccomp|NoNewPrivs):' /proc/self/status; touch /tmp/x; "
      "chown nobody /tmp/x 2>/dev/null && echo CHOWN=allowed || echo CHOWN=denied",
      [](ContainerSpec& c) {
        c.security.cap_drop = {"ALL"};
        c.security.no_new_privs = true;
      });
  EXPECT_NE(std::string::npos, out.find("CapEff:\t0000000000000000")) << out;
  EXPECT_NE(std::string::npos, out.find("NoNewPrivs:\t1")) << out;
  EXPECT_NE(std::string::npos, out.find("CHOWN=denied")) << out;
  out = RunScript("c2", "grep Seccomp: /proc/self/status; grep CapEff /proc/self/status",
                  [](ContainerSpec& c) {
                    c.security.seccomp = SeccompMode::kUnconfined;
                    c.security.cap_add = {"NET_ADMIN"};
                    c.security.cap_drop = {"CHOWN"};
                  });
  EXPECT_NE(std::string::npos, out.find("Seccomp:\t0")) << out;
  EXPECT_NE(std::string::npos, out.find("CapEff:\t00000000a80435fa")) << out;
}

TEST_F(RuntimeTest, LocalhostSeccompProfile) {
  RunSandbox();
  std::string profile = dir_ + "/profile.json";
  std::ofstream(profile) << R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
      {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]})";
  std::string out = RunScript("c1", "mkdir /tmp/d 2>/dev/null && echo MKDIR=ok || echo MKDIR=denied",
                              [&](ContainerSpec& c) {
                                c.security.seccomp = SeccompMode::kLocalhost;
                                c.security.seccomp_profile_path = profile;
                              });
  EXPECT_EQ("MKDIR=denied\n", out);
  ContainerSpec bad = Container("c2", {"true"});
  bad.security.seccomp = SeccompMode::kLocalhost;
  bad.security.seccomp_profile_path = dir_ + "/missing.json";
  EXPECT_FALSE(rt_->StartContainer(bad).ok());
}

TEST_F(RuntimeTest, RunAsUserAndGroups) {
  RunSandbox();
  std::string out = RunScript("c1", "id -u; id -g; id -G; grep CapEff /proc/self/status",
                              [](ContainerSpec& c) {
                                c.security.uid = 1000;
                                c.security.gid = 2000;
                                c.security.supplemental_groups = {3000};
                              });
  EXPECT_EQ("1000\n2000\n2000 3000\nCapEff:\t0000000000000000\n", out);
  out = RunScript("c2", "id -u; id -g", [](ContainerSpec& c) { c.security.uid = 65534; });
  EXPECT_EQ("65534\n65534\n", out);  // primary group from the image's /etc/passwd
}

TEST_F(RuntimeTest, ReadOnlyRootfs) {
  RunSandbox();
  std::string out = RunScript(
      "c1", "touch /probe 2>/dev/null && echo writable || echo readonly; touch /dev/shm/x && echo shm-ok",
      [](ContainerSpec& c) { c.security.read_only_rootfs = true; });
  EXPECT_EQ("readonly\nshm-ok\n", out);
}

TEST_F(RuntimeTest, PidNamespaceAndHostname) {
  RunSandbox();
  std::string out = RunScript("c1", "hostname; ps -o pid,args; echo end");
  std::istringstream in(out);
  std::string hostname, header, l1, l2, l3;
  std::getline(in, hostname);
  std::getline(in, header);
  std::getline(in, l1);
  std::getline(in, l2);
  EXPECT_EQ("mypod", hostname);
  EXPECT_TRUE(std::regex_search(l1, std::regex(R"(^\s*1\s+sh -c)"))) << out;
  std::getline(in, l3);
  EXPECT_EQ("end", l3) << out;  // sh and ps only
}

TEST_F(RuntimeTest, SharedPidNamespace) {
  SandboxSpec s = Sandbox("pod2");
  s.share_pid = true;
  ASSERT_TRUE(rt_->RunSandbox(s).ok());
  std::string out = RunScript("c1", "cat /proc/1/comm", [](ContainerSpec& c) {
    c.sandbox_id = "pod2";
  });
  EXPECT_EQ("minik-sandbox\n", out);
}

// An ephemeral container with targetContainerName: it joins the target's PID namespace and
// sees the target's processes (the target's command is PID 1 there).
TEST_F(RuntimeTest, JoinsAnotherContainersPidNamespace) {
  RunSandbox();
  ContainerSpec target = Container("target", {"sleep", "1000"});
  Start(target);
  std::string out = RunScript("debug", "cat /proc/1/cmdline | tr '\\0' ' '; echo", [](ContainerSpec& c) {
    c.pid_namespace_of = "target";
  });
  EXPECT_EQ("sleep 1000 \n", out);
  // Not the target's: its own namespace.
  EXPECT_EQ("sh\n", RunScript("own", "cat /proc/1/comm; true"));

  ContainerSpec unknown = Container("u1", {"true"});
  unknown.pid_namespace_of = "nope";
  EXPECT_EQ(rt_->StartContainer(unknown).status().code(), Code::kNotFound);
  ASSERT_TRUE(rt_->StopContainer("target", 0).ok());
  ContainerSpec stopped = Container("u2", {"true"});
  stopped.pid_namespace_of = "target";
  auto st = rt_->StartContainer(stopped);
  EXPECT_EQ(st.status().code(), Code::kConflict);
  EXPECT_EQ(st.status().message(), "container target is not running");
}

TEST_F(RuntimeTest, MountsBindTmpfsAndFiles) {
  RunSandbox();
  std::string host = dir_ + "/vol";
  ASSERT_TRUE(rt::MkdirAll(host).ok());
  std::ofstream(host + "/hello") << "from-host\n";
  std::ofstream(dir_ + "/file") << "a-file\n";
  std::string out = RunScript(
      "c1",
      "cat /data/hello; touch /data/x 2>/dev/null || echo data-ro; echo w > /rw/new && echo rw-ok; "
      "cat /etc/custom/file; grep ' /scratch ' /proc/self/mountinfo | grep -c tmpfs",
      [&](ContainerSpec& c) {
        c.mounts.push_back({host, "/data", "bind", true, ""});
        c.mounts.push_back({host, "/rw", "bind", false, ""});
        c.mounts.push_back({dir_ + "/file", "/etc/custom/file", "bind", true, ""});
        c.mounts.push_back({"", "/scratch", "tmpfs", false, "size=1m"});
      });
  EXPECT_EQ("from-host\ndata-ro\nrw-ok\na-file\n1\n", out);
  EXPECT_EQ("w\n", Slurp(host + "/new"));
}

TEST_F(RuntimeTest, SymlinksInTheImageCannotLeadMountsOut) {
  RunSandbox();
  // A second (upper) layer with an absolute symlink that, followed on the host, would
  // point at our test directory.
  std::string layer2 = dir_ + "/layer2";
  ASSERT_TRUE(rt::MkdirAll(layer2).ok());
  ASSERT_EQ(0, ::symlink((dir_).c_str(), (layer2 + "/evil").c_str()));
  ASSERT_EQ(0, ::symlink("../../../../..", (layer2 + "/up").c_str()));
  std::string out = RunScript(
      "c1", "test -d " + dir_ + "/x && echo x-inside; test -d /y && echo y-at-root; cat /bin/busybox >/dev/null && echo lower-ok",
      [&](ContainerSpec& c) {
        c.rootfs_layers.push_back(layer2);
        c.mounts.push_back({"", "/evil/x", "tmpfs", false, ""});
        c.mounts.push_back({"", "/up/y", "tmpfs", false, ""});
      });
  EXPECT_EQ("x-inside\ny-at-root\nlower-ok\n", out);
  EXPECT_FALSE(rt::PathExists(dir_ + "/x"));
  EXPECT_FALSE(rt::PathExists("/y"));
}

// Reads `fd` until EOF.
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

TEST_F(RuntimeTest, InteractiveExecWithPipes) {
  RunSandbox();
  Start(Container("c1", {"sleep", "1000"}));
  ExecOptions o;
  o.argv = {"sh", "-c", "read line; echo out:$line; echo err >&2; tty || true; exit 7"};
  o.stdin = true;
  auto s = rt_->Exec("c1", o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ExecSession& e = **s;
  EXPECT_GT(e.pid(), 0);
  ASSERT_EQ(5, ::write(e.stdin_fd(), "data\n", 5));
  e.CloseStdin();
  EXPECT_EQ("out:data\nnot a tty\n", ReadAll(e.stdout_fd()));
  EXPECT_EQ("err\n", ReadAll(e.stderr_fd()));
  auto code = e.Wait(5000);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(7, *code);
  EXPECT_EQ(Code::kBadRequest, e.Resize(80, 24).code());

  o = ExecOptions();
  o.argv = {"nope"};
  auto bad = rt_->Exec("c1", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ("exec: \"nope\": executable file not found in $PATH", bad.status().message());

  o.argv = {"sleep", "100"};
  auto slow = rt_->Exec("c1", o);
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(Code::kTimeout, (*slow)->Wait(100).status().code());
  (*slow)->Kill();
  EXPECT_EQ(137, *(*slow)->Wait(5000));
}

TEST_F(RuntimeTest, InteractiveExecWithTty) {
  RunSandbox();
  Start(Container("c1", {"sleep", "1000"}));
  ExecOptions o;
  o.argv = {"sh", "-c", "tty; stty size; read x; echo got:$x"};
  o.tty = true;
  o.stdin = true;
  auto s = rt_->Exec("c1", o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ExecSession& e = **s;
  EXPECT_EQ(-1, e.stderr_fd());
  ASSERT_TRUE(e.Resize(100, 30).ok());
  ASSERT_EQ(3, ::write(e.stdin_fd(), "hi\n", 3));
  auto code = e.Wait(5000);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(0, *code);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(e.stdout_fd(), buf, sizeof buf)) > 0) out.append(buf, n);  // EIO at the end
  EXPECT_TRUE(std::regex_search(out, std::regex("/dev/pts/[0-9]+"))) << out;
  EXPECT_NE(std::string::npos, out.find("30 100")) << out;
  EXPECT_NE(std::string::npos, out.find("got:hi")) << out;
}

TEST_F(RuntimeTest, AttachStdinOnce) {
  RunSandbox();
  ContainerSpec c = Container("c1", {"sh", "-c", "while read l; do echo got:$l; done; echo stdin-closed"});
  c.stdin = true;
  c.stdin_once = true;
  Start(c);
  auto fd = rt_->AttachStdin("c1");
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  ASSERT_EQ(10, ::write(*fd, "ping\npong\n", 10));
  ASSERT_TRUE(WaitForLog(c.log_path, "got:pong"));
  ::close(*fd);
  ContainerState s = WaitExit("c1");
  EXPECT_EQ(0, s.exit_code);
  EXPECT_EQ("got:ping\ngot:pong\nstdin-closed\n", LogContent(c.log_path));
  EXPECT_FALSE(rt_->AttachStdin("c1").ok());  // exited

  ContainerSpec plain = Container("c2", {"sleep", "1000"});
  Start(plain);
  EXPECT_EQ(Code::kBadRequest, rt_->AttachStdin("c2").status().code());
}

TEST_F(RuntimeTest, AttachStdinKeepsStdinOpenWithoutOnce) {
  RunSandbox();
  ContainerSpec c = Container("c1", {"sh", "-c", "while read l; do echo got:$l; done"});
  c.stdin = true;
  Start(c);
  for (const char* word : {"one", "two"}) {
    auto fd = rt_->AttachStdin("c1");
    ASSERT_TRUE(fd.ok()) << fd.status().message();
    std::string line = std::string(word) + "\n";
    ASSERT_EQ(static_cast<ssize_t>(line.size()), ::write(*fd, line.data(), line.size()));
    ASSERT_TRUE(WaitForLog(c.log_path, std::string("got:") + word));
    ::close(*fd);
  }
  EXPECT_EQ(ContainerStatus::kRunning, rt_->Inspect("c1")->status);
}

TEST_F(RuntimeTest, PrivilegedContainer) {
  RunSandbox();
  std::string out = RunScript(
      "c1",
      "grep -E '^(CapEff|Seccomp):' /proc/self/status; "
      "awk '$5 == \"/sys\" {print substr($6, 1, 3)}' /proc/self/mountinfo; "
      "mount -t tmpfs none /tmp && echo MOUNT=ok",
      [](ContainerSpec& c) { c.security.privileged = true; });
  EXPECT_NE(std::string::npos, out.find("Seccomp:\t0")) << out;
  EXPECT_NE(std::string::npos, out.find("rw,")) << out;
  EXPECT_NE(std::string::npos, out.find("MOUNT=ok")) << out;
  EXPECT_EQ(std::string::npos, out.find("CapEff:\t00000000a80425fb")) << out;
}

TEST_F(RuntimeTest, HostNetworkSandboxSharesHostNamespaces) {
  SandboxSpec s = Sandbox("pod3");
  s.host_network = true;
  auto sb = rt_->RunSandbox(s);
  ASSERT_TRUE(sb.ok()) << sb.status().message();
  char host[256] = {};
  ::gethostname(host, sizeof host);
  std::string out = RunScript("c1", "hostname; readlink /proc/1/ns/net",
                              [](ContainerSpec& c) { c.sandbox_id = "pod3"; });
  char self_net[256] = {};
  ASSERT_GT(::readlink("/proc/self/ns/net", self_net, sizeof self_net), 0);
  EXPECT_EQ(std::string(host) + "\n" + self_net + "\n", out);
}

TEST_F(RuntimeTest, ManyLayersBeyondThePageLimit) {
  RunSandbox();
  // 40 layers with long paths: overlay's options would exceed a page; each layer adds a file.
  std::vector<std::string> layers = {g_layer};
  std::string base = dir_ + "/" + std::string(120, 'l');
  for (int i = 0; i < 40; ++i) {
    std::string layer = base + "/layer-" + std::to_string(i);
    ASSERT_TRUE(rt::MkdirAll(layer + "/etc/layers").ok());
    std::ofstream(layer + "/etc/layers/" + std::to_string(i)) << i;
    std::ofstream(layer + "/etc/top") << i;  // the upper layers win
    layers.push_back(layer);
  }
  std::string out = RunScript("c1", "ls /etc/layers | wc -l; cat /etc/top; echo",
                              [&](ContainerSpec& c) { c.rootfs_layers = layers; });
  EXPECT_EQ("40\n39\n", out);
}

TEST_F(RuntimeTest, TtyOutputGoesToStdout) {
  RunSandbox();
  std::string out = RunScript("c1", "test -t 1 && echo is-a-tty; tty; echo err >&2",
                              [](ContainerSpec& c) { c.tty = true; });
  EXPECT_EQ("is-a-tty\r\n/dev/pts/0\r\nerr\r\n", out);  // the container's own devpts
}

TEST_F(RuntimeTest, ExecSync) {
  RunSandbox();
  ContainerSpec c = Container("c1", {"sleep", "1000"});
  c.security.uid = 1000;
  c.env.push_back("GREETING=hi");
  Start(c);
  std::string out;
  auto code = rt_->ExecSync(
      "c1",
      {"sh", "-c",
       "echo $GREETING; id -u; hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; "
       "ps -o comm | grep -c -e minik -e runtime_test; exit 4"},
      5000, &out);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(4, *code);
  EXPECT_EQ("hi\n1000\nmypod\nsleep 1000 \n0\n", out);  // the container's PID namespace
  auto t0 = std::chrono::steady_clock::now();
  code = rt_->ExecSync("c1", {"sleep", "100"}, 300, &out);
  EXPECT_EQ(Code::kTimeout, code.status().code());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  code = rt_->ExecSync("c1", {"nope"}, 5000, &out);
  EXPECT_FALSE(code.ok());
  EXPECT_NE(std::string::npos, code.status().message().find("executable file not found"));
  code = rt_->ExecSync("c1", {"sh", "-c", "head -c 100000 /dev/zero"}, 5000, &out);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(64u * 1024, out.size());
  ASSERT_TRUE(rt_->StopContainer("c1", 0).ok());
  EXPECT_EQ(Code::kConflict, rt_->ExecSync("c1", {"true"}, 1000, &out).status().code());
}

TEST_F(RuntimeTest, ExitHandlerIsCalled) {
  RunSandbox();
  std::mutex mu;
  std::vector<std::string> exited;
  rt_->SetExitHandler([&](const std::string& id) {
    std::lock_guard<std::mutex> lock(mu);
    exited.push_back(id);
  });
  Start(Container("c1", {"true"}));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!exited.empty()) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ("c1", exited[0]);
  EXPECT_EQ(ContainerStatus::kExited, rt_->Inspect("c1")->status);
  rt_->SetExitHandler(nullptr);
}

TEST_F(RuntimeTest, ReadoptsAfterReopen) {
  RunSandbox();
  Start(Container("c1", {"sleep", "1000"}));
  Start(Container("c2", {"true"}));
  WaitExit("c2");
  rt_.reset();  // the "server" goes away; sandbox and container keep running
  Open();
  auto sb = rt_->SandboxStatus("pod1");
  ASSERT_TRUE(sb.ok());
  EXPECT_TRUE(sb->running);
  auto c1 = rt_->Inspect("c1");
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ(ContainerStatus::kRunning, c1->status);
  EXPECT_EQ(ContainerStatus::kExited, rt_->Inspect("c2")->status);
  EXPECT_EQ(2u, rt_->ListContainers().size());
  ASSERT_TRUE(rt_->StopContainer("c1", 0).ok());
  EXPECT_EQ(137, rt_->Inspect("c1")->exit_code);
}

TEST_F(RuntimeTest, KilledMonitorDoesNotLeaveContainerUnkillable) {
  RunSandbox();
  Start(Container("c1", {"sleep", "1000"}));
  auto dir = dir_ + "/runtime/containers/c1/state.json";
  auto rec = rt::ContainerRecordFromJson(*rt::LoadJsonFile(dir));
  ASSERT_TRUE(rec.ok());
  int container_pid = rec->state.pid;
  ASSERT_EQ(0, ::kill(rec->monitor_pid, SIGKILL));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(ContainerStatus::kRunning, rt_->Inspect("c1")->status);
  ASSERT_TRUE(rt_->StopContainer("c1", 0).ok());
  auto s = rt_->Inspect("c1");
  EXPECT_EQ(ContainerStatus::kExited, s->status);
  EXPECT_EQ(137, s->exit_code);
  EXPECT_NE(std::string::npos, s->message.find("container state lost"));
  EXPECT_FALSE(rt::ProcessMatches(container_pid, rec->pid_start));
}

TEST_F(RuntimeTest, RemoveRunningContainerIsRefused) {
  RunSandbox();
  Start(Container("c1", {"sleep", "1000"}));
  EXPECT_EQ(Code::kConflict, rt_->RemoveContainer("c1").code());
  ASSERT_TRUE(rt_->StopSandbox("pod1").ok());  // kills the container first
  EXPECT_EQ(ContainerStatus::kExited, rt_->Inspect("c1")->status);
  ASSERT_TRUE(rt_->RemoveSandbox("pod1").ok());  // removes its containers
  EXPECT_EQ(Code::kNotFound, rt_->Inspect("c1").status().code());
}

// Children of this process named `comm`.
std::vector<int> ChildrenNamed(const std::string& comm) {
  std::vector<int> out;
  std::string me = std::to_string(::getpid());
  for (const std::string& pid : rt::Split(Slurp("/proc/self/task/" + me + "/children"), ' ')) {
    if (Slurp("/proc/" + pid + "/comm") == comm + "\n") out.push_back(std::stoi(pid));
  }
  return out;
}

TEST_F(RuntimeTest, ZygoteIsRestartedWhenKilled) {
  RunSandbox();
  std::vector<int> zygotes = ChildrenNamed("minik-zygote");
  ASSERT_EQ(1u, zygotes.size());
  ASSERT_EQ(0, ::kill(zygotes[0], SIGKILL));
  std::this_thread::sleep_for(50ms);
  Start(Container("c1", {"true"}));
  EXPECT_EQ(0, WaitExit("c1").exit_code);
  zygotes = ChildrenNamed("minik-zygote");
  ASSERT_EQ(1u, zygotes.size());
}

TEST_F(RuntimeTest, MissingLayerIsAStartError) {
  RunSandbox();
  ContainerSpec c = Container("c1", {"true"});
  c.rootfs_layers = {dir_ + "/no-such-layer"};
  auto r = rt_->StartContainer(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string::npos, r.status().message().find("overlay")) << r.status().message();
  EXPECT_EQ(128, rt_->Inspect("c1")->exit_code);
}

TEST_F(RuntimeTest, CleanupRemovesCgroupsWithoutRecords) {
  // A cgroup (with a process) under our root that no record mentions, e.g. after the state
  // directory was lost.
  for (const char* h : {"memory", "pids"}) {
    ASSERT_TRUE(rt::MkdirAll(std::string("/sys/fs/cgroup/") + h + "/" + cgroup_root_ + "/stray/x").ok());
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sleep", "sleep", "1000", nullptr);
    ::_exit(1);
  }
  for (const char* h : {"memory", "pids"}) {
    ASSERT_TRUE(rt::WriteFile(std::string("/sys/fs/cgroup/") + h + "/" + cgroup_root_ +
                                  "/stray/x/cgroup.procs",
                              std::to_string(pid))
                    .ok());
  }
  ASSERT_TRUE(rt_->Cleanup().ok());
  int status = 0;
  ASSERT_EQ(pid, ::waitpid(pid, &status, 0));
  EXPECT_TRUE(WIFSIGNALED(status));
  // TearDown checks that no cgroup is left.
}

TEST_F(RuntimeTest, CleanupKillsEverything) {
  RunSandbox();
  RunSandbox("pod2");
  ContainerState a = Start(Container("c1", {"sleep", "1000"}));
  ContainerState b = Start(Container("c2", {"sleep", "1000"}, "pod2"));
  int holder = rt_->SandboxStatus("pod2")->pid;
  ASSERT_TRUE(rt_->Cleanup().ok());
  for (int pid : {a.pid, b.pid, holder}) {
    std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
    EXPECT_TRUE(stat.empty() || stat.find(") Z") != std::string::npos) << pid << " alive";
  }
  EXPECT_TRUE(rt_->ListContainers().empty());
  EXPECT_TRUE(rt_->ListSandboxes().empty());
}

}  // namespace
}  // namespace minik

int main(int argc, char** argv) {
  if (auto rc = minik::RunRuntimeHelper(argc, argv)) return *rc;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
