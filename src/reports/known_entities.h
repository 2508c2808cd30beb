// The entities a user's reports may link to: names and aliases of the named objects stored in
// the collections the user can read (latest versions, not revoked, each row passing the
// visibility rule), and the ATT&CK technique ids of visible attack-patterns, so that a report
// references the stored attack-pattern instead of minting a new one.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "common/status.h"
#include "ingest/entity_linker.h"
#include "reports/visibility.h"
#include "store/store.h"

namespace tabadul::reports {

// The types whose names feed the entity linker.
inline constexpr const char* kLinkedTypes[] = {"intrusion-set", "threat-actor", "malware", "tool",
                                               "campaign",      "identity",     "location"};

struct KnownObjects {
  std::vector<ingest::KnownEntity> entities;  // one per STIX id, in store order
  // "T1566.001" -> "attack-pattern--..." (external_references with source_name mitre-attack).
  std::map<std::string, std::string> technique_refs;
};

// Reads every collection `access` lets `principal` read. Objects in several collections appear
// once. Objects without a name are skipped. Fails only when the store fails (Internal).
Result<KnownObjects> LoadKnownObjects(store::Store& store, const auth::Principal& principal,
                                      const CollectionAccess& access, const RowVisible& visible);

// The gazetteer lines usable for a user who knows `known`: lines whose target is a country,
// a visible object's id, or the name of a visible object (normalized as the linker does).
// Lines about objects the user cannot see are dropped, so that a report never references (and
// so reveals) an object its author could not read. Comments, blanks and malformed lines are
// kept for the linker to judge.
std::string UsableGazetteer(std::string_view gazetteer, const std::vector<ingest::KnownEntity>& known);

}  // namespace tabadul::reports
