#include "match/sighting.h"

#include <algorithm>
#include <random>

#include <boost/json.hpp>

#include "common/timestamp.h"
#include "stix/id.h"
#include "stix/validator.h"

namespace tabadul::match {

RandomBytes SystemRandom() {
  return [] {
    std::random_device device;  // a fresh device per call: no shared state between threads
    std::array<uint8_t, 16> bytes;
    for (size_t i = 0; i < bytes.size(); i += 4) {
      const uint32_t word = device();
      for (size_t j = 0; j < 4; ++j) bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
    }
    return bytes;
  };
}

Result<stix::StixObject> MakeSighting(const SightingFacts& facts, const RandomBytes& random) {
  if (facts.org_id.rfind("identity--", 0) != 0) {
    return InvalidArgument("the sighting organization '" + facts.org_id +
                           "' is not an identity id");
  }
  const std::string created = FormatTimestamp(facts.created_ns, 3);
  const int64_t first = std::min(facts.first_seen_ns, facts.last_seen_ns);
  boost::json::object o;
  o["type"] = "sighting";
  o["spec_version"] = "2.1";
  o["id"] = stix::NewId("sighting", random());
  o["created"] = created;
  o["modified"] = created;
  o["created_by_ref"] = facts.org_id;
  o["sighting_of_ref"] = facts.indicator_id;
  o["where_sighted_refs"] = boost::json::array{boost::json::value(facts.org_id)};
  o["count"] = std::clamp<int64_t>(facts.count, 0, 999'999'999);
  o["first_seen"] = FormatTimestamp(first, 3);
  o["last_seen"] = FormatTimestamp(facts.last_seen_ns, 3);
  return stix::ParseObject(boost::json::serialize(o));
}

}  // namespace tabadul::match
