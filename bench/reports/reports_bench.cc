// Reports benchmarks (see bench/README.md, section "reports"):
//   BM_Ingest1MB       end-to-end ingest of a 1 MB mixed Arabic/English report: extraction,
//                      linking against stored entities, validation and one store transaction.
//   BM_SearchIndexOnly search::Index::Query through the service's lock, no access checks.
//   BM_SearchHttp      the same query through GET /tabadul/v1/search/ (auth cache hit, access
//                      checks, row visibility per candidate, JSON) over a kept-alive connection.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "http_client.h"
#include "reports/http_handlers.h"
#include "reports/testing.h"
#include "taxii/router.h"
#include "text/public_suffix.h"

namespace tabadul::reports {
namespace {

std::string Uuid(int n, int salt) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4111-8111-111111111111", n, salt);
  return buf;
}

// ~1 MB: Arabic and English paragraphs naming stored actors and countries, with defanged and
// plain indicators (many repeated, as bulletins repeat them).
std::string MixedReport(size_t bytes) {
  std::string text = "Weekly bulletin: Lazarus Group and APT34 activity\n";
  int i = 0;
  while (text.size() < bytes) {
    text += "رصد الفريق نشاطا لمجموعة APT34 ضد المصارف في الإمارات والسعودية عبر الخادم 185.220.";
    text += std::to_string(i % 250) + "." + std::to_string((i * 7) % 250);
    text += " والنطاق update-" + std::to_string(i % 400) + "[.]com.\n";
    text += "Lazarus Group operators used hxxp://cdn-" + std::to_string(i % 300) +
            ".example-cdn[.]net/payload and CVE-2024-3400 against banks in Iran and Egypt; "
            "the dropper hash was " + std::string(64 - std::to_string(i).size(), 'a') +
            std::to_string(i) + ".\n";
    ++i;
  }
  return text;
}

struct IngestFixture {
  testing::Fixture f{"bench_ingest"};
  std::unique_ptr<IngestService> service;
  IngestFixture() {
    std::vector<std::string> entities;
    for (int n = 0; n < 500; ++n) {
      entities.push_back(testing::NamedObject("intrusion-set", "intrusion-set--" + Uuid(n, 1),
                                              "Group " + std::to_string(n), {"Alias" + std::to_string(n)}));
    }
    entities.push_back(testing::NamedObject("intrusion-set", "intrusion-set--" + Uuid(9999, 1),
                                            "Lazarus Group"));
    entities.push_back(testing::NamedObject("intrusion-set", "intrusion-set--" + Uuid(9998, 1),
                                            "APT34", {"OilRig"}));
    f.Put(testing::kIntel, entities);
    IngestServiceOptions options;
    options.random = f.Random();
    service = std::move(IngestService::Create(f.store(), f.clock(),
                                              std::string(text::kDebianPublicSuffixPath), options))
                  .value();
  }
};

void BM_Ingest1MB(benchmark::State& state) {
  IngestFixture fx;
  IngestRequest request;
  request.text = MixedReport(1 << 20);
  request.collection = "intel";
  const auth::Principal alice = fx.f.Principal("alice");
  size_t objects = 0;
  for (auto _ : state) {
    fx.f.clock().Advance(1000);
    auto r = fx.service->Ingest(alice, request);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    objects = r->object_count;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * request.text.size()));
  state.counters["objects"] = static_cast<double>(objects);
}
BENCHMARK(BM_Ingest1MB)->Unit(benchmark::kMillisecond)->Iterations(5);

const char* kWords[] = {"phishing", "banks", "ransomware", "espionage", "credential", "loader",
                        "campaign", "exfiltration", "backdoor", "wiper", "التصيد", "المصارف",
                        "الفدية", "التجسس", "حملة", "خادم"};

struct SearchFixture {
  testing::Fixture f{"bench_search", /*with_passwords=*/true};
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<SearchService> search;
  std::unique_ptr<taxii::Router> router;
  std::unique_ptr<taxii::Server> server;
  std::unique_ptr<testing::HttpClient> client;
  std::string auth_header = testing::BasicAuth("alice", testing::kTestPassword);
  search::SearchFilters filters;

  SearchFixture() {
    std::vector<std::string> objects;
    for (int n = 0; n < 5000; ++n) {
      std::string description;
      for (int w = 0; w < 30; ++w) description += std::string(kWords[(n * 7 + w * 3) % 16]) + " ";
      objects.push_back(testing::NamedObject(n % 2 ? "malware" : "tool",
                                             (n % 2 ? "malware--" : "tool--") + Uuid(n, 2),
                                             "Object " + std::to_string(n), {}, description));
    }
    f.Put(testing::kIntel, objects);
    authenticator = std::make_unique<auth::Authenticator>(f.store(), f.clock());
    search = std::move(SearchService::InMemory(f.store())).value();
    (void)search->CatchUp();
    router = std::make_unique<taxii::Router>([](const taxii::HttpRequest&) { return taxii::HttpResponse{404}; });
    router->Mount(kSearchPath, MakeSearchHandler(*search, *authenticator));
    server = std::make_unique<taxii::Server>([this](const taxii::HttpRequest& r) { return router->Handle(r); },
                                             taxii::ServerOptions{});
    client = std::make_unique<testing::HttpClient>(server->Start().value());
    filters.collections = {testing::kIntel};
  }
};

SearchFixture& Search() {
  static SearchFixture fx;
  return fx;
}

const char* kQuery = "phishing banks";

void BM_SearchIndexOnly(benchmark::State& state) {
  SearchFixture& fx = Search();
  for (auto _ : state) {
    auto r = fx.search->QueryIndex(kQuery, fx.filters, 20);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SearchIndexOnly)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_SearchHttp(benchmark::State& state) {
  SearchFixture& fx = Search();
  const std::string target = std::string(kSearchPath) + "?q=phishing+banks&limit=20";
  for (auto _ : state) {
    auto r = fx.client->Send("GET", target, fx.auth_header);
    if (!r.ok() || r->status != 200) {
      state.SkipWithError("search failed");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SearchHttp)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace
}  // namespace tabadul::reports

BENCHMARK_MAIN();
