// core/v1 ConfigMap, Secret and ServiceAccount (pkg/registry/core/{configmap,secret,
// serviceaccount}, ValidateConfigMap / ValidateSecret).
#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

constexpr int64_t kMaxSecretSize = 1024 * 1024;  // api.MaxSecretSize, for configmaps too

// validation.IsConfigMapKey.
std::vector<std::string> ConfigMapKeyErrors(const std::string& key) {
  std::vector<std::string> errs;
  if (key.size() > 253) errs.push_back("must be no more than 253 characters");
  bool ok = !key.empty();
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') ok = false;
  if (!ok)
    errs.push_back(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
        "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
        "'[-._a-zA-Z0-9]+')");
  if (key == ".") {
    errs.push_back("must not be '.'");
  } else if (key == "..") {
    errs.push_back("must not be '..'");
  } else if (key.rfind("..", 0) == 0) {
    errs.push_back("must not start with '..'");
  }
  return errs;
}

// Bytes a base64 value decodes to (its padding excluded).
int64_t DecodedSize(const std::string& b64) {
  int64_t n = static_cast<int64_t>(b64.size());
  int64_t pad = 0;
  while (pad < 2 && n - pad > 0 && b64[n - 1 - pad] == '=') ++pad;
  return (n * 3) / 4 - pad;
}

std::string Base64Encode(const std::string& in) {
  static const char* kTable = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

int64_t MapSize(const Json& m) { return m.is_object() ? static_cast<int64_t>(m.size()) : 0; }

// Fields that `immutable: true` freezes.
void CheckImmutable(Causes& out, const Json& obj, const Json& old,
                    std::initializer_list<const char*> fields) {
  if (!IsTrue(old, {"immutable"})) return;
  if (!IsTrue(obj, {"immutable"}))
    out.push_back(ForbiddenCause("immutable", "field is immutable when `immutable` is set"));
  for (const char* f : fields)
    if (At(obj, {f}) != At(old, {f}))
      out.push_back(ForbiddenCause(f, "field is immutable when `immutable` is set"));
}

void ValidateConfigMap(Causes& out, const Json& cm) {
  int64_t total = 0;
  const Json& data = At(cm, {"data"});
  const Json& binary = At(cm, {"binaryData"});
  if (data.is_object()) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      for (const auto& m : ConfigMapKeyErrors(it.key()))
        out.push_back(InvalidCause("data[" + it.key() + "]", GoQuote(it.key()), m));
      if (binary.is_object() && binary.contains(it.key()))
        out.push_back(InvalidCause("data[" + it.key() + "]", GoQuote(it.key()),
                                   "duplicate of key present in binaryData"));
      if (!it->is_string()) {
        out.push_back(InvalidCause("data[" + it.key() + "]", GoScalar(*it), "must be a string"));
      } else {
        total += static_cast<int64_t>(it->get<std::string>().size());
      }
    }
  }
  if (binary.is_object()) {
    for (auto it = binary.begin(); it != binary.end(); ++it) {
      for (const auto& m : ConfigMapKeyErrors(it.key()))
        out.push_back(InvalidCause("binaryData[" + it.key() + "]", GoQuote(it.key()), m));
      total += DecodedSize(Str(*it));
    }
  }
  if (total > kMaxSecretSize) out.push_back(TooLongCause("", kMaxSecretSize));
}

void DefaultSecret(Json& secret) {
  SetDefault(secret, "type", "Opaque");
  // stringData is write-only: merged into data (winning over it), as the v1 conversion does.
  const Json& sd = At(secret, {"stringData"});
  if (sd.is_object()) {
    Json& data = Obj(secret, "data");
    for (auto it = sd.begin(); it != sd.end(); ++it)
      data[it.key()] = Base64Encode(it->is_string() ? it->get<std::string>() : it->dump());
  }
  secret.erase("stringData");
}

