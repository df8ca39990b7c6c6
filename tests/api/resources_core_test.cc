// ConfigMaps, Secrets, Namespaces, Nodes, Events and the other core kinds: defaults,
// validation wording, immutability and tables.
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
  const ResourceInfo* info = reg->Find({group, "v1", plural});
  if (!info) std::abort();
  return *info;
}

Json Created(const ResourceInfo& info, const std::string& text) {
  Json obj = Json::parse(text);
  info.strategy->PrepareForCreate(obj);
  info.strategy->Default(obj);
  return obj;
}

std::vector<std::string> Errors(const std::vector<StatusCause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) out.push_back(c.field + ": " + c.message);
  return out;
}

SystemTime At(const char* ts) {
  SystemTime t{};
  ParseRfc3339(ts, &t);
  return t;
}

TEST(ResourcesCore, ResourceListsAreCanonical) {
  // SetDefaults_ResourceList and Quantity.String(): what `kubectl get -o yaml` shows.
  const ResourceInfo& pvcs = Info("", "persistentvolumeclaims");
  Json pvc = Created(pvcs, R"({"metadata":{"name":"c","namespace":"d"},
      "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1024Mi"}}}})");
  EXPECT_EQ(pvc["spec"]["resources"]["requests"]["storage"], "1Gi");
  EXPECT_EQ(pvc["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(pvc["status"], Json::parse(R"({"phase":"Pending"})"));
  const ResourceInfo& pvs = Info("", "persistentvolumes");
  Json pv = Created(pvs, R"({"metadata":{"name":"v"},"spec":{"capacity":{"storage":2147483648,"x":"2048Mi"},
      "hostPath":{"path":"/data"},"accessModes":["ReadWriteOnce"]}})");
  EXPECT_EQ(pv["spec"]["capacity"]["storage"], "2147483648");  // a plain number stays decimal
  EXPECT_EQ(pv["spec"]["capacity"]["x"], "2Gi");
  EXPECT_EQ(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
  EXPECT_EQ(pv["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(pv["spec"]["hostPath"]["type"], "");
  const ResourceInfo& quotas = Info("", "resourcequotas");
  Json quota = Created(quotas, R"({"metadata":{"name":"q","namespace":"d"},
      "spec":{"hard":{"cpu":"0.5","pods":10,"requests.memory":"-1Gi"}}})");
  EXPECT_EQ(quota["spec"]["hard"], Json::parse(R"({"cpu":"500m","pods":"10","requests.memory":"-1Gi"})"));
  EXPECT_EQ(Errors(quotas.strategy->Validate(quota)),
            std::vector<std::string>{"spec.hard[requests.memory]: Invalid value: \"-1Gi\": must "
                                     "be greater than or equal to 0"});
  Json bad_quota = Created(quotas, R"({"metadata":{"name":"q"},"spec":{"hard":{"cpu":"lots"}}})");
  EXPECT_EQ(Errors(quotas.strategy->Validate(bad_quota)),
            std::vector<std::string>{"spec.hard[cpu]: Invalid value: \"lots\": quantities must "
                                     "match the regular expression "
                                     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"});
  const ResourceInfo& limits = Info("", "limitranges");
  Json lr = Created(limits, R"({"metadata":{"name":"l"},"spec":{"limits":[
      {"type":"Container","max":{"cpu":"2000m"},"min":{"memory":"1048576"}}]}})");
  EXPECT_EQ(lr["spec"]["limits"][0], Json::parse(R"({"type":"Container","max":{"cpu":"2"},
      "min":{"memory":"1048576"},"default":{"cpu":"2"},"defaultRequest":{"cpu":"2","memory":"1048576"}})"));
  const ResourceInfo& nodes = Info("", "nodes");
  Json node = Created(nodes, R"({"metadata":{"name":"n"},"status":{"capacity":{"cpu":4,"memory":"8192Mi"}}})");
  EXPECT_EQ(node["status"]["allocatable"], Json::parse(R"({"cpu":"4","memory":"8Gi"})"));
}

