// Import throughput of the largest ATT&CK bundle against its physical limit, measured in one run:
//   BM_ParseOnly     simdjson On Demand walk of the bundle, each object's raw text taken
//   BM_InsertOnly    the same rows (id, modified, json) inserted into a bare SQLite table, one
//                    transaction per 2,000 rows, WAL + synchronous=FULL as the store uses
//   BM_FullImport    ObjectStream + ParseObject (validation) + SqliteStore::PutObjects, batches
//                    of 2,000 (what `tabadul import` does)
// The goal (issue 2): BM_FullImport within 3x of BM_ParseOnly + BM_InsertOnly.
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "stix/object_stream.h"
#include "stix/validator.h"
#include "store/sqlite_store.h"

namespace {

namespace fs = std::filesystem;
const std::string kBundle = std::string(TABADUL_SHARED_DATA) + "/attack/enterprise-attack-18.1.json";

const std::string& Bundle() {
  static const std::string text = [] {
    std::ifstream in(kBundle, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    s.reserve(s.size() + 64);
    return s;
  }();
  return text;
}

fs::path FreshDir(const char* name) {
  fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void BM_ParseOnly(benchmark::State& state) {
  const std::string& text = Bundle();
  if (text.empty()) {
    state.SkipWithError("../shared/data is absent");
    return;
  }
  size_t n = 0;
  for (auto _ : state) {
    simdjson::ondemand::parser parser;
    auto doc = parser.iterate(text.data(), text.size(), text.capacity());
    n = 0;
    for (auto obj : doc["objects"].get_array()) {
      std::string_view raw = obj.get_object().value().raw_json().value();
      benchmark::DoNotOptimize(raw);
      ++n;
    }
  }
  state.counters["objects/s"] = benchmark::Counter(double(n) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_InsertOnly(benchmark::State& state) {
  const std::string& text = Bundle();
  if (text.empty()) {
    state.SkipWithError("../shared/data is absent");
    return;
  }
  // Rows prepared outside the timed region.
  std::vector<std::pair<std::string, std::string>> rows;
  simdjson::ondemand::parser parser;
  auto doc = parser.iterate(text.data(), text.size(), text.capacity());
  for (auto obj : doc["objects"].get_array()) {
    auto o = obj.get_object();
    std::string raw(o.value().raw_json().value());
    simdjson::dom::parser p2;
    std::string id(p2.parse(raw)["id"].get_string().value());
    rows.emplace_back(std::move(id), std::move(raw));
  }
  for (auto _ : state) {
    state.PauseTiming();
    fs::path dir = FreshDir("tabadul-bench-insert");
    sqlite3* db = nullptr;
    sqlite3_open((dir / "raw.db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, json TEXT NOT NULL);"
                     "CREATE UNIQUE INDEX t_id ON t (id);", nullptr, nullptr, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO t (id, json) VALUES (?, ?)", -1, &st, nullptr);
    state.ResumeTiming();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i % 2000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      sqlite3_bind_text(st, 1, rows[i].first.data(), int(rows[i].first.size()), SQLITE_STATIC);
      sqlite3_bind_text(st, 2, rows[i].second.data(), int(rows[i].second.size()), SQLITE_STATIC);
      sqlite3_step(st);
      sqlite3_reset(st);
      if (i % 2000 == 1999 || i + 1 == rows.size()) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    state.PauseTiming();
    sqlite3_finalize(st);
    sqlite3_close(db);
    state.ResumeTiming();
  }
  state.counters["objects/s"] = benchmark::Counter(double(rows.size()) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_FullImport(benchmark::State& state) {
  using namespace tabadul;
  const std::string& text = Bundle();
  if (text.empty()) {
    state.SkipWithError("../shared/data is absent");
    return;
  }
  size_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::path dir = FreshDir("tabadul-bench-import");
    auto store = store::SqliteStore::Open((dir / "tabadul.db").string()).value();
    (void)store->CreateOrganization({"identity--00000000-0000-4000-8000-000000000001", "o", 0});
    (void)store->CreateCollection({"00000000-0000-4000-8000-000000000002", "c", "", "", "o", "amber", 0});
    state.ResumeTiming();
    auto stream = stix::ObjectStream::OpenPadded(text).value();
    std::vector<stix::StixObject> batch;
    n = 0;
    int64_t now = 1;
    std::string_view raw;
    while (*stream->Next(&raw)) {
      auto obj = stix::ParseObject(raw);
      if (!obj.ok()) continue;
      batch.push_back(std::move(obj).value());
      if (batch.size() == 2000) {
        n += batch.size();
        (void)store->PutObjects("00000000-0000-4000-8000-000000000002", batch, now++);
        batch.clear();
      }
    }
    n += batch.size();
    (void)store->PutObjects("00000000-0000-4000-8000-000000000002", batch, now++);
  }
  state.counters["objects/s"] = benchmark::Counter(double(n) * state.iterations(), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_InsertOnly)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_FullImport)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
