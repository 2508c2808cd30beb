#include "reports/report_json.h"

#include <boost/json.hpp>

namespace tabadul::reports {
namespace {

namespace json = boost::json;

json::array IndicatorsJson(const std::vector<text::Indicator>& indicators) {
  json::array out;
  for (const text::Indicator& i : indicators) {
    json::object o;
    o["kind"] = text::IndicatorKindName(i.kind);
    o["value"] = i.value;
    o["defanged"] = i.defanged;
    if (i.flags != text::kFlagNone) o["flags"] = text::FlagNames(i.flags);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

json::value IngestResultJson(const IngestResult& result, bool with_bundle) {
  json::object o;
  o["report_id"] = result.report_id;
  o["objects"] = result.object_count;
  o["added"] = result.added;
  o["duplicates"] = result.duplicates;
  json::array refused;
  for (const auto& [id, message] : result.refused) {
    refused.push_back(json::object{{"id", id}, {"message", message}});
  }
  o["refused"] = std::move(refused);
  o["indicators"] = IndicatorsJson(result.indicators);
  o["flagged"] = IndicatorsJson(result.flagged);
  json::array linked;
  for (const ingest::EntityMention& m : result.linked) {
    json::object l;
    if (m.kind == ingest::MentionKind::kCountry) {
      l["country"] = m.country_code;
      l["type"] = "location";
    } else {
      l["id"] = m.stix_id;
      l["type"] = m.type;
    }
    l["name"] = m.name;
    linked.push_back(std::move(l));
  }
  o["linked"] = std::move(linked);
  if (with_bundle) o["bundle"] = json::parse(result.bundle_json);
  return o;
}

json::value SearchResponseJson(const SearchResponse& response) {
  json::object o;
  o["total"] = response.estimated_total;
  json::array hits;
  for (const SearchHit& h : response.hits) {
    json::object hit;
    hit["id"] = h.id;
    hit["type"] = h.type;
    hit["collection"] = h.collection;
    hit["version"] = h.version;
    hit["name"] = h.name;
    hit["score"] = h.score;
    hit["snippet"] = h.snippet;
    json::array highlights;
    for (auto [b, e] : h.highlights) highlights.push_back(json::array{b, e});
    hit["highlights"] = std::move(highlights);
    hits.push_back(std::move(hit));
  }
  o["hits"] = std::move(hits);
  return o;
}

}  // namespace tabadul::reports
