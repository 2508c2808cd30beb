// policy::Engine: the visibility rule (visibility.h) bound to live data. It owns nothing but
// caches: the agreements in force, every provider's marking definitions and the origins'
// exchange terms (one immutable snapshot, swapped on change), and the granular marking refs of
// object versions (immutable, so cached forever).
//
// Freshness: the snapshot is rebuilt from the store — agreements from the agreement tables,
// marking definitions from the stored marking-definition objects themselves (whatever path
// stored them: TAXII, import, sync, ingest), origin terms from the injected loader — whenever
// the policy generation changes. Every agreement change, every insert or delete of a
// marking-definition object and every change of a peer's terms bumps it in the same
// transaction, in any process. A change made through this process's AgreementService reloads at
// once; any other change is seen by the next row judge made (ReadFilter, Decider: one generation
// query per page), and by the other calls within `reload_check_interval_us`. A ref to a
// definition not yet seen means RED.
// Validity windows are evaluated per request against the injected clock, so an agreement that
// ends or starts applies from that instant on without any reload.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "policy/origin_terms.h"
#include "policy/visibility.h"
#include "store/sqlite_agreements.h"
#include "store/store.h"

namespace tabadul::policy {

struct EngineOptions {
  // Admins of this organization are hub admins (admin API over every agreement). Empty = none.
  std::string hub_org_id;
  // How often (at most) a request checks whether another process changed the policy; 0 = always.
  int64_t reload_check_interval_us = 1'000'000;
  // The identity that replaces the provider's created_by_ref when attribution must not be kept.
  std::string anonymous_identity_id = "identity--00000000-0000-4000-8000-000000000000";
  // The exchange terms of what was pulled from peers (origin_terms.h), read at every reload;
  // e.g. sync::OriginTermsLoader(registry). Unset: nothing pulled goes on to anyone but the
  // local collection's owner.
  OriginTermsLoader origin_terms;
};

// One consistent view of the policy.
struct PolicySnapshot : PolicyTables {
  int64_t generation = -1;
  // Stored marking definitions that could not be read (each counts as RED; markings.h).
  int64_t unreadable_markings = 0;
};

class Engine {
 public:
  // `store`, `agreements` and `clock` must outlive the engine. Call Reload() once before use
  // (the factory functions do); until then nothing is shared with anyone but providers.
  Engine(store::Store& store, store::SqliteAgreementStore& agreements, const Clock& clock,
         EngineOptions options = {});

  // Rebuilds the snapshot from the store and the origin terms loader. Internal on a store
  // failure, the loader's error when it fails (the old snapshot stays in both cases). Stored
  // agreements that no longer parse are skipped (and counted in skipped_agreements()).
  Status Reload();
  // The current snapshot, refreshed first when the store says it is stale (asked at most every
  // reload_check_interval_us, or now with `check_now`). Never null. ReadFilter and Decider
  // check now: a judge for a page is built on the policy as committed when the judge is made,
  // so a stricter definition another process stored is honoured from the next page on, not a
  // second later (the entry-path property test found that window).
  std::shared_ptr<const PolicySnapshot> Snapshot(bool check_now = false);

  // What a principal may do with a collection (the ApiHooks.access contract): the stored grant
  // when the principal's organization owns the collection; read-only when an agreement from the
  // owner to the principal's organization is valid now and covers it; else nothing (invisible).
  Result<store::Grant> Access(const auth::Principal& principal, const store::Collection& c);

  // A row filter applying the rule for this principal and collection (evaluated before the
  // limit). The filter holds its own snapshot, so it stays consistent for the whole page.
  // Each row it passes gets row.disclosed_under = the Decision's agreement ("name@vN"), each
  // row it refuses gets it cleared; null (every row visible, no agreement) for the provider.
  store::RowFilter ReadFilter(const auth::Principal& principal, bool over_tls,
                              const store::Collection& c);

  // Replaces created_by_ref (in row.json and row.created_by_ref) by the anonymous identity
  // when the decision for this recipient says so. No-op for the provider.
  void Rewrite(const auth::Principal& principal, bool over_tls, const store::Collection& c,
               store::ObjectRow& row);

  // The rule prepared for one (recipient, collection) pair: a function deciding rows, holding
  // its own snapshot so that a page is decided consistently. Thread-safe; valid for the engine's
  // lifetime. policy::Gate builds every judge on it.
  std::function<Decision(const store::ObjectRow&)> Decider(std::string_view org_id, bool over_tls,
                                                           const store::Collection& c);

  // The full decision for one row (used by export/matching to consult permitted actions).
  // Its `agreement` views text the engine keeps for its own lifetime (see ref_pool_).
  Decision Decide(std::string_view org_id, bool over_tls, const store::Collection& c,
                  const store::ObjectRow& row);

  bool IsHubAdmin(const auth::Principal& p) const {
    return !options_.hub_org_id.empty() && p.org_id == options_.hub_org_id &&
           p.role == store::Role::kAdmin;
  }
  int64_t NowMicros() const { return clock_.NowMicros(); }
  store::Store& store() { return store_; }
  store::SqliteAgreementStore& agreement_store() { return agreements_; }
  const EngineOptions& options() const { return options_; }
  int64_t skipped_agreements() const;

 private:
  // Granular marking refs of a row (empty when it has none). Loads the JSON once per version.
  std::vector<std::string> GranularRefs(const store::ObjectRow& row);
  Decision DecideWith(const PolicySnapshot& s, const VisibilityCheck& check,
                      const store::ObjectRow& row);

  store::Store& store_;
  store::SqliteAgreementStore& agreements_;
  const Clock& clock_;
  const EngineOptions options_;

  mutable std::mutex mu_;
  std::shared_ptr<const PolicySnapshot> snapshot_;  // guarded by mu_
  int64_t last_check_us_ = 0;                       // guarded by mu_
  int64_t skipped_ = 0;                             // guarded by mu_

  // "name@vN" of every agreement version any snapshot has held, never freed, so that the
  // Decision::agreement / ObjectRow::disclosed_under views handed out stay valid for the
  // engine's lifetime whatever reloads happen meanwhile. Grows with the number of agreement
  // versions ever stored (a handful per change an operator makes), not with traffic.
  std::string_view InternRef(const store::AgreementVersion& v);
  std::mutex pool_mu_;
  std::set<std::string, std::less<>> ref_pool_;  // guarded by pool_mu_

  std::mutex granular_mu_;
  std::unordered_map<std::string, std::vector<std::string>> granular_;  // guarded by granular_mu_
};

}  // namespace tabadul::policy
