// VolumeManager over a tiny fake Client: every volume type, fsGroup, tmpfs mounts, token
// projection and refresh, FailedMount wording, cleanup; and ResolveSubPath. Runs as root
// (tmpfs mounts); every mount and directory is removed whether a test passes or fails.
#include "kubelet/volumes.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/fake_clock.h"

namespace minik {
namespace {

namespace fs = std::filesystem;

// Objects by resource/namespace/name; serviceaccounts/token answers from `token_`.
class TinyClient final : public Client {
 public:
  void Put(const std::string& resource, const std::string& ns, Json obj) {
    std::string key = resource + "/" + ns + "/" + Name(obj);
    objects_[key] = std::move(obj);
  }
  void Drop(const std::string& resource, const std::string& ns, const std::string& name) {
    objects_.erase(resource + "/" + ns + "/" + name);
  }
  std::string token = "token-1";
  Status token_error;
  int token_requests = 0;
  Json last_token_request;
  std::string last_token_sa, last_token_ns;

  StatusOr<Json> Create(const ResourceRef& ref, const std::string& ns, Json obj,
                        const WriteOptions&, const std::string& subresource,
                        const std::string& name) override {
    if (ref.resource == "serviceaccounts" && subresource == "token") {
      ++token_requests;
      last_token_request = obj;
      last_token_sa = name;
      last_token_ns = ns;
      if (!token_error.ok()) return token_error;
      obj["status"] = {{"token", token}};
      return obj;
    }
    return NotImplemented("create");
  }
  StatusOr<Json> Get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                     const std::string&) override {
    auto it = objects_.find(ref.resource + "/" + ns + "/" + name);
    if (it == objects_.end()) return NotFound(ref.resource, name);
    return it->second;
  }
  StatusOr<Json> List(const ResourceRef&, const std::string&, const ListQuery&) override {
    return NotImplemented("list");
  }
  StatusOr<Json> Update(const ResourceRef&, const std::string&, Json, const WriteOptions&,
                        const std::string&) override {
    return NotImplemented("update");
  }
  StatusOr<Json> Patch(const ResourceRef&, const std::string&, const std::string&, PatchType,
                       const std::string&, const WriteOptions&, const std::string&) override {
    return NotImplemented("patch");
  }
  StatusOr<Json> Delete(const ResourceRef&, const std::string&, const std::string&,
                        const DeleteOptions&) override {
    return NotImplemented("delete");
  }
  StatusOr<Json> DeleteCollection(const ResourceRef&, const std::string&, const ListQuery&,
                                  const DeleteOptions&) override {
    return NotImplemented("deletecollection");
  }
  StatusOr<std::unique_ptr<ObjectWatcher>> Watch(const ResourceRef&, const std::string&,
                                                 const ListQuery&,
                                                 std::function<void()>) override {
    return NotImplemented("watch");
  }

 private:
  std::map<std::string, Json> objects_;
};

bool MountedBelow(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(" " + dir) != std::string::npos) return true;
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class VolumesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/volXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = fs::canonical(tmpl).string();
    pods_ = root_ + "/pods";
    host_ = root_ + "/host";
    fs::create_directories(host_);
    options_.pods_dir = pods_;
    options_.node_cpu_milli = 2000;
    options_.node_memory_bytes = 1 << 30;
    options_.clock = &clock_;
    manager_ = std::make_unique<VolumeManager>(client_, options_);
  }
  void TearDown() override {
    // Unmount whatever a failed test left, deepest first, then remove everything.
    for (int i = 0; i < 10 && MountedBelow(root_); ++i) {
      std::ifstream in("/proc/self/mountinfo");
      std::string line;
      std::vector<std::string> mps;
      while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::string a, b, c, d, mp;
        ss >> a >> b >> c >> d >> mp;
        if (mp.rfind(root_, 0) == 0) mps.push_back(mp);
      }
      std::sort(mps.begin(), mps.end(), [](auto& x, auto& y) { return x.size() > y.size(); });
      for (const auto& mp : mps) ::umount2(mp.c_str(), MNT_DETACH);
    }
    EXPECT_FALSE(MountedBelow(root_));
    fs::remove_all(root_);
  }

  Json Pod(Json volumes, const std::string& uid = "uid-1") {
    Json pod = {{"metadata",
                 {{"name", "web"},
                  {"namespace", "default"},
                  {"uid", uid},
                  {"labels", {{"app", "web"}}}}},
                {"spec",
                 {{"serviceAccountName", "builder"},
                  {"containers", Json::array({{{"name", "main"}}})},
                  {"volumes", std::move(volumes)}}}};
    return pod;
  }
  StatusOr<PreparedVolume> PrepareOne(const Json& volume, Json pod = nullptr) {
    if (pod.is_null()) pod = Pod(Json::array({volume}));
    auto r = manager_->Prepare(pod);
    if (!r.ok()) return r.status();
    return r->at(GetString(volume, {"name"}));
  }
  std::string VolDir(const std::string& plugin, const std::string& name,
                     const std::string& uid = "uid-1") {
    return pods_ + "/" + uid + "/volumes/kubernetes.io~" + plugin + "/" + name;
  }
  void PutConfigMap(const std::string& name, Json data, Json binary = nullptr) {
    Json cm = {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"data", data}};
    if (!binary.is_null()) cm["binaryData"] = binary;
    client_.Put("configmaps", "default", cm);
  }

  std::string root_, pods_, host_;
  TinyClient client_;
  FakeClock clock_;
  VolumeOptions options_;
  std::unique_ptr<VolumeManager> manager_;
};

