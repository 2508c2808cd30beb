#include "policy/agreement.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/timestamp.h"

namespace tabadul::policy {
namespace json = boost::json;
namespace {

constexpr std::string_view kAttributionNames[] = {"may", "must", "must-not"};
constexpr std::string_view kEncryptNames[] = {"may", "must"};
constexpr std::string_view kActionNames[] = {
    "none", "contact-for-instruction", "internally-visible-actions",
    "externally-visible-indirect-actions", "externally-visible-direct-actions"};

template <typename E, size_t N>
std::optional<E> ParseEnum(std::string_view s, const std::string_view (&names)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool ValidName(std::string_view n) {
  if (n.empty() || n.size() > 100) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

// Builds "agreement 'name': field: problem".
class FieldError {
 public:
  explicit FieldError(std::string prefix) : prefix_(std::move(prefix)) {}
  Status operator()(std::string_view field, std::string_view problem) const {
    return InvalidArgument(prefix_ + std::string(field) + ": " + std::string(problem));
  }
  void SetName(std::string_view name) { prefix_ += "'" + std::string(name) + "': "; }

 private:
  std::string prefix_;
};

Result<std::string> GetString(const json::value& v, std::string_view field, const FieldError& err) {
  if (!v.is_string()) return err(field, "must be a string");
  return std::string(v.as_string());
}

Result<std::vector<std::string>> GetStringList(const json::value& v, std::string_view field,
                                               const FieldError& err) {
  if (!v.is_array()) return err(field, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : v.as_array()) {
    if (!item.is_string() || item.as_string().empty()) {
      return err(field, "must be a list of non-empty strings");
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

Result<int64_t> GetTime(const json::value& v, std::string_view field, const FieldError& err) {
  if (!v.is_string()) return err(field, "must be an RFC 3339 timestamp string");
  auto t = ParseTimestamp(v.as_string());
  if (!t.ok()) return err(field, t.status().message());
  return t->nanos / 1000;
}

Status ParseTerms(const json::value& v, ExchangeTerms& terms, const FieldError& err) {
  if (!v.is_object()) return err("terms", "must be an object");
  for (const auto& [key, value] : v.as_object()) {
    if (key == "may_forward") {
      if (!value.is_bool()) return err("terms.may_forward", "must be true or false");
      terms.may_forward = value.as_bool();
    } else if (key == "attribution") {
      auto a = value.is_string() ? ParseAttribution(value.as_string()) : std::nullopt;
      if (!a) return err("terms.attribution", "must be one of may, must, must-not");
      terms.attribution = *a;
    } else if (key == "permitted_actions") {
      auto p = value.is_string() ? ParsePermittedAction(value.as_string()) : std::nullopt;
      if (!p) return err("terms.permitted_actions", "is not an IEP 2.0 permitted-actions value");
      terms.permitted_actions = *p;
    } else if (key == "encrypt_in_transit") {
      auto e = value.is_string() ? ParseEncrypt(value.as_string()) : std::nullopt;
      if (!e) return err("terms.encrypt_in_transit", "must be may or must");
      terms.encrypt_in_transit = *e;
    } else {
      return err("terms." + std::string(key), "unknown field");
    }
  }
  return Status::Ok();
}

Status ParseField(std::string_view key, const json::value& value, Agreement& a,
                  const FieldError& err) {
  if (key == "name") return Status::Ok();  // handled first
  if (key == "provider") {
    TABADUL_ASSIGN_OR_RETURN(a.provider_org, GetString(value, key, err));
  } else if (key == "recipients") {
    TABADUL_ASSIGN_OR_RETURN(a.recipients, GetStringList(value, key, err));
  } else if (key == "red_recipients") {
    TABADUL_ASSIGN_OR_RETURN(a.red_recipients, GetStringList(value, key, err));
  } else if (key == "collections") {
    TABADUL_ASSIGN_OR_RETURN(a.collections, GetStringList(value, key, err));
  } else if (key == "object_types") {
    TABADUL_ASSIGN_OR_RETURN(a.object_types, GetStringList(value, key, err));
  } else if (key == "labels") {
    TABADUL_ASSIGN_OR_RETURN(a.labels, GetStringList(value, key, err));
  } else if (key == "max_tlp") {
    TABADUL_ASSIGN_OR_RETURN(std::string s, GetString(value, key, err));
    auto tlp = stix::ParseTlpName(s);
    if (!tlp) return err(key, "unknown TLP '" + s + "' (clear, green, amber, amber+strict, red)");
    a.max_tlp = *tlp;
  } else if (key == "valid_from") {
    TABADUL_ASSIGN_OR_RETURN(a.valid_from_us, GetTime(value, key, err));
  } else if (key == "valid_until") {
    TABADUL_ASSIGN_OR_RETURN(a.valid_until_us, GetTime(value, key, err));
  } else if (key == "terms") {
    return ParseTerms(value, a.terms, err);
  } else {
    return err(key, "unknown field");
  }
  return Status::Ok();
}

Result<Agreement> ParseAgreementValue(const json::value& v, FieldError err) {
  if (!v.is_object()) return err("agreement", "must be a JSON object");
  const json::object& o = v.as_object();
  Agreement a;
  const json::value* name = o.if_contains("name");
  if (!name || !name->is_string() || !ValidName(name->as_string())) {
    return err("name", "required: 1-100 characters of A-Z a-z 0-9 . _ -");
  }
  a.name = std::string(name->as_string());
  err.SetName(a.name);
  for (const auto& [key, value] : o) {
    TABADUL_RETURN_IF_ERROR(ParseField(key, value, a, err));
  }
  if (!o.contains("provider")) return err("provider", "required");
  if (!o.contains("recipients") || a.recipients.empty()) return err("recipients", "required, non-empty");
  if (!o.contains("collections") || a.collections.empty()) {
    return err("collections", "required, non-empty");
  }
  if (!o.contains("max_tlp")) return err("max_tlp", "required");
  if (a.valid_until_us <= a.valid_from_us) return err("valid_until", "must be after valid_from");
  return a;
}

Result<json::value> ParseJson(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 16;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) return InvalidArgument(std::string(what) + ": malformed JSON: " + ec.message());
  return v;
}

json::array ToArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

std::string_view AttributionName(Attribution a) { return kAttributionNames[static_cast<int>(a)]; }
std::string_view EncryptName(EncryptInTransit e) { return kEncryptNames[static_cast<int>(e)]; }
std::string_view PermittedActionName(PermittedAction p) { return kActionNames[static_cast<int>(p)]; }
std::optional<Attribution> ParseAttribution(std::string_view s) {
  return ParseEnum<Attribution>(s, kAttributionNames);
}
std::optional<EncryptInTransit> ParseEncrypt(std::string_view s) {
  return ParseEnum<EncryptInTransit>(s, kEncryptNames);
}
std::optional<PermittedAction> ParsePermittedAction(std::string_view s) {
  return ParseEnum<PermittedAction>(s, kActionNames);
}

Result<Agreement> ParseAgreementJson(std::string_view text) {
  TABADUL_ASSIGN_OR_RETURN(json::value v, ParseJson(text, "agreement"));
  return ParseAgreementValue(v, FieldError("agreement "));
}

Result<std::vector<Agreement>> ParseAgreementSetJson(std::string_view text) {
  TABADUL_ASSIGN_OR_RETURN(json::value v, ParseJson(text, "agreement file"));
  const json::value* list = v.is_object() ? v.as_object().if_contains("agreements") : nullptr;
  if (!list || !list->is_array() || v.as_object().size() != 1) {
    return InvalidArgument("agreement file: expected {\"agreements\": [...]} and nothing else");
  }
  std::vector<Agreement> out;
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    TABADUL_ASSIGN_OR_RETURN(
        Agreement a, ParseAgreementValue(list->as_array()[i],
                                         FieldError("agreements[" + std::to_string(i) + "] ")));
    for (const auto& prior : out) {
      if (prior.name == a.name) {
        return InvalidArgument("agreements[" + std::to_string(i) + "] '" + a.name +
                               "': name: appears twice in the file");
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string AgreementToJson(const Agreement& a) {
  json::object o;
  o["name"] = a.name;
  o["provider"] = a.provider_org;
  o["recipients"] = ToArray(a.recipients);
  if (!a.red_recipients.empty()) o["red_recipients"] = ToArray(a.red_recipients);
  o["collections"] = ToArray(a.collections);
  if (!a.object_types.empty()) o["object_types"] = ToArray(a.object_types);
  if (!a.labels.empty()) o["labels"] = ToArray(a.labels);
  std::string tlp(stix::TlpName(a.max_tlp));
  std::transform(tlp.begin(), tlp.end(), tlp.begin(), [](char c) { return std::tolower(c); });
  o["max_tlp"] = tlp;
  o["valid_from"] = FormatTaxiiTimestamp(a.valid_from_us);
  if (a.valid_until_us != kOpenEnded) o["valid_until"] = FormatTaxiiTimestamp(a.valid_until_us);
  json::object t;
  t["may_forward"] = a.terms.may_forward;
  t["attribution"] = AttributionName(a.terms.attribution);
  t["permitted_actions"] = PermittedActionName(a.terms.permitted_actions);
  t["encrypt_in_transit"] = EncryptName(a.terms.encrypt_in_transit);
  o["terms"] = std::move(t);
  return json::serialize(o);
}

namespace {

Result<std::string> ResolveOrg(store::Store& store, std::string_view ref, std::string_view field,
                               const FieldError& err) {
  auto org = store.GetOrganization(ref);
  if (org.ok()) return org->id;
  if (org.status().code() == StatusCode::kNotFound) {
    return err(field, "unknown organization '" + std::string(ref) + "'");
  }
  return org.status();
}

Result<std::vector<std::string>> ResolveOrgs(store::Store& store,
                                             const std::vector<std::string>& refs,
                                             std::string_view field, const FieldError& err) {
  std::vector<std::string> out;
  for (const auto& r : refs) {
    TABADUL_ASSIGN_OR_RETURN(std::string id, ResolveOrg(store, r, field, err));
    out.push_back(std::move(id));
  }
  SortUnique(out);
  return out;
}

}  // namespace

Status ResolveAndValidate(store::Store& store, Agreement& in) {
  FieldError err("agreement ");
  if (!ValidName(in.name)) return err("name", "required: 1-100 characters of A-Z a-z 0-9 . _ -");
  err.SetName(in.name);
  Agreement a = in;
  TABADUL_ASSIGN_OR_RETURN(a.provider_org, ResolveOrg(store, in.provider_org, "provider", err));
  if (in.recipients.empty()) return err("recipients", "required, non-empty");
  TABADUL_ASSIGN_OR_RETURN(a.recipients, ResolveOrgs(store, in.recipients, "recipients", err));
  TABADUL_ASSIGN_OR_RETURN(a.red_recipients,
                           ResolveOrgs(store, in.red_recipients, "red_recipients", err));
  if (std::binary_search(a.recipients.begin(), a.recipients.end(), a.provider_org)) {
    return err("recipients", "the provider cannot be its own recipient");
  }
  for (const auto& r : a.red_recipients) {
    if (!std::binary_search(a.recipients.begin(), a.recipients.end(), r)) {
      return err("red_recipients", "'" + r + "' is not among the recipients");
    }
  }
  if (a.max_tlp == stix::Tlp::kRed && a.red_recipients.empty()) {
    return err("red_recipients", "max_tlp red needs the recipients of RED named explicitly");
  }
  if (a.max_tlp != stix::Tlp::kRed && !a.red_recipients.empty()) {
    return err("red_recipients", "only allowed when max_tlp is red");
  }
  if (in.collections.empty()) return err("collections", "required, non-empty");
  a.collections.clear();
  for (const auto& ref : in.collections) {
    // One message for "absent" and "someone else's", so an organization's admin cannot probe
    // for other organizations' collections.
    auto c = store.GetCollection(ref);
    if (!c.ok() && c.status().code() != StatusCode::kNotFound) return c.status();
    if (!c.ok() || c->owner_org != a.provider_org) {
      return err("collections", "no collection '" + ref + "' owned by the provider");
    }
    a.collections.push_back(c->id);
  }
  SortUnique(a.collections);
  SortUnique(a.object_types);
  SortUnique(a.labels);
  if (a.valid_until_us <= a.valid_from_us) return err("valid_until", "must be after valid_from");
  in = std::move(a);
  return Status::Ok();
}

}  // namespace tabadul::policy
