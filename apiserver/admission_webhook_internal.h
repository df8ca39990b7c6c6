// Pieces of the admission webhook plugins (admission_webhook.h) shared by their files and
// exposed to tests: matching a request against one webhook and the AdmissionReview shapes.
#pragma once

#include <string>

#include "api/client.h"
#include "api/json.h"
#include "api/status.h"
#include "apiserver/admission.h"

namespace minik::webhook {

// True for requests on Mutating/ValidatingWebhookConfigurations (never sent to webhooks).
bool IsWebhookConfiguration(const AdmissionRequest& req);

// "CREATE", "UPDATE", "DELETE".
const char* OperationName(const AdmissionRequest& req);

// Any of the webhook's rules matches the request (operation, group, version, resource /
// subresource with "*" and "*/*" wildcards, scope), as upstream's rules.Matcher.
bool RulesMatch(const Json& hook, const AdmissionRequest& req);

// The objectSelector matches the new or the old object's labels (an empty selector matches
// everything, a null object nothing). An unparsable selector matches nothing.
bool ObjectSelectorMatches(const Json& hook, const AdmissionRequest& req);

// The namespaceSelector: empty matches; cluster-scoped objects other than namespaces match;
// a namespace is matched by its own labels; other objects by their namespace's labels, read
// through `client` (an error when the namespace cannot be read).
StatusOr<bool> NamespaceSelectorMatches(const Json& hook, const AdmissionRequest& req,
                                        Client& client);

// The admission.k8s.io/v1 AdmissionReview sent for `req`.
Json BuildReview(const AdmissionRequest& req, const std::string& uid);

}  // namespace minik::webhook
