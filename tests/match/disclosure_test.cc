// Match responses are disclosures: the real match handler over a real SqliteStore and indicator
// index, recording into a real DisclosureLog in the fixture's temporary folder, wired as
// cli/services.cc wires it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include "audit/disclosure_log.h"
#include "http_client.h"
#include "match/match_command.h"
#include "match/match_handler.h"
#include "match/match_testing.h"

namespace tabadul::match {
namespace {

namespace json = boost::json;
using IdVersions = std::vector<std::pair<std::string, std::string>>;
using testing::IndicatorId;
using testing::kAcme;
using testing::kIntel;
using testing::kSightings;

class MatchDisclosureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.status().ok()) << f_.status().ToString();
    ASSERT_TRUE(f_.PutIndicator({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.7']",
                                 .name = "C2"}).ok());
    ASSERT_TRUE(f_.PutIndicator({.n = 2, .pattern = "[domain-name:value = 'evil.example']",
                                 .name = "Phish", .modified = "2024-01-02T00:00:00.000Z"}).ok());
    // A newer version of indicator 2 supersedes the first: hits show (and record) it.
    ASSERT_TRUE(f_.PutIndicator({.n = 2, .pattern = "[domain-name:value = 'evil.example']",
                                 .name = "Phish v2", .modified = "2024-01-03T00:00:00.500Z"}).ok());
    authenticator_ = std::make_unique<auth::Authenticator>(f_.store(), f_.clock());
    service_ = std::make_unique<IndicatorService>(f_.store(), f_.clock());
    auto log = audit::DisclosureLog::Open(f_.data_dir() + "/audit.db", f_.data_dir(), f_.clock());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    handler_ = MakeMatchHandler(
        *service_, f_.store(), pipeline_, *authenticator_, f_.clock(), {},
        MatchHandlerOptions{.max_items = 100, .record_disclosure = Recorder()},
        testing::SeededRandom(3));
  }

  // What cli/services.cc passes.
  DisclosureRecorder Recorder() {
    return [log = log_.get()](const auth::Principal& p, std::string_view path,
                              const store::Collection& c, store::AuditItemList items) {
      std::string agreements = items.agreement_table();
      return log->Append({.org_id = p.org_id,
                          .user = p.user,
                          .path = std::string(path),
                          .agreement_id = std::move(agreements),
                          .collection_id = c.id,
                          .versions = std::move(items)});
    };
  }

  taxii::HttpResponse Post(const std::string& body, const std::string& user = "alice") {
    taxii::HttpRequest r;
    r.method = "POST";
    r.target = std::string(kMatchPath);
    r.content_type = "application/json";
    r.authorization = testing::Basic(user, testing::kPassword);
    r.body = body;
    return handler_(r);
  }

  std::vector<audit::Record> Records() {
    auto recs = log_->Received(kAcme, 0, INT64_MAX);
    EXPECT_TRUE(recs.ok()) << recs.status().ToString();
    return recs.ok() ? *recs : std::vector<audit::Record>{};
  }

  size_t StoredSightings() {
    store::ObjectQuery q;
    q.collection_id = kSightings;
    auto page = f_.store().QueryObjects(q, nullptr);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->rows.size() : 0;
  }

  static IdVersions ItemsOf(const audit::Record& r) {
    IdVersions out;
    for (const auto& i : r.items) out.emplace_back(i.object_id, i.version);
    return out;
  }

  testing::MatchFixture f_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<IndicatorService> service_;
  intake::Pipeline pipeline_{f_.store(), f_.clock()};
  std::unique_ptr<audit::DisclosureLog> log_;
  taxii::Handler handler_;
};

