// The Job and TTL-after-finished controllers over the real registry, driven by hand on a
// FakeClock; the test plays the kubelet by writing pod status.
#include <gtest/gtest.h>

#include "controllers/controller_ref.h"
#include "controllers/job_controller.h"
#include "controllers/ttl_after_finished_controller.h"
#include "tests/controllers/workload_env.h"

namespace minik {
namespace {

using namespace std::chrono_literals;
using testing::kEventsRef;
using testing::kJobsRef;
using testing::kPodsRef;

Json JobSpec(const std::string& name, const Json& spec_extra) {
  Json job = Json::parse(R"({"apiVersion":"batch/v1","kind":"Job","spec":{"template":{"spec":{
      "restartPolicy":"Never","containers":[{"name":"main","image":"busybox","command":["true"]}]}}}})");
  job["metadata"]["name"] = name;
  for (auto it = spec_extra.begin(); it != spec_extra.end(); ++it)
    job["spec"][it.key()] = it.value();
  return job;
}

const Json* Condition(const Json& job, const std::string& type) {
  const Json* conds = Find(job, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}
std::string CondStatus(const Json& job, const std::string& type) {
  const Json* c = Condition(job, type);
  return c ? GetString(*c, {"status"}) : "";
}

class JobTest : public testing::WorkloadEnv {
 protected:
  void SetUp() override {
    WorkloadEnv::SetUp();
    jobs_ = std::make_unique<JobController>(client(), clock_, *informers_);
    ttl_ = std::make_unique<TtlAfterFinishedController>(client(), clock_, *informers_);
    Start();
  }
  void TearDown() override {
    informers_->Stop();
    jobs_.reset();
    ttl_.reset();
  }
  void Settle() { WorkloadEnv::Settle({kJobsRef, kPodsRef}); }
  // Reconciles until nothing changes any more (status writes and pod writes settle).
  ReconcileResult Converge(const std::string& key) {
    ReconcileResult last;
    for (int i = 0; i < 6; ++i) {
      Settle();
      auto r = jobs_->Reconcile(key);
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (r.ok()) last = *r;
    }
    Settle();
    return last;
  }
  std::vector<Json> Pods(const std::string& job) {
    return ListObjects(kPodsRef, "job-name=" + job);
  }
  std::vector<std::string> PodNames(const std::string& job, bool live_only = true) {
    std::vector<std::string> out;
    for (const Json& p : Pods(job))
      if (!live_only || (!IsBeingDeleted(p) && GetString(p, {"status", "phase"}) != "Succeeded" &&
                         GetString(p, {"status", "phase"}) != "Failed"))
        out.push_back(Name(p));
    return out;
  }

  std::unique_ptr<JobController> jobs_;
  std::unique_ptr<TtlAfterFinishedController> ttl_;
};

TEST_F(JobTest, CompletionsThreeParallelismTwoSucceeds) {
  Json created = Create(kJobsRef, JobSpec("ok", {{"completions", 3}, {"parallelism", 2}}));
  Converge("default/ok");
  std::vector<Json> pods = Pods("ok");
  ASSERT_EQ(pods.size(), 2u);
  for (const Json& p : pods) {
    EXPECT_EQ(Name(p).rfind("ok-", 0), 0u) << Name(p);
    EXPECT_EQ(p["metadata"]["finalizers"], Json::array({"batch.kubernetes.io/job-tracking"}));
    EXPECT_TRUE(IsControlledBy(p, created));
    EXPECT_EQ(Labels(p).value("batch.kubernetes.io/controller-uid", ""), Uid(created));
    EXPECT_EQ(Labels(p).value("controller-uid", ""), Uid(created));
    EXPECT_EQ(Labels(p).value("batch.kubernetes.io/job-name", ""), "ok");
    EXPECT_TRUE(HasEvent("ok", "SuccessfulCreate: Created pod: " + Name(p)));
  }
  Json job = Get(kJobsRef, "ok");
  EXPECT_EQ(GetInt(job, {"status", "active"}), 2);
  EXPECT_FALSE(GetString(job, {"status", "startTime"}).empty());

  for (const Json& p : pods) FinishPod(Name(p), 0);
  Converge("default/ok");
  job = Get(kJobsRef, "ok");
  EXPECT_EQ(GetInt(job, {"status", "succeeded"}), 2);
  EXPECT_EQ(GetInt(job, {"status", "active"}), 1);
  EXPECT_EQ(job["status"]["uncountedTerminatedPods"], Json::object());
  for (const Json& p : Pods("ok")) {
    if (GetString(p, {"status", "phase"}) == "Succeeded") {
      EXPECT_FALSE(p["metadata"].contains("finalizers") && !p["metadata"]["finalizers"].empty());
    }
  }
  std::vector<std::string> live = PodNames("ok");
  ASSERT_EQ(live.size(), 1u);
  FinishPod(live[0], 0);
  Converge("default/ok");
  job = Get(kJobsRef, "ok");
  EXPECT_EQ(GetInt(job, {"status", "succeeded"}), 3);
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 0);
  EXPECT_EQ(CondStatus(job, "SuccessCriteriaMet"), "True");
  EXPECT_EQ(CondStatus(job, "Complete"), "True");
  EXPECT_EQ(GetString(*Condition(job, "Complete"), {"reason"}), "CompletionsReached");
  EXPECT_FALSE(GetString(job, {"status", "completionTime"}).empty());
  EXPECT_FALSE(job["status"].contains("active"));
  EXPECT_TRUE(HasEvent("ok", "Completed: Job completed"));
  EXPECT_EQ(Pods("ok").size(), 3u);  // finished pods stay, without finalizers
}

