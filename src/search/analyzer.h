// The search analyzer: text -> index terms, shared by indexing and querying so both sides agree.
//
// Per token of text::Tokenize (normalized with NormalizeMode::kMatch: no diacritics, folded
// hamza forms, alef maqsura, taa marbuta, digits, case):
//   - Arabic: every proclitic reading (text::ProcliticReadings: "والمعلومات" -> "والمعلومات",
//     "المعلومات", "معلومات") stemmed with Xapian's Snowball Arabic stemmer, which then removes
//     suffixes. A document indexes all readings; a query token matches any of them (a synonym
//     group), so "للمغرب" in a query finds "المغرب" and "مغربية" in a document and vice versa.
//   - other scripts: Snowball English stemmer on the lower-cased token.
// Common Arabic and English function words are dropped from queries (not from documents, so
// phrase-like names stay findable). Thread-compatible: one Analyzer per thread (Xapian::Stem
// objects are not shared across threads).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "text/tokenizer.h"

namespace tabadul::search {

class Analyzer {
 public:
  Analyzer();

  // Terms of one normalized token (all readings, stemmed), deduplicated.
  std::vector<std::string> TokenTerms(const text::Token& token) const;

  // For a query: one group of alternative terms per meaningful token.
  std::vector<std::vector<std::string>> QueryTermGroups(std::string_view query) const;

 private:
  Xapian::Stem arabic_;
  Xapian::Stem english_;
};

}  // namespace tabadul::search
