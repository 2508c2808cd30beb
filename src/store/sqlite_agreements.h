// Storage for the policy module and API tokens, in the same SQLite file as the object store:
// agreement versions (an append-only history) and API token digests. Only engines know SQL, so
// these tables live here; the meaning of an agreement's body (JSON text) belongs to the policy
// module, which parses and validates it. (Marking definitions are objects like any other: the
// policy engine lists them with Store::ListMarkingDefinitions.)
//
// Every change to agreements bumps the policy generation (store/sqlite.h, kPolicyMetaSchema) in
// the same transaction, and so does every insert or delete of a marking-definition object (a
// trigger of the object store) and every change of a sync peer's exchange terms: a process can
// tell cheaply whether its cached policy is stale (another process — the CLI — may have changed
// it).
//
// Thread-safety: every method may be called from any thread (one connection behind a mutex;
// these tables are small and touched on changes and cache reloads, not per row).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace tabadul::store {

class Database;

// An API token as stored: never the token itself, only its digest.
struct TokenRecord {
  std::string id;           // public handle for list/revoke ("tok_" + 12 hex chars)
  std::string digest_hex;   // hex SHA-256 of the whole token string
  std::string user_name;    // the user the token acts for
  std::string org_id;
  Role role = Role::kReader;  // never above the user's role (enforced by auth/token.h)
  std::string label;        // free text ("ci pipeline")
  int64_t created_us = 0;
  int64_t revoked_us = 0;   // 0 = active
};

// One version of one named agreement.
struct AgreementVersion {
  std::string name;
  int64_t version = 0;       // 1, 2, ... per name; assigned by AppendAgreementVersions
  std::string provider_org;  // organization id (indexed so a provider's set is cheap to list)
  std::string body;          // the agreement as JSON text (policy/agreement.h codec)
  bool ended = false;        // this version ends the agreement; it then grants nothing
  int64_t changed_us = 0;
  std::string changed_by;    // who made the change ("cli", a user name, "apply:<user>")
};

class SqliteAgreementStore {
 public:
  // Opens (creating tables if needed) the database at `path`, typically the object store's file.
  static Result<std::unique_ptr<SqliteAgreementStore>> Open(const std::string& path);
  ~SqliteAgreementStore();

  // ---- Tokens ----
  // AlreadyExists when the id or digest is taken.
  Status InsertToken(const TokenRecord& token);
  // The token with this digest (revoked ones too: the caller checks revoked_us); NotFound.
  Result<TokenRecord> FindTokenByDigest(std::string_view digest_hex);
  // Tokens of one organization (empty org_id = all), oldest first.
  Result<std::vector<TokenRecord>> ListTokens(std::string_view org_id);
  // Marks the token revoked at `now_us`. NotFound for an unknown id; revoking twice keeps the
  // first time and succeeds.
  Status RevokeToken(std::string_view id, int64_t now_us);

  // ---- Agreements ----
  // The latest version of every agreement name (ended ones included), by name.
  Result<std::vector<AgreementVersion>> LatestAgreements();
  // Every version of one name, oldest first; NotFound when the name was never used.
  Result<std::vector<AgreementVersion>> AgreementHistory(std::string_view name);
  // Appends one new version per element, in ONE transaction: all are stored or none. Each
  // element's `version` must be the name's current latest version + 1 (0 + 1 for a new name);
  // otherwise FailedPrecondition (someone changed it since the caller read it) and nothing is
  // stored. Bumps the generation.
  Status AppendAgreementVersions(std::span<const AgreementVersion> versions);

  // The policy generation: grows with every agreement, marking-definition or peer-terms change
  // (in any process).
  Result<int64_t> Generation();

 private:
  explicit SqliteAgreementStore(std::unique_ptr<Database> db);
  Status BumpGeneration();

  std::mutex mu_;
  std::unique_ptr<Database> db_;  // guarded by mu_
};

}  // namespace tabadul::store
