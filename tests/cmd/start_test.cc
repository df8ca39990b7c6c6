// `minik start`, `status` and `stop` against a stand-in server: `openssl s_server -WWW`
// serving /readyz and the Node from files, with the profile's serving certificate. No minik
// cluster is started; the stand-in runs as "minik server --profile P" like the real one.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>

#include "api/json.h"
#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/kubeconfig.h"
#include "cmd/process.h"
#include "cmd/profile.h"

namespace minik {
namespace {

// Run by /bin/sh as argv {"minik", "server", "--profile", P} from the test directory, so sh
// reads this file ("./server") and its command line looks like the real server's.
constexpr const char* kFakeServer = R"(P=$2
PROFILE_DIR=$MINIK_HOME/profiles/$P
PORT=$(sed -n 's/.*"apiPort": *\([0-9]*\).*/\1/p' "$PROFILE_DIR/config.json")
if [ "$FAKE_MODE" = fail ]; then echo "boom: cannot start" >&2; exit 3; fi
cd "$FAKE_WWW" || exit 4
openssl s_server -quiet -WWW -accept "127.0.0.1:$PORT" \
  -cert "$PROFILE_DIR/pki/apiserver.crt" -key "$PROFILE_DIR/pki/apiserver.key" &
child=$!
printf 'store\t1\tfake\nAPI server\t2\t\n' >"$PROFILE_DIR/progress"
[ "$FAKE_MODE" = slow ] || printf 'ready\t0\t\n' >>"$PROFILE_DIR/progress"
trap 'kill $child; wait $child; exit 0' TERM INT
wait $child
)";

constexpr const char* kReadyNode =
    R"({"kind":"Node","status":{"conditions":[{"type":"Ready","status":"True"}]}})";
constexpr const char* kNotReadyNode =
    R"({"kind":"Node","status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"}]}})";

struct Result {
  int code = -1;
  std::string out, err;
};

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class StartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (system("command -v openssl >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the openssl command (the stand-in server) is not installed";
    }
    char tmpl[] = "/tmp/minik-start-XXXXXX";
    dir_ = mkdtemp(tmpl);
    home_ = dir_ + "/home";
    www_ = dir_ + "/www";
    paths_ = PathsFor(home_, "minik");
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/server", kFakeServer, 0755).ok());
    ASSERT_TRUE(MakeDirs(www_ + "/api/v1/nodes").ok());
    ASSERT_TRUE(WriteFileAtomic(www_ + "/readyz", "ok", 0644).ok());
    SetNode(kReadyNode);
    // A free port for the profile, so the test never touches 8443.
    ASSERT_TRUE(MakeDirs(paths_.dir).ok());
    ASSERT_TRUE(SaveProfileConfig(paths_, {.name = "minik",
                                           .api_port = FreePort(),
                                           .pod_cidr_index = 0,
                                           .ephemeral = false,
                                           .simulated_nodes = 0})
                    .ok());
  }
  void TearDown() override {
    if (dir_.empty()) return;
    auto pid = ReadPidFile(paths_.pid);
    if (pid.ok() && IsServerProcess(*pid, "minik")) TerminateProcess(*pid, std::chrono::seconds(5));
    std::filesystem::remove_all(dir_);
  }
  void SetNode(const char* json) {
    ASSERT_TRUE(WriteFileAtomic(www_ + "/api/v1/nodes/minik", json, 0644).ok());
  }

