// Admission webhooks, as k8s.io/apiserver/pkg/admission/plugin/webhook: the
// MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins call the HTTPS endpoints
// that admissionregistration.k8s.io/v1 Mutating/ValidatingWebhookConfigurations name, with
// an admission.k8s.io/v1 AdmissionReview.
//
// Behaviour (upstream's dispatchers):
//  - a webhook is called when one of its rules matches (operation, group, version, resource
//    and subresource, scope), its namespaceSelector matches the namespace's labels (the
//    object's own for namespaces; cluster-scoped objects always match) and its objectSelector
//    the new or the old object's labels. Webhook configurations themselves are never sent to
//    webhooks, so a broken webhook can always be removed.
//  - mutating webhooks run in the order of configuration name, then webhook order; a JSON
//    patch in the response is applied to the object; reinvocationPolicy IfNeeded calls a
//    webhook once more when a later webhook changed the object. Validating webhooks run in
//    the same order (sequentially).
//  - allowed=false: the response's status, code at least 400, message
//    `admission webhook "<name>" denied the request: <message>`.
//  - a failed call (connect, TLS, timeout, bad response): failurePolicy Fail answers 500
//    `Internal error occurred: failed calling webhook "<name>": failed to call webhook: Post
//    "<url>?timeout=<n>s": <reason>`; Ignore skips the webhook.
//  - a dry-run request matching a webhook with sideEffects Unknown or Some: 400
//    `admission webhook "<name>" does not support dry run`.
// Deviations: matchPolicy Equivalent matches like Exact (minik serves each resource in one
// version but autoscaling/v1 HPAs); matchConditions are refused when the configuration is
// written (api/resources/admissionregistration.cc); requests are sent as AdmissionReview v1
// whatever admissionReviewVersions lists (validation requires v1 or v1beta1 in it).
//
// Configurations are read through the Client (the registry) and cached: the cache is
// re-listed when a watch on either kind reports a change, or when a configuration write
// passes admission, so a new configuration applies to the next request after its write.
//
// Threads: the plugins run on the callers' threads; the cache is guarded by a mutex, the
// watch notify only sets an atomic flag. A webhook call blocks its request thread for at
// most timeoutSeconds (connect + TLS + response).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/client.h"
#include "api/status.h"
#include "apiserver/admission.h"

namespace minik {

struct AdmissionWebhookPlugins {
  std::shared_ptr<AdmissionPlugin> mutating;    // "MutatingAdmissionWebhook"
  std::shared_ptr<AdmissionPlugin> validating;  // "ValidatingAdmissionWebhook"
};

// Both plugins over one cache of configurations read through `client` (used only while a
// request runs). They keep a watch open on it, so the store behind `client` must outlive
// them. Register both on the chain.
AdmissionWebhookPlugins NewAdmissionWebhooks(Client& client);

// ---- the HTTPS client, exposed for tests

struct HttpsPostRequest {
  std::string host;  // where to connect: an IP address or a DNS name
  int port = 443;
  std::string server_name;                   // the name (or IP) the certificate must carry
  std::string path;                          // with the query, e.g. "/mutate?timeout=10s"
  std::string ca_pem;                        // trusted CAs (PEM); empty: the system roots
  std::string body;                          // application/json
  std::chrono::milliseconds timeout{10000};  // connect + TLS + request + response
};

// POSTs and returns the response body of a 2xx answer. Failures carry Go's net/http wording
// in the message, as upstream's error text shows it: "dial tcp 127.0.0.1:1: connect:
// connection refused", "context deadline exceeded", "tls: failed to verify certificate:
// x509: certificate signed by unknown authority", ...
StatusOr<std::string> HttpsPost(const HttpsPostRequest& request);

}  // namespace minik
