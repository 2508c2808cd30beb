// Peers, subscriptions and per-subscription sync status, kept in the store's SQLite file
// (tables sync_peers, sync_subscriptions, sync_status) next to the store's own tables. Only this
// file knows their SQL. Cursors are NOT here: they are store checkpoints, written in the same
// transaction as the objects they cover (see docs/design/sync.md).
//
// Secrets: a peer's password or token must be usable by this instance, so it cannot be hashed;
// it is stored in sync_peers.secret, in the database file, which the data folder's permissions
// protect (the lead's `serve` creates it 0600; Open() tightens the file to 0600 too). List/Get
// never return the secret to API callers unless asked (`with_secret`).
//
// Exchange terms: what a peer's organization agreed for what this instance pulls from it —
// the TLP given on arrival to a pulled object that carries none (`default_tlp`), whether it may be
// passed on to third organizations (`may_forward`) and up to which TLP (`forward_max_tlp`). The
// visibility rule reads them (sync/origin_terms.h); every change to a peer's terms, and adding or
// removing a peer, bumps the policy generation in the same transaction, so running engines
// reload (store/sqlite.h, kPolicyMetaSchema).
//
// Thread-safety: every method may be called from any thread (one connection, serialized).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sqlite.h"
#include "sync/taxii_client.h"

namespace tabadul::sync {

struct Peer {
  std::string name;     // unique, [A-Za-z0-9._-]{1,64}; also the `origin` of pulled objects
  std::string url;      // "https://host:port" (the server; discovery is at /taxii2/)
  std::string api_root; // "/api/"; empty = discover the default root at each run
  std::string org_id;   // the remote organization as known in THIS instance (policy decides)
  Credentials credentials;
  std::string ca_file;  // trusted CAs for https; empty = system store
  int64_t created_us = 0;
  // Exchange terms (see above). TLP levels as lower-case names: clear, green, amber,
  // amber+strict, red ("white" and a "TLP:" prefix are accepted and normalized).
  std::string default_tlp = "amber";      // given on arrival to pulled objects without a TLP
  bool may_forward = false;               // may pulled objects go on to third organizations
  std::string forward_max_tlp = "green";  // the highest TLP that may go on (when may_forward)
};

// A change to some of a peer's terms; unset fields stay as they are.
struct PeerTermsChange {
  std::optional<std::string> default_tlp;
  std::optional<bool> may_forward;
  std::optional<std::string> forward_max_tlp;
};

enum class Direction { kPull, kPush };
std::string_view DirectionName(Direction d);
std::optional<Direction> ParseDirection(std::string_view name);

struct Subscription {
  int64_t id = 0;  // assigned by AddSubscription
  std::string peer;
  Direction direction = Direction::kPull;
  std::string remote_collection;  // the remote collection id
  std::string local_collection;   // the local collection id
  int64_t created_us = 0;
};

// What the last runs of one subscription did.
struct SyncStatus {
  int64_t subscription_id = 0;
  int64_t last_run_us = 0;
  int64_t last_success_us = 0;  // 0 = never
  std::string last_error;       // empty after a success
  int64_t consecutive_errors = 0;
  int64_t objects_total = 0;    // versions stored (pull) or confirmed by the remote (push)
  int64_t deletions_total = 0;  // deletions applied (pull repair) or sent (push)
  int64_t repaired_total = 0;   // versions fetched or removed by manifest comparison
  std::string cursor;           // the checkpoint value after the last run (for display)
};

class PeerRegistry {
 public:
  // Opens the tables in the SQLite file at `db_path` (creating them). Internal on I/O failure.
  static Result<std::unique_ptr<PeerRegistry>> Open(const std::string& db_path);

  // InvalidArgument for a bad name/url/credential kind or term (naming the field);
  // AlreadyExists for a taken name. Bumps the policy generation.
  Status AddPeer(const Peer& peer);
  // Changes the given terms of a peer, in one transaction with a bump of the policy generation.
  // NotFound when absent; InvalidArgument naming the field for a bad level (nothing changed).
  Status ChangeTerms(const std::string& name, const PeerTermsChange& change);
  // NotFound when absent. Removes the peer's subscriptions and their status (cursors stay in
  // the checkpoint table under keys nobody will reuse, since subscription ids are not reused).
  // Bumps the policy generation: what was pulled from it may then go on to no one.
  Status RemovePeer(const std::string& name);
  Result<Peer> GetPeer(const std::string& name);
  Result<std::vector<Peer>> ListPeers();

  // The peer must exist (NotFound); a duplicate mapping is AlreadyExists. Sets `id`.
  Result<Subscription> AddSubscription(Subscription subscription);
  Status RemoveSubscription(int64_t id);
  // All subscriptions (of `peer` when not empty), by id.
  Result<std::vector<Subscription>> ListSubscriptions(const std::string& peer = "");

  // Remembers which versions a push subscription delivered, so that only deletions of those
  // are ever sent to the remote (a DELETE for anything else would reveal its id).
  Status RecordPushed(int64_t subscription_id,
                      const std::vector<std::pair<std::string, std::string>>& id_versions);
  // True (and forgets it) when (id, version) was recorded for the subscription.
  Result<bool> TakePushed(int64_t subscription_id, const std::string& id,
                          const std::string& version);

  Status PutStatus(const SyncStatus& status);
  // A zeroed status (with the id) when the subscription never ran.
  Result<SyncStatus> GetStatus(int64_t subscription_id);

 private:
  explicit PeerRegistry(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<store::Database> db_;  // guarded by mu_
};

// A TLP level as a peer term: its normalized name ("clear", ..., "red"); InvalidArgument naming
// `field` when it is not a level.
Result<std::string> NormalizeTermTlp(std::string_view field, std::string_view level);

// The checkpoint key of a subscription's cursor; `part` is "pull", "push" or "push-deletions".
std::string CheckpointKey(int64_t subscription_id, std::string_view part);

}  // namespace tabadul::sync
