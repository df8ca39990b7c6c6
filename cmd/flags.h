// Command-line parsing for `minik` (ARCHITECTURE §3). Parsing is separate from running so
// that every usage error is tested without starting anything.
#pragma once

#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct CliArgs {
  std::string command;              // "start", "stop", ..., or "help"
  std::string profile = "minik";    // --profile P / -p P
  bool ephemeral = false;           // start
  int simulated_nodes = 0;          // start
  int api_port = 0;                 // start --api-port (0: the profile's own)
  bool json = false;                // --output json / -o json (start, status, profile, version)
  bool all = false;                 // delete
  bool follow = false;              // logs
  std::string user;                 // kubeconfig --user
  std::vector<std::string> groups;  // kubeconfig --group (repeatable)
  std::vector<std::string> rest;    // image/service: everything after the command;
                                    // profile/completion: their positional words
  bool help = false;                // --help / -h anywhere
};

// BadRequest with the reason ("unknown flag --foo for start") on a usage error; the caller
// prints it with the usage line and exits 2.
StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args);

// The usage text (for --help, and its first line after a usage error).
std::string UsageText();
inline constexpr const char* kUsageLine =
    "usage: minik <start|stop|delete|status|profile|server|logs|kubeconfig|image|service|"
    "version|completion> [--profile P] [flags]";

}  // namespace minik
