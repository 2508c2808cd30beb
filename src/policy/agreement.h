// A sharing agreement: a named, versioned, one-directional policy from a provider organization
// to recipient organizations (DESIGN.md "Agreement"), its JSON form, and its validation.
//
// JSON form (used by the store, the admin HTTP API and declarative files alike):
//   {
//     "name": "cert-to-isac",                      // required, [A-Za-z0-9._-]{1,100}
//     "provider": "identity--... | org name",      // required, an existing organization
//     "recipients": ["identity--... | name", ...], // required, non-empty, not the provider
//     "red_recipients": [...],                     // subset of recipients; only when max_tlp=red
//     "collections": ["<collection id or alias>"], // required, non-empty, owned by the provider
//     "object_types": ["indicator", ...],          // optional; empty/absent = every type
//     "labels": ["phishing", ...],                 // optional; an object must carry one of them
//     "max_tlp": "clear|green|amber|amber+strict|red",  // required
//     "valid_from": "2024-01-01T00:00:00Z",        // optional; absent = from creation
//     "valid_until": "2025-01-01T00:00:00Z",       // optional; absent = open-ended
//     "terms": {                                   // optional, IEP-style exchange terms
//       "may_forward": false, "attribution": "may|must|must-not",
//       "permitted_actions": "none|contact-for-instruction|internally-visible-actions|
//                             externally-visible-indirect-actions|externally-visible-direct-actions",
//       "encrypt_in_transit": "may|must" }
//   }
// Unknown keys are refused (a typo must not silently widen or narrow an agreement).
// Names in the input are resolved to ids by Validate(); the stored form always holds ids.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "stix/tlp.h"
#include "store/store.h"

namespace tabadul::policy {

enum class Attribution { kMay, kMust, kMustNot };
enum class EncryptInTransit { kMay, kMust };
// IEP 2.0 permitted actions, ordered from least to most permissive.
enum class PermittedAction {
  kNone = 0,
  kContactForInstruction = 1,
  kInternallyVisible = 2,
  kExternallyVisibleIndirect = 3,
  kExternallyVisibleDirect = 4,
};

std::string_view AttributionName(Attribution a);
std::string_view EncryptName(EncryptInTransit e);
std::string_view PermittedActionName(PermittedAction p);
std::optional<Attribution> ParseAttribution(std::string_view s);
std::optional<EncryptInTransit> ParseEncrypt(std::string_view s);
std::optional<PermittedAction> ParsePermittedAction(std::string_view s);

struct ExchangeTerms {
  bool may_forward = false;
  Attribution attribution = Attribution::kMay;
  PermittedAction permitted_actions = PermittedAction::kExternallyVisibleDirect;
  EncryptInTransit encrypt_in_transit = EncryptInTransit::kMay;
  bool operator==(const ExchangeTerms&) const = default;
};

inline constexpr int64_t kOpenEnded = std::numeric_limits<int64_t>::max();

struct Agreement {
  std::string name;
  std::string provider_org;                 // organization id
  std::vector<std::string> recipients;      // organization ids, sorted, unique
  std::vector<std::string> red_recipients;  // organization ids, sorted, unique, ⊆ recipients
  std::vector<std::string> collections;     // collection ids, sorted, unique
  std::vector<std::string> object_types;    // sorted, unique; empty = all
  std::vector<std::string> labels;          // sorted, unique; empty = all
  stix::Tlp max_tlp = stix::Tlp::kGreen;
  int64_t valid_from_us = 0;                // inclusive
  int64_t valid_until_us = kOpenEnded;      // exclusive
  ExchangeTerms terms;
  bool operator==(const Agreement&) const = default;

  // Valid at `now_us`: valid_from <= now < valid_until.
  bool ValidAt(int64_t now_us) const { return valid_from_us <= now_us && now_us < valid_until_us; }
};

// Parses the JSON form without consulting the store (references stay as written). Fails with
// InvalidArgument naming the field ("agreement 'x': max_tlp: unknown TLP 'purple'").
Result<Agreement> ParseAgreementJson(std::string_view json);
// Parses a declarative set: {"agreements": [<agreement>, ...]}. Names must be unique in the set.
// Fails with InvalidArgument naming the entry and field ("agreements[2] 'x': labels: ...").
Result<std::vector<Agreement>> ParseAgreementSetJson(std::string_view json);

// Serializes to the JSON form, with ids, in a stable key order (what the store keeps).
std::string AgreementToJson(const Agreement& a);

// Resolves organization and collection references (ids, names, aliases) to ids against the
// store, normalizes lists (sorted, unique) and checks every rule: the provider and recipients
// exist, the provider is not a recipient, the collections exist and belong to the provider,
// red_recipients ⊆ recipients and only with max_tlp red (and non-empty then), valid_until after
// valid_from. Fails with InvalidArgument naming the field; `a` is then unchanged.
Status ResolveAndValidate(store::Store& store, Agreement& a);

}  // namespace tabadul::policy
