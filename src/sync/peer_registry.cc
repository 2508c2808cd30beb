#include "sync/peer_registry.h"

#include <sys/stat.h>

#include <cctype>
#include <set>

#include "stix/tlp.h"

namespace tabadul::sync {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS sync_peers (
  name TEXT PRIMARY KEY, url TEXT NOT NULL, api_root TEXT NOT NULL, org_id TEXT NOT NULL,
  auth_kind TEXT NOT NULL, auth_user TEXT NOT NULL, secret TEXT NOT NULL, ca_file TEXT NOT NULL,
  created_us INTEGER NOT NULL, default_tlp TEXT NOT NULL DEFAULT 'amber',
  may_forward INTEGER NOT NULL DEFAULT 0, forward_max_tlp TEXT NOT NULL DEFAULT 'green');
CREATE TABLE IF NOT EXISTS sync_subscriptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, peer TEXT NOT NULL, direction TEXT NOT NULL,
  remote_collection TEXT NOT NULL, local_collection TEXT NOT NULL, created_us INTEGER NOT NULL,
  UNIQUE (peer, direction, remote_collection, local_collection));
CREATE TABLE IF NOT EXISTS sync_status (
  subscription_id INTEGER PRIMARY KEY, last_run_us INTEGER NOT NULL,
  last_success_us INTEGER NOT NULL, last_error TEXT NOT NULL,
  consecutive_errors INTEGER NOT NULL, objects_total INTEGER NOT NULL,
  deletions_total INTEGER NOT NULL, repaired_total INTEGER NOT NULL, cursor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_pushed (
  subscription_id INTEGER NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL,
  PRIMARY KEY (subscription_id, id, version)) WITHOUT ROWID;
)sql";

// The exchange-term columns, added to tables created before them (with the defaults every
// existing peer then gets: AMBER on arrival, nothing forwarded).
constexpr std::pair<const char*, const char*> kTermColumns[] = {
    {"default_tlp", "TEXT NOT NULL DEFAULT 'amber'"},
    {"may_forward", "INTEGER NOT NULL DEFAULT 0"},
    {"forward_max_tlp", "TEXT NOT NULL DEFAULT 'green'"},
};

Status AddMissingTermColumns(store::Database& db) {
  TABADUL_ASSIGN_OR_RETURN(auto info, db.Prepare("PRAGMA table_info(sync_peers)"));
  std::set<std::string> have;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, info.Step());
    if (!row) break;
    have.insert(info.Text(1));
  }
  for (const auto& [column, type] : kTermColumns) {
    if (have.count(column)) continue;
    TABADUL_RETURN_IF_ERROR(db.Exec(std::string("ALTER TABLE sync_peers ADD COLUMN ") + column +
                                    " " + type));
  }
  return Status::Ok();
}

// BEGIN IMMEDIATE ... COMMIT around `body`; rolls back on any failure.
template <typename F>
Status InTransaction(store::Database& db, F&& body) {
  TABADUL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status s = body();
  Status end = db.Exec(s.ok() ? "COMMIT" : "ROLLBACK");
  return s.ok() ? end : s;
}

std::string_view KindName(Credentials::Kind k) {
  switch (k) {
    case Credentials::Kind::kBasic: return "basic";
    case Credentials::Kind::kToken: return "token";
    default: return "none";
  }
}

