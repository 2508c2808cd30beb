// ParseObject(): one STIX 2.1 object from JSON text to a validated StixObject.
//
// The object is parsed once into a simdjson DOM (a thread_local parser, so no shared state), and
// then checked in a fixed order, so that an object with several defects always gets the same
// refusal:
//   1. json          the text is one JSON object, nested at most kMaxDepth deep, with no
//                    duplicate key in any object (JSON parsers disagree on which one wins);
//   2. type / id     `type` and `id` exist and are well formed, the id's prefix is the type;
//   3. structure     a walk over every value: no empty list, integers within 54 bits, every
//                    *_ref / *_refs value a STIX id (property names ending so are references
//                    wherever they occur, except inside the deprecated observed-data `objects`
//                    dictionary, whose references are local keys). The values of custom
//                    properties (top-level names starting "x_") are opaque: only the integer
//                    rule reaches into them (MITRE ATT&CK has `x_mitre_data_source_ref: ""`
//                    and empty lists inside `x_mitre_related_assets`, which the OASIS
//                    validator accepts);
//   4. spec_version, required properties (the class's, then the type table's), property names,
//      timestamps, modified >= created, property values, the type's conditional rule, markings.
// What each type requires lives in ONE table (type_table.cc); this file only applies it.
// Every refusal is InvalidArgument("[rule] property: text"); nested properties are named by a
// path such as `external_references[0].source_name`.
#include "stix/validator.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/timestamp.h"
#include "stix/id.h"
#include "stix/object_stream.h"
#include "stix/type_table.h"

