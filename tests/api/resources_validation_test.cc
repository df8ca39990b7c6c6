// Validation of the networking, policy, scheduling, storage, coordination and RBAC kinds, pod
// spec extras, HPA behavior, and the status subresource rules (Strategy::ValidateStatusUpdate),
// worded as upstream's field.Error strings ("<path>: <body>").
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "api/resource.h"

namespace minik {
namespace {

const ResourceInfo& Info(const std::string& group, const std::string& plural,
                         const std::string& version = "v1") {
  static ResourceRegistry* reg = [] {
    auto* r = new ResourceRegistry();
    RegisterBuiltinResources(*r);
    return r;
  }();
  const ResourceInfo* info = reg->Find({group, version, plural});
  if (!info) std::abort();
  return *info;
}

Json Created(const ResourceInfo& info, const std::string& text) {
  Json obj = Json::parse(text);
  obj["apiVersion"] = info.ApiVersion();
  obj["kind"] = info.kind;
  info.strategy->PrepareForCreate(obj);
  info.strategy->Default(obj);
  return obj;
}

std::vector<std::string> Render(const std::vector<StatusCause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) out.push_back(c.field + ": " + c.message);
  return out;
}

std::vector<std::string> Errors(const ResourceInfo& info, const Json& obj) {
  return Render(info.strategy->Validate(obj));
}

// The causes of a status write of `changed` over `old` (after the status strategy's reset).
std::vector<std::string> StatusErrors(const ResourceInfo& info, Json changed, const Json& old) {
  info.strategy->PrepareForStatusUpdate(changed, old);
  return Render(info.strategy->ValidateStatusUpdate(changed, old));
}

using Strings = std::vector<std::string>;

// ---- networking.k8s.io -----------------------------------------------------------------

TEST(ResourcesValidation, NetworkPolicyPortsPeersAndTypes) {
  const ResourceInfo& nps = Info("networking.k8s.io", "networkpolicies");
  const char* valid = R"({"metadata":{"name":"np","namespace":"d"},"spec":{"podSelector":{},
      "ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/16","except":["10.0.1.0/24"]}},
                          {"podSelector":{"matchLabels":{"a":"b"}},"namespaceSelector":{}}],
                  "ports":[{"port":80,"endPort":90},{"port":"http","protocol":"UDP"}]}],
      "egress":[{"to":[{"ipBlock":{"cidr":"2001:db8::/64"}}],"ports":[{"protocol":"SCTP"}]}]}})";
  Json np = Created(nps, valid);
  EXPECT_EQ(np["spec"]["policyTypes"], Json::parse(R"(["Ingress","Egress"])"));
  EXPECT_TRUE(Errors(nps, np).empty()) << ::testing::PrintToString(Errors(nps, np));

  Json ports = np;
  ports["spec"]["ingress"][0]["ports"] = Json::parse(R"([
      {"port":80,"endPort":70},{"port":"http","endPort":90},{"endPort":5},{"port":0},
      {"port":"Bad_Name"},{"port":1,"protocol":"ICMP"},{"port":10,"endPort":70000}])");
  EXPECT_EQ(
      Errors(nps, ports),
      (Strings{
          "spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to "
          "`port`",
          "spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` "
          "is non-numeric",
          "spec.ingress[0].ports[2].endPort: Invalid value: 5: may not be specified when `port` is "
          "not specified",
          "spec.ingress[0].ports[3].port: Invalid value: 0: must be between 1 and 65535, inclusive",
          "spec.ingress[0].ports[4].port: Invalid value: \"Bad_Name\": must contain only "
          "alpha-numeric characters (a-z, 0-9), and hyphens (-)",
          "spec.ingress[0].ports[5].protocol: Unsupported value: \"ICMP\": supported values: "
          "\"TCP\", \"UDP\", \"SCTP\"",
          "spec.ingress[0].ports[6].endPort: Invalid value: 70000: must be between 1 and 65535, "
          "inclusive"}));

  Json peers = np;
  peers["spec"]["ingress"][0]["from"] = Json::parse(R"([{},
      {"ipBlock":{"cidr":"10.0.0.0/8"},"podSelector":{}},
      {"ipBlock":{}},
      {"ipBlock":{"cidr":"10.0.0.300/8"}},
      {"ipBlock":{"cidr":"10.0.0.0/16","except":["10.1.0.0/24","10.0.0.0/16","bad","fd00::/64"]}},
      {"namespaceSelector":{"matchLabels":{"a":"-x"}}}])");
  EXPECT_EQ(
      Errors(nps, peers),
      (Strings{"spec.ingress[0].from[0]: Required value: must specify a peer",
               "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer",
               "spec.ingress[0].from[2].ipBlock.cidr: Required value",
               "spec.ingress[0].from[3].ipBlock.cidr: Invalid value: \"10.0.0.300/8\": must be a "
               "valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
               "spec.ingress[0].from[4].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be "
               "a strict subset of `cidr`",
               "spec.ingress[0].from[4].ipBlock.except[1]: Invalid value: \"10.0.0.0/16\": must be "
               "a strict subset of `cidr`",
               "spec.ingress[0].from[4].ipBlock.except[2]: Invalid value: \"bad\": must be a valid "
               "CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
               "spec.ingress[0].from[4].ipBlock.except[3]: Invalid value: \"fd00::/64\": must be a "
               "strict subset of `cidr`",
               "spec.ingress[0].from[5].namespaceSelector.matchLabels: Invalid value: \"-x\": a "
               "valid label must be an empty string or consist of alphanumeric characters, '-', "
               "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', "
               " or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"}));

  Json types = np;
  types["spec"]["policyTypes"] = Json::parse(R"(["Ingress","Sideways"])");
  EXPECT_EQ(Errors(nps, types), (Strings{"spec.policyTypes[1]: Unsupported value: \"Sideways\": "
                                         "supported values: \"Ingress\", \"Egress\""}));
  types["spec"]["policyTypes"] = Json::parse(R"(["Ingress","Egress","Ingress"])");
  EXPECT_EQ(Errors(nps, types),
            (Strings{"spec.policyTypes: Invalid value: []networking.PolicyType{\"Ingress\", "
                     "\"Egress\", \"Ingress\"}: may not specify more than two policyTypes"}));
}

