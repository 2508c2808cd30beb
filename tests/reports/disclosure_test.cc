// Search responses are disclosures: the real search handler over a real SqliteStore and search
// index, recording into a real DisclosureLog in the fixture's temporary folder, wired as
// cli/services.cc wires it (org and user of the principal, the request path, one record per
// collection, agreement unknown).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "audit/disclosure_log.h"
#include "http_client.h"
#include "reports/commands.h"
#include "reports/http_handlers.h"
#include "reports/testing.h"

namespace tabadul::reports {
namespace {

namespace json = boost::json;
using IdVersions = std::vector<std::pair<std::string, std::string>>;

constexpr char kActor[] = "threat-actor--1d2c3b4a-0000-4000-8000-000000000001";
constexpr char kMalware[] = "malware--1d2c3b4a-0000-4000-8000-000000000002";
constexpr char kCampaign[] = "campaign--1d2c3b4a-0000-4000-8000-000000000003";
constexpr char kDomain[] = "domain-name--1d2c3b4a-0000-4000-8000-000000000004";

class SearchDisclosureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    f_ = std::make_unique<testing::Fixture>("disclosure", /*with_passwords=*/true);
    // alice reads both collections, so one response can span them.
    ASSERT_TRUE(f_->store().SetGrant("alice", testing::kOtherCollection, {true, false}).ok());
    f_->Put(testing::kIntel,
            {testing::NamedObject("threat-actor", kActor, "Lazarus Group", {}, "",
                                  "2024-02-01T00:00:00.000Z"),
             testing::NamedObject("malware", kMalware, "Lazarus loader", {}, "",
                                  "2024-03-01T00:00:00.123Z"),
             R"({"type":"domain-name","spec_version":"2.1","id":")" + std::string(kDomain) +
                 R"(","value":"lazarus-loader.example"})"});
    f_->Put(testing::kOtherCollection,
            {testing::NamedObject("campaign", kCampaign, "Lazarus campaign", {}, "",
                                  "2024-04-01T00:00:00.000Z")});
    authenticator_ = std::make_unique<auth::Authenticator>(f_->store(), f_->clock());
    search_ = std::move(SearchService::Open(f_->store(), f_->dir() + "/search")).value();
    ASSERT_TRUE(search_->CatchUp().ok());
    auto log = audit::DisclosureLog::Open(f_->dir() + "/audit.db", f_->dir(), f_->clock());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    handler_ = MakeSearchHandler(*search_, *authenticator_, Recorder());
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

  taxii::HttpResponse Search(const std::string& user, const std::string& query_string) {
    taxii::HttpRequest r;
    r.method = "GET";
    r.target = std::string(kSearchPath) + "?" + query_string;
    r.authorization = testing::BasicAuth(user, testing::kTestPassword);
    return handler_(r);
  }

  std::vector<audit::Record> Records(const std::string& org) {
    auto recs = log_->Received(org, 0, INT64_MAX);
    EXPECT_TRUE(recs.ok()) << recs.status().ToString();
    return recs.ok() ? *recs : std::vector<audit::Record>{};
  }

  static IdVersions ItemsOf(const audit::Record& r) {
    IdVersions out;
    for (const auto& i : r.items) out.emplace_back(i.object_id, i.version);
    return out;
  }

  std::unique_ptr<testing::Fixture> f_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<SearchService> search_;
  std::unique_ptr<audit::DisclosureLog> log_;
  taxii::Handler handler_;
};

// The agreement a RowVisible noted on a candidate row (ObjectRow::disclosed_under) is what that
// hit's disclosure record names.
TEST_F(SearchDisclosureTest, EachHitNamesTheAgreementItsVisibilityNoted) {
  handler_ = nullptr;
  search_.reset();  // one index writer at a time
  SearchServiceOptions options;
  options.visible = [](const auth::Principal&, const store::Collection& c,
                       const store::ObjectRow& row) {
    row.disclosed_under = row.type == "malware"                     ? "malware-terms@v2"
                          : c.id == testing::kOtherCollection       ? "other@v1"
                                                                    : "";
    return true;
  };
  search_ = std::move(SearchService::Open(f_->store(), f_->dir() + "/search", options)).value();
  ASSERT_TRUE(search_->CatchUp().ok());
  handler_ = MakeSearchHandler(*search_, *authenticator_, Recorder());
  const taxii::HttpResponse reply = Search("alice", "q=lazarus&limit=10");
  ASSERT_EQ(reply.status, 200) << reply.body;
  std::map<std::string, std::string> agreement_of;
  for (const audit::Record& r : Records(testing::kAcme)) {
    for (const auto& it : r.items) agreement_of[it.object_id] = it.agreement;
  }
  EXPECT_EQ(agreement_of[kMalware], "malware-terms@v2");
  EXPECT_EQ(agreement_of[kCampaign], "other@v1");
  ASSERT_TRUE(agreement_of.count(kActor));
  EXPECT_EQ(agreement_of[kActor], "");
  EXPECT_TRUE(log_->Verify()->ok);
}

