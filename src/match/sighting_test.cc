#include "match/sighting.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/timestamp.h"
#include "match/match_testing.h"
#include "stix/id.h"

namespace tabadul::match {
namespace {

std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
}

int64_t Ns(const char* ts) { return ParseTimestamp(ts)->nanos; }

SightingFacts Facts() {
  return SightingFacts{testing::IndicatorId(7), testing::kAcme, 3,
                       Ns("2024-02-01T10:00:00.123456Z"), Ns("2024-02-01T11:00:00Z"),
                       Ns("2024-02-02T00:00:00Z")};
}

TEST(MakeSighting, BuildsAValidStixSighting) {
  auto s = MakeSighting(Facts(), testing::SeededRandom(1));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->type, "sighting");
  EXPECT_EQ(s->object_class, stix::ObjectClass::kRelationship);
  EXPECT_TRUE(stix::IsValidId(s->id));
  EXPECT_EQ(s->created_by_ref, testing::kAcme);
  auto o = boost::json::parse(s->json).as_object();
  EXPECT_EQ(o.at("spec_version"), "2.1");
  EXPECT_EQ(Str(o.at("sighting_of_ref")), testing::IndicatorId(7));
  EXPECT_EQ(o.at("count"), 3);
  EXPECT_EQ(o.at("created"), "2024-02-02T00:00:00.000Z");
  EXPECT_EQ(o.at("modified"), o.at("created"));
  EXPECT_EQ(o.at("first_seen"), "2024-02-01T10:00:00.123Z");
  EXPECT_EQ(o.at("last_seen"), "2024-02-01T11:00:00.000Z");
  EXPECT_EQ(o.at("where_sighted_refs"), (boost::json::array{testing::kAcme}));
}

TEST(MakeSighting, IdsComeFromTheRandomSource) {
  auto a = MakeSighting(Facts(), testing::SeededRandom(42));
  auto b = MakeSighting(Facts(), testing::SeededRandom(42));
  auto c = MakeSighting(Facts(), testing::SeededRandom(43));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->id, b->id);
  EXPECT_NE(a->id, c->id);
}

TEST(MakeSighting, ClampsTheCountAndOrdersTheTimes) {
  SightingFacts f = Facts();
  f.count = 5'000'000'000;
  std::swap(f.first_seen_ns, f.last_seen_ns);
  auto s = MakeSighting(f, testing::SeededRandom(1));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto o = boost::json::parse(s->json).as_object();
  EXPECT_EQ(o.at("count"), 999'999'999);
  EXPECT_EQ(o.at("first_seen"), "2024-02-01T10:00:00.123Z");
}

TEST(MakeSighting, RefusesAnOrganizationThatIsNotAnIdentity) {
  SightingFacts f = Facts();
  f.org_id = "acme";
  auto s = MakeSighting(f, testing::SeededRandom(1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  f.org_id = testing::kAcme;
  f.indicator_id = "not-an-id";
  s = MakeSighting(f, testing::SeededRandom(1));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("sighting_of_ref"), std::string::npos)
      << s.status().message();
}

}  // namespace
}  // namespace tabadul::match
