// End-to-end matching of a plain-value stream (what `tabadul match` and the match endpoint do
// per line: detect the kind, read-lock the collection's index, match, filter by visibility,
// format the hit) against a collection of 100,000 equality indicators in a real SqliteStore,
// compared with pattern::IndicatorIndex::MatchValue alone on the same indicators and values.
//
//   TABADUL_BENCH_INDICATORS (default 100000), fixed seeds; 1% of the values hit.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>

#include "match/match_session.h"
#include "match/match_testing.h"
#include "pattern/indicator_index.h"
#include "pattern/observable.h"

namespace tabadul::match {
namespace {

constexpr size_t kValues = 200'000;

std::string Hex(std::mt19937_64& rng, size_t digits) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < digits; ++i) s += kHex[rng() & 15];
  return s;
}

// A random observable of kind i % 4, and the pattern that matches it.
std::pair<std::string, std::string> Observable(std::mt19937_64& rng, size_t i) {
  char buf[128];
  switch (i % 4) {
    case 0:
      std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", unsigned(rng() % 223 + 1), unsigned(rng() % 256),
                    unsigned(rng() % 256), unsigned(rng() % 256));
      return {buf, "[ipv4-addr:value = '" + std::string(buf) + "']"};
    case 1: {
      std::string d = "h" + Hex(rng, 10) + ".example";
      return {d, "[domain-name:value = '" + d + "']"};
    }
    case 2: {
      std::string u = "http://u" + Hex(rng, 8) + ".example/" + Hex(rng, 6);
      return {u, "[url:value = '" + u + "']"};
    }
    default: {
      std::string h = Hex(rng, 64);
      return {h, "[file:hashes.'SHA-256' = '" + h + "']"};
    }
  }
}

struct World {
  testing::MatchFixture fixture;
  std::vector<std::string> patterns;
  std::vector<std::string> values;
  std::unique_ptr<IndicatorService> service;
  std::unique_ptr<pattern::IndicatorIndex> bare;
  std::vector<pattern::DetectedObservable> detected;

  World() {
    if (!fixture.status().ok()) std::abort();
    const char* env = std::getenv("TABADUL_BENCH_INDICATORS");
    const size_t n = env ? std::strtoull(env, nullptr, 10) : 100'000;
    std::mt19937_64 rng(20240101);
    std::vector<std::string> matching;
    std::vector<std::string> batch;
    for (size_t i = 0; i < n; ++i) {
      auto [value, pattern] = Observable(rng, i);
      patterns.push_back(pattern);
      if (i % 100 == 0) matching.push_back(value);
      batch.push_back(testing::IndicatorJson(
          {.n = static_cast<int>(i + 1), .pattern = pattern, .name = "ind " + std::to_string(i)}));
      if (batch.size() == 5000 || i + 1 == n) {
        if (!fixture.Put(testing::kIntel, batch).ok()) std::abort();
        batch.clear();
      }
    }
    std::mt19937_64 vrng(7);
    for (size_t i = 0; i < kValues; ++i) {
      if (i % 100 == 0 && !matching.empty()) {
        values.push_back(matching[(i / 100) % matching.size()]);
      } else {
        values.push_back(Observable(vrng, i).first);
      }
      detected.push_back(*pattern::DetectObservable(values.back()));
    }
    service = std::make_unique<IndicatorService>(fixture.store(), fixture.clock());
    if (!service->CatchUp(testing::kIntel).ok()) std::abort();
    bare = std::make_unique<pattern::IndicatorIndex>();
    for (size_t i = 0; i < patterns.size(); ++i) {
      if (!bare->Add(testing::IndicatorId(static_cast<int>(i + 1)), patterns[i], 0).ok()) {
        std::abort();
      }
    }
  }
};

World& TheWorld() {
  static World world;
  return world;
}

void BM_MatchEndToEnd(benchmark::State& state) {
  World& w = TheWorld();
  auto user = w.fixture.store().GetUser("alice");
  auth::Principal alice{user->name, user->org_id, user->role};
  auto session = MatchSession::Open(*w.service, w.fixture.store(), w.fixture.clock(), {}, &alice,
                                    {testing::kIntel, ""});
  if (!session.ok()) std::abort();
  std::vector<MatchHit> hits;
  std::string out;
  size_t i = 0, total_hits = 0;
  for (auto _ : state) {
    hits.clear();
    Status st = (*session)->MatchItem(i + 1, w.values[i], &hits);
    benchmark::DoNotOptimize(st.ok());
    for (const MatchHit& h : hits) {  // the CLI's text line
      out.clear();
      out.append(h.observable).append("\t").append(h.indicator_id).append("\t")
          .append(h.indicator_name).append("\n");
      benchmark::DoNotOptimize(out.data());
    }
    total_hits += hits.size();
    if (++i == w.values.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_rate"] =
      benchmark::Counter(static_cast<double>(total_hits) / std::max<size_t>(1, state.iterations()));
}
BENCHMARK(BM_MatchEndToEnd)->Unit(benchmark::kNanosecond);

void BM_IndexMatchValueOnly(benchmark::State& state) {
  World& w = TheWorld();
  const int64_t now = w.fixture.clock().NowMicros() * 1000;
  size_t i = 0, total_hits = 0;
  for (auto _ : state) {
    const auto& d = w.detected[i];
    auto ids = w.bare->MatchValue(d.kind, d.value, now);
    total_hits += ids.size();
    benchmark::DoNotOptimize(ids.data());
    if (++i == w.detected.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_rate"] =
      benchmark::Counter(static_cast<double>(total_hits) / std::max<size_t>(1, state.iterations()));
}
BENCHMARK(BM_IndexMatchValueOnly)->Unit(benchmark::kNanosecond);

void BM_DetectOnly(benchmark::State& state) {
  World& w = TheWorld();
  size_t i = 0;
  for (auto _ : state) {
    auto d = pattern::DetectObservable(w.values[i]);
    benchmark::DoNotOptimize(d);
    if (++i == w.values.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DetectOnly)->Unit(benchmark::kNanosecond);

void BM_InitialLoad(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    IndicatorService fresh(w.fixture.store(), w.fixture.clock());
    auto ci = fresh.CatchUp(testing::kIntel);
    if (!ci.ok()) std::abort();
    state.counters["indicators"] = static_cast<double>(fresh.Stats(**ci).indexed);
  }
}
BENCHMARK(BM_InitialLoad)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace tabadul::match

BENCHMARK_MAIN();
