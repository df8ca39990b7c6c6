// Request bodies an attacker sends, at the size the server accepts (3 MiB): each is a 400 from
// the decoder, before any recursive JSON operation (dump, copy, compare, schema walkers) could
// see the document. A stack overflow here would kill the test binary.
#include <gtest/gtest.h>

#include <string>

#include "api/schema.h"
#include "apiserver/body.h"

namespace minik {
namespace {

constexpr size_t kMaxBody = 3 * 1024 * 1024;

StatusOr<Json> Decode(const std::string& type, const std::string& body) {
  return DecodeObjectBody(BuiltinSchemas(), type, body);
}

// The document of acceptance 09's "JSON nested 10,000 levels deep gets 400".
TEST(HostileBody, TenThousandLevelsOfJsonIsBadRequest) {
  std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","annotations":)";
  for (int i = 0; i < 10000; ++i) body += R"({"a":)";
  body += R"("x")";
  body += std::string(10000, '}');
  body += "}}";
  StatusOr<Json> r = Decode("application/json", body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
  EXPECT_EQ(r.status().message(), "JSON nesting depth exceeds the maximum of 100");
}

TEST(HostileBody, WholeBodyOfOpeningBracketsIsBadRequest) {
  for (const char* type : {"application/json", "application/yaml"}) {
    for (char open : {'[', '{'}) {
      StatusOr<Json> r = Decode(type, std::string(kMaxBody, open));
      ASSERT_FALSE(r.ok()) << type << " " << open;
      EXPECT_EQ(r.status().code(), Code::kBadRequest) << type << " " << open;
    }
  }
}

TEST(HostileBody, DeepYamlBlockMappingIsBadRequest) {
  std::string body;
  for (int i = 0; i < 3000; ++i) body += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  StatusOr<Json> r = Decode("application/yaml", body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
}

TEST(HostileBody, DepthOneHundredIsAccepted) {
  // 98 objects below the top object and "metadata" (depth 100) pass, one more does not.
  std::string body = R"({"metadata":{"annotations":)";
  std::string inner = R"("x")";
  for (int i = 0; i < 98; ++i) inner = R"({"a":)" + inner + "}";
  body += inner + "}}";
  StatusOr<Json> r = Decode("application/json", body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  StatusOr<Json> deeper = Decode("application/json", R"({"x":)" + body + "}");
  EXPECT_FALSE(deeper.ok());
}

TEST(HostileBody, ManySmallValuesAreFine) {
  // Wide, not deep: 3 MiB of one array is an ordinary (if large) body.
  std::string body = R"({"metadata":{"name":"wide"},"data":{"a":[)";
  while (body.size() < kMaxBody - 16) body += "1,";
  body += "1]}}";
  StatusOr<Json> r = Decode("application/json", body);
  ASSERT_TRUE(r.ok()) << r.status().message();
}

}  // namespace
}  // namespace minik

namespace minik {
namespace {

// Stored objects are dumped as JSON, which must be UTF-8: YAML that is not, raw or through
// escapes, is a 400 and not a 500 from a throwing dump.
TEST(HostileBody, YamlThatIsNotUtf8IsBadRequest) {
  StatusOr<Json> raw = Decode("application/yaml", "metadata: {name: \"caf\xe9\"}\n");
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.status().code(), Code::kBadRequest);
  EXPECT_EQ(raw.status().message(),
            "error converting YAML to JSON: yaml: invalid trailing UTF-8 octet");
  StatusOr<Json> lead = Decode("application/yaml", "a: \x80\n");
  ASSERT_FALSE(lead.ok());
  EXPECT_EQ(lead.status().message(),
            "error converting YAML to JSON: yaml: invalid leading UTF-8 octet");
  StatusOr<Json> cut = Decode("application/yaml", "a: b\xc3");
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().message(),
            "error converting YAML to JSON: yaml: incomplete UTF-8 octet sequence");

  for (const char* escaped : {"a: \"\\ud800\"\n", "\"\\udfff\": b\n"}) {
    StatusOr<Json> r = Decode("application/yaml", escaped);
    ASSERT_FALSE(r.ok()) << escaped;
    EXPECT_EQ(r.status().code(), Code::kBadRequest) << escaped;
  }

  StatusOr<Json> fine = Decode("application/yaml", "metadata: {name: \"caf\xc3\xa9 \\u00e9\"}\n");
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ((*fine)["metadata"]["name"], "caf\xc3\xa9 \xc3\xa9");
  EXPECT_NO_THROW((void)fine->dump());
}

}  // namespace
}  // namespace minik

namespace minik {
namespace {

// nlohmann stops at a NUL byte as if the input ended there; Go's decoder rejects it.
TEST(HostileBody, NulByteIsNotTheEndOfTheBody) {
  const std::string body("{\"metadata\":{\"name\":\"a\"}}\0{\"kind\":\"Secret\"}", 43);
  StatusOr<Json> r = Decode("application/json", body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
  EXPECT_EQ(r.status().message(), "invalid character '\\x00' at offset 25");
  EXPECT_FALSE(ParseJson(std::string_view("25\0", 3)).ok());
  EXPECT_TRUE(ParseJson("{\"a\":\"\\u0000\"}").ok());  // an escaped NUL is fine
}

}  // namespace
}  // namespace minik
