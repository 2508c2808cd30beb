// The peers' exchange terms reach the visibility rule (sync::OriginTermsLoader): what was pulled
// from a peer goes on to a third organization only where the peer's terms allow, and a change
// of terms (or the peer's removal) applies to a running engine at its next reload check. Issue
// 11, finding 6: A shares default-AMBER objects with G without may_forward; G pulls them into a
// CLEAR-default collection it shares with I at max_tlp clear; I must not receive them.
#include "sync/origin_terms.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>

#include "common/clock.h"
#include "policy/agreement_service.h"
#include "policy/engine.h"
#include "stix/validator.h"
#include "store/sqlite_agreements.h"
#include "store/sqlite_store.h"

namespace tabadul::sync {
namespace {

const std::string kG = "identity--00000000-0000-4000-8000-0000000000a1";  // this instance's org
const std::string kI = "identity--00000000-0000-4000-8000-0000000000b2";  // a third org
const std::string kColl = "00000000-0000-4000-8000-00000000c0c0";
const std::string kGreen = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
const std::string kAmber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";

stix::StixObject Indicator(int n, const std::string& marking) {
  std::string json =
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-0000000000)" +
      std::to_string(10 + n) +
      R"(","created":"2023-01-01T00:00:00.000Z","modified":"2023-01-01T00:00:00.000Z",)"
      R"("name":"i","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix",)"
      R"("valid_from":"2023-01-01T00:00:00Z")" +
      (marking.empty() ? "" : R"(,"object_marking_refs":[")" + marking + "\"]") + "}";
  return std::move(stix::ParseObject(json)).value();
}

class OriginTermsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/tabadul-origin-terms-XXXXXX";
    dir_ = mkdtemp(t);
    const std::string db = dir_ + "/tabadul.db";
    store_ = std::move(store::SqliteStore::Open(db)).value();
    agreements_ = std::move(store::SqliteAgreementStore::Open(db)).value();
    registry_ = std::move(PeerRegistry::Open(db)).value();
    ASSERT_TRUE(store_->CreateOrganization({kG, "g", 1}).ok());
    ASSERT_TRUE(store_->CreateOrganization({kI, "i", 1}).ok());
    store::Collection c;
    c.id = kColl;
    c.title = "copy of A's";
    c.owner_org = kG;
    c.default_tlp = "clear";
    ASSERT_TRUE(store_->CreateCollection(c).ok());
    policy::EngineOptions options;
    options.reload_check_interval_us = 0;
    options.origin_terms = OriginTermsLoader(*registry_);
    engine_ = std::make_unique<policy::Engine>(*store_, *agreements_, clock_, options);
    ASSERT_TRUE(engine_->Reload().ok());
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Share(stix::Tlp max_tlp) {
    policy::AgreementService service(*engine_);
    policy::Agreement a;
    a.name = "g-to-i";
    a.provider_org = kG;
    a.recipients = {kI};
    a.collections = {kColl};
    a.max_tlp = max_tlp;
    ASSERT_TRUE(service.Apply({a}, "", "test", false).ok());
  }

  void AddPeer(const std::string& name, bool may_forward, const std::string& ceiling) {
    Peer p;
    p.name = name;
    p.url = "https://a.example:8021";
    p.may_forward = may_forward;
    p.forward_max_tlp = ceiling;
    ASSERT_TRUE(registry_->AddPeer(p).ok());
  }

  void Put(const std::vector<stix::StixObject>& objects, const std::string& origin) {
    store::PutOptions put;
    put.origin = origin;
    auto out = store_->PutObjects(kColl, objects, clock_.NowMicros(), put);
    ASSERT_TRUE(out.ok());
    for (const auto& o : *out) ASSERT_EQ(o.kind, store::PutOutcome::Kind::kAdded);
  }

  // The last two digits of the ids `org` may read from the collection.
  std::set<std::string> Visible(const std::string& org) {
    auto c = store_->GetCollection(kColl);
    EXPECT_TRUE(c.ok());
    store::ObjectQuery q;
    q.collection_id = kColl;
    q.limit = 100;
    auto page = store_->QueryObjects(q, engine_->ReadFilter({"u", org, store::Role::kReader}, true, *c));
    EXPECT_TRUE(page.ok());
    std::set<std::string> out;
    for (const auto& r : page->rows) out.insert(r.id.substr(r.id.size() - 2));
    return out;
  }

  FakeClock clock_{1'700'000'000'000'000};
  std::string dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteAgreementStore> agreements_;
  std::unique_ptr<PeerRegistry> registry_;
  std::unique_ptr<policy::Engine> engine_;
};

