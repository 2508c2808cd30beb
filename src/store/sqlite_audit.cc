#include "store/sqlite_audit.h"

#include <algorithm>

#include "common/timestamp.h"

namespace tabadul::store {
namespace {

constexpr char kAuditSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_records (
  seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, org_id TEXT NOT NULL, user_name TEXT NOT NULL,
  path TEXT NOT NULL, agreement_id TEXT NOT NULL, collection_id TEXT NOT NULL,
  item_count INTEGER NOT NULL, items BLOB NOT NULL, merkle_root TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_records_org_time ON audit_records (org_id, time_us);
CREATE TABLE IF NOT EXISTS audit_items (
  object_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (object_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('indexed_upto', 0);
CREATE TABLE IF NOT EXISTS audit_heads (
  seq INTEGER NOT NULL, hash TEXT NOT NULL, time_us INTEGER NOT NULL, public_key TEXT NOT NULL,
  signature TEXT NOT NULL);
)sql";

constexpr char kColumns[] =
    "seq, time_us, org_id, user_name, path, agreement_id, collection_id, item_count, items, "
    "merkle_root, prev_hash, hash";

constexpr size_t kIndexChunk = 2000;  // records indexed per transaction
constexpr size_t kUuidText = 36;        // 8-4-4-4-12
constexpr size_t kUuidBytes = 16;

AuditRecord RowToRecord(const Statement& st, bool decode_items) {
  AuditRecord r;
  r.seq = st.Int(0);
  r.time_us = st.Int(1);
  r.org_id = st.Text(2);
  r.user = st.Text(3);
  r.path = st.Text(4);
  r.agreement_id = st.Text(5);
  r.collection_id = st.Text(6);
  r.item_count = st.Int(7);
  r.encoded_items = st.Text(8);
  if (decode_items) r.items_malformed = !DecodeAuditItems(r.encoded_items, &r.items);
  r.merkle_root = st.Text(9);
  r.prev_hash = st.Text(10);
  r.hash = st.Text(11);
  return r;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is not canonical: such ids are stored raw
}

// The 16 bytes of a lowercase canonical UUID, false when `text` is not one.
bool ParseUuid(std::string_view text, char out[kUuidBytes]) {
  if (text.size() != kUuidText) return false;
  size_t o = 0;
  for (size_t i = 0; i < kUuidText;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i++] != '-') return false;
      continue;
    }
    const int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[o++] = static_cast<char>(hi << 4 | lo);
    i += 2;
  }
  return true;
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

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    *out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *out += static_cast<char>(v);
}

// A version stored as a timestamp must come back as the same text: ParseTimestamp accepts
// exactly the layout FormatTimestamp writes, except a leap second (":60"), which it folds onto
// the next second.
bool TimestampRoundTrips(std::string_view version, ParsedTimestamp* out) {
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
  for (const auto& it : items) Add(it.object_id, it.version);
}

void AuditItemList::Add(std::string_view id, std::string_view version) {
  const size_t tag_at = encoded_.size();
  encoded_ += '\0';
  uint8_t tag = 0;
  char uuid[kUuidBytes];
  const size_t type_len = id.size() >= kUuidText + 3 ? id.size() - kUuidText - 2 : 0;
  if (type_len >= 1 && type_len <= 255 && id.substr(type_len, 2) == "--" &&
      ParseUuid(id.substr(type_len + 2), uuid)) {
    const std::string_view type = id.substr(0, type_len);
    size_t index = 0;
    while (index < types_.size() && types_[index] != type) ++index;
    PutVarint(index, &encoded_);
    if (index == types_.size()) {
      types_.emplace_back(type);
      has_control_ = has_control_ || HasControl(type);
      encoded_ += static_cast<char>(type_len);
      encoded_.append(type);
    }
    encoded_.append(uuid, kUuidBytes);
  } else {
    tag |= 1;
    has_control_ = has_control_ || HasControl(id);
    PutVarint(id.size(), &encoded_);
    encoded_.append(id);
  }
  ParsedTimestamp ts;
  if (version.empty()) {
    // kEmpty: nothing follows
  } else if (TimestampRoundTrips(version, &ts)) {
    tag |= static_cast<uint8_t>(AuditVersionKind::kTimestamp) << 1;
    tag |= static_cast<uint8_t>(ts.fraction_digits) << 3;
    // Unsigned arithmetic: the difference of two int64 wraps instead of overflowing.
    const uint64_t delta = static_cast<uint64_t>(ts.nanos) - static_cast<uint64_t>(last_ns_);
    const uint64_t zigzag = (delta << 1) ^ (static_cast<int64_t>(delta) < 0 ? ~uint64_t{0} : 0);
    PutVarint(zigzag, &encoded_);
    last_ns_ = ts.nanos;
  } else {
    tag |= static_cast<uint8_t>(AuditVersionKind::kRaw) << 1;
    has_control_ = has_control_ || HasControl(version);
    PutVarint(version.size(), &encoded_);
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
  return out;
}

std::vector<AuditItem> AuditItemList::Items() const {
  std::vector<AuditItem> out;
  (void)DecodeAuditItems(encoded_, &out);
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
  return out;
}

AuditItemsReader::AuditItemsReader(std::string_view encoded) : in_(encoded) {
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
  if ((tag & 0x80) || kind > 2 || digits > 9 ||
      (kind != static_cast<uint8_t>(AuditVersionKind::kTimestamp) && digits != 0)) {
    return Fail();
  }
  uint64_t n = 0;
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
  out->clear();
  AuditItemsReader reader(encoded);
  AuditItemView view;
  while (reader.Next(&view)) out->push_back(view.ToItem());
  return !reader.malformed();
}

Result<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::Open(const std::string& path,
                                                             bool fsync_each_commit) {
  TABADUL_ASSIGN_OR_RETURN(auto db, Database::Open(path));
  TABADUL_RETURN_IF_ERROR(db->Exec(kAuditSchema));
  TABADUL_RETURN_IF_ERROR(db->Exec("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('format', " +
                                   std::to_string(kAuditItemsFormat) + ")"));
  {
    TABADUL_ASSIGN_OR_RETURN(auto* st, db->Cached("SELECT value FROM audit_meta WHERE key = 'format'"));
    TABADUL_ASSIGN_OR_RETURN(bool has_row, st->Step());
    const int64_t format = has_row ? st->Int(0) : 0;
    st->Reset();
    if (format != kAuditItemsFormat) {
      return FailedPrecondition("the audit log at " + path + " is in format " +
                                std::to_string(format) + "; this build reads format " +
                                std::to_string(kAuditItemsFormat));
    }
  }
  if (!fsync_each_commit) TABADUL_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  return std::unique_ptr<SqliteAuditLog>(new SqliteAuditLog(std::move(db)));
}

Status SqliteAuditLog::Append(std::vector<AuditRecord>& records, const Seal& seal) {
  if (records.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Database& db = *db_;
  // Prepared once per connection: parsing BEGIN, COMMIT and the INSERT on every commit was a
  // visible part of a one-record commit.
  static const std::string kBegin = "BEGIN IMMEDIATE", kCommit = "COMMIT",
                           kTip = "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1",
                           kInsert = std::string("INSERT INTO audit_records (") + kColumns +
                                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  TABADUL_ASSIGN_OR_RETURN(auto* begin, db.Cached(kBegin));
  begin->Reset();
  TABADUL_RETURN_IF_ERROR(begin->Run());
  auto body = [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto* tip_st, db.Cached(kTip));
    AuditTip tip;
    TABADUL_ASSIGN_OR_RETURN(bool has_row, tip_st->Step());
    if (has_row) tip = {tip_st->Int(0), tip_st->Text(1)};
    tip_st->Reset();
    TABADUL_ASSIGN_OR_RETURN(auto* ins, db.Cached(kInsert));
    for (auto& r : records) {
      r.seq = tip.seq + 1;
      if (r.encoded_items.empty()) {
        r.encoded_items = EncodeAuditItems(r.items);
        r.item_count = static_cast<int64_t>(r.items.size());
      }
      seal(tip, r);
      ins->Reset();
      TABADUL_RETURN_IF_ERROR(ins->Bind(1, r.seq).Bind(2, r.time_us).Bind(3, r.org_id)
                                  .Bind(4, r.user).Bind(5, r.path).Bind(6, r.agreement_id)
                                  .Bind(7, r.collection_id).Bind(8, r.item_count)
                                  .Bind(9, r.encoded_items).Bind(10, r.merkle_root)
                                  .Bind(11, r.prev_hash).Bind(12, r.hash).Run());
      tip = {r.seq, r.hash};
    }
    ins->Reset();  // releases the bound row before COMMIT
    TABADUL_ASSIGN_OR_RETURN(auto* commit, db.Cached(kCommit));
    commit->Reset();
    return commit->Run();
  };
  Status st = body();
  if (!st.ok()) {
    db.ResetBusyStatements();
    (void)db.Exec("ROLLBACK");
  }
  return st;
}

Result<AuditTip> SqliteAuditLog::Tip() {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(
      auto* st, db_->Cached("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1"));
  AuditTip tip;
  TABADUL_ASSIGN_OR_RETURN(bool has_row, st->Step());
  if (has_row) tip = {st->Int(0), st->Text(1)};
  st->Reset();
  return tip;
}

Result<std::vector<AuditRecord>> SqliteAuditLog::ReadRows(Statement& st, size_t limit,
                                                          bool decode_items) {
  std::vector<AuditRecord> out;
  while (out.size() < limit) {
    auto has_row = st.Step();
    if (!has_row.ok()) {
      st.Reset();
      return has_row.status();
    }
    if (!*has_row) break;
    out.push_back(RowToRecord(st, decode_items));
  }
  st.Reset();
  return out;
}

Result<std::vector<AuditRecord>> SqliteAuditLog::ReadFrom(int64_t from_seq, size_t limit,
                                                          bool decode_items) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(std::string("SELECT ") + kColumns +
                                                 " FROM audit_records WHERE seq >= ? ORDER BY seq"
                                                 " LIMIT ?"));
  st->Bind(1, from_seq).Bind(2, static_cast<int64_t>(limit));
  return ReadRows(*st, limit, decode_items);
}

