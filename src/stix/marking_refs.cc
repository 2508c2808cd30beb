#include "stix/marking_refs.h"

#include <algorithm>

#include <simdjson.h>

#include "stix/tlp.h"
#include "stix/validator.h"

namespace tabadul::stix {
namespace {

// A JSON string literal of `s` (RFC 8259 escapes; `s` is valid UTF-8 from a parsed document).
void AppendQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
  out->push_back('"');
}

}  // namespace

bool HasStandardTlpRef(const StixObject& object) {
  return std::any_of(object.object_marking_refs.begin(), object.object_marking_refs.end(),
                     [](const std::string& ref) { return TlpOfMarkingRef(ref).has_value(); });
}

Result<StixObject> WithObjectMarkingRef(const StixObject& object, std::string_view marking_id) {
  if (std::find(object.object_marking_refs.begin(), object.object_marking_refs.end(),
                marking_id) != object.object_marking_refs.end()) {
    return object;
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object doc;
  if (parser.parse(object.json).get(doc) != simdjson::SUCCESS) {
    return InvalidArgument("object " + object.id + " is not a JSON object");
  }
  std::string out;
  out.reserve(object.json.size() + marking_id.size() + 32);
  out.push_back('{');
  bool first = true;
  bool had_refs = false;
  for (auto field : doc) {
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(field.key, &out);
    out.push_back(':');
    simdjson::dom::array refs;
    if (field.key == "object_marking_refs" && field.value.get(refs) == simdjson::SUCCESS) {
      had_refs = true;
      out.push_back('[');
      for (auto ref : refs) {
        out += simdjson::to_string(ref);
        out.push_back(',');
      }
      AppendQuoted(marking_id, &out);
      out.push_back(']');
    } else {
      out += simdjson::to_string(field.value);
    }
  }
  if (!had_refs) {
    if (!first) out.push_back(',');
    out += "\"object_marking_refs\":[";
    AppendQuoted(marking_id, &out);
    out.push_back(']');
  }
  out.push_back('}');
  return ParseObject(out);
}

}  // namespace tabadul::stix
