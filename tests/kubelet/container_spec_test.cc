#include "kubelet/container_spec.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

TEST(ExpandVarsTest, ReplacesKnownKeepsUnknownAndEscapes) {
  std::map<std::string, std::string> vars = {{"A", "x"}, {"B", "y"}};
  EXPECT_EQ(ExpandVars("$(A)-$(B)", vars), "x-y");
  EXPECT_EQ(ExpandVars("$(C)", vars), "$(C)");
  EXPECT_EQ(ExpandVars("$$(A)", vars), "$(A)");
  EXPECT_EQ(ExpandVars("$A $", vars), "$A $");
  EXPECT_EQ(ExpandVars("$(A", vars), "$(A");
  EXPECT_EQ(ExpandVars("", vars), "");
}

TEST(ResolvConfTest, ClusterFirstUsesClusterDns) {
  Json pod = {{"metadata", {{"name", "p"}, {"namespace", "ns1"}}}, {"spec", Json::object()}};
  EXPECT_EQ(ResolvConf(pod, "10.96.0.10", "cluster.local", "nameserver 1.1.1.1\n"),
            "search ns1.svc.cluster.local svc.cluster.local cluster.local\n"
            "nameserver 10.96.0.10\noptions ndots:5\n");
  pod["spec"]["dnsPolicy"] = "Default";
  EXPECT_EQ(ResolvConf(pod, "10.96.0.10", "cluster.local", "nameserver 1.1.1.1\n"),
            "nameserver 1.1.1.1\n");
  pod["spec"]["dnsPolicy"] = "None";
  pod["spec"]["dnsConfig"] = {{"nameservers", {"9.9.9.9"}}, {"options", {{{"name", "ndots"}, {"value", "2"}}}}};
  EXPECT_EQ(ResolvConf(pod, "10.96.0.10", "cluster.local", ""),
            "nameserver 9.9.9.9\noptions ndots:2\n");
}

TEST(HostsFileTest, PodEntryAndAliases) {
  Json pod = {{"metadata", {{"name", "web"}, {"namespace", "d"}}},
              {"spec", {{"hostAliases", {{{"ip", "1.2.3.4"}, {"hostnames", {"a", "b"}}}}}}}};
  std::string hosts = HostsFile(pod, "10.244.0.7");
  EXPECT_NE(hosts.find("10.244.0.7\tweb\n"), std::string::npos);
  EXPECT_NE(hosts.find("1.2.3.4\ta\tb\n"), std::string::npos);
}

TEST(SharesTest, MilliCpuToShares) {
  EXPECT_EQ(MilliCpuToShares(0), 2);
  EXPECT_EQ(MilliCpuToShares(1), 2);
  EXPECT_EQ(MilliCpuToShares(500), 512);
  EXPECT_EQ(MilliCpuToShares(1000), 1024);
}

class BuildSpecTest : public testing::Test {
 protected:
  StatusOr<ContainerSpec> Build(const Json& container) {
    ContainerInputs in;
    pod_["spec"]["containers"] = Json::array({container});
    in.pod = &pod_;
    in.container = &container;
    in.image = &image_;
    in.volumes = &volumes_;
    in.lookup = [this](const std::string& resource, const std::string& name) -> StatusOr<Json> {
      auto it = objects_.find(resource + "/" + name);
      if (it == objects_.end()) return Status(Code::kNotFound, name + " not found");
      return it->second;
    };
    in.service_env = {"KUBERNETES_SERVICE_HOST=10.96.0.1", "WEB_SERVICE_HOST=10.96.3.4"};
    in.pod_dir = "/pods/u1";
    ContainerSpec spec;
    Status st = BuildContainerSpec(in, &spec);
    if (!st.ok()) return st;
    return spec;
  }
  static std::string EnvOf(const ContainerSpec& s, const std::string& key) {
    for (const auto& kv : s.env)
      if (kv.rfind(key + "=", 0) == 0) return kv.substr(key.size() + 1);
    return "<unset>";
  }

  Json pod_ = {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u1"}, {"labels", {{"app", "x"}}}}},
               {"spec", Json::object()},
               {"status", {{"podIP", "10.244.0.9"}}}};
  ImageInfo image_ = [] {
    ImageInfo i;
    i.id = "sha256:abc";
    i.layer_dirs = {"/l1", "/l2"};
    i.config = {{"Env", {"PATH=/bin", "IMG=1"}}, {"Cmd", {"sh"}}, {"Entrypoint", {"/entry"}},
                {"WorkingDir", "/w"}, {"User", "1000:2000"}};
    return i;
  }();
  std::map<std::string, PreparedVolume> volumes_ = {{"data", {"/pods/u1/volumes/data", false}},
                                                    {"cfg", {"/pods/u1/volumes/cfg", true}}};
  std::map<std::string, Json> objects_ = {
      {"configmaps/cfg", {{"data", {{"color", "blue"}, {"bad key", "z"}}}}},
      {"secrets/sec", {{"data", {{"password", "czNjcjN0"}}}}}};
};

