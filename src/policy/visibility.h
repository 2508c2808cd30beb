// THE visibility rule (DESIGN.md "The visibility rule"): the one function that decides whether
// organization R may receive object version V, posted by provider P (= the owner of collection
// C) into C. Every read path reaches it through policy::Engine / policy::MakeHooks; nothing
// else in tabadul decides visibility. Design notes: docs/design/visibility.md (the rule) and
// docs/design/markings.md (whose marking definitions count).
//
//   R may receive V  ⇔  R = P
//                      ∨ ( V's IEP policies (object-level and granular) are all valid now and,
//                          where one says encrypt_in_transit=must, the request came over TLS
//                        ∧ ( V.origin = "" (posted here)
//                            ∨ the terms of V.origin exist, say may_forward and
//                              tlp(V) ≤ their forward_max_tlp )
//                        ∧ ∃ agreement A from P to R, not ended, with
//                            A.valid_from ≤ now < A.valid_until,
//                            C ∈ A.collections,
//                            A.object_types = ∅ ∨ V.type ∈ A.object_types,
//                            A.labels = ∅ ∨ V.labels ∩ A.labels ≠ ∅,
//                            tlp(V) ≤ A.max_tlp,
//                            tlp(V) = RED ⇒ R ∈ A.red_recipients,
//                            A.encrypt_in_transit = must ⇒ the request came over TLS )
//
//   tlp(V) = max( the levels of V's object_marking_refs — or default(V) when none of them
//                 carries a level —, the levels of every granular marking_ref )
//   default(V) = the origin's default_tlp when V.origin ≠ "" (the peer's terms), else C's
//                default TLP (unparseable → AMBER)
//
// A ref's level and IEP policy are what P's marking definitions say (markings.h): the standard
// TLP 1.0/2.0 ids always mean what the standard says; any other id means what the definitions
// stored in P's own collections say — never another organization's —, the strictest of them when
// they disagree (a ref that some of them leave without a level may also yield default(V));
// an id P never published means RED (fail closed).
//
// Attribution: where the provider's identity must not be kept (IEP provider_attribution
// must-not on V, or must-not in a matching agreement's terms), created_by_ref is
// replaced for R (Engine::Rewrite), and P's own identity object (type identity, id = P) is not
// delivered at all: it would name the provider the rewrite hides.
//
// Granular markings: an object is delivered whole or not at all; a part marked above what the
// recipient may see withholds the whole object (no redaction; see the design note for why).
//
// Pure: no I/O, no clock (now and TLS are inputs). Thread-safe (const data only).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/agreement.h"
#include "policy/marking.h"
#include "policy/origin_terms.h"
#include "store/store.h"

namespace tabadul::policy {

// The agreements in force, indexed for the rule. Built by the engine from stored versions;
// immutable once published.
struct AgreementIndex {
  std::vector<Agreement> active;  // latest versions that are not ended, by name
  // refs[i] names active[i] in disclosure records: "<name>@v<N>", N the stored version number
  // (store::AgreementVersion::version), so a record says which version of the terms applied.
  // Kept beside `active` rather than in Agreement, whose value (operator==, JSON) is the terms
  // alone. Views: whoever fills them keeps the text alive at least as long as the index and
  // every Decision made with it (policy::Engine interns them for its own lifetime). Build()
  // pads a missing ref with "" (an index built without refs names no agreement).
  std::vector<std::string_view> refs;
  // provider org id + '\n' + recipient org id -> indexes into `active`.
  std::unordered_map<std::string, std::vector<size_t>> by_pair;

  void Build();  // (re)fills by_pair from active; pads refs to active's size
  const std::vector<size_t>* Between(std::string_view provider, std::string_view recipient) const;
};

// Everything the rule reads besides the viewer and the object: one consistent set, built by the
// engine per policy snapshot and immutable once published.
struct PolicyTables {
  AgreementIndex agreements;
  MarkingRegistry markings;  // every provider's marking definitions
  OriginTermsIndex origins;  // the terms of what was pulled from peers
};

// Who is asking, when, and how.
struct Viewer {
  std::string_view org_id;
  int64_t now_us = 0;
  bool over_tls = false;
};

// What the rule needs to know of V (a view over a store row).
struct ObjectFacts {
  std::string_view type;
  const std::vector<std::string>& labels;
  const std::vector<std::string>& marking_refs;   // object_marking_refs
  const std::vector<std::string>& granular_refs;  // marking_ref of every granular marking
  std::string_view id = {};  // V's id (the provider's own identity object is withheld, below)
  std::string_view origin = {};  // "" when posted here; else the peer V was pulled from
};

struct Decision {
  bool visible = false;
  // The provider's identity must be replaced for this recipient (IEP provider_attribution
  // must-not on V, or on a matching agreement's terms). Always false for the provider itself.
  bool anonymize = false;
  // The most an automated consumer may do with V (min of V's IEP policies and the most
  // permissive matching agreement); meaningful when visible.
  PermittedAction permitted_actions = PermittedAction::kNone;
  // The agreement the delivery is made under (AgreementIndex::refs; a view into the index the
  // check was built from): when visible to a recipient, the FIRST matching candidate in the
  // index's order, i.e. the first by name. Any matching agreement permits the delivery on its
  // own; the disclosure record names one, and the first by name is the deterministic choice (the
  // same data and policy give the same record). Empty for the provider reading its own
  // collection (no agreement is involved) and when not visible.
  std::string_view agreement;
};

// The TLP level of V as defined above, `markings` being the provider's and `default_tlp`
// default(V).
stix::Tlp EffectiveTlp(const ProviderMarkings& markings, stix::Tlp default_tlp,
                       const ObjectFacts& v);

// A collection's default TLP as the rule reads it (unparseable → AMBER).
stix::Tlp CollectionDefaultTlp(const store::Collection& collection);

// The rule, prepared for one (viewer, collection) pair so that evaluating a page of rows costs a
// few comparisons per row: the agreements that could apply (P→R, valid now, covering C) and P's
// marking definitions are found once. The tables and the collection must outlive the check.
class VisibilityCheck {
 public:
  VisibilityCheck(const PolicyTables& tables, const Viewer& viewer,
                  const store::Collection& collection);

  // True when R = P or some agreement P→R is valid now and covers C (the collection is visible
  // to R, read-only when R ≠ P). Independent of any object.
  bool CollectionVisible() const { return is_provider_ || !candidates_.empty(); }
  bool IsProvider() const { return is_provider_; }

  Decision Evaluate(const ObjectFacts& v) const;

 private:
  const ProviderMarkings& markings_;  // the provider's own (for versions posted here)
  const MarkingRegistry& registry_;   // every scope (for versions pulled from a peer)
  const OriginTermsIndex& origins_;
  const store::Collection& collection_;
  stix::Tlp default_tlp_;  // the collection's
  std::string viewer_org_;
  int64_t now_us_;
  bool over_tls_;
  bool is_provider_;
  struct Candidate {
    const Agreement* agreement;
    std::string_view ref;  // AgreementIndex::refs of it
  };
  std::vector<Candidate> candidates_;  // in the index's order (by name)
};

// The rule as one call (builds a VisibilityCheck; use the class for pages of rows).
Decision MayReceive(const PolicyTables& tables, const Viewer& viewer,
                    const store::Collection& collection, const ObjectFacts& v);

}  // namespace tabadul::policy
