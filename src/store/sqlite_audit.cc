#include "store/sqlite_audit.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/timestamp.h"

namespace tabadul::store {
namespace {

constexpr char kAuditSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_index (
  seq INTEGER PRIMARY KEY, offset INTEGER NOT NULL, time_us INTEGER NOT NULL,
  org_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_index_org_time ON audit_index (org_id, time_us);
CREATE TABLE IF NOT EXISTS audit_items (
  object_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (object_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_heads (
  seq INTEGER NOT NULL, hash TEXT NOT NULL, time_us INTEGER NOT NULL, public_key TEXT NOT NULL,
  signature TEXT NOT NULL);
)sql";

constexpr size_t kUuidText = 36;        // 8-4-4-4-12
constexpr size_t kUuidBytes = 16;

constexpr uint64_t kOnes = 0x0101010101010101ULL;  // one in every byte (SWAR constants)

// Eight bytes of `p` as a little-endian integer (byte i in bits 8i..8i+7).
uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

uint64_t Load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

// Eight lowercase hex digits (little-endian in `v`) to their four bytes, high nibble first;
// false when some byte is not [0-9a-f]. Branch-free, eight digits at once: the low nibble of
// '0'-'9' is the digit and that of 'a'-'f' is the value - 9 (letters have bit 6 set); the digits
// are then written back as lowercase hex and compared, which only valid input survives.
[[gnu::always_inline]] inline bool HexToBytes8(uint64_t v, char out[4]) {
  const uint64_t n = (v & (0x0f * kOnes)) + ((v >> 6) & kOnes) * 9;  // 0..24 per byte
  if ((n + 0x70 * kOnes) & (0x80 * kOnes)) return false;               // some n > 15 ('g'-'o')
  const uint64_t letter = ((n + 6 * kOnes) >> 4) & kOnes;             // 1 where n >= 10
  if (v != n + 0x30 * kOnes + letter * 0x27) return false;            // '0' + n, 'a' + n - 10
  uint64_t m = ((n << 4) | (n >> 8)) & 0x00ff00ff00ff00ffULL;  // byte 2j: digit 2j, 2j+1
  m = (m | (m >> 8)) & 0x0000ffff0000ffffULL;
  m = (m | (m >> 16)) & 0xffffffffULL;
  uint32_t bytes = static_cast<uint32_t>(m);
  if constexpr (std::endian::native == std::endian::big) bytes = __builtin_bswap32(bytes);
  std::memcpy(out, &bytes, 4);
  return true;
}

// The 16 bytes of a lowercase canonical UUID, false when `text` is not one (upper case is not
// canonical: such ids are stored raw). This runs for every delivered object: the branchy
// per-character version was a third of recording a page, a table per character still the
// largest part; now eight digits at a time.
bool ParseUuid(std::string_view text, char out[kUuidBytes]) {
  if (text.size() != kUuidText || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return false;
  }
  const char* t = text.data();  // 8-4-4-4-12: [0,8) [9,13)+[14,18) [19,23)+[24,28) [28,36)
  return HexToBytes8(Load8(t), out) & HexToBytes8(Load4(t + 9) | Load4(t + 14) << 32, out + 4) &
         HexToBytes8(Load4(t + 19) | Load4(t + 24) << 32, out + 8) &
         HexToBytes8(Load8(t + 28), out + 12);
}

void AppendUuidText(std::string_view bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < kUuidBytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *out += '-';
    const auto b = static_cast<unsigned char>(bytes[i]);
    *out += kDigits[b >> 4];
    *out += kDigits[b & 0xf];
  }
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

// Writes `v` at `out` (at most kMaxVarint bytes); returns the end.
constexpr size_t kMaxVarint = 10;
char* PutVarint(uint64_t v, char* out) {
  while (v >= 0x80) {
    *out++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

void PutVarint(uint64_t v, std::string* out) {
  char buf[kMaxVarint];
  out->append(buf, PutVarint(v, buf));
}

// a == b, inline for the short texts compared per item (type names, agreement refs): two
// overlapping 8-byte loads instead of a call to memcmp.
inline bool SameText(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.data(), 8);
    std::memcpy(&a1, a.data() + n - 8, 8);
    std::memcpy(&b0, b.data(), 8);
    std::memcpy(&b1, b.data() + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  return n == 0 || std::memcmp(a.data(), b.data(), n) == 0;
}

// A byte that may not appear in an agreement ref: a control character, or the table's separator.
bool HasSeparatorOrControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) <= 0x20; });
}

// Days since 1970-01-01 of a proleptic Gregorian date (the civil-to-days arithmetic of the
// STIX timestamp layout; no calendar tables).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Whether every byte of `d` (a text's bytes XOR '0') selected by `mask` is a decimal digit.
bool DigitsAt(uint64_t d, uint64_t mask) {
  const uint64_t high = d & (0xf0 * kOnes);                                   // not 0x30-0x3f
  const uint64_t over9 = ((d & (0x0f * kOnes)) + 6 * kOnes) & (0x10 * kOnes);  // 0x3a-0x3f
  return ((high | over9) & mask) == 0;
}

// The number written by the eight digits of `d` (digit values, the first in the lowest byte).
uint64_t EightDigits(uint64_t d) {
  d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffULL;        // pairs
  d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffULL;      // quadruples
  return (d * 10000 + (d >> 32)) & 0xffffffffULL;
}

// The common case, without ParseTimestamp's generality: exactly YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
// with fields in range (no leap second), which is what FormatTimestamp writes back for the
// same digits. Anything else returns false and takes the general path. Eight bytes at a time:
// this runs for every delivered object, and the digit-by-digit loops were a third of Add.
// `memo` (may be null): the date ("YYYY-MM-DD") of the last timestamp this validated, and the
// seconds from the epoch to its midnight; a timestamp of the same day skips the date's
// validation and calendar arithmetic (a page's versions are often of one day).
struct DayMemo {
  uint64_t* text;  // [2]: bytes 0-7, and bytes 8-9 in the low 16 bits
  int64_t* secs;
  bool* known;
};

bool CanonicalTimestamp(std::string_view s, ParsedTimestamp* out, const DayMemo* memo) {
  const size_t n = s.size();
  if (n < 20 || n == 21 || n > 30 || s[n - 1] != 'Z' || (n > 20 && s[19] != '.')) return false;
  const char* t = s.data();
  const uint64_t zeros = 0x30 * kOnes;
  const uint64_t raw0 = Load8(t), raw1 = Load8(t + 8);
  const uint64_t d1 = raw1 ^ zeros;           // DDTHH:MM   ('T' ^ '0' = 0x64, ':' ^ '0' = 0x0a)
  const uint64_t d2 = Load8(t + 12) ^ zeros;  // HH:MM:SS   (bytes 16-18: ':' S S)
  if ((d1 & 0x0000ff0000ff0000ULL) != 0x00000a0000640000ULL ||
      (d2 & 0x000000ff00000000ULL) != 0x0000000a00000000ULL ||
      !DigitsAt(d1, 0xffff00ffff00ffffULL) || !DigitsAt(d2, 0x00ffff0000000000ULL)) {
    return false;
  }
  auto at = [](uint64_t d, int i) { return static_cast<int64_t>((d >> (8 * i)) & 0xff); };
  const int64_t hour = at(d1, 3) * 10 + at(d1, 4), minute = at(d1, 6) * 10 + at(d1, 7);
  const int64_t second = at(d2, 5) * 10 + at(d2, 6);
  if (hour > 23 || minute > 59 || second > 59) return false;
  int64_t day_secs;
  const uint64_t date_tail = raw1 & 0xffff;  // "DD"
  if (memo && *memo->known && memo->text[0] == raw0 && memo->text[1] == date_tail) {
    day_secs = *memo->secs;  // the same day as the last one: validated then
  } else {
    const uint64_t d0 = raw0 ^ zeros;  // YYYY-MM-   ('-' ^ '0' = 0x1d)
    if ((d0 & 0xff0000ff00000000ULL) != 0x1d00001d00000000ULL ||
        !DigitsAt(d0, 0x00ffff00ffffffffULL)) {
      return false;
    }
    const int64_t year = at(d0, 0) * 1000 + at(d0, 1) * 100 + at(d0, 2) * 10 + at(d0, 3);
    const int64_t month = at(d0, 5) * 10 + at(d0, 6), day = at(d1, 0) * 10 + at(d1, 1);
    if (year < 1678 || year > 2261 || month < 1 || month > 12 || day < 1) return false;
    static constexpr uint8_t kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > kMonthDays[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
    day_secs = DaysFromCivil(year, month, day) * 86400;
    if (memo) {
      memo->text[0] = raw0;
      memo->text[1] = date_tail;
      *memo->secs = day_secs;
      *memo->known = true;
    }
  }
  const int64_t minute_secs = day_secs + hour * 3600 + minute * 60;
  // The fraction: the eight bytes ending at its last digit, the bytes before it masked to 0 (so
  // they read as leading zeros); a ninth digit first on its own.
  const int digits = n > 20 ? static_cast<int>(n - 21) : 0;
  int64_t frac = 0;
  if (digits > 0) {
    const int low = digits > 8 ? 8 : digits;
    const uint64_t mask = ~uint64_t{0} << (8 * (8 - low));
    const uint64_t f = (Load8(t + 20 + digits - 8) ^ zeros) & mask;
    if (!DigitsAt(f, mask)) return false;
    frac = static_cast<int64_t>(EightDigits(f));
    if (digits == 9) {
      const unsigned first = static_cast<unsigned>(t[20] - '0');
      if (first > 9) return false;
      frac += first * 100'000'000LL;
    }
  }
  static constexpr int64_t kScale[10] = {1'000'000'000, 100'000'000, 10'000'000, 1'000'000,
                                         100'000,       10'000,      1'000,      100,
                                         10,            1};
  frac *= kScale[digits];
  out->nanos = (minute_secs + second) * 1'000'000'000LL + frac;
  out->fraction_digits = digits;
  return true;
}

// A version stored as a timestamp must come back as the same text: ParseTimestamp accepts
// exactly the layout FormatTimestamp writes, except a leap second (":60"), which it folds onto
// the next second.
bool TimestampRoundTrips(std::string_view version, ParsedTimestamp* out,
                         const DayMemo* memo = nullptr) {
  if (CanonicalTimestamp(version, out, memo)) return true;
  if (version.size() < 20 || version[17] == '6') return false;
  auto parsed = ParseTimestamp(version);
  if (!parsed.ok()) return false;
  *out = *parsed;
  return true;
}

}  // namespace

// ---- The stored form of delivered versions ----------------------------------------------------

AuditItemList::AuditItemList() { encoded_ += static_cast<char>(kAuditItemsFormat); }

AuditItemList::AuditItemList(const std::vector<AuditItem>& items) : AuditItemList() {
  Reserve(items.size());
  for (const auto& it : items) Add(it.object_id, it.version, it.agreement);
}

size_t AuditItemList::AgreementIndex(std::string_view agreement) {
  size_t index = 0;
  while (index < agreements_.size() && !SameText(agreements_[index], agreement)) ++index;
  if (index == agreements_.size()) {
    has_control_ = has_control_ || HasSeparatorOrControl(agreement);
    if (index > 0) table_ += ' ';
    table_.append(agreement);
    agreements_.emplace_back(agreement);
  }
  last_agreement_ = index;
  return index;
}

// The fixed-size parts of an item (tag, agreement index, type index, UUID, timestamp delta) are
// written into a stack buffer and appended once: ~25 single-byte appends to a std::string were
// a good part of the cost of recording a page.
void AuditItemList::Add(std::string_view id, std::string_view version,
                        std::string_view agreement) {
  const size_t tag_at = encoded_.size();
  char buf[1 + 3 * kMaxVarint + kUuidBytes];
  buf[0] = 0;  // the tag's place; its value is written last
  char* p = buf + 1;
  uint8_t tag = 0;
  // The previous item's agreement again (the usual case) costs one inline comparison.
  size_t a = last_agreement_;
  if (agreements_.empty() || !SameText(agreements_[a], agreement)) a = AgreementIndex(agreement);
  if (a != 0) {
    tag |= 0x80;
    p = PutVarint(a, p);
  }
  // A typed id: the type's index, then the UUID's bytes parsed straight into their place (a
  // copy through another array stalled on the store forwarding of their 4-byte writes).
  bool typed = false;
  const size_t type_len = id.size() >= kUuidText + 3 ? id.size() - kUuidText - 2 : 0;
  if (type_len >= 1 && type_len <= 255 && id.substr(type_len, 2) == "--") {
    const std::string_view type = id.substr(0, type_len);
    size_t index = 0;
    while (index < types_.size() && !SameText(types_[index], type)) ++index;
    char* uuid = PutVarint(index, p);
    if (ParseUuid(id.substr(type_len + 2), uuid)) {
      typed = true;
      p = uuid + kUuidBytes;
      if (index == types_.size()) {  // defined here: its length and bytes precede the UUID
        types_.emplace_back(type);
        has_control_ = has_control_ || HasControl(type);
        encoded_.append(buf, uuid);
        encoded_ += static_cast<char>(type_len);
        encoded_.append(type);
        encoded_.append(uuid, kUuidBytes);
        p = buf;
      }
    }
  }
  if (!typed) {
    tag |= 1;
    has_control_ = has_control_ || HasControl(id);
    p = PutVarint(id.size(), p);
    encoded_.append(buf, p);
    encoded_.append(id);
    p = buf;
  }
  ParsedTimestamp ts;
  if (version.empty()) {
    // kEmpty: nothing follows
    encoded_.append(buf, p);
  } else if (const DayMemo memo{day_text_, &day_secs_, &day_known_};
             TimestampRoundTrips(version, &ts, &memo)) {
    tag |= static_cast<uint8_t>(AuditVersionKind::kTimestamp) << 1;
    tag |= static_cast<uint8_t>(ts.fraction_digits) << 3;
    // Unsigned arithmetic: the difference of two int64 wraps instead of overflowing.
    const uint64_t delta = static_cast<uint64_t>(ts.nanos) - static_cast<uint64_t>(last_ns_);
    const uint64_t zigzag = (delta << 1) ^ (static_cast<int64_t>(delta) < 0 ? ~uint64_t{0} : 0);
    p = PutVarint(zigzag, p);
    encoded_.append(buf, p);
    last_ns_ = ts.nanos;
  } else {
    tag |= static_cast<uint8_t>(AuditVersionKind::kRaw) << 1;
    has_control_ = has_control_ || HasControl(version);
    p = PutVarint(version.size(), p);
    encoded_.append(buf, p);
    encoded_.append(version);
  }
  encoded_[tag_at] = static_cast<char>(tag);
  ++count_;
}

std::string AuditItemList::Release() {
  std::string out = std::move(encoded_);
  encoded_.clear();
  encoded_ += static_cast<char>(kAuditItemsFormat);
  count_ = 0;
  types_.clear();
  last_ns_ = 0;
  has_control_ = false;
  agreements_.clear();
  last_agreement_ = 0;
  table_.clear();
  return out;
}

std::vector<AuditItem> AuditItemList::Items() const {
  std::vector<AuditItem> out;
  (void)DecodeAuditItems(encoded_, table_, &out);
  return out;
}

std::string AuditItemView::ObjectId() const {
  if (!typed_id) return std::string(raw_id);
  std::string out;
  out.reserve(type.size() + 2 + kUuidText);
  out.append(type);
  out += "--";
  AppendUuidText(uuid, &out);
  return out;
}

AuditItem AuditItemView::ToItem() const {
  AuditItem out;
  out.object_id = ObjectId();
  if (version_kind == AuditVersionKind::kTimestamp) {
    out.version = FormatTimestamp(version_ns, fraction_digits);
  } else if (version_kind == AuditVersionKind::kRaw) {
    out.version = std::string(raw_version);
  }
  out.agreement = std::string(agreement);
  return out;
}

AuditItemsReader::AuditItemsReader(std::string_view encoded, std::string_view agreement_table)
    : in_(encoded) {
  for (size_t from = 0;;) {  // "" is the table {""}: one entry, as for a list with no agreement
    const size_t space = agreement_table.find(' ', from);
    agreements_.push_back(agreement_table.substr(from, space - from));
    if (space == std::string_view::npos) break;
    from = space + 1;
  }
  if (in_.empty() || static_cast<uint8_t>(in_[0]) != kAuditItemsFormat) {
    malformed_ = true;
    pos_ = in_.size();
  } else {
    pos_ = 1;
  }
}

bool AuditItemsReader::Next(AuditItemView* item) {
  if (malformed_ || pos_ >= in_.size()) return false;
  auto varint = [&](uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  auto bytes = [&](uint64_t n, std::string_view* out) {
    if (n > in_.size() - pos_) return false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  };
  *item = AuditItemView{};
  const auto tag = static_cast<uint8_t>(in_[pos_++]);
  item->tag = tag;
  const auto kind = static_cast<uint8_t>((tag >> 1) & 3);
  const int digits = (tag >> 3) & 0xf;
  if (kind > 2 || digits > 9 ||
      (kind != static_cast<uint8_t>(AuditVersionKind::kTimestamp) && digits != 0)) {
    return Fail();
  }
  uint64_t n = 0;
  if (tag & 0x80) {  // an explicit index is never 0 (one form per item)
    if (!varint(&n) || n == 0 || n >= agreements_.size()) return Fail();
    item->agreement_index = static_cast<size_t>(n);
  }
  item->agreement = agreements_[item->agreement_index];
  item->typed_id = !(tag & 1);
  if (item->typed_id) {
    if (!varint(&n) || n > types_.size()) return Fail();
    if (n == types_.size()) {
      if (pos_ >= in_.size()) return Fail();
      const auto len = static_cast<uint8_t>(in_[pos_++]);
      std::string_view type;
      if (len == 0 || !bytes(len, &type)) return Fail();
      types_.push_back(type);
    }
    item->type = types_[n];
    if (!bytes(kUuidBytes, &item->uuid)) return Fail();
  } else if (!varint(&n) || !bytes(n, &item->raw_id)) {
    return Fail();
  }
  item->version_kind = static_cast<AuditVersionKind>(kind);
  if (item->version_kind == AuditVersionKind::kTimestamp) {
    if (!varint(&n)) return Fail();
    const uint64_t delta = (n >> 1) ^ (n & 1 ? ~uint64_t{0} : 0);
    last_ns_ = static_cast<int64_t>(static_cast<uint64_t>(last_ns_) + delta);
    item->version_ns = last_ns_;
    item->fraction_digits = digits;
  } else if (item->version_kind == AuditVersionKind::kRaw) {
    if (!varint(&n) || !bytes(n, &item->raw_version)) return Fail();
  }
  return true;
}

std::string EncodeAuditItems(const std::vector<AuditItem>& items) {
  return AuditItemList(items).Release();
}

bool DecodeAuditItems(std::string_view encoded, std::vector<AuditItem>* out) {
  return DecodeAuditItems(encoded, {}, out);
}

bool DecodeAuditItems(std::string_view encoded, std::string_view agreement_table,
                      std::vector<AuditItem>* out) {
  out->clear();
  AuditItemsReader reader(encoded, agreement_table);
  AuditItemView view;
  while (reader.Next(&view)) out->push_back(view.ToItem());
  return !reader.malformed();
}

Result<std::unique_ptr<SqliteAuditIndex>> SqliteAuditIndex::Open(const std::string& path) {
  TABADUL_ASSIGN_OR_RETURN(auto db, Database::Open(path));
  {
    // Format 3 kept the records in audit_records; that file is not an index and is not misread.
    TABADUL_ASSIGN_OR_RETURN(auto* old, db->Cached(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_records'"));
    TABADUL_ASSIGN_OR_RETURN(bool has_old, old->Step());
    old->Reset();
    if (has_old) {
      return FailedPrecondition(
          "the audit database at " + path + " is in format 3 (records kept in SQLite); this "
          "build keeps them in audit.log beside it and reads format " +
          std::to_string(kAuditIndexFormat) + ": move the old file aside (it stays verifiable "
          "by the build that wrote it)");
    }
  }
  TABADUL_RETURN_IF_ERROR(db->Exec(kAuditSchema));
  TABADUL_RETURN_IF_ERROR(db->Exec("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('format', " +
                                   std::to_string(kAuditIndexFormat) + ")"));
  {
    TABADUL_ASSIGN_OR_RETURN(auto* st, db->Cached("SELECT value FROM audit_meta WHERE key = 'format'"));
    TABADUL_ASSIGN_OR_RETURN(bool has_row, st->Step());
    const int64_t format = has_row ? st->Int(0) : 0;
    st->Reset();
    if (format != kAuditIndexFormat) {
      return FailedPrecondition("the audit database at " + path + " is in format " +
                                std::to_string(format) + "; this build reads format " +
                                std::to_string(kAuditIndexFormat));
    }
  }
  // The index is derived data, rebuilt from the record file if lost: no fsync per commit.
  TABADUL_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  return std::unique_ptr<SqliteAuditIndex>(new SqliteAuditIndex(std::move(db)));
}

Result<AuditIndexState> SqliteAuditIndex::StateLocked() {
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(
      "SELECT (SELECT value FROM audit_meta WHERE key = 'indexed_seq'),"
      " (SELECT value FROM audit_meta WHERE key = 'indexed_offset')"));
  TABADUL_ASSIGN_OR_RETURN(bool has_row, st->Step());
  AuditIndexState out;
  if (has_row) out = {st->Int(0), st->Int(1)};
  st->Reset();
  return out;
}

Result<AuditIndexState> SqliteAuditIndex::State() {
  std::lock_guard lock(mu_);
  return StateLocked();
}

Status SqliteAuditIndex::CatchUp(const Producer& produce) {
  std::lock_guard lock(mu_);
  Database& db = *db_;
  while (true) {
    TABADUL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    auto batch = [&]() -> Result<bool> {  // true when there may be more
      TABADUL_ASSIGN_OR_RETURN(auto state, StateLocked());
      TABADUL_ASSIGN_OR_RETURN(Batch b, produce(state));
      if (b.restart) {
        TABADUL_RETURN_IF_ERROR(db.Exec("DELETE FROM audit_index; DELETE FROM audit_items"));
      }
      // Sorted inserts touch each b-tree page once instead of once per entry.
      std::vector<std::pair<std::string_view, int64_t>> items;
      for (const auto& e : b.entries) {
        for (const auto& id : e.object_ids) items.emplace_back(id, e.seq);
      }
      std::sort(items.begin(), items.end());
      TABADUL_ASSIGN_OR_RETURN(auto* rec, db.Cached(
          "INSERT OR REPLACE INTO audit_index (seq, offset, time_us, org_id) VALUES (?, ?, ?, ?)"));
      for (const auto& e : b.entries) {
        rec->Reset();
        TABADUL_RETURN_IF_ERROR(
            rec->Bind(1, e.seq).Bind(2, e.offset).Bind(3, e.time_us).Bind(4, e.org_id).Run());
      }
      TABADUL_ASSIGN_OR_RETURN(
          auto* ins, db.Cached("INSERT OR IGNORE INTO audit_items (object_id, seq) VALUES (?, ?)"));
      for (const auto& [id, seq] : items) {
        ins->Reset();
        TABADUL_RETURN_IF_ERROR(ins->Bind(1, id).Bind(2, seq).Run());
      }
      TABADUL_ASSIGN_OR_RETURN(auto* up, db.Cached(
          "INSERT OR REPLACE INTO audit_meta (key, value) VALUES ('indexed_seq', ?),"
          " ('indexed_offset', ?)"));
      TABADUL_RETURN_IF_ERROR(up->Bind(1, b.next.seq).Bind(2, b.next.offset).Run());
      TABADUL_RETURN_IF_ERROR(db.Exec("COMMIT"));
      return !b.entries.empty() || b.restart;
    }();
    if (!batch.ok()) {
      db.ResetBusyStatements();
      (void)db.Exec("ROLLBACK");
      return batch.status();
    }
    if (!*batch) return Status::Ok();
  }
}

Result<std::vector<AuditIndexHit>> SqliteAuditIndex::Hits(Statement& st, size_t limit) {
  std::vector<AuditIndexHit> out;
  while (out.size() < limit) {
    auto has_row = st.Step();
    if (!has_row.ok()) {
      st.Reset();
      return has_row.status();
    }
    if (!*has_row) break;
    out.push_back({st.Int(0), st.Int(1)});
  }
  st.Reset();
  return out;
}

Result<std::vector<AuditIndexHit>> SqliteAuditIndex::Mentioning(const std::string& object_id,
                                                                size_t limit) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(
      "SELECT r.seq, r.offset FROM audit_items i JOIN audit_index r ON r.seq = i.seq"
      " WHERE i.object_id = ? ORDER BY i.seq LIMIT ?"));
  st->Bind(1, object_id).Bind(2, static_cast<int64_t>(limit));
  return Hits(*st, limit);
}

Result<std::vector<AuditIndexHit>> SqliteAuditIndex::Of(const std::string& org_id,
                                                        int64_t from_us, int64_t to_us,
                                                        size_t limit) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(
      "SELECT seq, offset FROM audit_index WHERE org_id = ? AND time_us >= ? AND time_us < ?"
      " ORDER BY seq LIMIT ?"));
  st->Bind(1, org_id).Bind(2, from_us).Bind(3, to_us).Bind(4, static_cast<int64_t>(limit));
  return Hits(*st, limit);
}

Status SqliteAuditIndex::PutHead(const AuditHeadRow& head) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(
      "INSERT INTO audit_heads (seq, hash, time_us, public_key, signature) VALUES (?, ?, ?, ?, ?)"));
  return st->Bind(1, head.seq).Bind(2, head.hash).Bind(3, head.time_us).Bind(4, head.public_key)
      .Bind(5, head.signature).Run();
}

Result<std::vector<AuditHeadRow>> SqliteAuditIndex::Heads() {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(
      "SELECT seq, hash, time_us, public_key, signature FROM audit_heads ORDER BY seq, time_us"));
  std::vector<AuditHeadRow> out;
  while (true) {
    auto has_row = st->Step();
    if (!has_row.ok()) {
      st->Reset();
      return has_row.status();
    }
    if (!*has_row) break;
    out.push_back({st->Int(0), st->Text(1), st->Int(2), st->Text(3), st->Text(4)});
  }
  st->Reset();
  return out;
}

}  // namespace tabadul::store
