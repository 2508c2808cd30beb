// The exchange terms configured on peers, as the visibility rule reads them: the bridge between
// sync::PeerRegistry (where an operator sets them: `tabadul peer add/set`, the peers admin API)
// and policy::EngineOptions::origin_terms, so that the policy module does not depend on sync.
//
// Wiring (where the engine is built, with the registry opened on the same database):
//   engine_options.origin_terms = sync::OriginTermsLoader(registry);
#pragma once

#include "policy/origin_terms.h"
#include "sync/peer_registry.h"

namespace tabadul::sync {

// A loader listing every peer's terms (origin = the peer's name). `registry` must outlive the
// loader. The registry's error when the peers cannot be read. A stored level that no longer
// parses (only by editing the database) reads as the strictest: nothing forwarded, RED default.
policy::OriginTermsLoader OriginTermsLoader(PeerRegistry& registry);

// The terms of one peer (the same reading as the loader's).
policy::OriginTerms OriginTermsOf(const Peer& peer);

}  // namespace tabadul::sync
