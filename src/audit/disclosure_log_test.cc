#include "audit/disclosure_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <thread>

#include "audit/audit_test_util.h"
#include "audit/chain.h"
#include "audit/record_file.h"

namespace tabadul::audit {
namespace {

using testing::EditRecord;
using testing::FixedKey;
using testing::MakeDisclosure;
using testing::ParseFrame;
using testing::Split;
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
  // Appends records 1..n (one second apart) and closes the log.
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
  std::string db_ = dir_.Join("audit.db");
  std::string records_ = dir_.Join("audit.log");
  FakeClock clock_{kStart};
};

TEST_F(DisclosureLogTest, RecordsLiveInTheLogFileBesideTheDatabase) {
  EXPECT_EQ(RecordPath("/d/audit.db"), "/d/audit.log");
  EXPECT_EQ(RecordPath("/d/audit"), "/d/audit.log");
  Fill(2);
  EXPECT_EQ(Split(records_).frames.size(), 2u);
}

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
  EXPECT_EQ(r2.item_count, 3);
  EXPECT_EQ(r2.prev_hash, (*recs)[0].hash);
  EXPECT_EQ((*recs)[0].prev_hash, kGenesisHash);
  EXPECT_EQ(r2.hash, RecordHash(r2));
  // The file holds the same record, byte for byte as chain.h documents it.
  Record from_file = ParseFrame(Split(records_).frames[1]);
  EXPECT_EQ(from_file.hash, r2.hash);
  EXPECT_EQ(from_file.items, r2.items);
}

// ---- Tampering, each detected at the right seq ------------------------------------------------

TEST_F(DisclosureLogTest, ChangedFieldIsDetected) {
  Fill(5);
  EditRecord(records_, 2, [](Record& r) { r.user = "mallory"; });
  ExpectBad(VerifyNow(), 3, "do not match its hash");
}

TEST_F(DisclosureLogTest, ChangedTimeIsDetected) {
  Fill(5);
  EditRecord(records_, 3, [](Record& r) { r.time_us += 1; });
  ExpectBad(VerifyNow(), 4, "do not match its hash");
}

TEST_F(DisclosureLogTest, ChangedDeliveredVersionIsDetected) {
  Fill(5);
  EditRecord(records_, 2, [](Record& r) {
    r.items[0].version = "2024-01-01T00:00:00.001Z";
    r.encoded_items = store::EncodeAuditItems(r.items);
  });
  ExpectBad(VerifyNow(), 3, "do not match its hash");
}

TEST_F(DisclosureLogTest, RemovedDeliveredVersionIsDetected) {
  Fill(5);
  EditRecord(records_, 1, [](Record& r) {  // record 2 delivered three versions
    r.items.pop_back();
    r.encoded_items = store::EncodeAuditItems(r.items);
    r.item_count = 2;
  });
  ExpectBad(VerifyNow(), 2, "do not match its hash");
}

// A forger who recomputes the hash over malformed items of the last record (nothing links to
// it) is still caught by the items check.
TEST_F(DisclosureLogTest, MalformedItemsUnderAMatchingHashAreDetected) {
  Fill(5);
  const std::string original = testing::ReadBytes(records_);
  EditRecord(
      records_, 4, [](Record& r) { r.encoded_items += '\x7f'; }, /*rehash=*/true);
  ExpectBad(VerifyNow(), 5, "malformed");
  testing::WriteBytes(records_, original);
  EditRecord(
      records_, 4, [](Record& r) { r.item_count += 1; }, /*rehash=*/true);
  ExpectBad(VerifyNow(), 5, "malformed");
}

// Every single byte of record 3's frame, flipped in turn, is detected at seq 3: the marker and
// lengths as a broken frame, the body and hash by the hash.
TEST_F(DisclosureLogTest, EveryFlippedByteOfARecordIsDetected) {
  Fill(5);
  const std::string original = testing::ReadBytes(records_);
  const auto split = Split(records_);
  size_t start = split.header.size() + split.frames[0].size() + split.frames[1].size();
  for (size_t i = 0; i < split.frames[2].size(); ++i) {
    std::string bytes = original;
    bytes[start + i] = static_cast<char>(bytes[start + i] ^ 0x01);
    testing::WriteBytes(records_, bytes);
    auto log = DisclosureLog::Open(db_, FixedKey(), clock_);
    ASSERT_TRUE(log.ok());
    auto r = (*log)->Verify();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->ok) << "byte " << i;
    EXPECT_EQ(r->bad_seq, 3) << "byte " << i << ": " << r->reason;
  }
  testing::WriteBytes(records_, original);
  EXPECT_TRUE(VerifyNow().ok);
}

TEST_F(DisclosureLogTest, DroppedRecordIsDetected) {
  Fill(5);
  auto f = Split(records_);
  f.frames.erase(f.frames.begin() + 2);
  testing::WriteBytes(records_, f.Join());
  ExpectBad(VerifyNow(), 3, "seq 3 is missing");
}

