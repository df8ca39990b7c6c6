// The atomic writer: layout (..data -> ..<timestamp>, top-level symlinks), modes, no-op
// rewrites, updates that swap ..data and drop the old version, removed keys, bad paths.
#include "kubelet/atomic_writer.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace minik {
namespace {

namespace fs = std::filesystem;

class AtomicWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/awXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string ReadFile(const std::string& rel) {
    std::ifstream f(dir_ + "/" + rel);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  std::string DataTarget() { return fs::read_symlink(dir_ + "/..data").string(); }
  // The entries whose names start with "..", sorted ("..2..." before "..data").
  std::vector<std::string> Hidden() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::string n = e.path().filename();
      if (n.rfind("..", 0) == 0) out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
};

// "..2024_01_02_15_04_05.<digits>"
bool LooksLikeTimestampDir(const std::string& name) {
  const std::string shape = "..dddd_dd_dd_dd_dd_dd.";
  if (name.size() <= shape.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char want = i < shape.size() ? shape[i] : 'd';
    if (want == 'd' ? !std::isdigit(static_cast<unsigned char>(name[i])) : name[i] != want) {
      return false;
    }
  }
  return true;
}

TEST_F(AtomicWriterTest, WritesTheLayout) {
  AtomicWriter w(dir_);
  Payload p = {{"a", {"alpha", 0644}}, {"b", {"beta", 0400}}, {"sub/dir/c", {"gamma", 0600}}};
  auto r = w.Write(p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);

  std::string ts = DataTarget();
  EXPECT_TRUE(LooksLikeTimestampDir(ts)) << ts;
  EXPECT_EQ(fs::read_symlink(dir_ + "/a"), "..data/a");
  EXPECT_EQ(fs::read_symlink(dir_ + "/sub"), "..data/sub");
  EXPECT_EQ(ReadFile("a"), "alpha");
  EXPECT_EQ(ReadFile("b"), "beta");
  EXPECT_EQ(ReadFile("sub/dir/c"), "gamma");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/" + ts + "/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  ASSERT_EQ(::stat((dir_ + "/" + ts + "/sub/dir/c").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/" + ts).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(Hidden(), (std::vector<std::string>{ts, "..data"}));
}

TEST_F(AtomicWriterTest, UnchangedContentWritesNothing) {
  AtomicWriter w(dir_);
  Payload p = {{"a", {"alpha", 0644}}};
  ASSERT_TRUE(*w.Write(p));
  std::string ts = DataTarget();
  auto again = w.Write(p);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(DataTarget(), ts);
  // A lost top-level symlink is restored without a new version.
  fs::remove(dir_ + "/a");
  EXPECT_FALSE(*w.Write(p));
  EXPECT_EQ(ReadFile("a"), "alpha");
  EXPECT_EQ(DataTarget(), ts);
}

TEST_F(AtomicWriterTest, UpdateSwapsDataAndRemovesTheOldVersion) {
  AtomicWriter w(dir_);
  ASSERT_TRUE(*w.Write({{"a", {"one", 0644}}, {"gone", {"x", 0644}}, {"d/e", {"y", 0644}}}));
  std::string first = DataTarget();
  auto r = w.Write({{"a", {"two", 0644}}, {"new", {"n", 0644}}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);
  std::string second = DataTarget();
  EXPECT_NE(first, second);
  EXPECT_FALSE(fs::exists(dir_ + "/" + first));
  EXPECT_EQ(ReadFile("a"), "two");
  EXPECT_EQ(ReadFile("new"), "n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir_ + "/gone")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir_ + "/d")));
  EXPECT_EQ(Hidden(), (std::vector<std::string>{second, "..data"}));
}

TEST_F(AtomicWriterTest, EmptyPayloadAfterContentClearsTheVolume) {
  AtomicWriter w(dir_);
  ASSERT_TRUE(*w.Write({{"a", {"one", 0644}}}));
  ASSERT_TRUE(*w.Write({}));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir_ + "/a")));
  EXPECT_TRUE(fs::is_directory(dir_ + "/..data"));
}

TEST_F(AtomicWriterTest, CleansPaths) {
  AtomicWriter w(dir_);
  ASSERT_TRUE(*w.Write({{"./x//y/", {"v", 0644}}}));
  EXPECT_EQ(ReadFile("x/y"), "v");
}

TEST_F(AtomicWriterTest, RejectsBadPaths) {
  AtomicWriter w(dir_);
  struct Case {
    std::string path, message;
  } cases[] = {
      {"", "invalid path: must not be empty: \"\""},
      {"/etc/passwd", "invalid path: must be relative path: /etc/passwd"},
      {"../x", "invalid path: must not contain '..': ../x"},
      {"a/../../b", "invalid path: must not contain '..': a/../../b"},
      {"..data", "invalid path: must not start with '..': ..data"},
      {"..x/y", "invalid path: must not start with '..': ..x/y"},
      {std::string(256, 'f'), "invalid path: filenames must be less than or equal to 255 characters"},
      {std::string(4097, 'f'), "invalid path: must be less than or equal to 4096 characters"},
  };
  for (const Case& c : cases) {
    auto r = w.Write({{"ok", {"v", 0644}}, {c.path, {"v", 0644}}});
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.status().code(), Code::kInvalid);
    EXPECT_EQ(r.status().message(), c.message);
  }
  // Nothing was written.
  EXPECT_TRUE(fs::is_empty(dir_));
  EXPECT_TRUE(ValidatePayloadPath("a..b/..c").ok());
}

TEST_F(AtomicWriterTest, FailingSetPermsKeepsTheOldVersion) {
  AtomicWriter w(dir_);
  ASSERT_TRUE(*w.Write({{"a", {"one", 0644}}}));
  std::string ts = DataTarget();
  auto r = w.Write({{"a", {"two", 0644}}},
                   [](const std::string&) { return Internal("chown: boom"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "chown: boom");
  EXPECT_EQ(DataTarget(), ts);
  EXPECT_EQ(ReadFile("a"), "one");
  EXPECT_EQ(Hidden(), (std::vector<std::string>{ts, "..data"}));
}

TEST_F(AtomicWriterTest, SetPermsRunsBeforeTheSwitch) {
  AtomicWriter w(dir_);
  std::string seen;
  ASSERT_TRUE(*w.Write({{"a", {"one", 0644}}}, [&](const std::string& target) {
    seen = target;
    EXPECT_FALSE(fs::exists(fs::symlink_status(target + "/..data")));
    return Status::Ok();
  }));
  EXPECT_EQ(seen, dir_);
}

TEST_F(AtomicWriterTest, RecoversFromALeftoverTmpLink) {
  AtomicWriter w(dir_);
  ASSERT_TRUE(*w.Write({{"a", {"one", 0644}}}));
  fs::create_symlink("nowhere", dir_ + "/..data_tmp");
  auto r = w.Write({{"a", {"two", 0644}}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ReadFile("a"), "two");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir_ + "/..data_tmp")));
}

TEST_F(AtomicWriterTest, MissingTargetDirIsAnError) {
  AtomicWriter w(dir_ + "/absent");
  EXPECT_FALSE(w.Write({{"a", {"one", 0644}}}).ok());
}

}  // namespace
}  // namespace minik
