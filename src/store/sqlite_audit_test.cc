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

TEST(AuditItemsCodecTest, RoundTripsEveryKindOfIdAndVersion) {
  const std::string uuid = "6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  std::vector<AuditItem> items = {
      {"indicator--" + uuid, "2024-01-01T00:00:00.000Z"},     // typed, timestamp (3 digits)
      {"indicator--" + uuid, "2024-01-01T00:00:00Z"},         // type reused, 0 digits
      {"x-my-type--" + uuid, "2024-02-29T23:59:59.123456789Z"},  // new type, 9 digits
      {"a--" + uuid, ""},                                      // shortest type, unversioned
      {"indicator--6BA7B810-9DAD-41D1-80B4-00C04FD430C8", "v1"},  // upper case: raw; raw version
      {"indicator--not-a-uuid", "2016-12-31T23:59:60Z"},       // leap second: raw
      {"--" + uuid, "2024-02-30T00:00:00Z"},                   // empty type, no such day: raw
      {std::string(300, 't') + "--" + uuid, std::string(200, 'v')},  // long type, long version
      {"", "1999-01-01T00:00:00.1Z"},
      {"a--" + uuid + "x", "2024-01-01T00:00:00.000z"},
  };
  std::vector<AuditItem> back;
  const std::string encoded = EncodeAuditItems(items);
  EXPECT_TRUE(DecodeAuditItems(encoded, &back));
  EXPECT_EQ(back, items);
  AuditItemList list(items);
  EXPECT_EQ(list.size(), items.size());
  EXPECT_EQ(list.Items(), items);
  EXPECT_EQ(list.Release(), encoded);
  EXPECT_TRUE(list.empty());

  // The compact forms were chosen: a typed id with a timestamp is tag + type index + 16 bytes
  // + the varint of its distance from the previous timestamp.
  AuditItemList list2;
  list2.Add("indicator--" + uuid, "2024-01-01T00:00:00.000Z");
  size_t before = list2.encoded().size();
  list2.Add("indicator--" + uuid, "2024-01-01T00:00:00.000Z");  // the same instant: 1 byte
  EXPECT_EQ(list2.encoded().size() - before, 19u);
  before = list2.encoded().size();
  list2.Add("indicator--" + uuid, "2024-01-01T00:00:00.001Z");  // 1 ms later: 3 bytes
  EXPECT_EQ(list2.encoded().size() - before, 21u);
  before = list2.encoded().size();
  list2.Add("indicator--" + uuid, "1999-01-01T00:00:00.001Z");  // decades earlier: 9 bytes
  EXPECT_EQ(list2.encoded().size() - before, 27u);
}

TEST(AuditItemsCodecTest, NotesControlCharactersInEveryTextPart) {
  const std::string uuid = "6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  AuditItemList clean({{"indicator--" + uuid, "2024-01-01T00:00:00Z"}, {"raw id", "raw v"}});
  EXPECT_FALSE(clean.has_control_character());
  for (const AuditItem& bad : std::vector<AuditItem>{{"ind\x01icator--" + uuid, ""},  // type
                                                     {"raw\x1eid", ""},               // raw id
                                                     {"indicator--" + uuid, "v\n"}}) {  // version
    AuditItemList list({{"indicator--" + uuid, "2024-01-01T00:00:00Z"}, bad});
    EXPECT_TRUE(list.has_control_character()) << bad.object_id << " " << bad.version;
    (void)list.Release();
    EXPECT_FALSE(list.has_control_character());
  }
}

TEST(AuditItemsCodecTest, TimestampsRoundTripAcrossPrecisions) {
  std::vector<AuditItem> items;
  for (int digits = 0; digits <= 9; ++digits) {
    std::string v = "2023-11-14T22:13:20";
    if (digits) v += "." + std::string("123456789").substr(0, digits);
    items.push_back({"indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8", v + "Z"});
  }
  items.push_back({"x--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "1678-01-01T00:00:00.000Z"});
  items.push_back({"x--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "2261-12-31T23:59:59.999Z"});
  items.push_back({"x--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "1969-12-31T23:59:59.999Z"});
  items.push_back({"x--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "1678-01-01T00:00:00Z"});  // far back
  items.push_back({"x--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "2261-12-31T23:59:59.999999999Z"});
  std::vector<AuditItem> back;
  EXPECT_TRUE(DecodeAuditItems(EncodeAuditItems(items), &back));
  EXPECT_EQ(back, items);
}

TEST(AuditItemsCodecTest, RefusesMalformed) {
  std::vector<AuditItem> back;
  EXPECT_TRUE(DecodeAuditItems(std::string(1, char{kAuditItemsFormat}), &back));  // no items
  EXPECT_TRUE(back.empty());
  EXPECT_FALSE(DecodeAuditItems("", &back));                  // no format byte
  EXPECT_FALSE(DecodeAuditItems("a--1\x1fv1\x1e", &back));    // the old text form
  const std::string good =
      EncodeAuditItems({{"indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "2024-01-01T00:00:00Z"},
                        {"raw", "v"}});
  const size_t first_item_end =
      EncodeAuditItems({{"indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "2024-01-01T00:00:00Z"}})
          .size();
  for (size_t cut = 2; cut < good.size(); ++cut) {  // 1: the format byte alone, a valid empty list
    if (cut == first_item_end) continue;           // a valid list of the first item
    EXPECT_FALSE(DecodeAuditItems(good.substr(0, cut), &back)) << "cut at " << cut;
  }
  auto with_byte = [&](size_t at, char c) {
    std::string s = good;
    s[at] = c;
    return s;
  };
  EXPECT_FALSE(DecodeAuditItems(with_byte(1, '\x80'), &back));  // tag bit 7
  EXPECT_FALSE(DecodeAuditItems(with_byte(1, '\x06'), &back));  // version kind 3
  EXPECT_FALSE(DecodeAuditItems(with_byte(1, '\x52'), &back));  // 10 fraction digits
  EXPECT_FALSE(DecodeAuditItems(with_byte(1, '\x0c'), &back));  // digits on a raw version
  EXPECT_FALSE(DecodeAuditItems(with_byte(2, '\x01'), &back));  // type index never defined
  EXPECT_FALSE(DecodeAuditItems(with_byte(3, '\x00'), &back));  // type of length 0
  EXPECT_FALSE(DecodeAuditItems(with_byte(0, '\x01'), &back));  // another format
  // A varint that never ends.
  EXPECT_FALSE(DecodeAuditItems(std::string{char{kAuditItemsFormat}, '\x01'} + std::string(12, '\xff'),
                                &back));
}

TEST(AuditItemsCodecTest, OpenRefusesAnotherFormat) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tabadul-saudit-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/t.db";
  ASSERT_TRUE(SqliteAuditLog::Open(path, false).ok());
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE audit_meta SET value = 1 WHERE key = 'format'").ok());
  }
  auto again = SqliteAuditLog::Open(path, false);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove_all(tmpl);
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
