// Everything `tabadul serve` runs, built from one data folder and wired together: the store,
// the agreement/token tables, the policy engine, the disclosure log, and the TAXII API with its
// hooks composed from those modules, behind one router. Owns them all; members are declared
// in dependency order so they are destroyed in reverse.
#pragma once

#include <memory>
#include <string>

#include "audit/disclosure_log.h"
#include "match/indicator_service.h"
#include "match/visibility.h"
#include "reports/commands.h"
#include "reports/ingest_service.h"
#include "reports/search_service.h"
#include "sync/peer_registry.h"
#include "sync/sync_service.h"
#include "auth/authenticator.h"
#include "cli/runtime.h"
#include "auth/token.h"
#include "common/clock.h"
#include "policy/engine.h"
#include "store/sqlite_agreements.h"
#include "store/sqlite_store.h"
#include "taxii/api.h"
#include "taxii/router.h"

namespace tabadul::cli {

struct ServicesOptions {
  std::string data_dir;
  taxii::ApiConfig api;
  std::string hub_org;  // organization whose admins administer every agreement ("" = none)
  bool over_tls = false;  // the server speaks TLS (IEP encrypt-in-transit for match/search)
  int sync_interval_seconds = 300;  // scheduled sync of every subscription; 0 = never
};

// The policy's visibility rule in the shapes the match and search services take. `engine` must
// outlive the functions. Matching also needs IEP permitted actions of at least
// internally-visible-actions: a hit is an automated use of the intelligence.
match::Visibility MatchVisibility(policy::Engine& engine, bool over_tls);
reports::CollectionAccess PolicyAccess(policy::Engine& engine);
reports::RowVisible PolicyRowVisible(policy::Engine& engine, bool over_tls);

// The policy's rule for a CLI command acting as a user (`search --as`, `ingest --as`): the
// engine is opened on the data folder's database when the command runs. `data_dir` is read
// then (it may still change while options are parsed); `clock` must outlive the factory.
reports::UserVisibilityFactory PolicyUserVisibility(const std::string& data_dir, const Clock& clock);

class Services {
 public:
  // Opens everything in options.data_dir (creating what is missing). `clock` must outlive it.
  static Result<std::unique_ptr<Services>> Open(const ServicesOptions& options, const Clock& clock);
  ~Services();

  // The handler for every request: tabadul's endpoints under /tabadul/v1/, else TAXII.
  taxii::HttpResponse Handle(const taxii::HttpRequest& request) const { return router_->Handle(request); }

  store::SqliteStore& store() { return runtime_->store(); }
  Runtime& runtime() { return *runtime_; }

 private:
  Services() = default;

  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<auth::TokenService> tokens_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<match::IndicatorService> indicators_;
  std::unique_ptr<reports::SearchService> search_;
  std::unique_ptr<reports::IngestService> ingest_;
  std::unique_ptr<taxii::TaxiiApi> api_;
  std::unique_ptr<taxii::Router> router_;
  std::unique_ptr<sync::Scheduler> sync_scheduler_;  // declared last: stopped first
};

}  // namespace tabadul::cli