TEST_F(DisclosureLogTest, DroppedAndRenumberedRecordIsDetected) {
  Fill(5);
  auto f = Split(records_);
  f.frames.erase(f.frames.begin() + 2);
  testing::WriteBytes(records_, f.Join());
  for (size_t i = 2; i < 4; ++i) EditRecord(records_, i, [](Record& r) { r.seq -= 1; });
  ExpectBad(VerifyNow(), 3, "does not link");
}

TEST_F(DisclosureLogTest, DuplicatedRecordIsDetected) {
  Fill(5);
  auto f = Split(records_);
  f.frames.insert(f.frames.begin() + 2, f.frames[1]);
  testing::WriteBytes(records_, f.Join());
  ExpectBad(VerifyNow(), 3, "seq 2 is stored where seq 3 should be");
}

TEST_F(DisclosureLogTest, InsertedWellChainedRecordIsDetectedAtTheNextOne) {
  Fill(5);
  auto f = Split(records_);
  Record forged = ParseFrame(f.frames[1]);  // after seq 2, chained to it, correctly hashed
  forged.seq = 3;
  forged.prev_hash = forged.hash;
  forged.user = "mallory";
  f.frames.insert(f.frames.begin() + 2, testing::MakeFrame(forged, /*rehash=*/true));
  testing::WriteBytes(records_, f.Join());
  for (size_t i = 3; i < 6; ++i) EditRecord(records_, i, [](Record& r) { r.seq += 1; });
  ExpectBad(VerifyNow(), 4, "does not link");
}

TEST_F(DisclosureLogTest, SwappedRecordsAreDetected) {
  Fill(5);
  auto f = Split(records_);
  std::swap(f.frames[1], f.frames[2]);
  testing::WriteBytes(records_, f.Join());
  ExpectBad(VerifyNow(), 2, "seq 2 is missing (seq 3 is stored in its place)");
}

TEST_F(DisclosureLogTest, SwappedContentsAreDetected) {
  Fill(5);
  auto f = Split(records_);
  Record a = ParseFrame(f.frames[1]), b = ParseFrame(f.frames[3]);
  EditRecord(records_, 1, [&](Record& r) { r.encoded_items = b.encoded_items; r.item_count = b.item_count; });
  EditRecord(records_, 3, [&](Record& r) { r.encoded_items = a.encoded_items; r.item_count = a.item_count; });
  ExpectBad(VerifyNow(), 2, "do not match its hash");
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
  auto f = Split(records_);
  f.frames.resize(3);
  testing::WriteBytes(records_, f.Join());
  Sql(db_, "DELETE FROM audit_heads");
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
  auto f = Split(records_);
  f.frames.resize(3);
  testing::WriteBytes(records_, f.Join());
  ExpectBad(VerifyNow(), 4, "were removed");
}

// A frame cut short (a crash in the middle of a write) is reported, and the next append, which
// nobody was told about, takes its place.
TEST_F(DisclosureLogTest, TornLastRecordIsReportedThenReplaced) {
  Fill(5);
  std::string bytes = testing::ReadBytes(records_);
  testing::WriteBytes(records_, bytes.substr(0, bytes.size() - 7));
  ExpectBad(VerifyNow(), 5, "ends inside a record after seq 4");
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Append(MakeDisclosure(9)).ok());
  }
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.last_seq, 5);
  EXPECT_EQ(ParseFrame(Split(records_).frames[4]).items, testing::DecodedVersions(9));
}

// Garbage in the middle of the file is damage, not a torn write: verify says where, and the
// log refuses to append rather than chain onto it or cut it away.
TEST_F(DisclosureLogTest, DamagedMiddleIsReportedAndBlocksAppends) {
  Fill(5);
  auto f = Split(records_);
  f.frames[2].replace(0, 4, "XXXX");
  testing::WriteBytes(records_, f.Join());
  ExpectBad(VerifyNow(), 3, "are not a record");
  // The last frame is whole, so the tip is found from the end; appending goes on after it.
  // Damage at the end is different: the log stops.
  f.frames[4].replace(0, 4, "XXXX");
  testing::WriteBytes(records_, f.Join());
  auto log = OpenLog();
  EXPECT_EQ(log->Append(MakeDisclosure(9)).code(), StatusCode::kFailedPrecondition);
}

