#include "kubelet/runtime/zygote.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/process.h"
#include "kubelet/runtime/runtime.h"
#include "kubelet/runtime/seccomp.h"

namespace minik::rt {
namespace {

constexpr size_t kMaxRequest = 64 * 1024;
constexpr int kRequestFds = 4;  // stdin, stdout, stderr, sync

// Sends `data` with `fds` attached (SCM_RIGHTS).
Status SendWithFds(int sock, const std::string& data, const std::vector<int>& fds) {
  struct iovec iov = {const_cast<char*>(data.data()), data.size()};
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
  }
  while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return Errno("send to the zygote", errno);
  }
  return Status::Ok();
}

[[noreturn]] void RunChild(const std::vector<std::string>& args, bool new_session, int fds[4]) {
  // Move the received fds out of the way, then onto 0-3 (fd 3 was the zygote's socket).
  int high[kRequestFds];
  for (int i = 0; i < kRequestFds; ++i) high[i] = ::fcntl(fds[i], F_DUPFD, 10);
  for (int i = 0; i < kRequestFds; ++i) {
    if (high[i] < 0 || ::dup2(high[i], i) < 0) ::_exit(126);
  }
  ::close_range(kRequestFds, ~0U, 0);
  ResetSignals();
  if (new_session) ::setsid();
  std::vector<char*> argv;
  std::string exe = "minik";
  argv.push_back(exe.data());
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  auto rc = RunRuntimeHelper(static_cast<int>(args.size() + 1), argv.data());
  ::_exit(rc ? *rc : 127);
}

}  // namespace

Zygote::~Zygote() {
  std::lock_guard<std::mutex> lock(mu_);
  sock_.reset();
  if (pid_ > 0) {
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Status Zygote::StartLocked() {
  sock_.reset();
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = 0;
  }
  int sp[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
    return Errno("socketpair", errno);
  }
  UniqueFd ours(sp[0]), theirs(sp[1]);
  auto h = SpawnHelper(exe_, {kZygoteVerb, "-"}, /*new_session=*/true,
                       HelperStdio{-1, -1, -1, theirs.get()});
  theirs.reset();
  if (!h.ok()) return h.status();
  pid_ = h->pid;
  sock_ = std::move(ours);
  return Status::Ok();
}

StatusOr<SpawnedHelper> Zygote::RequestLocked(const std::vector<std::string>& args,
                                              bool new_session, HelperStdio stdio) {
  if (!sock_.valid()) MINIK_RETURN_IF_ERROR(StartLocked());
  int sync[2];
  if (::pipe2(sync, O_CLOEXEC) != 0) return Errno("pipe", errno);
  UniqueFd sync_r(sync[0]), sync_w(sync[1]);
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null.valid()) return Errno("open /dev/null", errno);
  std::vector<int> fds = {stdio.in >= 0 ? stdio.in : null.get(),
                          stdio.out >= 0 ? stdio.out : null.get(),
                          stdio.err >= 0 ? stdio.err : null.get(), sync_w.get()};
  std::string req(1, new_session ? '1' : '0');
  for (const std::string& a : args) {
    req += '\0';
    req += a;
  }
  if (Status st = SendWithFds(sock_.get(), req, fds); !st.ok()) {
    sock_.reset();  // gone: restarted next time
    return st;
  }
  char buf[512];
  ssize_t n;
  while ((n = ::recv(sock_.get(), buf, sizeof buf - 1, 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) {
    sock_.reset();  // restarted next time
    return Internal("the runtime zygote went away");
  }
  std::string reply(buf, static_cast<size_t>(n));
  if (reply.rfind("pid ", 0) != 0) return Internal("runtime zygote: " + reply);
  SpawnedHelper h;
  h.pid = std::atoi(reply.c_str() + 4);
  h.pidfd = OpenPidfd(h.pid);  // not yet reaped by the zygote: the pid is still this helper's
  h.sync = std::move(sync_r);
  return h;
}

StatusOr<SpawnedHelper> Zygote::Spawn(const std::vector<std::string>& args, bool new_session,
                                      HelperStdio stdio) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto h = RequestLocked(args, new_session, stdio);
    if (h.ok()) return h;
    if (sock_.valid()) return h;  // the zygote answered with an error
    // It died (or never started): once more with a fresh one.
    h = RequestLocked(args, new_session, stdio);
    if (h.ok()) return h;
  }
  return SpawnHelper(exe_, args, new_session, stdio);
}

int RunZygote() {
  ::prctl(PR_SET_NAME, "minik-zygote", 0, 0, 0);
  ::signal(SIGPIPE, SIG_IGN);
  (void)RuntimeDefaultProgram();  // compiled once, inherited by every fork
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &chld, nullptr);
  UniqueFd sigfd(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  const int sock = kSyncFd;
  std::vector<char> buf(kMaxRequest);
  for (;;) {
    struct pollfd p[2] = {{sock, POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0 && errno != EINTR) return 1;
    if (p[1].revents) {
      struct signalfd_siginfo info;
      while (::read(sigfd.get(), &info, sizeof info) > 0) {
      }
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
    }
    if (!p[0].revents) continue;
    struct iovec iov = {buf.data(), buf.size()};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kRequestFds)];
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;  // the server went away
    int fds[kRequestFds] = {-1, -1, -1, -1};
    size_t nfds = 0;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        std::memcpy(fds, CMSG_DATA(c), sizeof(int) * std::min<size_t>(nfds, kRequestFds));
      }
    }
    std::vector<std::string> args;  // "\0"-separated, empty arguments kept
    for (size_t start = 0, len = static_cast<size_t>(n);;) {
      size_t end = std::string_view(buf.data(), len).find('\0', start);
      if (end == std::string_view::npos) end = len;
      args.emplace_back(buf.data() + start, end - start);
      if (end == len) break;
      start = end + 1;
    }
    std::string reply;
    if (nfds != kRequestFds || args.size() < 2 || (args[0] != "0" && args[0] != "1")) {
      reply = "error bad zygote request";
    } else {
      bool new_session = args[0] == "1";
      args.erase(args.begin());
      pid_t pid = ::fork();
      if (pid == 0) {
        ::sigprocmask(SIG_UNBLOCK, &chld, nullptr);
        RunChild(args, new_session, fds);
      }
      reply = pid > 0 ? "pid " + std::to_string(pid) : std::string("error fork: ") + std::strerror(errno);
    }
    for (size_t i = 0; i < std::min<size_t>(nfds, kRequestFds); ++i) ::close(fds[i]);
    if (::send(sock, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) return 0;
  }
}

}  // namespace minik::rt