TEST(ResourcesCore, ClaimAndVolumeUpdates) {
  const ResourceInfo& pvcs = Info("", "persistentvolumeclaims");
  EXPECT_EQ(pvcs.name_rule, NameRule::kDns1123Subdomain);  // ValidatePersistentVolumeName
  EXPECT_EQ(Info("", "persistentvolumes").name_rule, NameRule::kDns1123Subdomain);
  Json old = Created(pvcs, R"({"metadata":{"name":"c","namespace":"d"},
      "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}})");
  // A pending claim: the storage request is immutable too; volumeName and a class may be set.
  Json grown = old;
  grown["spec"]["resources"]["requests"]["storage"] = "2Gi";
  auto causes = pvcs.strategy->ValidateUpdate(grown, old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec");
  EXPECT_EQ(causes[0].message.substr(0, causes[0].message.find('\n')),
            "Forbidden: spec is immutable after creation except resources.requests and "
            "volumeAttributesClassName for bound claims");
  EXPECT_NE(causes[0].message.find("resources: "), std::string::npos);
  Json named = old;
  named["spec"]["volumeName"] = "pv-1";
  named["spec"]["storageClassName"] = "standard";
  EXPECT_TRUE(pvcs.strategy->ValidateUpdate(named, old).empty());
  // A bound claim may grow, and shrink down to above its capacity.
  Json bound = named;
  bound["status"] = Json::parse(R"({"phase":"Bound","capacity":{"storage":"1Gi"}})");
  Json bigger = bound;
  bigger["spec"]["resources"]["requests"]["storage"] = "5Gi";
  EXPECT_TRUE(pvcs.strategy->ValidateUpdate(bigger, bound).empty());
  Json smaller = bigger;
  smaller["spec"]["resources"]["requests"]["storage"] = "1Gi";
  EXPECT_EQ(Errors(pvcs.strategy->ValidateUpdate(smaller, bigger)),
            std::vector<std::string>{"spec.resources.requests.storage: Forbidden: field can not be "
                                     "less than status.capacity"});
  Json block = bound;
  block["spec"]["volumeMode"] = "Block";
  auto mode = Errors(pvcs.strategy->ValidateUpdate(block, bound));
  ASSERT_EQ(mode.size(), 2u);
  EXPECT_EQ(mode[1], "volumeMode: Invalid value: \"Block\": field is immutable");

  const ResourceInfo& pvs = Info("", "persistentvolumes");
  Json pv = Created(pvs, R"({"metadata":{"name":"v","creationTimestamp":"2026-01-01T00:00:00Z"},
      "spec":{"capacity":{"storage":"1Gi"},"hostPath":{"path":"/a"},"accessModes":["ReadWriteOnce"]}})");
  EXPECT_EQ(pv["status"], Json::parse(R"({"phase":"Pending","lastPhaseTransitionTime":"2026-01-01T00:00:00Z"})"));
  Json moved = pv;
  moved["spec"]["hostPath"]["path"] = "/b";
  moved["spec"]["capacity"]["storage"] = "2Gi";  // mutable
  auto pv_errors = Errors(pvs.strategy->ValidateUpdate(moved, pv));
  ASSERT_EQ(pv_errors.size(), 1u);
  EXPECT_EQ(pv_errors[0].substr(0, pv_errors[0].find('\n')),
            "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation");
  // A status write that keeps the phase keeps the transition time; the spec is not written.
  Json status = pv;
  status["status"] = Json::parse(R"({"phase":"Pending","message":"waiting"})");
  status["spec"]["capacity"]["storage"] = "9Gi";
  pvs.strategy->PrepareForStatusUpdate(status, pv);
  EXPECT_EQ(status["status"]["lastPhaseTransitionTime"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(status["spec"], pv["spec"]);
}

TEST(ResourcesCore, StatusWritesChangeOnlyStatusAndMetadata) {
  ResourceRegistry reg;
  RegisterBuiltinResources(reg);
  // Upstream status strategies reset the spec; deployments also keep their labels.
  struct Case {
    ResourceRef ref;
    bool keeps_labels;
  };
  for (const Case& c : std::vector<Case>{{{"apps", "v1", "deployments"}, true},
                                         {{"apps", "v1", "replicasets"}, false},
                                         {{"apps", "v1", "statefulsets"}, false},
                                         {{"apps", "v1", "daemonsets"}, false},
                                         {{"batch", "v1", "jobs"}, false},
                                         {{"batch", "v1", "cronjobs"}, false},
                                         {{"", "v1", "services"}, false},
                                         {{"", "v1", "namespaces"}, false},
                                         {{"", "v1", "persistentvolumeclaims"}, false},
                                         {{"", "v1", "resourcequotas"}, false},
                                         {{"", "v1", "replicationcontrollers"}, false},
                                         {{"policy", "v1", "poddisruptionbudgets"}, false},
                                         {{"networking.k8s.io", "v1", "ingresses"}, false}}) {
    const ResourceInfo* info = reg.Find(c.ref);
    ASSERT_NE(info, nullptr) << c.ref.resource;
    SCOPED_TRACE(c.ref.resource);
    Json old = Json::parse(R"({"metadata":{"name":"x","labels":{"a":"1"}},
        "spec":{"replicas":1},"status":{"replicas":0}})");
    Json next = Json::parse(R"({"metadata":{"name":"x","labels":{"a":"2"},"annotations":{"n":"v"}},
        "spec":{"replicas":7},"status":{"replicas":3}})");
    info->strategy->PrepareForStatusUpdate(next, old);
    EXPECT_EQ(next["spec"], old["spec"]);
    EXPECT_EQ(next["status"], Json::parse(R"({"replicas":3})"));
    EXPECT_EQ(next["metadata"]["annotations"], Json::parse(R"({"n":"v"})"));
    EXPECT_EQ(next["metadata"]["labels"]["a"], c.keeps_labels ? "1" : "2");
    // And a write of the main resource keeps the stored status.
    Json main = Json::parse(R"({"metadata":{"name":"x"},"spec":{"replicas":1},"status":{"replicas":9}})");
    info->strategy->PrepareForUpdate(main, old);
    EXPECT_EQ(main["status"], old["status"]);
  }
}

