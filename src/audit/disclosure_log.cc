#include "audit/disclosure_log.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <span>

#include "audit/chain.h"
#include "common/timestamp.h"

namespace tabadul::audit {
namespace {

constexpr size_t kIndexBatch = 2000;  // records indexed per transaction
// How long the ring may hold records of a quiet log before the writer copies them to the file.
constexpr std::chrono::milliseconds kRingFlushDelay(20);

VerifyReport Bad(VerifyReport report, int64_t seq, std::string reason) {
  report.ok = false;
  report.bad_seq = seq;
  report.reason = std::move(reason);
  return report;
}

std::string Seq(int64_t seq) { return "seq " + std::to_string(seq); }

// The first problem inside one record's own bytes (not its link to the previous one), or empty.
std::string RecordProblem(const ScannedRecord& s) {
  if (!s.hash_matches) return "the record's contents do not match its hash";
  // With the record's own agreement table: an item naming an agreement the table does not hold
  // is as forged as a truncated one.
  store::AuditItemsReader reader(s.record.encoded_items, s.record.agreement_id);
  store::AuditItemView item;
  int64_t count = 0;
  while (reader.Next(&item)) ++count;
  if (reader.malformed() || count != s.record.item_count) {
    return "the list of delivered versions is malformed (it was forged with a matching hash)";
  }
  return {};
}

// Notes a record the log wrote about itself: a loss, or an acknowledgement of one. (Disclosures
// always deliver an item, so a record without items is one of these or of neither.)
void NoteOwnRecord(const Record& r, VerifyReport* report) {
  auto find = [&](const std::string& id) -> Gap* {
    for (auto& g : report->gaps) {
      if (g.id == id) return &g;
    }
    return nullptr;
  };
  if (IsRecordOfLoss(r)) {
    Gap* g = find(r.collection_id);
    if (!g) {
      g = &report->gaps.emplace_back();
      g->id = r.collection_id;
    }
    g->seq = r.seq;
    if (auto d = ParseRingDamageNote(r.note); d.ok()) g->damage = *d;
    g->damage.id = g->id;
    return;
  }
  if (r.path != kAcknowledgePath) return;
  Gap* g = find(r.collection_id);
  if (!g) {
    // Acknowledges a loss only its evidence file tells of (matched with it in CheckGaps).
    g = &report->gaps.emplace_back();
    g->id = r.collection_id;
  }
  if (g->acknowledged_seq != 0) return;  // the first acknowledgement counts
  g->acknowledged_seq = r.seq;
  g->acknowledged_by = r.user;
  g->reason = r.note;
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

std::string DescribeGap(const Gap& g) {
  const RingDamage& d = g.damage;
  std::string out = "records committed after " + Seq(d.after_seq) +
                    " were lost from the ring in the audit log's lock file (they belonged at "
                    "bytes [" +
                    std::to_string(d.lost_from) + ", " + std::to_string(d.lost_to) +
                    ") of the record file and had seq " + std::to_string(d.after_seq + 1) +
                    (d.last_claimed_seq > d.after_seq ? ".." + std::to_string(d.last_claimed_seq)
                                                      : " and maybe more") +
                    ")";
  out += g.seq > 0 ? "; " + Seq(g.seq) + " records the loss as " + g.id
                   : "; no record of the loss " + g.id + " is in the chain";
  out += "; evidence: " + g.evidence_path;
  if (!g.evidence_problem.empty()) out += " (" + g.evidence_problem + ")";
  if (g.acknowledged_seq > 0) {
    out += "; acknowledged at " + Seq(g.acknowledged_seq) + " by " + g.acknowledged_by + ": " +
           g.reason;
  } else {
    out += "; not acknowledged";
  }
  return out;
}

std::string RecordPath(const std::string& db_path) {
  constexpr std::string_view kDb = ".db";
  if (db_path.size() > kDb.size() && db_path.ends_with(kDb)) {
    return db_path.substr(0, db_path.size() - kDb.size()) + ".log";
  }
  return db_path + ".log";
}

Result<std::unique_ptr<DisclosureLog>> DisclosureLog::Open(const std::string& db_path,
                                                           const std::string& data_dir,
                                                           const Clock& clock, LogOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto key, SigningKey::LoadOrCreate(data_dir));
  return Open(db_path, std::move(key), clock, options);
}

Result<std::unique_ptr<DisclosureLog>> DisclosureLog::Open(const std::string& db_path,
                                                           SigningKey key, const Clock& clock,
                                                           LogOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto index, store::SqliteAuditIndex::Open(db_path));
  TABADUL_ASSIGN_OR_RETURN(
      auto file,
      RecordFile::Open(RecordPath(db_path), options.fsync_each_commit, clock.NowMicros()));
  return std::unique_ptr<DisclosureLog>(new DisclosureLog(std::move(key), clock, options,
                                                          std::move(file), std::move(index)));
}

DisclosureLog::DisclosureLog(SigningKey key, const Clock& clock, LogOptions options,
                             std::unique_ptr<RecordFile> file,
                             std::unique_ptr<store::SqliteAuditIndex> index)
    : key_(std::move(key)), clock_(clock), options_(options), file_(std::move(file)),
      index_(std::move(index)) {
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
  return Commit(std::move(r), options_.wait_for_commit);
}

Status DisclosureLog::Commit(Record r, bool wait, int64_t* seq) {
  Waiter waiter;
  std::unique_lock lock(mu_);
  if (!wait) {
    done_cv_.wait(lock, [&] { return stopping_ || queue_.size() < options_.max_queue; });
  }
  if (stopping_) return FailedPrecondition("the disclosure log is closing");
  r.time_us = clock_.NowMicros();  // under the lock, so times follow seq order
  ++enqueued_;
  if (wait && !committing_ && queue_.empty()) {
    // Nobody else is committing or waiting: commit this record alone, without the queue.
    committing_ = true;
    lock.unlock();
    Status st = file_->Append(std::span<Record>(&r, 1));
    lock.lock();
    FinishCommit(1, st);
    if (seq) *seq = r.seq;
    return st;
  }
  queue_.push_back({std::move(r), wait ? &waiter : nullptr});
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
  if (seq) *seq = waiter.seq;
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
    const bool work = work_cv_.wait_for(lock, kRingFlushDelay, [&] {
      return (stopping_ || !queue_.empty()) && !committing_;
    });
    if (!work) {
      // Quiet for a moment: copy what the ring holds (this process's records or another's)
      // into the file, so that it never lags far behind.
      if (file_->HasUnflushed()) {
        lock.unlock();
        (void)file_->Flush();  // a failure keeps the bytes in the ring for the next try
        lock.lock();
      }
      continue;
    }
    if (queue_.empty()) return;  // stopping, and everything is committed
    CommitQueued(lock);
  }
}

