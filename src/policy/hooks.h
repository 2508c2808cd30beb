// The visibility rule as TAXII API hooks: access (which collections a principal sees and how),
// read_filter (the rule per row, before the limit) and rewrite (anonymized attribution).
// validate_object, on_disclosure and on_stored are left empty: the lead composes them with the
// audit, pattern and index modules. (Marking definitions need no hook: the engine rebuilds them
// from the store, whatever path stored them.)
#pragma once

#include "policy/engine.h"
#include "taxii/api.h"

namespace tabadul::policy {

// `engine` must outlive the returned hooks. Reloads the engine once (an error is returned when
// the policy tables cannot be read).
Result<taxii::ApiHooks> MakeHooks(Engine& engine);

}  // namespace tabadul::policy
