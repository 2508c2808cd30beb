#include "pattern/observation.h"

#include "common/timestamp.h"

namespace tabadul::pattern {
namespace json = boost::json;
namespace {

Result<int64_t> TimeField(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_string()) {
    return InvalidArgument("observed-data " + std::string(name) + " is missing or not a string");
  }
  auto ts = ParseTimestamp(std::string_view(v->get_string()));
  if (!ts.ok()) {
    return InvalidArgument("observed-data " + std::string(name) + ": " + ts.status().message());
  }
  return ts->nanos;
}

bool IsRefKey(std::string_view k) { return k.ends_with("_ref") || k.ends_with("_refs"); }

}  // namespace

void ResolvePath(const ObjectPath& path, const json::object& root, const Observation& obs,
                 const ObservationSet& set, std::vector<PathValue>* out) {
  std::vector<PathValue> frontier, next;
  bool first = true;
  for (const PathStep& step : path.steps) {
    next.clear();
    if (step.kind == PathStep::Kind::kKey) {
      auto apply = [&](const json::object& o) {
        if (const json::value* v = o.if_contains(step.key)) next.push_back({v, step.key});
      };
      if (first) {
        apply(root);
      } else {
        for (const PathValue& pv : frontier) {
          if (pv.value->is_object()) {
            apply(pv.value->get_object());
          } else if (pv.value->is_string() && IsRefKey(pv.key)) {
            if (const json::object* target = set.Resolve(obs, pv.value->get_string())) {
              apply(*target);
            }
          }
        }
      }
    } else {
      for (const PathValue& pv : frontier) {
        if (!pv.value->is_array()) continue;
        const json::array& a = pv.value->get_array();
        if (step.kind == PathStep::Kind::kAnyIndex) {
          for (const json::value& e : a) next.push_back({&e, pv.key});
        } else {
          int64_t i = step.index < 0 ? static_cast<int64_t>(a.size()) + step.index : step.index;
          if (i >= 0 && i < static_cast<int64_t>(a.size())) next.push_back({&a[i], pv.key});
        }
      }
    }
    first = false;
    frontier.swap(next);
    if (frontier.empty()) break;
  }
  *out = std::move(frontier);
}


Result<ObservationSet> ObservationSet::FromJson(std::string_view text) {
  ObservationSet set;
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, {}, options);
  if (ec) return InvalidArgument("observations are not valid JSON: " + ec.message());
  set.doc_ = std::make_unique<json::value>(std::move(doc));

  const json::array* items = nullptr;
  if (set.doc_->is_array()) {
    items = &set.doc_->get_array();
  } else if (set.doc_->is_object()) {
    const json::object& o = set.doc_->get_object();
    const json::value* type = o.if_contains("type");
    if (type && type->is_string() && type->get_string() == "bundle") {
      const json::value* objects = o.if_contains("objects");
      if (!objects || !objects->is_array()) {
        return InvalidArgument("bundle has no objects array");
      }
      items = &objects->get_array();
    }
  } else {
    return InvalidArgument("observations must be a bundle, an array or an observed-data object");
  }
  std::vector<const json::object*> objects;
  if (items) {
    for (const json::value& v : *items) {
      if (!v.is_object()) return InvalidArgument("every STIX object must be a JSON object");
      objects.push_back(&v.get_object());
    }
  } else {
    objects.push_back(&set.doc_->get_object());
  }
  for (const json::object* o : objects) {
    const json::value* id = o->if_contains("id");
    if (id && id->is_string()) set.by_id_[std::string_view(id->get_string())] = o;
  }
  for (const json::object* o : objects) {
    const json::value* type = o->if_contains("type");
    if (!type || !type->is_string() || type->get_string() != "observed-data") continue;
    Observation obs;
    TABADUL_ASSIGN_OR_RETURN(obs.first_observed, TimeField(*o, "first_observed"));
    TABADUL_ASSIGN_OR_RETURN(obs.last_observed, TimeField(*o, "last_observed"));
    if (obs.last_observed < obs.first_observed) {
      return InvalidArgument("observed-data last_observed is earlier than first_observed");
    }
    if (const json::value* n = o->if_contains("number_observed"); n && n->is_int64()) {
      obs.number_observed = n->get_int64();
    }
    const json::value* refs = o->if_contains("object_refs");
    const json::value* embedded = o->if_contains("objects");
    if (refs && refs->is_array()) {
      for (const json::value& r : refs->get_array()) {
        if (!r.is_string()) continue;
        auto it = set.by_id_.find(std::string_view(r.get_string()));
        if (it != set.by_id_.end()) obs.objects.push_back(it->second);
      }
    } else if (embedded && embedded->is_object()) {
      obs.embedded = &embedded->get_object();
      for (const auto& kv : *obs.embedded) {
        if (kv.value().is_object()) obs.objects.push_back(&kv.value().get_object());
      }
    } else {
      return InvalidArgument("observed-data has neither object_refs nor objects");
    }
    set.observations_.push_back(std::move(obs));
  }
  return set;
}

ObservationSet ObservationSet::FromObject(json::object sco, int64_t at_nanos) {
  ObservationSet set;
  set.doc_ = std::make_unique<json::value>(std::move(sco));
  Observation obs;
  obs.first_observed = obs.last_observed = at_nanos;
  obs.objects.push_back(&set.doc_->get_object());
  set.observations_.push_back(std::move(obs));
  return set;
}

const json::object* ObservationSet::Resolve(const Observation& obs, std::string_view ref) const {
  if (obs.embedded) {
    const json::value* v = obs.embedded->if_contains(ref);
    return v && v->is_object() ? &v->get_object() : nullptr;
  }
  auto it = by_id_.find(ref);
  return it == by_id_.end() ? nullptr : it->second;
}

}  // namespace tabadul::pattern
