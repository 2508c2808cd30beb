// Marking definitions count only for the provider that published them, whatever path stored
// them, and what the engine does not know fails closed (docs/design/markings.md; issue 11,
// findings 1 and 2). A real SqliteStore in a temporary folder, the policy engine over it, and
// the two entry paths a definition can take: a TAXII POST (through the API with the policy
// hooks) and SqliteStore::PutObjects alone, as `tabadul import` and sync pull store them. Reads
// go through Engine::ReadFilter, the filter every read path applies before the limit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "auth/password.h"
#include "policy/agreement_service.h"
#include "policy/engine.h"
#include "policy/hooks.h"
#include "stix/validator.h"
#include "store/sqlite_agreements.h"
#include "store/sqlite_store.h"
#include "taxii/api.h"

namespace tabadul {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z
const std::string kP = "identity--00000000-0000-4000-8000-0000000000a1";  // the provider
const std::string kR = "identity--00000000-0000-4000-8000-0000000000b2";  // its recipient
const std::string kX = "identity--00000000-0000-4000-8000-0000000000c3";  // another org
const std::string kPColl = "00000000-0000-4000-8000-00000000c0c0";
const std::string kPDefs = "00000000-0000-4000-8000-00000000c0c1";
const std::string kXColl = "00000000-0000-4000-8000-00000000c0c2";
const std::string kD = "marking-definition--0d0d0d0d-0000-4000-8000-000000000001";
const std::string kPassword = "correct horse battery";

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

std::string TlpDefinition(const std::string& id, const std::string& level) {
  return R"({"type":"marking-definition","spec_version":"2.1","id":")" + id +
         R"(","created":"2023-01-01T00:00:00.000Z","name":"TLP:)" + level +
         R"(","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":)"
         R"({"extension_type":"property-extension","tlp_2_0":")" + level + R"("}}})";
}

std::string IepDefinition(const std::string& id, const std::string& fields) {
  return R"({"type":"marking-definition","spec_version":"2.1","id":")" + id +
         R"(","created":"2023-01-01T00:00:00.000Z","name":"iep",)"
         R"("extensions":{"extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a":{)"
         R"("extension_type":"property-extension","iep_version":"2.0",)" + fields + "}}}";
}

std::string StatementDefinition(const std::string& id) {
  return R"({"type":"marking-definition","spec_version":"2.1","id":")" + id +
         R"(","created":"2023-01-01T00:00:00.000Z","definition_type":"statement",)"
         R"("definition":{"statement":"(c) provider"}})";
}

std::string Indicator(int n, const std::vector<std::string>& markings) {
  std::string refs;
  for (const auto& m : markings) refs += (refs.empty() ? "\"" : ",\"") + m + "\"";
  return R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-)" +
         std::string(12 - std::to_string(n).size(), '0') + std::to_string(n) +
         R"(","created":"2023-01-01T00:00:00.000Z","modified":"2023-01-01T00:00:00.000Z",)"
         R"("name":"i","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix",)"
         R"("valid_from":"2023-01-01T00:00:00Z","object_marking_refs":[)" + refs + "]}";
}

enum class Path { kTaxiiPost, kPutObjects };

