// `tabadul agreement add|update|list|show|end|apply` and `tabadul token create|list|revoke`.
// Each function does one command and returns an exit code (0 ok, 1 failure; messages to `err`).
// They do not depend on src/cli: RegisterAgreementCommands() adds the subcommands to the lead's
// CLI11 app, opening the store in the data folder when a command runs.
//
// Files: an agreement file holds one agreement as JSON (agreement.h); an apply file holds
// {"agreements": [...]} and `apply` makes the stored set equal it (all-or-nothing).
#pragma once

#include <iosfwd>
#include <string>

#include "auth/token.h"
#include "common/clock.h"
#include "policy/agreement_service.h"
#include "store/sqlite_agreements.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace tabadul::policy {

struct AgreementCliContext {
  store::Store& store;
  store::SqliteAgreementStore& agreements;
  const Clock& clock;
  std::ostream& out;
  std::ostream& err;
  std::string actor = "cli";
};

int AgreementAdd(AgreementCliContext& ctx, const std::string& file);
int AgreementUpdate(AgreementCliContext& ctx, const std::string& file);
int AgreementList(AgreementCliContext& ctx, bool include_ended);
int AgreementShow(AgreementCliContext& ctx, const std::string& name, bool history);
int AgreementEnd(AgreementCliContext& ctx, const std::string& name);
int AgreementApply(AgreementCliContext& ctx, const std::string& file, bool dry_run);

// Prints the token once, then its id.
int TokenCreate(AgreementCliContext& ctx, const std::string& user, const std::string& role,
                const std::string& label);
int TokenList(AgreementCliContext& ctx, const std::string& org);
int TokenRevoke(AgreementCliContext& ctx, const std::string& id);

// Adds `agreement ...` and `token ...` to `app`. `data_dir` is read when a command runs (so it
// may be an option parsed by the same app); the database is `<data_dir>/tabadul.db`. The exit
// code of the command that ran is stored in `exit_code`. All references must outlive `app`.
void RegisterAgreementCommands(CLI::App& app, const std::string& data_dir, const Clock& clock,
                               std::ostream& out, std::ostream& err, int& exit_code);

}  // namespace tabadul::policy
