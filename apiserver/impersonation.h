// Impersonation (`kubectl --as=U --as-group=G`, client-go's ImpersonationConfig), as the
// apiserver's WithImpersonation filter: the Impersonate-User, -Group, -Uid and -Extra-<key>
// headers name who the request acts as, and the requester must be allowed the "impersonate"
// verb on each (users, groups, serviceaccounts, uids, userextras/<key>).
#pragma once

#include <optional>

#include "api/client.h"
#include "api/status.h"
#include "apiserver/authz.h"
#include "apiserver/http.h"

namespace minik {

// nullopt when the request impersonates nobody; else the user it acts as. 403 Forbidden
// (upstream's message) when the requester may not impersonate one of them; 500 when groups,
// a uid or extras are asked for without a user, as upstream.
StatusOr<std::optional<UserInfo>> Impersonate(const HttpRequest& request,
                                              const UserInfo& requester,
                                              const Authorizer& authorizer);

}  // namespace minik
