// The kubelet's logs -f, exec, attach and port-forward (kubelet/streams.cc) over the real
// registry, with a fake runtime whose containers are log files the test writes and whose
// exec runs host processes: pod and container lookups, their errors, and the streams.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "api/schema.h"
#include "apiserver/registry.h"
#include "kubelet/kubelet.h"
#include "kubelet/runtime/cri_log.h"
#include "store/store.h"
#include "tests/controllers/test_util.h"

extern char** environ;

namespace minik {
namespace {

using testing::Eventually;
using Steady = std::chrono::steady_clock;
const ResourceRef kPods{"", "v1", "pods"};

// ---- fakes ----

// A host process with pipes, as the runtime's ExecSession.
class HostExecSession : public ExecSession {
 public:
  HostExecSession(pid_t pid, int in, int out, int err) : pid_(pid), in_(in), out_(out), err_(err) {}
  ~HostExecSession() override {
    for (int fd : {in_, out_, err_})
      if (fd >= 0) ::close(fd);
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int pid() const override { return pid_; }
  int stdin_fd() const override { return in_; }
  int stdout_fd() const override { return out_; }
  int stderr_fd() const override { return err_; }
  void CloseStdin() override {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }
  Status Resize(uint16_t, uint16_t) override { return BadRequest("no terminal"); }
  StatusOr<int> Wait(int timeout_ms) override {
    if (reaped_) return code_;
    auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return code_;
      }
      if (timeout_ms >= 0 && Steady::now() >= deadline) return Status(Code::kTimeout, "running");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  void Kill() override { ::kill(pid_, SIGKILL); }

 private:
  pid_t pid_;
  int in_, out_, err_;
  bool reaped_ = false;
  int code_ = 0;
};

class FakeRuntime : public ContainerRuntime {
 public:
  struct Container {
    ContainerSpec spec;
    ContainerState state;
  };

