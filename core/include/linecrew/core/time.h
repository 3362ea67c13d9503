// One internal time unit: whole seconds since the Unix epoch, UTC.
// Conversion to protobuf Timestamp/Duration and to local wall time happens at
// the edges only.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace linecrew {

using Duration = std::chrono::seconds;
using TimePoint = std::chrono::sys_time<Duration>;

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// "2026-11-22T14:05:00Z"
std::string format_utc(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM[:SS]Z" and "YYYY-MM-DDTHH:MM[:SS]+HH:MM" (any
// offset); throws Error(kInvalidArgument, field) when malformed.
TimePoint parse_utc(std::string_view text, std::string_view field = "time");
// "HH:MM" in local time, `utc_offset` east of UTC (e.g. +8 h for China).
std::string format_hhmm(TimePoint t, Duration utc_offset);
// Whole minutes, rounded up: 1 s late counts as 1 min late in messages.
long minutes_ceil(Duration d);

}  // namespace linecrew
