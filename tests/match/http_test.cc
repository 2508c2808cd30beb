// The match endpoint and the indicator hooks over a real taxii::Server: a TaxiiApi with
// ValidateObjectHook / OnStoredHook as the fallback of a Router that mounts the match handler
// on /tabadul/v1/match/, a real SqliteStore, and HTTP over 127.0.0.1.
#include <gtest/gtest.h>

#include "pattern/parser.h"

#include <boost/json.hpp>

#include "http_client.h"
#include "match/api_hooks.h"
#include "match/match_handler.h"
#include "match/match_testing.h"
#include "taxii/api.h"
#include "taxii/router.h"
#include "taxii/server.h"

namespace tabadul::match {
namespace {

std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
}

namespace json = boost::json;
using testing::IndicatorId;
using testing::IndicatorJson;
using testing::kIntel;
using testing::kSightings;

constexpr char kTaxii[] = "application/taxii+json;version=2.1";
constexpr char kPath[] = "/tabadul/v1/match/";

class MatchHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.status().ok()) << f_.status().ToString();
    ASSERT_TRUE(f_.PutIndicator({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.7']",
                                 .name = "C2"}).ok());
    ASSERT_TRUE(f_.PutIndicator({.n = 2, .pattern = "[domain-name:value = 'evil.example']",
                                 .name = "Phish"}).ok());
    authenticator_ = std::make_unique<auth::Authenticator>(f_.store(), f_.clock());
    // Polls at most hourly: a posted indicator can only match at once through on_stored.
    service_ = std::make_unique<IndicatorService>(
        f_.store(), f_.clock(), IndicatorServiceOptions{.poll_interval_us = 3'600'000'000LL});
    pipeline_ = std::make_unique<intake::Pipeline>(f_.store(), f_.clock());
    pipeline_->AddObserver(OnStoredHook(*service_));
    api_ = std::make_unique<taxii::TaxiiApi>(f_.store(), *pipeline_, *authenticator_, f_.clock(),
                                             taxii::ApiConfig{});
    router_ = std::make_unique<taxii::Router>(
        [this](const taxii::HttpRequest& r) { return api_->Handle(r); });
    router_->Mount(std::string(kMatchPath),
                   MakeMatchHandler(*service_, f_.store(), *pipeline_, *authenticator_, f_.clock(), {},
                                    MatchHandlerOptions{.max_items = 5},
                                    testing::SeededRandom(3)));
    server_ = std::make_unique<taxii::Server>(
        [this](const taxii::HttpRequest& r) { return router_->Handle(r); },
        taxii::ServerOptions{.threads = 2, .timeout_seconds = 10});
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  testing::HttpReply Post(const std::string& body, const std::string& user = "alice",
                          const std::string& target = kPath,
                          const std::string& content_type = "application/json") {
    auto r = testing::Send(port_, "POST", target, testing::Basic(user, testing::kPassword),
                           content_type, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : testing::HttpReply{};
  }
  static json::object Body(const testing::HttpReply& r) {
    json::value v = json::parse(r.body);
    return v.as_object();
  }

  testing::MatchFixture f_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<IndicatorService> service_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<taxii::TaxiiApi> api_;
  std::unique_ptr<taxii::Router> router_;
  std::unique_ptr<taxii::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(MatchHttpTest, PostsObservablesAsJsonAndGetsHitsAndPerItemErrors) {
  auto r = Post(R"({"collection":"intel","observables":["198.51.100.7","nothing here",
      {"type":"domain-name","value":"evil.example"}, 42, "203.0.113.1"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  auto b = Body(r);
  EXPECT_EQ(b.at("collection"), kIntel);
  const auto& hits = b.at("hits").as_array();
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].at("item"), 1);
  EXPECT_EQ(hits[0].at("observable"), "198.51.100.7");
  EXPECT_EQ(hits[0].at("kind"), "ipv4");
  EXPECT_EQ(Str(hits[0].at("indicator_id")), IndicatorId(1));
  EXPECT_EQ(hits[0].at("indicator_name"), "C2");
  EXPECT_EQ(hits[1].at("item"), 3);
  EXPECT_EQ(hits[1].at("kind"), "domain-name");
  EXPECT_EQ(Str(hits[1].at("indicator_id")), IndicatorId(2));
  const auto& errors = b.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("item"), 2);
  EXPECT_EQ(errors[1].at("item"), 4);
  EXPECT_FALSE(b.contains("sightings"));
}

TEST_F(MatchHttpTest, PostsLinesAsTextWithTheCollectionInTheQuery) {
  auto r = Post("evil.example\n# comment\n???\n", "alice",
                std::string(kPath) + "?collection=" + kIntel, "text/plain; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  auto b = Body(r);
  ASSERT_EQ(b.at("hits").as_array().size(), 1u);
  EXPECT_EQ(Str(b.at("hits").as_array()[0].at("indicator_id")), IndicatorId(2));
  ASSERT_EQ(b.at("errors").as_array().size(), 1u);
  EXPECT_EQ(b.at("errors").as_array()[0].at("item"), 3);
}

TEST_F(MatchHttpTest, RefusesWithTheRightStatus) {
  auto no_auth = testing::Send(port_, "POST", kPath, "", "application/json", "{}");
  ASSERT_TRUE(no_auth.ok());
  EXPECT_EQ(no_auth->status, 401);
  auto wrong = testing::Send(port_, "POST", kPath, testing::Basic("alice", "wrong"),
                             "application/json", "{}");
  EXPECT_EQ(wrong->status, 401);
  auto get = testing::Send(port_, "GET", kPath, testing::Basic("alice", testing::kPassword), "",
                           "");
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->allow, "POST");
  EXPECT_EQ(json::parse(get->body).at("http_status"), "405");
  auto other_path = testing::Send(port_, "POST", "/tabadul/v1/match/x",
                                  testing::Basic("alice", testing::kPassword), "application/json",
                                  "{}");
  EXPECT_EQ(other_path->status, 404);
  EXPECT_EQ(Post(R"({"collection":"intel","observables":[]})", "olga").status, 404);
  EXPECT_EQ(Post(R"({"collection":"nope","observables":[]})").status, 404);
  EXPECT_EQ(Post("{not json").status, 400);
  EXPECT_EQ(Post(R"({"collection":"intel"})").status, 400);
  EXPECT_EQ(Post(R"({"observables":[]})").status, 400);
  EXPECT_EQ(Post(R"({"collection":7,"observables":[]})").status, 400);
  EXPECT_EQ(Post(R"({"collection":"intel","observables":["a","b","c","d","e","f"]})").status,
            413);
  EXPECT_EQ(Post("1.2.3.4", "alice", std::string(kPath) + "?collection=intel&bogus=1",
                 "text/plain").status,
            400);
  EXPECT_EQ(Post("1.2.3.4", "alice", kPath, "application/xml").status, 415);
  EXPECT_EQ(Post(R"({"collection":"intel","observables":[],"sightings":"sightings"})", "rob")
                .status,
            403);
  EXPECT_EQ(Post(R"({"collection":"intel","observables":[],"sightings":"sightings"})", "rita")
                .status,
            403);
  auto error = Body(Post(R"({"collection":"nope","observables":[]})"));
  EXPECT_EQ(error.at("http_status"), "404");
  EXPECT_EQ(error.at("description"), "no collection 'nope'");
}

TEST_F(MatchHttpTest, SightingsAreStoredAndReadableOverTaxii) {
  auto r = Post(R"({"collection":"intel","sightings":"sightings",
                    "observables":["198.51.100.7","198.51.100.7"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object reply = Body(r);
  const auto& ids = reply.at("sightings").as_array();
  ASSERT_EQ(ids.size(), 1u);
  auto got = testing::Send(port_, "GET",
                           std::string("/api/collections/") + kSightings + "/objects/",
                           testing::Basic("alice", testing::kPassword), "", "", kTaxii);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->status, 200) << got->body;
  auto envelope = json::parse(got->body).as_object();
  const auto& objects = envelope.at("objects").as_array();
  ASSERT_EQ(objects.size(), 1u);
  const auto& s = objects[0].as_object();
  EXPECT_EQ(s.at("id"), ids[0]);
  EXPECT_EQ(s.at("type"), "sighting");
  EXPECT_EQ(Str(s.at("sighting_of_ref")), IndicatorId(1));
  EXPECT_EQ(s.at("count"), 2);
  EXPECT_EQ(s.at("created_by_ref"), testing::kAcme);
}

TEST_F(MatchHttpTest, AnInvalidPatternIsRefusedInTheStatusResourceWithTheParsersMessage) {
  const std::string bad = IndicatorJson({.n = 10, .pattern = "[ipv4-addr:value = '1.2.3.4'"});
  const std::string good = IndicatorJson({.n = 11, .pattern = "[ipv4-addr:value = '192.0.2.55']",
                                          .name = "fresh"});
  auto posted = testing::Send(port_, "POST",
                              std::string("/api/collections/") + kIntel + "/objects/",
                              testing::Basic("alice", testing::kPassword), kTaxii,
                              "{\"objects\":[" + bad + "," + good + "]}", kTaxii);
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 202) << posted->body;
  auto status = json::parse(posted->body).as_object();
  EXPECT_EQ(status.at("success_count"), 1);
  EXPECT_EQ(status.at("failure_count"), 1);
  const auto& failure = status.at("failures").as_array().at(0).as_object();
  EXPECT_EQ(Str(failure.at("id")), IndicatorId(10));
  auto parsed = pattern::ParsePattern("[ipv4-addr:value = '1.2.3.4'");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Str(failure.at("message")), "[pattern] pattern: " + parsed.status().message());

  // The good one matches at once (on_stored), although the service polls only hourly: make the
  // service load the collection first, then post another one.
  ASSERT_EQ(Post(R"({"collection":"intel","observables":["192.0.2.55"]})").status, 200);
  const std::string later = IndicatorJson(
      {.n = 12, .pattern = "[ipv4-addr:value = '192.0.2.56']", .name = "later"});
  posted = testing::Send(port_, "POST", std::string("/api/collections/") + kIntel + "/objects/",
                         testing::Basic("alice", testing::kPassword), kTaxii,
                         "{\"objects\":[" + later + "]}", kTaxii);
  ASSERT_EQ(posted->status, 202);
  auto r = Post(R"({"collection":"intel","observables":["192.0.2.56"]})");
  auto hits = Body(r).at("hits").as_array();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].at("indicator_name"), "later");
}

}  // namespace
}  // namespace tabadul::match
