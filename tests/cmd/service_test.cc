#include <gtest/gtest.h>

#include "cmd/commands.h"

namespace minik {
namespace {

TEST(ServiceUrls, NodePortAndLoadBalancer) {
  Json np = Json::parse(R"({"metadata":{"namespace":"default","name":"web"},
    "spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30080},{"port":81,"nodePort":30081}]}})");
  auto urls = ServiceUrls(np, "10.244.0.1", "http");
  ASSERT_TRUE(urls.ok());
  EXPECT_EQ(*urls, (std::vector<std::string>{"http://10.244.0.1:30080", "http://10.244.0.1:30081"}));
  Json lb = Json::parse(R"({"metadata":{"namespace":"default","name":"web"},
    "spec":{"type":"LoadBalancer","ports":[{"port":8081,"nodePort":30082}]},
    "status":{"loadBalancer":{"ingress":[{"ip":"10.244.0.1"}]}}})");
  urls = ServiceUrls(lb, "10.244.0.1", "https");
  ASSERT_TRUE(urls.ok());
  EXPECT_EQ(*urls, (std::vector<std::string>{"https://10.244.0.1:8081", "https://10.244.0.1:30082"}));
}

TEST(ServiceUrls, ClusterIpHasNone) {
  Json svc = Json::parse(R"({"metadata":{"namespace":"ns","name":"db"},
    "spec":{"type":"ClusterIP","ports":[{"port":80}]}})");
  auto urls = ServiceUrls(svc, "10.244.0.1", "http");
  ASSERT_FALSE(urls.ok());
  EXPECT_NE(urls.status().message().find("service ns/db has no node port"), std::string::npos);
  EXPECT_FALSE(ServiceUrls(Json::object(), "10.244.0.1", "http").ok());
  EXPECT_FALSE(ServiceUrls(Json::parse(R"({"spec":{"type":"NodePort","ports":"x"}})"), "1.2.3.4", "http").ok());
}

}  // namespace
}  // namespace minik
