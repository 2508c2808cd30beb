#include "scenario.h"

#include <algorithm>

namespace tabadul::policy_testing {

const std::map<std::string, Level> kStandardTlp = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", kClear},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", kGreen},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", kAmber},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", kRed},
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", kClear},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", kGreen},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", kAmber},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", kAmberStrict},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", kRed},
};

std::string Tlp2Id(Level level) {
  static const char* const kIds[] = {
      "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
      "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
      "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
      "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
      "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
  };
  return kIds[level];
}

std::vector<UserMarking> UserMarkings() {
  const std::string iep_ext = "extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a";
  auto def = [](const std::string& id, const std::string& rest) {
    return R"({"type":"marking-definition","spec_version":"2.1","id":")" + id +
           R"(","created":"2023-01-01T00:00:00.000Z")" + rest + "}";
  };
  auto iep = [&](const std::string& id, const std::string& fields) {
    return def(
        id,
        R"(,"name":"iep","external_references":[{"source_name":"iep","url":"https://first.org/iep"}],"extensions":{")" +
            iep_ext + R"(":{"extension_type":"property-extension","iep_version":"2.0",)" + fields +
            "}}");
  };
  auto tlp1 = [&](const std::string& id, const std::string& level) {
    return def(id, R"(,"definition_type":"tlp","definition":{"tlp":")" + level + R"("})");
  };
  auto tlp2 = [&](const std::string& id, const std::string& level) {
    return def(
        id,
        R"(,"name":"TLP","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":")" +
            level + R"("}})");
  };
  auto statement = [&](const std::string& id) {
    return def(id, R"(,"definition_type":"statement","definition":{"statement":"(c) x"})");
  };
  auto id = [](int n) {
    return "marking-definition--a0000000-0000-4000-8000-00000000000" + std::to_string(n);
  };
  std::vector<UserMarking> m;
  m.push_back(
      {id(1),
       {{tlp1(id(1), "red"), kRed, std::nullopt}, {tlp1(id(1), "white"), kClear, std::nullopt}}});
  m.push_back({id(2),
               {{tlp2(id(2), "green"), kGreen, std::nullopt},
                {statement(id(2)), std::nullopt, std::nullopt}}});
  m.push_back({id(3),
               {{iep(id(3), R"("start_date":"2000-01-01T00:00:00Z","tlp":"green")"), kGreen,
                 OracleIep{true, false, false, kGreen}},
                {tlp2(id(3), "amber"), kAmber, std::nullopt}}});
  m.push_back(
      {id(4),
       {{iep(id(4), R"("start_date":"2000-01-01T00:00:00Z","end_date":"2001-01-01T00:00:00Z")"),
         std::nullopt, OracleIep{false, false, false, std::nullopt}}}});
  m.push_back({id(5),
               {{iep(id(5), R"("encrypt_in_transit":"must")"), std::nullopt,
                 OracleIep{true, true, false, std::nullopt}},
                {iep(id(5), R"("start_date":"2000-01-01T00:00:00Z","tlp":"white")"), kClear,
                 OracleIep{true, false, false, kClear}}}});
  m.push_back(
      {id(6),
       {{iep(id(6), R"("provider_attribution":"must-not","start_date":"2100-01-01T00:00:00Z")"),
         std::nullopt, OracleIep{false, false, true, std::nullopt}}}});
  m.push_back({id(7),
               {{iep(id(7), R"("provider_attribution":"must-not")"), std::nullopt,
                 OracleIep{true, false, true, std::nullopt}},
                {statement(id(7)), std::nullopt, std::nullopt}}});
  m.push_back({id(8),
               {{statement(id(8)), std::nullopt, std::nullopt},
                {tlp2(id(8), "amber+strict"), kAmberStrict, std::nullopt}}});
  return m;
}

const std::map<std::string, std::vector<MarkingVariant>>* Oracle::ScopeOf(
    const std::string& owner, const std::string& origin) const {
  const Published* by = origin.empty() ? &published_ : pulled_;
  if (by == nullptr) return nullptr;
  auto it = by->find(origin.empty() ? owner : origin);
  return it == by->end() ? nullptr : &it->second;
}

std::vector<std::optional<Level>> Oracle::Readings(const std::string& owner,
                                                   const std::string& origin,
                                                   const std::string& ref) const {
  if (auto it = kStandardTlp.find(ref); it != kStandardTlp.end()) return {it->second};
  if (const auto* scope = ScopeOf(owner, origin)) {
    if (auto it = scope->find(ref); it != scope->end()) {
      std::vector<std::optional<Level>> out;
      for (const auto& d : it->second) out.push_back(d.tlp);
      return out;
    }
  }
  return {kRed};
}

