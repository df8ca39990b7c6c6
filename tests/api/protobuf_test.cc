// DecodeProtobuf against real kubectl 1.32 bodies and hand-encoded messages, plus hostile
// input. The kubectl bodies were captured from kubectl v1.32.5 (`kubectl create ...`, `auth
// can-i`, `auth whoami`, `create token`) pointed at a logging server on 127.0.0.1; the expected
// JSON equals `kubectl create ... --dry-run=client -o json` (Go's JSON of the same object)
// with nulls removed.
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "api/schema.h"

namespace minik {
namespace {

// ---- a tiny protobuf encoder ----
class Pb {
 public:
  Pb& Varint(int field, uint64_t v) {
    Key(field, 0);
    Raw(v);
    return *this;
  }
  Pb& Int(int field, int64_t v) { return Varint(field, static_cast<uint64_t>(v)); }
  Pb& Bytes(int field, std::string_view s) {
    Key(field, 2);
    Raw(s.size());
    out_.append(s);
    return *this;
  }
  Pb& Msg(int field, const Pb& m) { return Bytes(field, m.str()); }
  Pb& Fixed64(int field, uint64_t v) {
    Key(field, 1);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  Pb& Double(int field, double d) {
    uint64_t v;
    std::memcpy(&v, &d, sizeof v);
    return Fixed64(field, v);
  }
  Pb& MapStr(int field, std::string_view k, std::string_view v) {
    return Msg(field, Pb().Bytes(1, k).Bytes(2, v));
  }
  Pb& MapMsg(int field, std::string_view k, const Pb& v) {
    return Msg(field, Pb().Bytes(1, k).Msg(2, v));
  }
  Pb& Append(std::string_view raw) {
    out_.append(raw);
    return *this;
  }
  void Key(int field, int wire) { Raw((static_cast<uint64_t>(field) << 3) | wire); }
  void Raw(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// Packed repeated varints.
std::string Packed(std::initializer_list<uint64_t> values) {
  Pb p;
  for (uint64_t v : values) p.Raw(v);
  return p.str();
}

std::string Body(std::string_view api_version, std::string_view kind, const Pb& obj) {
  Pb unknown;
  unknown.Msg(1, Pb().Bytes(1, api_version).Bytes(2, kind)).Bytes(2, obj.str()).Bytes(3, "").Bytes(
      4, "");
  return std::string("k8s\0", 4) + unknown.str();
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

Json Decode(const std::string& body) {
  StatusOr<Json> r = DecodeProtobuf(BuiltinSchemas(), body);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : Json();
}

Status DecodeError(const std::string& body) {
  StatusOr<Json> r = DecodeProtobuf(BuiltinSchemas(), body);
  EXPECT_FALSE(r.ok()) << r.value().dump();
  return r.status();
}

// ObjectMeta as Go's generated code writes it: non-pointer fields always, even when empty.
Pb GoObjectMeta(std::string_view name, std::string_view ns = "") {
  return Pb()
      .Bytes(1, name)
      .Bytes(2, "")
      .Bytes(3, ns)
      .Bytes(4, "")
      .Bytes(5, "")
      .Bytes(6, "")
      .Varint(7, 0)
      .Msg(8, Pb());
}

// ---- captured kubectl v1.32.5 bodies (hex) ----
// create namespace ns1 | configmap cm1 --from-literal=a=b --from-literal=empty= |
// secret generic s1 --from-literal=k=v --type=Opaque | deployment d1 --image=nginx
// --replicas=0 --port=80 | job j1 --image=busybox -- echo hi | cronjob c1 ... -- date |
// service clusterip svc1 --tcp=80:8080 --tcp=443:https | serviceaccount sa1 | quota q1
// --hard=pods=10,cpu=2 | pdb pdb1 --selector=app=x --min-available=50% | priorityclass pc1
// --value=1000 --description=hi | ingress ing1 --rule=foo.com/bar=svc1:80 | rolebinding rb1
// --role=r1 --user=bob | token sa1 --duration=10m; auth can-i get pods; auth whoami;
// configmap --from-file (binary) | ingress --class --default-backend --rule ...,tls= |
// service nodeport --node-port | pdb --max-unavailable=1 | auth can-i --list | token
// --audience --bound-object-* | deployment --image=nginx --image=redis | secret
// docker-registry.
constexpr const char* kNamespace =
    "6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a00320038004200"
    "12001a020a001a002200";
constexpr const char* kConfigMap =
    "6b3873000a0f0a0276311209436f6e6669674d617012280a130a03636d3112001a0022002a00320038004200"
    "12060a016112016212090a05656d70747912001a002200";
constexpr const char* kSecret =
    "6b3873000a0c0a027631120653656372657412240a120a02733112001a0022002a0032003800420012060a01"
    "6b1201761a064f70617175651a002200";
constexpr const char* kDeployment =
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b4010a1d0a02643112001a0022002a00"
    "3200380042005a090a03617070120264311284010800120b0a090a03617070120264311a6b0a1b0a0012001a"
    "0022002a003200380042005a090a0361707012026431124c122e0a056e67696e7812056e67696e782a00320a"
    "0a001000185022002a0042006a007200800100880100900100a201001a00320042004a005200580060006800"
    "8201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200";
constexpr const char* kService =
    "6b3873000a0d0a0276311207536572766963651290010a210a047376633112001a0022002a00320038004200"
    "5a0b0a0361707012047376633112670a1b0a0738302d38303830120354435018502207080010903f1a002800"
    "0a220a093434332d6874747073120354435018bb03220b080110001a0568747470732800120b0a0361707012"
    "04737663311a002209436c757374657249503a00420052005a00600068001a020a001a002200";
constexpr const char* kCronJob =
    "6b3873000a130a0862617463682f7631120743726f6e4a6f6212a4010a120a02633112001a0022002a003200"
    "38004200128b010a0b2a2f35202a202a202a202a1a002a7a0a120a02633112001a0022002a00320038004200"
    "126432620a100a0012001a0022002a00320038004200124e12270a026331120762757379626f781a04646174"
    "652a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a00520058006000"
    "68008201008a01009a0100c201001a001a002200";
constexpr const char* kJob =
    "6b3873000a0f0a0862617463682f763112034a6f621284010a120a026a3112001a0022002a00320038004200"
    "126432620a100a0012001a0022002a00320038004200124e122b0a026a31120762757379626f781a04656368"
    "6f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a00520058006000"
    "68008201008a01009a0100c201001a082000280030003a001a002200";
constexpr const char* kSelfSubjectAccessReview =
    "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374"
    "416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c"
    "7412036765741a0022002a04706f647332003a001a08080012001a0020001a002200";
constexpr const char* kSelfSubjectReview =
    "6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a6563"
    "74526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200";
constexpr const char* kTokenRequest =
    "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565"
    "7374121d0a100a0012001a0022002a00320038004200120320d8041a040a0012001a002200";
constexpr const char* kPodDisruptionBudget =
    "6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123b0a140a04"
    "7064623112001a0022002a0032003800420012170a09080110001a03353025120a0a080a036170701201781a"
    "0a080018002000280030001a002200";
constexpr const char* kRoleBinding =
    "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c654269"
    "6e64696e6712660a130a0372623112001a0022002a0032003800420012280a04557365721219726261632e61"
    "7574686f72697a6174696f6e2e6b38732e696f1a03626f6222001a250a19726261632e617574686f72697a61"
    "74696f6e2e6b38732e696f1204526f6c651a0272311a002200";
constexpr const char* kIngress =
    "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e6772657373124a0a140a0469"
    "6e673112001a0022002a00320038004200122e1a2c0a07666f6f2e636f6d12210a1f0a1d0a042f626172120e"
    "220c0a047376633112040a0010501a0545786163741a020a001a002200";
constexpr const char* kResourceQuota =
    "6b3873000a130a027631120d5265736f7572636551756f746112320a120a02713112001a0022002a00320038"
    "004200121a0a0a0a0363707512030a01320a0c0a04706f647312040a0231301a001a002200";
constexpr const char* kPriorityClass =
    "6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312"
    "340a130a0370633112001a0022002a0032003800420010e8071800220268692a14507265656d70744c6f7765"
    "725072696f726974791a002200";
constexpr const char* kServiceAccount =
    "6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a0032"
    "00380042001a002200";

constexpr const char* kConfigMapFromFile =
    "6b3873000a0f0a0276311209436f6e6669674d617012300a130a03636d6612001a0022002a00320038004200"
    "12060a01781201791a110a0362696e120a0001fffe62696e6172791a002200";
constexpr const char* kIngressFull =
    "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e677265737312760a1c0a0469"
    "6e673212001a0022002a0032003800420062060a017812017912520a11220f0a0373766312080a0468747470"
    "1000120c0a05612e636f6d12037365631a280a05612e636f6d121f0a1d0a1b0a012f120e220c0a0373766312"
    "050a0010903f1a0650726566697822056d696e696b1a020a001a002200";
constexpr const char* kServiceNodePort =
    "6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a003200380042005a090a"
    "0361707012026e7012420a1d0a0738302d38303830120354435018502207080010903f1a002880eb0112090a"
    "0361707012026e701a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200";
constexpr const char* kPdbMaxUnavailable =
    "6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412380a140a04"
    "7064623212001a0022002a003200380042001214120a0a080a036170701201781a06080010011a001a0a0800"
    "18002000280030001a002200";
constexpr const char* kSelfSubjectRulesReview =
    "6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a656374"
    "52756c657352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04"
    "180022001a002200";
constexpr const char* kTokenRequestBound =
    "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565"
    "737412330a100a0012001a0022002a0032003800420012190a01610a01621a110a03506f64120276311a0170"
    "22033132331a040a0012001a002200";
constexpr const char* kDeploymentTwoImages =
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412cd010a1d0a02646d12001a0022002a00"
    "3200380042005a090a036170701202646d129d010801120b0a090a036170701202646d1a83010a1b0a001200"
    "1a0022002a003200380042005a090a036170701202646d126412220a056e67696e7812056e67696e782a0042"
    "006a007200800100880100900100a2010012220a057265646973120572656469732a0042006a007200800100"
    "880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038"
    "001a0c0800100018002000280038001a002200";
constexpr const char* kSecretDockerRegistry =
    "6b3873000a0c0a0276311206536563726574128b010a120a02647212001a0022002a0032003800420012550a"
    "112e646f636b6572636f6e6669676a736f6e12407b226175746873223a7b22722e696f223a7b22757365726e"
    "616d65223a2275222c2270617373776f7264223a2270222c2261757468223a2264547077227d7d7d1a1e6b75"
    "6265726e657465732e696f2f646f636b6572636f6e6669676a736f6e1a002200";

TEST(DecodeProtobuf, RealKubectlBodies) {
  struct Case {
    const char* hex;
    const char* json;
  };
  const Case cases[] = {
    {kNamespace, R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns1"},"spec":{},"status":{}})"},
    {kConfigMap, R"({"apiVersion":"v1","data":{"a":"b","empty":""},"kind":"ConfigMap","metadata":{"name":"cm1"}})"},
    {kSecret, R"({"apiVersion":"v1","data":{"k":"dg=="},"kind":"Secret","metadata":{"name":"s1"},"type":"Opaque"})"},
    {kDeployment, R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"d1"},"name":"d1"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"d1"}},"strategy":{},"template":{"metadata":{"labels":{"app":"d1"}},"spec":{"containers":[{"image":"nginx","name":"nginx","ports":[{"containerPort":80}],"resources":{}}]}}},"status":{}})"},
    {kService, R"({"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"svc1"},"name":"svc1"},"spec":{"ports":[{"name":"80-8080","port":80,"protocol":"TCP","targetPort":8080},{"name":"443-https","port":443,"protocol":"TCP","targetPort":"https"}],"selector":{"app":"svc1"},"type":"ClusterIP"},"status":{"loadBalancer":{}}})"},
    {kCronJob, R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c1"},"spec":{"jobTemplate":{"metadata":{"name":"c1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"command":["date"],"image":"busybox","name":"c1","resources":{}}],"restartPolicy":"OnFailure"}}}},"schedule":"*/5 * * * *"},"status":{}})"},
    {kJob, R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"command":["echo","hi"],"image":"busybox","name":"j1","resources":{}}],"restartPolicy":"Never"}}},"status":{}})"},
    {kSelfSubjectAccessReview, R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":{},"spec":{"resourceAttributes":{"namespace":"default","resource":"pods","verb":"get"}},"status":{"allowed":false}})"},
    {kSelfSubjectReview, R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","metadata":{},"status":{"userInfo":{}}})"},
    {kTokenRequest, R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},"spec":{"expirationSeconds":600},"status":{"token":""}})"},
    {kPodDisruptionBudget, R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"pdb1"},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"x"}}},"status":{"currentHealthy":0,"desiredHealthy":0,"disruptionsAllowed":0,"expectedPods":0}})"},
    {kRoleBinding, R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb1"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r1"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"bob"}]})"},
    {kIngress, R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"ing1"},"spec":{"rules":[{"host":"foo.com","http":{"paths":[{"backend":{"service":{"name":"svc1","port":{"number":80}}},"path":"/bar","pathType":"Exact"}]}}]},"status":{"loadBalancer":{}}})"},
    {kResourceQuota, R"({"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q1"},"spec":{"hard":{"cpu":"2","pods":"10"}},"status":{}})"},
    {kPriorityClass, R"({"apiVersion":"scheduling.k8s.io/v1","description":"hi","kind":"PriorityClass","metadata":{"name":"pc1"},"preemptionPolicy":"PreemptLowerPriority","value":1000})"},
    {kServiceAccount, R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa1"}})"},
    {kConfigMapFromFile, R"({"apiVersion":"v1","binaryData":{"bin":"AAH//mJpbmFyeQ=="},"data":{"x":"y"},"kind":"ConfigMap","metadata":{"name":"cmf"}})"},
    {kIngressFull, R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"annotations":{"x":"y"},"name":"ing2"},"spec":{"defaultBackend":{"service":{"name":"svc","port":{"name":"http"}}},"ingressClassName":"minik","rules":[{"host":"a.com","http":{"paths":[{"backend":{"service":{"name":"svc","port":{"number":8080}}},"path":"/","pathType":"Prefix"}]}}],"tls":[{"hosts":["a.com"],"secretName":"sec"}]},"status":{"loadBalancer":{}}})"},
    {kServiceNodePort, R"({"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"np"},"name":"np"},"spec":{"ports":[{"name":"80-8080","nodePort":30080,"port":80,"protocol":"TCP","targetPort":8080}],"selector":{"app":"np"},"type":"NodePort"},"status":{"loadBalancer":{}}})"},
    {kPdbMaxUnavailable, R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"pdb2"},"spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app":"x"}}},"status":{"currentHealthy":0,"desiredHealthy":0,"disruptionsAllowed":0,"expectedPods":0}})"},
    {kSelfSubjectRulesReview, R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","metadata":{},"spec":{"namespace":"default"},"status":{"incomplete":false}})"},
    {kTokenRequestBound, R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},"spec":{"audiences":["a","b"],"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"p","uid":"123"}},"status":{"token":""}})"},
    {kDeploymentTwoImages, R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"dm"},"name":"dm"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"dm"}},"strategy":{},"template":{"metadata":{"labels":{"app":"dm"}},"spec":{"containers":[{"image":"nginx","name":"nginx","resources":{}},{"image":"redis","name":"redis","resources":{}}]}}},"status":{}})"},
    {kSecretDockerRegistry, R"({"apiVersion":"v1","data":{".dockerconfigjson":"eyJhdXRocyI6eyJyLmlvIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ=="},"kind":"Secret","metadata":{"name":"dr"},"type":"kubernetes.io/dockerconfigjson"})"},
  };
  for (const Case& c : cases) {
    Json got = Decode(Unhex(c.hex));
    EXPECT_EQ(got, Json::parse(c.json)) << got.dump();
  }
}