TEST(ResourcesCore, PodTemplateGeneration) {
  const ResourceInfo& info = Info("", "podtemplates");
  Json pt = Created(info, R"({"metadata":{"name":"t","namespace":"d"},
      "template":{"spec":{"containers":[{"name":"c","image":"nginx"}]}}})");
  EXPECT_EQ(pt["metadata"]["generation"], 1);
  EXPECT_EQ(pt["template"]["spec"]["restartPolicy"], "Always");
  Json relabeled = pt;
  relabeled["metadata"]["labels"] = {{"a", "b"}};
  info.strategy->PrepareForUpdate(relabeled, pt);
  EXPECT_EQ(relabeled["metadata"]["generation"], 1);
  Json changed = pt;
  changed["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  info.strategy->PrepareForUpdate(changed, pt);
  EXPECT_EQ(changed["metadata"]["generation"], 2);
}

TEST(ResourcesCore, ConfigMapKeysAndSize) {
  const ResourceInfo& info = Info("", "configmaps");
  Json ok = Created(info, R"({"metadata":{"name":"c"},"data":{"a.b":"1","C_d-e":"2"}})");
  EXPECT_TRUE(info.strategy->Validate(ok).empty());
  Json bad = Created(info, R"({"metadata":{"name":"c"},"data":{"bad key":"1","..x":"2"},
      "binaryData":{"..x":"AA=="}})");
  auto errs = Errors(info.strategy->Validate(bad));
  EXPECT_EQ(errs[0],
            "data[..x]: Invalid value: \"..x\": must not start with '..'");
  EXPECT_EQ(errs[1], "data[..x]: Invalid value: \"..x\": duplicate of key present in binaryData");
  EXPECT_EQ(errs[2],
            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of "
            "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
            "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  Json big = Json::parse(R"({"metadata":{"name":"c"}})");
  big["data"]["big"] = std::string(1024 * 1024 + 1, 'x');
  EXPECT_EQ(Errors(info.strategy->Validate(big)),
            std::vector<std::string>{": Too long: may not be more than 1048576 bytes"});
  SystemTime now = At("2026-01-01T00:00:03Z");
  Json cm = Json::parse(R"({"metadata":{"creationTimestamp":"2026-01-01T00:00:00Z"},
      "data":{"a":"1"},"binaryData":{"b":"AA=="}})");
  EXPECT_EQ(info.cells(cm, now), (std::vector<Json>{2, "3s"}));
}

