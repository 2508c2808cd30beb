// ObjectStream + ParseObject over the MITRE ATT&CK Enterprise bundle (37.9 MB, 24,771 objects),
// next to simdjson On Demand merely walking the same `objects` array, so that the figures can be
// read as ratios on whatever machine runs them. Results and commands: bench/README.md.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "stix/object_stream.h"
#include "stix/validator.h"

namespace {

using namespace tabadul::stix;

const std::string& Bundle() {
  static const std::string text = [] {
    std::filesystem::path path =
        std::filesystem::path(TABADUL_SHARED_DATA_DIR) / "attack/enterprise-attack-18.1.json";
    std::ifstream in(path, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    s.reserve(s.size() + ObjectStream::kPadding);
    return s;
  }();
  return text;
}

bool SkipIfMissing(benchmark::State& state) {
  if (!Bundle().empty()) return false;
  state.SkipWithError("../shared/data/attack/enterprise-attack-18.1.json is absent");
  return true;
}

void Report(benchmark::State& state, size_t objects) {
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(Bundle().size()));
  state.counters["objects/s"] =
      benchmark::Counter(double(objects) * double(state.iterations()), benchmark::Counter::kIsRate);
}

// Baseline: simdjson On Demand visits every element of `objects` and takes its raw text.
// With fresh_parser (argument 1) a new parser is made per pass, as ObjectStream does: its
// buffers are then first-touched (page faults) on every pass, which costs more than the walk.
void BM_OnDemandWalk(benchmark::State& state) {
  if (SkipIfMissing(state)) return;
  const bool fresh_parser = state.range(0) == 1;
  simdjson::ondemand::parser reused;
  size_t objects = 0;
  for (auto _ : state) {
    objects = 0;
    simdjson::ondemand::parser fresh;
    simdjson::ondemand::parser& parser = fresh_parser ? fresh : reused;
    simdjson::padded_string_view view(Bundle().data(), Bundle().size(), Bundle().capacity());
    auto doc = parser.iterate(view);
    for (auto element : doc["objects"].get_array()) {
      simdjson::ondemand::object object = element.get_object().value();
      std::string_view raw = object.raw_json().value();
      benchmark::DoNotOptimize(raw.data());
      ++objects;
    }
  }
  Report(state, objects);
}
BENCHMARK(BM_OnDemandWalk)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// ObjectStream alone (container checks, per-element depth scan).
void BM_ObjectStream(benchmark::State& state) {
  if (SkipIfMissing(state)) return;
  size_t objects = 0;
  for (auto _ : state) {
    objects = 0;
    auto stream = ObjectStream::OpenPadded(Bundle());
    std::string_view raw;
    while (*(*stream)->Next(&raw)) ++objects;
  }
  Report(state, objects);
}
BENCHMARK(BM_ObjectStream)->Unit(benchmark::kMillisecond);

// What an import does: stream and fully validate every object into a StixObject.
void BM_ObjectStreamAndParseObject(benchmark::State& state) {
  if (SkipIfMissing(state)) return;
  size_t objects = 0;
  for (auto _ : state) {
    objects = 0;
    auto stream = ObjectStream::OpenPadded(Bundle());
    std::string_view raw;
    while (*(*stream)->Next(&raw)) {
      auto parsed = ParseObject(raw);
      if (!parsed.ok()) state.SkipWithError("refused object");
      benchmark::DoNotOptimize(parsed);
      ++objects;
    }
  }
  Report(state, objects);
}
BENCHMARK(BM_ObjectStreamAndParseObject)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