  StatusOr<SandboxState> RunSandbox(const SandboxSpec& spec) override {
    std::lock_guard<std::mutex> l(mu_);
    SandboxState s{spec.id, ::getpid(), true, spec.labels};
    sandboxes_[spec.id] = s;
    return s;
  }
  Status StopSandbox(const std::string& id) override {
    std::lock_guard<std::mutex> l(mu_);
    sandboxes_[id].running = false;
    return Status::Ok();
  }
  Status RemoveSandbox(const std::string& id) override {
    std::lock_guard<std::mutex> l(mu_);
    sandboxes_.erase(id);
    return Status::Ok();
  }
  StatusOr<SandboxState> SandboxStatus(const std::string& id) const override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = sandboxes_.find(id);
    if (it == sandboxes_.end()) return NotFound("sandboxes", id);
    return it->second;
  }
  std::vector<SandboxState> ListSandboxes() const override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<SandboxState> out;
    for (auto& [id, s] : sandboxes_) out.push_back(s);
    return out;
  }
  StatusOr<ContainerState> StartContainer(const ContainerSpec& spec) override {
    std::lock_guard<std::mutex> l(mu_);
    Container c;
    c.spec = spec;
    c.state.id = spec.id;
    c.state.status = ContainerStatus::kRunning;
    c.state.pid = ::getpid();
    c.state.started_at = FormatRfc3339(std::chrono::system_clock::now());
    c.state.labels = spec.labels;
    containers_[spec.id] = c;
    return c.state;
  }
  Status StopContainer(const std::string& id, int64_t) override {
    Exit(id, 137);
    return Status::Ok();
  }
  Status RemoveContainer(const std::string& id) override {
    std::lock_guard<std::mutex> l(mu_);
    containers_.erase(id);
    return Status::Ok();
  }
  StatusOr<ContainerState> Inspect(const std::string& id) const override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return NotFound("containers", id);
    return it->second.state;
  }
  std::vector<ContainerState> ListContainers() const override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<ContainerState> out;
    for (auto& [id, c] : containers_) out.push_back(c.state);
    return out;
  }
  void SetExitHandler(std::function<void(const std::string&)> h) override {
    std::lock_guard<std::mutex> l(mu_);
    handler_ = std::move(h);
  }
  StatusOr<int> ExecSync(const std::string&, const std::vector<std::string>&, int,
                         std::string*) override {
    return 0;
  }
  StatusOr<std::unique_ptr<ExecSession>> Exec(const std::string& id,
                                              const ExecOptions& options) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = containers_.find(id);
      if (it == containers_.end()) return NotFound("containers", id);
      if (it->second.state.status != ContainerStatus::kRunning) {
        return Status(Code::kConflict, "container " + id + " is not running");
      }
    }
    int in[2] = {-1, -1}, out[2], err[2];
    if (options.stdin && ::pipe2(in, O_CLOEXEC) != 0) return Internal("pipe");
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return Internal("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (options.stdin) {
      posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    } else {
      posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> argv;
    for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    for (int fd : {in[0], out[1], err[1]})
      if (fd >= 0) ::close(fd);
    if (rc != 0) {
      for (int fd : {in[1], out[0], err[0]})
        if (fd >= 0) ::close(fd);
      return Status(Code::kBadRequest,
                    "exec: \"" + options.argv[0] + "\": executable file not found in $PATH");
    }
    last_exec_pid_ = pid;
    return std::unique_ptr<ExecSession>(new HostExecSession(pid, in[1], out[0], err[0]));
  }
  StatusOr<int> AttachStdin(const std::string& id) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = containers_.find(id);
    if (it == containers_.end()) return NotFound("containers", id);
    if (!it->second.spec.stdin)
      return BadRequest("container " + id + " was not started with stdin");
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      return Internal("socketpair");
    if (stdin_peer_ >= 0) ::close(stdin_peer_);
    stdin_peer_ = sv[1];
    return sv[0];
  }
  Status Cleanup() override { return Status::Ok(); }

  // Test controls.
  void Exit(const std::string& id, int code) {
    std::function<void(const std::string&)> h;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = containers_.find(id);
      if (it == containers_.end()) return;
      it->second.state.status = ContainerStatus::kExited;
      it->second.state.exit_code = code;
      it->second.state.finished_at = FormatRfc3339(std::chrono::system_clock::now());
      h = handler_;
    }
    if (h) h(id);
  }
  std::optional<Container> ByName(const std::string& name) {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [id, c] : containers_)
      if (c.spec.log_path.find("/" + name + "/") != std::string::npos &&
          c.state.status == ContainerStatus::kRunning)
        return c;
    return std::nullopt;
  }
  // Every container (any state) whose log path names container `name`.
  std::vector<Container> AllByName(const std::string& name) {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<Container> out;
    for (auto& [id, c] : containers_)
      if (c.spec.log_path.find("/" + name + "/") != std::string::npos) out.push_back(c);
    return out;
  }
  int stdin_peer() {
    std::lock_guard<std::mutex> l(mu_);
    return stdin_peer_;
  }
  std::atomic<pid_t> last_exec_pid_{0};

 private:
  mutable std::mutex mu_;
  std::map<std::string, SandboxState> sandboxes_;
  std::map<std::string, Container> containers_;
  std::function<void(const std::string&)> handler_;
  int stdin_peer_ = -1;
};

class FakeImages : public ImageStore {
 public:
  StatusOr<std::vector<ImageInfo>> Load(const std::string&) override {
    return NotImplemented("load");
  }
  StatusOr<ImageInfo> Pull(const std::string& ref, const PullOptions&) override {
    return Resolve(ref);
  }
  StatusOr<ImageInfo> Resolve(const std::string& ref) const override {
    ImageInfo i;
    i.id = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    i.repo_tags = {ref};
    i.config = Json{{"Cmd", Json::array({"sh"})}};
    return i;
  }
  std::vector<ImageInfo> List() const override { return {}; }
  Status Remove(const std::string&) override { return Status::Ok(); }
};

class FakeNetwork : public PodNetwork {
 public:
  Status Init() override { return Status::Ok(); }
  StatusOr<PodNetworkState> Setup(const std::string&, const std::string&,
                                  const std::vector<HostPort>&) override {
    return PodNetworkState{"10.244.0.5", "10.244.0.1", "veth0"};
  }
  Status Teardown(const std::string&) override { return Status::Ok(); }
  StatusOr<std::string> IpOf(const std::string&) const override {
    return std::string("10.244.0.5");
  }
  Status Cleanup() override { return Status::Ok(); }
};

