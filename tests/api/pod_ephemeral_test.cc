// pods/ephemeralcontainers writes through the pod strategy (api/resources/pod_ephemeral.h):
// only spec.ephemeralContainers changes, new ones are validated, old ones are kept.
#include <gtest/gtest.h>

#include "api/resource.h"

namespace minik {
namespace {

const Strategy& PodStrategy() {
  static ResourceRegistry* reg = [] {
    auto* r = new ResourceRegistry();
    RegisterBuiltinResources(*r);
    return r;
  }();
  return *reg->Find({"", "v1", "pods"})->strategy;
}

Json StoredPod() {
  Json pod = Json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web","namespace":"default","uid":"u1","resourceVersion":"5",
                "creationTimestamp":"2026-01-01T00:00:00Z","labels":{"a":"b"}},
    "spec":{"containers":[{"name":"main","image":"nginx"}],
            "initContainers":[{"name":"init","image":"busybox"}]},
    "status":{"phase":"Running"}})");
  PodStrategy().Default(pod);
  return pod;
}

// The request after the registry's prepare and defaulting, as PrepareUpdate runs them.
Json Prepared(Json request, const Json& old) {
  PodStrategy().PrepareForEphemeralContainersUpdate(request, old);
  PodStrategy().Default(request);
  return request;
}

std::vector<std::string> Messages(const std::vector<StatusCause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) out.push_back(c.field + ": " + c.message);
  return out;
}

std::vector<std::string> Check(const Json& ephemeral_list) {
  Json old = StoredPod();
  Json req = old;
  req["spec"]["ephemeralContainers"] = ephemeral_list;
  Json next = Prepared(req, old);
  return Messages(PodStrategy().ValidateEphemeralContainersUpdate(next, old));
}

TEST(PodEphemeralContainers, OnlyEphemeralContainersChange) {
  Json old = StoredPod();
  Json req = old;
  req["metadata"]["labels"]["a"] = "changed";
  req["spec"]["containers"][0]["image"] = "nginx:2";
  req["status"]["phase"] = "Failed";
  req["spec"]["ephemeralContainers"] =
      Json::parse(R"([{"name":"debugger","image":"busybox:1.35","targetContainerName":"main",
                      "stdin":true,"tty":true,"resources":{}}])");
  Json next = Prepared(req, old);
  EXPECT_EQ(next["metadata"]["labels"]["a"], "b");
  EXPECT_EQ(next["spec"]["containers"], old["spec"]["containers"]);
  EXPECT_EQ(next["status"], old["status"]);
  ASSERT_EQ(next["spec"]["ephemeralContainers"].size(), 1u);
  EXPECT_EQ(next["spec"]["ephemeralContainers"][0]["terminationMessagePath"], "/dev/termination-log");
  EXPECT_TRUE(PodStrategy().ValidateEphemeralContainersUpdate(next, old).empty())
      << Messages(PodStrategy().ValidateEphemeralContainersUpdate(next, old))[0];
}

TEST(PodEphemeralContainers, BadEphemeralContainersAreRejected) {
  EXPECT_EQ(Check(Json::parse(R"([{"name":"d","image":"busybox","targetContainerName":"nope"}])")),
            std::vector<std::string>{
                "spec.ephemeralContainers[0].targetContainerName: Not found: \"nope\""});
  EXPECT_EQ(Check(Json::parse(R"([{"name":"main","image":"busybox"}])")),
            std::vector<std::string>{
                "spec.ephemeralContainers[0].name: Duplicate value: \"main\""});
  EXPECT_EQ(Check(Json::parse(R"([{"name":"d"}])")),
            std::vector<std::string>{"spec.ephemeralContainers[0].image: Required value"});
  EXPECT_EQ(Check(Json::parse(R"([{"name":"d","image":"b","ports":[{"containerPort":80}],
                                   "resources":{"limits":{"cpu":"1"}},
                                   "readinessProbe":{"exec":{"command":["true"]}}}])")),
            (std::vector<std::string>{
                "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral "
                "Container",
                "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an "
                "Ephemeral Container",
                "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an "
                "Ephemeral Container"}));
  EXPECT_EQ(Check(Json::parse(R"([{"name":"Bad_Name","image":"b"}])")).size(), 1u);
  EXPECT_EQ(Check(Json::parse(R"("nope")")),
            std::vector<std::string>{
                "spec.ephemeralContainers: Invalid value: \"nope\": must be a list"});
}

TEST(PodEphemeralContainers, ExistingOnesAreNeitherRemovedNorChanged) {
  Json old = StoredPod();
  old["spec"]["ephemeralContainers"] = Json::parse(R"([{"name":"d1","image":"busybox"}])");
  PodStrategy().Default(old);
  Json removed = old;
  removed["spec"]["ephemeralContainers"] = Json::parse(R"([{"name":"d2","image":"busybox"}])");
  EXPECT_EQ(Messages(PodStrategy().ValidateEphemeralContainersUpdate(Prepared(removed, old), old)),
            std::vector<std::string>{
                "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"d1\" may "
                "not be removed\n"});
  Json changed = old;
  changed["spec"]["ephemeralContainers"][0]["image"] = "alpine";
  EXPECT_EQ(Messages(PodStrategy().ValidateEphemeralContainersUpdate(Prepared(changed, old), old)),
            std::vector<std::string>{
                "spec.ephemeralContainers[d1]: Forbidden: existing ephemeral containers \"d1\" "
                "may not be changed\n"});
  Json added = old;
  added["spec"]["ephemeralContainers"].push_back({{"name", "d2"}, {"image", "busybox"}});
  EXPECT_TRUE(
      PodStrategy().ValidateEphemeralContainersUpdate(Prepared(added, old), old).empty());
}

}  // namespace
}  // namespace minik
