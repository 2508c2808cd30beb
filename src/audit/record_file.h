// The disclosure log's records in their append-only file (<data>/audit.log): the chain itself.
// The SQLite file beside it (audit.db, store/sqlite_audit.h) only holds signed heads and an
// index derived from this file; everything that must be proven is here.
//
// Layout:
//   file   = header || frame*
//   header = "tabadul audit 1\n" (16 bytes; another header is refused, never misread)
//   frame  = "TREC" || u32 n || body || hash || u32 n       (u32 big-endian, n = |body| + 32)
// `body` and `hash` are chain.h's: hash = SHA-256 over a tag and the body, which ends with the
// previous record's hash. The length is repeated after the frame so the last record can be
// found from the end of the file without reading the rest.
//
// Appending (one writer at a time, across processes): every process that opens the log maps a
// small lock file beside it (`<path>.lock`) holding a process-shared, robust mutex and the end
// and tip of the file as the last appender left them. Under that mutex the appender takes the
// tip from there when another process has appended since (a `tabadul export` beside `serve`),
// numbers and hashes the records, writes all their frames with one pwrite, (with `fsync`)
// fdatasyncs, and publishes the new end and tip. An uncontended append thus costs one system
// call (an flock pair and an fstat per append cost ~40% of the log's CPU on the benchmark VM,
// where every system call pays for paravirtualization). When a holder dies with the mutex
// (EOWNERDEAD), the next one re-reads the end of the file itself. A write cut short (kill -9, disk full) leaves a
// torn frame at the end: the appender that failed truncates it at once; one that finds it
// later (after a crash) truncates it before appending, since nobody was told it was written.
// A frame that is malformed anywhere but at the very end is damage or tampering: appending
// then fails with FailedPrecondition rather than chain onto it or cut it away.
//
// Reading needs no lock: frames are only ever added after the end. Scanners stop at the size the
// file had when they started (taken under the mutex, so it is a frame boundary unless a crash
// tore the last frame).
//
// Thread-safety: every method may be called from any thread; appends are serialized.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sqlite_audit.h"

namespace tabadul::audit {

inline constexpr char kRecordFileHeader[] = "tabadul audit 1\n";
inline constexpr int64_t kRecordFileHeaderSize = sizeof kRecordFileHeader - 1;

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
  // Opens (creating it with its header when absent or empty) the file at `path`.
  // FailedPrecondition when it holds something else; Internal on I/O errors.
  static Result<std::unique_ptr<RecordFile>> Open(const std::string& path, bool fsync_each_append);
  ~RecordFile();
  RecordFile(const RecordFile&) = delete;
  RecordFile& operator=(const RecordFile&) = delete;

  // Appends `records` at the end of the chain: sets each one's seq, prev_hash and hash. All or
  // nothing: on failure (Internal, or FailedPrecondition for a damaged file) none is in the file.
  // `encoded_items` and `item_count` are written as given.
  Status Append(std::vector<store::AuditRecord>& records);

  // The last record's seq and hash (hex) as the file stands; seq 0 for an empty log.
  // FailedPrecondition when the end of the file is not a well-formed frame.
  Result<store::AuditTip> Tip();

  // The size of the file at a frame boundary (taken under the mutex).
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

 private:
  struct Shared;  // the mapped lock file (record_file.cc)
  class SharedLock;

  RecordFile(std::string path, int write_fd, int read_fd, int lock_fd, Shared* shared, bool fsync)
      : path_(std::move(path)), write_fd_(write_fd), read_fd_(read_fd), lock_fd_(lock_fd),
        shared_(shared), fsync_(fsync) {}
  // With the mutex held: learns the tip and end of the file as it now stands (`size` bytes),
  // truncating a torn last frame. Sets end_ and tip_ and publishes them.
  Status LearnTail(int64_t size);
  // With the mutex held: makes end_ and tip_ those of the file (from the shared state, or from
  // the file when the shared state does not know them).
  Status Catch();
  // `tip_raw`: the tip's hash as raw bytes when the caller has them (skips a hex round trip).
  void Publish(std::string_view tip_raw = {});

  const std::string path_;
  const int write_fd_;  // appends
  const int read_fd_;   // preads
  const int lock_fd_;   // the lock file, mapped at shared_
  Shared* const shared_;
  const bool fsync_;

  std::mutex append_mu_;  // one append at a time in this process
  int64_t end_ = -1;      // guarded by the mutex: where this object last saw the end
  store::AuditTip tip_;   // guarded by the mutex: the tip at end_
};

}  // namespace tabadul::audit
