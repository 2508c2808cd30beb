// One run of one subscription: pull (remote collection -> local), push (local -> remote), and
// the manifest comparison that repairs a pulled collection. The cursor rules that make a run
// resumable with exactly-once effect are explained in docs/design/sync.md; in short:
//   pull  the cursor is the remote's X-TAXII-Date-Added-Last of the last page stored, and it is
//         committed in the SAME store transaction as that page's objects (PutOptions);
//   push  the cursor is the local date_added of the last row sent, written only after the
//         remote's status resource reports the POST complete; re-sending is harmless because a
//         version the remote holds is a duplicate, not a second copy.
//
// Thread-safety: a Replicator may be shared; each call uses only its arguments and the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "gate/gate.h"
#include "intake/pipeline.h"
#include "store/store.h"
#include "sync/peer_registry.h"
#include "sync/taxii_client.h"

namespace tabadul::sync {

// What a push goes through: the gate judges each row for the peer's organization (use push)
// and rewrites what passes; the sink records the delivery before it is sent (a failed record
// stops the push). Either null = nothing is pushed: there is no ungated default. Both must
// outlive the replicator.
struct SyncHooks {
  gate::AccessGate* gate = nullptr;
  gate::DisclosureSink* sink = nullptr;
};

struct ReplicatorOptions {
  size_t page_size = 1000;  // rows per request (the remote may cap it lower)
  std::chrono::milliseconds status_wait{60000};  // how long a push waits for "complete"
};

// What one run did (also partially filled when the run fails midway).
struct RunReport {
  int64_t pages = 0;
  int64_t stored = 0;      // pull: new versions stored locally
  int64_t duplicates = 0;  // pull: versions already held
  int64_t refused = 0;     // pull: invalid or refused locally; push: failures in the status
  int64_t pushed = 0;      // push: versions the remote confirmed
  int64_t deletions = 0;   // push: deletions sent
  int64_t repair_fetched = 0;  // repair: versions fetched that were missing locally
  int64_t repair_removed = 0;  // repair: local versions the remote no longer holds
  std::vector<std::string> warnings;  // the first few refusals and cursor decisions
  std::string cursor;                 // the checkpoint after the run
};

// Called after each page (for progress display). May be null.
using Progress = std::function<void(const Subscription&, const RunReport&)>;

class Replicator {
 public:
  // `store`, `registry` and `clock` must outlive the replicator.
  // Pulled pages are written through `pipeline` (validated, marked, indexed like any write).
  Replicator(store::Store& store, intake::Pipeline& pipeline, PeerRegistry& registry,
             const Clock& clock, SyncHooks hooks, ReplicatorOptions options = {});

  // Pulls every version added to the remote collection after the cursor. On failure the
  // cursor stays at the last committed page (nothing half-applied) and `report` says what was
  // done before it.
  Status Pull(const Peer& peer, const Subscription& sub, TaxiiClient& client,
              const std::string& api_root, RunReport& report, const Progress& progress = {});
  // Pushes versions added locally after the cursor that the push filter allows, then the
  // deletions of versions this subscription delivered.
  Status Push(const Peer& peer, const Subscription& sub, TaxiiClient& client,
              const std::string& api_root, RunReport& report, const Progress& progress = {});
  // Compares the remote manifest (all versions) with the local collection: fetches what is
  // missing and removes versions pulled from this peer that the remote no longer has
  // (deletions). Only for pull subscriptions.
  Status Repair(const Peer& peer, const Subscription& sub, TaxiiClient& client,
                const std::string& api_root, RunReport& report);

 private:
  Status StorePage(const Peer& peer, const Subscription& sub, std::string_view body,
                   const std::string& checkpoint, RunReport& report, bool* more,
                   std::string* next, size_t* count);
  Status PushDeletions(const Subscription& sub, TaxiiClient& client, const std::string& api_root,
                       RunReport& report);

  store::Store& store_;
  intake::Pipeline& pipeline_;
  PeerRegistry& registry_;
  const Clock& clock_;
  SyncHooks hooks_;
  ReplicatorOptions options_;
};

}  // namespace tabadul::sync
