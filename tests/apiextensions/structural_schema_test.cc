#include "apiextensions/structural_schema.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

std::shared_ptr<const StructuralSchema> MustParse(const char* text) {
  auto s = StructuralSchema::Parse(Json::parse(text));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

std::vector<StatusCause> CausesOf(const char* text) {
  auto s = StructuralSchema::Parse(Json::parse(text));
  EXPECT_FALSE(s.ok());
  if (s.ok()) return {};
  EXPECT_EQ(s.status().code(), Code::kInvalid);
  return s.status().details()->causes;
}

bool HasCause(const std::vector<StatusCause>& causes, const std::string& field,
              const std::string& message) {
  for (const auto& c : causes) {
    if (c.field == field && c.message == message) return true;
  }
  return false;
}

std::string Dump(const std::vector<StatusCause>& causes) {
  std::string out;
  for (const auto& c : causes) out += c.reason + " " + c.field + ": " + c.message + "\n";
  return out;
}

TEST(StructuralSchemaParse, AcceptsTypicalSchema) {
  auto s = MustParse(R"({"type":"object","properties":{
    "spec":{"type":"object","properties":{
      "size":{"type":"integer","maximum":10},
      "color":{"type":"string","enum":["red","blue"]},
      "port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
      "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
      "labels":{"type":"object","additionalProperties":{"type":"string"}}}},
    "status":{"type":"object"}}})");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->OpenApi()["properties"]["spec"]["properties"]["size"]["maximum"], 10);
}

TEST(StructuralSchemaParse, MissingTypeRejected) {
  auto causes = CausesOf(R"({"type":"object","properties":{"spec":{"properties":{}}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[spec].type",
                       "Required value: must not be empty for specified object fields"))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"array","items":{}}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].items.type",
                       "Required value: must not be empty for specified array items"))
      << Dump(causes);
  causes = CausesOf(R"({"properties":{}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.type",
                       "Required value: must not be empty at the root"))
      << Dump(causes);
}

TEST(StructuralSchemaParse, NonStructuralShapesRejected) {
  auto causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"object",
      "properties":{"x":{"type":"string"}},"additionalProperties":{"type":"string"}}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].additionalProperties",
                       "Forbidden: additionalProperties and properties are mutual exclusive"))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"array"}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].items",
                       "Required value: must be specified"));
  causes = CausesOf(R"({"type":"string"})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.type",
                       "Invalid value: \"string\": must be object at the root"));
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"string",
      "anyOf":[{"type":"string"}]}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].anyOf[0].type",
                       "Forbidden: must be empty to be structural"))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"a":{"$ref":"#/x"}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].$ref",
                       "Forbidden: $ref is not supported"))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"array","uniqueItems":true,
      "items":{"type":"string"}}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].uniqueItems",
                       "Forbidden: uniqueItems cannot be set to true since the runtime "
                       "complexity becomes quadratic"));
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"string","pattern":"(["}}})");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.validation.openAPIV3Schema.properties[a].pattern");
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"object",
      "x-kubernetes-embedded-resource":true}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].properties",
                       "Required value: must not be empty if x-kubernetes-embedded-resource is "
                       "true without x-kubernetes-preserve-unknown-fields"))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"metadata":{"type":"object",
      "properties":{"labels":{"type":"object"}}}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[metadata]",
                       "Forbidden: must not specify anything other than name and generateName, "
                       "but metadata is implicitly specified"))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"array",
      "x-kubernetes-list-type":"map","items":{"type":"object"}}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].x-kubernetes-list-map-keys",
                       "Required value: must not be empty if x-kubernetes-list-type is map"))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"array",
      "x-kubernetes-list-type":"bag","items":{"type":"string"}}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].x-kubernetes-list-type",
                       "Unsupported value: \"bag\": supported values: \"atomic\", \"set\", \"map\""))
      << Dump(causes);
  causes = CausesOf(R"({"type":"object","properties":{"a":{"type":"string","x-kubernetes-int-or-string":true,
      "x-kubernetes-preserve-unknown-fields":true}}})");
  EXPECT_TRUE(HasCause(causes, "spec.validation.openAPIV3Schema.properties[a].x-kubernetes-preserve-unknown-fields",
                       "Invalid value: true: must be false if x-kubernetes-int-or-string is true"))
      << Dump(causes);
}

TEST(StructuralSchemaParse, HostileInput) {
  // Deep nesting is refused rather than recursed into without bound.
  Json deep = {{"type", "object"}};
  for (int i = 0; i < 200; ++i) deep = {{"type", "object"}, {"properties", {{"a", deep}}}};
  auto s = StructuralSchema::Parse(deep);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalid);
  // A huge enum is fine.
  Json values = Json::array();
  for (int i = 0; i < 20000; ++i) values.push_back("v" + std::to_string(i));
  Json big = {{"type", "object"},
              {"properties", {{"a", {{"type", "string"}, {"enum", values}}}}}};
  auto b = StructuralSchema::Parse(big);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE((*b)->Validate(Json{{"a", "v19999"}}, nullptr, nullptr).empty());
  EXPECT_EQ((*b)->Validate(Json{{"a", "nope"}}, nullptr, nullptr).size(), 1u);
  // Wrong JSON types in the schema itself are causes, not crashes.
  EXPECT_FALSE(StructuralSchema::Parse(Json::parse(R"({"type":5})")).ok());
  EXPECT_FALSE(StructuralSchema::Parse(Json::parse(R"([1,2])")).ok());
  EXPECT_FALSE(StructuralSchema::Parse(Json::parse(
      R"({"type":"object","properties":{"a":{"type":"integer","minimum":"x","required":3}}})")).ok());
}

}  // namespace
}  // namespace minik

namespace minik {
namespace {

TEST(StructuralSchemaParse, DefaultsMustValidateAndBePruned) {
  auto causes = CausesOf(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "n":{"type":"integer","default":"x","maximum":3},
      "m":{"type":"integer","default":5,"maximum":3},
      "o":{"type":"object","default":{"a":"s","zz":1},"properties":{"a":{"type":"string"}}},
      "p":{"type":"object","default":{"a":1},"properties":{"a":{"type":"string"}}}}}}})");
  const std::string p = "spec.validation.openAPIV3Schema.properties[spec].properties";
  EXPECT_TRUE(HasCause(causes, p + "[n].default",
                       "Invalid value: \"string\":  in body must be of type integer: \"string\""))
      << Dump(causes);
  EXPECT_TRUE(HasCause(causes, p + "[m].default",
                       "Invalid value: 5:  in body should be less than or equal to 3"))
      << Dump(causes);
  EXPECT_TRUE(HasCause(causes, p + "[o].default",
                       "Invalid value: {\"a\":\"s\",\"zz\":1}: must not have unknown fields"))
      << Dump(causes);
  EXPECT_TRUE(HasCause(causes, p + "[p].default.a",
                       "Invalid value: \"integer\": a in body must be of type string: \"integer\""))
      << Dump(causes);
  EXPECT_EQ(causes.size(), 4u) << Dump(causes);
  // Good defaults, including null for a nullable field, pass.
  EXPECT_TRUE(StructuralSchema::Parse(Json::parse(R"({"type":"object","properties":{
      "a":{"type":"string","nullable":true,"default":null},
      "b":{"type":"array","items":{"type":"integer"},"default":[1,2]}}})")).ok());
}

}  // namespace
}  // namespace minik