mode_t ModeOf(const std::string& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}
gid_t GroupOf(const std::string& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_gid;
}

// ---- emptyDir ----------------------------------------------------------------------------

TEST_F(VolumesTest, EmptyDirOnDisk) {
  auto v = PrepareOne({{"name", "scratch"}, {"emptyDir", Json::object()}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->host_path, VolDir("empty-dir", "scratch"));
  EXPECT_FALSE(v->read_only);
  EXPECT_EQ(ModeOf(v->host_path), 0777u);
  EXPECT_FALSE(MountedBelow(v->host_path));
  // User data survives a second Prepare.
  std::ofstream(v->host_path + "/data") << "keep";
  ASSERT_TRUE(PrepareOne({{"name", "scratch"}, {"emptyDir", Json::object()}}).ok());
  EXPECT_EQ(ReadFile(v->host_path + "/data"), "keep");
}

TEST_F(VolumesTest, EmptyDirInMemoryIsASizedTmpfs) {
  auto v = PrepareOne(
      {{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "2Mi"}}}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(MountedBelow(v->host_path));
  auto space = fs::space(v->host_path);
  EXPECT_EQ(space.capacity, 2u << 20);
  EXPECT_EQ(ModeOf(v->host_path), 0777u);
  // Idempotent: not mounted twice.
  ASSERT_TRUE(PrepareOne({{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}}}}).ok());
  ASSERT_TRUE(manager_->Cleanup("uid-1").ok());
  EXPECT_FALSE(MountedBelow(root_));
  EXPECT_FALSE(fs::exists(pods_ + "/uid-1"));
}

TEST_F(VolumesTest, MemoryVolumeSizeFollowsThePodLimitAndTheNode) {
  Json vol = {{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}}}};
  auto v = PrepareOne(vol);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(fs::space(v->host_path).capacity, uint64_t{1} << 30);  // the node allocatable
  ASSERT_TRUE(manager_->Cleanup("uid-1").ok());

  Json pod = Pod(Json::array({vol}));
  pod["spec"]["containers"][0]["resources"]["limits"]["memory"] = "64Mi";
  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(fs::space(r->at("mem").host_path).capacity, uint64_t{64} << 20);
  ASSERT_TRUE(manager_->Cleanup("uid-1").ok());

  // A sizeLimit above the pod limit does not raise it.
  pod["spec"]["volumes"][0]["emptyDir"]["sizeLimit"] = "1Gi";
  r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(fs::space(r->at("mem").host_path).capacity, uint64_t{64} << 20);
}