TEST(DecodeProtobuf, ConfigMapWithDataAndBinaryData) {
  Pb cm;
  cm.Msg(1, GoObjectMeta("cm", "ns"))
      .MapStr(2, "a", "1")
      .MapStr(2, "b", "")
      .Msg(2, Pb().Bytes(1, "c"))  // value missing: the zero value ""
      .MapStr(3, "bin", std::string("\x00\xff\x10", 3))
      .Varint(4, 0);  // immutable: *bool, a present false stays
  Json got = Decode(Body("v1", "ConfigMap", cm));
  EXPECT_EQ(got, Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cm","namespace":"ns"},
      "data":{"a":"1","b":"","c":""},"binaryData":{"bin":"AP8Q"},"immutable":false})"));
}

TEST(DecodeProtobuf, SecretBytesAndType) {
  Pb s;
  s.Msg(1, GoObjectMeta("s"))
      .MapStr(2, "password", "hunter2")
      .MapStr(2, "one", "x")
      .MapStr(2, "two", "xy")
      .MapStr(2, "empty", "")
      .Bytes(3, "kubernetes.io/basic-auth")
      .MapStr(4, "plain", "text");
  Json got = Decode(Body("v1", "Secret", s));
  EXPECT_EQ(got["data"], Json::parse(
                             R"({"password":"aHVudGVyMg==","one":"eA==","two":"eHk=","empty":""})"));
  EXPECT_EQ(got["type"], "kubernetes.io/basic-auth");
  EXPECT_EQ(got["stringData"], Json::parse(R"({"plain":"text"})"));
}

