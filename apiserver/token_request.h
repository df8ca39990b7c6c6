// serviceaccounts/token: the TokenRequest subresource, as upstream's TokenREST
// (pkg/registry/core/serviceaccount/storage/token.go). It sits as a Client in front of the
// registry, so HTTP requests (`kubectl create token`) and the kubelet's in-process requests
// for projected tokens take the same path; every other request passes through untouched.
//
// POST serviceaccounts/NAME/token with a TokenRequest: the ServiceAccount must exist (404);
// spec.audiences defaults to the API's audiences, spec.expirationSeconds to 3600 (below 600:
// 422 Invalid, above the maximum: shortened with a warning); spec.boundObjectRef may name a
// Pod (running as NAME), a Secret or a Node that exists, with a matching uid when one is given.
// Answers the TokenRequest with status.token and status.expirationTimestamp.
#pragma once

#include <memory>

#include "api/client.h"
#include "api/clock.h"
#include "apiserver/sa_token.h"

namespace minik {

// `signer`, `clock` must outlive the client.
std::unique_ptr<Client> NewTokenRequestClient(std::unique_ptr<Client> registry,
                                              const JwtSigner& signer,
                                              ServiceAccountTokenConfig config, Clock& clock);

}  // namespace minik