TEST_F(VolumesTest, EmptyDirBadMedium) {
  auto v = PrepareOne({{"name", "x"}, {"emptyDir", {{"medium", "Floppy"}}}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(),
            "MountVolume.SetUp failed for volume \"x\" : unknown storage medium \"Floppy\"");
  v = PrepareOne({{"name", "x"}, {"emptyDir", {{"medium", "HugePages"}}}});
  EXPECT_EQ(v.status().code(), Code::kNotImplemented);
  v = PrepareOne({{"name", "x"}, {"emptyDir", {{"sizeLimit", "lots"}}}});
  EXPECT_FALSE(v.ok());
}

TEST_F(VolumesTest, FsGroupOnEmptyDir) {
  Json pod = Pod(Json::array({{{"name", "scratch"}, {"emptyDir", Json::object()}}}));
  pod["spec"]["securityContext"]["fsGroup"] = 2345;
  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::string dir = r->at("scratch").host_path;
  EXPECT_EQ(GroupOf(dir), 2345u);
  EXPECT_EQ(ModeOf(dir), 02777u);
}

// ---- hostPath ----------------------------------------------------------------------------

TEST_F(VolumesTest, HostPathTypes) {
  auto hp = [&](const std::string& path, const std::string& type) {
    Json src = {{"path", path}};
    if (!type.empty()) src["type"] = type;
    return PrepareOne({{"name", "h"}, {"hostPath", src}});
  };
  auto v = hp(host_ + "/absent", "");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->host_path, host_ + "/absent");
  EXPECT_FALSE(fs::exists(host_ + "/absent"));

  ASSERT_TRUE(hp(host_ + "/made/deep", "DirectoryOrCreate").ok());
  EXPECT_TRUE(fs::is_directory(host_ + "/made/deep"));
  EXPECT_EQ(ModeOf(host_ + "/made/deep"), 0755u);
  EXPECT_TRUE(hp(host_ + "/made/deep", "Directory").ok());

  ASSERT_TRUE(hp(host_ + "/file", "FileOrCreate").ok());
  EXPECT_TRUE(fs::is_regular_file(host_ + "/file"));
  EXPECT_TRUE(hp(host_ + "/file", "File").ok());
  EXPECT_TRUE(hp("/dev/null", "CharDevice").ok());

  v = hp(host_ + "/file", "Directory");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"h\" : hostPath type "
                                  "check failed: " + host_ + "/file is not a directory, it's a File");
  v = hp(host_ + "/nope", "Directory");
  EXPECT_EQ(v.status().message(),
            "MountVolume.SetUp failed for volume \"h\" : hostPath " + host_ + "/nope doesn't exist");
  v = hp(host_ + "/made", "File");
  EXPECT_NE(v.status().message().find("is not a file, it's a Directory"), std::string::npos);
  v = hp("/dev/null", "BlockDevice");
  EXPECT_NE(v.status().message().find("/dev/null is not a block device, it's a CharDevice"),
            std::string::npos);
  v = hp(host_ + "/file", "Socket");
  EXPECT_NE(v.status().message().find("is not a socket file"), std::string::npos);
  v = hp(host_ + "/file", "Weird");
  EXPECT_NE(v.status().message().find("Weird is an invalid volume type"), std::string::npos);
  v = hp(host_ + "/file", "CharDevice");
  EXPECT_NE(v.status().message().find("is not a character device"), std::string::npos);

  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = host_ + "/s.sock";
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_TRUE(hp(sock, "Socket").ok());
  ::close(s);
  EXPECT_FALSE(hp("relative/dir", "").ok());
  EXPECT_FALSE(hp(host_ + "/../escape", "DirectoryOrCreate").ok());
  EXPECT_FALSE(fs::exists(root_ + "/escape"));
  // FileOrCreate on an existing directory is a type error, as upstream.
  EXPECT_FALSE(hp(host_ + "/made", "FileOrCreate").ok());
}

// ---- configMap ---------------------------------------------------------------------------

