// Pods: defaulting, validation with the apiserver's exact wording, update rules, status
// handling and the table cells of printPod in its many states.
#include <gtest/gtest.h>

#include "api/resource.h"
#include "api/resources/quantity.h"

namespace minik {
namespace {

const ResourceInfo& Pods() {
  static ResourceRegistry* reg = [] {
    auto* r = new ResourceRegistry();
    RegisterBuiltinResources(*r);
    return r;
  }();
  return *reg->Find({"", "v1", "pods"});
}

Json MinimalPod() {
  return Json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web","namespace":"default","uid":"u1",
                "creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"containers":[{"name":"nginx","image":"nginx"}]}})");
}

Json Created(Json pod) {
  Pods().strategy->PrepareForCreate(pod);
  Pods().strategy->Default(pod);
  return pod;
}

std::vector<std::string> Messages(const std::vector<StatusCause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) out.push_back(c.field + ": " + c.message);
  return out;
}

TEST(ResourcesPods, CreateDefaults) {
  Json pod = Created(MinimalPod());
  const Json& spec = pod["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Always");
  EXPECT_EQ(spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(spec["schedulerName"], "default-scheduler");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(spec["securityContext"], Json::object());
  EXPECT_EQ(spec["enableServiceLinks"], true);
  const Json& c = spec["containers"][0];
  EXPECT_EQ(c["imagePullPolicy"], "Always");
  EXPECT_EQ(c["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(c["terminationMessagePolicy"], "File");
  EXPECT_EQ(c["resources"], Json::object());
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_EQ(pod["status"]["qosClass"], "BestEffort");
  EXPECT_TRUE(Pods().strategy->Validate(pod).empty()) << Messages(Pods().strategy->Validate(pod))[0];
}

TEST(ResourcesPods, AdmissionEquivalentDefaultsOnCreate) {
  Json pod = Created(MinimalPod());
  EXPECT_EQ(pod["spec"]["serviceAccountName"], "default");
  EXPECT_EQ(pod["spec"]["serviceAccount"], "default");
  EXPECT_EQ(pod["spec"]["priority"], 0);
  EXPECT_EQ(pod["spec"]["preemptionPolicy"], "PreemptLowerPriority");
  EXPECT_EQ(pod["spec"]["tolerations"], Json::parse(R"([
    {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
    {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}])"));
  Json custom = MinimalPod();
  custom["spec"]["serviceAccountName"] = "builder";
  custom["spec"]["priorityClassName"] = "system-node-critical";
  custom["spec"]["tolerations"] = Json::parse(R"([{"operator":"Exists"}])");
  custom = Created(custom);
  EXPECT_EQ(custom["spec"]["serviceAccount"], "builder");
  EXPECT_EQ(custom["spec"]["priority"], 2000001000);
  EXPECT_EQ(custom["spec"]["tolerations"].size(), 1u);
  // An update does not add them again (they would be spec changes).
  Json next = custom;
  next["spec"].erase("preemptionPolicy");
  Pods().strategy->PrepareForUpdate(next, custom);
  Pods().strategy->Default(next);
  EXPECT_FALSE(next["spec"].contains("preemptionPolicy"));
}

TEST(ResourcesPods, ResourcesAndProbesValidation) {
  Json pod = MinimalPod();
  pod["spec"]["containers"][0]["resources"] =
      Json::parse(R"({"requests":{"cpu":"2"},"limits":{"cpu":"1"}})");
  pod["spec"]["containers"][0]["livenessProbe"] = Json::parse(R"({"periodSeconds":5})");
  pod["spec"]["containers"][0]["readinessProbe"] =
      Json::parse(R"({"exec":{"command":["true"]},"httpGet":{"port":80}})");
  EXPECT_EQ(Messages(Pods().strategy->Validate(Created(pod))),
            (std::vector<std::string>{
                "spec.containers[0].resources.requests: Invalid value: \"2\": must be less "
                "than or equal to cpu limit of 1",
                "spec.containers[0].livenessProbe: Required value: must specify a handler type",
                "spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than "
                "1 handler type"}));
}

TEST(ResourcesPods, QuantitiesAreCanonical) {
  for (auto [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"0.5", "500m"}, {"1000m", "1"}, {"1000", "1k"}, {"1500", "1500"}, {"1.5", "1500m"},
           {"1024Mi", "1Gi"}, {"1536Mi", "1536Mi"}, {"1.5Gi", "1536Mi"}, {"0.5Ki", "512"},
           {"1Ki", "1Ki"}, {"100Mi", "100Mi"}, {"1e3", "1e3"}, {"1.5e3", "1500"}, {"0", "0"},
           {"0.0001", "100u"}, {"1n", "1n"}, {"0.1n", "1n"}, {"+2", "2"}, {"2000M", "2G"},
           {"12E", "12E"}, {"129e6", "129e6"}, {"-1", "-1"}, {"-0.5", "-500m"}}) {
    EXPECT_EQ(res::CanonicalQuantity(in).value_or("<none>"), out) << in;
  }
  EXPECT_EQ(res::CanonicalQuantity("0.0001", true), "1m");  // resource lists round up to milli
  for (const char* bad : {"", "abc", "1.2.3", "1Xi", "--1", "1e", ".", "1e99999"})
    EXPECT_FALSE(res::CanonicalQuantity(bad).has_value()) << bad;
  // Numbers become strings; resource lists in containers are stored canonical.
  Json pod = MinimalPod();
  pod["spec"]["containers"][0]["resources"] =
      Json::parse(R"({"limits":{"cpu":1,"memory":"1024Mi"},"requests":{"cpu":0.25,"memory":"0.0001"}})");
  pod = Created(pod);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"],
            Json::parse(R"({"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"250m","memory":"1m"}})"));
}

TEST(ResourcesPods, ContainerValidationInUpstreamOrder) {
  Json pod = MinimalPod();
  Json& c = pod["spec"]["containers"][0];
  c["name"] = "Web_1";
  c.erase("image");
  c["terminationMessagePolicy"] = "Sometimes";
  c["ports"] = Json::parse(R"([{"containerPort":70000,"protocol":"ICMP"},{"name":"http","containerPort":80},
      {"name":"http","containerPort":81}])");
  c["env"] = Json::parse(R"([{"name":"A=B"},{"name":"X","valueFrom":{}}])");
  c["volumeMounts"] = Json::parse(R"([{"name":"missing","mountPath":"/a"},{"name":"missing","mountPath":"/a"}])");
  c["imagePullPolicy"] = "Sometimes";
  c["restartPolicy"] = "Always";
  pod = Created(pod);
  EXPECT_EQ(Messages(Pods().strategy->Validate(pod)),
            (std::vector<std::string>{
                "spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label "
                "must consist of lower case alphanumeric characters or '-', and must start and end "
                "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.containers[0].image: Required value",
                "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Sometimes\": "
                "supported values: \"File\", \"FallbackToLogsOnError\"",
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 "
                "and 65535, inclusive",
                "spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported "
                "values: \"SCTP\", \"TCP\", \"UDP\"",
                "spec.containers[0].ports[2].name: Duplicate value: \"http\"",
                "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment "
                "variable name must consist only of printable ASCII characters other than '='",
                "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: "
                "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"",
                "spec.containers[0].volumeMounts[1].name: Not found: \"missing\"",
                "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/a\": must be unique",
                "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported "
                "values: \"Always\", \"IfNotPresent\", \"Never\"",
                "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init "
                "containers"}));
}

