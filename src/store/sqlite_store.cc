#include "store/sqlite_store.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <optional>

#include "stix/id.h"

namespace tabadul::store {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS organizations (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),
  role TEXT NOT NULL, password_hash TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  description TEXT NOT NULL, alias TEXT UNIQUE, owner_org TEXT NOT NULL REFERENCES organizations(id),
  default_tlp TEXT NOT NULL, created_us INTEGER NOT NULL, last_date_added INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS grants (
  user_name TEXT NOT NULL REFERENCES users(name), collection_id TEXT NOT NULL REFERENCES collections(id),
  can_read INTEGER NOT NULL, can_write INTEGER NOT NULL, PRIMARY KEY (user_name, collection_id));
CREATE TABLE IF NOT EXISTS objects (
  collection_id TEXT NOT NULL, date_added INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
  spec_version TEXT NOT NULL, version TEXT NOT NULL, version_ns INTEGER NOT NULL,
  revoked INTEGER NOT NULL, is_first INTEGER NOT NULL, is_latest INTEGER NOT NULL,
  created_by_ref TEXT NOT NULL, labels TEXT NOT NULL, markings TEXT NOT NULL,
  has_granular INTEGER NOT NULL, origin TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (collection_id, date_added)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS objects_version ON objects (collection_id, id, version_ns);
CREATE TABLE IF NOT EXISTS deletions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, collection_id TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL, version_ns INTEGER NOT NULL,
  deleted_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS statuses (
  id TEXT PRIMARY KEY, collection_id TEXT NOT NULL, user_name TEXT NOT NULL, org_id TEXT NOT NULL,
  request_timestamp_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS status_items (
  status_id TEXT NOT NULL REFERENCES statuses(id), kind INTEGER NOT NULL, seq INTEGER NOT NULL,
  id TEXT NOT NULL, version TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY (status_id, kind, seq));
)sql";

// Marking definitions are what the policy engine resolves markings against (per provider; see
// ListMarkingDefinitions). A partial index lists them without scanning the other objects, and
// triggers bump the policy generation (kPolicyMetaSchema, created before this) in the very
// transaction that stores or deletes one, whatever path wrote it: TAXII, import, sync, ingest.
constexpr char kMarkingDefinitionSchema[] = R"sql(
CREATE INDEX IF NOT EXISTS objects_marking_definitions ON objects (type)
  WHERE type = 'marking-definition';
CREATE TRIGGER IF NOT EXISTS objects_marking_definition_added AFTER INSERT ON objects
  WHEN NEW.type = 'marking-definition'
  BEGIN UPDATE policy_meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER IF NOT EXISTS objects_marking_definition_removed AFTER DELETE ON objects
  WHEN OLD.type = 'marking-definition'
  BEGIN UPDATE policy_meta SET value = value + 1 WHERE key = 'generation'; END;
)sql";

constexpr char kSep = '\x1f';  // joins label and marking lists inside one column

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += kSep;
    out += items[i];
  }
  return out;
}

// Splits a joined list into `out`, reusing its strings' storage (a scan reads every row into
// the same ObjectRow, so lists of the same shape allocate nothing after the first row).
void SplitInto(std::string_view s, std::vector<std::string>* out) {
  size_t n = 0;
  for (size_t start = 0; !s.empty() && start <= s.size(); ++n) {
    size_t pos = s.find(kSep, start);
    if (pos == std::string_view::npos) pos = s.size();
    std::string_view part = s.substr(start, pos - start);
    if (n < out->size()) {
      (*out)[n].assign(part);
    } else {
      out->emplace_back(part);
    }
    start = pos + 1;
  }
  out->resize(n);
}

