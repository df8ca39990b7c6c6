// Pure-logic tests of the container runtime's pieces (no root, no kernel features):
// capability sets, seccomp profile parsing, CRI log lines and rotation, overlay options,
// path resolution inside a rootfs, user resolution, cgroup mount parsing, record JSON.
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "kubelet/runtime/capabilities.h"
#include "kubelet/runtime/cgroups.h"
#include "kubelet/runtime/cri_log.h"
#include "kubelet/runtime/rootfs.h"
#include "kubelet/runtime/seccomp.h"
#include "kubelet/runtime/state.h"
#include "kubelet/runtime/sys.h"
#include "kubelet/runtime/user.h"

namespace minik::rt {
namespace {

constexpr CapMask kAll = (CapMask{1} << 41) - 1;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/minik-rtunit-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)RemoveAll(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Capabilities, ParseNames) {
  EXPECT_EQ(0, *ParseCapability("CHOWN"));
  EXPECT_EQ(0, *ParseCapability("cap_chown"));
  EXPECT_EQ(12, *ParseCapability("NET_ADMIN"));
  EXPECT_EQ(21, *ParseCapability("CAP_SYS_ADMIN"));
  EXPECT_EQ(40, *ParseCapability("CHECKPOINT_RESTORE"));
  EXPECT_EQ(Code::kBadRequest, ParseCapability("FLY").status().code());
  EXPECT_EQ(Code::kBadRequest, ParseCapability("").status().code());
  EXPECT_EQ("CAP_NET_RAW", CapabilityName(13));
}

TEST(Capabilities, DefaultSetIsDockers) {
  EXPECT_EQ(0xa80425fbULL, DefaultCapabilities());
  EXPECT_EQ(0xa80425fbULL, *ComputeCapabilities(false, {}, {}, kAll));
}

TEST(Capabilities, AddDropRules) {
  EXPECT_EQ(0u, *ComputeCapabilities(false, {}, {"ALL"}, kAll));
  EXPECT_EQ(0u, *ComputeCapabilities(false, {}, {"all"}, kAll));
  // drop ALL then add: only the added ones.
  EXPECT_EQ(CapMask{1} << 10, *ComputeCapabilities(false, {"NET_BIND_SERVICE"}, {"ALL"}, kAll));
  // add ALL, drop one.
  EXPECT_EQ(kAll & ~CapMask{1}, *ComputeCapabilities(false, {"ALL"}, {"CHOWN"}, kAll));
  EXPECT_EQ(0xa80425fbULL & ~(CapMask{1} << 13), *ComputeCapabilities(false, {}, {"NET_RAW"}, kAll));
  EXPECT_EQ(0xa80425fbULL | (CapMask{1} << 12),
            *ComputeCapabilities(false, {"CAP_NET_ADMIN"}, {}, kAll));
  // Privileged ignores add/drop, limited to what the runtime holds.
  CapMask held = kAll & ~(CapMask{1} << 24);
  EXPECT_EQ(held, *ComputeCapabilities(true, {}, {"ALL"}, held));
  EXPECT_EQ(held, *ComputeCapabilities(false, {"ALL"}, {}, held));
  EXPECT_EQ(Code::kBadRequest, ComputeCapabilities(false, {"BOGUS"}, {}, kAll).status().code());
  EXPECT_EQ(Code::kBadRequest, ComputeCapabilities(false, {}, {"BOGUS"}, kAll).status().code());
}

TEST(Seccomp, RuntimeDefaultCompiles) {
  SeccompProfile p = RuntimeDefaultProfile();
  EXPECT_EQ(SCMP_ACT_ALLOW, p.default_action);
  auto program = CompileSeccomp(p);
  ASSERT_TRUE(program.ok()) << program.status().message();
  EXPECT_GT(program->size(), 20u);
}

TEST(Seccomp, ParsesDockerStyleProfile) {
  auto p = ParseSeccompProfile(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [
      {"names": ["read", "write", "exit_group", "no_such_syscall"], "action": "SCMP_ACT_ALLOW"},
      {"name": "personality", "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["kill"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_KILL"]}},
      {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
    ]})",
                               DefaultCapabilities());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(SCMP_ACT_ERRNO(38), p->default_action);
  ASSERT_EQ(4u, p->rules.size());  // mount (no SYS_ADMIN) and kill (has KILL) left out
  EXPECT_EQ(4u, p->rules[0].names.size());
  EXPECT_EQ("personality", p->rules[1].names[0]);
  EXPECT_EQ(8u, p->rules[1].args[0].value);
  EXPECT_EQ(SCMP_ACT_ERRNO(1), p->rules[3].action);
  auto program = CompileSeccomp(*p);  // unknown syscall names are skipped
  ASSERT_TRUE(program.ok()) << program.status().message();
}

