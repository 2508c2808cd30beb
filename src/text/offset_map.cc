#include "text/offset_map.h"

#include <algorithm>
#include <cassert>

namespace tabadul::text {

void OffsetMap::Note(size_t out, size_t in) {
  if (!points_.empty()) {
    const Point& last = points_.back();
    assert(out >= last.out && in >= last.in);
    if (in - last.in == out - last.out) return;  // same delta: implied by the last checkpoint
  } else if (out == in) {
    return;  // identity prefix needs no checkpoint
  }
  points_.push_back({out, in});
}

size_t OffsetMap::ToSource(size_t out) const {
  size_t hint = 0;
  return ToSource(out, hint);
}

size_t OffsetMap::ToSourceEnd(size_t out_end, const char* source, size_t source_size) const {
  size_t hint = 0;
  return ToSourceEnd(out_end, source, source_size, hint);
}

size_t OffsetMap::UpperBound(size_t out, size_t& hint) const {
  const auto after = [out](const Point& p) { return out < p.out; };
  size_t lo = std::min(hint, points_.size());
  if (lo > 0 && points_[lo - 1].out > out) lo = 0;  // went backwards: search from the start
  // Gallop: the answer is usually a few checkpoints past the previous one.
  size_t step = 1;
  size_t hi = lo;
  while (hi < points_.size() && !after(points_[hi])) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = std::min(hi, points_.size());
  auto it = std::upper_bound(points_.begin() + lo, points_.begin() + hi, out,
                             [](size_t o, const Point& p) { return o < p.out; });
  hint = static_cast<size_t>(it - points_.begin());
  return hint;
}

size_t OffsetMap::SourceAt(size_t out, size_t upper) const {
  // The last checkpoint with point.out <= out is points_[upper - 1]; before the first checkpoint
  // the map is the identity (an implied checkpoint at 0, 0).
  const Point p = upper == 0 ? Point{0, 0} : points_[upper - 1];
  size_t in = p.in + (out - p.out);
  if (upper < points_.size()) in = std::min(in, points_[upper].in);
  return in;
}

size_t OffsetMap::ToSource(size_t out, size_t& hint) const {
  return SourceAt(out, UpperBound(out, hint));
}

size_t OffsetMap::ToSourceEnd(size_t out_end, const char* source, size_t source_size,
                              size_t& hint) const {
  if (out_end == 0) return ToSource(0, hint);
  size_t end = ToSource(out_end - 1, hint) + 1;
  while (end < source_size && (static_cast<unsigned char>(source[end]) & 0xC0) == 0x80) ++end;
  return std::min(end, source_size);
}

}  // namespace tabadul::text