void ValidateSecret(Causes& out, const Json& secret) {
  int64_t total = 0;
  const Json& data = At(secret, {"data"});
  if (data.is_object()) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      for (const auto& m : ConfigMapKeyErrors(it.key()))
        out.push_back(InvalidCause("data[" + it.key() + "]", GoQuote(it.key()), m));
      total += DecodedSize(Str(*it));
    }
  }
  if (total > kMaxSecretSize) out.push_back(TooLongCause("data", kMaxSecretSize));
  auto has = [&](const char* key) { return data.is_object() && data.contains(key); };
  std::string type = Str(At(secret, {"type"}));
  if (type == "kubernetes.io/service-account-token") {
    if (Str(At(secret, {"metadata", "annotations", "kubernetes.io/service-account.name"})).empty())
      out.push_back(
          RequiredCause("metadata.annotations[kubernetes.io/service-account.name]"));
  } else if (type == "kubernetes.io/dockercfg") {
    if (!has(".dockercfg")) out.push_back(RequiredCause("data[.dockercfg]"));
  } else if (type == "kubernetes.io/dockerconfigjson") {
    if (!has(".dockerconfigjson")) out.push_back(RequiredCause("data[.dockerconfigjson]"));
  } else if (type == "kubernetes.io/basic-auth") {
    if (!has("username") && !has("password")) {
      out.push_back(RequiredCause("data[username]"));
      out.push_back(RequiredCause("data[password]"));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (Str(At(data, {"ssh-privatekey"})).empty()) out.push_back(RequiredCause("data[ssh-privatekey]"));
  } else if (type == "kubernetes.io/tls") {
    if (!has("tls.crt")) out.push_back(RequiredCause("data[tls.crt]"));
    if (!has("tls.key")) out.push_back(RequiredCause("data[tls.key]"));
  }
}

}  // namespace

ResourceInfo ConfigMaps() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "ConfigMap";
  r.plural = "configmaps";
  r.singular = "configmap";
  r.short_names = {"cm"};
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("core", "v1", "ConfigMap");
  r.columns = {Col("Data", "string", Doc("ConfigMap.data")), AgeCol()};
  r.cells = [](const Json& cm, SystemTime now) -> std::vector<Json> {
    return {MapSize(At(cm, {"data"})) + MapSize(At(cm, {"binaryData"})), AgeOf(cm, now)};
  };
  r.fields = [](const Json&, const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  StrategySpec s;
  s.validate = ValidateConfigMap;
  s.validate_update = [](Causes& out, const Json& cm, const Json& old) {
    CheckImmutable(out, cm, old, {"data", "binaryData"});
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo Secrets() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Secret";
  r.plural = "secrets";
  r.singular = "secret";
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("core", "v1", "Secret");
  r.columns = {Col("Type", "string", Doc("Secret.type")), Col("Data", "string", Doc("Secret.data")),
               AgeCol()};
  r.cells = [](const Json& s, SystemTime now) -> std::vector<Json> {
    return {Str(At(s, {"type"})), MapSize(At(s, {"data"})), AgeOf(s, now)};
  };
  r.fields = [](const Json& s, const std::string& field) -> std::optional<std::string> {
    if (field == "type") return Str(At(s, {"type"}));
    return std::nullopt;
  };
  StrategySpec s;
  s.defaults = DefaultSecret;
  s.validate = ValidateSecret;
  s.validate_update = [](Causes& out, const Json& secret, const Json& old) {
    const Json& t = At(secret, {"type"});
    if (t != At(old, {"type"})) out.push_back(InvalidValue("type", t, "field is immutable"));
    CheckImmutable(out, secret, old, {"data"});
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo ServiceAccounts() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "ServiceAccount";
  r.plural = "serviceaccounts";
  r.singular = "serviceaccount";
  r.short_names = {"sa"};
  r.verbs = kStandardVerbs;
  r.subresources = {{"token", {"authentication.k8s.io", "v1", "TokenRequest"}, {"create"}}};
  r.schema = SchemaName("core", "v1", "ServiceAccount");
  r.columns = {Col("Secrets", "string", Doc("ServiceAccount.secrets")), AgeCol()};
  r.cells = [](const Json& sa, SystemTime now) -> std::vector<Json> {
    return {static_cast<int64_t>(Arr(sa, {"secrets"}).size()), AgeOf(sa, now)};
  };
  r.fields = [](const Json&, const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  r.strategy = MakeStrategy({});
  return r;
}

}  // namespace minik::res
