// TaxiiApi's paged envelopes, built while the store's rows are read (ServePage): the exact bytes
// of each page, paging to the end, and the hooks' contract (read_filter before the limit,
// rewrite on delivered rows only and able to change the JSON, on_disclosure with the delivered
// rows in order).
#include "taxii/api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "auth/password.h"
#include "common/timestamp.h"
#include "stix/validator.h"
#include "store/sqlite_store.h"
#include "taxii/query.h"

namespace tabadul::taxii {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kCollection[] = "11111111-2222-4333-8444-555555555555";
constexpr char kOrg[] = "identity--11111111-2222-4333-8444-000000000001";
constexpr int64_t kStart = 1'700'000'000'000'000;
constexpr int kObjects = 23;

std::string ObjectId(int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", i);
  return buf;
}

// Object i; its versions are i's "modified" values 1..versions.
stix::StixObject Indicator(int i, int version) {
  const std::string modified = "2025-01-0" + std::to_string(version) + "T00:00:00.000Z";
  std::string text = "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + ObjectId(i) +
                     "\",\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"" + modified +
                     "\",\"name\":\"n" + std::to_string(i) + std::string(i * 7, 'x') +
                     "\",\"pattern\":\"[ipv4-addr:value = '10.0.0." + std::to_string(i) +
                     "']\",\"pattern_type\":\"stix\",\"valid_from\":\"2025-01-01T00:00:00Z\"}";
  return std::move(stix::ParseObject(text)).value();
}

class ApiPageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { hash_ = new std::string(auth::HashSecret("pw").value()); }
  static void TearDownTestSuite() { delete hash_; }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tabadul-api-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(store::SqliteStore::Open((dir_ / "tabadul.db").string())).value();
    pipeline_ = std::make_unique<intake::Pipeline>(*store_, clock_);
    ASSERT_TRUE(store_->CreateOrganization({kOrg, "acme", kStart}).ok());
    ASSERT_TRUE(store_->CreateUser({"u", kOrg, store::Role::kReader, *hash_, kStart}).ok());
    store::Collection c;
    c.id = kCollection;
    c.title = "c";
    c.owner_org = kOrg;
    ASSERT_TRUE(store_->CreateCollection(c).ok());
    ASSERT_TRUE(store_->SetGrant("u", kCollection, {true, false}).ok());
    std::vector<stix::StixObject> objects;
    for (int i = 0; i < kObjects; ++i) objects.push_back(Indicator(i, 1));
    ASSERT_TRUE(store_->PutObjects(kCollection, objects, kStart).ok());
    // Object 4 gets two more versions (later date_added).
    ASSERT_TRUE(store_->PutObjects(kCollection, std::vector{Indicator(4, 2)}, kStart).ok());
    ASSERT_TRUE(store_->PutObjects(kCollection, std::vector{Indicator(4, 3)}, kStart).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Hooks as policy uses them: a filter hiding objects whose number ends in 3 or 7, a rewrite of
  // every delivered object's JSON, and the disclosure record.
  ApiHooks Hooks() {
    ApiHooks hooks;
    hooks.read_filter = [this](const RequestInfo&, const store::Collection&) {
      return [this](const store::ObjectRow& row) {
        ++filtered_;
        EXPECT_TRUE(row.json.empty());
        return row.id.back() != '3' && row.id.back() != '7';
      };
    };
    hooks.rewrite = [this](const RequestInfo& info, const store::Collection& c,
                           store::ObjectRow& row) {
      EXPECT_EQ(info.principal.user, "u");
      EXPECT_EQ(c.id, kCollection);
      EXPECT_NE(row.id.back(), '3');
      rewritten_.push_back(row.id);
      row.json = Rewritten(row.json);
    };
    hooks.on_disclosure = [this](const RequestInfo&, const store::Collection&,
                                 store::AuditItemList delivered) -> Status {
      EXPECT_FALSE(delivered.empty());  // pages that deliver nothing are not reported
      for (const auto& item : delivered.Items()) disclosed_.push_back(item.object_id);
      return disclosure_status_;
    };
    return hooks;
  }

  static std::string Rewritten(const std::string& original) {
    return "{\"rewritten\":" + std::to_string(original.size()) + "," + original.substr(1);
  }

  HttpResponse Get(TaxiiApi& api, const std::string& path_and_query) {
    HttpRequest r;
    r.method = "GET";
    r.target = "/api/collections/" + std::string(kCollection) + path_and_query;
    r.accept = "application/taxii+json;version=2.1";
    r.authorization = "Basic dTpwdw==";  // u:pw
    return api.Handle(r);
  }

  // The rows the store holds for a query, visible by the test filter, to build expected bodies.
  std::vector<store::ObjectRow> Visible(store::ObjectQuery q) {
    q.collection_id = kCollection;
    q.with_json = true;
    q.limit = 1000;
    auto page = store_->QueryObjects(q, [](const store::ObjectRow& row) {
      return row.id.back() != '3' && row.id.back() != '7';
    });
    EXPECT_TRUE(page.ok());
    return page->rows;
  }

  static std::string Header(const std::vector<store::ObjectRow>& rows, bool more,
                            std::string_view query) {
    if (!more) return "{\"more\":false";
    auto filters = ParseObjectQuery(query, ~0u);
    EXPECT_TRUE(filters.ok());
    return "{\"more\":true,\"next\":" +
           json::serialize(json::string(EncodeCursor(rows.back().date_added_us,
                                                     filters->canonical)));
  }

  static std::string NextOf(const HttpResponse& r) {
    return std::string(json::parse(r.body).as_object().at("next").as_string());
  }

  static inline std::string* hash_ = nullptr;
  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  FakeClock clock_{kStart + 1'000'000};
  std::unique_ptr<intake::Pipeline> pipeline_;
  int filtered_ = 0;
  std::vector<std::string> rewritten_;
  std::vector<std::string> disclosed_;
  Status disclosure_status_;  // what on_disclosure answers
};

TEST_F(ApiPageTest, ObjectsPagesAreExactAndPageToTheEnd) {
  auth::Authenticator authenticator(*store_, clock_);
  TaxiiApi api(*store_, *pipeline_, authenticator, clock_, ApiConfig{}, Hooks());
  const auto all = Visible({});  // latest versions, visible
  ASSERT_EQ(all.size(), 19u);    // 23 objects minus 3, 7, 13, 17
  std::vector<std::string> delivered;
  std::string query = "?limit=5";
  size_t at = 0;
  for (int page_no = 0; page_no < 10; ++page_no) {
    rewritten_.clear();
    disclosed_.clear();
    HttpResponse r = Get(api, "/objects/" + query);
    ASSERT_EQ(r.status, 200) << r.body;
    const size_t n = std::min<size_t>(5, all.size() - at);
    const bool more = at + n < all.size();
    std::vector<store::ObjectRow> rows(all.begin() + at, all.begin() + at + n);
    std::string expected = Header(rows, more, query.substr(1)) + ",\"objects\":[";
    for (size_t i = 0; i < rows.size(); ++i) {
      expected += (i ? "," : "") + Rewritten(rows[i].json);
    }
    expected += "]}";
    EXPECT_EQ(r.body, expected) << "page " << page_no;
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0].second, FormatTaxiiTimestamp(rows.front().date_added_us));
    EXPECT_EQ(r.headers[1].second, FormatTaxiiTimestamp(rows.back().date_added_us));
    // rewrite and on_disclosure saw exactly the delivered rows, in order (not the row that
    // only told the store there is more).
    std::vector<std::string> ids;
    for (const auto& row : rows) ids.push_back(row.id);
    EXPECT_EQ(rewritten_, ids);
    EXPECT_EQ(disclosed_, ids);
    at += n;
    if (!more) break;
    query = "?limit=5&next=" + NextOf(r);  // the cursor carries the filters, not the limit
  }
  EXPECT_EQ(at, all.size());
  // Past the last row: the empty envelope, headers repeating the lower bound, no disclosure.
  disclosed_.clear();
  HttpResponse empty =
      Get(api, "/objects/?added_after=" + FormatTaxiiTimestamp(all.back().date_added_us));
  EXPECT_EQ(empty.body, "{}");
  EXPECT_EQ(empty.headers[0].second, FormatTaxiiTimestamp(all.back().date_added_us));
  EXPECT_TRUE(disclosed_.empty());
}