TEST(DecodeProtobuf, NamespaceWithLabelsAndFinalizers) {
  Pb meta = GoObjectMeta("team-a");
  meta.MapStr(11, "env", "prod").MapStr(12, "note", "x");
  Pb ns;
  ns.Msg(1, meta).Msg(2, Pb().Bytes(1, "kubernetes")).Msg(3, Pb().Bytes(1, ""));
  Json got = Decode(Body("v1", "Namespace", ns));
  EXPECT_EQ(got, Json::parse(R"({"apiVersion":"v1","kind":"Namespace",
      "metadata":{"name":"team-a","labels":{"env":"prod"},"annotations":{"note":"x"}},
      "spec":{"finalizers":["kubernetes"]},"status":{}})"));
}

TEST(DecodeProtobuf, DeploymentReplicasZeroAndContainer) {
  Pb container;
  container.Bytes(1, "web")
      .Bytes(2, "nginx:1.27")
      .Bytes(3, "nginx")
      .Bytes(3, "-g")
      .Bytes(5, "")  // workingDir "": omitzero, dropped
      .Msg(6, Pb().Bytes(1, "").Varint(2, 0).Varint(3, 80).Bytes(4, "TCP").Bytes(5, ""))
      .Msg(7, Pb().Bytes(1, "MODE").Bytes(2, "prod"))
      .Msg(7, Pb().Bytes(1, "CM").Msg(3, Pb().Msg(3, Pb().Msg(1, Pb().Bytes(1, "cfg"))
                                                        .Bytes(2, "key"))))
      .Msg(8, Pb().Msg(1, Pb().Bytes(1, "cpu").Msg(2, Pb().Bytes(1, "500m")))
                  .Msg(2, Pb().Bytes(1, "memory").Msg(2, Pb().Bytes(1, "64Mi"))));
  Pb pod_spec;
  pod_spec.Msg(1, Pb().Bytes(1, "config").Msg(2, Pb().Msg(19, Pb().Msg(1, Pb().Bytes(1, "cfg"))
                                                                  .Varint(3, 0644))))
      .Msg(2, container)
      .Bytes(3, "Always")
      .Bytes(6, "")  // dnsPolicy "": omitzero, so defaulting still sees it absent
      .Varint(11, 0)
      .Msg(14, Pb().Varint(4, 1000).Varint(4, 2000).Bytes(4, Packed({3000, 4000})));
  Pb spec;
  spec.Varint(1, 0)  // replicas: *int32, present 0 must survive
      .Msg(2, Pb().MapStr(1, "app", "web"))
      .Msg(3, Pb().Msg(1, GoObjectMeta("").MapStr(11, "app", "web")).Msg(2, pod_spec))
      .Msg(4, Pb())
      .Int(5, -1)  // minReadySeconds: negative int32 as a 10-byte varint
      .Varint(7, 0);
  Json got = Decode(Body("apps/v1", "Deployment", Pb().Msg(1, GoObjectMeta("web", "default"))
                                                      .Msg(2, spec)
                                                      .Msg(3, Pb())));
  EXPECT_EQ(got["apiVersion"], "apps/v1");
  EXPECT_EQ(got["kind"], "Deployment");
  EXPECT_EQ(got["metadata"], Json::parse(R"({"name":"web","namespace":"default"})"));
  ASSERT_TRUE(got["spec"].contains("replicas"));
  EXPECT_EQ(got["spec"]["replicas"], 0);
  EXPECT_EQ(got["spec"]["minReadySeconds"], -1);
  EXPECT_FALSE(got["spec"].contains("paused"));  // bool omitempty: false is absent
  EXPECT_EQ(got["spec"]["strategy"], Json::object());
  EXPECT_EQ(got["spec"]["template"]["metadata"], Json::parse(R"({"labels":{"app":"web"}})"));
  const Json& ps = got["spec"]["template"]["spec"];
  EXPECT_EQ(ps["containers"], Json::parse(R"([{"name":"web","image":"nginx:1.27",
      "command":["nginx","-g"],"ports":[{"containerPort":80,"protocol":"TCP"}],
      "env":[{"name":"MODE","value":"prod"},
             {"name":"CM","valueFrom":{"configMapKeyRef":{"name":"cfg","key":"key"}}}],
      "resources":{"limits":{"cpu":"500m"},"requests":{"memory":"64Mi"}}}])"));
  // Volume embeds VolumeSource; ConfigMapVolumeSource embeds LocalObjectReference.
  EXPECT_EQ(ps["volumes"], Json::parse(
                               R"([{"name":"config","configMap":{"name":"cfg","defaultMode":420}}])"));
  EXPECT_EQ(ps["restartPolicy"], "Always");
  EXPECT_FALSE(ps.contains("dnsPolicy"));
  EXPECT_FALSE(ps.contains("hostNetwork"));
  // supplementalGroups: unpacked and packed elements both count.
  EXPECT_EQ(ps["securityContext"]["supplementalGroups"], Json::parse("[1000,2000,3000,4000]"));
}

