#include "audit/disclosure_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include "audit/audit_test_util.h"
#include "audit/chain.h"

namespace tabadul::audit {
namespace {

using testing::FixedKey;
using testing::MakeDisclosure;
using testing::Sql;
using testing::TempDir;

constexpr int64_t kStart = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z

class DisclosureLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<DisclosureLog> OpenLog(LogOptions options = {}, char key_fill = '\x01') {
    auto log = DisclosureLog::Open(db_, FixedKey(key_fill), clock_, options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return std::move(log).value();
  }
  // Appends records 1..n (one second apart) and closes the log, so the file is checkpointed.
  void Fill(int n) {
    auto log = OpenLog();
    for (int i = 1; i <= n; ++i) {
      clock_.Advance(1'000'000);
      ASSERT_TRUE(log->Append(MakeDisclosure(i)).ok());
    }
  }
  VerifyReport VerifyNow() {
    auto log = OpenLog();
    auto report = log->Verify();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return *report;
  }
  void ExpectBad(const VerifyReport& r, int64_t seq, std::string_view reason_part) {
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.bad_seq, seq) << r.reason;
    EXPECT_NE(r.reason.find(reason_part), std::string::npos) << r.reason;
  }

  TempDir dir_;
  std::string db_ = dir_.Join("tabadul.db");
  FakeClock clock_{kStart};
};

TEST_F(DisclosureLogTest, IntactLogVerifies) {
  Fill(5);
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.records_checked, 5);
  EXPECT_EQ(r.last_seq, 5);
}

TEST_F(DisclosureLogTest, EmptyLogVerifiesAndHasGenesisHead) {
  auto log = OpenLog();
  auto r = log->Verify();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->records_checked, 0);
  auto head = log->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 0);
  EXPECT_EQ(head->hash, kGenesisHash);
  auto check = log->CheckHead(*head);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->reason;
}

TEST_F(DisclosureLogTest, RecordsCarryFieldsAndLinks) {
  Fill(3);
  auto log = OpenLog();
  auto recs = log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 3u);
  const Record& r2 = (*recs)[1];
  EXPECT_EQ(r2.seq, 2);
  EXPECT_EQ(r2.time_us, kStart + 2'000'000);
  EXPECT_EQ(r2.user, "alice");
  EXPECT_EQ(r2.agreement_id, "");
  EXPECT_EQ((*recs)[0].agreement_id, "agreement-a");
  EXPECT_EQ(r2.items, testing::MakeVersions(2));
  EXPECT_EQ(r2.merkle_root, MerkleRoot(r2.items));
  EXPECT_EQ(r2.prev_hash, (*recs)[0].hash);
  EXPECT_EQ((*recs)[0].prev_hash, kGenesisHash);
  EXPECT_EQ(r2.hash, RecordHash(r2));
}

// ---- Tampering, each detected at the right seq ------------------------------------------------

TEST_F(DisclosureLogTest, ChangedFieldIsDetected) {
  Fill(5);
  Sql(db_, "UPDATE audit_records SET org_id = 'identity--someone-else' WHERE seq = 3");
  ExpectBad(VerifyNow(), 3, "do not match its hash");
}

TEST_F(DisclosureLogTest, ChangedTimeIsDetected) {
  Fill(5);
  Sql(db_, "UPDATE audit_records SET time_us = time_us + 1 WHERE seq = 4");
  ExpectBad(VerifyNow(), 4, "do not match its hash");
}

TEST_F(DisclosureLogTest, ChangedDeliveredVersionIsDetected) {
  Fill(5);
  auto items = testing::MakeVersions(2);
  items[0].version = "2024-01-09T00:00:00.000Z";
  testing::SetItems(db_, 2, items);
  ExpectBad(VerifyNow(), 2, "Merkle root");
}

TEST_F(DisclosureLogTest, RemovedDeliveredVersionIsDetected) {
  Fill(5);
  // Record 3 delivered one version (3 % 3 + 1); record 5 delivered three: drop its last one and
  // fix the count so that only the Merkle root can tell.
  auto items = testing::MakeVersions(5);
  items.resize(1);
  testing::SetItems(db_, 5, items, 1);
  ExpectBad(VerifyNow(), 5, "Merkle root");
}

TEST_F(DisclosureLogTest, MalformedItemsAreDetected) {
  Fill(5);
  Sql(db_, "UPDATE audit_records SET items = substr(items, 1, length(items) - 1) WHERE seq = 1");
  ExpectBad(VerifyNow(), 1, "malformed");
}

