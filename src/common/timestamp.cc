#include "common/timestamp.h"

#include <chrono>
#include <cstdio>

namespace tabadul {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<ParsedTimestamp> ParseTimestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS = 19 characters, then optional fraction, then Z.
  int year, month, day, hour, minute, second;
  if (s.size() < 20 || !Digits(s, 0, 4, &year) || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || s[10] != 'T' || !Digits(s, 11, 2, &hour) ||
      s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return InvalidArgument("not an RFC 3339 timestamp of the form YYYY-MM-DDTHH:MM:SS[.s+]Z");
  }
  if (s.back() != 'Z') return InvalidArgument("timestamp must be UTC and end with 'Z'");
  ParsedTimestamp out;
  int64_t frac_nanos = 0;
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start >= 9) return InvalidArgument("timestamp has more than 9 fractional digits");
      frac_nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return InvalidArgument("timestamp has a '.' without fractional digits");
    out.fraction_digits = static_cast<int>(pos - start);
  }
  if (pos != s.size() - 1) return InvalidArgument("unexpected characters in timestamp");
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) {
    return InvalidArgument("timestamp field out of range");
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return InvalidArgument("timestamp names a day that does not exist");
  if (year < 1678 || year > 2261) return InvalidArgument("timestamp year out of range 1678..2261");
  int64_t days = sys_days(ymd).time_since_epoch().count();
  // A leap second (60) is folded onto the next second.
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second;
  out.nanos = secs * 1000000000LL + frac_nanos;
  return out;
}

std::string FormatTimestamp(int64_t nanos, int fraction_digits) {
  using namespace std::chrono;
  int64_t secs = nanos / 1000000000LL;
  int64_t frac = nanos % 1000000000LL;
  if (frac < 0) {
    frac += 1000000000LL;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(rem / 3600),
                        int(rem / 60 % 60), int(rem % 60));
  std::string out(buf, n);
  if (fraction_digits > 0) {
    char fbuf[16];
    std::snprintf(fbuf, sizeof fbuf, "%09lld", static_cast<long long>(frac));
    out += '.';
    out.append(fbuf, fraction_digits > 9 ? 9 : fraction_digits);
  }
  out += 'Z';
  return out;
}

}  // namespace tabadul
