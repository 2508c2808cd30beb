#include "ingest/report_builder.h"

#include <boost/json.hpp>

#include <set>

#include "common/timestamp.h"
#include "ingest/countries.h"
#include "text/internal/utf8.h"
#include "text/tokenizer.h"

namespace tabadul::ingest {
namespace {

namespace json = boost::json;
using text::Indicator;
using text::IndicatorKind;

bool LooksLikeId(std::string_view id, std::string_view type) {
  return id.size() == type.size() + 2 + 36 && id.substr(0, type.size()) == type &&
         id.substr(type.size(), 2) == "--";
}

std::string FirstLine(std::string_view text) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    // Cut at 120 bytes without splitting a UTF-8 character.
    size_t cut = std::min<size_t>(line.size(), 120);
    while (cut < line.size() && cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    return std::string(line.substr(0, cut));
  }
  return "Untitled report";
}

const char* HashKey(IndicatorKind k) {
  switch (k) {
    case IndicatorKind::kMd5: return "MD5";
    case IndicatorKind::kSha1: return "SHA-1";
    case IndicatorKind::kSha256: return "SHA-256";
    case IndicatorKind::kSha512: return "SHA-512";
    default: return nullptr;
  }
}

const char* ScoType(IndicatorKind k) {
  switch (k) {
    case IndicatorKind::kIpv4: return "ipv4-addr";
    case IndicatorKind::kIpv6: return "ipv6-addr";
    case IndicatorKind::kDomain: return "domain-name";
    case IndicatorKind::kUrl: return "url";
    case IndicatorKind::kEmail: return "email-addr";
    case IndicatorKind::kMd5: case IndicatorKind::kSha1: case IndicatorKind::kSha256:
    case IndicatorKind::kSha512: return "file";
    case IndicatorKind::kAsn: return "autonomous-system";
    default: return nullptr;
  }
}

class BundleWriter {
 public:
  BundleWriter(const ReportOptions& o)
      : o_(o), now_(FormatTimestamp(o.now_micros * 1000, 3)) {}

  json::object Common(std::string_view type, std::string id, bool sdo) {
    json::object obj;
    obj["type"] = type;
    obj["spec_version"] = "2.1";
    obj["id"] = std::move(id);
    if (sdo) {
      obj["created"] = now_;
      obj["modified"] = now_;
      if (!o_.created_by_ref.empty()) obj["created_by_ref"] = o_.created_by_ref;
    }
    if (!o_.tlp_marking_id.empty()) obj["object_marking_refs"] = json::array{json::value(o_.tlp_marking_id)};
    return obj;
  }

  std::string NewId(std::string_view type) { return std::string(type) + "--" + UuidV4(o_.random); }

  // Adds the SCO (and its indicator, for matchable kinds); returns nothing (refs collected).
  void AddIndicator(const Indicator& ind) {
    const char* type = ScoType(ind.kind);
    if (ind.kind == IndicatorKind::kCve) return AddVulnerability(ind.value);
    if (ind.kind == IndicatorKind::kAttackTechnique) return AddTechnique(ind.value);
    if (type == nullptr) return;
    json::object sco;
    std::string pattern;
    if (const char* hash = HashKey(ind.kind)) {
      const std::string contributing =
          "{\"hashes\":{" + JcsString(hash) + ":" + JcsString(ind.value) + "}}";
      sco = Common(type, ScoId(type, contributing), false);
      sco["hashes"] = json::object{{hash, ind.value}};
      pattern = "[file:hashes.'" + std::string(hash) + "' = " + PatternString(ind.value) + "]";
    } else if (ind.kind == IndicatorKind::kAsn) {
      const std::string number = ind.value.substr(2);
      sco = Common(type, ScoId(type, "{\"number\":" + number + "}"), false);
      sco["number"] = std::stoll(number);
    } else {
      sco = Common(type, ScoId(type, "{\"value\":" + JcsString(ind.value) + "}"), false);
      sco["value"] = ind.value;
      pattern = std::string(1, '[');
      pattern.append(type).append(":value = ").append(PatternString(ind.value)).push_back(']');
    }
    Push(std::move(sco));
    if (pattern.empty()) return;
    json::object indicator = Common("indicator", NewId("indicator"), true);
    indicator["name"] = ind.value;
    indicator["pattern"] = pattern;
    indicator["pattern_type"] = "stix";
    indicator["valid_from"] = now_;
    Push(std::move(indicator));
  }

  void AddVulnerability(const std::string& cve) {
    json::object v = Common("vulnerability", NewId("vulnerability"), true);
    v["name"] = cve;
    v["external_references"] = json::array{json::object{{"source_name", "cve"}, {"external_id", cve}}};
    Push(std::move(v));
  }