TEST_F(DisclosureLogTest, ItemCountDisagreeingWithTheItemsIsDetected) {
  Fill(5);
  Sql(db_, "UPDATE audit_records SET item_count = item_count + 1 WHERE seq = 2");
  ExpectBad(VerifyNow(), 2, "malformed");
}

TEST_F(DisclosureLogTest, FlippedBitInAStoredUuidIsDetected) {
  Fill(5);
  // Record 3 delivered one indicator version: format, tag, type index, type length, the 9 bytes
  // of "indicator", then the UUID's 16 bytes (offsets 13..28). Flip one bit of the UUID.
  auto items = testing::MakeVersions(3);
  std::string encoded = store::EncodeAuditItems(items);
  ASSERT_EQ(encoded.substr(4, 9), "indicator");
  encoded[20] ^= 0x01;
  std::vector<store::AuditItem> changed;
  ASSERT_TRUE(store::DecodeAuditItems(encoded, &changed));
  EXPECT_NE(changed, items);  // another, well-formed id
  Sql(db_, "UPDATE audit_records SET items = X'" + ToHex(encoded) + "' WHERE seq = 3");
  ExpectBad(VerifyNow(), 3, "Merkle root");
}

TEST_F(DisclosureLogTest, FlippedByteInTheFileIsDetected) {
  {
    auto log = OpenLog();
    for (int i = 1; i <= 5; ++i) {
      clock_.Advance(1'000'000);
      ASSERT_TRUE(log->Append(MakeDisclosure(i, "identity--" + testing::Uuid(1),
                                             i == 4 ? "user-marker-qzx" : "alice"))
                      .ok());
    }
  }  // closing the last connection checkpoints the WAL into the main file
  std::string bytes;
  {
    std::ifstream in(db_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = bytes.find("user-marker-qzx");
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bytes.find("user-marker-qzx", at + 1), std::string::npos);
  bytes[at + 5] ^= 0x01;  // 'm' -> 'l'
  {
    std::ofstream out(db_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  ExpectBad(VerifyNow(), 4, "do not match its hash");
}

TEST_F(DisclosureLogTest, DroppedRecordIsDetected) {
  Fill(5);
  Sql(db_, "DELETE FROM audit_records WHERE seq = 3");
  ExpectBad(VerifyNow(), 3, "seq 3 is missing");
}

TEST_F(DisclosureLogTest, DroppedAndRenumberedRecordIsDetected) {
  Fill(5);
  Sql(db_, "DELETE FROM audit_records WHERE seq = 3;"
           "UPDATE audit_records SET seq = -(seq - 1) WHERE seq > 3;"
           "UPDATE audit_records SET seq = -seq WHERE seq < 0;");
  ExpectBad(VerifyNow(), 3, "does not link to seq 2");
}

// Makes room at seq 3 by moving 3..5 up by one.
void ShiftFromThree(const std::string& db) {
  Sql(db, "UPDATE audit_records SET seq = -(seq + 1) WHERE seq >= 3;"
          "UPDATE audit_records SET seq = -seq WHERE seq < 0;");
}

TEST_F(DisclosureLogTest, InsertedRecordIsDetected) {
  Fill(5);
  ShiftFromThree(db_);
  // A copy of record 2 at seq 3, hash and all: its hash does not cover seq 3.
  Sql(db_, "INSERT INTO audit_records SELECT 3, time_us, org_id, user_name, path, agreement_id,"
           " collection_id, item_count, items, merkle_root, hash, hash FROM audit_records"
           " WHERE seq = 2");
  ExpectBad(VerifyNow(), 3, "do not match its hash");
}

TEST_F(DisclosureLogTest, InsertedWellChainedRecordIsDetectedAtTheNextOne) {
  Fill(5);
  std::string prev_hash;
  {
    auto log = OpenLog();
    auto recs = log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX);
    ASSERT_TRUE(recs.ok());
    prev_hash = (*recs)[1].hash;
  }
  ShiftFromThree(db_);
  // A forger who knows the hash function: the inserted record is perfect, the next one no
  // longer links to it.
  Record forged;
  forged.seq = 3;
  forged.time_us = kStart + 2'500'000;
  forged.org_id = "identity--" + testing::Uuid(1);
  forged.user = "alice";
  forged.path = "/api/forged/";
  forged.collection_id = testing::Uuid(100);
  forged.items = {{"indicator--" + testing::Uuid(9), "2024-02-02T00:00:00.000Z"}};
  forged.item_count = 1;
  forged.merkle_root = MerkleRoot(forged.items);
  forged.prev_hash = prev_hash;
  forged.hash = RecordHash(forged);
  Sql(db_, "INSERT INTO audit_records VALUES (3, " + std::to_string(forged.time_us) + ", '" +
               forged.org_id + "', 'alice', '/api/forged/', '', '" + forged.collection_id +
               "', 1, X'" + ToHex(store::EncodeAuditItems(forged.items)) + "', '" + forged.merkle_root +
               "', '" + forged.prev_hash + "', '" + forged.hash + "')");
  ExpectBad(VerifyNow(), 4, "does not link to seq 3");
}

TEST_F(DisclosureLogTest, SwappedRecordsAreDetected) {
  Fill(5);
  Sql(db_, "UPDATE audit_records SET seq = -seq WHERE seq IN (2, 4);"
           "UPDATE audit_records SET seq = 4 WHERE seq = -2;"
           "UPDATE audit_records SET seq = 2 WHERE seq = -4;");
  ExpectBad(VerifyNow(), 2, "does not link to seq 1");
}

TEST_F(DisclosureLogTest, SwappedContentsAreDetected) {
  Fill(5);
  // Exchange everything but seq between rows 2 and 4.
  Sql(db_, "CREATE TEMP TABLE t AS SELECT * FROM audit_records WHERE seq IN (2, 4);"
           "UPDATE audit_records SET (time_us, org_id, user_name, path, agreement_id,"
           " collection_id, item_count, items, merkle_root, prev_hash, hash) = (SELECT time_us,"
           " org_id, user_name, path, agreement_id, collection_id, item_count, items,"
           " merkle_root, prev_hash, hash FROM t WHERE t.seq = 6 - audit_records.seq)"
           " WHERE seq IN (2, 4);");
  ExpectBad(VerifyNow(), 2, "does not link to seq 1");
}

TEST_F(DisclosureLogTest, TruncatedTailIsDetectedAgainstAKeptHead) {
  Fill(5);
  SignedHead kept;
  {
    auto log = OpenLog();
    auto head = log->Head();
    ASSERT_TRUE(head.ok());
    kept = *head;
    EXPECT_EQ(kept.seq, 5);
  }
  // The tamperer also removes the heads the log remembers: the chain alone looks intact...
  Sql(db_, "DELETE FROM audit_records WHERE seq >= 4; DELETE FROM audit_heads;");
  EXPECT_TRUE(VerifyNow().ok);
  // ...but the partner's head proves the loss.
  auto log = OpenLog();
  auto check = log->CheckHead(kept);
  ASSERT_TRUE(check.ok());
  ExpectBad(*check, 4, "records 4..5 were removed");
}

TEST_F(DisclosureLogTest, TruncatedTailIsDetectedAgainstTheLogsOwnHeads) {
  Fill(5);
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Head().ok());
  }
  Sql(db_, "DELETE FROM audit_records WHERE seq >= 4");
  ExpectBad(VerifyNow(), 4, "were removed");
}

