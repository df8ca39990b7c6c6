// Fuzzes ServiceAccount token handling, which reads a bearer token before anything is known
// about its sender: base64url decoding, JwtVerifier::Verify (compact JWS, ES256 header,
// raw r||s signature) and ValidateServiceAccountClaims on claims that verified.
// Input: [mode] then the rest. Mode 0: the rest is a token. Mode 1: the rest is claims JSON,
// signed with the fuzz key, then verified and validated. Mode 2: like 1, then one byte of
// the token is replaced ([position u16][byte]) before verifying.
// Checks: errors are Unauthorized; what is signed verifies to the same claims; the base64url
// codec round-trips; nothing throws.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string>

#include "api/json.h"
#include "apiserver/sa_token.h"
#include "fuzz/fuzz_input.h"

namespace minik {
namespace {

struct Keys {
  std::unique_ptr<JwtSigner> signer;
  std::unique_ptr<JwtVerifier> verifier;
};

std::string Pem(EVP_PKEY* key, bool private_key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (private_key) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

const Keys& GetKeys() {
  static const Keys* keys = [] {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    FUZZ_CHECK(key != nullptr);
    auto* k = new Keys();
    auto signer = JwtSigner::FromPrivateKeyPem(Pem(key, true));
    auto verifier = JwtVerifier::FromPublicKeyPem(Pem(key, false));
    FUZZ_CHECK(signer.ok() && verifier.ok());
    k->signer = std::move(*signer);
    k->verifier = std::move(*verifier);
    EVP_PKEY_free(key);
    return k;
  }();
  return *keys;
}

void Validate(const Json& claims) {
  const SystemTime now{std::chrono::seconds(1767225600)};  // 2026-01-01
  StatusOr<ServiceAccountTokenInfo> info = ValidateServiceAccountClaims(
      claims, kDefaultServiceAccountIssuer, {kDefaultServiceAccountIssuer}, now);
  if (!info.ok()) FUZZ_CHECK(info.status().code() == Code::kUnauthorized);
}

void Run(fuzz::FuzzInput& in) {
  const Keys& keys = GetKeys();
  const int mode = static_cast<int>(in.Below(3));
  const size_t position = in.U16();
  const char byte = static_cast<char>(in.Byte());
  const std::string rest(in.Rest());

  std::optional<std::string> decoded = Base64UrlDecode(rest);
  if (decoded) FUZZ_CHECK(Base64UrlDecode(Base64UrlEncode(*decoded)) == decoded);
  FUZZ_CHECK(Base64UrlDecode(Base64UrlEncode(rest)) == rest);

  if (mode == 0) {
    StatusOr<Json> claims = keys.verifier->Verify(rest);
    if (!claims.ok()) {
      FUZZ_CHECK(claims.status().code() == Code::kUnauthorized);
      return;
    }
    Validate(*claims);
    return;
  }
  StatusOr<Json> claims = ParseJson(rest);
  if (!claims.ok() || !claims->is_object()) return;  // claims are a JSON object
  StatusOr<std::string> token = keys.signer->Sign(*claims);
  if (!token.ok()) return;
  if (mode == 2 && !token->empty()) (*token)[position % token->size()] = byte;
  StatusOr<Json> verified = keys.verifier->Verify(*token);
  if (mode == 1) {
    FUZZ_CHECK(verified.ok());
    FUZZ_CHECK(*verified == *claims);
  }
  if (!verified.ok()) {
    FUZZ_CHECK(verified.status().code() == Code::kUnauthorized);
    return;
  }
  Validate(*verified);
}

}  // namespace
}  // namespace minik

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minik::fuzz::FuzzInput in(data, size);
  minik::Run(in);
  return 0;
}
