#include "audit/chain.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

namespace tabadul::audit {
namespace {

constexpr char kLeafTag[] = "tabadul.audit.leaf.v2";
constexpr char kNodeTag[] = "tabadul.audit.node.v1";
constexpr char kEmptyTag[] = "tabadul.audit.empty.v1";
constexpr char kRecordTag[] = "tabadul.audit.record.v1";
constexpr char kHeadTag[] = "tabadul.audit.head.v1";

void PutU64(uint64_t v, char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
}

// Builds a message in a reused buffer and hashes it.
class Message {
 public:
  explicit Message(std::string_view tag) { Reset(tag); }
  // Starts a new message in the same buffer (no allocation once it is large enough).
  void Reset(std::string_view tag) {
    buf_.clear();
    buf_.append(tag.data(), tag.size() + 1);  // with its NUL
  }
  // Appending byte by byte cost more than the hashing itself; integers go in with one append.
  Message& U64(uint64_t v) {
    char tmp[8];
    PutU64(v, tmp);
    buf_.append(tmp, sizeof tmp);
    return *this;
  }
  Message& Str(std::string_view s) {
    const auto n = static_cast<uint32_t>(s.size());
    const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                         static_cast<char>(n >> 8), static_cast<char>(n)};
    buf_.append(len, sizeof len);
    buf_.append(s.data(), s.size());
    return *this;
  }
  Message& U8(uint8_t v) {
    buf_ += static_cast<char>(v);
    return *this;
  }
  // One item's hashed form (chain.h).
  Message& Item(const store::AuditItemView& it) {
    if (it.typed_id && it.version_kind != store::AuditVersionKind::kRaw) {
      // The usual item, assembled on the stack and appended at once.
      char tmp[1 + 1 + 255 + 16 + 8];
      size_t n = 0;
      tmp[n++] = static_cast<char>(it.tag);
      tmp[n++] = static_cast<char>(it.type.size());
      std::memcpy(tmp + n, it.type.data(), it.type.size());
      n += it.type.size();
      std::memcpy(tmp + n, it.uuid.data(), it.uuid.size());
      n += it.uuid.size();
      if (it.version_kind == store::AuditVersionKind::kTimestamp) {
        PutU64(static_cast<uint64_t>(it.version_ns), tmp + n);
        n += 8;
      }
      buf_.append(tmp, n);
      return *this;
    }
    U8(it.tag);
    if (it.typed_id) {
      U8(static_cast<uint8_t>(it.type.size())).Raw(it.type).Raw(it.uuid);
    } else {
      Str(it.raw_id);
    }
    if (it.version_kind == store::AuditVersionKind::kTimestamp) {
      U64(static_cast<uint64_t>(it.version_ns));
    } else if (it.version_kind == store::AuditVersionKind::kRaw) {
      Str(it.raw_version);
    }
    return *this;
  }
  Message& Raw(std::string_view s) {
    buf_.append(s.data(), s.size());
    return *this;
  }
  // A hash given as hex: its 32 raw bytes, or a marker and the text when it is not valid hex of
  // the right length (a tampered row must still hash to something, and never to a valid value).
  Message& HashHex(std::string_view hex) {
    auto raw = FromHex(hex);
    if (raw && raw->size() == kHashBytes) {
      buf_ += '\x00';
      return Raw(*raw);
    }
    buf_ += '\x01';
    return Str(hex);
  }
  void PatchU64(size_t at, uint64_t v) {
    for (int i = 7; i >= 0; --i) buf_[at + 7 - i] = static_cast<char>((v >> (i * 8)) & 0xff);
  }
  const std::string& bytes() const { return buf_; }
  std::string Hash() const {
    std::string out(kHashBytes, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                       reinterpret_cast<const unsigned char*>(buf_.data()), buf_.size(), nullptr, 0);
    return out;
  }

 private:
  std::string buf_;
};

std::string Node(const std::string& left, const std::string& right) {
  return Message(kNodeTag).Raw(left).Raw(right).Hash();
}

// Root over leaves[lo, hi), hi - lo >= 1.
std::string Root(const std::vector<std::string>& leaves, size_t lo, size_t hi) {
  size_t n = hi - lo;
  if (n == 1) return leaves[lo];
  size_t split = 1;
  while (split * 2 < n) split *= 2;
  return Node(Root(leaves, lo, lo + split), Root(leaves, lo + split, hi));
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string MerkleRoot(std::string_view encoded_items, int64_t* count) {
  std::vector<std::string> leaves;
  leaves.reserve(8);
  store::AuditItemsReader reader(encoded_items);
  store::AuditItemView item;
  Message m(kLeafTag);
  int64_t n = 0;
  bool more = reader.Next(&item);
  while (more) {
    // The chunk's item count is written first; patch it in once the chunk is complete.
    m.Reset(kLeafTag);
    const size_t count_at = m.bytes().size();
    m.U64(0);
    uint64_t k = 0;
    for (; more && k < kItemsPerLeaf; ++k, more = reader.Next(&item)) m.Item(item);
    m.PatchU64(count_at, k);
    n += static_cast<int64_t>(k);
    leaves.push_back(m.Hash());
  }
  if (count) *count = n;
  if (reader.malformed()) return {};
  if (leaves.empty()) return ToHex(Message(kEmptyTag).Hash());
  return ToHex(Root(leaves, 0, leaves.size()));
}

std::string MerkleRoot(std::span<const store::AuditItem> items) {
  store::AuditItemList list;
  list.Reserve(items.size());
  for (const auto& it : items) list.Add(it.object_id, it.version);
  return MerkleRoot(list.encoded());
}

std::string RecordHash(const store::AuditRecord& r) {
  Message m(kRecordTag);
  m.U64(static_cast<uint64_t>(r.seq)).U64(static_cast<uint64_t>(r.time_us));
  m.Str(r.org_id).Str(r.user).Str(r.path).Str(r.agreement_id).Str(r.collection_id);
  m.U64(static_cast<uint64_t>(r.item_count));
  m.HashHex(r.merkle_root).HashHex(r.prev_hash);
  return ToHex(m.Hash());
}

std::string HeadMessage(int64_t seq, std::string_view hash_hex, int64_t time_us) {
  Message m(kHeadTag);
  m.U64(static_cast<uint64_t>(seq)).HashHex(hash_hex).U64(static_cast<uint64_t>(time_us));
  return m.bytes();
}

}  // namespace tabadul::audit