TEST_F(ApiPageTest, FilterAppliesBeforeTheLimit) {
  auth::Authenticator authenticator(*store_, clock_);
  TaxiiApi api(*store_, *pipeline_, authenticator, clock_, ApiConfig{}, Hooks());
  // A page of 4 reaches past hidden object 3 and is still full (object 4's latest version was
  // added last, so the fourth visible row is object 5).
  HttpResponse r = Get(api, "/objects/?limit=4");
  ASSERT_EQ(r.status, 200);
  auto body = json::parse(r.body).as_object();
  EXPECT_TRUE(body.at("more").as_bool());
  ASSERT_EQ(body.at("objects").as_array().size(), 4u);
  EXPECT_EQ(body.at("objects").as_array()[3].as_object().at("id").as_string(), ObjectId(5));
  EXPECT_EQ(disclosed_.size(), 4u);
}

// No disclosure without its record: when on_disclosure fails, the client gets a 500 error and
// none of the objects; the same page is served once recording works again.
TEST_F(ApiPageTest, AnUnrecordedDeliveryIsNotSent) {
  auth::Authenticator authenticator(*store_, clock_);
  TaxiiApi api(*store_, *pipeline_, authenticator, clock_, ApiConfig{}, Hooks());
  disclosure_status_ = Internal("disk full");
  HttpResponse r = Get(api, "/objects/?limit=4");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find(ObjectId(1)), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("disk full"), std::string::npos) << r.body;  // the cause stays inside
  auto error = json::parse(r.body).as_object();
  EXPECT_TRUE(error.contains("title")) << r.body;
  EXPECT_EQ(disclosed_.size(), 4u);  // the hook was asked
  disclosure_status_ = Status::Ok();
  EXPECT_EQ(Get(api, "/objects/?limit=4").status, 200);
}

