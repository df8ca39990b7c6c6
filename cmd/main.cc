#include "cmd/cli.h"

int main(int argc, char** argv) { return minik::RunCli(argc, argv); }
