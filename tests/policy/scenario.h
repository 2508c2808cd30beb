// What the randomized visibility tests share: the ORACLE (a plain restatement of the visibility
// rule of docs/design/visibility.md that does not call the policy module's rule, with its own
// tables of the standard TLP ids), the user-defined marking definitions organizations publish
// (TLP 1.0/2.0, IEP 2.0, statements; conflicting variants of one id), the organizations and
// users of a scenario, random objects and random agreements.
//
// Used by visibility_property_test.cc (every read path over one store, origins and terms set
// directly) and entry_paths_property_test.cc (the same bundles written by every entry path into
// separate instances). Randomness comes from the caller's seeded std::mt19937_64; nothing here
// reads a clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "policy/agreement.h"
#include "store/store.h"

namespace tabadul::policy_testing {

// ---- The oracle's own tables (deliberately not policy:: or stix::TlpOfMarkingRef) -----------

enum Level { kClear = 0, kGreen = 1, kAmber = 2, kAmberStrict = 3, kRed = 4 };
inline const char* const kLevelNames[] = {"clear", "green", "amber", "amber+strict", "red"};

// The nine standard TLP 1.0 and 2.0 marking-definition ids and their levels.
extern const std::map<std::string, Level> kStandardTlp;
// The TLP 2.0 id of a level (the one the write pipeline appends to pulled objects).
std::string Tlp2Id(Level level);

struct OracleIep {
  bool current;  // start_date <= any scenario time < end_date (fixed far past/future dates)
  bool must_encrypt;
  bool must_not_attribute;
  std::optional<Level> tlp;
};

// The marking definitions organizations publish: for each id, one or two variants (different
// contents); each organization picks which (if any) it publishes under the id.
struct MarkingVariant {
  std::string json;
  std::optional<Level> tlp;  // the level this definition gives, if any
  std::optional<OracleIep> iep;
};

struct UserMarking {
  std::string id;
  std::vector<MarkingVariant> variants;
};

// Eight user-defined ids (TLP 1.0, TLP 2.0, IEP current/expired/future/encrypt/attribution,
// statement), most with two conflicting variants.
std::vector<UserMarking> UserMarkings();
// A marking-definition id nobody defines (reads as RED).
inline constexpr char kUnknownMarkingId[] =
    "marking-definition--a0000000-0000-4000-8000-0000000000ff";

// What each organization published: org -> marking id -> its definitions (one per collection it
// stored one in; equal variants may repeat).
using Published = std::map<std::string, std::map<std::string, std::vector<MarkingVariant>>>;

// The exchange terms of a peer objects were pulled from.
struct OracleTerms {
  Level default_tlp;
  bool may_forward;
  Level forward_max;
};

// The identity the engine writes in place of the provider when attribution must not be kept.
inline const std::string kAnonymous = "identity--00000000-0000-4000-8000-00000000a0a0";

struct OracleAgreement {
  std::string provider;
  std::set<std::string> recipients, red, collections, types, labels;
  Level max_tlp;
  int64_t from_us, until_us;
  bool must_encrypt, must_not_attribute;
};

struct OracleVersion {
  std::string id, type, modified, created_by;
  std::string origin;  // "" = posted here; else the peer it was pulled from
  std::vector<std::string> labels, refs, granular;
  bool revoked = false;
  int64_t date_added_us = 0;
};

struct OracleCollection {
  std::string id, owner, default_tlp;
  std::map<std::string, store::Grant> grants;  // by user name
  std::vector<OracleVersion> versions;         // in date_added order
};

class Oracle {
 public:
  // `published` (by owner) must outlive the oracle; it may grow between calls. `pulled` holds,
  // by origin (peer name), the definitions pulled from that peer (null: none were).
  explicit Oracle(const Published& published, const Published* pulled = nullptr)
      : published_(published), pulled_(pulled) {}

  // The readings of a ref on an object of `owner`: the standard ids mean their level; any other
  // id means what one of the owner's own definitions of it says (another organization's never
  // counts), and a ref the owner never published reads as RED. A version pulled from a peer
  // (`origin`) reads only the definitions pulled from that same peer (`pulled`).
  std::vector<std::optional<Level>> Readings(const std::string& owner, const std::string& origin,
                                             const std::string& ref) const;

  // tlp(V): the single-definition rule (the object refs' highest level, else the default; then
  // the granular refs' levels), taken at the STRICTEST of every way of reading each ref.
  Level TlpOf(const OracleCollection& c, const OracleVersion& v, Level fallback) const;

  // The collection's default level (an unreadable one reads AMBER).
  static Level DefaultOf(const OracleCollection& c);

  // Whether org may receive v; `anonymize` tells whether its creator must be hidden.
  bool Visible(const std::string& org, const OracleCollection& c, const OracleVersion& v,
               int64_t now, bool tls, const std::vector<OracleAgreement>& agreements,
               const std::map<std::string, OracleTerms>& terms, bool* anonymize) const;

  // The collection as the user sees it: nullopt = invisible.
  std::optional<store::Grant> Access(const std::string& user, const std::string& org,
                                     const OracleCollection& c, int64_t now,
                                     const std::vector<OracleAgreement>& agreements) const;

 private:
  const Published& published_;
  const Published* pulled_;
  // The definitions V's refs resolve against (null: none).
  const std::map<std::string, std::vector<MarkingVariant>>* ScopeOf(const std::string& owner,
                                                                    const std::string& origin) const;
};

// ---- The world: organizations, users, objects -------------------------------------------------

inline constexpr int kOrgs = 4;
inline const char* const kTypes[] = {"indicator", "malware"};
inline const char* const kLabels[] = {"a", "b", "c"};
inline const std::string kPassword = "correct horse battery";

// Organization i's identity id and its one user's name.
std::string OrgId(int i);
std::string UserName(int i);
// i for OrgId(i).
int OrgIndex(const std::string& org_id);

// A random version 4 UUID.
std::string Uuid(std::mt19937_64& rng);
// The Authorization header for HTTP Basic.
std::string BasicAuth(const std::string& user, const std::string& password);

template <typename T>
std::set<T> Subset(std::mt19937_64& rng, const std::vector<T>& from, bool non_empty) {
  std::set<T> out;
  while (true) {
    for (const auto& x : from) {
      if (rng() % 2) out.insert(x);
    }
    if (!non_empty || !out.empty() || from.empty()) return out;
  }
}

// Up to `max` distinct refs from `pool`.
std::vector<std::string> PickRefs(std::mt19937_64& rng, const std::vector<std::string>& pool,
                                  int max);
std::string JsonList(const std::vector<std::string>& v);
// The STIX JSON of an indicator or malware version (granular markings select "name"; `revoked`
// when set).
std::string ObjectJson(const OracleVersion& v, const std::string& created);

// ---- Agreements --------------------------------------------------------------------------------

struct GeneratedAgreement {
  OracleAgreement oracle;
  policy::Agreement agreement;  // the same, as the policy module takes it
};

// Up to four random agreements among `collections` (each an (id, owner) pair): scopes, TLP
// ceilings, RED recipients, validity in the past, the future, open-ended, or ending at
// now + `ends_after_us`; TLS and attribution terms. Names are "s<provider digits>-<i>" so that
// applying the next set declaratively ends this one.
std::vector<GeneratedAgreement> RandomAgreements(
    std::mt19937_64& rng, const std::vector<std::pair<std::string, std::string>>& collections,
    int64_t now, int64_t ends_after_us);

}  // namespace tabadul::policy_testing
