#include "policy/engine.h"

#include <boost/json.hpp>

namespace tabadul::policy {
namespace json = boost::json;
namespace {

constexpr size_t kGranularCacheLimit = 200'000;

std::string GranularKey(const store::ObjectRow& row) {
  return row.collection_id + '\n' + row.id + '\n' + std::to_string(row.version_ns);
}

std::vector<std::string> ParseGranularRefs(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  const json::value* list = v.as_object().if_contains("granular_markings");
  if (!list || !list->is_array()) return out;
  for (const auto& g : list->as_array()) {
    if (!g.is_object()) continue;
    const json::value* ref = g.as_object().if_contains("marking_ref");
    if (ref && ref->is_string()) out.emplace_back(ref->as_string());
  }
  return out;
}

}  // namespace

Engine::Engine(store::Store& store, store::SqliteAgreementStore& agreements, const Clock& clock,
               EngineOptions options)
    : store_(store), agreements_(agreements), clock_(clock), options_(std::move(options)),
      snapshot_(std::make_shared<PolicySnapshot>()) {}

Status Engine::Reload() {
  // Read the generation first: a change landing during the reload then triggers another.
  TABADUL_ASSIGN_OR_RETURN(int64_t generation, agreements_.Generation());
  TABADUL_ASSIGN_OR_RETURN(auto versions, agreements_.LatestAgreements());
  TABADUL_ASSIGN_OR_RETURN(auto markings, store_.ListMarkingDefinitions());
  std::vector<OriginTerms> origins;
  if (options_.origin_terms) {
    TABADUL_ASSIGN_OR_RETURN(origins, options_.origin_terms());
  }
  auto next = std::make_shared<PolicySnapshot>();
  int64_t skipped = 0;
  for (const auto& v : versions) {
    if (v.ended) continue;
    auto a = ParseAgreementJson(v.body);
    if (!a.ok()) {
      ++skipped;  // stored bodies are validated on the way in; this is a broken invariant at worst
      continue;
    }
    next->agreements.active.push_back(std::move(a).value());
    next->agreements.refs.push_back(InternRef(v));
  }
  next->agreements.Build();
  for (const auto& m : markings) {
    if (!next->markings.Add(MarkingScope(m.owner_org, m.origin), m.id, m.json).ok()) {
      ++next->unreadable_markings;
    }
  }
  for (auto& o : origins) next->origins.Add(std::move(o));
  next->generation = generation;
  std::lock_guard lock(mu_);
  snapshot_ = std::move(next);
  skipped_ = skipped;
  last_check_us_ = clock_.NowMicros();
  return Status::Ok();
}

std::string_view Engine::InternRef(const store::AgreementVersion& v) {
  std::string ref = v.name + "@v" + std::to_string(v.version);
  std::lock_guard lock(pool_mu_);
  return *ref_pool_.insert(std::move(ref)).first;
}

int64_t Engine::skipped_agreements() const {
  std::lock_guard lock(mu_);
  return skipped_;
}

std::shared_ptr<const PolicySnapshot> Engine::Snapshot(bool check_now) {
  const int64_t now = clock_.NowMicros();
  int64_t known = -1;
  {
    std::lock_guard lock(mu_);
    if (!check_now && options_.reload_check_interval_us > 0 &&
        now - last_check_us_ < options_.reload_check_interval_us && snapshot_->generation >= 0) {
      return snapshot_;
    }
    last_check_us_ = now;
    known = snapshot_->generation;
  }
  auto generation = agreements_.Generation();
  if (generation.ok() && *generation != known) (void)Reload();
  std::lock_guard lock(mu_);
  return snapshot_;
}

Result<store::Grant> Engine::Access(const auth::Principal& principal, const store::Collection& c) {
  if (principal.org_id == c.owner_org) return store_.GetGrant(principal.user, c.id);
  auto snapshot = Snapshot();
  VisibilityCheck check(*snapshot, Viewer{principal.org_id, clock_.NowMicros(), false}, c);
  return store::Grant{check.CollectionVisible(), false};
}

Decision Engine::DecideWith(const PolicySnapshot& s, const VisibilityCheck& check,
                            const store::ObjectRow& row) {
  static const std::vector<std::string> kNone;
  std::vector<std::string> granular;
  if (row.has_granular_markings && !check.IsProvider()) granular = GranularRefs(row);
  return check.Evaluate(
      ObjectFacts{row.type, row.labels, row.marking_refs, granular, row.id, row.origin});
}

store::RowFilter Engine::ReadFilter(const auth::Principal& principal, bool over_tls,
                                    const store::Collection& c) {
  if (principal.org_id == c.owner_org) return nullptr;  // the provider sees all it posted
  return [decide = Decider(principal.org_id, over_tls, c)](const store::ObjectRow& row) {
    const Decision d = decide(row);
    row.disclosed_under = d.agreement;  // empty when refused
    return d.visible;
  };
}

std::function<Decision(const store::ObjectRow&)> Engine::Decider(std::string_view org_id,
                                                                 bool over_tls,
                                                                 const store::Collection& c) {
  struct State {
    std::shared_ptr<const PolicySnapshot> snapshot;
    store::Collection collection;
    std::string org;
    std::unique_ptr<VisibilityCheck> check;
  };
  auto state = std::make_shared<State>();
  state->snapshot = Snapshot(/*check_now=*/true);
  state->collection = c;
  state->org = std::string(org_id);
  state->check = std::make_unique<VisibilityCheck>(
      *state->snapshot, Viewer{state->org, clock_.NowMicros(), over_tls}, state->collection);
  if (!state->check->CollectionVisible()) return [](const store::ObjectRow&) { return Decision{}; };
  return [this, state](const store::ObjectRow& row) {
    return DecideWith(*state->snapshot, *state->check, row);
  };
}

Decision Engine::Decide(std::string_view org_id, bool over_tls, const store::Collection& c,
                        const store::ObjectRow& row) {
  auto snapshot = Snapshot();
  VisibilityCheck check(*snapshot, Viewer{org_id, clock_.NowMicros(), over_tls}, c);
  return DecideWith(*snapshot, check, row);
}

void Engine::Rewrite(const auth::Principal& principal, bool over_tls, const store::Collection& c,
                     store::ObjectRow& row) {
  if (principal.org_id == c.owner_org || row.created_by_ref.empty()) return;
  if (!Decide(principal.org_id, over_tls, c, row).anonymize) return;
  row.created_by_ref = options_.anonymous_identity_id;
  if (row.json.empty()) return;
  boost::system::error_code ec;
  json::value v = json::parse(row.json, ec);
  if (ec || !v.is_object()) {
    row.json.clear();  // never deliver an unrewritten original; broken invariant (stored JSON)
    return;
  }
  v.as_object()["created_by_ref"] = options_.anonymous_identity_id;
  row.json = json::serialize(v);
}

std::vector<std::string> Engine::GranularRefs(const store::ObjectRow& row) {
  const std::string key = GranularKey(row);
  {
    std::lock_guard lock(granular_mu_);
    if (auto it = granular_.find(key); it != granular_.end()) return it->second;
  }
  store::ObjectQuery q;
  q.collection_id = row.collection_id;
  q.ids = {row.id};
  q.versions = store::VersionMatch{.all = false, .first = false, .last = false,
                                   .exact_ns = {row.version_ns}};
  q.with_json = true;
  q.limit = 1;
  auto page = store_.QueryObjects(q, nullptr);
  std::vector<std::string> refs;
  if (!page.ok() || page->rows.empty()) {
    // Unknown parts must not be shared: a marking we cannot read counts as RED.
    refs.push_back(std::string(stix::Tlp2MarkingId(stix::Tlp::kRed)));
    return refs;
  }
  refs = ParseGranularRefs(page->rows.front().json);
  std::lock_guard lock(granular_mu_);
  if (granular_.size() >= kGranularCacheLimit) granular_.clear();
  granular_.emplace(key, refs);
  return refs;
}

}  // namespace tabadul::policy
