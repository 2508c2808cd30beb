// The sync service the server and the CLI own: runs subscriptions (all, or one peer's), keeps
// their status, and a Scheduler that runs them every N seconds on its own thread.
//
// Thread-safety: every method may be called from any thread; runs are serialized (one run at a
// time per service), so a scheduled run and an admin-triggered one never overlap.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"
#include "sync/peer_registry.h"
#include "sync/replicator.h"
#include "sync/taxii_client.h"

namespace tabadul::sync {

struct ServiceOptions {
  ReplicatorOptions replicator;
  // Transport settings for every peer (credentials and CA file come from the peer record).
  ClientOptions client;
};

struct SubscriptionOutcome {
  Subscription subscription;
  Status status;
  RunReport report;
};

struct SubscriptionState {
  Subscription subscription;
  SyncStatus status;
  int64_t lag_us = 0;  // now - last success (0 when it never succeeded)
};

class SyncService {
 public:
  // `store`, `pipeline` (writing into `store`), `registry` and `clock` must outlive the
  // service. Pulls are written through `pipeline`; pushes pass hooks.gate and hooks.sink (none: no push).
  SyncService(store::Store& store, intake::Pipeline& pipeline, PeerRegistry& registry,
              const Clock& clock, SyncHooks hooks = {}, ServiceOptions options = {});

  // Runs every subscription (of `peer` when not empty), pulls and pushes, each independently:
  // one failing peer does not stop the others. With `repair`, pull subscriptions then compare
  // manifests. NotFound when `peer` is given and unknown.
  Result<std::vector<SubscriptionOutcome>> Run(const std::string& peer = "", bool repair = false,
                                               const Progress& progress = {});

  // Registers a peer (created_us set from the clock); see PeerRegistry::AddPeer for errors.
  Status AddPeer(Peer peer);
  // Registers a subscription after resolving the local collection (id or alias; NotFound when
  // it does not exist). Returns it with its id.
  Result<Subscription> Subscribe(Subscription subscription);

  // Every subscription with its status.
  Result<std::vector<SubscriptionState>> States();

  PeerRegistry& registry() { return registry_; }

 private:
  SubscriptionOutcome RunOne(const Peer& peer, const Subscription& sub, bool repair,
                             const Progress& progress);

  store::Store& store_;
  PeerRegistry& registry_;
  const Clock& clock_;
  ServiceOptions options_;
  Replicator replicator_;
  std::mutex run_mu_;  // held for a whole run
};

// Runs SyncService::Run every `interval` on its own thread (the first run at once), with a
// manifest repair every `repair_every` runs (0 = never).
class Scheduler {
 public:
  Scheduler(SyncService& service, std::chrono::milliseconds interval, int repair_every = 10);
  ~Scheduler();  // Stop()
  // Starts the thread; a second Start() is a no-op.
  void Start();
  // Wakes the thread, waits for the current run to finish, joins. Idempotent.
  void Stop();
  // Number of completed runs (for tests and status).
  int64_t runs() const { return runs_.load(); }

 private:
  void Loop();
  SyncService& service_;
  const std::chrono::milliseconds interval_;
  const int repair_every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
  std::atomic<int64_t> runs_{0};
};

}  // namespace tabadul::sync
