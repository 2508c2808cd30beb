#include "store/sqlite.h"

#include <memory>

namespace tabadul::store {

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Internal("cannot open database '" + path + "': " + msg);
  }
  auto out = std::unique_ptr<Database>(new Database(db));
  sqlite3_busy_timeout(db, 30000);
  // WAL lets readers proceed while one writer commits; synchronous=FULL makes a commit durable
  // before PutObjects returns, so an acknowledged write survives kill -9 and power loss.
  TABADUL_RETURN_IF_ERROR(out->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;"));
  return out;
}

Database::~Database() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void Database::ResetBusyStatements() {
  spares_.clear();
  for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st; st = sqlite3_next_stmt(db_, st)) {
    if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
  }
}

Result<Statement*> Database::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = Prepare(sql);
    if (!st.ok()) return st.status();
    it = cache_.emplace(sql, std::make_unique<Statement>(std::move(st).value())).first;
  }
  if (sqlite3_stmt_busy(it->second->stmt_)) {
    // Re-entered while an enclosing call still steps this statement (inside a read scope, nested
    // calls share the connection): a spare statement leaves the enclosing one where it is. Spares
    // live until the connection's statements are next reset.
    auto st = Prepare(sql);
    if (!st.ok()) return st.status();
    spares_.push_back(std::make_unique<Statement>(std::move(st).value()));
    return spares_.back().get();
  }
  it->second->Reset();
  return it->second.get();
}

Status Database::Error(std::string_view what) const {
  return Internal(std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status Database::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal("sqlite: " + msg);
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return Error("prepare '" + std::string(sql.substr(0, 60)) + "'");
  }
  return Statement(stmt, db_);
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    db_ = other.db_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return AlreadyExists("constraint: " + msg);
  return Internal("sqlite step: " + msg);
}

Status Statement::Run() {
  while (true) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::Text(int col) const { return std::string(TextView(col)); }

// sqlite3_column_blob, not _text: a string column read straight off a page is not NUL-terminated,
// and _text makes it so by copying it into the statement's own buffer (for a page of 100 objects
// that copied every JSON once more than needed; a view needs no terminator). Our databases are
// UTF-8 (SQLite's default, never changed), so the bytes are the text; a non-text value (a number)
// is converted as _text would. Then _bytes, which after _blob only reads the length.
std::string_view Statement::TextView(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (!p) return {};
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

Status BumpPolicyGeneration(Database& db) {
  TABADUL_ASSIGN_OR_RETURN(auto st, db.Cached(
      "UPDATE policy_meta SET value = value + 1 WHERE key = 'generation'"));
  return st->Run();
}

}  // namespace tabadul::store