Result<std::optional<AuditRecord>> SqliteAuditLog::Get(int64_t seq) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(
      auto* st, db_->Cached(std::string("SELECT ") + kColumns + " FROM audit_records WHERE seq = ?"));
  st->Bind(1, seq);
  TABADUL_ASSIGN_OR_RETURN(auto rows, ReadRows(*st, 1));
  if (rows.empty()) return std::optional<AuditRecord>();
  return std::optional<AuditRecord>(std::move(rows.front()));
}

Status SqliteAuditLog::CatchUpIndex() {
  std::lock_guard lock(mu_);
  return CatchUpIndexLocked();
}

Status SqliteAuditLog::CatchUpIndexLocked() {
  Database& db = *db_;
  while (true) {
    TABADUL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    auto chunk = [&]() -> Result<bool> {  // true when more records remain
      TABADUL_ASSIGN_OR_RETURN(
          auto* upto_st, db.Cached("SELECT value FROM audit_meta WHERE key = 'indexed_upto'"));
      TABADUL_ASSIGN_OR_RETURN(bool has_row, upto_st->Step());
      const int64_t upto = has_row ? upto_st->Int(0) : 0;
      upto_st->Reset();
      TABADUL_ASSIGN_OR_RETURN(auto* rd, db.Cached("SELECT seq, items FROM audit_records WHERE"
                                                   " seq > ? ORDER BY seq LIMIT ?"));
      rd->Bind(1, upto).Bind(2, static_cast<int64_t>(kIndexChunk));
      std::vector<std::pair<std::string, int64_t>> entries;
      int64_t last = upto;
      size_t records = 0;
      AuditItemView view;
      while (true) {
        TABADUL_ASSIGN_OR_RETURN(bool row, rd->Step());
        if (!row) break;
        last = rd->Int(0);
        ++records;
        AuditItemsReader reader(rd->TextView(1));  // a malformed row indexes what decodes
        while (reader.Next(&view)) entries.emplace_back(view.ObjectId(), last);
      }
      rd->Reset();
      // Sorted inserts touch each b-tree page once instead of once per entry.
      std::sort(entries.begin(), entries.end());
      TABADUL_ASSIGN_OR_RETURN(
          auto* ins, db.Cached("INSERT OR IGNORE INTO audit_items (object_id, seq) VALUES (?, ?)"));
      for (const auto& [id, seq] : entries) {
        ins->Reset();
        TABADUL_RETURN_IF_ERROR(ins->Bind(1, id).Bind(2, seq).Run());
      }
      TABADUL_ASSIGN_OR_RETURN(
          auto* up, db.Cached("UPDATE audit_meta SET value = ? WHERE key = 'indexed_upto'"));
      TABADUL_RETURN_IF_ERROR(up->Bind(1, last).Run());
      TABADUL_RETURN_IF_ERROR(db.Exec("COMMIT"));
      return records == kIndexChunk;
    }();
    if (!chunk.ok()) {
      db.ResetBusyStatements();
      (void)db.Exec("ROLLBACK");
      return chunk.status();
    }
    if (!*chunk) return Status::Ok();
  }
}

