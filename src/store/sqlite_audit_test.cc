#include "store/sqlite_audit.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace tabadul::store {
namespace {

class SqliteAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tabadul-saudit-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto log = SqliteAuditLog::Open(dir_ + "/t.db", false);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  static AuditRecord Rec(const std::string& org, int64_t time_us, std::vector<AuditItem> items) {
    AuditRecord r;
    r.org_id = org;
    r.time_us = time_us;
    r.items = std::move(items);
    return r;
  }
  // A stand-in seal: the chain's real hashing lives in the audit module.
  static void Seal(const AuditTip& before, AuditRecord& r) {
    r.prev_hash = before.hash;
    r.hash = "h" + std::to_string(r.seq);
  }

  std::string dir_;
  std::unique_ptr<SqliteAuditLog> log_;
};

TEST(AuditItemsCodecTest, RoundTripsAndRefusesMalformed) {
  std::vector<AuditItem> items = {{"a--1", "v1"}, {"b--2", ""}};
  std::vector<AuditItem> back;
  EXPECT_TRUE(DecodeAuditItems(EncodeAuditItems(items), &back));
  EXPECT_EQ(back, items);
  EXPECT_TRUE(DecodeAuditItems("", &back));
  EXPECT_TRUE(back.empty());
  EXPECT_FALSE(DecodeAuditItems("a--1\x1fv1", &back));          // no terminator
  EXPECT_FALSE(DecodeAuditItems("a--1v1\x1e", &back));          // no separator
  EXPECT_FALSE(DecodeAuditItems("a\x1f" "b\x1f" "c\x1e", &back));  // two separators
}

TEST_F(SqliteAuditTest, AppendAssignsSeqAndSealsInOrder) {
  std::vector<AuditRecord> batch = {Rec("o1", 10, {{"x--1", "v"}}), Rec("o2", 11, {{"x--2", "v"}})};
  ASSERT_TRUE(log_->Append(batch, Seal).ok());
  EXPECT_EQ(batch[0].seq, 1);
  EXPECT_EQ(batch[1].seq, 2);
  EXPECT_EQ(batch[1].prev_hash, "h1");
  std::vector<AuditRecord> more = {Rec("o1", 12, {{"x--1", "w"}, {"x--3", "v"}})};
  ASSERT_TRUE(log_->Append(more, Seal).ok());
  EXPECT_EQ(more[0].seq, 3);
  EXPECT_EQ(more[0].prev_hash, "h2");
  auto tip = log_->Tip();
  ASSERT_TRUE(tip.ok());
  EXPECT_EQ(tip->seq, 3);
  EXPECT_EQ(tip->hash, "h3");

  auto all = log_->ReadFrom(1, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].items, more[0].items);
  EXPECT_EQ((*all)[2].item_count, 2);
  EXPECT_FALSE((*all)[2].items_malformed);
  EXPECT_EQ(log_->ReadFrom(2, 1)->size(), 1u);
  EXPECT_EQ((*log_->Get(2))->org_id, "o2");
  EXPECT_FALSE(log_->Get(9)->has_value());

  auto mention = log_->RecordsMentioning("x--1", 10);
  ASSERT_TRUE(mention.ok());
  ASSERT_EQ(mention->size(), 2u);
  EXPECT_EQ((*mention)[0].seq, 1);
  EXPECT_EQ((*mention)[1].seq, 3);
  auto of = log_->RecordsOf("o1", 11, 100, 10);
  ASSERT_TRUE(of.ok());
  ASSERT_EQ(of->size(), 1u);
  EXPECT_EQ((*of)[0].seq, 3);
}

TEST_F(SqliteAuditTest, EmptyLogTipAndFailedBatchStoresNothing) {
  EXPECT_EQ(log_->Tip()->seq, 0);
  std::vector<AuditRecord> batch = {Rec("o1", 10, {{"x--1", "v"}})};
  ASSERT_TRUE(log_->Append(batch, Seal).ok());
  // A raw writer that steals seq 2 makes the next batch's insert collide.
  {
    auto db = Database::Open(dir_ + "/t.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TRIGGER boom BEFORE INSERT ON audit_records WHEN NEW.seq = 3"
                            " BEGIN SELECT RAISE(ABORT, 'refused'); END;").ok());
  }
  std::vector<AuditRecord> two = {Rec("o1", 11, {{"x--1", "v"}}), Rec("o1", 12, {{"x--1", "v"}})};
  EXPECT_FALSE(log_->Append(two, Seal).ok());
  EXPECT_EQ(log_->Tip()->seq, 1);  // the whole batch rolled back
  EXPECT_EQ(log_->RecordsMentioning("x--1", 10)->size(), 1u);
  std::vector<AuditRecord> one = {Rec("o1", 13, {{"x--1", "v"}})};
  EXPECT_TRUE(log_->Append(one, Seal).ok());  // and the connection is usable afterwards
  EXPECT_EQ(one[0].seq, 2);
}

TEST_F(SqliteAuditTest, HeadsAreKept) {
  ASSERT_TRUE(log_->PutHead({5, "h5", 100, "pk", "sig"}).ok());
  ASSERT_TRUE(log_->PutHead({2, "h2", 50, "pk", "sig2"}).ok());
  auto heads = log_->Heads();
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 2u);
  EXPECT_EQ((*heads)[0].seq, 2);
  EXPECT_EQ((*heads)[1].signature, "sig");
}

}  // namespace
}  // namespace tabadul::store

namespace tabadul::store {
namespace {

TEST(SqliteAuditIndexTest, CatchesUpLazilyAndIncrementally) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tabadul-saudit-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  {
    auto log = std::move(SqliteAuditLog::Open(tmpl + "/t.db", false)).value();
    auto seal = [](const AuditTip& before, AuditRecord& r) { r.hash = std::to_string(r.seq); };
    // 4500 records: more than two catch-up transactions.
    std::vector<AuditRecord> batch;
    for (int i = 0; i < 4500; ++i) {
      AuditRecord r;
      r.org_id = "o";
      r.items = {{"x--" + std::to_string(i % 100), "v"}, {"y--1", "v"}};
      batch.push_back(std::move(r));
    }
    ASSERT_TRUE(log->Append(batch, seal).ok());
    auto hits = log->RecordsMentioning("x--7", 1000);
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ(hits->size(), 45u);
    EXPECT_EQ((*hits)[0].seq, 8);
    EXPECT_EQ(log->RecordsMentioning("y--1", 10000)->size(), 4500u);
    std::vector<AuditRecord> more(1);
    more[0].items = {{"x--7", "w"}};
    ASSERT_TRUE(log->Append(more, seal).ok());
    EXPECT_EQ(log->RecordsMentioning("x--7", 1000)->size(), 46u);  // the new record is found
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace tabadul::store
