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
  hooks.on_stored = [&engine](const store::Collection&, const std::vector<stix::StixObject>& o) {
    // A failure to persist a marking definition leaves it unknown: objects referencing it are
    // then graded by their other markings or the collection default (known gap: a user-defined
    // RED definition lost this way grades its objects at the default; the hook has no way to
    // report the failure to the poster).
    (void)engine.LearnMarkings(o);
  };
  return hooks;
}

}  // namespace tabadul::policy