void DisclosureLog::CommitQueued(std::unique_lock<std::mutex>& lock) {
  assert(!committing_ && !queue_.empty());
  committing_ = true;
  const size_t n = std::min(queue_.size(), options_.max_batch);
  batch_.clear();
  batch_waiters_.clear();
  for (size_t i = 0; i < n; ++i) {
    batch_.push_back(std::move(queue_.front().record));
    batch_waiters_.push_back(queue_.front().waiter);
    queue_.pop_front();
  }
  lock.unlock();
  Status st = file_->Append(batch_);
  lock.lock();
  for (size_t i = 0; i < n; ++i) {
    if (Waiter* w = batch_waiters_[i]) {
      w->status = st;
      w->seq = batch_[i].seq;
      w->done = true;
    }
  }
  FinishCommit(n, st);
}

void DisclosureLog::FinishCommit(size_t n, const Status& st) {
  committing_ = false;
  finished_ += static_cast<int64_t>(n);
  if (!st.ok() && first_error_.ok()) first_error_ = st;
  done_cv_.notify_all();  // waiters, Flush, and appenders that will lead the next commit
  if (!queue_.empty() || stopping_) work_cv_.notify_one();
}

// ---- Verification ---------------------------------------------------------------------------

Result<VerifyReport> DisclosureLog::VerifyChain(std::map<int64_t, std::string>* hashes) {
  VerifyReport report;
  TABADUL_ASSIGN_OR_RETURN(const int64_t end, file_->StableSize());
  RecordFile::Scanner scan(*file_, kRecordFileHeaderSize, end);
  std::string prev = kGenesisHash;
  int64_t expected = 1;
  ScannedRecord s;
  int64_t bad_offset = 0;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(auto step, scan.Next(&s, &bad_offset));
    switch (step) {
      case RecordFile::Scanner::Step::kEnd:
        return report;
      case RecordFile::Scanner::Step::kTorn:
        return Bad(report, expected,
                   "the file ends inside a record after " + Seq(expected - 1) +
                       " (a write cut short by a crash, which the next append removes, or a "
                       "truncation)");
      case RecordFile::Scanner::Step::kMalformed:
        return Bad(report, expected,
                   "the bytes at offset " + std::to_string(bad_offset) + ", where " +
                       Seq(expected) + " should start, are not a record: the file was edited here");
      case RecordFile::Scanner::Step::kRecord:
        break;
    }
    const Record& r = s.record;
    if (!s.body_status.ok()) {
      return Bad(report, expected, Seq(expected) + " (at offset " + std::to_string(s.offset) +
                                       ") does not parse: " + s.body_status.message());
    }
    if (r.seq != expected) {
      if (r.seq > expected) {
        return Bad(report, expected, Seq(expected) + " is missing (" + Seq(r.seq) +
                                         " is stored in its place): a record was removed, or "
                                         "records were reordered");
      }
      return Bad(report, expected, Seq(r.seq) + " is stored where " + Seq(expected) +
                                       " should be: records were reordered or duplicated");
    }
    if (r.prev_hash != prev) {
      return Bad(report, r.seq,
                 Seq(r.seq) + " does not link to " + Seq(r.seq - 1) +
                     " (its prev_hash differs): a record was inserted, removed, reordered or "
                     "rewritten here");
    }
    if (std::string problem = RecordProblem(s); !problem.empty()) {
      return Bad(report, r.seq, Seq(r.seq) + ": " + problem);
    }
    if (r.item_count == 0) NoteOwnRecord(r, &report);
    if (auto it = hashes->find(r.seq); it != hashes->end()) it->second = r.hash;
    prev = r.hash;
    report.last_seq = r.seq;
    ++report.records_checked;
    ++expected;
  }
}

