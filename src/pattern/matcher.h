// Evaluates one STIX pattern against a set of observations (STIX 2.1 §9.7 semantics).
//
// Semantics chosen where the spec leaves room (see docs/design/pattern-index.md for the why):
//  * A bracketed comparison expression matches an observation if ONE root SCO of that
//    observation satisfies it: AND inside brackets applies to the same object, OR to any.
//  * A leaf whose path is missing is false, with or without NOT; with `[*]` or several values the
//    leaf is true if any value satisfies it. NOT negates the comparison of each value.
//  * Type mismatch (e.g. a string property against an integer constant) is false, except `!=`,
//    which is true. Integers and floats compare numerically. t'...' compares with a string
//    property holding a timestamp; h'...' / b'...' compare bytes with the decoded value of a
//    `*_hex` / `*_bin` property (other string properties compare by their UTF-8 bytes).
//  * `=`, `<`, ... compare strings by code point (UTF-8 byte order), with no normalization;
//    LIKE and MATCHES normalize both sides to NFC; MATCHES searches (unanchored), DOTALL.
//  * ISSUBSET: the property (IP or CIDR) lies within the constant CIDR; ISSUPERSET: the reverse.
//  * Observation operators bind DIFFERENT observations: A AND B, A OR B, A FOLLOWEDBY B (every
//    observation bound to A ends (last_observed) no later than every one bound to B starts).
//  * WITHIN x SECONDS: from the earliest first_observed to the latest last_observed of the bound
//    observations is at most x seconds. START s STOP e: every bound observation has
//    first_observed >= s and last_observed < e. REPEATS n TIMES: n bindings of the inner
//    expression over pairwise-different observations. number_observed does not multiply an
//    observation (one observed-data object is one observation).
#pragma once

#include <memory>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "pattern/ast.h"
#include "pattern/observation.h"

namespace tabadul::pattern {

// Bound on the intermediate bindings one evaluation may build (qualifiers and observation
// operators over many observations are combinatorial); beyond it Matches() fails with
// ResourceExhausted instead of using unbounded time or memory.
inline constexpr size_t kMaxBindings = 20000;

class Matcher {
 public:
  // Parses and compiles `pattern` (regexes compiled once here). Errors are ParsePattern's.
  static Result<Matcher> Compile(std::string_view pattern);
  static Result<Matcher> FromPattern(Pattern pattern);

  Matcher(Matcher&&) = default;
  Matcher& operator=(Matcher&&) = default;

  // True if the pattern matches `observations`. ResourceExhausted past kMaxBindings.
  // Const and thread-safe.
  Result<bool> Matches(const ObservationSet& observations) const;

  // True if the comparison expression `expr` (part of this matcher's pattern) holds for the root
  // object `root` of observation `obs`.
  bool Holds(const ComparisonExpr& expr, const boost::json::object& root, const Observation& obs,
             const ObservationSet& set) const;

  const Pattern& pattern() const { return pattern_; }

 private:
  struct CompiledLeaf;
  Matcher() = default;
  Status CompileNode(const ObservationExpr& e);
  Status CompileComparison(const ComparisonExpr& e);
  bool HoldsLeaf(const ComparisonExpr& leaf, const boost::json::object& root,
                 const Observation& obs, const ObservationSet& set) const;

  Pattern pattern_;
  std::unordered_map<const ComparisonExpr*, std::shared_ptr<CompiledLeaf>> compiled_;
};

}  // namespace tabadul::pattern
