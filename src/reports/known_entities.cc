#include "reports/known_entities.h"

#include <boost/json.hpp>
#include <unordered_set>

#include "text/normalizer.h"

namespace tabadul::reports {
namespace {

namespace json = boost::json;

constexpr size_t kPage = 1000;

void AppendStrings(const json::object& o, std::string_view key, std::vector<std::string>& out) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_array()) return;
  for (const json::value& v : it->value().as_array()) {
    if (v.is_string() && !v.as_string().empty()) out.emplace_back(v.as_string());
  }
}

void AddTechniques(const json::object& o, const std::string& id,
                   std::map<std::string, std::string>& refs) {
  auto it = o.find("external_references");
  if (it == o.end() || !it->value().is_array()) return;
  for (const json::value& v : it->value().as_array()) {
    if (!v.is_object()) continue;
    const json::object& ref = v.as_object();
    const json::value* source = ref.if_contains("source_name");
    const json::value* external_id = ref.if_contains("external_id");
    if (source && external_id && source->is_string() && external_id->is_string() &&
        source->as_string() == "mitre-attack") {
      refs.emplace(std::string(external_id->as_string()), id);
    }
  }
}

// Adds one stored row's names (or technique ids) to `out`.
void AddRow(const store::ObjectRow& row, std::unordered_set<std::string>& seen, KnownObjects& out) {
  if (!seen.insert(row.id).second) return;
  json::error_code ec;
  json::value v = json::parse(row.json, ec);
  if (ec || !v.is_object()) return;
  const json::object& o = v.as_object();
  if (row.type == "attack-pattern") {
    AddTechniques(o, row.id, out.technique_refs);
    return;
  }
  ingest::KnownEntity entity{row.id, row.type, {}};
  const json::value* name = o.if_contains("name");
  if (name == nullptr || !name->is_string() || name->as_string().empty()) return;
  entity.names.emplace_back(name->as_string());
  AppendStrings(o, "aliases", entity.names);
  AppendStrings(o, "x_mitre_aliases", entity.names);
  out.entities.push_back(std::move(entity));
}

}  // namespace

Result<KnownObjects> LoadKnownObjects(store::Store& store, const auth::Principal& principal,
                                      const CollectionAccess& access, const RowVisible& visible) {
  KnownObjects out;
  std::unordered_set<std::string> seen;
  TABADUL_ASSIGN_OR_RETURN(auto collections, store.ListCollections());
  for (const store::Collection& c : collections) {
    TABADUL_ASSIGN_OR_RETURN(store::Grant grant, access(principal, c));
    if (!grant.can_read) continue;
    const store::RowFilter filter = [&](const store::ObjectRow& row) {
      return !row.revoked && visible(principal, c, row);
    };
    store::ObjectQuery q;
    q.collection_id = c.id;
    q.types.assign(std::begin(kLinkedTypes), std::end(kLinkedTypes));
    q.types.push_back("attack-pattern");
    q.with_json = true;
    q.limit = kPage;
    while (true) {
      TABADUL_ASSIGN_OR_RETURN(store::Page page, store.QueryObjects(q, filter));
      for (const store::ObjectRow& row : page.rows) AddRow(row, seen, out);
      if (!page.more || page.rows.empty()) break;
      q.added_after_us = page.rows.back().date_added_us;
    }
  }
  return out;
}

std::string UsableGazetteer(std::string_view gazetteer,
                            const std::vector<ingest::KnownEntity>& known) {
  std::unordered_set<std::string> ids;
  std::unordered_set<std::string> names;
  for (const ingest::KnownEntity& e : known) {
    ids.insert(e.stix_id);
    for (const std::string& n : e.names) names.insert(text::NormalizeForMatch(n));
  }
  std::string out;
  while (!gazetteer.empty()) {
    const size_t nl = gazetteer.find('\n');
    std::string_view line = gazetteer.substr(0, nl);
    gazetteer = nl == std::string_view::npos ? std::string_view() : gazetteer.substr(nl + 1);
    std::string_view content = line;
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    const size_t tab = content.find('\t');
    bool keep = true;
    if (!content.empty() && content[0] != '#' && tab != std::string_view::npos) {
      const std::string_view target = content.substr(tab + 1);
      if (target.substr(0, 5) == "name:") {
        keep = names.count(text::NormalizeForMatch(target.substr(5))) > 0;
      } else if (target.find("--") != std::string_view::npos && target.substr(0, 8) != "country:") {
        keep = ids.count(std::string(target)) > 0;
      }
    }
    // A dropped line stays as a comment so the linker's line numbers still match the file.
    out += keep ? std::string(line) : "# (not visible)";
    out += '\n';
  }
  return out;
}

}  // namespace tabadul::reports
