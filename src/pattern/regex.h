// MATCHES and LIKE, compiled to RE2.
//
// The spec defines MATCHES with PCRE syntax and search semantics ("matches anywhere"), with
// DOTALL, on NFC-normalized text. We run every regular expression with RE2, whose time is linear
// in the input, because patterns come from untrusted partners. RE2 accepts the PCRE syntax that
// real indicators use; PCRE features whose matching needs backtracking are refused with a message
// that names the feature:
//   back-references (\1 .. \9, \g{..}, \k<..>), lookahead (?= (?!, lookbehind (?<= (?<!,
//   atomic groups (?>, possessive quantifiers (*+ ++ ?+ }+), recursion (?R) (?1),
//   conditionals (?(, \G, \Z (use \z or $), callouts (?C, and verbs (*VERB).
// Anything else RE2 rejects is refused with RE2's own message.
//
// LIKE has SQL semantics: `%` is any run of characters, `_` exactly one character, everything
// else literal, matched against the whole value.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tabadul::pattern {

// Refuses PCRE features RE2 cannot run (InvalidArgument naming the feature and its offset).
Status CheckRegexSupported(std::string_view pcre);

// RE2 source text for a LIKE pattern (anchored at both ends).
std::string LikeToRegex(std::string_view like);

// Compiles a MATCHES regex: the expression is NFC-normalized first, DOTALL is on. `latin1`
// compiles it for matching raw bytes (the decoded value of a `_bin` / `_hex` property, to which
// the spec says the Unicode flag does not apply). InvalidArgument on unsupported or bad syntax.
Result<std::shared_ptr<const RE2>> CompileMatches(std::string_view pcre, bool latin1);

// Compiles a LIKE pattern (NFC-normalized) into an anchored RE2.
Result<std::shared_ptr<const RE2>> CompileLike(std::string_view like);

// The options used for all pattern regexes (so RE2::Set in the index behaves identically).
RE2::Options RegexOptions(bool latin1);

}  // namespace tabadul::pattern