TEST(DecodeProtobuf, ServiceIntOrStringTargetPort) {
  Pb spec;
  spec.Msg(1, Pb().Bytes(1, "http").Bytes(2, "TCP").Varint(3, 80)
                  .Msg(4, Pb().Varint(1, 0).Varint(2, 8080).Bytes(3, ""))
                  .Varint(5, 0))
      .Msg(1, Pb().Bytes(1, "https").Bytes(2, "TCP").Varint(3, 443)
                  .Msg(4, Pb().Varint(1, 1).Varint(2, 0).Bytes(3, "web-https")))
      .Msg(1, Pb().Bytes(1, "").Bytes(2, "UDP").Varint(3, 53)
                  .Msg(4, Pb().Varint(1, 0).Varint(2, 0).Bytes(3, "")))  // zero: unset
      .MapStr(2, "app", "web")
      .Bytes(3, "")
      .Bytes(4, "ClusterIP");
  Json got = Decode(Body("v1", "Service", Pb().Msg(1, GoObjectMeta("web")).Msg(2, spec)));
  EXPECT_EQ(got["spec"], Json::parse(R"({"ports":[
      {"name":"http","protocol":"TCP","port":80,"targetPort":8080},
      {"name":"https","protocol":"TCP","port":443,"targetPort":"web-https"},
      {"protocol":"UDP","port":53}],
      "selector":{"app":"web"},"type":"ClusterIP"})"));
}

