// Running a helper program (iptables-restore, iptables-save) with input and captured output.
#pragma once

#include <string>
#include <vector>

#include "api/status.h"

namespace minik::net {

struct CommandResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up in /usr/sbin, /sbin, /usr/bin, /bin, then $PATH) with `input` on
// its stdin, and waits. A program that cannot be started is an error; a non-zero exit is
// not (see exit_code).
StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                   const std::string& input = "");

}  // namespace minik::net