TEST(ResourcesCore, ImmutableConfigMapsAndSecrets) {
  const ResourceInfo& cms = Info("", "configmaps");
  Json old = Created(cms, R"({"metadata":{"name":"c"},"data":{"a":"1"},"immutable":true})");
  Json next = old;
  next["data"]["a"] = "2";
  EXPECT_EQ(Errors(cms.strategy->ValidateUpdate(next, old)),
            std::vector<std::string>{"data: Forbidden: field is immutable when `immutable` is set"});
  next = old;
  next["immutable"] = false;
  EXPECT_EQ(Errors(cms.strategy->ValidateUpdate(next, old)),
            std::vector<std::string>{"immutable: Forbidden: field is immutable when `immutable` is set"});
  next = old;
  next["metadata"]["labels"] = {{"a", "b"}};
  EXPECT_TRUE(cms.strategy->ValidateUpdate(next, old).empty());

  const ResourceInfo& secrets = Info("", "secrets");
  Json s = Created(secrets, R"({"metadata":{"name":"s"},"stringData":{"user":"admin"}})");
  EXPECT_EQ(s["type"], "Opaque");
  EXPECT_EQ(s["data"]["user"], "YWRtaW4=");
  EXPECT_FALSE(s.contains("stringData"));
  Json retyped = s;
  retyped["type"] = "kubernetes.io/tls";
  auto errs = Errors(secrets.strategy->ValidateUpdate(retyped, s));
  EXPECT_TRUE(std::find(errs.begin(), errs.end(),
                        "type: Invalid value: \"kubernetes.io/tls\": field is immutable") != errs.end());
  Json tls = Created(secrets, R"({"metadata":{"name":"t"},"type":"kubernetes.io/tls","data":{}})");
  EXPECT_EQ(Errors(secrets.strategy->Validate(tls)),
            (std::vector<std::string>{"data[tls.crt]: Required value", "data[tls.key]: Required value"}));
  EXPECT_EQ(secrets.fields(s, "type"), "Opaque");
  EXPECT_EQ(secrets.cells(s, At("2026-01-01T00:00:00Z"))[0], "Opaque");
  EXPECT_EQ(secrets.cells(s, At("2026-01-01T00:00:00Z"))[1], 1);
}

TEST(ResourcesCore, Namespaces) {
  const ResourceInfo& info = Info("", "namespaces");
  Json ns = Created(info, R"({"metadata":{"name":"team-a"},"status":{"phase":"Terminating"}})");
  EXPECT_EQ(ns["status"]["phase"], "Active");
  EXPECT_EQ(ns["spec"]["finalizers"], Json::array({"kubernetes"}));
  EXPECT_EQ(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "team-a");
  EXPECT_TRUE(info.strategy->Validate(ns).empty());
  Json next = ns;
  next["spec"]["finalizers"] = Json::array();
  info.strategy->PrepareForUpdate(next, ns);
  EXPECT_EQ(next["spec"]["finalizers"], Json::array({"kubernetes"}));
  EXPECT_EQ(info.cells(ns, At("2026-01-01T00:00:00Z"))[0], "Active");
  EXPECT_EQ(info.fields(ns, "status.phase"), "Active");
}

