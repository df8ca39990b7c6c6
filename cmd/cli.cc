#include "cmd/cli.h"

#include <iostream>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "cmd/flags.h"

namespace minik {

int Fail(const std::string& reason, int exit_code) {
  std::cerr << "minik: " << reason << std::endl;
  return exit_code;
}

int RunCli(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  auto args = ParseArgs(words);
  if (!args.ok()) {
    std::cerr << "minik: " << args.status().message() << "\n" << kUsageLine << std::endl;
    return 2;
  }
  if (args->command == "help" || args->help) {
    std::cout << UsageText();
    return 0;
  }
  const std::string& c = args->command;
  if (c == "start") return StartCommand(*args);
  if (c == "stop") return StopCommand(*args);
  if (c == "delete") return DeleteCommand(*args);
  if (c == "status") return StatusCommand(*args);
  if (c == "server") return ServerCommand(*args);
  if (c == "logs") return LogsCommand(*args);
  if (c == "kubeconfig") return KubeconfigCommand(*args);
  if (c == "version") return VersionCommand(*args);
  if (c == "image") return ImageCommand(*args);
  if (c == "service") return ServiceCommand(*args);
  if (c == "profile") return ProfileCommand(*args);
  if (c == "completion") return CompletionCommand(*args);
  return Fail("unknown command " + c, 2);  // ParseArgs admits only known commands
}

}  // namespace minik
