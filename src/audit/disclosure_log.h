// The disclosure log: an append-only, hash-chained record of every delivery of object versions
// to an organization, whose head can be signed so that a partner holding a signed head can later
// detect any change to what came before it. Design and trade-offs: docs/design/audit.md.
//
// A record: seq, time, organization, user (or token), request path, agreement table (the
// agreements the items were delivered under; may be empty), collection, the (object id,
// version, agreement index) items delivered, prev_hash (the previous record's
// hash) and hash (audit/chain.h). Records live in an append-only file of their own
// (<data>/audit.log, audit/record_file.h); the SQLite file beside it (audit.db) keeps the signed
// heads and an index for queries, derived from the records and caught up when a query runs.
//
// Appends are committed into the record file's ring (audit/record_file.h: a copy into a mapped
// file, which survives the death of the process), and copied into the file itself in large
// writes. With `wait_for_commit` (the default) Append returns only once its record is committed,
// so a response is sent only after its disclosure is; an appender commits its record itself when
// no commit is running and nothing is queued, and otherwise queues it and waits for the running
// commit, leading the next one with everything queued (group commit; no hand-off to another
// thread, which cost two context switches per response). Records appended without waiting are
// committed by a writer thread; a crash loses what was queued but not yet committed; Flush()
// waits for the queue. The writer thread also copies a quiet log's ring into the file.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/signed_head.h"
#include "audit/signing_key.h"
#include "common/clock.h"
#include "common/status.h"
#include "audit/record_file.h"
#include "store/sqlite_audit.h"

namespace tabadul::audit {

// What the caller knows about one delivery.
struct Disclosure {
  std::string org_id;  // the receiving organization (identity id)
  std::string user;    // the user or token name that made the request
  std::string path;    // the request path (or "cli:export", "sync:push/<peer>", ...)
  // The agreement table of `versions` (versions.agreement_table()) when its items name their
  // agreements; else the one agreement the whole delivery was made under, or "" if unknown
  // (store/sqlite_audit.h, "The agreement table"). DisclosureHook fills it so.
  std::string agreement_id;
  std::string collection_id;
  // The delivered (object id, version[, agreement]) items in delivered order, already in stored
  // form (built with Add(), one allocation per page rather than two per object); not empty.
  store::AuditItemList versions;
};

using Record = store::AuditRecord;

// The path of an operator's acknowledgement of a loss (AcknowledgeGap): a record of the log's
// own, with no organization and no items, the operator as `user`, the gap's id as
// `collection_id` and the reason as its note (audit/chain.h).
inline constexpr char kAcknowledgePath[] = "cli:audit-acknowledge";

// A loss of committed records the log knows of (audit/record_file.h, "Damage"): from a record of
// the loss in the chain, or from an evidence file in RecordFile::DamageFolder alone (an opener
// that died between the two, or a record cut away with the tail).
struct Gap {
  std::string id;     // the evidence file's name, e.g. "gap-8"
  int64_t seq = 0;    // the record of the loss; 0 when the chain holds none
  RingDamage damage;  // what was lost (the record's note, else the evidence file's header)
  std::string evidence_path;
  // Empty, or what is wrong with the evidence: missing, or changed since the record of the
  // loss named its SHA-256 (both are tampering with the log's evidence).
  std::string evidence_problem;
  int64_t acknowledged_seq = 0;  // the first acknowledgement's record; 0 while unacknowledged
  std::string acknowledged_by;
  std::string reason;
};

// One line about `gap` for people: what was lost, where the evidence is, its acknowledgement.
std::string DescribeGap(const Gap& gap);

// The outcome of Verify() or CheckHead(). When !ok, `bad_seq` is the first record found wrong
// (for a truncation: the first missing seq) and `reason` says what is wrong there. A chain that
// verifies is still not ok while a gap is unacknowledged (`gap` is then set, and `bad_seq` is
// the record of the loss) or its evidence is missing or changed.
struct VerifyReport {
  bool ok = true;
  bool gap = false;  // !ok because of an unacknowledged gap (nothing was found tampered with)
  int64_t bad_seq = 0;
  std::string reason;
  int64_t records_checked = 0;
  int64_t last_seq = 0;  // the chain's last record as read
  std::vector<Gap> gaps;  // every gap found (acknowledged or not), in chain order
};

// One answer to "who received object X".
struct Receipt {
  int64_t seq = 0;
  int64_t time_us = 0;
  std::string org_id;
  std::string user;
  std::string path;
  std::string agreement_id;  // the agreement this version was delivered under ("" = none)
  std::string collection_id;
  std::string version;
};

struct LogOptions {
  // Append waits until its record is written (see the top of this file).
  bool wait_for_commit = true;
  // true: fdatasync after each write, so a record survives power loss. false (default): the
  // write is in the OS page cache when Append returns, which survives a process crash (kill -9)
  // but may lose the last writes on power loss or an OS crash.
  bool fsync_each_commit = false;
  // At most this many records per write.
  size_t max_batch = 512;
  // Without wait_for_commit, Append blocks while this many records are queued (back-pressure,
  // so memory stays bounded when the disk is slow).
  size_t max_queue = 8192;
};

// Where the records of the log whose SQLite file is `db_path` live: `db_path` with a final
// ".db" replaced by ".log" (else with ".log" appended).
std::string RecordPath(const std::string& db_path);

class DisclosureLog {
 public:
  // Opens the log: its index and heads in the SQLite file at `db_path` (<data>/audit.db; tables
  // are created if needed), its records in RecordPath(db_path) (<data>/audit.log), and the
  // signing key in `data_dir` (created with mode 0600 on first start). FailedPrecondition when
  // a file holds another format of the log.
  // `clock` must outlive the log. Errors: those of SigningKey::LoadOrCreate and Internal.
  static Result<std::unique_ptr<DisclosureLog>> Open(const std::string& db_path,
                                                     const std::string& data_dir,
                                                     const Clock& clock, LogOptions options = {});
  // The same with a given key (tests, tools).
  static Result<std::unique_ptr<DisclosureLog>> Open(const std::string& db_path, SigningKey key,
                                                     const Clock& clock, LogOptions options = {});
  // Commits everything still queued, then stops the writer.
  ~DisclosureLog();
  DisclosureLog(const DisclosureLog&) = delete;
  DisclosureLog& operator=(const DisclosureLog&) = delete;

