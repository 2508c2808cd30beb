// The exchange terms of what reached this instance from elsewhere (DESIGN.md "The visibility
// rule": "where V reached this instance from elsewhere — V's own exchange terms allow passing
// it on to R"). A version pulled from a peer carries the peer's name as its origin
// (store::ObjectRow::origin); the terms agreed with that peer say whether, and up to which TLP,
// this instance may pass it on to organizations other than the local collection's owner.
//
// The terms are configured on the peer (the sync module keeps them); the policy module only
// reads them, through the loader the engine is given (EngineOptions::origin_terms), so that it
// does not depend on where they are kept. No loader, or an origin without terms (a peer since
// removed): nothing from that origin goes on to anyone but the local owner.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "policy/marking.h"
#include "stix/tlp.h"

namespace tabadul::policy {

struct OriginTerms {
  std::string origin;  // the peer's name: store::ObjectRow::origin of what was pulled from it
  // The level of a pulled version that carries none of its own (rather than the local
  // collection's default, which the provider never chose for it).
  stix::Tlp default_tlp = stix::Tlp::kAmber;
  bool may_forward = false;                       // may it go on to third organizations at all
  stix::Tlp forward_max_tlp = stix::Tlp::kGreen;  // the highest level that may go on
};

// Lists the terms of every origin. Called by Engine::Reload (any thread); an error keeps the
// engine's previous snapshot.
using OriginTermsLoader = std::function<Result<std::vector<OriginTerms>>()>;

// The terms in force, by origin; immutable once built.
class OriginTermsIndex {
 public:
  // A second entry under one origin keeps the stricter reading of both.
  void Add(OriginTerms terms) {
    auto [it, inserted] = by_origin_.try_emplace(terms.origin, terms);
    if (inserted) return;
    OriginTerms& t = it->second;
    t.default_tlp = stix::MostRestrictive(t.default_tlp, terms.default_tlp);
    t.may_forward = t.may_forward && terms.may_forward;
    t.forward_max_tlp = std::min(t.forward_max_tlp, terms.forward_max_tlp);
  }
  // Null when the origin has no terms (it may not be passed on).
  const OriginTerms* Find(std::string_view origin) const {
    auto it = by_origin_.find(origin);
    return it == by_origin_.end() ? nullptr : &it->second;
  }
  size_t size() const { return by_origin_.size(); }

 private:
  StringMap<OriginTerms> by_origin_;
};

}  // namespace tabadul::policy
