#include "cmd/server.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/log.h"
#include "api/resource.h"
#include "api/schema.h"
#include "apiextensions/crd_serving.h"
#include "apiserver/admission_policy.h"
#include "apiserver/admission_webhook.h"
#include "apiserver/apiserver.h"
#include "apiserver/sa_admission.h"
#include "apiserver/sa_token.h"
#include "apiserver/sa_token_authenticator.h"
#include "apiserver/rbac.h"
#include "cmd/commands.h"
#include "cmd/fileutil.h"
#include "cmd/pki.h"
#include "cmd/process.h"
#include "cmd/progress.h"
#include "cmd/profile.h"
#include "controllers/controllers.h"
#include "controllers/crd_controller.h"
#include "cmd/node_setup.h"
#include "kubelet/images/images.h"
#include "kubelet/kubelet.h"
#include "kubelet/node_agent.h"
#include "kubelet/sim_nodes.h"
#include "netproxy/netproxy.h"
#include "scheduler/scheduler.h"
#include "store/store.h"

namespace minik {
namespace {

constexpr const char* kTag = "minik";
// `minik stop` waits 30 s for the server before SIGKILL; pods get most of it.
constexpr int64_t kPodStopGraceSeconds = 20;

void SetLogLevelFromEnv() {
  const char* level = std::getenv("MINIK_LOG_LEVEL");
  if (!level) return;
  std::string l = level;
  if (l == "debug") SetLogLevel(LogLevel::Debug);
  if (l == "info") SetLogLevel(LogLevel::Info);
  if (l == "warning") SetLogLevel(LogLevel::Warning);
  if (l == "error") SetLogLevel(LogLevel::Error);
}

// Runs the registered stop functions in reverse order of registration, once.
class Shutdown {
 public:
  void Add(std::function<void()> fn) { steps_.push_back(std::move(fn)); }
  void Run() {
    while (!steps_.empty()) {
      auto fn = std::move(steps_.back());
      steps_.pop_back();
      fn();
    }
  }
  ~Shutdown() { Run(); }