bool SameCanonicalJson(std::string_view a, std::string_view b) {
  auto ca = stix::CanonicalJson(a);
  auto cb = stix::CanonicalJson(b);
  return ca.ok() && cb.ok() && *ca == *cb;
}

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back on any failure.
template <typename F>
Status InTransaction(Database& db, F&& body) {
  TABADUL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status st = body();
  if (st.ok()) st = db.Exec("COMMIT");
  if (!st.ok()) (void)db.Exec("ROLLBACK");
  return st;
}

Status NotFoundOr(Result<bool> stepped, std::string what) {
  if (!stepped.ok()) return stepped.status();
  if (!*stepped) return NotFound(std::move(what));
  return Status::Ok();
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader: return "reader";
    case Role::kPublisher: return "publisher";
    case Role::kAdmin: return "admin";
  }
  return "reader";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "reader") return Role::kReader;
  if (name == "publisher") return Role::kPublisher;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  auto store = std::unique_ptr<SqliteStore>(new SqliteStore(path));
  TABADUL_ASSIGN_OR_RETURN(auto db, Database::Open(path));
  TABADUL_RETURN_IF_ERROR(db->Exec(kSchema));
  TABADUL_RETURN_IF_ERROR(db->Exec(kPolicyMetaSchema));
  TABADUL_RETURN_IF_ERROR(db->Exec(kMarkingDefinitionSchema));
  store->idle_.push_back(std::move(db));
  return store;
}

namespace {
// The connection a read scope pinned on this thread, and for which store.
struct PinnedRead {
  const void* store = nullptr;
  Database* db = nullptr;
  int depth = 0;
};
thread_local PinnedRead t_pinned;
}  // namespace

SqliteStore::Lease::~Lease() {
  // A connection lent by a read scope may have a statement of an enclosing call still stepping
  // (a page being scanned while a hook looks something up): leave it; the scope resets all.
  if (!owned_) return;
  db_->ResetBusyStatements();
  std::lock_guard lock(store_.mu_);
  store_.idle_.push_back(std::move(owned_));
}

// Holds one pooled connection inside BEGIN ... COMMIT for the reads of its thread.
class SqliteStore::SqliteReadScope : public ReadScope {
 public:
  explicit SqliteReadScope(std::unique_ptr<Lease> lease) : lease_(std::move(lease)) {}
  ~SqliteReadScope() override {
    if (--t_pinned.depth > 0) return;
    t_pinned = {};
    if (lease_) {
      (*lease_)->ResetBusyStatements();
      (void)(*lease_)->Exec("COMMIT");  // a read transaction: nothing to keep or lose
    }
  }

 private:
  std::unique_ptr<Lease> lease_;  // null for a nested scope
};

std::unique_ptr<ReadScope> SqliteStore::BeginRead() {
  if (t_pinned.store == this) {
    ++t_pinned.depth;
    return std::make_unique<SqliteReadScope>(nullptr);
  }
  if (t_pinned.store != nullptr) return nullptr;  // another store's scope: leave it alone
  auto lease = Acquire();
  if (!lease.ok() || !(**lease)->Exec("BEGIN").ok()) return nullptr;  // reads go unpinned
  t_pinned = {this, &***lease, 1};
  return std::make_unique<SqliteReadScope>(std::move(*lease));
}

Result<std::unique_ptr<SqliteStore::Lease>> SqliteStore::Acquire(bool latest) {
  if (!latest && t_pinned.store == this && t_pinned.db != nullptr) {
    return std::make_unique<Lease>(*this, t_pinned.db);
  }
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return std::make_unique<Lease>(*this, std::move(db));
    }
  }
  TABADUL_ASSIGN_OR_RETURN(auto db, Database::Open(path_));
  return std::make_unique<Lease>(*this, std::move(db));
}

// ---- Organizations, users, collections, grants -------------------------------------------

Status SqliteStore::CreateOrganization(const Organization& org) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "INSERT INTO organizations (id, name, created_us) VALUES (?, ?, ?)"));
  Status s = st->Bind(1, org.id).Bind(2, org.name).Bind(3, org.created_us).Run();
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("an organization with id '" + org.id + "' or name '" + org.name +
                         "' already exists");
  }
  return s;
}

