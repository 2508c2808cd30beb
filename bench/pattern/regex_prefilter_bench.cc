// What a prefilter in front of the MATCHES/LIKE sets would buy, measured before wiring one into
// IndicatorIndex. The same 3,000 MATCHES regexes as pattern_bench's BM_MatchComplex10k/3
// (`^https?://[^/]*<6 hex>[0-9]+\.(zip|top)/`, fixed seed) and the same URLs, matched by:
//   /0 RE2::Set (what the index does today)
//   /1 Hyperscan, all regexes in one database (HS_FLAG_PREFILTER | SINGLEMATCH | UTF8 | DOTALL)
//      with the scratch space allocated once (each hit would then be confirmed with its RE2)
//   /2 RE2's FilteredRE2: required literal "atoms" of each regex, found with one RE2::Set of
//      literals over the lower-cased value, then only the regexes whose atoms occur are run
// BM_Build* time the compilation of each form, which the index pays again on every tier rebuild.
#include <benchmark/benchmark.h>
#include <hs.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "pattern/regex.h"

namespace {

using tabadul::pattern::RegexOptions;

std::string Hex(std::mt19937_64& rng, int n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += kDigits[rng() % 16];
  return s;
}

const std::vector<std::string>& Regexes() {
  static const std::vector<std::string> v = [] {
    std::mt19937_64 rng(7);
    std::vector<std::string> out;
    for (int i = 0; i < 3000; ++i) {
      out.push_back("^https?://[^/]*" + Hex(rng, 6) + "[0-9]+\\.(zip|top)/");
    }
    return out;
  }();
  return v;
}

const std::vector<std::string>& Urls() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (int j = 0; j < 100'000; ++j) {
      out.push_back("http://cdn" + std::to_string(j) + ".test/a/b?c=" + std::to_string(j));
    }
    return out;
  }();
  return v;
}

std::unique_ptr<RE2::Set> BuildSet() {
  RE2::Options o = RegexOptions(false);
  o.set_max_mem(int64_t{256} << 20);
  auto set = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
  for (const std::string& r : Regexes()) set->Add(r, nullptr);
  set->Compile();
  return set;
}

hs_database_t* BuildHyperscan() {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags, ids;
  for (const std::string& r : Regexes()) {
    ids.push_back(static_cast<unsigned>(expressions.size()));
    expressions.push_back(r.c_str());
    flags.push_back(HS_FLAG_DOTALL | HS_FLAG_UTF8 | HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &db,
                       &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    std::abort();
  }
  return db;
}

struct Filtered {
  re2::FilteredRE2 filter{3};
  std::unique_ptr<RE2::Set> atoms;
};

std::unique_ptr<Filtered> BuildFiltered() {
  auto f = std::make_unique<Filtered>();
  for (const std::string& r : Regexes()) {
    int id = 0;
    f->filter.Add(r, RegexOptions(false), &id);
  }
  std::vector<std::string> atoms;
  f->filter.Compile(&atoms);
  RE2::Options o = RegexOptions(true);
  o.set_max_mem(int64_t{64} << 20);
  f->atoms = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
  for (const std::string& a : atoms) f->atoms->Add(RE2::QuoteMeta(a), nullptr);
  f->atoms->Compile();
  return f;
}

void BM_Match3000Regexes(benchmark::State& state) {
  const auto& urls = Urls();
  size_t i = 0, hits = 0;
  std::vector<int> matched, atoms;
  switch (state.range(0)) {
    case 0: {
      auto set = BuildSet();
      for (auto _ : state) {
        matched.clear();
        set->Match(urls[i], &matched);
        hits += matched.size();
        if (++i == urls.size()) i = 0;
      }
      break;
    }
    case 1: {
      hs_database_t* db = BuildHyperscan();
      hs_scratch_t* scratch = nullptr;
      hs_alloc_scratch(db, &scratch);
      auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned,
                         void* ctx) -> int {
        ++*static_cast<size_t*>(ctx);
        return 0;
      };
      for (auto _ : state) {
        const std::string& u = urls[i];
        hs_scan(db, u.data(), static_cast<unsigned>(u.size()), 0, scratch, on_match, &hits);
        if (++i == urls.size()) i = 0;
      }
      hs_free_scratch(scratch);
      hs_free_database(db);
      break;
    }
    default: {
      auto f = BuildFiltered();
      std::string lower;
      for (auto _ : state) {
        const std::string& u = urls[i];
        lower = u;
        for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        atoms.clear();
        f->atoms->Match(lower, &atoms);
        matched.clear();
        f->filter.AllMatches(u, atoms, &matched);
        hits += matched.size();
        if (++i == urls.size()) i = 0;
      }
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hits"] = static_cast<double>(hits);
}
BENCHMARK(BM_Match3000Regexes)->Arg(0)->Arg(1)->Arg(2);

void BM_BuildSet(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(BuildSet());
}
BENCHMARK(BM_BuildSet)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_BuildHyperscan(benchmark::State& state) {
  for (auto _ : state) hs_free_database(BuildHyperscan());
}
BENCHMARK(BM_BuildHyperscan)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_BuildFiltered(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(BuildFiltered());
}
BENCHMARK(BM_BuildFiltered)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