VerifyReport DisclosureLog::CheckHeadAgainst(VerifyReport report, const SignedHead& head,
                                             const std::string& what,
                                             const std::map<int64_t, std::string>& hashes) const {
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
  auto it = hashes.find(head.seq);
  if (it == hashes.end() || it->second != head.hash) {
    return Bad(report, head.seq, Seq(head.seq) + " differs from " + what +
                                     ": the log was rewritten at or before it");
  }
  return report;
}

Result<VerifyReport> DisclosureLog::VerifyWithHeads(const SignedHead* kept) {
  (void)Flush();  // check what was appended before the call; write failures are Append's news
  TABADUL_ASSIGN_OR_RETURN(auto rows, index_->Heads());
  std::map<int64_t, std::string> hashes;
  for (const auto& row : rows) hashes[row.seq];
  if (kept) hashes[kept->seq];
  TABADUL_ASSIGN_OR_RETURN(auto report, VerifyChain(&hashes));
  if (!report.ok) return report;
  for (const auto& row : rows) {
    SignedHead h{row.seq, row.hash, row.time_us, row.public_key, row.signature};
    report = CheckHeadAgainst(report, h,
                              "a head this log issued at " + FormatTaxiiTimestamp(h.time_us),
                              hashes);
    if (!report.ok) return report;
  }
  if (kept) report = CheckHeadAgainst(report, *kept, "the kept head", hashes);
  TABADUL_RETURN_IF_ERROR(CheckGaps(&report));
  return report;
}