Result<Organization> SqliteStore::GetOrganization(std::string_view id_or_name) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "SELECT id, name, created_us FROM organizations WHERE id = ?1 OR name = ?1"));
  st->Bind(1, id_or_name);
  TABADUL_RETURN_IF_ERROR(
      NotFoundOr(st->Step(), "no organization '" + std::string(id_or_name) + "'"));
  return Organization{st->Text(0), st->Text(1), st->Int(2)};
}

Result<std::vector<Organization>> SqliteStore::ListOrganizations() {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "SELECT id, name, created_us FROM organizations ORDER BY name"));
  std::vector<Organization> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Int(2)});
  }
  return out;
}

Status SqliteStore::CreateUser(const User& user) {
  auto org = GetOrganization(user.org_id);
  if (!org.ok()) return org.status();
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "INSERT INTO users (name, org_id, role, password_hash, created_us) VALUES (?, ?, ?, ?, ?)"));
  Status s = st->Bind(1, user.name).Bind(2, org->id).Bind(3, RoleName(user.role))
                 .Bind(4, user.password_hash).Bind(5, user.created_us).Run();
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a user named '" + user.name + "' already exists");
  }
  return s;
}

namespace {
User UserFromRow(const Statement& st) {
  User u;
  u.name = st.Text(0);
  u.org_id = st.Text(1);
  u.role = ParseRole(st.TextView(2)).value_or(Role::kReader);
  u.password_hash = st.Text(3);
  u.created_us = st.Int(4);
  return u;
}
}  // namespace

Result<User> SqliteStore::GetUser(std::string_view name) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "SELECT name, org_id, role, password_hash, created_us FROM users WHERE name = ?"));
  st->Bind(1, name);
  TABADUL_RETURN_IF_ERROR(NotFoundOr(st->Step(), "no user '" + std::string(name) + "'"));
  return UserFromRow(*st);
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "SELECT name, org_id, role, password_hash, created_us FROM users ORDER BY name"));
  std::vector<User> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(UserFromRow(*st));
  }
  return out;
}

Status SqliteStore::SetPassword(std::string_view name, std::string_view password_hash) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "UPDATE users SET password_hash = ? WHERE name = ?"));
  TABADUL_RETURN_IF_ERROR(st->Bind(1, password_hash).Bind(2, name).Run());
  if ((*lease)->Changes() == 0) return NotFound("no user '" + std::string(name) + "'");
  return Status::Ok();
}

Status SqliteStore::CreateCollection(const Collection& c) {
  auto org = GetOrganization(c.owner_org);
  if (!org.ok()) return org.status();
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "INSERT INTO collections (id, title, description, alias, owner_org, default_tlp, created_us)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st->Bind(1, c.id).Bind(2, c.title).Bind(3, c.description);
  if (c.alias.empty()) st->BindNull(4); else st->Bind(4, c.alias);
  Status s = st->Bind(5, org->id).Bind(6, c.default_tlp).Bind(7, c.created_us).Run();
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a collection with id '" + c.id + "' or alias '" + c.alias +
                         "' already exists");
  }
  return s;
}

namespace {
constexpr char kCollectionColumns[] =
    "SELECT id, title, description, COALESCE(alias, ''), owner_org, default_tlp, created_us "
    "FROM collections ";
Collection CollectionFromRow(const Statement& st) {
  return Collection{st.Text(0), st.Text(1), st.Text(2), st.Text(3),
                    st.Text(4), st.Text(5), st.Int(6)};
}
}  // namespace

Result<Collection> SqliteStore::GetCollection(std::string_view id_or_alias) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(std::string(kCollectionColumns) +
                                                     "WHERE id = ?1 OR alias = ?1"));
  st->Bind(1, id_or_alias);
  TABADUL_RETURN_IF_ERROR(
      NotFoundOr(st->Step(), "no collection '" + std::string(id_or_alias) + "'"));
  return CollectionFromRow(*st);
}

