#include "cmd/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "cmd/fileutil.h"

namespace minik {

StatusOr<pid_t> SpawnDaemon(const DaemonSpec& spec) {
  if (spec.argv.empty()) return BadRequest("no argv");
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    bool overridden = false;
    for (const auto& [k, v] : spec.env) overridden = overridden || k == key;
    if (!overridden) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : spec.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  int log_fd = open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Internal("cannot open " + spec.log_path + ": " + std::strerror(errno));
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    close(log_fd);
    return Internal(std::string("cannot open /dev/null: ") + std::strerror(errno));
  }
  // The child reports a failed exec through this pipe; a successful exec closes it (CLOEXEC).
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    close(log_fd);
    close(null_fd);
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }

  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(log_fd);
    close(null_fd);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return Internal(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Child, in order: own session (no controlling terminal, not killed with the shell's
    // process group), standard fds, default signal dispositions and mask, exec.
    close(pipe_fds[0]);
    setsid();
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // Descriptors the caller leaked without O_CLOEXEC must not live on in the server.
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
    execve(spec.exe.c_str(), argv.data(), envp.data());
    int err = errno;
    ssize_t ignored = write(pipe_fds[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  close(log_fd);
  close(null_fd);
  close(pipe_fds[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(pipe_fds[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(pipe_fds[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    waitpid(pid, nullptr, 0);
    return Internal("cannot execute " + spec.exe + ": " + std::strerror(child_errno));
  }
  return pid;
}

StatusOr<pid_t> ReadPidFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  char* end = nullptr;
  long pid = std::strtol(text->c_str(), &end, 10);
  while (end && (*end == '\n' || *end == ' ')) ++end;
  if (pid <= 0 || !end || *end != '\0') return BadRequest(path + ": not a pid");
  return static_cast<pid_t>(pid);
}

Status WritePidFile(const std::string& path, pid_t pid) {
  return WriteFileAtomic(path, std::to_string(pid) + "\n", 0644, false);
}

void RemovePidFileIf(const std::string& path, pid_t pid) {
  auto current = ReadPidFile(path);
  if (current.ok() && *current == pid) unlink(path.c_str());
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie still answers kill(0); its state in /proc/PID/stat is 'Z'.
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return false;
  size_t paren = stat->rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat->size()) return false;
  char state = (*stat)[paren + 2];
  return state != 'Z' && state != 'X';
}

bool IsServerProcess(pid_t pid, const std::string& profile) {
  if (!ProcessAlive(pid)) return false;
  auto cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  if (!cmdline.ok()) return false;
  std::vector<std::string> args;
  size_t start = 0;
  while (start < cmdline->size()) {
    size_t nul = cmdline->find('\0', start);
    if (nul == std::string::npos) nul = cmdline->size();
    args.push_back(cmdline->substr(start, nul - start));
    start = nul + 1;
  }
  if (args.size() < 2 || args[1] != "server") return false;
  std::string p = "minik";
  for (size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--profile" && i + 1 < args.size()) p = args[i + 1];
    if (args[i].rfind("--profile=", 0) == 0) p = args[i].substr(10);
  }
  return p == profile;
}

bool ReapChild(pid_t pid, int* wait_status) {
  int st = 0;
  pid_t r = waitpid(pid, &st, WNOHANG);
  if (r == pid) {
    if (wait_status) *wait_status = st;
    return true;
  }
  return false;
}

Status TerminateProcess(pid_t pid, std::chrono::milliseconds grace, bool* killed) {
  if (killed) *killed = false;
  if (kill(pid, SIGTERM) != 0) {
    if (errno == ESRCH) return Status::Ok();
    if (errno == EPERM) {
      return Status(Code::kForbidden, "not allowed to stop pid " + std::to_string(pid));
    }
    return Internal(std::string("kill: ") + std::strerror(errno));
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    ReapChild(pid, nullptr);
    if (!ProcessAlive(pid)) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (killed) *killed = true;
  kill(pid, SIGKILL);
  for (int i = 0; i < 1000 && ProcessAlive(pid); ++i) {  // SIGKILL is prompt; bound anyway
    ReapChild(pid, nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return ProcessAlive(pid) ? Internal("pid " + std::to_string(pid) + " survived SIGKILL")
                           : Status::Ok();
}

Status CheckPortFree(const std::string& address, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  // SO_REUSEADDR as the server sets it: a port in TIME_WAIT after a stop is not "taken".
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    close(fd);
    return BadRequest("not an IPv4 address: " + address);
  }
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  close(fd);
  if (rc == 0) return Status::Ok();
  if (err == EADDRINUSE) {
    return Status(Code::kServiceUnavailable,
                  "port " + std::to_string(port) + " is taken by another program");
  }
  return Internal("cannot bind " + address + ":" + std::to_string(port) + ": " +
                  std::strerror(err));
}

}  // namespace minik
