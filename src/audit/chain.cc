#include "audit/chain.h"

#include <openssl/evp.h>

#include <array>
#include <cassert>
#include <cstring>
#include <memory>

namespace tabadul::audit {
namespace {

constexpr char kRecordTag[] = "tabadul.audit.record.v2";
constexpr char kHeadTag[] = "tabadul.audit.head.v1";

void PutU64(uint64_t v, std::string* out) {
  char tmp[8];
  for (int i = 0; i < 8; ++i) tmp[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
  out->append(tmp, sizeof tmp);
}

void PutStr(std::string_view s, std::string* out) {
  const auto n = static_cast<uint32_t>(s.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  out->append(len, sizeof len);
  out->append(s.data(), s.size());
}

// Reads a body field by field; every read fails once the bytes run out.
class BodyReader {
 public:
  explicit BodyReader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.size() - pos_ < 1) return false;
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x = x << 8 | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += 8;
    *v = x;
    return true;
  }
  bool Str(std::string* s) {
    if (in_.size() - pos_ < 4) return false;
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = n << 8 | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += 4;
    if (in_.size() - pos_ < n) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool Raw(size_t n, std::string_view* out) {
    if (in_.size() - pos_ < n) return false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// One digest context per thread, reused: allocating and fetching the algorithm per record cost
// about as much as hashing it.
struct DigestContext {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

std::string Sha256Parts(std::string_view a, std::string_view b) {
  thread_local DigestContext d;
  assert(d.md != nullptr && d.ctx != nullptr);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  // SHA-256 over in-memory bytes cannot fail short of memory corruption; the results are not
  // checked one by one, but a failure leaves `n` short and is caught below.
  EVP_DigestInit_ex(d.ctx, d.md, nullptr);
  EVP_DigestUpdate(d.ctx, a.data(), a.size());
  EVP_DigestUpdate(d.ctx, b.data(), b.size());
  EVP_DigestFinal_ex(d.ctx, out, &n);
  if (n != kHashBytes) std::abort();  // OpenSSL without SHA-256: nothing can be logged safely
  return std::string(reinterpret_cast<const char*>(out), n);
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
  // Table-driven: the chain converts a hash per record appended and verified.
  static constexpr auto kValue = [] {
    std::array<uint8_t, 256> v{};
    v.fill(0xff);
    for (int c = '0'; c <= '9'; ++c) v[c] = static_cast<uint8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) v[c] = static_cast<uint8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) v[c] = static_cast<uint8_t>(c - 'A' + 10);
    return v;
  }();
  if (hex.size() % 2) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  uint8_t bad = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const uint8_t hi = kValue[static_cast<uint8_t>(hex[2 * i])];
    const uint8_t lo = kValue[static_cast<uint8_t>(hex[2 * i + 1])];
    bad |= static_cast<uint8_t>(hi | lo) & 0xf0;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  if (bad) return std::nullopt;
  return out;
}

std::string Sha256(std::string_view bytes) { return Sha256Parts(bytes, {}); }

void AppendRecordBody(const store::AuditRecord& r, std::string* out) {
  auto prev = FromHex(r.prev_hash);
  // Only a hand-made record has no valid prev_hash; it can never link (links compare text).
  const std::string unlinkable(kHashBytes, '\xff');
  AppendRecordBody(r, prev && prev->size() == kHashBytes ? *prev : unlinkable, out);
}

void AppendRecordBody(const store::AuditRecord& r, std::string_view prev_raw, std::string* out) {
  out->reserve(out->size() + 64 + r.org_id.size() + r.user.size() + r.path.size() +
               r.agreement_id.size() + r.collection_id.size() + r.encoded_items.size() + 32);
  out->push_back(static_cast<char>(r.note.empty() ? kRecordBodyVersion : kNoteBodyVersion));
  PutU64(static_cast<uint64_t>(r.seq), out);
  PutU64(static_cast<uint64_t>(r.time_us), out);
  PutStr(r.org_id, out);
  PutStr(r.user, out);
  PutStr(r.path, out);
  PutStr(r.agreement_id, out);
  PutStr(r.collection_id, out);
  PutU64(static_cast<uint64_t>(r.item_count), out);
  PutStr(r.encoded_items, out);
  if (!r.note.empty()) PutStr(r.note, out);
  out->append(prev_raw.data(), prev_raw.size());
}

std::string RecordHashOfBody(std::string_view body) {
  return Sha256Parts(std::string_view(kRecordTag, sizeof kRecordTag), body);
}

Status ParseRecordBody(std::string_view body, store::AuditRecord* r) {
  BodyReader in(body);
  uint8_t version = 0;
  if (!in.U8(&version)) return InvalidArgument("the record is empty");
  if (version != kRecordBodyVersion && version != kNoteBodyVersion) {
    return InvalidArgument("the record is in body version " + std::to_string(version) +
                           "; this build reads versions " + std::to_string(kRecordBodyVersion) +
                           " and " + std::to_string(kNoteBodyVersion));
  }
  uint64_t seq = 0, time = 0, count = 0;
  std::string_view prev;
  r->note.clear();
  if (!in.U64(&seq) || !in.U64(&time) || !in.Str(&r->org_id) || !in.Str(&r->user) ||
      !in.Str(&r->path) || !in.Str(&r->agreement_id) || !in.Str(&r->collection_id) ||
      !in.U64(&count) || !in.Str(&r->encoded_items) ||
      (version == kNoteBodyVersion && !in.Str(&r->note)) || !in.Raw(kHashBytes, &prev)) {
    return InvalidArgument("the record's fields run past its end");
  }
  if (!in.AtEnd()) return InvalidArgument("the record has bytes after its last field");
  if (version == kNoteBodyVersion && r->note.empty()) {
    return InvalidArgument("the record is in body version 2 without a note");
  }
  r->seq = static_cast<int64_t>(seq);
  r->time_us = static_cast<int64_t>(time);
  r->item_count = static_cast<int64_t>(count);
  r->prev_hash = ToHex(prev);
  return Status::Ok();
}

std::string RecordHash(const store::AuditRecord& record) {
  std::string body;
  AppendRecordBody(record, &body);
  return ToHex(RecordHashOfBody(body));
}

std::string HeadMessage(int64_t seq, std::string_view hash_hex, int64_t time_us) {
  std::string m(kHeadTag, sizeof kHeadTag);  // with its NUL
  PutU64(static_cast<uint64_t>(seq), &m);
  auto raw = FromHex(hash_hex);
  if (raw && raw->size() == kHashBytes) {
    m += '\x00';
    m += *raw;
  } else {
    m += '\x01';
    PutStr(hash_hex, &m);
  }
  PutU64(static_cast<uint64_t>(time_us), &m);
  return m;
}

}  // namespace tabadul::audit