TEST_F(MatchDisclosureTest, HitsAreOneRecordOfEachIndicatorVersionShown) {
  const taxii::HttpResponse reply = Post(
      R"({"collection":"intel","observables":["evil.example","203.0.113.1","198.51.100.7",
          "evil.example"]})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::array hits = json::parse(reply.body).at("hits").as_array();
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].at("indicator_version"), "2024-01-03T00:00:00.500Z");
  EXPECT_EQ(hits[0].at("indicator_name"), "Phish v2");
  EXPECT_EQ(hits[1].at("indicator_version"), "2024-01-01T00:00:00.000Z");

  const std::vector<audit::Record> recs = Records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].org_id, kAcme);
  EXPECT_EQ(recs[0].user, "alice");
  EXPECT_EQ(recs[0].path, "/tabadul/v1/match/");
  EXPECT_EQ(recs[0].agreement_id, "");
  EXPECT_EQ(recs[0].collection_id, kIntel);
  // Response order, each indicator version once (evil.example hit twice).
  EXPECT_EQ(ItemsOf(recs[0]), (IdVersions{{IndicatorId(2), "2024-01-03T00:00:00.500Z"},
                                          {IndicatorId(1), "2024-01-01T00:00:00.000Z"}}));
  auto verified = log_->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->reason;
}

// Each recorded indicator version names the agreement its (first) hit was delivered under.
TEST_F(MatchDisclosureTest, EachVersionNamesTheAgreementOfItsHit) {
  auth::Principal alice{"alice", kAcme, store::Role::kReader};
  store::Collection intel;
  intel.id = kIntel;
  std::vector<MatchHit> hits = {
      {1, "evil.example", "domain", IndicatorId(2), "", "2024-01-03T00:00:00.500Z", "a@v1"},
      {2, "198.51.100.7", "ipv4", IndicatorId(1), "", "2024-01-01T00:00:00.000Z", "b@v2"},
      {3, "evil.example", "domain", IndicatorId(2), "", "2024-01-03T00:00:00.500Z", "a@v1"},
      {4, "x.example", "domain", IndicatorId(3), "", "2024-01-01T00:00:00.000Z", ""}};
  ASSERT_TRUE(RecordMatchDisclosure(Recorder(), alice, kMatchPath, intel, hits).ok());
  const std::vector<audit::Record> recs = Records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].agreement_id, "a@v1 b@v2 ");
  std::vector<std::string> agreements;
  for (const auto& it : recs[0].items) agreements.push_back(it.agreement);
  EXPECT_EQ(agreements, (std::vector<std::string>{"a@v1", "b@v2", ""}));
}

TEST_F(MatchDisclosureTest, TextBodiesAreRecordedToo) {
  taxii::HttpRequest r;
  r.method = "POST";
  r.target = std::string(kMatchPath) + "?collection=intel";
  r.content_type = "text/plain";
  r.authorization = testing::Basic("rob", testing::kPassword);
  r.body = "198.51.100.7\n";
  ASSERT_EQ(handler_(r).status, 200);
  const std::vector<audit::Record> recs = Records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].user, "rob");
  EXPECT_EQ(ItemsOf(recs[0]), (IdVersions{{IndicatorId(1), "2024-01-01T00:00:00.000Z"}}));
}

TEST_F(MatchDisclosureTest, NoHitsNoRecord) {
  const taxii::HttpResponse reply =
      Post(R"({"collection":"intel","observables":["203.0.113.1","not an observable"]})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(json::parse(reply.body).at("hits").as_array().empty());
  // Refused requests deliver nothing either.
  EXPECT_EQ(Post(R"({"collection":"intel","observables":["198.51.100.7"]})", "olga").status, 404);
  EXPECT_EQ(Post(R"({"observables":["198.51.100.7"]})").status, 400);
  EXPECT_TRUE(Records().empty());
  auto olga = log_->Received(testing::kOther, 0, INT64_MAX);
  ASSERT_TRUE(olga.ok());
  EXPECT_TRUE(olga->empty());
}

TEST_F(MatchDisclosureTest, AFailingLogRefusesTheResponseAndStoresNoSightings) {
  // A log file cut shorter than its header: every append now fails (FailedPrecondition).
  std::filesystem::resize_file(log_->record_path(), 4);
  const taxii::HttpResponse reply = Post(
      R"({"collection":"intel","observables":["198.51.100.7"],"sightings":"sightings"})");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.content_type, "application/json");
  const json::object body = json::parse(reply.body).as_object();
  EXPECT_EQ(body.at("http_status"), "500");
  EXPECT_FALSE(body.contains("hits"));
  EXPECT_EQ(reply.body.find(IndicatorId(1)), std::string::npos) << reply.body;
  EXPECT_EQ(reply.body.find("C2"), std::string::npos) << reply.body;
  EXPECT_EQ(StoredSightings(), 0u);
  // A request that hits nothing needs no record, so it still answers.
  EXPECT_EQ(Post(R"({"collection":"intel","observables":["203.0.113.1"]})").status, 200);
}

