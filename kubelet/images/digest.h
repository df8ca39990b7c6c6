// Incremental SHA-256 (OpenSSL EVP) for blob digests and layer diff ids.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace minik {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  // "sha256:<64 lower hex>". Call once.
  std::string Digest();

 private:
  EVP_MD_CTX* ctx_;
};

// "sha256:<hex>" of `data`.
std::string Sha256Digest(std::string_view data);

}  // namespace minik