TEST_F(BuildSpecTest, CommandArgsAndImageDefaults) {
  auto s = Build({{"name", "c"}, {"image", "i"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->argv, (std::vector<std::string>{"/entry", "sh"}));
  EXPECT_EQ(s->working_dir, "/w");
  EXPECT_EQ(s->security.uid, 1000);
  EXPECT_EQ(s->security.gid, 2000);
  EXPECT_EQ(s->rootfs_layers, (std::vector<std::string>{"/l1", "/l2"}));
  s = Build({{"name", "c"}, {"image", "i"}, {"args", {"a"}}});
  EXPECT_EQ(s->argv, (std::vector<std::string>{"/entry", "a"}));
  s = Build({{"name", "c"}, {"image", "i"}, {"command", {"echo"}}, {"args", {"$(X)"}},
             {"env", {{{"name", "X"}, {"value", "hi"}}}}});
  EXPECT_EQ(s->argv, (std::vector<std::string>{"echo", "hi"}));
}

TEST_F(BuildSpecTest, EnvironmentSources) {
  Json c = {{"name", "c"},
            {"image", "i"},
            {"envFrom", {{{"configMapRef", {{"name", "cfg"}}}, {"prefix", "CM_"}}}},
            {"env",
             {{{"name", "LIT"}, {"value", "v-$(CM_color)"}},
              {{"name", "SEC"}, {"valueFrom", {{"secretKeyRef", {{"name", "sec"}, {"key", "password"}}}}}},
              {{"name", "IMG"}, {"value", "2"}},
              {{"name", "OPT"}, {"valueFrom", {{"configMapKeyRef", {{"name", "none"}, {"key", "k"}, {"optional", true}}}}}}}}};
  auto s = Build(c);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(EnvOf(*s, "CM_color"), "blue");
  EXPECT_EQ(EnvOf(*s, "CM_bad key"), "<unset>");
  EXPECT_EQ(EnvOf(*s, "LIT"), "v-blue");
  EXPECT_EQ(EnvOf(*s, "SEC"), "s3cr3t");
  EXPECT_EQ(EnvOf(*s, "IMG"), "2");  // the pod overrides the image
  EXPECT_EQ(EnvOf(*s, "PATH"), "/bin");
  EXPECT_EQ(EnvOf(*s, "OPT"), "<unset>");
  EXPECT_EQ(EnvOf(*s, "HOSTNAME"), "p");
  EXPECT_EQ(EnvOf(*s, "KUBERNETES_SERVICE_HOST"), "10.96.0.1");
  EXPECT_EQ(EnvOf(*s, "WEB_SERVICE_HOST"), "10.96.3.4");
}

TEST_F(BuildSpecTest, MissingSourcesAreConfigErrors) {
  auto s = Build({{"name", "c"}, {"image", "i"},
                  {"env", {{{"name", "X"}, {"valueFrom", {{"configMapKeyRef", {{"name", "nope"}, {"key", "k"}}}}}}}}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "configmap \"nope\" not found");
  s = Build({{"name", "c"}, {"image", "i"},
             {"env", {{{"name", "X"}, {"valueFrom", {{"configMapKeyRef", {{"name", "cfg"}, {"key", "k"}}}}}}}}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "couldn't find key k in ConfigMap ns/cfg");
  s = Build({{"name", "c"}, {"image", "i"}, {"volumeMounts", {{{"name", "nope"}, {"mountPath", "/x"}}}}});
  ASSERT_FALSE(s.ok());
}

TEST_F(BuildSpecTest, SecurityContext) {
  pod_["spec"]["securityContext"] = {{"runAsUser", 0}, {"runAsNonRoot", true}};
  auto s = Build({{"name", "c"}, {"image", "i"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("runAsNonRoot and image will run as root"), std::string::npos);
  pod_["spec"]["securityContext"] = {{"runAsUser", 1000}, {"fsGroup", 3000}, {"supplementalGroups", {4000}}};
  s = Build({{"name", "c"}, {"image", "i"},
             {"securityContext", {{"runAsUser", 1001}, {"allowPrivilegeEscalation", false},
                                  {"readOnlyRootFilesystem", true},
                                  {"capabilities", {{"drop", {"ALL"}}, {"add", {"NET_ADMIN"}}}},
                                  {"seccompProfile", {{"type", "RuntimeDefault"}}}}}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->security.uid, 1001);
  EXPECT_TRUE(s->security.no_new_privs);
  EXPECT_TRUE(s->security.read_only_rootfs);
  EXPECT_EQ(s->security.cap_drop, (std::vector<std::string>{"ALL"}));
  EXPECT_EQ(s->security.cap_add, (std::vector<std::string>{"NET_ADMIN"}));
  EXPECT_EQ(s->security.seccomp, SeccompMode::kRuntimeDefault);
  EXPECT_EQ(s->security.supplemental_groups, (std::vector<int64_t>{4000, 3000}));
}

TEST_F(BuildSpecTest, ResourcesAndMounts) {
  auto s = Build({{"name", "c"}, {"image", "i"},
                  {"resources", {{"limits", {{"memory", "64Mi"}, {"cpu", "500m"}}}}},
                  {"volumeMounts", {{{"name", "cfg"}, {"mountPath", "/cfg"}},
                                    {{"name", "data"}, {"mountPath", "/data"}, {"readOnly", true}}}}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->resources.memory_limit_bytes, 64 << 20);
  EXPECT_EQ(s->resources.cpu_quota_us, 50000);
  EXPECT_EQ(s->resources.cpu_period_us, 100000);
  EXPECT_EQ(s->resources.cpu_shares, 512);
  ASSERT_GE(s->mounts.size(), 5u);
  EXPECT_EQ(s->mounts[0].destination, "/cfg");
  EXPECT_TRUE(s->mounts[0].read_only);
  EXPECT_TRUE(s->mounts[1].read_only);
  bool hosts = false;
  for (const auto& m : s->mounts) hosts |= m.destination == "/etc/hosts" && m.source == "/pods/u1/etc-hosts";
  EXPECT_TRUE(hosts);
}

}  // namespace
}  // namespace minik
