// The literal prefilter (FilteredRE2 atoms) in front of large MATCHES/LIKE tiers: the index must
// still answer exactly what the Matcher answers.
//
// Regexes are built from pieces where a literal prefilter could go wrong (case-insensitive
// groups, non-ASCII literals and their case, Unicode classes, regexes with no literal at all or
// only short ones, anchors, empty matches), and values from an alphabet that exercises them
// (newlines, vertical tab, upper case, non-ASCII, invalid UTF-8). Fixed seed.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>
#include <set>

#include "pattern/indicator_index.h"
#include "pattern/matcher.h"
#include "pattern/regex.h"

namespace tabadul::pattern {
namespace {

const std::vector<std::string> kPieces = {
    "evil", "EVIL", "a\\.b", "x.y", "[0-9]+", "\\d{2,}", "(zip|top)", "^http", "/$", "$",
    "\\s", "\\bfoo\\b", "(?i)evil", "(?i:ab)c", "é", "(?i)é", "\\pL", "a*", "", ".", "\\v",
    "\\x41", "[^/]*", "(?m)^q", "\\Aab", "ab\\z", "[[:digit:]]", "\\x{e9}", "q?", "\\w+",
    "(?U)a+", "[a-c]{2}", "\\.", "/", "(?i)k", "\u212A", "(?i)évil", "EVIL[0-9]{2}", "abc|xyz"};

const std::vector<std::string> kValueParts = {
    "evil", "EVIL", "Evil", "a", "b", "a.b", "x.y", "foo", " ", "\n", "\v", "/", "http", "12",
    "zip", "é", "É", "q", "Ab", "ab", "abc", "ABC", "A", "\xff", "e\xcc\x81", "K", "\u212A", "ÉVIL", "evil42", "XYZ"};

std::string RandomRegex(std::mt19937& rng) {
  std::string r;
  const int n = 1 + static_cast<int>(rng() % 3);
  for (int k = 0; k < n; ++k) r += kPieces[rng() % kPieces.size()];
  return r;
}

std::string RandomValue(std::mt19937& rng) {
  std::string v;
  const int n = static_cast<int>(rng() % 6);
  for (int k = 0; k < n; ++k) v += kValueParts[rng() % kValueParts.size()];
  return v;
}

// A STIX string literal: backslashes and quotes escaped.
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// The whole path through the index (tiers large enough to be filtered, non-ASCII and invalid
// UTF-8 values on the exact slow path, removals leaving stale entries) against the Matcher.
TEST(RegexFilter, IndexWithFilteredTiersAgreesWithMatcher) {
  std::mt19937 rng(77);
  IndicatorIndex index;
  std::vector<std::pair<std::string, std::unique_ptr<Matcher>>> matchers;
  for (int k = 0; matchers.size() < 600; ++k) {
    const bool like = rng() % 4 == 0;
    std::string pattern =
        like ? "[url:value LIKE " + Quote("%" + RandomValue(rng) + "_%") + "]"
             : "[url:value MATCHES " + Quote(RandomRegex(rng)) + "]";
    auto m = Matcher::Compile(pattern);
    if (!m.ok()) continue;
    const std::string id = "indicator--" + std::to_string(k);
    ASSERT_TRUE(index.Add(id, pattern, 0).ok()) << pattern;
    matchers.emplace_back(id, std::make_unique<Matcher>(std::move(*m)));
  }
  int nonempty = 0;
  for (int round = 0; round < 1500; ++round) {
    // Remove and re-add now and then, so tiers are rebuilt with stale entries.
    if (round % 100 == 99) {
      auto& [id, m] = matchers[rng() % matchers.size()];
      ASSERT_TRUE(index.Remove(id).ok());
      matchers.erase(std::find_if(matchers.begin(), matchers.end(),
                                  [&](const auto& p) { return p.first == id; }));
    }
    const std::string value = RandomValue(rng);
    boost::json::object sco{{"type", "url"}, {"value", value}};
    ObservationSet single = ObservationSet::FromObject(sco, 1);
    std::set<std::string> expected;
    for (const auto& [id, m] : matchers) {
      if (*m->Matches(single)) expected.insert(id);
    }
    auto got = index.MatchValue(ObservableKind::kUrl, value, 1);
    ASSERT_EQ(std::set<std::string>(got.begin(), got.end()), expected) << "'" << value << "'";
    nonempty += !expected.empty();
  }
  EXPECT_GT(nonempty, 500);
}

}  // namespace
}  // namespace tabadul::pattern