TEST_F(DisclosureLogTest, RewrittenChainIsDetectedByAHead) {
  Fill(5);
  SignedHead kept;
  {
    auto log = OpenLog();
    kept = *log->Head();
  }
  // Change record 2 and recompute every hash after it, as a forger without the key would.
  auto f = Split(records_);
  std::string prev = ParseFrame(f.frames[0]).hash;
  for (size_t i = 1; i < f.frames.size(); ++i) {
    Record r = ParseFrame(f.frames[i]);
    if (i == 1) r.user = "mallory";
    r.prev_hash = prev;
    f.frames[i] = testing::MakeFrame(r, /*rehash=*/true);
    prev = ParseFrame(f.frames[i]).hash;
  }
  testing::WriteBytes(records_, f.Join());
  ExpectBad(VerifyNow(), 5, "rewritten");  // the head the log stored
  Sql(db_, "DELETE FROM audit_heads");
  EXPECT_TRUE(VerifyNow().ok);  // a consistent forgery: only a head can tell
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

TEST_F(DisclosureLogTest, AnotherFileIsRefused) {
  testing::WriteBytes(records_, "not an audit log at all\n");
  auto log = DisclosureLog::Open(db_, FixedKey(), clock_);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("not a tabadul audit log"), std::string::npos);
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

// Two logs open on the same files (as `serve` and a `tabadul export` in another process are):
// the file lock keeps one chain, each appender learning what the other wrote.
TEST_F(DisclosureLogTest, TwoWritersOnOneFileShareOneChain) {
  auto a = OpenLog();
  auto b = OpenLog();
  std::thread ta([&] {
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(a->Append(MakeDisclosure(i, "identity--" + testing::Uuid(21))).ok());
  });
  std::thread tb([&] {
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(b->Append(MakeDisclosure(i, "identity--" + testing::Uuid(22))).ok());
  });
  ta.join();
  tb.join();
  auto r = a->Verify();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << r->reason;
  EXPECT_EQ(r->records_checked, 120);
  EXPECT_EQ(b->Received("identity--" + testing::Uuid(21), 0, INT64_MAX)->size(), 60u);
  EXPECT_EQ(a->Received("identity--" + testing::Uuid(22), 0, INT64_MAX)->size(), 60u);
}

// A writer process killed at random moments: every append it reported as done is in the file,
// the chain verifies once the next writer has opened it, and numbering goes on without a gap.
TEST_F(DisclosureLogTest, KilledWriterLosesNoAcknowledgedRecord) {
  std::mt19937 rng(20261129);
  int64_t acknowledged = 0;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      FakeClock clock{kStart};
      auto log = DisclosureLog::Open(db_, FixedKey(), clock);
      if (!log.ok()) ::_exit(3);
      for (int i = 0;; ++i) {
        Disclosure d = MakeDisclosure(i);
        std::vector<store::AuditItem> many;  // larger records: more chances to cut one
        for (int k = 0; k < 200; ++k) {
          many.push_back({"indicator--" + testing::Uuid(k), "2024-01-01T00:00:00.000Z"});
        }
        d.versions = store::AuditItemList(many);
        if (!(*log)->Append(std::move(d)).ok()) ::_exit(4);
        const char one = 1;
        if (::write(fds[1], &one, 1) != 1) ::_exit(5);
      }
    }
    ::close(fds[1]);
    // Once the child has written its first record (on a loaded machine starting it can take
    // longer than the whole random delay), kill it at a random moment of its writing.
    char first = 0;
    ASSERT_EQ(::read(fds[0], &first, 1), 1) << "the writer died before its first record";
    ++acknowledged;
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) acknowledged += n;
    ::close(fds[0]);
    // Whatever the child was writing when it died is cut by the next writer's first append.
    auto log = OpenLog();
    ASSERT_TRUE(log->Append(MakeDisclosure(1)).ok());
    ++acknowledged;
    auto r = log->Verify();
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->ok) << "round " << round << ": " << r->reason;
    EXPECT_GE(r->last_seq, acknowledged) << "round " << round;
    acknowledged = r->last_seq;  // unacknowledged but complete writes count from here on
  }
  EXPECT_GE(acknowledged, 12);  // each round: at least the child's first record and ours
}

// The lock file beside the records outlives its writers. Here it is left as a reboot would
// leave it after a writer died holding the mutex (every byte set: a locked mutex of a thread
// that no longer exists, and an end that is not the file's): the next writer to open the log
// alone resets it instead of waiting forever or writing at a stale end.
TEST_F(DisclosureLogTest, LockFileOfAnEarlierSetOfWritersIsReset) {
  Fill(2);
  const std::string lock = records_ + ".lock";
  const std::string old = testing::ReadBytes(lock);
  ASSERT_GE(old.size(), 40u);
  testing::WriteBytes(lock, std::string(old.size(), '\xff'));
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Append(MakeDisclosure(3)).ok());
  }
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.last_seq, 3);
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

// A page may mix agreements: each delivered version names its own, in the record's agreement
// table; WhoReceived answers with the version's own agreement.
TEST_F(DisclosureLogTest, EachVersionNamesItsOwnAgreement) {
  auto log = OpenLog();
  const std::string x = "indicator--" + testing::Uuid(77), y = "indicator--" + testing::Uuid(78);
  const std::string z = "indicator--" + testing::Uuid(79);
  Disclosure d = MakeDisclosure(1);
  d.versions = store::AuditItemList({{x, "2024-01-01T00:00:00.000Z", "isac@v2"},
                                     {y, "2024-01-01T00:00:00.000Z", "cert@v1"},
                                     {z, "2024-01-01T00:00:00.000Z", ""}});
  d.agreement_id = d.versions.agreement_table();
  ASSERT_TRUE(log->Append(std::move(d)).ok());
  auto who = log->WhoReceived(y);
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->size(), 1u);
  EXPECT_EQ((*who)[0].agreement_id, "cert@v1");
  EXPECT_EQ((*log->WhoReceived(x))[0].agreement_id, "isac@v2");
  EXPECT_EQ((*log->WhoReceived(z))[0].agreement_id, "");
  auto recs = log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].agreement_id, "isac@v2 cert@v1 ");
  ASSERT_EQ((*recs)[0].items.size(), 3u);
  EXPECT_EQ((*recs)[0].items[1].agreement, "cert@v1");
  EXPECT_FALSE((*recs)[0].items_malformed);
  EXPECT_TRUE(log->Verify()->ok);
}