// ---- helpers ----

// A stream's exit code, or -1000 - the error code.
int ExitCodeOf(StatusOr<int> r) {
  return r.ok() ? *r : -1000 - static_cast<int>(r.status().code());
}

std::string ReadUpTo(int fd, size_t want, int timeout_ms = 3000) {
  std::string out;
  auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  while (out.size() < want) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    struct pollfd p = {fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, want - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string ReadToEof(int fd, int timeout_ms = 5000) {
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
    if (n == 0) return out;
    if (n < 0) return out + "<error>";
    out.append(buf, static_cast<size_t>(n));
  }
}

class KubeletStreamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-kls-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    RegisterBuiltinResources(resources_);
    store_ = NewMemStore();
    client_ = NewRegistry(*store_, resources_, BuiltinSchemas(), clock_);
    ASSERT_TRUE(
        client_->Create({"", "v1", "namespaces"}, "", Json{{"metadata", {{"name", "default"}}}})
            .ok());
    KubeletOptions o;
    o.node_name = "minik";
    o.state_dir = dir_;
    o.workers = 2;
    o.images = &images_;
    o.runtime = &runtime_;
    o.network = &network_;
    kubelet_ = NewKubelet(*client_, clock_, o);
    Status st = kubelet_->Start();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  void TearDown() override {
    if (kubelet_) kubelet_->Stop();
    kubelet_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }

  // Creates the pod and waits until its containers run; returns the fake container of `c`.
  FakeRuntime::Container RunPod(const std::string& name, Json spec, const std::string& c = "c") {
    if (!spec.contains("nodeName")) spec["nodeName"] = "minik";
    Json pod = {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"spec", spec}};
    auto created = client_->Create(kPods, "default", pod);
    EXPECT_TRUE(created.ok()) << created.status().message();
    std::optional<FakeRuntime::Container> fc;
    EXPECT_TRUE(Eventually(
        [&] {
          auto p = client_->Get(kPods, "default", name);
          fc = runtime_.ByName(c);
          return p.ok() && GetString(*p, {"status", "phase"}) == "Running" && fc;
        },
        std::chrono::milliseconds(10000)))
        << client_->Get(kPods, "default", name)->dump();
    return fc.value_or(FakeRuntime::Container{});
  }
  static Json OneContainer(Json extra = Json::object()) {
    Json c = {{"name", "c"}, {"image", "busybox"}};
    c.update(extra);
    return Json{{"containers", Json::array({c})}};
  }

  std::string dir_;
  RealClock clock_;
  ResourceRegistry resources_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  FakeRuntime runtime_;
  FakeImages images_;
  FakeNetwork network_;
  std::unique_ptr<Kubelet> kubelet_;
};

TEST_F(KubeletStreamsTest, FollowPodLogsFollowsTheContainerUntilItEnds) {
  auto c = RunPod("p", OneContainer());
  rt::CriLogWriter log(c.spec.log_path, 0);
  ASSERT_TRUE(log.Open().ok());
  log.Append(rt::LogStream::kStdout, "one\ntwo\n");
  PodLogOptions o;
  o.tail_lines = 1;
  auto s = kubelet_->FollowPodLogs("default", "p", o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  NodeStream& stream = **s;
  EXPECT_EQ(stream.stdin_fd(), -1);
  EXPECT_EQ(stream.stderr_fd(), -1);
  EXPECT_EQ(ReadUpTo(stream.stdout_fd(), 4), "two\n");
  log.Append(rt::LogStream::kStderr, "three\n");
  EXPECT_EQ(ReadUpTo(stream.stdout_fd(), 6), "three\n");
  EXPECT_EQ(stream.Wait(0).status().code(), Code::kTimeout);
  log.Append(rt::LogStream::kStdout, "bye\n");
  runtime_.Exit(c.spec.id, 0);
  EXPECT_EQ(ReadToEof(stream.stdout_fd()), "bye\n");
  auto code = stream.Wait(1000);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 0);
}

