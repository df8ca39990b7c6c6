#include "cmd/process.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "cmd/fileutil.h"

namespace minik {
namespace {

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minik-proc-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ProcessTest, SpawnsDaemonWithLogAndEnv) {
  DaemonSpec spec{.exe = "/bin/sh",
                  .argv = {"sh", "-c", "echo out $FOO; echo err >&2; read x || echo eof"},
                  .log_path = dir_ + "/log",
                  .env = {{"FOO", "bar"}}};
  auto pid = SpawnDaemon(spec);
  ASSERT_TRUE(pid.ok()) << pid.status().message();
  int st = 0;
  ASSERT_EQ(waitpid(*pid, &st, 0), *pid);
  EXPECT_TRUE(WIFEXITED(st));
  EXPECT_EQ(*ReadFile(dir_ + "/log"), "out bar\nerr\neof\n");
  // The log is appended to, not truncated.
  auto again = SpawnDaemon(spec);
  ASSERT_TRUE(again.ok());
  waitpid(*again, &st, 0);
  EXPECT_EQ(*ReadFile(dir_ + "/log"), "out bar\nerr\neof\nout bar\nerr\neof\n");
}

TEST_F(ProcessTest, DaemonHasItsOwnSession) {
  // Field 6 of /proc/PID/stat is the session id; setsid made the daemon a session leader.
  DaemonSpec spec{.exe = "/bin/sh",
                  .argv = {"sh", "-c", "echo $$ $(cut -d' ' -f6 /proc/$$/stat)"},
                  .log_path = dir_ + "/log",
                  .env = {}};
  auto pid = SpawnDaemon(spec);
  ASSERT_TRUE(pid.ok());
  int st;
  waitpid(*pid, &st, 0);
  std::string expect = std::to_string(*pid) + " " + std::to_string(*pid) + "\n";
  EXPECT_EQ(*ReadFile(dir_ + "/log"), expect);
}

TEST_F(ProcessTest, ExecFailureIsReported) {
  DaemonSpec spec{.exe = dir_ + "/missing", .argv = {"x"}, .log_path = dir_ + "/log", .env = {}};
  auto pid = SpawnDaemon(spec);
  ASSERT_FALSE(pid.ok());
  EXPECT_NE(pid.status().message().find("cannot execute"), std::string::npos);
  DaemonSpec bad_log{
      .exe = "/bin/true", .argv = {"true"}, .log_path = dir_ + "/no/such/log", .env = {}};
  EXPECT_FALSE(SpawnDaemon(bad_log).ok());
}

TEST_F(ProcessTest, PidFiles) {
  std::string path = dir_ + "/pid";
  EXPECT_EQ(ReadPidFile(path).status().code(), Code::kNotFound);
  ASSERT_TRUE(WritePidFile(path, 1234).ok());
  EXPECT_EQ(*ReadPidFile(path), 1234);
  RemovePidFileIf(path, 999);
  EXPECT_TRUE(PathExists(path));
  RemovePidFileIf(path, 1234);
  EXPECT_FALSE(PathExists(path));
  for (const char* bad : {"", "abc", "12x", "-5", "0"}) {
    ASSERT_TRUE(WriteFileAtomic(path, bad, 0644).ok());
    EXPECT_EQ(ReadPidFile(path).status().code(), Code::kBadRequest) << bad;
  }
}

TEST_F(ProcessTest, AliveAndZombies) {
  EXPECT_TRUE(ProcessAlive(getpid()));
  EXPECT_FALSE(ProcessAlive(0));
  EXPECT_FALSE(ProcessAlive(-1));
  pid_t child = fork();
  if (child == 0) _exit(0);
  // Wait until it is a zombie.
  for (int i = 0; i < 1000 && ProcessAlive(child); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_FALSE(ProcessAlive(child));
  int st;
  EXPECT_TRUE(ReapChild(child, &st));
  EXPECT_FALSE(ProcessAlive(child));
}

TEST_F(ProcessTest, IsServerProcessChecksTheCommandLine) {
  // A shell script named "server" gives a process whose command line is
  // "minik server --profile dev", like the real server's.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/server", "while :; do sleep 0.05; done\n", 0755).ok());
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  DaemonSpec spec{.exe = "/bin/sh",
                  .argv = {"minik", "server", "--profile", "dev"},
                  .log_path = dir_ + "/log",
                  .env = {}};
  auto pid = SpawnDaemon(spec);
  ASSERT_EQ(chdir(cwd), 0);
  ASSERT_TRUE(pid.ok());
  EXPECT_TRUE(IsServerProcess(*pid, "dev"));
  EXPECT_FALSE(IsServerProcess(*pid, "minik"));
  EXPECT_FALSE(IsServerProcess(getpid(), "dev"));
  bool killed = true;
  ASSERT_TRUE(TerminateProcess(*pid, std::chrono::seconds(5), &killed).ok());
  EXPECT_FALSE(killed);
  EXPECT_FALSE(ProcessAlive(*pid));
  EXPECT_FALSE(IsServerProcess(*pid, "dev"));
}

TEST_F(ProcessTest, TerminateEscalatesToSigkill) {
  DaemonSpec spec{.exe = "/bin/sh",
                  .argv = {"sh", "-c", "trap '' TERM; echo ready; sleep 30"},
                  .log_path = dir_ + "/log",
                  .env = {}};
  auto pid = SpawnDaemon(spec);
  ASSERT_TRUE(pid.ok());
  for (int i = 0; i < 2000; ++i) {
    auto log = ReadFile(dir_ + "/log");
    if (log.ok() && !log->empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  bool killed = false;
  ASSERT_TRUE(TerminateProcess(*pid, std::chrono::milliseconds(100), &killed).ok());
  EXPECT_TRUE(killed);
  EXPECT_FALSE(ProcessAlive(*pid));
  // Stopping what is gone is fine.
  EXPECT_TRUE(TerminateProcess(*pid, std::chrono::milliseconds(10)).ok());
}

TEST_F(ProcessTest, PortCheck) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  Status st = CheckPortFree("127.0.0.1", port);
  EXPECT_EQ(st.code(), Code::kServiceUnavailable);
  EXPECT_EQ(st.message(), "port " + std::to_string(port) + " is taken by another program");
  close(fd);
  EXPECT_TRUE(CheckPortFree("127.0.0.1", port).ok());
  EXPECT_EQ(CheckPortFree("not-an-ip", port).code(), Code::kBadRequest);
}

}  // namespace
}  // namespace minik