// A forger who shortens the agreement table and rehashes leaves an item pointing past it: the
// record is reported as forged, like any malformed list.
TEST_F(DisclosureLogTest, AnAgreementIndexPastTheTableIsDetected) {
  {
    auto log = OpenLog();
    for (int i = 1; i <= 3; ++i) {
      Disclosure d = MakeDisclosure(i);
      d.versions = store::AuditItemList({{"indicator--" + testing::Uuid(i), "v", "a@v1"},
                                         {"indicator--" + testing::Uuid(i + 10), "v", "b@v1"}});
      d.agreement_id = d.versions.agreement_table();
      ASSERT_TRUE(log->Append(std::move(d)).ok());
    }
  }
  EXPECT_TRUE(VerifyNow().ok);
  EditRecord(
      records_, 1, [](Record& r) { r.agreement_id = "a@v1"; }, /*rehash=*/true);
  ExpectBad(VerifyNow(), 2, "malformed");
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
  EXPECT_EQ((*recs)[0].items, testing::DecodedVersions(3));
  EXPECT_EQ(log->Received(acme, 0, INT64_MAX)->size(), 3u);
  EXPECT_EQ(log->Received(globex, kStart + 5'000'000, INT64_MAX)->size(), 1u);
  EXPECT_TRUE(log->Received("identity--nobody", 0, INT64_MAX)->empty());
}

// The index is derived: when the record file no longer matches it (here: replaced by another
// log), a query rebuilds it instead of answering from stale offsets.
TEST_F(DisclosureLogTest, IndexIsRebuiltWhenTheFileNoLongerMatchesIt) {
  Fill(4);
  {
    auto log = OpenLog();
    EXPECT_EQ(log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX)->size(), 4u);
  }
  testing::WriteBytes(records_, "tabadul audit 2\n");  // emptied...
  {
    auto log = OpenLog();  // ...and refilled with other disclosures
    ASSERT_TRUE(log->Append(MakeDisclosure(1, "identity--" + testing::Uuid(2))).ok());
    ASSERT_TRUE(log->Append(MakeDisclosure(2, "identity--" + testing::Uuid(2))).ok());
  }
  auto log = OpenLog();
  EXPECT_TRUE(log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX)->empty());
  EXPECT_EQ(log->Received("identity--" + testing::Uuid(2), 0, INT64_MAX)->size(), 2u);
}

// A file whose first frame is damaged before it was ever indexed answers queries (with what
// precedes the damage: nothing) instead of rebuilding the index forever; verify names the damage.
TEST_F(DisclosureLogTest, QueriesOnAFileDamagedAtItsFirstRecordEnd) {
  {
    auto log = OpenLog();  // an index caught up with the empty file
    EXPECT_TRUE(log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX)->empty());
  }
  Fill(3);
  auto f = testing::Split(records_);
  f.frames[0].replace(0, 4, "XXXX");
  testing::WriteBytes(records_, f.Join());
  auto log = OpenLog();
  auto recs = log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX);
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  EXPECT_TRUE(recs->empty());
  ExpectBad(VerifyNow(), 1, "are not a record");
}

// Damage right after what the index already covers: the indexed records are still answered,
// nothing past the damage, and the query ends.
TEST_F(DisclosureLogTest, QueriesOnAFileDamagedAfterTheIndexedPartEnd) {
  Fill(3);
  {
    auto log = OpenLog();
    EXPECT_EQ(log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX)->size(), 3u);
  }
  Fill(2);
  auto f = testing::Split(records_);
  f.frames[3].replace(0, 4, "XXXX");
  testing::WriteBytes(records_, f.Join());
  auto log = OpenLog();
  auto recs = log->Received("identity--" + testing::Uuid(1), 0, INT64_MAX);
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  EXPECT_EQ(recs->size(), 3u);
  ExpectBad(VerifyNow(), 4, "are not a record");
}

// ---- The ring in the lock file (audit/record_file.h) -----------------------------------------

// Appends disclosures first..last (to `org`) to the log at `db` in a child process that then
// exits without closing it (no destructor, no flush: the records are left in the ring).
void AppendInAChildThatDies(const std::string& db, int first, int last, const std::string& org) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    FakeClock clock{kStart + 10'000'000};
    auto log = DisclosureLog::Open(db, FixedKey(), clock);
    if (!log.ok()) ::_exit(3);
    for (int i = first; i <= last; ++i) {
      if (!(*log)->Append(MakeDisclosure(i, org)).ok()) ::_exit(4);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The (object id, version) pairs of items, without the agreement each one names.
std::vector<std::pair<std::string, std::string>> Pairs(const std::vector<store::AuditItem>& items) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& it : items) out.emplace_back(it.object_id, it.version);
  return out;
}

