// The syntax tree of a STIX 2.1 pattern (STIX 2.1 §9), as produced by ParsePattern().
//
// A pattern is a tree of observation expressions whose leaves are bracketed comparison
// expressions. Trees own their children through unique_ptr; a Pattern is move-only and
// immutable once parsed. Constants are stored already decoded (hex and base64 to bytes,
// timestamps to nanoseconds), so evaluation never re-parses text.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tabadul::pattern {

enum class ConstantKind { kString, kInt, kFloat, kBool, kTimestamp, kHex, kBinary };

struct Constant {
  ConstantKind kind = ConstantKind::kString;
  std::string bytes;         // kString: the unescaped text; kHex/kBinary: the decoded bytes
  int64_t int_value = 0;     // kInt; kTimestamp: nanoseconds since the epoch
  double float_value = 0;    // kFloat (and kInt, converted, for mixed comparisons)
  bool bool_value = false;   // kBool
};

struct PathStep {
  enum class Kind { kKey, kIndex, kAnyIndex };
  Kind kind = Kind::kKey;
  std::string key;     // kKey
  int64_t index = 0;   // kIndex; a negative index counts from the end of the list
};

struct ObjectPath {
  std::string object_type;
  std::vector<PathStep> steps;  // never empty
  // Canonical text: `type:a.'b-c'[0][*]`; two paths are the same iff their texts are equal.
  std::string ToString() const;
};

enum class ComparisonOp {
  kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual,
  kIn, kLike, kMatches, kIsSubset, kIsSuperset, kExists,
};
const char* ComparisonOpName(ComparisonOp op);

struct ComparisonExpr {
  enum class Kind { kLeaf, kAnd, kOr };
  Kind kind = Kind::kLeaf;
  std::unique_ptr<ComparisonExpr> left, right;  // kAnd, kOr
  // kLeaf:
  ObjectPath path;
  ComparisonOp op = ComparisonOp::kEqual;
  bool negated = false;              // `NOT` before the operator
  std::vector<Constant> constants;   // one; IN: zero or more; EXISTS: none
};

struct ObservationExpr {
  enum class Kind { kLeaf, kAnd, kOr, kFollowedBy, kWithin, kRepeats, kStartStop };
  Kind kind = Kind::kLeaf;
  std::unique_ptr<ComparisonExpr> comparison;     // kLeaf: the `[...]` content
  std::unique_ptr<ObservationExpr> left, right;   // binary operators; qualifiers use `left`
  int64_t within_nanos = 0;                       // kWithin (> 0)
  int64_t repeats = 0;                            // kRepeats (> 0)
  int64_t start_nanos = 0, stop_nanos = 0;        // kStartStop (start < stop)
};

struct Pattern {
  std::unique_ptr<ObservationExpr> root;
};

}  // namespace tabadul::pattern