Result<std::vector<Collection>> SqliteStore::ListCollections() {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st,
                           (*lease)->Cached(std::string(kCollectionColumns) + "ORDER BY seq"));
  std::vector<Collection> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(CollectionFromRow(*st));
  }
  return out;
}

Status SqliteStore::SetGrant(std::string_view user, std::string_view collection_id, Grant g) {
  TABADUL_ASSIGN_OR_RETURN(auto u, GetUser(user));
  TABADUL_ASSIGN_OR_RETURN(auto c, GetCollection(collection_id));
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "INSERT INTO grants (user_name, collection_id, can_read, can_write) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (user_name, collection_id) DO UPDATE SET can_read = excluded.can_read, "
      "can_write = excluded.can_write"));
  return st->Bind(1, u.name).Bind(2, c.id).Bind(3, int64_t{g.can_read})
      .Bind(4, int64_t{g.can_write}).Run();
}

Result<Grant> SqliteStore::GetGrant(std::string_view user, std::string_view collection_id) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "SELECT can_read, can_write FROM grants WHERE user_name = ? AND collection_id = ?"));
  st->Bind(1, user).Bind(2, collection_id);
  TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Grant{};
  return Grant{st->Int(0) != 0, st->Int(1) != 0};
}

// ---- Objects -------------------------------------------------------------------------------

Result<std::vector<PutOutcome>> SqliteStore::PutObjects(std::string_view collection_id,
                                                        std::span<const stix::StixObject> objects,
                                                        int64_t now_us,
                                                        const PutOptions& options) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  Database& db = **lease;
  std::vector<PutOutcome> outcomes;
  outcomes.reserve(objects.size());
  Status st = InTransaction(db, [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto last, db.Cached(
        "SELECT last_date_added FROM collections WHERE id = ?"));
    last->Bind(1, collection_id);
    TABADUL_RETURN_IF_ERROR(
        NotFoundOr(last->Step(), "no collection '" + std::string(collection_id) + "'"));
    // date_added is minted strictly increasing per collection: never below the clock, never
    // equal to or below the last one minted, whatever the clock does.
    int64_t next = std::max(now_us, last->Int(0) + 1);
    last->Reset();
    for (const auto& object : objects) {
      TABADUL_ASSIGN_OR_RETURN(PutOutcome outcome,
                               PutOne(db, collection_id, object, options.origin, &next));
      outcomes.push_back(std::move(outcome));
    }
    TABADUL_ASSIGN_OR_RETURN(auto update, db.Cached(
        "UPDATE collections SET last_date_added = ? WHERE id = ?"));
    TABADUL_RETURN_IF_ERROR(update->Bind(1, next - 1).Bind(2, collection_id).Run());
    if (options.checkpoint_key.empty()) return Status::Ok();
    TABADUL_ASSIGN_OR_RETURN(auto cp, db.Cached(
        "INSERT INTO checkpoints (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    return cp->Bind(1, options.checkpoint_key).Bind(2, options.checkpoint_value).Run();
  });
  if (!st.ok()) return st;
  return outcomes;
}