Level Oracle::TlpOf(const OracleCollection& c, const OracleVersion& v, Level fallback) const {
  std::vector<std::vector<std::optional<Level>>> object, granular;
  for (const auto& r : v.refs) object.push_back(Readings(c.owner, v.origin, r));
  for (const auto& r : v.granular) granular.push_back(Readings(c.owner, v.origin, r));
  const size_t n = object.size() + granular.size();
  std::vector<size_t> pick(n, 0);
  int worst = -1;
  while (true) {
    int level = -1;
    for (size_t i = 0; i < object.size(); ++i) {
      if (auto l = object[i][pick[i]]) level = std::max(level, static_cast<int>(*l));
    }
    if (level < 0) level = fallback;
    for (size_t i = 0; i < granular.size(); ++i) {
      if (auto l = granular[i][pick[object.size() + i]])
        level = std::max(level, static_cast<int>(*l));
    }
    worst = std::max(worst, level);
    // Next combination of readings.
    size_t k = 0;
    for (; k < n; ++k) {
      const size_t size = k < object.size() ? object[k].size() : granular[k - object.size()].size();
      if (++pick[k] < size) break;
      pick[k] = 0;
    }
    if (k == n) break;
  }
  return static_cast<Level>(worst);
}

Level Oracle::DefaultOf(const OracleCollection& c) {
  for (int i = 0; i < 5; ++i) {
    if (c.default_tlp == kLevelNames[i]) return static_cast<Level>(i);
  }
  return kAmber;
}

bool Oracle::Visible(const std::string& org, const OracleCollection& c, const OracleVersion& v,
                     int64_t now, bool tls, const std::vector<OracleAgreement>& agreements,
                     const std::map<std::string, OracleTerms>& terms, bool* anonymize) const {
  *anonymize = false;
  if (org == c.owner) return true;
  // Pulled from a peer: only where the peer's terms let it go on (a gone peer: nowhere).
  const OracleTerms* origin = nullptr;
  if (!v.origin.empty()) {
    auto t = terms.find(v.origin);
    if (t == terms.end() || !t->second.may_forward) return false;
    origin = &t->second;
  }
  // Every IEP policy among the owner's definitions of V's refs must let it through.
  bool iep_hide = false;
  std::vector<std::string> all = v.refs;
  all.insert(all.end(), v.granular.begin(), v.granular.end());
  const auto* scope = ScopeOf(c.owner, v.origin);
  for (const auto& r : all) {
    if (kStandardTlp.count(r) || scope == nullptr) continue;
    auto defs = scope->find(r);
    if (defs == scope->end()) continue;
    for (const auto& d : defs->second) {
      if (!d.iep) continue;
      if (!d.iep->current) return false;
      if (d.iep->must_encrypt && !tls) return false;
      if (d.iep->must_not_attribute) iep_hide = true;
    }
  }
  // An unmarked pulled version takes the peer's default, never the local collection's.
  const Level tlp = TlpOf(c, v, origin ? origin->default_tlp : DefaultOf(c));
  if (origin && tlp > origin->forward_max) return false;
  bool ok = false;
  for (const auto& a : agreements) {
    if (a.provider != c.owner || !a.recipients.count(org)) continue;
    if (!(a.from_us <= now && now < a.until_us)) continue;
    if (!a.collections.count(c.id)) continue;
    if (!a.types.empty() && !a.types.count(v.type)) continue;
    if (!a.labels.empty()) {
      bool any = false;
      for (const auto& l : v.labels) any |= a.labels.count(l) > 0;
      if (!any) continue;
    }
    if (tlp > a.max_tlp) continue;
    if (tlp == kRed && !a.red.count(org)) continue;
    if (a.must_encrypt && !tls) continue;
    ok = true;
    if (a.must_not_attribute) *anonymize = true;
  }
  if (ok && iep_hide) *anonymize = true;
  // Hidden attribution also hides the provider's own identity object.
  if (ok && *anonymize && v.type == "identity" && v.id == c.owner) return false;
  return ok;
}

std::optional<store::Grant> Oracle::Access(const std::string& user, const std::string& org,
                                           const OracleCollection& c, int64_t now,
                                           const std::vector<OracleAgreement>& agreements) const {
  if (org == c.owner) {
    auto it = c.grants.find(user);
    store::Grant g = it == c.grants.end() ? store::Grant{} : it->second;
    if (!g.can_read && !g.can_write) return std::nullopt;
    return g;
  }
  for (const auto& a : agreements) {
    if (a.provider == c.owner && a.recipients.count(org) && a.from_us <= now && now < a.until_us &&
        a.collections.count(c.id)) {
      return store::Grant{true, false};
    }
  }
  return std::nullopt;
}

std::string OrgId(int i) {
  return "identity--00000000-0000-4000-8000-0000000000" + std::to_string(10 + i);
}
std::string UserName(int i) {
  return "user" + std::to_string(i);
}
int OrgIndex(const std::string& org_id) {
  return std::stoi(org_id.substr(org_id.size() - 2)) - 10;
}

std::string Uuid(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
  for (char& c : s) {
    if (c == 'x') c = hex[rng() % 16];
  }
  return s;
}