TEST_F(DisclosureLogTest, RewrittenChainIsDetectedByAHead) {
  Fill(5);
  SignedHead kept;
  {
    auto log = OpenLog();
    kept = *log->Head();
  }
  // Change record 2 and recompute every hash after it, as a forger without the key would.
  {
    auto log = OpenLog();
    auto recs = *log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX);
    recs[1].user = "mallory";
    for (size_t i = 1; i < recs.size(); ++i) {
      recs[i].prev_hash = recs[i - 1].hash;
      recs[i].hash = RecordHash(recs[i]);
      Sql(db_, "UPDATE audit_records SET user_name = '" + recs[i].user + "', prev_hash = '" +
                   recs[i].prev_hash + "', hash = '" + recs[i].hash +
                   "' WHERE seq = " + std::to_string(recs[i].seq));
    }
  }
  ExpectBad(VerifyNow(), 5, "rewritten");  // the head the log stored
  Sql(db_, "DELETE FROM audit_heads");
  auto log = OpenLog();
  auto check = log->CheckHead(kept);
  ASSERT_TRUE(check.ok());
  ExpectBad(*check, 5, "rewritten");
}

TEST_F(DisclosureLogTest, ForgedStoredHeadIsDetected) {
  Fill(3);
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Head().ok());
  }
  Sql(db_, "UPDATE audit_heads SET time_us = time_us + 1");
  ExpectBad(VerifyNow(), 3, "invalid signature");
}

// ---- Signed heads -------------------------------------------------------------------------

