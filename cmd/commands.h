// The `minik` subcommands (ARCHITECTURE §3). Each returns the process exit status, prints
// progress to stdout, and on failure prints exactly one line "minik: <reason>" to stderr
// (start may print the server log's tail before it).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"
#include "cmd/flags.h"

namespace minik {

// Seams of `start` for tests: which program runs as `<exe> server --profile P` (argv[0]
// "minik"), and how long to wait for readiness.
struct StartOptions {
  std::string server_exe = "/proc/self/exe";
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(30);
};

int StartCommand(const CliArgs& args, const StartOptions& options = {});  // cmd/start.cc
int StopCommand(const CliArgs& args);                                     // cmd/lifecycle.cc
int DeleteCommand(const CliArgs& args);                                   // cmd/lifecycle.cc
int StatusCommand(const CliArgs& args);                                   // cmd/info.cc
int LogsCommand(const CliArgs& args);                                     // cmd/info.cc
int KubeconfigCommand(const CliArgs& args);                               // cmd/info.cc
int VersionCommand(const CliArgs& args);                                  // cmd/info.cc
int ServerCommand(const CliArgs& args);                                   // cmd/server.cc
int ImageCommand(const CliArgs& args);                                    // cmd/image.cc
int ServiceCommand(const CliArgs& args);                                  // cmd/service.cc
int ProfileCommand(const CliArgs& args);                                  // cmd/profile_cmd.cc
int CompletionCommand(const CliArgs& args);                               // cmd/profile_cmd.cc
// `minik service`'s URLs for a v1 Service: load-balancer IP:port, then node_ip:nodePort;
// BadRequest naming the service when it has neither.
StatusOr<std::vector<std::string>> ServiceUrls(const Json& service, const std::string& node_ip,
                                               const std::string& scheme);

// Prints "minik: <reason>" to stderr; returns `exit_code`.
int Fail(const std::string& reason, int exit_code = 1);

// `minik status` exit status when the cluster is not (fully) running, as minikube's.
inline constexpr int kExitNotRunning = 7;

inline constexpr const char* kMinikVersion = "v0.1.0";
inline constexpr const char* kKubernetesApiVersion = "v1.32";

}  // namespace minik
