// The embedded store engine: one SQLite file (WAL mode) in the data folder.
//
// Durability: every write is one transaction committed with synchronous=FULL, so a write that
// returned OK survives kill -9; SQLite's journal guarantees no half-written object.
// Concurrency: connections are pooled, one per concurrent caller; writers are serialized by
// SQLite's own lock (BEGIN IMMEDIATE), readers run in parallel with them.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"

namespace tabadul::store {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path` and brings its schema up to date.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

  Status CreateOrganization(const Organization& org) override;
  Result<Organization> GetOrganization(std::string_view id_or_name) override;
  Result<std::vector<Organization>> ListOrganizations() override;
  Status CreateUser(const User& user) override;
  Result<User> GetUser(std::string_view name) override;
  Result<std::vector<User>> ListUsers() override;
  Status SetPassword(std::string_view name, std::string_view password_hash) override;
  Status CreateCollection(const Collection& collection) override;
  Result<Collection> GetCollection(std::string_view id_or_alias) override;
  Result<std::vector<Collection>> ListCollections() override;
  Status SetGrant(std::string_view user, std::string_view collection_id, Grant grant) override;
  Result<Grant> GetGrant(std::string_view user, std::string_view collection_id) override;
  Result<std::vector<PutOutcome>> PutObjects(std::string_view collection_id,
                                             std::span<const stix::StixObject> objects,
                                             int64_t now_us,
                                             const PutOptions& options = {}) override;
  Result<std::string> GetCheckpoint(std::string_view key) override;
  Status SetCheckpoint(std::string_view key, std::string_view value) override;
  Result<Page> QueryObjects(const ObjectQuery& query, const RowFilter& visible) override;
  Result<bool> ScanObjects(const ObjectQuery& query, const RowFilter& visible,
                           const RowVisitor& visit) override;
  Result<int> DeleteObject(std::string_view collection_id, std::string_view id,
                           const VersionMatch& versions) override;
  Result<std::vector<DeletionRow>> QueryDeletions(std::string_view collection_id,
                                                  int64_t after_seq, size_t limit) override;
  Result<std::vector<MarkingDefinitionRow>> ListMarkingDefinitions() override;
  Status PutStatus(const StatusRecord& status) override;
  Result<StatusRecord> GetStatus(std::string_view id) override;

 private:
  // A connection borrowed from the pool for one call; returned on destruction. Inside a
  // BeginRead scope on the same thread it is the scope's connection, lent without the pool.
  class Lease {
   public:
    Lease(SqliteStore& store, std::unique_ptr<Database> db)
        : store_(store), owned_(std::move(db)), db_(owned_.get()) {}
    Lease(SqliteStore& store, Database* pinned) : store_(store), db_(pinned) {}
    ~Lease();
    Database& operator*() { return *db_; }
    Database* operator->() { return db_; }

   private:
    SqliteStore& store_;
    std::unique_ptr<Database> owned_;  // null when lent by a read scope
    Database* db_;
  };
  class SqliteReadScope;
  friend class SqliteReadScope;

  explicit SqliteStore(std::string path) : path_(std::move(path)) {}
  // A connection for one call: the thread's read-scope connection when it holds one, unless
  // `latest` asks for a pooled connection that reads the latest committed state.
  Result<std::unique_ptr<Lease>> Acquire(bool latest = false);

 public:
  std::unique_ptr<ReadScope> BeginRead() override;

 private:
  Result<PutOutcome> PutOne(Database& db, std::string_view collection_id,
                            const stix::StixObject& object, const std::string& origin,
                            int64_t* next_date_added);
  Status RecomputeFlags(Database& db, std::string_view collection_id, std::string_view id);

  const std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Database>> idle_;  // guarded by mu_
};

}  // namespace tabadul::store
