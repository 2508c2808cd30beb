#include "policy/marking.h"

#include <algorithm>

#include <boost/json.hpp>

#include "common/timestamp.h"

namespace tabadul::policy {

std::string MarkingScope(std::string_view provider_org, std::string_view origin) {
  std::string scope(provider_org);
  if (!origin.empty()) {
    scope += '\x1f';  // neither an identity id nor a peer name contains it
    scope += origin;
  }
  return scope;
}
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

IepPolicy Strictest(const IepPolicy& a, const IepPolicy& b) {
  IepPolicy p = a;
  p.start_us = std::max(a.start_us, b.start_us);
  p.end_us = std::min(a.end_us, b.end_us);
  p.encrypt_in_transit = std::max(a.encrypt_in_transit, b.encrypt_in_transit);
  p.permitted_actions = std::min(a.permitted_actions, b.permitted_actions);
  p.attribution = std::max(a.attribution, b.attribution);  // may < must < must-not
  if (a.tlp && b.tlp) {
    p.tlp = stix::MostRestrictive(*a.tlp, *b.tlp);
  } else {
    p.tlp = a.tlp ? a.tlp : b.tlp;
  }
  p.affected_party_notifications = a.affected_party_notifications && b.affected_party_notifications;
  p.unmodified_resale = a.unmodified_resale && b.unmodified_resale;
  return p;
}

Result<MarkingDefinition> ParseMarkingDefinition(std::string_view text) {
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
  MarkingDefinition d;
  // Every graded part an object carries counts (the highest level wins), not the first found.
  auto raise = [&d](stix::Tlp t) { d.tlp = d.tlp ? stix::MostRestrictive(*d.tlp, t) : t; };
  if (const json::object* iep = ExtensionBody(o, kIepExtensionId)) {
    TABADUL_ASSIGN_OR_RETURN(IepPolicy p, ParseIepObject(mid, *iep));
    if (p.tlp) raise(*p.tlp);
    d.iep = std::move(p);
  }
  if (const json::object* tlp2 = ExtensionBody(o, stix::kTlp2ExtensionId)) {
    const json::value* level = tlp2->if_contains("tlp_2_0");
    auto t = level && level->is_string() ? stix::ParseTlpName(level->as_string()) : std::nullopt;
    if (!t) return InvalidArgument("marking definition " + mid + ": tlp_2_0: not a TLP 2.0 level");
    raise(*t);
  }
  const json::value* dtype = o.if_contains("definition_type");
  if (dtype && dtype->is_string() && dtype->as_string() == "tlp") {
    const json::value* def = o.if_contains("definition");
    const json::value* level =
        def && def->is_object() ? def->as_object().if_contains("tlp") : nullptr;
    auto t = level && level->is_string() ? stix::ParseTlpName(level->as_string()) : std::nullopt;
    if (!t) return InvalidArgument("marking definition " + mid + ": definition.tlp: not a TLP level");
    raise(*t);
  }
  return d;
}

MarkingMeaning ProviderMarkings::Lookup(std::string_view id) const {
  MarkingMeaning m;
  if (auto t = stix::TlpOfMarkingRef(id)) {
    m.known = true;
    m.tlp = *t;
    return m;
  }
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    m.tlp = stix::Tlp::kRed;  // unknown: fail closed
    return m;
  }
  m.known = true;
  m.tlp = it->second.tlp;
  m.levelless = it->second.levelless;
  m.iep = it->second.iep ? &*it->second.iep : nullptr;
  return m;
}

void ProviderMarkings::Merge(const std::string& id, Entry entry) {
  auto [it, inserted] = entries_.try_emplace(id, entry);
  if (inserted) return;
  Entry& e = it->second;
  if (e.tlp && entry.tlp) {
    e.tlp = stix::MostRestrictive(*e.tlp, *entry.tlp);
  } else if (entry.tlp) {
    e.tlp = entry.tlp;
  }
  e.levelless = e.levelless || entry.levelless;
  if (e.iep && entry.iep) {
    e.iep = Strictest(*e.iep, *entry.iep);
  } else if (entry.iep) {
    e.iep = std::move(entry.iep);
  }
}

Status MarkingRegistry::Add(std::string_view provider_org, std::string_view id,
                            std::string_view json) {
  if (stix::TlpOfMarkingRef(id)) return Status::Ok();  // standard ids keep their meaning
  ProviderMarkings::Entry entry;
  auto parsed = ParseMarkingDefinition(json);
  if (parsed.ok()) {
    entry.tlp = parsed->tlp;
    entry.levelless = !parsed->tlp;
    entry.iep = std::move(parsed->iep);
  } else {
    entry.tlp = stix::Tlp::kRed;  // unreadable: the strictest reading
  }
  providers_[std::string(provider_org)].Merge(std::string(id), std::move(entry));
  return parsed.ok() ? Status::Ok() : parsed.status();
}

const ProviderMarkings& MarkingRegistry::Of(std::string_view provider_org) const {
  static const ProviderMarkings kNone;
  auto it = providers_.find(provider_org);
  return it == providers_.end() ? kNone : it->second;
}

size_t MarkingRegistry::size() const {
  size_t n = 0;
  for (const auto& [org, p] : providers_) n += p.size();
  return n;
}

}  // namespace tabadul::policy
