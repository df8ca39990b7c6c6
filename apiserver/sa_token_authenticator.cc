#include "apiserver/sa_token_authenticator.h"

namespace minik {
namespace {

// invalidIfDeletedBefore = now - jwt.DefaultLeeway: objects being deleted keep their tokens
// valid this long after their deletionTimestamp.
constexpr std::chrono::seconds kDeletionLeeway{60};
// The cache is dropped whole past this many entries (one per distinct object looked up).
constexpr size_t kMaxCacheEntries = 10000;

Status Unauthorized(std::string why) { return Status(Code::kUnauthorized, std::move(why)); }

}  // namespace

ServiceAccountTokenAuthenticator::ServiceAccountTokenAuthenticator(
    const JwtVerifier& verifier, ServiceAccountTokenConfig config, Clock& clock)
    : verifier_(verifier), config_(std::move(config)), clock_(clock) {}

void ServiceAccountTokenAuthenticator::SetClient(Client* client) {
  std::lock_guard<std::mutex> g(mu_);
  client_ = client;
  cache_.clear();
}

std::optional<UserInfo> ServiceAccountTokenAuthenticator::AuthenticateToken(
    const std::string& token) {
  auto user = Authenticate(token);
  if (!user.ok()) return std::nullopt;
  return std::move(*user);
}

StatusOr<UserInfo> ServiceAccountTokenAuthenticator::Authenticate(const std::string& token) {
  auto claims = verifier_.Verify(token);
  if (!claims.ok()) return claims.status();
  const SystemTime now = clock_.Now();
  auto info = ValidateServiceAccountClaims(*claims, config_.issuer, config_.audiences, now);
  if (!info.ok()) return info.status();
  MINIK_RETURN_IF_ERROR(CheckBound("serviceaccounts", info->ns, info->service_account, now));
  if (!info->secret.empty()) MINIK_RETURN_IF_ERROR(CheckBound("secrets", info->ns, info->secret, now));
  if (!info->pod.empty()) {
    MINIK_RETURN_IF_ERROR(CheckBound("pods", info->ns, info->pod, now));
  } else if (!info->node.empty()) {
    // A node of a pod-bound token is informational; a node-bound token needs its node.
    MINIK_RETURN_IF_ERROR(CheckBound("nodes", "", info->node, now));
  }
  UserInfo user;
  user.name = ServiceAccountUsername(info->ns, info->service_account.name);
  user.uid = info->service_account.uid;
  user.groups = {"system:serviceaccounts", "system:serviceaccounts:" + info->ns};
  if (!info->pod.empty()) {
    user.extra["authentication.kubernetes.io/pod-name"] = {info->pod.name};
    user.extra["authentication.kubernetes.io/pod-uid"] = {info->pod.uid};
  }
  if (!info->node.empty()) {
    user.extra["authentication.kubernetes.io/node-name"] = {info->node.name};
    user.extra["authentication.kubernetes.io/node-uid"] = {info->node.uid};
  }
  if (!info->jti.empty()) {
    user.extra["authentication.kubernetes.io/credential-id"] = {"JTI=" + info->jti};
  }
  return user;
}

Status ServiceAccountTokenAuthenticator::CheckBound(const std::string& plural,
                                                    const std::string& ns, const TokenRef& ref,
                                                    SystemTime now) {
  auto found = Lookup(plural, ns, ref.name);
  if (!found.ok()) return found.status();
  std::string what = plural + " " + (ns.empty() ? "" : ns + "/") + ref.name;
  if (!found->exists) return Unauthorized(what + " has been deleted");
  if (found->uid != ref.uid) {
    return Unauthorized(what + " UID (" + found->uid + ") does not match claim (" + ref.uid + ")");
  }
  if (found->deleted_at && *found->deleted_at < now - kDeletionLeeway) {
    return Unauthorized(what + " is being deleted");
  }
  return Status::Ok();
}

StatusOr<ServiceAccountTokenAuthenticator::Found> ServiceAccountTokenAuthenticator::Lookup(
    const std::string& plural, const std::string& ns, const std::string& name) {
  const std::string key = plural + "/" + ns + "/" + name;
  const SteadyTime steady = clock_.Steady();
  Client* client = nullptr;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && steady - it->second.fetched < kLookupTtl) return it->second;
    client = client_;
  }
  if (!client) return Unauthorized("service account tokens are not accepted yet");
  // Read outside the lock: the registry may be slow, and concurrent misses of one key only
  // cost a duplicate read.
  auto obj = client->Get({"", "v1", plural}, ns, name);
  Found found;
  found.fetched = steady;
  if (obj.ok()) {
    found.exists = true;
    found.uid = Uid(*obj);
    SystemTime t;
    if (ParseRfc3339(GetString(*obj, {"metadata", "deletionTimestamp"}), &t)) found.deleted_at = t;
  } else if (obj.status().code() != Code::kNotFound) {
    // A store failure is not cached: it says nothing about the object.
    return Unauthorized("cannot look up " + plural + " " + name + ": " + obj.status().message());
  }
  std::lock_guard<std::mutex> g(mu_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_[key] = found;
  return found;
}

}  // namespace minik