TEST(ResourcesValidation, IngressRulesPathsBackendsAndTls) {
  const ResourceInfo& ings = Info("networking.k8s.io", "ingresses");
  Json ing = Created(ings, R"({"metadata":{"name":"i","namespace":"d"},"spec":{
      "ingressClassName":"nginx",
      "tls":[{"hosts":["*.example.com","a.example.com"],"secretName":"tls"}],
      "rules":[{"host":"*.example.com","http":{"paths":[
        {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
        {"path":"/api","pathType":"Exact","backend":{"service":{"name":"web","port":{"name":"http"}}}},
        {"pathType":"ImplementationSpecific","backend":{"resource":{"apiGroup":"k8s.example.com","kind":"Bucket","name":"b"}}}]}}]}})");
  EXPECT_TRUE(Errors(ings, ing).empty()) << ::testing::PrintToString(Errors(ings, ing));

  Json empty = Created(ings, R"({"metadata":{"name":"i","namespace":"d"},"spec":{}})");
  EXPECT_EQ(Errors(ings, empty), (Strings{"spec: Invalid value: []networking.IngressRule(nil): "
                                          "either `defaultBackend` or `rules` must be specified"}));

  Json paths = ing;
  paths["spec"]["rules"][0]["http"]["paths"] = Json::parse(R"([
      {"path":"/a","backend":{"service":{"name":"web","port":{"number":80}}}},
      {"path":"a//b/..","pathType":"Exact","backend":{"service":{"name":"web","port":{"number":80}}}},
      {"path":"x","pathType":"ImplementationSpecific","backend":{"service":{"name":"web","port":{"number":80}}}},
      {"path":"/","pathType":"Regex","backend":{"service":{"name":"web","port":{"number":80}}}}])");
  EXPECT_EQ(
      Errors(ings, paths),
      (Strings{
          "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
          "spec.rules[0].http.paths[1].path: Invalid value: \"a//b/..\": must be an absolute path",
          "spec.rules[0].http.paths[1].path: Invalid value: \"a//b/..\": must not contain '//'",
          "spec.rules[0].http.paths[1].path: Invalid value: \"a//b/..\": cannot end with '/..'",
          "spec.rules[0].http.paths[2].path: Invalid value: \"x\": must be an absolute path",
          "spec.rules[0].http.paths[3].pathType: Unsupported value: \"Regex\": supported values: "
          "\"Exact\", \"ImplementationSpecific\", \"Prefix\""}));

  Json backends = ing;
  backends["spec"]["rules"][0]["http"]["paths"] = Json::parse(R"([
      {"path":"/","pathType":"Prefix","backend":{}},
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"Web","port":{}}}},
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"name":"http","number":80}}}},
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":70000}}}},
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web"},"resource":{"kind":"K","name":"n"}}},
      {"path":"/","pathType":"Prefix","backend":{"resource":{"name":"a/b"}}}])");
  EXPECT_EQ(
      Errors(ings, backends),
      (Strings{
          "spec.rules[0].http.paths[0].backend: Invalid value: \"\": resource or service backend "
          "is required",
          "spec.rules[0].http.paths[1].backend.service.name: Invalid value: \"Web\": a DNS-1035 "
          "label must consist of lower case alphanumeric characters or '-', start with an "
          "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
          "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
          "spec.rules[0].http.paths[1].backend: Required value: port name or number is required",
          "spec.rules[0].http.paths[2].backend: Invalid value: \"\": cannot set both port name & "
          "port number",
          "spec.rules[0].http.paths[3].backend.service.port.number: Invalid value: 70000: must be "
          "between 1 and 65535, inclusive",
          "spec.rules[0].http.paths[4].backend: Invalid value: \"\": cannot set both resource and "
          "service backends",
          "spec.rules[0].http.paths[5].backend.resource.kind: Required value",
          "spec.rules[0].http.paths[5].backend.resource.name: Invalid value: \"a/b\": may not "
          "contain '/'"}));

  Json hosts = ing;
  hosts["spec"]["rules"][0]["host"] = "foo*.example.com";
  hosts["spec"]["rules"].push_back(Json::parse(R"({"host":"10.0.0.1"})"));
  hosts["spec"]["tls"][0]["hosts"][1] = "Bad.example.com";
  hosts["spec"]["tls"][0]["secretName"] = "Bad";
  auto host_errors = Errors(ings, hosts);
  ASSERT_EQ(host_errors.size(), 4u) << ::testing::PrintToString(host_errors);
  EXPECT_EQ(
      host_errors[0],
      "spec.rules[0].host: Invalid value: \"foo*.example.com\": a wildcard DNS-1123 subdomain must "
      "start with '*.', followed by a valid DNS subdomain, which must consist of lower case "
      "alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. "
      "'*.example.com', regex used for validation is "
      "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(
      host_errors[1],
      "spec.rules[1].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address");
  EXPECT_EQ(host_errors[2].substr(0, 62),
            "spec.tls[0].hosts[1]: Invalid value: \"Bad.example.com\": a lowe");
  EXPECT_EQ(host_errors[3].substr(0, 52), "spec.tls[0].secretName: Invalid value: \"Bad\": a lowe");

  // The legacy class annotation must agree with ingressClassName, on create only.
  Json annotated = ing;
  annotated["metadata"]["annotations"] = {{"kubernetes.io/ingress.class", "traefik"}};
  EXPECT_EQ(Errors(ings, annotated),
            (Strings{"annotations.kubernetes.io/ingress.class: Invalid value: \"traefik\": must "
                     "match `ingressClassName` when both are specified"}));
  EXPECT_TRUE(ings.strategy->ValidateUpdate(annotated, ing).empty());

  // Status: load-balancer IPs and hostnames; the spec is not validated on a status write.
  Json lb = empty;
  lb["status"] = Json::parse(R"({"loadBalancer":{"ingress":[{"ip":"10.0.0.1"},{"ip":"300.1.1.1"},
      {"hostname":"1.2.3.4"},{"hostname":"lb.example.com"}]}})");
  EXPECT_EQ(StatusErrors(ings, lb, empty),
            (Strings{"status.loadBalancer.ingress[1].ip: Invalid value: \"300.1.1.1\": must be a "
                     "valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                     "status.loadBalancer.ingress[2].hostname: Invalid value: \"1.2.3.4\": must be "
                     "a DNS name, not an IP address"}));
}

TEST(ResourcesValidation, IngressClassControllerAndParameters) {
  const ResourceInfo& ics = Info("networking.k8s.io", "ingressclasses");
  Json ic =
      Created(ics, R"({"metadata":{"name":"nginx"},"spec":{"controller":"k8s.io/ingress-nginx",
      "parameters":{"apiGroup":"k8s.example.com","kind":"Params","name":"p"}}})");
  EXPECT_EQ(ic["spec"]["parameters"]["scope"], "Cluster");
  EXPECT_TRUE(Errors(ics, ic).empty()) << ::testing::PrintToString(Errors(ics, ic));

  Json bad = ic;
  bad["spec"]["controller"] = "nginx";
  bad["spec"]["parameters"] = Json::parse(R"({"kind":"a/b","scope":"Namespace"})");
  EXPECT_EQ(
      Errors(ics, bad),
      (Strings{
          "spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as "
          "\"acme.io/foo\")",
          "spec.parameters.kind: Invalid value: \"a/b\": may not contain '/'",
          "spec.parameters.name: Required value",
          "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"}));
  bad["spec"]["controller"] = "Example.com/a b";
  bad["spec"]["parameters"] =
      Json::parse(R"({"kind":"K","name":"n","scope":"Cluster","namespace":"x"})");
  EXPECT_EQ(
      Errors(ics, bad),
      (Strings{"spec.controller: Invalid value: \"Example.com\": a lowercase RFC 1123 subdomain "
               "must consist of lower case alphanumeric characters, '-' or '.', and must start and "
               "end with an alphanumeric character (e.g. 'example.com', regex used for validation "
               "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
               "spec.controller: Invalid value: \"a b\": Invalid path (regex used for validation "
               "is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
               "spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"}));
  bad["spec"]["parameters"]["scope"] = "Global";
  EXPECT_EQ(Errors(ics, bad).back(),
            "spec.parameters.scope: Unsupported value: \"Global\": supported values: \"Cluster\", "
            "\"Namespace\"");
  Json moved = ic;
  moved["spec"]["controller"] = "k8s.io/other";
  EXPECT_EQ(Render(ics.strategy->ValidateUpdate(moved, ic)),
            (Strings{"spec.controller: Invalid value: \"k8s.io/other\": field is immutable"}));
}

