#include "text/tokenizer.h"

#include <unicode/uchar.h>

#include "text/internal/utf8.h"

namespace tabadul::text {
namespace {

enum class CharClass { kSeparator, kArabic, kOther };

CharClass Classify(char32_t c) {
  if (c < 0x80) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum ? CharClass::kOther : CharClass::kSeparator;
  }
  if (internal::IsArabicLetter(c)) return CharClass::kArabic;
  if (u_isalnum(static_cast<UChar32>(c)) || u_getCombiningClass(static_cast<UChar32>(c)) != 0) {
    return CharClass::kOther;
  }
  return CharClass::kSeparator;
}

template <typename Fn>
void ForEachRun(std::string_view s, Fn&& fn) {
  size_t i = 0;
  while (i < s.size()) {
    auto d = internal::DecodeUtf8(s, i);
    CharClass cls = Classify(d.cp);
    if (cls == CharClass::kSeparator) {
      i += d.len;
      continue;
    }
    const size_t start = i;
    i += d.len;
    while (i < s.size()) {
      d = internal::DecodeUtf8(s, i);
      if (Classify(d.cp) != cls) break;
      i += d.len;
    }
    fn(start, i, cls == CharClass::kArabic ? Script::kArabic : Script::kOther);
  }
}

}  // namespace

TokenizedText Tokenize(std::string_view original) {
  TokenizedText result;
  result.normalized = Normalize(original, NormalizeMode::kMatch);
  result.normalized.text.reserve(32);  // never SSO, so moves keep the token views valid
  const std::string& norm = result.normalized.text;
  ForEachRun(norm, [&](size_t b, size_t e, Script script) {
    Token t;
    t.text = std::string_view(norm).substr(b, e - b);
    t.begin = result.normalized.offsets.ToSource(b);
    t.end = result.normalized.offsets.ToSourceEnd(e, original.data(), original.size());
    t.script = script;
    result.tokens.push_back(t);
  });
  return result;
}

std::vector<Token> TokenizeNormalized(std::string_view normalized) {
  std::vector<Token> tokens;
  ForEachRun(normalized, [&](size_t b, size_t e, Script script) {
    tokens.push_back({normalized.substr(b, e - b), b, e, script});
  });
  return tokens;
}

}  // namespace tabadul::text