  void AddTechnique(const std::string& tid) {
    if (auto it = o_.technique_refs.find(tid); it != o_.technique_refs.end()) {
      refs_.push_back(it->second);
      return;
    }
    json::object ap = Common("attack-pattern", NewId("attack-pattern"), true);
    ap["name"] = tid;
    std::string url = "https://attack.mitre.org/techniques/" + tid;
    if (auto dot = url.rfind('.'); dot > url.rfind('/')) url[dot] = '/';
    ap["external_references"] =
        json::array{json::object{{"source_name", "mitre-attack"}, {"external_id", tid}, {"url", url}}};
    Push(std::move(ap));
  }

  void AddCountry(const std::string& code, const std::string& name) {
    json::object loc = Common("location", NewId("location"), true);
    loc["name"] = name;
    loc["country"] = code;
    Push(std::move(loc));
  }

  void AddReference(const std::string& id) {
    if (std::find(refs_.begin(), refs_.end(), id) == refs_.end()) refs_.push_back(id);
  }

  std::string Finish(const std::string& report_id, const std::string& name,
                     const std::string& description, const std::string& lang) {
    json::object report = Common("report", report_id, true);
    report["name"] = name;
    report["description"] = description;
    report["published"] = now_;
    report["report_types"] = json::array{"threat-report"};
    report["lang"] = lang;
    json::array refs;
    for (const std::string& r : refs_) refs.push_back(json::value(r));
    report["object_refs"] = std::move(refs);
    objects_.insert(objects_.begin(), std::move(report));
    json::object bundle;
    bundle["type"] = "bundle";
    bundle["id"] = NewId("bundle");
    bundle["objects"] = std::move(objects_);
    return json::serialize(bundle);
  }

  size_t object_count() const { return objects_.size() + 1; }
  bool empty() const { return refs_.empty(); }

 private:
  void Push(json::object obj) {
    refs_.push_back(std::string(obj["id"].as_string()));
    objects_.push_back(std::move(obj));
  }

  const ReportOptions& o_;
  const std::string now_;
  json::array objects_;
  std::vector<std::string> refs_;
};

}  // namespace

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto d = text::internal::DecodeUtf8(s, i);
    if (d.cp == text::internal::kReplacementChar && d.len == 1) {
      text::internal::AppendUtf8(out, d.cp);
    } else {
      out.append(s.data() + i, d.len);
    }
    i += d.len;
  }
  return out;
}

std::string DetectLanguage(std::string_view text) {
  // Count words, not letters: hashes and URLs are long runs of Latin letters.
  size_t arabic = 0;
  size_t latin = 0;
  const std::string normalized = text::NormalizeForMatch(text);
  for (const text::Token& t : text::TokenizeNormalized(normalized)) {
    if (t.script == text::Script::kArabic) {
      ++arabic;
    } else if (std::none_of(t.text.begin(), t.text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      ++latin;
    }
  }
  return arabic > latin ? "ar" : "en";
}

std::string PatternString(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

ReportBuilder::ReportBuilder(const text::IndicatorExtractor& extractor, const EntityLinker& linker)
    : extractor_(extractor), linker_(linker) {}

Result<BuiltReport> ReportBuilder::Build(std::string_view input, const ReportOptions& options) const {
  if (!options.random) return InvalidArgument("ReportOptions.random is required");
  if (!options.tlp_marking_id.empty() && !LooksLikeId(options.tlp_marking_id, "marking-definition")) {
    return InvalidArgument("tlp_marking_id must be a marking-definition id");
  }
  if (!options.created_by_ref.empty() && !LooksLikeId(options.created_by_ref, "identity")) {
    return InvalidArgument("created_by_ref must be an identity id");
  }
  BuiltReport out;
  out.plain_text = ValidUtf8(StripMarkup(input, options.format));
  for (Indicator& ind : text::Deduplicate(extractor_.Extract(out.plain_text))) {
    (ind.flags == text::kFlagNone ? out.indicators : out.flagged).push_back(std::move(ind));
  }
  out.mentions = linker_.Link(out.plain_text);

  BundleWriter writer(options);
  for (const Indicator& ind : out.indicators) writer.AddIndicator(ind);
  if (options.include_flagged) {
    for (const Indicator& ind : out.flagged) writer.AddIndicator(ind);
  }
  for (const EntityMention& m : UniqueTargets(out.mentions)) {
    if (m.kind == MentionKind::kCountry) writer.AddCountry(m.country_code, m.name);
    else writer.AddReference(m.stix_id);
  }
  if (writer.empty()) {
    return FailedPrecondition("the text names no indicator, country or known object to report");
  }
  out.report_id = writer.NewId("report");
  const std::string name = options.name.empty() ? FirstLine(out.plain_text) : options.name;
  const std::string lang = options.lang.empty() ? DetectLanguage(out.plain_text) : options.lang;
  out.object_count = writer.object_count();
  out.bundle_json = writer.Finish(out.report_id, name, out.plain_text, lang);
  return out;
}

}  // namespace tabadul::ingest
