#include "reports/commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "reports/ingest_service.h"
#include "reports/report_json.h"
#include "reports/search_service.h"
#include "stix/tlp.h"
#include "store/sqlite_store.h"

namespace tabadul::reports {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

int Fail(std::ostream& err, const Status& st) {
  err << "tabadul: " << st.message() << std::endl;
  return kExitFailure;
}

Result<std::string> ReadInput(const std::string& path, std::istream& in) {
  std::ostringstream s;
  if (path == "-") {
    s << in.rdbuf();
    return s.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("cannot read " + path);
  s << file.rdbuf();
  return s.str();
}

// Who the command acts as: a stored user (--as) or the data folder's operator.
struct Actor {
  auth::Principal principal;
  CollectionAccess access;
};

Result<Actor> ActorFor(store::Store& store, const std::string& as_user, std::string operator_org) {
  Actor actor;
  if (as_user.empty()) {
    actor.principal = {"", std::move(operator_org), store::Role::kAdmin};
    actor.access = OperatorAccess();
    return actor;
  }
  auto user = store.GetUser(as_user);
  if (!user.ok()) return NotFound("no user '" + as_user + "'");
  actor.principal = {user->name, user->org_id, user->role};
  actor.access = StoredGrants(store);
  return actor;
}

// Opens the index for writing (and catches it up), or read-only when a server holds it.
Result<std::unique_ptr<SearchService>> OpenIndex(store::Store& store, const std::string& data_dir,
                                                 SearchServiceOptions options) {
  const std::string folder = data_dir + "/search";
  auto writable = SearchService::Open(store, folder, options);
  if (writable.ok()) {
    TABADUL_RETURN_IF_ERROR((*writable)->CatchUp());
    return writable;
  }
  return SearchService::OpenReadOnly(store, folder, options);
}

}  // namespace

int RunIngestCommand(const std::string& data_dir, const IngestCommandOptions& options,
                     const Clock& clock, std::istream& in, std::ostream& out, std::ostream& err,
                     const UserVisibilityFactory& visibility) {
  auto store = store::SqliteStore::Open(data_dir + "/tabadul.db");
  if (!store.ok()) return Fail(err, store.status());
  std::string owner;
  if (!options.collection.empty()) {
    auto c = (*store)->GetCollection(options.collection);
    if (!c.ok()) return Fail(err, c.status());
    owner = c->owner_org;
  }
  auto actor = ActorFor(**store, options.as_user, owner);
  if (!actor.ok()) return Fail(err, actor.status());
  IngestServiceOptions service_options;
  service_options.access = actor->access;
  if (!options.as_user.empty()) {
    // Acting as a user links only what that user may see: the server's rule, never the grants
    // alone (a grant does not make another organization's objects visible).
    if (!visibility) return Fail(err, FailedPrecondition("--as needs the policy engine"));
    auto rule = visibility(**store);
    if (!rule.ok()) return Fail(err, rule.status());
    service_options.access = std::move(rule->access);
    service_options.visible = std::move(rule->visible);
  }
  service_options.gazetteer_path = data_dir + "/gazetteer.tsv";
  // The report goes in through the one write pipeline; this process keeps no index to tell.
  intake::Pipeline pipeline(**store, clock);
  auto service = IngestService::Create(**store, pipeline, clock,
                                       std::string(text::kDebianPublicSuffixPath), service_options);
  if (!service.ok()) return Fail(err, service.status());

  int code = kExitOk;
  size_t added = 0;
  for (const std::string& file : options.files) {
    IngestRequest request;
    auto input = ReadInput(file, in);
    if (!input.ok()) {
      code = Fail(err, input.status());
      continue;
    }
    request.text = std::move(*input);
    request.format = options.format == "auto" ? FormatForFileName(file)
                                              : ParseInputFormat(options.format).value_or(ingest::InputFormat::kPlain);
    request.collection = options.collection;
    request.lang = options.lang;
    request.tlp = options.tlp;
    request.name = options.name;
    request.dry_run = options.dry_run;
    request.include_flagged = options.include_flagged;
    auto result = (*service)->Ingest(actor->principal, request);
    if (!result.ok()) {
      code = Fail(err, Status(result.status().code(), file + ": " + result.status().message()));
      continue;
    }
    if (options.dry_run) {
      out << result->bundle_json << "\n";
      continue;
    }
    added += result->added;
    out << result->report_id << "\t" << file << "\t" << result->object_count << " objects ("
        << result->added << " added, " << result->duplicates << " already stored, "
        << result->indicators.size() << " indicators, " << result->linked.size()
        << " entities linked)\n";
    for (const auto& [id, message] : result->refused) {
      err << "tabadul: " << file << ": " << id << " refused: " << message << std::endl;
      code = kExitFailure;
    }
  }
  out.flush();
  if (added > 0) {
    // Bring the index up to date now when no server holds it (a running server follows the
    // store by itself).
    auto index = SearchService::Open(**store, data_dir + "/search");
    if (index.ok()) {
      if (Status st = (*index)->CatchUp(); !st.ok()) err << "tabadul: search index: " << st.message() << std::endl;
    }
  }
  return code;
}

int RunSearchCommand(const std::string& data_dir, const SearchCommandOptions& options,
                     std::ostream& out, std::ostream& err,
                     const DisclosureRecorderFactory& disclosures,
                     const UserVisibilityFactory& visibility) {
  auto store = store::SqliteStore::Open(data_dir + "/tabadul.db");
  if (!store.ok()) return Fail(err, store.status());
  auto actor = ActorFor(**store, options.as_user, "");
  if (!actor.ok()) return Fail(err, actor.status());
  SearchServiceOptions service_options;
  service_options.access = actor->access;
  if (!options.as_user.empty() && visibility) {
    auto rule = visibility(**store);
    if (!rule.ok()) return Fail(err, rule.status());
    service_options.access = std::move(rule->access);
    service_options.visible = std::move(rule->visible);
  }
  auto service = OpenIndex(**store, data_dir, service_options);
  if (!service.ok()) return Fail(err, service.status());
  SearchRequest request;
  request.query = options.query;
  request.types = options.types;
  request.collections = options.collections;
  request.limit = options.limit;
  request.offset = options.offset;
  // Opened before searching: a log that cannot be opened delivers nothing.
  DisclosureRecorder record;
  if (!options.as_user.empty() && disclosures) {
    auto opened = disclosures(data_dir);
    if (!opened.ok()) return Fail(err, opened.status());
    record = std::move(*opened);
  }
  auto response = (*service)->Search(actor->principal, request);
  if (!response.ok()) return Fail(err, response.status());
  if (Status st = RecordSearchDisclosures(record, actor->principal, kSearchCommandPath, *response);
      !st.ok()) {
    return Fail(err, Status(st.code(), "disclosure log: " + st.message() +
                                           " (nothing was shown)"));
  }
  if (options.json) {
    out << boost::json::serialize(SearchResponseJson(*response)) << "\n";
    return kExitOk;
  }
  for (const SearchHit& h : response->hits) {
    char score[32];
    std::snprintf(score, sizeof score, "%.2f", h.score);
    out << score << "  " << h.type << "  " << h.id << "  " << h.name << "\n    " << h.snippet
        << "\n";
  }
  out << response->hits.size() << " shown of about " << response->estimated_total << "\n";
  return kExitOk;
}

void RegisterReportsCommands(CLI::App& app, std::string& data_dir, int& exit_code,
                             DisclosureRecorderFactory disclosures,
                             UserVisibilityFactory visibility) {
  auto ingest_options = std::make_shared<IngestCommandOptions>();
  auto* ingest = app.add_subcommand("ingest", "turn open-source texts into STIX reports");
  ingest->add_option("FILE", ingest_options->files, "text, HTML or Markdown files ('-' for stdin)")
      ->required();
  ingest->add_option("--collection", ingest_options->collection, "collection id or alias")
      ->required();
  ingest->add_option("--lang", ingest_options->lang, "report language")
      ->check(CLI::IsMember({"ar", "en", "auto"}))
      ->capture_default_str();
  ingest->add_option("--tlp", ingest_options->tlp, "TLP 2.0 marking: clear, green, amber, amber+strict, red")
      ->check(CLI::Validator(
          [](std::string& s) {
            return stix::ParseTlpName(s) ? std::string() : "unknown TLP '" + s + "'";
          },
          "TLP"));
  ingest->add_option("--format", ingest_options->format, "input format")
      ->check(CLI::IsMember({"auto", "plain", "html", "markdown"}))
      ->capture_default_str();
  ingest->add_option("--name", ingest_options->name, "report name (default: the first line)");
  ingest->add_option("--as", ingest_options->as_user, "act as this user (role and grants apply)");
  ingest->add_flag("--dry-run", ingest_options->dry_run, "print the bundle, store nothing");
  ingest->add_flag("--include-flagged", ingest_options->include_flagged,
                   "keep private/documentation addresses and example domains");
  ingest->callback([ingest_options, &data_dir, &exit_code, visibility] {
    SystemClock clock;
    exit_code = RunIngestCommand(data_dir, *ingest_options, clock, std::cin, std::cout, std::cerr,
                                 visibility);
  });

  auto search_options = std::make_shared<SearchCommandOptions>();
  auto* search = app.add_subcommand("search", "full-text search over stored objects and reports");
  search->add_option("QUERY", search_options->query, "words (Arabic or English)")->required();
  search->add_option("--type", search_options->types, "only this STIX type (repeatable)");
  search->add_option("--collection", search_options->collections, "only this collection (repeatable)");
  search->add_option("--limit", search_options->limit, "hits to show")
      ->check(CLI::Range(size_t{1}, size_t{1000}))
      ->capture_default_str();
  search->add_option("--offset", search_options->offset, "hits to skip");
  search->add_option("--as", search_options->as_user, "search as this user (visibility applies)");
  search->add_flag("--json", search_options->json, "print JSON");
  search->callback([search_options, &data_dir, &exit_code, disclosures = std::move(disclosures),
                    visibility = std::move(visibility)] {
    exit_code = RunSearchCommand(data_dir, *search_options, std::cout, std::cerr, disclosures,
                                 visibility);
  });
}

}  // namespace tabadul::reports
