// The `tabadul ingest` and `tabadul search` commands.
//
//   tabadul ingest FILE... --collection ID [--lang ar|en|auto] [--tlp T] [--format F]
//                  [--name N] [--dry-run] [--include-flagged] [--as USER]
//     One report per FILE ('-' = stdin; the format follows the file name unless --format).
//     Stored into the collection (one line per report on stdout), or with --dry-run printed as
//     a bundle (one per line). Without --as the command acts with the data folder's authority:
//     every collection is readable for linking and writable, and created_by_ref is the
//     collection's owner. With --as USER it acts as that user (role and grants apply).
//   tabadul search QUERY [--type T]... [--collection C]... [--limit N] [--offset N] [--json]
//                  [--as USER]
//     Catches the index in data_dir/search up with the store first; when a running server
//     holds the index, reads the server's last commit instead. With --as, hits are a disclosure
//     to that user: given a recorder, they are recorded (path "cli:search", one record per
//     collection) before they are printed, and nothing is printed when recording fails. Without
//     --as the operator reads its own data: nothing to record.
//
// Output to stdout, errors to stderr as "tabadul: <message>"; exit 0 success, 1 bad input or a
// failed operation, 2 usage.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "common/clock.h"
#include "reports/disclosure.h"
#include "reports/visibility.h"

namespace CLI {
class App;
}

namespace tabadul::reports {

// The visibility rule for a command run as a named user (`search --as`): the server's rule, so
// that the command shows exactly what that user would get over HTTP. Built from the store when
// the command runs; it owns whatever it opens. Null: the user's stored grants, and every row of
// a readable collection visible (which ignores agreements: callers should pass the policy's).
struct UserVisibility {
  CollectionAccess access;
  RowVisible visible;
};
using UserVisibilityFactory = std::function<Result<UserVisibility>(store::Store& store)>;

// `disclosures` opens the disclosure log for `search --as` (null: searches are not recorded);
// `visibility` gives `search --as` the server's visibility rule (see UserVisibilityFactory).
void RegisterReportsCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                             DisclosureRecorderFactory disclosures = nullptr,
                             UserVisibilityFactory visibility = nullptr);

struct IngestCommandOptions {
  std::vector<std::string> files;
  std::string collection;
  std::string lang = "auto";
  std::string tlp;
  std::string format = "auto";
  std::string name;
  std::string as_user;
  bool dry_run = false;
  bool include_flagged = false;
};
// With as_user, `visibility` is required (the server's rule for entity linking).
int RunIngestCommand(const std::string& data_dir, const IngestCommandOptions& options,
                     const Clock& clock, std::istream& in, std::ostream& out, std::ostream& err,
                     const UserVisibilityFactory& visibility = nullptr);

struct SearchCommandOptions {
  std::string query;
  std::vector<std::string> types;
  std::vector<std::string> collections;
  size_t limit = 20;
  size_t offset = 0;
  std::string as_user;
  bool json = false;
};
inline constexpr char kSearchCommandPath[] = "cli:search";
// `disclosures`: see RegisterReportsCommands; used only with as_user.
int RunSearchCommand(const std::string& data_dir, const SearchCommandOptions& options,
                     std::ostream& out, std::ostream& err,
                     const DisclosureRecorderFactory& disclosures = nullptr,
                     const UserVisibilityFactory& visibility = nullptr);

}  // namespace tabadul::reports
