// Feeds the same bytes to ParseObject (as one object), to ObjectStream (as a bundle or
// envelope, each element then to ParseObject), to ExtractId and to CanonicalJson, checking the
// invariants that must hold for any input: no crash, refusals are InvalidArgument with a
// parsable "[rule] property:" message, an accepted object keeps its bytes and has a valid id,
// and canonical JSON is a fixed point.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stix/id.h"
#include "stix/object_stream.h"
#include "stix/validator.h"

namespace {

using tabadul::StatusCode;
using namespace tabadul::stix;

// Aborts (so libFuzzer records the input) naming the broken invariant.
#define Check(condition)                                                 \
  do {                                                                   \
    if (!(condition)) {                                                  \
      std::fprintf(stderr, "invariant broken: %s (line %d)\n", #condition, __LINE__); \
      std::abort();                                                      \
    }                                                                    \
  } while (0)

void CheckObject(std::string_view text) {
  auto r = ParseObject(text);
  if (r.ok()) {
    Check(r->json == text);
    Check(IsValidId(r->id));
    Check(r->id.starts_with(r->type + "--"));
    Check(r->spec_version == "2.1");
  } else {
    Check(r.status().code() == StatusCode::kInvalidArgument);
    Check(ParseRefusal(r.status()).has_value());
  }
  (void)ExtractId(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckObject(text);

  auto stream = ObjectStream::Open(text);
  if (stream.ok()) {
    std::string_view raw;
    for (int i = 0; i < 10000; ++i) {
      auto more = (*stream)->Next(&raw);
      if (!more.ok() || !*more) break;
      CheckObject(raw);
    }
  } else {
    Check(stream.status().code() == StatusCode::kInvalidArgument);
  }

  auto canonical = CanonicalJson(text);
  if (canonical.ok()) {
    // ECMAScript number form can print integers of 21 digits (4.4444444444444446e20 becomes
    // 444444444444444460000), which simdjson cannot read back: only compare when it can.
    auto again = CanonicalJson(*canonical);
    Check(!again.ok() || *again == *canonical);
  }
  return 0;
}