TEST(ResourcesPods, InitContainersVolumesAndHostPorts) {
  Json pod = MinimalPod();
  pod["spec"]["containers"][0]["ports"] = Json::parse(R"([{"containerPort":80,"hostPort":8080}])");
  pod["spec"]["containers"].push_back(Json::parse(
      R"({"name":"c","image":"nginx","ports":[{"containerPort":81,"hostPort":8080}]})"));
  pod["spec"]["initContainers"] = Json::parse(R"([{"name":"c","image":"busybox",
      "readinessProbe":{"exec":{"command":["true"]}}},
      {"name":"side","image":"busybox","restartPolicy":"OnFailure"}])");
  pod["spec"]["volumes"] = Json::parse(R"([{"name":"v","emptyDir":{},"hostPath":{"path":"/x"}},
      {"name":"h","hostPath":{"path":"/a/../b","type":"Dir"}},{"name":"s","secret":{"defaultMode":512}},
      {"name":"h","configMap":{"name":"x"}}])");
  // volumes[3] repeats the name of volumes[1], which has errors: upstream only remembers valid
  // volumes, so no Duplicate is reported.
  pod = Created(pod);
  EXPECT_EQ(Messages(Pods().strategy->Validate(pod)),
            (std::vector<std::string>{
                "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
                "spec.volumes[1].hostPath.path: Invalid value: \"/a/../b\": must not contain '..'",
                "spec.volumes[1].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", "
                "\"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", "
                "\"FileOrCreate\", \"Socket\"",
                "spec.volumes[2].secret.secretName: Required value",
                "spec.volumes[2].secret.defaultMode: Invalid value: 512: must be a number between 0 "
                "and 0777 (octal), both inclusive",
                "spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\"",
                "spec.initContainers[0].name: Duplicate value: \"c\"",
                "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init "
                "containers without restartPolicy=Always",
                "spec.initContainers[1].restartPolicy: Unsupported value: \"OnFailure\": supported "
                "values: \"Always\""}));
  // A sidecar (restartPolicy Always) may have probes; liveness needs successThreshold 1.
  Json sidecar = MinimalPod();
  sidecar["spec"]["initContainers"] = Json::parse(R"([{"name":"side","image":"busybox",
      "restartPolicy":"Always","livenessProbe":{"tcpSocket":{"port":"web"},"successThreshold":2}}])");
  EXPECT_EQ(Messages(Pods().strategy->Validate(Created(sidecar))),
            std::vector<std::string>{"spec.initContainers[0].livenessProbe.successThreshold: "
                                     "Invalid value: 2: must be 1"});
}

