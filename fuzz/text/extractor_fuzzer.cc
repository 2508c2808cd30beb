// Fuzzes the whole extraction pipeline (normalize, refang, scan) on arbitrary bytes: it must not
// crash, hang or report a span outside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "text/ioc_extractor.h"

namespace {
// A small fixed list keeps the fuzzer self-contained (no file I/O).
const tabadul::text::PublicSuffixList& Psl() {
  static const auto psl = tabadul::text::PublicSuffixList::Parse(
                              "com\nnet\norg\nru\nzip\nco.uk\n*.ck\n!www.ck\nالسعودية\n")
                              .value();
  return psl;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tabadul::text::IndicatorExtractor extractor(Psl());
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const auto& ind : extractor.Extract(input)) {
    if (ind.begin > ind.end || ind.end > size || ind.value.empty()) std::abort();
  }
  return 0;
}
