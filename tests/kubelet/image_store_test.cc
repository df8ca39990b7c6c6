#include "kubelet/images/images.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "kubelet/images/fsutil.h"
#include "tests/kubelet/image_test_util.h"

namespace minik {
namespace {

using testing::MakeDockerArchive;
using testing::MakeImage;
using testing::MakeOciArchive;
using testing::MakeTar;
using testing::TarEntry;
using testing::TestImage;

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.push_back(e->d_name);
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Slurp(const std::string& path) {
  auto s = imagefs::ReadFile(path);
  return s.ok() ? *s : "";
}

std::string BaseLayer() {
  return MakeTar({{"./", 'd', "", 0755},
                  {"./bin/", 'd', "", 0755},
                  {"./bin/busybox", 'f', "#!binary", 04755, 0, 0},
                  {"./bin/sh", 'l', "busybox"},
                  {"./bin/ls", 'h', "./bin/busybox"},
                  {"./etc/", 'd', "", 0755},
                  {"./etc/passwd", 'f', "root:x:0:0::/root:/bin/sh\n", 0644, 0, 0},
                  {"./home/user/", 'd', "", 0700, 1000, 1000},
                  {"./home/user/file", 'f', "mine", 0600, 1000, 1000},
                  {"./tmp/", 'd', "", 01777},
                  {"./dev/null", 'c', "", 0666, 0, 0, 1, 3},
                  {"./run/fifo", 'p', "", 0600},
                  {"./opt/cap", 'f', "x", 0755, 0, 0, 0, 0, {{"user.test", "v"}}},
                  {"./var/cache/", 'd', "", 0755},
                  {"./var/cache/old", 'f', "old"}});
}

std::string UpperLayer() {
  return MakeTar({{"etc/passwd", 'f', "root:x:0:0::/root:/bin/sh\nnew:x:1:1::/:/bin/sh\n"},
                  {"etc/.wh.gone", 'f', ""},
                  {"var/cache/", 'd', "", 0755},
                  {"var/cache/.wh..wh..opq", 'f', ""},
                  {"var/cache/fresh", 'f', "fresh"}});
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("store");
    ASSERT_FALSE(dir_.empty());
    root_ = dir_ + "/images";
    auto s = OpenImageStore(root_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }
  void TearDown() override { imagefs::RemoveTree(dir_); }

  std::string Write(const std::string& name, const std::string& data) {
    return testing::WriteTemp(dir_, name, data);
  }

  // The store's files, as a fingerprint: layer dirs, blobs, the index bytes, tmp leftovers.
  std::string Fingerprint() {
    std::string out = Slurp(root_ + "/images.json") + "|";
    for (const auto& sub : {"/layers", "/blobs/sha256", "/tmp"}) {
      for (const auto& e : DirEntries(root_ + sub)) out += e + ",";
      out += "|";
    }
    return out;
  }

  void ExpectLoadFails(const std::string& data, const std::string& message_part) {
    std::string before = Fingerprint();
    auto r = store_->Load(Write("bad.tar", data));
    ASSERT_FALSE(r.ok()) << "loaded a bad archive (" << message_part << ")";
    EXPECT_NE(r.status().message().find(message_part), std::string::npos) << r.status().message();
    EXPECT_TRUE(r.status().code() == Code::kInvalid || r.status().code() == Code::kBadRequest)
        << r.status().message();
    EXPECT_EQ(Fingerprint(), before) << "the store changed on a failed load";
  }

  std::string dir_, root_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, LoadsDockerSaveAndUnpacksLayers) {
  TestImage img = MakeImage({BaseLayer(), UpperLayer()});
  auto loaded = store_->Load(Write("img.tar", MakeDockerArchive({{img, {"busybox:1.35", "docker.io/probe/x:1"}}})));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->size(), 1u);
  const ImageInfo& info = loaded->front();
  EXPECT_EQ(info.id, img.id);
  EXPECT_EQ(info.repo_tags,
            (std::vector<std::string>{"docker.io/library/busybox:1.35", "docker.io/probe/x:1"}));
  ASSERT_EQ(info.layer_dirs.size(), 2u);
  EXPECT_EQ(info.layer_dirs[0], root_ + "/layers/" + img.diff_ids[0].substr(7));
  EXPECT_EQ(info.config["Cmd"], Json::array({"sh"}));
  EXPECT_GT(info.size, 0);

