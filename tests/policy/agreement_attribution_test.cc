// Which agreement each delivered object version was delivered under, end to end: a real
// TaxiiApi with the policy hooks over a real SqliteStore, its disclosures recorded by the real
// DisclosureLog in a temporary folder (docs/design/audit.md, "Which agreement").
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "audit/disclosure_hook.h"
#include "audit/disclosure_log.h"
#include "audit/signing_key.h"
#include "auth/authenticator.h"
#include "auth/password.h"
#include "policy/agreement_service.h"
#include "policy/engine.h"
#include "policy/hooks.h"
#include "store/sqlite_agreements.h"
#include "store/sqlite_store.h"
#include "taxii/api.h"

namespace tabadul {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z
const std::string kProvider = "identity--00000000-0000-4000-8000-0000000000a1";
const std::string kRecipient = "identity--00000000-0000-4000-8000-0000000000b2";
const std::string kCollection = "00000000-0000-4000-8000-00000000c0c0";
const std::string kGreen = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
const std::string kAmber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
const std::string kPassword = "correct horse battery";
const std::string kIndicator = "indicator--00000000-0000-4000-8000-000000000001";
const std::string kMalware = "malware--00000000-0000-4000-8000-000000000002";
const std::string kTool = "tool--00000000-0000-4000-8000-000000000003";
const std::string kAmberIndicator = "indicator--00000000-0000-4000-8000-000000000004";

std::string Base64(const std::string& in) {
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += b64[(n >> (6 * k)) & 63];
  }
  const size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (rest == 2) n |= uint8_t(in[i + 1]) << 8;
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += rest == 2 ? b64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string Object(const std::string& id, const std::string& marking, const std::string& extra) {
  const std::string type = id.substr(0, id.find("--"));
  return R"({"type":")" + type + R"(","spec_version":"2.1","id":")" + id +
         R"(","created":"2023-01-01T00:00:00.000Z","modified":"2023-01-01T00:00:00.000Z",)"
         R"("object_marking_refs":[")" + marking + "\"]" + extra + "}";
}

class AgreementAttributionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tabadul_agreement_attribution_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const std::string db = (dir_ / "tabadul.db").string();
    store_ = std::move(store::SqliteStore::Open(db)).value();
    agreements_ = std::move(store::SqliteAgreementStore::Open(db)).value();
    ASSERT_TRUE(auth::InitCrypto().ok());
    auto hash = auth::HashSecret(kPassword);
    ASSERT_TRUE(hash.ok());
    ASSERT_TRUE(store_->CreateOrganization({kProvider, "provider", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({kRecipient, "recipient", 1}).ok());
    ASSERT_TRUE(store_->CreateUser({"prov", kProvider, store::Role::kPublisher, *hash, 1}).ok());
    ASSERT_TRUE(store_->CreateUser({"recv", kRecipient, store::Role::kReader, *hash, 1}).ok());
    store::Collection c;
    c.id = kCollection;
    c.title = "shared";
    c.owner_org = kProvider;
    ASSERT_TRUE(store_->CreateCollection(c).ok());
    ASSERT_TRUE(store_->SetGrant("prov", kCollection, {true, true}).ok());

    policy::EngineOptions options;
    options.reload_check_interval_us = 0;
    engine_ = std::make_unique<policy::Engine>(*store_, *agreements_, clock_, options);
    service_ = std::make_unique<policy::AgreementService>(*engine_);
    auto log = audit::DisclosureLog::Open(
        (dir_ / "audit.db").string(),
        std::move(audit::SigningKey::FromSeed(std::string(32, '\x07'))).value(), clock_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    auth_ = std::make_unique<auth::Authenticator>(*store_, clock_, int64_t{1} << 60);
    auto hooks = policy::MakeHooks(*engine_);
    ASSERT_TRUE(hooks.ok());
    hooks->on_disclosure = audit::MakeDisclosureHook(*log_);
    pipeline_ = std::make_unique<intake::Pipeline>(*store_, clock_);
    api_ = std::make_unique<taxii::TaxiiApi>(*store_, *pipeline_, *auth_, clock_, taxii::ApiConfig{},
                                             std::move(hooks).value());

    const std::string pattern =
        R"(,"name":"i","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix",)"
        R"("valid_from":"2023-01-01T00:00:00Z")";
    const std::string body =
        "{\"objects\":[" + Object(kIndicator, kGreen, pattern) + "," +
        Object(kMalware, kGreen, R"(,"name":"m","is_family":false)") + "," +
        Object(kTool, kGreen, R"(,"name":"t")") + "," +
        Object(kAmberIndicator, kAmber, pattern) + "]}";
    auto resp = Request("POST", "prov", "/api/collections/" + kCollection + "/objects/", body);
    ASSERT_EQ(resp.status, 202) << resp.body;
    ASSERT_NE(resp.body.find("\"success_count\":4"), std::string::npos) << resp.body;
  }
  void TearDown() override {
    api_.reset();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  taxii::HttpResponse Request(const std::string& method, const std::string& user,
                              const std::string& target, const std::string& body = "") {
    taxii::HttpRequest r;
    r.method = method;
    r.target = target;
    r.accept = "application/taxii+json;version=2.1";
    if (!body.empty()) r.content_type = "application/taxii+json;version=2.1";
    r.authorization = "Basic " + Base64(user + ":" + kPassword);
    r.body = body;
    return api_->Handle(r);
  }
  taxii::HttpResponse ReadAll(const std::string& user) {
    return Request("GET", user, "/api/collections/" + kCollection + "/objects/");
  }

  // "a-indicators": indicators up to GREEN; "b-wide": indicators and malware up to AMBER. So
  // the GREEN indicator falls under both (the first by name: a), the malware and the AMBER
  // indicator under b only, and the tool under neither.
  void AddAgreements() {
    policy::Agreement a;
    a.name = "a-indicators";
    a.provider_org = kProvider;
    a.recipients = {kRecipient};
    a.collections = {kCollection};
    a.object_types = {"indicator"};
    a.max_tlp = stix::Tlp::kGreen;
    ASSERT_TRUE(service_->Add(a, "test").ok());
    policy::Agreement b = a;
    b.name = "b-wide";
    b.object_types = {"indicator", "malware"};
    b.max_tlp = stix::Tlp::kAmber;
    ASSERT_TRUE(service_->Add(b, "test").ok());
  }

  // The (object id, agreement) items of the only record `org` received since `from_us`.
  std::map<std::string, std::string> LastRecord(const std::string& org) {
    auto recs = log_->Received(org, 0, INT64_MAX);
    EXPECT_TRUE(recs.ok());
    std::map<std::string, std::string> out;
    if (!recs.ok() || recs->empty()) return out;
    EXPECT_FALSE(recs->back().items_malformed);
    for (const auto& it : recs->back().items) out[it.object_id] = it.agreement;
    return out;
  }

  std::filesystem::path dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteAgreementStore> agreements_;
  std::unique_ptr<policy::Engine> engine_;
  std::unique_ptr<policy::AgreementService> service_;
  std::unique_ptr<audit::DisclosureLog> log_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<taxii::TaxiiApi> api_;
};

TEST_F(AgreementAttributionTest, EachObjectNamesItsOwnAgreement) {
  AddAgreements();
  clock_.Advance(1'000'000);
  auto resp = ReadAll("recv");
  ASSERT_EQ(resp.status, 200) << resp.body;
  const auto items = LastRecord(kRecipient);
  EXPECT_EQ(items, (std::map<std::string, std::string>{{kIndicator, "a-indicators@v1"},
                                                        {kMalware, "b-wide@v1"},
                                                        {kAmberIndicator, "b-wide@v1"}}));
  EXPECT_EQ(resp.body.find(kTool), std::string::npos);  // under no agreement: not delivered
  auto who = log_->WhoReceived(kMalware);
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->size(), 1u);
  EXPECT_EQ((*who)[0].org_id, kRecipient);
  EXPECT_EQ((*who)[0].agreement_id, "b-wide@v1");
  EXPECT_TRUE(log_->Verify()->ok);
}

TEST_F(AgreementAttributionTest, TheProvidersOwnReadNamesNoAgreement) {
  AddAgreements();
  auto resp = ReadAll("prov");
  ASSERT_EQ(resp.status, 200) << resp.body;
  const auto items = LastRecord(kProvider);
  ASSERT_EQ(items.size(), 4u);
  for (const auto& [id, agreement] : items) EXPECT_EQ(agreement, "") << id;
  auto recs = log_->Received(kProvider, 0, INT64_MAX);
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].agreement_id, "");
}