TEST(DecodeProtobuf, CronJob) {
  Pb job_spec;
  job_spec.Varint(7, 6).Msg(
      6, Pb().Msg(1, GoObjectMeta(""))
             .Msg(2, Pb().Msg(2, Pb().Bytes(1, "c").Bytes(2, "busybox").Bytes(4, "date"))
                         .Bytes(3, "OnFailure")));
  Pb spec;
  spec.Bytes(1, "*/5 * * * *")
      .Bytes(8, "Etc/UTC")
      .Bytes(3, "Forbid")
      .Varint(4, 0)  // suspend: *bool false stays
      .Msg(5, Pb().Msg(1, GoObjectMeta("c")).Msg(2, job_spec))
      .Varint(6, 3);
  Json got = Decode(Body("batch/v1", "CronJob", Pb().Msg(1, GoObjectMeta("c")).Msg(2, spec)));
  EXPECT_EQ(got["spec"], Json::parse(R"({"schedule":"*/5 * * * *","timeZone":"Etc/UTC",
      "concurrencyPolicy":"Forbid","suspend":false,"successfulJobsHistoryLimit":3,
      "jobTemplate":{"metadata":{"name":"c"},"spec":{"backoffLimit":6,"template":{"metadata":{},
        "spec":{"containers":[{"name":"c","image":"busybox","args":["date"]}],
                "restartPolicy":"OnFailure"}}}}})"));
}

TEST(DecodeProtobuf, SelfSubjectAccessReviewAndExtraValues) {
  Pb ssar;
  ssar.Msg(1, GoObjectMeta(""))
      .Msg(2, Pb().Msg(1, Pb().Bytes(1, "default").Bytes(2, "create").Bytes(3, "apps")
                              .Bytes(4, "").Bytes(5, "deployments").Bytes(6, "scale")
                              .Bytes(7, "")))
      .Msg(3, Pb().Varint(1, 0).Varint(4, 0).Bytes(2, "").Bytes(3, ""));
  Json got = Decode(Body("authorization.k8s.io/v1", "SelfSubjectAccessReview", ssar));
  EXPECT_EQ(got, Json::parse(R"({"apiVersion":"authorization.k8s.io/v1",
      "kind":"SelfSubjectAccessReview","metadata":{},
      "spec":{"resourceAttributes":{"namespace":"default","verb":"create","group":"apps",
              "resource":"deployments","subresource":"scale"}},
      "status":{"allowed":false}})"));

  // SubjectAccessReview.spec.extra is map<string, ExtraValue{repeated string items = 1}>: JSON
  // lists of strings.
  Pb sar;
  sar.Msg(2, Pb().Bytes(3, "alice")
                 .MapMsg(5, "scopes", Pb().Bytes(1, "a").Bytes(1, "b"))
                 .MapMsg(5, "empty", Pb())
                 .Bytes(6, "uid-1"));
  got = Decode(Body("authorization.k8s.io/v1", "SubjectAccessReview", sar));
  EXPECT_EQ(got["spec"], Json::parse(
                             R"({"user":"alice","extra":{"scopes":["a","b"],"empty":[]},"uid":"uid-1"})"));
}

// kubectl drain posts policy/v1 Eviction (pods/NAME/eviction) as client-go's typed client:
// DeleteOptions with pointer fields present only when set.
TEST(DecodeProtobuf, EvictionWithDeleteOptions) {
  Pb ev;
  ev.Msg(1, GoObjectMeta("web-0", "default"))
      .Msg(2, Pb().Varint(1, 0)
                  .Msg(2, Pb().Bytes(1, "uid-1").Bytes(2, "42"))
                  .Bytes(4, "Foreground")
                  .Bytes(5, "All"));
  Json got = Decode(Body("policy/v1", "Eviction", ev));
  EXPECT_EQ(got, Json::parse(R"({"apiVersion":"policy/v1","kind":"Eviction",
      "metadata":{"name":"web-0","namespace":"default"},
      "deleteOptions":{"gracePeriodSeconds":0,
                       "preconditions":{"uid":"uid-1","resourceVersion":"42"},
                       "propagationPolicy":"Foreground","dryRun":["All"]}})"));
  // An Eviction without options (the common case).
  got = Decode(Body("policy/v1", "Eviction", Pb().Msg(1, GoObjectMeta("p", "ns"))));
  EXPECT_EQ(got, Json::parse(R"({"apiVersion":"policy/v1","kind":"Eviction",
      "metadata":{"name":"p","namespace":"ns"}})"));
}

