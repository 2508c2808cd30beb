// ObjectStream over simdjson On Demand.
//
// One pass over the document: the top-level fields before `objects` are read by Open(), the
// elements of `objects` are handed out one at a time by Next() as views into the input text,
// and the fields after `objects` are read when the array ends. Nothing is materialised: the
// memory beyond the text is simdjson's structural index (4 bytes per structural character) and
// a small string buffer, so a 40 MB bundle costs ~1x its size plus the index.
//
// Because the pass is single, an error at element n is reported by the n-th call to Next()
// after the n-1 good elements were returned. Errors that simdjson detects for the whole
// document at once (invalid UTF-8, an unterminated string, unbalanced brackets as in a
// truncated document) fail Open() itself. Elements are delimited by bracket structure only: an
// element that is balanced but malformed inside (`{"c":[}]`) is returned as is, and
// ParseObject() refuses it (rule json); the elements after it are still delimited correctly.
// Content after the top-level object is reported when the array has been read.
// Each element is checked for nesting depth (kMaxDepth) with a scan of its bytes, so that a
// hostile element is refused before anyone builds a DOM of it.
#include "stix/object_stream.h"

#include <simdjson.h>

#include <string>

#include "stix/id.h"

namespace tabadul::stix {
namespace {

namespace od = simdjson::ondemand;

static_assert(ObjectStream::kPadding == simdjson::SIMDJSON_PADDING);

Status JsonError(std::string_view where, simdjson::error_code e) {
  return InvalidArgument(std::string(where) + ": " + simdjson::error_message(e));
}

// True when `raw` (one complete JSON value) nests containers deeper than `limit`.
bool TooDeep(std::string_view raw, int limit) {
  // Fast path: fewer opening brackets than the limit cannot nest deeper than it. This count
  // vectorises (~10x the speed of the exact scan below) and settles almost every real object.
  size_t openings = 0;
  for (char c : raw) openings += (c == '{') | (c == '[');
  if (openings <= size_t(limit)) return false;
  int depth = 0;
  bool in_string = false;
  const char* p = raw.data();
  const char* end = p + raw.size();
  for (; p < end; ++p) {
    char c = *p;
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{':
      case '[':
        if (++depth > limit) return true;
        break;
      case '}':
      case ']': --depth; break;
      default: break;
    }
  }
  return false;
}

class OnDemandStream final : public ObjectStream {
 public:
  // `owned` (possibly empty) holds the padded copy when the caller's text had no padding.
  explicit OnDemandStream(simdjson::padded_string owned) : owned_(std::move(owned)) {}

  Status Start(simdjson::padded_string_view text) {
    if (auto e = parser_.iterate(text).get(doc_)) return JsonError("malformed JSON", e);
    if (auto e = doc_.get_object().get(top_)) {
      if (e == simdjson::INCORRECT_TYPE) {
        return InvalidArgument("the top level must be a JSON object with an 'objects' array");
      }
      return JsonError("malformed JSON", e);
    }
    if (auto e = top_.begin().get(field_it_)) return JsonError("malformed JSON", e);
    if (auto e = top_.end().get(field_end_)) return JsonError("malformed JSON", e);
    return ReadFieldsUntilObjects();
  }

  simdjson::padded_string_view owned_view() { return owned_; }

  Container container() const override {
    return is_bundle_ ? Container::kBundle : Container::kEnvelope;
  }
  bool more() const override { return more_; }
  std::string_view next() const override { return next_; }
  std::string_view bundle_id() const override { return bundle_id_; }

  Result<bool> Next(std::string_view* raw) override {
    if (done_) return false;
    if (!in_array_) return Finish();
    if (!(elem_it_ != elem_end_)) {
      in_array_ = false;
      ++field_it_;  // past the `objects` field
      TABADUL_RETURN_IF_ERROR(Fail(ReadFieldsUntilObjects()));
      return Finish();
    }
    size_t n = index_++;
    std::string where = "objects[" + std::to_string(n) + "]";
    od::value value;
    if (auto e = (*elem_it_).get(value)) return Fail(JsonError(where, e));
    od::json_type type;
    if (auto e = value.type().get(type)) return Fail(JsonError(where, e));
    if (type != od::json_type::object) return Fail(InvalidArgument(where + " is not a JSON object"));
    od::object obj;
    if (auto e = value.get_object().get(obj)) return Fail(JsonError(where, e));
    std::string_view text;
    if (auto e = obj.raw_json().get(text)) return Fail(JsonError(where, e));
    if (TooDeep(text, kMaxDepth)) {
      return Fail(InvalidArgument(where + " nests deeper than " + std::to_string(kMaxDepth) +
                                  " levels"));
    }
    ++elem_it_;
    *raw = text;
    return true;
  }