TEST_F(KubeletStreamsTest, FollowPodLogsErrorsAsPodLogs) {
  Json spec = {{"containers", Json::array({{{"name", "a"}, {"image", "busybox"}},
                                           {{"name", "b"}, {"image", "busybox"}}})}};
  RunPod("two", spec, "a");
  auto s = kubelet_->FollowPodLogs("default", "two", {});
  EXPECT_EQ(s.status().code(), Code::kBadRequest);
  EXPECT_EQ(s.status().message(),
            "a container name must be specified for pod two, choose one of: [a b]");
  PodLogOptions o;
  o.container = "zz";
  s = kubelet_->FollowPodLogs("default", "two", o);
  EXPECT_EQ(s.status().message(), "container zz is not valid for pod two");
  o.container = "a";
  o.previous = true;
  s = kubelet_->FollowPodLogs("default", "two", o);
  EXPECT_EQ(s.status().message(), "previous terminated container \"a\" in pod \"two\" not found");
  EXPECT_EQ(kubelet_->FollowPodLogs("default", "nope", {}).status().code(), Code::kNotFound);
  o.previous = false;
  o.since_time = "yesterday";
  EXPECT_EQ(kubelet_->FollowPodLogs("default", "two", o).status().code(), Code::kBadRequest);
}

TEST_F(KubeletStreamsTest, ExecRunsTheCommandWithSeparateStreamsAndItsExitCode) {
  RunPod("p", OneContainer());
  NodeExecRequest r;
  r.command = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  r.stdout = r.stderr = true;
  auto s = kubelet_->Exec("default", "p", r);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->stdin_fd(), -1);
  EXPECT_EQ(ReadToEof((*s)->stdout_fd()), "out\n");
  EXPECT_EQ(ReadToEof((*s)->stderr_fd()), "err\n");
  auto code = (*s)->Wait(-1);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 3);
  EXPECT_TRUE((*s)->Resize(80, 24).ok());  // no tty: ignored

  // stdin, and EOF on it.
  r = NodeExecRequest();
  r.command = {"cat"};
  r.stdin = r.stdout = true;
  s = kubelet_->Exec("default", "p", r);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->stderr_fd(), -1);
  ASSERT_EQ(::write((*s)->stdin_fd(), "abc", 3), 3);
  (*s)->CloseStdin();
  EXPECT_EQ(ReadToEof((*s)->stdout_fd()), "abc");
  EXPECT_EQ(ExitCodeOf((*s)->Wait(2000)), 0);

  // Outputs nobody asked for are drained: the command does not block on them.
  r = NodeExecRequest();
  r.command = {"sh", "-c", "head -c 300000 /dev/zero >&2; echo done"};
  r.stdout = true;
  s = kubelet_->Exec("default", "p", r);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->stderr_fd(), -1);
  EXPECT_EQ(ReadToEof((*s)->stdout_fd()), "done\n");
  EXPECT_EQ(ExitCodeOf((*s)->Wait(5000)), 0);
}