class ProviderMarkingsTest : public ::testing::TestWithParam<Path> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tabadul_provider_markings_" + std::to_string(::getpid()) + "_" +
            std::to_string(static_cast<int>(GetParam())));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const std::string db = (dir_ / "tabadul.db").string();
    store_ = std::move(store::SqliteStore::Open(db)).value();
    agreements_ = std::move(store::SqliteAgreementStore::Open(db)).value();
    ASSERT_TRUE(auth::InitCrypto().ok());
    auto hash = auth::HashSecret(kPassword);
    ASSERT_TRUE(hash.ok());
    for (const auto& [org, name] : {std::pair{kP, "p"}, {kR, "r"}, {kX, "x"}}) {
      ASSERT_TRUE(store_->CreateOrganization({org, name, 1}).ok());
      ASSERT_TRUE(store_->CreateUser({name, org, store::Role::kPublisher, *hash, 1}).ok());
    }
    for (const auto& [id, owner, user] :
         {std::tuple{kPColl, kP, "p"}, {kPDefs, kP, "p"}, {kXColl, kX, "x"}}) {
      store::Collection c;
      c.id = id;
      c.title = "c";
      c.owner_org = owner;
      c.default_tlp = "amber";
      ASSERT_TRUE(store_->CreateCollection(c).ok());
      ASSERT_TRUE(store_->SetGrant(user, id, {true, true}).ok());
    }
    policy::EngineOptions options;
    options.reload_check_interval_us = 0;
    engine_ = std::make_unique<policy::Engine>(*store_, *agreements_, clock_, options);
    auth_ = std::make_unique<auth::Authenticator>(*store_, clock_, int64_t{1} << 60);
    auto hooks = policy::MakeHooks(*engine_);
    ASSERT_TRUE(hooks.ok());
    pipeline_ = std::make_unique<intake::Pipeline>(*store_, clock_);
    api_ = std::make_unique<taxii::TaxiiApi>(*store_, *pipeline_, *auth_, clock_, taxii::ApiConfig{},
                                             std::move(hooks).value());
    // P shares its collection with R up to AMBER (no RED recipients).
    policy::AgreementService service(*engine_);
    policy::Agreement a;
    a.name = "p-to-r";
    a.provider_org = kP;
    a.recipients = {kR};
    a.collections = {kPColl};
    a.max_tlp = stix::Tlp::kAmber;
    auto applied = service.Apply({a}, "", "test", false);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }
  void TearDown() override {
    api_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Stores objects into a collection by the test's entry path, as `user` (its owner).
  void Store(const std::string& user, const std::string& collection,
             const std::vector<std::string>& objects) {
    if (GetParam() == Path::kTaxiiPost) {
      std::string body = "{\"objects\":[";
      for (size_t i = 0; i < objects.size(); ++i) body += (i ? "," : "") + objects[i];
      body += "]}";
      taxii::HttpRequest post{"POST", "/api/collections/" + collection + "/objects/",
                              "application/taxii+json;version=2.1",
                              "application/taxii+json;version=2.1",
                              "Basic " + Base64(user + ":" + kPassword), body};
      auto resp = api_->Handle(post);
      ASSERT_EQ(resp.status, 202) << resp.body;
      ASSERT_NE(resp.body.find("\"success_count\":" + std::to_string(objects.size())),
                std::string::npos) << resp.body;
      return;
    }
    std::vector<stix::StixObject> parsed;
    for (const auto& o : objects) {
      auto p = stix::ParseObject(o);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      parsed.push_back(std::move(p).value());
    }
    auto outcomes = store_->PutObjects(collection, parsed, clock_.NowMicros());
    ASSERT_TRUE(outcomes.ok());
    for (const auto& o : *outcomes) ASSERT_EQ(o.kind, store::PutOutcome::Kind::kAdded) << o.message;
  }

  // The ids of kPColl's indicators `org` may read, through the engine's read filter.
  std::set<std::string> Visible(const std::string& org) {
    auto c = store_->GetCollection(kPColl);
    EXPECT_TRUE(c.ok());
    auth::Principal who{org == kP ? "p" : "r", org, store::Role::kReader};
    store::ObjectQuery q;
    q.collection_id = kPColl;
    q.types = {"indicator"};
    q.versions.all = true;
    q.limit = 1000;
    auto page = store_->QueryObjects(q, engine_->ReadFilter(who, true, *c));
    EXPECT_TRUE(page.ok());
    std::set<std::string> out;
    for (const auto& row : page->rows) out.insert(row.id.substr(row.id.size() - 2));
    return out;
  }

  FakeClock clock_{kNow};
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteAgreementStore> agreements_;
  std::unique_ptr<policy::Engine> engine_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<taxii::TaxiiApi> api_;
};

// Finding 2: X publishes D as CLEAR in its own collection before P uses D for RED. P's
// indicators marked D must stay RED for R (agreement up to AMBER, R not named for RED).
TEST_P(ProviderMarkingsTest, AnotherOrganizationsDefinitionNeverCounts) {
  Store("x", kXColl, {TlpDefinition(kD, "clear")});
  Store("p", kPDefs, {TlpDefinition(kD, "red")});
  Store("p", kPColl, {Indicator(1, {kD}), Indicator(2, {kD})});
  EXPECT_EQ(Visible(kR), std::set<std::string>{});
  EXPECT_EQ(Visible(kP), (std::set<std::string>{"01", "02"}));
}

