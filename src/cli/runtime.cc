#include "cli/runtime.h"

#include <algorithm>
#include <iostream>

#include "audit/audit_cli.h"
#include "sync/origin_terms.h"

namespace tabadul::cli {

Runtime::~Runtime() {
  if (audit_) (void)audit_->Flush();
}

Result<std::unique_ptr<Runtime>> Runtime::Open(const RuntimeOptions& options, const Clock& clock) {
  auto r = std::unique_ptr<Runtime>(new Runtime());
  const std::string db = options.data_dir + "/tabadul.db";
  TABADUL_ASSIGN_OR_RETURN(r->store_, store::SqliteStore::Open(db));
  TABADUL_ASSIGN_OR_RETURN(r->agreements_, store::SqliteAgreementStore::Open(db));
  TABADUL_ASSIGN_OR_RETURN(r->peers_, sync::PeerRegistry::Open(db));

  policy::EngineOptions engine_options;
  // What was pulled from a peer goes on only under that peer's terms (docs/design/sync.md).
  engine_options.origin_terms = sync::OriginTermsLoader(*r->peers_);
  if (!options.hub_org.empty()) {
    TABADUL_ASSIGN_OR_RETURN(auto hub, r->store_->GetOrganization(options.hub_org));
    engine_options.hub_org_id = hub.id;
  }
  r->engine_ = std::make_unique<policy::Engine>(*r->store_, *r->agreements_, clock, engine_options);
  TABADUL_RETURN_IF_ERROR(r->engine_->Reload());

  // The disclosure log has its own database file: its group commits would otherwise invalidate
  // the store connections' page caches on every page served (bench/README.md, "audit").
  TABADUL_ASSIGN_OR_RETURN(
      r->audit_, audit::DisclosureLog::Open(options.data_dir + "/" + audit::kDatabaseFileName,
                                            options.data_dir, clock));

  if (const auto& damage = r->audit_->damage_found_at_open()) {
    // The loss is in the chain and fails `audit verify` until acknowledged; say so at once.
    std::cerr << "tabadul: disclosure log: records committed after seq " << damage->after_seq
              << " were lost from the ring (bytes [" << damage->lost_from << ", "
              << damage->lost_to << ")); evidence kept as " << damage->id
              << " in audit.log.damage/; run `tabadul audit verify`" << std::endl;
  }

  // The one way in. A marking definition stored by this process is honoured before the write
  // returns (other processes' writes are seen at the engine's next reload check; until then a
  // reference to an unknown definition withholds the object).
  r->pipeline_ = std::make_unique<intake::Pipeline>(*r->store_, clock);
  policy::Engine* engine = r->engine_.get();
  r->pipeline_->AddObserver([engine](const store::Collection&,
                                     const std::vector<stix::StixObject>& added) {
    const bool definitions = std::any_of(added.begin(), added.end(), [](const auto& o) {
      return o.type == "marking-definition";
    });
    if (definitions) (void)engine->Reload();
  });

  r->gate_ = std::make_unique<policy::Gate>(*r->engine_);
  r->sink_ = std::make_unique<audit::LogSink>(*r->audit_, [](const Status& st) {
    std::cerr << "tabadul: disclosure log: " << st.message() << std::endl;
  });

  // Federation: a push goes only where the visibility rule lets the peer's organization receive
  // each version (which includes the terms of versions that came from elsewhere), rewritten as a
  // TAXII read would be, and recorded in the disclosure log before it is sent.
  sync::SyncHooks hooks{r->gate_.get(), r->sink_.get()};
  r->sync_ = std::make_unique<sync::SyncService>(*r->store_, *r->pipeline_, *r->peers_, clock,
                                                 std::move(hooks));
  return r;
}

}  // namespace tabadul::cli
