// `minik profile list` and `minik completion bash`.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cmd/commands.h"
#include "cmd/profile.h"
#include "cmd/profile_state.h"

namespace minik {

int ProfileCommand(const CliArgs& args) {
  const std::string home = MinikHome();
  std::vector<ProfileState> states;
  for (const auto& name : ListProfiles(home)) states.push_back(ProbeProfile(home, name, true));
  if (args.json) {
    Json list = Json::array();
    for (const auto& s : states) list.push_back(s.ToJson());
    std::cout << Json{{"profiles", list}}.dump() << std::endl;
    return 0;
  }
  if (states.empty()) {
    std::cout << "no profiles in " << home << ": minik start creates one" << std::endl;
    return 0;
  }
  std::ostringstream out;
  auto row = [&](const std::string& name, const std::string& status, const std::string& api,
                 const std::string& pods, const std::string& store) {
    out << std::left << std::setw(20) << name << " " << std::setw(9) << status << " "
        << std::setw(24) << api << " " << std::setw(5) << pods << " " << store << "\n";
  };
  row("PROFILE", "STATUS", "API", "PODS", "STORE");
  for (const auto& s : states) {
    if (!s.config_status.ok()) {
      row(s.name, s.Phase(), "-", "-", "-");
      continue;
    }
    row(s.name, s.Phase(), s.ServerUrl(), s.pods >= 0 ? std::to_string(s.pods) : "-",
        s.config.ephemeral ? "ephemeral" : "disk");
  }
  std::cout << out.str() << std::flush;
  return 0;
}

namespace {

// Completes commands, each command's flags, profile names after --profile/-p, image
// subcommands, and file names after `image load`.
constexpr const char* kBashCompletion = R"BASH(# bash completion for minik: source <(minik completion bash)
_minik_profiles() {
  local home=${MINIK_HOME:-$HOME/.minik}
  [[ -d $home/profiles ]] && command ls -1 "$home/profiles" 2>/dev/null
}
_minik() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -p|--profile|--simulated-nodes|--api-port|-o|--output|--user|--group) ((i++)) ;;
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  case $prev in
    -p|--profile) COMPREPLY=($(compgen -W "$(_minik_profiles)" -- "$cur")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --simulated-nodes|--api-port|--user|--group) return ;;
  esac
  local flags="--profile --help"
  case $cmd in
    "") COMPREPLY=($(compgen -W "start stop delete status profile server logs kubeconfig image service version completion help --profile" -- "$cur")); return ;;
    start) flags+=" --ephemeral --simulated-nodes --api-port --output" ;;
    delete) flags+=" --all" ;;
    status|version) flags+=" --output" ;;
    logs) flags+=" --follow" ;;
    kubeconfig) flags+=" --user --group" ;;
    profile) [[ $prev == profile ]] && { COMPREPLY=($(compgen -W "list" -- "$cur")); return; }; flags+=" --output" ;;
    completion) COMPREPLY=($(compgen -W "bash" -- "$cur")); return ;;
    image)
      case $prev in
        image) COMPREPLY=($(compgen -W "load ls rm pull" -- "$cur")); return ;;
        load) COMPREPLY=($(compgen -f -- "$cur")); return ;;
      esac ;;
    service) flags+=" --url --https --namespace" ;;
  esac
  COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -F _minik minik
)BASH";

}  // namespace

int CompletionCommand(const CliArgs&) {
  std::cout << kBashCompletion << std::flush;
  return std::cout ? 0 : Fail("cannot write to stdout");
}

}  // namespace minik