TEST_F(KubeletStreamsTest, ExecStartFailuresAreTheStreamsWaitAndKilledOnDestroy) {
  RunPod("p", OneContainer());
  NodeExecRequest r;
  r.command = {"no-such-command-here"};
  r.stdin = r.stdout = r.stderr = true;
  auto s = kubelet_->Exec("default", "p", r);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(ReadToEof((*s)->stdout_fd()), "");
  EXPECT_EQ(ReadToEof((*s)->stderr_fd()), "");
  EXPECT_EQ(::write((*s)->stdin_fd(), "x", 1), 1);  // discarded
  auto code = (*s)->Wait(0);
  EXPECT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("executable file not found"), std::string::npos);

  r = NodeExecRequest();
  r.command = {"sleep", "100"};
  r.stdout = true;
  s = kubelet_->Exec("default", "p", r);
  ASSERT_TRUE(s.ok());
  pid_t pid = runtime_.last_exec_pid_;
  ASSERT_GT(pid, 0);
  EXPECT_EQ((*s)->Wait(50).status().code(), Code::kTimeout);
  auto t0 = Steady::now();
  s->reset();
  EXPECT_LT(Steady::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(::kill(pid, 0), -1);  // killed and reaped
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(KubeletStreamsTest, ExecAndAttachNeedARunningContainer) {
  Json spec = OneContainer();
  spec["restartPolicy"] = "Never";
  auto c = RunPod("p", spec);
  NodeExecRequest r;
  r.stdout = true;
  auto s = kubelet_->Exec("default", "p", r);
  EXPECT_EQ(s.status().message(), "you must specify at least 1 command");
  r.command = {"true"};
  r.container = "x";
  EXPECT_EQ(kubelet_->Exec("default", "p", r).status().message(),
            "container x is not valid for pod p");
  EXPECT_EQ(kubelet_->Exec("default", "nope", r).status().code(), Code::kNotFound);
  r.container = "c";
  runtime_.Exit(c.spec.id, 1);
  s = kubelet_->Exec("default", "p", r);
  EXPECT_EQ(s.status().code(), Code::kBadRequest);
  EXPECT_EQ(s.status().message(), "container not found (\"c\")");
  auto a = kubelet_->Attach("default", "p", r);
  EXPECT_EQ(a.status().code(), Code::kBadRequest);
  EXPECT_EQ(a.status().message(), "container c not found in pod p_default");

  Json unbound = {{"metadata", {{"name", "u"}, {"namespace", "default"}}},
                  {"spec", OneContainer()}};
  ASSERT_TRUE(client_->Create(kPods, "default", unbound).ok());
  EXPECT_EQ(kubelet_->Exec("default", "u", r).status().message(),
            "pod u does not have a host assigned");
  EXPECT_EQ(kubelet_->PortForward("default", "u", 80).status().message(),
            "pod u does not have a host assigned");
}

TEST_F(KubeletStreamsTest, AttachShowsNewOutputTakesStdinAndEndsWithTheExitCode) {
  auto c = RunPod("p", OneContainer({{"stdin", true}}));
  rt::CriLogWriter log(c.spec.log_path, 0);
  ASSERT_TRUE(log.Open().ok());
  log.Append(rt::LogStream::kStdout, "before attach\n");
  NodeExecRequest r;
  r.stdin = r.stdout = r.stderr = true;
  auto s = kubelet_->Attach("default", "p", r);
  ASSERT_TRUE(s.ok()) << s.status().message();
  NodeStream& a = **s;
  ASSERT_GE(a.stdin_fd(), 0);
  ASSERT_GE(a.stderr_fd(), 0);
  ASSERT_EQ(::write(a.stdin_fd(), "typed\n", 6), 6);
  EXPECT_EQ(ReadUpTo(runtime_.stdin_peer(), 6), "typed\n");
  a.CloseStdin();
  EXPECT_EQ(ReadToEof(runtime_.stdin_peer()), "");
  log.Append(rt::LogStream::kStdout, "out\n");
  log.Append(rt::LogStream::kStderr, "err\n");
  EXPECT_EQ(ReadUpTo(a.stdout_fd(), 4), "out\n");
  EXPECT_EQ(ReadUpTo(a.stderr_fd(), 4), "err\n");
  EXPECT_EQ(a.Wait(0).status().code(), Code::kTimeout);
  log.Append(rt::LogStream::kStdout, "last\n");
  runtime_.Exit(c.spec.id, 7);
  EXPECT_EQ(ReadToEof(a.stdout_fd()), "last\n");
  EXPECT_EQ(ReadToEof(a.stderr_fd()), "");
  EXPECT_EQ(ExitCodeOf(a.Wait(2000)), 7);
}

TEST_F(KubeletStreamsTest, AttachIgnoresStdinWithoutStdinTrueAndMergesTty) {
  auto c = RunPod("p", OneContainer({{"tty", true}}));
  rt::CriLogWriter log(c.spec.log_path, 0);
  ASSERT_TRUE(log.Open().ok());
  NodeExecRequest r;
  r.stdin = r.stdout = true;
  r.tty = true;
  auto s = kubelet_->Attach("default", "p", r);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_GE((*s)->stdin_fd(), 0);
  EXPECT_EQ(::write((*s)->stdin_fd(), "ignored", 7), 7);
  EXPECT_EQ(runtime_.stdin_peer(), -1);  // never attached
  EXPECT_EQ((*s)->stderr_fd(), -1);
  log.Append(rt::LogStream::kStdout, "$ ");
  log.CloseStream(rt::LogStream::kStdout);
  log.Append(rt::LogStream::kStderr, "e\n");
  EXPECT_EQ(ReadUpTo((*s)->stdout_fd(), 4), "$ e\n");
}

TEST_F(KubeletStreamsTest, PortForwardConnectsToThePodsLocalhost) {
  RunPod("p", OneContainer());
  // The fake sandbox's network namespace is this process's own: listen on loopback here.
  int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(l, 4), 0);
  socklen_t len = sizeof a;
  ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t port = ntohs(a.sin_port);
  auto fd = kubelet_->PortForward("default", "p", port);
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  int peer = ::accept(l, nullptr, nullptr);
  ASSERT_GE(peer, 0);
  ASSERT_EQ(::write(*fd, "ping", 4), 4);
  EXPECT_EQ(ReadUpTo(peer, 4), "ping");
  EXPECT_NE(::fcntl(*fd, F_GETFD) & FD_CLOEXEC, 0);
  ::close(*fd);
  ::close(peer);
  ::close(l);  // nothing listens there any more

  auto refused = kubelet_->PortForward("default", "p", port);
  EXPECT_EQ(refused.status().code(), Code::kServiceUnavailable);
  EXPECT_NE(refused.status().message().find(
                "failed to connect to localhost:" + std::to_string(port) + " inside namespace \""),
            std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("IPv4: dial tcp4 127.0.0.1:" + std::to_string(port) +
                                            ": connect: connection refused"),
            std::string::npos)
      << refused.status().message();

  EXPECT_EQ(kubelet_->PortForward("default", "nope", port).status().code(), Code::kNotFound);
  Json other = {{"metadata", {{"name", "o"}, {"namespace", "default"}}}, {"spec", OneContainer()}};
  other["spec"]["nodeName"] = "elsewhere";
  ASSERT_TRUE(client_->Create(kPods, "default", other).ok());
  EXPECT_EQ(kubelet_->PortForward("default", "o", port).status().message(),
            "pod not found (\"o_default\")");
}

