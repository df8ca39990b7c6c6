#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kubelet/runtime/helpers.h"
#include "kubelet/runtime/runtime.h"
#include "kubelet/runtime/zygote.h"

namespace minik {

std::optional<int> RunRuntimeHelper(int argc, char** argv) {
  if (argc < 3) return std::nullopt;
  std::string verb = argv[1];
  if (verb != rt::kSandboxVerb && verb != rt::kMonitorVerb && verb != rt::kExecVerb &&
      verb != rt::kZygoteVerb) {
    return std::nullopt;
  }
  // Only 0-2 and the sync fd are ours; anything else leaked from the server goes.
  ::close_range(rt::kSyncFd + 1, ~0U, 0);
  ::fcntl(rt::kSyncFd, F_SETFD, FD_CLOEXEC);
  if (verb == rt::kZygoteVerb) return rt::RunZygote();
  if (verb == rt::kSandboxVerb) return rt::RunSandboxHolder(argv[2]);
  if (verb == rt::kMonitorVerb) return rt::RunMonitor(argv[2]);
  if (verb == rt::kExecVerb) {
    std::vector<std::string> args;
    for (int i = 3; i < argc; ++i) args.push_back(argv[i]);
    if (!args.empty() && args[0] == "--") args.erase(args.begin());
    return rt::RunExecHelper(argv[2], args);
  }
  return std::nullopt;
}

namespace rt {

void Report(const std::string& line) {
  std::string text = line;
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  text += '\n';
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(kSyncFd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace rt
}  // namespace minik
