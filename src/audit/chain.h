// The disclosure log's hash chain: how a record is turned into bytes, how those bytes are hashed
// and chained, and what a signed head covers. Pure functions (no I/O, no clock); the design is in
// docs/design/audit.md, the file that holds the bytes in audit/record_file.h.
//
// A record's body (integers big-endian, str(s) = u32 length || bytes):
//
//   body = u8 version || u64 seq || i64 time_us || str(org_id) || str(user)
//          || str(path) || str(agreement_id) || str(collection_id) || u64 item_count
//          || str(items) || [str(note)] || prev_hash (32 raw bytes)
//   hash = SHA-256("tabadul.audit.record.v2" NUL || body)
//
// `version` is kRecordBodyVersion (1) for a record without a note, and kNoteBodyVersion (2),
// with `note` present and not empty, for one with: only the records the log writes about itself
// (a loss found in the ring, an operator's acknowledgement of it: audit/record_file.h) carry a
// note, so every disclosure keeps the bytes, hash and cost it always had, and a log written
// before notes existed verifies unchanged. A version-2 body with an empty note is refused (one
// record, one encoding).
//
// `items` is the delivered (object id, version, agreement index) list in its compact stored
// form (store/sqlite_audit.h, AuditItemList: ~25 bytes an item), and `agreement_id` the table
// its agreement indexes refer to, so the record hash covers exactly what was delivered and
// under which agreement, in delivered order, in one pass over ~2.7 kB for a page of 100. (The first
// format hashed a Merkle tree over the items; its ~40 compression calls cost more than the rest
// of the log together, and no path ever asked for an inclusion proof. docs/design/audit.md.)
// SHA-256 comes from OpenSSL, which uses the CPU's SHA extensions where present (1.7 µs for a
// page's record on the benchmark VM; libsodium's BLAKE2b took 4.1 µs).
//
//   head message = "tabadul.audit.head.v1" NUL || u64 seq || 0x00 || hash (32 raw bytes)
//                  || i64 time_us          (what an Ed25519 head signature covers)
//
// The first record's prev_hash is 32 zero bytes (kGenesisHash); an empty log's head has that
// hash at seq 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite_audit.h"

namespace tabadul::audit {

inline constexpr size_t kHashBytes = 32;
inline constexpr uint8_t kRecordBodyVersion = 1;
inline constexpr uint8_t kNoteBodyVersion = 2;  // a body with a note (see above)
// Hex of 32 zero bytes: the prev_hash of seq 1, and the hash of an empty log's head.
inline constexpr char kGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string ToHex(std::string_view bytes);
// Lowercase or uppercase hex; nullopt when malformed (odd length, other characters).
std::optional<std::string> FromHex(std::string_view hex);

// SHA-256 of `bytes` (32 raw bytes).
std::string Sha256(std::string_view bytes);

// Appends the body of `record` (every field above, in body version 2 when `note` is not empty;
// a `prev_hash` that is not 64 hex characters is written as 32 0xff bytes) to `out`.
// `record.encoded_items` is taken as is; `item_count` as given.
void AppendRecordBody(const store::AuditRecord& record, std::string* out);
// The same with the previous hash given as its 32 raw bytes (`record.prev_hash` is not read).
void AppendRecordBody(const store::AuditRecord& record, std::string_view prev_raw,
                      std::string* out);

// The record hash (32 raw bytes) of a body as built by AppendRecordBody.
std::string RecordHashOfBody(std::string_view body);

// Parses a body back into `record` (seq, time_us, the five strings, item_count,
// encoded_items, note, prev_hash as hex; `hash` is left alone). InvalidArgument naming what is
// wrong when the bytes are not a well-formed body of this version.
Status ParseRecordBody(std::string_view body, store::AuditRecord* record);

// The record hash (hex) of `record` as its fields stand: AppendRecordBody, then hash. For tests
// and for checking a record that was not read from its bytes.
std::string RecordHash(const store::AuditRecord& record);

// The exact bytes an Ed25519 head signature covers. `hash_hex` that is not 64 hex characters is
// taken as text after a marker byte (a tampered head must hash to something, never to a valid
// head's message).
std::string HeadMessage(int64_t seq, std::string_view hash_hex, int64_t time_us);

}  // namespace tabadul::audit