Result<PutOutcome> SqliteStore::PutOne(Database& db, std::string_view collection_id,
                                       const stix::StixObject& object, const std::string& origin,
                                       int64_t* next_date_added) {
  const int64_t version_ns = object.version_ns();
  TABADUL_ASSIGN_OR_RETURN(auto same, db.Cached(
      "SELECT json, date_added FROM objects WHERE collection_id = ? AND id = ? AND version_ns = ?"));
  same->Bind(1, collection_id).Bind(2, object.id).Bind(3, version_ns);
  TABADUL_ASSIGN_OR_RETURN(bool exists, same->Step());
  if (exists) {
    PutOutcome out;
    out.date_added_us = same->Int(1);
    // The same version may arrive serialized differently (whitespace, key order, as ATT&CK's
    // domain bundles do): equal under RFC 8785 canonical JSON counts as the same object.
    if (same->TextView(0) == object.json || SameCanonicalJson(same->TextView(0), object.json)) {
      out.kind = PutOutcome::Kind::kDuplicate;
    } else {
      out.kind = PutOutcome::Kind::kRefused;
      out.message = "version " + object.version() + " of " + object.id +
                    " is already stored with different content; versions are immutable, "
                    "publish a new 'modified' instead";
    }
    return out;
  }
  TABADUL_ASSIGN_OR_RETURN(auto range, db.Cached(
      "SELECT MIN(version_ns), MAX(version_ns), MIN(CASE WHEN revoked THEN version_ns END), "
      "COUNT(*) FROM objects INDEXED BY objects_version WHERE collection_id = ? AND id = ?"));
  range->Bind(1, collection_id).Bind(2, object.id);
  TABADUL_ASSIGN_OR_RETURN(bool has_row, range->Step());
  (void)has_row;
  const bool any = range->Int(3) > 0;
  const int64_t first = range->Int(0), latest = range->Int(1);
  if (!range->IsNull(2) && version_ns > range->Int(2)) {
    return PutOutcome{PutOutcome::Kind::kRefused, 0,
                      object.id + " is revoked; a revoked object cannot get a newer version"};
  }
  const bool is_first = !any || version_ns < first;
  const bool is_latest = !any || version_ns > latest;
  if (any && is_first) {
    TABADUL_ASSIGN_OR_RETURN(auto clear, db.Cached(
        "UPDATE objects INDEXED BY objects_version SET is_first = 0 WHERE collection_id = ? AND id = ? AND is_first = 1"));
    TABADUL_RETURN_IF_ERROR(clear->Bind(1, collection_id).Bind(2, object.id).Run());
  }
  if (any && is_latest) {
    TABADUL_ASSIGN_OR_RETURN(auto clear, db.Cached(
        "UPDATE objects INDEXED BY objects_version SET is_latest = 0 WHERE collection_id = ? AND id = ? AND is_latest = 1"));
    TABADUL_RETURN_IF_ERROR(clear->Bind(1, collection_id).Bind(2, object.id).Run());
  }
  TABADUL_ASSIGN_OR_RETURN(auto insert, db.Cached(
      "INSERT INTO objects (collection_id, date_added, id, type, spec_version, version, "
      "version_ns, revoked, is_first, is_latest, created_by_ref, labels, markings, has_granular, "
      "origin, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const int64_t date_added = (*next_date_added)++;
  TABADUL_RETURN_IF_ERROR(insert->Bind(1, collection_id).Bind(2, date_added).Bind(3, object.id)
      .Bind(4, object.type).Bind(5, object.spec_version).Bind(6, object.version())
      .Bind(7, version_ns).Bind(8, int64_t{object.revoked}).Bind(9, int64_t{is_first})
      .Bind(10, int64_t{is_latest}).Bind(11, object.created_by_ref).Bind(12, Join(object.labels))
      .Bind(13, Join(object.object_marking_refs))
      .Bind(14, int64_t{!object.granular_markings.empty()}).Bind(15, origin)
      .Bind(16, object.json).Run());
  return PutOutcome{PutOutcome::Kind::kAdded, date_added, {}};
}

namespace {

// Appends " AND column IN (?, ?, ...)" for a non-empty list.
void AppendIn(std::string* sql, const char* column, size_t n) {
  if (n == 0) return;
  *sql += " AND ";
  *sql += column;
  *sql += " IN (";
  for (size_t i = 0; i < n; ++i) *sql += i ? ", ?" : "?";
  *sql += ')';
}

}  // namespace

namespace {

// The SELECT for a query, its parameters in the order BindObjectQuery binds them.
std::string ObjectQuerySql(const ObjectQuery& q) {
  std::string sql =
      "SELECT date_added, id, type, spec_version, version, version_ns, revoked, created_by_ref, "
      "labels, markings, has_granular, origin";
  sql += q.with_json ? ", json" : ", ''";
  // With ids given, look them up by the version index (a few rows, sorted afterwards) rather than
  // walking the collection in date_added order.
  sql += q.ids.empty() ? " FROM objects" : " FROM objects INDEXED BY objects_version";
  sql += " WHERE collection_id = ? AND date_added > ?";
  AppendIn(&sql, "id", q.ids.size());
  AppendIn(&sql, "type", q.types.size());
  AppendIn(&sql, "spec_version", q.spec_versions.size());
  if (!q.versions.all) {
    std::vector<std::string> alternatives;
    if (q.versions.first) alternatives.push_back("is_first = 1");
    if (q.versions.last) alternatives.push_back("is_latest = 1");
    if (!q.versions.exact_ns.empty()) {
      std::string in = "version_ns IN (";
      for (size_t i = 0; i < q.versions.exact_ns.size(); ++i) in += i ? ", ?" : "?";
      alternatives.push_back(in + ")");
    }
    if (alternatives.empty()) alternatives.push_back("0");
    sql += " AND (";
    for (size_t i = 0; i < alternatives.size(); ++i) {
      sql += (i ? " OR " : "") + alternatives[i];
    }
    sql += ')';
  }
  sql += " ORDER BY date_added";
  return sql;
}

void BindObjectQuery(const ObjectQuery& q, Statement& st) {
  int bind = 1;
  st.Bind(bind++, q.collection_id);
  st.Bind(bind++, q.added_after_us);
  for (const auto& v : q.ids) st.Bind(bind++, v);
  for (const auto& v : q.types) st.Bind(bind++, v);
  for (const auto& v : q.spec_versions) st.Bind(bind++, v);
  if (!q.versions.all) {
    for (int64_t v : q.versions.exact_ns) st.Bind(bind++, v);
  }
}

// Reads the current result row into `row` (all but json, which is cleared), assigning into the
// strings it already holds so that a reused row keeps their storage.
void ReadObjectRow(const Statement& st, std::string_view collection_id, ObjectRow& row) {
  row.collection_id.assign(collection_id);
  row.date_added_us = st.Int(0);
  row.id.assign(st.TextView(1));
  row.type.assign(st.TextView(2));
  row.spec_version.assign(st.TextView(3));
  row.version.assign(st.TextView(4));
  row.version_ns = st.Int(5);
  row.revoked = st.Int(6) != 0;
  row.created_by_ref.assign(st.TextView(7));
  SplitInto(st.TextView(8), &row.labels);
  SplitInto(st.TextView(9), &row.marking_refs);
  row.has_granular_markings = st.Int(10) != 0;
  row.origin.assign(st.TextView(11));
  row.json.clear();
  row.disclosed_under = {};  // the filter's note is for this row only (store.h)
}

}  // namespace

Result<bool> SqliteStore::ScanObjects(const ObjectQuery& q, const RowFilter& visible,
                                      const RowVisitor& visit) {
  assert(q.limit > 0);
  const std::string sql = ObjectQuerySql(q);
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  // Statements with variable-length lists are compiled each time; the common shapes are cached.
  const bool cacheable = q.ids.size() + q.types.size() + q.versions.exact_ns.size() <= 4;
  std::optional<Statement> owned;
  Statement* st = nullptr;
  if (cacheable) {
    TABADUL_ASSIGN_OR_RETURN(st, (*lease)->Cached(sql));
  } else {
    TABADUL_ASSIGN_OR_RETURN(auto fresh, (*lease)->Prepare(sql));
    owned.emplace(std::move(fresh));
    st = &*owned;
  }
  BindObjectQuery(q, *st);

  ObjectRow row;  // every row of the scan is read into this one (see ReadObjectRow)
  size_t delivered = 0;
  bool more = false;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool has_row, st->Step());
    if (!has_row) break;
    ReadObjectRow(*st, q.collection_id, row);
    if (visible && !visible(row)) continue;
    if (delivered == q.limit) {
      more = true;
      break;
    }
    ++delivered;
    visit(row, q.with_json ? st->TextView(12) : std::string_view());
  }
  st->Reset();
  return more;
}

