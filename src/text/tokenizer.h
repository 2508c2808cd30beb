// Word tokens of a text for entity linking and search.
//
// The text is normalized with NormalizeMode::kMatch and cut into maximal runs of letters and
// digits. A run changes token at a change of script between Arabic and any other script, so
// "لـAPT28" gives "ل" and "apt28"; Latin letters and digits stay together ("apt28", "t1059").
// Everything else (spaces, punctuation, hyphens, apostrophes) separates tokens.
#pragma once

#include <string_view>
#include <vector>

#include "text/normalizer.h"

namespace tabadul::text {

enum class Script { kArabic, kOther };

struct Token {
  std::string_view text;   // normalized; points into TokenizedText::normalized.text
  size_t begin = 0;        // byte offsets into the original text
  size_t end = 0;
  Script script = Script::kOther;
};

struct TokenizedText {
  NormalizedText normalized;
  std::vector<Token> tokens;
};

// Pure and thread-safe. The result's tokens point into its own `normalized.text`: moving a
// TokenizedText keeps them valid (std::string move keeps the heap buffer for non-SSO strings,
// and Tokenize() reserves past the SSO size); copying does not.
TokenizedText Tokenize(std::string_view original);

// Tokens of an already-normalized string (a query or a name): offsets are into `normalized`.
std::vector<Token> TokenizeNormalized(std::string_view normalized);

}  // namespace tabadul::text