TEST_F(VolumesTest, ConfigMapAllKeys) {
  PutConfigMap("cfg", {{"app.conf", "x=1\n"}, {"mode", "dev"}}, {{"blob", "AAEC"}});
  auto v = PrepareOne({{"name", "config"}, {"configMap", {{"name", "cfg"}}}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->host_path, VolDir("configmap", "config"));
  EXPECT_TRUE(v->read_only);
  EXPECT_EQ(ReadFile(v->host_path + "/app.conf"), "x=1\n");
  EXPECT_EQ(ReadFile(v->host_path + "/mode"), "dev");
  EXPECT_EQ(ReadFile(v->host_path + "/blob"), std::string("\0\1\2", 3));
  EXPECT_EQ(fs::read_symlink(v->host_path + "/mode"), "..data/mode");
  EXPECT_EQ(ModeOf(v->host_path + "/mode"), 0644u);
  EXPECT_FALSE(MountedBelow(v->host_path));
}

TEST_F(VolumesTest, ConfigMapItemsAndModes) {
  PutConfigMap("cfg", {{"a", "1"}, {"b", "2"}});
  Json src = {{"name", "cfg"},
              {"defaultMode", 0440},
              {"items", {{{"key", "a"}, {"path", "dir/a.txt"}, {"mode", 0600}},
                         {{"key", "b"}, {"path", "b.txt"}}}}};
  auto v = PrepareOne({{"name", "config"}, {"configMap", src}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(ReadFile(v->host_path + "/dir/a.txt"), "1");
  EXPECT_EQ(ModeOf(v->host_path + "/dir/a.txt"), 0600u);
  EXPECT_EQ(ModeOf(v->host_path + "/b.txt"), 0440u);
  EXPECT_FALSE(fs::exists(v->host_path + "/a"));
}

TEST_F(VolumesTest, ConfigMapUpdatesAtomically) {
  PutConfigMap("cfg", {{"a", "1"}, {"b", "2"}});
  Json vol = {{"name", "config"}, {"configMap", {{"name", "cfg"}}}};
  auto v = PrepareOne(vol);
  ASSERT_TRUE(v.ok());
  std::string first = fs::read_symlink(v->host_path + "/..data");
  ASSERT_TRUE(PrepareOne(vol).ok());
  EXPECT_EQ(fs::read_symlink(v->host_path + "/..data"), first);  // unchanged: no new dir

  PutConfigMap("cfg", {{"a", "one"}, {"c", "3"}});
  ASSERT_TRUE(PrepareOne(vol).ok());
  std::string second = fs::read_symlink(v->host_path + "/..data");
  EXPECT_NE(second, first);
  EXPECT_FALSE(fs::exists(v->host_path + "/" + first));
  EXPECT_EQ(ReadFile(v->host_path + "/a"), "one");
  EXPECT_EQ(ReadFile(v->host_path + "/c"), "3");
  EXPECT_FALSE(fs::exists(fs::symlink_status(v->host_path + "/b")));
}

TEST_F(VolumesTest, ConfigMapErrors) {
  auto v = PrepareOne({{"name", "config"}, {"configMap", {{"name", "cfg"}}}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kNotFound);
  EXPECT_EQ(v.status().message(),
            "MountVolume.SetUp failed for volume \"config\" : configmap \"cfg\" not found");

  PutConfigMap("cfg", {{"a", "1"}});
  v = PrepareOne({{"name", "config"},
                  {"configMap", {{"name", "cfg"}, {"items", {{{"key", "x"}, {"path", "x"}}}}}}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"config\" : configmap "
                                  "references non-existent config key: x");

  v = PrepareOne({{"name", "config"},
                  {"configMap", {{"name", "cfg"}, {"items", {{{"key", "a"}, {"path", "../a"}}}}}}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"config\" : invalid "
                                  "path: must not contain '..': ../a");
  v = PrepareOne({{"name", "config"},
                  {"configMap", {{"name", "cfg"}, {"items", {{{"key", "a"}, {"path", "/etc/a"}}}}}}});
  EXPECT_NE(v.status().message().find("must be relative path: /etc/a"), std::string::npos);
  v = PrepareOne({{"name", "../evil"}, {"configMap", {{"name", "cfg"}}}});
  EXPECT_FALSE(v.ok());
  EXPECT_FALSE(fs::exists(pods_ + "/uid-1/volumes/evil"));
}

TEST_F(VolumesTest, OptionalConfigMap) {
  Json vol = {{"name", "config"},
              {"configMap",
               {{"name", "cfg"}, {"optional", true}, {"items", {{{"key", "x"}, {"path", "x"}}}}}}};
  auto v = PrepareOne(vol);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(fs::exists(v->host_path + "/..data"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(v->host_path + "/x")));
  // Present but without the key: still fine when optional.
  PutConfigMap("cfg", {{"a", "1"}});
  ASSERT_TRUE(PrepareOne(vol).ok());
  PutConfigMap("cfg", {{"x", "now"}});
  ASSERT_TRUE(PrepareOne(vol).ok());
  EXPECT_EQ(ReadFile(v->host_path + "/x"), "now");
}

TEST_F(VolumesTest, FsGroupOnConfigMap) {
  PutConfigMap("cfg", {{"a", "1"}});
  Json pod = Pod(Json::array(
      {{{"name", "config"}, {"configMap", {{"name", "cfg"}, {"defaultMode", 0600}}}}}));
  pod["spec"]["securityContext"]["fsGroup"] = 3000;
  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::string dir = r->at("config").host_path;
  EXPECT_EQ(GroupOf(dir + "/a"), 3000u);
  EXPECT_EQ(ModeOf(dir + "/a"), 0640u);  // g+r on a read-only volume
  EXPECT_EQ(GroupOf(dir), 3000u);
  EXPECT_EQ(ModeOf(dir) & 02000, 02000u);
  std::string ts = fs::read_symlink(dir + "/..data");
  EXPECT_EQ(ModeOf(dir + "/" + ts) & 02000, 02000u);
}

// ---- secret ------------------------------------------------------------------------------

TEST_F(VolumesTest, SecretIsDecodedOnTmpfs) {
  client_.Put("secrets", "default",
              {{"metadata", {{"name", "creds"}}},
               {"data", {{"user", "YWRtaW4="}, {"pass", "czNjcjN0IQ=="}}}});
  auto v = PrepareOne({{"name", "s"}, {"secret", {{"secretName", "creds"}, {"defaultMode", 0400}}}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->host_path, VolDir("secret", "s"));
  EXPECT_TRUE(v->read_only);
  EXPECT_TRUE(MountedBelow(v->host_path));
  EXPECT_EQ(ReadFile(v->host_path + "/user"), "admin");
  EXPECT_EQ(ReadFile(v->host_path + "/pass"), "s3cr3t!");
  EXPECT_EQ(ModeOf(v->host_path + "/pass"), 0400u);
  // Refresh keeps a single mount.
  ASSERT_TRUE(PrepareOne({{"name", "s"}, {"secret", {{"secretName", "creds"}}}}).ok());
  ASSERT_TRUE(manager_->Cleanup("uid-1").ok());
  EXPECT_FALSE(MountedBelow(root_));
}

TEST_F(VolumesTest, SecretErrors) {
  auto v = PrepareOne({{"name", "s"}, {"secret", {{"secretName", "creds"}}}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(),
            "MountVolume.SetUp failed for volume \"s\" : secret \"creds\" not found");
  v = PrepareOne({{"name", "s"}, {"secret", {{"secretName", "creds"}, {"optional", true}}}});
  EXPECT_TRUE(v.ok());
  client_.Put("secrets", "default", {{"metadata", {{"name", "creds"}}}, {"data", {{"a", "YQ=="}}}});
  v = PrepareOne({{"name", "s"},
                  {"secret", {{"secretName", "creds"}, {"items", {{{"key", "b"}, {"path", "b"}}}}}}});
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"s\" : references "
                                  "non-existent secret key: b");
  client_.Put("secrets", "default", {{"metadata", {{"name", "creds"}}}, {"data", {{"a", "!!"}}}});
  v = PrepareOne({{"name", "s"}, {"secret", {{"secretName", "creds"}}}});
  EXPECT_FALSE(v.ok());
}

// ---- downwardAPI -------------------------------------------------------------------------

TEST_F(VolumesTest, DownwardApiVolumeFollowsLabels) {
  Json vol = {{"name", "info"},
              {"downwardAPI",
               {{"items",
                 {{{"path", "labels"}, {"fieldRef", {{"fieldPath", "metadata.labels"}}}},
                  {{"path", "cpu"},
                   {"resourceFieldRef",
                    {{"containerName", "main"}, {"resource", "limits.cpu"}, {"divisor", "1m"}}}}}}}}};
  Json pod = Pod(Json::array({vol}));
  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::string dir = r->at("info").host_path;
  EXPECT_EQ(dir, VolDir("downward-api", "info"));
  EXPECT_EQ(ReadFile(dir + "/labels"), "app=\"web\"");
  EXPECT_EQ(ReadFile(dir + "/cpu"), "2000");  // no limit: the node allocatable
  EXPECT_FALSE(MountedBelow(dir));
  pod["metadata"]["labels"]["zone"] = "a";
  ASSERT_TRUE(manager_->Prepare(pod).ok());
  EXPECT_EQ(ReadFile(dir + "/labels"), "app=\"web\"\nzone=\"a\"");
}

// ---- projected ---------------------------------------------------------------------------

Json ProjectedVolume() {
  return Json::parse(R"({"name": "all", "projected": {"defaultMode": 420, "sources": [
    {"configMap": {"name": "cfg", "items": [{"key": "a", "path": "cfg/a"}]}},
    {"secret": {"name": "creds"}},
    {"downwardAPI": {"items": [{"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}},
    {"serviceAccountToken": {"path": "token", "audience": "vault", "expirationSeconds": 7200}}
  ]}})");
}

TEST_F(VolumesTest, ProjectedCombinesSourcesOnTmpfs) {
  PutConfigMap("cfg", {{"a", "1"}});
  client_.Put("secrets", "default", {{"metadata", {{"name", "creds"}}}, {"data", {{"k", "dg=="}}}});
  auto v = PrepareOne(ProjectedVolume());
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->host_path, VolDir("projected", "all"));
  EXPECT_TRUE(MountedBelow(v->host_path));
  EXPECT_EQ(ReadFile(v->host_path + "/cfg/a"), "1");
  EXPECT_EQ(ReadFile(v->host_path + "/k"), "v");
  EXPECT_EQ(ReadFile(v->host_path + "/name"), "web");
  EXPECT_EQ(ReadFile(v->host_path + "/token"), "token-1");
  EXPECT_EQ(ModeOf(v->host_path + "/token"), 0644u);

  EXPECT_EQ(client_.last_token_sa, "builder");
  EXPECT_EQ(client_.last_token_ns, "default");
  const Json& req = client_.last_token_request;
  EXPECT_EQ(req["kind"], "TokenRequest");
  EXPECT_EQ(req["apiVersion"], "authentication.k8s.io/v1");
  EXPECT_EQ(req["spec"]["audiences"], Json::array({"vault"}));
  EXPECT_EQ(req["spec"]["expirationSeconds"], 7200);
  EXPECT_EQ(req["spec"]["boundObjectRef"],
            (Json{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "web"}, {"uid", "uid-1"}}));
}

TEST_F(VolumesTest, ProjectedTokenIsCachedAndRefreshed) {
  PutConfigMap("cfg", {{"a", "1"}});
  client_.Put("secrets", "default", {{"metadata", {{"name", "creds"}}}, {"data", {{"k", "dg=="}}}});
  ASSERT_TRUE(PrepareOne(ProjectedVolume()).ok());
  EXPECT_EQ(client_.token_requests, 1);
  clock_.SetNow(clock_.Now() + std::chrono::seconds(60));
  ASSERT_TRUE(PrepareOne(ProjectedVolume()).ok());
  EXPECT_EQ(client_.token_requests, 1);
  // Past 80% of 7200 s: a new token is requested and written.
  client_.token = "token-2";
  clock_.SetNow(clock_.Now() + std::chrono::seconds(5760));
  auto v = PrepareOne(ProjectedVolume());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(client_.token_requests, 2);
  EXPECT_EQ(ReadFile(v->host_path + "/token"), "token-2");
  // A failing refresh keeps serving the unexpired token.
  client_.token_error = Internal("apiserver down");
  clock_.SetNow(clock_.Now() + std::chrono::seconds(5760));
  ASSERT_TRUE(PrepareOne(ProjectedVolume()).ok());
  EXPECT_EQ(client_.token_requests, 3);
  EXPECT_EQ(ReadFile(v->host_path + "/token"), "token-2");
}

TEST_F(VolumesTest, ProjectedTokenFailureIsAnError) {
  client_.token_error = Status(Code::kForbidden, "serviceaccounts \"builder\" is forbidden");
  Json vol = Json::parse(R"({"name": "tok", "projected": {"sources": [
    {"serviceAccountToken": {"path": "token"}}]}})");
  auto v = PrepareOne(vol);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kForbidden);
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"tok\" : serviceaccounts "
                                  "\"builder\" is forbidden");
  EXPECT_FALSE(client_.last_token_request["spec"].contains("audiences"));
  EXPECT_EQ(client_.last_token_request["spec"]["expirationSeconds"], 3600);
}

TEST_F(VolumesTest, ProjectedErrorsAreAggregated) {
  auto v = PrepareOne(ProjectedVolume());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"all\" : [configmap "
                                  "\"cfg\" not found, secret \"creds\" not found]");
}

