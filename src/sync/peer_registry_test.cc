#include "sync/peer_registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "store/sqlite_agreements.h"

namespace tabadul::sync {
namespace {

struct TempDb {
  std::string dir;
  TempDb() {
    char t[] = "/tmp/tabadul-peers-XXXXXX";
    dir = mkdtemp(t);
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
  std::string path() const { return dir + "/tabadul.db"; }
};

Peer APeer(const std::string& name) {
  Peer p;
  p.name = name;
  p.url = "https://partner.example:8021";
  p.credentials = {Credentials::Kind::kToken, "", "s3cret"};
  return p;
}

TEST(PeerRegistryTest, PeersRoundTripAndValidate) {
  TempDb db;
  auto reg = PeerRegistry::Open(db.path()).value();
  ASSERT_TRUE(reg->AddPeer(APeer("p1")).ok());
  EXPECT_EQ(reg->AddPeer(APeer("p1")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(reg->AddPeer(APeer("bad name")).code(), StatusCode::kInvalidArgument);
  Peer bad = APeer("p2");
  bad.url = "ftp://x";
  EXPECT_EQ(reg->AddPeer(bad).code(), StatusCode::kInvalidArgument);
  bad = APeer("p2");
  bad.api_root = "api";
  EXPECT_EQ(reg->AddPeer(bad).code(), StatusCode::kInvalidArgument);
  bad = APeer("p2");
  bad.credentials = {Credentials::Kind::kBasic, "", "x"};
  EXPECT_EQ(reg->AddPeer(bad).code(), StatusCode::kInvalidArgument);
  auto p = reg->GetPeer("p1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->credentials.secret, "s3cret");
  EXPECT_EQ(p->credentials.kind, Credentials::Kind::kToken);
  EXPECT_EQ(reg->GetPeer("nope").status().code(), StatusCode::kNotFound);
  struct stat st;
  ASSERT_EQ(stat(db.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // the file holds peer secrets
}

TEST(PeerRegistryTest, SubscriptionsStatusAndRemoval) {
  TempDb db;
  auto reg = PeerRegistry::Open(db.path()).value();
  ASSERT_TRUE(reg->AddPeer(APeer("p1")).ok());
  Subscription s{0, "p1", Direction::kPull, "remote", "local", 0};
  auto a = reg->AddSubscription(s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->id, 1);
  EXPECT_EQ(reg->AddSubscription(s).status().code(), StatusCode::kAlreadyExists);
  s.peer = "ghost";
  EXPECT_EQ(reg->AddSubscription(s).status().code(), StatusCode::kNotFound);
  SyncStatus st;
  st.subscription_id = 1;
  st.last_success_us = 42;
  st.cursor = "c";
  ASSERT_TRUE(reg->PutStatus(st).ok());
  EXPECT_EQ(reg->GetStatus(1)->cursor, "c");
  EXPECT_EQ(reg->GetStatus(9)->last_success_us, 0);
  ASSERT_TRUE(reg->RecordPushed(1, {{"x--1", "v1"}, {"x--2", ""}}).ok());
  EXPECT_TRUE(*reg->TakePushed(1, "x--1", "v1"));
  EXPECT_FALSE(*reg->TakePushed(1, "x--1", "v1"));
  EXPECT_FALSE(*reg->TakePushed(2, "x--2", ""));
  ASSERT_TRUE(reg->RemovePeer("p1").ok());
  EXPECT_TRUE(reg->ListSubscriptions()->empty());
  EXPECT_EQ(reg->GetStatus(1)->last_success_us, 0);
  EXPECT_EQ(reg->RemovePeer("p1").code(), StatusCode::kNotFound);
  EXPECT_EQ(reg->RemoveSubscription(1).code(), StatusCode::kNotFound);
  EXPECT_EQ(DirectionName(Direction::kPush), "push");
  EXPECT_FALSE(ParseDirection("both").has_value());
}

TEST(PeerRegistryTest, ExchangeTermsDefaultValidateAndChange) {
  TempDb db;
  auto reg = PeerRegistry::Open(db.path()).value();
  ASSERT_TRUE(reg->AddPeer(APeer("p1")).ok());
  auto p = reg->GetPeer("p1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->default_tlp, "amber");  // AMBER on arrival, nothing forwarded, GREEN ceiling
  EXPECT_FALSE(p->may_forward);
  EXPECT_EQ(p->forward_max_tlp, "green");

  Peer q = APeer("p2");
  q.default_tlp = "TLP:White";  // normalized
  q.may_forward = true;
  q.forward_max_tlp = "AMBER+STRICT";
  ASSERT_TRUE(reg->AddPeer(q).ok());
  p = reg->GetPeer("p2");
  EXPECT_EQ(p->default_tlp, "clear");
  EXPECT_TRUE(p->may_forward);
  EXPECT_EQ(p->forward_max_tlp, "amber+strict");

  q = APeer("p3");
  q.default_tlp = "purple";
  Status st = reg->AddPeer(q);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("default_tlp"), std::string::npos) << st.message();
  q = APeer("p3");
  q.forward_max_tlp = "";
  st = reg->AddPeer(q);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("forward_max_tlp"), std::string::npos) << st.message();
  EXPECT_EQ(reg->GetPeer("p3").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(reg->ChangeTerms("p1", {.may_forward = true}).ok());
  p = reg->GetPeer("p1");
  EXPECT_TRUE(p->may_forward);
  EXPECT_EQ(p->default_tlp, "amber");  // untouched
  EXPECT_EQ(p->forward_max_tlp, "green");
  ASSERT_TRUE(reg->ChangeTerms("p1", {.default_tlp = "red", .forward_max_tlp = "clear"}).ok());
  p = reg->GetPeer("p1");
  EXPECT_TRUE(p->may_forward);
  EXPECT_EQ(p->default_tlp, "red");
  EXPECT_EQ(p->forward_max_tlp, "clear");
  st = reg->ChangeTerms("p1", {.may_forward = false, .forward_max_tlp = "blue"});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("forward_max_tlp"), std::string::npos);
  EXPECT_TRUE(reg->GetPeer("p1")->may_forward);  // nothing changed
  EXPECT_EQ(reg->ChangeTerms("nope", {.may_forward = true}).code(), StatusCode::kNotFound);
}

// Adding, changing the terms of and removing a peer each bump the policy generation (running
// engines reload); a failed change does not.
TEST(PeerRegistryTest, TermChangesBumpThePolicyGeneration) {
  TempDb db;
  auto reg = PeerRegistry::Open(db.path()).value();
  auto agreements = store::SqliteAgreementStore::Open(db.path()).value();
  const int64_t g0 = *agreements->Generation();
  ASSERT_TRUE(reg->AddPeer(APeer("p1")).ok());
  EXPECT_EQ(*agreements->Generation(), g0 + 1);
  EXPECT_FALSE(reg->AddPeer(APeer("p1")).ok());
  EXPECT_FALSE(reg->ChangeTerms("p1", {.default_tlp = "x"}).ok());
  EXPECT_FALSE(reg->ChangeTerms("nope", {.may_forward = true}).ok());
  EXPECT_EQ(*agreements->Generation(), g0 + 1);
  ASSERT_TRUE(reg->ChangeTerms("p1", {.may_forward = true}).ok());
  EXPECT_EQ(*agreements->Generation(), g0 + 2);
  ASSERT_TRUE(reg->RemovePeer("p1").ok());
  EXPECT_EQ(*agreements->Generation(), g0 + 3);
}

// A database written before peers had terms: the columns are added, every existing peer gets
// the defaults (AMBER on arrival, nothing forwarded), and the registry opens again cleanly.
TEST(PeerRegistryTest, OlderDatabasesGetTheTermColumnsWithDefaults) {
  TempDb db;
  {
    auto raw = store::Database::Open(db.path()).value();
    ASSERT_TRUE(raw->Exec(
        "CREATE TABLE sync_peers (name TEXT PRIMARY KEY, url TEXT NOT NULL, api_root TEXT NOT "
        "NULL, org_id TEXT NOT NULL, auth_kind TEXT NOT NULL, auth_user TEXT NOT NULL, secret "
        "TEXT NOT NULL, ca_file TEXT NOT NULL, created_us INTEGER NOT NULL);"
        "INSERT INTO sync_peers VALUES ('old', 'https://x', '', '', 'none', '', '', '', 5);").ok());
  }
  for (int open = 0; open < 2; ++open) {
    auto reg = PeerRegistry::Open(db.path());
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    auto p = (*reg)->GetPeer("old");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->default_tlp, "amber");
    EXPECT_FALSE(p->may_forward);
    EXPECT_EQ(p->forward_max_tlp, "green");
    EXPECT_EQ(p->created_us, 5);
  }
}

}  // namespace
}  // namespace tabadul::sync
