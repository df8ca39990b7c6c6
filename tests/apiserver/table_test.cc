#include "apiserver/table.h"

#include <gtest/gtest.h>

#include "router_test_util.h"

namespace minik {
namespace {

SystemTime At(const std::string& ts) {
  SystemTime t;
  EXPECT_TRUE(ParseRfc3339(ts, &t));
  return t;
}

class TableTest : public ::testing::Test {
 protected:
  TableTest() {
    testing::AddTestResources(resources_);
    pods_ = resources_.Find({"", "v1", "pods"});
  }
  Json Pod(const std::string& name) {
    return Json{{"kind", "Pod"},
                {"apiVersion", "v1"},
                {"metadata",
                 {{"name", name},
                  {"namespace", "default"},
                  {"labels", {{"app", "web"}}},
                  {"creationTimestamp", "2025-01-01T00:00:00Z"},
                  {"resourceVersion", "5"}}},
                {"spec", {{"nodeName", "minik"}}},
                {"status", {{"phase", "Running"}}}};
  }
  ResourceRegistry resources_;
  const ResourceInfo* pods_;
};

TEST_F(TableTest, ColumnsNameFirstAgeLastWidePriority) {
  Json cols = TableColumns(*pods_);
  ASSERT_EQ(cols.size(), 4u);
  EXPECT_EQ(cols[0]["name"], "Name");
  EXPECT_EQ(cols[0]["type"], "string");
  EXPECT_EQ(cols[0]["format"], "name");
  EXPECT_EQ(cols[0]["priority"], 0);
  EXPECT_EQ(cols[1]["name"], "Status");
  EXPECT_EQ(cols[2]["name"], "Node");
  EXPECT_EQ(cols[2]["priority"], 1);
  EXPECT_EQ(cols[3]["name"], "Age");
}

TEST_F(TableTest, ListTableWithMetadataObjects) {
  Json list{{"kind", "PodList"},
            {"apiVersion", "v1"},
            {"metadata", {{"resourceVersion", "42"}, {"continue", "abc"}}},
            {"items", Json::array({Pod("a"), Pod("b")})}};
  Json t = ToTable(*pods_, list, At("2025-01-01T00:05:00Z"), TableOptions{});
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(t["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(t["metadata"]["continue"], "abc");
  ASSERT_EQ(t["rows"].size(), 2u);
  EXPECT_EQ(t["rows"][0]["cells"], Json::array({"a", "Running", "minik", "5m"}));
  const Json& obj = t["rows"][0]["object"];
  EXPECT_EQ(obj["kind"], "PartialObjectMetadata");
  EXPECT_EQ(obj["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(obj["metadata"]["namespace"], "default");
  EXPECT_EQ(obj["metadata"]["labels"]["app"], "web");
  EXPECT_FALSE(obj.contains("spec"));
}

TEST_F(TableTest, IncludeObjectVariants) {
  TableOptions none{IncludeObject::kNone, "v1", true};
  Json t = ToTable(*pods_, Pod("a"), At("2025-01-01T00:00:30Z"), none);
  ASSERT_EQ(t["rows"].size(), 1u);
  EXPECT_FALSE(t["rows"][0].contains("object"));
  EXPECT_EQ(t["metadata"]["resourceVersion"], "5");
  EXPECT_EQ(t["rows"][0]["cells"][3], "30s");

  TableOptions full{IncludeObject::kObject, "v1beta1", false};
  Json f = ToTable(*pods_, Pod("a"), At("2025-01-01T00:00:30Z"), full);
  EXPECT_EQ(f["apiVersion"], "meta.k8s.io/v1beta1");
  EXPECT_EQ(f["rows"][0]["object"]["spec"]["nodeName"], "minik");
  EXPECT_TRUE(f["columnDefinitions"].empty());
}

TEST_F(TableTest, MissingCellsAndTimestamp) {
  ResourceInfo bare;
  bare.kind = "Thing";
  bare.columns = {{"A", "string", "", "", 0}, {"B", "string", "", "", 0}};
  bare.cells = [](const Json&, SystemTime) { return std::vector<Json>{"only-a"}; };
  Json row = TableRow(bare, Json{{"metadata", {{"name", "x"}}}}, SystemTime{}, TableOptions{});
  EXPECT_EQ(row["cells"], Json::array({"x", "only-a", "", "<unknown>"}));
}

TEST_F(TableTest, FullRowKinds) {
  ResourceInfo ev;
  ev.kind = "Event";
  ev.full_row = true;
  ev.columns = {{"Last Seen", "string", "", "", 0}, {"Name", "string", "name", "", 1}};
  ev.cells = [](const Json& o, SystemTime) { return std::vector<Json>{"1m", Name(o)}; };
  Json cols = TableColumns(ev);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0]["name"], "Last Seen");
  Json row = TableRow(ev, Json{{"metadata", {{"name", "e1"}}}}, SystemTime{}, TableOptions{});
  EXPECT_EQ(row["cells"], Json::array({"1m", "e1"}));
}

TEST_F(TableTest, PartialObjectMetadata) {
  Json p = ToPartialObjectMetadata(Pod("a"), "v1");
  EXPECT_EQ(p["kind"], "PartialObjectMetadata");
  EXPECT_EQ(p["metadata"]["name"], "a");
  Json list{{"kind", "PodList"}, {"metadata", {{"resourceVersion", "3"}}},
            {"items", Json::array({Pod("a")})}};
  Json pl = ToPartialObjectMetadata(list, "v1");
  EXPECT_EQ(pl["kind"], "PartialObjectMetadataList");
  EXPECT_EQ(pl["metadata"]["resourceVersion"], "3");
  EXPECT_EQ(pl["items"][0]["kind"], "PartialObjectMetadata");
}

}  // namespace
}  // namespace minik
