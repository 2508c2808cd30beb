// The disclosure log's hash chain: how a record and a signed head are turned into bytes and
// hashed. Pure functions (no I/O, no clock); the design is in docs/design/audit.md.
//
// Hash: BLAKE2b with a 32-byte output (libsodium crypto_generichash). Every hashed message
// starts with a distinct domain tag, so a leaf can never be confused with an inner node, a
// record, or a head.
//
//   leaf(chunk)        = H("tabadul.audit.leaf.v2" || u64 k || item(1) || ... || item(k)) over
//                          up to kItemsPerLeaf consecutive items (the last chunk may be shorter)
//   item(i)            = the item's stored form (store/sqlite_audit.h, AuditItemList) with the
//                          type index (and definition) replaced by u8 length || type, and each
//                          raw id or version as str(): u8 tag || (u8 len || type || 16 bytes
//                          | str(id)) || (nothing | i64 ns | str(version)). It is a function of
//                          the (id, version) text and decodes back to it, so the root covers
//                          exactly what was delivered, hashed without rebuilding any text.
//   node(l, r)         = H("tabadul.audit.node.v1"  || l || r)
//   Merkle root        = RFC 6962 shape over the leaves: split n leaves at the largest power of
//                        two below n; the root of one leaf is the leaf; of zero items,
//                        H("tabadul.audit.empty.v1")
// Chunked leaves: a tree with one leaf per item costs 2n-1 hashes (~200 for a page of 100, a
// quarter of the cost of serving the page on the benchmark machine); 16 items per leaf cost
// about a third of that, and an inclusion proof is still one chunk plus log2(n/16) hashes.
//   record hash        = H("tabadul.audit.record.v1" || u64 seq || i64 time_us || str(org_id)
//                          || str(user) || str(path) || str(agreement_id) || str(collection_id)
//                          || u64 item_count || root || prev_hash)
//   head message       = "tabadul.audit.head.v1" || u64 seq || hash || i64 time_us
// where str(s) = u32 big-endian length || bytes, integers are big-endian, and hashes enter as
// their 32 raw bytes. The first record's prev_hash is 32 zero bytes (kGenesisHash).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/sqlite_audit.h"

namespace tabadul::audit {

inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kItemsPerLeaf = 16;
// Hex of 32 zero bytes: the prev_hash of seq 1, and the hash of an empty log's head.
inline constexpr char kGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string ToHex(std::string_view bytes);
// Lowercase or uppercase hex; nullopt when malformed (odd length, other characters).
std::optional<std::string> FromHex(std::string_view hex);

// Hex of the Merkle root over the items of an encoded list (AuditItemList::encoded(), or a
// record's `encoded_items`) in their delivered order; `count` (optional) receives the number
// of items. Empty when the encoding is malformed.
std::string MerkleRoot(std::string_view encoded_items, int64_t* count = nullptr);
// The same over items given as text (encodes them first).
std::string MerkleRoot(std::span<const store::AuditItem> items);

// Hex of the record hash over every field listed above. `record.merkle_root` and
// `record.prev_hash` are taken as stored (hex); a malformed hex value is hashed as its text
// after a marker byte, so it can never collide with a well-formed record.
std::string RecordHash(const store::AuditRecord& record);

// The exact bytes an Ed25519 head signature covers. `hash_hex` as in RecordHash.
std::string HeadMessage(int64_t seq, std::string_view hash_hex, int64_t time_us);

}  // namespace tabadul::audit