Credentials::Kind ParseKind(std::string_view s) {
  if (s == "basic") return Credentials::Kind::kBasic;
  if (s == "token") return Credentials::Kind::kToken;
  return Credentials::Kind::kNone;
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

Peer ReadPeer(store::Statement& st) {
  Peer p;
  p.name = st.Text(0);
  p.url = st.Text(1);
  p.api_root = st.Text(2);
  p.org_id = st.Text(3);
  p.credentials.kind = ParseKind(st.TextView(4));
  p.credentials.user = st.Text(5);
  p.credentials.secret = st.Text(6);
  p.ca_file = st.Text(7);
  p.created_us = st.Int(8);
  p.default_tlp = st.Text(9);
  p.may_forward = st.Int(10) != 0;
  p.forward_max_tlp = st.Text(11);
  return p;
}

constexpr char kPeerColumns[] =
    "SELECT name, url, api_root, org_id, auth_kind, auth_user, secret, ca_file, created_us, "
    "default_tlp, may_forward, forward_max_tlp FROM sync_peers";

Subscription ReadSubscription(store::Statement& st) {
  Subscription s;
  s.id = st.Int(0);
  s.peer = st.Text(1);
  s.direction = ParseDirection(st.TextView(2)).value_or(Direction::kPull);
  s.remote_collection = st.Text(3);
  s.local_collection = st.Text(4);
  s.created_us = st.Int(5);
  return s;
}

}  // namespace

std::string_view DirectionName(Direction d) { return d == Direction::kPull ? "pull" : "push"; }

std::optional<Direction> ParseDirection(std::string_view name) {
  if (name == "pull") return Direction::kPull;
  if (name == "push") return Direction::kPush;
  return std::nullopt;
}

Result<std::string> NormalizeTermTlp(std::string_view field, std::string_view level) {
  auto t = stix::ParseTlpName(level);
  if (!t) {
    return InvalidArgument(std::string(field) + ": '" + std::string(level) +
                           "' is not a TLP level (clear, green, amber, amber+strict, red)");
  }
  std::string name(stix::TlpName(*t));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string CheckpointKey(int64_t subscription_id, std::string_view part) {
  return "sync/" + std::to_string(subscription_id) + "/" + std::string(part);
}

Result<std::unique_ptr<PeerRegistry>> PeerRegistry::Open(const std::string& db_path) {
  TABADUL_ASSIGN_OR_RETURN(auto db, store::Database::Open(db_path));
  TABADUL_RETURN_IF_ERROR(db->Exec(kSchema));
  TABADUL_RETURN_IF_ERROR(AddMissingTermColumns(*db));
  TABADUL_RETURN_IF_ERROR(db->Exec(store::kPolicyMetaSchema));
  ::chmod(db_path.c_str(), 0600);  // the file holds peer secrets
  return std::unique_ptr<PeerRegistry>(new PeerRegistry(std::move(db)));
}

Status PeerRegistry::AddPeer(const Peer& peer) {
  if (!ValidName(peer.name)) {
    return InvalidArgument("peer name '" + peer.name + "' must be 1-64 of [A-Za-z0-9._-]");
  }
  if (peer.url.rfind("http://", 0) != 0 && peer.url.rfind("https://", 0) != 0) {
    return InvalidArgument("peer url must start with http:// or https://");
  }
  if (!peer.api_root.empty() && (peer.api_root.front() != '/' || peer.api_root.back() != '/')) {
    return InvalidArgument("api root must start and end with '/'");
  }
  if (peer.credentials.kind == Credentials::Kind::kBasic && peer.credentials.user.empty()) {
    return InvalidArgument("basic authentication needs a user");
  }
  TABADUL_ASSIGN_OR_RETURN(std::string default_tlp,
                           NormalizeTermTlp("default_tlp", peer.default_tlp));
  TABADUL_ASSIGN_OR_RETURN(std::string forward_max_tlp,
                           NormalizeTermTlp("forward_max_tlp", peer.forward_max_tlp));
  std::lock_guard lock(mu_);
  return InTransaction(*db_, [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO sync_peers (name, url, api_root, org_id, auth_kind, auth_user, secret, "
        "ca_file, created_us, default_tlp, may_forward, forward_max_tlp) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    st.Bind(1, peer.name).Bind(2, peer.url).Bind(3, peer.api_root).Bind(4, peer.org_id);
    st.Bind(5, KindName(peer.credentials.kind)).Bind(6, peer.credentials.user);
    st.Bind(7, peer.credentials.secret).Bind(8, peer.ca_file).Bind(9, peer.created_us);
    st.Bind(10, default_tlp).Bind(11, int64_t{peer.may_forward ? 1 : 0});
    st.Bind(12, forward_max_tlp);
    Status s = st.Run();
    if (s.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("a peer named '" + peer.name + "' exists");
    }
    TABADUL_RETURN_IF_ERROR(s);
    return store::BumpPolicyGeneration(*db_);
  });
}

Status PeerRegistry::ChangeTerms(const std::string& name, const PeerTermsChange& change) {
  std::optional<std::string> default_tlp, forward_max_tlp;
  if (change.default_tlp) {
    TABADUL_ASSIGN_OR_RETURN(default_tlp, NormalizeTermTlp("default_tlp", *change.default_tlp));
  }
  if (change.forward_max_tlp) {
    TABADUL_ASSIGN_OR_RETURN(forward_max_tlp,
                             NormalizeTermTlp("forward_max_tlp", *change.forward_max_tlp));
  }
  std::lock_guard lock(mu_);
  return InTransaction(*db_, [&]() -> Status {
    // NULL keeps a column as it is.
    TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "UPDATE sync_peers SET default_tlp = COALESCE(?1, default_tlp), "
        "may_forward = COALESCE(?2, may_forward), "
        "forward_max_tlp = COALESCE(?3, forward_max_tlp) WHERE name = ?4"));
    if (default_tlp) st.Bind(1, *default_tlp); else st.BindNull(1);
    if (change.may_forward) st.Bind(2, int64_t{*change.may_forward ? 1 : 0}); else st.BindNull(2);
    if (forward_max_tlp) st.Bind(3, *forward_max_tlp); else st.BindNull(3);
    st.Bind(4, name);
    TABADUL_RETURN_IF_ERROR(st.Run());
    if (db_->Changes() == 0) return NotFound("no peer named '" + name + "'");
    return store::BumpPolicyGeneration(*db_);
  });
}