// ---- status subresources ---------------------------------------------------------------

const char* kWorkload = R"({"metadata":{"name":"web","namespace":"d"},
    "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
                  "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})";

TEST(ResourcesValidation, StatusWritesCheckStatusNotSpec) {
  const ResourceInfo& deploys = Info("apps", "deployments");
  Json d = Created(deploys, kWorkload);
  d["status"] =
      Json::parse(R"({"replicas":3,"readyReplicas":2,"availableReplicas":2,"collisionCount":2})");
  // A stored object the current spec rules would refuse still takes status writes (upstream
  // validates only the status there).
  Json stored = d;
  stored["spec"]["replicas"] = -1;
  Json ok = stored;
  ok["status"]["updatedReplicas"] = 3;
  EXPECT_TRUE(StatusErrors(deploys, ok, stored).empty());
  EXPECT_FALSE(deploys.strategy->ValidateUpdate(stored, stored).empty());

  Json bad = d;
  bad["status"] = Json::parse(R"({"replicas":2,"updatedReplicas":3,"readyReplicas":-1,
                                  "availableReplicas":1,"collisionCount":1,"observedGeneration":-2})");
  EXPECT_EQ(
      StatusErrors(deploys, bad, d),
      (Strings{"status.observedGeneration: Invalid value: -2: must be greater than or equal to 0",
               "status.readyReplicas: Invalid value: -1: must be greater than or equal to 0",
               "status.updatedReplicas: Invalid value: 3: cannot be greater than status.replicas",
               "status.availableReplicas: Invalid value: 1: cannot be greater than readyReplicas",
               "status.collisionCount: Invalid value: 1: cannot be decremented"}));
  Json unset = d;
  unset["status"].erase("collisionCount");
  EXPECT_EQ(StatusErrors(deploys, unset, d),
            (Strings{"status.collisionCount: Invalid value: 0: cannot be decremented"}));

  const char* rc_text = R"({"metadata":{"name":"web","namespace":"d"},"spec":{"replicas":1,
      "selector":{"app":"web"},"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})";
  for (auto [group, plural, text] : {std::tuple{"apps", "replicasets", kWorkload},
                                     std::tuple{"", "replicationcontrollers", rc_text}}) {
    const ResourceInfo& info = Info(group, plural);
    Json rs = Created(info, text);
    Json next = rs;
    next["status"] = Json::parse(
        R"({"replicas":1,"fullyLabeledReplicas":2,"readyReplicas":1,"availableReplicas":1})");
    EXPECT_EQ(StatusErrors(info, next, rs), (Strings{"status.fullyLabeledReplicas: Invalid value: "
                                                     "2: cannot be greater than status.replicas"}))
        << plural;
    // As upstream, a negative replicas also puts the zero counts above it.
    next["status"] = Json::parse(R"({"replicas":-1,"observedGeneration":1})");
    EXPECT_EQ(
        StatusErrors(info, next, rs),
        (Strings{
            "status.replicas: Invalid value: -1: must be greater than or equal to 0",
            "status.fullyLabeledReplicas: Invalid value: 0: cannot be greater than status.replicas",
            "status.readyReplicas: Invalid value: 0: cannot be greater than status.replicas",
            "status.availableReplicas: Invalid value: 0: cannot be greater than status.replicas"}))
        << plural;
  }

  const ResourceInfo& sets = Info("apps", "statefulsets");
  Json sts = Created(sets, kWorkload);
  Json sts_next = sts;
  sts_next["status"] = Json::parse(R"({"replicas":2,"readyReplicas":1,"currentReplicas":3,
                                       "updatedReplicas":2,"availableReplicas":2})");
  EXPECT_EQ(
      StatusErrors(sets, sts_next, sts),
      (Strings{"status.currentReplicas: Invalid value: 3: cannot be greater than status.replicas",
               "status.availableReplicas: Invalid value: 2: cannot be greater than "
               "status.readyReplicas"}));

  const ResourceInfo& daemons = Info("apps", "daemonsets");
  Json ds = Created(daemons, kWorkload);
  ds["status"]["collisionCount"] = 1;
  Json ds_next = ds;
  ds_next["status"]["numberUnavailable"] = -1;
  ds_next["status"]["collisionCount"] = 0;
  EXPECT_EQ(
      StatusErrors(daemons, ds_next, ds),
      (Strings{"status.numberUnavailable: Invalid value: -1: must be greater than or equal to 0",
               "status.collisionCount: Invalid value: 0: cannot be decremented"}));
}

TEST(ResourcesValidation, JobAndHpaStatus) {
  const ResourceInfo& jobs = Info("batch", "jobs");
  Json job = Created(jobs, R"({"metadata":{"name":"j","namespace":"d"},"spec":{"template":{
      "spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}})");
  Json next = job;
  next["status"] = Json::parse(R"({"active":1,"succeeded":2,"ready":1,
      "uncountedTerminatedPods":{"succeeded":["a","b"],"failed":["c"]}})");
  EXPECT_TRUE(StatusErrors(jobs, next, job).empty());
  next["status"] = Json::parse(R"({"failed":-1,"terminating":-2,
      "uncountedTerminatedPods":{"succeeded":["a",""],"failed":["a"]}})");
  EXPECT_EQ(
      StatusErrors(jobs, next, job),
      (Strings{
          "status.failed: Invalid value: -1: must be greater than or equal to 0",
          "status.terminating: Invalid value: -2: must be greater than or equal to 0",
          "status.uncountedTerminatedPods.succeeded[1]: Invalid value: \"\": must not be empty",
          "status.uncountedTerminatedPods.failed[0]: Duplicate value: \"a\""}));

  const ResourceInfo& hpas = Info("autoscaling", "horizontalpodautoscalers", "v2");
  Json hpa = Created(hpas, R"({"metadata":{"name":"h","namespace":"d"},"spec":{"maxReplicas":3,
      "scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}}})");
  Json hpa_next = hpa;
  hpa_next["status"] = Json::parse(R"({"currentReplicas":-1,"desiredReplicas":2})");
  EXPECT_EQ(
      StatusErrors(hpas, hpa_next, hpa),
      (Strings{"status.currentReplicas: Invalid value: -1: must be greater than or equal to 0"}));
}