TEST_F(DisclosureLogTest, HeadIsSignedAndChecks) {
  Fill(4);
  auto log = OpenLog();
  clock_.Set(kStart + 99'000'000);
  auto head = log->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 4);
  EXPECT_EQ(head->time_us, kStart + 99'000'000);
  EXPECT_EQ(head->public_key, FixedKey().PublicKeyHex());
  EXPECT_TRUE(SignatureValid(*head));
  auto check = log->CheckHead(*head);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->reason;
  // The log grows: an old head stays valid.
  ASSERT_TRUE(log->Append(MakeDisclosure(7)).ok());
  check = log->CheckHead(*head);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->reason;
  EXPECT_EQ(check->last_seq, 5);
}

TEST_F(DisclosureLogTest, ModifiedHeadIsRefused) {
  Fill(4);
  auto log = OpenLog();
  SignedHead head = *log->Head();
  SignedHead older = head;
  older.seq = 3;  // claims less than was signed
  auto check = log->CheckHead(older);
  ASSERT_TRUE(check.ok());
  ExpectBad(*check, 3, "invalid signature");
  SignedHead rehashed = head;
  rehashed.hash[0] = rehashed.hash[0] == 'a' ? 'b' : 'a';
  check = log->CheckHead(rehashed);
  ExpectBad(*check, 4, "invalid signature");
}

TEST_F(DisclosureLogTest, HeadFromAnotherKeyIsRefused) {
  Fill(2);
  SignedHead foreign;
  {
    TempDir other;
    auto other_log = DisclosureLog::Open(other.Join("x.db"), FixedKey('\x07'), clock_);
    ASSERT_TRUE(other_log.ok());
    ASSERT_TRUE((*other_log)->Append(MakeDisclosure(1)).ok());
    ASSERT_TRUE((*other_log)->Append(MakeDisclosure(2)).ok());
    foreign = *(*other_log)->Head();
  }
  auto log = OpenLog();
  auto check = log->CheckHead(foreign);
  ASSERT_TRUE(check.ok());
  ExpectBad(*check, 2, "another key");
}

// ---- Appending ------------------------------------------------------------------------------

TEST_F(DisclosureLogTest, RefusesEmptyAndControlCharacters) {
  auto log = OpenLog();
  Disclosure d = MakeDisclosure(1);
  d.versions = {};
  EXPECT_EQ(log->Append(d).code(), StatusCode::kInvalidArgument);
  d = MakeDisclosure(1);
  auto items = testing::MakeVersions(1);
  items[0].object_id += '\x1e';
  d.versions = store::AuditItemList(items);
  EXPECT_EQ(log->Append(d).code(), StatusCode::kInvalidArgument);
  items = testing::MakeVersions(1);
  items[1].version = "v\n1";
  d.versions = store::AuditItemList(items);
  EXPECT_EQ(log->Append(d).code(), StatusCode::kInvalidArgument);
  auto r = log->Verify();
  EXPECT_EQ(r->records_checked, 0);
}

TEST_F(DisclosureLogTest, FieldsWithSeparatorsDoNotCollide) {
  // Length-prefixed fields: moving a character from one field to the next changes the hash.
  auto log = OpenLog();
  Disclosure a = MakeDisclosure(1), b = MakeDisclosure(1);
  a.user = "ab";
  a.path = "c";
  b.user = "a";
  b.path = "bc";
  ASSERT_TRUE(log->Append(a).ok());
  ASSERT_TRUE(log->Append(b).ok());
  auto recs = *log->Received(a.org_id, 0, INT64_MAX);
  Record swapped = recs[1];
  swapped.user = "ab";
  swapped.path = "c";
  EXPECT_NE(RecordHash(swapped), recs[1].hash);
}

TEST_F(DisclosureLogTest, ReopenedLogContinuesTheChain) {
  Fill(3);
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Append(MakeDisclosure(4)).ok());
  }
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.last_seq, 4);
}

TEST_F(DisclosureLogTest, ConcurrentAppendersShareOneChain) {
  auto log = OpenLog();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(log->Append(MakeDisclosure(i, "identity--" + testing::Uuid(10 + t))).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto r = log->Verify();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << r->reason;
  EXPECT_EQ(r->records_checked, 200);
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(log->Received("identity--" + testing::Uuid(10 + t), 0, INT64_MAX)->size(), 50u);
  }
}

