#include "match/match_session.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include <boost/json.hpp>

#include "match/match_testing.h"

namespace tabadul::match {
namespace {

using testing::IndicatorId;
using testing::kIntel;
using testing::kSightings;

class MatchSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.status().ok()) << f_.status().ToString();
    ASSERT_TRUE(f_.PutIndicator({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.7']",
                                 .name = "C2"}).ok());
    ASSERT_TRUE(f_.PutIndicator({.n = 2, .pattern = "[domain-name:value = 'evil.example']",
                                 .name = "Phish", .labels_json = R"(["secret"])"}).ok());
    ASSERT_TRUE(f_.PutIndicator({.n = 3, .pattern = "[file:hashes.MD5 = '" +
                                                    std::string(32, 'a') + "']"}).ok());
  }

  auth::Principal User(const std::string& name) {
    auto u = f_.store().GetUser(name);
    EXPECT_TRUE(u.ok());
    return auth::Principal{u->name, u->org_id, u->role};
  }

  Result<std::unique_ptr<MatchSession>> Open(const auth::Principal* p, MatchRequest r,
                                              Visibility v = {}) {
    return MatchSession::Open(service_, f_.store(), pipeline_, f_.clock(), v, p, r,
                              testing::SeededRandom(7));
  }

  testing::MatchFixture f_;
  IndicatorService service_{f_.store(), f_.clock()};
  intake::Pipeline pipeline_{f_.store(), f_.clock()};
};

TEST_F(MatchSessionTest, MatchesPlainValuesOfEveryKindAndReportsBadLines) {
  auto alice = User("alice");
  auto s = Open(&alice, {"intel", ""});  // by alias
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->collection().id, kIntel);
  std::vector<MatchHit> hits;
  EXPECT_TRUE((*s)->MatchItem(1, "  198.51.100.7\r", &hits).ok());
  EXPECT_TRUE((*s)->MatchItem(2, "# a comment", &hits).ok());
  EXPECT_TRUE((*s)->MatchItem(3, "", &hits).ok());
  EXPECT_TRUE((*s)->MatchItem(4, "evil.example", &hits).ok());
  EXPECT_TRUE((*s)->MatchItem(5, "good.example", &hits).ok());
  EXPECT_TRUE((*s)->MatchItem(6, std::string(32, 'a'), &hits).ok());
  Status bad = (*s)->MatchItem(7, "not an observable!", &hits);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("not an observable"), std::string::npos);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].item, 1u);
  EXPECT_EQ(hits[0].observable, "198.51.100.7");
  EXPECT_EQ(hits[0].kind, "ipv4");
  EXPECT_EQ(hits[0].indicator_id, IndicatorId(1));
  EXPECT_EQ(hits[0].indicator_name, "C2");
  EXPECT_EQ(hits[1].item, 4u);
  EXPECT_EQ(hits[1].kind, "domain");
  EXPECT_EQ(hits[2].item, 6u);
  EXPECT_EQ(hits[2].kind, "md5");
  EXPECT_EQ((*s)->hits(), 3u);
}