// A process that appends and dies without closing the log (no destructor, no flush) leaves its
// acknowledged records in the ring; the next process to open the log copies them into the file.
TEST_F(DisclosureLogTest, RecordsInTheRingSurviveTheirProcess) {
  Fill(2);
  const size_t before = testing::ReadBytes(records_).size();
  AppendInAChildThatDies(db_, 3, 7, "identity--" + testing::Uuid(1));
  EXPECT_EQ(testing::ReadBytes(records_).size(), before) << "the records went to the file directly";
  auto r = VerifyNow();  // opens the log alone: the old ring is replayed into the file
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.last_seq, 7);
  EXPECT_TRUE(r.gaps.empty());
  auto frames = Split(records_).frames;
  ASSERT_EQ(frames.size(), 7u);
  EXPECT_EQ(Pairs(ParseFrame(frames[6]).items), Pairs(testing::MakeVersions(7)));
}

// A lock file carried over from another log (its ring holding records of that log) adds
// nothing: its frames do not chain onto this file.
TEST_F(DisclosureLogTest, AnotherLogsRingIsNotReplayed) {
  TempDir other;
  AppendInAChildThatDies(other.Join("audit.db"), 1, 4, "identity--" + testing::Uuid(9));
  Fill(2);
  testing::WriteBytes(records_ + ".lock", testing::ReadBytes(other.Join("audit.log.lock")));
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.last_seq, 2);
  EXPECT_TRUE(r.gaps.empty());  // a foreign ring is not a loss of this log's
  EXPECT_FALSE(std::filesystem::exists(records_ + ".damage"));
  auto log = OpenLog();
  EXPECT_TRUE(log->Received("identity--" + testing::Uuid(9), 0, INT64_MAX)->empty());
}

// Records pass through the ring many times over (it wraps), interleaved with records too large
// for it (written straight to the file after the ring's bytes): one chain, in order.
TEST_F(DisclosureLogTest, RingWrapsAndLargeRecordsKeepTheOrder) {
  auto log = OpenLog();
  std::vector<store::AuditItem> many;
  for (int k = 0; k < 300; ++k) {
    many.push_back({"indicator--" + testing::Uuid(k), "2024-01-01T00:00:00.000Z"});
  }
  std::vector<store::AuditItem> huge;  // ~700 kB encoded: more than half the ring
  for (int k = 0; k < 30000; ++k) {
    huge.push_back({"x-custom-" + std::to_string(k) + "--not-a-uuid", "v" + std::to_string(k)});
  }
  int64_t appended = 0;
  for (int i = 0; i < 1200; ++i) {
    Disclosure d = MakeDisclosure(i);
    d.versions = store::AuditItemList(i % 400 == 399 ? huge : many);
    ASSERT_TRUE(log->Append(std::move(d)).ok()) << i;
    ++appended;
  }
  auto r = log->Verify();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << r->reason;
  EXPECT_EQ(r->last_seq, appended);
  EXPECT_GT(testing::ReadBytes(records_).size(), static_cast<size_t>(4 * kRingBytes));
  auto frames = Split(records_).frames;
  ASSERT_EQ(frames.size(), static_cast<size_t>(appended));
  EXPECT_EQ(Pairs(ParseFrame(frames[399]).items), Pairs(huge));
  EXPECT_EQ(Pairs(ParseFrame(frames[400]).items), Pairs(many));
}

// A quiet log's ring is copied into the file by the writer thread within moments, so other
// readers of the file (and a crash of the whole machine) do not wait for the next append.
TEST_F(DisclosureLogTest, QuietLogsRingReachesTheFile) {
  auto log = OpenLog();
  const size_t before = testing::ReadBytes(records_).size();
  ASSERT_TRUE(log->Append(MakeDisclosure(1)).ok());
  size_t now = before;
  for (int i = 0; i < 500 && now == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    now = testing::ReadBytes(records_).size();
  }
  EXPECT_GT(now, before);
}

// ---- Damage in the ring (audit/record_file.h, "Damage") --------------------------------------

class RingDamageTest : public DisclosureLogTest {
 protected:
  // Records 1..2 in the file, 3..7 committed in the ring only (their process died); then the
  // ring's frames as they lie (frame 0 is record 3).
  void CommitFiveToTheRing() {
    Fill(2);
    file_size_ = static_cast<int64_t>(testing::ReadBytes(records_).size());
    testing::AppendToTheRingInAChildThatDies(db_, 3, 7);
    ASSERT_EQ(static_cast<int64_t>(testing::ReadBytes(records_).size()), file_size_)
        << "the records went to the file";
    lock_ = testing::ReadBytes(lock_path_);
    frames_ = testing::RingFrames(lock_, file_size_);
    ASSERT_EQ(frames_.size(), 5u);
  }
  // Flips one byte of the ring: `at` bytes into the frame of ring frame `frame`.
  void Damage(size_t frame, int64_t at) {
    lock_[testing::RingPlace(frames_[frame].first + at)] ^= 0x20;
    testing::WriteBytes(lock_path_, lock_);
  }
  int64_t RingEnd() const { return frames_.back().first + frames_.back().second; }
  std::string RingBytes(int64_t from, int64_t to) const {
    return lock_.substr(testing::RingPlace(from), static_cast<size_t>(to - from));
  }
  std::string EvidencePath(const std::string& id) const { return records_ + ".damage/" + id; }

