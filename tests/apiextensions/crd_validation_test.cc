#include "apiextensions/crd_validation.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

Json GoodCrd() {
  return Json::parse(R"({
    "apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","scope":"Namespaced",
      "names":{"plural":"widgets","kind":"Widget","shortNames":["wd"]},
      "versions":[{"name":"v1","served":true,"storage":true,
        "schema":{"openAPIV3Schema":{"type":"object","properties":{
          "spec":{"type":"object","properties":{"replicas":{"type":"integer"}}},
          "status":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}},
        "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas",
          "statusReplicasPath":".status.replicas"}},
        "additionalPrinterColumns":[{"name":"Replicas","type":"integer","jsonPath":".spec.replicas"}]}]}})");
}

std::string Dump(const std::vector<StatusCause>& causes) {
  std::string out;
  for (const auto& c : causes) out += c.reason + " | " + c.field + " | " + c.message + "\n";
  return out;
}

bool Has(const std::vector<StatusCause>& causes, const std::string& field, const std::string& msg) {
  for (const auto& c : causes) {
    if (c.field == field && c.message == msg) return true;
  }
  return false;
}

std::vector<StatusCause> Check(Json crd) {
  DefaultCustomResourceDefinition(crd);
  return ValidateCustomResourceDefinition(crd);
}

TEST(CrdDefaults, Names) {
  Json crd = GoodCrd();
  DefaultCustomResourceDefinition(crd);
  EXPECT_EQ(crd["spec"]["names"]["singular"], "widget");
  EXPECT_EQ(crd["spec"]["names"]["listKind"], "WidgetList");
  EXPECT_EQ(crd["spec"]["conversion"], Json::parse(R"({"strategy":"None"})"));
  crd["spec"]["names"]["singular"] = "thing";
  DefaultCustomResourceDefinition(crd);
  EXPECT_EQ(crd["spec"]["names"]["singular"], "thing");
}

TEST(CrdValidation, GoodCrdPasses) {
  auto c = Check(GoodCrd());
  EXPECT_TRUE(c.empty()) << Dump(c);
}

TEST(CrdValidation, NameAndGroup) {
  Json crd = GoodCrd();
  crd["metadata"]["name"] = "widgets.other.com";
  auto c = Check(crd);
  EXPECT_TRUE(Has(c, "metadata.name",
                  "Invalid value: \"widgets.other.com\": must be spec.names.plural+\".\"+spec.group"))
      << Dump(c);
  crd = GoodCrd();
  crd["spec"]["group"] = "example";
  crd["metadata"]["name"] = "widgets.example";
  c = Check(crd);
  EXPECT_TRUE(Has(c, "spec.group", "Invalid value: \"example\": should be a domain with at least one dot"))
      << Dump(c);
}

TEST(CrdValidation, NamesAndScope) {
  Json crd = GoodCrd();
  crd["spec"]["scope"] = "Global";
  crd["spec"]["names"]["kind"] = "Wid_get";
  crd["spec"]["names"].erase("plural");
  auto c = Check(crd);
  EXPECT_TRUE(Has(c, "spec.scope",
                  "Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\""))
      << Dump(c);
  EXPECT_TRUE(Has(c, "spec.names.plural", "Required value")) << Dump(c);
  bool kind = false;
  for (const auto& x : c) kind |= x.field == "spec.names.kind" &&
                                  x.message.find("may have mixed case, but should otherwise match: ") !=
                                      std::string::npos;
  EXPECT_TRUE(kind) << Dump(c);
}

TEST(CrdValidation, Versions) {
  Json crd = GoodCrd();
  crd["spec"]["versions"].push_back(crd["spec"]["versions"][0]);
  auto c = Check(crd);
  bool unique = false, storage = false;
  for (const auto& x : c) {
    unique |= x.field == "spec.versions" && x.message.find("must contain unique version names") != std::string::npos;
    storage |= x.field == "spec.versions" &&
               x.message.find("must have exactly one version marked as storage version") != std::string::npos;
  }
  EXPECT_TRUE(unique && storage) << Dump(c);
  crd = GoodCrd();
  crd["spec"]["versions"] = Json::array();
  c = Check(crd);
  EXPECT_TRUE(Has(c, "spec.versions", "Required value: must have at least one version")) << Dump(c);
  crd = GoodCrd();
  crd["spec"]["versions"][0].erase("schema");
  crd["spec"]["versions"][0]["served"] = "yes";
  c = Check(crd);
  EXPECT_TRUE(Has(c, "spec.versions[0].schema.openAPIV3Schema", "Required value")) << Dump(c);
  EXPECT_TRUE(Has(c, "spec.versions[0].served", "Invalid value: \"yes\": must be a boolean")) << Dump(c);
}

