// What every process of tabadul that moves objects runs on — `tabadul serve` and the CLI
// commands alike (import, sync, ...): the store, the policy engine, the disclosure log, the one
// write pipeline, and the sync service whose pushes pass the same gate and are recorded in the
// same log. Opening it is the only way those commands get a sync service or a pipeline, so a
// command run from a shell can not take a simpler path than the server (issue 11: `tabadul sync`
// from the CLI once pushed without the gate).
//
// Members are declared in dependency order (destroyed in reverse).
#pragma once

#include <memory>
#include <string>

#include "audit/disclosure_log.h"
#include "audit/log_sink.h"
#include "policy/gate.h"
#include "common/clock.h"
#include "intake/pipeline.h"
#include "policy/engine.h"
#include "store/sqlite_agreements.h"
#include "store/sqlite_store.h"
#include "sync/peer_registry.h"
#include "sync/sync_service.h"

namespace tabadul::cli {

struct RuntimeOptions {
  std::string data_dir;
  std::string hub_org;  // organization whose admins administer every agreement ("" = none)
};

class Runtime {
 public:
  // Opens everything in options.data_dir (creating what is missing). `clock` must outlive it.
  static Result<std::unique_ptr<Runtime>> Open(const RuntimeOptions& options, const Clock& clock);
  ~Runtime();

  store::SqliteStore& store() { return *store_; }
  store::SqliteAgreementStore& agreements() { return *agreements_; }
  policy::Engine& engine() { return *engine_; }
  audit::DisclosureLog& log() { return *audit_; }
  // The one gate out and its record: every read path of this process delivers through them.
  gate::AccessGate& gate() { return *gate_; }
  gate::DisclosureSink& sink() { return *sink_; }
  // Register observers (indexes) before the first write or sync run.
  intake::Pipeline& pipeline() { return *pipeline_; }
  sync::PeerRegistry& peers() { return *peers_; }
  sync::SyncService& sync() { return *sync_; }

 private:
  Runtime() = default;

  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteAgreementStore> agreements_;
  std::unique_ptr<policy::Engine> engine_;
  std::unique_ptr<audit::DisclosureLog> audit_;
  std::unique_ptr<policy::Gate> gate_;
  std::unique_ptr<audit::LogSink> sink_;
  std::unique_ptr<intake::Pipeline> pipeline_;
  std::unique_ptr<sync::PeerRegistry> peers_;
  std::unique_ptr<sync::SyncService> sync_;
};

}  // namespace tabadul::cli
