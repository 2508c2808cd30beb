// The visibility rule as TAXII API hooks: access (which collections a principal sees and how),
// read_filter (the rule per row, before the limit) and rewrite (anonymized attribution).
// on_disclosure is left empty: the runtime composes it with the audit module.
#pragma once

#include "policy/engine.h"
#include "taxii/api.h"

namespace tabadul::policy {

// `engine` must outlive the returned hooks. Reloads the engine once (an error is returned when
// the policy tables cannot be read).
Result<taxii::ApiHooks> MakeHooks(Engine& engine);

}  // namespace tabadul::policy
