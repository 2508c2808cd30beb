// The disclosure log's SQLite side (audit.db), beside its record file (audit/record_file.h):
// the signed heads the server has issued, and an index derived from the record file, used to
// find records quickly and never trusted for content (callers re-read each hit from the file).
// This file also defines the compact stored form of a record's delivered versions, which the
// record file carries and the chain hashes. Only this file knows the audit tables' SQL.
//
// Tables (created on Open):
//   audit_meta     `format` (kAuditIndexFormat; a file of another format is refused, not
//                  misread), `indexed_seq` and `indexed_offset` (AuditIndexState).
//   audit_index    seq -> offset in the record file, with (org_id, time_us) to answer "what did
//                  organization Y receive between T1 and T2".
//   audit_items    object id -> seq, to answer "who received object X".
//   audit_heads    every signed head handed out, so that a later truncation is detected even by
//                  a verifier that kept no head of its own.
// Appends do not touch this file: the index is caught up lazily, in sorted batches, when a
// query runs (DisclosureLog), so a response pays only for its record's write.
//
// Thread-safety: every method may be called from any thread; calls are serialized on one
// connection per object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/sqlite.h"

namespace tabadul::store {

// One delivered object version. `version` is the TAXII version string (modified, else created,
// else empty for an unversioned SCO). `agreement` is the agreement it was delivered under
// ("name@vN", policy::Decision::agreement; empty = none, e.g. the provider's own read).
struct AuditItem {
  std::string object_id;
  std::string version;
  std::string agreement;
  bool operator==(const AuditItem&) const = default;
};

// ---- The stored form of a record's delivered versions (format kAuditItemsFormat) ------------
//
// A page of 100 versions as text is ~7.5 kB per record; written into the WAL and again at
// checkpoint, that text and the 200 strings that carried it were most of the log's cost. The
// stored form is 19-26 bytes an item and is built straight from the delivered rows:
//
//   items   = u8 format (kAuditItemsFormat) || item*
//   item    = u8 tag || [agreement] || id || version
//   tag     = bit 0: id kind (0 typed, 1 raw) | bits 1-2: version kind (0 empty, 1 timestamp,
//             2 raw) | bits 3-6: fraction digits of a timestamp (0..9, else 0) | bit 7: an
//             agreement index follows
//   agreement  varint index (>= 1) into the list's agreement table; absent = index 0
//   id      typed: varint type index (into the types defined so far in this list; the next
//                  unused index is followed by u8 length (1..255) || the type's bytes, defining
//                  it) || the UUID's 16 bytes. Used when the id is `<type>--<uuid>` with a
//                  lowercase canonical 8-4-4-4-12 UUID.
//           raw:   varint length || bytes (any other id)
//   version timestamp: varint zigzag(nanoseconds - the previous timestamp's nanoseconds in this
//                  list, or - 0 for the first), used when the text is exactly what
//                  FormatTimestamp(nanos, digits) gives back (versions in one page are often
//                  equal or close: 1-7 bytes instead of 8); raw: varint length || bytes
//
// The agreement table: the distinct agreements of the items in first-use order, the empty one
// (no agreement) included as an entry like any other. It does not travel in `items` but in the
// record's `agreement_id`, as its entries joined by ' ' (agreement refs are
// [A-Za-z0-9._-]+@v<N>, so the join is unambiguous; "" is the table {""}, " a@v1" the table
// {"", "a@v1"}). The first item's agreement is index 0, so a page delivered under one agreement
// (the usual case) costs no byte per item, and its record's agreement_id is just that ref.
// A table entry that is not an agreement ref (a resolver's answer, audit/disclosure_hook.h)
// applies to every index-0 item. An index >= the table's size, or an explicit index 0, makes the
// list malformed (DisclosureLog::Verify reports the record as forged).
//
// The record hash (audit/chain.h) covers these bytes and agreement_id alike, so an item's
// agreement is as tamper-evident as its id. An item's form is a function of its (id, version)
// text and its agreement's place in the table, and decodes back to exactly that text.
// 4: the agreement index (tag bit 7); a format-3 list would be read with every item under
// agreement_id as a whole, so it is refused rather than misread.
inline constexpr uint8_t kAuditItemsFormat = 4;
// The format of the tables in audit.db (audit_meta.format). 3 held the records; 4 is an index.
inline constexpr int64_t kAuditIndexFormat = 4;

enum class AuditVersionKind : uint8_t { kEmpty = 0, kTimestamp = 1, kRaw = 2 };

// One item as it lies in the stored form; views point into the encoded bytes.
struct AuditItemView {
  uint8_t tag = 0;
  bool typed_id = false;
  std::string_view type;    // typed id: the type
  std::string_view uuid;    // typed id: the UUID's 16 bytes
  std::string_view raw_id;  // raw id
  AuditVersionKind version_kind = AuditVersionKind::kEmpty;
  int64_t version_ns = 0;  // timestamp
  int fraction_digits = 0;  // timestamp
  std::string_view raw_version;  // raw version
  size_t agreement_index = 0;     // into the agreement table
  std::string_view agreement;     // that entry ("" = none)
  // The id, version and agreement text (allocates; for queries and tests, not for hashing).
  AuditItem ToItem() const;
  std::string ObjectId() const;
};

// Walks an encoded list. Next() returns false at the end or at the first malformed byte;
// malformed() tells them apart. `agreement_table` is the record's agreement_id (see above; ""
// for a list with no agreement). Not thread-safe; `encoded` and `agreement_table` must outlive
// the reader.
class AuditItemsReader {
 public:
  explicit AuditItemsReader(std::string_view encoded, std::string_view agreement_table = {});
  bool Next(AuditItemView* item);
  bool malformed() const { return malformed_; }

