// Reads the `objects` array of a STIX bundle or a TAXII 2.1 envelope one object at a time,
// without building a DOM of the whole document: memory stays near the size of the input text
// (simdjson On Demand). Each object is returned as its raw JSON text, to be validated one by
// one by ParseObject(), so one bad object never hides the good ones beside it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tabadul::stix {

class ObjectStream {
 public:
  enum class Container { kBundle, kEnvelope };

  // Opens `text`, which must stay alive and unchanged while the stream is used. The top level
  // must be a JSON object with an `objects` array (a bundle: "type":"bundle"; an envelope: no
  // "type"). An absent `objects` is an empty stream; any other shape is InvalidArgument naming
  // the problem. The text is copied into a padded buffer only when `text` lacks the padding
  // simdjson needs, so pass a simdjson::padded_string_view-compatible buffer on hot paths.
  static Result<std::unique_ptr<ObjectStream>> Open(std::string_view text);
  virtual ~ObjectStream() = default;

  virtual Container container() const = 0;

  // Advances to the next element. Returns true and sets *raw (a view into the input, valid
  // while the stream lives) when there is one; false at the end. A structural error (malformed
  // JSON, an element that is not an object) is InvalidArgument; after an error the stream is
  // finished. The depth of nesting inside one object is limited (kMaxDepth) to refuse hostile
  // input.
  virtual Result<bool> Next(std::string_view* raw) = 0;

  // The envelope's `more` (false when absent or for a bundle) and `next` (empty when absent).
  // Known once Open() has succeeded.
  virtual bool more() const = 0;
  virtual std::string_view next() const = 0;

  // The bundle's `id` (empty for an envelope).
  virtual std::string_view bundle_id() const = 0;

  // Like Open(), but never copies: the caller promises that kPadding readable bytes follow
  // text.data() + text.size() (e.g. a std::string whose capacity is at least size + kPadding,
  // as ReadPaddedText-style loaders produce). Use it for large bundles to keep memory at ~1x.
  static Result<std::unique_ptr<ObjectStream>> OpenPadded(std::string_view text);
  static constexpr size_t kPadding = 64;

  static constexpr int kMaxDepth = 64;
};

}  // namespace tabadul::stix
