// The visibility rule as TAXII API hooks: access (which collections a principal sees and how),
// read_filter (the rule per row, before the limit), rewrite (anonymized attribution) and
// on_stored (learn posted TLP/IEP marking definitions). validate_object and on_disclosure are
// left empty: the lead composes them with the audit and pattern modules.
#pragma once

#include "policy/engine.h"
#include "taxii/api.h"

namespace tabadul::policy {

// `engine` must outlive the returned hooks. Reloads the engine once (an error is returned when
// the policy tables cannot be read).
Result<taxii::ApiHooks> MakeHooks(Engine& engine);

}  // namespace tabadul::policy
