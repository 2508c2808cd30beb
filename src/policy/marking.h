// Markings the visibility rule understands: the nine standard TLP marking definitions
// (stix/tlp.h), TLP marking definitions posted by users (STIX 2.1 `definition_type: tlp`, or the
// TLP 2.0 extension), and FIRST IEP 2.0 marking definitions carried by the STIX extension
// extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a.
//
// A registry is a plain value: the engine builds one per policy snapshot and never mutates a
// published one. The first definition registered under an id wins (marking definitions are
// not versionable, and a later post must not re-grade objects that already reference it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "policy/agreement.h"
#include "stix/tlp.h"

namespace tabadul::policy {

inline constexpr std::string_view kIepExtensionId =
    "extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a";

// The enforceable parts of an IEP 2.0 policy.
struct IepPolicy {
  std::string id;                     // the marking-definition id
  std::string name;
  int64_t start_us = 0;               // start_date (inclusive); 0 when absent
  int64_t end_us = kOpenEnded;        // end_date (exclusive); open when absent
  EncryptInTransit encrypt_in_transit = EncryptInTransit::kMay;
  PermittedAction permitted_actions = PermittedAction::kExternallyVisibleDirect;
  Attribution attribution = Attribution::kMay;  // provider_attribution
  std::optional<stix::Tlp> tlp;       // the policy's own TLP, when given
  bool affected_party_notifications = true;   // may
  bool unmodified_resale = true;              // may

  bool ValidAt(int64_t now_us) const { return start_us <= now_us && now_us < end_us; }
};

// What a marking-definition id means to the rule.
struct MarkingMeaning {
  std::optional<stix::Tlp> tlp;   // a TLP level (also from an IEP policy's tlp field)
  const IepPolicy* iep = nullptr;  // an IEP policy, when this is one
};

class MarkingRegistry {
 public:
  // Learns one marking-definition object (its JSON). Returns true when it was a TLP or IEP
  // definition and got registered; false when it is some other marking (statement, ...) or the
  // id is already known. InvalidArgument when the JSON is malformed or a TLP/IEP definition has a
  // bad value (naming the field).
  Result<bool> Add(std::string_view marking_definition_json);

  // The meaning of a marking-definition id: standard TLP ids first, then registered ones.
  // An unknown id means nothing (no TLP, no IEP).
  MarkingMeaning Lookup(std::string_view id) const;

  size_t size() const { return tlp_.size() + iep_.size(); }

 private:
  std::unordered_map<std::string, stix::Tlp> tlp_;
  std::unordered_map<std::string, IepPolicy> iep_;
};

// Parses the IEP extension body (the object under extensions[kIepExtensionId]) as JSON text.
Result<IepPolicy> ParseIepExtension(std::string_view id, std::string_view extension_json);

}  // namespace tabadul::policy