Result<std::vector<AuditRecord>> SqliteAuditLog::RecordsMentioning(const std::string& object_id,
                                                                   size_t limit) {
  std::lock_guard lock(mu_);
  TABADUL_RETURN_IF_ERROR(CatchUpIndexLocked());
  TABADUL_ASSIGN_OR_RETURN(
      auto* st, db_->Cached(std::string("SELECT r.") + kColumns +
                            " FROM audit_items i JOIN audit_records r ON r.seq = i.seq"
                            " WHERE i.object_id = ? ORDER BY i.seq LIMIT ?"));
  // "r." prefixes only the first column; the rest are unambiguous because audit_items has only
  // object_id and seq, and seq is the first column.
  st->Bind(1, object_id).Bind(2, static_cast<int64_t>(limit));
  return ReadRows(*st, limit);
}

Result<std::vector<AuditRecord>> SqliteAuditLog::RecordsOf(const std::string& org_id,
                                                           int64_t from_us, int64_t to_us,
                                                           size_t limit) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(std::string("SELECT ") + kColumns +
                                                 " FROM audit_records WHERE org_id = ? AND"
                                                 " time_us >= ? AND time_us < ? ORDER BY seq"
                                                 " LIMIT ?"));
  st->Bind(1, org_id).Bind(2, from_us).Bind(3, to_us).Bind(4, static_cast<int64_t>(limit));
  return ReadRows(*st, limit);
}

Status SqliteAuditLog::PutHead(const AuditHeadRow& head) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(
      "INSERT INTO audit_heads (seq, hash, time_us, public_key, signature) VALUES (?, ?, ?, ?, ?)"));
  return st->Bind(1, head.seq).Bind(2, head.hash).Bind(3, head.time_us).Bind(4, head.public_key)
      .Bind(5, head.signature).Run();
}

Result<std::vector<AuditHeadRow>> SqliteAuditLog::Heads() {
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
