// `minik image load|ls|rm|pull`: works directly on the profile's image store directory
// (cmd/profile.h ProfilePaths::images). The store takes its own flock for every change, so
// this is safe while the profile's server runs and uses the same store.
#include <cstdio>
#include <iostream>
#include <algorithm>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/profile.h"
#include "kubelet/images/images.h"
#include "kubelet/images/reference.h"

namespace minik {
namespace {

constexpr const char* kImageUsage =
    "usage: minik image load FILE...|-   load docker save / OCI archive tarballs ('-': stdin)\n"
    "       minik image ls                list images\n"
    "       minik image rm REF...         remove images (by tag, digest or id)\n"
    "       minik image pull REF          pull from a registry (plain HTTP for localhost)\n";

// "docker.io/library/busybox:1.35" -> {"busybox", "1.35"}.
std::pair<std::string, std::string> SplitTag(const std::string& tag) {
  size_t colon = tag.rfind(':');
  size_t slash = tag.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {ShortRepository(tag), ""};
  return {ShortRepository(tag.substr(0, colon)), tag.substr(colon + 1)};
}

// Docker's size format: three significant digits, decimal units.
std::string HumanSize(int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%s", v, units[u]);
  return buf;
}

std::string ShortId(const std::string& id) { return id.substr(7, 12); }

int Load(ImageStore& store, const std::vector<std::string>& files) {
  if (files.empty()) return Fail("image load needs FILE... or - (stdin)", 2);
  for (const auto& f : files) {
    auto loaded = store.Load(f);
    if (!loaded.ok()) return Fail("image load " + f + ": " + loaded.status().message());
    for (const auto& img : *loaded) {
      if (img.repo_tags.empty()) std::cout << "Loaded image ID: " << img.id << "\n";
      for (const auto& t : img.repo_tags) {
        auto [repo, tag] = SplitTag(t);
        std::cout << "Loaded image: " << repo << ":" << tag << "\n";
      }
    }
  }
  return 0;
}

int List(ImageStore& store) {
  struct Row {
    std::string repo, tag, id, size;
  };
  std::vector<Row> rows;
  for (const auto& img : store.List()) {
    if (img.repo_tags.empty()) rows.push_back({"<none>", "<none>", ShortId(img.id), HumanSize(img.size)});
    for (const auto& t : img.repo_tags) {
      auto [repo, tag] = SplitTag(t);
      rows.push_back({repo, tag, ShortId(img.id), HumanSize(img.size)});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.repo, a.tag) < std::tie(b.repo, b.tag);
  });
  size_t w_repo = 10, w_tag = 3;
  for (const auto& r : rows) {
    w_repo = std::max(w_repo, r.repo.size());
    w_tag = std::max(w_tag, r.tag.size());
  }
  auto print = [&](const std::string& a, const std::string& b, const std::string& c, const std::string& d) {
    std::cout << a << std::string(w_repo + 3 - a.size(), ' ') << b << std::string(w_tag + 3 - b.size(), ' ')
              << c << std::string(15 - std::min<size_t>(c.size(), 14), ' ') << d << "\n";
  };
  print("REPOSITORY", "TAG", "IMAGE ID", "SIZE");
  for (const auto& r : rows) print(r.repo, r.tag, r.id, r.size);
  return 0;
}

int Remove(ImageStore& store, const std::vector<std::string>& refs) {
  if (refs.empty()) return Fail("image rm needs REF...", 2);
  int rc = 0;
  for (const auto& ref : refs) {
    Status st = store.Remove(ref);
    if (!st.ok()) {
      rc = Fail("image rm " + ref + ": " + st.message());
      continue;
    }
    std::cout << "Removed: " << ref << "\n";
  }
  return rc;
}

int Pull(ImageStore& store, const std::vector<std::string>& refs) {
  if (refs.size() != 1) return Fail("image pull needs exactly one REF", 2);
  auto normalized = NormalizeImageRef(refs[0]);
  if (!normalized.ok()) return Fail("image pull: " + normalized.status().message(), 2);
  auto img = store.Pull(refs[0]);
  if (!img.ok()) return Fail("image pull " + refs[0] + ": " + img.status().message());
  std::cout << "Pulled " << *normalized << " (" << ShortId(img->id) << ", " << HumanSize(img->size) << ")\n";
  return 0;
}

}  // namespace

int ImageCommand(const CliArgs& args) {
  std::string profile = args.profile;
  std::vector<std::string> words;
  const auto& rest = args.rest;
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& w = rest[i];
    if (w == "--help" || w == "-h") {
      std::cout << kImageUsage;
      return 0;
    }
    if (w == "--profile" || w == "-p") {
      if (i + 1 >= rest.size()) return Fail("flag " + w + " needs a value", 2);
      profile = rest[++i];
    } else if (w.rfind("--profile=", 0) == 0) {
      profile = w.substr(10);
    } else if (w.size() > 1 && w[0] == '-') {
      return Fail("unknown flag " + w + " for image", 2);
    } else {
      words.push_back(w);
    }
  }
  if (words.empty()) {
    std::cerr << kImageUsage;
    return Fail("image needs a subcommand: load, ls, rm or pull", 2);
  }
  Status valid = ValidateProfileName(profile);
  if (!valid.ok()) return Fail(valid.message(), 2);
  std::string sub = words[0];
  std::vector<std::string> operands(words.begin() + 1, words.end());
  if (sub != "load" && sub != "ls" && sub != "list" && sub != "rm" && sub != "pull")
    return Fail("unknown image subcommand \"" + sub + "\" (load, ls, rm, pull)", 2);
  if ((sub == "ls" || sub == "list") && !operands.empty())
    return Fail("image ls takes no arguments", 2);

  ProfilePaths paths = PathsFor(MinikHome(), profile);
  if (!PathExists(paths.dir)) return Fail("profile \"" + profile + "\" not found (run minik start first)");
  auto store = OpenImageStore(paths.images);
  if (!store.ok()) return Fail("image store: " + store.status().message());
  if (sub == "load") return Load(**store, operands);
  if (sub == "rm") return Remove(**store, operands);
  if (sub == "pull") return Pull(**store, operands);
  return List(**store);
}

}  // namespace minik