// ---- ephemeral containers (kubectl debug) ----

// What kubectl 1.32's `kubectl debug -it p --image=busybox:1.35 --target=c -- sh` sends to
// pods/ephemeralcontainers: a strategic merge patch adding one ephemeral container.
std::string DebugPatch(const std::string& name, const std::string& target) {
  Json ec = {{"name", name},
             {"image", "busybox:1.35"},
             {"command", Json::array({"sh"})},
             {"imagePullPolicy", "IfNotPresent"},
             {"resources", Json::object()},
             {"stdin", true},
             {"terminationMessagePolicy", "File"},
             {"tty", true}};
  if (!target.empty()) ec["targetContainerName"] = target;
  return Json{{"spec", {{"ephemeralContainers", Json::array({ec})}}}}.dump();
}

const Json* EphemeralStatus(const Json& pod, const std::string& name) {
  const Json* list = Find(pod, {"status", "ephemeralContainerStatuses"});
  if (!list || !list->is_array()) return nullptr;
  for (const Json& s : *list)
    if (GetString(s, {"name"}) == name) return &s;
  return nullptr;
}

bool PodReady(const Json& pod) {
  const Json* conds = Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) == "True";
  return false;
}

TEST_F(KubeletStreamsTest, EphemeralContainerRunsOnceInTheTargetsPidNamespace) {
  auto main = RunPod("p", OneContainer());
  auto patched = client_->Patch(kPods, "default", "p", PatchType::kStrategicMerge,
                                DebugPatch("debugger", "c"), {}, "ephemeralcontainers");
  ASSERT_TRUE(patched.ok()) << patched.status().message();

  // Started: its status is running, in the target's PID namespace, with the spec's stdin/tty.
  std::optional<FakeRuntime::Container> dbg;
  Json pod;
  ASSERT_TRUE(Eventually(
      [&] {
        auto p = client_->Get(kPods, "default", "p");
        if (!p.ok()) return false;
        pod = *p;
        const Json* s = EphemeralStatus(pod, "debugger");
        dbg = runtime_.ByName("debugger");
        return s && Find(*s, {"state", "running"}) && dbg;
      },
      std::chrono::milliseconds(10000)))
      << pod.dump();
  EXPECT_EQ(dbg->spec.pid_namespace_of, main.spec.id);
  EXPECT_TRUE(dbg->spec.stdin);
  EXPECT_TRUE(dbg->spec.tty);
  EXPECT_EQ(dbg->spec.argv, std::vector<std::string>({"sh"}));
  EXPECT_EQ(dbg->spec.labels["ephemeral"], "true");
  const Json& st = *EphemeralStatus(pod, "debugger");
  EXPECT_EQ(st["ready"], false);
  EXPECT_FALSE(st.contains("started"));
  EXPECT_EQ(st["restartCount"], 0);
  EXPECT_EQ(st["containerID"], "minik://" + dbg->spec.id);
  EXPECT_EQ(st["image"], "docker.io/library/busybox:1.35");
  EXPECT_FALSE(GetString(st, {"imageID"}).empty());
  EXPECT_EQ(GetString(pod, {"status", "phase"}), "Running");
  EXPECT_TRUE(PodReady(pod));
  ASSERT_EQ(pod["status"]["containerStatuses"].size(), 1u);

  // Attach (container=debugger): its stdin and its CRI log; exec and logs find it too.
  NodeExecRequest r;
  r.container = "debugger";
  r.stdin = r.stdout = true;
  r.tty = true;
  auto a = kubelet_->Attach("default", "p", r);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(::write((*a)->stdin_fd(), "ps\n", 3), 3);
  EXPECT_EQ(ReadUpTo(runtime_.stdin_peer(), 3), "ps\n");
  rt::CriLogWriter log(dbg->spec.log_path, 0);
  ASSERT_TRUE(log.Open().ok());
  log.Append(rt::LogStream::kStdout, "PID USER COMMAND\n");
  EXPECT_EQ(ReadUpTo((*a)->stdout_fd(), 17), "PID USER COMMAND\n");
  NodeExecRequest e;
  e.container = "debugger";
  e.command = {"sh", "-c", "echo hi"};
  e.stdout = true;
  auto ex = kubelet_->Exec("default", "p", e);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ReadToEof((*ex)->stdout_fd()), "hi\n");
  PodLogOptions lo;
  lo.container = "debugger";
  auto logs = kubelet_->PodLogs("default", "p", lo);
  ASSERT_TRUE(logs.ok()) << logs.status().message();
  EXPECT_EQ(*logs, "PID USER COMMAND\n");

  // It exits: attach ends with its code, the status says terminated, and it is not restarted
  // (whatever restartPolicy: here Always), even after more syncs.
  runtime_.Exit(dbg->spec.id, 3);
  EXPECT_EQ(ExitCodeOf((*a)->Wait(3000)), 3);
  ASSERT_TRUE(Eventually([&] {
    auto p = client_->Get(kPods, "default", "p");
    const Json* s = p.ok() ? EphemeralStatus(*p, "debugger") : nullptr;
    return s && GetInt(*s, {"state", "terminated", "exitCode"}) == 3;
  }));
  ASSERT_TRUE(client_
                  ->Patch(kPods, "default", "p", PatchType::kMerge,
                          R"({"metadata":{"labels":{"resync":"1"}}})")
                  .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pod = *client_->Get(kPods, "default", "p");
  EXPECT_EQ(runtime_.AllByName("debugger").size(), 1u);
  const Json& done = *EphemeralStatus(pod, "debugger");
  EXPECT_EQ(GetString(done, {"state", "terminated", "reason"}), "Error");
  EXPECT_EQ(done["restartCount"], 0);
  EXPECT_EQ(GetString(pod, {"status", "phase"}), "Running");
  EXPECT_TRUE(PodReady(pod));
  EXPECT_EQ(kubelet_->Attach("default", "p", r).status().message(),
            "container debugger not found in pod p_default");

  // Deleting the pod stops a running one like the others.
  ASSERT_TRUE(client_
                  ->Patch(kPods, "default", "p", PatchType::kStrategicMerge,
                          DebugPatch("debugger2", ""), {}, "ephemeralcontainers")
                  .ok());
  ASSERT_TRUE(Eventually([&] { return runtime_.ByName("debugger2").has_value(); }));
  EXPECT_EQ(runtime_.ByName("debugger2")->spec.pid_namespace_of, "");  // no target
  ASSERT_TRUE(client_->Delete(kPods, "default", "p").ok());
  ASSERT_TRUE(Eventually([&] { return !client_->Get(kPods, "default", "p").ok(); },
                         std::chrono::milliseconds(10000)));
  EXPECT_TRUE(runtime_.AllByName("debugger2").empty());  // stopped and removed
}

