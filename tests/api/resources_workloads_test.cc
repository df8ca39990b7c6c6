// Deployments, replica sets, stateful sets, daemon sets, jobs and cron jobs: defaults,
// generation, validation wording and tables.
#include <filesystem>

#include <gtest/gtest.h>

#include "api/resource.h"

namespace minik {
namespace {

const ResourceInfo& Info(const std::string& group, const std::string& plural) {
  static ResourceRegistry* reg = [] {
    auto* r = new ResourceRegistry();
    RegisterBuiltinResources(*r);
    return r;
  }();
  const ResourceInfo* info = reg->Find({group, group == "autoscaling" ? "v2" : "v1", plural});
  if (!info) std::abort();
  return *info;
}

Json Workload(const std::string& kind, const std::string& extra_spec = "{}") {
  Json obj = Json::parse(R"({"metadata":{"name":"web","namespace":"default","uid":"uid-1",
    "creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
                  "spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}})");
  obj["kind"] = kind;
  obj["spec"].merge_patch(Json::parse(extra_spec));
  return obj;
}

Json Create(const ResourceInfo& info, Json obj) {
  info.strategy->PrepareForCreate(obj);
  info.strategy->Default(obj);
  return obj;
}

std::vector<std::string> Errors(const ResourceInfo& info, const Json& obj) {
  std::vector<std::string> out;
  for (const auto& c : info.strategy->Validate(obj)) out.push_back(c.field + ": " + c.message);
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ResourcesWorkloads, DeploymentDefaults) {
  const ResourceInfo& info = Info("apps", "deployments");
  Json d = Create(info, Workload("Deployment"));
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["strategy"], Json::parse(R"({"type":"RollingUpdate",
      "rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}})"));
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(d["spec"]["progressDeadlineSeconds"], 600);
  EXPECT_TRUE(d["spec"]["template"]["metadata"]["creationTimestamp"].is_null());
  EXPECT_TRUE(d["spec"]["template"]["metadata"].contains("creationTimestamp"));
  EXPECT_EQ(d["spec"]["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_FALSE(d["spec"]["template"]["spec"].contains("enableServiceLinks"));
  EXPECT_EQ(d["metadata"]["generation"], 1);
  EXPECT_EQ(d["status"], Json::object());
  EXPECT_TRUE(Errors(info, d).empty()) << Errors(info, d)[0];

  Json recreate = Create(info, Workload("Deployment", R"({"strategy":{"type":"Recreate"}})"));
  EXPECT_FALSE(recreate["spec"]["strategy"].contains("rollingUpdate"));
  EXPECT_TRUE(Errors(info, recreate).empty());
}

TEST(ResourcesWorkloads, DeploymentValidationMessages) {
  const ResourceInfo& info = Info("apps", "deployments");
  Json mismatch = Create(info, Workload("Deployment", R"({"selector":{"matchLabels":{"app":"other"}}})"));
  EXPECT_EQ(Errors(info, mismatch),
            std::vector<std::string>{"spec.template.metadata.labels: Invalid value: "
                                     "map[string]string{\"app\":\"web\"}: `selector` does not "
                                     "match template `labels`"});
  Json negative = Create(info, Workload("Deployment", R"({"replicas":-1})"));
  EXPECT_EQ(Errors(info, negative),
            std::vector<std::string>{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"});
  Json noselector = Create(info, Workload("Deployment", R"({"selector":null})"));
  // A nil selector converts to labels.Nothing(): required, and it matches no template.
  EXPECT_EQ(Errors(info, noselector),
            (std::vector<std::string>{"spec.selector: Required value",
                                      "spec.template.metadata.labels: Invalid value: "
                                      "map[string]string{\"app\":\"web\"}: `selector` does not "
                                      "match template `labels`"}));
  Json empty = Create(info, Workload("Deployment", R"({"selector":{"matchLabels":null}})"));
  EXPECT_TRUE(Contains(Errors(info, empty),
                       "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]"
                       "string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty "
                       "selector is invalid for deployment"));
  Json noimage = Workload("Deployment");
  noimage["spec"]["template"]["spec"]["containers"][0].erase("image");
  EXPECT_TRUE(Contains(Errors(info, Create(info, noimage)),
                       "spec.template.spec.containers[0].image: Required value"));
  Json never = Workload("Deployment");
  never["spec"]["template"]["spec"]["restartPolicy"] = "Never";
  EXPECT_EQ(Errors(info, Create(info, never)),
            std::vector<std::string>{"spec.template.spec.restartPolicy: Unsupported value: "
                                     "\"Never\": supported values: \"Always\""});
  Json zero = Create(info, Workload("Deployment", R"({"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":0}}})"));
  EXPECT_EQ(Errors(info, zero),
            std::vector<std::string>{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                                     "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not "
                                     "be 0 when `maxSurge` is 0"});
}

TEST(ResourcesWorkloads, DeploymentStrategyAndTemplateMessages) {
  const ResourceInfo& info = Info("apps", "deployments");
  Json foo = Create(info, Workload("Deployment", R"({"strategy":{"type":"Foo"}})"));
  EXPECT_EQ(Errors(info, foo),
            std::vector<std::string>{"spec.strategy: Unsupported value: apps.DeploymentStrategy{"
                                     "Type:\"Foo\", RollingUpdate:(*apps.RollingUpdateDeployment)"
                                     "(nil)}: supported values: \"Recreate\", \"RollingUpdate\""});
  Json pct = Create(info, Workload("Deployment",
                                   R"({"strategy":{"rollingUpdate":{"maxUnavailable":"150%","maxSurge":"x"}}})"));
  EXPECT_EQ(Errors(info, pct),
            (std::vector<std::string>{
                "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, "
                "IntVal:0, StrVal:\"x\"}: a valid percent string must be a numeric string followed "
                "by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{"
                "Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%"}));
  Json recreate = Create(info, Workload("Deployment",
                                        R"({"strategy":{"type":"Recreate","rollingUpdate":{}}})"));
  EXPECT_EQ(Errors(info, recreate),
            std::vector<std::string>{"spec.strategy.rollingUpdate: Forbidden: may not be specified "
                                     "when strategy `type` is 'Recreate'"});
  Json deadline = Workload("Deployment");
  deadline["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 5;
  EXPECT_EQ(Errors(info, Create(info, deadline)),
            std::vector<std::string>{"spec.template.spec.activeDeadlineSeconds: Forbidden: "
                                     "activeDeadlineSeconds in ReplicaSet is not Supported"});
  Json badop = Create(info, Workload("Deployment", R"({"selector":{"matchLabels":null,
      "matchExpressions":[{"key":"app","operator":"Near","values":["web"]}]}})"));
  EXPECT_EQ(Errors(info, badop),
            (std::vector<std::string>{
                "spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid "
                "selector operator",
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
                "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"
                "\"app\", Operator:\"Near\", Values:[]string{\"web\"}}}}: invalid label selector"}));
  Json badvalue = Create(info, Workload("Deployment", R"({"selector":{"matchExpressions":[
      {"key":"app","operator":"In","values":["a b"]}]}})"));
  EXPECT_TRUE(Contains(Errors(info, badvalue),
                       "spec.selector.matchExpressions[0].values[0]: Invalid value: \"a b\": a valid "
                       "label must be an empty string or consist of alphanumeric characters, '-', "
                       "'_' or '.', and must start and end with an alphanumeric character (e.g. "
                       "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                       "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
  Json deadline_short = Create(info, Workload("Deployment",
                                              R"({"minReadySeconds":700,"progressDeadlineSeconds":600})"));
  EXPECT_EQ(Errors(info, deadline_short),
            std::vector<std::string>{"spec.progressDeadlineSeconds: Invalid value: 600: must be "
                                     "greater than minReadySeconds"});
}

TEST(ResourcesWorkloads, DaemonSetValidationMessages) {
  const ResourceInfo& info = Info("apps", "daemonsets");
  Json both = Create(info, Workload("DaemonSet", R"({"updateStrategy":{"rollingUpdate":{"maxSurge":1}}})"));
  EXPECT_EQ(Errors(info, both),
            std::vector<std::string>{"spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "
                                     "intstr.IntOrString{Type:0, IntVal:1, StrVal:\"\"}: may not be "
                                     "set when maxUnavailable is non-zero"});
  Json none = Create(info, Workload("DaemonSet",
                                    R"({"updateStrategy":{"rollingUpdate":{"maxUnavailable":"0%"}}})"));
  EXPECT_EQ(Errors(info, none),
            std::vector<std::string>{"spec.updateStrategy.rollingUpdate.maxUnavailable: Required "
                                     "value: cannot be 0 when maxSurge is 0"});
  Json foo = Create(info, Workload("DaemonSet", R"({"updateStrategy":{"type":"Foo"}})"));
  EXPECT_EQ(Errors(info, foo),
            std::vector<std::string>{"spec.updateStrategy: Unsupported value: apps.DaemonSetUpdate"
                                     "Strategy{Type:\"Foo\", RollingUpdate:(*apps.RollingUpdate"
                                     "DaemonSet)(nil)}: supported values: \"RollingUpdate\", "
                                     "\"OnDelete\""});
  Json ondelete = Create(info, Workload("DaemonSet", R"({"updateStrategy":{"type":"OnDelete"}})"));
  EXPECT_FALSE(ondelete["spec"]["updateStrategy"].contains("rollingUpdate"));
  EXPECT_TRUE(Errors(info, ondelete).empty());
  // Upstream does not require a daemon set's selector: nil matches nothing.
  Json nosel = Create(info, Workload("DaemonSet", R"({"selector":null})"));
  EXPECT_EQ(Errors(info, nosel),
            std::vector<std::string>{"spec.template.metadata.labels: Invalid value: "
                                     "map[string]string{\"app\":\"web\"}: `selector` does not "
                                     "match template `labels`"});
  Json onfailure = Workload("DaemonSet");
  onfailure["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure";
  onfailure["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 3;
  EXPECT_EQ(Errors(info, Create(info, onfailure)),
            (std::vector<std::string>{"spec.template.spec.restartPolicy: Unsupported value: "
                                      "\"OnFailure\": supported values: \"Always\"",
                                      "spec.template.spec.activeDeadlineSeconds: Forbidden: "
                                      "activeDeadlineSeconds in DaemonSet is not Supported"}));
}

TEST(ResourcesWorkloads, StatefulSetValidationMessages) {
  const ResourceInfo& info = Info("apps", "statefulsets");
  EXPECT_EQ(info.name_rule, NameRule::kDns1123Label);
  Json ondelete = Create(info, Workload("StatefulSet",
                                        R"({"updateStrategy":{"type":"OnDelete","rollingUpdate":{"partition":2}}})"));
  EXPECT_EQ(Errors(info, ondelete),
            std::vector<std::string>{"spec.updateStrategy.rollingUpdate: Invalid value: "
                                     "apps.RollingUpdateStatefulSetStrategy{Partition:2, "
                                     "MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for "
                                     "updateStrategy 'RollingUpdate'"});
  Json foo = Create(info, Workload("StatefulSet", R"({"updateStrategy":{"type":"Foo"},
      "podManagementPolicy":"Random","persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Keep"},
      "ordinals":{"start":-1}})"));
  EXPECT_EQ(Errors(info, foo),
            (std::vector<std::string>{
                "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
                "'Parallel'",
                "spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:\"Foo\", "
                "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be "
                "'RollingUpdate' or 'OnDelete'",
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "
                "\"Keep\": supported values: \"Retain\", \"Delete\"",
                "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"}));
  // The pod spec itself is not validated (upstream's TODO), only labels and annotations.
  Json noimage = Workload("StatefulSet");
  noimage["spec"]["template"]["spec"]["containers"][0].erase("image");
  noimage["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 9;
  EXPECT_EQ(Errors(info, Create(info, noimage)),
            std::vector<std::string>{"spec.template.spec.activeDeadlineSeconds: Forbidden: "
                                     "activeDeadlineSeconds in StatefulSet is not Supported"});
  // maxUnavailable needs an alpha gate: dropped on create.
  Json mu = Create(info, Workload("StatefulSet", R"({"updateStrategy":{"rollingUpdate":{"maxUnavailable":2}}})"));
  EXPECT_EQ(mu["spec"]["updateStrategy"]["rollingUpdate"], Json::parse(R"({"partition":0})"));
  Json old = Create(info, Workload("StatefulSet"));
  Json hist = old;
  hist["spec"]["revisionHistoryLimit"] = 3;
  auto causes = info.strategy->ValidateUpdate(hist, old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].message,
            "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
            "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
            "'minReadySeconds' are forbidden");
  Json retained = old;
  retained["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"] = "Delete";
  retained["spec"]["minReadySeconds"] = 4;
  EXPECT_TRUE(info.strategy->ValidateUpdate(retained, old).empty());
}

TEST(ResourcesWorkloads, ReplicationControllerMessages) {
  ResourceRegistry reg;
  RegisterBuiltinResources(reg);
  const ResourceInfo& info = *reg.Find({"", "v1", "replicationcontrollers"});
  Json rc = Json::parse(R"({"kind":"ReplicationController","metadata":{"name":"rc","namespace":"default"},
    "spec":{"template":{"metadata":{"labels":{"app":"x"}},
      "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})");
  rc = Create(info, rc);
  EXPECT_EQ(rc["spec"]["selector"], Json::parse(R"({"app":"x"})"));
  EXPECT_EQ(rc["metadata"]["labels"], Json::parse(R"({"app":"x"})"));
  EXPECT_TRUE(Errors(info, rc).empty());
  Json bad = rc;
  bad["spec"]["selector"] = {{"app", "y"}};
  bad["spec"]["replicas"] = -2;
  bad["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 1;
  EXPECT_EQ(Errors(info, bad),
            (std::vector<std::string>{
                "spec.replicas: Invalid value: -2: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: "
                "`selector` does not match template `labels`",
                "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in "
                "ReplicationController is not Supported"}));
}

TEST(ResourcesWorkloads, DeploymentUpdateGenerationAndSelector) {
  const ResourceInfo& info = Info("apps", "deployments");
  Json old = Create(info, Workload("Deployment"));
  old["status"] = {{"replicas", 1}};
  // A scale and an unchanged replace differ only in generation bumps.
  Json same = Workload("Deployment");
  info.strategy->PrepareForUpdate(same, old);
  EXPECT_EQ(same["metadata"]["generation"], 1);
  EXPECT_EQ(same["status"]["replicas"], 1);  // status kept
  Json scaled = old;
  scaled["spec"]["replicas"] = 3;
  info.strategy->PrepareForUpdate(scaled, old);
  EXPECT_EQ(scaled["metadata"]["generation"], 2);
  Json annotated = old;
  annotated["metadata"]["annotations"] = {{"a", "b"}};
  info.strategy->PrepareForUpdate(annotated, old);
  EXPECT_EQ(annotated["metadata"]["generation"], 2);

  Json moved = old;
  moved["spec"]["selector"]["matchLabels"]["app"] = "b";
  moved["spec"]["template"]["metadata"]["labels"]["app"] = "b";
  info.strategy->PrepareForUpdate(moved, old);
  auto causes = info.strategy->ValidateUpdate(moved, old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field + ": " + causes[0].message,
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":"
            "\"b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
}

TEST(ResourcesWorkloads, DeploymentTable) {
  const ResourceInfo& info = Info("apps", "deployments");
  Json d = Create(info, Workload("Deployment", R"({"replicas":3})"));
  d["status"] = {{"readyReplicas", 2}, {"updatedReplicas", 3}, {"availableReplicas", 2}};
  SystemTime now{};
  ParseRfc3339("2026-01-03T05:00:00Z", &now);
  EXPECT_EQ(info.cells(d, now),
            (std::vector<Json>{"2/3", 3, 2, "2d5h", "nginx", "nginx:1.27", "app=web"}));
  std::vector<std::string> cols;
  for (const auto& c : info.columns) cols.push_back(c.name);
  EXPECT_EQ(cols, (std::vector<std::string>{"Ready", "Up-to-date", "Available", "Age",
                                            "Containers", "Images", "Selector"}));
}

TEST(ResourcesWorkloads, ReplicaSetsAndStatefulSets) {
  const ResourceInfo& rs = Info("apps", "replicasets");
  Json r = Create(rs, Workload("ReplicaSet"));
  EXPECT_EQ(r["status"], Json::parse(R"({"replicas":0})"));
  EXPECT_TRUE(Errors(rs, r).empty());
  SystemTime now{};
  ParseRfc3339("2026-01-01T00:00:05Z", &now);
  EXPECT_EQ(rs.cells(r, now), (std::vector<Json>{1, 0, 0, "5s", "nginx", "nginx:1.27", "app=web"}));

  const ResourceInfo& sts = Info("apps", "statefulsets");
  Json s = Create(sts, Workload("StatefulSet", R"({"serviceName":"web",
      "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
        "resources":{"requests":{"storage":"1Gi"}}}}]})"));
  EXPECT_EQ(s["spec"]["podManagementPolicy"], "OrderedReady");
  EXPECT_EQ(s["spec"]["updateStrategy"], Json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"partition":0}})"));
  EXPECT_EQ(s["spec"]["persistentVolumeClaimRetentionPolicy"],
            Json::parse(R"({"whenDeleted":"Retain","whenScaled":"Retain"})"));
  EXPECT_EQ(s["spec"]["volumeClaimTemplates"][0]["spec"]["volumeMode"], "Filesystem");
  EXPECT_TRUE(Errors(sts, s).empty()) << Errors(sts, s)[0];
  Json changed = s;
  changed["spec"]["serviceName"] = "other";
  auto causes = sts.strategy->ValidateUpdate(changed, s);
  ASSERT_FALSE(causes.empty());
  EXPECT_EQ(causes.back().field, "spec");
  Json scaled = s;
  scaled["spec"]["replicas"] = 5;
  EXPECT_TRUE(sts.strategy->ValidateUpdate(scaled, s).empty());
  EXPECT_EQ(sts.cells(s, now)[0], "0/1");
}

TEST(ResourcesWorkloads, DaemonSetTemplateGeneration) {
  const ResourceInfo& info = Info("apps", "daemonsets");
  Json ds = Create(info, Workload("DaemonSet"));
  EXPECT_EQ(ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"], "1");
  EXPECT_EQ(ds["spec"]["updateStrategy"],
            Json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}})"));
  EXPECT_TRUE(Errors(info, ds).empty());
  Json next = ds;
  next["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28";
  info.strategy->PrepareForUpdate(next, ds);
  EXPECT_EQ(next["metadata"]["annotations"]["deprecated.daemonset.template.generation"], "2");
  EXPECT_EQ(next["metadata"]["generation"], 2);
}

TEST(ResourcesWorkloads, JobSelectorAndDefaults) {
  const ResourceInfo& info = Info("batch", "jobs");
  Json job = Json::parse(R"({"kind":"Job","metadata":{"name":"pi","namespace":"default","uid":"u-9",
    "creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"template":{"spec":{"restartPolicy":"Never",
      "containers":[{"name":"pi","image":"perl"}]}}}})");
  job = Create(info, job);
  EXPECT_EQ(job["spec"]["selector"],
            Json::parse(R"({"matchLabels":{"batch.kubernetes.io/controller-uid":"u-9"}})"));
  const Json& labels = job["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["controller-uid"], "u-9");
  EXPECT_EQ(labels["batch.kubernetes.io/job-name"], "pi");
  EXPECT_EQ(labels["job-name"], "pi");
  EXPECT_EQ(job["metadata"]["labels"], labels);
  EXPECT_EQ(job["spec"]["completions"], 1);
  EXPECT_EQ(job["spec"]["parallelism"], 1);
  EXPECT_EQ(job["spec"]["backoffLimit"], 6);
  EXPECT_EQ(job["spec"]["completionMode"], "NonIndexed");
  EXPECT_EQ(job["spec"]["suspend"], false);
  EXPECT_EQ(job["spec"]["podReplacementPolicy"], "TerminatingOrFailed");
  EXPECT_TRUE(Errors(info, job).empty()) << Errors(info, job)[0];

  Json always = job;
  always["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  // validateJobSpec: Always (the pod spec default) reads as a missing value.
  EXPECT_EQ(Errors(info, always),
            std::vector<std::string>{"spec.template.spec.restartPolicy: Required value: valid "
                                     "values: \"OnFailure\", \"Never\""});
  Json sometimes = job;
  sometimes["spec"]["template"]["spec"]["restartPolicy"] = "Sometimes";
  EXPECT_TRUE(Contains(Errors(info, sometimes),
                       "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": "
                       "supported values: \"OnFailure\", \"Never\""));
  Json policy = job;
  policy["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure";
  policy["spec"]["podFailurePolicy"] = Json::parse(R"({"rules":[]})");
  policy["spec"]["podReplacementPolicy"] = "TerminatingOrFailed";
  EXPECT_EQ(Errors(info, policy),
            (std::vector<std::string>{
                "spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": "
                "supported values: \"Failed\"",
                "spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" "
                "is supported when podFailurePolicy is specified"}));
  Json per_index = job;
  per_index["spec"]["backoffLimitPerIndex"] = 1;
  per_index["spec"]["maxFailedIndexes"] = 1;
  EXPECT_EQ(Errors(info, per_index),
            (std::vector<std::string>{
                "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
                "spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode"}));
  Json indexed = job;
  indexed["metadata"]["name"] = std::string(62, 'x');
  indexed["spec"]["completionMode"] = "Indexed";
  indexed["spec"]["completions"] = 20;
  EXPECT_TRUE(Contains(Errors(info, indexed),
                       "metadata.name: Invalid value: \"" + std::string(62, 'x') +
                           "\": will not able to create pod with invalid DNS label: " +
                           std::string(62, 'x') + "-19"));

  Json long_name = job;
  long_name["metadata"]["name"] = std::string(64, 'j');
  long_name["spec"]["template"]["metadata"]["labels"]["job-name"] = std::string(64, 'j');
  EXPECT_TRUE(Contains(Errors(info, long_name),
                       "spec.template.labels: Invalid value: \"" + std::string(64, 'j') +
                           "\": must be no more than 63 characters"));

  SystemTime now{};
  ParseRfc3339("2026-01-01T00:02:00Z", &now);
  job["status"] = Json::parse(R"({"startTime":"2026-01-01T00:00:00Z","succeeded":0})");
  EXPECT_EQ(info.cells(job, now)[0], "Running");
  EXPECT_EQ(info.cells(job, now)[1], "0/1");
  EXPECT_EQ(info.cells(job, now)[2], "2m");
  job["status"] = Json::parse(R"({"startTime":"2026-01-01T00:00:00Z","completionTime":"2026-01-01T00:00:09Z",
      "succeeded":1,"conditions":[{"type":"Complete","status":"True"}]})");
  auto cells = info.cells(job, now);
  EXPECT_EQ(cells[0], "Complete");
  EXPECT_EQ(cells[1], "1/1");
  EXPECT_EQ(cells[2], "9s");
  EXPECT_EQ(cells[6], "batch.kubernetes.io/controller-uid=u-9");
}

TEST(ResourcesWorkloads, JobUpdates) {
  const ResourceInfo& info = Info("batch", "jobs");
  Json job = Json::parse(R"({"kind":"Job","metadata":{"name":"pi","namespace":"default","uid":"u-9"},
    "spec":{"suspend":true,"template":{"spec":{"restartPolicy":"Never",
      "containers":[{"name":"pi","image":"perl"}]}}}})");
  job = Create(info, job);
  // A suspended job that never started may change its scheduling directives only.
  Json placed = job;
  placed["spec"]["template"]["spec"]["nodeSelector"] = {{"zone", "a"}};
  placed["spec"]["template"]["metadata"]["annotations"] = {{"x", "y"}};
  EXPECT_TRUE(info.strategy->ValidateUpdate(placed, job).empty());
  Json image = job;
  image["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:2";
  EXPECT_EQ(Errors(info, image).size(), 0u);
  auto causes = info.strategy->ValidateUpdate(image, job);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.template");
  EXPECT_EQ(causes[0].message.substr(causes[0].message.size() - 18), "field is immutable");
  Json more = job;
  more["spec"]["completions"] = 3;
  causes = info.strategy->ValidateUpdate(more, job);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field + ": " + causes[0].message, "spec.completions: Invalid value: 3: field is immutable");
  // Elastic indexed jobs: completions follow parallelism.
  Json indexed = job;
  indexed["spec"]["completionMode"] = "Indexed";
  indexed["spec"]["completions"] = 2;
  indexed["spec"]["parallelism"] = 2;
  Json grown = indexed;
  grown["spec"]["completions"] = 4;
  causes = info.strategy->ValidateUpdate(grown, indexed);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field + ": " + causes[0].message,
            "spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism");
  grown["spec"]["parallelism"] = 4;
  EXPECT_TRUE(info.strategy->ValidateUpdate(grown, indexed).empty());
  Json mode = indexed;
  mode["spec"]["completionMode"] = "NonIndexed";
  mode["spec"]["completions"] = 2;
  EXPECT_TRUE(Contains([&] {
    std::vector<std::string> out;
    for (const auto& c : info.strategy->ValidateUpdate(mode, indexed)) out.push_back(c.field + ": " + c.message);
    return out;
  }(), "spec.completionMode: Invalid value: \"NonIndexed\": field is immutable"));
}

TEST(ResourcesWorkloads, CronJobs) {
  const ResourceInfo& info = Info("batch", "cronjobs");
  Json cj = Json::parse(R"({"kind":"CronJob","metadata":{"name":"tick","namespace":"default",
    "creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{
      "restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}})");
  cj = Create(info, cj);
  EXPECT_EQ(cj["spec"]["concurrencyPolicy"], "Allow");
  EXPECT_EQ(cj["spec"]["suspend"], false);
  EXPECT_EQ(cj["spec"]["successfulJobsHistoryLimit"], 3);
  EXPECT_EQ(cj["spec"]["failedJobsHistoryLimit"], 1);
  EXPECT_TRUE(Errors(info, cj).empty()) << Errors(info, cj)[0];
  SystemTime now{};
  ParseRfc3339("2026-01-01T00:00:10Z", &now);
  EXPECT_EQ(info.cells(cj, now),
            (std::vector<Json>{"*/5 * * * *", "<none>", "False", 0, "<none>", "10s", "c",
                               "busybox", "<none>"}));
  Json bad = cj;
  bad["spec"]["schedule"] = "* * *";
  EXPECT_EQ(Errors(info, bad), std::vector<std::string>{
                                   "spec.schedule: Invalid value: \"* * *\": expected exactly 5 "
                                   "fields, found 3: [* * *]"});
  bad["spec"]["schedule"] = "61 * * * *";
  EXPECT_EQ(Errors(info, bad).size(), 1u);
  bad["spec"]["schedule"] = "0 0 * JAN MON";
  EXPECT_TRUE(Errors(info, bad).empty());
  bad["spec"]["schedule"] = "@hourly";
  EXPECT_TRUE(Errors(info, bad).empty());
  bad["metadata"]["name"] = std::string(53, 'a');
  EXPECT_EQ(Errors(info, bad), std::vector<std::string>{
                                   "metadata.name: Invalid value: \"" + std::string(53, 'a') +
                                   "\": must be no more than 52 characters"});
  // ...on create only: an old long-named cron job can still be updated.
  EXPECT_TRUE(info.strategy->ValidateUpdate(bad, bad).empty());
  Json zoned = cj;
  zoned["spec"]["timeZone"] = "Mars/Olympus";
  EXPECT_EQ(Errors(info, zoned), std::vector<std::string>{
                                     "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown "
                                     "time zone Mars/Olympus"});
  zoned["spec"]["timeZone"] = "Local";
  EXPECT_TRUE(Contains(Errors(info, zoned),
                       "spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time "
                       "zone as defined in https://www.iana.org/time-zones"));
  zoned["spec"]["timeZone"] = "";
  EXPECT_EQ(Errors(info, zoned), std::vector<std::string>{
                                     "spec.timeZone: Invalid value: \"\": timeZone must be nil or "
                                     "non-empty string"});
  zoned["spec"]["timeZone"] = "Etc/UTC";
  if (std::filesystem::exists("/usr/share/zoneinfo/Etc/UTC")) {
    EXPECT_TRUE(Errors(info, zoned).empty());
  }
  Json tz = cj;
  tz["spec"]["schedule"] = "CRON_TZ=UTC 0 * * * *";
  EXPECT_TRUE(Contains(Errors(info, tz), "spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": "
                                         "cannot use TZ or CRON_TZ in schedule, use timeZone field "
                                         "instead"));
  Json always = cj;
  always["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  always["spec"]["concurrencyPolicy"] = "Sometimes";
  EXPECT_EQ(Errors(info, always),
            (std::vector<std::string>{
                "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: "
                "\"Allow\", \"Forbid\", \"Replace\"",
                "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "
                "\"OnFailure\", \"Never\""}));
}

TEST(ResourcesWorkloads, HpaDefaultsAndTable) {
  const ResourceInfo& info = Info("autoscaling", "horizontalpodautoscalers");
  Json hpa = Json::parse(R"({"metadata":{"name":"web","namespace":"default",
    "creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5}})");
  hpa = Create(info, hpa);
  EXPECT_EQ(hpa["spec"]["minReplicas"], 1);
  EXPECT_TRUE(Errors(info, hpa).empty());
  SystemTime now{};
  ParseRfc3339("2026-01-01T00:00:10Z", &now);
  EXPECT_EQ(info.cells(hpa, now),
            (std::vector<Json>{"Deployment/web", "cpu: <unknown>/80%", "1", 5, 0, "10s"}));
  // GenerateHPAScale{Up,Down}Rules: scale-down has no default stabilization window.
  Json behaved = Json::parse(R"({"metadata":{"name":"web","namespace":"default"},
    "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5,
      "behavior":{"scaleDown":{"policies":[]}}}})");
  behaved = Create(info, behaved);
  EXPECT_EQ(behaved["spec"]["behavior"], Json::parse(R"({
      "scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[
        {"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]},
      "scaleDown":{"selectPolicy":"Max","policies":[]}})"));
  hpa["spec"]["maxReplicas"] = 0;
  EXPECT_TRUE(Contains(Errors(info, hpa), "spec.maxReplicas: Invalid value: 0: must be greater than 0"));
  Json bad = hpa;
  bad["spec"]["maxReplicas"] = 3;
  bad["spec"]["minReplicas"] = 0;
  bad["spec"]["scaleTargetRef"]["name"] = "a/b";
  bad["spec"]["metrics"] = Json::parse(R"([{"type":"Resource","resource":{"name":"cpu",
      "target":{"type":"Utilization","averageUtilization":0}}},{"type":"Pods"},{"type":"Fancy"}])");
  EXPECT_EQ(Errors(info, bad),
            (std::vector<std::string>{
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'",
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be "
                "greater than 0",
                "spec.metrics[1].pods: Required value: must populate information for the given "
                "metric source",
                "spec.metrics[2].type: Unsupported value: \"Fancy\": supported values: "
                "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"",
                "spec.metrics[2].type: Unsupported value: \"Fancy\": supported values: "
                "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"",
                "spec.metrics: Forbidden: must specify at least one Object or External metric to "
                "support scaling to zero replicas"}));
}

}  // namespace
}  // namespace minik
