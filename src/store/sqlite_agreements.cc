#include "store/sqlite_agreements.h"

#include "store/sqlite.h"

namespace tabadul::store {
namespace {

constexpr char kAgreementSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE, user_name TEXT NOT NULL, org_id TEXT NOT NULL,
  role TEXT NOT NULL, label TEXT NOT NULL, created_us INTEGER NOT NULL,
  revoked_us INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS agreement_versions (
  name TEXT NOT NULL, version INTEGER NOT NULL, provider_org TEXT NOT NULL, body TEXT NOT NULL,
  ended INTEGER NOT NULL, changed_us INTEGER NOT NULL, changed_by TEXT NOT NULL,
  PRIMARY KEY (name, version)) WITHOUT ROWID;
)sql";
// (Databases written before marking definitions were rebuilt from the objects table keep a
// table `marking_definitions`: nothing reads or writes it any more, and it is left alone.)

// BEGIN IMMEDIATE ... COMMIT around `body`; rolls back on any failure.
template <typename F>
Status InTransaction(Database& db, F&& body) {
  TABADUL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status st = body();
  if (st.ok()) st = db.Exec("COMMIT");
  if (!st.ok()) (void)db.Exec("ROLLBACK");
  return st;
}

TokenRecord ReadToken(const Statement& st) {
  TokenRecord t;
  t.id = st.Text(0);
  t.digest_hex = st.Text(1);
  t.user_name = st.Text(2);
  t.org_id = st.Text(3);
  t.role = ParseRole(st.TextView(4)).value_or(Role::kReader);
  t.label = st.Text(5);
  t.created_us = st.Int(6);
  t.revoked_us = st.Int(7);
  return t;
}

constexpr char kTokenColumns[] =
    "SELECT id, digest, user_name, org_id, role, label, created_us, revoked_us FROM api_tokens";
constexpr char kVersionColumns[] =
    "SELECT name, version, provider_org, body, ended, changed_us, changed_by FROM "
    "agreement_versions";

AgreementVersion ReadVersion(const Statement& st) {
  AgreementVersion v;
  v.name = st.Text(0);
  v.version = st.Int(1);
  v.provider_org = st.Text(2);
  v.body = st.Text(3);
  v.ended = st.Int(4) != 0;
  v.changed_us = st.Int(5);
  v.changed_by = st.Text(6);
  return v;
}

}  // namespace

SqliteAgreementStore::SqliteAgreementStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}
SqliteAgreementStore::~SqliteAgreementStore() = default;

Result<std::unique_ptr<SqliteAgreementStore>> SqliteAgreementStore::Open(const std::string& path) {
  TABADUL_ASSIGN_OR_RETURN(auto db, Database::Open(path));
  TABADUL_RETURN_IF_ERROR(db->Exec(kAgreementSchema));
  TABADUL_RETURN_IF_ERROR(db->Exec(kPolicyMetaSchema));
  return std::unique_ptr<SqliteAgreementStore>(new SqliteAgreementStore(std::move(db)));
}

Status SqliteAgreementStore::InsertToken(const TokenRecord& t) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Cached(
      "INSERT INTO api_tokens (id, digest, user_name, org_id, role, label, created_us, revoked_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  return st->Bind(1, t.id).Bind(2, t.digest_hex).Bind(3, t.user_name).Bind(4, t.org_id)
      .Bind(5, RoleName(t.role)).Bind(6, t.label).Bind(7, t.created_us).Bind(8, t.revoked_us)
      .Run();
}

Result<TokenRecord> SqliteAgreementStore::FindTokenByDigest(std::string_view digest_hex) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Cached(std::string(kTokenColumns) + " WHERE digest = ?"));
  st->Bind(1, digest_hex);
  TABADUL_ASSIGN_OR_RETURN(bool found, st->Step());
  if (!found) return NotFound("no such token");
  TokenRecord t = ReadToken(*st);
  st->Reset();
  return t;
}

Result<std::vector<TokenRecord>> SqliteAgreementStore::ListTokens(std::string_view org_id) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Cached(std::string(kTokenColumns) +
                                                " WHERE ?1 = '' OR org_id = ?1 ORDER BY created_us, id"));
  st->Bind(1, org_id);
  std::vector<TokenRecord> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadToken(*st));
  }
  return out;
}

Status SqliteAgreementStore::RevokeToken(std::string_view id, int64_t now_us) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Cached(
      "UPDATE api_tokens SET revoked_us = CASE WHEN revoked_us = 0 THEN ?2 ELSE revoked_us END "
      "WHERE id = ?1"));
  TABADUL_RETURN_IF_ERROR(st->Bind(1, id).Bind(2, now_us).Run());
  if (db_->Changes() == 0) return NotFound("no token '" + std::string(id) + "'");
  return Status::Ok();
}

Result<std::vector<AgreementVersion>> SqliteAgreementStore::LatestAgreements() {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Cached(
      std::string(kVersionColumns) +
      " AS a WHERE version = (SELECT MAX(version) FROM agreement_versions b WHERE b.name = a.name)"
      " ORDER BY name"));
  std::vector<AgreementVersion> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadVersion(*st));
  }
  return out;
}

Result<std::vector<AgreementVersion>> SqliteAgreementStore::AgreementHistory(std::string_view name) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Cached(std::string(kVersionColumns) +
                                                " WHERE name = ? ORDER BY version"));
  st->Bind(1, name);
  std::vector<AgreementVersion> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadVersion(*st));
  }
  if (out.empty()) return NotFound("no agreement '" + std::string(name) + "'");
  return out;
}

Status SqliteAgreementStore::AppendAgreementVersions(std::span<const AgreementVersion> versions) {
  std::lock_guard lock(mu_);
  Database& db = *db_;
  return InTransaction(db, [&]() -> Status {
    for (const auto& v : versions) {
      TABADUL_ASSIGN_OR_RETURN(auto latest, db.Cached(
          "SELECT COALESCE(MAX(version), 0) FROM agreement_versions WHERE name = ?"));
      latest->Bind(1, v.name);
      TABADUL_ASSIGN_OR_RETURN(bool row, latest->Step());
      const int64_t current = row ? latest->Int(0) : 0;
      latest->Reset();
      if (v.version != current + 1) {
        return FailedPrecondition("agreement '" + v.name + "' changed meanwhile (now at version " +
                                  std::to_string(current) + "); read it again and retry");
      }
      TABADUL_ASSIGN_OR_RETURN(auto ins, db.Cached(
          "INSERT INTO agreement_versions (name, version, provider_org, body, ended, changed_us, "
          "changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)"));
      TABADUL_RETURN_IF_ERROR(ins->Bind(1, v.name).Bind(2, v.version).Bind(3, v.provider_org)
                                  .Bind(4, v.body).Bind(5, int64_t{v.ended ? 1 : 0})
                                  .Bind(6, v.changed_us).Bind(7, v.changed_by).Run());
    }
    return BumpGeneration();
  });
}

Result<int64_t> SqliteAgreementStore::Generation() {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st,
                           db_->Cached("SELECT value FROM policy_meta WHERE key = 'generation'"));
  TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
  const int64_t g = row ? st->Int(0) : 0;
  st->Reset();
  return g;
}

// Caller holds mu_ and is inside a transaction.
Status SqliteAgreementStore::BumpGeneration() { return BumpPolicyGeneration(*db_); }

}  // namespace tabadul::store
