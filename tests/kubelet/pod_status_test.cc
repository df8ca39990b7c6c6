#include "kubelet/pod_status.h"

#include <gtest/gtest.h>

#include <map>

namespace minik {
namespace {

ContainerRecord Running(const std::string& name) {
  ContainerRecord c;
  c.name = name;
  c.container_id = "id-" + name;
  c.running = true;
  c.ready = true;
  c.started = true;
  c.started_at = "2026-01-01T00:00:00Z";
  return c;
}

ContainerRecord Exited(const std::string& name, int code) {
  ContainerRecord c;
  c.name = name;
  c.container_id = "id-" + name;
  c.exited = true;
  c.exit_code = code;
  c.reason = code == 0 ? "Completed" : "Error";
  return c;
}

Json Pod(const std::string& policy) {
  return {{"metadata", {{"name", "p"}, {"namespace", "d"}}}, {"spec", {{"restartPolicy", policy}}}};
}

TEST(PodPhaseTest, FromContainers) {
  PodRecord r;
  r.containers = {ContainerRecord{}};
  r.containers[0].name = "c";
  EXPECT_EQ(PodPhase(Pod("Always"), r), "Pending");
  r.containers = {Running("c")};
  EXPECT_EQ(PodPhase(Pod("Always"), r), "Running");
  r.containers = {Exited("c", 3)};
  EXPECT_EQ(PodPhase(Pod("Never"), r), "Failed");
  EXPECT_EQ(PodPhase(Pod("OnFailure"), r), "Running");
  EXPECT_EQ(PodPhase(Pod("Always"), r), "Running");
  r.containers = {Exited("c", 0)};
  EXPECT_EQ(PodPhase(Pod("Never"), r), "Succeeded");
  EXPECT_EQ(PodPhase(Pod("OnFailure"), r), "Succeeded");
  // In back-off: waiting with a last termination counts as stopped, so still Running.
  ContainerRecord crash;
  crash.name = "c";
  crash.waiting_reason = "CrashLoopBackOff";
  crash.last_terminated = {{"exitCode", 1}};
  crash.restart_count = 2;
  r.containers = {crash};
  EXPECT_EQ(PodPhase(Pod("Always"), r), "Running");
}

TEST(PodPhaseTest, InitContainers) {
  PodRecord r;
  r.init_containers = {Running("i")};
  r.init_containers[0].init = true;
  r.containers = {ContainerRecord{}};
  EXPECT_EQ(PodPhase(Pod("Always"), r), "Pending");
  r.init_containers = {Exited("i", 1)};
  EXPECT_EQ(PodPhase(Pod("Never"), r), "Failed");
  EXPECT_EQ(PodPhase(Pod("Always"), r), "Pending");
}

TEST(PodStatusTest, ConditionsAndContainerStatuses) {
  PodRecord r;
  r.sandbox_ready = true;
  r.pod_ip = "10.244.0.5";
  r.start_time = "2026-01-01T00:00:00Z";
  ContainerRecord waiting;
  waiting.name = "b";
  waiting.waiting_reason = "ContainerCreating";
  r.containers = {Running("a"), waiting};
  Json pod = Pod("Always");
  pod["status"] = {{"qosClass", "BestEffort"},
                   {"conditions", {{{"type", "PodScheduled"}, {"status", "True"}}}}};
  SystemTime now{};
  Json s = MakePodStatus(pod, r, "127.0.0.1", now);
  EXPECT_EQ(s["phase"], "Pending");
  EXPECT_EQ(s["podIP"], "10.244.0.5");
  EXPECT_EQ(s["hostIP"], "127.0.0.1");
  EXPECT_EQ(s["qosClass"], "BestEffort");
  std::map<std::string, Json> conds;
  for (const Json& c : s["conditions"]) conds[c["type"]] = c;
  EXPECT_EQ(conds["Ready"]["status"], "False");
  EXPECT_EQ(conds["Ready"]["message"], "containers with unready status: [b]");
  EXPECT_EQ(conds["PodScheduled"]["status"], "True");
  EXPECT_EQ(conds["Initialized"]["status"], "True");
  EXPECT_EQ(s["containerStatuses"][0]["state"]["running"]["startedAt"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(s["containerStatuses"][0]["containerID"], "minik://id-a");
  EXPECT_EQ(s["containerStatuses"][1]["state"]["waiting"]["reason"], "ContainerCreating");

  // lastTransitionTime is kept while a condition does not change.
  pod["status"] = s;
  Json again = MakePodStatus(pod, r, "127.0.0.1", now + std::chrono::hours(1));
  EXPECT_EQ(again["conditions"], s["conditions"]);
}

TEST(PodStatusTest, TerminatedState) {
  ContainerRecord c = Exited("c", 137);
  c.reason = "OOMKilled";
  c.finished_at = "2026-01-01T00:00:05Z";
  Json s = ContainerStatusJson(c);
  EXPECT_EQ(s["state"]["terminated"]["exitCode"], 137);
  EXPECT_EQ(s["state"]["terminated"]["reason"], "OOMKilled");
  EXPECT_EQ(s["lastState"], Json::object());
}

// Ephemeral containers: statuses in spec order, never `ready` nor `started`, and neither the
// phase nor the Ready condition depends on them.
TEST(PodStatusTest, EphemeralContainersDoNotCountForPhaseOrReadiness) {
  PodRecord r;
  r.containers = {Running("c")};
  ContainerRecord dbg = Running("debugger");
  dbg.ephemeral = true;
  dbg.ready = false;
  dbg.image = "docker.io/library/busybox:1.35";
  dbg.image_id = "sha256:abc";
  ContainerRecord failed = Exited("dbg2", 2);
  failed.ephemeral = true;
  ContainerRecord waiting;
  waiting.name = "dbg3";
  waiting.ephemeral = true;
  waiting.waiting_reason = "CreateContainerConfigError";
  waiting.waiting_message = "unable to find target container x";
  r.ephemeral_containers = {dbg, failed, waiting};
  Json pod = Pod("Never");
  SystemTime now{};
  EXPECT_EQ(PodPhase(pod, r), "Running");
  Json s = MakePodStatus(pod, r, "127.0.0.1", now);
  std::map<std::string, Json> conds;
  for (const Json& c : s["conditions"]) conds[c["type"]] = c;
  EXPECT_EQ(conds["Ready"]["status"], "True");
  ASSERT_EQ(s["ephemeralContainerStatuses"].size(), 3u);
  const Json& e0 = s["ephemeralContainerStatuses"][0];
  EXPECT_EQ(e0["name"], "debugger");
  EXPECT_EQ(e0["ready"], false);
  EXPECT_FALSE(e0.contains("started"));
  EXPECT_EQ(e0["state"]["running"]["startedAt"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(e0["image"], "docker.io/library/busybox:1.35");
  EXPECT_EQ(e0["imageID"], "sha256:abc");
  EXPECT_EQ(e0["containerID"], "minik://id-debugger");
  EXPECT_EQ(e0["restartCount"], 0);
  EXPECT_EQ(s["ephemeralContainerStatuses"][1]["state"]["terminated"]["exitCode"], 2);
  EXPECT_EQ(s["ephemeralContainerStatuses"][2]["state"]["waiting"]["message"],
            "unable to find target container x");
  EXPECT_TRUE(s["containerStatuses"][0].contains("started"));

  // A running ephemeral container does not keep a finished pod Running.
  r.containers = {Exited("c", 0)};
  EXPECT_EQ(PodPhase(pod, r), "Succeeded");
  r.containers = {Exited("c", 1)};
  EXPECT_EQ(PodPhase(pod, r), "Failed");
  // Without ephemeral containers the field is absent, as upstream omits an empty list.
  r.ephemeral_containers.clear();
  EXPECT_FALSE(MakePodStatus(pod, r, "127.0.0.1", now).contains("ephemeralContainerStatuses"));
}

TEST(PodStatusTest, FindContainerRecordSearchesEveryList) {
  PodRecord r;
  r.containers = {Running("c")};
  r.init_containers = {Exited("i", 0)};
  ContainerRecord e = Running("e");
  e.ephemeral = true;
  r.ephemeral_containers = {e};
  ASSERT_NE(FindContainerRecord(r, "e"), nullptr);
  EXPECT_TRUE(FindContainerRecord(r, "e")->ephemeral);
  EXPECT_EQ(FindContainerRecord(r, "i")->name, "i");
  EXPECT_EQ(FindContainerRecord(r, "c")->name, "c");
  EXPECT_EQ(FindContainerRecord(r, "nope"), nullptr);
  EXPECT_EQ(FindContainerRecord(r, ""), nullptr);
}

}  // namespace
}  // namespace minik
