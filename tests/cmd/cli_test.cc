// The `minik` command line end to end, without starting a cluster: every command runs in a
// forked child with its own MINIK_HOME, KUBECONFIG and captured stdout/stderr.
#include "cmd/cli.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "api/json.h"
#include "cmd/fileutil.h"
#include "cmd/kubeconfig.h"
#include "cmd/pki.h"
#include "cmd/process.h"
#include "cmd/profile.h"

namespace minik {
namespace {

struct Result {
  int code = -1;
  std::string out, err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-cli-XXXXXX";
    dir_ = mkdtemp(tmpl);
    home_ = dir_ + "/home";
    kubeconfig_ = dir_ + "/kube/config";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `minik args...` in a child process. `as_uid` >= 0 drops to that user first.
  Result Run(std::vector<std::string> args, int as_uid = -1) {
    std::string out_path = dir_ + "/out", err_path = dir_ + "/err";
    std::cout.flush();
    std::cerr.flush();
    pid_t pid = fork();
    if (pid == 0) {
      int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      setenv("MINIK_HOME", home_.c_str(), 1);
      setenv("MINIK_RUN_DIR", (dir_ + "/run").c_str(), 1);
      setenv("KUBECONFIG", kubeconfig_.c_str(), 1);
      if (as_uid >= 0 && setresuid(as_uid, as_uid, as_uid) != 0) _exit(99);
      std::vector<char*> argv{const_cast<char*>("minik")};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      int rc = RunCli(static_cast<int>(argv.size() - 1), argv.data());
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

  // A profile as `start` leaves it, without a server.
  ProfilePaths MakeProfile(const std::string& name, int port = 8443) {
    ProfilePaths p = PathsFor(home_, name);
    EXPECT_TRUE(MakeDirs(p.dir).ok());
    EXPECT_TRUE(SaveProfileConfig(p, {.name = name,
                                      .api_port = port,
                                      .pod_cidr_index = 0,
                                      .ephemeral = false,
                                      .simulated_nodes = 0})
                    .ok());
    EXPECT_TRUE(EnsurePki(p.pki).ok());
    return p;
  }

  void WriteKubeconfig(const std::vector<std::string>& profiles) {
    ASSERT_TRUE(MakeDirs(dir_ + "/kube").ok());
    std::string text;
    for (const auto& p : profiles) {
      auto next = UpsertKubeconfigText(text, {.name = p,
                                              .server = "https://127.0.0.1:8443",
                                              .ca_pem = "ca",
                                              .client_cert_pem = "c",
                                              .client_key_pem = "k",
                                              .user_name = ""});
      ASSERT_TRUE(next.ok());
      text = *next;
    }
    ASSERT_TRUE(WriteFileAtomic(kubeconfig_, text, 0600).ok());
  }

  // A listening socket on a free port; returns the port.
  int HoldPort() {
    held_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(held_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(held_fd_, 1);
    socklen_t len = sizeof addr;
    getsockname(held_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
  }

  std::string dir_, home_, kubeconfig_;
  int held_fd_ = -1;
};

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST_F(CliTest, Version) {
  Result r = Run({"version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "minik version v0.1.0\nKubernetes API v1.32\n");
}

TEST_F(CliTest, UsageErrorsExit2) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {}, {"bogus"}, {"start", "--nope"}, {"stop", "--all"}, {"start", "--profile"}}) {
    Result r = Run(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.rfind("minik: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("usage: minik"), std::string::npos) << r.err;
  }
}

TEST_F(CliTest, Help) {
  Result r = Run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Commands:"), std::string::npos);
  EXPECT_EQ(Run({"start", "--help"}).code, 0);
}

TEST_F(CliTest, CommandsNeedAnExistingProfile) {
  Result img = Run({"image", "ls"});  // implemented (cmd/image.cc): needs an existing profile
  EXPECT_EQ(img.code, 1);
  EXPECT_EQ(img.err, "minik: profile \"minik\" not found (run minik start first)\n");
  Result svc = Run({"service", "web", "--url"});
  EXPECT_EQ(svc.code, 1);
  EXPECT_EQ(svc.err, "minik: profile \"minik\" not found (run minik start first)\n");
  EXPECT_EQ(Run({"service"}).code, 2);  // no name
}

TEST_F(CliTest, StartNeedsRoot) {
  Result r = Run({"start"}, 65534);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "minik: start needs root (namespaces, cgroups, iptables): run it as root, e.g. sudo "
            "minik start\n");
  EXPECT_FALSE(PathExists(home_));
}

TEST_F(CliTest, StartRefusesATakenPort) {
  int port = HoldPort();
  MakeProfile("minik", port);
  Result r = Run({"start"});
  EXPECT_EQ(r.code, 1);
  // An existing profile's port is its address in kubeconfigs: named with its holder, never
  // moved silently.
  std::string want = "minik: the API port " + std::to_string(port) +
                     " (127.0.0.1) is taken by cli_test (pid " + std::to_string(getpid()) +
                     "): stop it, or start on another port with minik start --profile minik "
                     "--api-port ";
  EXPECT_EQ(r.err.rfind(want, 0), 0u) << r.err;
  EXPECT_FALSE(PathExists(PathsFor(home_, "minik").pid));
  EXPECT_EQ(LoadProfileConfig(PathsFor(home_, "minik"))->api_port, port);
  // The JSON form says the same on stdout.
  Result j = Run({"start", "-o", "json"});
  EXPECT_EQ(j.code, 1);
  EXPECT_EQ(j.out.rfind("{\"error\":\"the API port " + std::to_string(port), 0), 0u) << j.out;
  close(held_fd_);
}

TEST_F(CliTest, ServerRefusesATakenPortAndMissingProfiles) {
  Result missing = Run({"server"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "minik: profile minik is not set up (run minik start)\n");

  int port = HoldPort();
  ProfilePaths p = MakeProfile("minik", port);
  Result taken = Run({"server"});
  EXPECT_EQ(taken.code, 1);
  EXPECT_EQ(taken.err, "minik: port " + std::to_string(port) + " is taken by another program\n");
  EXPECT_FALSE(PathExists(p.pid));
  close(held_fd_);

  auto lock = FileLock::Acquire(p.server_lock, false);
  ASSERT_TRUE(lock.ok());
  Result locked = Run({"server"});
  EXPECT_EQ(locked.code, 1);
  EXPECT_EQ(locked.err.rfind("minik: profile minik is already served", 0), 0u) << locked.err;
}

TEST_F(CliTest, StatusOfMissingAndStoppedProfiles) {
  Result missing = Run({"status", "--profile", "nope"});
  EXPECT_EQ(missing.code, 85);
  EXPECT_EQ(missing.err, "minik: profile nope does not exist\n");

  ProfilePaths p = MakeProfile("minik");
  ASSERT_TRUE(WritePidFile(p.pid, 999999).ok());  // stale
  Result stopped = Run({"status"});
  EXPECT_EQ(stopped.code, 7);
  EXPECT_NE(stopped.out.find("host: Stopped\n"), std::string::npos) << stopped.out;
  EXPECT_NE(stopped.out.find("apiserver: Stopped\n"), std::string::npos);
  EXPECT_NE(stopped.out.find("kubelet: Stopped\n"), std::string::npos);
  EXPECT_NE(stopped.out.find("kubeconfig: Misconfigured\n"), std::string::npos);
  EXPECT_EQ(stopped.err, "minik: profile minik is not running\n");
  Result json = Run({"status", "-o", "json"});
  EXPECT_EQ(json.code, 7);
  auto j = Json::parse(json.out);
  EXPECT_EQ(j["status"], "Stopped");
  EXPECT_EQ(j["host"], "Stopped");
  EXPECT_EQ(j["ephemeral"], false);
  EXPECT_EQ(Json::parse(Run({"status", "-p", "nope", "-o", "json"}).out)["status"], "Missing");

  Result list = Run({"profile", "list"});
  EXPECT_EQ(list.code, 0);
  EXPECT_NE(list.out.find("PROFILE"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("minik "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("Stopped"), std::string::npos) << list.out;
  auto lj = Json::parse(Run({"profile", "list", "-o", "json"}).out);
  ASSERT_EQ(lj["profiles"].size(), 1u);
  EXPECT_EQ(lj["profiles"][0]["name"], "minik");
  EXPECT_EQ(lj["profiles"][0]["bridge"], "minik0");

  // A broken config is reported, never rewritten.
  ASSERT_TRUE(WriteFileAtomic(p.config, "{not json", 0644).ok());
  Result broken = Run({"status"});
  EXPECT_EQ(broken.code, 7);
  EXPECT_NE(broken.err.find("malformed profile config"), std::string::npos) << broken.err;
  EXPECT_EQ(*ReadFile(p.config), "{not json");
  Result start = Run({"start"});
  EXPECT_EQ(start.code, 1);
  EXPECT_NE(start.err.find("nothing was changed"), std::string::npos) << start.err;
  EXPECT_EQ(*ReadFile(p.config), "{not json");
}

TEST_F(CliTest, CompletionAndVersion) {
  Result c = Run({"completion", "bash"});
  EXPECT_EQ(c.code, 0);
  EXPECT_NE(c.out.find("complete -F _minik minik"), std::string::npos);
  // bash accepts the script.
  std::string path = dir_ + "/completion.bash";
  ASSERT_TRUE(WriteFileAtomic(path, c.out, 0644).ok());
  EXPECT_EQ(system(("bash -n " + path).c_str()), 0);
  EXPECT_EQ(Run({"completion", "zsh"}).code, 2);
  EXPECT_EQ(Run({"completion"}).code, 2);
  Result v = Run({"version", "-o", "json"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(Json::parse(v.out)["kubernetesApiVersion"], "v1.32");
}

TEST_F(CliTest, StopOfMissingAndStoppedProfiles) {
  Result missing = Run({"stop"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "minik: profile minik does not exist\n");
  ProfilePaths p = MakeProfile("minik");
  ASSERT_TRUE(WritePidFile(p.pid, 999999).ok());
  Result stopped = Run({"stop"});
  EXPECT_EQ(stopped.code, 0);
  EXPECT_EQ(stopped.out, "minik: profile minik is not running\n");
  EXPECT_FALSE(PathExists(p.pid));
  EXPECT_TRUE(PathExists(p.pki + "/ca.crt"));  // state kept
}

TEST_F(CliTest, DeleteRemovesStateAndOnlyItsKubeconfigEntries) {
  ProfilePaths p = MakeProfile("minik");
  MakeProfile("other");
  WriteKubeconfig({"other", "minik"});
  Result r = Run({"delete"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(PathExists(p.dir));
  EXPECT_TRUE(PathExists(PathsFor(home_, "other").dir));
  YAML::Node kc = YAML::Load(*ReadFile(kubeconfig_));
  ASSERT_EQ(kc["contexts"].size(), 1u);
  EXPECT_EQ(kc["contexts"][0]["name"].as<std::string>(), "other");
  EXPECT_EQ(kc["current-context"].as<std::string>(), "");

  Result again = Run({"delete"});
  EXPECT_EQ(again.code, 0);
  EXPECT_EQ(again.out, "minik: profile minik does not exist\n");
}

TEST_F(CliTest, DeleteAll) {
  MakeProfile("a");
  MakeProfile("b");
  WriteKubeconfig({"a", "b"});
  Result r = Run({"delete", "--all"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(ListProfiles(home_).empty());
  YAML::Node kc = YAML::Load(*ReadFile(kubeconfig_));
  EXPECT_EQ(kc["contexts"].size(), 0u);
  EXPECT_EQ(Run({"delete", "--all"}).out, "minik: no profiles to delete\n");
}

TEST_F(CliTest, DeleteStopsARunningServer) {
  // A stand-in whose command line is "minik server --profile minik".
  ProfilePaths p = MakeProfile("minik");
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/server", "while :; do sleep 0.05; done\n", 0755).ok());
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  auto pid = SpawnDaemon({.exe = "/bin/sh",
                          .argv = {"minik", "server", "--profile", "minik"},
                          .log_path = dir_ + "/log",
                          .env = {}});
  ASSERT_EQ(chdir(cwd), 0);
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(WritePidFile(p.pid, *pid).ok());
  Result r = Run({"delete"});
  EXPECT_EQ(r.code, 0) << r.err;
  ReapChild(*pid, nullptr);
  for (int i = 0; i < 200 && ProcessAlive(*pid); ++i) {
    usleep(5000);
    ReapChild(*pid, nullptr);
  }
  EXPECT_FALSE(ProcessAlive(*pid));
  EXPECT_FALSE(PathExists(p.dir));
}

TEST_F(CliTest, KubeconfigPrintsAdminAndUserConfigs) {
  ProfilePaths p = MakeProfile("minik", 8450);
  auto pki = LoadPki(p.pki);
  ASSERT_TRUE(pki.ok());

  Result admin = Run({"kubeconfig"});
  ASSERT_EQ(admin.code, 0) << admin.err;
  YAML::Node a = YAML::Load(admin.out);
  EXPECT_EQ(a["current-context"].as<std::string>(), "minik");
  EXPECT_EQ(a["clusters"][0]["cluster"]["server"].as<std::string>(), "https://127.0.0.1:8450");
  EXPECT_EQ(a["users"][0]["user"]["client-certificate-data"].as<std::string>(),
            Base64Encode(pki->admin_cert));

  Result user = Run({"kubeconfig", "--user", "alice", "--group", "dev", "--group", "qa"});
  ASSERT_EQ(user.code, 0) << user.err;
  YAML::Node u = YAML::Load(user.out);
  EXPECT_EQ(u["users"][0]["name"].as<std::string>(), "alice");
  EXPECT_EQ(u["contexts"][0]["context"]["user"].as<std::string>(), "alice");
  // Decode the embedded certificate and check who it names.
  std::string b64 = u["users"][0]["user"]["client-certificate-data"].as<std::string>();
  std::string pem(3 * b64.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(pem.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  ASSERT_GT(n, 0);
  pem.resize(static_cast<size_t>(n));
  while (!pem.empty() && pem.back() == '\0') pem.pop_back();
  EXPECT_TRUE(VerifyCertificate(pem, pki->ca_cert).ok());
  auto info = InspectCertificate(pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "alice");
  EXPECT_EQ(info->organizations, (std::vector<std::string>{"dev", "qa"}));

  Result missing = Run({"kubeconfig", "--profile", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(Lines(missing.err), 1);
}

TEST_F(CliTest, Logs) {
  Result missing = Run({"logs"});
  EXPECT_EQ(missing.code, 1);
  ProfilePaths p = MakeProfile("minik");
  Result none = Run({"logs"});
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.err, "minik: profile minik has no server log yet (never started)\n");
  ASSERT_TRUE(WriteFileAtomic(p.log, "line one\nline two\n", 0644).ok());
  Result r = Run({"logs"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "line one\nline two\n");
}

}  // namespace
}  // namespace minik
