// `minik server`: the whole cluster in the foreground (what `minik start` runs as a daemon).
//
// Start-up order: profile config and PKI, the server lock (profiles/P/server.lock: one server
// per profile, also when ephemeral), the pid file, the store, the API server, bootstrap
// objects, the node agent, the controllers. SIGTERM/SIGINT stop everything in reverse order;
// the exit status is then 0. Any start-up failure exits 1 with one line "minik: <reason>".
#pragma once

#include "cmd/flags.h"

namespace minik {

int RunServer(const CliArgs& args);

}  // namespace minik
