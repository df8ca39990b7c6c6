// Registry manifests from fuzz/manifest: a schemaVersion that is not a number threw
// nlohmann's type_error out of the pull.
#include <gtest/gtest.h>

#include "api/json.h"
#include "kubelet/images/manifest.h"

namespace minik {
namespace {

TEST(ManifestHostile, SchemaVersionOfAnyTypeDoesNotThrow) {
  for (const char* body :
       {R"({"schemaVersion":{},"manifests":[]})", R"({"schemaVersion":[1]})",
        R"({"schemaVersion":"1","config":{},"layers":[]})", R"({"schemaVersion":null})",
        R"({"schemaVersion":1.5})"}) {
    StatusOr<Json> j = ParseJson(body);
    ASSERT_TRUE(j.ok()) << body;
    EXPECT_NO_THROW((void)ManifestMediaType(*j)) << body;
    StatusOr<ImageManifest> m = Status(Code::kInternal, "not parsed");
    EXPECT_NO_THROW(m = ParseImageManifest(*j)) << body;
    ASSERT_FALSE(m.ok()) << body;
    EXPECT_EQ(m.status().code(), Code::kInvalid) << body;
  }
  StatusOr<Json> schema1 = ParseJson(R"({"schemaVersion":1,"name":"x"})");
  ASSERT_TRUE(schema1.ok());
  EXPECT_EQ(ManifestMediaType(*schema1), kDockerSchema1);
}

}  // namespace
}  // namespace minik
