#include "kubelet/pod_status.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace minik
