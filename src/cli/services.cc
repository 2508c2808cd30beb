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

reports::UserVisibilityFactory PolicyUserVisibility(const std::string& data_dir, const Clock& clock) {
  return [&data_dir, &clock](store::Store& store) -> Result<reports::UserVisibility> {
    TABADUL_ASSIGN_OR_RETURN(auto opened,
                             store::SqliteAgreementStore::Open(data_dir + "/tabadul.db"));
    std::shared_ptr<store::SqliteAgreementStore> agreements = std::move(opened);
    auto engine = std::make_shared<policy::Engine>(store, *agreements, clock);
    TABADUL_RETURN_IF_ERROR(engine->Reload());
    // The functions own the engine and its agreement store (the engine refers to both).
    auto keep = std::make_shared<std::pair<std::shared_ptr<store::SqliteAgreementStore>,
                                           std::shared_ptr<policy::Engine>>>(agreements, engine);
    reports::UserVisibility v;
    v.access = [keep, access = PolicyAccess(*engine)](const auth::Principal& p,
                                                      const store::Collection& c) {
      return access(p, c);
    };
    v.visible = [keep, visible = PolicyRowVisible(*engine, /*over_tls=*/true)](
                    const auth::Principal& p, const store::Collection& c,
                    const store::ObjectRow& row) { return visible(p, c, row); };
    return v;
  };
}

Services::~Services() {
  if (sync_scheduler_) sync_scheduler_->Stop();
  if (search_) search_->StopPolling();
}

Result<std::unique_ptr<Services>> Services::Open(const ServicesOptions& options, const Clock& clock) {
  auto s = std::unique_ptr<Services>(new Services());
  TABADUL_ASSIGN_OR_RETURN(s->runtime_,
                           Runtime::Open({.data_dir = options.data_dir, .hub_org = options.hub_org},
                                         clock));
  Runtime& rt = *s->runtime_;
  s->tokens_ = std::make_unique<auth::TokenService>(rt.store(), rt.agreements(), clock);
  s->authenticator_ = std::make_unique<auth::Authenticator>(rt.store(), clock);
  s->authenticator_->SetTokenService(s->tokens_.get());

  policy::Engine& engine = rt.engine();
  TABADUL_ASSIGN_OR_RETURN(taxii::ApiHooks hooks, policy::MakeHooks(engine));
  hooks.on_disclosure = audit::MakeDisclosureHook(rt.log(), {}, [](const Status& st) {
    std::cerr << "tabadul: disclosure log: " << st.message() << std::endl;
  });

  // The match and search indexes follow the store: polling catches writes by other processes,
  // and the write pipeline tells them of this process's writes at once.
  s->indicators_ = std::make_unique<match::IndicatorService>(rt.store(), clock);
  TABADUL_ASSIGN_OR_RETURN(
      s->search_,
      reports::SearchService::Open(rt.store(), options.data_dir + "/search",
                                   {PolicyAccess(engine), PolicyRowVisible(engine, options.over_tls)}));
  s->search_->StartPolling(std::chrono::seconds(5));
  rt.pipeline().AddObserver(match::OnStoredHook(*s->indicators_));
  rt.pipeline().AddObserver(s->search_->OnStoredHook());

  reports::IngestServiceOptions ingest_options;
  ingest_options.access = PolicyAccess(engine);
  ingest_options.visible = PolicyRowVisible(engine, options.over_tls);
  ingest_options.gazetteer_path = options.data_dir + "/gazetteer.tsv";
  TABADUL_ASSIGN_OR_RETURN(
      s->ingest_, reports::IngestService::Create(rt.store(), rt.pipeline(), clock,
                                                 std::string(text::kDebianPublicSuffixPath),
                                                 std::move(ingest_options)));

  s->api_ = std::make_unique<taxii::TaxiiApi>(rt.store(), rt.pipeline(), *s->authenticator_, clock,
                                               options.api, std::move(hooks));
  taxii::TaxiiApi* api = s->api_.get();
  s->router_ = std::make_unique<taxii::Router>(
      [api](const taxii::HttpRequest& r) { return api->Handle(r); });
  auth::Authenticator* authenticator = s->authenticator_.get();
  s->router_->Mount("/tabadul/v1/admin/",
                    policy::MakeAdminHandler(engine, s->tokens_.get(),
                                             [authenticator](std::string_view header,
                                                             std::string_view peer) {
                                               return authenticator->Authenticate(header, peer);
                                             }));
  // Search and match hits are disclosures too; a hit that cannot be recorded is not delivered
  // (the handlers answer 500).
  // The runtime's sink (audit::LogSink) writes the record and reports a failure.
  gate::DisclosureSink* sink = &rt.sink();
  auto record_disclosure = [sink](const auth::Principal& p, std::string_view path,
                                  const store::Collection& c, store::AuditItemList items) {
    return sink->Record(gate::Recipient{p.org_id, p.user, false, {}}, path, c, std::move(items));
  };
  match::MatchHandlerOptions match_options;
  match_options.record_disclosure = record_disclosure;
  s->router_->Mount(std::string(match::kMatchPath),
                    match::MakeMatchHandler(*s->indicators_, rt.store(), rt.pipeline(),
                                            *authenticator, clock,
                                            MatchVisibility(engine, options.over_tls),
                                            std::move(match_options)));
  // Federation runs on the runtime's sync service (its pushes pass the gate; runtime.h).
  s->router_->Mount(std::string(sync::kPeersPrefix), sync::MakePeersHandler(rt.sync(), *authenticator));
  if (options.sync_interval_seconds > 0) {
    s->sync_scheduler_ = std::make_unique<sync::Scheduler>(
        rt.sync(), std::chrono::seconds(options.sync_interval_seconds), 12);
    s->sync_scheduler_->Start();
  }
  s->router_->Mount(reports::kIngestPath, reports::MakeIngestHandler(*s->ingest_, *authenticator));
  s->router_->Mount(reports::kSearchPath,
                    reports::MakeSearchHandler(*s->search_, *authenticator, record_disclosure));
  return s;
}

}  // namespace tabadul::cli