TEST_F(JobTest, BackoffLimitOneFailsAfterTwoPodsWithBackoff) {
  Create(kJobsRef, JobSpec("bad", {{"backoffLimit", 1}}));
  Converge("default/bad");
  ASSERT_EQ(PodNames("bad").size(), 1u);
  FinishPod(PodNames("bad")[0], 1);
  ReconcileResult r = Converge("default/bad");
  Json job = Get(kJobsRef, "bad");
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 1);
  EXPECT_TRUE(PodNames("bad").empty()) << "the replacement waits for the back-off";
  EXPECT_GT(r.requeue_after, 9s);
  EXPECT_LE(r.requeue_after, 10s);

  clock_.Step(10s);
  Converge("default/bad");
  ASSERT_EQ(PodNames("bad").size(), 1u);
  FinishPod(PodNames("bad")[0], 1);
  Converge("default/bad");
  job = Get(kJobsRef, "bad");
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 2);
  EXPECT_EQ(CondStatus(job, "FailureTarget"), "True");
  ASSERT_EQ(CondStatus(job, "Failed"), "True");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"reason"}), "BackoffLimitExceeded");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"message"}),
            "Job has reached the specified backoff limit");
  EXPECT_FALSE(job["status"].contains("completionTime"));
  EXPECT_TRUE(HasEvent("bad", "BackoffLimitExceeded: Job has reached the specified backoff limit"));
  EXPECT_EQ(Pods("bad").size(), 2u);
}

TEST_F(JobTest, BackoffDoublesAndResetsOnSuccess) {
  Create(kJobsRef, JobSpec("flaky", {{"completions", 3}, {"parallelism", 1}}));
  Converge("default/flaky");
  FinishPod(PodNames("flaky")[0], 1);
  EXPECT_LE(Converge("default/flaky").requeue_after, 10s);
  clock_.Step(10s);
  Converge("default/flaky");
  FinishPod(PodNames("flaky")[0], 1);
  ReconcileResult r = Converge("default/flaky");
  EXPECT_GT(r.requeue_after, 19s);
  EXPECT_LE(r.requeue_after, 20s);
  clock_.Step(20s);
  Converge("default/flaky");
  FinishPod(PodNames("flaky")[0], 0);  // a success resets the back-off
  r = Converge("default/flaky");
  EXPECT_EQ(r.requeue_after.count(), 0);
  ASSERT_EQ(PodNames("flaky").size(), 1u);
  Json job = Get(kJobsRef, "flaky");
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 2);
  EXPECT_EQ(GetInt(job, {"status", "succeeded"}), 1);
}

TEST_F(JobTest, DeletedPodsAreCountedNotLost) {
  Create(kJobsRef, JobSpec("keep", {{"completions", 2}, {"parallelism", 2}}));
  Converge("default/keep");
  std::vector<std::string> names = PodNames("keep");
  ASSERT_EQ(names.size(), 2u);
  // One pod succeeds and is deleted before the controller saw it; the other is deleted
  // while running. The finalizer keeps both until they are counted.
  FinishPod(names[0], 0);
  ASSERT_TRUE(client().Delete(kPodsRef, "default", names[0]).ok());
  ASSERT_TRUE(client().Delete(kPodsRef, "default", names[1]).ok());
  EXPECT_EQ(Pods("keep").size(), 2u);
  Converge("default/keep");
  Json job = Get(kJobsRef, "keep");
  EXPECT_EQ(GetInt(job, {"status", "succeeded"}), 1);
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 1);
  for (const std::string& n : names) EXPECT_FALSE(client().Get(kPodsRef, "default", n).ok()) << n;
}

