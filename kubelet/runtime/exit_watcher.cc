#include "kubelet/runtime/exit_watcher.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace minik::rt {

ExitWatcher::ExitWatcher(std::function<void(const std::string&)> on_exit)
    : on_exit_(std::move(on_exit)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
  thread_ = std::thread([this] { Loop(); });
}

ExitWatcher::~ExitWatcher() {
  uint64_t one = 1;
  ssize_t n = ::write(wake_.get(), &one, sizeof one);
  (void)n;
  if (thread_.joinable()) thread_.join();
}

void ExitWatcher::Watch(const std::string& key, UniqueFd pidfd) {
  if (!pidfd.valid()) return;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t token = next_token_++;
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, pidfd.get(), &ev) != 0) return;
  watched_.emplace(token, std::make_pair(key, std::move(pidfd)));
}

void ExitWatcher::Loop() {
  struct epoll_event events[16];
  for (;;) {
    int n = ::epoll_wait(epoll_.get(), events, 16, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < n; ++i) {
      uint64_t token = events[i].data.u64;
      if (token == 0) return;  // woken by the destructor
      std::string key;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = watched_.find(token);
        if (it == watched_.end()) continue;
        key = it->second.first;
        int fd = it->second.second.get();
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
        siginfo_t info;
        // Reap it if it is our child (ECHILD otherwise: someone else's).
        ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd), &info,
                 WEXITED | WNOHANG);
        watched_.erase(it);
      }
      on_exit_(key);
    }
  }
}

}  // namespace minik::rt