  std::string lock_path_ = records_ + ".lock";
  int64_t file_size_ = 0;
  std::string lock_;
  std::vector<std::pair<int64_t, int64_t>> frames_;
};

// One damaged byte in a committed record of the ring: the records from it on cannot be
// recovered, and the next opener keeps the evidence, records the loss in the chain in their
// place, and verification fails (and keeps failing across restarts) until an operator's
// acknowledgement, itself a record, follows; then it passes and still lists the gap.
TEST_F(RingDamageTest, DamagedCommittedRecordIsKeptAsEvidenceAndReportedUntilAcknowledged) {
  CommitFiveToTheRing();
  Damage(2, frames_[2].second / 2);  // inside record 5's body
  const int64_t lost_from = frames_[2].first;

  VerifyReport r = VerifyNow();  // the first opener after the crash recovers the ring
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.gap);
  ExpectBad(r, 5, "records committed after seq 4 were lost");
  EXPECT_NE(r.reason.find("at bytes [" + std::to_string(lost_from) + ", " +
                          std::to_string(RingEnd()) + ") of the record file and had seq 5..7)"),
            std::string::npos)
      << r.reason;
  EXPECT_NE(r.reason.find(EvidencePath("gap-5")), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("acknowledge-gap gap-5"), std::string::npos) << r.reason;
  EXPECT_EQ(r.records_checked, 5);  // 1..4 and the record of the loss
  ASSERT_EQ(r.gaps.size(), 1u);
  const Gap& gap = r.gaps[0];
  EXPECT_EQ(gap.id, "gap-5");
  EXPECT_EQ(gap.seq, 5);
  EXPECT_EQ(gap.damage.after_seq, 4);
  EXPECT_EQ(gap.damage.lost_from, lost_from);
  EXPECT_EQ(gap.damage.lost_to, RingEnd());
  EXPECT_EQ(gap.damage.last_claimed_seq, 7);
  EXPECT_EQ(gap.evidence_problem, "");
  EXPECT_EQ(gap.acknowledged_seq, 0);

  // The evidence: what the old ring held (damaged byte and all), after a header naming it.
  const std::string evidence = testing::ReadBytes(EvidencePath("gap-5"));
  EXPECT_EQ(
      evidence.rfind("tabadul audit ring damage 1\nring-flushed " + std::to_string(file_size_) +
                         "\nring-end " + std::to_string(RingEnd()) + "\n",
                     0),
      0u)
      << evidence.substr(0, 300);
  const std::string ring = RingBytes(file_size_, RingEnd());
  EXPECT_EQ(evidence.substr(evidence.size() - ring.size()), ring);
  EXPECT_NE(evidence.find("\nafter-seq 4\n"), std::string::npos);

  // The chain: 1..4 (3 and 4 recovered from the ring), then the record of the loss.
  auto frames = Split(records_).frames;
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(Pairs(ParseFrame(frames[3]).items), Pairs(testing::MakeVersions(4)));
  const Record loss = ParseFrame(frames[4]);
  EXPECT_EQ(loss.path, kRingDamagePath);
  EXPECT_EQ(loss.user, kLogItself);
  EXPECT_EQ(loss.org_id, "");
  EXPECT_EQ(loss.collection_id, "gap-5");
  EXPECT_EQ(loss.item_count, 0);
  EXPECT_NE(loss.note.find("evidence-sha256 " + ToHex(Sha256(evidence))), std::string::npos)
      << loss.note;

  // Not forgotten by a restart, and recorded once.
  r = VerifyNow();
  EXPECT_TRUE(r.gap);
  EXPECT_EQ(r.bad_seq, 5);
  EXPECT_EQ(Split(records_).frames.size(), 5u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(records_ + ".damage"), {}), 1);

  auto log = OpenLog();
  ASSERT_TRUE(log->Append(MakeDisclosure(8)).ok());  // appending goes on meanwhile
  auto head = log->Head();
  ASSERT_TRUE(head.ok());
  auto check = log->CheckHead(*head);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->ok);
  EXPECT_TRUE(check->gap) << check->reason;

  EXPECT_EQ(log->AcknowledgeGap("gap-5", "alice", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(log->AcknowledgeGap("gap-5", "alice", "two\nlines").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(log->AcknowledgeGap("gap-9", "alice", "no such gap").status().code(),
            StatusCode::kNotFound);
  clock_.Advance(1'000'000);
  auto ack = log->AcknowledgeGap("gap-5", "alice", "host memory fault; 5-7 read from evidence");
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(*ack, 7);
  EXPECT_EQ(log->AcknowledgeGap("gap-5", "bob", "again").status().code(),
            StatusCode::kFailedPrecondition);
  check = log->CheckHead(*head);
  EXPECT_TRUE(check->ok) << check->reason;
  log.reset();

  r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.last_seq, 7);
  ASSERT_EQ(r.gaps.size(), 1u);
  EXPECT_EQ(r.gaps[0].acknowledged_seq, 7);
  EXPECT_EQ(r.gaps[0].acknowledged_by, "alice");
  EXPECT_EQ(r.gaps[0].reason, "host memory fault; 5-7 read from evidence");
  EXPECT_NE(DescribeGap(r.gaps[0]).find("acknowledged at seq 7 by alice"), std::string::npos);
  const Record acknowledgement = ParseFrame(Split(records_).frames[6]);
  EXPECT_EQ(acknowledgement.path, kAcknowledgePath);
  EXPECT_EQ(acknowledgement.user, "alice");
  EXPECT_EQ(acknowledgement.collection_id, "gap-5");
  EXPECT_EQ(acknowledgement.note, "host memory fault; 5-7 read from evidence");
  EXPECT_EQ(testing::ReadBytes(EvidencePath("gap-5")), evidence);  // kept as it was
}

// Wherever the damaged byte lies in a committed frame (marker, length, body, hash, trailing
// length; the first frame in the ring or a later one), the loss is reported from that frame on.
TEST_F(DisclosureLogTest, EveryDamagedPlaceOfACommittedFrameIsReported) {
  struct Place {
    size_t frame;
    int64_t at;  // < 0: from the frame's end
  };
  for (const Place place :
       {Place{0, 0}, Place{0, 5}, Place{1, 20}, Place{3, -10}, Place{4, -1}, Place{4, 9}}) {
    SCOPED_TRACE("frame " + std::to_string(place.frame) + " at " + std::to_string(place.at));
    TempDir dir;
    const std::string db = dir.Join("audit.db"), records = dir.Join("audit.log");
    {
      auto log = DisclosureLog::Open(db, FixedKey(), clock_);
      ASSERT_TRUE(log.ok());
      ASSERT_TRUE((*log)->Append(MakeDisclosure(1)).ok());
      ASSERT_TRUE((*log)->Append(MakeDisclosure(2)).ok());
    }
    const auto size = static_cast<int64_t>(testing::ReadBytes(records).size());
    testing::AppendToTheRingInAChildThatDies(db, 3, 7);
    std::string lock = testing::ReadBytes(records + ".lock");
    const auto frames = testing::RingFrames(lock, size);
    ASSERT_EQ(frames.size(), 5u);
    const auto [start, len] = frames[place.frame];
    lock[testing::RingPlace(start + (place.at >= 0 ? place.at : len + place.at))] ^= 0x01;
    testing::WriteBytes(records + ".lock", lock);

    auto log = DisclosureLog::Open(db, FixedKey(), clock_);
    ASSERT_TRUE(log.ok());
    const auto seq = static_cast<int64_t>(place.frame) + 3;  // the damaged record's
    ASSERT_TRUE((*log)->damage_found_at_open().has_value());
    EXPECT_EQ((*log)->damage_found_at_open()->lost_from, start);
    auto r = (*log)->Verify();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->gap) << r->reason;
    EXPECT_EQ(r->bad_seq, seq) << r->reason;
    EXPECT_EQ(r->last_seq, seq);
    EXPECT_TRUE(std::filesystem::exists(records + ".damage/gap-" + std::to_string(seq)));
    // The last lost frame names seq 7, unless its own seq or trailing length is the damage.
    EXPECT_EQ((*log)->damage_found_at_open()->last_claimed_seq, place.frame == 4 ? 0 : 7);
  }
}

