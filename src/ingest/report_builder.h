// Building a STIX 2.1 report bundle from an open-source text (Arabic or English; plain, HTML or
// Markdown).
//
// Output objects (all STIX 2.1: spec_version "2.1", created/modified with millisecond precision,
// every required property, no empty list):
//   - one SCO per distinct indicator: ipv4-addr, ipv6-addr, domain-name, url, email-addr,
//     file (hashes), autonomous-system; ids are deterministic UUIDv5 (stix_ids.h);
//   - one `indicator` per distinct network or hash indicator, with a STIX pattern
//     ("[ipv4-addr:value = '203.0.113.7']"), pattern_type "stix", valid_from = now;
//   - `vulnerability` for CVE ids, `attack-pattern` for ATT&CK technique ids (unless the caller
//     maps the id to a stored attack-pattern);
//   - one `location` per country named;
//   - references (no copies) to the stored objects the text names;
//   - the `report` itself: name, description (the plain text), published, lang, report_types,
//     object_refs to all of the above.
// Flagged indicators (private, documentation, reserved addresses; example domains) are left out
// of the bundle unless include_flagged is set, and are always listed in the result.
// The builder does no I/O and reads no clock: time and randomness come from the options.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/entity_linker.h"
#include "ingest/markup.h"
#include "ingest/stix_ids.h"
#include "text/ioc_extractor.h"

namespace tabadul::ingest {

struct ReportOptions {
  InputFormat format = InputFormat::kPlain;
  std::string name;            // report name; empty: the text's first non-empty line (<=120 chars)
  std::string lang;            // RFC 5646 tag; empty: "ar" or "en" from the text's letters
  std::string tlp_marking_id;  // "marking-definition--..." put in object_marking_refs; optional
  std::string created_by_ref;  // "identity--..." of the publishing organization; optional
  int64_t now_micros = 0;      // created, modified, published, valid_from
  RandomSource random;         // required: UUIDv4 source for SDO and bundle ids
  bool include_flagged = false;
  // ATT&CK technique id ("T1566.001") -> stored attack-pattern id, to reference instead of
  // creating a new attack-pattern.
  std::map<std::string, std::string> technique_refs;
};

struct BuiltReport {
  std::string bundle_json;
  std::string report_id;
  std::string plain_text;                   // the text the offsets below refer to
  std::vector<text::Indicator> indicators;  // distinct, in the bundle
  std::vector<text::Indicator> flagged;     // distinct, left out unless include_flagged
  std::vector<EntityMention> mentions;      // every mention, in text order
  size_t object_count = 0;                  // objects in the bundle
};

class ReportBuilder {
 public:
  // Both must outlive the builder.
  ReportBuilder(const text::IndicatorExtractor& extractor, const EntityLinker& linker);

  // Fails with InvalidArgument when options.random is missing or the ids in the options are not
  // STIX ids, and with FailedPrecondition when the text names nothing a report could reference
  // (STIX forbids an empty object_refs).
  Result<BuiltReport> Build(std::string_view input, const ReportOptions& options) const;

 private:
  const text::IndicatorExtractor& extractor_;
  const EntityLinker& linker_;
};

// The language of a text by its words: "ar" when Arabic words outnumber Latin words without digits,
// else "en".
std::string DetectLanguage(std::string_view text);

// `s` with every invalid UTF-8 byte replaced by U+FFFD (JSON must be valid UTF-8).
std::string ValidUtf8(std::string_view s);

// A STIX pattern string literal: quotes and backslashes escaped.
std::string PatternString(std::string_view value);

}  // namespace tabadul::ingest