// pods/NAME/ephemeralcontainers takes a whole Pod (client-go UpdateEphemeralContainers). An
// EphemeralContainer embeds EphemeralContainerCommon as its field 1; JSON inlines its fields.
TEST(DecodeProtobuf, PodWithEphemeralContainers) {
  Pb common;
  common.Bytes(1, "debugger-abc").Bytes(2, "busybox:1.36").Bytes(3, "sh")
      .Varint(16, 1).Varint(17, 0).Varint(18, 1).Bytes(13, "/dev/termination-log")
      .Bytes(20, "File").Bytes(14, "IfNotPresent");
  Pb ephemeral;
  ephemeral.Msg(1, common).Bytes(2, "app");
  Pb spec;
  spec.Msg(2, Pb().Bytes(1, "app").Bytes(2, "nginx")).Msg(34, ephemeral);
  Pb pod;
  pod.Msg(1, GoObjectMeta("p", "default")).Msg(2, spec);
  Json got = Decode(Body("v1", "Pod", pod));
  ASSERT_TRUE(got["spec"].contains("ephemeralContainers")) << got.dump();
  EXPECT_EQ(got["spec"]["ephemeralContainers"], Json::parse(R"([{"name":"debugger-abc",
      "image":"busybox:1.36","command":["sh"],"stdin":true,"tty":true,
      "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
      "imagePullPolicy":"IfNotPresent","targetContainerName":"app"}])"));
  EXPECT_EQ(got["spec"]["containers"], Json::parse(R"([{"name":"app","image":"nginx"}])"));

  // A truncated embedded message is a clean 400, never a partial object.
  std::string bad = Body("v1", "Pod", pod);
  bad.resize(bad.size() - 3);
  EXPECT_EQ(DecodeError(bad).code(), Code::kBadRequest);
}

TEST(DecodeProtobuf, TimesRawJsonAndFieldsV1) {
  Pb meta = GoObjectMeta("lease");
  meta = Pb()
             .Bytes(1, "lease")
             .Msg(8, Pb().Varint(1, 1700000000).Varint(2, 999))  // Time keeps whole seconds
             .Msg(9, Pb())                                       // zero Time: absent
             .Msg(17, Pb().Bytes(1, "kubectl").Bytes(2, "Update").Bytes(3, "v1")
                          .Msg(4, Pb().Varint(1, 0))  // the epoch is a time, not zero
                          .Bytes(6, "FieldsV1")
                          .Msg(7, Pb().Bytes(1, R"({"f:spec":{"f:holderIdentity":{}}})")));
  Pb lease;
  lease.Msg(1, meta).Msg(2, Pb().Bytes(1, "me").Varint(2, 15)
                               .Msg(3, Pb().Varint(1, 1700000000).Varint(2, 123456789))
                               .Msg(4, Pb().Varint(1, 1700000001)));
  Json got = Decode(Body("coordination.k8s.io/v1", "Lease", lease));
  EXPECT_EQ(got["metadata"]["creationTimestamp"], "2023-11-14T22:13:20Z");
  EXPECT_FALSE(got["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(got["metadata"]["managedFields"], Json::parse(R"([{"manager":"kubectl",
      "operation":"Update","apiVersion":"v1","time":"1970-01-01T00:00:00Z",
      "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:holderIdentity":{}}}}])"));
  EXPECT_EQ(got["spec"], Json::parse(R"({"holderIdentity":"me","leaseDurationSeconds":15,
      "acquireTime":"2023-11-14T22:13:20.123456Z","renewTime":"2023-11-14T22:13:21.000000Z"})"));

  // ControllerRevision.data: RawExtension holding JSON, or a nested k8s protobuf object.
  Pb rev;
  rev.Msg(1, GoObjectMeta("r")).Msg(2, Pb().Bytes(1, R"({"spec":{"template":{"x":[1,2]}}})"))
      .Varint(3, 7);
  got = Decode(Body("apps/v1", "ControllerRevision", rev));
  EXPECT_EQ(got["data"], Json::parse(R"({"spec":{"template":{"x":[1,2]}}})"));
  EXPECT_EQ(got["revision"], 7);
  std::string nested = Body("v1", "ConfigMap", Pb().MapStr(2, "k", "v"));
  got = Decode(Body("apps/v1", "ControllerRevision", Pb().Msg(2, Pb().Bytes(1, nested))));
  EXPECT_EQ(got["data"], Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","data":{"k":"v"}})"));
  EXPECT_FALSE(Decode(Body("apps/v1", "ControllerRevision", Pb().Msg(2, Pb()))).contains("data"));
}

TEST(DecodeProtobuf, DurationAndDoubleWithCustomSchema) {
  SchemaRegistry r;
  ASSERT_TRUE(r.Load(R"(package t
type T gvk=t.io/v1/T
  d      1 Duration
  list   2 list<Duration>
  ratio  3 double
  many   4 list<double>
  any    5 any
)").ok());
  Pb m;
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{1500}, int64_t{1500000}, int64_t{2000000000},
                     int64_t{90000000000}, int64_t{3723500000000}, int64_t{-1500000000}}) {
    m.Msg(2, Pb().Int(1, ns));
  }
  m.Msg(1, Pb().Int(1, 90000000000)).Double(3, 0.25).Double(4, 1.5).Double(4, -2);
  m.Bytes(5, R"({"free":"form"})");
  StatusOr<Json> got = DecodeProtobuf(r, Body("t.io/v1", "T", m));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)["d"], "1m30s");
  EXPECT_EQ((*got)["list"], Json::parse(
                                R"(["0s","1ns","1.5\u00b5s","1.5ms","2s","1m30s","1h2m3.5s","-1.5s"])"));
  EXPECT_EQ((*got)["ratio"], 0.25);
  EXPECT_EQ((*got)["many"], Json::parse("[1.5,-2.0]"));
  EXPECT_EQ((*got)["any"], Json::parse(R"({"free":"form"})"));

  // Packed doubles.
  std::string packed;
  for (double d : {1.0, 2.0}) {
    char b[8];
    std::memcpy(b, &d, 8);
    packed.append(b, 8);
  }
  got = DecodeProtobuf(r, Body("t.io/v1", "T", Pb().Bytes(4, packed)));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)["many"], Json::parse("[1.0,2.0]"));
  // NaN has no JSON form.
  EXPECT_FALSE(DecodeProtobuf(r, Body("t.io/v1", "T", Pb().Double(3, std::nan("")))).ok());
}

