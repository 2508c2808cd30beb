#include "sync/sync_service.h"

namespace tabadul::sync {

SyncService::SyncService(store::Store& store, intake::Pipeline& pipeline, PeerRegistry& registry,
                         const Clock& clock, SyncHooks hooks, ServiceOptions options)
    : store_(store), registry_(registry), clock_(clock), options_(std::move(options)),
      replicator_(store, pipeline, registry, clock, std::move(hooks), options_.replicator) {}

SubscriptionOutcome SyncService::RunOne(const Peer& peer, const Subscription& sub, bool repair,
                                        const Progress& progress) {
  SubscriptionOutcome out{sub, Status::Ok(), {}};
  ClientOptions copts = options_.client;
  copts.credentials = peer.credentials;
  copts.ca_file = peer.ca_file;
  auto run = [&]() -> Status {
    TABADUL_ASSIGN_OR_RETURN(auto client, TaxiiClient::Create(peer.url, copts));
    std::string root = peer.api_root;
    if (root.empty()) {
      TABADUL_ASSIGN_OR_RETURN(root, client->DefaultApiRoot());
    }
    if (sub.direction == Direction::kPull) {
      TABADUL_RETURN_IF_ERROR(replicator_.Pull(peer, sub, *client, root, out.report, progress));
      if (repair) TABADUL_RETURN_IF_ERROR(replicator_.Repair(peer, sub, *client, root, out.report));
      return Status::Ok();
    }
    return replicator_.Push(peer, sub, *client, root, out.report, progress);
  };
  out.status = run();

  auto previous = registry_.GetStatus(sub.id);
  SyncStatus st = previous.ok() ? *previous : SyncStatus{};
  st.subscription_id = sub.id;
  st.last_run_us = clock_.NowMicros();
  if (out.status.ok()) {
    st.last_success_us = st.last_run_us;
    st.last_error.clear();
    st.consecutive_errors = 0;
  } else {
    st.last_error = out.status.ToString();
    ++st.consecutive_errors;
  }
  st.objects_total += out.report.stored + out.report.pushed;
  st.deletions_total += out.report.deletions;
  st.repaired_total += out.report.repair_fetched + out.report.repair_removed;
  if (!out.report.cursor.empty()) st.cursor = out.report.cursor;
  Status put = registry_.PutStatus(st);
  if (out.status.ok() && !put.ok()) out.status = put;
  return out;
}

Result<std::vector<SubscriptionOutcome>> SyncService::Run(const std::string& peer, bool repair,
                                                          const Progress& progress) {
  std::lock_guard lock(run_mu_);
  if (!peer.empty()) {
    auto p = registry_.GetPeer(peer);
    if (!p.ok()) return p.status();
  }
  TABADUL_ASSIGN_OR_RETURN(auto subs, registry_.ListSubscriptions(peer));
  std::vector<SubscriptionOutcome> outcomes;
  for (const auto& sub : subs) {
    auto p = registry_.GetPeer(sub.peer);
    if (!p.ok()) {
      outcomes.push_back({sub, p.status(), {}});
      continue;
    }
    outcomes.push_back(RunOne(*p, sub, repair, progress));
  }
  return outcomes;
}

Status SyncService::AddPeer(Peer peer) {
  peer.created_us = clock_.NowMicros();
  return registry_.AddPeer(peer);
}

Result<Subscription> SyncService::Subscribe(Subscription subscription) {
  TABADUL_ASSIGN_OR_RETURN(store::Collection local,
                           store_.GetCollection(subscription.local_collection));
  subscription.local_collection = local.id;
  subscription.created_us = clock_.NowMicros();
  return registry_.AddSubscription(std::move(subscription));
}

Result<std::vector<SubscriptionState>> SyncService::States() {
  TABADUL_ASSIGN_OR_RETURN(auto subs, registry_.ListSubscriptions());
  std::vector<SubscriptionState> out;
  const int64_t now = clock_.NowMicros();
  for (const auto& sub : subs) {
    TABADUL_ASSIGN_OR_RETURN(SyncStatus st, registry_.GetStatus(sub.id));
    int64_t lag = st.last_success_us > 0 ? now - st.last_success_us : 0;
    out.push_back({sub, std::move(st), lag});
  }
  return out;
}

Scheduler::Scheduler(SyncService& service, std::chrono::milliseconds interval, int repair_every)
    : service_(service), interval_(interval), repair_every_(repair_every) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  int64_t n = 0;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    const bool repair = repair_every_ > 0 && n % repair_every_ == repair_every_ - 1;
    // Failures are recorded per subscription in the status table; the loop carries on.
    (void)service_.Run("", repair);
    ++n;
    ++runs_;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace tabadul::sync
