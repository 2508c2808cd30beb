// Parser unit tests: tree shape and precedence. Verdicts and error messages are covered by the
// data-driven corpus in tests/pattern/corpus.
#include "pattern/parser.h"

#include <gtest/gtest.h>

namespace tabadul::pattern {
namespace {

using OK = ObservationExpr::Kind;
using CK = ComparisonExpr::Kind;

TEST(Parser, LeafShape) {
  auto p = ParsePattern("[file:hashes.'SHA-256'[*][2] NOT MATCHES '^a']");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const ComparisonExpr& c = *p->root->comparison;
  EXPECT_EQ(c.kind, CK::kLeaf);
  EXPECT_EQ(c.op, ComparisonOp::kMatches);
  EXPECT_TRUE(c.negated);
  ASSERT_EQ(c.path.steps.size(), 4u);
  EXPECT_EQ(c.path.steps[1].key, "SHA-256");
  EXPECT_EQ(c.path.steps[2].kind, PathStep::Kind::kAnyIndex);
  EXPECT_EQ(c.path.steps[3].index, 2);
  EXPECT_EQ(c.path.ToString(), "file:hashes.'SHA-256'[*][2]");
}

TEST(Parser, ComparisonPrecedenceAndOverOr) {
  auto p = ParsePattern("[a:x = 1 OR a:y = 2 AND a:z = 3]");
  ASSERT_TRUE(p.ok());
  const ComparisonExpr& c = *p->root->comparison;
  EXPECT_EQ(c.kind, CK::kOr);
  EXPECT_EQ(c.right->kind, CK::kAnd);
}

TEST(Parser, ObservationPrecedence) {
  auto p = ParsePattern("[a:x = 1] FOLLOWEDBY [a:x = 2] OR [a:x = 3] AND [a:x = 4] WITHIN 5 SECONDS");
  ASSERT_TRUE(p.ok());
  const ObservationExpr& r = *p->root;
  EXPECT_EQ(r.kind, OK::kFollowedBy);
  EXPECT_EQ(r.right->kind, OK::kOr);
  EXPECT_EQ(r.right->right->kind, OK::kAnd);
  EXPECT_EQ(r.right->right->right->kind, OK::kWithin);
  EXPECT_EQ(r.right->right->right->within_nanos, 5'000'000'000);
}

TEST(Parser, ConstantsDecoded) {
  auto p = ParsePattern("[a:x IN ('it''s', -7, 2.5, t'2024-01-01T00:00:00.5Z', h'4142', b'QUI=')]");
  EXPECT_FALSE(p.ok());  // mixed types
  auto q = ParsePattern("[a:x = 'it\\'s \\\\ ok']");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->root->comparison->constants[0].bytes, "it's \\ ok");
  auto t = ParsePattern("[a:x = t'1970-01-01T00:00:01.5Z']");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->root->comparison->constants[0].int_value, 1'500'000'000);
  auto b = ParsePattern("[a:x_bin = b'QUI=' OR a:x_hex = h'4142']");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->root->comparison->left->constants[0].bytes, "AB");
  EXPECT_EQ(b->root->comparison->right->constants[0].bytes, "AB");
}

TEST(Parser, LongChainsMakeBalancedTrees) {
  std::string text = "[a:x = 0";
  for (int i = 1; i < 20000; ++i) text += " OR a:x = " + std::to_string(i);
  text += "]";
  auto p = ParsePattern(text);
  ASSERT_TRUE(p.ok());
  int depth = 0;
  for (const ComparisonExpr* c = p->root->comparison.get(); c->kind != CK::kLeaf;
       c = c->left.get()) {
    ++depth;
  }
  EXPECT_LE(depth, 16);
}

TEST(Parser, DeepNestingIsRefusedNotCrashed) {
  std::string text(100000, '(');
  auto p = ParsePattern(text);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("nested deeper"), std::string::npos);
  std::string brackets = "[" + std::string(5000, '(') + "a:x = 1" + std::string(5000, ')') + "]";
  EXPECT_FALSE(ParsePattern(brackets).ok());
}

TEST(Parser, TooLongIsRefused) {
  std::string text(kMaxPatternBytes + 1, ' ');
  auto p = ParsePattern(text);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("longer than"), std::string::npos);
}

}  // namespace
}  // namespace tabadul::pattern