Status PeerRegistry::RemovePeer(const std::string& name) {
  std::lock_guard lock(mu_);
  return InTransaction(*db_, [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto del, db_->Prepare("DELETE FROM sync_peers WHERE name = ?"));
    TABADUL_RETURN_IF_ERROR(del.Bind(1, name).Run());
    if (db_->Changes() == 0) return NotFound("no peer named '" + name + "'");
    TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "DELETE FROM sync_status WHERE subscription_id IN "
        "(SELECT id FROM sync_subscriptions WHERE peer = ?)"));
    TABADUL_RETURN_IF_ERROR(st.Bind(1, name).Run());
    TABADUL_ASSIGN_OR_RETURN(auto subs,
                             db_->Prepare("DELETE FROM sync_subscriptions WHERE peer = ?"));
    TABADUL_RETURN_IF_ERROR(subs.Bind(1, name).Run());
    return store::BumpPolicyGeneration(*db_);
  });
}

Result<Peer> PeerRegistry::GetPeer(const std::string& name) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(std::string(kPeerColumns) + " WHERE name = ?"));
  st.Bind(1, name);
  TABADUL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("no peer named '" + name + "'");
  return ReadPeer(st);
}

Result<std::vector<Peer>> PeerRegistry::ListPeers() {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(std::string(kPeerColumns) + " ORDER BY name"));
  std::vector<Peer> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadPeer(st));
  }
  return out;
}

Result<Subscription> PeerRegistry::AddSubscription(Subscription s) {
  if (s.remote_collection.empty() || s.local_collection.empty()) {
    return InvalidArgument("a subscription needs a remote and a local collection");
  }
  {
    auto peer = GetPeer(s.peer);
    if (!peer.ok()) return peer.status();
  }
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "INSERT INTO sync_subscriptions (peer, direction, remote_collection, local_collection, "
      "created_us) VALUES (?, ?, ?, ?, ?)"));
  st.Bind(1, s.peer).Bind(2, DirectionName(s.direction)).Bind(3, s.remote_collection);
  st.Bind(4, s.local_collection).Bind(5, s.created_us);
  Status r = st.Run();
  if (r.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("this subscription exists already");
  }
  TABADUL_RETURN_IF_ERROR(r);
  s.id = sqlite3_last_insert_rowid(db_->raw());
  return s;
}

