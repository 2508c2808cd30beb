#include "search/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tabadul::search {
namespace {

bool Overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a) if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

// True when every query word shares a term with the document word.
bool Finds(const Analyzer& a, std::string_view query, std::string_view doc) {
  auto q = a.QueryTermGroups(query);
  auto d = a.QueryTermGroups(doc);
  if (q.size() != d.size()) return false;
  for (size_t i = 0; i < q.size(); ++i) if (!Overlap(q[i], d[i])) return false;
  return true;
}

TEST(AnalyzerTest, ArabicWordsMatchWhateverTheirDiacriticsHamzaPrefixesAndSuffixes) {
  Analyzer a;
  EXPECT_TRUE(Finds(a, "المعلومات", "والمعلومات"));
  EXPECT_TRUE(Finds(a, "المغرب", "للمغرب"));
  EXPECT_TRUE(Finds(a, "الجزائر", "والجزائر"));
  EXPECT_TRUE(Finds(a, "إسرائيل", "باسرائيل"));
  EXPECT_TRUE(Finds(a, "الهجمات", "الهَجَمَاتُ"));
  EXPECT_TRUE(Finds(a, "أمن", "امن"));
  EXPECT_TRUE(Finds(a, "الاختراق", "بالاختراق"));
  EXPECT_TRUE(Finds(a, "مستشفى", "مستشفي"));
  EXPECT_FALSE(Finds(a, "المغرب", "الجزائر"));
}

TEST(AnalyzerTest, EnglishStemmingAndCase) {
  Analyzer a;
  EXPECT_TRUE(Finds(a, "Phishing campaigns", "phishing campaign"));
  EXPECT_TRUE(Finds(a, "attacks", "ATTACKED"));
}

TEST(AnalyzerTest, QueryStopWordsAreDropped) {
  Analyzer a;
  EXPECT_EQ(a.QueryTermGroups("the attack in من الهجوم").size(), 2u);
}

}  // namespace
}  // namespace tabadul::search
