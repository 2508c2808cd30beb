// A thin RAII layer over the SQLite C API: a connection and prepared statements with typed
// binds. Only the store engines include this file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace tabadul::store {

class Statement;

// One connection. Not thread-safe: use one per thread (SqliteStore pools them).
class Database {
 public:
  // Opens (creating if needed) the database file. Sets WAL, synchronous=FULL, a busy timeout.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // Compiles a statement.
  Result<Statement> Prepare(std::string_view sql);
  // A statement compiled once per connection and reused: reset and unbound on return. The
  // pointer stays valid for the connection's life; do not use it from two places at once.
  Result<Statement*> Cached(const std::string& sql);
  // Resets every statement still stepping, ending the implicit read transaction it holds
  // (an unfinished statement would otherwise pin an old WAL snapshot on this connection).
  void ResetBusyStatements();
  int64_t Changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() const { return db_; }
  Status Error(std::string_view what) const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  std::vector<std::unique_ptr<Statement>> spares_;  // see Cached
};

class Statement {
 public:
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Binds are 1-based, as in SQLite.
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);

  // Steps once: true = a row is available, false = done. Errors become Internal (or
  // AlreadyExists for a constraint violation).
  Result<bool> Step();
  // Steps to completion, for statements without rows.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  // A text column (NULL reads as ""). The view is valid until the next Step, Reset or read of
  // the same column as another type.
  std::string Text(int col) const;
  std::string_view TextView(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

// The policy generation: one counter in table policy_meta that grows with every change the
// policy engine caches (agreements, marking definitions, peers' exchange terms), written in the
// same transaction as the change, so any process can tell cheaply whether its cached policy is
// stale. Every file that writes one of those changes creates the table with this schema (IF NOT
// EXISTS, so whichever opens the database first creates it).
inline constexpr char kPolicyMetaSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS policy_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO policy_meta (key, value) VALUES ('generation', 0);
)sql";
// Adds one to the policy generation. Call inside the transaction of the change it announces.
Status BumpPolicyGeneration(Database& db);

}  // namespace tabadul::store
