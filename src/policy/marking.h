// Markings the visibility rule understands, and whose definitions count (design note:
// docs/design/markings.md).
//
// Meanings come from the nine standard TLP 1.0/2.0 marking definitions (stix/tlp.h), which keep
// their standard meaning whoever redefines their ids, and from the marking-definition objects a
// PROVIDER published: those stored in a collection the provider organization owns (the
// authenticated owner, never the object's created_by_ref, which anyone can write). An object's
// marking refs resolve against its own provider's definitions only: another organization's
// definition of the same id never changes what it means.
//
// Understood kinds: TLP definitions (STIX 2.1 `definition_type: tlp`, or the TLP 2.0
// extension), FIRST IEP 2.0 definitions (the STIX extension
// extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a), and every other kind (statement,
// ...) as "known, no level". Three rules keep a marking from ever meaning less than it may:
//   - Unknown refs fail closed: a ref that is neither standard nor published by the provider
//     means RED (its definition may not have arrived yet, or never will).
//   - Conflicting definitions of one id by one provider (e.g. stored in two of its collections
//     with different content) mean the strictest of them: the highest level any of them gives
//     (MarkingMeaning::levelless says when one of them gives none), and one IEP policy with the
//     strictest value of every term (IepPolicy Strictest()).
//   - A definition that says it is a TLP or IEP definition but cannot be read (bad JSON, a bad
//     level or term) means RED.
//
// A registry is a plain value: the engine builds one per policy snapshot from the store and
// never mutates a published one. Not thread-safe to build; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <functional>
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

// The policy that honours both `a` and `b`: latest start, earliest end (never valid when they
// do not overlap), encryption `must` over `may`, the fewest permitted actions, attribution
// must-not over must over may, must-not over may for notifications and resale, the higher TLP.
// Keeps a's id and name.
IepPolicy Strictest(const IepPolicy& a, const IepPolicy& b);

// What one marking-definition object says, read on its own.
struct MarkingDefinition {
  // Its level: definition.tlp, the TLP 2.0 extension's tlp_2_0, or the IEP policy's tlp (the
  // highest when an object carries several). None: the definition gives no level.
  std::optional<stix::Tlp> tlp;
  std::optional<IepPolicy> iep;  // when it carries the IEP extension
};

// Parses a marking-definition object (its JSON). A kind the rule does not grade (statement,
// ...) gives an empty MarkingDefinition. InvalidArgument when the JSON is not a
// marking-definition object with an id, or when a TLP or IEP part has a bad value (naming the
// field).
Result<MarkingDefinition> ParseMarkingDefinition(std::string_view json);

// Parses the IEP extension body (the object under extensions[kIepExtensionId]) as JSON text.
Result<IepPolicy> ParseIepExtension(std::string_view id, std::string_view extension_json);

// Hashes std::string keys and looks them up by std::string_view without a copy (the rule
// looks up every non-standard ref of every row it reads).
struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringViewHash, std::equal_to<>>;

// What a marking-definition id means to the rule, for one provider.
struct MarkingMeaning {
  // A standard TLP id, or an id the provider published. False: an unknown ref, which means RED.
  bool known = false;
  // The highest level the id gives (RED for an unknown ref). None: no definition gives one.
  std::optional<stix::Tlp> tlp;
  // Some definition of the id gives no level (always true when `tlp` is none; true with a `tlp`
  // when the provider's definitions disagree). An object whose every object-level ref may be
  // levelless may also take its collection's default, so the strictest reading counts it too.
  bool levelless = false;
  const IepPolicy* iep = nullptr;  // the (strictest) IEP policy, when one definition is one
};

// Whose definitions an object's refs resolve against: the provider organization's own (origin
// "") for what was posted here; for what was pulled from a peer, only the definitions pulled from
// that same peer into the provider's collections. A peer's definitions thus never give meaning to
// refs on the provider's own objects (a peer defining as CLEAR an id the provider uses but never
// defined would otherwise lower the provider's objects from RED), nor the other way round.
std::string MarkingScope(std::string_view provider_org, std::string_view origin);

// The definitions one provider published.
class ProviderMarkings {
 public:
  // Standard TLP ids first (whatever the provider stored under them), then the provider's own;
  // an unknown id means {known = false, tlp = RED}. The iep pointer lives as long as this.
  MarkingMeaning Lookup(std::string_view id) const;
  size_t size() const { return entries_.size(); }

 private:
  friend class MarkingRegistry;
  struct Entry {
    std::optional<stix::Tlp> tlp;
    bool levelless = false;
    std::optional<IepPolicy> iep;
  };
  // Merges one more definition of `id` (the strictest of all, see above).
  void Merge(const std::string& id, Entry entry);

  StringMap<Entry> entries_;
};

class MarkingRegistry {
 public:
  // Learns one stored marking-definition version: `id` and `json` as stored, `provider_org` the
  // owner of the collection it is stored in. Definitions under a standard TLP id are ignored.
  // Never refuses a definition: one that cannot be read is registered as RED, and its
  // InvalidArgument is returned for the caller to report.
  Status Add(std::string_view provider_org, std::string_view id, std::string_view json);

  // The definitions `provider_org` published (an empty set for a provider that published none).
  const ProviderMarkings& Of(std::string_view provider_org) const;
  MarkingMeaning Lookup(std::string_view provider_org, std::string_view id) const {
    return Of(provider_org).Lookup(id);
  }

  // Number of (provider, id) pairs known.
  size_t size() const;

 private:
  StringMap<ProviderMarkings> providers_;
};

}  // namespace tabadul::policy