TEST_F(KubeletStreamsTest, EphemeralContainerWithATargetThatIsNotRunningWaits) {
  Json spec = {{"restartPolicy", "Never"},
               {"containers", Json::array({{{"name", "a"}, {"image", "busybox"}},
                                           {{"name", "b"}, {"image", "busybox"}}})}};
  RunPod("p", spec, "a");
  auto b = runtime_.ByName("b");
  ASSERT_TRUE(b);
  runtime_.Exit(b->spec.id, 0);
  ASSERT_TRUE(client_
                  ->Patch(kPods, "default", "p", PatchType::kStrategicMerge,
                          DebugPatch("debugger", "b"), {}, "ephemeralcontainers")
                  .ok());
  Json pod;
  ASSERT_TRUE(Eventually([&] {
    auto p = client_->Get(kPods, "default", "p");
    if (!p.ok()) return false;
    pod = *p;
    const Json* s = EphemeralStatus(pod, "debugger");
    return s && GetString(*s, {"state", "waiting", "reason"}) == "CreateContainerConfigError";
  })) << pod.dump();
  EXPECT_EQ(GetString(*EphemeralStatus(pod, "debugger"), {"state", "waiting", "message"}),
            "unable to find target container b");
  EXPECT_TRUE(runtime_.AllByName("debugger").empty());
  EXPECT_EQ(GetString(pod, {"status", "phase"}), "Running");
  // Attach to it is refused as to any container that does not run.
  NodeExecRequest r;
  r.container = "debugger";
  r.stdout = true;
  EXPECT_EQ(kubelet_->Attach("default", "p", r).status().message(),
            "container debugger not found in pod p_default");
}

