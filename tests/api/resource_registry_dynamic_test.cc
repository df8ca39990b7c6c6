// ResourceRegistry::SetCustomResources: kinds of CRDs come and go while readers hold
// pointers; built-in kinds are never shadowed; listeners and the generation follow changes.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "api/resource.h"

namespace minik {
namespace {

ResourceInfo Kind(const std::string& group, const std::string& version, const std::string& plural) {
  ResourceInfo r;
  r.group = group;
  r.version = version;
  r.plural = plural;
  r.kind = "K" + plural;
  r.strategy = std::make_shared<Strategy>();
  return r;
}

TEST(ResourceRegistryDynamic, AddReplaceRemove) {
  ResourceRegistry reg;
  reg.Add(Kind("", "v1", "configmaps"));
  uint64_t g0 = reg.Generation();
  int notified = 0;
  reg.AddListener([&] { ++notified; });

  reg.SetCustomResources("widgets.example.com",
                         {Kind("example.com", "v1", "widgets"), Kind("example.com", "v1beta1", "widgets")});
  const ResourceInfo* v1 = reg.Find({"example.com", "v1", "widgets"});
  ASSERT_NE(v1, nullptr);
  EXPECT_EQ(v1->crd, "widgets.example.com");
  EXPECT_NE(reg.Find({"example.com", "v1beta1", "widgets"}), nullptr);
  EXPECT_EQ(reg.All().size(), 3u);
  EXPECT_GT(reg.Generation(), g0);
  EXPECT_EQ(notified, 1);
  auto groups = reg.Groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].first, "example.com");
  EXPECT_EQ(groups[1].second, (std::vector<std::string>{"v1", "v1beta1"}));

  // Replaced: the old entry stays readable through the pointer a request holds.
  reg.SetCustomResources("widgets.example.com", {Kind("example.com", "v1", "widgets")});
  EXPECT_EQ(v1->plural, "widgets");
  EXPECT_NE(reg.Find({"example.com", "v1", "widgets"}), v1);
  EXPECT_EQ(reg.Find({"example.com", "v1beta1", "widgets"}), nullptr);

  reg.SetCustomResources("widgets.example.com", {});
  EXPECT_EQ(reg.Find({"example.com", "v1", "widgets"}), nullptr);
  EXPECT_EQ(reg.All().size(), 1u);
  EXPECT_EQ(notified, 3);
}

TEST(ResourceRegistryDynamic, BuiltInKindsAreNotShadowed) {
  ResourceRegistry reg;
  reg.Add(Kind("", "v1", "configmaps"));
  const ResourceInfo* builtin = reg.Find({"", "v1", "configmaps"});
  reg.SetCustomResources("configmaps.", {Kind("", "v1", "configmaps")});
  EXPECT_EQ(reg.Find({"", "v1", "configmaps"}), builtin);
  reg.SetCustomResources("configmaps.", {});
  EXPECT_EQ(reg.Find({"", "v1", "configmaps"}), builtin);
}

TEST(ResourceRegistryDynamic, ReadersRaceWithChanges) {
  ResourceRegistry reg;
  reg.Add(Kind("", "v1", "configmaps"));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      reg.SetCustomResources("a.example.com", {Kind("example.com", "v1", "as")});
      reg.SetCustomResources("a.example.com", {});
    }
    stop = true;
  });
  size_t seen = 0;
  while (!stop) {
    if (const ResourceInfo* info = reg.Find({"example.com", "v1", "as"})) seen += info->plural.size();
    for (const auto& info : reg.All()) seen += info->plural.empty() ? 0 : 1;
  }
  writer.join();
  EXPECT_GT(seen, 0u);
}

}  // namespace
}  // namespace minik
