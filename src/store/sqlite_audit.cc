#include "store/sqlite_audit.h"

#include <algorithm>

namespace tabadul::store {
namespace {

constexpr char kAuditSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_records (
  seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, org_id TEXT NOT NULL, user_name TEXT NOT NULL,
  path TEXT NOT NULL, agreement_id TEXT NOT NULL, collection_id TEXT NOT NULL,
  item_count INTEGER NOT NULL, items TEXT NOT NULL, merkle_root TEXT NOT NULL,
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
constexpr char kItemSep = '\x1f';
constexpr char kItemEnd = '\x1e';

AuditRecord RowToRecord(const Statement& st) {
  AuditRecord r;
  r.seq = st.Int(0);
  r.time_us = st.Int(1);
  r.org_id = st.Text(2);
  r.user = st.Text(3);
  r.path = st.Text(4);
  r.agreement_id = st.Text(5);
  r.collection_id = st.Text(6);
  r.item_count = st.Int(7);
  r.items_malformed = !DecodeAuditItems(st.TextView(8), &r.items);
  r.merkle_root = st.Text(9);
  r.prev_hash = st.Text(10);
  r.hash = st.Text(11);
  return r;
}

}  // namespace

std::string EncodeAuditItems(const std::vector<AuditItem>& items) {
  std::string out;
  size_t n = 0;
  for (const auto& it : items) n += it.object_id.size() + it.version.size() + 2;
  out.reserve(n);
  for (const auto& it : items) {
    out += it.object_id;
    out += kItemSep;
    out += it.version;
    out += kItemEnd;
  }
  return out;
}

bool DecodeAuditItems(std::string_view text, std::vector<AuditItem>* out) {
  out->clear();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(kItemEnd, start);
    if (end == std::string_view::npos) return false;
    std::string_view item = text.substr(start, end - start);
    size_t sep = item.find(kItemSep);
    if (sep == std::string_view::npos || item.find(kItemSep, sep + 1) != std::string_view::npos) {
      return false;
    }
    out->push_back({std::string(item.substr(0, sep)), std::string(item.substr(sep + 1))});
    start = end + 1;
  }
  return true;
}

Result<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::Open(const std::string& path,
                                                             bool fsync_each_commit) {
  TABADUL_ASSIGN_OR_RETURN(auto db, Database::Open(path));
  TABADUL_RETURN_IF_ERROR(db->Exec(kAuditSchema));
  if (!fsync_each_commit) TABADUL_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  return std::unique_ptr<SqliteAuditLog>(new SqliteAuditLog(std::move(db)));
}

Status SqliteAuditLog::Append(std::vector<AuditRecord>& records, const Seal& seal) {
  if (records.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Database& db = *db_;
  TABADUL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto* tip_st,
                             db.Cached("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1"));
    AuditTip tip;
    TABADUL_ASSIGN_OR_RETURN(bool has_row, tip_st->Step());
    if (has_row) tip = {tip_st->Int(0), tip_st->Text(1)};
    tip_st->Reset();
    TABADUL_ASSIGN_OR_RETURN(
        auto* ins, db.Cached(std::string("INSERT INTO audit_records (") + kColumns +
                             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (auto& r : records) {
      r.seq = tip.seq + 1;
      r.item_count = static_cast<int64_t>(r.items.size());
      seal(tip, r);
      ins->Reset();
      TABADUL_RETURN_IF_ERROR(ins->Bind(1, r.seq).Bind(2, r.time_us).Bind(3, r.org_id)
                                  .Bind(4, r.user).Bind(5, r.path).Bind(6, r.agreement_id)
                                  .Bind(7, r.collection_id).Bind(8, r.item_count)
                                  .Bind(9, EncodeAuditItems(r.items)).Bind(10, r.merkle_root)
                                  .Bind(11, r.prev_hash).Bind(12, r.hash).Run());
      tip = {r.seq, r.hash};
    }
    return db.Exec("COMMIT");
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

Result<std::vector<AuditRecord>> SqliteAuditLog::ReadRows(Statement& st, size_t limit) {
  std::vector<AuditRecord> out;
  while (out.size() < limit) {
    auto has_row = st.Step();
    if (!has_row.ok()) {
      st.Reset();
      return has_row.status();
    }
    if (!*has_row) break;
    out.push_back(RowToRecord(st));
  }
  st.Reset();
  return out;
}

Result<std::vector<AuditRecord>> SqliteAuditLog::ReadFrom(int64_t from_seq, size_t limit) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto* st, db_->Cached(std::string("SELECT ") + kColumns +
                                                 " FROM audit_records WHERE seq >= ? ORDER BY seq"
                                                 " LIMIT ?"));
  st->Bind(1, from_seq).Bind(2, static_cast<int64_t>(limit));
  return ReadRows(*st, limit);
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
      std::vector<AuditItem> items;
      while (true) {
        TABADUL_ASSIGN_OR_RETURN(bool row, rd->Step());
        if (!row) break;
        last = rd->Int(0);
        ++records;
        (void)DecodeAuditItems(rd->TextView(1), &items);  // a malformed row indexes what decodes
        for (auto& it : items) entries.emplace_back(std::move(it.object_id), last);
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