TEST_F(JobTest, ActiveDeadlineExceeded) {
  Create(kJobsRef, JobSpec("slow", {{"activeDeadlineSeconds", 30}}));
  ReconcileResult r = Converge("default/slow");
  EXPECT_GT(r.requeue_after, 29s);
  EXPECT_LE(r.requeue_after, 30s);
  ASSERT_EQ(PodNames("slow").size(), 1u);
  clock_.Step(31s);
  Converge("default/slow");
  Json job = Get(kJobsRef, "slow");
  ASSERT_EQ(CondStatus(job, "Failed"), "True");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"reason"}), "DeadlineExceeded");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"message"}),
            "Job was active longer than specified deadline");
  EXPECT_TRUE(Pods("slow").empty());  // the active pod was deleted (counted as failed)
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 1);
  EXPECT_TRUE(HasEvent("slow", "DeadlineExceeded: Job was active longer than specified deadline"));
}

TEST_F(JobTest, SuspendAndResume) {
  Create(kJobsRef, JobSpec("sus", {{"suspend", true}, {"parallelism", 2}, {"completions", 4}}));
  Converge("default/sus");
  Json job = Get(kJobsRef, "sus");
  EXPECT_TRUE(Pods("sus").empty());
  EXPECT_EQ(CondStatus(job, "Suspended"), "True");
  EXPECT_EQ(GetString(*Condition(job, "Suspended"), {"reason"}), "JobSuspended");
  EXPECT_FALSE(job["status"].contains("startTime"));

  job["spec"]["suspend"] = false;
  ASSERT_TRUE(client().Update(kJobsRef, "default", job).ok());
  Converge("default/sus");
  job = Get(kJobsRef, "sus");
  EXPECT_EQ(PodNames("sus").size(), 2u);
  EXPECT_EQ(CondStatus(job, "Suspended"), "False");
  EXPECT_EQ(GetString(*Condition(job, "Suspended"), {"reason"}), "JobResumed");
  EXPECT_FALSE(GetString(job, {"status", "startTime"}).empty());
  EXPECT_TRUE(HasEvent("sus", "Resumed: Job resumed"));

  job["spec"]["suspend"] = true;
  ASSERT_TRUE(client().Update(kJobsRef, "default", job).ok());
  Converge("default/sus");
  job = Get(kJobsRef, "sus");
  EXPECT_TRUE(Pods("sus").empty());  // deleted without being counted as failures
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 0);
  EXPECT_EQ(CondStatus(job, "Suspended"), "True");
  EXPECT_TRUE(HasEvent("sus", "Suspended: Job suspended"));
}

TEST_F(JobTest, IndexedCompletion) {
  Create(kJobsRef,
         JobSpec("idx", {{"completions", 3}, {"parallelism", 3}, {"completionMode", "Indexed"}}));
  Converge("default/idx");
  std::vector<Json> pods = Pods("idx");
  ASSERT_EQ(pods.size(), 3u);
  std::map<std::string, std::string> by_index;
  for (const Json& p : pods) {
    std::string ix =
        p["metadata"]["annotations"].value("batch.kubernetes.io/job-completion-index", "");
    EXPECT_EQ(Labels(p).value("batch.kubernetes.io/job-completion-index", ""), ix);
    EXPECT_EQ(Name(p).rfind("idx-" + ix + "-", 0), 0u) << Name(p);
    EXPECT_EQ(GetString(p, {"spec", "hostname"}), "idx-" + ix);
    const Json& env = p["spec"]["containers"][0]["env"];
    ASSERT_TRUE(env.is_array());
    EXPECT_EQ(env.back()["name"], "JOB_COMPLETION_INDEX");
    EXPECT_EQ(env.back()["valueFrom"]["fieldRef"]["fieldPath"],
              "metadata.labels['batch.kubernetes.io/job-completion-index']");
    by_index[ix] = Name(p);
  }
  ASSERT_EQ(by_index.size(), 3u);
  FinishPod(by_index["1"], 0);
  Converge("default/idx");
  EXPECT_EQ(GetString(Get(kJobsRef, "idx"), {"status", "completedIndexes"}), "1");
  FinishPod(by_index["0"], 1);  // index 0 fails and is replaced with the same index
  Converge("default/idx");
  clock_.Step(10s);
  Converge("default/idx");
  std::vector<std::string> live = PodNames("idx");
  ASSERT_EQ(live.size(), 2u);
  for (const std::string& n : live) FinishPod(n, 0);
  Converge("default/idx");
  Json job = Get(kJobsRef, "idx");
  EXPECT_EQ(GetString(job, {"status", "completedIndexes"}), "0-2");
  EXPECT_EQ(GetInt(job, {"status", "succeeded"}), 3);
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 1);
  EXPECT_EQ(CondStatus(job, "Complete"), "True");
}

