// Parser for the STIX 2.1 patterning language (STIX 2.1 §9).
//
// Hand-written recursive descent over the characters (no separate lexer), so that every error
// can say exactly where it is and what the grammar expected there. Precedence, loosest first:
// FOLLOWEDBY < OR < AND < qualifiers (WITHIN / REPEATS / START..STOP bind to the observation
// expression directly before them) < parentheses; inside brackets OR < AND < parentheses.
// Keywords and operators are upper-case as in the spec; `true` / `false` in any case.
//
// Besides syntax, the parser enforces the spec's static rules, so a pattern it accepts can always
// be evaluated: constants of one type in IN; a valid timestamp in t'...'; hex / base64 in h'' /
// b''; a string for LIKE / MATCHES / ISSUBSET / ISSUPERSET; an IP or CIDR for ISSUBSET /
// ISSUPERSET; a regex RE2 can run for MATCHES (see regex.h); AND inside brackets only between
// comparisons on one object type; at most one qualifier of each kind on an observation
// expression; WITHIN and REPEATS greater than zero; START before STOP.
//
// Pure function of its input, thread-safe. Input length is limited to kMaxPatternBytes and
// nesting to kMaxDepth, so hostile input cannot exhaust the stack.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pattern/ast.h"

namespace tabadul::pattern {

inline constexpr size_t kMaxPatternBytes = 1 << 20;
inline constexpr int kMaxDepth = 200;

struct ParseErrorDetail {
  size_t position = 0;   // byte offset of the error in the pattern (0-based)
  std::string message;   // same text as the Status message
};

// Parses `text`. On failure returns InvalidArgument whose message reads
//   "pattern error at position N: expected X, found Y"
// (or names the violated static rule), and fills `detail` when given.
Result<Pattern> ParsePattern(std::string_view text, ParseErrorDetail* detail = nullptr);

}  // namespace tabadul::pattern