TEST(ResourcesPods, PodSpecFieldMessages) {
  Json pod = MinimalPod();
  pod["spec"]["dnsPolicy"] = "None";
  pod["spec"]["tolerations"] = Json::parse(R"([{"operator":"Equal","value":"x"},
      {"key":"k","operator":"Exists","value":"v","tolerationSeconds":5,"effect":"NoSchedule"}])");
  pod["spec"]["topologySpreadConstraints"] = Json::parse(R"([{"maxSkew":0,"whenUnsatisfiable":"Maybe"}])");
  pod["spec"]["os"] = Json::parse(R"({"name":"plan9"})");
  pod["spec"]["containers"][0]["resources"] = Json::parse(R"({"limits":{"gpu":"1","example.com/dev":"1"},
      "requests":{"example.com/dev":"2"}})");
  Json created = Created(pod);
  created["spec"].erase("terminationGracePeriodSeconds");
  EXPECT_EQ(
      Messages(Pods().strategy->Validate(created)),
      (std::vector<std::string>{
          "spec.terminationGracePeriodSeconds: Required value",
          "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a "
          "standard resource type or fully qualified",
          "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a "
          "standard resource for containers",
          "spec.containers[0].resources.requests: Invalid value: \"2\": must be equal to "
          "example.com/dev limit of 1",
          // SetDefaults_Pod copied the limits into the requests.
          "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a "
          "standard resource type or fully qualified",
          "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a "
          "standard resource for containers",
          "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None",
          "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
          "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty",
          "spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: \"Maybe\": "
          "supported values: \"DoNotSchedule\", \"ScheduleAnyway\"",
          "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists "
          "when `key` is empty, which means \"match all values and all keys\"",
          "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be "
          "'NoExecute' when `tolerationSeconds` is set",
          "spec.tolerations[1].operator: Invalid value: core.Toleration{Key:\"k\", "
          "Operator:\"Exists\", Value:\"v\", Effect:\"NoSchedule\", "
          "TolerationSeconds:(*int64)(0xc000000000)}: value must be empty when "
          "`operator` is 'Exists'",
          "spec.os: Unsupported value: \"plan9\": supported values: \"linux\", \"windows\""}));
}

TEST(ResourcesPods, ImagePullPolicyFollowsTheTag) {
  for (auto [image, policy] : std::vector<std::pair<std::string, std::string>>{
           {"nginx", "Always"},
           {"nginx:latest", "Always"},
           {"nginx:1.27", "IfNotPresent"},
           {"localhost:5000/app", "Always"},
           {"localhost:5000/app:v1", "IfNotPresent"},
           {"nginx@sha256:abcd", "IfNotPresent"},
           {"nginx:latest@sha256:" + std::string(64, 'a'), "Always"},
           {"nginx@sha256:" + std::string(64, 'a'), "IfNotPresent"},
           {"registry.example.com:5000/team/app", "Always"},
           {"Registry.Example.com/app:latest", "Always"},
           // References that do not parse: upstream ignores the error, the tag is "".
           {"nginx:latest@sha256:abcd", "IfNotPresent"},
           {"Nginx", "IfNotPresent"},
           {"nginx:la test", "IfNotPresent"},
           {"", "IfNotPresent"}}) {
    Json pod = MinimalPod();
    pod["spec"]["containers"][0]["image"] = image;
    EXPECT_EQ(Created(pod)["spec"]["containers"][0]["imagePullPolicy"], policy) << image;
  }
  Json pod = MinimalPod();
  pod["spec"]["containers"][0]["imagePullPolicy"] = "Never";
  EXPECT_EQ(Created(pod)["spec"]["containers"][0]["imagePullPolicy"], "Never");
}