TEST(DecodeProtobuf, EnvelopeKindsAndUnknownFields) {
  // Option types are registered in every group version.
  Json del = Decode(Body("apps/v1", "DeleteOptions",
                         Pb().Varint(1, 30).Bytes(4, "Foreground").Bytes(5, "All")));
  EXPECT_EQ(del, Json::parse(R"({"apiVersion":"apps/v1","kind":"DeleteOptions",
      "gracePeriodSeconds":30,"propagationPolicy":"Foreground","dryRun":["All"]})"));
  // Unknown field numbers are skipped, whatever their wire type.
  Pb cm;
  cm.Varint(99, 5).Bytes(100, "x").Fixed64(101, 1).MapStr(2, "k", "v");
  cm.Key(102, 5);
  cm.Append(std::string(4, '\0'));
  EXPECT_EQ(Decode(Body("v1", "ConfigMap", cm))["data"], Json::parse(R"({"k":"v"})"));
  // Eviction, as kubectl drain sends it.
  Json ev = Decode(Body("policy/v1", "Eviction",
                        Pb().Msg(1, GoObjectMeta("p", "ns")).Msg(2, Pb().Varint(1, 0))));
  EXPECT_EQ(ev["deleteOptions"], Json::parse(R"({"gracePeriodSeconds":0})"));
  // kubectl certificate approve: PUT .../approval with the CSR and a new condition.
  Json csr = Decode(Body(
      "certificates.k8s.io/v1", "CertificateSigningRequest",
      Pb().Msg(1, GoObjectMeta("csr1"))
          .Msg(2, Pb().Bytes(1, "-----BEGIN").Bytes(2, "bob").Bytes(4, "system:authenticated")
                      .Bytes(5, "client auth").Bytes(7, "kubernetes.io/kube-apiserver-client"))
          .Msg(3, Pb().Msg(1, Pb().Bytes(1, "Approved").Bytes(6, "True")
                                  .Bytes(2, "KubectlApprove").Bytes(3, "ok")
                                  .Msg(4, Pb().Varint(1, 1700000000)).Msg(5, Pb())))));
  EXPECT_EQ(csr["spec"], Json::parse(R"({"request":"LS0tLS1CRUdJTg==","username":"bob",
      "groups":["system:authenticated"],"usages":["client auth"],
      "signerName":"kubernetes.io/kube-apiserver-client"})"));
  EXPECT_EQ(csr["status"], Json::parse(R"({"conditions":[{"type":"Approved","status":"True",
      "reason":"KubectlApprove","message":"ok","lastUpdateTime":"2023-11-14T22:13:20Z"}]})"));
  // A Role (kubectl create role).
  Json role = Decode(Body("rbac.authorization.k8s.io/v1", "Role",
                          Pb().Msg(1, GoObjectMeta("r"))
                              .Msg(2, Pb().Bytes(1, "get").Bytes(1, "list").Bytes(2, "")
                                          .Bytes(3, "pods").Bytes(4, "web"))));
  EXPECT_EQ(role["rules"], Json::parse(R"([{"verbs":["get","list"],"apiGroups":[""],
      "resources":["pods"],"resourceNames":["web"]}])"));
}

TEST(DecodeProtobuf, BadInput) {
  auto expect_bad = [](const std::string& body, const std::string& needle) {
    Status st = DecodeError(body);
    EXPECT_EQ(st.code(), Code::kBadRequest) << needle;
    EXPECT_NE(st.message().find(needle), std::string::npos) << st.message();
  };
  expect_bad("", "prefix");
  expect_bad("{\"kind\":\"ConfigMap\"}", "prefix");
  expect_bad(std::string("k8s\0", 4), "Kind");
  expect_bad(Body("v1", "", Pb()), "Kind");
  expect_bad(Body("v1", "Frobnicator", Pb()), "no kind \"Frobnicator\"");
  expect_bad(Body("v2", "ConfigMap", Pb()), "no kind");
  expect_bad(Body("", "ConfigMap", Pb()), "no kind");
  expect_bad(Body("v1", "ObjectMeta", Pb()), "no kind");  // not a top-level kind
  expect_bad(std::string("k8s\0", 4) + "\x0a\x05\x0a", "past the end");
  expect_bad(std::string("k8s\0", 4) + "\x12\xff", "truncated varint");
  expect_bad(std::string("k8s\0", 4) + "\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
             "overflows");
  expect_bad(std::string("k8s\0", 4) + "\x08\x01", "wire type");  // envelope field 1 varint
  expect_bad(std::string("k8s\0", 4) + "\x0b", "wire type");       // group start
  expect_bad(std::string("k8s\0", 4) + "\x2b", "wire type 3");     // group start, field 5
  expect_bad(std::string("k8s\0", 4) + std::string("\x00\x01", 2), "field number");
  Pb unknown;
  unknown.Msg(1, Pb().Bytes(1, "v1").Bytes(2, "ConfigMap")).Bytes(2, "").Bytes(3, "gzip");
  expect_bad(std::string("k8s\0", 4) + unknown.str(), "contentEncoding");

  // Inside the object.
  expect_bad(Body("v1", "ConfigMap", Pb().Varint(1, 5)), "wire type");      // metadata varint
  expect_bad(Body("v1", "ConfigMap", Pb().Bytes(4, "x")), "wire type");     // immutable bytes
  expect_bad(Body("v1", "ConfigMap", Pb().Varint(2, 1)), "wire type");      // map entry varint
  expect_bad(Body("v1", "ConfigMap", Pb().Append("\x0a\x03\x0a")), "past the end");
  expect_bad(Body("v1", "ConfigMap", Pb().Msg(1, Pb().Append("\x0a\x09"))), "past the end");
  expect_bad(Body("v1", "ConfigMap", Pb().Append("\x20")), "truncated varint");
  expect_bad(Body("v1", "ConfigMap", Pb().Msg(2, Pb().Varint(1, 3))), "wire type");  // map key
  expect_bad(Body("apps/v1", "ControllerRevision", Pb().Msg(2, Pb().Bytes(1, "{not json"))),
             "JSON");
  expect_bad(Body("apps/v1", "ControllerRevision", Pb().Msg(2, Pb().Varint(1, 1))),
             "wire type");
  expect_bad(Body("v1", "Namespace",
                  Pb().Msg(1, Pb().Msg(8, Pb().Int(1, 253402300800)))),  // year 10000
             "time out of range");
  expect_bad(Body("v1", "Namespace", Pb().Msg(1, Pb().Msg(8, Pb().Int(1, -62135596801)))),
             "time out of range");
  expect_bad(Body("coordination.k8s.io/v1", "Lease",
                  Pb().Msg(2, Pb().Msg(3, Pb().Varint(1, 1).Int(2, -5)))),
             "nanos");
  expect_bad(Body("v1", "Service",
                  Pb().Msg(2, Pb().Msg(1, Pb().Msg(4, Pb().Bytes(2, "x"))))),
             "IntOrString");
  expect_bad(Body("v1", "Pod", Pb().Msg(2, Pb().Msg(14, Pb().Bytes(4, "\xff")))),
             "truncated varint");  // a packed int64 list cut short
}

