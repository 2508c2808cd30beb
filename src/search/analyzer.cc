#include "search/analyzer.h"

#include <algorithm>
#include <unordered_set>

#include "text/arabic_affixes.h"

namespace tabadul::search {
namespace {

// Query stop words, in normalized form (alef/yaa/taa marbuta folded).
const std::unordered_set<std::string>& StopWords() {
  static const std::unordered_set<std::string> kWords = {
      "the", "a", "an", "of", "and", "or", "in", "on", "to", "for", "by", "with", "from", "at",
      "is", "are", "was", "were", "be", "this", "that", "it", "as",
      "في", "من", "علي", "الي", "عن", "مع", "و", "او", "ثم", "ان", "هذا", "هذه", "ذلك", "تلك",
      "التي", "الذي", "الذين", "هو", "هي", "قد", "كان", "كانت", "بين", "عبر", "حول", "لدي"};
  return kWords;
}

void AddUnique(std::vector<std::string>& v, std::string s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

Analyzer::Analyzer() : arabic_("arabic"), english_("english") {}

std::vector<std::string> Analyzer::TokenTerms(const text::Token& token) const {
  std::vector<std::string> terms;
  if (token.script == text::Script::kArabic) {
    for (const std::string& reading : text::ProcliticReadings(token.text)) {
      AddUnique(terms, arabic_(reading));
    }
  } else {
    AddUnique(terms, english_(std::string(token.text)));
  }
  return terms;
}

std::vector<std::vector<std::string>> Analyzer::QueryTermGroups(std::string_view query) const {
  std::vector<std::vector<std::string>> groups;
  const text::TokenizedText tt = text::Tokenize(query);
  for (const text::Token& t : tt.tokens) {
    if (StopWords().count(std::string(t.text))) continue;
    std::vector<std::string> terms = TokenTerms(t);
    if (!terms.empty()) groups.push_back(std::move(terms));
  }
  return groups;
}

}  // namespace tabadul::search
