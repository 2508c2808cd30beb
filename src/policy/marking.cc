#include "policy/marking.h"

#include <boost/json.hpp>

#include "common/timestamp.h"

namespace tabadul::policy {
namespace json = boost::json;
namespace {

Result<int64_t> TimeField(const json::value& v, std::string_view field) {
  if (!v.is_string()) return InvalidArgument("IEP " + std::string(field) + ": must be a timestamp");
  auto t = ParseTimestamp(v.as_string());
  if (!t.ok()) return InvalidArgument("IEP " + std::string(field) + ": " + t.status().message());
  return t->nanos / 1000;
}

Result<bool> MayOrMustNot(const json::value& v, std::string_view field) {
  if (v.is_string() && v.as_string() == "may") return true;
  if (v.is_string() && v.as_string() == "must-not") return false;
  return InvalidArgument("IEP " + std::string(field) + ": must be may or must-not");
}

Result<IepPolicy> ParseIepObject(std::string_view id, const json::object& o) {
  IepPolicy p;
  p.id = std::string(id);
  for (const auto& [key, v] : o) {
    if (key == "name" && v.is_string()) {
      p.name = std::string(v.as_string());
    } else if (key == "start_date") {
      TABADUL_ASSIGN_OR_RETURN(p.start_us, TimeField(v, key));
    } else if (key == "end_date") {
      TABADUL_ASSIGN_OR_RETURN(p.end_us, TimeField(v, key));
    } else if (key == "encrypt_in_transit") {
      auto e = v.is_string() ? ParseEncrypt(v.as_string()) : std::nullopt;
      if (!e) return InvalidArgument("IEP encrypt_in_transit: must be may or must");
      p.encrypt_in_transit = *e;
    } else if (key == "permitted_actions") {
      auto a = v.is_string() ? ParsePermittedAction(v.as_string()) : std::nullopt;
      if (!a) return InvalidArgument("IEP permitted_actions: not an IEP 2.0 value");
      p.permitted_actions = *a;
    } else if (key == "provider_attribution" || key == "attribution") {
      auto a = v.is_string() ? ParseAttribution(v.as_string()) : std::nullopt;
      if (!a) return InvalidArgument("IEP provider_attribution: must be may, must or must-not");
      p.attribution = *a;
    } else if (key == "tlp") {
      auto t = v.is_string() ? stix::ParseTlpName(v.as_string()) : std::nullopt;
      if (!t) return InvalidArgument("IEP tlp: must be red, amber, green or white");
      p.tlp = *t;
    } else if (key == "affected_party_notifications") {
      TABADUL_ASSIGN_OR_RETURN(p.affected_party_notifications, MayOrMustNot(v, key));
    } else if (key == "unmodified_resale") {
      TABADUL_ASSIGN_OR_RETURN(p.unmodified_resale, MayOrMustNot(v, key));
    }
    // iep_id, iep_version, description, external_references, extension_type: identity only.
  }
  if (p.end_us <= p.start_us) return InvalidArgument("IEP end_date: must be after start_date");
  return p;
}

const json::object* ExtensionBody(const json::object& o, std::string_view ext_id) {
  const json::value* ext = o.if_contains("extensions");
  if (!ext || !ext->is_object()) return nullptr;
  const json::value* body = ext->as_object().if_contains(ext_id);
  return body && body->is_object() ? &body->as_object() : nullptr;
}

}  // namespace

Result<IepPolicy> ParseIepExtension(std::string_view id, std::string_view extension_json) {
  boost::system::error_code ec;
  json::value v = json::parse(extension_json, ec);
  if (ec || !v.is_object()) return InvalidArgument("IEP extension: malformed JSON object");
  return ParseIepObject(id, v.as_object());
}

Result<bool> MarkingRegistry::Add(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return InvalidArgument("marking definition: malformed JSON object");
  const json::object& o = v.as_object();
  const json::value* type = o.if_contains("type");
  const json::value* id = o.if_contains("id");
  if (!type || !type->is_string() || type->as_string() != "marking-definition" || !id ||
      !id->is_string()) {
    return InvalidArgument("marking definition: not a marking-definition object with an id");
  }
  const std::string mid(id->as_string());
  if (stix::TlpOfMarkingRef(mid) || tlp_.count(mid) || iep_.count(mid)) return false;

  if (const json::object* iep = ExtensionBody(o, kIepExtensionId)) {
    TABADUL_ASSIGN_OR_RETURN(IepPolicy p, ParseIepObject(mid, *iep));
    iep_.emplace(mid, std::move(p));
    return true;
  }
  if (const json::object* tlp2 = ExtensionBody(o, stix::kTlp2ExtensionId)) {
    const json::value* level = tlp2->if_contains("tlp_2_0");
    auto t = level && level->is_string() ? stix::ParseTlpName(level->as_string()) : std::nullopt;
    if (!t) return InvalidArgument("marking definition " + mid + ": tlp_2_0: not a TLP 2.0 level");
    tlp_.emplace(mid, *t);
    return true;
  }
  const json::value* dtype = o.if_contains("definition_type");
  if (dtype && dtype->is_string() && dtype->as_string() == "tlp") {
    const json::value* def = o.if_contains("definition");
    const json::value* level =
        def && def->is_object() ? def->as_object().if_contains("tlp") : nullptr;
    auto t = level && level->is_string() ? stix::ParseTlpName(level->as_string()) : std::nullopt;
    if (!t) return InvalidArgument("marking definition " + mid + ": definition.tlp: not a TLP level");
    tlp_.emplace(mid, *t);
    return true;
  }
  return false;
}

MarkingMeaning MarkingRegistry::Lookup(std::string_view id) const {
  MarkingMeaning m;
  if (auto t = stix::TlpOfMarkingRef(id)) {
    m.tlp = *t;
    return m;
  }
  const std::string key(id);
  if (auto it = tlp_.find(key); it != tlp_.end()) {
    m.tlp = it->second;
  } else if (auto it2 = iep_.find(key); it2 != iep_.end()) {
    m.iep = &it2->second;
    m.tlp = it2->second.tlp;
  }
  return m;
}

}  // namespace tabadul::policy
