#include "intake/indicator_fields.h"

#include <gtest/gtest.h>

#include "pattern/parser.h"

#include "match/match_testing.h"
#include "stix/validator.h"

namespace tabadul::match {
using intake::ReadIndicatorFields;
using intake::ValidateIndicator;
using intake::IndicatorFields;
namespace {

using testing::IndicatorJson;
using testing::IndicatorSpec;

stix::StixObject Parse(const std::string& json) {
  auto o = stix::ParseObject(json);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return o.ok() ? std::move(o).value() : stix::StixObject{};
}

TEST(ReadIndicatorFields, ReadsTheFieldsMatchingNeeds) {
  auto f = ReadIndicatorFields(IndicatorJson({.n = 1,
                                              .pattern = "[ipv4-addr:value = '198.51.100.7']",
                                              .name = "C2 server",
                                              .valid_until = "2025-01-01T00:00:00Z"}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->name, "C2 server");
  EXPECT_EQ(f->pattern, "[ipv4-addr:value = '198.51.100.7']");
  EXPECT_EQ(f->pattern_type, "stix");
  EXPECT_EQ(f->valid_from_ns, ParseTimestamp("2023-01-01T00:00:00Z")->nanos);
  EXPECT_EQ(f->valid_until_ns, ParseTimestamp("2025-01-01T00:00:00Z")->nanos);
}

TEST(ReadIndicatorFields, NoValidUntilMeansNoExpiryAndNoNameIsEmpty) {
  auto f = ReadIndicatorFields(IndicatorJson({.n = 1, .pattern = "[url:value = 'x']"}));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->valid_until_ns, pattern::kNoExpiry);
  EXPECT_EQ(f->name, "");
}

TEST(ReadIndicatorFields, RefusesWhatItCannotRead) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {R"({"pattern_type":"stix","valid_from":"2023-01-01T00:00:00Z"})", "no pattern"},
      {R"({"pattern":1,"pattern_type":"stix","valid_from":"2023-01-01T00:00:00Z"})",
       "pattern is not a string"},
      {R"({"pattern":"[a:b = 1]","valid_from":"2023-01-01T00:00:00Z"})", "no pattern_type"},
      {R"({"pattern":"[a:b = 1]","pattern_type":"stix"})", "no valid_from"},
      {R"({"pattern":"[a:b = 1]","pattern_type":"stix","valid_from":"yesterday"})",
       "valid_from:"},
      {R"({"pattern":"[a:b = 1]","pattern_type":"stix","valid_from":"2023-01-01T00:00:00Z",
           "valid_until":"2023-13-01T00:00:00Z"})",
       "valid_until:"},
  };
  for (const auto& [json, message] : cases) {
    auto f = ReadIndicatorFields(json);
    ASSERT_FALSE(f.ok()) << json;
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(f.status().message().find(message), std::string::npos)
        << json << " -> " << f.status().message();
  }
}

TEST(ValidateIndicator, AcceptsAValidIndicatorAndIgnoresOtherTypes) {
  EXPECT_TRUE(ValidateIndicator(Parse(IndicatorJson(
                                    {.n = 1, .pattern = "[domain-name:value = 'evil.example']"})))
                  .ok());
  stix::StixObject other;
  other.type = "malware";
  other.json = "{}";
  EXPECT_TRUE(ValidateIndicator(other).ok());
}

TEST(ValidateIndicator, RefusesAnInvalidStixPatternWithTheParsersMessage) {
  Status st = ValidateIndicator(
      Parse(IndicatorJson({.n = 1, .pattern = "[ipv4-addr:value = '1.2.3.4'"})));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  auto parsed = pattern::ParsePattern("[ipv4-addr:value = '1.2.3.4'");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(st.message(), "[pattern] pattern: " + parsed.status().message());
  auto refusal = stix::ParseRefusal(st);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->rule, "pattern");
  EXPECT_EQ(refusal->property, "pattern");
}

TEST(ValidateIndicator, LeavesOtherPatternLanguagesAlone) {
  EXPECT_TRUE(ValidateIndicator(Parse(IndicatorJson(
                                    {.n = 1, .pattern = "alert tcp any any -> any 80 (",
                                     .pattern_type = "snort"})))
                  .ok());
}

TEST(ValidateIndicator, RefusesValidUntilNotAfterValidFrom) {
  for (const char* until : {"2023-01-01T00:00:00Z", "2022-12-31T23:59:59Z"}) {
    Status st = ValidateIndicator(Parse(
        IndicatorJson({.n = 1, .pattern = "[url:value = 'x']", .valid_until = until})));
    ASSERT_FALSE(st.ok()) << until;
    EXPECT_EQ(st.message(), "[property-value] valid_until: must be later than valid_from");
  }
}

}  // namespace
}  // namespace tabadul::intake
