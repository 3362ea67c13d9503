// One internal time unit: whole seconds since the Unix epoch, UTC.
// Conversion to protobuf Timestamp/Duration and to local wall time happens at
// the edges only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace linecrew {

using Duration = std::chrono::seconds;
using TimePoint = std::chrono::sys_time<Duration>;

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// The range a protobuf Timestamp may hold (google/protobuf/timestamp.proto):
// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. No time outside it is taken in.
inline constexpr std::int64_t kMinWireSeconds = -62'135'596'800;
inline constexpr std::int64_t kMaxWireSeconds = 253'402'300'799;
// The range a protobuf Duration may hold: +-10,000 years.
inline constexpr std::int64_t kMaxWireDurationSeconds = 315'576'000'000;

// A time from the wire (seconds, nanos) to the internal unit, the nanos
// dropped. Throws Error(kInvalidArgument, field) when seconds lie outside
// [kMinWireSeconds, kMaxWireSeconds] or nanos outside [0, 999999999].
TimePoint time_from_wire(std::int64_t seconds, std::int32_t nanos, std::string_view field);
// A duration from the wire; |seconds| <= kMaxWireDurationSeconds, |nanos| <
// 1e9 with the sign of seconds. Throws Error(kInvalidArgument, field).
Duration duration_from_wire(std::int64_t seconds, std::int32_t nanos, std::string_view field);

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