TEST_F(SearchDisclosureTest, HitsFromTwoCollectionsAreTwoRecordsOfExactlyTheHits) {
  const taxii::HttpResponse reply = Search("alice", "q=lazarus&limit=10");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::array hits = json::parse(reply.body).at("hits").as_array();
  // What the response delivered, per collection, in response order.
  std::map<std::string, IdVersions> delivered;
  std::vector<std::string> first_seen;
  for (const json::value& h : hits) {
    const std::string collection(h.at("collection").as_string());
    if (!delivered.count(collection)) first_seen.push_back(collection);
    delivered[collection].emplace_back(h.at("id").as_string(), h.at("version").as_string());
  }
  ASSERT_EQ(first_seen.size(), 2u) << reply.body;
  EXPECT_EQ(delivered[testing::kOtherCollection],
            (IdVersions{{kCampaign, "2024-04-01T00:00:00.000Z"}}));
  ASSERT_GE(delivered[testing::kIntel].size(), 2u) << reply.body;

  const std::vector<audit::Record> recs = Records(testing::kAcme);
  ASSERT_EQ(recs.size(), 2u);
  for (size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(recs[i].org_id, testing::kAcme);
    EXPECT_EQ(recs[i].user, "alice");
    EXPECT_EQ(recs[i].path, "/tabadul/v1/search/");
    EXPECT_EQ(recs[i].agreement_id, "");
    EXPECT_EQ(recs[i].collection_id, first_seen[i]);
    EXPECT_EQ(ItemsOf(recs[i]), delivered[first_seen[i]]);
  }
  // The versions are the objects' own: modified for SDOs, "" for the SCO.
  for (const auto& [id, version] : delivered[testing::kIntel]) {
    if (id == kActor) EXPECT_EQ(version, "2024-02-01T00:00:00.000Z");
    if (id == kMalware) EXPECT_EQ(version, "2024-03-01T00:00:00.123Z");
    if (id == kDomain) EXPECT_EQ(version, "");
  }
  auto verified = log_->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->reason;
}

TEST_F(SearchDisclosureTest, EachPageIsItsOwnRecordOfWhatItShowed) {
  const taxii::HttpResponse page = Search("alice", "q=lazarus&collection=intel&limit=1&offset=1");
  ASSERT_EQ(page.status, 200) << page.body;
  const json::array hits = json::parse(page.body).at("hits").as_array();
  ASSERT_EQ(hits.size(), 1u);
  const std::vector<audit::Record> recs = Records(testing::kAcme);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(ItemsOf(recs[0]), (IdVersions{{std::string(hits[0].at("id").as_string()),
                                           std::string(hits[0].at("version").as_string())}}));
}

TEST_F(SearchDisclosureTest, NoHitsNoRecord) {
  const taxii::HttpResponse reply = Search("alice", "q=nothing-matches-this");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(json::parse(reply.body).at("hits").as_array().empty());
  // olga's search finds only her own collection's campaign: nothing of acme's is recorded.
  ASSERT_EQ(Search("olga", "q=lazarus").status, 200);
  EXPECT_TRUE(Records(testing::kAcme).empty());
  // Refused requests deliver nothing either.
  EXPECT_EQ(Search("alice", "q=lazarus&limit=0").status, 400);
  EXPECT_EQ(Search("nobody", "q=lazarus").status, 401);
  EXPECT_TRUE(Records(testing::kAcme).empty());
  const std::vector<audit::Record> olga = Records(testing::kOther);
  ASSERT_EQ(olga.size(), 1u);
  EXPECT_EQ(olga[0].user, "olga");
  EXPECT_EQ(ItemsOf(olga[0]), (IdVersions{{kCampaign, "2024-04-01T00:00:00.000Z"}}));
}

TEST_F(SearchDisclosureTest, AFailingLogRefusesTheResponseWithoutHits) {
  // A log file cut shorter than its header: every append now fails (FailedPrecondition).
  std::filesystem::resize_file(log_->record_path(), 4);
  const taxii::HttpResponse reply = Search("alice", "q=lazarus");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.content_type, "application/json");
  const json::object body = json::parse(reply.body).as_object();
  EXPECT_EQ(body.at("http_status"), "500");
  EXPECT_FALSE(body.contains("hits"));
  EXPECT_EQ(reply.body.find("Lazarus"), std::string::npos) << reply.body;
  EXPECT_EQ(reply.body.find(kActor), std::string::npos) << reply.body;
  // A search that finds nothing needs no record, so it still answers.
  EXPECT_EQ(Search("alice", "q=nothing-matches-this").status, 200);
}

