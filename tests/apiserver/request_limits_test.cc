#include "apiserver/request_limits.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace minik {
namespace {

HttpRequest Request(const std::string& method, const std::string& target) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.remote_address = "10.0.0.7:41234";
  EXPECT_TRUE(ParseTarget(r).ok());
  return r;
}

TEST(ClassifyRequest, LongRunningAsUpstream) {
  for (const char* target :
       {"/api/v1/pods?watch=true", "/api/v1/watch/namespaces/a/pods",
        "/api/v1/namespaces/a/pods/p/exec?command=sh", "/api/v1/namespaces/a/pods/p/attach",
        "/api/v1/namespaces/a/pods/p/portforward", "/api/v1/namespaces/a/pods/p/log",
        "/api/v1/namespaces/a/services/s/proxy/x", "/apis/apps/v1/deployments?watch=1"}) {
    EXPECT_TRUE(ClassifyRequest(Request("GET", target)).long_running) << target;
  }
  for (const char* target : {"/api/v1/pods", "/api/v1/namespaces/a/pods/p", "/api",
                             "/api/v1/namespaces/a/pods/p/status", "/healthz"}) {
    EXPECT_FALSE(ClassifyRequest(Request("GET", target)).long_running) << target;
  }
}

TEST(ClassifyRequest, MutatingIsEveryVerbButGetListWatch) {
  EXPECT_FALSE(ClassifyRequest(Request("GET", "/api/v1/pods")).mutating);
  EXPECT_FALSE(ClassifyRequest(Request("GET", "/api/v1/namespaces/a/pods/p")).mutating);
  EXPECT_FALSE(ClassifyRequest(Request("GET", "/version")).mutating);
  EXPECT_FALSE(ClassifyRequest(Request("HEAD", "/healthz")).mutating);
  EXPECT_TRUE(ClassifyRequest(Request("POST", "/api/v1/namespaces/a/pods")).mutating);
  EXPECT_TRUE(ClassifyRequest(Request("PATCH", "/api/v1/namespaces/a/pods/p")).mutating);
  EXPECT_TRUE(ClassifyRequest(Request("DELETE", "/api/v1/namespaces/a/pods")).mutating);
  EXPECT_TRUE(ClassifyRequest(Request("PUT", "/api/v1/namespaces/a/pods/p/status")).mutating);
}

TEST(ClassifyRequest, FlowsAndExemption) {
  HttpRequest admin = Request("GET", "/api");
  admin.client_cert = PeerCertificate{"kubernetes-admin", {"system:masters"}, "ab", true};
  RequestClass c = ClassifyRequest(admin);
  EXPECT_EQ(c.flow, "masters:kubernetes-admin");
  EXPECT_TRUE(c.exempt);

  HttpRequest alice = Request("GET", "/api");
  alice.client_cert = PeerCertificate{"alice", {"devs"}, "cd", true};
  EXPECT_EQ(ClassifyRequest(alice).flow, "cert:alice");
  EXPECT_FALSE(ClassifyRequest(alice).exempt);

  // A certificate without clientAuth is no identity (the router answers 401): not exempt.
  HttpRequest server_cert = Request("GET", "/api");
  server_cert.client_cert = PeerCertificate{"x", {"system:masters"}, "ef", false};
  EXPECT_FALSE(ClassifyRequest(server_cert).exempt);
  EXPECT_EQ(ClassifyRequest(server_cert).flow, "anonymous:10.0.0.7");

  HttpRequest token1 = Request("GET", "/api");
  token1.headers["Authorization"] = "Bearer abc";
  HttpRequest token2 = Request("GET", "/api");
  token2.headers["Authorization"] = "bearer def";
  EXPECT_EQ(ClassifyRequest(token1).flow.rfind("bearer:", 0), 0u);
  EXPECT_NE(ClassifyRequest(token1).flow, ClassifyRequest(token2).flow);
  EXPECT_FALSE(ClassifyRequest(token1).exempt);

  HttpRequest v6 = Request("GET", "/api");
  v6.remote_address = "[::1]:5000";
  EXPECT_EQ(ClassifyRequest(v6).flow, "anonymous:[::1]");
}