TEST(ResourcesValidation, PodStatus) {
  const ResourceInfo& pods = Info("", "pods");
  Json pod =
      Created(pods, R"({"metadata":{"name":"p","namespace":"d"},"spec":{"restartPolicy":"Never",
      "initContainers":[{"name":"side","image":"busybox","restartPolicy":"Always"},
                        {"name":"init","image":"busybox"}],
      "containers":[{"name":"c","image":"nginx"}]}})");
  pod["status"] =
      Json::parse(R"({"phase":"Running","hostIP":"10.0.0.1","hostIPs":[{"ip":"10.0.0.1"}],
      "podIP":"10.1.0.5","podIPs":[{"ip":"10.1.0.5"},{"ip":"fd00::5"}],
      "conditions":[{"type":"Ready","status":"True"},{"type":"example.com/gate","status":"True"}],
      "initContainerStatuses":[{"name":"side","state":{"terminated":{"exitCode":0}}},
                               {"name":"init","state":{"terminated":{"exitCode":0}}}],
      "containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":1}}}]})");
  // The sidecar may restart; spec changes are ignored (the spec is kept from the stored pod).
  Json ok = pod;
  ok["status"]["initContainerStatuses"][0]["state"] = {{"running", Json::object()}};
  ok["spec"]["nodeName"] = "elsewhere";
  EXPECT_TRUE(StatusErrors(pods, ok, pod).empty())
      << ::testing::PrintToString(StatusErrors(pods, ok, pod));

  Json bad = pod;
  bad["status"]["conditions"][1]["type"] = "bad type";
  bad["status"]["nominatedNodeName"] = "Node_1";
  bad["status"]["initContainerStatuses"][1]["state"] = {{"running", Json::object()}};
  bad["status"]["containerStatuses"][0]["state"] = {{"waiting", Json::object()}};
  bad["status"]["podIPs"] = Json::parse(R"([{"ip":"10.1.0.5"},{"ip":"10.1.0.5"}])");
  bad["status"]["hostIPs"] = Json::parse(R"([{"ip":"10.0.0.2"},{"ip":"nope"}])");
  auto errors = StatusErrors(pods, bad, pod);
  ASSERT_EQ(errors.size(), 9u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].substr(0, 63),
            "metadata.conditions[1].Type: Invalid value: \"bad type\": name pa");
  EXPECT_EQ(errors[1].substr(0, 60),
            "status.nominatedNodeName: Invalid value: \"Node_1\": a lowerca");
  EXPECT_EQ(errors[2],
            "status.containerStatuses[0].state: Forbidden: may not be transitioned to "
            "non-terminated state");
  EXPECT_EQ(errors[3],
            "status.initContainerStatuses[1].state: Forbidden: may not be transitioned to "
            "non-terminated state");
  EXPECT_EQ(errors[4],
            "status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:\"10.1.0.5\"}, "
            "core.PodIP{IP:\"10.1.0.5\"}}: may specify no more than one IP for each IP family");
  EXPECT_EQ(errors[5], "status.podIPs[1]: Duplicate value: core.PodIP{IP:\"10.1.0.5\"}");
  EXPECT_EQ(errors[6],
            "status.hostIPs[0].ip: Invalid value: \"10.0.0.2\": must be equal to `hostIP`");
  EXPECT_EQ(errors[7],
            "status.hostIPs[1]: Invalid value: \"nope\": must be a valid IP address, (e.g. "
            "10.9.8.7 or 2001:db8::ffff)");
  EXPECT_EQ(errors[8],
            "status.hostIPs: Invalid value: []core.HostIP{core.HostIP{IP:\"10.0.0.2\"}, "
            "core.HostIP{IP:\"nope\"}}: may specify no more than one IP for each IP family");
}

// ---- policy, scheduling, storage, coordination -----------------------------------------

TEST(ResourcesValidation, PodDisruptionBudgets) {
  const ResourceInfo& pdbs = Info("policy", "poddisruptionbudgets");
  Json pdb = Created(pdbs, R"({"metadata":{"name":"b","namespace":"d"},
      "spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}}})");
  EXPECT_TRUE(Errors(pdbs, pdb).empty());
  Json bad = pdb;
  bad["spec"] = Json::parse(R"({"minAvailable":"150%","maxUnavailable":-1,
      "unhealthyPodEvictionPolicy":"Never"})");
  EXPECT_EQ(Errors(pdbs, bad),
            (Strings{"spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and "
                     "maxUnavailable cannot be both set",
                     "spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
                     "StrVal:\"150%\"}: must not be greater than 100%",
                     "spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0",
                     "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\": supported "
                     "values: \"AlwaysAllow\", \"IfHealthyBudget\""}));
  bad["spec"] = Json::parse(R"({"maxUnavailable":"ten"})");
  EXPECT_EQ(
      Errors(pdbs, bad),
      (Strings{"spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
               "StrVal:\"ten\"}: a valid percent string must be a numeric string followed by an "
               "ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"}));

  // Status: counters and metav1 conditions.
  Json next = pdb;
  next["status"] = Json::parse(
      R"({"disruptionsAllowed":-1,"currentHealthy":1,"desiredHealthy":1,"expectedPods":1,
      "conditions":[{"type":"DisruptionAllowed","status":"True","reason":"SufficientPods","lastTransitionTime":"2026-01-01T00:00:00Z"},
                    {"type":"DisruptionAllowed","status":"Maybe","reason":"1bad","observedGeneration":-1}]})");
  EXPECT_EQ(
      StatusErrors(pdbs, next, pdb),
      (Strings{
          "status.conditions[1].type: Duplicate value: \"DisruptionAllowed\"",
          "status.conditions[1].status: Unsupported value: \"Maybe\": supported values: \"False\", "
          "\"True\", \"Unknown\"",
          "status.conditions[1].observedGeneration: Invalid value: -1: must be greater than or "
          "equal to zero",
          "status.conditions[1].lastTransitionTime: Required value: must be set",
          "status.conditions[1].reason: Invalid value: \"1bad\": a condition reason must start "
          "with alphabetic character, optionally followed by a string of alphanumeric characters "
          "or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or "
          "'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for "
          "validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
          "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0"}));
}

