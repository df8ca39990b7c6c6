// Image store load speed vs `tar -x` of the same layer.
//
//   bench_image_bench [TARBALL] [ITERATIONS]      default /tmp/minik-acc-cache/busybox.tar, 10
//   bench_image_bench --big MB [ITERATIONS]        a synthetic one-layer image of MB megabytes
//                                                  (files of 64 KiB random bytes) in /tmp
//
// For each iteration: a fresh store, ImageStore::Load, the store removed. The baseline
// extracts the image's layer tar(s) with GNU tar into a fresh directory. Both write to /tmp.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kubelet/images/fsutil.h"
#include "kubelet/images/images.h"

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// A docker save tarball with one layer of `mb` MB of incompressible 64 KiB files.
std::string MakeBig(const std::string& work, int mb) {
  std::string root = work + "/big-rootfs";
  Sh("mkdir -p " + root + "/data");
  std::mt19937_64 rng(1);
  std::vector<char> buf(64 << 10);
  for (int i = 0; i < mb * 16; ++i) {
    for (size_t k = 0; k + 8 <= buf.size(); k += 8) {
      uint64_t v = rng();
      std::copy(reinterpret_cast<char*>(&v), reinterpret_cast<char*>(&v) + 8, buf.begin() + static_cast<long>(k));
    }
    std::string path = root + "/data/f" + std::to_string(i);
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(buf.data(), 1, buf.size(), f);
    std::fclose(f);
  }
  std::string img = work + "/big-img";
  Sh("mkdir -p " + img + " && tar --numeric-owner -C " + root + " -cf " + img + "/layer.tar . && rm -rf " + root);
  std::string cmd =
      "cd " + img + " && d=$(sha256sum layer.tar | cut -d' ' -f1) && mkdir $d && mv layer.tar $d/ && "
      "c=$(printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
      "\"diff_ids\":[\"sha256:%s\"]}}' $d) && h=$(printf '%s' \"$c\" | sha256sum | cut -d' ' -f1) && "
      "printf '%s' \"$c\" > $h.json && printf '[{\"Config\":\"%s.json\",\"RepoTags\":[\"big:1\"],"
      "\"Layers\":[\"%s/layer.tar\"]}]' $h $d > manifest.json && tar -cf ../big.tar . && cd .. && rm -rf big-img";
  Sh(cmd);
  return work + "/big.tar";
}

}  // namespace

int main(int argc, char** argv) {
  std::string tarball = "/tmp/minik-acc-cache/busybox.tar";
  int iterations = 10;
  char tmpl[] = "/tmp/minik-image-bench-XXXXXX";
  std::string work = mkdtemp(tmpl);
  int arg = 1;
  if (argc > 2 && std::string(argv[1]) == "--big") {
    tarball = MakeBig(work, std::atoi(argv[2]));
    iterations = 3;
    arg = 3;
  } else if (argc > 1) {
    tarball = argv[arg++];
  }
  if (argc > arg) iterations = std::atoi(argv[arg]);
  struct stat st;
  if (stat(tarball.c_str(), &st) != 0) {
    std::fprintf(stderr, "no %s (bash acceptance/images.sh busybox)\n", tarball.c_str());
    return 1;
  }
  // The layer tars, for the baseline.
  std::string layers = work + "/layers";
  Sh("mkdir -p " + layers + " && tar -C " + layers + " -xf " + Quote(tarball));

  double load_total = 0, load_min = 1e9;
  for (int i = 0; i < iterations; ++i) {
    std::string root = work + "/store" + std::to_string(i);
    auto store = minik::OpenImageStore(root);
    if (!store.ok()) return 1;
    double t0 = Now();
    auto loaded = (*store)->Load(tarball);
    double dt = Now() - t0;
    if (!loaded.ok()) {
      std::fprintf(stderr, "load: %s\n", loaded.status().message().c_str());
      return 1;
    }
    load_total += dt;
    load_min = std::min(load_min, dt);
    minik::imagefs::RemoveTree(root);
  }
  // The layer files (found once, outside the timing): everything bigger than 1 KiB that is
  // not JSON.
  std::string list = work + "/layer-list";
  Sh("find " + layers + " -type f -size +1k ! -name '*.json' > " + list);
  std::vector<std::string> layer_files;
  if (FILE* f = std::fopen(list.c_str(), "r")) {
    char line[4096];
    while (std::fgets(line, sizeof line, f)) {
      std::string l(line);
      if (!l.empty() && l.back() == '\n') l.pop_back();
      layer_files.push_back(l);
    }
    std::fclose(f);
  }
  double tar_total = 0, tar_min = 1e9;
  for (int i = 0; i < iterations; ++i) {
    std::string dest = work + "/tar" + std::to_string(i);
    std::string cmd = "mkdir -p " + dest;
    for (const auto& l : layer_files) cmd += " && tar -C " + dest + " --numeric-owner -xpf " + Quote(l);
    double t0 = Now();
    Sh(cmd);
    double dt = Now() - t0;
    tar_total += dt;
    tar_min = std::min(tar_min, dt);
    minik::imagefs::RemoveTree(dest);
  }
  std::printf("tarball %s (%.1f MB), %d iterations\n", tarball.c_str(), st.st_size / 1e6, iterations);
  std::printf("  ImageStore::Load  mean %7.1f ms  min %7.1f ms  (%.0f MB/s)\n", load_total / iterations * 1e3,
              load_min * 1e3, st.st_size / 1e6 / load_min);
  std::printf("  tar -x (layers)   mean %7.1f ms  min %7.1f ms  (%.0f MB/s)\n", tar_total / iterations * 1e3,
              tar_min * 1e3, st.st_size / 1e6 / tar_min);
  minik::imagefs::RemoveTree(work);
  return 0;
}
