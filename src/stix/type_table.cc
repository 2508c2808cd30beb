#include "stix/type_table.h"

#include <algorithm>
#include <unordered_map>

namespace tabadul::stix {
namespace {

using K = ValueKind;
constexpr double kMaxCount = 999999999;  // STIX caps counters at 999,999,999

PropertySpec Ts(std::string_view name) { return {name, K::kTimestamp}; }
PropertySpec Bool(std::string_view name) { return {name, K::kBoolean}; }
PropertySpec Str(std::string_view name) { return {name, K::kString}; }
PropertySpec StrList(std::string_view name) { return {name, K::kStringList}; }
PropertySpec Dict(std::string_view name) { return {name, K::kObject}; }
PropertySpec Int(std::string_view name, double min, double max) {
  return {name, K::kInteger, min, max};
}
PropertySpec Num(std::string_view name, double min, double max) {
  return {name, K::kNumber, min, max};
}
PropertySpec Enum(std::string_view name, std::vector<std::string_view> values) {
  return {name, K::kEnum, 0, 0, std::move(values)};
}
PropertySpec EnumList(std::string_view name, std::vector<std::string_view> values) {
  return {name, K::kEnumList, 0, 0, std::move(values)};
}

std::vector<TypeSpec> BuildTable() {
  const auto D = ObjectClass::kDomain;
  const auto R = ObjectClass::kRelationship;
  const auto O = ObjectClass::kCyberObservable;
  const auto M = ObjectClass::kMeta;
  return {
      // ---- SDOs (§4) ----
      {"attack-pattern", D, {"name"}, {}, {Str("name"), StrList("aliases")}},
      {"campaign", D, {"name"}, {},
       {Str("name"), StrList("aliases"), Ts("first_seen"), Ts("last_seen")}},
      {"course-of-action", D, {"name"}, {}, {Str("name")}},
      {"grouping", D, {"context", "object_refs"}, {}, {Str("name"), Str("context")}},
      {"identity", D, {"name"}, {},
       {Str("name"), StrList("roles"), StrList("sectors"), Str("identity_class")}},
      {"incident", D, {"name"}, {}, {Str("name")}},
      {"indicator", D, {"pattern", "pattern_type", "valid_from"}, {},
       {Str("pattern"), Str("pattern_type"), Str("pattern_version"), Ts("valid_from"),
        Ts("valid_until"), StrList("indicator_types")}},
      {"infrastructure", D, {"name"}, {},
       {Str("name"), StrList("infrastructure_types"), StrList("aliases"), Ts("first_seen"),
        Ts("last_seen")}},
      {"intrusion-set", D, {"name"}, {},
       {Str("name"), StrList("aliases"), StrList("goals"), Ts("first_seen"), Ts("last_seen")}},
      {"location", D, {}, {"region|country|latitude"},
       {Num("latitude", -90, 90), Num("longitude", -180, 180), Num("precision", 0, 1e300),
        Str("region"), Str("country")},
       TypeRule::kLocationLatLong},
      {"malware", D, {"is_family"}, {},
       {Bool("is_family"), Str("name"), StrList("malware_types"), StrList("aliases"),
        Ts("first_seen"), Ts("last_seen")},
       TypeRule::kMalwareNameIfFamily},
      {"malware-analysis", D, {"product"}, {"result|analysis_sco_refs"},
       {Str("product"), Ts("submitted"), Ts("analysis_started"), Ts("analysis_ended")}},
      {"note", D, {"content", "object_refs"}, {}, {Str("content"), StrList("authors")}},
      {"observed-data", D, {"first_observed", "last_observed", "number_observed"},
       {"object_refs|objects"},
       {Ts("first_observed"), Ts("last_observed"), Int("number_observed", 1, kMaxCount),
        Dict("objects")}},
      {"opinion", D, {"opinion", "object_refs"}, {},
       {Enum("opinion",
             {"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"}),
        StrList("authors")}},
      {"report", D, {"name", "published", "object_refs"}, {},
       {Str("name"), Ts("published"), StrList("report_types")}},
      {"threat-actor", D, {"name"}, {},
       {Str("name"), StrList("threat_actor_types"), StrList("aliases"), StrList("roles"),
        StrList("goals"), Ts("first_seen"), Ts("last_seen")}},
      {"tool", D, {"name"}, {}, {Str("name"), StrList("tool_types"), StrList("aliases")}},
      {"vulnerability", D, {"name"}, {}, {Str("name")}},

      // ---- SROs (§5) ----
      {"relationship", R, {"relationship_type", "source_ref", "target_ref"}, {},
       {Str("relationship_type"), Ts("start_time"), Ts("stop_time")}},
      {"sighting", R, {"sighting_of_ref"}, {},
       {Ts("first_seen"), Ts("last_seen"), Int("count", 0, kMaxCount), Bool("summary")}},

      // ---- SCOs (§6) ----
      {"artifact", O, {}, {"payload_bin|url"},
       {Str("mime_type"), Str("payload_bin"), Str("url"), Dict("hashes")},
       TypeRule::kArtifactPayloadOrUrl},
      {"autonomous-system", O, {"number"}, {}, {Int("number", 0, 4294967295.0), Str("name")}},
      {"directory", O, {"path"}, {}, {Str("path"), Ts("ctime"), Ts("mtime"), Ts("atime")}},
      {"domain-name", O, {"value"}, {}, {Str("value")}},
      {"email-addr", O, {"value"}, {}, {Str("value"), Str("display_name")}},
      {"email-message", O, {"is_multipart"}, {},
       {Bool("is_multipart"), Ts("date"), Dict("additional_header_fields")}},
      {"file", O, {}, {"hashes|name"},
       {Dict("hashes"), Str("name"), Int("size", 0, 9007199254740992.0), Ts("ctime"),
        Ts("mtime"), Ts("atime")}},
      {"ipv4-addr", O, {"value"}, {}, {Str("value")}},
      {"ipv6-addr", O, {"value"}, {}, {Str("value")}},
      {"mac-addr", O, {"value"}, {}, {Str("value")}},
      {"mutex", O, {"name"}, {}, {Str("name")}},
      {"network-traffic", O, {"protocols"}, {"src_ref|dst_ref"},
       {StrList("protocols"), Ts("start"), Ts("end"), Bool("is_active"),
        Int("src_port", 0, 65535), Int("dst_port", 0, 65535)}},
      {"process", O, {}, {}, {Int("pid", 0, 9007199254740992.0), Ts("created_time")},
       TypeRule::kAtLeastOneOwnProperty},
      {"software", O, {"name"}, {}, {Str("name")}},
      {"url", O, {"value"}, {}, {Str("value")}},
      {"user-account", O, {}, {},
       {Ts("account_created"), Ts("account_expires"), Ts("credential_last_changed"),
        Ts("account_first_login"), Ts("account_last_login")},
       TypeRule::kAtLeastOneOwnProperty},
      {"windows-registry-key", O, {}, {}, {Ts("modified_time")},
       TypeRule::kAtLeastOneOwnProperty},
      {"x509-certificate", O, {}, {},
       {Ts("validity_not_before"), Ts("validity_not_after"), Dict("hashes")},
       TypeRule::kAtLeastOneOwnProperty},

      // ---- SMOs (§7) ----
      {"marking-definition", M, {}, {},
       {Str("name"), Str("definition_type"), Dict("definition")},
       TypeRule::kMarkingDefinitionBody},
      {"language-content", M, {"modified", "object_ref", "contents"}, {},
       {Ts("object_modified"), Dict("contents")}},
      {"extension-definition", M,
       {"modified", "created_by_ref", "name", "schema", "version", "extension_types"}, {},
       {Str("name"), Str("schema"), Str("version"),
        EnumList("extension_types", {"new-sdo", "new-sco", "new-sro", "property-extension",
                                     "toplevel-property-extension"}),
        StrList("extension_properties")}},
  };
}

}  // namespace

const std::vector<TypeSpec>& AllTypeSpecs() {
  static const std::vector<TypeSpec> table = BuildTable();
  return table;
}

const TypeSpec* FindTypeSpec(std::string_view type) {
  static const auto* const index = [] {
    auto* map = new std::unordered_map<std::string_view, const TypeSpec*>();
    for (const TypeSpec& spec : AllTypeSpecs()) map->emplace(spec.type, &spec);
    return map;
  }();
  auto it = index->find(type);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace tabadul::stix