TEST(ResourcesValidation, PriorityClassesStorageClassesAndLeases) {
  const ResourceInfo& pcs = Info("scheduling.k8s.io", "priorityclasses");
  Json pc = Created(pcs, R"({"metadata":{"name":"high"},"value":1000})");
  EXPECT_EQ(pc["preemptionPolicy"], "PreemptLowerPriority");
  EXPECT_TRUE(Errors(pcs, pc).empty());
  Json big = pc;
  big["value"] = 2000000000;
  big["preemptionPolicy"] = "Sometimes";
  EXPECT_EQ(
      Errors(pcs, big),
      (Strings{"value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
               "preemptionPolicy: Unsupported value: \"Sometimes\": supported values: "
               "\"PreemptLowerPriority\", \"Never\""}));
  Json empty_policy = pc;
  empty_policy["preemptionPolicy"] = "";
  EXPECT_EQ(Errors(pcs, empty_policy), (Strings{"preemptionPolicy: Required value"}));
  Json sys = Created(pcs, R"({"metadata":{"name":"system-node-critical"},"value":5})");
  EXPECT_EQ(Errors(pcs, sys),
            (Strings{"metadata.name: Forbidden: priority class names with 'system-' prefix are "
                     "reserved for system use only. error: value of system-node-critical "
                     "PriorityClass must be 2000001000"}));
  Json changed = pc;
  changed["value"] = 5;
  changed["preemptionPolicy"] = "Never";
  EXPECT_EQ(Render(pcs.strategy->ValidateUpdate(changed, pc)),
            (Strings{"value: Forbidden: may not be changed in an update.",
                     "preemptionPolicy: Invalid value: \"Never\": field is immutable"}));

  const ResourceInfo& scs = Info("storage.k8s.io", "storageclasses");
  Json sc = Created(
      scs,
      R"({"metadata":{"name":"fast"},"provisioner":"Example.com/Fast","parameters":{"type":"ssd"}})");
  EXPECT_EQ(sc["volumeBindingMode"], "Immediate");
  EXPECT_TRUE(Errors(scs, sc).empty()) << ::testing::PrintToString(Errors(scs, sc));
  Json bad_sc = sc;
  bad_sc["provisioner"] = "bad provisioner";
  bad_sc["reclaimPolicy"] = "Recycle";
  bad_sc["volumeBindingMode"] = "Later";
  bad_sc["parameters"] = Json::parse(R"({"":"x"})");
  auto sc_errors = Errors(scs, bad_sc);
  ASSERT_EQ(sc_errors.size(), 4u) << ::testing::PrintToString(sc_errors);
  EXPECT_EQ(sc_errors[0].substr(0, 47), "provisioner: Invalid value: \"bad provisioner\": ");
  EXPECT_EQ(sc_errors[1], "parameters: Invalid value: \"\": field can not be empty.");
  EXPECT_EQ(
      sc_errors[2],
      "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"");
  EXPECT_EQ(sc_errors[3],
            "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", "
            "\"WaitForFirstConsumer\"");
  Json topo = sc;
  topo["allowedTopologies"] = Json::parse(R"([
      {"matchLabelExpressions":[{"key":"zone","values":["a","b"]}]},
      {"matchLabelExpressions":[{"key":"zone","values":["b","a"]}]},
      {"matchLabelExpressions":[{"key":"zone","values":[]},{"key":"zone","values":["x","x"]}]}])");
  EXPECT_EQ(
      Errors(scs, topo),
      (Strings{"allowedTopologies[1].matchLabelExpressions: Duplicate value: \"\"",
               "allowedTopologies[2].matchLabelExpressions[0].values: Required value",
               "allowedTopologies[2].matchLabelExpressions[1].values[1]: Duplicate value: \"x\"",
               "allowedTopologies[2].matchLabelExpressions[1].key: Duplicate value: \"zone\""}));
  Json sc_update = sc;
  sc_update["provisioner"] = "example.com/slow";
  sc_update["parameters"]["type"] = "hdd";
  sc_update["reclaimPolicy"] = "Retain";
  sc_update["volumeBindingMode"] = "WaitForFirstConsumer";
  sc_update["allowVolumeExpansion"] = true;  // mutable
  EXPECT_EQ(
      Render(scs.strategy->ValidateUpdate(sc_update, sc)),
      (Strings{"parameters: Forbidden: updates to parameters are forbidden.",
               "provisioner: Forbidden: updates to provisioner are forbidden.",
               "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
               "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable"}));

  const ResourceInfo& leases = Info("coordination.k8s.io", "leases");
  Json lease = Created(leases, R"({"metadata":{"name":"l","namespace":"d"},
      "spec":{"holderIdentity":"a","leaseDurationSeconds":15,"leaseTransitions":0}})");
  EXPECT_TRUE(Errors(leases, lease).empty());
  lease["spec"]["leaseDurationSeconds"] = 0;
  lease["spec"]["leaseTransitions"] = -1;
  EXPECT_EQ(
      Errors(leases, lease),
      (Strings{"spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
               "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"}));
}

// ---- rbac.authorization.k8s.io ---------------------------------------------------------

TEST(ResourcesValidation, RolesAndBindings) {
  const ResourceInfo& roles = Info("rbac.authorization.k8s.io", "roles");
  const ResourceInfo& cluster_roles = Info("rbac.authorization.k8s.io", "clusterroles");
  Json role = Created(roles, R"({"metadata":{"name":"r","namespace":"d"},"rules":[
      {"apiGroups":[""],"resources":["pods"],"verbs":["get"]},
      {"apiGroups":[""],"resources":["pods"],"verbs":[]},
      {"resources":["pods"],"verbs":["get"]},
      {"nonResourceURLs":["/healthz"],"verbs":["get"]}]})");
  EXPECT_EQ(
      Errors(roles, role),
      (Strings{
          "rules[1].verbs: Required value: verbs must contain at least one value",
          "rules[2].apiGroups: Required value: resource rules must supply at least one api group",
          "rules[3].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules "
          "cannot apply to non-resource URLs"}));
  Json cr = Created(cluster_roles, R"({"metadata":{"name":"c"},"rules":[
      {"nonResourceURLs":["/healthz"],"verbs":["get"]},
      {"nonResourceURLs":["/metrics"],"resources":["pods"],"verbs":["get"]}],
      "aggregationRule":{"clusterRoleSelectors":[]}})");
  EXPECT_EQ(Errors(cluster_roles, cr),
            (Strings{"rules[1].nonResourceURLs: Invalid value: []string{\"/metrics\"}: rules "
                     "cannot apply to both regular resources and non-resource URLs",
                     "aggregationRule.clusterRoleSelectors: Required value: at least one "
                     "clusterRoleSelector required if aggregationRule is non-nil"}));

  const ResourceInfo& rbs = Info("rbac.authorization.k8s.io", "rolebindings");
  const ResourceInfo& crbs = Info("rbac.authorization.k8s.io", "clusterrolebindings");
  Json rb = Created(rbs, R"({"metadata":{"name":"b","namespace":"d"},
      "roleRef":{"kind":"Role","name":"r"},
      "subjects":[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"default"},
                  {"kind":"Group","name":"devs"}]})");
  EXPECT_EQ(rb["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");
  EXPECT_EQ(rb["subjects"][0]["apiGroup"], "rbac.authorization.k8s.io");
  EXPECT_TRUE(Errors(rbs, rb).empty()) << ::testing::PrintToString(Errors(rbs, rb));
  Json bad = rb;
  bad["roleRef"] =
      Json::parse(R"({"apiGroup":"rbac.authorization.k8s.io","kind":"Thing","name":".."})");
  bad["subjects"] = Json::parse(
      R"([{"kind":"Robot","name":"r2"},{"kind":"ServiceAccount","name":"Bad_SA","apiGroup":"x"},
                                    {"kind":"User","apiGroup":"rbac.authorization.k8s.io"}])");
  auto errors = Errors(rbs, bad);
  ASSERT_EQ(errors.size(), 6u) << ::testing::PrintToString(errors);
  EXPECT_EQ(
      errors[0],
      "roleRef.kind: Unsupported value: \"Thing\": supported values: \"Role\", \"ClusterRole\"");
  EXPECT_EQ(errors[1], "roleRef.name: Invalid value: \"..\": may not be '..'");
  EXPECT_EQ(errors[2],
            "subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", "
            "\"User\", \"Group\"");
  EXPECT_EQ(errors[3].substr(0, 54), "subjects[1].name: Invalid value: \"Bad_SA\": a lowercase");
  EXPECT_EQ(errors[4], "subjects[1].apiGroup: Unsupported value: \"x\": supported values: \"\"");
  EXPECT_EQ(errors[5], "subjects[2].name: Required value");

  Json crb = Created(crbs, R"({"metadata":{"name":"b"},"roleRef":{"kind":"Role","name":"r"},
      "subjects":[{"kind":"ServiceAccount","name":"default"}]})");
  EXPECT_EQ(Errors(crbs, crb),
            (Strings{"roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
                     "subjects[0].namespace: Required value"}));
  Json moved = rb;
  moved["roleRef"]["name"] = "other";
  EXPECT_EQ(Render(rbs.strategy->ValidateUpdate(moved, rb)),
            (Strings{"roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", "
                     "Kind:\"Role\", Name:\"other\"}: cannot change roleRef"}));
}

