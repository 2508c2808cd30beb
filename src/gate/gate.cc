#include "gate/gate.h"

namespace tabadul::gate {

store::RowFilter ScanFilter(RowJudge judge) {
  return [judge = std::move(judge)](const store::ObjectRow& row) {
    const Verdict v = judge(row);
    row.disclosed_under = v.deliver ? v.agreement : std::string_view();
    return v.deliver;
  };
}

Recipient RecipientOf(const auth::Principal& principal, bool over_tls) {
  return Recipient{principal.org_id, principal.user, over_tls, {}};
}

}  // namespace tabadul::gate
