#include "audit/disclosure_log.h"

#include <algorithm>
#include <cassert>

#include "audit/chain.h"
#include "common/timestamp.h"

namespace tabadul::audit {
namespace {

constexpr size_t kVerifyChunk = 1000;

VerifyReport Bad(VerifyReport report, int64_t seq, std::string reason) {
  report.ok = false;
  report.bad_seq = seq;
  report.reason = std::move(reason);
  return report;
}

std::string Seq(int64_t seq) { return "seq " + std::to_string(seq); }

// The first problem inside one record (not its link to the previous one), or empty.
// Hashes the stored form directly: `items` need not be decoded.
std::string RecordProblem(const Record& r) {
  int64_t count = 0;
  const std::string root = MerkleRoot(r.encoded_items, &count);
  if (root.empty() || r.item_count != count) {
    return "the list of delivered versions is malformed (changed after it was written)";
  }
  if (root != r.merkle_root) {
    return "the delivered versions do not match the record's Merkle root (a version was changed,"
           " added or removed)";
  }
  if (RecordHash(r) != r.hash) return "the record's contents do not match its hash";
  return {};
}

}  // namespace

Result<std::unique_ptr<DisclosureLog>> DisclosureLog::Open(const std::string& db_path,
                                                           const std::string& data_dir,
                                                           const Clock& clock, LogOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto key, SigningKey::LoadOrCreate(data_dir));
  return Open(db_path, std::move(key), clock, options);
}

Result<std::unique_ptr<DisclosureLog>> DisclosureLog::Open(const std::string& db_path,
                                                           SigningKey key, const Clock& clock,
                                                           LogOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto writer,
                           store::SqliteAuditLog::Open(db_path, options.fsync_each_commit));
  TABADUL_ASSIGN_OR_RETURN(auto reader,
                           store::SqliteAuditLog::Open(db_path, options.fsync_each_commit));
  return std::unique_ptr<DisclosureLog>(new DisclosureLog(std::move(key), clock, options,
                                                          std::move(writer), std::move(reader)));
}

DisclosureLog::DisclosureLog(SigningKey key, const Clock& clock, LogOptions options,
                             std::unique_ptr<store::SqliteAuditLog> writer,
                             std::unique_ptr<store::SqliteAuditLog> reader)
    : key_(std::move(key)), clock_(clock), options_(options), writer_db_(std::move(writer)),
      reader_db_(std::move(reader)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

DisclosureLog::~DisclosureLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
}

// ---- Appending ------------------------------------------------------------------------------

Status DisclosureLog::Append(Disclosure d) {
  if (d.versions.empty()) return InvalidArgument("a disclosure must deliver at least one version");
  if (d.versions.has_control_character()) {
    return InvalidArgument("a delivered object id or version contains a control character");
  }
  Record r;
  r.org_id = std::move(d.org_id);
  r.user = std::move(d.user);
  r.path = std::move(d.path);
  r.agreement_id = std::move(d.agreement_id);
  r.collection_id = std::move(d.collection_id);
  r.item_count = static_cast<int64_t>(d.versions.size());
  r.encoded_items = d.versions.Release();
  r.merkle_root = MerkleRoot(r.encoded_items);  // on the caller's thread: appenders hash in parallel

  Waiter waiter;
  const bool wait = options_.wait_for_commit;
  std::unique_lock lock(mu_);
  if (!wait) {
    done_cv_.wait(lock, [&] { return stopping_ || queue_.size() < options_.max_queue; });
  }
  if (stopping_) return FailedPrecondition("the disclosure log is closing");
  r.time_us = clock_.NowMicros();  // under the lock, so times follow seq order
  queue_.push_back({std::move(r), wait ? &waiter : nullptr});
  ++enqueued_;
  if (!wait) {
    work_cv_.notify_one();
    return Status::Ok();
  }
  // Lead a commit when none is running (it includes this record, and whatever else is queued);
  // else wait for the running one, which may include it, and lead the next.
  while (!waiter.done) {
    if (committing_) {
      done_cv_.wait(lock);
    } else {
      CommitQueued(lock);
    }
  }
  return waiter.status;
}

Status DisclosureLog::Flush() {
  std::unique_lock lock(mu_);
  const int64_t target = enqueued_;
  done_cv_.wait(lock, [&] { return finished_ >= target; });
  return std::exchange(first_error_, Status::Ok());
}

void DisclosureLog::WriterLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return (stopping_ || !queue_.empty()) && !committing_; });
    if (queue_.empty()) return;  // stopping, and everything is committed
    CommitQueued(lock);
  }
}

void DisclosureLog::CommitQueued(std::unique_lock<std::mutex>& lock) {
  assert(!committing_ && !queue_.empty());
  committing_ = true;
  std::vector<Pending> batch;
  const size_t n = std::min(queue_.size(), options_.max_batch);
  batch.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  lock.unlock();
  Status st = CommitBatch(batch);
  lock.lock();
  committing_ = false;
  finished_ += static_cast<int64_t>(n);
  if (!st.ok() && first_error_.ok()) first_error_ = st;
  for (auto& p : batch) {
    if (p.waiter) {
      p.waiter->status = st;
      p.waiter->done = true;
    }
  }
  done_cv_.notify_all();  // waiters, Flush, and appenders that will lead the next commit
  if (!queue_.empty() || stopping_) work_cv_.notify_one();
}

Status DisclosureLog::CommitBatch(std::vector<Pending>& batch) {
  std::vector<Record> records;
  records.reserve(batch.size());
  for (auto& p : batch) records.push_back(std::move(p.record));
  return writer_db_->Append(records, [](const store::AuditTip& before, Record& r) {
    r.prev_hash = before.seq == 0 ? std::string(kGenesisHash) : before.hash;
    r.hash = RecordHash(r);
  });
}