TEST_F(VolumesTest, ProjectedTokenWithFsGroupIs0640) {
  Json pod = Pod(Json::array({Json::parse(R"({"name": "tok", "projected": {"sources": [
    {"serviceAccountToken": {"path": "token"}}]}})")}));
  pod["spec"]["securityContext"]["fsGroup"] = 1234;
  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ModeOf(r->at("tok").host_path + "/token"), 0640u);
  EXPECT_EQ(GroupOf(r->at("tok").host_path + "/token"), 1234u);
}

// ---- persistentVolumeClaim ---------------------------------------------------------------

TEST_F(VolumesTest, PersistentVolumeClaim) {
  Json vol = {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "claim"}}}};
  auto v = PrepareOne(vol);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kNotFound);
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"data\" : error "
                                  "processing PVC default/claim: failed to fetch PVC from API "
                                  "server: persistentvolumeclaims \"claim\" not found");

  client_.Put("persistentvolumeclaims", "default",
              {{"metadata", {{"name", "claim"}, {"uid", "c-1"}}},
               {"spec", Json::object()},
               {"status", {{"phase", "Pending"}}}});
  v = PrepareOne(vol);
  EXPECT_EQ(v.status().message(), "MountVolume.SetUp failed for volume \"data\" : error "
                                  "processing PVC default/claim: PVC is not bound");

  client_.Put("persistentvolumeclaims", "default",
              {{"metadata", {{"name", "claim"}, {"uid", "c-1"}}},
               {"spec", {{"volumeName", "pv-1"}}},
               {"status", {{"phase", "Bound"}}}});
  client_.Put("persistentvolumes", "",
              {{"metadata", {{"name", "pv-1"}}},
               {"spec",
                {{"hostPath", {{"path", host_ + "/pv-1"}, {"type", "DirectoryOrCreate"}}},
                 {"claimRef", {{"name", "claim"}, {"namespace", "default"}, {"uid", "c-1"}}}}}});
  v = PrepareOne(vol);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->host_path, host_ + "/pv-1");
  EXPECT_FALSE(v->read_only);
  EXPECT_TRUE(fs::is_directory(host_ + "/pv-1"));
  vol["persistentVolumeClaim"]["readOnly"] = true;
  EXPECT_TRUE(PrepareOne(vol)->read_only);

  client_.Put("persistentvolumes", "",
              {{"metadata", {{"name", "pv-1"}}},
               {"spec", {{"nfs", {{"server", "x"}}}, {"claimRef", {{"uid", "c-1"}}}}}});
  EXPECT_EQ(PrepareOne(vol).status().code(), Code::kNotImplemented);
  client_.Put("persistentvolumes", "",
              {{"metadata", {{"name", "pv-1"}}},
               {"spec", {{"hostPath", {{"path", "/"}}}, {"claimRef", {{"uid", "other"}}}}}});
  EXPECT_NE(PrepareOne(vol).status().message().find("does not point to claim.UID c-1"),
            std::string::npos);
}

