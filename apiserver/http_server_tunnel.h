// Upgraded connections of the HTTP server (WebSocket and raw SPDY), for http_server.cc only.
// Includes Beast, unlike http_server_internal.h: kept to the two server translation units.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>

#include "apiserver/http.h"

namespace minik::http_tunnel {

using TlsStream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;
using UpgradeRequest = boost::beast::http::request<boost::beast::http::empty_body>;

// A running upgraded connection.
class Connection {
 public:
  virtual ~Connection() = default;
  // Ends the connection at once (server Stop); any thread. The tunnel gets OnClosed.
  virtual void Close() = 0;
};

// Takes over `stream` (on its strand; no operation may be pending on it) and answers the
// upgrade: the WebSocket handshake for `request`, or a "101 Switching Protocols" with
// `headers` for a raw upgrade, whose first bytes already read are in `buffer`. `owner` is kept
// alive as long as the connection runs (the HTTP session, so the server still counts it).
std::shared_ptr<Connection> Start(TlsStream stream, boost::beast::flat_buffer buffer,
                                  UpgradeRequest request, HttpUpgrade upgrade,
                                  std::vector<std::pair<std::string, std::string>> headers,
                                  std::shared_ptr<void> owner);

}  // namespace minik::http_tunnel