  const std::string base = info.layer_dirs[0];
  struct stat st;
  ASSERT_EQ(lstat((base + "/bin/busybox").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_nlink, 2u);  // bin/ls is a hard link
  EXPECT_EQ(st.st_mtime, 1000000000);
  char target[64] = {};
  ASSERT_GT(readlink((base + "/bin/sh").c_str(), target, sizeof target), 0);
  EXPECT_STREQ(target, "busybox");
  ASSERT_EQ(lstat((base + "/home/user/file").c_str(), &st), 0);
  if (geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 1000u);
  }
  ASSERT_EQ(lstat((base + "/home/user").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_mtime, 1000000000);
  ASSERT_EQ(lstat((base + "/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  if (geteuid() == 0) {
    ASSERT_EQ(lstat((base + "/dev/null").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(1, 3));
  }
  ASSERT_EQ(lstat((base + "/run/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  char xv[8] = {};
  if (getxattr((base + "/opt/cap").c_str(), "user.test", xv, sizeof xv) > 0) {
    EXPECT_STREQ(xv, "v");
  }

  const std::string upper = info.layer_dirs[1];
  EXPECT_EQ(Slurp(upper + "/etc/passwd").find("new:x"), 26u);
  if (geteuid() == 0) {
    ASSERT_EQ(lstat((upper + "/etc/gone").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(0, 0));
    char v[4] = {};
    ASSERT_EQ(getxattr((upper + "/var/cache").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
    EXPECT_EQ(v[0], 'y');
  }
  EXPECT_NE(lstat((upper + "/etc/.wh.gone").c_str(), &st), 0);
  EXPECT_NE(lstat((upper + "/var/cache/.wh..wh..opq").c_str(), &st), 0);
  EXPECT_TRUE(DirEntries(root_ + "/tmp").empty());

  for (const std::string& ref : std::vector<std::string>{"busybox:1.35", "docker.io/library/busybox:1.35", "probe/x:1",
                                img.id, img.id.substr(7, 12), img.id.substr(0, 19)}) {
    auto r = store_->Resolve(ref);
    ASSERT_TRUE(r.ok()) << ref << ": " << r.status().message();
    EXPECT_EQ(r->id, img.id);
  }
  EXPECT_EQ(store_->Resolve("busybox").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Resolve("busybox:1.36").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Resolve("Bad Ref").status().code(), Code::kInvalid);
  EXPECT_EQ(store_->List().size(), 1u);

  // A second store on the same directory (another process, say) sees the image.
  auto other = OpenImageStore(root_);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->Resolve("busybox:1.35").ok());

  // Remove: a tag, then the last tag takes the image, its layers and blobs.
  ASSERT_TRUE(store_->Remove("probe/x:1").ok());
  EXPECT_EQ(store_->Resolve("probe/x:1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->Resolve("busybox:1.35").ok());
  ASSERT_TRUE(store_->Remove("busybox:1.35").ok());
  EXPECT_TRUE(store_->List().empty());
  EXPECT_TRUE(DirEntries(root_ + "/layers").empty());
  EXPECT_TRUE(DirEntries(root_ + "/blobs/sha256").empty());
  EXPECT_TRUE((*other)->List().empty());  // the other store re-reads the changed index
  EXPECT_EQ(store_->Remove("busybox:1.35").code(), Code::kNotFound);
}

TEST_F(ImageStoreTest, LoadsOciArchiveWithGzipAndZstdLayersAndNestedIndex) {
  TestImage amd = MakeImage({BaseLayer(), UpperLayer()}, "a", "amd64", "gzip");
  TestImage arm = MakeImage({BaseLayer()}, "b", "arm64", "zstd");
  // An index.json whose one entry is a nested index (amd64 + arm64), tagged by containerd.
  testing::OciBlobs blobs;
  std::string m_amd = testing::OciManifestFor(blobs, amd, "application/vnd.oci.image.layer.v1.tar+gzip").dump();
  std::string m_arm = testing::OciManifestFor(blobs, arm, "application/vnd.oci.image.layer.v1.tar+zstd").dump();
  Json nested = {{"schemaVersion", 2},
                 {"mediaType", "application/vnd.oci.image.index.v1+json"},
                 {"manifests",
                  {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                    {"digest", blobs.Add(m_arm)},
                    {"size", m_arm.size()},
                    {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}},
                   {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                    {"digest", blobs.Add(m_amd)},
                    {"size", m_amd.size()},
                    {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
  std::string nested_digest = blobs.Add(nested.dump());
  Json index = {{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                   {"digest", nested_digest},
                   {"size", nested.dump().size()},
                   {"annotations", {{"io.containerd.image.name", "docker.io/library/multi:2"},
                                    {"org.opencontainers.image.ref.name", "2"}}}}}}};
  std::vector<TarEntry> entries = {{"oci-layout", 'f', R"({"imageLayoutVersion":"1.0.0"})"},
                                   {"index.json", 'f', index.dump()}};
  entries.insert(entries.end(), blobs.entries.begin(), blobs.entries.end());
  auto loaded = store_->Load(Write("oci.tar", MakeTar(entries, "gzip")));  // compressed as a whole too
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->front().id, amd.id);
  EXPECT_EQ(loaded->front().repo_tags, std::vector<std::string>{"docker.io/library/multi:2"});
  EXPECT_EQ(loaded->front().repo_digests,
            std::vector<std::string>{"docker.io/library/multi@" + nested_digest});
  auto by_digest = store_->Resolve("multi@" + nested_digest);
  ASSERT_TRUE(by_digest.ok());
  EXPECT_EQ(Slurp(by_digest->layer_dirs[1] + "/var/cache/fresh"), "fresh");

  // Plain OCI archive, ref.name a full reference; a bare-tag ref.name loads untagged.
  TestImage two = MakeImage({BaseLayer()}, "two", "amd64", "zstd");
  TestImage three = MakeImage({UpperLayer()}, "three");
  auto more = store_->Load(Write("oci2.tar", MakeOciArchive({{two, "localhost:5000/two:t"}, {three, "latest"}},
                                                             "application/vnd.oci.image.layer.v1.tar+zstd")));
  ASSERT_TRUE(more.ok()) << more.status().message();
  EXPECT_TRUE(store_->Resolve("localhost:5000/two:t").ok());
  auto untagged = store_->Resolve(three.id);
  ASSERT_TRUE(untagged.ok());
  EXPECT_TRUE(untagged->repo_tags.empty());
  EXPECT_EQ(store_->List().size(), 3u);
}

TEST_F(ImageStoreTest, SharedLayersSurviveRemovalAndTagsMove) {
  TestImage a = MakeImage({BaseLayer()}, "a");
  TestImage b = MakeImage({BaseLayer(), UpperLayer()}, "b");
  ASSERT_TRUE(store_->Load(Write("a.tar", MakeDockerArchive({{a, {"app:1"}}}))).ok());
  ASSERT_TRUE(store_->Load(Write("b.tar", MakeDockerArchive({{b, {"app:2"}}}))).ok());
  EXPECT_EQ(DirEntries(root_ + "/layers").size(), 2u);
  ASSERT_TRUE(store_->Remove(a.id.substr(7, 12)).ok());  // by id
  EXPECT_EQ(DirEntries(root_ + "/layers").size(), 2u);  // b still uses the base layer
  EXPECT_TRUE(store_->Resolve("app:2").ok());

  // Loading another image with b's tag moves the tag; b stays, untagged.
  ASSERT_TRUE(store_->Load(Write("a2.tar", MakeDockerArchive({{a, {"app:2"}}}))).ok());
  EXPECT_EQ(store_->Resolve("app:2")->id, a.id);
  auto old = store_->Resolve(b.id);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->repo_tags.empty());
  // Loading the same archive again is a no-op that still succeeds.
  ASSERT_TRUE(store_->Load(Write("a3.tar", MakeDockerArchive({{a, {"app:2"}}}))).ok());
  EXPECT_EQ(store_->List().size(), 2u);
}

TEST_F(ImageStoreTest, LoadsTheAcceptanceBusyboxTarball) {
  const std::string path = "/tmp/minik-acc-cache/busybox.tar";
  if (access(path.c_str(), R_OK) != 0) GTEST_SKIP() << "no " << path << " (run acceptance/images.sh busybox)";
  auto loaded = store_->Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto r = store_->Resolve("busybox:1.35");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config["Cmd"], Json::array({"sh"}));
  struct stat st;
  ASSERT_EQ(lstat((r->layer_dirs[0] + "/bin/busybox").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  ASSERT_EQ(lstat((r->layer_dirs[0] + "/bin/sh").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_GT(r->size, 1900000);
}

TEST_F(ImageStoreTest, LoadsFromStandardInput) {
  TestImage img = MakeImage({BaseLayer()});
  std::string data = MakeDockerArchive({{img, {"stdin:1"}}});
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  int saved = dup(0);
  dup2(p[0], 0);
  close(p[0]);
  std::thread writer([&] {
    (void)!write(p[1], data.data(), data.size());
    close(p[1]);
  });
  auto loaded = store_->Load("-");
  writer.join();
  dup2(saved, 0);
  close(saved);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(store_->Resolve("stdin:1").ok());
  EXPECT_TRUE(DirEntries(root_ + "/tmp").empty());
}

TEST_F(ImageStoreTest, RejectsBadArchivesLeavingTheStoreUnchanged) {
  TestImage good = MakeImage({BaseLayer()});
  ASSERT_TRUE(store_->Load(Write("good.tar", MakeDockerArchive({{good, {"good:1"}}}))).ok());

  ExpectLoadFails("", "not a tar");
  std::mt19937 rng(42);
  std::string noise(5000, '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  ExpectLoadFails(noise, "not a tar");

  TestImage img = MakeImage({BaseLayer(), UpperLayer()}, "x");
  std::string archive = MakeDockerArchive({{img, {"x:1"}}});
  ExpectLoadFails(archive.substr(0, archive.size() / 2), "truncated");
  ExpectLoadFails(MakeTar({{"hello.txt", 'f', "hi"}}), "neither manifest.json nor index.json");
  ExpectLoadFails(MakeTar({{"manifest.json", 'f', "{not json"}}), "manifest.json");

  // A layer whose content does not match the config's diff id.
  TestImage wrong = img;
  wrong.layers[1] = MakeTar({{"other", 'f', "other"}});
  ExpectLoadFails(MakeDockerArchive({{wrong, {"x:1"}}}), "diff id mismatch");

  // Another platform.
  ExpectLoadFails(MakeDockerArchive({{MakeImage({BaseLayer()}, "arm", "arm64"), {"x:1"}}}), "arm64");

  // OCI: a blob whose bytes do not match its digest.
  std::string oci = MakeOciArchive({{MakeImage({UpperLayer()}, "o", "amd64", "gzip"), "o:1"}});
  size_t at = oci.find("blobs/sha256/");
  ASSERT_NE(at, std::string::npos);
  std::string tampered = MakeOciArchive({{MakeImage({UpperLayer()}, "o", "amd64", "gzip"), "o:1"}});
  // Rewrite the layer blob with different (valid) content under the same name.
  TestImage o = MakeImage({UpperLayer()}, "o", "amd64", "gzip");
  testing::OciBlobs blobs;
  Json manifest = testing::OciManifestFor(blobs, o, "application/vnd.oci.image.layer.v1.tar+gzip");
  for (auto& e : blobs.entries)
    if (e.data == o.layers[0]) e.data = MakeImage({BaseLayer()}, "o", "amd64", "gzip").layers[0];
  std::string md = blobs.Add(manifest.dump());
  std::vector<TarEntry> entries = {
      {"oci-layout", 'f', R"({"imageLayoutVersion":"1.0.0"})"},
      {"index.json", 'f',
       Json{{"schemaVersion", 2},
            {"manifests", {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", md}}}}}
           .dump()}};
  entries.insert(entries.end(), blobs.entries.begin(), blobs.entries.end());
  ExpectLoadFails(MakeTar(entries), "digest mismatch");
  // OCI: a missing blob.
  entries.pop_back();
  ExpectLoadFails(MakeTar(entries), "missing");

  EXPECT_TRUE(store_->Resolve("good:1").ok());
}

// Layers that try to write outside their directory.
TEST_F(ImageStoreTest, RejectsUnsafeLayers) {
  std::string outside = dir_ + "/outside";
  ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
  struct Case {
    std::vector<TarEntry> layer;
    std::string message;
  };
  std::vector<Case> cases = {
      {{{"../escape", 'f', "x"}}, "unsafe entry path"},
      {{{"a/../../escape", 'f', "x"}}, "unsafe entry path"},
      {{{"/abs", 'f', "x"}}, "absolute"},
      {{{"evil", 'l', outside}, {"evil/file", 'f', "x"}}, "symlink"},
      {{{"d/", 'd'}, {"d/evil", 'l', "../../../../../../.." + outside}, {"d/evil/file", 'f', "x"}}, "symlink"},
      {{{"link", 'h', "../../../../etc/passwd"}}, "hard link"},
      {{{"link", 'h', outside + "/x"}}, "hard link"},
      {{{"evil", 'l', outside}, {"evil/.wh.x", 'f', ""}}, "symlink"},
      {{{"evil", 'l', outside}, {"evil/.wh..wh..opq", 'f', ""}}, "symlink"},
      {{{"evil", 'l', "/etc"}, {"link", 'h', "evil/passwd"}}, "hard link"},
      {{{".wh..", 'f', ""}}, "whiteout"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    TestImage img = MakeImage({MakeTar(cases[i].layer)}, "evil" + std::to_string(i));
    ExpectLoadFails(MakeDockerArchive({{img, {"evil:1"}}}), cases[i].message);
    EXPECT_TRUE(DirEntries(outside).empty()) << "wrote outside the layer";
    struct stat st;
    EXPECT_NE(lstat((dir_ + "/escape").c_str(), &st), 0);
    EXPECT_NE(lstat((root_ + "/escape").c_str(), &st), 0);
  }
}

// Random layers built from hostile pieces: whatever loads, nothing lands outside.
TEST_F(ImageStoreTest, RandomHostileLayersNeverWriteOutside) {
  std::string outside = dir_ + "/outside";
  ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
  const std::vector<std::string> names = {"a", "a/b", "a/b/c", "evil", "evil/f", "evil/.wh.f", "x/../y",
                                          "../z", "a/.wh..wh..opq", "./a/./b", "d/", "evil/sub/f", "/abs"};
  const std::vector<std::string> targets = {outside, outside + "/t", "../../../../../..", "/", "a", "a/b",
                                            "evil", "../outside", "evil/f"};
  std::mt19937 rng(99);
  int loaded = 0;
  for (int i = 0; i < 200; ++i) {
    std::vector<TarEntry> entries;
    int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      std::string name = names[rng() % names.size()];
      switch (rng() % 4) {
        case 0: entries.push_back({name, 'f', "data"}); break;
        case 1: entries.push_back({name, 'd', "", 0755}); break;
        case 2: entries.push_back({name, 'l', targets[rng() % targets.size()]}); break;
        default: entries.push_back({name, 'h', targets[rng() % targets.size()]});
      }
    }
    TestImage img = MakeImage({MakeTar(entries)}, "r" + std::to_string(i));
    auto r = store_->Load(Write("r.tar", MakeDockerArchive({{img, {"r:1"}}})));
    loaded += r.ok();
    ASSERT_TRUE(DirEntries(outside).empty()) << "iteration " << i << " wrote outside";
    struct stat st;
    ASSERT_NE(lstat((dir_ + "/z").c_str(), &st), 0);
    ASSERT_NE(lstat((root_ + "/z").c_str(), &st), 0);
    ASSERT_NE(lstat((root_ + "/layers/z").c_str(), &st), 0);
    ASSERT_TRUE(DirEntries(root_ + "/tmp").empty());
  }
  EXPECT_GT(loaded, 10);  // the harmless mixes do load
}

// Random damage to a valid archive: every load either succeeds or fails cleanly, and the
// store stays consistent (every listed image's layers exist; no temp leftovers).
TEST_F(ImageStoreTest, SurvivesRandomCorruption) {
  TestImage img = MakeImage({BaseLayer(), UpperLayer()}, "fuzz", "amd64", "gzip");
  const std::string docker = MakeDockerArchive({{img, {"fuzz:1"}}});
  const std::string oci = MakeOciArchive({{img, "fuzz:2"}});
  std::mt19937 rng(7);
  for (int i = 0; i < 150; ++i) {
    std::string data = i % 2 ? docker : oci;
    switch (i % 3) {
      case 0:  // truncate
        data.resize(rng() % data.size());
        break;
      case 1:  // flip bytes
        for (int k = 0; k < 4; ++k) data[rng() % data.size()] ^= static_cast<char>(1 + rng() % 255);
        break;
      default:  // overwrite a block with noise
        for (size_t k = 0, at = rng() % data.size(); k < 64 && at + k < data.size(); ++k)
          data[at + k] = static_cast<char>(rng());
    }
    auto r = store_->Load(Write("fuzz.tar", data));
    if (!r.ok()) {
      EXPECT_NE(r.status().code(), Code::kOk);
      EXPECT_FALSE(r.status().message().empty());
    }
    for (const auto& info : store_->List())
      for (const auto& d : info.layer_dirs) EXPECT_EQ(access(d.c_str(), F_OK), 0) << d;
    EXPECT_TRUE(DirEntries(root_ + "/tmp").empty()) << "iteration " << i;
    if (i % 10 == 9) {
      for (const auto& info : store_->List()) ASSERT_TRUE(store_->Remove(info.id).ok());
    }
  }
}

TEST_F(ImageStoreTest, ConcurrentStoresOnOneDirectory) {
  auto other = OpenImageStore(root_);
  ASSERT_TRUE(other.ok());
  std::vector<TestImage> imgs;
  for (int i = 0; i < 6; ++i)
    imgs.push_back(MakeImage({BaseLayer(), MakeTar({{"n", 'f', std::to_string(i)}})}, std::to_string(i)));
  std::vector<std::string> paths;
  for (int i = 0; i < 6; ++i)
    paths.push_back(Write("c" + std::to_string(i) + ".tar",
                          MakeDockerArchive({{imgs[i], {"c:" + std::to_string(i)}}})));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      ImageStore& s = i % 2 ? *store_ : **other;
      for (int round = 0; round < 3; ++round) {
        auto loaded = s.Load(paths[i]);
        if (!loaded.ok()) {
          ++failures;
          ADD_FAILURE() << "load: " << loaded.status().message();
        }
        Status removed = round < 2 ? s.Remove("c:" + std::to_string(i)) : Status::Ok();
        if (!removed.ok()) {
          ++failures;
          ADD_FAILURE() << "remove: " << removed.message();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->List().size(), 6u);
  EXPECT_EQ((*other)->List().size(), 6u);
  for (const auto& info : store_->List())
    for (const auto& d : info.layer_dirs) EXPECT_EQ(access((d + "/n").c_str(), F_OK) == 0 || access((d + "/bin").c_str(), F_OK) == 0, true) << d;
  EXPECT_EQ(DirEntries(root_ + "/layers").size(), 7u);
}

// The layouts real tools write: skopeo's docker-archive (top-level <diffid>.tar, legacy
// <id>/layer.tar symlinks), Docker 25+ (manifest.json over an OCI layout), gzip layers.
TEST_F(ImageStoreTest, LoadsOtherDockerArchiveLayouts) {
  TestImage img = MakeImage({BaseLayer(), UpperLayer()}, "layouts", "amd64", "gzip");
  std::string d0 = testing::Hex(img.diff_ids[0]), d1 = testing::Hex(img.diff_ids[1]);
  std::vector<TarEntry> skopeo = {
      {d0 + ".tar", 'f', img.layers[0]},
      {d1 + ".tar", 'f', img.layers[1]},
      {"legacy0/", 'd', "", 0755},
      {"legacy0/layer.tar", 'l', "../" + d0 + ".tar"},
      {testing::Hex(img.id) + ".json", 'f', img.config},
      {"manifest.json", 'f',
       Json::array({{{"Config", testing::Hex(img.id) + ".json"},
                     {"RepoTags", {"docker.io/probe/busybox:1.35"}},
                     {"Layers", {"legacy0/layer.tar", d1 + ".tar"}}}})
           .dump()}};
  auto loaded = store_->Load(Write("skopeo.tar", MakeTar(skopeo)));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->front().repo_tags, std::vector<std::string>{"docker.io/probe/busybox:1.35"});
  EXPECT_EQ(Slurp(loaded->front().layer_dirs[1] + "/var/cache/fresh"), "fresh");
  ASSERT_TRUE(store_->Remove(img.id).ok());

  // Docker 25+: Layers name OCI blobs, whose names are checked as digests.
  std::vector<TarEntry> docker25 = {{"oci-layout", 'f', R"({"imageLayoutVersion":"1.0.0"})"},
                                    {"index.json", 'f', R"({"schemaVersion":2,"manifests":[]})"},
                                    {"blobs/sha256/" + testing::Hex(Sha256Digest(img.layers[0])), 'f', img.layers[0]},
                                    {"blobs/sha256/" + testing::Hex(Sha256Digest(img.layers[1])), 'f', img.layers[1]},
                                    {"blobs/sha256/" + testing::Hex(img.id), 'f', img.config}};
  Json manifest = Json::array({{{"Config", "blobs/sha256/" + testing::Hex(img.id)},
                                {"RepoTags", {"app:25"}},
                                {"Layers",
                                 {"blobs/sha256/" + testing::Hex(Sha256Digest(img.layers[0])),
                                  "blobs/sha256/" + testing::Hex(Sha256Digest(img.layers[1]))}}}});
  docker25.push_back({"manifest.json", 'f', manifest.dump()});
  loaded = store_->Load(Write("docker25.tar", MakeTar(docker25)));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(store_->Resolve("app:25").ok());
  ASSERT_TRUE(store_->Remove("app:25").ok());
  // The same with a blob stored under the wrong name.
  std::swap(docker25[2].data, docker25[3].data);
  ExpectLoadFails(MakeTar(docker25), "digest mismatch");
}

// Later entries of a layer replace earlier ones, whatever their types.
TEST_F(ImageStoreTest, LaterEntriesReplaceEarlierOnes) {
  std::string layer = MakeTar({{"a", 'f', "file first"},
                               {"a/", 'd', "", 0750},
                               {"a/inner", 'f', "inner"},
                               {"b/", 'd', "", 0755},
                               {"b/x", 'f', "x"},
                               {"b", 'f', "now a file"},
                               {"c", 'l', "target"},
                               {"c", 'f', "regular"},
                               {"d/e/f", 'f', "deep, parents implied"},
                               {"d/e/g", 'h', "d/e/f"}});
  TestImage img = MakeImage({layer});
  auto loaded = store_->Load(Write("replace.tar", MakeDockerArchive({{img, {"replace:1"}}})));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const std::string l = loaded->front().layer_dirs[0];
  struct stat st;
  ASSERT_EQ(lstat((l + "/a").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(Slurp(l + "/a/inner"), "inner");
  EXPECT_EQ(Slurp(l + "/b"), "now a file");
  ASSERT_EQ(lstat((l + "/c").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  ASSERT_EQ(lstat((l + "/d/e/g").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
}

TEST_F(ImageStoreTest, MissingFileIsNotFound) {
  auto r = store_->Load(dir_ + "/nope.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Load(dir_).status().code(), Code::kInvalid);
}

}  // namespace
}  // namespace minik