TEST(ResourcesPods, NestedDefaults) {
  Json pod = MinimalPod();
  pod["spec"]["containers"][0]["ports"] = Json::parse(R"([{"containerPort":80}])");
  pod["spec"]["containers"][0]["livenessProbe"] = Json::parse(R"({"httpGet":{"port":80}})");
  pod["spec"]["containers"][0]["env"] =
      Json::parse(R"([{"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}])");
  pod["spec"]["volumes"] = Json::parse(R"([{"name":"a"},{"name":"b","configMap":{"name":"c"}}])");
  pod = Created(pod);
  const Json& c = pod["spec"]["containers"][0];
  EXPECT_EQ(c["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(c["livenessProbe"]["timeoutSeconds"], 1);
  EXPECT_EQ(c["livenessProbe"]["periodSeconds"], 10);
  EXPECT_EQ(c["livenessProbe"]["successThreshold"], 1);
  EXPECT_EQ(c["livenessProbe"]["failureThreshold"], 3);
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["scheme"], "HTTP");
  EXPECT_EQ(c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
  EXPECT_EQ(pod["spec"]["volumes"][0]["emptyDir"], Json::object());
  EXPECT_EQ(pod["spec"]["volumes"][1]["configMap"]["defaultMode"], 420);
}

TEST(ResourcesPods, HostNetworkPortsAndQos) {
  Json pod = MinimalPod();
  pod["spec"]["hostNetwork"] = true;
  pod["spec"]["containers"][0]["ports"] = Json::parse(R"([{"containerPort":8080}])");
  pod["spec"]["containers"][0]["resources"] =
      Json::parse(R"({"limits":{"cpu":"500m","memory":"128Mi"}})");
  pod = Created(pod);
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["hostPort"], 8080);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["cpu"], "500m");
  EXPECT_EQ(pod["status"]["qosClass"], "Guaranteed");

  Json burst = MinimalPod();
  burst["spec"]["containers"][0]["resources"] = Json::parse(R"({"requests":{"cpu":"100m"}})");
  EXPECT_EQ(Created(burst)["status"]["qosClass"], "Burstable");
  Json equal_units = MinimalPod();
  equal_units["spec"]["containers"][0]["resources"] = Json::parse(
      R"({"requests":{"cpu":"0.5","memory":"1Gi"},"limits":{"cpu":"500m","memory":"1024Mi"}})");
  EXPECT_EQ(Created(equal_units)["status"]["qosClass"], "Guaranteed");
}

TEST(ResourcesPods, CreateResetsStatusAndGatesScheduling) {
  Json pod = MinimalPod();
  pod["status"] = Json::parse(R"({"phase":"Running","podIP":"1.2.3.4"})");
  pod["spec"]["schedulingGates"] = Json::parse(R"([{"name":"wait"}])");
  pod = Created(pod);
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_FALSE(pod["status"].contains("podIP"));
  EXPECT_EQ(pod["status"]["conditions"][0]["reason"], "SchedulingGated");
}

