// What the disclosure log costs a response that delivers a page of 100 objects, against the
// baseline of reading that page (SqliteStore::QueryObjects with JSON). The database lives in a
// fresh folder under $TMPDIR (the same disk as a data folder on this machine).
//
//   BM_ServePage              QueryObjects(limit 100, with_json) - the baseline
//   BM_ServePageAndRecord/w   the same + the TAXII hook recording the page (w: wait for the
//                             record to be written, as the server does; 0: queue only)
//   BM_Append/mode            DisclosureLog::Append of one 100-version record:
//                               0 = wait for the write (the default)
//                               1 = wait for the write and its fdatasync
//                               2 = queue only; 64 appends + Flush per iteration
//   BM_RecordHash100          building and hashing one record of 100 versions
//   BM_Verify                 verifying a chain of 10,000 records
#include <benchmark/benchmark.h>

#include "../process_cpu.h"
#include "../tuned_main.h"
#include <stdlib.h>

#include <time.h>

#include <filesystem>
#include <memory>

#include "audit/chain.h"
#include "audit/disclosure_hook.h"
#include "audit/disclosure_log.h"
#include "common/timestamp.h"
#include "store/sqlite_store.h"

namespace tabadul::audit {
namespace {

constexpr int kObjects = 2000;
constexpr int64_t kStart = 1'700'000'000'000'000;

std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "6ba7b810-9dad-41d1-80b4-%012d", n);
  return buf;
}

// Versions an hour apart, with milliseconds: a feed's objects as they were created, so that
// neighbours on a page differ (the stored form encodes each version's distance from the
// previous one; identical versions would flatter it).
int64_t VersionNs(int n) {
  return 1'704'067'200'000'000'000 + n * 3'600'000'000'000LL + (n * 7919 % 1000) * 1'000'000LL;
}
std::string Version(int n) { return FormatTimestamp(VersionNs(n), 3); }