Result<Page> SqliteStore::QueryObjects(const ObjectQuery& q, const RowFilter& visible) {
  Page page;
  page.rows.reserve(std::min<size_t>(q.limit, 1000));  // no regrowth (and row moves) per page
  TABADUL_ASSIGN_OR_RETURN(page.more,
                           ScanObjects(q, visible, [&page](ObjectRow& row, std::string_view json) {
                             ObjectRow& out = page.rows.emplace_back(row);
                             out.json.assign(json);
                           }));
  return page;
}

Status SqliteStore::RecomputeFlags(Database& db, std::string_view collection_id,
                                   std::string_view id) {
  TABADUL_ASSIGN_OR_RETURN(auto st, db.Cached(
      "UPDATE objects INDEXED BY objects_version SET "
      "is_first = (version_ns = (SELECT MIN(version_ns) FROM objects INDEXED BY objects_version "
      "WHERE collection_id = ?1 AND id = ?2)), "
      "is_latest = (version_ns = (SELECT MAX(version_ns) FROM objects INDEXED BY objects_version "
      "WHERE collection_id = ?1 AND id = ?2)) "
      "WHERE collection_id = ?1 AND id = ?2"));
  return st->Bind(1, collection_id).Bind(2, id).Run();
}

Result<int> SqliteStore::DeleteObject(std::string_view collection_id, std::string_view id,
                                      const VersionMatch& versions) {
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  ObjectQuery q;
  q.collection_id = std::string(collection_id);
  q.ids = {std::string(id)};
  q.versions = versions;
  q.limit = 1000000;
  TABADUL_ASSIGN_OR_RETURN(Page page, QueryObjects(q, nullptr));
  if (page.rows.empty()) return 0;
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  Database& db = **lease;
  Status st = InTransaction(db, [&]() -> Status {
    for (const auto& row : page.rows) {
      TABADUL_ASSIGN_OR_RETURN(auto del, db.Cached(
          "DELETE FROM objects WHERE collection_id = ? AND date_added = ?"));
      TABADUL_RETURN_IF_ERROR(del->Bind(1, collection_id).Bind(2, row.date_added_us).Run());
      TABADUL_ASSIGN_OR_RETURN(auto log, db.Cached(
          "INSERT INTO deletions (collection_id, id, version, version_ns, deleted_us) "
          "VALUES (?, ?, ?, ?, ?)"));
      TABADUL_RETURN_IF_ERROR(log->Bind(1, collection_id).Bind(2, id).Bind(3, row.version)
                                  .Bind(4, row.version_ns).Bind(5, now_us).Run());
    }
    return RecomputeFlags(db, collection_id, id);
  });
  if (!st.ok()) return st;
  return static_cast<int>(page.rows.size());
}

