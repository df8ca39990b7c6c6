// `minik status`, `logs`, `kubeconfig` and `version`: read-only views of a profile.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/kubeconfig.h"
#include "cmd/pki.h"
#include "cmd/probe.h"
#include "cmd/process.h"
#include "cmd/profile.h"
#include "cmd/profile_state.h"

namespace minik {

int StatusCommand(const CliArgs& args) {
  ProfileState s = ProbeProfile(MinikHome(), args.profile, false);
  if (args.json) {
    std::cout << s.ToJson().dump() << std::endl;
  } else if (s.config_status.ok()) {
    auto state = [](bool up) { return up ? "Running" : "Stopped"; };
    std::cout << args.profile << "\n"
              << "type: Control Plane\n"
              << "host: " << state(s.host) << "\n"
              << "apiserver: " << state(s.api) << "\n"
              << "kubelet: " << state(s.kubelet) << "\n"
              << "kubeconfig: " << (s.kubeconfig ? "Configured" : "Misconfigured") << "\n"
              << "store: " << (s.config.ephemeral ? "ephemeral (in memory, gone on stop)" : "on disk")
              << "\n";
    if (s.ExitCode() == kExitOk) std::cout << "server: " << s.ServerUrl() << "\n";
    std::cout << std::flush;
  }
  int code = s.ExitCode();
  if (code == kExitOk) return 0;
  if (code == kExitNoProfile) return Fail("profile " + args.profile + " does not exist", code);
  if (!s.config_status.ok()) return Fail(s.config_status.message(), code);
  if (!s.host) return Fail("profile " + args.profile + " is not running", code);
  return Fail("profile " + args.profile + " is not ready: " + s.why, code);
}

int LogsCommand(const CliArgs& args) {
  ProfilePaths paths = PathsFor(MinikHome(), args.profile);
  if (!PathExists(paths.dir)) return Fail("profile " + args.profile + " does not exist");
  int fd = open(paths.log.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Fail("profile " + args.profile + " has no server log yet (never started)");
    }
    return Fail("cannot open " + paths.log + ": " + std::strerror(errno));
  }
  // Copies what is there; with --follow, keeps copying what is appended (like `tail -f`)
  // until interrupted, starting over when the log is truncated or replaced.
  off_t offset = 0;
  char buf[65536];
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, offset);
    if (n > 0) {
      offset += n;
      if (fwrite(buf, 1, static_cast<size_t>(n), stdout) != static_cast<size_t>(n)) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Fail("cannot read " + paths.log + ": " + std::strerror(err));
    }
    if (!args.follow) break;
    if (fflush(stdout) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    struct stat open_st, path_st;
    if (fstat(fd, &open_st) == 0 && open_st.st_size < offset) offset = 0;
    if (stat(paths.log.c_str(), &path_st) == 0 && path_st.st_ino != open_st.st_ino) {
      int fresh = open(paths.log.c_str(), O_RDONLY | O_CLOEXEC);
      if (fresh >= 0) {
        close(fd);
        fd = fresh;
        offset = 0;
      }
    }
  }
  close(fd);
  fflush(stdout);
  return 0;
}

int KubeconfigCommand(const CliArgs& args) {
  ProfilePaths paths = PathsFor(MinikHome(), args.profile);
  auto config = LoadProfileConfig(paths);
  if (!config.ok()) {
    if (config.status().code() == Code::kNotFound) {
      return Fail("profile " + args.profile + " does not exist (run minik start)");
    }
    return Fail(config.status().message());
  }
  auto pki = LoadPki(paths.pki);
  if (!pki.ok()) return Fail("cannot read the certificates: " + pki.status().message());
  KubeconfigEntry entry{.name = args.profile,
                        .server = "https://127.0.0.1:" + std::to_string(config->api_port),
                        .ca_pem = pki->ca_cert,
                        .client_cert_pem = pki->admin_cert,
                        .client_key_pem = pki->admin_key,
                        .user_name = ""};
  if (!args.user.empty()) {
    auto cert = IssueClientCert(pki->ca_cert, pki->ca_key, args.user, args.groups);
    if (!cert.ok()) return Fail("cannot issue a certificate: " + cert.status().message());
    entry.client_cert_pem = cert->cert_pem;
    entry.client_key_pem = cert->key_pem;
    entry.user_name = args.user;
  }
  std::cout << RenderKubeconfig(entry) << std::flush;
  return std::cout ? 0 : Fail("cannot write to stdout");
}

int VersionCommand(const CliArgs& args) {
  if (args.json) {
    std::cout << Json{{"minikVersion", kMinikVersion}, {"kubernetesApiVersion", kKubernetesApiVersion}}
                     .dump()
              << std::endl;
    return 0;
  }
  std::cout << "minik version " << kMinikVersion << "\n"
            << "Kubernetes API " << kKubernetesApiVersion << std::endl;
  return 0;
}

}  // namespace minik