// Undamaged, the ring is copied into the file without a word, and so is a ring whose last
// append was cut short before it committed (bytes beyond the published end are not records).
TEST_F(RingDamageTest, SoundRingAndTornUncommittedTailAreNotReported) {
  CommitFiveToTheRing();
  // An appender that died while copying its frame into the ring, before publishing the end.
  const std::string last = RingBytes(frames_[4].first, RingEnd());
  for (size_t i = 0; i < last.size() / 2; ++i) lock_[testing::RingPlace(RingEnd() + i)] = last[i];
  testing::WriteBytes(lock_path_, lock_);
  auto log = OpenLog();
  EXPECT_FALSE(log->damage_found_at_open().has_value());
  auto r = log->Verify();
  EXPECT_TRUE(r->ok) << r->reason;
  EXPECT_EQ(r->last_seq, 7);
  EXPECT_TRUE(r->gaps.empty());
  EXPECT_FALSE(std::filesystem::exists(records_ + ".damage"));
  EXPECT_EQ(static_cast<int64_t>(testing::ReadBytes(records_).size()), RingEnd());
}

// A flusher that died after its pwrite (before it moved `flushed`) left the records in the file
// too: damage to the ring's copy of them loses nothing. The same with a copy it tore half-way:
// the file's whole frames stand, the ring gives the rest.
TEST_F(RingDamageTest, RecordsTheFileAlreadyHoldsAreNotALoss) {
  CommitFiveToTheRing();
  const std::string file = testing::ReadBytes(records_);
  const int64_t torn = frames_[2].first + 11;  // the copy ends inside record 5
  testing::WriteBytes(records_, file + RingBytes(file_size_, torn));
  Damage(0, 30);  // record 3: the file has it
  Damage(1, 0);   // record 4: the file has it
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.last_seq, 7);
  EXPECT_TRUE(r.gaps.empty());
  EXPECT_FALSE(std::filesystem::exists(records_ + ".damage"));
}