TEST_F(JobTest, SuccessPolicyEndsAnIndexedJobEarly) {
  Json policy = Json::parse(R"({"rules":[{"succeededIndexes":"0","succeededCount":1}]})");
  Create(kJobsRef, JobSpec("leader", {{"completions", 3},
                                      {"parallelism", 3},
                                      {"completionMode", "Indexed"},
                                      {"successPolicy", policy}}));
  Converge("default/leader");
  std::string leader;
  for (const Json& p : Pods("leader"))
    if (p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == "0")
      leader = Name(p);
  ASSERT_FALSE(leader.empty());
  FinishPod(leader, 0);
  Converge("default/leader");
  Json job = Get(kJobsRef, "leader");
  ASSERT_EQ(CondStatus(job, "Complete"), "True");
  EXPECT_EQ(GetString(*Condition(job, "SuccessCriteriaMet"), {"reason"}), "SuccessPolicy");
  EXPECT_EQ(GetString(*Condition(job, "Complete"), {"message"}), "Matched rules at index 0");
  EXPECT_EQ(GetString(job, {"status", "completedIndexes"}), "0");
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 0);  // the others were stopped, not failed
  EXPECT_EQ(PodNames("leader").size(), 0u);
}

TEST_F(JobTest, BackoffLimitPerIndex) {
  Create(kJobsRef, JobSpec("per", {{"completions", 3},
                                   {"parallelism", 3},
                                   {"completionMode", "Indexed"},
                                   {"backoffLimitPerIndex", 1}}));
  Converge("default/per");
  auto by_index = [&] {
    std::map<std::string, Json> out;
    for (const Json& p : Pods("per"))
      if (!IsBeingDeleted(p) && GetString(p, {"status", "phase"}) != "Failed" &&
          GetString(p, {"status", "phase"}) != "Succeeded")
        out[p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]] = p;
    return out;
  };
  auto pods = by_index();
  ASSERT_EQ(pods.size(), 3u);
  EXPECT_EQ(pods["0"]["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"],
            "0");
  FinishPod(Name(pods["0"]), 1);
  ReconcileResult r = Converge("default/per");
  EXPECT_GT(r.requeue_after, 9s);  // index 0 waits for its own back-off
  EXPECT_EQ(by_index().count("0"), 0u);
  clock_.Step(10s);
  Converge("default/per");
  pods = by_index();
  ASSERT_EQ(pods.count("0"), 1u);
  EXPECT_EQ(pods["0"]["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"],
            "1");
  Json job = Get(kJobsRef, "per");
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 1);  // the replaced pod is counted now
  EXPECT_EQ(GetString(job, {"status", "failedIndexes"}), "");
  FinishPod(Name(pods["0"]), 1);  // index 0 used up its one retry
  FinishPod(Name(pods["1"]), 0);
  FinishPod(Name(pods["2"]), 0);
  Converge("default/per");
  job = Get(kJobsRef, "per");
  EXPECT_EQ(GetString(job, {"status", "failedIndexes"}), "0");
  EXPECT_EQ(GetString(job, {"status", "completedIndexes"}), "1,2");
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 2);
  ASSERT_EQ(CondStatus(job, "Failed"), "True");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"reason"}), "FailedIndexes");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"message"}), "Job has failed indexes");
}

TEST_F(JobTest, PodFailurePolicyFailJobAndIgnore) {
  Json policy = Json::parse(R"({"rules":[
      {"action":"Ignore","onExitCodes":{"operator":"In","values":[3]}},
      {"action":"FailJob","onExitCodes":{"containerName":"main","operator":"In","values":[42]}}]})");
  Create(kJobsRef, JobSpec("pfp", {{"podFailurePolicy", policy}, {"backoffLimit", 0}}));
  Converge("default/pfp");
  FinishPod(PodNames("pfp")[0], 3);  // ignored: not counted (replaced after the back-off)
  Converge("default/pfp");
  clock_.Step(10s);
  Converge("default/pfp");
  Json job = Get(kJobsRef, "pfp");
  EXPECT_EQ(GetInt(job, {"status", "failed"}), 0);
  ASSERT_EQ(PodNames("pfp").size(), 1u);
  std::string victim = PodNames("pfp")[0];
  FinishPod(victim, 42);
  Converge("default/pfp");
  job = Get(kJobsRef, "pfp");
  ASSERT_EQ(CondStatus(job, "Failed"), "True");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"reason"}), "PodFailurePolicy");
  EXPECT_EQ(GetString(*Condition(job, "Failed"), {"message"}),
            "Container main for pod default/" + victim +
                " failed with exit code 42 matching FailJob rule at index 1");
}

