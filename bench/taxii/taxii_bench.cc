// Where the CPU of `GET .../objects/?limit=100` goes, in process (no sockets): each layer is
// measured on the same store of 20,000 synthetic indicators (~600 bytes of JSON each, as made by
// gen_bundle.py), so the ratios between the rows of one run say what each layer adds.
//
//   BM_StoreQueryPage      SqliteStore::QueryObjects(limit 100, with JSON), no filter
//   BM_StoreScanPage       SqliteStore::ScanObjects of the same page into one body (what the
//                          TAXII envelope does since it reads rows as they are stepped)
//   BM_ApiHandle           TaxiiApi::Handle of the GET, no hooks (grants only, no audit)
//   BM_ServicesHandle      cli::Services::Handle: what `tabadul serve` runs per request (policy
//                          access + read filter + rewrite, disclosure log queue, router), with
//                          its background pollers running
//
// Pages rotate over ten offsets so that successive iterations do not serve one page only.
// `proc_cpu_us` is the CPU of the whole process per iteration (every thread: the disclosure
// log's writer and the pollers count too).
#include <benchmark/benchmark.h>

#include "../process_cpu.h"
#include "../tuned_main.h"
#include <stdlib.h>
#include <time.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>

#include "auth/authenticator.h"
#include "auth/password.h"
#include "cli/services.h"
#include "common/clock.h"
#include "common/timestamp.h"
#include "stix/validator.h"
#include "store/sqlite_store.h"
#include "taxii/api.h"

namespace tabadul::taxii {
namespace {

constexpr int kObjects = 20000;
constexpr int64_t kStart = 1'700'000'000'000'000;
constexpr char kCollection[] = "11111111-2222-4333-8444-555555555555";
constexpr char kOrg[] = "identity--11111111-2222-4333-8444-000000000001";

std::string Uuid(std::mt19937_64& rng) {
  char buf[40];
  uint64_t a = rng(), b = rng();
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a >> 16) & 0xffff, static_cast<unsigned>(a) & 0xfff,
                0x8000 | (static_cast<unsigned>(b >> 48) & 0x3fff),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// The same shape as bench/taxii/gen_bundle.py: an indicator of ~600 bytes.
std::string IndicatorJson(std::mt19937_64& rng, int i) {
  char ip[32];
  std::snprintf(ip, sizeof ip, "%d.%d.%d.%d", 1 + static_cast<int>(rng() % 223),
                static_cast<int>(rng() % 256), static_cast<int>(rng() % 256),
                static_cast<int>(rng() % 256));
  return "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" + Uuid(rng) +
         "\",\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"2025-01-01T00:00:00.000Z\","
         "\"name\":\"Synthetic indicator " + std::to_string(i) +
         "\",\"indicator_types\":[\"malicious-activity\"],\"pattern\":\"[ipv4-addr:value = '" +
         ip + "']\",\"pattern_type\":\"stix\",\"valid_from\":\"2025-01-01T00:00:00Z\","
         "\"description\":\"Generated for the tabadul benchmarks; padding " +
         std::string(200, 'x') + "\"}";
}

using bench::ProcessCpu;

// A data folder holding the collection, its owner organization and one reader of it.
struct Fixture {
  std::string dir;
  std::vector<int64_t> page_starts;  // added_after values of ten pages spread over the data
  std::string authorization;

