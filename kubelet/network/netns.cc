#include "kubelet/network/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

namespace minik::net {

StatusOr<NetnsFd> NetnsFd::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Code code = errno == ENOENT || errno == ESRCH ? Code::kNotFound : Code::kInternal;
    return Status(code, "cannot open network namespace " + path + ": " + std::strerror(errno));
  }
  return NetnsFd(fd);
}

NetnsFd::~NetnsFd() {
  if (fd_ >= 0) ::close(fd_);
}

Status RunInNetns(const NetnsFd& netns, const std::function<Status()>& fn) {
  Status result;
  // The thread exits still inside the namespace; that is fine, it is never reused.
  std::thread worker([&] {
    if (::setns(netns.fd(), CLONE_NEWNET) != 0) {
      result = Internal(std::string("setns(CLONE_NEWNET): ") + std::strerror(errno));
      return;
    }
    result = fn();
  });
  worker.join();
  return result;
}

Status RunInNetns(const std::string& netns_path, const std::function<Status()>& fn) {
  StatusOr<NetnsFd> netns = NetnsFd::Open(netns_path);
  if (!netns.ok()) return netns.status();
  return RunInNetns(*netns, fn);
}

StatusOr<NetlinkSocket> OpenNetlinkIn(const NetnsFd& netns) {
  std::optional<NetlinkSocket> socket;
  Status st = RunInNetns(netns, [&]() -> Status {
    StatusOr<NetlinkSocket> s = NetlinkSocket::Open();
    if (!s.ok()) return s.status();
    socket.emplace(std::move(*s));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return std::move(*socket);
}

}  // namespace minik::net