// ---- other types, cleanup ------------------------------------------------------------------

TEST_F(VolumesTest, UnsupportedTypesSayNotImplemented) {
  auto v = PrepareOne({{"name", "n"}, {"nfs", {{"server", "s"}, {"path", "/"}}}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kNotImplemented);
  EXPECT_EQ(v.status().message(),
            "MountVolume.SetUp failed for volume \"n\" : volume type nfs is not supported by minik");
}

TEST_F(VolumesTest, PodWithoutUidIsRejected) {
  Json pod = Pod(Json::array({{{"name", "x"}, {"emptyDir", Json::object()}}}), "../..");
  EXPECT_FALSE(manager_->Prepare(pod).ok());
  EXPECT_FALSE(manager_->Cleanup("..").ok());
  EXPECT_FALSE(manager_->Cleanup("").ok());
  EXPECT_FALSE(manager_->Cleanup("a/b").ok());
}

TEST_F(VolumesTest, CleanupRemovesEverythingButHostPaths) {
  PutConfigMap("cfg", {{"a", "1"}});
  client_.Put("secrets", "default", {{"metadata", {{"name", "creds"}}}, {"data", {{"k", "dg=="}}}});
  std::ofstream(host_ + "/keep") << "host data";
  Json pod = Pod(Json::array({{{"name", "e"}, {"emptyDir", Json::object()}},
                              {{"name", "m"}, {"emptyDir", {{"medium", "Memory"}}}},
                              {{"name", "s"}, {"secret", {{"secretName", "creds"}}}},
                              {{"name", "c"}, {"configMap", {{"name", "cfg"}}}},
                              {{"name", "h"}, {"hostPath", {{"path", host_}}}}}));
  auto r = manager_->Prepare(pod);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // A symlink to the host inside an emptyDir must not be followed by the removal.
  fs::create_directory_symlink(host_, r->at("e").host_path + "/escape");
  ASSERT_TRUE(manager_->Prepare(Pod(Json::array({{{"name", "e"}, {"emptyDir", Json::object()}}}),
                                    "uid-2"))
                  .ok());
  EXPECT_EQ(manager_->ListPodDirs(), (std::vector<std::string>{"uid-1", "uid-2"}));

  ASSERT_TRUE(manager_->Cleanup("uid-1").ok());
  EXPECT_FALSE(fs::exists(pods_ + "/uid-1"));
  EXPECT_FALSE(MountedBelow(pods_ + "/uid-1"));
  EXPECT_EQ(ReadFile(host_ + "/keep"), "host data");
  EXPECT_TRUE(manager_->Cleanup("uid-1").ok());  // idempotent
  EXPECT_EQ(manager_->ListPodDirs(), (std::vector<std::string>{"uid-2"}));
  ASSERT_TRUE(manager_->Cleanup("uid-2").ok());
  EXPECT_TRUE(manager_->ListPodDirs().empty());
}

TEST_F(VolumesTest, CleanupRemovesStackedMounts) {
  auto v = PrepareOne({{"name", "m"}, {"emptyDir", {{"medium", "Memory"}}}});
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(::mount("tmpfs", v->host_path.c_str(), "tmpfs", 0, "size=1m"), 0);
  ASSERT_TRUE(manager_->Cleanup("uid-1").ok());
  EXPECT_FALSE(MountedBelow(root_));
  EXPECT_FALSE(fs::exists(pods_ + "/uid-1"));
}

TEST_F(VolumesTest, CleanupDetachesABusyMount) {
  auto v = PrepareOne({{"name", "m"}, {"emptyDir", {{"medium", "Memory"}}}});
  ASSERT_TRUE(v.ok());
  std::string cwd = fs::current_path();
  int fd = ::open((v->host_path).c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fchdir(fd), 0);  // keeps the tmpfs busy
  Status st = manager_->Cleanup("uid-1");
  EXPECT_EQ(::chdir(cwd.c_str()), 0);
  ::close(fd);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_FALSE(MountedBelow(root_));
}

// ---- subPath -------------------------------------------------------------------------------

class SubPathTest : public VolumesTest {
 protected:
  void SetUp() override {
    VolumesTest::SetUp();
    vol_ = root_ + "/vol";
    fs::create_directories(vol_ + "/a/b");
    ::chmod(vol_.c_str(), 0751);
    std::ofstream(vol_ + "/a/file") << "f";
    std::ofstream(host_ + "/secret") << "host";
  }
  std::string vol_;
};

TEST_F(SubPathTest, Resolves) {
  EXPECT_EQ(*ResolveSubPath(vol_, ""), vol_);
  EXPECT_EQ(*ResolveSubPath(vol_, "a/b"), vol_ + "/a/b");
  EXPECT_EQ(*ResolveSubPath(vol_, "./a//file"), vol_ + "/a/file");
  fs::create_directory_symlink("a/b", vol_ + "/inside");
  EXPECT_EQ(*ResolveSubPath(vol_, "inside"), vol_ + "/a/b");
  fs::create_symlink("../file", vol_ + "/a/b/up");
  EXPECT_EQ(*ResolveSubPath(vol_, "a/b/up"), vol_ + "/a/file");
}

TEST_F(SubPathTest, CreatesMissingDirectoriesWithTheVolumeMode) {
  auto r = ResolveSubPath(vol_, "new/deeper");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, vol_ + "/new/deeper");
  EXPECT_TRUE(fs::is_directory(*r));
  EXPECT_EQ(ModeOf(vol_ + "/new"), 0751u);
  EXPECT_EQ(ModeOf(*r), 0751u);
}