TEST_F(MatchSessionTest, MatchesJsonItems) {
  auto s = Open(nullptr, {kIntel, ""});
  ASSERT_TRUE(s.ok());
  std::vector<MatchHit> hits;
  // One SCO.
  EXPECT_TRUE((*s)->MatchItem(1, R"({"type":"ipv4-addr","value":"198.51.100.7"})", &hits).ok());
  // Observed-data with embedded objects.
  EXPECT_TRUE((*s)->MatchItem(2, R"({"type":"observed-data","spec_version":"2.1",
      "id":"observed-data--00000000-0000-4000-8000-000000000001",
      "first_observed":"2024-01-01T00:00:00Z","last_observed":"2024-01-01T00:00:00Z",
      "number_observed":1,"objects":{"0":{"type":"domain-name","value":"evil.example"}}})",
                                 &hits)
                  .ok());
  // A bundle with object_refs.
  EXPECT_TRUE((*s)->MatchItem(3, R"({"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000002",
      "objects":[{"type":"observed-data","spec_version":"2.1",
      "id":"observed-data--00000000-0000-4000-8000-000000000003",
      "first_observed":"2024-01-01T00:00:00Z","last_observed":"2024-01-01T00:00:00Z",
      "number_observed":1,"object_refs":["ipv4-addr--00000000-0000-4000-8000-000000000004"]},
      {"type":"ipv4-addr","id":"ipv4-addr--00000000-0000-4000-8000-000000000004",
       "value":"198.51.100.7"}]})",
                                 &hits)
                  .ok());
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].kind, "ipv4-addr");
  EXPECT_EQ(hits[0].observable, "198.51.100.7");
  EXPECT_EQ(hits[1].kind, "observed-data");
  EXPECT_EQ(hits[1].observable, "observed-data--00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(hits[1].indicator_id, IndicatorId(2));
  EXPECT_EQ(hits[2].kind, "bundle");
  EXPECT_EQ(hits[2].indicator_id, IndicatorId(1));

  for (const char* bad : {R"({"type":)", R"({"value":"x"})",
                          R"({"type":"observed-data","objects":{}})",
                          R"({"type":"bundle","objects":[]})"}) {
    Status st = (*s)->MatchItem(9, bad, &hits);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(hits.size(), 3u);
}

TEST_F(MatchSessionTest, HostileItemsGetAnErrorNotACrash) {
  auto s = Open(nullptr, {kIntel, ""});
  ASSERT_TRUE(s.ok());
  std::vector<MatchHit> hits;
  const std::string deep = "{\"type\":\"observed-data\",\"x\":" + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  const std::vector<std::string> items = {
      deep, std::string(1 << 20, 'a') + ".", std::string("\0\0\0", 3), "{\"type\":\"x\"}\x80",
      R"({"type":"observed-data","first_observed":"bad","last_observed":"bad","objects":{}})",
      R"({"type":"ipv4-addr","value":7})", "999.1.2.3.4.5"};
  for (const auto& item : items) {
    Status st = (*s)->MatchItem(1, item, &hits);
    EXPECT_TRUE(st.ok() || st.code() == StatusCode::kInvalidArgument)
        << item.substr(0, 40) << ": " << st.ToString();
  }
  EXPECT_TRUE(hits.empty());
}

TEST_F(MatchSessionTest, CollectionsTheUserMayNotReadDoNotExist) {
  auto olga = User("olga");
  auto s = Open(&olga, {kIntel, ""});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.status().message(), "no collection '" + std::string(kIntel) + "'");
  auto unknown = Open(&olga, {"nope", ""});
  EXPECT_EQ(unknown.status().ToString(), "NotFound: no collection 'nope'");
  // A custom access rule is obeyed too.
  auto alice = User("alice");
  Visibility deny{[](const auth::Principal&, const store::Collection&) -> Result<store::Grant> {
                    return store::Grant{false, false};
                  },
                  nullptr};
  EXPECT_EQ(Open(&alice, {kIntel, ""}, deny).status().code(), StatusCode::kNotFound);
}

TEST_F(MatchSessionTest, EveryHitPassesRowVisibility) {
  auto alice = User("alice");
  Visibility v{nullptr, [](const auth::Principal& p, const store::Collection& c,
                           const store::ObjectRow& row, std::string_view* under) {
                 EXPECT_EQ(p.user, "alice");
                 EXPECT_EQ(c.id, kIntel);
                 *under = "intel-sharing@v3";  // the agreement a hit is delivered under
                 return row.labels.empty();  // hides indicator 2 ("secret")
               }};
  auto s = Open(&alice, {kIntel, kSightings}, v);
  ASSERT_TRUE(s.ok());
  std::vector<MatchHit> hits;
  EXPECT_TRUE((*s)->MatchItem(1, "evil.example", &hits).ok());
  EXPECT_TRUE((*s)->MatchItem(2, "198.51.100.7", &hits).ok());
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].indicator_id, IndicatorId(1));
  EXPECT_EQ(hits[0].agreement, "intel-sharing@v3");
  auto ids = (*s)->StoreSightings();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 1u);  // no sighting reveals the hidden indicator either
}

