#include "intake/indicator_fields.h"

#include <boost/json.hpp>

#include "common/timestamp.h"
#include "pattern/parser.h"

namespace tabadul::intake {
namespace {

namespace json = boost::json;

// The string member `key` of `obj`: nullptr when absent, InvalidArgument when not a string.
Result<const json::string*> StringMember(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return static_cast<const json::string*>(nullptr);
  if (!v->is_string()) return InvalidArgument(std::string(key) + " is not a string");
  return &v->get_string();
}

Result<int64_t> TimestampMember(const json::object& obj, std::string_view key, bool required) {
  TABADUL_ASSIGN_OR_RETURN(const json::string* s, StringMember(obj, key));
  if (s == nullptr) {
    if (required) return InvalidArgument("indicator has no " + std::string(key));
    return pattern::kNoExpiry;
  }
  auto ts = ParseTimestamp(std::string_view(s->data(), s->size()));
  if (!ts.ok()) return InvalidArgument(std::string(key) + ": " + ts.status().message());
  return ts->nanos;
}

}  // namespace

Result<IndicatorFields> ReadIndicatorFields(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !doc.is_object()) return InvalidArgument("indicator is not a JSON object");
  const json::object& obj = doc.get_object();
  IndicatorFields f;
  TABADUL_ASSIGN_OR_RETURN(const json::string* pattern, StringMember(obj, "pattern"));
  TABADUL_ASSIGN_OR_RETURN(const json::string* type, StringMember(obj, "pattern_type"));
  TABADUL_ASSIGN_OR_RETURN(const json::string* name, StringMember(obj, "name"));
  if (pattern == nullptr) return InvalidArgument("indicator has no pattern");
  if (type == nullptr) return InvalidArgument("indicator has no pattern_type");
  f.pattern.assign(pattern->data(), pattern->size());
  f.pattern_type.assign(type->data(), type->size());
  if (name != nullptr) f.name.assign(name->data(), name->size());
  TABADUL_ASSIGN_OR_RETURN(f.valid_from_ns, TimestampMember(obj, "valid_from", true));
  TABADUL_ASSIGN_OR_RETURN(f.valid_until_ns, TimestampMember(obj, "valid_until", false));
  return f;
}

Status ValidateIndicator(const stix::StixObject& object) {
  if (object.type != "indicator") return Status::Ok();
  auto fields = ReadIndicatorFields(object.json);
  if (!fields.ok()) return InvalidArgument("[property-value] indicator: " + fields.status().message());
  if (fields->valid_until_ns != pattern::kNoExpiry &&
      fields->valid_until_ns <= fields->valid_from_ns) {
    return InvalidArgument("[property-value] valid_until: must be later than valid_from");
  }
  if (fields->pattern_type == "stix") {
    auto parsed = pattern::ParsePattern(fields->pattern);
    if (!parsed.ok()) return InvalidArgument("[pattern] pattern: " + parsed.status().message());
  }
  return Status::Ok();
}

}  // namespace tabadul::intake
