// The `minik` command line (ARCHITECTURE §3). Returns the process exit status.
#pragma once

namespace minik {
int RunCli(int argc, char** argv);
}