// Finding 1: a definition stored by any path is honoured — RED withheld, an expired IEP policy
// withholds — by a fresh engine and by one that was already running.
TEST_P(ProviderMarkingsTest, DefinitionsAreHonouredWhateverPathStoredThem) {
  const std::string expired = "marking-definition--0d0d0d0d-0000-4000-8000-000000000002";
  const std::string current = "marking-definition--0d0d0d0d-0000-4000-8000-000000000003";
  const std::string green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
  EXPECT_EQ(Visible(kR), std::set<std::string>{});  // the running engine has loaded once
  Store("p", kPDefs,
        {TlpDefinition(kD, "red"),
         IepDefinition(expired, R"("start_date":"2000-01-01T00:00:00Z","end_date":"2001-01-01T00:00:00Z")"),
         IepDefinition(current, R"("start_date":"2000-01-01T00:00:00Z")")});
  Store("p", kPColl,
        {Indicator(1, {kD}), Indicator(2, {green, expired}), Indicator(3, {green, current}),
         Indicator(4, {green})});
  EXPECT_EQ(Visible(kR), (std::set<std::string>{"03", "04"}));
  policy::EngineOptions options;
  options.reload_check_interval_us = 0;
  policy::Engine fresh(*store_, *agreements_, clock_, options);
  ASSERT_TRUE(fresh.Reload().ok());
  auto c = store_->GetCollection(kPColl);
  ASSERT_TRUE(c.ok());
  store::ObjectQuery q;
  q.collection_id = kPColl;
  q.limit = 100;
  auto page = store_->QueryObjects(q, fresh.ReadFilter({"r", kR, store::Role::kReader}, true, *c));
  ASSERT_TRUE(page.ok());
  std::set<std::string> seen;
  for (const auto& row : page->rows) seen.insert(row.id.substr(row.id.size() - 2));
  EXPECT_EQ(seen, (std::set<std::string>{"03", "04"}));
}

// A ref P never published (or only another organization did) is withheld from recipients and
// shown to P; a ref to P's own statement marking is not.
TEST_P(ProviderMarkingsTest, UnknownRefsAreWithheldFromRecipientsOnly) {
  const std::string unknown = "marking-definition--0d0d0d0d-0000-4000-8000-0000000000ff";
  const std::string xs = "marking-definition--0d0d0d0d-0000-4000-8000-0000000000fe";
  const std::string statement = "marking-definition--0d0d0d0d-0000-4000-8000-0000000000fd";
  Store("x", kXColl, {TlpDefinition(xs, "clear")});
  Store("p", kPDefs, {StatementDefinition(statement)});
  Store("p", kPColl, {Indicator(1, {unknown}), Indicator(2, {xs}), Indicator(3, {statement})});
  EXPECT_EQ(Visible(kR), std::set<std::string>{"03"});
  EXPECT_EQ(Visible(kP), (std::set<std::string>{"01", "02", "03"}));
}

// P's two collections define D differently: the stricter definition counts, whichever was
// stored first (MarkingRegistryTest covers the merge itself).
TEST_P(ProviderMarkingsTest, AProvidersConflictingDefinitionsNeverLowerTheLevel) {
  const std::string e = "marking-definition--0d0d0d0d-0000-4000-8000-000000000004";
  Store("p", kPDefs, {TlpDefinition(kD, "red")});
  Store("p", kPColl, {TlpDefinition(kD, "green"), TlpDefinition(e, "green"), Indicator(1, {kD}),
                      Indicator(2, {e})});
  EXPECT_EQ(Visible(kR), std::set<std::string>{"02"});
  Store("p", kPDefs, {TlpDefinition(e, "red")});
  EXPECT_EQ(Visible(kR), std::set<std::string>{});
}

// Definitions pulled from a peer into P's collections count only for what was pulled from that
// peer: a peer that defines as CLEAR an id P uses but never defined does not lower P's objects.
TEST_P(ProviderMarkingsTest, APeersDefinitionsNeverGiveMeaningToTheProvidersOwnRefs) {
  const std::string green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
  Store("p", kPColl, {Indicator(1, {kD}), Indicator(2, {green})});
  EXPECT_EQ(Visible(kR), std::set<std::string>{"02"});
  auto definition = stix::ParseObject(TlpDefinition(kD, "clear"));
  ASSERT_TRUE(definition.ok());
  store::PutOptions pulled;
  pulled.origin = "partner";
  auto put = store_->PutObjects(kPDefs, std::span(&*definition, 1), clock_.NowMicros(), pulled);
  ASSERT_TRUE(put.ok());
  ASSERT_EQ((*put)[0].kind, store::PutOutcome::Kind::kAdded);
  EXPECT_EQ(Visible(kR), std::set<std::string>{"02"});  // D still means nothing P defined: RED
  EXPECT_EQ(Visible(kP), (std::set<std::string>{"01", "02"}));
}

INSTANTIATE_TEST_SUITE_P(EntryPaths, ProviderMarkingsTest,
                         ::testing::Values(Path::kTaxiiPost, Path::kPutObjects),
                         [](const auto& info) {
                           return info.param == Path::kTaxiiPost ? "TaxiiPost" : "PutObjects";
                         });

}  // namespace
}  // namespace tabadul
