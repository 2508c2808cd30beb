// Extraction throughput on a large mixed Arabic/English text, against a plain memchr scan of the
// same bytes (the floor any scanner pays). Text is generated with a fixed seed.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "text/ioc_extractor.h"
#include "text/normalizer.h"

namespace {

using namespace tabadul::text;

const std::string& Corpus() {
  static const std::string text = [] {
    static const char* kSentences[] = {
        "رصد الفريق اتصالات مشبوهة بالعنوان ١٨٥.٢٢٠.١٠١.٤ والنطاق evil-update[.]com خلال الأسبوع الماضي. ",
        "The actor used spear-phishing emails with malicious attachments to gain initial access to the network. ",
        "تستهدف مجموعة التهديد المتقدمة قطاعات الطاقة والاتصالات في دول الخليج العربي منذ عدة أشهر. ",
        "C2 traffic was observed to hxxps://cdn-assets[.]net/gate.php and 91.215.85.142 on port 443. ",
        "وقد استغل المهاجمون الثغرة CVE-2024-3400 لتنفيذ الأوامر عن بعد على الأجهزة المكشوفة. ",
        "Analysts recovered a loader with SHA-256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 from the host. ",
        "يُنصح بمراجعة سجلات الخوادم وتحديث الأنظمة وتفعيل المصادقة متعددة العوامل لجميع المستخدمين. ",
        "Defenders should monitor for unusual PowerShell execution and lateral movement using administrative shares. ",
        "أرسلت الرسائل من البريد admin[at]mail-service[.]ru إلى موظفين في عدة مؤسسات حكومية. \u200F\n",
    };
    std::mt19937 rng(20240601);
    std::string out;
    while (out.size() < (16u << 20)) out += kSentences[rng() % std::size(kSentences)];
    return out;
  }();
  return text;
}

const PublicSuffixList& Psl() {
  static const PublicSuffixList psl = [] {
    std::ifstream in{std::string(kDebianPublicSuffixPath)};
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = PublicSuffixList::Parse(ss.str());
    return parsed.ok() ? std::move(parsed).value()
                       : PublicSuffixList::Parse("com\nnet\norg\nru\n").value();
  }();
  return psl;
}

void BM_MemchrScan(benchmark::State& state) {
  const std::string& text = Corpus();
  for (auto _ : state) {
    size_t lines = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    while ((p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr) {
      ++lines;
      ++p;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_MemchrScan)->Unit(benchmark::kMillisecond);

void BM_Normalize(benchmark::State& state) {
  const std::string& text = Corpus();
  for (auto _ : state) benchmark::DoNotOptimize(Normalize(text, NormalizeMode::kExtract));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_Normalize)->Unit(benchmark::kMillisecond);

void BM_Extract(benchmark::State& state) {
  const std::string& text = Corpus();
  IndicatorExtractor extractor(Psl());
  size_t found = 0;
  for (auto _ : state) {
    auto inds = extractor.Extract(text);
    found = inds.size();
    benchmark::DoNotOptimize(inds);
  }
  state.counters["indicators"] = double(found);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_Extract)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
