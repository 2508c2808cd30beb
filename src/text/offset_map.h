// OffsetMap: where a byte of a rewritten text came from in the text it was rewritten from.
//
// Normalization and refanging delete, replace and shorten characters, but every indicator and
// entity must still point at its exact place in the caller's original bytes (provenance, and the
// UI highlights it). Storing one source offset per output byte would cost four times the text;
// instead the map keeps a checkpoint only where the output-to-source delta changes, which for
// ordinary text (ASCII, or Arabic without marks) is one checkpoint in total.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tabadul::text {

class OffsetMap {
 public:
  // Records that output offset `out` corresponds to source offset `in`. Calls must come with
  // non-decreasing `out` and `in`; a checkpoint is stored only when the delta changes.
  void Note(size_t out, size_t in);

  // Source offset of the output byte at `out` (for the start of a span). Bytes inside a rewritten
  // segment map into that segment, never past its end.
  size_t ToSource(size_t out) const;

  // Source offset one past the output span that ends at `out_end` (exclusive). `source` must be
  // the source text, used to extend the result to the end of the UTF-8 character it falls in.
  size_t ToSourceEnd(size_t out_end, const char* source, size_t source_size) const;

  // The same two lookups for a caller that asks about offsets in (mostly) ascending order, such as
  // a left-to-right scan: `hint` (start it at 0, then pass it back unchanged) remembers where the
  // previous lookup ended, so the next one gallops forward from there instead of binary-searching
  // the whole map. Any order is still answered correctly; only the speed depends on it.
  size_t ToSource(size_t out, size_t& hint) const;
  size_t ToSourceEnd(size_t out_end, const char* source, size_t source_size, size_t& hint) const;

  size_t checkpoint_count() const { return points_.size(); }

  // Forgets every checkpoint (the identity map again), keeping the allocated capacity so a map
  // reused across calls does not allocate.
  void Clear() { points_.clear(); }

 private:
  struct Point {
    size_t out;
    size_t in;
  };
  // Index of the first checkpoint with point.out > out, searching from `hint`.
  size_t UpperBound(size_t out, size_t& hint) const;
  size_t SourceAt(size_t out, size_t upper) const;

  std::vector<Point> points_;
};

}  // namespace tabadul::text