// A new version of an agreement is a new ref: records made under it say "@v2", those made
// before keep "@v1".
TEST_F(AgreementAttributionTest, ANewVersionOfTheAgreementChangesTheRef) {
  AddAgreements();
  ASSERT_EQ(ReadAll("recv").status, 200);
  policy::Agreement b;
  b.name = "b-wide";
  b.provider_org = kProvider;
  b.recipients = {kRecipient};
  b.collections = {kCollection};
  b.object_types = {"malware"};  // no longer indicators
  b.max_tlp = stix::Tlp::kAmber;
  auto updated = service_->Update(b, "test");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->version, 2);
  clock_.Advance(1'000'000);
  ASSERT_EQ(ReadAll("recv").status, 200);
  EXPECT_EQ(LastRecord(kRecipient),
            (std::map<std::string, std::string>{{kIndicator, "a-indicators@v1"},
                                                {kMalware, "b-wide@v2"}}));
  auto who = log_->WhoReceived(kMalware);
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->size(), 2u);
  EXPECT_EQ((*who)[0].agreement_id, "b-wide@v1");
  EXPECT_EQ((*who)[1].agreement_id, "b-wide@v2");
  // The engine's own decision says the same.
  store::ObjectRow row;
  row.collection_id = kCollection;
  row.id = kMalware;
  row.type = "malware";
  row.marking_refs = {kGreen};
  store::Collection c = *store_->GetCollection(kCollection);
  policy::Decision d = engine_->Decide(kRecipient, false, c, row);
  EXPECT_TRUE(d.visible);
  EXPECT_EQ(d.agreement, "b-wide@v2");
  EXPECT_EQ(engine_->Decide(kProvider, false, c, row).agreement, "");
}

// Paging: a row the filter refused never lends its agreement to the next one, and a page's
// rows keep their own (the store clears the note per row).
TEST_F(AgreementAttributionTest, PagesKeepEachRowsOwnAgreement) {
  AddAgreements();
  for (const char* limit : {"1", "2"}) {
    std::string next;
    std::map<std::string, std::string> seen;
    for (int guard = 0; guard < 10; ++guard) {
      const size_t before = log_->Received(kRecipient, 0, INT64_MAX)->size();
      auto resp = Request("GET", "recv",
                          "/api/collections/" + kCollection + "/objects/?limit=" + limit +
                              (next.empty() ? "" : "&next=" + next));
      ASSERT_EQ(resp.status, 200) << resp.body;
      auto recs = log_->Received(kRecipient, 0, INT64_MAX);
      ASSERT_EQ(recs->size(), before + 1);
      for (const auto& it : recs->back().items) seen[it.object_id] = it.agreement;
      const size_t at = resp.body.find("\"next\":\"");
      if (resp.body.find("\"more\":true") == std::string::npos || at == std::string::npos) break;
      next = resp.body.substr(at + 8, resp.body.find('"', at + 8) - at - 8);
    }
    EXPECT_EQ(seen, (std::map<std::string, std::string>{{kIndicator, "a-indicators@v1"},
                                                       {kMalware, "b-wide@v1"},
                                                       {kAmberIndicator, "b-wide@v1"}}))
        << "limit " << limit;
  }
}

}  // namespace
}  // namespace tabadul