TEST(ResourcesCore, NodeTable) {
  const ResourceInfo& info = Info("", "nodes");
  Json node = Json::parse(R"J({"metadata":{"name":"minik","creationTimestamp":"2026-01-01T00:00:00Z",
      "labels":{"node-role.kubernetes.io/control-plane":"","kubernetes.io/role":"worker"}},
    "spec":{"unschedulable":true},
    "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
      "addresses":[{"type":"InternalIP","address":"192.168.1.5"},{"type":"Hostname","address":"minik"}],
      "nodeInfo":{"kubeletVersion":"v1.32.4","osImage":"Debian GNU/Linux 12 (bookworm)",
                  "kernelVersion":"6.1.0","containerRuntimeVersion":"minik://0.1"},
      "capacity":{"cpu":"4","memory":"8Gi","pods":"110"}}})J");
  EXPECT_EQ(info.cells(node, At("2026-01-01T03:30:00Z")),
            (std::vector<Json>{"Ready,SchedulingDisabled", "control-plane,worker", "3h30m",
                               "v1.32.4", "192.168.1.5", "<none>", "Debian GNU/Linux 12 (bookworm)",
                               "6.1.0", "minik://0.1"}));
  Json bare = Json::parse(R"({"metadata":{"name":"n"}})");
  auto cells = info.cells(bare, At("2026-01-01T00:00:00Z"));
  EXPECT_EQ(cells[0], "Unknown");
  EXPECT_EQ(cells[1], "<none>");
  EXPECT_EQ(cells[2], "<unknown>");
  EXPECT_EQ(cells[6], "<unknown>");
  node["status"]["conditions"][1]["status"] = "Unknown";
  node["spec"]["unschedulable"] = false;
  EXPECT_EQ(info.cells(node, At("2026-01-01T00:00:00Z"))[0], "NotReady");
  // Nodes keep their status on create and update; allocatable defaults to capacity.
  Json created = node;
  info.strategy->PrepareForCreate(created);
  info.strategy->Default(created);
  EXPECT_EQ(created["status"]["nodeInfo"]["kubeletVersion"], "v1.32.4");
  EXPECT_EQ(created["status"]["allocatable"], created["status"]["capacity"]);
  EXPECT_EQ(info.fields(node, "spec.unschedulable"), "false");
  Json tainted = node;
  tainted["spec"]["taints"] = Json::parse(R"([{"key":"a","effect":"Sometimes"}])");
  EXPECT_EQ(Errors(info.strategy->Validate(tainted)),
            std::vector<std::string>{"spec.taints[0].effect: Unsupported value: \"Sometimes\": "
                                     "supported values: \"NoSchedule\", \"PreferNoSchedule\", "
                                     "\"NoExecute\""});
}

TEST(ResourcesCore, EventTable) {
  const ResourceInfo& info = Info("", "events");
  EXPECT_TRUE(info.full_row);
  ASSERT_EQ(info.columns.size(), 10u);
  EXPECT_EQ(info.columns.back().name, "Name");
  EXPECT_EQ(info.columns.back().priority, 1);
  Json ev = Json::parse(R"({"metadata":{"name":"web.1","namespace":"default"},
      "involvedObject":{"kind":"Pod","name":"web","namespace":"default","fieldPath":"spec.containers{nginx}"},
      "reason":"Pulled","message":"  Pulled image \"nginx\"\n","type":"Normal",
      "source":{"component":"kubelet","host":"minik"},
      "firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:00:50Z","count":3})");
  EXPECT_EQ(info.cells(ev, At("2026-01-01T00:01:00Z")),
            (std::vector<Json>{"10s", "Normal", "Pulled", "pod/web", "spec.containers{nginx}",
                               "kubelet, minik", "Pulled image \"nginx\"", "60s", 3, "web.1"}));
  Json bad_ns = ev;
  bad_ns["involvedObject"]["namespace"] = "other";
  EXPECT_EQ(Errors(info.strategy->Validate(bad_ns)),
            std::vector<std::string>{"involvedObject.namespace: Invalid value: \"other\": does not "
                                     "match event.namespace"});
  const ResourceInfo* v1 = nullptr;
  ResourceRegistry reg;
  RegisterBuiltinResources(reg);
  v1 = reg.Find({"events.k8s.io", "v1", "events"});
  ASSERT_NE(v1, nullptr);
  Json ev1 = Json::parse(R"({"metadata":{"name":"x","namespace":"default"},
      "regarding":{"kind":"Node","name":"minik"},"note":"Starting","reason":"Starting",
      "type":"Normal","eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"kubelet",
      "reportingInstance":"minik","action":"Start"})");
  EXPECT_TRUE(v1->strategy->Validate(ev1).empty());
  auto cells = v1->cells(ev1, At("2026-01-01T00:00:07Z"));
  EXPECT_EQ(cells[0], "7s");
  EXPECT_EQ(cells[3], "node/minik");
  EXPECT_EQ(cells[5], "kubelet, minik");
  EXPECT_EQ(cells[6], "Starting");
}

