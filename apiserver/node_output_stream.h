// A NodeStream's stdout as an HTTP response body (`kubectl logs -f`): the bytes the node
// writes are sent as chunks as they come, and the body ends at the stream's EOF.
//
// Threads: one reader thread per stream polls the NodeStream's stdout and a wake eventfd,
// and calls the server's notify after each read. At most kMaxBuffered bytes wait for Pull;
// beyond that the reader stops reading (back-pressure through the pipe to the kubelet's
// follower, which then stops reading the log). Cancel (or the destructor) wakes and joins the
// reader and then destroys the NodeStream, which stops the node side.
#pragma once

#include <memory>

#include "api/node_connector.h"
#include "apiserver/http.h"

namespace minik {

std::shared_ptr<ResponseStream> NewNodeOutputStream(std::unique_ptr<NodeStream> stream);

}  // namespace minik
