#include "policy/visibility.h"

#include <algorithm>

namespace tabadul::policy {
namespace {

std::string PairKey(std::string_view provider, std::string_view recipient) {
  std::string k;
  k.reserve(provider.size() + recipient.size() + 1);
  k.append(provider).push_back('\n');
  k.append(recipient);
  return k;
}

bool Contains(const std::vector<std::string>& sorted, std::string_view v) {
  return std::binary_search(sorted.begin(), sorted.end(), v, std::less<>());
}

}  // namespace

void AgreementIndex::Build() {
  by_pair.clear();
  refs.resize(active.size());
  for (size_t i = 0; i < active.size(); ++i) {
    for (const auto& r : active[i].recipients) {
      by_pair[PairKey(active[i].provider_org, r)].push_back(i);
    }
  }
}

const std::vector<size_t>* AgreementIndex::Between(std::string_view provider,
                                                   std::string_view recipient) const {
  auto it = by_pair.find(PairKey(provider, recipient));
  return it == by_pair.end() ? nullptr : &it->second;
}

stix::Tlp EffectiveTlp(const ProviderMarkings& markings, stix::Tlp default_tlp,
                       const ObjectFacts& v) {
  // The object-level refs give the highest of their levels; the default counts when none gives
  // one — and, where the provider's definitions of a ref disagree, when some reading of every
  // ref leaves it without one (MarkingMeaning::levelless): the strictest reading wins.
  std::optional<stix::Tlp> object_level;
  bool may_be_unlevelled = true;
  for (const auto& ref : v.marking_refs) {
    const MarkingMeaning m = markings.Lookup(ref);
    if (m.tlp) object_level = object_level ? stix::MostRestrictive(*object_level, *m.tlp) : *m.tlp;
    if (!m.levelless) may_be_unlevelled = false;
  }
  stix::Tlp level = object_level.value_or(default_tlp);
  if (may_be_unlevelled) level = stix::MostRestrictive(level, default_tlp);
  for (const auto& ref : v.granular_refs) {
    if (auto t = markings.Lookup(ref).tlp) level = stix::MostRestrictive(level, *t);
  }
  return level;
}

stix::Tlp CollectionDefaultTlp(const store::Collection& collection) {
  return stix::ParseTlpName(collection.default_tlp).value_or(stix::Tlp::kAmber);
}

VisibilityCheck::VisibilityCheck(const PolicyTables& tables, const Viewer& viewer,
                                 const store::Collection& collection)
    : markings_(tables.markings.Of(collection.owner_org)),
      registry_(tables.markings),
      origins_(tables.origins),
      collection_(collection),
      default_tlp_(CollectionDefaultTlp(collection)),
      viewer_org_(viewer.org_id),
      now_us_(viewer.now_us),
      over_tls_(viewer.over_tls),
      is_provider_(viewer.org_id == collection.owner_org) {
  if (is_provider_) return;
  const AgreementIndex& agreements = tables.agreements;
  const auto* pair = agreements.Between(collection.owner_org, viewer.org_id);
  if (!pair) return;
  for (size_t i : *pair) {
    const Agreement& a = agreements.active[i];
    if (a.ValidAt(now_us_) && Contains(a.collections, collection.id)) {
      candidates_.push_back({&a, i < agreements.refs.size() ? agreements.refs[i] : ""});
    }
  }
}

Decision VisibilityCheck::Evaluate(const ObjectFacts& v) const {
  Decision d;
  if (is_provider_) {
    d.visible = true;
    d.permitted_actions = PermittedAction::kExternallyVisibleDirect;
    return d;
  }
  if (candidates_.empty()) return d;
  // What came from elsewhere goes on only where its origin's terms allow.
  const OriginTerms* origin = nullptr;
  if (!v.origin.empty()) {
    origin = origins_.Find(v.origin);
    if (!origin || !origin->may_forward) return d;
  }
  // V's refs mean what its provider's definitions say, or, for a version pulled from a peer,
  // what the definitions pulled from that peer say (MarkingScope).
  const ProviderMarkings& markings =
      v.origin.empty() ? markings_ : registry_.Of(MarkingScope(collection_.owner_org, v.origin));
  // V's own exchange terms.
  PermittedAction iep_actions = PermittedAction::kExternallyVisibleDirect;
  bool iep_anonymize = false;
  for (const auto* refs : {&v.marking_refs, &v.granular_refs}) {
    for (const auto& ref : *refs) {
      const IepPolicy* iep = markings.Lookup(ref).iep;
      if (!iep) continue;
      if (!iep->ValidAt(now_us_)) return d;
      if (iep->encrypt_in_transit == EncryptInTransit::kMust && !over_tls_) return d;
      iep_anonymize |= iep->attribution == Attribution::kMustNot;
      iep_actions = std::min(iep_actions, iep->permitted_actions);
    }
  }
  const stix::Tlp tlp = EffectiveTlp(markings, origin ? origin->default_tlp : default_tlp_, v);
  if (origin && tlp > origin->forward_max_tlp) return d;
  PermittedAction best = PermittedAction::kNone;
  bool agreement_anonymize = false;
  for (const auto& [a, ref] : candidates_) {
    if (!a->object_types.empty() && !Contains(a->object_types, v.type)) continue;
    if (!a->labels.empty() &&
        std::none_of(v.labels.begin(), v.labels.end(),
                     [&](const std::string& l) { return Contains(a->labels, l); })) {
      continue;
    }
    if (tlp > a->max_tlp) continue;
    if (tlp == stix::Tlp::kRed && !Contains(a->red_recipients, viewer_org_)) continue;
    if (a->terms.encrypt_in_transit == EncryptInTransit::kMust && !over_tls_) continue;
    if (!d.visible) d.agreement = ref;  // the first match (see Decision::agreement)
    d.visible = true;
    agreement_anonymize |= a->terms.attribution == Attribution::kMustNot;
    best = std::max(best, a->terms.permitted_actions);
  }
  if (!d.visible) return d;
  d.anonymize = iep_anonymize || agreement_anonymize;
  // The provider's own identity object would name the provider the rewrite hides.
  if (d.anonymize && v.type == "identity" && !v.id.empty() && v.id == collection_.owner_org) {
    return Decision{};
  }
  d.permitted_actions = std::min(best, iep_actions);
  return d;
}

Decision MayReceive(const PolicyTables& tables, const Viewer& viewer,
                    const store::Collection& collection, const ObjectFacts& v) {
  return VisibilityCheck(tables, viewer, collection).Evaluate(v);
}

}  // namespace tabadul::policy
