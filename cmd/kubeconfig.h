// Kubeconfig files, as kubectl reads and writes them. minik owns exactly one cluster, one
// user and one context per profile, all named after the profile; everything else in the
// file (other entries, preferences, extensions, unknown fields) is kept as it is.
#pragma once

#include <string>
#include <vector>

#include "api/status.h"

namespace minik {

struct KubeconfigEntry {
  std::string name;    // cluster, user and context name: the profile
  std::string server;  // "https://127.0.0.1:8443"
  std::string ca_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string user_name;  // the user entry's name; empty: `name`
};

// $KUBECONFIG (its first non-empty entry when colon-separated), else $HOME/.kube/config.
std::string DefaultKubeconfigPath();

// Pure transformations of kubeconfig text; BadRequest when `existing` is not a kubeconfig
// (malformed YAML, or clusters/users/contexts that are not lists) — the file is never
// rewritten then. Empty `existing` is an empty config.
//
// Upsert replaces (or appends) the cluster, user and context named entry.name with
// certificate data embedded, and sets current-context to it.
StatusOr<std::string> UpsertKubeconfigText(const std::string& existing,
                                           const KubeconfigEntry& entry);
// Removes the cluster, user and context named `name`; when current-context was `name` it
// becomes the first of `fallbacks` that is a context in the file (another running minik
// profile — never a context minik did not make), else "". `changed` (optional) tells
// whether anything was removed.
StatusOr<std::string> RemoveKubeconfigText(const std::string& existing, const std::string& name,
                                           bool* changed = nullptr,
                                           const std::vector<std::string>& fallbacks = {});
// A complete kubeconfig holding only `entry` (minik kubeconfig).
std::string RenderKubeconfig(const KubeconfigEntry& entry);
// Whether the text has a context `name` whose cluster is `name` with server `server`.
bool KubeconfigHasContext(const std::string& text, const std::string& name,
                          const std::string& server);

// The same on a file: takes kubectl's lock (`path.lock`, created exclusively), reads, and
// writes atomically with mode 0600, creating the directory when needed. Remove leaves a
// missing file missing and an unchanged file untouched.
Status UpsertKubeconfigFile(const std::string& path, const KubeconfigEntry& entry);
Status RemoveFromKubeconfigFile(const std::string& path, const std::string& name,
                                const std::vector<std::string>& fallbacks = {});

}  // namespace minik