TEST_F(SubPathTest, RejectsEscapes) {
  auto r = ResolveSubPath(vol_, "/etc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "error SubPath `/etc` must not be an absolute path");
  r = ResolveSubPath(vol_, "a/../../host");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unable to provision SubPath `a/../../host`: must not contain '..'");
  EXPECT_FALSE(ResolveSubPath(vol_, "..").ok());

  fs::create_directory_symlink(host_, vol_ + "/abs");
  r = ResolveSubPath(vol_, "abs");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "subpath \"" + vol_ + "/abs\" not within volume path \"" + vol_ + "\"");
  EXPECT_FALSE(ResolveSubPath(vol_, "abs/secret").ok());
  EXPECT_FALSE(ResolveSubPath(vol_, "abs/newdir").ok());
  EXPECT_FALSE(fs::exists(host_ + "/newdir"));

  fs::create_directory_symlink("../../host", vol_ + "/a/rel");
  EXPECT_FALSE(ResolveSubPath(vol_, "a/rel").ok());
  fs::create_symlink("missing-target", vol_ + "/dangling");
  EXPECT_FALSE(ResolveSubPath(vol_, "dangling").ok());
  // A file in the middle of the path.
  EXPECT_FALSE(ResolveSubPath(vol_, "a/file/x").ok());
  EXPECT_FALSE(ResolveSubPath(root_ + "/novol", "x").ok());
}