TEST_F(ApiPageTest, WithoutHooksTheStoredJsonIsServedAsIs) {
  auth::Authenticator authenticator(*store_, clock_);
  TaxiiApi api(*store_, *pipeline_, authenticator, clock_, ApiConfig{});
  store::ObjectQuery q;
  q.collection_id = kCollection;
  q.with_json = true;
  q.limit = 1000;
  auto all = store_->QueryObjects(q, nullptr);
  ASSERT_TRUE(all.ok());
  HttpResponse r = Get(api, "/objects/");  // one page holds everything: "more":false
  std::string expected = "{\"more\":false,\"objects\":[";
  for (size_t i = 0; i < all->rows.size(); ++i) expected += (i ? "," : "") + all->rows[i].json;
  EXPECT_EQ(r.body, expected + "]}");
}

TEST_F(ApiPageTest, ManifestAndVersionsPagesAreExact) {
  auth::Authenticator authenticator(*store_, clock_);
  TaxiiApi api(*store_, *pipeline_, authenticator, clock_, ApiConfig{}, Hooks());
  const auto rows = Visible({});
  HttpResponse m = Get(api, "/manifest/?limit=3");
  std::vector<store::ObjectRow> first(rows.begin(), rows.begin() + 3);
  std::string expected = Header(first, true, "limit=3") + ",\"objects\":[";
  for (size_t i = 0; i < first.size(); ++i) {
    const auto& r = first[i];
    expected += std::string(i ? "," : "") + "{\"id\":\"" + r.id + "\",\"date_added\":\"" +
                FormatTaxiiTimestamp(r.date_added_us) + "\",\"version\":\"" + r.version +
                "\",\"media_type\":\"application/stix+json;version=2.1\"}";
  }
  EXPECT_EQ(m.body, expected + "]}");
  EXPECT_TRUE(rewritten_.empty());  // the manifest carries no JSON to rewrite
  // but names object versions: a disclosure of exactly the page's rows (DESIGN.md).
  ASSERT_EQ(disclosed_.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NE(disclosed_[i].find(first[i].id), std::string::npos);
  disclosed_.clear();

  store::VersionMatch all_versions{.all = true};
  store::ObjectQuery q;
  q.ids = {ObjectId(4)};
  q.versions = all_versions;
  const auto versions = Visible(q);
  ASSERT_EQ(versions.size(), 3u);
  HttpResponse v = Get(api, "/objects/" + ObjectId(4) + "/versions/?limit=2");
  std::vector<store::ObjectRow> two(versions.begin(), versions.begin() + 2);
  EXPECT_EQ(v.body, Header(two, true, "limit=2") + ",\"versions\":[\"" + versions[0].version +
                        "\",\"" + versions[1].version + "\"]}");
  HttpResponse rest = Get(api, "/objects/" + ObjectId(4) + "/versions/?next=" + NextOf(v));
  EXPECT_EQ(rest.body, "{\"more\":false,\"versions\":[\"" + versions[2].version + "\"]}");
  EXPECT_EQ(disclosed_.size(), 3u);  // the two versions pages: 2 + 1 versions
  disclosed_.clear();

  // One object, all its versions: rewritten and disclosed.
  HttpResponse o = Get(api, "/objects/" + ObjectId(4) + "/?match[version]=all");
  std::string all_json = "{\"more\":false,\"objects\":[";
  for (size_t i = 0; i < versions.size(); ++i) {
    all_json += (i ? "," : "") + Rewritten(versions[i].json);
  }
  EXPECT_EQ(o.body, all_json + "]}");
  EXPECT_EQ(disclosed_.size(), 3u);
  // A hidden object does not exist for this reader.
  EXPECT_EQ(Get(api, "/objects/" + ObjectId(3) + "/").status, 404);
}

}  // namespace
}  // namespace tabadul::taxii
