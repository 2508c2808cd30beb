#include "sync/peer_registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

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

}  // namespace
}  // namespace tabadul::sync
