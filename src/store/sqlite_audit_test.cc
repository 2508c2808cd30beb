#include "store/sqlite_audit.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>

#include "common/timestamp.h"

namespace tabadul::store {
namespace {

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

// Every byte value at every digit of a UUID: only [0-9a-f] keeps the compact (typed) form, and
// every id decodes back to itself either way.
TEST(AuditItemsCodecTest, OnlyLowercaseHexDigitsMakeATypedId) {
  const std::string uuid = "6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  AuditItemList base;
  base.Add("x--" + uuid, "");
  const size_t typed_size = base.encoded().size() - 1;
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    for (size_t at = 0; at < uuid.size(); ++at) {
      if (uuid[at] == '-') continue;
      std::string id = "x--" + uuid;
      id[3 + at] = c;
      AuditItemList list;
      list.Add(id, "");
      ASSERT_EQ(list.encoded().size() - 1 == typed_size, hex) << "byte " << b << " at " << at;
      const auto back = list.Items();
      ASSERT_EQ(back.size(), 1u);
      ASSERT_EQ(back[0].object_id, id) << "byte " << b << " at " << at;
    }
  }
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
  EXPECT_FALSE(DecodeAuditItems(with_byte(1, '\x80'), &back));  // an agreement index 0 (explicit)
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

// Each item names the agreement it was delivered under; the list keeps the distinct ones in
// first-use order, in the table the record's agreement_id carries.
TEST(AuditItemsCodecTest, AgreementsRoundTripThroughTheTable) {
  const std::string id = "indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  const std::string t = "2024-01-01T00:00:00Z";
  auto round_trip = [](const std::vector<AuditItem>& items, const std::string& want_table) {
    AuditItemList list(items);
    EXPECT_EQ(list.agreement_table(), want_table);
    EXPECT_EQ(list.Items(), items);
    std::vector<AuditItem> back;
    EXPECT_TRUE(DecodeAuditItems(list.encoded(), list.agreement_table(), &back));
    EXPECT_EQ(back, items);
    AuditItemsReader reader(list.encoded(), list.agreement_table());
    AuditItemView view;
    size_t n = 0;
    while (reader.Next(&view)) {
      EXPECT_EQ(view.agreement, items[n].agreement);
      ++n;
    }
    EXPECT_FALSE(reader.malformed());
    EXPECT_EQ(n, items.size());
    return list.encoded();
  };
  // None: the table {""} travels as "", and costs nothing.
  const std::string none = round_trip({{id, t}, {"raw", "v"}, {id, ""}}, "");
  EXPECT_EQ(none, EncodeAuditItems({{id, t}, {"raw", "v"}, {id, ""}}));
  // One: index 0 everywhere, so the same bytes as without agreements.
  EXPECT_EQ(round_trip({{id, t, "a@v1"}, {"raw", "v", "a@v1"}, {id, "", "a@v1"}}, "a@v1"), none);
  // Several, interleaved with empty ones; the empty agreement is an entry like the others.
  round_trip({{id, t, "a@v1"}, {id, t, "b@v2"}, {id, t, ""}, {id, t, "a@v1"}, {"raw", "v", "b@v2"},
              {id, t, "c.d_e-f@v10"}, {id, t, ""}},
             "a@v1 b@v2  c.d_e-f@v10");
  round_trip({{id, t, ""}, {id, t, "a@v1"}, {id, t, ""}}, " a@v1");
  round_trip({{id, t, "a@v1"}, {id, t, ""}}, "a@v1 ");
  // A second agreement costs one byte on its items only.
  AuditItemList list;
  list.Add(id, t, "a@v1");
  size_t before = list.encoded().size();
  list.Add(id, t, "a@v1");
  const size_t plain = list.encoded().size() - before;
  before = list.encoded().size();
  list.Add(id, t, "b@v1");
  EXPECT_EQ(list.encoded().size() - before, plain + 1);
  // Release empties the table too.
  (void)list.Release();
  EXPECT_EQ(list.agreement_table(), "");
  // A space or control character in an agreement would split the table: noted like a control
  // character in an id (DisclosureLog::Append refuses the list).
  EXPECT_FALSE(AuditItemList({{id, t, "a@v1"}}).has_control_character());
  EXPECT_TRUE(AuditItemList({{id, t, "a b"}}).has_control_character());
  EXPECT_TRUE(AuditItemList({{id, t, "a"}, {id, t, "b\n"}}).has_control_character());
}

TEST(AuditItemsCodecTest, AnAgreementIndexOutsideTheTableIsMalformed) {
  const std::string id = "indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  AuditItemList list({{id, "v", "a@v1"}, {id, "v", "b@v1"}, {id, "v", "c@v1"}});
  ASSERT_EQ(list.agreement_table(), "a@v1 b@v1 c@v1");
  std::vector<AuditItem> back;
  EXPECT_TRUE(DecodeAuditItems(list.encoded(), "a@v1 b@v1 c@v1", &back));
  // The same bytes with a shorter table: index 2 is out of range.
  EXPECT_FALSE(DecodeAuditItems(list.encoded(), "a@v1 b@v1", &back));
  EXPECT_EQ(back.size(), 2u);  // what decoded before the bad item
  EXPECT_FALSE(DecodeAuditItems(list.encoded(), "", &back));
  EXPECT_FALSE(DecodeAuditItems(list.encoded(), &back));
  EXPECT_EQ(back.size(), 1u);
  // A longer table reads fine (the record hash, not the codec, ties the table to the items).
  EXPECT_TRUE(DecodeAuditItems(list.encoded(), "x y z w", &back));
  EXPECT_EQ(back[2].agreement, "z");
  // An index that never ends, and an explicit 0.
  std::string bad = std::string{char{kAuditItemsFormat}, '\x80'} + std::string(12, '\xff');
  EXPECT_FALSE(DecodeAuditItems(bad, "a b", &back));
  bad = std::string{char{kAuditItemsFormat}, '\x81', '\x00', '\x01', 'x'};
  EXPECT_FALSE(DecodeAuditItems(bad, "a b", &back));
  bad[2] = '\x01';
  EXPECT_TRUE(DecodeAuditItems(bad, "a b", &back));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], (AuditItem{"x", "", "b"}));
}

