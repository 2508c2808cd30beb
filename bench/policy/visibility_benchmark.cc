// What the visibility rule costs a page: GET objects/?limit=100 through TaxiiApi::Handle on a
// real SqliteStore, (a) without policy hooks, read by the owner through its grant (the baseline,
// "a page with none"), (b) with the hooks and 100 organizations / 1,000 agreements, read by a
// recipient whose access comes from one of them, (c) the same with the owner reading, and, when
// the audit module is built, (d) = (b) with the disclosure log recording every page as
// `tabadul serve` does (issue 3: "the disclosure log's cost on that page").
//
// BM_Served*: the same pages served over HTTP on 127.0.0.1 by the real Beast server (one
// worker thread each, as `serve` would run them) to a keep-alive client in the benchmark thread;
// "server_cpu_us" is the CPU of every thread of the process but the client's per page: what the
// server spends to serve the page, socket and HTTP included.
#include <benchmark/benchmark.h>

#include "../process_cpu.h"
#include "../tuned_main.h"

#include <filesystem>
#include <random>

#include "auth/password.h"
#include "common/timestamp.h"
#include "policy/agreement_service.h"
#include "policy/hooks.h"
#include "stix/validator.h"
#include "store/sqlite_store.h"
#include "taxii/api.h"
#include "taxii/server.h"
#ifdef TABADUL_BENCH_WITH_AUDIT
#include "audit/disclosure_hook.h"
#include "audit/disclosure_log.h"
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace tabadul {
namespace {

constexpr int kOrgs = 100;
constexpr int kAgreements = 1000;
constexpr int kObjects = 2000;
const char* const kCollection = "00000000-0000-4000-8000-00000000c0c0";

std::string Org(int i) {
  char b[64];
  std::snprintf(b, sizeof b, "identity--00000000-0000-4000-8000-%012d", i);
  return b;
}

struct World {
  FakeClock clock{1'700'000'000'000'000};
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<store::SqliteAgreementStore> agreements;
  std::unique_ptr<auth::Authenticator> auth;
  std::unique_ptr<policy::Engine> engine;
  std::unique_ptr<intake::Pipeline> pipeline;
  std::unique_ptr<taxii::TaxiiApi> plain, with_policy;
  std::unique_ptr<taxii::Server> served_policy;
  uint16_t served_policy_port = 0;
#ifdef TABADUL_BENCH_WITH_AUDIT
  std::unique_ptr<audit::DisclosureLog> log;
  std::unique_ptr<taxii::TaxiiApi> with_policy_logged;
  std::unique_ptr<taxii::Server> served_logged;
  uint16_t served_logged_port = 0;
#endif

  // The CPU clock of a server's (one) worker thread, learned by its first request.
  struct WorkerClock {
    std::atomic<bool> known{false};
    clockid_t id{};
    double Micros() const {
      timespec ts{};
      clock_gettime(id, &ts);
      return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
    }
  };
  WorkerClock policy_worker, logged_worker;

  static std::unique_ptr<taxii::Server> Serve(taxii::TaxiiApi& api, uint16_t* port,
                                              WorkerClock* worker) {
    taxii::ServerOptions options;
    options.threads = 1;
    auto server = std::make_unique<taxii::Server>(
        [&api, worker](const taxii::HttpRequest& r) {
          if (!worker->known.load(std::memory_order_acquire) &&
              pthread_getcpuclockid(pthread_self(), &worker->id) == 0) {
            worker->known.store(true, std::memory_order_release);
          }
          return api.Handle(r);
        },
        options);
    auto bound = server->Start();
    if (!bound.ok()) std::abort();
    *port = *bound;
    return server;
  }

  World() {
    const auto dir = std::filesystem::path("/tmp") / ("policy_bench_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "b.db").string();
    store = std::move(store::SqliteStore::Open(path)).value();
    agreements = std::move(store::SqliteAgreementStore::Open(path)).value();
    (void)auth::InitCrypto();
    const std::string hash = *auth::HashSecret("pw");
    for (int i = 0; i < kOrgs; ++i) {
      (void)store->CreateOrganization({Org(i), "org" + std::to_string(i), 1});
      (void)store->CreateUser({"u" + std::to_string(i), Org(i), store::Role::kReader, hash, 1});
    }
    // Every organization owns a collection; org 0's holds the objects.
    (void)store->CreateCollection({kCollection, "c0", "", "", Org(0), "amber", 1});
    for (int i = 1; i < kOrgs; ++i) {
      char id[64];
      std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
      (void)store->CreateCollection({id, "c", "", "", Org(i), "amber", 1});
    }
    (void)store->SetGrant("u0", kCollection, {true, true});
    std::vector<stix::StixObject> objects;
    for (int i = 0; i < kObjects; ++i) {
      // Every object modified at its own minute and millisecond (a page of one feed's bulk
      // upload would share them, which makes recording it cheaper; this is the dearer case).
      const std::string modified = FormatTimestamp(
          1'704'067'200'000'000'000LL + i * 61'000'000'000LL + (i * 7919 % 1000) * 1'000'000LL, 3);
      char json[640];
      std::snprintf(json, sizeof json,
                    R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d",)"
                    R"("created":"2024-01-01T00:00:00.000Z","modified":"%s",)"
                    R"("pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix",)"
                    R"("valid_from":"2024-01-01T00:00:00Z","labels":["%s"],)"
                    R"("object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]})",
                    i, modified.c_str(), i % 2 ? "phishing" : "botnet");
      objects.push_back(*stix::ParseObject(json));
    }
    (void)store->PutObjects(kCollection, objects, clock.NowMicros());
    auth = std::make_unique<auth::Authenticator>(*store, clock, int64_t{1} << 60);
    engine = std::make_unique<policy::Engine>(*store, *agreements, clock);
    policy::AgreementService service(*engine);
    std::vector<policy::Agreement> set;
    std::mt19937 rng(7);
    for (int i = 0; i < kAgreements; ++i) {
      policy::Agreement a;
      a.name = "a" + std::to_string(i);
      const int provider = i == 0 ? 0 : static_cast<int>(rng() % kOrgs);
      a.provider_org = Org(provider);
      int recipient = i == 0 ? 1 : static_cast<int>(rng() % kOrgs);
      if (recipient == provider) recipient = (recipient + 1) % kOrgs;
      a.recipients = {Org(recipient)};
      if (provider == 0) {
        a.collections = {kCollection};
      } else {
        char id[64];
        std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", provider);
        a.collections = {id};
      }
      a.max_tlp = stix::Tlp::kAmber;
      if (i == 0) a.labels = {"botnet", "phishing"};
      set.push_back(std::move(a));
    }
    auto report = service.Apply(set, "", "bench", false);
    if (!report.ok()) std::abort();
    pipeline = std::make_unique<intake::Pipeline>(*store, clock);
    plain = std::make_unique<taxii::TaxiiApi>(*store, *pipeline, *auth, clock, taxii::ApiConfig{});
    with_policy = std::make_unique<taxii::TaxiiApi>(*store, *pipeline, *auth, clock, taxii::ApiConfig{},
                                                    *policy::MakeHooks(*engine));
#ifdef TABADUL_BENCH_WITH_AUDIT
    // As cli/services.cc wires it: the log in its own files in the data folder, waiting for
    // each record to be written before the response goes out.
    log = std::move(audit::DisclosureLog::Open((dir / "audit.db").string(),
                                               *audit::SigningKey::FromSeed(std::string(32, 'k')),
                                               clock)).value();
    taxii::ApiHooks logged = *policy::MakeHooks(*engine);
    logged.on_disclosure = audit::MakeDisclosureHook(*log);
    with_policy_logged = std::make_unique<taxii::TaxiiApi>(*store, *pipeline, *auth, clock,
                                                           taxii::ApiConfig{}, std::move(logged));
    served_logged = Serve(*with_policy_logged, &served_logged_port, &logged_worker);
#endif
    served_policy = Serve(*with_policy, &served_policy_port, &policy_worker);
  }
};

World& TheWorld() {
  static World w;
  return w;
}

taxii::HttpRequest Page(const std::string& basic) {
  taxii::HttpRequest r;
  r.method = "GET";
  r.target = std::string("/api/collections/") + kCollection + "/objects/?limit=100";
  r.accept = "application/taxii+json;version=2.1";
  r.authorization = basic;
  return r;
}

// base64("u0:pw") and base64("u1:pw").
const char* const kU0 = "Basic dTA6cHc=";
const char* const kU1 = "Basic dTE6cHc=";

// Also reports "proc_cpu_us": the CPU of every thread of the process per page.
void Run(benchmark::State& state, taxii::TaxiiApi& api, const char* who) {
  const auto req = Page(who);
  auto first = api.Handle(req);
  if (first.status != 200 || first.body.size() < 1000) {
    state.SkipWithError(("unexpected response: " + first.body.substr(0, 200)).c_str());
    return;
  }
  {
    bench::ProcessCpu cpu(state);
    for (auto _ : state) {
      auto resp = api.Handle(req);
      benchmark::DoNotOptimize(resp.body.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * 100);
}

void BM_PageNoPolicy(benchmark::State& state) { Run(state, *TheWorld().plain, kU0); }
void BM_PagePolicyRecipient(benchmark::State& state) {
  Run(state, *TheWorld().with_policy, kU1);
}
void BM_PagePolicyOwner(benchmark::State& state) { Run(state, *TheWorld().with_policy, kU0); }

#ifdef TABADUL_BENCH_WITH_AUDIT
void BM_PagePolicyRecipientLogged(benchmark::State& state) {
  Run(state, *TheWorld().with_policy_logged, kU1);
}
#endif

// A keep-alive HTTP/1.1 client on a blocking socket (the benchmark's side of the wire).
class Client {
 public:
  explicit Client(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ok_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Sends `request` and reads one response; its status code, or 0 on a broken connection.
  int RoundTrip(const std::string& request, size_t* body_bytes) {
    if (!ok_ || ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
                    static_cast<ssize_t>(request.size())) {
      return 0;
    }
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    const std::string head = buf_.substr(0, head_end);
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t cl = lower.find("content-length:");
    if (cl == std::string::npos || head.size() < 12) return 0;
    const size_t length = std::strtoull(head.c_str() + cl + 15, nullptr, 10);
    while (buf_.size() < head_end + 4 + length) {
      if (!Fill()) return 0;
    }
    *body_bytes = length;
    buf_.erase(0, head_end + 4 + length);
    return std::atoi(head.c_str() + 9);
  }

 private:
  bool Fill() {
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  bool ok_ = false;
  std::string buf_;
};

double ThreadCpuMicros() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

void Served(benchmark::State& state, uint16_t port, const char* who) {
  Client client(port);
  const std::string request = std::string("GET /api/collections/") + kCollection +
                              "/objects/?limit=100 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Accept: application/taxii+json;version=2.1\r\nAuthorization: " +
                              who + "\r\n\r\n";
  size_t bytes = 0;
  if (client.RoundTrip(request, &bytes) != 200 || bytes < 1000) {
    state.SkipWithError("the served page was not a full 200");
    return;
  }
  const double process0 = bench::ProcessCpuMicros(), client0 = ThreadCpuMicros();
  for (auto _ : state) {
    if (client.RoundTrip(request, &bytes) != 200) {
      state.SkipWithError("a served page failed");
      break;
    }
  }
  const double server = (bench::ProcessCpuMicros() - process0) - (ThreadCpuMicros() - client0);
  state.counters["server_cpu_us"] =
      server / static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  state.SetItemsProcessed(state.iterations() * 100);
}

#ifdef TABADUL_BENCH_WITH_AUDIT
// The two served pages in alternation, one of each per iteration, each server's cost read from
// its worker thread's own CPU clock (Beast, TAXII, policy and log alike); whatever else the
// process spent but the client (the log's writer thread) is billed to the logged server. Load
// that drifts during the run (this VM has phases in which everything costs twice as much) then
// hits both alike, and the ratio holds.
void BM_ServedPagePairLoggedVsNot(benchmark::State& state) {
  auto& w = TheWorld();
  Client plain(w.served_policy_port), logged(w.served_logged_port);
  const std::string request = std::string("GET /api/collections/") + kCollection +
                              "/objects/?limit=100 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Accept: application/taxii+json;version=2.1\r\nAuthorization: " +
                              kU1 + "\r\n\r\n";
  size_t bytes = 0;
  if (plain.RoundTrip(request, &bytes) != 200 || logged.RoundTrip(request, &bytes) != 200 ||
      !w.policy_worker.known || !w.logged_worker.known) {
    state.SkipWithError("the served page was not a 200");
    return;
  }
  const double p0 = w.policy_worker.Micros(), l0 = w.logged_worker.Micros();
  const double process0 = bench::ProcessCpuMicros(), client0 = ThreadCpuMicros();
  for (auto _ : state) {
    if (plain.RoundTrip(request, &bytes) != 200 || logged.RoundTrip(request, &bytes) != 200) {
      state.SkipWithError("a served page failed");
      break;
    }
  }
  const double plain_us = w.policy_worker.Micros() - p0;
  const double rest = (bench::ProcessCpuMicros() - process0) - (ThreadCpuMicros() - client0) -
                      plain_us;  // the logged worker, the log's writer, anything else
  const auto n = static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  state.counters["plain_us"] = plain_us / n;
  state.counters["logged_us"] = rest / n;
  state.counters["logged_worker_us"] = (w.logged_worker.Micros() - l0) / n;
  state.counters["ratio"] = rest / std::max(plain_us, 1e-9);
}
#endif

void BM_ServedPagePolicyRecipient(benchmark::State& state) {
  Served(state, TheWorld().served_policy_port, kU1);
}
#ifdef TABADUL_BENCH_WITH_AUDIT
void BM_ServedPagePolicyRecipientLogged(benchmark::State& state) {
  Served(state, TheWorld().served_logged_port, kU1);
}
#endif

// Interleaved and repeated, so that load drifting during the run shows as disagreement between
// the two passes instead of as a ratio.
BENCHMARK(BM_PageNoPolicy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PagePolicyRecipient)->Unit(benchmark::kMicrosecond);
#ifdef TABADUL_BENCH_WITH_AUDIT
BENCHMARK(BM_PagePolicyRecipientLogged)->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(BM_PagePolicyOwner)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PageNoPolicy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PagePolicyRecipient)->Unit(benchmark::kMicrosecond);
#ifdef TABADUL_BENCH_WITH_AUDIT
BENCHMARK(BM_PagePolicyRecipientLogged)->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(BM_ServedPagePolicyRecipient)->Unit(benchmark::kMicrosecond)->UseRealTime();
#ifdef TABADUL_BENCH_WITH_AUDIT
BENCHMARK(BM_ServedPagePolicyRecipientLogged)->Unit(benchmark::kMicrosecond)->UseRealTime();
#endif
BENCHMARK(BM_ServedPagePolicyRecipient)->Unit(benchmark::kMicrosecond)->UseRealTime();
#ifdef TABADUL_BENCH_WITH_AUDIT
BENCHMARK(BM_ServedPagePolicyRecipientLogged)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ServedPagePairLoggedVsNot)->Unit(benchmark::kMicrosecond)->UseRealTime();
#endif

}  // namespace
}  // namespace tabadul

TABADUL_BENCHMARK_MAIN()