Result<std::vector<DeletionRow>> SqliteStore::QueryDeletions(std::string_view collection_id,
                                                             int64_t after_seq, size_t limit) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "SELECT seq, id, version, version_ns, deleted_us FROM deletions "
      "WHERE collection_id = ? AND seq > ? ORDER BY seq LIMIT ?"));
  st->Bind(1, collection_id).Bind(2, after_seq).Bind(3, static_cast<int64_t>(limit));
  std::vector<DeletionRow> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), std::string(collection_id), st->Text(1), st->Text(2), st->Int(3),
                   st->Int(4)});
  }
  return out;
}

Result<std::string> SqliteStore::GetCheckpoint(std::string_view key) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached("SELECT value FROM checkpoints WHERE key = ?"));
  st->Bind(1, key);
  TABADUL_RETURN_IF_ERROR(NotFoundOr(st->Step(), "no checkpoint '" + std::string(key) + "'"));
  return st->Text(0);
}

Status SqliteStore::SetCheckpoint(std::string_view key, std::string_view value) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "INSERT INTO checkpoints (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  return st->Bind(1, key).Bind(2, value).Run();
}

Result<std::vector<MarkingDefinitionRow>> SqliteStore::ListMarkingDefinitions() {
  // The latest state even inside a read scope: the policy engine pairs this list with the
  // generation it read first (on its own connection), and a scope's older snapshot would pin a
  // stale list under a newer generation until the next change.
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire(/*latest=*/true));
  // INDEXED BY: an error rather than a silent scan of every object if the index were unusable.
  TABADUL_ASSIGN_OR_RETURN(auto st, (*lease)->Cached(
      "SELECT c.owner_org, o.collection_id, o.id, o.json, o.origin "
      "FROM objects AS o INDEXED BY objects_marking_definitions "
      "JOIN collections AS c ON c.id = o.collection_id "
      "WHERE o.type = 'marking-definition' ORDER BY c.seq, o.date_added"));
  std::vector<MarkingDefinitionRow> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4)});
  }
  return out;
}

