// The disclosure log's records in their append-only file (<data>/audit.log): the chain itself.
// The SQLite file beside it (audit.db, store/sqlite_audit.h) only holds signed heads and an
// index derived from this file; everything that must be proven is here.
//
// Layout:
//   file   = header || frame*
//   header = "tabadul audit 2\n" (16 bytes; another header is refused, never misread)
//   frame  = "TREC" || u32 n || body || hash || u32 n       (u32 big-endian, n = |body| + 32)
// `body` and `hash` are chain.h's: hash = SHA-256 over a tag and the body, which ends with the
// previous record's hash. The length is repeated after the frame so the last record can be
// found from the end of the file without reading the rest.
//
// Appending (one writer at a time, across processes): every process that opens the log maps the
// lock file beside it (`<path>.lock`): a header holding two process-shared, robust mutexes and
// the chain's state, followed by a ring of kRingBytes. Under the append mutex the appender learns
// the tip (another process may have appended since: `serve` and `tabadul export`), numbers and
// hashes the records, copies their frames into the ring, and publishes the new end with one
// atomic store, the commit point. The ring is part of a file mapped MAP_SHARED, so a record in it
// survives the death of its process (kill -9) exactly as a pwrite into the page cache would,
// without a system call or a fresh page of memory per response (on the benchmark VM those cost
// ~3 µs a record: docs/design/audit.md "Where the records live"). Whoever holds the flush mutex
// copies the ring's bytes [flushed, end) into the record file with one pwrite and advances
// `flushed`: an appender when the ring is a quarter full or has no room, the log's writer thread
// a few milliseconds after the last append, and every reader before it reads (StableSize, Tip),
// so readers only ever see the file. Records larger than half the ring, and every append with
// `fsync`, flush the ring and are written straight to the file (and fdatasynced).
//
// A process that dies while appending leaves `end` as it was (its bytes lie beyond it and are
// overwritten); one that dies while flushing leaves `flushed` as it was (the next flush writes
// the same bytes again). The first process to open the log alone (no other has the lock file
// open: after a crash or a reboot) re-initializes the mutexes and, before it lets anyone else
// in, recovers what the old ring holds beyond the file: every byte of [flushed, end) was
// committed. Frame by frame from `flushed`, it keeps the file's frame where the file has a whole
// one (a flusher died after its pwrite), else copies the ring's, as long as each frame is whole,
// hashes right and chains onto the one before (so a lock file from another era can add nothing
// that does not belong). Then the end is learned from the file: a frame torn by a crash in the
// middle of a direct write is cut (nobody was told it was written); a frame that is malformed
// anywhere but at the very end is damage or tampering, and appending then fails with
// FailedPrecondition rather than chain onto it or cut it away.
//
// Damage. When the walk stops before the old `end` at bytes that are not a whole, sound frame
// chaining on (a damaged byte in the ring: its page, a stray write), committed records (records
// of deliveries that were sent) cannot be recovered. They must not vanish without a trace, so
// the opener, before changing anything else:
//   1. keeps the evidence: a new file `<path>.damage/gap-<seq>` (mode 0600, created whole by
//      link(); `<seq>` is the first seq the lost records had) holding a text header — the
//      incident (old `flushed`, `end`, SHA-256 of the ring's bytes), the last record recovered
//      before the loss, the lost range of the chain, the seq the last lost frame names, the
//      file's size — then the old ring's bytes [flushed, end) and the file's bytes from the loss
//      on (a copy a dying flusher tore, if any);
//   2. writes a record of the loss (IsRecordOfLoss) in the lost records' place, chained on the
//      last record recovered: no organization, user kLogItself, path kRingDamagePath,
//      collection_id the evidence file's name, no items, and a note (FormatRingDamageNote)
//      naming the lost range and the evidence file's SHA-256. The chain itself now tells of the
//      loss, so it cannot be forgotten by a restart or hidden by deleting the evidence, and every
//      later hash and signed head covers it. The numbers the lost records had are taken by the
//      record of the loss and the records after it; the evidence keeps the lost ones.
// DisclosureLog::Verify fails on such a record until an operator's acknowledgement follows it in
// the chain (audit/disclosure_log.h). Not damage, and not reported: bytes beyond the published
// `end` (an append that never committed), a ring whose frames are sound but belong to another
// chain (another log's lock file), frames the file already holds, a ring that starts beyond the
// file's end or after a frame that is not sound, and a file longer than the ring's end (a lock
// file older than the file). A damaged first frame of a ring that cannot be told from another
// log's is reported: a needless report costs an acknowledgement, a missed one a record.
// Recovery is repeatable: the old range stays in the lock file's header until it is done, an
// evidence file of the same incident is reused, and a record of the loss already in the file
// ends the walk.
//
// The record file is only ever written with pwrite (never mapped), so truncating it under a
// running server cannot fault the server; the records not yet copied are in the lock file,
// which must not be deleted while the log may hold some (a clean close copies them all).
//
// Reading needs no lock: frames are only ever added after the end. Scanners stop at the size
// StableSize gave (a frame boundary, everything before it in the file).
//
// Thread-safety: every method may be called from any thread; appends are serialized.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sqlite_audit.h"