  // Runs `fn` in a child with the test's environment and captured output.
  Result Run(const std::function<int()>& fn, const std::string& mode = "") {
    std::string tag = std::to_string(runs_++);
    std::string out_path = dir_ + "/out" + tag, err_path = dir_ + "/err" + tag;
    std::cout.flush();
    pid_t pid = fork();
    if (pid == 0) {
      int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      setenv("MINIK_HOME", home_.c_str(), 1);
      setenv("MINIK_RUN_DIR", (dir_ + "/run").c_str(), 1);
      setenv("KUBECONFIG", (dir_ + "/kubeconfig").c_str(), 1);
      setenv("FAKE_WWW", www_.c_str(), 1);
      setenv("FAKE_MODE", mode.c_str(), 1);
      if (chdir(dir_.c_str()) != 0) _exit(98);
      int rc = fn();
      std::cout.flush();
      std::cerr.flush();
      fflush(nullptr);
      _exit(rc);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    Result r;
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = ReadFile(out_path).ok() ? *ReadFile(out_path) : "";
    r.err = ReadFile(err_path).ok() ? *ReadFile(err_path) : "";
    return r;
  }

  std::function<int()> Start(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return [timeout] {
      CliArgs args;
      args.command = "start";
      return StartCommand(args, {.server_exe = "/bin/sh", .ready_timeout = timeout});
    };
  }
  static std::function<int()> Cmd(int (*command)(const CliArgs&)) {
    return [command] { return command(CliArgs{}); };
  }

  std::string dir_, home_, www_;
  ProfilePaths paths_;
  int runs_ = 0;
};

std::string LastLine(const std::string& s) {
  std::string t = s;
  if (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
}

TEST_F(StartTest, StartStatusStopAndStartAgain) {
  Result start = Run(Start());
  ASSERT_EQ(start.code, 0) << start.out << start.err;
  // The server's steps (from its progress file) come between start's own.
  for (const char* step : {"\u2713 certificates (", "\u2713 store: fake (1 ms)\n",
                           "\u2713 API server (2 ms)\n", "\u2713 ready (0 ms)\n",
                           "\u2713 kubeconfig: context minik in ", "minik is running ("}) {
    EXPECT_NE(start.out.find(step), std::string::npos) << step << "\n" << start.out;
  }
  auto pid = ReadPidFile(paths_.pid);
  ASSERT_TRUE(pid.ok());
  EXPECT_TRUE(IsServerProcess(*pid, "minik"));
  auto config = LoadProfileConfig(paths_);
  auto kubeconfig = ReadFile(dir_ + "/kubeconfig");
  ASSERT_TRUE(kubeconfig.ok());
  EXPECT_TRUE(KubeconfigHasContext(*kubeconfig, "minik",
                                   "https://127.0.0.1:" + std::to_string(config->api_port)));

  Result again = Run(Start());
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("minik is already running (profile minik, pid " + std::to_string(*pid)),
            std::string::npos)
      << again.out;
  EXPECT_EQ(*ReadPidFile(paths_.pid), *pid);

  Result status = Run(Cmd(StatusCommand));
  EXPECT_EQ(status.code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("host: Running\napiserver: Running\nkubelet: Running\n"
                            "kubeconfig: Configured\n"),
            std::string::npos)
      << status.out;

  Result stop = Run(Cmd(StopCommand));
  EXPECT_EQ(stop.code, 0) << stop.err;
  EXPECT_NE(stop.out.find("stopped minik"), std::string::npos) << stop.out;
  EXPECT_FALSE(ProcessAlive(*pid));
  EXPECT_FALSE(PathExists(paths_.pid));
  EXPECT_EQ(Run(Cmd(StatusCommand)).code, kExitNotRunning);

  // State is kept: a second start reuses the certificates and port.
  auto ca_before = ReadFile(paths_.pki + "/ca.crt");
  Result restart = Run(Start());
  EXPECT_EQ(restart.code, 0) << restart.err;
  EXPECT_EQ(*ReadFile(paths_.pki + "/ca.crt"), *ca_before);
  EXPECT_EQ(LoadProfileConfig(paths_)->api_port, config->api_port);
}

TEST_F(StartTest, ServerThatExitsEarlyFailsWithItsLog) {
  Result r = Run(Start(), "fail");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("boom: cannot start"), std::string::npos) << r.err;
  EXPECT_EQ(LastLine(r.err), "minik: the server exited with status 3 before the API server");
  EXPECT_FALSE(PathExists(paths_.pid));
}

TEST_F(StartTest, NodeThatNeverGetsReadyTimesOut) {
  SetNode(kNotReadyNode);
  Result r = Run(Start(std::chrono::milliseconds(300)));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(LastLine(r.err),
            "minik: timed out after 300 ms waiting for node minik Ready: node is not Ready "
            "(KubeletNotReady)");
  // The half-started server was stopped.
  EXPECT_FALSE(PathExists(paths_.pid));
}

TEST_F(StartTest, ServerThatNeverReportsReadyTimesOut) {
  Result r = Run(Start(std::chrono::milliseconds(500)), "slow");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(LastLine(r.err).rfind("minik: timed out after 500 ms waiting for the server's "
                                  "components",
                                  0),
            0u)
      << r.err;
  EXPECT_NE(r.out.find("store: fake"), std::string::npos) << r.out;
  EXPECT_FALSE(PathExists(paths_.pid));
}

TEST_F(StartTest, JsonOutput) {
  Result r = Run([] {
    CliArgs args;
    args.command = "start";
    args.json = true;
    return StartCommand(args, {.server_exe = "/bin/sh", .ready_timeout = std::chrono::seconds(10)});
  });
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::vector<Json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  ASSERT_GE(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0]["step"], "certificates");
  EXPECT_EQ(lines[1]["step"], "store");
  EXPECT_EQ(lines[1]["detail"], "fake");
  const Json& last = lines.back();
  EXPECT_EQ(last["status"], "Running");
  EXPECT_EQ(last["context"], "minik");
  EXPECT_EQ(last["alreadyRunning"], false);
  EXPECT_EQ(last["server"], "https://127.0.0.1:" +
                                std::to_string(LoadProfileConfig(paths_)->api_port));
}

TEST_F(StartTest, ConcurrentStartsMakeOneServer) {
  pid_t a = fork();
  if (a == 0) _exit(Run(Start()).code);
  runs_ += 10;  // the children must not share capture files
  pid_t b = fork();
  if (b == 0) _exit(Run(Start()).code);
  int sa = 0, sb = 0;
  waitpid(a, &sa, 0);
  waitpid(b, &sb, 0);
  EXPECT_EQ(WEXITSTATUS(sa), 0);
  EXPECT_EQ(WEXITSTATUS(sb), 0);
  auto pid = ReadPidFile(paths_.pid);
  ASSERT_TRUE(pid.ok());
  EXPECT_TRUE(IsServerProcess(*pid, "minik"));
  // Exactly one stand-in server runs for the profile.
  int servers = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (IsServerProcess(std::stoi(name), "minik")) {
      auto environ_text = ReadFile(e.path().string() + "/environ");
      if (environ_text.ok() && environ_text->find(home_) != std::string::npos) ++servers;
    }
  }
  EXPECT_EQ(servers, 1);
}

}  // namespace
}  // namespace minik
