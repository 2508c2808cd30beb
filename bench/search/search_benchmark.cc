// Query latency over 100,000 synthetic objects (Arabic and English names and texts, 8 types,
// 20 collections, fixed seed), in an on-disk index in a temporary folder. Reports the median and
// 95th percentile of single queries over a rotating set of Arabic, English and filtered queries.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "search/index.h"

namespace {

using namespace tabadul::search;

const char* kArabic[] = {"الهجوم", "للمغرب", "والجزائر", "باسرائيل", "التصيد", "البنوك", "الحكومية",
                         "برمجية", "الفدية", "الاختراق", "المعلومات", "الخوادم", "السعودية",
                         "الإمارات", "الطاقة", "الاتصالات", "ثغرة", "تحديث", "المهاجمون", "البريد"};
const char* kEnglish[] = {"phishing", "ransomware", "bank", "government", "energy", "loader",
                          "backdoor", "espionage", "credential", "exploit", "wiper", "botnet",
                          "campaign", "telecom", "ministry", "stealer", "supply", "chain", "cloud",
                          "router"};
const char* kTypes[] = {"report", "intrusion-set", "malware", "tool", "campaign", "identity",
                        "indicator", "vulnerability"};

std::string Words(std::mt19937& rng, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += (rng() % 2) ? kArabic[rng() % std::size(kArabic)] : kEnglish[rng() % std::size(kEnglish)];
    s += ' ';
  }
  return s;
}

Index& TheIndex() {
  static std::unique_ptr<Index> index = [] {
    const auto dir = std::filesystem::temp_directory_path() / "tabadul_search_bench";
    std::filesystem::remove_all(dir);
    auto idx = std::move(Index::Open(dir.string())).value();
    std::mt19937 rng(7);
    for (int i = 0; i < 100000; ++i) {
      Document d;
      d.id = "x--" + std::to_string(i);
      d.type = kTypes[rng() % std::size(kTypes)];
      d.collection = "collection-" + std::to_string(rng() % 20);
      d.name = Words(rng, 3);
      d.description = Words(rng, 12);
      if (d.type == "report") d.text = Words(rng, 60);
      (void)idx->Add(d);
    }
    (void)idx->Commit();
    return idx;
  }();
  return *index;
}

void BM_Query(benchmark::State& state) {
  Index& index = TheIndex();
  const std::vector<std::string> queries = {"للمغرب الهجوم", "ransomware bank", "الجزائر",
                                            "phishing campaign", "برمجية الفدية", "espionage",
                                            "المعلومات الحكومية", "wiper energy"};
  SearchFilters filters;
  if (state.range(0) == 1) {
    filters.types = {"report", "malware"};
    filters.collections = {"collection-1", "collection-2", "collection-3"};
  } else if (state.range(0) == 2) {
    filters.visible = [](std::string_view id, std::string_view collection) {
      return collection.back() % 2 == 0;
    };
  }
  std::vector<double> ms;
  size_t i = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = index.Query(queries[i++ % queries.size()], filters, 10, 0);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    benchmark::DoNotOptimize(r);
  }
  std::sort(ms.begin(), ms.end());
  state.counters["median_ms"] = ms[ms.size() / 2];
  state.counters["p95_ms"] = ms[ms.size() * 95 / 100];
  state.counters["docs"] = double(index.size());
}
BENCHMARK(BM_Query)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