// ---- Verification ---------------------------------------------------------------------------

Result<VerifyReport> DisclosureLog::VerifyChain() {
  VerifyReport report;
  std::string prev = kGenesisHash;
  int64_t expected = 1;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(auto chunk, reader_db_->ReadFrom(expected, kVerifyChunk, /*decode_items=*/false));
    for (const Record& r : chunk) {
      if (r.seq != expected) {
        return Bad(report, expected, Seq(expected) + " is missing (the next stored record is " +
                                         Seq(r.seq) + "): a record was removed");
      }
      if (r.prev_hash != prev) {
        return Bad(report, r.seq,
                   Seq(r.seq) + " does not link to " + Seq(r.seq - 1) +
                       " (its prev_hash differs): a record was inserted, removed, reordered or "
                       "rewritten here");
      }
      if (std::string problem = RecordProblem(r); !problem.empty()) {
        return Bad(report, r.seq, Seq(r.seq) + ": " + problem);
      }
      prev = r.hash;
      report.last_seq = r.seq;
      ++report.records_checked;
      ++expected;
    }
    if (chunk.size() < kVerifyChunk) return report;
  }
}

Status DisclosureLog::CheckStoredHeads(VerifyReport& report) {
  TABADUL_ASSIGN_OR_RETURN(auto heads, reader_db_->Heads());
  for (const auto& row : heads) {
    SignedHead h{row.seq, row.hash, row.time_us, row.public_key, row.signature};
    TABADUL_ASSIGN_OR_RETURN(report, CheckHeadAgainst(report, h, "a head this log issued at " +
                                                                     FormatTaxiiTimestamp(h.time_us)));
    if (!report.ok) return Status::Ok();
  }
  return Status::Ok();
}

Result<VerifyReport> DisclosureLog::CheckHeadAgainst(VerifyReport report, const SignedHead& head,
                                                     const std::string& what) {
  if (!SignatureValid(head)) {
    return Bad(report, head.seq, what + " has an invalid signature: the head was modified");
  }
  if (head.public_key != key_.PublicKeyHex()) {
    return Bad(report, head.seq, what + " was signed by another key (" +
                                     head.public_key.substr(0, 16) + "...), not this log's (" +
                                     key_.PublicKeyHex().substr(0, 16) + "...)");
  }
  if (head.seq == 0) {
    if (head.hash != kGenesisHash) return Bad(report, 0, what + " is malformed (seq 0, not empty)");
    return report;
  }
  if (head.seq > report.last_seq) {
    return Bad(report, report.last_seq + 1,
               "the log ends at " + Seq(report.last_seq) + " but " + what + " covers " +
                   Seq(head.seq) + ": records " + std::to_string(report.last_seq + 1) + ".." +
                   std::to_string(head.seq) + " were removed");
  }
  TABADUL_ASSIGN_OR_RETURN(auto rec, reader_db_->Get(head.seq));
  if (!rec || rec->hash != head.hash) {
    return Bad(report, head.seq, Seq(head.seq) + " differs from " + what +
                                     ": the log was rewritten at or before it");
  }
  return report;
}

Result<VerifyReport> DisclosureLog::Verify() {
  (void)Flush();  // check what was appended before the call; commit failures are Append's news
  TABADUL_ASSIGN_OR_RETURN(auto report, VerifyChain());
  if (!report.ok) return report;
  TABADUL_RETURN_IF_ERROR(CheckStoredHeads(report));
  return report;
}

Result<VerifyReport> DisclosureLog::CheckHead(const SignedHead& head) {
  TABADUL_ASSIGN_OR_RETURN(auto report, Verify());
  if (!report.ok) return report;
  return CheckHeadAgainst(report, head, "the kept head");
}

Result<SignedHead> DisclosureLog::Head() {
  TABADUL_RETURN_IF_ERROR(Flush());
  TABADUL_ASSIGN_OR_RETURN(auto tip, reader_db_->Tip());
  SignedHead h;
  h.seq = tip.seq;
  h.hash = tip.seq == 0 ? std::string(kGenesisHash) : tip.hash;
  h.time_us = clock_.NowMicros();
  h.public_key = key_.PublicKeyHex();
  h.signature = ToHex(key_.Sign(HeadMessage(h.seq, h.hash, h.time_us)));
  TABADUL_RETURN_IF_ERROR(
      reader_db_->PutHead({h.seq, h.hash, h.time_us, h.public_key, h.signature}));
  return h;
}

// ---- Queries --------------------------------------------------------------------------------

Result<std::vector<Receipt>> DisclosureLog::WhoReceived(const std::string& object_id,
                                                        size_t limit) {
  (void)Flush();
  TABADUL_ASSIGN_OR_RETURN(auto records, reader_db_->RecordsMentioning(object_id, limit));
  std::vector<Receipt> out;
  for (const Record& r : records) {
    for (const auto& it : r.items) {
      if (it.object_id != object_id || out.size() >= limit) continue;
      out.push_back({r.seq, r.time_us, r.org_id, r.user, r.path, r.agreement_id, r.collection_id,
                     it.version});
    }
  }
  return out;
}

Result<std::vector<Record>> DisclosureLog::Received(const std::string& org_id, int64_t from_us,
                                                    int64_t to_us, size_t limit) {
  (void)Flush();
  return reader_db_->RecordsOf(org_id, from_us, to_us, limit);
}

}  // namespace tabadul::audit
