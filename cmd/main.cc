#include "cmd/cli.h"
#include "kubelet/runtime/runtime.h"

int main(int argc, char** argv) {
  // The runtime re-executes this binary for its sandbox holders and container monitors.
  if (auto helper = minik::RunRuntimeHelper(argc, argv)) return *helper;
  return minik::RunCli(argc, argv);
}