// ---- pod spec extras (shared by every pod template) ------------------------------------

TEST(ResourcesValidation, PodAffinityTolerationsSecurityAndSpread) {
  const ResourceInfo& deploys = Info("apps", "deployments");
  Json valid = Created(deploys, kWorkload);
  Json& spec = valid["spec"]["template"]["spec"];
  spec["affinity"] = Json::parse(R"({
      "nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
          {"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]},{"key":"gpu","operator":"Exists"},
                               {"key":"cores","operator":"Gt","values":["4"]}],
           "matchFields":[{"key":"metadata.name","operator":"In","values":["node-1"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":50,"preference":{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}}]},
      "podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{
          "labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}}]}})");
  spec["tolerations"] = Json::parse(
      R"([{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":30},{"operator":"Exists"}])");
  spec["securityContext"] = Json::parse(
      R"({"runAsUser":1000,"fsGroup":2000,"seccompProfile":{"type":"RuntimeDefault"}})");
  spec["containers"][0]["securityContext"] =
      Json::parse(R"({"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},
      "seccompProfile":{"type":"Localhost","localhostProfile":"profiles/audit.json"}})");
  spec["topologySpreadConstraints"] =
      Json::parse(R"([{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",
      "minDomains":2,"labelSelector":{"matchLabels":{"app":"web"}},"matchLabelKeys":["pod-template-hash"]}])");
  EXPECT_TRUE(Errors(deploys, valid).empty()) << ::testing::PrintToString(Errors(deploys, valid));

  Json affinity = valid;
  affinity["spec"]["template"]["spec"]["affinity"] = Json::parse(R"({
      "nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
          {"matchExpressions":[{"key":"disk","operator":"In"},{"key":"gpu","operator":"Exists","values":["x"]},
                               {"key":"cores","operator":"Gt","values":["1","2"]},{"key":"bad key","operator":"Near"}],
           "matchFields":[{"key":"spec.nodeName","operator":"Exists"}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":0,"preference":{}}]},
      "podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"web"}}}],
        "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":101,"podAffinityTerm":{"topologyKey":"zone","matchLabelKeys":["a"]}}]}})");
  const std::string p = "spec.template.spec.affinity.";
  auto errors = Errors(deploys, affinity);
  ASSERT_EQ(errors.size(), 13u) << ::testing::PrintToString(errors);
  const std::string t =
      p + "nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].";
  EXPECT_EQ(errors[0], t + "matchExpressions[0].values: Required value: must be specified when "
                           "`operator` is 'In' or 'NotIn'");
  EXPECT_EQ(errors[1], t + "matchExpressions[1].values: Forbidden: may not be specified when "
                           "`operator` is 'Exists' or 'DoesNotExist'");
  EXPECT_EQ(errors[2], t + "matchExpressions[2].values: Required value: must be specified single "
                           "value when `operator` is 'Lt' or 'Gt'");
  EXPECT_EQ(
      errors[3],
      t + "matchExpressions[3].operator: Invalid value: \"Near\": not a valid selector operator");
  EXPECT_EQ(
      errors[4].rfind(t + "matchExpressions[3].key: Invalid value: \"bad key\": name part", 0), 0u);
  EXPECT_EQ(
      errors[5],
      t + "matchFields[0].operator: Invalid value: \"Exists\": not a valid selector operator");
  EXPECT_EQ(
      errors[6],
      t + "matchFields[0].key: Invalid value: \"spec.nodeName\": not a valid field selector key");
  EXPECT_EQ(errors[7], p + "nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight:"
                           " Invalid value: 0: must be in the range 1-100");
  EXPECT_EQ(errors[8], p + "podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]."
                           "topologyKey: Required value: can not be empty");
  // An empty key is also not a qualified name (two messages, as IsQualifiedName).
  EXPECT_EQ(errors[9], p + "podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]."
                           "topologyKey: Invalid value: \"\": name part must be non-empty");
  EXPECT_EQ(errors[10].rfind(p + "podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]."
                                 "topologyKey: Invalid value: \"\": name part must consist",
                             0),
            0u);
  EXPECT_EQ(errors[11], p + "podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight:"
                            " Invalid value: 101: must be in the range 1-100");
  EXPECT_EQ(errors[12],
            p + "podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm."
                "matchLabelKeys: Forbidden: must not be specified when labelSelector is not set");

  Json tolerations = valid;
  tolerations["spec"]["template"]["spec"]["tolerations"] = Json::parse(R"([
      {"key":"k","operator":"Exists","value":"v"},{"operator":"Equal","value":"v"},
      {"key":"k","value":"v","effect":"NoSchedule","tolerationSeconds":5},{"key":"k","operator":"Maybe"},
      {"key":"k","effect":"Sometimes"}])");
  const std::string tp = "spec.template.spec.tolerations";
  EXPECT_EQ(
      Errors(deploys, tolerations),
      (Strings{
          tp + "[0].operator: Invalid value: core.Toleration{Key:\"k\", Operator:\"Exists\", "
               "Value:\"v\", Effect:\"\", TolerationSeconds:(*int64)(nil)}: value must be empty "
               "when `operator` is 'Exists'",
          tp + "[1].operator: Invalid value: \"Equal\": operator must be Exists when `key` is "
               "empty, which means \"match all values and all keys\"",
          tp + "[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
               "`tolerationSeconds` is set",
          tp +
              "[3].operator: Unsupported value: \"Maybe\": supported values: \"Equal\", \"Exists\"",
          tp + "[4].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", "
               "\"PreferNoSchedule\", \"NoExecute\""}));

  Json security = valid;
  Json& sspec = security["spec"]["template"]["spec"];
  sspec["securityContext"] = Json::parse(R"({"runAsUser":-1,"supplementalGroups":[1,-2],
      "seccompProfile":{"type":"Localhost"},"fsGroupChangePolicy":"Sometimes","appArmorProfile":{"type":"Localhost","localhostProfile":" x"}})");
  sspec["shareProcessNamespace"] = true;
  sspec["hostPID"] = true;
  sspec["containers"][0]["securityContext"] =
      Json::parse(R"({"runAsGroup":3000000000,"procMount":"Unmasked",
      "privileged":true,"allowPrivilegeEscalation":false,
      "seccompProfile":{"type":"RuntimeDefault","localhostProfile":"x"}})");
  const std::string sp = "spec.template.spec.";
  auto sec_errors = Errors(deploys, security);
  EXPECT_EQ(
      sec_errors,
      (Strings{sp + "containers[0].securityContext.runAsGroup: Invalid value: 3000000000: must be "
                    "between 0 and 2147483647, inclusive",
               sp + "containers[0].securityContext.procMount: Invalid value: \"Unmasked\": "
                    "`hostUsers` must be false to use `Unmasked`",
               sp + "containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "
                    "core.SeccompProfile{Type:\"RuntimeDefault\", "
                    "LocalhostProfile:(*string)(0xc000000000)}: can only be set when seccomp type "
                    "is Localhost",
               sp + "containers[0].securityContext: Invalid value: core.SecurityContext{...}: "
                    "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
               sp + "securityContext.runAsUser: Invalid value: -1: must be between 0 and "
                    "2147483647, inclusive",
               sp + "securityContext.supplementalGroups[1]: Invalid value: -2: must be between 0 "
                    "and 2147483647, inclusive",
               sp + "securityContext.shareProcessNamespace: Invalid value: true: "
                    "ShareProcessNamespace and HostPID cannot both be enabled",
               sp + "securityContext.fsGroupChangePolicy: Unsupported value: \"Sometimes\": "
                    "supported values: \"Always\", \"OnRootMismatch\"",
               sp + "securityContext.seccompProfile.localhostProfile: Required value: must be set "
                    "when seccomp type is Localhost",
               sp + "securityContext.appArmorProfile.localhostProfile: Invalid value: \" x\": must "
                    "not be padded with whitespace"}));

  Json spread = valid;
  spread["spec"]["template"]["spec"]["topologySpreadConstraints"] = Json::parse(R"([
      {"maxSkew":0,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway","minDomains":0,"nodeAffinityPolicy":"Maybe"},
      {"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway","matchLabelKeys":["app"],
       "labelSelector":{"matchLabels":{"app":"web"}}},
      {"maxSkew":1,"whenUnsatisfiable":"Never"}])");
  const std::string cp = "spec.template.spec.topologySpreadConstraints";
  EXPECT_EQ(
      Errors(deploys, spread),
      (Strings{
          cp + "[0].maxSkew: Invalid value: 0: must be greater than zero",
          cp + "[0].{topologyKey, whenUnsatisfiable}: Duplicate value: \"{zone, ScheduleAnyway}\"",
          cp + "[0].minDomains: Invalid value: 0: must be greater than zero",
          cp + "[0].minDomains: Invalid value: 0: can only use minDomains if "
               "whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
          cp + "[0].nodeAffinityPolicy: Unsupported value: \"Maybe\": supported values: \"Honor\", "
               "\"Ignore\"",
          cp + "[1].matchLabelKeys[0]: Invalid value: \"app\": exists in both matchLabelKeys and "
               "labelSelector",
          cp + "[2].topologyKey: Required value: can not be empty",
          cp + "[2].whenUnsatisfiable: Unsupported value: \"Never\": supported values: "
               "\"DoNotSchedule\", \"ScheduleAnyway\""}));
}

