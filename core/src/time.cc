#include "linecrew/core/time.h"

#include <cstdio>
#include <string>

#include "linecrew/core/error.h"

namespace linecrew {

std::string format_utc(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(t - day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

TimePoint time_from_wire(std::int64_t secs, std::int32_t nanos, std::string_view field) {
  if (secs < kMinWireSeconds || secs > kMaxWireSeconds)
    throw_invalid(std::string(field) + ".seconds",
                  std::to_string(secs) + " is outside 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z");
  if (nanos < 0 || nanos > 999'999'999)
    throw_invalid(std::string(field) + ".nanos", std::to_string(nanos) + " is outside [0, 999999999]");
  return TimePoint(Duration(secs));
}

Duration duration_from_wire(std::int64_t secs, std::int32_t nanos, std::string_view field) {
  if (secs < -kMaxWireDurationSeconds || secs > kMaxWireDurationSeconds)
    throw_invalid(std::string(field) + ".seconds", std::to_string(secs) + " is outside +-10,000 years");
  if (nanos <= -1'000'000'000 || nanos >= 1'000'000'000 || (secs > 0 && nanos < 0) || (secs < 0 && nanos > 0))
    throw_invalid(std::string(field) + ".nanos",
                  std::to_string(nanos) + " is outside (-1e9, 1e9) or its sign differs from seconds");
  return Duration(secs);
}

namespace {

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

TimePoint parse_utc(std::string_view text, std::string_view field) {
  const auto fail = [&]() -> TimePoint {
    throw_invalid(std::string(field),
                  "'" + std::string(text) + "' is not a time like 2026-11-22T14:05:00Z or 2026-11-22T22:05+08:00");
  };
  int y, mo, d, h, mi, s = 0;
  if (!read_int(text, 0, 4, y) || text.size() < 16 || text[4] != '-' || !read_int(text, 5, 2, mo) || text[7] != '-' ||
      !read_int(text, 8, 2, d) || (text[10] != 'T' && text[10] != ' ') || !read_int(text, 11, 2, h) ||
      text[13] != ':' || !read_int(text, 14, 2, mi))
    return fail();
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!read_int(text, pos + 1, 2, s)) return fail();
    pos += 3;
  }
  Duration offset{0};
  if (pos < text.size() && text[pos] == 'Z' && pos + 1 == text.size()) {
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    int oh, om;
    if (!read_int(text, pos + 1, 2, oh) || !read_int(text, pos + 4, 2, om) || oh > 23 || om > 59) return fail();
    offset = hours(oh) + minutes(om);
    if (text[pos] == '-') offset = -offset;
  } else {
    return fail();
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return fail();
  return TimePoint(std::chrono::sys_days(ymd)) + hours(h) + minutes(mi) + seconds(s) - offset;
}

std::string format_hhmm(TimePoint t, Duration utc_offset) {
  const TimePoint local = t + utc_offset;
  const auto since_midnight = local - std::chrono::floor<std::chrono::days>(local);
  const std::chrono::hh_mm_ss hms(since_midnight);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld", static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()));
  return buf;
}

long minutes_ceil(Duration d) {
  return static_cast<long>(std::chrono::ceil<minutes>(d).count());
}

}  // namespace linecrew