Status DisclosureLog::CheckGaps(VerifyReport* report) const {
  const std::string folder = RecordFile::DamageFolder(file_->path());
  std::error_code ec;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(".")) names.push_back(name);  // dot files: evidence being written
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Internal("cannot list the audit log's evidence folder " + folder + ": " + ec.message());
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const bool known = std::any_of(report->gaps.begin(), report->gaps.end(),
                                   [&](const Gap& g) { return g.id == name; });
    if (!known) report->gaps.emplace_back().id = name;
  }
  for (Gap& g : report->gaps) {
    g.evidence_path = folder + "/" + g.id;
    std::ifstream in(g.evidence_path, std::ios::binary);
    if (!in) {
      g.evidence_problem = "the evidence file is missing";
      continue;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (g.seq == 0) {
      // Only the evidence tells what was lost.
      if (auto d = ParseRingDamageNote(bytes); d.ok()) g.damage = *d;
      g.damage.id = g.id;
    } else if (ToHex(Sha256(bytes)) != g.damage.evidence_sha256) {
      g.evidence_problem =
          "the evidence file was changed after " + Seq(g.seq) + " recorded its SHA-256";
    }
  }
  if (!report->ok) return Status::Ok();  // tampering found before is reported first
  auto seq_of = [](const Gap& g) { return g.seq > 0 ? g.seq : g.damage.after_seq + 1; };
  for (const Gap& g : report->gaps) {
    if (!g.evidence_problem.empty()) {
      *report = Bad(
          std::move(*report), seq_of(g),
          "the evidence of gap " + g.id + ": " + g.evidence_problem + " (" + DescribeGap(g) + ")");
      return Status::Ok();
    }
  }
  for (const Gap& g : report->gaps) {
    if (g.acknowledged_seq == 0) {
      *report = Bad(std::move(*report), seq_of(g),
                    DescribeGap(g) +
                        ": examine the evidence, then run `tabadul audit "
                        "acknowledge-gap " +
                        g.id + " --reason TEXT`");
      report->gap = true;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Result<int64_t> DisclosureLog::AcknowledgeGap(const std::string& id, const std::string& by,
                                              const std::string& reason) {
  if (id.empty() || by.empty() || reason.empty()) {
    return InvalidArgument("acknowledging a gap takes its id, who acknowledges it, and a reason");
  }
  if (HasControlCharacter(id) || HasControlCharacter(by) || HasControlCharacter(reason)) {
    return InvalidArgument("a gap's id, who acknowledges it and the reason are one line each");
  }
  TABADUL_ASSIGN_OR_RETURN(const VerifyReport report, VerifyWithHeads(nullptr));
  auto it = std::find_if(report.gaps.begin(), report.gaps.end(),
                         [&](const Gap& g) { return g.id == id; });
  if (it == report.gaps.end()) {
    return NotFound("the audit log knows no gap '" + id + "' (`tabadul audit verify` lists them)");
  }
  if (it->acknowledged_seq != 0) {
    return FailedPrecondition("gap " + id + " was acknowledged already, at " +
                              Seq(it->acknowledged_seq) + " by " + it->acknowledged_by);
  }
  Record r;
  r.user = by;
  r.path = kAcknowledgePath;
  r.collection_id = id;
  r.encoded_items.assign(1, static_cast<char>(store::kAuditItemsFormat));
  r.item_count = 0;
  r.note = reason;
  int64_t seq = 0;
  TABADUL_RETURN_IF_ERROR(Commit(std::move(r), /*wait=*/true, &seq));
  return seq;
}

Result<VerifyReport> DisclosureLog::Verify() { return VerifyWithHeads(nullptr); }

Result<VerifyReport> DisclosureLog::CheckHead(const SignedHead& head) {
  return VerifyWithHeads(&head);
}

Result<SignedHead> DisclosureLog::Head() {
  TABADUL_RETURN_IF_ERROR(Flush());
  TABADUL_ASSIGN_OR_RETURN(auto tip, file_->Tip());
  SignedHead h;
  h.seq = tip.seq;
  h.hash = tip.seq == 0 ? std::string(kGenesisHash) : tip.hash;
  h.time_us = clock_.NowMicros();
  h.public_key = key_.PublicKeyHex();
  h.signature = ToHex(key_.Sign(HeadMessage(h.seq, h.hash, h.time_us)));
  TABADUL_RETURN_IF_ERROR(
      index_->PutHead({h.seq, h.hash, h.time_us, h.public_key, h.signature}));
  return h;
}

// ---- Queries --------------------------------------------------------------------------------

Status DisclosureLog::CatchUpIndex() {
  (void)Flush();
  TABADUL_ASSIGN_OR_RETURN(const int64_t end, file_->StableSize());
  return index_->CatchUp([&](const store::AuditIndexState& state)
                             -> Result<store::SqliteAuditIndex::Batch> {
    store::SqliteAuditIndex::Batch batch;
    int64_t from = state.offset;
    int64_t seq = state.seq;
    // The index must still describe this file: its last indexed record is the frame that ends
    // where the index ends. (Not "the next frame follows on": a damaged next frame would then
    // restart the index forever.)
    bool matches = from >= kRecordFileHeaderSize && from <= end;
    if (matches && seq > 0) {
      TABADUL_ASSIGN_OR_RETURN(auto last, file_->ReadEndingAt(from));
      matches = last && last->body_status.ok() && last->record.seq == seq;
    }
    // Nothing indexed yet: start at the first frame (whatever it is; a damaged file indexes
    // what precedes the damage). Restarting here again would never end.
    if (state.seq == 0) {
      matches = true;
      from = kRecordFileHeaderSize;
    }
    if (!matches) {
      batch.restart = true;
      from = 0;
      seq = 0;
    }
    if (from < kRecordFileHeaderSize) from = kRecordFileHeaderSize;
    batch.next = {seq, from};
    RecordFile::Scanner scan(*file_, from, end);
    ScannedRecord s;
    int64_t bad = 0;
    store::AuditItemView item;
    while (batch.entries.size() < kIndexBatch) {
      TABADUL_ASSIGN_OR_RETURN(auto step, scan.Next(&s, &bad));
      // A torn or damaged frame ends what can be indexed; `verify` reports it.
      if (step != RecordFile::Scanner::Step::kRecord || !s.body_status.ok()) break;
      store::AuditIndexEntry e;
      e.seq = s.record.seq;
      e.offset = s.offset;
      e.time_us = s.record.time_us;
      e.org_id = std::move(s.record.org_id);
      // A malformed list indexes what decodes.
      store::AuditItemsReader reader(s.record.encoded_items, s.record.agreement_id);
      while (reader.Next(&item)) e.object_ids.push_back(item.ObjectId());
      batch.entries.push_back(std::move(e));
      batch.next = {s.record.seq, s.next_offset};
    }
    return batch;
  });
}

Result<std::optional<Record>> DisclosureLog::ReadHit(const store::AuditIndexHit& hit) {
  // The file decodes the items with the record's own agreement table.
  TABADUL_ASSIGN_OR_RETURN(auto s, file_->ReadAt(hit.offset, /*decode_items=*/true));
  if (!s || !s->body_status.ok() || s->record.seq != hit.seq) return std::optional<Record>();
  return std::optional<Record>(std::move(s->record));
}

Result<std::vector<Receipt>> DisclosureLog::WhoReceived(const std::string& object_id,
                                                        size_t limit) {
  TABADUL_RETURN_IF_ERROR(CatchUpIndex());
  TABADUL_ASSIGN_OR_RETURN(auto hits, index_->Mentioning(object_id, limit));
  std::vector<Receipt> out;
  for (const auto& hit : hits) {
    TABADUL_ASSIGN_OR_RETURN(auto r, ReadHit(hit));
    if (!r) continue;
    for (const auto& it : r->items) {
      if (it.object_id != object_id || out.size() >= limit) continue;
      out.push_back({r->seq, r->time_us, r->org_id, r->user, r->path, it.agreement,
                     r->collection_id, it.version});
    }
  }
  return out;
}

Result<std::vector<Record>> DisclosureLog::Received(const std::string& org_id, int64_t from_us,
                                                    int64_t to_us, size_t limit) {
  TABADUL_RETURN_IF_ERROR(CatchUpIndex());
  TABADUL_ASSIGN_OR_RETURN(auto hits, index_->Of(org_id, from_us, to_us, limit));
  std::vector<Record> out;
  for (const auto& hit : hits) {
    TABADUL_ASSIGN_OR_RETURN(auto r, ReadHit(hit));
    if (!r || r->org_id != org_id || r->time_us < from_us || r->time_us >= to_us) continue;
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace tabadul::audit
