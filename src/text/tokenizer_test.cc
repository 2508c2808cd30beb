#include "text/tokenizer.h"

#include <gtest/gtest.h>

namespace tabadul::text {
namespace {

std::vector<std::string> Texts(const TokenizedText& t) {
  std::vector<std::string> out;
  for (const Token& tok : t.tokens) out.emplace_back(tok.text);
  return out;
}

TEST(TokenizerTest, SplitsOnSpacesPunctuationAndScriptChanges) {
  TokenizedText t = Tokenize("Fancy-Bear (APT28) هاجمت لـAPT29، اليوم.");
  EXPECT_EQ(Texts(t), (std::vector<std::string>{"fancy", "bear", "apt28", "هاجمت", "ل", "apt29",
                                                "اليوم"}));
}

TEST(TokenizerTest, OffsetsCoverTheOriginalWordIncludingMarks) {
  const std::string original = "هجوم على الإِمَارَات";
  TokenizedText t = Tokenize(original);
  ASSERT_EQ(t.tokens.size(), 3u);
  EXPECT_EQ(t.tokens[2].text, "الامارات");
  EXPECT_EQ(original.substr(t.tokens[2].begin, t.tokens[2].end - t.tokens[2].begin),
            "الإِمَارَات");
  EXPECT_EQ(t.tokens[2].script, Script::kArabic);
}

TEST(TokenizerTest, SurvivesMove) {
  TokenizedText t = Tokenize("ab");
  TokenizedText moved = std::move(t);
  ASSERT_EQ(moved.tokens.size(), 1u);
  EXPECT_EQ(moved.tokens[0].text, "ab");
}

TEST(TokenizerTest, NormalizedInput) {
  auto tokens = TokenizeNormalized("lazarus group");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].begin, 8u);
}

}  // namespace
}  // namespace tabadul::text