// Finding 6: unmarked objects pulled from A (peer with the default terms) into G's CLEAR
// collection, shared with I up to CLEAR: I receives none of them; G sees them all.
TEST_F(OriginTermsTest, DefaultAmberObjectsPulledWithoutMayForwardAreNotReshared) {
  AddPeer("a", false, "green");
  Share(stix::Tlp::kClear);
  Put({Indicator(1, ""), Indicator(2, ""), Indicator(3, "")}, "a");
  Put({Indicator(4, "")}, "");  // G's own: CLEAR by the collection default
  EXPECT_EQ(Visible(kI), std::set<std::string>{"14"});
  EXPECT_EQ(Visible(kG), (std::set<std::string>{"11", "12", "13", "14"}));
}

// may_forward=false withholds; may_forward with a GREEN ceiling passes GREEN, not AMBER (nor an
// unmarked version graded by the peer's default AMBER); changes apply to the running engine.
TEST_F(OriginTermsTest, TermsDecideWhatGoesOnAndChangesApplyAtOnce) {
  AddPeer("a", false, "green");
  Share(stix::Tlp::kAmber);
  Put({Indicator(1, kGreen), Indicator(2, kAmber), Indicator(3, "")}, "a");
  Put({Indicator(4, kAmber)}, "");
  EXPECT_EQ(Visible(kI), std::set<std::string>{"14"});

  ASSERT_TRUE(registry_->ChangeTerms("a", {.may_forward = true}).ok());
  EXPECT_EQ(Visible(kI), (std::set<std::string>{"11", "14"}));
  ASSERT_TRUE(registry_->ChangeTerms("a", {.default_tlp = "green"}).ok());
  EXPECT_EQ(Visible(kI), (std::set<std::string>{"11", "13", "14"}));
  ASSERT_TRUE(registry_->ChangeTerms("a", {.forward_max_tlp = "amber"}).ok());
  EXPECT_EQ(Visible(kI), (std::set<std::string>{"11", "12", "13", "14"}));
  // A peer that is gone forwards nothing.
  ASSERT_TRUE(registry_->RemovePeer("a").ok());
  EXPECT_EQ(Visible(kI), std::set<std::string>{"14"});
  EXPECT_EQ(Visible(kG).size(), 4u);
}

// Without a loader, nothing pulled goes on (fail closed).
TEST_F(OriginTermsTest, NoLoaderForwardsNothing) {
  AddPeer("a", true, "red");
  Share(stix::Tlp::kAmber);
  Put({Indicator(1, kGreen)}, "a");
  EXPECT_EQ(Visible(kI), std::set<std::string>{"11"});
  policy::EngineOptions options;
  options.reload_check_interval_us = 0;
  engine_ = std::make_unique<policy::Engine>(*store_, *agreements_, clock_, options);
  ASSERT_TRUE(engine_->Reload().ok());
  EXPECT_EQ(Visible(kI), std::set<std::string>{});
}

TEST(OriginTermsOfTest, ReadsThePeersTermsAndFailsClosedOnBrokenLevels) {
  Peer p;
  p.name = "a";
  p.default_tlp = "green";
  p.may_forward = true;
  p.forward_max_tlp = "amber+strict";
  policy::OriginTerms t = OriginTermsOf(p);
  EXPECT_EQ(t.origin, "a");
  EXPECT_EQ(t.default_tlp, stix::Tlp::kGreen);
  EXPECT_TRUE(t.may_forward);
  EXPECT_EQ(t.forward_max_tlp, stix::Tlp::kAmberStrict);
  p.forward_max_tlp = "purple";
  t = OriginTermsOf(p);
  EXPECT_FALSE(t.may_forward);
  EXPECT_EQ(t.default_tlp, stix::Tlp::kRed);
}

}  // namespace
}  // namespace tabadul::sync
