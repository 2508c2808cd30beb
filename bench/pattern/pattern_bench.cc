// Pattern benchmarks (single thread). See bench/README.md, section "pattern", for the figures.
//
//   BM_Parse                 patterns parsed per second (a realistic mix)
//   BM_BuildEquality1M       Add() of 1,000,000 equality indicators: time, bytes per indicator
//   BM_MatchEquality1M       MatchValue() against those, 1% of observables hit
//   BM_MatchComplex10k       MatchValue() against 10,000 CIDR / LIKE / MATCHES indicators
//
// Inputs come from a fixed-seed generator. TABADUL_BENCH_INDICATORS overrides the 1,000,000.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "pattern/indicator_index.h"
#include "pattern/parser.h"

namespace tabadul::pattern {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000'000;

size_t IndicatorCount() {
  const char* env = std::getenv("TABADUL_BENCH_INDICATORS");
  return env ? std::strtoul(env, nullptr, 10) : 1'000'000;
}

long RssBytes() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

std::string Hex(std::mt19937_64& rng, int n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(n, '0');
  for (char& c : s) c = kDigits[rng() & 15];
  return s;
}

struct Observable {
  ObservableKind kind;
  std::string value;
};

// Value number i of kind k (deterministic, distinct for distinct i).
Observable MakeValue(int k, uint64_t i, std::mt19937_64& rng) {
  switch (k) {
    case 0: {
      uint32_t ip = static_cast<uint32_t>(i * 2654435761u + 0x0a000000u);
      return {ObservableKind::kIpv4, std::to_string(ip >> 24) + "." +
                                         std::to_string((ip >> 16) & 255) + "." +
                                         std::to_string((ip >> 8) & 255) + "." +
                                         std::to_string(ip & 255)};
    }
    case 1: return {ObservableKind::kDomain, "h" + std::to_string(i) + ".example-" +
                                                  std::to_string(i % 97) + ".com"};
    case 2: return {ObservableKind::kUrl, "http://site" + std::to_string(i) +
                                              ".test/path/" + std::to_string(i * 7) + "?q=1"};
    default: return {ObservableKind::kSha256, Hex(rng, 64)};
  }
}

std::string PatternFor(const Observable& o) {
  switch (o.kind) {
    case ObservableKind::kIpv4: return "[ipv4-addr:value = '" + o.value + "']";
    case ObservableKind::kDomain: return "[domain-name:value = '" + o.value + "']";
    case ObservableKind::kUrl: return "[url:value = '" + o.value + "']";
    default: return "[file:hashes.'SHA-256' = '" + o.value + "']";
  }
}

struct EqualityFixture {
  std::vector<Observable> indicator_values;
  std::vector<std::string> ids, patterns;
  std::unique_ptr<IndicatorIndex> index;
  std::vector<Observable> stream;  // 1% hits
};

EqualityFixture& Equality() {
  static EqualityFixture* f = [] {
    auto* f = new EqualityFixture;
    std::mt19937_64 rng(42);
    size_t n = IndicatorCount();
    for (size_t i = 0; i < n; ++i) {
      Observable o = MakeValue(static_cast<int>(i % 4), i, rng);
      f->patterns.push_back(PatternFor(o));
      f->ids.push_back("indicator--" + Hex(rng, 8) + "-" + Hex(rng, 4) + "-4" + Hex(rng, 3) +
                       "-8" + Hex(rng, 3) + "-" + Hex(rng, 12));
      f->indicator_values.push_back(std::move(o));
    }
    // 1,000,000 observables (a 10M stream is this one cycled ten times), 1% hits.
    for (size_t j = 0; j < 1'000'000; ++j) {
      if (j % 100 == 0) {
        f->stream.push_back(f->indicator_values[rng() % n]);
      } else {
        f->stream.push_back(MakeValue(static_cast<int>(j % 4), n + 1'000'000 + j, rng));
      }
    }
    return f;
  }();
  return *f;
}

void BuildEquality(EqualityFixture& f) {
  f.index = std::make_unique<IndicatorIndex>();
  for (size_t i = 0; i < f.patterns.size(); ++i) {
    Status st = f.index->Add(f.ids[i], f.patterns[i], 0);
    if (!st.ok()) std::abort();
  }
}

void BM_BuildEquality1M(benchmark::State& state) {
  EqualityFixture& f = Equality();
  for (auto _ : state) {
    f.index.reset();
    long before = RssBytes();
    auto start = std::chrono::steady_clock::now();
    BuildEquality(f);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    long after = RssBytes();
    state.counters["indicators"] = static_cast<double>(f.patterns.size());
    state.counters["build_s"] = seconds;
    state.counters["bytes_per_indicator"] =
        static_cast<double>(after - before) / static_cast<double>(f.patterns.size());
  }
}
BENCHMARK(BM_BuildEquality1M)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_MatchEquality1M(benchmark::State& state) {
  EqualityFixture& f = Equality();
  if (!f.index) BuildEquality(f);
  size_t i = 0, hits = 0, n = f.stream.size();
  for (auto _ : state) {
    const Observable& o = f.stream[i];
    auto r = f.index->MatchValue(o.kind, o.value, kNow);
    hits += r.size();
    benchmark::DoNotOptimize(r);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_rate"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_MatchEquality1M)->Iterations(10'000'000);

struct ComplexFixture {
  IndicatorIndex index;
  std::vector<Observable> stream;
};

ComplexFixture& Complex() {
  static ComplexFixture* f = [] {
    auto* f = new ComplexFixture;
    std::mt19937_64 rng(7);
    int added = 0;
    // 4,000 CIDR blocks (/16../28 in 10.0.0.0/8 and 172.16.0.0/12), 3,000 LIKE, 3,000 MATCHES.
    for (int i = 0; i < 4000; ++i) {
      int len = 16 + static_cast<int>(rng() % 13);
      uint32_t base = (i % 2 ? 0x0a000000u : 0xac100000u) | static_cast<uint32_t>(rng() & 0xfffff);
      base &= len == 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1);
      std::string net = std::to_string(base >> 24) + "." + std::to_string((base >> 16) & 255) +
                        "." + std::to_string((base >> 8) & 255) + "." +
                        std::to_string(base & 255) + "/" + std::to_string(len);
      if (!f->index.Add("cidr-" + std::to_string(i), "[ipv4-addr:value ISSUBSET '" + net + "']", 0).ok()) std::abort();
      ++added;
    }
    for (int i = 0; i < 3000; ++i) {
      std::string p = "[domain-name:value LIKE '%.bad" + std::to_string(i) + "-" + Hex(rng, 4) + ".%']";
      if (!f->index.Add("like-" + std::to_string(i), p, 0).ok()) std::abort();
    }
    for (int i = 0; i < 3000; ++i) {
      std::string p = "[url:value MATCHES '^https?://[^/]*" + Hex(rng, 6) + "[0-9]+\\\\.(zip|top)/']";
      if (!f->index.Add("re-" + std::to_string(i), p, 0).ok()) std::abort();
    }
    for (int j = 0; j < 300'000; ++j) {
      switch (j % 3) {
        case 0: {
          uint32_t ip = static_cast<uint32_t>(rng());
          f->stream.push_back({ObservableKind::kIpv4, std::to_string(ip >> 24) + "." +
                                                          std::to_string((ip >> 16) & 255) + "." +
                                                          std::to_string((ip >> 8) & 255) + "." +
                                                          std::to_string(ip & 255)});
          break;
        }
        case 1: f->stream.push_back({ObservableKind::kDomain, "www.site" + std::to_string(j) + ".com"}); break;
        default: f->stream.push_back({ObservableKind::kUrl, "http://cdn" + std::to_string(j) + ".test/a/b?c=" + std::to_string(j)});
      }
    }
    return f;
  }();
  return *f;
}

// Arg 0: the mixed stream (IPs, domains, URLs in turn); 1: IPs only (CIDR trie);
// 2: domains only (LIKE set); 3: URLs only (MATCHES set).
void BM_MatchComplex10k(benchmark::State& state) {
  ComplexFixture& f = Complex();
  int only = static_cast<int>(state.range(0));
  size_t i = only ? only - 1 : 0, hits = 0, n = f.stream.size();
  size_t step = only ? 3 : 1;
  for (auto _ : state) {
    const Observable& o = f.stream[i];
    auto r = f.index.MatchValue(o.kind, o.value, kNow);
    hits += r.size();
    benchmark::DoNotOptimize(r);
    i += step;
    if (i >= n) i = only ? only - 1 : 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_rate"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_MatchComplex10k)->Arg(0)->Arg(1)->Arg(2)->Arg(3);

void BM_Parse(benchmark::State& state) {
  const std::vector<std::string> patterns = {
      "[ipv4-addr:value = '198.51.100.7']",
      "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
      "[url:value = 'http://evil.example.com/path?q=1' OR domain-name:value = 'evil.example.com']",
      "[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24' AND network-traffic:dst_port IN (80, 443)]",
      "[file:name MATCHES '^invoice_[0-9]+\\\\.pdf\\\\.exe$'] FOLLOWEDBY [process:name = 'cmd.exe'] WITHIN 300 SECONDS",
  };
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    auto p = ParsePattern(patterns[i]);
    benchmark::DoNotOptimize(p);
    bytes += patterns[i].size();
    if (++i == patterns.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Parse);

}  // namespace
}  // namespace tabadul::pattern

BENCHMARK_MAIN();
