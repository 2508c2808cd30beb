// `tabadul match`: plain values (one per line) or NDJSON observed-data from a file or stdin,
// matched against a collection's indicators; each hit printed as text or as a JSON line.
//
//   tabadul match --collection ID [--json] [--user NAME] [--sightings COLLECTION] [FILE|-]
//
// Text output, one line per hit: "<observable>\t<indicator id>\t<indicator name>".
// JSON output (--json), one object per hit:
//   {"line":3,"observable":"198.51.100.7","kind":"ipv4","indicator_id":"indicator--...",
//    "indicator_name":"...","indicator_version":"<its modified>"}
// A bad input line is reported on stderr as "tabadul: line N: <why>" and the rest is matched;
// the exit code is then 1. Without --user the command runs with the operator's authority (like
// export: whoever can read the database file sees everything); with --user it sees what that
// user may see. --sightings stores one STIX sighting per indicator hit, created by the user's
// organization, into COLLECTION (needs --user with write access there), when the input ends.
// With --user the hits are a disclosure to that user: given a recorder, they are recorded
// (path "cli:match", match/disclosure.h) before they are printed, one record per burst of input
// (whenever the input has nothing more buffered, every 10,000 hits, and at the end); when
// recording fails nothing more is printed, no sightings are stored, and the exit code is 1.
// Without --user the operator reads its own data: nothing to record.
// Exit codes: 0 success, 1 bad input line or failure, 2 usage.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "match/disclosure.h"
#include "match/visibility.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace tabadul::match {

struct MatchCommandOptions {
  std::string collection;  // id or alias (required)
  std::string input = "-";  // file, "-" = standard input
  bool json = false;
  std::string user;        // "" = the operator
  std::string sightings;   // collection id or alias; "" = none
};

// Builds the visibility functions over the opened store (e.g. the policy module's rule).
// Null: the stored grants and every row of a readable collection visible.
using VisibilityFactory = std::function<Visibility(store::Store&)>;

// Opens whatever a DisclosureRecorder writes to for the data folder `data_dir`; the recorder it
// returns owns what it opened. Called only with --user, before any output.
using DisclosureRecorderFactory =
    std::function<Result<DisclosureRecorder>(const std::string& data_dir)>;

inline constexpr std::string_view kMatchCommandPath = "cli:match";

// Runs the command on the store in `data_dir` (tabadul.db). Returns the exit code.
// `disclosures` null: hits are not recorded.
int RunMatchCommand(const MatchCommandOptions& options, const std::string& data_dir,
                    std::istream& in, std::ostream& out, std::ostream& err, const Clock& clock,
                    const VisibilityFactory& visibility = nullptr,
                    const DisclosureRecorderFactory& disclosures = nullptr);

// Adds the `match` subcommand to `app`. `data_dir` is read when the command runs; `exit_code`
// receives its exit code. Both must outlive app.parse().
void RegisterMatchCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                           VisibilityFactory visibility = nullptr,
                           DisclosureRecorderFactory disclosures = nullptr);

}  // namespace tabadul::match