TEST_F(SearchDisclosureTest, WithoutARecorderNothingIsRecorded) {
  handler_ = MakeSearchHandler(*search_, *authenticator_);
  ASSERT_EQ(Search("alice", "q=lazarus").status, 200);
  EXPECT_TRUE(Records(testing::kAcme).empty());
}

// `tabadul search --as USER` delivers to that user: recorded as "cli:search" before printing.
class SearchCommandDisclosureTest : public SearchDisclosureTest {
 protected:
  int Run(const std::string& as_user, const std::string& query) {
    SearchCommandOptions options;
    options.query = query;
    options.as_user = as_user;
    options.limit = 10;
    out_.str("");
    err_.str("");
    return RunSearchCommand(f_->dir(), options, out_, err_,
                            [this](const std::string& data_dir) -> Result<DisclosureRecorder> {
                              ++opened_;
                              EXPECT_EQ(data_dir, f_->dir());
                              return Recorder();
                            });
  }
  std::ostringstream out_, err_;
  int opened_ = 0;
};

TEST_F(SearchCommandDisclosureTest, AsAUserIsRecordedPerCollection) {
  ASSERT_EQ(Run("alice", "lazarus"), 0) << err_.str();
  EXPECT_NE(out_.str().find(kCampaign), std::string::npos) << out_.str();
  const std::vector<audit::Record> recs = Records(testing::kAcme);
  ASSERT_EQ(recs.size(), 2u);
  for (const audit::Record& r : recs) {
    EXPECT_EQ(r.user, "alice");
    EXPECT_EQ(r.path, "cli:search");
    for (const auto& [id, version] : ItemsOf(r)) {
      EXPECT_NE(out_.str().find(id), std::string::npos) << id;
    }
  }
}

TEST_F(SearchCommandDisclosureTest, TheOperatorsOwnSearchIsNotRecorded) {
  ASSERT_EQ(Run("", "lazarus"), 0) << err_.str();
  EXPECT_NE(out_.str().find(kCampaign), std::string::npos);
  EXPECT_EQ(opened_, 0);
  EXPECT_TRUE(Records(testing::kAcme).empty());
}

TEST_F(SearchCommandDisclosureTest, AFailingLogPrintsNothing) {
  std::filesystem::resize_file(log_->record_path(), 4);
  EXPECT_EQ(Run("alice", "lazarus"), 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("disclosure log"), std::string::npos) << err_.str();
}

TEST_F(SearchCommandDisclosureTest, ALogThatCannotBeOpenedPrintsNothing) {
  SearchCommandOptions options;
  options.query = "lazarus";
  options.as_user = "alice";
  EXPECT_EQ(RunSearchCommand(f_->dir(), options, out_, err_,
                             [](const std::string&) -> Result<DisclosureRecorder> {
                               return Internal("cannot open the audit log");
                             }),
            1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("cannot open the audit log"), std::string::npos) << err_.str();
}

// `search --as` takes the visibility rule it is given (the CLI passes the policy engine's), not
// the user's stored grants: a row the rule hides is neither shown nor recorded.
TEST_F(SearchCommandDisclosureTest, AsAUserAppliesTheGivenVisibilityRule) {
  SearchCommandOptions options;
  options.query = "lazarus";
  options.as_user = "alice";
  options.limit = 10;
  int built = 0;
  UserVisibilityFactory hide_campaign = [&](store::Store&) -> Result<UserVisibility> {
    ++built;
    UserVisibility v;
    v.access = [](const auth::Principal&, const store::Collection&) -> Result<store::Grant> {
      return store::Grant{true, false};
    };
    v.visible = [](const auth::Principal&, const store::Collection&, const store::ObjectRow& row) {
      return row.id != kCampaign;
    };
    return v;
  };
  auto recorder = [this](const std::string&) -> Result<DisclosureRecorder> { return Recorder(); };
  ASSERT_EQ(RunSearchCommand(f_->dir(), options, out_, err_, recorder, hide_campaign), 0)
      << err_.str();
  EXPECT_EQ(built, 1);
  EXPECT_EQ(out_.str().find(kCampaign), std::string::npos) << out_.str();
  for (const audit::Record& r : Records(testing::kAcme)) {
    for (const auto& [id, version] : ItemsOf(r)) EXPECT_NE(id, kCampaign);
  }
  // A rule that cannot be built (no policy tables) shows nothing.
  out_.str("");
  UserVisibilityFactory broken = [](store::Store&) -> Result<UserVisibility> {
    return Internal("no agreement tables");
  };
  EXPECT_EQ(RunSearchCommand(f_->dir(), options, out_, err_, recorder, broken), 1);
  EXPECT_EQ(out_.str(), "");
}

}  // namespace
}  // namespace tabadul::reports