// The file's torn copy of the damaged record is evidence too (it may be its only undamaged
// copy): the evidence keeps it, and the file is cut where the loss begins.
TEST_F(RingDamageTest, TornCopyOfTheLostRecordsGoesIntoTheEvidence) {
  CommitFiveToTheRing();
  const std::string file = testing::ReadBytes(records_);
  const int64_t torn = frames_[2].first + 11;
  const std::string copy = RingBytes(file_size_, torn);
  testing::WriteBytes(records_, file + copy);
  Damage(2, 40);
  auto r = VerifyNow();
  EXPECT_TRUE(r.gap);
  EXPECT_EQ(r.bad_seq, 5);
  const std::string evidence = testing::ReadBytes(EvidencePath("gap-5"));
  EXPECT_EQ(evidence.substr(evidence.size() - 11), copy.substr(copy.size() - 11));
  EXPECT_NE(evidence.find("\nfile-bytes 11\n"), std::string::npos);
  EXPECT_EQ(Split(records_).frames.size(), 5u);
}

// An opener that died after keeping the evidence and recording the loss, before it reset the
// lock file, leaves the old ring to the next one: that one neither keeps a second evidence file
// nor records the loss twice.
TEST_F(RingDamageTest, InterruptedRecoveryIsNotRepeated) {
  CommitFiveToTheRing();
  Damage(3, 50);
  const std::string damaged_lock = lock_;
  EXPECT_TRUE(VerifyNow().gap);
  const std::string file = testing::ReadBytes(records_);
  testing::WriteBytes(lock_path_, damaged_lock);
  auto r = VerifyNow();
  EXPECT_TRUE(r.gap);
  EXPECT_EQ(r.gaps.size(), 1u);
  EXPECT_EQ(testing::ReadBytes(records_), file);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(records_ + ".damage"), {}), 1);
  // The same if it died after the evidence only: the record of the loss is written then.
  testing::WriteBytes(records_, file.substr(0, static_cast<size_t>(frames_[3].first)));
  testing::WriteBytes(lock_path_, damaged_lock);
  r = VerifyNow();
  EXPECT_EQ(testing::ReadBytes(records_), file);
  EXPECT_EQ(r.gaps.size(), 1u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(records_ + ".damage"), {}), 1);
}

// An opener that cannot keep the evidence (here: a file where its folder should be) fails to
// open the log rather than drop the records, and leaves the old ring to the next opener, which
// recovers it once it can.
TEST_F(RingDamageTest, RecoveryThatFailedIsLeftToTheNextOpener) {
  CommitFiveToTheRing();
  Damage(2, 30);
  testing::WriteBytes(records_ + ".damage", "in the way");
  auto failed = DisclosureLog::Open(db_, FixedKey(), clock_);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal) << failed.status().ToString();
  EXPECT_EQ(static_cast<int64_t>(testing::ReadBytes(records_).size()), frames_[2].first)
      << "records 3 and 4 are in the file";
  std::filesystem::remove(records_ + ".damage");
  auto r = VerifyNow();
  EXPECT_TRUE(r.gap) << r.reason;
  EXPECT_EQ(r.bad_seq, 5);
  EXPECT_EQ(r.gaps.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(EvidencePath("gap-5")));
}

// The evidence belongs to the log: removing or changing it is tampering, acknowledged or not.
// And an evidence file whose record of the loss is not in the chain (cut away with the tail)
// still fails verification until acknowledged.
TEST_F(RingDamageTest, EvidenceIsPartOfTheLog) {
  CommitFiveToTheRing();
  Damage(1, 100);
  EXPECT_TRUE(VerifyNow().gap);
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->AcknowledgeGap("gap-4", "alice", "examined").ok());
  }
  EXPECT_TRUE(VerifyNow().ok);
  const std::string evidence = testing::ReadBytes(EvidencePath("gap-4"));
  std::string changed = evidence;
  changed[changed.size() - 3] ^= 1;
  testing::WriteBytes(EvidencePath("gap-4"), changed);
  auto r = VerifyNow();
  EXPECT_FALSE(r.gap);
  ExpectBad(r, 4, "the evidence file was changed after seq 4 recorded its SHA-256");
  std::filesystem::remove(EvidencePath("gap-4"));
  ExpectBad(VerifyNow(), 4, "the evidence file is missing");
  testing::WriteBytes(EvidencePath("gap-4"), evidence);
  EXPECT_TRUE(VerifyNow().ok);

  // Cut the record of the loss and its acknowledgement away: the evidence still tells.
  auto f = Split(records_);
  f.frames.resize(3);
  testing::WriteBytes(records_, f.Join());
  r = VerifyNow();
  EXPECT_TRUE(r.gap);
  ExpectBad(r, 4, "no record of the loss gap-4 is in the chain");
  auto log = OpenLog();
  ASSERT_TRUE(log->AcknowledgeGap("gap-4", "alice", "the tail was restored from a backup").ok());
  auto again = log->Verify();
  EXPECT_TRUE(again->ok) << again->reason;
}

}  // namespace
}  // namespace tabadul::audit