// Every byte value at every place of a canonical timestamp: only text that FormatTimestamp
// writes back takes the compact form, and every version decodes back to itself.
TEST(AuditItemsCodecTest, OnlyCanonicalTimestampTextIsCompact) {
  const std::string id = "indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  for (const std::string canonical :
       {"2024-05-06T07:08:09.123456789Z", "2024-05-06T07:08:09.1234Z", "2024-05-06T07:08:09Z"}) {
    for (size_t at = 0; at < canonical.size(); ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string v = canonical;
        v[at] = static_cast<char>(b);
        AuditItemList list;
        list.Add(id, v);
        const auto back = list.Items();
        ASSERT_EQ(back.size(), 1u);
        ASSERT_EQ(back[0].version, v) << "byte " << b << " at " << at << " of " << canonical;
        const bool compact = (static_cast<uint8_t>(list.encoded()[1]) >> 1 & 3) == 1;
        if (v == canonical) EXPECT_TRUE(compact) << v;
        if (b < '0' || b > '9') EXPECT_EQ(compact, v == canonical) << v;
      }
    }
  }
}

// The same, each mutated text right after a valid one of the same day in one list: the day's
// validation is remembered from item to item, and must neither let a mutated date through nor
// skip the checks of the time that follows it.
TEST(AuditItemsCodecTest, RememberedDayLetsNothingMalformedThrough) {
  const std::string id = "indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  for (const std::string canonical : {"2024-02-29T07:08:09.123Z", "2023-12-31T23:59:59Z"}) {
    for (size_t at = 0; at < canonical.size(); ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string v = canonical;
        v[at] = static_cast<char>(b);
        AuditItemList list;
        list.Add(id, canonical);  // remembers the day
        list.Add(id, v);
        list.Add(id, canonical);
        const auto back = list.Items();
        ASSERT_EQ(back.size(), 3u);
        ASSERT_EQ(back[1].version, v) << "byte " << b << " at " << at << " of " << canonical;
        ASSERT_EQ(back[2].version, canonical);
        if (b < '0' || b > '9') {
          // The second item's tag: compact (a timestamp) exactly when the text is canonical.
          AuditItemsReader reader(list.encoded());
          AuditItemView item;
          ASSERT_TRUE(reader.Next(&item));
          ASSERT_TRUE(reader.Next(&item));
          EXPECT_EQ(item.version_kind == AuditVersionKind::kTimestamp, v == canonical) << v;
        }
      }
    }
  }
  // Days that do not exist, after a valid day of the same month.
  AuditItemList list;
  const std::vector<std::string> versions = {"2023-02-28T00:00:00Z", "2023-02-29T00:00:00Z",
                                             "2024-02-29T00:00:00Z", "2024-02-30T00:00:00Z",
                                             "2024-04-30T23:59:59Z", "2024-04-31T00:00:00Z"};
  for (const auto& v : versions) list.Add(id, v);
  const auto back = list.Items();
  ASSERT_EQ(back.size(), versions.size());
  for (size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(back[i].version, versions[i]);
  AuditItemsReader reader(list.encoded());
  AuditItemView item;
  std::vector<bool> compact;
  while (reader.Next(&item)) compact.push_back(item.version_kind == AuditVersionKind::kTimestamp);
  EXPECT_EQ(compact, (std::vector<bool>{true, false, true, false, true, false}));
}