TEST(CrdValidation, NonStructuralSchema) {
  Json crd = GoodCrd();
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].erase("type");
  auto c = Check(crd);
  EXPECT_TRUE(Has(c, "spec.versions[0].schema.openAPIV3Schema.properties[spec].type",
                  "Required value: must not be empty for specified object fields"))
      << Dump(c);
}

TEST(CrdValidation, ConversionWebhookRefused) {
  Json crd = GoodCrd();
  crd["spec"]["conversion"] = {{"strategy", "Webhook"}};
  auto c = Check(crd);
  EXPECT_TRUE(Has(c, "spec.conversion.strategy",
                  "Forbidden: conversion webhooks are not supported by this server; use None"))
      << Dump(c);
  crd["spec"]["conversion"] = {{"strategy", "Magic"}};
  c = Check(crd);
  EXPECT_TRUE(Has(c, "spec.conversion.strategy",
                  "Unsupported value: \"Magic\": supported values: \"None\", \"Webhook\""))
      << Dump(c);
}

TEST(CrdValidation, ScaleAndPrinterColumns) {
  Json crd = GoodCrd();
  auto& v = crd["spec"]["versions"][0];
  v["subresources"]["scale"]["specReplicasPath"] = ".status.replicas";
  v["subresources"]["scale"]["statusReplicasPath"] = "status.replicas";
  v["subresources"]["scale"]["labelSelectorPath"] = ".metadata.labels";
  v["additionalPrinterColumns"] = Json::parse(
      R"([{"name":"","type":"color","format":"hex","jsonPath":"spec"},{"name":"A","jsonPath":""}])");
  auto c = Check(crd);
  const std::string p = "spec.versions[0].";
  EXPECT_TRUE(Has(c, p + "subresources.scale.specReplicasPath",
                  "Invalid value: \".status.replicas\": should be a json path under .spec"))
      << Dump(c);
  EXPECT_TRUE(Has(c, p + "subresources.scale.statusReplicasPath",
                  "Invalid value: \"status.replicas\": must be a simple json path starting with ."))
      << Dump(c);
  EXPECT_TRUE(Has(c, p + "subresources.scale.labelSelectorPath",
                  "Invalid value: \".metadata.labels\": should be a json path under either .spec or .status"))
      << Dump(c);
  EXPECT_TRUE(Has(c, p + "additionalPrinterColumns[0].name", "Required value")) << Dump(c);
  EXPECT_TRUE(Has(c, p + "additionalPrinterColumns[0].type",
                  "Invalid value: \"color\": must be one of boolean,date,integer,number,string"))
      << Dump(c);
  EXPECT_TRUE(Has(c, p + "additionalPrinterColumns[0].format",
                  "Invalid value: \"hex\": must be one of byte,date,date-time,double,float,int32,int64,password"))
      << Dump(c);
  EXPECT_TRUE(Has(c, p + "additionalPrinterColumns[1].type",
                  "Required value: must be one of boolean,date,integer,number,string"))
      << Dump(c);
  EXPECT_TRUE(Has(c, p + "additionalPrinterColumns[1].JSONPath", "Required value")) << Dump(c);
}

TEST(CrdValidation, HostileShapes) {
  for (const char* text : {"null", "[]", "{}", R"({"spec":5})", R"({"spec":{"versions":[5,null]}})",
                           R"({"spec":{"names":[],"versions":{"a":1},"conversion":3}})",
                           R"({"metadata":{"name":7},"spec":{"versions":[{"schema":{"openAPIV3Schema":[]}}]}})"}) {
    Json crd = Json::parse(text);
    DefaultCustomResourceDefinition(crd);
    auto c = ValidateCustomResourceDefinition(crd);
    EXPECT_FALSE(c.empty()) << text;
  }
}

}  // namespace
}  // namespace minik
