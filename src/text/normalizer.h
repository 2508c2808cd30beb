// Text normalization shared by indicator extraction, entity linking and search.
//
// Design note: docs/design/arabic-normalization.md. In short, every mode applies, in one pass:
// Unicode NFKC (kMatch: NFKC_Casefold), removal of bidi controls, zero-width and other
// default-ignorable characters, removal of tashkeel (harakat, tanween, shadda, sukun, superscript
// alef, Quranic marks) and tatweel, and mapping of Arabic-Indic (U+0660..) and Eastern
// Arabic-Indic (U+06F0..) digits and the Arabic decimal/thousands separators to ASCII. kMatch
// additionally folds for matching: alef forms (أ إ آ ٱ) to ا, alef maqsura ى to ي, taa marbuta
// ة to ه, hamza on waw/yaa (ؤ ئ) to و/ي, Persian yeh/keheh to Arabic yaa/kaf, and case.
//
// The functions are pure (no I/O, no clock), thread-safe, and accept any bytes: invalid UTF-8
// becomes U+FFFD mapped to the offending byte. Offsets into the original text are kept.
#pragma once

#include <string>
#include <string_view>

#include "text/offset_map.h"

namespace tabadul::text {

enum class NormalizeMode {
  kExtract,  // for indicator extraction: keeps case and letter identity
  kMatch,    // for entity linking and search: also folds letters and case
};

struct NormalizedText {
  std::string text;     // valid UTF-8
  OffsetMap offsets;    // text offset -> original offset
};

NormalizedText Normalize(std::string_view original, NormalizeMode mode);

// The same, written into `out`, whose previous content is replaced. Its buffers' capacity is kept
// and reused: a caller normalizing many texts with one NormalizedText allocates (and page-faults
// in) its buffers once instead of once per call.
void NormalizeInto(std::string_view original, NormalizeMode mode, NormalizedText& out);

// Convenience for short strings (names, queries) when offsets are not needed.
std::string NormalizeForMatch(std::string_view s);

}  // namespace tabadul::text
