#include "match/match_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "match/match_session.h"
#include "store/sqlite_store.h"

namespace tabadul::match {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(std::ostream& err, const Status& status, int code = kExitFailure) {
  err << "tabadul: " << status.message() << "\n";
  return code;
}

void PrintHit(std::ostream& out, const MatchHit& h, bool json) {
  if (json) {
    boost::json::object o{{"line", h.item},
                          {"observable", h.observable},
                          {"kind", h.kind},
                          {"indicator_id", h.indicator_id},
                          {"indicator_name", h.indicator_name}};
    out << boost::json::serialize(o) << '\n';
  } else {
    out << h.observable << '\t' << h.indicator_id << '\t' << h.indicator_name << '\n';
  }
}

// Matches every line of `in`; returns whether all lines were good.
bool MatchStream(MatchSession& session, std::istream& in, std::ostream& out, std::ostream& err,
                 bool json) {
  bool all_good = true;
  std::string line;
  std::vector<MatchHit> hits;
  for (size_t number = 1; std::getline(in, line); ++number) {
    hits.clear();
    Status st = session.MatchItem(number, line, &hits);
    if (!st.ok()) {
      err << "tabadul: line " << number << ": " << st.message() << "\n";
      all_good = false;
    }
    for (const MatchHit& h : hits) PrintHit(out, h, json);
    // A sensor pipe waits for answers: flush whenever the input has nothing buffered.
    if (in.rdbuf()->in_avail() <= 0) out.flush();
  }
  return all_good;
}

}  // namespace

int RunMatchCommand(const MatchCommandOptions& options, const std::string& data_dir,
                    std::istream& in, std::ostream& out, std::ostream& err, const Clock& clock,
                    const VisibilityFactory& visibility) {
  if (!options.sightings.empty() && options.user.empty()) {
    return Fail(err, InvalidArgument("--sightings needs --user (whose organization saw it)"),
                kExitUsage);
  }
  const std::string db = data_dir + "/tabadul.db";
  if (!std::filesystem::exists(db)) {
    return Fail(err, NotFound("no database at '" + db + "' (set --data)"));
  }
  auto store = store::SqliteStore::Open(db);
  if (!store.ok()) return Fail(err, store.status());
  std::optional<auth::Principal> principal;
  if (!options.user.empty()) {
    auto user = (*store)->GetUser(options.user);
    if (!user.ok()) return Fail(err, user.status());
    principal = auth::Principal{user->name, user->org_id, user->role};
  }
  std::ifstream file;
  std::istream* input = &in;
  if (options.input != "-") {
    file.open(options.input, std::ios::binary);
    if (!file) return Fail(err, InvalidArgument("cannot open '" + options.input + "'"));
    input = &file;
  }
  // One poll, then the index stays as it is for the whole input.
  IndicatorServiceOptions service_options;
  service_options.poll_interval_us = INT64_MAX;
  IndicatorService service(**store, clock, service_options);
  MatchRequest request{options.collection, options.sightings};
  auto session = MatchSession::Open(service, **store, clock,
                                    visibility ? visibility(**store) : Visibility{},
                                    principal ? &*principal : nullptr, request);
  if (!session.ok()) return Fail(err, session.status());
  const bool all_good = MatchStream(**session, *input, out, err, options.json);
  out.flush();
  auto sightings = (*session)->StoreSightings();
  if (!sightings.ok()) return Fail(err, sightings.status());
  if (!options.sightings.empty()) {
    err << "tabadul: stored " << sightings->size() << " sighting"
        << (sightings->size() == 1 ? "" : "s") << " in " << options.sightings << "\n";
  }
  return all_good ? kExitOk : kExitFailure;
}

void RegisterMatchCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                           VisibilityFactory visibility) {
  auto options = std::make_shared<MatchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "match", "match observables (one per line) or NDJSON observed-data against indicators");
  cmd->add_option("FILE", options->input, "input file ('-' for stdin)")->capture_default_str();
  cmd->add_option("--collection", options->collection, "collection id or alias")->required();
  cmd->add_flag("--json", options->json, "print hits as JSON lines");
  cmd->add_option("--user", options->user, "match with this user's access (default: operator)");
  cmd->add_option("--sightings", options->sightings,
                  "store a STIX sighting per indicator hit in this collection (needs --user)");
  cmd->callback([options, &data_dir, &exit_code, visibility = std::move(visibility)] {
    SystemClock clock;
    exit_code =
        RunMatchCommand(*options, data_dir, std::cin, std::cout, std::cerr, clock, visibility);
  });
}

}  // namespace tabadul::match
