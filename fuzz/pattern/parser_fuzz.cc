// Fuzzes the pattern parser with arbitrary bytes; whatever parses is also compiled, evaluated on
// a small fixed observation set, added to an IndicatorIndex and queried, and the index must
// agree with the matcher. Any crash, sanitizer report or disagreement is a bug.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pattern/indicator_index.h"
#include "pattern/matcher.h"
#include "pattern/parser.h"

namespace {

const char kObservations[] = R"([
 {"type":"observed-data","first_observed":"2024-01-01T00:00:00Z","last_observed":"2024-01-01T00:00:05Z",
  "objects":{"0":{"type":"ipv4-addr","value":"10.0.0.1"},"1":{"type":"domain-name","value":"a.example","resolves_to_refs":["0"]},
             "2":{"type":"file","name":"x.exe","size":10,"hashes":{"MD5":"d41d8cd98f00b204e9800998ecf8427e"},"payload_bin":"aGk="},
             "3":{"type":"network-traffic","src_ref":"0","dst_port":443,"protocols":["tcp"]}}},
 {"type":"observed-data","first_observed":"2024-01-01T00:01:00Z","last_observed":"2024-01-01T00:01:00Z",
  "objects":{"0":{"type":"url","value":"http://a.example/x"},"1":{"type":"ipv4-addr","value":"10.0.0.1"}}}
])";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tabadul::pattern;
  static const ObservationSet* observations = [] {
    auto set = ObservationSet::FromJson(kObservations);
    if (!set.ok()) std::abort();
    return new ObservationSet(std::move(*set));
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseErrorDetail detail;
  auto parsed = ParsePattern(text, &detail);
  if (!parsed.ok()) {
    if (detail.position > size || detail.message.empty()) std::abort();
    return 0;
  }
  auto matcher = Matcher::FromPattern(std::move(*parsed));
  if (!matcher.ok()) std::abort();  // whatever parses must compile
  auto verdict = matcher->Matches(*observations);
  IndicatorIndex index;
  if (!index.Add("indicator--1", text, 0).ok()) std::abort();
  auto hits = index.MatchObservedData(*observations, 0);
  if (verdict.ok() && hits.ok() && (*verdict != !hits->empty())) std::abort();
  index.MatchValue(ObservableKind::kIpv4, "10.0.0.1", 0);
  index.MatchValue(ObservableKind::kDomain, "a.example", 0);
  if (!index.Remove("indicator--1").ok()) std::abort();
  return 0;
}
