// Container start latency: StartContainer (returns once the command has been exec'd)
// against a baseline of the bare kernel work for the same rootfs: clone into new mount +
// PID namespaces, overlay, /proc, pivot_root, execve (reported through a CLOEXEC pipe, as
// the runtime does). Root only. Prints per-iteration medians; asserts only correctness.
// MINIK_BENCH_ITERATIONS (default 10) sets the sample count; bench/pod_start_bench.sh runs it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "kubelet/runtime/runtime.h"
#include "kubelet/runtime/sys.h"

namespace minik {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time (user + system) of reaped children and their reaped descendants, in ms: the cost
// of a start independent of how busy the machine is.
double ChildrenCpuMs() {
  struct rusage ru;
  ::getrusage(RUSAGE_CHILDREN, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

struct Stats {
  double median, p90, min;
};

Stats Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 9 / 10)], v.front()};
}

int Iterations() {
  const char* env = std::getenv("MINIK_BENCH_ITERATIONS");
  int n = env ? std::atoi(env) : 10;
  return n > 0 ? n : 10;
}

class PodStartBench : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/tmp/minik-rtbench-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::string cmd = "set -e; t=$(bash " MINIK_SOURCE_DIR "/../shared/acceptance/images.sh busybox 2>/dev/null); cd " +
                      dir_ + " && tar -xf \"$t\" && mkdir layer && tar -xf */layer.tar -C layer";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "cannot build the busybox test image";
    layer_ = dir_ + "/layer";
  }
  void TearDown() override {
    if (!dir_.empty()) (void)rt::RemoveAll(dir_);
  }

  // The baseline: returns the time until execve succeeded.
  double BareStart(int i) {
    std::string c = dir_ + "/bare" + std::to_string(i);
    for (const char* d : {"/upper", "/work", "/rootfs"}) EXPECT_TRUE(rt::MkdirAll(c + d).ok());
    auto t0 = Clock::now();
    int p[2];
    EXPECT_EQ(0, ::pipe2(p, O_CLOEXEC));
    pid_t outer = ::fork();
    if (outer == 0) {
      if (::unshare(CLONE_NEWNS | CLONE_NEWPID) != 0) ::_exit(10);
      pid_t inner = ::fork();
      if (inner != 0) {
        int st = 0;
        ::waitpid(inner, &st, 0);
        ::_exit(0);
      }
      std::string root = c + "/rootfs";
      std::string opts = "lowerdir=" + layer_ + ",upperdir=" + c + "/upper,workdir=" + c + "/work";
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
          ::mount("overlay", root.c_str(), "overlay", 0, opts.c_str()) != 0 ||
          ::mount("proc", (root + "/proc").c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  nullptr) != 0 ||
          ::chdir(root.c_str()) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0 ||
          ::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0) {
        ssize_t n = ::write(p[1], "x", 1);
        (void)n;
        ::_exit(11);
      }
      char* argv[] = {const_cast<char*>("true"), nullptr};
      char* envp[] = {nullptr};
      ::execve("/bin/true", argv, envp);
      ssize_t n = ::write(p[1], "x", 1);
      (void)n;
      ::_exit(12);
    }
    ::close(p[1]);
    char b;
    EXPECT_EQ(0, ::read(p[0], &b, 1));  // EOF: exec'd
    double ms = Ms(Clock::now() - t0);
    ::close(p[0]);
    int st = 0;
    ::waitpid(outer, &st, 0);
    (void)rt::RemoveAll(c);
    return ms;
  }

  std::string dir_, layer_;
};

TEST_F(PodStartBench, StartContainerVersusBareClone) {
  const int n = Iterations();
  std::vector<double> bare;
  double cpu0 = ChildrenCpuMs();
  for (int i = 0; i < n; ++i) bare.push_back(BareStart(i));
  double bare_cpu = (ChildrenCpuMs() - cpu0) / n;

  cpu0 = ChildrenCpuMs();  // the runtime's zygote and everything it forks, reaped at the end
  RuntimeOptions opts;
  opts.root = dir_ + "/runtime";
  opts.cgroup_root = "minik-rtbench-" + std::to_string(::getpid());
  auto rt = OpenContainerRuntime(opts);
  ASSERT_TRUE(rt.ok()) << rt.status().message();
  SandboxSpec sb;
  sb.id = "pod1";
  sb.hostname = "bench";
  sb.cgroup_parent = "podbench";
  auto t_sb = Clock::now();
  ASSERT_TRUE((*rt)->RunSandbox(sb).ok());
  double sandbox_ms = Ms(Clock::now() - t_sb);

  std::vector<double> start, total, remove;
  for (int i = 0; i < n; ++i) {
    ContainerSpec c;
    c.id = "c" + std::to_string(i);
    c.sandbox_id = "pod1";
    c.rootfs_layers = {layer_};
    c.argv = {"true"};
    c.cgroup_parent = "podbench";
    c.log_path = dir_ + "/" + c.id + ".log";
    c.resources.memory_limit_bytes = 64 << 20;
    c.resources.cpu_quota_us = 50000;
    auto t0 = Clock::now();
    auto s = (*rt)->StartContainer(c);
    auto t1 = Clock::now();
    ASSERT_TRUE(s.ok()) << s.status().message();
    start.push_back(Ms(t1 - t0));
    for (;;) {
      auto st = (*rt)->Inspect(c.id);
      ASSERT_TRUE(st.ok());
      if (st->status == ContainerStatus::kExited) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    total.push_back(Ms(Clock::now() - t0));
    auto t2 = Clock::now();
    ASSERT_TRUE((*rt)->RemoveContainer(c.id).ok());
    remove.push_back(Ms(Clock::now() - t2));
  }
  ASSERT_TRUE((*rt)->Cleanup().ok());
  rt->reset();  // the zygote exits and is reaped, with the CPU time of what it reaped
  double start_cpu = (ChildrenCpuMs() - cpu0) / n;

  Stats b = Summarize(bare), s = Summarize(start), t = Summarize(total), r = Summarize(remove);
  std::printf("pod_start_bench: %d iterations\n", n);
  std::printf("  bare clone+overlay+proc+pivot_root+exec : median %6.2f ms  p90 %6.2f  min %6.2f\n",
              b.median, b.p90, b.min);
  std::printf("  RunSandbox                              : %6.2f ms (once)\n", sandbox_ms);
  std::printf("  StartContainer (until exec'd)           : median %6.2f ms  p90 %6.2f  min %6.2f\n",
              s.median, s.p90, s.min);
  std::printf("  start until exit recorded (true)        : median %6.2f ms  p90 %6.2f  min %6.2f\n",
              t.median, t.p90, t.min);
  std::printf("  RemoveContainer                         : median %6.2f ms  p90 %6.2f  min %6.2f\n",
              r.median, r.p90, r.min);
  std::printf("  CPU per container (user+sys, all procs)  : bare %6.2f ms, runtime %6.2f ms"
              " (incl. sandbox, zygote start, remove)\n",
              bare_cpu, start_cpu);
}

}  // namespace
}  // namespace minik

int main(int argc, char** argv) {
  if (auto rc = minik::RunRuntimeHelper(argc, argv)) return *rc;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
