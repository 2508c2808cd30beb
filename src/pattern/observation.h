// The observations a pattern is evaluated against: STIX 2.1 observed-data objects and the SCOs
// they refer to, parsed from JSON inside this module (the pattern module does not depend on the
// stix module).
//
// Accepted input: a bundle ({"type":"bundle","objects":[...]}), a JSON array of objects, or one
// observed-data object. Each observed-data contributes one Observation whose root objects are
//   - the SCOs named by `object_refs`, looked up by `id` among all objects of the input
//     (refs to objects not in the input are skipped: a sharing partner may not have sent them), or
//   - the values of the deprecated embedded `objects` dictionary, whose `*_ref` values are its
//     keys ("0", "1", ...).
// Objects that are not observed-data are only reference targets.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "pattern/ast.h"

namespace tabadul::pattern {

struct Observation {
  int64_t first_observed = 0;  // nanoseconds since the epoch
  int64_t last_observed = 0;
  int64_t number_observed = 1;
  std::vector<const boost::json::object*> objects;  // root SCOs, in input order
  const boost::json::object* embedded = nullptr;    // the deprecated `objects` dictionary
};

// Owns the parsed JSON; pointers inside stay valid for the set's lifetime (also after a move).
// Immutable after construction and safe to read from several threads.
class ObservationSet {
 public:
  // InvalidArgument if the JSON is malformed or nested deeper than 64 levels, or an
  // observed-data lacks valid first_observed / last_observed, or has neither object_refs nor
  // objects.
  static Result<ObservationSet> FromJson(std::string_view json);

  // One observation of the single SCO `sco`, seen at `at_nanos` (first = last = at_nanos).
  static ObservationSet FromObject(boost::json::object sco, int64_t at_nanos);

  const std::vector<Observation>& observations() const { return observations_; }

  // Resolves the value of a `*_ref` property seen inside `obs`: a key of the embedded dictionary
  // when there is one, an id otherwise. nullptr if it does not resolve.
  const boost::json::object* Resolve(const Observation& obs, std::string_view ref) const;

 private:
  std::unique_ptr<boost::json::value> doc_;
  std::vector<Observation> observations_;
  std::unordered_map<std::string_view, const boost::json::object*> by_id_;
};

// A value reached by an object path, with the name of the property it came from (which decides
// `_ref` dereferencing and `_hex` / `_bin` decoding).
struct PathValue {
  const boost::json::value* value;
  std::string_view key;
};

// All values `path` reaches from `root` (an SCO of observation `obs`): keys select members,
// `[n]` / `[*]` select list elements, and a key step applied to the value of a `*_ref` property
// (or an element of a `*_refs` list) first dereferences it through set.Resolve(). Unresolvable
// steps contribute nothing.
void ResolvePath(const ObjectPath& path, const boost::json::object& root, const Observation& obs,
                 const ObservationSet& set, std::vector<PathValue>* out);

}  // namespace tabadul::pattern