// An indicator of a typical size (~900 bytes of JSON).
stix::StixObject Indicator(int n) {
  stix::StixObject o;
  o.id = "indicator--" + Uuid(n);
  o.type = "indicator";
  o.spec_version = "2.1";
  o.object_class = stix::ObjectClass::kDomain;
  o.created = o.modified = Version(n);
  o.created_ns = o.modified_ns = VersionNs(n);
  o.labels = {"malicious-activity"};
  o.object_marking_refs = {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"};
  o.json = "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + o.id +
           "\",\"created\":\"" + o.created + "\",\"modified\":\"" + o.modified + "\","
           "\"name\":\"C2 address " + std::to_string(n) + "\",\"description\":\"" +
           std::string(500, 'd') + "\",\"indicator_types\":[\"malicious-activity\"],"
           "\"pattern\":\"[ipv4-addr:value = '198.51.100." + std::to_string(n % 256) + "']\","
           "\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\",\"labels\":"
           "[\"malicious-activity\"],\"object_marking_refs\":[\"marking-definition--f88d31f6-"
           "486f-44da-b317-01333bde0b82\"]}";
  return o;
}

struct Fixture {
  std::string dir;
  std::string db;
  std::unique_ptr<store::SqliteStore> store;
  store::Collection collection;
  FakeClock clock{kStart};

  Fixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tabadul-audit-bench-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    db = dir + "/tabadul.db";
    store = std::move(store::SqliteStore::Open(db)).value();
    (void)store->CreateOrganization({"identity--" + Uuid(1), "acme", 0});
    collection.id = Uuid(100);
    collection.title = "bench";
    collection.owner_org = "identity--" + Uuid(1);
    (void)store->CreateCollection(collection);
    std::vector<stix::StixObject> objects;
    for (int i = 0; i < kObjects; ++i) objects.push_back(Indicator(i));
    (void)store->PutObjects(collection.id, objects, kStart);
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  // The log in its own files in the data folder, as `tabadul serve` opens it; each call starts
  // a new log so that one benchmark's records do not lengthen the next one's.
  std::unique_ptr<DisclosureLog> OpenLog(LogOptions options) {
    static int n = 0;
    const std::string sub = dir + "/log" + std::to_string(++n);
    std::filesystem::create_directories(sub);
    return std::move(DisclosureLog::Open(sub + "/audit.db",
                                         SigningKey::FromSeed(std::string(32, 'k')).value(), clock,
                                         options))
        .value();
  }
  store::Page ReadPage(int64_t after_us) {
    store::ObjectQuery q;
    q.collection_id = collection.id;
    q.added_after_us = after_us;
    q.with_json = true;
    q.limit = 100;
    return std::move(store->QueryObjects(q, nullptr)).value();
  }
};

using bench::ProcessCpu;

Fixture& Shared() {
  static Fixture f;  // one store for every benchmark; removed at exit
  return f;
}

// Pages start at a rotating offset so successive iterations do not read one cached page only.
int64_t PageStart(int64_t i) { return i % 10 == 0 ? -1 : Shared().ReadPage(-1).rows[(i % 10) * 9].date_added_us; }

Disclosure HundredVersions(int n) {
  Disclosure d;
  d.org_id = "identity--" + Uuid(2);
  d.user = "reader-" + std::to_string(n % 7);
  d.path = "/api/collections/" + Uuid(100) + "/objects/";
  d.collection_id = Uuid(100);
  for (int i = 0; i < 100; ++i) {
    const int k = (n * 100 + i) % kObjects;
    d.versions.push_back({"indicator--" + Uuid(k), Version(k)});
  }
  return d;
}

void BM_ServePage(benchmark::State& state) {
  auto& f = Shared();
  std::vector<int64_t> starts;
  for (int i = 0; i < 10; ++i) starts.push_back(PageStart(i));
  size_t i = 0;
  {
  ProcessCpu cpu(state);
  for (auto _ : state) {
    auto page = f.ReadPage(starts[i++ % starts.size()]);
    benchmark::DoNotOptimize(page.rows.data());
  }
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ServePage)->UseRealTime();

void BM_ServePageAndRecord(benchmark::State& state) {
  auto& f = Shared();
  LogOptions options;
  options.wait_for_commit = state.range(0) != 0;
  auto log = f.OpenLog(options);
  auto hook = MakeDisclosureHook(*log);
  std::vector<int64_t> starts;
  for (int i = 0; i < 10; ++i) starts.push_back(PageStart(i));
  size_t i = 0;
  const std::string user = "reader", org = "identity--" + Uuid(2), path = "/api/x/objects/";
  {
  ProcessCpu cpu(state);
  for (auto _ : state) {
    auto page = f.ReadPage(starts[i++ % starts.size()]);
    benchmark::DoNotOptimize(hook.Record(org, user, path, f.collection, page.rows));
  }
  (void)log->Flush();  // the queued records' cost belongs to these iterations
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
// Arg: wait for the write (1, the server's setting) or queue only (0).
BENCHMARK(BM_ServePageAndRecord)->Arg(1)->Arg(0)->UseRealTime();

void BM_Append(benchmark::State& state) {
  auto& f = Shared();
  const int mode = static_cast<int>(state.range(0));
  LogOptions options;
  options.wait_for_commit = mode != 2;
  options.fsync_each_commit = mode == 1;
  auto log = f.OpenLog(options);
  std::vector<Disclosure> inputs;
  for (int i = 0; i < 64; ++i) inputs.push_back(HundredVersions(i));
  const int per_iteration = mode == 2 ? 64 : 1;
  size_t i = 0;
  ProcessCpu cpu(state);
  for (auto _ : state) {
    for (int k = 0; k < per_iteration; ++k) {
      Status st = log->Append(inputs[i++ % inputs.size()]);
      if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    }
    if (mode == 2) (void)log->Flush();
  }
  state.SetItemsProcessed(state.iterations() * per_iteration);  // records
}
BENCHMARK(BM_Append)->Arg(0)->Arg(1)->Arg(2)->UseRealTime();

// What the hook does per page before appending: the delivered rows into the stored form.
void BM_ItemList100(benchmark::State& state) {
  auto& f = Shared();
  auto page = f.ReadPage(-1);
  for (auto _ : state) {
    store::AuditItemList list;
    list.Reserve(page.rows.size());
    for (const auto& row : page.rows) list.Add(row.id, row.version);
    benchmark::DoNotOptimize(list.encoded().data());
  }
}
BENCHMARK(BM_ItemList100);

void BM_RecordHash100(benchmark::State& state) {
  auto d = HundredVersions(1);
  store::AuditRecord r;
  r.org_id = d.org_id;
  r.user = d.user;
  r.path = d.path;
  r.collection_id = d.collection_id;
  r.item_count = 100;
  r.encoded_items = d.versions.encoded();
  r.prev_hash = kGenesisHash;
  std::string body;
  for (auto _ : state) {
    body.clear();
    AppendRecordBody(r, &body);
    benchmark::DoNotOptimize(RecordHashOfBody(body));
  }
  state.counters["record_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_RecordHash100);

void BM_Verify(benchmark::State& state) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tabadul-audit-verify-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  FakeClock clock(kStart);
  {
    LogOptions async;
    async.wait_for_commit = false;
    auto log = std::move(DisclosureLog::Open(dir + "/v.db", SigningKey::FromSeed(std::string(32, 'k')).value(),
                                             clock, async)).value();
    for (int i = 0; i < 10000; ++i) (void)log->Append(HundredVersions(i));
  }
  auto log = std::move(DisclosureLog::Open(dir + "/v.db", SigningKey::FromSeed(std::string(32, 'k')).value(),
                                           clock)).value();
  for (auto _ : state) {
    auto r = log->Verify();
    if (!r.ok() || !r->ok) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations() * 10000);  // records
  log.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Verify)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tabadul::audit

TABADUL_BENCHMARK_MAIN()
