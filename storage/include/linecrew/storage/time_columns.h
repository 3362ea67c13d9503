// Times as SQLite integer columns (whole seconds since the epoch), shared by
// the server's and the handheld's stores.
#pragma once

#include <cstdint>
#include <optional>

#include "linecrew/core/time.h"

namespace linecrew::storage {

inline std::int64_t secs(TimePoint t) {
  return t.time_since_epoch().count();
}
inline TimePoint at(std::int64_t s) {
  return TimePoint(Duration(s));
}
inline std::optional<std::int64_t> secs(const std::optional<TimePoint>& t) {
  return t ? std::optional<std::int64_t>(secs(*t)) : std::nullopt;
}
inline std::optional<TimePoint> at(const std::optional<std::int64_t>& s) {
  return s ? std::optional<TimePoint>(at(*s)) : std::nullopt;
}

}  // namespace linecrew::storage
