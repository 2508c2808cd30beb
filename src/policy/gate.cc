#include "policy/gate.h"

#include <optional>

namespace tabadul::policy {

Result<store::Grant> Gate::Access(const auth::Principal& principal,
                                  const store::Collection& collection) {
  return engine_.Access(principal, collection);
}

gate::RowJudge Gate::Judge(const gate::Recipient& to, const store::Collection& collection,
                           gate::Use use) {
  const auto nothing = [](const store::ObjectRow&) { return gate::Verdict{}; };
  if (to.org_id.empty()) return nothing;
  std::optional<PermittedAction> floor;
  if (use == gate::Use::kMatch) floor = PermittedAction::kInternallyVisible;
  if (!to.min_action.empty()) {
    auto wanted = ParsePermittedAction(to.min_action);
    if (!wanted) return nothing;  // callers validate the name first; unknown = fail closed
    if (!floor || *floor < *wanted) floor = *wanted;
  }
  const bool provider = to.org_id == collection.owner_org;
  return [decide = engine_.Decider(to.org_id, to.over_tls, collection), floor,
          provider](const store::ObjectRow& row) -> gate::Verdict {
    const Decision d = decide(row);
    if (!d.visible) return {};
    if (floor && !provider && d.permitted_actions < *floor) return {};
    return {true, d.agreement};
  };
}

void Gate::Rewrite(const gate::Recipient& to, const store::Collection& collection,
                   store::ObjectRow& row) {
  engine_.Rewrite(auth::Principal{to.user, to.org_id, store::Role::kReader}, to.over_tls,
                  collection, row);
}

}  // namespace tabadul::policy