std::string BasicAuth(const std::string& user, const std::string& password) {
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = user + ":" + password;
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += b64[(n >> (6 * k)) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += b64[(n >> 6) & 63];
    out += '=';
  }
  return "Basic " + out;
}

std::vector<std::string> PickRefs(std::mt19937_64& rng, const std::vector<std::string>& pool,
                                  int max) {
  std::vector<std::string> out;
  const int n = static_cast<int>(rng() % (max + 1));
  for (int i = 0; i < n; ++i) {
    const std::string& r = pool[rng() % pool.size()];
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

std::string JsonList(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ",\"" : "\"") + v[i] + "\"";
  return s + "]";
}

std::string ObjectJson(const OracleVersion& v, const std::string& created) {
  std::string s = "{\"type\":\"" + v.type + "\",\"spec_version\":\"2.1\",\"id\":\"" + v.id +
                  "\",\"created\":\"" + created + "\",\"modified\":\"" + v.modified +
                  "\",\"name\":\"n\",\"created_by_ref\":\"" + v.created_by + "\"";
  if (v.type == "indicator") {
    s += ",\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","
         "\"valid_from\":\"" +
         created + "\"";
  } else {
    s += ",\"is_family\":false";
  }
  if (v.revoked) s += ",\"revoked\":true";
  if (!v.labels.empty()) s += ",\"labels\":" + JsonList(v.labels);
  if (!v.refs.empty()) s += ",\"object_marking_refs\":" + JsonList(v.refs);
  if (!v.granular.empty()) {
    s += ",\"granular_markings\":[";
    for (size_t i = 0; i < v.granular.size(); ++i) {
      s += std::string(i ? "," : "") + "{\"selectors\":[\"name\"],\"marking_ref\":\"" +
           v.granular[i] + "\"}";
    }
    s += "]";
  }
  return s + "}";
}

std::vector<GeneratedAgreement> RandomAgreements(
    std::mt19937_64& rng, const std::vector<std::pair<std::string, std::string>>& collections,
    int64_t now, int64_t ends_after_us) {
  std::vector<GeneratedAgreement> out;
  const int n = rng() % 5;
  const int64_t hour = 3'600'000'000;
  for (int i = 0; i < n; ++i) {
    const auto& pick = collections[rng() % collections.size()];
    OracleAgreement o;
    o.provider = pick.second;
    std::vector<std::string> own, others;
    for (const auto& [id, owner] : collections) {
      if (owner == o.provider) own.push_back(id);
    }
    for (int k = 0; k < kOrgs; ++k) {
      if (OrgId(k) != o.provider) others.push_back(OrgId(k));
    }
    o.collections = Subset(rng, own, true);
    o.recipients = Subset(rng, others, true);
    o.types = rng() % 2 ? std::set<std::string>{}
                        : Subset(rng, std::vector<std::string>{kTypes[0], kTypes[1]}, true);
    o.labels =
        rng() % 2 ? std::set<std::string>{}
                  : Subset(rng, std::vector<std::string>{kLabels[0], kLabels[1], kLabels[2]}, true);
    o.max_tlp = static_cast<Level>(rng() % 5);
    if (o.max_tlp == kRed) {
      o.red = Subset(rng, std::vector<std::string>(o.recipients.begin(), o.recipients.end()), true);
    }
    switch (rng() % 4) {
      case 0:  // past
        o.from_us = now - 2 * hour;
        o.until_us = now - hour;
        break;
      case 1:  // future
        o.from_us = now + hour;
        o.until_us = now + 2 * hour;
        break;
      case 2:  // open
        o.from_us = now - hour;
        o.until_us = policy::kOpenEnded;
        break;
      default:  // ends soon
        o.from_us = now - hour;
        o.until_us = now + ends_after_us;
        break;
    }
    o.must_encrypt = rng() % 4 == 0;
    o.must_not_attribute = rng() % 4 == 0;

    policy::Agreement a;
    a.name = "s" + o.provider.substr(o.provider.size() - 2) + "-" + std::to_string(i);
    a.provider_org = o.provider;
    a.recipients.assign(o.recipients.begin(), o.recipients.end());
    a.red_recipients.assign(o.red.begin(), o.red.end());
    a.collections.assign(o.collections.begin(), o.collections.end());
    a.object_types.assign(o.types.begin(), o.types.end());
    a.labels.assign(o.labels.begin(), o.labels.end());
    a.max_tlp = static_cast<stix::Tlp>(o.max_tlp);
    a.valid_from_us = o.from_us;
    a.valid_until_us = o.until_us;
    if (o.must_encrypt) a.terms.encrypt_in_transit = policy::EncryptInTransit::kMust;
    if (o.must_not_attribute) a.terms.attribution = policy::Attribution::kMustNot;
    out.push_back({std::move(o), std::move(a)});
  }
  return out;
}

}  // namespace tabadul::policy_testing