// ---- Status resources ----------------------------------------------------------------------

Status SqliteStore::PutStatus(const StatusRecord& s) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  Database& db = **lease;
  return InTransaction(db, [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto head, db.Cached(
        "INSERT INTO statuses (id, collection_id, user_name, org_id, request_timestamp_us) "
        "VALUES (?, ?, ?, ?, ?)"));
    TABADUL_RETURN_IF_ERROR(head->Bind(1, s.id).Bind(2, s.collection_id).Bind(3, s.user_name)
                                .Bind(4, s.org_id).Bind(5, s.request_timestamp_us).Run());
    const std::vector<StatusItem>* lists[] = {&s.successes, &s.failures, &s.pendings};
    for (int kind = 0; kind < 3; ++kind) {
      int64_t seq = 0;
      for (const auto& item : *lists[kind]) {
        TABADUL_ASSIGN_OR_RETURN(auto ins, db.Cached(
            "INSERT INTO status_items (status_id, kind, seq, id, version, message) "
            "VALUES (?, ?, ?, ?, ?, ?)"));
        TABADUL_RETURN_IF_ERROR(ins->Bind(1, s.id).Bind(2, int64_t{kind}).Bind(3, seq++)
                                    .Bind(4, item.id).Bind(5, item.version)
                                    .Bind(6, item.message).Run());
      }
    }
    return Status::Ok();
  });
}

Result<StatusRecord> SqliteStore::GetStatus(std::string_view id) {
  TABADUL_ASSIGN_OR_RETURN(auto lease, Acquire());
  TABADUL_ASSIGN_OR_RETURN(auto head, (*lease)->Cached(
      "SELECT collection_id, user_name, org_id, request_timestamp_us FROM statuses WHERE id = ?"));
  head->Bind(1, id);
  TABADUL_RETURN_IF_ERROR(NotFoundOr(head->Step(), "no status '" + std::string(id) + "'"));
  StatusRecord out;
  out.id = std::string(id);
  out.collection_id = head->Text(0);
  out.user_name = head->Text(1);
  out.org_id = head->Text(2);
  out.request_timestamp_us = head->Int(3);
  head->Reset();
  TABADUL_ASSIGN_OR_RETURN(auto items, (*lease)->Cached(
      "SELECT kind, id, version, message FROM status_items WHERE status_id = ? ORDER BY kind, seq"));
  items->Bind(1, id);
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, items->Step());
    if (!row) break;
    StatusItem item{items->Text(1), items->Text(2), items->Text(3)};
    auto kind = items->Int(0);
    (kind == 0 ? out.successes : kind == 1 ? out.failures : out.pendings).push_back(item);
  }
  return out;
}

}  // namespace tabadul::store