 private:
  bool Fail() {
    malformed_ = true;
    return false;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool malformed_ = false;
  std::vector<std::string_view> types_;
  std::vector<std::string_view> agreements_;  // the table's entries
  int64_t last_ns_ = 0;  // the previous timestamp's nanoseconds
};

// Builds an encoded list, one delivered version at a time, without a string per item.
class AuditItemList {
 public:
  AuditItemList();
  explicit AuditItemList(const std::vector<AuditItem>& items);
  // Room for `n` more items of the usual size.
  void Reserve(size_t n) { encoded_.reserve(encoded_.size() + n * 28); }
  // Appends one delivered version, delivered under `agreement` ("" = none). Runs per delivered
  // object on the request path: an agreement equal to the previous item's costs one comparison.
  void Add(std::string_view object_id, std::string_view version, std::string_view agreement = {});
  void push_back(const AuditItem& item) { Add(item.object_id, item.version, item.agreement); }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Whether some id or version added holds a byte below 0x20, or some agreement one at or below
  // 0x20 (a space would split the table); checked while encoding, so the caller need not walk the
  // list again. DisclosureLog::Append refuses such a list.
  bool has_control_character() const { return has_control_; }
  const std::string& encoded() const { return encoded_; }
  // The agreement table as the record's agreement_id carries it (entries joined by ' '; see
  // above): "" when no item named an agreement.
  const std::string& agreement_table() const { return table_; }
  // Moves the encoded bytes out; the list is left empty (format byte only, no agreement table):
  // read agreement_table() first.
  std::string Release();
  // Decodes (allocates), agreements included.
  std::vector<AuditItem> Items() const;

 private:
  // The table index of `agreement`, defining it when new (Add checks the previous one first).
  size_t AgreementIndex(std::string_view agreement);

