// `tabadul audit ...`: verify, show, head, check-head, acknowledge-gap over the disclosure log in
// a data folder.
//
// Wiring (cli/app.cc):
//   audit::RegisterAuditCommands(app, ctx.data_dir, code);
// or, to run one command from words: audit::RunAuditCommand(data_dir, {"verify"}, out, err).
//
// Subcommands:
//   verify                         check the whole chain and every head the log issued
//   show --object ID               who received object ID (every version), oldest first
//   show --org ORG [--from T1] [--to T2]
//                                  what ORG (identity id or organization name) received with
//                                  T1 <= time < T2 (RFC 3339; default: all time)
//   head [--output FILE]           sign the current head and print it (or write it to FILE)
//   check-head FILE                verify a kept head: the log must extend it
//   acknowledge-gap ID --reason TEXT [--by NAME]
//                                  record (in the chain) that an operator examined gap ID, a
//                                  loss of committed records `verify` reports
//                                  (audit/record_file.h, "Damage"); --by defaults to the login
//
// `verify` and `check-head` print their verdict ("audit log intact ...", "TAMPERED at seq N:
// ...", or "GAP at seq N: ..." while a gap is unacknowledged), then one line per gap the log
// knows of, acknowledged or not.
//
// Exit codes: 0 ok; 1 tampering or an unacknowledged gap found, or a failure (message on err);
// 2 usage.
// Output of `show` is tab-separated with a header line, one delivered version per line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "common/clock.h"

namespace CLI {
class App;
}

namespace tabadul::audit {

inline constexpr int kAuditExitOk = 0;
inline constexpr int kAuditExitFailure = 1;
inline constexpr int kAuditExitUsage = 2;

// The log's database file inside the data folder (its records are in audit.log beside it,
// see RecordPath in audit/disclosure_log.h).
inline constexpr char kDatabaseFileName[] = "audit.db";
// The store's database file inside the data folder (the same name cli/context.cc uses), where
// organization names are looked up.
inline constexpr char kStoreFileName[] = "tabadul.db";

// Runs the audit subcommand given by `args` (the words after `audit`, e.g. {"show", "--object",
// "indicator--..."}) against the data folder. Heads are timed by `clock` (SystemClock in the
// overload without it).
int RunAuditCommand(const std::string& data_dir, const std::vector<std::string>& args,
                    std::ostream& out, std::ostream& err);
int RunAuditCommand(const std::string& data_dir, const std::vector<std::string>& args,
                    const Clock& clock, std::ostream& out, std::ostream& err);

// Adds `audit` with its subcommands to `app`. `data_dir` is read when a subcommand runs (so the
// global --data option may be parsed after registration); the exit code lands in `exit_code`.
// Output goes to std::cout / std::cerr. Both references must outlive app.parse().
void RegisterAuditCommands(CLI::App& app, std::string& data_dir, int& exit_code);

// The commands themselves, for callers that parse arguments their own way.
int AuditVerify(const std::string& data_dir, const Clock& clock, std::ostream& out,
                std::ostream& err);
struct ShowQuery {
  std::string object_id;  // set for "who received"
  std::string org;        // set for "what did ORG receive"; identity id or organization name
  std::string from;       // RFC 3339, empty = the beginning
  std::string to;         // RFC 3339, exclusive, empty = no end
};
int AuditShow(const std::string& data_dir, const Clock& clock, const ShowQuery& query,
              std::ostream& out, std::ostream& err);
int AuditHead(const std::string& data_dir, const Clock& clock, const std::string& output_file,
              std::ostream& out, std::ostream& err);
int AuditCheckHead(const std::string& data_dir, const Clock& clock, const std::string& head_file,
                   std::ostream& out, std::ostream& err);
struct GapAcknowledgement {
  std::string id;      // as `verify` names the gap
  std::string reason;  // recorded in the chain; one line
  std::string by;      // who acknowledges it; empty = the login name ($SUDO_USER, $USER)
};
int AuditAcknowledgeGap(const std::string& data_dir, const Clock& clock,
                        const GapAcknowledgement& ack, std::ostream& out, std::ostream& err);

}  // namespace tabadul::audit