TEST(ResourcesCore, StorageAndMiscTables) {
  ResourceRegistry reg;
  RegisterBuiltinResources(reg);
  SystemTime now = At("2026-01-01T00:00:01Z");
  const ResourceInfo* sc = reg.Find({"storage.k8s.io", "v1", "storageclasses"});
  Json cls = Json::parse(R"({"metadata":{"name":"standard","creationTimestamp":"2026-01-01T00:00:00Z",
      "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
      "provisioner":"minik.io/hostpath"})");
  sc->strategy->Default(cls);
  EXPECT_TRUE(sc->strategy->Validate(cls).empty());
  EXPECT_EQ(sc->cells(cls, now), (std::vector<Json>{"standard (default)", "minik.io/hostpath",
                                                   "Delete", "Immediate", false, "1s"}));
  const ResourceInfo* pvc = reg.Find({"", "v1", "persistentvolumeclaims"});
  Json claim = Json::parse(R"({"metadata":{"name":"data","creationTimestamp":"2026-01-01T00:00:00Z"},
      "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},
              "storageClassName":"standard"}})");
  pvc->strategy->PrepareForCreate(claim);
  pvc->strategy->Default(claim);
  EXPECT_EQ(claim["status"]["phase"], "Pending");
  EXPECT_EQ(claim["spec"]["volumeMode"], "Filesystem");
  EXPECT_TRUE(pvc->strategy->Validate(claim).empty());
  EXPECT_EQ(pvc->cells(claim, now), (std::vector<Json>{"Pending", "", "", "", "standard", "<unset>",
                                                      "1s", "Filesystem"}));
  Json no_modes = claim;
  no_modes["spec"].erase("accessModes");
  EXPECT_EQ(Errors(pvc->strategy->Validate(no_modes)),
            std::vector<std::string>{"spec.accessModes: Required value: at least 1 access mode is required"});
  const ResourceInfo* roles = reg.Find({"rbac.authorization.k8s.io", "v1", "roles"});
  Json role = Json::parse(R"({"metadata":{"name":"r","creationTimestamp":"2026-01-01T00:00:00Z"},
      "rules":[{"apiGroups":[""],"resources":["pods"]}]})");
  EXPECT_EQ(roles->cells(role, now), (std::vector<Json>{"r", "2026-01-01T00:00:00Z"}));
  EXPECT_EQ(Errors(roles->strategy->Validate(role)),
            std::vector<std::string>{"rules[0].verbs: Required value: verbs must contain at least one value"});
  const ResourceInfo* rb = reg.Find({"rbac.authorization.k8s.io", "v1", "rolebindings"});
  Json binding = Json::parse(R"({"metadata":{"name":"b","creationTimestamp":"2026-01-01T00:00:00Z"},
      "roleRef":{"kind":"ClusterRole","name":"view"},
      "subjects":[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"default","namespace":"dev"}]})");
  rb->strategy->Default(binding);
  EXPECT_EQ(binding["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");
  EXPECT_EQ(binding["subjects"][0]["apiGroup"], "rbac.authorization.k8s.io");
  EXPECT_TRUE(rb->strategy->Validate(binding).empty());
  EXPECT_EQ(rb->cells(binding, now),
            (std::vector<Json>{"ClusterRole/view", "1s", "alice", "", "dev:default"}));
  const ResourceInfo* ep = reg.Find({"", "v1", "endpoints"});
  Json eps = Json::parse(R"({"subsets":[{"addresses":[{"ip":"10.244.0.5"},{"ip":"10.244.0.6"}],
      "ports":[{"port":80},{"port":443}]}]})");
  EXPECT_EQ(ep->cells(eps, now)[0], "10.244.0.5:80,10.244.0.6:80,10.244.0.5:443 + 1 more...");
  const ResourceInfo* pc = reg.Find({"scheduling.k8s.io", "v1", "priorityclasses"});
  Json prio = Json::parse(R"({"metadata":{"name":"system-node-critical"},"value":2000001000})");
  EXPECT_TRUE(pc->strategy->Validate(prio).empty());
  prio["value"] = 5;
  EXPECT_EQ(Errors(pc->strategy->Validate(prio)),
            std::vector<std::string>{"metadata.name: Forbidden: priority class names with 'system-' "
                                     "prefix are reserved for system use only. error: value of "
                                     "system-node-critical PriorityClass must be 2000001000"});
}

}  // namespace
}  // namespace minik
