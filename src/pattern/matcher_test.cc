// Matcher unit tests for input handling; operator semantics live in the conformance corpus.
#include "pattern/matcher.h"

#include <gtest/gtest.h>

namespace tabadul::pattern {
namespace {

TEST(ObservationSet, RefusesBadInput) {
  EXPECT_FALSE(ObservationSet::FromJson("{").ok());
  EXPECT_FALSE(ObservationSet::FromJson("42").ok());
  EXPECT_FALSE(ObservationSet::FromJson("[1]").ok());
  EXPECT_FALSE(ObservationSet::FromJson(R"({"type":"bundle"})").ok());
  EXPECT_FALSE(ObservationSet::FromJson(
                   R"({"type":"observed-data","last_observed":"2024-01-01T00:00:00Z","object_refs":[]})")
                   .ok());
  EXPECT_FALSE(ObservationSet::FromJson(
                   R"({"type":"observed-data","first_observed":"2024-01-02T00:00:00Z","last_observed":"2024-01-01T00:00:00Z","object_refs":[]})")
                   .ok());
  EXPECT_FALSE(ObservationSet::FromJson(
                   R"({"type":"observed-data","first_observed":"2024-01-01T00:00:00Z","last_observed":"2024-01-01T00:00:00Z"})")
                   .ok());
  std::string deep(1000, '[');
  EXPECT_FALSE(ObservationSet::FromJson(deep + std::string(1000, ']')).ok());
}

TEST(Matcher, CompileReportsParseErrors) {
  auto m = Matcher::Compile("[file:name = ");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
}

TEST(Matcher, CombinatorialPatternsAreBounded) {
  // 40 observations of the same IP; REPEATS 5 over them has C(40,5) = 658,008 combinations.
  std::string json = "[";
  for (int i = 0; i < 40; ++i) {
    json += std::string(i ? "," : "") +
            R"({"type":"observed-data","first_observed":"2024-01-01T00:00:00Z","last_observed":"2024-01-01T00:00:00Z","objects":{"0":{"type":"ipv4-addr","value":"1.2.3.4"}}})";
  }
  json += "]";
  auto set = ObservationSet::FromJson(json);
  ASSERT_TRUE(set.ok());
  auto m = Matcher::Compile("[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES");
  ASSERT_TRUE(m.ok());
  auto r = m->Matches(*set);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  auto small = Matcher::Compile("[ipv4-addr:value = '1.2.3.4'] REPEATS 2 TIMES");
  EXPECT_TRUE(*small->Matches(*set));
}

TEST(Matcher, SingleObjectObservation) {
  boost::json::object sco{{"type", "url"}, {"value", "http://x.test/a"}};
  auto set = ObservationSet::FromObject(sco, 0);
  EXPECT_TRUE(*Matcher::Compile("[url:value LIKE 'http://x.test/%']")->Matches(set));
  EXPECT_FALSE(*Matcher::Compile("[url:value = 'http://x.test/']")->Matches(set));
}

}  // namespace
}  // namespace tabadul::pattern
