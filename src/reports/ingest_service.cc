#include "reports/ingest_service.h"

#include <fstream>
#include <random>
#include <sstream>

#include "reports/known_entities.h"
#include "stix/object_stream.h"
#include "stix/tlp.h"
#include "stix/validator.h"

namespace tabadul::reports {
namespace {

Result<std::string> ReadFile(const std::string& path, bool missing_ok) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (missing_ok) return std::string();
    return NotFound("cannot read " + path);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ingest::RandomSource SystemRandom() {
  auto device = std::make_shared<std::random_device>();
  auto mu = std::make_shared<std::mutex>();
  return [device, mu](uint8_t* out, size_t n) {
    std::lock_guard lock(*mu);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((*device)());
  };
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

// Parses and validates every object of the bundle the builder made.
Result<std::vector<stix::StixObject>> ParseBundle(const std::string& bundle_json) {
  TABADUL_ASSIGN_OR_RETURN(auto stream, stix::ObjectStream::Open(bundle_json));
  std::vector<stix::StixObject> objects;
  while (true) {
    std::string_view raw;
    TABADUL_ASSIGN_OR_RETURN(bool more, stream->Next(&raw));
    if (!more) break;
    auto object = stix::ParseObject(raw);
    if (!object.ok()) {
      // The builder promises valid STIX: this is our bug, not the user's input.
      return Internal("ingest made an invalid object " + stix::ExtractId(raw) + ": " +
                      object.status().message());
    }
    objects.push_back(std::move(*object));
  }
  return objects;
}

}  // namespace

std::optional<ingest::InputFormat> ParseInputFormat(std::string_view name) {
  if (name == "plain" || name == "text" || name == "txt") return ingest::InputFormat::kPlain;
  if (name == "html" || name == "htm") return ingest::InputFormat::kHtml;
  if (name == "markdown" || name == "md") return ingest::InputFormat::kMarkdown;
  return std::nullopt;
}

ingest::InputFormat FormatForFileName(std::string_view path) {
  if (EndsWith(path, ".html") || EndsWith(path, ".htm")) return ingest::InputFormat::kHtml;
  if (EndsWith(path, ".md") || EndsWith(path, ".markdown")) return ingest::InputFormat::kMarkdown;
  return ingest::InputFormat::kPlain;
}

IngestService::IngestService(store::Store& store, intake::Pipeline& pipeline, const Clock& clock,
                             text::PublicSuffixList psl, IngestServiceOptions options)
    : store_(store),
      pipeline_(pipeline),
      clock_(clock),
      psl_(std::move(psl)),
      extractor_(psl_),
      options_([&] {
        if (!options.access) options.access = StoredGrants(store);
        if (!options.visible) options.visible = AllRowsVisible();
        if (!options.random) options.random = SystemRandom();
        return options;
      }()) {}

Result<std::unique_ptr<IngestService>> IngestService::Create(store::Store& store,
                                                             intake::Pipeline& pipeline,
                                                             const Clock& clock,
                                                             const std::string& public_suffix_path,
                                                             IngestServiceOptions options) {
  TABADUL_ASSIGN_OR_RETURN(std::string list, ReadFile(public_suffix_path, false));
  return CreateWithList(store, pipeline, clock, list, std::move(options));
}

Result<std::unique_ptr<IngestService>> IngestService::CreateWithList(
    store::Store& store, intake::Pipeline& pipeline, const Clock& clock,
    std::string_view public_suffix_text, IngestServiceOptions options) {
  TABADUL_ASSIGN_OR_RETURN(auto psl, text::PublicSuffixList::Parse(public_suffix_text));
  return std::unique_ptr<IngestService>(
      new IngestService(store, pipeline, clock, std::move(psl), std::move(options)));
}

Result<ingest::EntityLinker> IngestService::LinkerFor(
    const auth::Principal& principal, std::map<std::string, std::string>* technique_refs) {
  TABADUL_ASSIGN_OR_RETURN(KnownObjects known, LoadKnownObjects(store_, principal, options_.access,
                                                                options_.visible));
  std::string gazetteer;
  if (!options_.gazetteer_path.empty()) {
    TABADUL_ASSIGN_OR_RETURN(gazetteer, ReadFile(options_.gazetteer_path, true));
  }
  auto linker = ingest::EntityLinker::Create(known.entities, UsableGazetteer(gazetteer, known.entities));
  if (!linker.ok()) {
    return FailedPrecondition(options_.gazetteer_path + ": " + linker.status().message());
  }
  *technique_refs = std::move(known.technique_refs);
  return linker;
}

Result<IngestResult> IngestService::Ingest(const auth::Principal& principal,
                                           const IngestRequest& request) {
  if (principal.role == store::Role::kReader) {
    return PermissionDenied("ingesting a report needs the publisher or admin role");
  }
  ingest::ReportOptions options;
  options.format = request.format;
  options.name = request.name;
  if (request.lang == "ar" || request.lang == "en") {
    options.lang = request.lang;
  } else if (!request.lang.empty() && request.lang != "auto") {
    return InvalidArgument("lang must be ar, en or auto");
  }
  if (!request.tlp.empty()) {
    auto tlp = stix::ParseTlpName(request.tlp);
    if (!tlp) return InvalidArgument("unknown TLP '" + request.tlp + "' (clear, green, amber, amber+strict, red)");
    options.tlp_marking_id = std::string(stix::Tlp2MarkingId(*tlp));
  }
  std::optional<store::Collection> collection;
  if (request.collection.empty()) {
    if (!request.dry_run) return InvalidArgument("a collection is required (or a dry run)");
  } else {
    auto c = store_.GetCollection(request.collection);
    if (!c.ok()) return c.status();
    TABADUL_ASSIGN_OR_RETURN(store::Grant grant, options_.access(principal, *c));
    if (!grant.can_read && !grant.can_write) {
      return NotFound("no collection '" + request.collection + "'");
    }
    if (!grant.can_write) return PermissionDenied("no write access to collection " + c->id);
    collection = std::move(*c);
  }
  if (principal.org_id.rfind("identity--", 0) == 0) options.created_by_ref = principal.org_id;
  options.now_micros = clock_.NowMicros();
  options.random = options_.random;
  options.include_flagged = request.include_flagged;

  TABADUL_ASSIGN_OR_RETURN(ingest::EntityLinker linker, LinkerFor(principal, &options.technique_refs));
  ingest::ReportBuilder builder(extractor_, linker);
  TABADUL_ASSIGN_OR_RETURN(ingest::BuiltReport built, builder.Build(request.text, options));

  IngestResult result;
  result.report_id = built.report_id;
  result.bundle_json = std::move(built.bundle_json);
  result.object_count = built.object_count;
  result.indicators = std::move(built.indicators);
  result.flagged = std::move(built.flagged);
  result.linked = ingest::UniqueTargets(built.mentions);
  if (!request.dry_run) TABADUL_RETURN_IF_ERROR(Store(principal, *collection, result));
  return result;
}

Status IngestService::Store(const auth::Principal& principal, const store::Collection& collection,
                            IngestResult& result) {
  TABADUL_ASSIGN_OR_RETURN(std::vector<stix::StixObject> parsed, ParseBundle(result.bundle_json));
  TABADUL_ASSIGN_OR_RETURN(intake::WriteReport written,
                           pipeline_.Write(collection, std::span<const stix::StixObject>(parsed)));
  for (const intake::ItemOutcome& item : written.items) {
    if (item.kind == store::PutOutcome::Kind::kRefused && item.id == result.report_id) {
      return FailedPrecondition("report refused: " + item.message);
    }
  }
  result.added = written.added;
  result.duplicates = written.duplicates;
  for (const intake::ItemOutcome& item : written.items) {
    if (item.kind == store::PutOutcome::Kind::kRefused) result.refused.emplace_back(item.id, item.message);
  }
  return Status::Ok();
}

}  // namespace tabadul::reports
