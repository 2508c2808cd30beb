// The ingest and search endpoints over real HTTP, wired as serve.cc wires them: a TaxiiApi whose
// on_stored hook feeds the SearchService, a Router mounting both handlers, a Server on port 0.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http_client.h"
#include "reports/http_handlers.h"
#include "reports/testing.h"
#include "taxii/api.h"
#include "taxii/router.h"

namespace tabadul::reports {
namespace {

namespace json = boost::json;
using testing::BasicAuth;
using testing::HttpClient;
using testing::HttpReply;
using testing::UrlEncode;

constexpr std::string_view kPsl = "com\nnet\norg\nru\nae\n";

class ReportsHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    f_ = std::make_unique<testing::Fixture>("http", /*with_passwords=*/true);
    authenticator_ = std::make_unique<auth::Authenticator>(f_->store(), f_->clock());
    search_ = std::move(SearchService::Open(f_->store(), f_->dir() + "/search")).value();
    pipeline_ = std::make_unique<intake::Pipeline>(f_->store(), f_->clock());
    pipeline_->AddObserver(search_->OnStoredHook());
    IngestServiceOptions ingest_options;
    ingest_options.random = f_->Random();
    ingest_ = std::move(IngestService::CreateWithList(f_->store(), *pipeline_, f_->clock(), kPsl,
                                                      ingest_options))
                  .value();
    api_ = std::make_unique<taxii::TaxiiApi>(f_->store(), *pipeline_, *authenticator_, f_->clock(),
                                             taxii::ApiConfig{});
    router_ = std::make_unique<taxii::Router>(
        [this](const taxii::HttpRequest& r) { return api_->Handle(r); });
    router_->Mount(kIngestPath, MakeIngestHandler(*ingest_, *authenticator_));
    router_->Mount(kSearchPath, MakeSearchHandler(*search_, *authenticator_));
    server_ = std::make_unique<taxii::Server>(
        [this](const taxii::HttpRequest& r) { return router_->Handle(r); }, taxii::ServerOptions{});
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    client_ = std::make_unique<HttpClient>(*port);
  }
  void TearDown() override {
    server_.reset();
    search_.reset();
  }

  HttpReply Ingest(const std::string& user, const json::object& body) {
    auto r = client_->Send("POST", kIngestPath, BasicAuth(user, testing::kTestPassword),
                           "application/json", json::serialize(body));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpReply{};
  }
  HttpReply Search(const std::string& user, const std::string& query_string) {
    auto r = client_->Send("GET", std::string(kSearchPath) + "?" + query_string,
                           BasicAuth(user, testing::kTestPassword));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpReply{};
  }
  std::vector<std::string> HitIds(const std::string& user, const std::string& query_string) {
    HttpReply reply = Search(user, query_string);
    EXPECT_EQ(reply.status, 200) << reply.body;
    std::vector<std::string> ids;
    if (reply.status != 200) return ids;
    const json::value body = json::parse(reply.body);
    for (const auto& h : body.at("hits").as_array()) {
      ids.emplace_back(h.at("id").as_string());
    }
    return ids;
  }

  std::unique_ptr<testing::Fixture> f_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<SearchService> search_;
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<taxii::TaxiiApi> api_;
  std::unique_ptr<taxii::Router> router_;
  std::unique_ptr<taxii::Server> server_;
  std::unique_ptr<HttpClient> client_;
};

constexpr char kArabicReport[] =
    "<h1>تحذير من حملة تصيد ضد المصارف الإماراتية</h1>\n"
    "<p>رصد فريق الاستجابة للطوارئ حملة تصيد احتيالي تستهدف عملاء المصارف الإماراتية "
    "عبر رسائل تنتحل صفة هيئة حكومية، وتوجه الضحايا إلى الموقع hxxps://secure-login[.]ae/verify "
    "ومنه إلى الخادم ١٨٥.٢٢٠.١٠١.٤ في إيران.</p>";

TEST_F(ReportsHttpTest, ArabicReportIngestedThenFoundWhateverTheWordForms) {
  HttpReply ingested = Ingest("alice", {{"collection", "intel"},
                                        {"text", kArabicReport},
                                        {"format", "html"},
                                        {"tlp", "amber"}});
  ASSERT_EQ(ingested.status, 201) << ingested.body;
  EXPECT_EQ(ingested.content_type, "application/json");
  json::object result = json::parse(ingested.body).as_object();
  const std::string report_id(result.at("report_id").as_string());
  EXPECT_EQ(result.at("added").as_int64(), result.at("objects").as_int64());
  EXPECT_FALSE(result.contains("bundle"));
  bool iran = false;
  for (const auto& l : result.at("linked").as_array()) {
    if (l.as_object().contains("country") && l.at("country") == "IR") iran = true;
  }
  EXPECT_TRUE(iran);

  // Diacritics, hamza forms, proclitics (و، ب، ال، لل) and suffixes all reach the same words.
  const char* queries[] = {
      "المصارف الإماراتية",      // as written
      "المَصَارِف الإِمَارَاتِيَّة",  // with diacritics
      "للمصارف الاماراتيه",      // no hamza, ta marbuta as ha, with li+al
      "وبالمصارف",               // wa + bi + al
      "التصيد الاحتيالي",        // with the article where the text has none
      "ايران",                   // bare alef for إيران
  };
  for (const char* q : queries) {
    EXPECT_EQ(HitIds("alice", "q=" + UrlEncode(q)), std::vector<std::string>{report_id}) << q;
  }
  // The snippet shows the matched words, with their byte ranges.
  json::object body = json::parse(Search("alice", "q=" + UrlEncode("وبالمصارف")).body).as_object();
  const json::object& hit = body.at("hits").as_array()[0].as_object();
  const std::string snippet(hit.at("snippet").as_string());
  EXPECT_EQ(hit.at("type"), "report");
  EXPECT_EQ(std::string(hit.at("collection").as_string()), testing::kIntel);
  ASSERT_FALSE(hit.at("highlights").as_array().empty());
  const auto& first = hit.at("highlights").as_array()[0].as_array();
  EXPECT_EQ(snippet.substr(first[0].as_int64(), first[1].as_int64() - first[0].as_int64()),
            "المصارف");
  // A reader of the collection finds it; a user of another organization does not.
  EXPECT_EQ(HitIds("rita", "q=" + UrlEncode("المصارف")), std::vector<std::string>{report_id});
  EXPECT_TRUE(HitIds("olga", "q=" + UrlEncode("المصارف")).empty());
  EXPECT_EQ(Search("olga", "q=x&collection=intel").status, 404);
  // Filters.
  EXPECT_TRUE(HitIds("alice", "q=" + UrlEncode("المصارف") + "&type=malware,tool").empty());
  EXPECT_EQ(HitIds("alice", "q=" + UrlEncode("المصارف") + "&type=report&collection=" +
                                testing::kIntel).size(), 1u);
}

