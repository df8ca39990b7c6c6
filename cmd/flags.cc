#include "cmd/flags.h"

#include <cstdlib>
#include <set>

#include "cmd/profile.h"

namespace minik {
namespace {

constexpr int kMaxSimulatedNodes = 1000;

const std::set<std::string> kCommands = {
    "start", "stop",  "delete",  "status",  "server",  "logs",      "version",
    "kubeconfig", "image", "service", "profile", "completion", "help"};

// Commands whose positional words are kept in `rest` (their own grammar checks them).
bool TakesWords(const std::string& command) {
  return command == "profile" || command == "completion";
}

// The flags each command accepts besides --profile and --help.
bool Accepts(const std::string& command, const std::string& flag) {
  bool output = flag == "--output" || flag == "-o";
  if (command == "start")
    return flag == "--ephemeral" || flag == "--simulated-nodes" || flag == "--api-port" || output;
  if (command == "status" || command == "profile" || command == "version") return output;
  if (command == "delete") return flag == "--all";
  if (command == "logs") return flag == "--follow" || flag == "-f";
  if (command == "kubeconfig") return flag == "--user" || flag == "--group";
  return false;
}

bool TakesValue(const std::string& flag) {
  return flag == "--profile" || flag == "-p" || flag == "--simulated-nodes" || flag == "--user" ||
         flag == "--group" || flag == "--api-port" || flag == "--output" || flag == "-o";
}

}  // namespace

std::string UsageText() {
  return std::string(kUsageLine) +
         "\n\n"
         "Commands:\n"
         "  start [--ephemeral] [--simulated-nodes N] [--api-port N] [-o json]\n"
         "                                             start the cluster (needs root)\n"
         "  stop                                       stop the cluster, keeping its state\n"
         "                                             (an --ephemeral one is deleted)\n"
         "  delete [--all]                             remove the cluster and all its state\n"
         "  status [-o json]                           host / apiserver / kubelet state; exit\n"
         "                                             0 running, 7 stopped, 6 API down,\n"
         "                                             4 node not Ready, 85 no such profile\n"
         "  profile list [-o json]                     every profile: status, API URL, pods\n"
         "  server                                     run the cluster in the foreground\n"
         "  logs [-f|--follow]                         the server's log\n"
         "  kubeconfig [--user U [--group G]...]       print a kubeconfig for the cluster\n"
         "  image load|ls|rm|pull ...                  manage images\n"
         "  service NAME [-n NS] --url                 URLs of a NodePort/LoadBalancer service\n"
         "  version [-o json]                          minik and Kubernetes API versions\n"
         "  completion bash                            a bash completion script:\n"
         "                                             source <(minik completion bash)\n"
         "\n"
         "Every command takes --profile P (default minik); state lives in $MINIK_HOME\n"
         "(default ~/.minik).\n";
}

StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args) {
  CliArgs out;
  size_t i = 0;
  // Global flags may come before the command: `minik --profile x start`.
  std::vector<std::pair<std::string, std::string>> flags;  // (flag, value)
  auto take_flag = [&](const std::string& arg) -> Status {
    std::string flag = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    if (TakesValue(flag)) {
      if (!has_value) {
        if (i + 1 >= args.size()) return BadRequest("flag " + flag + " needs a value");
        value = args[++i];
      }
    } else if (has_value) {
      return BadRequest("flag " + flag + " takes no value");
    }
    flags.emplace_back(flag, value);
    return Status::Ok();
  };

  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!a.empty() && a[0] == '-') {
      MINIK_RETURN_IF_ERROR(take_flag(a));
      continue;
    }
    if (out.command.empty()) {
      if (!kCommands.count(a)) return BadRequest("unknown command \"" + a + "\"");
      out.command = a;
      if (a == "image" || a == "service") {
        // Their own grammar comes with their implementation; keep the words for it.
        out.rest.assign(args.begin() + static_cast<long>(i) + 1, args.end());
        break;
      }
      continue;
    }
    if (TakesWords(out.command)) {
      out.rest.push_back(a);
      continue;
    }
    return BadRequest("unexpected argument \"" + a + "\" for " + out.command);
  }
  if (out.command.empty()) {
    for (const auto& f : flags) {
      if (f.first == "--help" || f.first == "-h") {
        out.command = "help";
        return out;
      }
    }
    return BadRequest("no command given");
  }

  for (const auto& [flag, value] : flags) {
    if (flag == "--help" || flag == "-h") {
      out.help = true;
    } else if (flag == "--profile" || flag == "-p") {
      out.profile = value;
    } else if (!Accepts(out.command, flag)) {
      return BadRequest("unknown flag " + flag + " for " + out.command);
    } else if (flag == "--ephemeral") {
      out.ephemeral = true;
    } else if (flag == "--simulated-nodes") {
      char* end = nullptr;
      long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 0 || n > kMaxSimulatedNodes) {
        return BadRequest("--simulated-nodes must be a number from 0 to " +
                          std::to_string(kMaxSimulatedNodes) + ", not \"" + value + "\"");
      }
      out.simulated_nodes = static_cast<int>(n);
    } else if (flag == "--api-port") {
      char* end = nullptr;
      long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 1024 || n > 65535) {
        return BadRequest("--api-port must be a port from 1024 to 65535, not \"" + value + "\"");
      }
      out.api_port = static_cast<int>(n);
    } else if (flag == "--output" || flag == "-o") {
      if (value != "json" && value != "text") {
        return BadRequest("--output must be json or text, not \"" + value + "\"");
      }
      out.json = value == "json";
    } else if (flag == "--all") {
      out.all = true;
    } else if (flag == "--follow" || flag == "-f") {
      out.follow = true;
    } else if (flag == "--user") {
      if (value.empty()) return BadRequest("--user must not be empty");
      out.user = value;
    } else if (flag == "--group") {
      if (value.empty()) return BadRequest("--group must not be empty");
      out.groups.push_back(value);
    }
  }
  if (!out.groups.empty() && out.user.empty()) return BadRequest("--group needs --user");
  if (out.command == "profile") {
    if (out.rest.empty()) return BadRequest("profile needs a subcommand: minik profile list");
    if (out.rest != std::vector<std::string>{"list"})
      return BadRequest("unknown profile subcommand \"" + out.rest[0] + "\" (known: list)");
  }
  if (out.command == "completion") {
    if (out.rest.empty()) return BadRequest("completion needs a shell: minik completion bash");
    if (out.rest != std::vector<std::string>{"bash"})
      return BadRequest("unsupported shell \"" + out.rest[0] + "\" (supported: bash)");
  }
  MINIK_RETURN_IF_ERROR(ValidateProfileName(out.profile));
  return out;
}

}  // namespace minik