  // Appends one record, timed by the clock. InvalidArgument when `versions` is empty or an id
  // or version contains a control character; with wait_for_commit, Internal when the commit
  // failed (nothing of it was stored).
  Status Append(Disclosure disclosure);

  // Waits until every record queued before the call is committed; returns the first commit
  // failure since the previous Flush (those records are lost), else OK.
  Status Flush();

  // Checks the whole chain from seq 1: numbering without gaps, each prev_hash, each record hash
  // and that its list of delivered versions decodes (against its agreement table), then every
  // signed head the log has issued (signature, and that the chain still holds its hash). Reads
  // in chunks; memory does not grow with the log. Internal only when the database cannot be
  // read: tampering is a report, not an error.
  Result<VerifyReport> Verify();

  // Signs the current tip (after a Flush) and remembers the head in the log, so later
  // verifications also check that the log still extends it.
  Result<SignedHead> Head();

  // Checks that the log extends a head kept by someone: the head's signature is valid and by
  // this log's key, the chain verifies, and the record at head.seq has head.hash. Unacknowledged
  // gaps fail it as they fail Verify(): the log lost records after the head was issued.
  Result<VerifyReport> CheckHead(const SignedHead& head);

  // Appends an operator's acknowledgement of gap `id` (a record with path kAcknowledgePath, see
  // there), after which Verify() passes again and still lists the gap; the evidence file is
  // left as it is. `by` names the operator. Returns the acknowledgement's seq.
  // InvalidArgument when `id`, `by` or `reason` is empty or holds a control character; NotFound
  // when the log knows no gap `id`; FailedPrecondition when it was acknowledged already;
  // Internal when reading or appending fails (nothing is then appended).
  Result<int64_t> AcknowledgeGap(const std::string& id, const std::string& by,
                                 const std::string& reason);

