// Internal pieces of the HTTP server that need neither Beast nor Asio, kept out of
// http_server.cc so that the one Beast translation unit stays as small as possible.
// Not for use outside apiserver/http_server*.cc and its tests.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>

#include "api/status.h"
#include "apiserver/http.h"

namespace minik {

// Configures a server SSL_CTX: TLS 1.2+, the serving chain and key from PEM, ALPN that only
// ever selects "http/1.1", and, when options.client_ca_pem is set, an optional client
// certificate request whose verification failure does not fail the handshake (the result is
// read back with VerifiedPeerCertificate). BadRequest on unusable PEM input.
Status ConfigureServerTls(SSL_CTX* ctx, const HttpServerOptions& options);

// The peer certificate of a finished handshake if one was sent and verified against the
// client CA; nullopt otherwise.
std::optional<PeerCertificate> VerifiedPeerCertificate(SSL* ssl);

// The Status JSON body of an error the server makes itself. `http_code`, when non-zero,
// replaces the code (for 408 and 431, which have no Code of their own).
std::string StatusBody(const Status& status, int http_code = 0);

}  // namespace minik