TEST_F(ReportsHttpTest, ObjectsPostedOverTaxiiAreSearchableAtOnce) {
  const std::string bundle =
      R"({"type":"bundle","id":"bundle--6f9a9e1c-2a31-4d7e-9a6e-0c1d2e3f4a5b","objects":[)" +
      testing::NamedObject("malware", "malware--6f9a9e1c-2a31-4d7e-9a6e-0c1d2e3f4a5c", "Snakekeylogger",
                           {}, "Steals credentials from browsers") +
      "]}";
  auto posted = client_->Send("POST", std::string("/api/collections/") + testing::kIntel + "/objects/",
                              BasicAuth("alice", testing::kTestPassword),
                              "application/taxii+json;version=2.1", bundle);
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 202) << posted->body;
  EXPECT_EQ(HitIds("rita", "q=credentials+browsers"),
            std::vector<std::string>{"malware--6f9a9e1c-2a31-4d7e-9a6e-0c1d2e3f4a5c"});
}

TEST_F(ReportsHttpTest, DryRunReturnsTheBundle) {
  HttpReply reply = Ingest("alice", {{"text", "C2 at evil-update.com"}, {"dry_run", true}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  json::object result = json::parse(reply.body).as_object();
  EXPECT_EQ(result.at("bundle").at("type"), "bundle");
  EXPECT_EQ(result.at("added").as_int64(), 0);
  EXPECT_TRUE(HitIds("alice", "q=").empty());
}

TEST_F(ReportsHttpTest, ErrorsAreTaxiiErrorResources) {
  auto status_of = [&](const std::string& method, const std::string& target, const std::string& user,
                       const std::string& type = "", const std::string& body = "") {
    auto r = client_->Send(method, target, user.empty() ? "" : BasicAuth(user, testing::kTestPassword),
                           type, body);
    EXPECT_TRUE(r.ok());
    if (r->status >= 400) {
      json::value e = json::parse(r->body);
      EXPECT_EQ(std::string(e.at("http_status").as_string()), std::to_string(r->status)) << r->body;
    }
    return r->status;
  };
  const std::string search = kSearchPath;
  const std::string ingest = kIngestPath;
  const std::string json_type = "application/json";
  EXPECT_EQ(status_of("GET", search + "?q=x", ""), 401);
  EXPECT_EQ(status_of("GET", search + "?q=x", "alice"), 200);
  EXPECT_EQ(status_of("GET", search, "alice"), 400);                 // q missing
  EXPECT_EQ(status_of("GET", search + "?q=x&limit=0", "alice"), 400);
  EXPECT_EQ(status_of("GET", search + "?q=x&limit=5000", "alice"), 400);
  EXPECT_EQ(status_of("GET", search + "?q=x&limit=ten", "alice"), 400);
  EXPECT_EQ(status_of("GET", search + "?q=x&sort=asc", "alice"), 400);
  EXPECT_EQ(status_of("GET", search + "?q=x&collection=nope", "alice"), 404);
  EXPECT_EQ(status_of("POST", search + "?q=x", "alice"), 405);
  EXPECT_EQ(status_of("GET", search + "extra/?q=x", "alice"), 404);
  EXPECT_EQ(status_of("GET", ingest, "alice"), 405);
  EXPECT_EQ(status_of("POST", ingest, "", json_type, "{}"), 401);
  EXPECT_EQ(status_of("POST", ingest, "alice", "text/plain", "evil-update.com"), 415);
  EXPECT_EQ(status_of("POST", ingest, "alice", json_type, "[1,2"), 400);
  EXPECT_EQ(status_of("POST", ingest, "alice", json_type, R"({"collection":"intel"})"), 400);
  EXPECT_EQ(status_of("POST", ingest, "alice", json_type, R"({"text":5})"), 400);
  EXPECT_EQ(status_of("POST", ingest, "alice", json_type, R"({"text":"a","color":"red"})"), 400);
  EXPECT_EQ(status_of("POST", ingest, "alice", json_type, R"({"text":"a","format":"pdf"})"), 400);
  EXPECT_EQ(status_of("POST", ingest, "rita", json_type,
                      R"({"text":"evil-update.com","collection":"intel"})"), 403);
  EXPECT_EQ(status_of("POST", ingest, "olga", json_type,
                      R"({"text":"evil-update.com","collection":"intel"})"), 404);
  EXPECT_EQ(status_of("POST", ingest, "alice", json_type,
                      R"({"text":"nothing to report","collection":"intel"})"), 422);
}

}  // namespace
}  // namespace tabadul::reports
