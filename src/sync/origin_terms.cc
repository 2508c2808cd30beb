#include "sync/origin_terms.h"

namespace tabadul::sync {

policy::OriginTerms OriginTermsOf(const Peer& peer) {
  policy::OriginTerms t;
  t.origin = peer.name;
  auto default_tlp = stix::ParseTlpName(peer.default_tlp);
  auto ceiling = stix::ParseTlpName(peer.forward_max_tlp);
  if (!default_tlp || !ceiling) {  // validated on the way in: a broken invariant at worst
    t.default_tlp = stix::Tlp::kRed;
    t.may_forward = false;
    return t;
  }
  t.default_tlp = *default_tlp;
  t.may_forward = peer.may_forward;
  t.forward_max_tlp = *ceiling;
  return t;
}

policy::OriginTermsLoader OriginTermsLoader(PeerRegistry& registry) {
  return [&registry]() -> Result<std::vector<policy::OriginTerms>> {
    TABADUL_ASSIGN_OR_RETURN(auto peers, registry.ListPeers());
    std::vector<policy::OriginTerms> out;
    out.reserve(peers.size());
    for (const auto& p : peers) out.push_back(OriginTermsOf(p));
    return out;
  };
}

}  // namespace tabadul::sync