namespace tabadul::audit {

inline constexpr char kRecordFileHeader[] = "tabadul audit 2\n";
inline constexpr int64_t kRecordFileHeaderSize = sizeof kRecordFileHeader - 1;
// The ring in the lock file (see below): records on their way into the file.
inline constexpr int64_t kRingBytes = int64_t{1} << 20;
// Where the ring starts in the lock file (the header before it: mutexes, end, flushed, tip);
// chain offset x lies at kLockFileRingOffset + x % kRingBytes.
inline constexpr int64_t kLockFileRingOffset = 4096;

// The record of a loss of committed records (see "Damage" above) has this path and this user.
inline constexpr char kRingDamagePath[] = "audit:ring-damage";
inline constexpr char kLogItself[] = "tabadul";
// The first line of an evidence file.
inline constexpr char kEvidenceMagic[] = "tabadul audit ring damage 1";

// Committed records an opener found damaged in the old ring and could not recover; also what
// the note of the record of the loss says (FormatRingDamageNote) and what an evidence file's
// header says (ParseRingDamageNote reads both).
struct RingDamage {
  std::string id;                // the evidence file's name in DamageFolder (not in the note)
  int64_t after_seq = 0;         // the last record recovered before the loss (0: none)
  std::string after_hash;        // its hash, hex (kGenesisHash for none)
  int64_t lost_from = 0;         // [lost_from, lost_to): the lost bytes' place in the chain;
  int64_t lost_to = 0;           //   lost_to is the end the old ring had published
  int64_t last_claimed_seq = 0;  // the seq the last lost frame names; 0 when it cannot be read
  std::string evidence_sha256;   // of the whole evidence file, hex (empty in its own header)
};

// The note of a record of a loss: one "key value" line per field but `id`.
std::string FormatRingDamageNote(const RingDamage& damage);
// Reads a note, or an evidence file (up to the empty line that ends its header; other keys
// are skipped). InvalidArgument when after-seq, lost-from or lost-to is missing or malformed.
Result<RingDamage> ParseRingDamageNote(std::string_view text);
// Whether `record` is a record of a loss (written by recovery, never by a disclosure: those
// always deliver an item).
bool IsRecordOfLoss(const store::AuditRecord& record);

// One frame as a scanner found it.
struct ScannedRecord {
  store::AuditRecord record;  // fields parsed from the body; `hash` is the stored hash (hex)
  int64_t offset = 0;         // where the frame starts
  int64_t next_offset = 0;    // where the next frame starts
  Status body_status;         // not OK when the body does not parse (its fields are then partial)
  bool hash_matches = false;  // the stored hash equals the hash of the stored body
};

class RecordFile {
 public:
  // Opens (creating it with its header when absent or empty) the file at `path`, recovering
  // the old ring when this is the only process with the log open (see the top); `now_us` times
  // the record of a loss that recovery may write. FailedPrecondition when the file holds
  // something else; Internal on I/O errors, recovery's included (the old ring is then left for
  // the next opener).
  static Result<std::unique_ptr<RecordFile>> Open(const std::string& path, bool fsync_each_append,
                                                  int64_t now_us);
  // The folder of the evidence files of the log whose records are at `record_path`.
  static std::string DamageFolder(const std::string& record_path);
  ~RecordFile();
  RecordFile(const RecordFile&) = delete;
  RecordFile& operator=(const RecordFile&) = delete;

  // Appends `records` at the end of the chain: sets each one's seq, prev_hash and hash. All or
  // nothing: on failure (Internal, or FailedPrecondition for a damaged file) none is in the log.
  // `encoded_items` and `item_count` are written as given. On success the records are in the
  // ring or the file (see the top of this file): they survive the death of this process.
  Status Append(std::span<store::AuditRecord> records);

  // Copies what the ring holds into the file. Internal on a write error (the bytes stay in the
  // ring and are copied by a later flush).
  Status Flush();
  // Whether the ring holds bytes the file does not (a cheap check for the writer thread).
  bool HasUnflushed() const;

  // The last record's seq and hash (hex) as the file stands; seq 0 for an empty log.
  // FailedPrecondition when the end of the file is not a well-formed frame.
  Result<store::AuditTip> Tip();

