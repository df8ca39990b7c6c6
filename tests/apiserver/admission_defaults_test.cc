#include <gtest/gtest.h>

#include "apiserver/registry_internal.h"

namespace minik::registry {
namespace {

Json Classes() {
  return Json::parse(R"({"items":[
    {"metadata":{"name":"old","creationTimestamp":"2026-01-01T00:00:00Z",
      "annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}}},
    {"metadata":{"name":"plain","creationTimestamp":"2026-06-01T00:00:00Z"}},
    {"metadata":{"name":"minik","creationTimestamp":"2026-03-01T00:00:00Z",
      "annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}}}]})");
}

TEST(DefaultIngressClass, NewestDefaultClassIsSet) {
  Json ing = Json::parse(R"({"metadata":{"name":"a"},"spec":{}})");
  DefaultIngressClass(ing, Classes());
  EXPECT_EQ(ing["spec"]["ingressClassName"], "minik");
  Json no_spec = Json::parse(R"({"metadata":{"name":"a"}})");
  DefaultIngressClass(no_spec, Classes());
  EXPECT_EQ(no_spec["spec"]["ingressClassName"], "minik");
}

TEST(DefaultIngressClass, ExplicitClassOrAnnotationIsKept) {
  Json named = Json::parse(R"({"spec":{"ingressClassName":"other"}})");
  DefaultIngressClass(named, Classes());
  EXPECT_EQ(named["spec"]["ingressClassName"], "other");
  Json annotated = Json::parse(
      R"({"metadata":{"annotations":{"kubernetes.io/ingress.class":"nginx"}},"spec":{}})");
  DefaultIngressClass(annotated, Classes());
  EXPECT_FALSE(annotated["spec"].contains("ingressClassName"));
}

TEST(DefaultIngressClass, NoDefaultNoChange) {
  Json ing = Json::parse(R"({"spec":{}})");
  DefaultIngressClass(ing, Json::parse(R"({"items":[{"metadata":{"name":"plain"}}]})"));
  EXPECT_FALSE(ing["spec"].contains("ingressClassName"));
  DefaultIngressClass(ing, Json::parse(R"({"items":"bad"})"));
  EXPECT_FALSE(ing["spec"].contains("ingressClassName"));
}

}  // namespace
}  // namespace minik::registry
