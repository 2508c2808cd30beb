// Replication throughput between two tabadul instances on loopback, against the same
// instance's own import rate for the same data, and incremental sync latency on a large
// collection. See bench/README.md ("sync") for commands and figures.
//
//   BM_Import/100000         parse + PutObjects in batches of 1000 (what `tabadul import` does)
//   BM_Replicate/100000      a full pull of the same objects from a remote instance
//   BM_Incremental100/N      100 new objects on a collection of N: one pull run
// The N-object source for BM_Incremental100 is built once into /tmp/tabadul-sync-bench-<N>
// (delete the folder to rebuild); each iteration works on copies of nothing: it adds 100 new
// objects at the source and pulls them into a destination that is already in sync.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "auth/authenticator.h"
#include "auth/password.h"
#include "stix/validator.h"
#include "store/sqlite_store.h"
#include "sync/sync_service.h"
#include "taxii/api.h"
#include "taxii/server.h"

namespace tabadul::sync {
namespace {

constexpr char kPassword[] = "bench password";
constexpr uint16_t kIncrementalPort = 18761;
constexpr char kCollection[] = "6c1f0b7e-0000-4000-8000-000000000001";

std::string Indicator(int n) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--%08x-0000-4000-8000-%012x", n, n);
  return std::string(R"({"type":"indicator","spec_version":"2.1","id":")") + id +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Host )" +
         std::to_string(n) +
         R"(","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '10.)" +
         std::to_string((n >> 16) & 255) + "." + std::to_string((n >> 8) & 255) + "." +
         std::to_string(n & 255) +
         R"(']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"})";
}

// One instance: store, users, collection, TAXII server.
struct Node {
  std::string dir;
  bool keep = false;
  SystemClock clock;
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<PeerRegistry> registry;
  std::unique_ptr<auth::Authenticator> auth;
  std::unique_ptr<intake::Pipeline> pipeline;
  std::unique_ptr<taxii::TaxiiApi> api;
  std::unique_ptr<taxii::Server> server;
  uint16_t port = 0;

  // `fixed_port` keeps a cached source reachable at the URL its peer record names.
  explicit Node(std::string folder = "", uint16_t fixed_port = 0) {
    if (folder.empty()) {
      char t[] = "/tmp/tabadul-sync-bench-XXXXXX";
      dir = mkdtemp(t);
    } else {
      dir = folder;
      keep = true;
      std::filesystem::create_directories(dir);
    }
    store = store::SqliteStore::Open(dir + "/tabadul.db").value();
    registry = PeerRegistry::Open(dir + "/tabadul.db").value();
    if (!store->GetCollection(kCollection).ok()) {
      (void)auth::InitCrypto();
      std::string org = "identity--00000000-0000-4000-8000-000000000001";
      (void)store->CreateOrganization({org, "org", 0});
      (void)store->CreateUser({"sync", org, store::Role::kPublisher,
                               auth::HashSecret(kPassword).value(), 0});
      store::Collection c;
      c.id = kCollection;
      c.title = "bench";
      c.owner_org = org;
      (void)store->CreateCollection(c);
      (void)store->SetGrant("sync", kCollection, {true, true});
    }
    auth = std::make_unique<auth::Authenticator>(*store, clock);
    pipeline = std::make_unique<intake::Pipeline>(*store, clock);
    api = std::make_unique<taxii::TaxiiApi>(*store, *pipeline, *auth, clock, taxii::ApiConfig{});
    taxii::ServerOptions so;
    so.port = fixed_port;
    server = std::make_unique<taxii::Server>(
        [this](const taxii::HttpRequest& r) { return api->Handle(r); }, so);
    port = server->Start().value();
  }
  ~Node() {
    server->Stop();
    server.reset();
    api.reset();
    registry.reset();
    store.reset();
    if (!keep) std::filesystem::remove_all(dir);
  }

  void Import(int from, int to) {
    std::vector<stix::StixObject> batch;
    for (int i = from; i < to; ++i) {
      batch.push_back(stix::ParseObject(Indicator(i)).value());
      if (batch.size() == 1000 || i + 1 == to) {
        (void)store->PutObjects(kCollection, batch, clock.NowMicros()).value();
        batch.clear();
      }
    }
  }

  // Subscribes to `remote`'s collection; returns a service ready to run.
  std::unique_ptr<SyncService> PullFrom(const Node& remote) {
    Peer p;
    p.name = "remote";
    p.url = "http://127.0.0.1:" + std::to_string(remote.port);
    p.api_root = "/api/";
    p.credentials = {Credentials::Kind::kBasic, "sync", kPassword};
    (void)registry->AddPeer(p);
    if (registry->ListSubscriptions("remote")->empty()) {
      (void)registry->AddSubscription({0, "remote", Direction::kPull, kCollection, kCollection, 0});
    }
    ServiceOptions o;
    o.replicator.page_size = 1000;
    return std::make_unique<SyncService>(*store, *pipeline, *registry, clock, SyncHooks{}, o);
  }
};

void BM_Import(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Node node;
    node.Import(0, n);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Import)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_Replicate(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Node source;
  source.Import(0, n);
  for (auto _ : state) {
    state.PauseTiming();
    auto dest = std::make_unique<Node>();
    auto service = dest->PullFrom(source);
    state.ResumeTiming();
    auto out = service->Run();
    if (!out.ok() || !(*out)[0].status.ok() || (*out)[0].report.stored != n) {
      state.SkipWithError("replication failed or incomplete");
    }
    state.PauseTiming();
    service.reset();
    dest.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Replicate)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_Incremental100(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string base = "/tmp/tabadul-sync-bench-" + std::to_string(n);
  {
    // Build the cached pair once: a source with n objects and a destination in sync with it.
    bool cached = std::filesystem::exists(base + "/ready");
    Node source(base + "/source", kIncrementalPort);
    if (!cached) source.Import(0, n);
    Node dest(base + "/dest");
    if (!cached) {
      auto service = dest.PullFrom(source);
      auto out = service->Run();
      if (!out.ok() || !(*out)[0].status.ok()) {
        state.SkipWithError("initial replication failed");
        return;
      }
      std::FILE* f = std::fopen((base + "/ready").c_str(), "w");
      if (f) std::fclose(f);
    }
  }
  Node source(base + "/source", kIncrementalPort);
  Node dest(base + "/dest");
  auto service = dest.PullFrom(source);
  // Each new batch uses fresh ids above everything stored so far.
  int next = n + 10'000'000 + static_cast<int>(source.clock.NowMicros() % 1'000'000) * 100;
  for (auto _ : state) {
    state.PauseTiming();
    source.Import(next, next + 100);
    next += 100;
    state.ResumeTiming();
    auto out = service->Run();
    if (!out.ok() || !(*out)[0].status.ok() || (*out)[0].report.stored != 100) {
      std::fprintf(stderr, "incremental: %s stored %lld\n",
                   out.ok() ? (*out)[0].status.ToString().c_str() : out.status().ToString().c_str(),
                   out.ok() ? static_cast<long long>((*out)[0].report.stored) : -1LL);
      state.SkipWithError("incremental sync failed");
      break;
    }
  }
}
BENCHMARK(BM_Incremental100)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

}  // namespace
}  // namespace tabadul::sync

BENCHMARK_MAIN();