TEST(Seccomp, RejectsBadProfiles) {
  CapMask caps = DefaultCapabilities();
  EXPECT_FALSE(ParseSeccompProfile("", caps).ok());
  EXPECT_FALSE(ParseSeccompProfile("[]", caps).ok());
  EXPECT_FALSE(ParseSeccompProfile("{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", caps).ok());
  EXPECT_FALSE(ParseSeccompProfile("{}", caps).ok());  // no default action
  EXPECT_FALSE(ParseSeccompProfile(
                   R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]})",
                   caps)
                   .ok());
  EXPECT_FALSE(ParseSeccompProfile(
                   R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],
                       "action":"SCMP_ACT_ERRNO","args":[{"index":9,"value":1,"op":"SCMP_CMP_EQ"}]}]})",
                   caps)
                   .ok());
  EXPECT_FALSE(ParseSeccompProfile(
                   R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],
                       "action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]})",
                   caps)
                   .ok());
  EXPECT_FALSE(ParseSeccompProfile(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":{"a":1}})", caps).ok());
  EXPECT_FALSE(ParseSeccompProfile(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":"read","action":"SCMP_ACT_ERRNO"}]})", caps).ok());
}

TEST(CriLog, FormatsLines) {
  EXPECT_EQ("2024-01-02T03:04:05.000000006Z stdout F hello\n",
            FormatCriLine("2024-01-02T03:04:05.000000006Z", LogStream::kStdout, false, "hello"));
  EXPECT_EQ("T stderr P \n", FormatCriLine("T", LogStream::kStderr, true, ""));
  EXPECT_EQ("1970-01-01T00:00:01.000000002Z", FormatRfc3339Nano(1, 2));
  EXPECT_EQ("2001-09-09T01:46:40.123456789Z", FormatRfc3339Nano(1000000000, 123456789));
}

TEST(CriLog, SplitsLinesPartialsAndStreams) {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  CriLogWriter w(path, 1 << 20, [] { return std::string("T"); });
  ASSERT_TRUE(w.Open().ok());
  w.Append(LogStream::kStdout, "a\nb");
  w.Append(LogStream::kStderr, "err\n");
  w.Append(LogStream::kStdout, "c\n\n");
  w.Append(LogStream::kStdout, "tail");
  w.CloseStream(LogStream::kStdout);
  w.CloseStream(LogStream::kStderr);  // nothing pending
  EXPECT_EQ("T stdout F a\nT stderr F err\nT stdout F bc\nT stdout F \nT stdout P tail\n",
            Slurp(path));
}

TEST(CriLog, LongLinesAreSplitInto16KiBPieces) {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  CriLogWriter w(path, 1 << 20, [] { return std::string("T"); });
  ASSERT_TRUE(w.Open().ok());
  std::string line(40000, 'x');
  w.Append(LogStream::kStdout, line + "\n");
  std::string text = Slurp(path);
  std::string piece(16384, 'x');
  EXPECT_EQ("T stdout P " + piece + "\nT stdout P " + piece + "\nT stdout F " +
                std::string(40000 - 2 * 16384, 'x') + "\n",
            text);
}

TEST(CriLog, Rotates) {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  CriLogWriter w(path, 40, [] { return std::string("T"); });
  ASSERT_TRUE(w.Open().ok());
  w.Append(LogStream::kStdout, "0123456789\n");  // 24 bytes
  w.Append(LogStream::kStdout, "abcdefghij\n");  // would make 48 > 40: rotate first
  EXPECT_EQ("T stdout F 0123456789\n", Slurp(path + ".1"));
  EXPECT_EQ("T stdout F abcdefghij\n", Slurp(path));
  w.Append(LogStream::kStdout, "second\n");
  w.Append(LogStream::kStdout, "third\n");
  EXPECT_EQ("T stdout F abcdefghij\nT stdout F second\n", Slurp(path + ".1"));
  EXPECT_EQ("T stdout F third\n", Slurp(path));
}