TEST_F(JobTest, AdoptsOrphansAndCleansOrphanFinalizers) {
  Json job = Create(kJobsRef, JobSpec("adopt", {{"completions", 1}}));
  // An orphan pod carrying the job's labels is adopted (and gets the finalizer).
  Json pod = Json::parse(R"({"metadata":{"name":"stray"},
      "spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"busybox"}]}})");
  pod["metadata"]["labels"] = job["spec"]["template"]["metadata"]["labels"];
  Create(kPodsRef, pod);
  Converge("default/adopt");
  Json stray = Get(kPodsRef, "stray");
  EXPECT_TRUE(IsControlledBy(stray, job));
  EXPECT_EQ(stray["metadata"]["finalizers"], Json::array({"batch.kubernetes.io/job-tracking"}));
  EXPECT_EQ(Pods("adopt").size(), 1u);  // no second pod: the adopted one is active

  // A pod with the tracking finalizer that nobody owns loses it.
  Json lone =
      Json::parse(R"({"metadata":{"name":"lone","finalizers":["batch.kubernetes.io/job-tracking"]},
      "spec":{"containers":[{"name":"main","image":"busybox"}]}})");
  Create(kPodsRef, lone);
  Settle();
  ASSERT_TRUE(jobs_->Reconcile("pod:default/lone").ok());
  EXPECT_FALSE(Get(kPodsRef, "lone")["metadata"].contains("finalizers") &&
               !Get(kPodsRef, "lone")["metadata"]["finalizers"].empty());
}

TEST_F(JobTest, BadInputAndMissingJobs) {
  // The API refuses what the controller could not run.
  Json bad = JobSpec("badmode", {{"completionMode", "Sometimes"}});
  EXPECT_EQ(client().Create(kJobsRef, "default", bad).status().code(), Code::kInvalid);
  Json always = JobSpec("always", {});
  always["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  EXPECT_EQ(client().Create(kJobsRef, "default", always).status().code(), Code::kInvalid);
  Json indexed = JobSpec("noc", {{"completionMode", "Indexed"}, {"parallelism", 2}});
  EXPECT_EQ(client().Create(kJobsRef, "default", indexed).status().code(), Code::kInvalid);
  Json negative = JobSpec("neg", {{"backoffLimit", -1}});
  EXPECT_EQ(client().Create(kJobsRef, "default", negative).status().code(), Code::kInvalid);
  // Unknown keys are no-ops.
  auto r = jobs_->Reconcile("default/nothing");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->requeue_after.count(), 0);
  EXPECT_TRUE(jobs_->Reconcile("pod:default/nothing").ok());
  EXPECT_TRUE(ttl_->Reconcile("default/nothing").ok());
}

TEST_F(JobTest, TtlAfterFinishedDeletesTheJob) {
  Create(kJobsRef, JobSpec("ttl", {{"ttlSecondsAfterFinished", 60}}));
  Converge("default/ttl");
  FinishPod(PodNames("ttl")[0], 0);
  Converge("default/ttl");
  ASSERT_EQ(CondStatus(Get(kJobsRef, "ttl"), "Complete"), "True");
  Settle();
  auto r = ttl_->Reconcile("default/ttl");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->requeue_after, 59s);
  EXPECT_LE(r->requeue_after, 60s);
  EXPECT_TRUE(client().Get(kJobsRef, "default", "ttl").ok());

  // The TTL raised meanwhile: the fresh read wins over the cache.
  clock_.Step(60s);
  Json job = Get(kJobsRef, "ttl");
  job["spec"]["ttlSecondsAfterFinished"] = 120;
  ASSERT_TRUE(client().Update(kJobsRef, "default", job).ok());
  r = ttl_->Reconcile("default/ttl");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(client().Get(kJobsRef, "default", "ttl").ok());
  clock_.Step(60s);
  Settle();
  r = ttl_->Reconcile("default/ttl");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(client().Get(kJobsRef, "default", "ttl").ok());

  // A running job (no finished condition) is left alone.
  Create(kJobsRef, JobSpec("running", {{"ttlSecondsAfterFinished", 0}}));
  Settle();
  ASSERT_TRUE(ttl_->Reconcile("default/running").ok());
  EXPECT_TRUE(client().Get(kJobsRef, "default", "running").ok());
}

}  // namespace
}  // namespace minik
