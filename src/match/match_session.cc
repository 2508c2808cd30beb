#include "match/match_session.h"

#include <algorithm>

#include <boost/json.hpp>

#include "pattern/observable.h"
#include "pattern/observation.h"

namespace tabadul::match {
namespace {

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n\v\f";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

std::string_view StringOr(const boost::json::object& o, std::string_view key,
                          std::string_view fallback) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return fallback;
  return std::string_view(v->get_string().data(), v->get_string().size());
}

// Resolves `id_or_alias` and checks what `principal` may do there. Unreadable and unknown
// collections are the same NotFound, so the answer reveals nothing.
Result<store::Collection> Resolve(store::Store& store, const Visibility& visibility,
                                  const auth::Principal* principal, std::string_view id_or_alias,
                                  bool need_write) {
  const std::string unknown = "no collection '" + std::string(id_or_alias) + "'";
  auto collection = store.GetCollection(id_or_alias);
  if (!collection.ok()) {
    if (collection.status().code() == StatusCode::kNotFound) return NotFound(unknown);
    return collection.status();
  }
  if (principal == nullptr) return collection;
  TABADUL_ASSIGN_OR_RETURN(store::Grant grant, visibility.access(*principal, *collection));
  if (!grant.can_read && !grant.can_write) return NotFound(unknown);
  if (need_write) {
    if (!grant.can_write) {
      return PermissionDenied("no write access to collection '" + std::string(id_or_alias) +
                              "' for the sightings");
    }
    if (principal->role == store::Role::kReader) {
      return PermissionDenied("readers cannot store sightings");
    }
  } else if (!grant.can_read) {
    return NotFound(unknown);
  }
  return collection;
}

}  // namespace

Result<std::unique_ptr<MatchSession>> MatchSession::Open(
    IndicatorService& service, store::Store& store, intake::Pipeline& pipeline, const Clock& clock,
    const Visibility& visibility_in, const auth::Principal* principal,
    const MatchRequest& request, RandomBytes random) {
  const Visibility visibility = WithDefaults(visibility_in, store);
  std::unique_ptr<MatchSession> s(new MatchSession(service, store, pipeline, clock));
  TABADUL_ASSIGN_OR_RETURN(s->collection_,
                           Resolve(store, visibility, principal, request.collection, false));
  if (!request.sightings_collection.empty()) {
    if (principal == nullptr) {
      return InvalidArgument("sightings need a user: their organization is the one that saw");
    }
    TABADUL_ASSIGN_OR_RETURN(
        store::Collection sightings,
        Resolve(store, visibility, principal, request.sightings_collection, true));
    s->sightings_ = std::move(sightings);
  }
  if (principal != nullptr) {
    s->principal_ = *principal;
    // The session owns copies, so the filter stays valid as long as the session.
    s->visible_ = [row_visible = visibility.row_visible, p = &*s->principal_,
                   c = &s->collection_](const store::ObjectRow& row, std::string_view* under) {
      return row_visible(*p, *c, row, under);
    };
  }
  TABADUL_ASSIGN_OR_RETURN(s->index_, service.Refresh(s->collection_.id));
  s->random_ = std::move(random);
  return s;
}

Status MatchSession::MatchItem(size_t item, std::string_view text,
                               std::vector<MatchHit>* hits) {
  text = Trim(text);
  if (text.empty() || text.front() == '#') return Status::Ok();
  const int64_t now_ns = clock_.NowMicros() * 1000;
  if (text.front() == '{') return MatchJson(item, text, now_ns, hits);
  auto detected = pattern::DetectObservable(text);
  if (!detected) {
    return InvalidArgument(
        "not an observable (IPv4/IPv6 address, domain, URL, e-mail address, "
        "MD5/SHA-1/SHA-256/SHA-512 hash) nor a JSON object");
  }
  auto matches = service_.MatchValue(*index_, detected->kind, detected->value, now_ns, visible_);
  if (!matches.empty()) {
    Record(item, detected->value, pattern::ObservableKindName(detected->kind),
           std::move(matches), now_ns, now_ns, hits);
  }
  return Status::Ok();
}

Status MatchSession::MatchJson(size_t item, std::string_view text, int64_t now_ns,
                               std::vector<MatchHit>* hits) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(boost::json::string_view(text.data(), text.size()),
                                              ec);
  if (ec || !doc.is_object()) return InvalidArgument("malformed JSON: " + ec.message());
  const boost::json::object& obj = doc.get_object();
  const std::string type(StringOr(obj, "type", ""));
  if (type.empty()) return InvalidArgument("the JSON object has no \"type\"");
  std::string observable(StringOr(obj, "id", StringOr(obj, "value", type)));
  std::optional<pattern::ObservationSet> set;
  if (type == "observed-data" || type == "bundle") {
    TABADUL_ASSIGN_OR_RETURN(set, pattern::ObservationSet::FromJson(text));
    if (set->observations().empty()) {
      return InvalidArgument("the bundle holds no observed-data");
    }
  } else {
    set = pattern::ObservationSet::FromObject(std::move(doc).as_object(), now_ns);
  }
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const pattern::Observation& o : set->observations()) {
    first = std::min(first, o.first_observed);
    last = std::max(last, o.last_observed);
  }
  TABADUL_ASSIGN_OR_RETURN(auto matches,
                           service_.MatchObservedData(*index_, *set, now_ns, visible_));
  if (!matches.empty()) Record(item, observable, type, std::move(matches), first, last, hits);
  return Status::Ok();
}

void MatchSession::Record(size_t item, std::string_view observable, std::string_view kind,
                          std::vector<IndicatorMatch> matches, int64_t first_ns, int64_t last_ns,
                          std::vector<MatchHit>* hits) {
  for (IndicatorMatch& m : matches) {
    if (sightings_) {
      auto [it, added] = seen_.try_emplace(m.id, Seen{0, first_ns, last_ns});
      it->second.count += 1;
      it->second.first_ns = std::min(it->second.first_ns, first_ns);
      it->second.last_ns = std::max(it->second.last_ns, last_ns);
    }
    hits->push_back(MatchHit{item, std::string(observable), std::string(kind), std::move(m.id),
                             std::move(m.name), std::move(m.version), std::move(m.agreement)});
    ++hit_count_;
  }
}

Result<std::vector<std::string>> MatchSession::StoreSightings() {
  std::vector<std::string> ids;
  if (!sightings_ || seen_.empty()) return ids;
  const int64_t now_us = clock_.NowMicros();
  std::vector<stix::StixObject> objects;
  objects.reserve(seen_.size());
  for (const auto& [indicator_id, seen] : seen_) {
    SightingFacts facts{indicator_id, principal_->org_id, seen.count, seen.first_ns, seen.last_ns,
                        now_us * 1000};
    TABADUL_ASSIGN_OR_RETURN(stix::StixObject sighting, MakeSighting(facts, random_));
    objects.push_back(std::move(sighting));
  }
  TABADUL_ASSIGN_OR_RETURN(intake::WriteReport written,
                           pipeline_.Write(*sightings_, std::span<const stix::StixObject>(objects)));
  for (size_t i = 0; i < written.items.size(); ++i) {
    if (written.items[i].kind == store::PutOutcome::Kind::kRefused) {
      return FailedPrecondition("sighting of " + std::string(objects[i].id) +
                                " refused: " + written.items[i].message);
    }
    ids.push_back(objects[i].id);
  }
  seen_.clear();
  return ids;
}

}  // namespace tabadul::match
