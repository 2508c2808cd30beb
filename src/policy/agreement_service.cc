#include "policy/agreement_service.h"

#include <algorithm>
#include <map>

namespace tabadul::policy {
namespace {

store::AgreementVersion NextVersion(const Agreement& a, int64_t previous, bool ended,
                                    int64_t now_us, std::string_view actor) {
  store::AgreementVersion v;
  v.name = a.name;
  v.version = previous + 1;
  v.provider_org = a.provider_org;
  v.body = AgreementToJson(a);
  v.ended = ended;
  v.changed_us = now_us;
  v.changed_by = std::string(actor);
  return v;
}

// The latest version of `name`, or nullopt when the name was never used.
Result<std::optional<store::AgreementVersion>> Latest(store::SqliteAgreementStore& s,
                                                      std::string_view name) {
  auto history = s.AgreementHistory(name);
  if (!history.ok()) {
    if (history.status().code() == StatusCode::kNotFound) {
      return std::optional<store::AgreementVersion>();
    }
    return history.status();
  }
  return std::optional<store::AgreementVersion>(history->back());
}

}  // namespace

Result<Agreement> AgreementOf(const store::AgreementVersion& v) { return ParseAgreementJson(v.body); }

Result<store::AgreementVersion> AgreementService::Write(
    std::vector<store::AgreementVersion> versions) {
  TABADUL_RETURN_IF_ERROR(engine_.agreement_store().AppendAgreementVersions(versions));
  TABADUL_RETURN_IF_ERROR(engine_.Reload());
  return versions.back();
}

Result<store::AgreementVersion> AgreementService::Add(Agreement a, std::string_view actor) {
  TABADUL_RETURN_IF_ERROR(ResolveAndValidate(engine_.store(), a));
  TABADUL_ASSIGN_OR_RETURN(auto latest, Latest(engine_.agreement_store(), a.name));
  if (latest && !latest->ended) {
    return AlreadyExists("agreement '" + a.name + "' already exists; use update to change it");
  }
  const int64_t previous = latest ? latest->version : 0;
  return Write({NextVersion(a, previous, false, engine_.NowMicros(), actor)});
}

Result<store::AgreementVersion> AgreementService::Update(Agreement a, std::string_view actor) {
  TABADUL_RETURN_IF_ERROR(ResolveAndValidate(engine_.store(), a));
  TABADUL_ASSIGN_OR_RETURN(auto latest, Latest(engine_.agreement_store(), a.name));
  if (!latest || latest->ended) return NotFound("no active agreement '" + a.name + "'");
  if (latest->provider_org != a.provider_org) {
    return FailedPrecondition("agreement '" + a.name +
                              "': provider: cannot change; end it and add a new one");
  }
  return Write({NextVersion(a, latest->version, false, engine_.NowMicros(), actor)});
}

Result<store::AgreementVersion> AgreementService::End(std::string_view name,
                                                      std::string_view actor) {
  TABADUL_ASSIGN_OR_RETURN(auto latest, Latest(engine_.agreement_store(), name));
  if (!latest || latest->ended) return NotFound("no active agreement '" + std::string(name) + "'");
  TABADUL_ASSIGN_OR_RETURN(Agreement a, AgreementOf(*latest));
  return Write({NextVersion(a, latest->version, true, engine_.NowMicros(), actor)});
}

Result<std::vector<store::AgreementVersion>> AgreementService::List(bool include_ended,
                                                                    std::string_view party_org) {
  TABADUL_ASSIGN_OR_RETURN(auto all, engine_.agreement_store().LatestAgreements());
  std::vector<store::AgreementVersion> out;
  for (auto& v : all) {
    if (v.ended && !include_ended) continue;
    if (!party_org.empty() && v.provider_org != party_org) {
      auto a = AgreementOf(v);
      if (!a.ok() || !std::binary_search(a->recipients.begin(), a->recipients.end(), party_org)) {
        continue;
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<store::AgreementVersion> AgreementService::Show(std::string_view name) {
  TABADUL_ASSIGN_OR_RETURN(auto latest, Latest(engine_.agreement_store(), name));
  if (!latest) return NotFound("no agreement '" + std::string(name) + "'");
  return *latest;
}

Result<std::vector<store::AgreementVersion>> AgreementService::History(std::string_view name) {
  return engine_.agreement_store().AgreementHistory(name);
}

Result<ApplyReport> AgreementService::Apply(std::vector<Agreement> desired,
                                            std::string_view provider_scope,
                                            std::string_view actor, bool dry_run) {
  // 1. Validate everything before touching anything.
  for (auto& a : desired) {
    TABADUL_RETURN_IF_ERROR(ResolveAndValidate(engine_.store(), a));
    if (!provider_scope.empty() && a.provider_org != provider_scope) {
      return InvalidArgument("agreement '" + a.name +
                             "': provider: this file may only hold your organization's agreements");
    }
  }
  TABADUL_ASSIGN_OR_RETURN(auto stored, engine_.agreement_store().LatestAgreements());
  std::map<std::string, const store::AgreementVersion*> by_name;
  for (const auto& v : stored) by_name[v.name] = &v;

  // 2. Plan.
  const int64_t now = engine_.NowMicros();
  ApplyReport report;
  std::vector<store::AgreementVersion> writes;
  for (const auto& a : desired) {
    auto it = by_name.find(a.name);
    if (it == by_name.end() || it->second->ended) {
      if (it != by_name.end() && !provider_scope.empty() &&
          it->second->provider_org != provider_scope) {
        return InvalidArgument("agreement '" + a.name + "': name: taken by another provider");
      }
      writes.push_back(NextVersion(a, it == by_name.end() ? 0 : it->second->version, false, now,
                                   actor));
      report.created.push_back(a.name);
      continue;
    }
    const store::AgreementVersion& cur = *it->second;
    if (cur.provider_org != a.provider_org) {
      return InvalidArgument("agreement '" + a.name +
                             "': provider: cannot change; use a new name");
    }
    auto current = AgreementOf(cur);
    if (current.ok() && *current == a) {
      report.unchanged.push_back(a.name);
      continue;
    }
    writes.push_back(NextVersion(a, cur.version, false, now, actor));
    report.updated.push_back(a.name);
  }
  for (const auto& v : stored) {
    if (v.ended) continue;
    if (!provider_scope.empty() && v.provider_org != provider_scope) continue;
    const bool kept = std::any_of(desired.begin(), desired.end(),
                                  [&](const Agreement& a) { return a.name == v.name; });
    if (kept) continue;
    TABADUL_ASSIGN_OR_RETURN(Agreement a, AgreementOf(v));
    writes.push_back(NextVersion(a, v.version, true, now, actor));
    report.ended.push_back(v.name);
  }
  // 3. Write all or nothing.
  if (!dry_run && !writes.empty()) TABADUL_RETURN_IF_ERROR(Write(std::move(writes)).status());
  return report;
}

}  // namespace tabadul::policy
