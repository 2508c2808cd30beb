#include "stix/marking_refs.h"

#include <gtest/gtest.h>

#include "stix/tlp.h"
#include "stix/validator.h"

namespace tabadul::stix {
namespace {

constexpr char kIndicator[] =
    R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",)"
    R"("created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",)"
    R"("name":"C2 \"quoted\" \u00e9","pattern":"[ipv4-addr:value = '198.51.100.1']",)"
    R"("pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"%s})";

StixObject Parse(const std::string& extra) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, kIndicator, extra.c_str());
  auto o = ParseObject(buf);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return *o;
}

TEST(MarkingRefs, AddsThePropertyWhenAbsentAndKeepsEverythingElse) {
  StixObject o = Parse("");
  EXPECT_FALSE(HasStandardTlpRef(o));
  auto amber = Tlp2MarkingId(Tlp::kAmber);
  auto marked = WithObjectMarkingRef(o, amber);
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(marked->object_marking_refs, std::vector<std::string>{std::string(amber)});
  EXPECT_TRUE(HasStandardTlpRef(*marked));
  EXPECT_EQ(marked->id, o.id);
  EXPECT_EQ(marked->modified_ns, o.modified_ns);
  EXPECT_NE(marked->json.find(R"("name":"C2 \"quoted\" é")"), std::string::npos) << marked->json;
}

TEST(MarkingRefs, AppendsToAnExistingListOnce) {
  const std::string statement = "marking-definition--17e1ff9c-0f4c-4b2b-8e8b-7c4d2e5e7a11";
  StixObject o = Parse(R"(,"object_marking_refs":[")" + statement + R"("])");
  auto red = Tlp2MarkingId(Tlp::kRed);
  auto marked = WithObjectMarkingRef(o, red);
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(marked->object_marking_refs,
            (std::vector<std::string>{statement, std::string(red)}));
  auto again = WithObjectMarkingRef(*marked, red);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->json, marked->json);
}

TEST(MarkingRefs, RefusesAnInvalidMarkingId) {
  auto marked = WithObjectMarkingRef(Parse(""), "not-a-marking");
  EXPECT_FALSE(marked.ok());
}

}  // namespace
}  // namespace tabadul::stix