TEST(DecodeProtobuf, InvalidUtf8BecomesReplacementCharacter) {
  Json got = Decode(Body("v1", "ConfigMap",
                         Pb().MapStr(2, std::string("k\xff", 2), "a\xc3(b\xed\xa0\x80.\xe2\x82\xac")));
  EXPECT_EQ(got["data"], Json::parse("{\"k\\ufffd\":\"a\\ufffd(b\\ufffd\\ufffd\\ufffd.\u20ac\"}"));
  EXPECT_NO_THROW(got.dump());
}

TEST(DecodeProtobuf, DeepNestingIsRejected) {
  SchemaRegistry r;
  ASSERT_TRUE(r.Load("package t\ntype N gvk=t.io/v1/N\n  child 1 N\n  raw 2 RawExtension\n").ok());
  Pb inner;
  for (int i = 0; i < 5000; ++i) inner = Pb().Msg(1, inner);
  StatusOr<Json> got = DecodeProtobuf(r, Body("t.io/v1", "N", inner));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("too deep"), std::string::npos);

  Pb shallow;
  for (int i = 0; i < 20; ++i) shallow = Pb().Msg(1, shallow);
  EXPECT_TRUE(DecodeProtobuf(r, Body("t.io/v1", "N", shallow)).ok());

  // Envelopes nested through RawExtension count too.
  std::string body = Body("t.io/v1", "N", Pb());
  for (int i = 0; i < 200; ++i) body = Body("t.io/v1", "N", Pb().Msg(2, Pb().Bytes(1, body)));
  EXPECT_FALSE(DecodeProtobuf(r, body).ok());
  // Deep JSON inside a RawExtension.
  std::string deep_json = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_FALSE(DecodeProtobuf(r, Body("t.io/v1", "N", Pb().Msg(2, Pb().Bytes(1, deep_json)))).ok());
}

// Random truncations and mutations of real bodies: never a crash, an over-read (run under
// MINIK_SANITIZE) or a JSON value that cannot be dumped.
TEST(DecodeProtobuf, FuzzMutationsNeverCrash) {
  std::vector<std::string> seeds;
  for (const char* hex : {kNamespace, kConfigMap, kSecret, kDeployment, kService, kCronJob,
                          kJob, kSelfSubjectAccessReview, kSelfSubjectReview, kTokenRequest,
                          kPodDisruptionBudget, kRoleBinding, kIngress, kResourceQuota,
                          kPriorityClass, kServiceAccount, kConfigMapFromFile, kIngressFull,
                          kServiceNodePort, kPdbMaxUnavailable, kSelfSubjectRulesReview,
                          kTokenRequestBound, kDeploymentTwoImages, kSecretDockerRegistry}) {
    seeds.push_back(Unhex(hex));
  }
  size_t ok = 0, failed = 0;
  auto run = [&](const std::string& body) {
    StatusOr<Json> r = DecodeProtobuf(BuiltinSchemas(), body);
    if (r.ok()) {
      ++ok;
      EXPECT_NO_THROW(r->dump());
    } else {
      ++failed;
      EXPECT_EQ(r.status().code(), Code::kBadRequest);
    }
  };
  for (const std::string& s : seeds) {
    for (size_t n = 0; n < s.size(); ++n) run(s.substr(0, n));
  }
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 30000; ++iter) {
    std::string body = seeds[rng() % seeds.size()];
    int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; ++e) {
      size_t pos = 4 + rng() % (body.size() - 4);  // keep the magic most of the time
      switch (rng() % 5) {
        case 0: body[pos] = static_cast<char>(rng()); break;
        case 1: body[pos] ^= static_cast<char>(1 << (rng() % 8)); break;
        case 2: body.insert(pos, 1, static_cast<char>(rng())); break;
        case 3: body.erase(pos, 1 + rng() % 8); break;
        case 4: body.insert(pos, body.substr(pos, rng() % 16)); break;
      }
      if (body.size() < 5) body = seeds[0];
    }
    run(body);
  }
  EXPECT_GT(ok, 0u);
  EXPECT_GT(failed, 0u);
}

}  // namespace
}  // namespace minik