  // The loss of committed records that this log's opening found and recorded (record_file.h,
  // "Damage"), if any: a server may want to say so at startup. Verify() finds every gap.
  const std::optional<RingDamage>& damage_found_at_open() const { return file_->damage_found(); }

  // Who received object `object_id` (any version), oldest first, at most `limit` answers.
  // Located through the audit_items index and confirmed against each record's own items.
  Result<std::vector<Receipt>> WhoReceived(const std::string& object_id, size_t limit = 100000);
  // What organization `org_id` received with from_us <= time < to_us, oldest first.
  Result<std::vector<Record>> Received(const std::string& org_id, int64_t from_us, int64_t to_us,
                                       size_t limit = 100000);

  // Brings the query index up to date with the record file (queries do this themselves).
  Status CatchUpIndex();

  const SigningKey& key() const { return key_; }
  const std::string& record_path() const { return file_->path(); }

 private:
  struct Waiter {
    Status status;
    bool done = false;
    int64_t seq = 0;  // the record's, once committed
  };
  struct Pending {
    Record record;
    Waiter* waiter;  // null when the appender does not wait
  };

  DisclosureLog(SigningKey key, const Clock& clock, LogOptions options,
                std::unique_ptr<RecordFile> file, std::unique_ptr<store::SqliteAuditIndex> index);
  // Times and commits `r` (see the top of this file); with `wait`, returns once it is committed
  // and sets *seq (when given) to its seq.
  Status Commit(Record r, bool wait, int64_t* seq = nullptr);
  void WriterLoop();
  // Takes up to max_batch queued records, commits them with mu_ released, and reports to their
  // waiters. Called with `lock` held on mu_ and committing_ false; returns with it held.
  void CommitQueued(std::unique_lock<std::mutex>& lock);
  // Called with mu_ held after a commit of `n` records ended with `st`: reports it to Flush and
  // whoever waits, and hands the queue on.
  void FinishCommit(size_t n, const Status& st);
  // Walks the record file from seq 1; `hashes` receives the hash of each record whose seq it
  // already holds as a key (the seqs of the heads to check afterwards).
  Result<VerifyReport> VerifyChain(std::map<int64_t, std::string>* hashes);
  // Verifies the chain, then every stored head, then `kept` when given, then the gaps.
  Result<VerifyReport> VerifyWithHeads(const SignedHead* kept);
  // Adds to report->gaps the evidence files the chain does not name, checks every gap's
  // evidence, and fails an intact report on the first problem or unacknowledged gap. Internal
  // when the evidence folder cannot be read.
  Status CheckGaps(VerifyReport* report) const;
  // Checks one head against a chain already verified into `report`; `what` names it in reasons.
  VerifyReport CheckHeadAgainst(VerifyReport report, const SignedHead& head,
                                const std::string& what,
                                const std::map<int64_t, std::string>& hashes) const;
  // The record at `hit`, confirmed: nullopt when the file no longer has that seq there.
  Result<std::optional<Record>> ReadHit(const store::AuditIndexHit& hit);

  const SigningKey key_;
  const Clock& clock_;
  const LogOptions options_;
  std::unique_ptr<RecordFile> file_;
  std::unique_ptr<store::SqliteAuditIndex> index_;

  std::mutex mu_;
  std::condition_variable work_cv_;   // the writer waits for records or stop
  std::condition_variable done_cv_;   // appenders and Flush wait for commits
  std::deque<Pending> queue_;         // guarded by mu_
  int64_t enqueued_ = 0;              // guarded by mu_: records ever queued
  int64_t finished_ = 0;              // guarded by mu_: records committed or failed
  Status first_error_;                // guarded by mu_: first failure since the last Flush
  bool stopping_ = false;             // guarded by mu_
  bool committing_ = false;           // guarded by mu_: a batch is being committed
  // The batch being committed (by whoever set committing_), kept to reuse their memory.
  std::vector<Record> batch_;
  std::vector<Waiter*> batch_waiters_;
  std::thread writer_;
};

}  // namespace tabadul::audit
