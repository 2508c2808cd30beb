// Fuzzes normalization in both modes, the offset map and the tokenizer: output must be valid
// UTF-8 and every offset must fall inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "text/arabic_affixes.h"
#include "text/internal/utf8.h"
#include "text/normalizer.h"
#include "text/tokenizer.h"

using namespace tabadul::text;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (NormalizeMode mode : {NormalizeMode::kExtract, NormalizeMode::kMatch}) {
    NormalizedText n = Normalize(input, mode);
    for (size_t i = 0; i < n.text.size();) {
      auto d = internal::DecodeUtf8(n.text, i);
      if (d.cp == internal::kReplacementChar && d.len == 1) std::abort();  // invalid output
      if (n.offsets.ToSource(i) > size) std::abort();
      i += d.len;
    }
  }
  TokenizedText t = Tokenize(input);
  for (const Token& tok : t.tokens) {
    if (tok.begin > tok.end || tok.end > size) std::abort();
    (void)ProcliticReadings(tok.text);
    (void)StripNisba(tok.text);
  }
  return 0;
}