TEST(ResourcesPods, ValidationMessages) {
  Json pod = MinimalPod();
  pod["spec"]["containers"] = Json::parse(R"([
    {"name":"a"},
    {"name":"a","image":"x","ports":[{"containerPort":0},{"containerPort":70000,"protocol":"tcp"}]},
    {"name":"Bad_Name","image":"x","volumeMounts":[{"name":"nope","mountPath":"/x"}]}])");
  pod["spec"]["restartPolicy"] = "Sometimes";
  pod = Created(pod);
  auto msgs = Messages(Pods().strategy->Validate(pod));
  auto has = [&](const std::string& m) {
    return std::find(msgs.begin(), msgs.end(), m) != msgs.end();
  };
  EXPECT_TRUE(has("spec.containers[0].image: Required value"));
  EXPECT_TRUE(has("spec.containers[1].name: Duplicate value: \"a\""));
  EXPECT_TRUE(has("spec.containers[1].ports[0].containerPort: Required value"));
  EXPECT_TRUE(has("spec.containers[1].ports[1].containerPort: Invalid value: 70000: must be "
                  "between 1 and 65535, inclusive"));
  EXPECT_TRUE(has("spec.containers[1].ports[1].protocol: Unsupported value: \"tcp\": supported "
                  "values: \"SCTP\", \"TCP\", \"UDP\""));
  EXPECT_TRUE(has("spec.containers[2].volumeMounts[0].name: Not found: \"nope\""));
  EXPECT_TRUE(has("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
                  "\"Always\", \"OnFailure\", \"Never\""));
  bool bad_name = false;
  for (const auto& m : msgs)
    if (m.rfind("spec.containers[2].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label", 0) == 0)
      bad_name = true;
  EXPECT_TRUE(bad_name);

  Json empty = MinimalPod();
  empty["spec"]["containers"] = Json::array();
  EXPECT_EQ(Messages(Pods().strategy->Validate(Created(empty))),
            std::vector<std::string>{"spec.containers: Required value"});
}

TEST(ResourcesPods, UpdateRulesInDetail) {
  Json old = Created(MinimalPod());
  old["spec"]["activeDeadlineSeconds"] = 60;
  auto errors = [&](const Json& next) { return Messages(Pods().strategy->ValidateUpdate(next, old)); };
  Json longer = old;
  longer["spec"]["activeDeadlineSeconds"] = 90;
  EXPECT_EQ(errors(longer), std::vector<std::string>{"spec.activeDeadlineSeconds: Invalid value: 90: "
                                                     "must be less than or equal to previous value"});
  Json unset = old;
  unset["spec"].erase("activeDeadlineSeconds");
  EXPECT_EQ(errors(unset), std::vector<std::string>{"spec.activeDeadlineSeconds: Invalid value: null: "
                                                    "must not update from a positive integer to nil value"});
  Json added = old;
  added["spec"]["containers"].push_back(Json::parse(R"({"name":"b","image":"busybox",
      "imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log",
      "terminationMessagePolicy":"File","resources":{}})"));
  EXPECT_EQ(errors(added), std::vector<std::string>{"spec.containers: Forbidden: pod updates may not "
                                                    "add or remove containers"});
  Json spaced = old;
  spaced["spec"]["containers"][0]["image"] = " nginx";
  EXPECT_EQ(errors(spaced), std::vector<std::string>{"spec.containers[0].image: Invalid value: \" nginx\": "
                                                     "must not have leading or trailing whitespace"});
  Json dropped = old;
  dropped["spec"]["tolerations"].erase(0);
  EXPECT_EQ(errors(dropped), std::vector<std::string>{"spec.tolerations: Forbidden: existing toleration "
                                                      "can not be modified except its tolerationSeconds"});
  Json seconds = old;
  seconds["spec"]["tolerations"][0]["tolerationSeconds"] = 30;  // may change
  EXPECT_TRUE(errors(seconds).empty());
  Json gated = Created([] {
    Json p = MinimalPod();
    p["spec"]["schedulingGates"] = Json::parse(R"([{"name":"a"}])");
    return p;
  }());
  Json regated = gated;
  regated["spec"]["schedulingGates"] = Json::parse(R"([{"name":"b"}])");
  regated["spec"]["nodeSelector"] = {{"zone", "x"}};  // additions allowed while gated
  EXPECT_EQ(Messages(Pods().strategy->ValidateUpdate(regated, gated)),
            std::vector<std::string>{"spec.schedulingGates[0].name: Forbidden: only deletion is "
                                     "allowed, but found new scheduling gate 'b'"});
  // ValidatePodCreate.
  Json ephemeral = MinimalPod();
  ephemeral["spec"]["ephemeralContainers"] = Json::parse(R"([{"name":"dbg","image":"busybox"}])");
  ephemeral["spec"]["nodeName"] = "n1";
  ephemeral["spec"]["schedulingGates"] = Json::parse(R"([{"name":"a"}])");
  EXPECT_EQ(Messages(Pods().strategy->Validate(Created(ephemeral))),
            (std::vector<std::string>{
                "spec.ephemeralContainers: Forbidden: cannot be set on create",
                "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"}));
}