// As upstream's SyncPod: ephemeral containers start even while initialization is not
// complete (to debug a stuck init container); the pod stays Pending and not Ready.
TEST_F(KubeletStreamsTest, EphemeralContainerStartsWhileInitRunsWithoutChangingThePhase) {
  Json spec = OneContainer();
  spec["initContainers"] = Json::array({{{"name", "init"}, {"image", "busybox"}}});
  spec["nodeName"] = "minik";
  Json pod = {{"metadata", {{"name", "p"}, {"namespace", "default"}}}, {"spec", spec}};
  ASSERT_TRUE(client_->Create(kPods, "default", pod).ok());
  ASSERT_TRUE(Eventually([&] { return runtime_.ByName("init").has_value(); }));
  ASSERT_TRUE(client_
                  ->Patch(kPods, "default", "p", PatchType::kStrategicMerge,
                          DebugPatch("debugger", "init"), {}, "ephemeralcontainers")
                  .ok());
  ASSERT_TRUE(Eventually([&] {
    auto p = client_->Get(kPods, "default", "p");
    const Json* s = p.ok() ? EphemeralStatus(*p, "debugger") : nullptr;
    return s && Find(*s, {"state", "running"});
  }));
  EXPECT_EQ(runtime_.ByName("debugger")->spec.pid_namespace_of, runtime_.ByName("init")->spec.id);
  auto p = client_->Get(kPods, "default", "p");
  EXPECT_EQ(GetString(*p, {"status", "phase"}), "Pending");
  EXPECT_FALSE(PodReady(*p));
  EXPECT_FALSE(runtime_.ByName("c").has_value());
}

}  // namespace
}  // namespace minik
