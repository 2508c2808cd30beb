#include "policy/hooks.h"

namespace tabadul::policy {

Result<taxii::ApiHooks> MakeHooks(Engine& engine) {
  TABADUL_RETURN_IF_ERROR(engine.Reload());
  taxii::ApiHooks hooks;
  hooks.access = [&engine](const taxii::RequestInfo& info, const store::Collection& c) {
    return engine.Access(info.principal, c);
  };
  hooks.read_filter = [&engine](const taxii::RequestInfo& info, const store::Collection& c) {
    return engine.ReadFilter(info.principal, info.over_tls, c);
  };
  hooks.rewrite = [&engine](const taxii::RequestInfo& info, const store::Collection& c,
                            store::ObjectRow& row) {
    engine.Rewrite(info.principal, info.over_tls, c, row);
  };
  // No on_stored: marking definitions are not learned per path but read from the store by the
  // engine (any path that stores one bumps the policy generation; engine.h, "Freshness").
  return hooks;
}

}  // namespace tabadul::policy