  // The size of the file after copying the ring into it: every record appended before the
  // call is in the file, and the size is a frame boundary unless a crash tore the last frame
  // (or someone edited the file).
  Result<int64_t> StableSize();

  // The frame at `offset`, nullopt when there is no complete frame there (an index pointing
  // into a rewritten file). Decodes `items` when asked.
  Result<std::optional<ScannedRecord>> ReadAt(int64_t offset, bool decode_items = true);
  // The frame that ends exactly at `end` (found through its trailing length), nullopt when
  // there is none.
  Result<std::optional<ScannedRecord>> ReadEndingAt(int64_t end);

  // Reads frames in order from `from` up to `end`, a chunk at a time (memory stays flat).
  class Scanner {
   public:
    enum class Step {
      kRecord,     // *out holds the next frame
      kEnd,        // `end` reached exactly
      kTorn,       // the bytes left before `end` are the start of a frame that does not end
      kMalformed,  // the frame at *bad_offset is not a frame (wrong marker or lengths)
    };
    Scanner(const RecordFile& file, int64_t from, int64_t end);
    // Internal on read errors.
    Result<Step> Next(ScannedRecord* out, int64_t* bad_offset);
    int64_t offset() const { return pos_; }

   private:
    // Makes `n` bytes from pos_ available in buf_; false when the file (up to end_) has fewer.
    Result<bool> Ensure(size_t n);
    const RecordFile& file_;
    int64_t pos_;
    int64_t end_;
    std::string buf_;
    int64_t buf_start_ = 0;  // file offset of buf_[0]
  };

  const std::string& path() const { return path_; }
  // The loss this object's Open found and recorded (see "Damage" above), if any.
  const std::optional<RingDamage>& damage_found() const { return damage_found_; }

 private:
  struct Shared;  // the mapped lock file's header (record_file.cc)
  class SharedLock;
  struct Salvage;  // what an old ring held beyond its file

  RecordFile(std::string path, int write_fd, int read_fd, int lock_fd, Shared* shared, char* ring,
             bool fsync)
      : path_(std::move(path)), write_fd_(write_fd), read_fd_(read_fd), lock_fd_(lock_fd),
        shared_(shared), ring_(ring), fsync_(fsync) {}
  // With the append mutex held: learns the tip and end of the file as it now stands (`size`
  // bytes), truncating a torn last frame. Sets end_ and tip_ and publishes them (the ring is
  // empty then).
  Status LearnTail(int64_t size);
  Status LearnTailLocked(int64_t size);  // the same with the flush mutex held
  // With the append mutex held: makes end_ and tip_ those of the chain (from the shared state,
  // or from the file when the shared state does not know them).
  Status Catch();
  // With the append mutex held: publishes tip_ at end_ (the tip first, then the end, the commit
  // point). `tip_raw`: the tip's hash as raw bytes when the caller has them.
  void Publish(std::string_view tip_raw = {});
  // Copies the ring's [flushed, end) into the file, under the flush mutex.
  Status FlushRing();
  // The same with the flush mutex held; `after_death`: its last holder died holding it.
  Status FlushRingLocked(bool after_death);
  // The old ring's [flushed, end) as the lock file's header `shared` tells it (or the range an
  // interrupted recovery left), read from `ring`; empty when there is none.
  static Salvage TakeSalvage(const Shared& shared, const char* ring);
  // Writes the header into an empty file (true: the file is new) or checks it.
  // FailedPrecondition when the file holds something else.
  Result<bool> CheckHeader();
  // With the lock file held exclusively: copies into the file the frames of an old ring that
  // chain onto the file, and records a loss (see the top). Internal on I/O errors.
  Status Replay(const Salvage& salvage, int64_t now_us);
  // Keeps the evidence of the committed bytes [lost_from, salvage's end) and writes the record
  // of their loss at lost_from, chained on `prev` (the file is `size` bytes long).
  Status KeepEvidenceOfLoss(const Salvage& salvage, int64_t size, int64_t lost_from,
                            const store::AuditTip& prev, int64_t now_us);

  const std::string path_;
  const int write_fd_;  // appends
  const int read_fd_;   // preads
  const int lock_fd_;   // the lock file, mapped at shared_
  Shared* const shared_;
  char* const ring_;  // kRingBytes, right after the header in the same mapping
  const bool fsync_;
  std::string frames_;  // guarded by the mutex: the frames being appended (reused)
  std::optional<RingDamage> damage_found_;  // set by Open only

  std::mutex append_mu_;  // one append at a time in this process
  int64_t end_ = -1;      // guarded by the mutex: where this object last saw the end
  store::AuditTip tip_;   // guarded by the mutex: the tip at end_
  std::string tip_raw_;   // guarded by the mutex: tip_'s hash as 32 raw bytes (zeros for seq 0)
};

}  // namespace tabadul::audit