TEST(InFlightLimiter, ReadOnlyAndMutatingCountedApart) {
  InFlightLimiter limiter(2, 1);
  RequestClass read, write;
  write.mutating = true;
  EXPECT_TRUE(limiter.TryAcquire(read));
  EXPECT_TRUE(limiter.TryAcquire(read));
  EXPECT_FALSE(limiter.TryAcquire(read));
  EXPECT_TRUE(limiter.TryAcquire(write));
  EXPECT_FALSE(limiter.TryAcquire(write));
  EXPECT_EQ(limiter.read_only(), 2);
  EXPECT_EQ(limiter.mutating(), 1);
  limiter.Release(read);
  EXPECT_TRUE(limiter.TryAcquire(read));
  limiter.Release(write);
  EXPECT_TRUE(limiter.TryAcquire(write));
}

TEST(InFlightLimiter, LongRunningAndExemptAreNotCounted) {
  InFlightLimiter limiter(1, 1);
  RequestClass read;
  ASSERT_TRUE(limiter.TryAcquire(read));
  RequestClass watch;
  watch.long_running = true;
  RequestClass admin;
  admin.exempt = true;
  admin.mutating = true;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(limiter.TryAcquire(watch));
    EXPECT_TRUE(limiter.TryAcquire(admin));
  }
  limiter.Release(watch);
  limiter.Release(admin);
  EXPECT_EQ(limiter.read_only(), 1);
  EXPECT_EQ(limiter.mutating(), 0);
}

TEST(InFlightLimiter, ZeroDisablesTheLimit) {
  InFlightLimiter limiter(0, 0);
  RequestClass read;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.TryAcquire(read));
}

// Pops what may run now, recording the flows in order.
std::vector<std::string> Drain(FairTaskQueue& q, std::vector<std::string>* running = nullptr) {
  std::vector<std::string> order;
  std::string flow;
  FairTaskQueue::Task task;
  while (q.TryPop(&flow, &task)) {
    task();
    order.push_back(flow);
    if (running) running->push_back(flow);
    else q.Done(flow);
  }
  return order;
}

TEST(FairTaskQueue, RoundRobinAcrossFlows) {
  FairTaskQueue q(100);
  int ran = 0;
  for (int i = 0; i < 5; ++i) q.Push("flood", [&] { ++ran; });
  q.Push("admin", [&] { ++ran; });
  q.Push("other", [&] { ++ran; });
  EXPECT_EQ(q.queued(), 7u);
  // The admin's request is second, not behind the whole flood.
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"flood", "admin", "other", "flood", "flood",
                                                "flood", "flood"}));
  EXPECT_EQ(ran, 7);
  EXPECT_EQ(q.queued(), 0u);
}

TEST(FairTaskQueue, OneFlowNeverHoldsMoreThanItsShareOfWorkers) {
  FairTaskQueue q(3);
  for (int i = 0; i < 10; ++i) q.Push("flood", [] {});
  std::vector<std::string> running;
  // Without Done: only 3 may run at once; the rest waits though workers are free.
  EXPECT_EQ(Drain(q, &running).size(), 3u);
  EXPECT_EQ(q.queued(), 7u);
  // Another flow still gets a worker at once.
  q.Push("admin", [] {});
  EXPECT_EQ(Drain(q, &running), std::vector<std::string>{"admin"});
  q.Done("flood");
  EXPECT_EQ(Drain(q, &running), std::vector<std::string>{"flood"});
}

TEST(FairTaskQueue, UncappedFlowsTakeAnyNumberOfWorkers) {
  FairTaskQueue q(1);
  for (int i = 0; i < 5; ++i) q.Push("masters:admin", [] {}, /*capped=*/false);
  for (int i = 0; i < 5; ++i) q.Push("cert:bob", [] {});
  std::vector<std::string> running;
  EXPECT_EQ(Drain(q, &running), (std::vector<std::string>{"masters:admin", "cert:bob",
                                                          "masters:admin", "masters:admin",
                                                          "masters:admin", "masters:admin"}));
}

TEST(FairTaskQueue, CloseDrainsThenStops) {
  FairTaskQueue q(1);
  int ran = 0;
  q.Push("a", [&] { ++ran; });
  q.Push("a", [&] { ++ran; });
  q.Close();
  std::string flow;
  FairTaskQueue::Task task;
  ASSERT_TRUE(q.Pop(&flow, &task));
  task();
  q.Done(flow);
  ASSERT_TRUE(q.Pop(&flow, &task));
  task();
  q.Done(flow);
  EXPECT_FALSE(q.Pop(&flow, &task));
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace minik