// Every version text decodes back to itself, whichever path encoded it: the fast canonical one
// (timestamps as FormatTimestamp writes them) or the general one (leap seconds, days that do not
// exist, years out of range, odd precisions, upper-case UUIDs).
TEST(AuditItemsCodecTest, RandomAndAwkwardVersionsRoundTrip) {
  std::mt19937_64 rng(42);
  std::vector<AuditItem> items;
  for (int i = 0; i < 3000; ++i) {
    const int64_t ns = static_cast<int64_t>(rng() % 4'000'000'000'000'000'000ULL) -
                       1'000'000'000'000'000'000LL;
    items.push_back({"indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8",
                     FormatTimestamp(ns, static_cast<int>(rng() % 10))});
  }
  for (const char* v : {"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
                        "2016-12-31T23:59:60Z", "2016-12-31T23:59:60.5Z", "1600-01-01T00:00:00Z",
                        "2300-01-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-13-01T00:00:00Z",
                        "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.0000000000Z",
                        "2024-01-01t00:00:00z", "2024-01-01T00:00:00+00:00", "2024-1-01T00:00:00Z",
                        "2024-01-01T00:00:00.123Z", "2000-02-29T12:34:56.789012345Z", ""}) {
    items.push_back({"indicator--6BA7B810-9DAD-41D1-80B4-00C04FD430C8", v});
  }
  AuditItemList list(items);
  EXPECT_EQ(list.Items(), items);
  std::vector<AuditItem> back;
  EXPECT_TRUE(DecodeAuditItems(list.encoded(), &back));
  EXPECT_EQ(back, items);
}

class SqliteAuditIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tabadul-saudit-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto index = SqliteAuditIndex::Open(path());
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(index).value();
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path() const { return dir_ + "/t.db"; }
  // Record i: at offset 100 * i, to organization o<i % 3>, at time 10 * i, delivering x--<i % 100>
  // and y--1.
  static AuditIndexEntry Entry(int64_t i) {
    return {i, 100 * i, 10 * i, "o" + std::to_string(i % 3),
            {"x--" + std::to_string(i % 100), "y--1"}};
  }
  // A producer that hands out records first..last in batches of `batch`.
  static SqliteAuditIndex::Producer Records(int64_t last, int64_t batch, int64_t fail_at = -1) {
    return [=](const AuditIndexState& state) -> Result<SqliteAuditIndex::Batch> {
      SqliteAuditIndex::Batch b;
      b.next = state;
      for (int64_t i = state.seq + 1; i <= last && i <= state.seq + batch; ++i) {
        if (i == fail_at) return Internal("the file could not be read");
        b.entries.push_back(Entry(i));
        b.next = {i, 100 * i + 100};
      }
      return b;
    };
  }

  std::string dir_;
  std::unique_ptr<SqliteAuditIndex> index_;
};