  std::string encoded_;
  size_t count_ = 0;
  std::vector<std::string> types_;  // defined so far, by index
  int64_t last_ns_ = 0;             // the previous timestamp's nanoseconds
  bool has_control_ = false;
  std::vector<std::string> agreements_;  // the table, by index
  size_t last_agreement_ = 0;            // the previous item's index into agreements_
  std::string table_;                    // agreements_ joined by ' '
  // The last canonical timestamp's date ("YYYY-MM-DD") and the seconds from the epoch to its
  // midnight, validated once and reused while consecutive versions share that day.
  uint64_t day_text_[2] = {0, 0};
  int64_t day_secs_ = 0;
  bool day_known_ = false;
};

// One disclosure as stored. Hashes are lowercase hex (64 characters for 32 bytes).
struct AuditRecord {
  int64_t seq = 0;  // 1, 2, 3, ... assigned by Append
  int64_t time_us = 0;
  std::string org_id;
  std::string user;
  std::string path;
  // The agreement table of encoded_items (see above): the agreement when the delivery was made
  // under one, "" when under none or unknown.
  std::string agreement_id;
  std::string collection_id;
  // The delivered versions in stored form (see above): what the record hash covers.
  std::string encoded_items;
  // The same, decoded: filled by reads that ask for it (queries); empty on the write path.
  std::vector<AuditItem> items;
  int64_t item_count = 0;  // as stored; equals the number of encoded items unless tampered with
  // Free text the log itself adds to the records it writes about itself (a loss of records, an
  // operator's acknowledgement: audit/record_file.h, "Damage"); empty for every disclosure.
  std::string note;
  std::string prev_hash;
  std::string hash;
  // Set when a read decoded `items` and the stored form is malformed (a tampered row); `items`
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

// What the index knows: every record up to `seq` (the frame ending at `offset` in the record
// file) is indexed. {0, 0} for an empty index.
struct AuditIndexState {
  int64_t seq = 0;
  int64_t offset = 0;
};

// One record as the index lists it: where to read it in the record file.
struct AuditIndexHit {
  int64_t seq = 0;
  int64_t offset = 0;
};

// One record handed to the index: its place, its receiver and time, and the object ids it
// delivered (duplicates allowed).
struct AuditIndexEntry {
  int64_t seq = 0;
  int64_t offset = 0;
  int64_t time_us = 0;
  std::string org_id;
  std::vector<std::string> object_ids;
};

class SqliteAuditIndex {
 public:
  // Opens (creating the tables if needed) the audit tables in the SQLite file at `path`.
  // FailedPrecondition when the file holds the tables of another format (format 3 kept the
  // records themselves in SQLite: that file cannot be read by this build). Internal on I/O.
  static Result<std::unique_ptr<SqliteAuditIndex>> Open(const std::string& path);

  // Produces the records that follow `state` (at most a batch) and the state after them; an
  // empty batch without `restart` ends the catch-up. `restart` asks for the index to be emptied
  // first (the record file no longer matches it); `entries` then follow from the start.
  struct Batch {
    std::vector<AuditIndexEntry> entries;
    AuditIndexState next;
    bool restart = false;
  };
  using Producer = std::function<Result<Batch>(const AuditIndexState& state)>;
  // Runs `produce` inside one write transaction per batch (so two processes catching up at once
  // index each record once) until it returns an empty batch. Nothing of a failed batch stays.
  Status CatchUp(const Producer& produce);

  Result<AuditIndexState> State();

  // Records whose entries mention `object_id`, ascending by seq, at most `limit`.
  Result<std::vector<AuditIndexHit>> Mentioning(const std::string& object_id, size_t limit);
  // Records of organization `org_id` with from_us <= time_us < to_us, ascending by seq.
  Result<std::vector<AuditIndexHit>> Of(const std::string& org_id, int64_t from_us,
                                        int64_t to_us, size_t limit);

  Status PutHead(const AuditHeadRow& head);
  // Every stored head, ascending by seq then time.
  Result<std::vector<AuditHeadRow>> Heads();

 private:
  explicit SqliteAuditIndex(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  Result<std::vector<AuditIndexHit>> Hits(Statement& st, size_t limit);
  Result<AuditIndexState> StateLocked();

  std::mutex mu_;
  std::unique_ptr<Database> db_;  // guarded by mu_
};

// The stored form of a list of items (see AuditItemList), for tests that tamper with records.
// The agreements' table is not returned: use AuditItemList to keep it.
std::string EncodeAuditItems(const std::vector<AuditItem>& items);
// Decodes with the agreement table `agreement_table` (a record's agreement_id); false when the
// bytes are not a well-formed encoding for that table (`out` then holds what decoded).
bool DecodeAuditItems(std::string_view encoded, std::string_view agreement_table,
                      std::vector<AuditItem>* out);
// The same for a list recorded without agreements (the table {""}): every item's agreement is
// empty and any agreement index is malformed.
bool DecodeAuditItems(std::string_view encoded, std::vector<AuditItem>* out);

}  // namespace tabadul::store
