// IngestService: an open-source text (plain, HTML, Markdown; Arabic or English) becomes a STIX
// report bundle (ingest::ReportBuilder), stored in a collection like any posted bundle.
//
// Steps of Ingest():
//   1. who: the principal needs the publisher or admin role and write access to the collection
//      (a collection it can neither read nor write is NotFound, as in TAXII);
//   2. linking: the named objects visible to the principal (known_entities.h) plus the
//      operator's gazetteer (restricted to what the principal can see) feed an EntityLinker;
//   3. the builder makes the bundle, which goes through the one write pipeline
//      (intake/pipeline.h: validated like any posted object, stored in one transaction, the
//      indexes told);
//   4. with dry_run nothing is stored and the bundle is returned.
// created_by_ref is the principal's organization.
//
// Thread-safe: Ingest may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "common/status.h"
#include "ingest/report_builder.h"
#include "reports/visibility.h"
#include "stix/object.h"
#include "store/store.h"
#include "intake/pipeline.h"
#include "text/ioc_extractor.h"
#include "text/public_suffix.h"

namespace tabadul::reports {

struct IngestServiceOptions {
  CollectionAccess access;  // empty: StoredGrants(store)
  RowVisible visible;       // empty: AllRowsVisible()
  // The operator's gazetteer file (data_dir/gazetteer.tsv), read at every ingest so edits apply
  // at once; a missing file is no gazetteer. Empty: none.
  std::string gazetteer_path;
  // Empty: a CSPRNG (libsodium-free: std::random_device). Tests pass a seeded source.
  ingest::RandomSource random;
};

struct IngestRequest {
  std::string text;  // the document, as bytes
  ingest::InputFormat format = ingest::InputFormat::kPlain;
  std::string collection;  // id or alias; may be empty only with dry_run
  std::string lang;        // "ar", "en", or "" / "auto" to detect
  std::string tlp;         // "", or a TLP name ("green", "TLP:AMBER+STRICT", ...)
  std::string name;        // "" = the text's first line
  bool dry_run = false;
  bool include_flagged = false;
};

struct IngestResult {
  std::string report_id;
  std::string bundle_json;
  size_t object_count = 0;
  size_t added = 0;       // 0 with dry_run
  size_t duplicates = 0;  // versions already stored
  std::vector<std::pair<std::string, std::string>> refused;  // (id, reason)
  std::vector<text::Indicator> indicators;
  std::vector<text::Indicator> flagged;
  std::vector<ingest::EntityMention> linked;  // unique targets, in order of first mention
};

class IngestService {
 public:
  // Reads the public suffix list from `public_suffix_path` (text::kDebianPublicSuffixPath in
  // production). InvalidArgument/NotFound when it cannot be read or parsed. `store`, `pipeline`
  // (writing into `store`; the report is stored through it) and `clock` must outlive the service.
  static Result<std::unique_ptr<IngestService>> Create(store::Store& store,
                                                       intake::Pipeline& pipeline, const Clock& clock,
                                                       const std::string& public_suffix_path,
                                                       IngestServiceOptions options = {});
  // The same with the list's text.
  static Result<std::unique_ptr<IngestService>> CreateWithList(store::Store& store,
                                                               intake::Pipeline& pipeline,
                                                               const Clock& clock,
                                                               std::string_view public_suffix_text,
                                                               IngestServiceOptions options = {});

  // PermissionDenied (role or grant), NotFound (collection), InvalidArgument (bad lang, tlp,
  // format; empty collection without dry_run), FailedPrecondition (the text names nothing a
  // report could reference; a malformed gazetteer), Internal (store). Refused objects are not
  // an error: they are listed in the result (the report itself being refused is
  // FailedPrecondition).
  Result<IngestResult> Ingest(const auth::Principal& principal, const IngestRequest& request);

 private:
  IngestService(store::Store& store, intake::Pipeline& pipeline, const Clock& clock,
                text::PublicSuffixList psl, IngestServiceOptions options);
  Result<ingest::EntityLinker> LinkerFor(const auth::Principal& principal,
                                         std::map<std::string, std::string>* technique_refs);
  Status Store(const auth::Principal& principal, const store::Collection& collection,
               IngestResult& result);

  store::Store& store_;
  intake::Pipeline& pipeline_;
  const Clock& clock_;
  const text::PublicSuffixList psl_;
  const text::IndicatorExtractor extractor_;
  const IngestServiceOptions options_;
};

// "plain", "text", "html", "markdown"/"md" -> the format; nullopt otherwise.
std::optional<ingest::InputFormat> ParseInputFormat(std::string_view name);
// The format a file name suggests: .html/.htm, .md/.markdown, else plain.
ingest::InputFormat FormatForFileName(std::string_view path);

}  // namespace tabadul::reports