Status PeerRegistry::RemoveSubscription(int64_t id) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare("DELETE FROM sync_subscriptions WHERE id = ?"));
  TABADUL_RETURN_IF_ERROR(st.Bind(1, id).Run());
  if (db_->Changes() == 0) return NotFound("no subscription " + std::to_string(id));
  TABADUL_ASSIGN_OR_RETURN(auto del,
                           db_->Prepare("DELETE FROM sync_status WHERE subscription_id = ?"));
  return del.Bind(1, id).Run();
}

Result<std::vector<Subscription>> PeerRegistry::ListSubscriptions(const std::string& peer) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "SELECT id, peer, direction, remote_collection, local_collection, created_us "
      "FROM sync_subscriptions WHERE ? = '' OR peer = ? ORDER BY id"));
  st.Bind(1, peer).Bind(2, peer);
  std::vector<Subscription> out;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadSubscription(st));
  }
  return out;
}

Status PeerRegistry::RecordPushed(
    int64_t subscription_id, const std::vector<std::pair<std::string, std::string>>& rows) {
  std::lock_guard lock(mu_);
  TABADUL_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  auto run = [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto st, db_->Cached(
        "INSERT OR IGNORE INTO sync_pushed (subscription_id, id, version) VALUES (?, ?, ?)"));
    for (const auto& [id, version] : rows) {
      st->Bind(1, subscription_id).Bind(2, id).Bind(3, version);
      TABADUL_RETURN_IF_ERROR(st->Run());
      st->Reset();
    }
    return Status::Ok();
  };
  Status s = run();
  Status end = db_->Exec(s.ok() ? "COMMIT" : "ROLLBACK");
  return s.ok() ? end : s;
}

Result<bool> PeerRegistry::TakePushed(int64_t subscription_id, const std::string& id,
                                      const std::string& version) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "DELETE FROM sync_pushed WHERE subscription_id = ? AND id = ? AND version = ?"));
  TABADUL_RETURN_IF_ERROR(st.Bind(1, subscription_id).Bind(2, id).Bind(3, version).Run());
  return db_->Changes() > 0;
}

Status PeerRegistry::PutStatus(const SyncStatus& s) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "INSERT OR REPLACE INTO sync_status VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st.Bind(1, s.subscription_id).Bind(2, s.last_run_us).Bind(3, s.last_success_us);
  st.Bind(4, s.last_error).Bind(5, s.consecutive_errors).Bind(6, s.objects_total);
  st.Bind(7, s.deletions_total).Bind(8, s.repaired_total).Bind(9, s.cursor);
  return st.Run();
}

Result<SyncStatus> PeerRegistry::GetStatus(int64_t subscription_id) {
  std::lock_guard lock(mu_);
  TABADUL_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "SELECT last_run_us, last_success_us, last_error, consecutive_errors, objects_total, "
      "deletions_total, repaired_total, cursor FROM sync_status WHERE subscription_id = ?"));
  st.Bind(1, subscription_id);
  SyncStatus s;
  s.subscription_id = subscription_id;
  TABADUL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return s;
  s.last_run_us = st.Int(0);
  s.last_success_us = st.Int(1);
  s.last_error = st.Text(2);
  s.consecutive_errors = st.Int(3);
  s.objects_total = st.Int(4);
  s.deletions_total = st.Int(5);
  s.repaired_total = st.Int(6);
  s.cursor = st.Text(7);
  return s;
}

}  // namespace tabadul::sync