 private:
  std::vector<std::function<void()>> steps_;
};

}  // namespace

int ServerCommand(const CliArgs& args) { return RunServer(args); }

int RunServer(const CliArgs& args) {
  SetLogLevelFromEnv();
  const std::string profile = args.profile;
  const ProfilePaths paths = PathsFor(MinikHome(), profile);

  auto config = LoadProfileConfig(paths);
  if (!config.ok()) {
    if (config.status().code() == Code::kNotFound) {
      return Fail("profile " + profile + " is not set up (run minik start)");
    }
    return Fail(config.status().message());
  }
  auto pki = LoadPki(paths.pki);
  if (!pki.ok()) return Fail("cannot read the certificates: " + pki.status().message());

  // One server per profile. RocksDB's LOCK guards a durable store too, but an ephemeral
  // one has none, and this message is clearer.
  auto server_lock = FileLock::Acquire(paths.server_lock, false);
  if (!server_lock.ok()) {
    if (server_lock.status().code() == Code::kConflict) {
      auto other = ReadPidFile(paths.pid);
      return Fail("profile " + profile + " is already served" +
                  (other.ok() ? " by pid " + std::to_string(*other) : std::string()));
    }
    return Fail(server_lock.status().message());
  }

  // Signals are taken synchronously by this thread (sigwait below); blocked before any other
  // thread exists so that every thread inherits the mask and none is interrupted by them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // peers that hang up must not kill the server
  // Every thread that allocates gets its own glibc arena by default (up to 8 per core);
  // a few are enough for this server and keep fragmentation, and so RSS, low.
  mallopt(M_ARENA_MAX, 2);
  // Stream buffers (exec output, port-forward chunks of 128 KiB) would otherwise be mmapped
  // and unmapped one by one, a page fault per 4 KiB copied; the heap keeps them, and the
  // periodic malloc_trim below still returns what is free.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);

  if (Status st = CheckPortFree("127.0.0.1", config->api_port); !st.ok()) return Fail(st.message());
  if (Status st = WritePidFile(paths.pid, getpid()); !st.ok()) return Fail(st.message());
  ProgressWriter progress;  // what `minik start` prints, step by step
  progress.Open(paths.progress);

  // Declared before `shutdown`, so that they outlive its steps on every return path.
  ResourceRegistry resources;
  RealClock clock;
  std::unique_ptr<Store> store;
  // RBAC outlives the API server that asks it and the informers that feed it.
  RbacAuthorizer rbac;
  // ServiceAccount tokens: signed with pki/sa.key, checked with pki/sa.pub; they outlive the
  // API server that uses them.
  std::unique_ptr<JwtSigner> token_signer;
  std::unique_ptr<JwtVerifier> token_verifier;
  std::unique_ptr<ServiceAccountTokenAuthenticator> sa_tokens;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<SharedInformerFactory> informers;
  std::unique_ptr<CrdController> crds;
  std::unique_ptr<NodeAgent> node_agent;
  std::unique_ptr<SimulatedNodes> sim_nodes;
  std::unique_ptr<ControllerManager> controllers;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<ImageStore> images;
  std::unique_ptr<ContainerRuntime> runtime;
  std::unique_ptr<PodNetwork> network;
  std::unique_ptr<Kubelet> kubelet;
  std::unique_ptr<NetProxy> netproxy;
  Shutdown shutdown;
  shutdown.Add([&] { RemovePidFileIf(paths.pid, getpid()); });

  LOG(Info, kTag) << "starting profile=" << profile << " port=" << config->api_port
                  << " ephemeral=" << (config->ephemeral ? "true" : "false") << " pid=" << getpid();

  if (config->ephemeral) {
    store = NewMemStore();
  } else {
    auto opened = OpenRocksStore(paths.store);
    if (!opened.ok()) {
      // The store's message names the path and says it was left untouched.
      return Fail(opened.status().message() + " (minik delete --profile " + profile +
                  " starts the cluster over)");
    }
    store = std::move(*opened);
  }
  shutdown.Add([&] { store.reset(); });
  progress.Step("store", config->ephemeral ? "in memory (ephemeral)" : "rocksdb");

  RegisterBuiltinResources(resources);
  resources.Add(CustomResourceDefinitions());
  // The built-in schemas, plus those of custom resources as CRDs come and go.
  SchemaRegistry schemas(BuiltinSchemas());

  ApiServerConfig api_config;
  api_config.http.address = "127.0.0.1";
  api_config.http.port = config->api_port;
  api_config.http.cert_pem = pki->apiserver_cert;
  api_config.http.key_pem = pki->apiserver_key;
  api_config.http.client_ca_pem = pki->ca_cert;
  api_config.external_address = "127.0.0.1:" + std::to_string(config->api_port);
  // Pods reach the API at the node address (the `kubernetes` Service's endpoint), which the
  // bridge gets only once the kubelet runs: bound in advance (IP_FREEBIND).
  api_config.http.extra_addresses = {NodeIpFor(*config)};
  auto signer = JwtSigner::FromPrivateKeyPem(pki->sa_key);
  if (!signer.ok()) return Fail("ServiceAccount signing key pki/sa.key: " + signer.status().message());
  auto verifier = JwtVerifier::FromPublicKeyPem(pki->sa_pub);
  if (!verifier.ok()) return Fail("ServiceAccount key pki/sa.pub: " + verifier.status().message());
  if (signer.value()->key_id() != verifier.value()->key_id()) {
    return Fail("pki/sa.key and pki/sa.pub are not one key pair (minik delete --profile " +
                profile + " starts the cluster over)");
  }
  token_signer = std::move(signer.value());
  token_verifier = std::move(verifier.value());
  api_config.token_signer = token_signer.get();
  api_config.token_verifier = token_verifier.get();
  sa_tokens = std::make_unique<ServiceAccountTokenAuthenticator>(
      *token_verifier, api_config.service_account_tokens, clock);
  api_config.authorizer = &rbac;
  api = NewApiServer(*store, resources, schemas, clock, sa_tokens.get(), api_config);
  sa_tokens->SetClient(&api->LocalClient());
  api->Admission().Register(NewServiceAccountAdmission(api->LocalClient(), clock));
  api->Admission().Register(NewRbacEscalationPlugin(rbac));
  {
    AdmissionWebhookPlugins webhooks = NewAdmissionWebhooks(api->LocalClient());
    api->Admission().Register(std::move(webhooks.mutating));
    api->Admission().Register(std::move(webhooks.validating));
  }
  api->Admission().Register(NewValidatingAdmissionPolicy(api->LocalClient(), resources));
  if (Status st = api->Start(); !st.ok()) {
    if (st.code() == Code::kServiceUnavailable) {
      return Fail("port " + std::to_string(config->api_port) + " is taken by another program");
    }
    return Fail("API server: " + st.message());
  }
  shutdown.Add([&] {
    api->Stop();
    api.reset();
  });
  LOG(Info, kTag) << "api server listening address=https://127.0.0.1:" << config->api_port;

  BootstrapOptions bootstrap;
  bootstrap.api_service_ip = "10.96.0.1";
  bootstrap.api_endpoint_ip = NodeIpFor(*config);
  bootstrap.api_port = config->api_port;
  bootstrap.default_storage_class = true;
  bootstrap.dns_service_ip = "10.96.0.10";
  bootstrap.dns_endpoint_ip = NodeIpFor(*config);
  bootstrap.ingress_class = true;
  if (Status st = EnsureBootstrapObjects(api->LocalClient(), bootstrap); !st.ok()) {
    return Fail("bootstrap objects: " + st.message());
  }
  progress.Step("API server", "https://127.0.0.1:" + std::to_string(config->api_port));

  // One cache per resource for the whole process: the scheduler, the controllers and the
  // simulated nodes share it (10,000 pods cached once, not three times). It is stopped
  // before any of them goes, since its handlers call into them.
  informers = std::make_unique<SharedInformerFactory>(api->LocalClient(), clock);
  rbac.Attach(*informers);
  shutdown.Add([&] {
    informers->Stop();
    rbac.Detach();  // keeps deciding from its last snapshot while the API server drains
    informers.reset();
  });
  // Custom resources are served as soon as their CRDs are read back (also after a restart).
  crds = std::make_unique<CrdController>(api->LocalClient(), clock, *informers, resources,
                                         schemas);
  informers->Start();
  crds->Run();
  shutdown.Add([&] {
    informers->Stop();
    crds->Stop();
    crds.reset();
  });

  NodeAgentOptions node_options;
  node_options.node_name = profile;
  node_options.node_ip = NodeIpFor(*config);
  node_options.state_dir = paths.dir;
  node_options.pod_cidr = PodCidr(*config);
  node_options.runtime_version = kMinikVersion[0] == 'v' ? kMinikVersion + 1 : kMinikVersion;
  node_agent = NewNodeAgent(api->LocalClient(), clock, node_options);
  shutdown.Add([&] {
    node_agent->Stop();
    node_agent.reset();
  });
  if (Status st = node_agent->Start(); !st.ok()) return Fail("node agent: " + st.message());
  progress.Step("node", profile + " (" + node_options.node_ip + ")");

  SimulatedNodesOptions sim_options;
  sim_options.count = config->simulated_nodes;
  sim_options.real_node = profile;
  sim_options.informers = informers.get();
  if (Status st = RemoveStaleSimulatedNodes(api->LocalClient(), sim_options); !st.ok()) {
    return Fail("simulated nodes: " + st.message());
  }
  if (sim_options.count > 0) {
    sim_nodes = NewSimulatedNodes(api->LocalClient(), clock, sim_options);
    shutdown.Add([&] {
      informers->Stop();
      sim_nodes->Stop();
      sim_nodes.reset();
    });
    if (Status st = sim_nodes->Start(); !st.ok()) return Fail("simulated nodes: " + st.message());
  }

  ControllerOptions controller_options;
  controller_options.node_name = profile;
  controller_options.resources = &resources;
  controller_options.informers = informers.get();
  controller_options.volumes_dir = paths.dir + "/volumes";
  controller_options.root_ca_pem = pki->ca_cert;
  controllers = NewControllerManager(api->LocalClient(), clock, controller_options);
  shutdown.Add([&] {
    informers->Stop();
    controllers->Stop();
    controllers.reset();
  });
  if (Status st = controllers->Start(); !st.ok()) return Fail("controllers: " + st.message());

  SchedulerOptions scheduler_options;
  scheduler_options.informers = informers.get();
  scheduler = NewScheduler(api->LocalClient(), clock, scheduler_options);
  shutdown.Add([&] {
    informers->Stop();
    scheduler->Stop();
    scheduler.reset();
  });
  if (Status st = scheduler->Start(); !st.ok()) return Fail("scheduler: " + st.message());
  progress.Step("controllers and scheduler");

  auto opened_images = OpenImageStore(ImagesDir(paths));
  if (!opened_images.ok()) return Fail("image store: " + opened_images.status().message());
  images = std::move(*opened_images);
  auto opened_runtime = OpenContainerRuntime(RuntimeOptionsFor(profile, *config, paths));
  if (!opened_runtime.ok()) return Fail("container runtime: " + opened_runtime.status().message());
  runtime = std::move(*opened_runtime);
  auto opened_network = NewPodNetwork(NetworkOptionsFor(*config, paths));
  if (!opened_network.ok()) return Fail("pod network: " + opened_network.status().message());
  network = std::move(*opened_network);
  KubeletOptions kubelet_options;
  kubelet_options.node_name = profile;
  kubelet_options.node_ip = NodeIpFor(*config);
  kubelet_options.state_dir = paths.dir;
  kubelet_options.images = images.get();
  kubelet_options.runtime = runtime.get();
  kubelet_options.network = network.get();
  kubelet = NewKubelet(api->LocalClient(), clock, kubelet_options);
  // A signal (minik stop) stops the pods too; after a crash they keep running and the next
  // server adopts them.
  shutdown.Add([&] {
    api->SetNodeConnector(nullptr);
    kubelet->StopAllPods(kPodStopGraceSeconds);
    kubelet.reset();
  });
  if (Status st = kubelet->Start(); !st.ok()) return Fail("kubelet: " + st.message());
  api->SetNodeConnector(kubelet.get());
  progress.Step("pod network", BridgeName(*config) + " " + PodCidr(*config));

  // After the kubelet: DNS and Ingress listen on the bridge's address.
  NetProxyOptions netproxy_options = NetProxyOptionsFor(profile, *config);
  netproxy_options.informers = informers.get();
  netproxy_options.on_step = [&progress](const std::string& step, const std::string& detail) {
    progress.Step(step, detail);
  };
  // Tests point names outside the cluster at a fake resolver on loopback, never a real one.
  if (const char* up = std::getenv("MINIK_DNS_UPSTREAMS"); up != nullptr) {
    std::string list = up;
    for (size_t at = 0; at <= list.size();) {
      size_t comma = std::min(list.find(',', at), list.size());
      if (comma > at) netproxy_options.dns_upstreams.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
  } else if (auto resolv = ReadFile("/etc/resolv.conf"); resolv.ok()) {
    netproxy_options.dns_upstreams = NameserversOf(*resolv);
  }
  netproxy = NewNetProxy(api->LocalClient(), clock, netproxy_options);
  shutdown.Add([&] {
    informers->Stop();
    netproxy->Stop();
    netproxy.reset();
  });
  if (Status st = netproxy->Start(); !st.ok()) return Fail("netproxy: " + st.message());

  LOG(Info, kTag) << "ready profile=" << profile << " node=" << profile;
  progress.Step("ready");
  // Large responses (a LIST of 10,000 objects) leave freed memory in glibc's heaps; it is
  // returned to the kernel every few seconds so idle RSS stays near the working set.
  int sig = 0;
  const timespec trim_every{10, 0};
  while ((sig = sigtimedwait(&stop_signals, nullptr, &trim_every)) < 0) {
    malloc_trim(0);
  }
  LOG(Info, kTag) << "stopping signal=" << (sig == SIGTERM ? "SIGTERM" : "SIGINT");
  shutdown.Run();
  LOG(Info, kTag) << "stopped profile=" << profile;
  return 0;
}

}  // namespace minik