TEST_F(MatchSessionTest, SightingsNeedAWritingUser) {
  auto rob = User("rob");    // read-only on the sightings collection
  auto rita = User("rita");  // a reader, whatever the grant
  auto olga = User("olga");  // cannot see the collection at all
  EXPECT_EQ(Open(&rob, {kIntel, kSightings}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Open(&rita, {kIntel, kSightings}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Open(&olga, {kIntel, kSightings}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Open(nullptr, {kIntel, kSightings}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MatchSessionTest, StoresOneValidSightingPerIndicatorHit) {
  auto alice = User("alice");
  auto s = Open(&alice, {kIntel, "sightings"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<MatchHit> hits;
  ASSERT_TRUE((*s)->MatchItem(1, "198.51.100.7", &hits).ok());
  f_.clock().Advance(5'000'000);
  ASSERT_TRUE((*s)->MatchItem(2, "198.51.100.7", &hits).ok());
  ASSERT_TRUE((*s)->MatchItem(3, "evil.example", &hits).ok());
  auto ids = (*s)->StoreSightings();
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 2u);
  // Nothing new: nothing more stored.
  auto again = (*s)->StoreSightings();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());

  store::ObjectQuery q;
  q.collection_id = kSightings;
  q.with_json = true;
  auto page = f_.store().QueryObjects(q, nullptr);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 2u);
  std::map<std::string, boost::json::object> by_target;
  for (const auto& row : page->rows) {
    EXPECT_EQ(row.type, "sighting");
    EXPECT_EQ(row.created_by_ref, testing::kAcme);
    auto o = boost::json::parse(row.json).as_object();
    by_target[std::string(o.at("sighting_of_ref").as_string())] = o;
  }
  const auto& c2 = by_target.at(IndicatorId(1));
  EXPECT_EQ(c2.at("count"), 2);
  EXPECT_EQ(c2.at("first_seen"), "2024-01-01T00:00:00.003Z");  // three puts of 1 ms each
  EXPECT_EQ(c2.at("last_seen"), "2024-01-01T00:00:05.003Z");
  EXPECT_EQ(by_target.at(IndicatorId(2)).at("count"), 1);
}

}  // namespace
}  // namespace tabadul::match

namespace tabadul::match {
namespace {

// Randomized: indicators with random labels on a few shared values, a visibility rule that hides
// one label per user; every hit must be visible (no leak) and every visible matching indicator
// must be returned (no loss), for every user and value.
TEST(MatchSessionRandomized, HitsAreExactlyTheVisibleMatches) {
  testing::MatchFixture f;
  ASSERT_TRUE(f.status().ok());
  std::mt19937 rng(1234);
  const std::vector<std::string> labels = {"a", "b", "c"};
  std::vector<std::string> jsons;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_value;  // -> (id, label)
  for (int n = 1; n <= 120; ++n) {
    const std::string value = "10.0.0." + std::to_string(rng() % 12);
    const std::string label = labels[rng() % labels.size()];
    jsons.push_back(testing::IndicatorJson({.n = n, .pattern = "[ipv4-addr:value = '" + value + "']",
                                            .labels_json = "[\"" + label + "\"]"}));
    by_value[value].emplace_back(IndicatorId(n), label);
  }
  ASSERT_TRUE(f.Put(kIntel, jsons).ok());
  const std::map<std::string, std::string> hidden = {{"alice", "a"}, {"rob", "b"}, {"rita", "c"}};
  Visibility v{nullptr, [&hidden](const auth::Principal& p, const store::Collection&,
                                  const store::ObjectRow& row, std::string_view*) {
                 return row.labels.empty() || row.labels[0] != hidden.at(p.user);
               }};
  IndicatorService service(f.store(), f.clock());
  intake::Pipeline pipeline(f.store(), f.clock());
  for (const auto& [user, hidden_label] : hidden) {
    auto u = f.store().GetUser(user);
    auth::Principal p{u->name, u->org_id, u->role};
    auto s = MatchSession::Open(service, f.store(), pipeline, f.clock(), v, &p, {kIntel, ""});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (int i = 0; i < 14; ++i) {
      const std::string value = "10.0.0." + std::to_string(i);
      std::vector<MatchHit> hits;
      ASSERT_TRUE((*s)->MatchItem(1, value, &hits).ok());
      std::set<std::string> got, want;
      for (const auto& h : hits) got.insert(h.indicator_id);
      for (const auto& [id, label] : by_value[value]) {
        if (label != hidden_label) want.insert(id);
      }
      EXPECT_EQ(got, want) << user << " " << value;
      EXPECT_EQ(got.size(), hits.size());
    }
  }
}

}  // namespace
}  // namespace tabadul::match