 private:
  Status Fail(Status st) {
    if (!st.ok()) done_ = true;
    return st;
  }

  Result<bool> Finish() {
    done_ = true;
    if (is_bundle_ && bundle_id_.empty()) return InvalidArgument("a bundle requires an 'id'");
    const char* rest = nullptr;
    if (!doc_.current_location().get(rest)) {
      return InvalidArgument("unexpected content after the top-level object");
    }
    return false;
  }

  // Reads top-level fields until `objects` (then positions the element iterator) or the end.
  Status ReadFieldsUntilObjects() {
    for (; field_it_ != field_end_; ++field_it_) {
      od::field field;
      if (auto e = (*field_it_).get(field)) return JsonError("malformed JSON", e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return JsonError("malformed JSON", e);
      if (key == "objects" && !seen_objects_) {
        seen_objects_ = true;
        od::array array;
        if (field.value().get_array().get(array)) {
          return InvalidArgument("'objects' must be an array");
        }
        if (auto e = array.begin().get(elem_it_)) return JsonError("objects", e);
        if (auto e = array.end().get(elem_end_)) return JsonError("objects", e);
        in_array_ = true;
        return Status::Ok();
      }
      TABADUL_RETURN_IF_ERROR(ReadHeaderField(key, field.value()));
    }
    return Status::Ok();
  }

  Status ReadHeaderField(std::string_view key, od::value value) {
    std::string_view s;
    if (key == "type") {
      if (value.get_string().get(s) || s != "bundle") {
        return InvalidArgument("top-level 'type' must be \"bundle\" (or absent for an envelope)");
      }
      is_bundle_ = true;
      if (!bundle_id_.empty()) TABADUL_RETURN_IF_ERROR(CheckBundleId());
    } else if (key == "id") {
      if (value.get_string().get(s)) return InvalidArgument("bundle 'id' must be a string");
      bundle_id_ = std::string(s);
      if (is_bundle_) TABADUL_RETURN_IF_ERROR(CheckBundleId());
    } else if (key == "more") {
      if (value.get_bool().get(more_)) return InvalidArgument("'more' must be a boolean");
    } else if (key == "next") {
      if (value.get_string().get(s)) return InvalidArgument("'next' must be a string");
      next_ = std::string(s);
    } else if (key == "spec_version") {
      if (value.get_string().get(s)) return InvalidArgument("'spec_version' must be a string");
    }
    return Status::Ok();  // other fields are skipped by the iterator
  }

  Status CheckBundleId() const {
    if (!bundle_id_.starts_with("bundle--") || !IsValidId(bundle_id_)) {
      return InvalidArgument("bundle 'id' must be bundle--<UUID>, got '" + bundle_id_ + "'");
    }
    return Status::Ok();
  }

  simdjson::padded_string owned_;
  od::parser parser_;
  od::document doc_;
  od::object top_;
  od::object_iterator field_it_, field_end_;
  od::array_iterator elem_it_, elem_end_;
  bool in_array_ = false;
  bool seen_objects_ = false;
  bool done_ = false;
  size_t index_ = 0;
  bool is_bundle_ = false;
  bool more_ = false;
  std::string next_;
  std::string bundle_id_;
};

}  // namespace

Result<std::unique_ptr<ObjectStream>> ObjectStream::Open(std::string_view text) {
  auto stream = std::make_unique<OnDemandStream>(simdjson::padded_string(text));
  TABADUL_RETURN_IF_ERROR(stream->Start(stream->owned_view()));
  return std::unique_ptr<ObjectStream>(std::move(stream));
}

Result<std::unique_ptr<ObjectStream>> ObjectStream::OpenPadded(std::string_view text) {
  auto stream = std::make_unique<OnDemandStream>(simdjson::padded_string());
  TABADUL_RETURN_IF_ERROR(stream->Start(
      simdjson::padded_string_view(text.data(), text.size(), text.size() + kPadding)));
  return std::unique_ptr<ObjectStream>(std::move(stream));
}

}  // namespace tabadul::stix