TEST(ResourcesPods, UpdateMayOnlyChangeImagesAndFriends) {
  Json old = Created(MinimalPod());
  Json next = old;
  next["spec"]["containers"][0]["image"] = "nginx:1.27";
  next["spec"]["activeDeadlineSeconds"] = 60;
  next["spec"]["tolerations"].push_back(Json::parse(R"({"key":"k","operator":"Exists"})"));
  Pods().strategy->PrepareForUpdate(next, old);
  Pods().strategy->Default(next);
  EXPECT_TRUE(Pods().strategy->ValidateUpdate(next, old).empty());

  Json moved = old;
  moved["spec"]["nodeName"] = "other";
  Pods().strategy->PrepareForUpdate(moved, old);
  auto causes = Pods().strategy->ValidateUpdate(moved, old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec");
  EXPECT_EQ(causes[0].reason, "FieldValueForbidden");
  EXPECT_EQ(causes[0].message.rfind(
                "Forbidden: pod updates may not change fields other than "
                "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
                "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
                "was previously negative)",
                0),
            0u);
}

TEST(ResourcesPods, UpdateKeepsStatusAndStatusUpdateKeepsSpec) {
  Json old = Created(MinimalPod());
  old["status"]["phase"] = "Running";
  Json next = old;
  next["status"]["phase"] = "Failed";
  Pods().strategy->PrepareForUpdate(next, old);
  EXPECT_EQ(next["status"]["phase"], "Running");

  Json st = old;
  st["status"]["phase"] = "Succeeded";
  st["spec"]["containers"][0]["image"] = "evil";
  st["metadata"]["labels"] = {{"a", "b"}};
  st["metadata"]["ownerReferences"] = Json::array({{{"name", "x"}}});
  Pods().strategy->PrepareForStatusUpdate(st, old);
  EXPECT_EQ(st["status"]["phase"], "Succeeded");
  EXPECT_EQ(st["spec"]["containers"][0]["image"], "nginx");
  EXPECT_EQ(st["metadata"]["labels"]["a"], "b");  // pods' labels may change via /status
  EXPECT_FALSE(st["metadata"].contains("ownerReferences"));
}

// ---- table -----------------------------------------------------------------------------

SystemTime Now() {
  SystemTime t{};
  ParseRfc3339("2026-01-01T01:00:00Z", &t);
  return t;
}

std::vector<Json> Cells(const std::string& pod_json) {
  Json pod = MinimalPod();
  Json extra = Json::parse(pod_json);
  pod.merge_patch(extra);
  return Pods().cells(pod, Now());
}

TEST(ResourcesPods, TableColumns) {
  std::vector<std::string> names;
  for (const auto& c : Pods().columns) names.push_back(c.name + "/" + std::to_string(c.priority));
  EXPECT_EQ(names, (std::vector<std::string>{"Ready/0", "Status/0", "Restarts/0", "Age/0", "IP/1",
                                             "Node/1", "Nominated Node/1", "Readiness Gates/1"}));
}

TEST(ResourcesPods, TablePendingAndRunning) {
  auto pending = Cells(R"({"status":{"phase":"Pending"}})");
  EXPECT_EQ(pending, (std::vector<Json>{"0/1", "Pending", "0", "60m", "<none>", "<none>",
                                        "<none>", "<none>"}));
  auto running = Cells(R"({"spec":{"nodeName":"minik"},"status":{"phase":"Running",
      "podIPs":[{"ip":"10.244.0.7"}],
      "conditions":[{"type":"Ready","status":"True"}],
      "containerStatuses":[{"name":"nginx","ready":true,"restartCount":2,
        "state":{"running":{"startedAt":"2026-01-01T00:50:00Z"}},
        "lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-01-01T00:55:00Z"}}}]}})");
  EXPECT_EQ(running, (std::vector<Json>{"1/1", "Running", "2 (5m ago)", "60m", "10.244.0.7",
                                        "minik", "<none>", "<none>"}));
}