  Fixture() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tabadul-taxii-bench-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    auto store = std::move(store::SqliteStore::Open(dir + "/tabadul.db")).value();
    (void)store->CreateOrganization({kOrg, "bench", kStart});
    store::User user{"bench", kOrg, store::Role::kReader, auth::HashSecret("bench-password").value(),
                     kStart};
    (void)store->CreateUser(user);
    store::Collection c;
    c.id = kCollection;
    c.title = "bench";
    c.owner_org = kOrg;
    (void)store->CreateCollection(c);
    (void)store->SetGrant("bench", kCollection, {true, false});
    std::mt19937_64 rng(42);
    std::vector<stix::StixObject> objects;
    for (int i = 0; i < kObjects; ++i) {
      objects.push_back(std::move(stix::ParseObject(IndicatorJson(rng, i))).value());
    }
    (void)store->PutObjects(kCollection, objects, kStart);
    store::ObjectQuery q;
    q.collection_id = kCollection;
    q.limit = kObjects;
    auto all = std::move(store->QueryObjects(q, nullptr)).value();
    page_starts.push_back(-1);
    for (int i = 1; i < 10; ++i) page_starts.push_back(all.rows[i * (kObjects / 10)].date_added_us);
    authorization = "Basic YmVuY2g6YmVuY2gtcGFzc3dvcmQ=";  // bench:bench-password
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  HttpRequest Request(int64_t i) const {
    HttpRequest r;
    r.method = "GET";
    r.target = std::string("/api/collections/") + kCollection + "/objects/?limit=100";
    int64_t after = page_starts[i % page_starts.size()];
    if (after >= 0) r.target += "&added_after=" + FormatTaxiiTimestamp(after);
    r.accept = "application/taxii+json;version=2.1";
    r.authorization = authorization;
    return r;
  }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void BM_StoreQueryPage(benchmark::State& state) {
  auto store = std::move(store::SqliteStore::Open(Shared().dir + "/tabadul.db")).value();
  int64_t i = 0;
  size_t bytes = 0;
  ProcessCpu cpu(state);
  for (auto _ : state) {
    store::ObjectQuery q;
    q.collection_id = kCollection;
    q.added_after_us = Shared().page_starts[i++ % 10];
    q.with_json = true;
    q.limit = 100;
    auto page = store->QueryObjects(q, nullptr);
    if (!page.ok() || page->rows.size() != 100) state.SkipWithError("short page");
    for (const auto& r : page->rows) bytes += r.json.size();
    benchmark::DoNotOptimize(page);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_StoreQueryPage)->Unit(benchmark::kMicrosecond);

// The same page through SqliteStore::ScanObjects, each row's JSON appended to one body as the
// TAXII envelope does: the store's share of BM_ApiHandle.
void BM_StoreScanPage(benchmark::State& state) {
  auto store = std::move(store::SqliteStore::Open(Shared().dir + "/tabadul.db")).value();
  int64_t i = 0;
  size_t bytes = 0;
  ProcessCpu cpu(state);
  for (auto _ : state) {
    store::ObjectQuery q;
    q.collection_id = kCollection;
    q.added_after_us = Shared().page_starts[i++ % 10];
    q.with_json = true;
    q.limit = 100;
    std::string body;
    body.reserve(70000);
    size_t rows = 0;
    auto more = store->ScanObjects(q, nullptr, [&](store::ObjectRow&, std::string_view json) {
      if (rows++) body += ',';
      body += json;
    });
    if (!more.ok() || rows != 100) state.SkipWithError("short page");
    bytes += body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_StoreScanPage)->Unit(benchmark::kMicrosecond);

void BM_ApiHandle(benchmark::State& state) {
  SystemClock clock;
  auto store = std::move(store::SqliteStore::Open(Shared().dir + "/tabadul.db")).value();
  auth::Authenticator authenticator(*store, clock);
  TaxiiApi api(*store, authenticator, clock, ApiConfig{});
  (void)api.Handle(Shared().Request(0));  // warm the credential cache (argon2id once)
  int64_t i = 0;
  size_t bytes = 0;
  ProcessCpu cpu(state);
  for (auto _ : state) {
    HttpResponse r = api.Handle(Shared().Request(i++));
    if (r.status != 200) state.SkipWithError("not 200");
    bytes += r.body.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ApiHandle)->Unit(benchmark::kMicrosecond);

void BM_ServicesHandle(benchmark::State& state) {
  SystemClock clock;
  cli::ServicesOptions options;
  options.data_dir = Shared().dir;
  auto services = cli::Services::Open(options, clock);
  if (!services.ok()) {
    state.SkipWithError(services.status().message().c_str());
    return;
  }
  (void)(*services)->Handle(Shared().Request(0));
  int64_t i = 0;
  size_t bytes = 0;
  {
    ProcessCpu cpu(state);
    for (auto _ : state) {
      HttpResponse r = (*services)->Handle(Shared().Request(i++));
      if (r.status != 200) state.SkipWithError("not 200");
      bytes += r.body.size();
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ServicesHandle)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tabadul::taxii

TABADUL_BENCHMARK_MAIN()