TEST(CriLog, OpenFailsForMissingDirectory) {
  CriLogWriter w("/nonexistent-dir/x/0.log", 100);
  EXPECT_FALSE(w.Open().ok());
}

TEST(Overlay, OptionsListTopLayerFirstAndEscape) {
  EXPECT_EQ("lowerdir=/l/top:/l/mid:/l/base,upperdir=/c/upper,workdir=/c/work",
            OverlayOptions({"/l/base", "/l/mid", "/l/top"}, "/c/upper", "/c/work"));
  EXPECT_EQ("lowerdir=/a\\:b\\,c,upperdir=/u,workdir=/w", OverlayOptions({"/a:b,c"}, "/u", "/w"));
}

TEST(Overlay, RejectsNoLayers) {
  EXPECT_EQ(Code::kBadRequest, MountOverlay({}, "/u", "/w", "/t").code());
}

TEST(ResolveInRoot, KeepsSymlinksInside) {
  TempDir dir;
  std::string root = dir.path();
  ASSERT_TRUE(MkdirAll(root + "/etc/real").ok());
  ASSERT_EQ(0, ::symlink("/etc/real", (root + "/abs").c_str()));
  ASSERT_EQ(0, ::symlink("../../../../..", (root + "/up").c_str()));
  ASSERT_EQ(0, ::symlink("/", (root + "/etc/root").c_str()));
  ASSERT_EQ(0, ::symlink("loop2", (root + "/loop1").c_str()));
  ASSERT_EQ(0, ::symlink("loop1", (root + "/loop2").c_str()));
  EXPECT_EQ(root + "/etc/real/x", *ResolveInRoot(root, "/abs/x"));
  EXPECT_EQ(root + "/x", *ResolveInRoot(root, "/up/x"));
  EXPECT_EQ(root + "/etc", *ResolveInRoot(root, "/etc/root/etc"));
  EXPECT_EQ(root + "/a/b", *ResolveInRoot(root, "/../../a/./b"));
  EXPECT_EQ(root + "/missing/a", *ResolveInRoot(root, "/missing/../missing/a"));
  EXPECT_EQ(root, *ResolveInRoot(root, "/"));
  EXPECT_EQ(Code::kBadRequest, ResolveInRoot(root, "/loop1/x").status().code());
}

TEST(User, ResolvesFromImageFiles) {
  const std::string passwd =
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
      "app:x:1000:1001::/home/app:/bin/sh\nbroken\n";
  const std::string group = "root:x:0:\nwheel:x:10:app,other\nstaff:x:50:other\nbad\n";
  UserIds root = ResolveUser(std::nullopt, std::nullopt, {}, passwd, group);
  EXPECT_EQ(0u, root.uid);
  EXPECT_EQ(0u, root.gid);
  EXPECT_EQ("/root", root.home);
  EXPECT_TRUE(root.groups.empty());
  UserIds app = ResolveUser(1000, std::nullopt, {2000, 10}, passwd, group);
  EXPECT_EQ(1001u, app.gid);
  EXPECT_EQ("/home/app", app.home);
  EXPECT_EQ((std::vector<gid_t>{10, 2000}), app.groups);
  UserIds unknown = ResolveUser(4242, std::nullopt, {}, passwd, group);
  EXPECT_EQ(0u, unknown.gid);
  EXPECT_EQ("/", unknown.home);
  UserIds explicit_gid = ResolveUser(65534, 7, {}, passwd, group);
  EXPECT_EQ(7u, explicit_gid.gid);
  UserIds no_files = ResolveUser(5, 6, {}, "", "");
  EXPECT_EQ(5u, no_files.uid);
  EXPECT_EQ(6u, no_files.gid);
}