TEST(ResourcesValidation, PodSysctls) {
  const ResourceInfo& pods = Info("", "pods");
  Json pod = Created(pods, R"({"metadata":{"name":"p","namespace":"d"},"spec":{"hostNetwork":true,
      "securityContext":{"sysctls":[{"name":"kernel.shm_rmid_forced","value":"1"},{"name":"net.core.somaxconn","value":"1024"},
                                    {"name":"Bad..name"},{"name":"kernel.shm_rmid_forced"},{"value":"1"}]},
      "containers":[{"name":"c","image":"nginx"}]}})");
  const std::string sp = "spec.securityContext.sysctls";
  EXPECT_EQ(
      Errors(pods, pod),
      (Strings{
          sp + "[1].name: Invalid value: \"net.core.somaxconn\": may not be specified when "
               "'hostNetwork' is true",
          sp + "[2].name: Invalid value: \"Bad..name\": must have at most 253 characters and match "
               "regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$",
          sp + "[3].name: Duplicate value: \"kernel.shm_rmid_forced\"",
          sp + "[4].name: Required value"}));
  pod["spec"]["hostNetwork"] = false;
  pod["spec"]["securityContext"]["sysctls"] =
      Json::parse(R"([{"name":"net/ipv4/ip_forward","value":"1"}])");
  EXPECT_TRUE(Errors(pods, pod).empty()) << ::testing::PrintToString(Errors(pods, pod));
}

TEST(ResourcesValidation, PodDnsConfigAndHostAliases) {
  const ResourceInfo& pods = Info("", "pods");
  Json pod = Created(pods, R"({"metadata":{"name":"p","namespace":"d"},"spec":{"dnsPolicy":"None",
      "dnsConfig":{"nameservers":["1.1.1.1"],"searches":["svc.cluster.local."],"options":[{"name":"ndots","value":"2"}]},
      "hostAliases":[{"ip":"10.0.0.9","hostnames":["db.local"]}],
      "containers":[{"name":"c","image":"nginx"}]}})");
  EXPECT_TRUE(Errors(pods, pod).empty()) << ::testing::PrintToString(Errors(pods, pod));
  Json none = pod;
  none["spec"].erase("dnsConfig");
  EXPECT_EQ(
      Errors(pods, none),
      (Strings{
          "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"}));
  none["spec"]["dnsConfig"] = Json::object();
  EXPECT_EQ(Errors(pods, none), (Strings{"spec.dnsConfig.nameservers: Required value: must provide "
                                         "at least one DNS nameserver when `dnsPolicy` is None"}));
  Json bad = pod;
  bad["spec"]["dnsConfig"] = Json::parse(R"({"nameservers":["1.1.1.1","1.0.0.1","8.8.8.8","dns"],
      "searches":["Bad_Search"],"options":[{"value":"1"}]})");
  bad["spec"]["hostAliases"] = Json::parse(R"([{"ip":"x","hostnames":["Bad_Host"]}])");
  auto errors = Errors(pods, bad);
  ASSERT_EQ(errors.size(), 6u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0],
            "spec.dnsConfig.nameservers: Invalid value: []string{\"1.1.1.1\", \"1.0.0.1\", "
            "\"8.8.8.8\", \"dns\"}: must not have more than 3 nameservers");
  EXPECT_EQ(errors[1],
            "spec.dnsConfig.nameservers[3]: Invalid value: \"dns\": must be a valid IP address, "
            "(e.g. 10.9.8.7 or 2001:db8::ffff)");
  EXPECT_EQ(errors[2].rfind("spec.dnsConfig.searches[0]: Invalid value: \"Bad_Search\": a "
                            "lowercase RFC 1123 subdomain",
                            0),
            0u);
  EXPECT_EQ(errors[3], "spec.dnsConfig.options[0]: Required value: must not be empty");
  EXPECT_EQ(errors[4],
            "spec.hostAliases[0].ip: Invalid value: \"x\": must be a valid IP address, (e.g. "
            "10.9.8.7 or 2001:db8::ffff)");
  EXPECT_EQ(errors[5].rfind(
                "spec.hostAliases[0].hostnames[0]: Invalid value: \"Bad_Host\": a lowercase", 0),
            0u);
}

