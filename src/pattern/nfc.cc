#include "pattern/nfc.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

namespace tabadul::pattern {

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::string Nfc(std::string_view text) {
  if (IsAscii(text)) return std::string(text);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(text);
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (source.isBogus()) return std::string(text);
  icu::UnicodeString normalized = nfc->normalize(source, status);
  if (U_FAILURE(status)) return std::string(text);
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

}  // namespace tabadul::pattern
