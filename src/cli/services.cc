#include "cli/services.h"

#include <iostream>

#include "audit/audit_cli.h"
#include "audit/disclosure_hook.h"
#include "match/api_hooks.h"
#include "match/match_handler.h"
#include "policy/admin_handler.h"
#include "policy/hooks.h"
#include "reports/http_handlers.h"
#include "sync/admin_handler.h"
#include "sync/replicator.h"
#include "text/public_suffix.h"

namespace tabadul::cli {
namespace {

// Runs every non-empty function in order (for hooks that several modules want).
template <typename... Args>
std::function<void(Args...)> Chain(std::vector<std::function<void(Args...)>> fns) {
  std::erase_if(fns, [](const auto& f) { return !f; });
  if (fns.empty()) return nullptr;
  return [fns = std::move(fns)](Args... args) {
    for (const auto& f : fns) f(args...);
  };
}

}  // namespace

match::Visibility MatchVisibility(policy::Engine& engine, bool over_tls) {
  match::Visibility v;
  v.access = [&engine](const auth::Principal& p, const store::Collection& c) {
    return engine.Access(p, c);
  };
  v.row_visible = [&engine, over_tls](const auth::Principal& p, const store::Collection& c,
                                      const store::ObjectRow& row, std::string_view* under) {
    const policy::Decision d = engine.Decide(p.org_id, over_tls, c, row);
    if (!d.visible || (p.org_id != c.owner_org &&
                       d.permitted_actions < policy::PermittedAction::kInternallyVisible)) {
      return false;
    }
    *under = d.agreement;  // the engine keeps the text for its own lifetime
    return true;
  };
  return v;
}

reports::CollectionAccess PolicyAccess(policy::Engine& engine) {
  return [&engine](const auth::Principal& p, const store::Collection& c) {
    return engine.Access(p, c);
  };
}

reports::RowVisible PolicyRowVisible(policy::Engine& engine, bool over_tls) {
  return [&engine, over_tls](const auth::Principal& p, const store::Collection& c,
                             const store::ObjectRow& row) {
    const policy::Decision d = engine.Decide(p.org_id, over_tls, c, row);
    row.disclosed_under = d.agreement;  // the engine keeps the text for its own lifetime
    return d.visible;
  };
}

Services::~Services() {
  if (sync_scheduler_) sync_scheduler_->Stop();
  if (search_) search_->StopPolling();
  if (audit_) (void)audit_->Flush();
}

Result<std::unique_ptr<Services>> Services::Open(const ServicesOptions& options, const Clock& clock) {
  auto s = std::unique_ptr<Services>(new Services());
  const std::string db = options.data_dir + "/tabadul.db";
  TABADUL_ASSIGN_OR_RETURN(s->store_, store::SqliteStore::Open(db));
  TABADUL_ASSIGN_OR_RETURN(s->agreements_, store::SqliteAgreementStore::Open(db));
  s->tokens_ = std::make_unique<auth::TokenService>(*s->store_, *s->agreements_, clock);
  s->authenticator_ = std::make_unique<auth::Authenticator>(*s->store_, clock);
  s->authenticator_->SetTokenService(s->tokens_.get());

  policy::EngineOptions engine_options;
  if (!options.hub_org.empty()) {
    TABADUL_ASSIGN_OR_RETURN(auto hub, s->store_->GetOrganization(options.hub_org));
    engine_options.hub_org_id = hub.id;
  }
  s->engine_ = std::make_unique<policy::Engine>(*s->store_, *s->agreements_, clock, engine_options);
  TABADUL_ASSIGN_OR_RETURN(taxii::ApiHooks hooks, policy::MakeHooks(*s->engine_));

  // The disclosure log has its own database file: its group commits would otherwise invalidate
  // the store connections' page caches on every page served (bench/README.md, "audit").
  TABADUL_ASSIGN_OR_RETURN(
      s->audit_, audit::DisclosureLog::Open(options.data_dir + "/" + audit::kDatabaseFileName,
                                            options.data_dir, clock));
  hooks.on_disclosure = audit::MakeDisclosureHook(*s->audit_, {}, [](const Status& st) {
    std::cerr << "tabadul: disclosure log: " << st.message() << std::endl;
  });

  // Indicator patterns are checked on the way in; the match and search indexes follow the store
  // (polling catches writes by other processes, on_stored makes TAXII posts visible at once).
  s->indicators_ = std::make_unique<match::IndicatorService>(*s->store_, clock);
  TABADUL_ASSIGN_OR_RETURN(
      s->search_,
      reports::SearchService::Open(*s->store_, options.data_dir + "/search",
                                   {PolicyAccess(*s->engine_),
                                    PolicyRowVisible(*s->engine_, options.over_tls)}));
  s->search_->StartPolling(std::chrono::seconds(5));
  auto validate_indicator = match::ValidateObjectHook();
  hooks.validate_object = validate_indicator;
  using StoredFn = std::function<void(const store::Collection&, const std::vector<stix::StixObject>&)>;
  hooks.on_stored = Chain<const store::Collection&, const std::vector<stix::StixObject>&>(
      std::vector<StoredFn>{hooks.on_stored, match::OnStoredHook(*s->indicators_),
                            s->search_->OnStoredHook()});

  reports::IngestServiceOptions ingest_options;
  ingest_options.access = PolicyAccess(*s->engine_);
  ingest_options.visible = PolicyRowVisible(*s->engine_, options.over_tls);
  ingest_options.gazetteer_path = options.data_dir + "/gazetteer.tsv";
  ingest_options.on_stored = hooks.on_stored;
  ingest_options.validate_object = [validate_indicator](const auth::Principal& p,
                                                        const store::Collection& c,
                                                        const stix::StixObject& o) {
    static const std::string kPath = "/tabadul/v1/ingest/";
    return validate_indicator(taxii::RequestInfo{p, false, kPath}, c, o);
  };
  TABADUL_ASSIGN_OR_RETURN(
      s->ingest_, reports::IngestService::Create(*s->store_, clock,
                                                 std::string(text::kDebianPublicSuffixPath),
                                                 std::move(ingest_options)));

  s->api_ = std::make_unique<taxii::TaxiiApi>(*s->store_, *s->authenticator_, clock, options.api,
                                               std::move(hooks));
  taxii::TaxiiApi* api = s->api_.get();
  s->router_ = std::make_unique<taxii::Router>(
      [api](const taxii::HttpRequest& r) { return api->Handle(r); });
  auth::Authenticator* authenticator = s->authenticator_.get();
  s->router_->Mount("/tabadul/v1/admin/",
                    policy::MakeAdminHandler(*s->engine_, s->tokens_.get(),
                                             [authenticator](std::string_view header,
                                                             std::string_view peer) {
                                               return authenticator->Authenticate(header, peer);
                                             }));
  // Search and match hits are disclosures too; a hit that cannot be recorded is not delivered
  // (the handlers answer 500).
  audit::DisclosureLog* log = s->audit_.get();
  auto record_disclosure = [log](const auth::Principal& p, std::string_view path,
                                 const store::Collection& c, store::AuditItemList items) {
    std::string agreements = items.agreement_table();  // the items' own (store/sqlite_audit.h)
    Status st = log->Append({.org_id = p.org_id,
                             .user = p.user,
                             .path = std::string(path),
                             .agreement_id = std::move(agreements),
                             .collection_id = c.id,
                             .versions = std::move(items)});
    if (!st.ok()) std::cerr << "tabadul: disclosure log: " << st.message() << std::endl;
    return st;
  };
  match::MatchHandlerOptions match_options;
  match_options.record_disclosure = record_disclosure;
  s->router_->Mount(std::string(match::kMatchPath),
                    match::MakeMatchHandler(*s->indicators_, *s->store_, *authenticator, clock,
                                            MatchVisibility(*s->engine_, options.over_tls),
                                            std::move(match_options)));
  // Federation: a push goes only where the visibility rule lets the peer's organization receive
  // it (and, by default, never forwards what came from another peer, nor TLP:RED); every push is
  // a disclosure in the audit log.
  TABADUL_ASSIGN_OR_RETURN(s->peers_, sync::PeerRegistry::Open(db));
  sync::SyncHooks sync_hooks;
  policy::Engine* engine = s->engine_.get();
  sync_hooks.push_filter = [engine](const sync::Peer& p, const store::Collection& c,
                                    const store::ObjectRow& r) {
    if (!sync::DefaultPushFilter()(p, c, r)) return false;
    const bool tls = p.url.rfind("https://", 0) == 0;
    if (p.org_id.empty()) return false;
    const policy::Decision d = engine->Decide(p.org_id, tls, c, r);
    r.disclosed_under = d.agreement;  // for push_disclosure's record (the engine keeps the text)
    return d.visible;
  };
  auto push_record = audit::MakeDisclosureHook(*s->audit_);
  sync_hooks.push_disclosure = [push_record](const sync::Peer& p, const store::Collection& c,
                                             const std::vector<store::ObjectRow>& rows) {
    Status st = push_record.Record(p.org_id, "peer:" + p.name, "sync:push", c, rows);
    if (!st.ok()) std::cerr << "tabadul: disclosure log: " << st.message() << std::endl;
  };
  s->sync_ = std::make_unique<sync::SyncService>(*s->store_, *s->peers_, clock, sync_hooks);
  s->router_->Mount(std::string(sync::kPeersPrefix), sync::MakePeersHandler(*s->sync_, *authenticator));
  if (options.sync_interval_seconds > 0) {
    s->sync_scheduler_ = std::make_unique<sync::Scheduler>(
        *s->sync_, std::chrono::seconds(options.sync_interval_seconds), 12);
    s->sync_scheduler_->Start();
  }
  s->router_->Mount(reports::kIngestPath, reports::MakeIngestHandler(*s->ingest_, *authenticator));
  s->router_->Mount(reports::kSearchPath,
                    reports::MakeSearchHandler(*s->search_, *authenticator, record_disclosure));
  return s;
}

}  // namespace tabadul::cli