// ---- autoscaling/v2 behavior -----------------------------------------------------------

TEST(ResourcesValidation, HpaBehavior) {
  const ResourceInfo& hpas = Info("autoscaling", "horizontalpodautoscalers", "v2");
  Json hpa = Created(hpas, R"({"metadata":{"name":"h","namespace":"d"},"spec":{"maxReplicas":3,
      "scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
      "behavior":{"scaleDown":{"stabilizationWindowSeconds":300}}}})");
  EXPECT_TRUE(Errors(hpas, hpa).empty()) << ::testing::PrintToString(Errors(hpas, hpa));
  Json bad = hpa;
  bad["spec"]["behavior"] = Json::parse(R"({
      "scaleUp":{"stabilizationWindowSeconds":-1,"selectPolicy":"Avg","policies":[
          {"type":"Nodes","value":0,"periodSeconds":0},{"type":"Pods","value":1,"periodSeconds":1801}]},
      "scaleDown":{"stabilizationWindowSeconds":3601,"policies":[]}})");
  EXPECT_EQ(
      Errors(hpas, bad),
      (Strings{
          "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: -1: must be greater "
          "than or equal to zero",
          "spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Avg\": supported values: "
          "\"Disabled\", \"Max\", \"Min\"",
          "spec.behavior.scaleUp.policies[0].type: Unsupported value: \"Nodes\": supported values: "
          "\"Percent\", \"Pods\"",
          "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
          "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 0: must be greater than "
          "zero",
          "spec.behavior.scaleUp.policies[1].periodSeconds: Invalid value: 1801: must be less than "
          "or equal to 1800",
          "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less "
          "than or equal to 3600",
          "spec.behavior.scaleDown.policies: Required value: must specify at least one Policy"}));
}

// ---- helpers in api/validation.h -------------------------------------------------------

TEST(ResourcesValidation, NamespaceAndNodeStatusWrites) {
  const ResourceInfo& nss = Info("", "namespaces");
  Json ns = Json::parse(R"({"metadata":{"name":"n"},"status":{"phase":"Active"}})");
  Json terminating = ns;
  terminating["status"]["phase"] = "Terminating";
  EXPECT_EQ(StatusErrors(nss, ns, ns), Strings{});
  EXPECT_EQ(StatusErrors(nss, terminating, ns),
            Strings{"status.Phase: Invalid value: \"Terminating\": may only be 'Active' if "
                    "`deletionTimestamp` is empty"});
  Json deleting = ns;
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  Json deleting_active = deleting;
  terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_EQ(StatusErrors(nss, terminating, deleting), Strings{});
  EXPECT_EQ(StatusErrors(nss, deleting_active, deleting),
            Strings{"status.Phase: Invalid value: \"Active\": may only be 'Terminating' if "
                    "`deletionTimestamp` is not empty"});

  // Node status writes validate the whole node, as nodeStatusStrategy does.
  const ResourceInfo& nodes = Info("", "nodes");
  Json node = Json::parse(R"({"metadata":{"name":"n1"},"spec":{},
      "status":{"capacity":{"cpu":"2"},"allocatable":{"cpu":"2"}}})");
  EXPECT_EQ(StatusErrors(nodes, node, node), Strings{});
  Json bad = node;
  bad["status"]["capacity"]["cpu"] = "-1";
  EXPECT_FALSE(StatusErrors(nodes, bad, node).empty());
}

TEST(ResourcesValidation, IpAndCidrHelpers) {
  EXPECT_TRUE(ParseIp("10.0.0.1").has_value());
  EXPECT_TRUE(ParseIp("010.000.0.1").has_value());  // ParseIPSloppy
  EXPECT_TRUE(ParseIp("2001:db8::1").has_value());
  EXPECT_TRUE(ParseIp("::ffff:10.0.0.1")->v4);
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "1.2.3.4.5", "a::b::c", "10.0.0.1 "})
    EXPECT_FALSE(ParseIp(bad).has_value()) << bad;
  auto net = ParseCidr("10.1.2.3/16");
  ASSERT_TRUE(net);
  EXPECT_EQ(net->prefix, 16);
  EXPECT_EQ(net->ip.bytes, (std::vector<uint8_t>{10, 1, 0, 0}));
  EXPECT_TRUE(CidrContains(*net, *ParseIp("10.1.255.1")));
  EXPECT_FALSE(CidrContains(*net, *ParseIp("10.2.0.1")));
  EXPECT_FALSE(CidrContains(*net, *ParseIp("fd00::1")));
  auto v6 = ParseCidr("2001:db8::/33");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(CidrContains(*v6, *ParseIp("2001:db8:7fff::1")));
  EXPECT_FALSE(CidrContains(*v6, *ParseIp("2001:db8:8000::1")));
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/a", "fd00::/129"})
    EXPECT_FALSE(ParseCidr(bad).has_value()) << bad;
  EXPECT_EQ(Render(IsValidIp("f", "x")), (Strings{"f: Invalid value: \"x\": must be a valid IP "
                                                  "address, (e.g. 10.9.8.7 or 2001:db8::ffff)"}));
  EXPECT_TRUE(IsValidCidr("f", "0.0.0.0/0").empty());
  EXPECT_TRUE(IsWildcardDns1123Subdomain("*.a.b").empty());
  EXPECT_EQ(IsWildcardDns1123Subdomain("*").size(), 1u);
  EXPECT_EQ(IsWildcardDns1123Subdomain("a.*.b").size(), 1u);
  EXPECT_EQ(Render(IsDomainPrefixedPath("f", "")), (Strings{"f: Required value"}));
  EXPECT_TRUE(IsDomainPrefixedPath("f", "acme.io/foo/bar").empty());
  EXPECT_EQ(InclusiveRangeError(1, 5), "must be between 1 and 5, inclusive");
  EXPECT_TRUE(ValidateConditions(Json::parse(R"([{"type":"Ready","status":"True","reason":"Ok",
      "lastTransitionTime":"2026-01-01T00:00:00Z","message":"fine"}])"),
                                 "status.conditions")
                  .empty());
  EXPECT_TRUE(ValidateConditions(Json(), "status.conditions").empty());
}

}  // namespace
}  // namespace minik