TEST(ResourcesPods, TableWaitingAndTerminated) {
  EXPECT_EQ(Cells(R"({"status":{"phase":"Running","containerStatuses":[{"name":"nginx",
      "restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})")[1],
            "CrashLoopBackOff");
  EXPECT_EQ(Cells(R"({"status":{"phase":"Pending","containerStatuses":[{"name":"nginx",
      "state":{"waiting":{"reason":"ErrImagePull"}}}]}})")[1],
            "ErrImagePull");
  EXPECT_EQ(Cells(R"({"status":{"phase":"Succeeded","containerStatuses":[{"name":"nginx",
      "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})")[1],
            "Completed");
  EXPECT_EQ(Cells(R"({"status":{"phase":"Failed","containerStatuses":[{"name":"nginx",
      "state":{"terminated":{"exitCode":137}}}]}})")[1],
            "ExitCode:137");
  EXPECT_EQ(Cells(R"({"status":{"phase":"Failed","containerStatuses":[{"name":"nginx",
      "state":{"terminated":{"exitCode":0,"signal":9}}}]}})")[1],
            "Signal:9");
  EXPECT_EQ(Cells(R"({"status":{"phase":"Failed","reason":"Evicted"}})")[1], "Evicted");
  EXPECT_EQ(Cells(R"({"status":{"phase":"Pending","conditions":[{"type":"PodScheduled",
      "status":"False","reason":"SchedulingGated"}]}})")[1],
            "SchedulingGated");
}

TEST(ResourcesPods, TableInitContainers) {
  const char* spec = R"("initContainers":[{"name":"i1","image":"x"},{"name":"i2","image":"x"}])";
  EXPECT_EQ(Cells(std::string(R"({"spec":{)") + spec + R"(},"status":{"phase":"Pending",
      "initContainerStatuses":[
        {"name":"i1","state":{"terminated":{"exitCode":0}}},
        {"name":"i2","state":{"running":{}}}]}})")[1],
            "Init:1/2");
  EXPECT_EQ(Cells(std::string(R"({"spec":{)") + spec + R"(},"status":{"phase":"Pending",
      "initContainerStatuses":[{"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}}]}})")[1],
            "Init:0/2");
  EXPECT_EQ(Cells(std::string(R"({"spec":{)") + spec + R"(},"status":{"phase":"Pending",
      "initContainerStatuses":[{"name":"i1","restartCount":3,
        "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})")[1],
            "Init:CrashLoopBackOff");
  EXPECT_EQ(Cells(std::string(R"({"spec":{)") + spec + R"(},"status":{"phase":"Failed",
      "initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":2}}}]}})")[1],
            "Init:ExitCode:2");
  // A sidecar (restartable init container) counts in Ready and does not block.
  auto sidecar = Cells(R"({"spec":{"initContainers":[{"name":"s","image":"x","restartPolicy":"Always"}]},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
      "initContainerStatuses":[{"name":"s","started":true,"ready":true,"state":{"running":{}}}],
      "containerStatuses":[{"name":"nginx","ready":true,"state":{"running":{}}}]}})");
  EXPECT_EQ(sidecar[0], "2/2");
  EXPECT_EQ(sidecar[1], "Running");
}

TEST(ResourcesPods, TableTerminatingAndGates) {
  EXPECT_EQ(Cells(R"({"metadata":{"deletionTimestamp":"2026-01-01T00:59:00Z"},
      "status":{"phase":"Running"}})")[1],
            "Terminating");
  EXPECT_EQ(Cells(R"({"metadata":{"deletionTimestamp":"2026-01-01T00:59:00Z"},
      "status":{"phase":"Succeeded"}})")[1],
            "Succeeded");
  EXPECT_EQ(Cells(R"({"metadata":{"deletionTimestamp":"2026-01-01T00:59:00Z"},
      "status":{"phase":"Running","reason":"NodeLost"}})")[1],
            "Unknown");
  auto gates = Cells(R"({"spec":{"readinessGates":[{"conditionType":"a"},{"conditionType":"b"}]},
      "status":{"phase":"Running","nominatedNodeName":"n2",
      "conditions":[{"type":"a","status":"True"},{"type":"b","status":"False"}]}})");
  EXPECT_EQ(gates[6], "n2");
  EXPECT_EQ(gates[7], "1/2");
  // Completed containers next to a running one: Running when Ready, else NotReady.
  EXPECT_EQ(Cells(R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"x"}]},
      "status":{"phase":"Running","containerStatuses":[
        {"name":"a","ready":true,"state":{"running":{}}},
        {"name":"b","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})")[1],
            "NotReady");
}

}  // namespace
}  // namespace minik