TEST_F(SubPathTest, ConfigMapKeyThroughItsSymlinks) {
  PutConfigMap("cfg", {{"app.conf", "x=1"}});
  auto v = PrepareOne({{"name", "config"}, {"configMap", {{"name", "cfg"}}}});
  ASSERT_TRUE(v.ok());
  auto r = ResolveSubPath(v->host_path, "app.conf");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ReadFile(*r), "x=1");
  std::string ts = fs::read_symlink(v->host_path + "/..data");
  EXPECT_EQ(*r, v->host_path + "/" + ts + "/app.conf");
}

TEST_F(SubPathTest, PrepareSubPathBindsWhatWasChecked) {
  auto v = PrepareOne({{"name", "scratch"}, {"emptyDir", Json::object()}});
  ASSERT_TRUE(v.ok());
  fs::create_directories(v->host_path + "/app/data");
  std::ofstream(v->host_path + "/app/data/f") << "mine";
  auto t = manager_->PrepareSubPath("uid-1", "scratch", "main", 0, v->host_path, "app/data");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(*t, pods_ + "/uid-1/volume-subpaths/scratch/main/0");
  EXPECT_TRUE(MountedBelow(*t));
  EXPECT_EQ(ReadFile(*t + "/f"), "mine");

  // The container swaps the directory for a symlink to the host: the bind is unaffected.
  fs::rename(v->host_path + "/app/data", v->host_path + "/app/moved");
  fs::create_directory_symlink(host_, v->host_path + "/app/data");
  EXPECT_EQ(ReadFile(*t + "/f"), "mine");
  EXPECT_FALSE(manager_->PrepareSubPath("uid-1", "scratch", "main", 0, v->host_path, "app/data")
                   .ok());

  // A file (a configMap key through its symlinks) and a re-prepare of the same index.
  PutConfigMap("cfg", {{"k", "v1"}});
  auto c = PrepareOne({{"name", "config"}, {"configMap", {{"name", "cfg"}}}});
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 2; ++i) {
    auto f = manager_->PrepareSubPath("uid-1", "config", "main", 1, c->host_path, "k");
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_TRUE(fs::is_regular_file(*f));
    EXPECT_EQ(ReadFile(*f), "v1");
  }
  EXPECT_FALSE(manager_->PrepareSubPath("uid-1", "config", "main", 2, c->host_path, "/etc").ok());
  EXPECT_FALSE(manager_->PrepareSubPath("uid-1", "../x", "main", 2, c->host_path, "k").ok());
  EXPECT_EQ(*manager_->PrepareSubPath("uid-1", "config", "main", 2, c->host_path, ""),
            c->host_path);

  ASSERT_TRUE(manager_->Cleanup("uid-1").ok());
  EXPECT_FALSE(MountedBelow(pods_));
  EXPECT_TRUE(fs::exists(host_ + "/secret"));
}

}  // namespace
}  // namespace minik
