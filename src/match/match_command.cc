#include "match/match_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "match/disclosure.h"
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
                          {"indicator_name", h.indicator_name},
                          {"indicator_version", h.indicator_version}};
    out << boost::json::serialize(o) << '\n';
  } else {
    out << h.observable << '\t' << h.indicator_id << '\t' << h.indicator_name << '\n';
  }
}

// Where a stream's hits go: recorded as one disclosure when there is a recorder, then printed.
struct HitSink {
  const DisclosureRecorder* record;  // null: nothing to record (the operator's own read)
  const auth::Principal* principal;  // set with `record`
  const store::Collection* collection;
  std::ostream& out;
  bool json;
  std::vector<MatchHit> pending;

  // Records and prints what is pending. On a recording failure nothing of it is printed.
  Status Deliver() {
    if (pending.empty()) return Status::Ok();
    if (record != nullptr) {
      TABADUL_RETURN_IF_ERROR(RecordMatchDisclosure(*record, *principal, kMatchCommandPath,
                                                    *collection, pending));
    }
    for (const MatchHit& h : pending) PrintHit(out, h, json);
    pending.clear();
    return Status::Ok();
  }
};

// Hits are delivered (recorded, printed, flushed) whenever the input has nothing buffered (a
// sensor pipe waits for answers), when kDeliverEvery are pending, and at the end; so a recorded
// stream makes one record per burst of input, not one per line. Returns whether all lines were
// good; a recording failure stops the stream and is returned.
constexpr size_t kDeliverEvery = 10'000;

Result<bool> MatchStream(MatchSession& session, std::istream& in, std::ostream& err,
                         HitSink& sink) {
  bool all_good = true;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    Status st = session.MatchItem(number, line, &sink.pending);
    if (!st.ok()) {
      err << "tabadul: line " << number << ": " << st.message() << "\n";
      all_good = false;
    }
    if (in.rdbuf()->in_avail() <= 0 || sink.pending.size() >= kDeliverEvery) {
      TABADUL_RETURN_IF_ERROR(sink.Deliver());
      sink.out.flush();
    }
  }
  TABADUL_RETURN_IF_ERROR(sink.Deliver());
  return all_good;
}

}  // namespace

int RunMatchCommand(const MatchCommandOptions& options, const std::string& data_dir,
                    std::istream& in, std::ostream& out, std::ostream& err, const Clock& clock,
                    const VisibilityFactory& visibility,
                    const DisclosureRecorderFactory& disclosures) {
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
  // Sightings go in through the one write pipeline; this process keeps no index to tell.
  intake::Pipeline pipeline(**store, clock);
  MatchRequest request{options.collection, options.sightings};
  auto session = MatchSession::Open(service, **store, pipeline, clock,
                                    visibility ? visibility(**store) : Visibility{},
                                    principal ? &*principal : nullptr, request);
  if (!session.ok()) return Fail(err, session.status());
  // With --user the hits are a disclosure to that user; the log is opened before any output.
  DisclosureRecorder record;
  if (principal && disclosures) {
    auto opened = disclosures(data_dir);
    if (!opened.ok()) return Fail(err, opened.status());
    record = std::move(*opened);
  }
  HitSink sink{record ? &record : nullptr, principal ? &*principal : nullptr,
               &(*session)->collection(), out, options.json, {}};
  const Result<bool> all_good = MatchStream(**session, *input, err, sink);
  out.flush();
  if (!all_good.ok()) {
    // Fail closed: the unrecorded hits were not printed, and no sightings are stored for them.
    return Fail(err, Status(all_good.status().code(),
                            "disclosure log: " + all_good.status().message() +
                                " (the hits since the last output were not shown)"));
  }
  auto sightings = (*session)->StoreSightings();
  if (!sightings.ok()) return Fail(err, sightings.status());
  if (!options.sightings.empty()) {
    err << "tabadul: stored " << sightings->size() << " sighting"
        << (sightings->size() == 1 ? "" : "s") << " in " << options.sightings << "\n";
  }
  return *all_good ? kExitOk : kExitFailure;
}

void RegisterMatchCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                           VisibilityFactory visibility, DisclosureRecorderFactory disclosures) {
  auto options = std::make_shared<MatchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "match", "match observables (one per line) or NDJSON observed-data against indicators");
  cmd->add_option("FILE", options->input, "input file ('-' for stdin)")->capture_default_str();
  cmd->add_option("--collection", options->collection, "collection id or alias")->required();
  cmd->add_flag("--json", options->json, "print hits as JSON lines");
  cmd->add_option("--user", options->user, "match with this user's access (default: operator)");
  cmd->add_option("--sightings", options->sightings,
                  "store a STIX sighting per indicator hit in this collection (needs --user)");
  cmd->callback([options, &data_dir, &exit_code, visibility = std::move(visibility),
                 disclosures = std::move(disclosures)] {
    SystemClock clock;
    exit_code = RunMatchCommand(*options, data_dir, std::cin, std::cout, std::cerr, clock,
                                visibility, disclosures);
  });
}

}  // namespace tabadul::match