TEST_F(SqliteAuditIndexTest, CatchesUpInBatchesAndAnswersQueries) {
  EXPECT_EQ(index_->State()->seq, 0);
  ASSERT_TRUE(index_->CatchUp(Records(4500, 2000)).ok());  // three transactions
  EXPECT_EQ(index_->State()->seq, 4500);
  EXPECT_EQ(index_->State()->offset, 450100);
  auto hits = index_->Mentioning("x--7", 1000);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 45u);
  EXPECT_EQ((*hits)[0].seq, 7);
  EXPECT_EQ((*hits)[0].offset, 700);
  EXPECT_EQ(index_->Mentioning("y--1", 10000)->size(), 4500u);
  EXPECT_EQ(index_->Mentioning("y--1", 10)->size(), 10u);
  auto of = index_->Of("o1", 30, 100, 10);  // times 30..90 of o1: records 4 and 7
  ASSERT_TRUE(of.ok());
  ASSERT_EQ(of->size(), 2u);
  EXPECT_EQ((*of)[0].seq, 4);
  EXPECT_EQ((*of)[1].seq, 7);
  // Caught up again: only what is new.
  ASSERT_TRUE(index_->CatchUp(Records(4501, 2000)).ok());
  EXPECT_EQ(index_->Mentioning("x--1", 1000)->size(), 46u);
}

TEST_F(SqliteAuditIndexTest, FailedBatchStoresNothing) {
  EXPECT_FALSE(index_->CatchUp(Records(100, 40, /*fail_at=*/50)).ok());
  EXPECT_EQ(index_->State()->seq, 40);  // the first batch stays, the failed one not at all
  EXPECT_TRUE(index_->Mentioning("x--45", 10)->empty());
  ASSERT_TRUE(index_->CatchUp(Records(100, 40)).ok());  // and the connection is usable
  EXPECT_EQ(index_->State()->seq, 100);
  EXPECT_EQ(index_->Mentioning("x--45", 10)->size(), 1u);
}

TEST_F(SqliteAuditIndexTest, RestartEmptiesTheIndexFirst) {
  ASSERT_TRUE(index_->CatchUp(Records(10, 100)).ok());
  bool restarted = false;
  ASSERT_TRUE(index_->CatchUp([&](const AuditIndexState&) -> Result<SqliteAuditIndex::Batch> {
    SqliteAuditIndex::Batch b;
    if (!restarted) {
      restarted = true;
      b.restart = true;
      b.entries = {{1, 16, 5, "other", {"z--1"}}};
      b.next = {1, 116};
    } else {
      b.next = {1, 116};
    }
    return b;
  }).ok());
  EXPECT_EQ(index_->State()->seq, 1);
  EXPECT_TRUE(index_->Mentioning("y--1", 10)->empty());
  EXPECT_EQ(index_->Of("other", 0, 100, 10)->size(), 1u);
}

TEST_F(SqliteAuditIndexTest, HeadsAreKept) {
  ASSERT_TRUE(index_->PutHead({5, "h5", 100, "pk", "sig"}).ok());
  ASSERT_TRUE(index_->PutHead({2, "h2", 50, "pk", "sig2"}).ok());
  auto heads = index_->Heads();
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 2u);
  EXPECT_EQ((*heads)[0].seq, 2);
  EXPECT_EQ((*heads)[1].signature, "sig");
}

TEST_F(SqliteAuditIndexTest, OpenRefusesAnotherFormat) {
  index_.reset();
  {
    auto db = Database::Open(path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE audit_meta SET value = 1 WHERE key = 'format'").ok());
  }
  auto again = SqliteAuditIndex::Open(path());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  // A file of format 3, which kept the records themselves, is named as such.
  const std::string old = dir_ + "/old.db";
  {
    auto db = Database::Open(old);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE audit_records (seq INTEGER PRIMARY KEY)").ok());
  }
  auto refused = SqliteAuditIndex::Open(old);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("format 3"), std::string::npos);
}

}  // namespace
}  // namespace tabadul::store