namespace tabadul::stix {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr int64_t kMaxSafeInteger = 9007199254740992;  // 2^53

Status Refuse(std::string_view rule, std::string_view property, std::string_view text) {
  std::string m;
  m.reserve(rule.size() + property.size() + text.size() + 5);
  m.append("[").append(rule).append("] ").append(property).append(": ").append(text);
  return InvalidArgument(std::move(m));
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out.append("...");
  out.append("'");
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// ---- 1. JSON shape ------------------------------------------------------------------------

// The first key that occurs twice in `o`, or empty. Duplicate keys are refused because JSON
// parsers disagree on which value wins: a second `object_marking_refs` could otherwise show a
// consumer a different marking than the one this server enforced.
std::string_view DuplicateKey(object o) {
  constexpr size_t kSmall = 12;
  if (o.size() <= kSmall) {
    std::string_view keys[kSmall];
    size_t n = 0;
    for (auto field : o) {
      for (size_t i = 0; i < n; ++i) {
        if (keys[i] == field.key) return field.key;
      }
      keys[n++] = field.key;
    }
    return {};
  }
  std::vector<std::string_view> keys;
  keys.reserve(o.size());
  for (auto field : o) keys.push_back(field.key);
  std::sort(keys.begin(), keys.end());
  auto dup = std::adjacent_find(keys.begin(), keys.end());
  return dup == keys.end() ? std::string_view() : *dup;
}

// Nesting depth (counted in containers, the object itself is 1) at most `limit`, and no
// object with a duplicate key.
Status JsonShape(element e, int limit) {
  if (!e.is_object() && !e.is_array()) return Status::Ok();
  if (limit == 0) {
    return Refuse("json", "$", "nesting deeper than " + std::to_string(ObjectStream::kMaxDepth) +
                  " levels");
  }
  if (e.is_array()) {
    for (element child : array(e)) TABADUL_RETURN_IF_ERROR(JsonShape(child, limit - 1));
    return Status::Ok();
  }
  std::string_view dup = DuplicateKey(object(e));
  if (!dup.empty()) return Refuse("json", dup, "duplicate property name");
  for (auto field : object(e)) TABADUL_RETURN_IF_ERROR(JsonShape(field.value, limit - 1));
  return Status::Ok();
}

// ---- 3. structure walk --------------------------------------------------------------------

// Walks every value, keeping the path for messages. Each path segment is a key or an index.
class StructureWalk {
 public:
  explicit StructureWalk(bool local_refs_in_objects) : local_objects_(local_refs_in_objects) {}

  Status Run(object root) { return WalkObject(root, /*top=*/true); }

 private:
  struct Segment {
    std::string_view key;
    size_t index = 0;
    bool is_index = false;
  };

  std::string Path() const {
    std::string p;
    for (const Segment& s : path_) {
      if (s.is_index) {
        p += "[" + std::to_string(s.index) + "]";
      } else {
        if (!p.empty()) p += ".";
        p.append(s.key);
      }
    }
    return p;
  }

  Status WalkObject(object o, bool top) {
    for (auto field : o) {
      path_.push_back({field.key, 0, false});
      bool skip_refs = top && local_objects_ && field.key == "objects";
      if (top && field.key.starts_with("x_")) {
        // A custom property's value is opaque: only the JSON-level integer rule applies.
        TABADUL_RETURN_IF_ERROR(IntegersOnly(field.value));
        path_.pop_back();
        continue;
      }
      if (skip_refs) ++local_depth_;
      Status st = CheckReference(field.key, field.value);
      if (st.ok()) st = WalkValue(field.value);
      if (skip_refs) --local_depth_;
      if (!st.ok()) return st;
      path_.pop_back();
    }
    return Status::Ok();
  }

  Status IntegersOnly(element e) {
    if (e.is_object()) {
      for (auto field : object(e)) TABADUL_RETURN_IF_ERROR(IntegersOnly(field.value));
    } else if (e.is_array()) {
      for (element child : array(e)) TABADUL_RETURN_IF_ERROR(IntegersOnly(child));
    } else if (e.type() == element_type::INT64 || e.type() == element_type::UINT64) {
      return WalkValue(e);
    }
    return Status::Ok();
  }

  Status WalkValue(element e) {
    switch (e.type()) {
      case element_type::OBJECT:
        return WalkObject(object(e), false);
      case element_type::ARRAY: {
        array a(e);
        if (a.size() == 0) return Refuse("empty-list", Path(), "lists must not be empty");
        size_t i = 0;
        for (element child : a) {
          path_.push_back({{}, i++, true});
          TABADUL_RETURN_IF_ERROR(WalkValue(child));
          path_.pop_back();
        }
        return Status::Ok();
      }
      case element_type::INT64: {
        int64_t v = int64_t(e);
        if (v > kMaxSafeInteger || v < -kMaxSafeInteger) {
          return Refuse("integer-range", Path(), std::to_string(v) + " does not fit in 54 bits");
        }
        return Status::Ok();
      }
      case element_type::UINT64:
        return Refuse("integer-range", Path(),
                      std::to_string(uint64_t(e)) + " does not fit in 54 bits");
      default:
        return Status::Ok();
    }
  }

  Status CheckReference(std::string_view key, element value) {
    if (local_depth_ > 0) return Status::Ok();
    if (EndsWith(key, "_ref")) {
      std::string_view s;
      if (value.get_string().get(s) || !IsValidId(s)) {
        return Refuse("reference", Path(), "must be a STIX identifier <type>--<UUID>");
      }
    } else if (EndsWith(key, "_refs")) {
      if (!value.is_array()) {
        return Refuse("reference", Path(), "must be a list of STIX identifiers");
      }
      size_t i = 0;
      for (element item : array(value)) {
        std::string_view s;
        if (item.get_string().get(s) || !IsValidId(s)) {
          path_.push_back({{}, i, true});
          return Refuse("reference", Path(), "must be a STIX identifier <type>--<UUID>");
        }
        ++i;
      }
    }
    return Status::Ok();
  }

  bool local_objects_;
  int local_depth_ = 0;
  std::vector<Segment> path_;
};

// ---- 2. type and id -----------------------------------------------------------------------

bool IsValidTypeName(std::string_view t) {
  if (t.size() < 3 || t.size() > 250) return false;
  if (t.front() == '-' || t.back() == '-') return false;
  char prev = 0;
  for (char c : t) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

bool IsValidPropertyName(std::string_view name) {
  if (name != "id" && (name.size() < 3 || name.size() > 250)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// ---- 4. the checks driven by the type table -----------------------------------------------

class ObjectChecks {
 public:
  ObjectChecks(element root, std::string_view type, const TypeSpec* spec)
      : root_(root), o_(object(root)), type_(type), spec_(spec),
        class_(spec ? spec->object_class : ObjectClass::kCustom) {}

  ObjectClass object_class() const { return class_; }

  bool Has(std::string_view name) const { return !o_.at_key(name).error(); }

  Status SpecVersion(std::string_view* out) const {
    element v;
    if (o_.at_key("spec_version").get(v)) {
      if (class_ != ObjectClass::kCyberObservable) {
        return Refuse("spec-version", "spec_version", std::string(type_) +
                      " requires property 'spec_version' (\"2.1\")");
      }
      *out = "2.1";
      return Status::Ok();
    }
    std::string_view s;
    if (v.get_string().get(s) || s != "2.1") {
      return Refuse("spec-version", "spec_version", "must be \"2.1\"");
    }
    *out = s;
    return Status::Ok();
  }

  Status Required() const {
    static const std::vector<std::string_view> kVersioned = {"created", "modified"};
    static const std::vector<std::string_view> kMetaCommon = {"created"};
    static const std::vector<std::string_view> kNone;
    const auto& common = class_ == ObjectClass::kCyberObservable ? kNone
                         : class_ == ObjectClass::kMeta          ? kMetaCommon
                                                                 : kVersioned;
    for (std::string_view name : common) TABADUL_RETURN_IF_ERROR(RequireOne(name));
    if (!spec_) return Status::Ok();
    for (std::string_view name : spec_->required) TABADUL_RETURN_IF_ERROR(RequireOne(name));
    for (std::string_view group : spec_->any_of) TABADUL_RETURN_IF_ERROR(RequireAnyOf(group));
    return Status::Ok();
  }

  Status PropertyNames() const {
    for (auto field : o_) {
      if (!IsValidPropertyName(field.key)) {
        return Refuse("property-name", field.key,
                      "property names are 3-250 characters of [a-z0-9_]");
      }
    }
    element ext;
    if (!o_.at_key("extensions").get(ext) && ext.is_object()) {
      for (auto e : object(ext)) {
        if (!e.key.starts_with("extension-definition--") || !e.value.is_object()) continue;
        for (auto f : object(e.value)) {
          if (!IsValidPropertyName(f.key)) {
            return Refuse("property-name", "extensions." + std::string(e.key) + "." +
                          std::string(f.key), "property names are 3-250 characters of [a-z0-9_]");
          }
        }
      }
    }
    return Status::Ok();
  }

  // created/modified (millisecond precision at least), then the table's timestamps.
  Status Timestamps(StixObject* out) const {
    if (class_ != ObjectClass::kCyberObservable) {
      TABADUL_RETURN_IF_ERROR(VersionTimestamp("created", &out->created, &out->created_ns));
      TABADUL_RETURN_IF_ERROR(VersionTimestamp("modified", &out->modified, &out->modified_ns));
      if (!out->created.empty() && !out->modified.empty() && out->modified_ns < out->created_ns) {
        return Refuse("modified-before-created", "modified",
                      Quote(out->modified) + " is earlier than created " + Quote(out->created));
      }
    }
    if (!spec_) return Status::Ok();
    for (const PropertySpec& p : spec_->properties) {
      if (p.kind != ValueKind::kTimestamp) continue;
      element v;
      if (o_.at_key(p.name).get(v)) continue;
      std::string_view s;
      if (v.get_string().get(s) || !TimestampSyntaxOk(s)) {
        return Refuse("timestamp", p.name, "must be an RFC 3339 UTC timestamp ending in 'Z'");
      }
    }
    return Status::Ok();
  }

  Status CommonValues() const {
    element v;
    if (!o_.at_key("revoked").get(v) && !v.is_bool()) {
      return Refuse("property-value", "revoked", "must be a boolean");
    }
    if (!o_.at_key("defanged").get(v)) {
      if (!v.is_bool()) return Refuse("property-value", "defanged", "must be a boolean");
      if (class_ != ObjectClass::kCyberObservable) {
        return Refuse("property-value", "defanged", "is only allowed on cyber-observable objects");
      }
    }
    if (!o_.at_key("confidence").get(v)) {
      int64_t c;
      if (v.get_int64().get(c) || c < 0 || c > 100) {
        return Refuse("property-value", "confidence", "must be an integer from 0 to 100");
      }
    }
    if (!o_.at_key("lang").get(v) && !v.is_string()) {
      return Refuse("property-value", "lang", "must be a string (RFC 5646 tag)");
    }
    TABADUL_RETURN_IF_ERROR(CheckValue({"labels", ValueKind::kStringList}));
    TABADUL_RETURN_IF_ERROR(CheckValue({"object_marking_refs", ValueKind::kStringList}));
    TABADUL_RETURN_IF_ERROR(ReferenceType("created_by_ref", "identity"));
    TABADUL_RETURN_IF_ERROR(ExternalReferences());
    TABADUL_RETURN_IF_ERROR(KillChainPhases());
    return Extensions();
  }

  Status TableValues() const {
    if (!spec_) return Status::Ok();
    for (const PropertySpec& p : spec_->properties) {
      if (p.kind != ValueKind::kTimestamp) TABADUL_RETURN_IF_ERROR(CheckValue(p));
    }
    return Status::Ok();
  }

  Status TypeSpecificRule() const {
    if (!spec_) return Status::Ok();
    switch (spec_->rule) {
      case TypeRule::kNone:
        return Status::Ok();
      case TypeRule::kMalwareNameIfFamily: {
        bool family = false;
        element v;
        if (!o_.at_key("is_family").get(v) && v.get_bool().get(family)) family = false;
        if (family && !Has("name")) {
          return Refuse("required-property", "name",
                        "malware with is_family true requires property 'name'");
        }
        return Status::Ok();
      }
      case TypeRule::kLocationLatLong:
        if (Has("latitude") != Has("longitude")) {
          std::string_view missing = Has("latitude") ? "longitude" : "latitude";
          return Refuse("required-property", missing,
                        "location requires latitude and longitude together");
        }
        if (Has("precision") && !Has("latitude")) {
          return Refuse("required-property", "latitude",
                        "location with precision requires latitude and longitude");
        }
        return Status::Ok();
      case TypeRule::kMarkingDefinitionBody:
        if (Has("extensions") && !Has("definition_type") && !Has("definition")) {
          return Status::Ok();
        }
        TABADUL_RETURN_IF_ERROR(RequireOne("definition_type"));
        return RequireOne("definition");
      case TypeRule::kArtifactPayloadOrUrl:
        if (Has("payload_bin") && Has("url")) {
          return Refuse("property-value", "url", "artifact must not have both payload_bin and url");
        }
        if (Has("url") && !Has("hashes")) {
          return Refuse("required-property", "hashes",
                        "artifact with url requires property 'hashes'");
        }
        return Status::Ok();
      case TypeRule::kAtLeastOneOwnProperty: {
        static const std::vector<std::string_view> kCommon = {
            "type", "id", "spec_version", "object_marking_refs", "granular_markings",
            "defanged"};
        for (auto field : o_) {
          if (std::find(kCommon.begin(), kCommon.end(), field.key) == kCommon.end()) {
            return Status::Ok();
          }
        }
        return Refuse("required-property", "properties",
                      std::string(type_) + " requires at least one property of its own");
      }
    }
    return Status::Ok();
  }

  // object_marking_refs without self-reference; granular markings well formed.
  Status Markings(std::string_view id, StixObject* out) const {
    element v;
    if (!o_.at_key("object_marking_refs").get(v)) {
      for (element ref : array(v)) {
        std::string_view s = std::string_view(ref);
        if (s == id) {
          return Refuse("marking", "object_marking_refs", "an object must not mark itself");
        }
        if (!s.starts_with("marking-definition--")) {
          return Refuse("reference", "object_marking_refs",
                        Quote(s) + " is not a marking-definition id");
        }
        out->object_marking_refs.emplace_back(s);
      }
    }
    if (o_.at_key("granular_markings").get(v)) return Status::Ok();
    if (!v.is_array()) {
      return Refuse("marking", "granular_markings", "must be a list of granular markings");
    }
    size_t i = 0;
    for (element gm : array(v)) {
      std::string where = "granular_markings[" + std::to_string(i++) + "]";
      TABADUL_RETURN_IF_ERROR(GranularMarkingOf(gm, where, id, out));
    }
    return Status::Ok();
  }

 private:
  Status RequireOne(std::string_view name) const {
    if (Has(name)) return Status::Ok();
    return Refuse("required-property", name,
                  std::string(type_) + " requires property '" + std::string(name) + "'");
  }

  Status RequireAnyOf(std::string_view group) const {
    std::string_view rest = group;
    std::string names;
    while (!rest.empty()) {
      size_t bar = rest.find('|');
      std::string_view name = rest.substr(0, bar);
      if (Has(name)) return Status::Ok();
      names += (names.empty() ? "'" : ", '") + std::string(name) + "'";
      rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    }
    std::string_view first = group.substr(0, group.find('|'));
    return Refuse("required-property", first,
                  std::string(type_) + " requires at least one of " + names);
  }

  static bool TimestampSyntaxOk(std::string_view s) {
    // Syntax only: the year range of ParseTimestamp (1678..2261) is a representation limit,
    // not a STIX rule, so far-future valid_until values must pass. Year 2000 is a leap year,
    // hence February 29 stays acceptable whatever the real year.
    if (s.size() < 20 || s.size() > 64) return false;
    for (int i = 0; i < 4; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    std::string copy(s);
    copy.replace(0, 4, "2000");
    return ParseTimestamp(copy).ok();
  }

  Status VersionTimestamp(std::string_view name, std::string* text, int64_t* ns) const {
    element v;
    if (o_.at_key(name).get(v)) return Status::Ok();
    std::string_view s;
    if (v.get_string().get(s)) {
      return Refuse("timestamp", name, "must be an RFC 3339 UTC timestamp string");
    }
    auto parsed = ParseTimestamp(s);
    if (!parsed.ok()) return Refuse("timestamp", name, Quote(s) + ": " + parsed.status().message());
    if (parsed->fraction_digits < 3) {
      return Refuse("timestamp", name, Quote(s) + " must have at least millisecond precision");
    }
    *text = std::string(s);
    *ns = parsed->nanos;
    return Status::Ok();
  }

  Status CheckValue(const PropertySpec& p) const {
    element v;
    if (o_.at_key(p.name).get(v)) return Status::Ok();
    return CheckValueOf(v, p, p.name);
  }

  static Status CheckValueOf(element v, const PropertySpec& p, std::string_view where) {
    switch (p.kind) {
      case ValueKind::kString:
        if (!v.is_string()) return Refuse("property-value", where, "must be a string");
        return Status::Ok();
      case ValueKind::kBoolean:
        if (!v.is_bool()) return Refuse("property-value", where, "must be a boolean");
        return Status::Ok();
      case ValueKind::kInteger: {
        if (!v.is_int64()) return Refuse("property-value", where, "must be an integer");
        int64_t n = int64_t(v);
        if (double(n) < p.min || double(n) > p.max) {
          return Refuse("property-value", where, std::to_string(n) + " is out of range");
        }
        return Status::Ok();
      }
      case ValueKind::kNumber: {
        double d;
        if (v.is_double()) {
          d = double(v);
        } else if (v.is_int64()) {
          d = double(int64_t(v));
        } else {
          return Refuse("property-value", where, "must be a number");
        }
        if (d < p.min || d > p.max) return Refuse("property-value", where, "is out of range");
        return Status::Ok();
      }
      case ValueKind::kTimestamp:
        return Status::Ok();  // checked by Timestamps()
      case ValueKind::kObject:
        if (!v.is_object()) return Refuse("property-value", where, "must be a dictionary");
        return Status::Ok();
      case ValueKind::kStringList:
      case ValueKind::kEnumList: {
        if (!v.is_array()) return Refuse("property-value", where, "must be a list");
        for (element item : array(v)) {
          if (!item.is_string()) {
            return Refuse("property-value", where, "must be a list of strings");
          }
          if (p.kind == ValueKind::kEnumList && !InValues(std::string_view(item), p)) {
            return Refuse("property-value", where,
                          Quote(std::string_view(item)) + " is not an allowed value");
          }
        }
        return Status::Ok();
      }
      case ValueKind::kEnum: {
        std::string_view s;
        if (v.get_string().get(s) || !InValues(s, p)) {
          return Refuse("property-value", where, "is not one of the allowed values");
        }
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  static bool InValues(std::string_view s, const PropertySpec& p) {
    return std::find(p.values.begin(), p.values.end(), s) != p.values.end();
  }

  Status ReferenceType(std::string_view name, std::string_view target_type) const {
    element v;
    std::string_view s;
    if (o_.at_key(name).get(v) || v.get_string().get(s)) return Status::Ok();
    if (s.substr(0, s.find("--")) != target_type) {
      return Refuse("reference", name, "must reference a " + std::string(target_type));
    }
    return Status::Ok();
  }

  // A list of objects, each with the listed string properties required.
  Status ListOfRecords(std::string_view name, std::initializer_list<std::string_view> required,
                       bool needs_detail) const {
    element v;
    if (o_.at_key(name).get(v)) return Status::Ok();
    if (!v.is_array()) return Refuse("property-value", name, "must be a list");
    size_t i = 0;
    for (element item : array(v)) {
      std::string where = std::string(name) + "[" + std::to_string(i++) + "]";
      if (!item.is_object()) return Refuse("property-value", where, "must be an object");
      object rec(item);
      for (std::string_view req : required) {
        element f;
        std::string path = where + "." + std::string(req);
        if (rec.at_key(req).get(f)) {
          return Refuse("required-property", path, "requires property '" + std::string(req) + "'");
        }
        if (!f.is_string()) return Refuse("property-value", path, "must be a string");
      }
      if (needs_detail && rec.at_key("description").error() && rec.at_key("url").error() &&
          rec.at_key("external_id").error()) {
        return Refuse("required-property", where + ".external_id",
                      "an external reference needs one of description, url, external_id");
      }
    }
    return Status::Ok();
  }

  Status ExternalReferences() const {
    return ListOfRecords("external_references", {"source_name"}, /*needs_detail=*/true);
  }

  Status KillChainPhases() const {
    return ListOfRecords("kill_chain_phases", {"kill_chain_name", "phase_name"}, false);
  }

  // `extensions` is a dictionary; an extension-definition key is a valid id whose value says
  // which kind of extension it is.
  Status Extensions() const {
    element v;
    if (o_.at_key("extensions").get(v)) return Status::Ok();
    if (!v.is_object()) return Refuse("property-value", "extensions", "must be a dictionary");
    for (auto e : object(v)) {
      std::string where = "extensions." + std::string(e.key);
      if (!e.value.is_object()) return Refuse("property-value", where, "must be an object");
      if (!e.key.starts_with("extension-definition--")) continue;
      if (!IsValidId(e.key)) {
        return Refuse("reference", where, "extension key must be an extension-definition id");
      }
      static const PropertySpec kExtensionType = {
          "extension_type", ValueKind::kEnum, 0, 0,
          {"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}};
      element t;
      if (object(e.value).at_key("extension_type").get(t)) {
        return Refuse("required-property", where + ".extension_type",
                      "an extension-definition extension requires 'extension_type'");
      }
      TABADUL_RETURN_IF_ERROR(CheckValueOf(t, kExtensionType, where + ".extension_type"));
    }
    return Status::Ok();
  }

  // True when `selector` (dot-separated keys and "[n]" list indices, STIX 2.1 §7.2.3.1, e.g.
  // "external_references.[0].source_name") names content present in the object.
  bool SelectorMatches(std::string_view selector) const {
    element at = root_;
    while (true) {
      size_t dot = selector.find('.');
      std::string_view step = selector.substr(0, dot);
      if (step.empty()) return false;
      if (step.front() == '[' && step.back() == ']' && step.size() > 2) {
        size_t index = 0;
        for (char c : step.substr(1, step.size() - 2)) {
          if (c < '0' || c > '9' || index > 1000000000) return false;
          index = index * 10 + size_t(c - '0');
        }
        if (!at.is_array() || at.at(index).get(at)) return false;
      } else if (!at.is_object() || object(at).at_key(step).get(at)) {
        return false;
      }
      if (dot == std::string_view::npos) return true;
      selector.remove_prefix(dot + 1);
    }
  }

  Status GranularMarkingOf(element gm, const std::string& where, std::string_view id,
                           StixObject* out) const {
    if (!gm.is_object()) return Refuse("marking", where, "must be an object");
    object g(gm);
    element selectors, ref, lang;
    bool has_ref = !g.at_key("marking_ref").get(ref);
    bool has_lang = !g.at_key("lang").get(lang);
    if (g.at_key("selectors").get(selectors) || !selectors.is_array()) {
      return Refuse("marking", where + ".selectors", "a granular marking requires selectors");
    }
    if (has_ref == has_lang) {
      return Refuse("marking", where,
                    "a granular marking has exactly one of 'marking_ref' and 'lang'");
    }
    GranularMarking marking;
    size_t i = 0;
    for (element s : array(selectors)) {
      std::string at = where + ".selectors[" + std::to_string(i++) + "]";
      if (!s.is_string()) return Refuse("marking", at, "must be a string");
      if (!SelectorMatches(std::string_view(s))) {
        return Refuse("marking", at, Quote(std::string_view(s)) +
                      " does not select content present in the object");
      }
      marking.selectors.emplace_back(std::string_view(s));
    }
    if (has_ref) {
      std::string_view r;
      if (ref.get_string().get(r) || !r.starts_with("marking-definition--")) {
        return Refuse("reference", where + ".marking_ref", "must be a marking-definition id");
      }
      if (r == id) return Refuse("marking", where + ".marking_ref", "must not mark itself");
      marking.marking_ref = std::string(r);
    } else {
      std::string_view l;
      if (lang.get_string().get(l)) return Refuse("marking", where + ".lang", "must be a string");
      marking.lang = std::string(l);
    }
    out->granular_markings.push_back(std::move(marking));
    return Status::Ok();
  }

  element root_;
  object o_;
  std::string_view type_;
  const TypeSpec* spec_;
  ObjectClass class_;
};

Status TypeAndId(object o, std::string_view* type, std::string_view* id) {
  element v;
  if (o.at_key("type").get(v)) return Refuse("required-property", "type", "requires property 'type'");
  if (v.get_string().get(*type) || !IsValidTypeName(*type)) {
    return Refuse("type-syntax", "type",
                  "must be 3-250 characters of [a-z0-9-] without leading, trailing or double '-'");
  }
  if (o.at_key("id").get(v)) {
    return Refuse("required-property", "id", std::string(*type) + " requires property 'id'");
  }
  if (v.get_string().get(*id) || !IsValidId(*id)) {
    return Refuse("id-syntax", "id", (v.is_string() ? Quote(*id) : std::string("value")) +
                  " is not <type>--<RFC 4122 UUID>");
  }
  if (id->substr(0, id->find("--")) != *type) {
    return Refuse("id-syntax", "id", Quote(*id) + " does not begin with its type '" +
                  std::string(*type) + "--'");
  }
  return Status::Ok();
}

void FillCommon(object o, StixObject* out) {
  element v;
  bool revoked = false;
  if (!o.at_key("revoked").get(v) && !v.get_bool().get(revoked)) out->revoked = revoked;
  std::string_view s;
  if (!o.at_key("created_by_ref").get(v) && !v.get_string().get(s)) out->created_by_ref = s;
  if (!o.at_key("labels").get(v) && v.is_array()) {
    for (element l : array(v)) out->labels.emplace_back(std::string_view(l));
  }
}

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace

Result<StixObject> ParseObject(std::string_view json) {
  element root;
  auto error = ThreadParser().parse(json.data(), json.size(), /*realloc_if_needed=*/true).get(root);
  if (error) {
    return Refuse("json", "$", std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  if (!root.is_object()) return Refuse("json", "$", "a STIX object must be a JSON object");
  TABADUL_RETURN_IF_ERROR(JsonShape(root, ObjectStream::kMaxDepth));
  object o(root);
  StixObject out;
  std::string_view type, id;
  TABADUL_RETURN_IF_ERROR(TypeAndId(o, &type, &id));
  const TypeSpec* spec = FindTypeSpec(type);
  ObjectChecks checks(root, type, spec);

  StructureWalk walk(/*local_refs_in_objects=*/type == "observed-data");
  TABADUL_RETURN_IF_ERROR(walk.Run(o));

  std::string_view spec_version;
  TABADUL_RETURN_IF_ERROR(checks.SpecVersion(&spec_version));
  TABADUL_RETURN_IF_ERROR(checks.Required());
  TABADUL_RETURN_IF_ERROR(checks.PropertyNames());
  TABADUL_RETURN_IF_ERROR(checks.Timestamps(&out));
  TABADUL_RETURN_IF_ERROR(checks.CommonValues());
  TABADUL_RETURN_IF_ERROR(checks.TableValues());
  TABADUL_RETURN_IF_ERROR(checks.TypeSpecificRule());
  TABADUL_RETURN_IF_ERROR(checks.Markings(id, &out));

  out.id = std::string(id);
  out.type = std::string(type);
  out.spec_version = std::string(spec_version);
  out.object_class = checks.object_class();
  FillCommon(o, &out);
  out.json = std::string(json);
  return out;
}

std::string ExtractId(std::string_view json) {
  element root;
  std::string_view id;
  if (!ThreadParser().parse(json.data(), json.size(), true).get(root) && root.is_object() &&
      !object(root).at_key("id").get_string().get(id)) {
    return std::string(id);
  }
  // Malformed JSON: look for the first `"id"` key followed by a plain string.
  size_t pos = 0;
  while ((pos = json.find("\"id\"", pos)) != std::string_view::npos) {
    size_t i = pos + 4;
    while (i < json.size() && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' ||
                               json[i] == '\r')) ++i;
    if (i < json.size() && json[i] == ':') {
      ++i;
      while (i < json.size() && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' ||
                                 json[i] == '\r')) ++i;
      if (i < json.size() && json[i] == '"') {
        size_t end = json.find('"', i + 1);
        if (end != std::string_view::npos && end - i - 1 <= 300 &&
            json.substr(i + 1, end - i - 1).find('\\') == std::string_view::npos) {
          return std::string(json.substr(i + 1, end - i - 1));
        }
      }
    }
    pos += 4;
  }
  return "";
}

std::optional<Refusal> ParseRefusal(const Status& status) {
  const std::string& m = status.message();
  if (status.ok() || m.empty() || m[0] != '[') return std::nullopt;
  size_t close = m.find("] ");
  if (close == std::string::npos) return std::nullopt;
  size_t colon = m.find(": ", close + 2);
  if (colon == std::string::npos) return std::nullopt;
  return Refusal{m.substr(1, close - 1), m.substr(close + 2, colon - close - 2)};
}

}  // namespace tabadul::stix
