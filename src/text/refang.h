// Refanging: undoing the ways analysts "defang" indicators so they cannot be clicked
// ("hxxp://evil[.]com", "1.2.3(.)4", "user[at]mail[.]com", "evil نقطة com").
//
// The rules are data (src/text/data/refang_rules.tsv, compiled into the library as the default
// table; operators may parse their own), not code: a table of literal forms and replacements,
// matched ASCII-case-insensitively, longest form first at each position. The text should already
// be normalized (NormalizeMode::kExtract) so bidi marks and Arabic-Indic digits cannot hide a
// defanged form. Pure, thread-safe once constructed.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "text/offset_map.h"

namespace tabadul::text {

struct RefangRule {
  std::string from;  // the defanged form, as written (matched ASCII-case-insensitively)
  std::string to;    // what it stands for
};

struct RefangedText {
  std::string text;
  OffsetMap offsets;                 // text offset -> input offset
  std::vector<size_t> edit_offsets;  // output offsets where a rule fired, ascending

  // True when a rule fired inside the output span [begin, end).
  bool EditedWithin(size_t begin, size_t end) const;
};

class Refanger {
 public:
  // Parses a rule table (format in data/refang_rules.tsv). Fails with InvalidArgument naming the
  // line for a line without a tab, an empty form, or a bad escape.
  static Result<Refanger> Parse(std::string_view table);
  // The table shipped with tabadul. Never fails (the file is checked by a unit test).
  static const Refanger& Default();

  explicit Refanger(std::vector<RefangRule> rules);
  RefangedText Apply(std::string_view text) const;
  // The same, written into `out`, whose previous content is replaced and whose buffers' capacity
  // is reused (see NormalizeInto).
  void ApplyInto(std::string_view text, RefangedText& out) const;
  size_t rule_count() const { return rules_.size(); }

 private:
  std::vector<RefangRule> rules_;  // sorted longest-first within each first byte
  std::array<std::vector<uint32_t>, 256> by_first_byte_;  // lower-cased first byte -> rules
  // Prefilter, so the common byte that starts some rule (a space before an Arabic word, 'h', '.')
  // costs a few table lookups instead of a comparison with each of its rules: is_first_[b] when
  // some rule starts with byte b (either case); single_byte_[b] when a one-byte rule is b;
  // pairs_ holds the case-folded bytes of every two-byte rule, and triples_ a hash of the first
  // three case-folded bytes of every longer rule (collisions only cost a comparison).
  std::array<bool, 256> is_first_{};
  std::array<bool, 256> single_byte_{};
  std::bitset<65536> pairs_;
  std::bitset<65536> triples_;
};

}  // namespace tabadul::text