TEST(Cgroups, ParsesMountinfo) {
  const std::string mi =
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
      "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "garbage\n";
  std::vector<Hierarchy> h = ParseCgroupMounts(mi);
  ASSERT_EQ(4u, h.size());
  EXPECT_EQ("/sys/fs/cgroup/cpu,cpuacct", h[0].mount);
  EXPECT_EQ((std::vector<std::string>{"cpu", "cpuacct"}), h[0].controllers);
  EXPECT_EQ("/sys/fs/cgroup/memory", h[1].mount);
  EXPECT_TRUE(h[3].v2);
  Cgroup cg(h, "minik/p/pod1/c1");
  EXPECT_EQ("/sys/fs/cgroup/cpu,cpuacct/minik/p/pod1/c1", cg.Dir("cpuacct"));
  EXPECT_EQ("/sys/fs/cgroup/unified/minik/p/pod1/c1", cg.Dir(""));
  EXPECT_EQ("", cg.Dir("devices"));
}

TEST(Cgroups, Paths) {
  EXPECT_EQ("minik/p/podx/c1", *CgroupPath("minik/p", "podx", "c1"));
  EXPECT_EQ("minik/podx", *CgroupPath("minik", "/podx/", ""));
  EXPECT_EQ("minik/c1", *CgroupPath("minik", "", "c1"));
  EXPECT_EQ(Code::kBadRequest, CgroupPath("minik", "../etc", "c1").status().code());
  EXPECT_EQ(Code::kBadRequest, CgroupPath("", "", "").status().code());
}

TEST(State, ContainerPlanRoundTrips) {
  ContainerPlan p;
  p.spec.id = "c1";
  p.spec.sandbox_id = "s1";
  p.spec.rootfs_layers = {"/l1", "/l2"};
  p.spec.argv = {"sh", "-c", "echo"};
  p.spec.env = {"A=1"};
  p.spec.working_dir = "/w";
  p.spec.mounts.push_back(Mount{"/src", "/dst", "bind", true, ""});
  p.spec.security.uid = 1000;
  p.spec.security.cap_drop = {"ALL"};
  p.spec.security.seccomp = SeccompMode::kLocalhost;
  p.spec.security.seccomp_profile_path = "/p.json";
  p.spec.resources.memory_limit_bytes = 123;
  p.spec.resources.cpu_quota_us = 5000;
  p.spec.tty = true;
  p.spec.labels = {{"k", "v"}};
  p.sandbox_pid = 42;
  p.sandbox_start = 99;
  p.share_pid = true;
  p.cgroup = "minik/x/c1";
  auto back = ContainerPlanFromJson(ToJson(p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ToJson(p), ToJson(*back));
  EXPECT_EQ(1000, *back->spec.security.uid);
  EXPECT_FALSE(back->spec.security.gid.has_value());
  EXPECT_EQ(SeccompMode::kLocalhost, back->spec.security.seccomp);
}

TEST(State, RecordsRoundTripAndRejectBadJson) {
  ContainerRecord r;
  r.state.id = "c1";
  r.state.status = ContainerStatus::kExited;
  r.state.exit_code = 137;
  r.state.oom_killed = true;
  r.monitor_pid = 7;
  auto back = ContainerRecordFromJson(ToJson(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ContainerStatus::kExited, back->state.status);
  EXPECT_TRUE(back->state.oom_killed);
  EXPECT_EQ(7, back->monitor_pid);
  EXPECT_FALSE(ContainerRecordFromJson(Json{{"pid", "not a number"}}).ok());
  EXPECT_FALSE(SandboxRecordFromJson(Json{{"pid", 1}}).ok());  // no spec
  EXPECT_FALSE(ContainerPlanFromJson(Json::array()).ok());
}

TEST(Sys, ProcStartTimeAndSplit) {
  EXPECT_GT(ProcStartTime(::getpid()), 0u);
  EXPECT_TRUE(ProcessMatches(::getpid(), ProcStartTime(::getpid())));
  EXPECT_FALSE(ProcessMatches(::getpid(), ProcStartTime(::getpid()) + 1));
  EXPECT_FALSE(ProcessMatches(0, 0));
  EXPECT_EQ((std::vector<std::string>{"a", "b"}), Split("/a//b/", '/'));
}

}  // namespace
}  // namespace minik::rt
