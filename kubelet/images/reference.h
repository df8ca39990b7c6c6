// Image references, parsed and normalised the way Docker's distribution/reference does.
//
//   [domain/]path[:tag][@algorithm:hex]
//
// The domain is the first path component when it contains '.' or ':', is "localhost", or has
// an upper-case letter; otherwise it is "docker.io" (and "index.docker.io" becomes
// "docker.io"). On docker.io a one-component path gets "library/". A reference with neither
// tag nor digest gets ":latest". Path components are [a-z0-9]+ joined by '.', '_', '__' or
// runs of '-'; tags are [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; digests are sha256:<64 lower hex>
// (other algorithms are refused: the store is sha256 only).
#pragma once

#include <string>

#include "api/status.h"

namespace minik {

struct ImageRef {
  std::string domain;  // "docker.io", "127.0.0.1:5000", "[::1]:5000", "localhost"
  std::string path;    // "library/busybox"
  std::string tag;     // "1.35"; "" when the reference has only a digest
  std::string digest;  // "sha256:<hex>" or ""

  std::string Repository() const { return domain + "/" + path; }  // "docker.io/library/busybox"
  // The normalised string: repository, ":tag" when set, "@digest" when set.
  std::string String() const;
};

// kInvalid with a message naming what is wrong.
StatusOr<ImageRef> ParseImageRef(const std::string& ref);

// The repository as `docker images` shows it: "docker.io/library/busybox" -> "busybox",
// "docker.io/probe/busybox" -> "probe/busybox", others unchanged.
std::string ShortRepository(const std::string& repository);

// "sha256:<64 lower hex>".
bool IsSha256Digest(const std::string& digest);

// The registry's address for HTTP: docker.io -> "registry-1.docker.io".
std::string RegistryHost(const ImageRef& ref);
// Plain HTTP for localhost, 127.0.0.1 and [::1] (any port), HTTPS otherwise.
bool IsInsecureRegistry(const ImageRef& ref);

}  // namespace minik
