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
  // Last checkpoint with point.out <= out.
  auto it = std::upper_bound(points_.begin(), points_.end(), out,
                             [](size_t o, const Point& p) { return o < p.out; });
  // Before the first checkpoint the map is the identity (an implied checkpoint at 0, 0).
  const Point p = it == points_.begin() ? Point{0, 0} : *(it - 1);
  size_t in = p.in + (out - p.out);
  if (it != points_.end()) in = std::min(in, it->in);
  return in;
}

size_t OffsetMap::ToSourceEnd(size_t out_end, const char* source, size_t source_size) const {
  if (out_end == 0) return ToSource(0);
  size_t end = ToSource(out_end - 1) + 1;
  while (end < source_size && (static_cast<unsigned char>(source[end]) & 0xC0) == 0x80) ++end;
  return std::min(end, source_size);
}

}  // namespace tabadul::text