// Waiting appenders commit the queue themselves, one leader at a time; with small batches many
// leaders take turns and some records wait through several commits before theirs.
TEST_F(DisclosureLogTest, WaitingAppendersLeadCommitsInTurn) {
  for (size_t max_batch : {1u, 3u}) {
    TempDir dir;
    LogOptions options;
    options.max_batch = max_batch;
    auto log = DisclosureLog::Open(dir.Join("audit.db"), FixedKey(), clock_, options);
    ASSERT_TRUE(log.ok());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 40; ++i) {
          if (!(*log)->Append(MakeDisclosure(i, "identity--" + testing::Uuid(10 + t))).ok()) {
            ++failures;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto r = (*log)->Verify();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->ok) << r->reason;
    EXPECT_EQ(r->records_checked, 240) << "max_batch " << max_batch;
  }
}

TEST_F(DisclosureLogTest, AsyncAppendsAreCommittedByFlushAndOnClose) {
  LogOptions async;
  async.wait_for_commit = false;
  async.max_queue = 64;  // exercises back-pressure
  {
    auto log = OpenLog(async);
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(log->Append(MakeDisclosure(i)).ok());
    ASSERT_TRUE(log->Flush().ok());
    EXPECT_EQ(log->Verify()->records_checked, 300);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(log->Append(MakeDisclosure(i)).ok());
  }  // the destructor drains the queue
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.records_checked, 400);
}

// ---- Queries --------------------------------------------------------------------------------

TEST_F(DisclosureLogTest, WhoReceivedAnObject) {
  auto log = OpenLog();
  const std::string x = "indicator--" + testing::Uuid(77);
  const std::string acme = "identity--" + testing::Uuid(1), globex = "identity--" + testing::Uuid(2);
  auto with_x = [&](const std::string& org, const std::string& user, const std::string& version) {
    Disclosure d = MakeDisclosure(5, org, user);
    auto items = testing::MakeVersions(5);
    items.insert(items.begin() + 1, {x, version});
    d.versions = store::AuditItemList(items);
    return d;
  };
  clock_.Advance(10);
  ASSERT_TRUE(log->Append(with_x(acme, "alice", "2024-01-01T00:00:00.000Z")).ok());
  clock_.Advance(10);
  ASSERT_TRUE(log->Append(MakeDisclosure(6, globex, "bob")).ok());
  clock_.Advance(10);
  ASSERT_TRUE(log->Append(with_x(globex, "bob", "2024-03-01T00:00:00.000Z")).ok());
  auto who = log->WhoReceived(x);
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->size(), 2u);
  EXPECT_EQ((*who)[0].seq, 1);
  EXPECT_EQ((*who)[0].org_id, acme);
  EXPECT_EQ((*who)[0].user, "alice");
  EXPECT_EQ((*who)[0].version, "2024-01-01T00:00:00.000Z");
  EXPECT_EQ((*who)[0].time_us, kStart + 10);
  EXPECT_EQ((*who)[1].seq, 3);
  EXPECT_EQ((*who)[1].org_id, globex);
  EXPECT_EQ((*who)[1].version, "2024-03-01T00:00:00.000Z");
  EXPECT_TRUE(log->WhoReceived("indicator--" + testing::Uuid(78))->empty());
}

TEST_F(DisclosureLogTest, WhoReceivedIgnoresForgedIndexEntries) {
  Fill(3);
  const std::string x = "indicator--" + testing::Uuid(4242);
  Sql(db_, "INSERT INTO audit_items VALUES ('" + x + "', 2)");
  auto log = OpenLog();
  EXPECT_TRUE(log->WhoReceived(x)->empty());
}

TEST_F(DisclosureLogTest, WhatAnOrganizationReceivedInAWindow) {
  auto log = OpenLog();
  const std::string acme = "identity--" + testing::Uuid(1), globex = "identity--" + testing::Uuid(2);
  for (int i = 1; i <= 6; ++i) {
    clock_.Set(kStart + i * 1'000'000);
    ASSERT_TRUE(log->Append(MakeDisclosure(i, i % 2 ? acme : globex)).ok());
  }
  // acme got 1, 3, 5 at +1s, +3s, +5s; [+2s, +5s) holds only 3.
  auto recs = log->Received(acme, kStart + 2'000'000, kStart + 5'000'000);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].seq, 3);
  EXPECT_EQ((*recs)[0].items, testing::MakeVersions(3));
  EXPECT_EQ(log->Received(acme, 0, INT64_MAX)->size(), 3u);
  EXPECT_EQ(log->Received(globex, kStart + 5'000'000, INT64_MAX)->size(), 1u);
  EXPECT_TRUE(log->Received("identity--nobody", 0, INT64_MAX)->empty());
}

}  // namespace
}  // namespace tabadul::audit
