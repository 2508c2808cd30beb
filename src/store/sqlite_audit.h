// Storage of the disclosure log (audit/disclosure_log.h) in the store's SQLite file: the
// records of the hash chain, a derived index from object id to record, and the signed heads the
// server has issued. Only this file knows the audit tables' SQL; the chain's hashing and
// signatures live in the audit module, which hands this class a `seal` function.
//
// Tables (created on Open, next to the store's own tables in the same file):
//   audit_records  one row per disclosure; `items` holds the delivered (object id, version)
//                  pairs, the source of truth that the record's Merkle root covers.
//   audit_items    object id -> seq, derived from `items` only to find records quickly; it is
//                  not covered by the chain and callers must re-check a hit against `items`.
//                  Appends do not write it (100 random b-tree inserts per response would cost
//                  more than serving the response): it is brought up to date lazily, in sorted
//                  batches, by CatchUpIndex / RecordsMentioning (audit_meta.indexed_upto).
//   audit_heads    every signed head handed out, so that a later truncation is detected even by
//                  a verifier that kept no head of its own.
//
// Thread-safety: every method may be called from any thread; calls are serialized on one
// connection per object (open two objects for a writer and a reader that must not wait for
// each other).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sqlite.h"

namespace tabadul::store {

// One delivered object version. `version` is the TAXII version string (modified, else created,
// else empty for an unversioned SCO).
struct AuditItem {
  std::string object_id;
  std::string version;
  bool operator==(const AuditItem&) const = default;
};

// One disclosure as stored. Hashes are lowercase hex (64 characters for 32 bytes).
struct AuditRecord {
  int64_t seq = 0;  // 1, 2, 3, ... assigned by Append
  int64_t time_us = 0;
  std::string org_id;
  std::string user;
  std::string path;
  std::string agreement_id;  // may be empty
  std::string collection_id;
  std::vector<AuditItem> items;
  int64_t item_count = 0;  // as stored; equals items.size() unless the row was tampered with
  std::string merkle_root;
  std::string prev_hash;
  std::string hash;
  // Set when reading a row whose `items` column cannot be decoded (a tampered row); `items`
  // then holds what could be decoded.
  bool items_malformed = false;
};

// The last record of the chain; seq 0 and an empty hash for an empty log.
struct AuditTip {
  int64_t seq = 0;
  std::string hash;
};

// A signed head as stored in audit_heads (see audit/signed_head.h for its meaning).
struct AuditHeadRow {
  int64_t seq = 0;
  std::string hash;
  int64_t time_us = 0;
  std::string public_key;  // hex
  std::string signature;   // hex
};

class SqliteAuditLog {
 public:
  // Opens (creating the tables if needed) the audit tables in the SQLite file at `path`.
  // `fsync_each_commit`: true keeps SQLite's synchronous=FULL (a commit survives power loss);
  // false sets synchronous=NORMAL on this connection, which in WAL mode still survives a process
  // crash (kill -9) but may lose the last commits on power loss. Internal on I/O failure.
  static Result<std::unique_ptr<SqliteAuditLog>> Open(const std::string& path,
                                                      bool fsync_each_commit);

  // Called by Append for each record in order, after its seq is set, with the chain's tip just
  // before it; must set `prev_hash` and `hash`. Must not fail or call back into this object.
  using Seal = std::function<void(const AuditTip& before, AuditRecord& record)>;

  // Appends `records` at the end of the chain in ONE transaction (BEGIN IMMEDIATE, so another
  // process appending to the same file cannot interleave): assigns seq, calls `seal`, inserts
  // the rows. On success the records carry their seq and hashes; on
  // failure (Internal) nothing was stored.
  Status Append(std::vector<AuditRecord>& records, const Seal& seal);

  Result<AuditTip> Tip();

  // Up to `limit` records with seq >= `from_seq`, ascending by seq, with their items.
  Result<std::vector<AuditRecord>> ReadFrom(int64_t from_seq, size_t limit);
  // The record with this seq, nullopt when there is none.
  Result<std::optional<AuditRecord>> Get(int64_t seq);

  // Indexes every record appended since the last catch-up (in transactions of 2000 records).
  Status CatchUpIndex();
  // Records whose index entries mention `object_id` (after a catch-up), ascending by seq, at most
  // `limit`.
  Result<std::vector<AuditRecord>> RecordsMentioning(const std::string& object_id, size_t limit);
  // Records of organization `org_id` with from_us <= time_us < to_us, ascending by seq.
  Result<std::vector<AuditRecord>> RecordsOf(const std::string& org_id, int64_t from_us,
                                             int64_t to_us, size_t limit);

  Status PutHead(const AuditHeadRow& head);
  // Every stored head, ascending by seq then time.
  Result<std::vector<AuditHeadRow>> Heads();

 private:
  explicit SqliteAuditLog(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  Result<std::vector<AuditRecord>> ReadRows(Statement& st, size_t limit);
  Status CatchUpIndexLocked();

  std::mutex mu_;
  std::unique_ptr<Database> db_;  // guarded by mu_
};

// The `items` column's encoding, exposed for tests that tamper with rows: each item is
// `object_id 0x1F version 0x1E`.
std::string EncodeAuditItems(const std::vector<AuditItem>& items);
// Decodes; false when the text is not a well-formed encoding (`out` then holds what decoded).
bool DecodeAuditItems(std::string_view text, std::vector<AuditItem>* out);

}  // namespace tabadul::store
