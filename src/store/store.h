// The store: one interface for everything tabadul keeps (organizations, users, collections,
// grants, STIX object versions, TAXII status resources). Engines implement it; today the
// embedded engine (sqlite_store.h) is the only one. Only engines know SQL.
//
// Object versions are immutable rows keyed by (collection, id, version). Each collection mints
// strictly increasing microsecond `date_added` values (never two alike, even for thousands of
// objects posted in one microsecond), so a cursor that is just "the last date_added seen" pages
// without loss or repetition. See docs/design/paging.md.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "stix/object.h"

namespace tabadul::store {

struct Organization {
  std::string id;    // a STIX identity id: "identity--<uuid>"
  std::string name;  // unique, human-readable
  int64_t created_us = 0;
};

enum class Role { kReader, kPublisher, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct User {
  std::string name;  // unique login name
  std::string org_id;
  Role role = Role::kReader;
  std::string password_hash;  // argon2id encoded string (auth/password.h); never a plain secret
  int64_t created_us = 0;
};

struct Collection {
  std::string id;  // a UUID (TAXII collection id)
  std::string title;
  std::string description;
  std::string alias;      // optional, unique when set
  std::string owner_org;  // organization id
  std::string default_tlp = "amber";  // marking applied to unmarked objects (policy module)
  int64_t created_us = 0;
};

struct Grant {
  bool can_read = false;
  bool can_write = false;
};

// One stored object version, as the read paths see it.
struct ObjectRow {
  std::string collection_id;
  int64_t date_added_us = 0;
  std::string id;
  std::string type;
  std::string spec_version;
  std::string version;     // `modified`, else `created`, else "" (unversioned SCO)
  int64_t version_ns = 0;  // its instant; 0 for unversioned
  bool revoked = false;
  std::string created_by_ref;
  std::vector<std::string> labels;
  std::vector<std::string> marking_refs;  // object_marking_refs
  bool has_granular_markings = false;
  std::string origin;  // "" when posted here; else the peer it was pulled from (sync)
  std::string json;  // empty unless the query asked for it
  // A note from the read filter to whoever delivers the row: the agreement it is delivered
  // under ("name@vN", policy::Decision::agreement), for the disclosure record. Not stored.
  // Engines clear it before calling the filter, so a row never carries a previous row's note;
  // a filter that passes the row may set it (it is mutable because filters see a const row),
  // and the view must stay valid as long as the filter does (the policy engine's does for the
  // engine's lifetime). Empty = no agreement (the provider's own read, or no filter).
  mutable std::string_view disclosed_under;
};

// Which versions of each object a query returns (TAXII match[version]). Several selections
// are ORed: e.g. first,last. `all` overrides the rest.
struct VersionMatch {
  bool all = false;
  bool first = false;
  bool last = true;  // the TAXII default
  std::vector<int64_t> exact_ns;
};

struct ObjectQuery {
  std::string collection_id;
  int64_t added_after_us = -1;  // only rows with date_added > this; -1 = from the start
  std::vector<std::string> ids;            // empty = any
  std::vector<std::string> types;          // empty = any
  std::vector<std::string> spec_versions;  // empty = any
  VersionMatch versions;
  bool with_json = false;
  size_t limit = 100;  // at most this many rows in the page (> 0)
};

// A visibility predicate applied to each candidate row *before* the limit counts it, so a page
// is full whenever enough visible rows exist. Must be cheap and thread-safe; null = all visible.
// It may note in row.disclosed_under the agreement a row it passes is delivered under (the
// engine keeps the note on the row handed to the visitor / put in the page).
using RowFilter = std::function<bool(const ObjectRow&)>;

struct Page {
  std::vector<ObjectRow> rows;  // ascending date_added
  bool more = false;            // visible rows exist after the last one returned
};

// Receives the rows of a page one at a time (Store::ScanObjects). `row` holds every field but
// `json`, which is left empty; `json` views the stored JSON (empty unless the query asked for
// it). Both are valid only during the call and are reused for the next row: copy what must
// outlive it. The visitor may modify `row` (e.g. rewrite it before delivery).
using RowVisitor = std::function<void(ObjectRow& row, std::string_view json)>;

// One deleted object version, for indexes and peers that follow the store (deletions are
// not visible in QueryObjects any more). `seq` increases with every deletion in the database.
struct DeletionRow {
  int64_t seq = 0;
  std::string collection_id;
  std::string id;
  std::string version;
  int64_t version_ns = 0;
  int64_t deleted_us = 0;
};

// One stored marking-definition version and the organization that owns the collection it is
// stored in: its provider (the policy module resolves an object's marking refs against the
// definitions of the object's provider only; docs/design/markings.md).
struct MarkingDefinitionRow {
  std::string owner_org;
  std::string collection_id;
  std::string id;
  std::string json;
  std::string origin;  // "" when posted here; else the peer it was pulled from
};

// What happened to one posted object.
struct PutOutcome {
  enum class Kind {
    kAdded,      // a new version was stored
    kDuplicate,  // that exact version was already stored (not an error, per TAXII §5.5)
    kRefused,    // not stored; `message` says why
  };
  Kind kind = Kind::kAdded;
  int64_t date_added_us = 0;  // for kAdded and kDuplicate
  std::string message;
};

// Extras written in the same transaction as a PutObjects batch.
struct PutOptions {
  std::string origin;  // provenance of every object in the batch ("" = posted locally)
  // A checkpoint (e.g. a sync cursor) committed atomically with the objects: after a crash,
  // either both the objects and the checkpoint are there, or neither.
  std::string checkpoint_key;    // empty = none
  std::string checkpoint_value;
};

struct StatusItem {
  std::string id;
  std::string version;
  std::string message;
};

// A TAXII status resource. Posts are processed synchronously, so a status is complete when it
// is stored; `pending_count` is kept for the resource's shape.
struct StatusRecord {
  std::string id;  // UUID
  std::string collection_id;
  std::string user_name;   // who posted (only that user's organization may read it)
  std::string org_id;
  int64_t request_timestamp_us = 0;
  std::vector<StatusItem> successes;
  std::vector<StatusItem> failures;
  std::vector<StatusItem> pendings;
};

// Held while a request reads: see Store::BeginRead.
class ReadScope {
 public:
  virtual ~ReadScope() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Makes the reads of the calling thread, until the returned scope is destroyed, share one
  // read transaction: one consistent snapshot, and one set of file locks instead of one per
  // query (a GET reads the collection, the grant and the page). The thread must not write to
  // the store while the scope is open. Scopes nest; null when the store has nothing to share.
  virtual std::unique_ptr<ReadScope> BeginRead() { return nullptr; }

