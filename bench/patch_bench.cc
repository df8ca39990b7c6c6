// Patch benchmark against a running minik: strategic merge patch and server-side apply on a
// PodTemplate with 200 containers (a kind no controller acts on, so only the API path is
// measured), against a same-run baseline of merge patches on a small ConfigMap.
// Run through bench/apply.sh, which starts a cluster and passes credentials:
//   bench_patch_bench HOST PORT CA.pem CERT.pem KEY.pem [ITERATIONS]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_client.h"

namespace {

using bench::Clock;
using bench::Conn;
using bench::Ms;
using bench::Percentile;
using bench::Target;

const char* kTemplates = "/api/v1/namespaces/default/podtemplates";

// The PodTemplate as JSON; `tag` goes into container i's env MODE value when i == which.
std::string Template(int containers, int which, const std::string& tag) {
  std::string c;
  for (int i = 0; i < containers; ++i) {
    if (i) c += ",";
    std::string mode = i == which ? tag : "base";
    c += R"({"name":"c)" + std::to_string(i) + R"(","image":"busybox:1.35","command":["sleep","3600"],)" +
         R"("ports":[{"containerPort":)" + std::to_string(8000 + i) + R"(}],)" +
         R"("env":[{"name":"MODE","value":")" + mode + R"("},{"name":"INDEX","value":")" +
         std::to_string(i) + R"("}]})";
  }
  return R"({"apiVersion":"v1","kind":"PodTemplate","metadata":{"name":"wide"},)"
         R"("template":{"metadata":{"labels":{"app":"wide"}},"spec":{"containers":[)" +
         c + "]}}}";
}

struct Result {
  std::vector<double> ms;
  double seconds = 0;
  int failures = 0;
};

template <typename F>
Result Run(int n, F&& one) {
  Result r;
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (!one(i)) ++r.failures;
    r.ms.push_back(Ms(Clock::now() - t0));
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

void Print(const char* what, const Result& r) {
  printf("%-46s %7.0f/s  p50 %6.2f ms  p99 %6.2f ms%s\n", what, double(r.ms.size()) / r.seconds,
         Percentile(r.ms, 0.5), Percentile(r.ms, 0.99),
         r.failures ? ("  FAILURES " + std::to_string(r.failures)).c_str() : "");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s HOST PORT CA CERT KEY [ITERATIONS]\n", argv[0]);
    return 2;
  }
  Target t{argv[1], std::atoi(argv[2]), argv[3], argv[4], argv[5]};
  const int n = argc > 6 ? std::atoi(argv[6]) : 200;
  Conn conn(t);
  std::string out;

  // Baseline: a merge patch of a one-key ConfigMap (the smallest durable write).
  conn.Request("DELETE", "/api/v1/namespaces/default/configmaps/small", "");
  conn.Request("POST", "/api/v1/namespaces/default/configmaps",
               R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"small"},"data":{"k":"0"}})");
  Print("baseline: merge patch, 1-key ConfigMap", Run(n, [&](int i) {
          return conn.Request("PATCH", "/api/v1/namespaces/default/configmaps/small",
                              R"({"data":{"k":")" + std::to_string(i) + R"("}})", nullptr,
                              "application/merge-patch+json") == 200;
        }));

  conn.Request("DELETE", std::string(kTemplates) + "/wide", "");
  int code = conn.Request("POST", kTemplates, Template(200, -1, ""), &out);
  if (code != 201) {
    fprintf(stderr, "create of the 200-container PodTemplate: HTTP %d %s\n", code, out.c_str());
    return 1;
  }
  printf("200-container PodTemplate: %zu bytes as JSON\n", out.size());

  // The same object size without list merging: a merge patch of one label.
  Print("merge patch of a label, 200 containers", Run(n, [&](int i) {
          return conn.Request("PATCH", std::string(kTemplates) + "/wide",
                              R"({"metadata":{"labels":{"n":")" + std::to_string(i) + R"("}}})",
                              nullptr, "application/merge-patch+json") == 200;
        }));

  Print("strategic merge patch, 200 containers", Run(n, [&](int i) {
          std::string body = R"({"template":{"spec":{"containers":[{"name":"c)" +
                             std::to_string(i % 200) + R"(","env":[{"name":"MODE","value":"smp)" +
                             std::to_string(i) + R"("}]}]}}})";
          return conn.Request("PATCH", std::string(kTemplates) + "/wide", body, nullptr,
                              "application/strategic-merge-patch+json") == 200;
        }));

  // Server-side apply of the whole object by one manager, one env value changed each time.
  Print("server-side apply (full object), 200 containers", Run(n, [&](int i) {
          int c = conn.Request("PATCH",
                               std::string(kTemplates) +
                                   "/wide?fieldManager=bench&force=true",
                               Template(200, i % 200, "ssa" + std::to_string(i)), &out,
                               "application/apply-patch+yaml");
          if (c != 200 && i == 0) fprintf(stderr, "apply: HTTP %d %s\n", c, out.substr(0, 300).c_str());
          return c == 200;
        }));

  conn.Request("DELETE", std::string(kTemplates) + "/wide", "");
  conn.Request("DELETE", "/api/v1/namespaces/default/configmaps/small", "");
  return 0;
}