TEST_F(MatchDisclosureTest, WithSightingsTheRecordComesFirstThenTheSightings) {
  const taxii::HttpResponse reply = Post(
      R"({"collection":"intel","observables":["198.51.100.7"],"sightings":"sightings"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body).at("sightings").as_array().size(), 1u);
  EXPECT_EQ(StoredSightings(), 1u);
  const std::vector<audit::Record> recs = Records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].collection_id, kIntel);  // the indicators' collection, not the sightings'
}

// `tabadul match --user USER` delivers to that user: recorded as "cli:match" before printing.
class MatchCommandDisclosureTest : public MatchDisclosureTest {
 protected:
  int Run(const MatchCommandOptions& o, const std::string& input) {
    std::istringstream in(input);
    out_.str("");
    err_.str("");
    return RunMatchCommand(o, f_.data_dir(), in, out_, err_, f_.clock(), nullptr,
                           [this](const std::string& data_dir) -> Result<DisclosureRecorder> {
                             ++opened_;
                             EXPECT_EQ(data_dir, f_.data_dir());
                             return Recorder();
                           });
  }
  std::ostringstream out_, err_;
  int opened_ = 0;
};

TEST_F(MatchCommandDisclosureTest, WithAUserTheHitsAreRecorded) {
  ASSERT_EQ(Run({.collection = "intel", .user = "rob"},
                "198.51.100.7\nevil.example\n198.51.100.7\n"),
            0)
      << err_.str();
  EXPECT_EQ(out_.str(), "198.51.100.7\t" + IndicatorId(1) + "\tC2\n" + "evil.example\t" +
                            IndicatorId(2) + "\tPhish v2\n" + "198.51.100.7\t" +
                            IndicatorId(1) + "\tC2\n");
  const std::vector<audit::Record> recs = Records();
  ASSERT_EQ(recs.size(), 1u);  // the whole input was one burst
  EXPECT_EQ(recs[0].user, "rob");
  EXPECT_EQ(recs[0].path, "cli:match");
  EXPECT_EQ(recs[0].collection_id, kIntel);
  EXPECT_EQ(ItemsOf(recs[0]), (IdVersions{{IndicatorId(1), "2024-01-01T00:00:00.000Z"},
                                          {IndicatorId(2), "2024-01-03T00:00:00.500Z"}}));
}

TEST_F(MatchCommandDisclosureTest, TheOperatorsOwnMatchIsNotRecorded) {
  ASSERT_EQ(Run({.collection = "intel"}, "198.51.100.7\n"), 0) << err_.str();
  EXPECT_FALSE(out_.str().empty());
  EXPECT_EQ(opened_, 0);
  EXPECT_TRUE(Records().empty());
}

TEST_F(MatchCommandDisclosureTest, AFailingLogPrintsNoHitsAndStoresNoSightings) {
  std::filesystem::resize_file(log_->record_path(), 4);
  EXPECT_EQ(Run({.collection = "intel", .user = "alice", .sightings = "sightings"},
                "198.51.100.7\n"),
            1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("disclosure log"), std::string::npos) << err_.str();
  EXPECT_EQ(StoredSightings(), 0u);
}

}  // namespace
}  // namespace tabadul::match