  // Organizations. Names and ids are unique (AlreadyExists).
  virtual Status CreateOrganization(const Organization& org) = 0;
  // Finds by id or by name; NotFound when neither matches.
  virtual Result<Organization> GetOrganization(std::string_view id_or_name) = 0;
  virtual Result<std::vector<Organization>> ListOrganizations() = 0;

  // Users. The organization must exist (NotFound); names are unique (AlreadyExists).
  virtual Status CreateUser(const User& user) = 0;
  virtual Result<User> GetUser(std::string_view name) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Status SetPassword(std::string_view name, std::string_view password_hash) = 0;

  // Collections. The owner must exist; id and alias are unique.
  virtual Status CreateCollection(const Collection& collection) = 0;
  virtual Result<Collection> GetCollection(std::string_view id_or_alias) = 0;
  // In a stable order (creation order).
  virtual Result<std::vector<Collection>> ListCollections() = 0;

  // Per user and collection; both must exist. A missing grant reads as {false, false}.
  virtual Status SetGrant(std::string_view user, std::string_view collection_id, Grant grant) = 0;
  virtual Result<Grant> GetGrant(std::string_view user, std::string_view collection_id) = 0;

  // Stores each object version into the collection in ONE durable transaction: when this
  // returns, every kAdded row survives a crash; when it fails (Internal), none was stored. The
  // outcome vector matches `objects` index for index. `now_us` seeds date_added minting. A newer
  // version of an object whose stored version is revoked is refused (STIX §3.6).
  virtual Result<std::vector<PutOutcome>> PutObjects(std::string_view collection_id,
                                                     std::span<const stix::StixObject> objects,
                                                     int64_t now_us,
                                                     const PutOptions& options = {}) = 0;
  // The value last written for a checkpoint key; NotFound when none.
  virtual Result<std::string> GetCheckpoint(std::string_view key) = 0;
  // Writes a checkpoint on its own (e.g. a cursor that advanced over a page with no new object).
  virtual Status SetCheckpoint(std::string_view key, std::string_view value) = 0;

  // One page of a collection's object versions in ascending date_added order, filtered before
  // the limit by the query and by `visible`.
  virtual Result<Page> QueryObjects(const ObjectQuery& query, const RowFilter& visible) = 0;
  // The same page as QueryObjects (same rows, same order, same filtering before the limit),
  // handed to `visit` row by row as it is read instead of collected, so a caller that only
  // serializes the rows (the TAXII envelope) copies each JSON once and allocates nothing per
  // row. Returns Page::more. `visible` and `visit` may call the store (from the same thread).
  // On an error the visitor may already have seen some rows of the page: discard them.
  virtual Result<bool> ScanObjects(const ObjectQuery& query, const RowFilter& visible,
                                   const RowVisitor& visit) = 0;

  // Removes the matching versions of one object; returns how many were removed (0 = none).
  virtual Result<int> DeleteObject(std::string_view collection_id, std::string_view id,
                                   const VersionMatch& versions) = 0;

  // Deletions recorded after `after_seq` (0 = from the start), oldest first, at most `limit`.
  virtual Result<std::vector<DeletionRow>> QueryDeletions(std::string_view collection_id,
                                                          int64_t after_seq, size_t limit) = 0;

  // Every stored marking-definition version (all collections, every path that stored it), with
  // its collection's owner, ordered by collection creation then date_added. Cheap whatever the
  // number of other objects (engines index marking definitions apart). Reads the latest
  // committed state, also inside a BeginRead scope (it feeds a cache versioned by the policy
  // generation, which is read outside any scope). Internal on a store failure. Every insert or delete of a marking-definition version also bumps the policy
  // generation (store/sqlite_agreements.h, Generation) in the same transaction, so a cached
  // registry built from this list can tell it is stale.
  virtual Result<std::vector<MarkingDefinitionRow>> ListMarkingDefinitions() = 0;

  // Status resources.
  virtual Status PutStatus(const StatusRecord& status) = 0;
  virtual Result<StatusRecord> GetStatus(std::string_view id) = 0;
};

}  // namespace tabadul::store
