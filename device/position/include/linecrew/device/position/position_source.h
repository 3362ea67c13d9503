// What the handheld knows about where it is, and where that comes from.
// Conventions: WGS84 degrees in (lat, lon) order, metres, m/s, degrees true
// (clockwise from north, [0, 360)), times UTC in whole seconds (core/time.h).
#pragma once

#include <chrono>
#include <optional>

#include "linecrew/core/geo.h"
#include "linecrew/core/time.h"

namespace linecrew::position {

// One position fix from a receiver or a replay.
struct PositionFix {
  GeoPoint point{0, 0};
  // Estimated horizontal error in metres (> 0); see nmea.h for how it is derived.
  float accuracy_m = 0;
  // Speed over ground; absent when the source does not report it.
  std::optional<float> speed_mps;
  // Course over ground in degrees true, [0, 360); absent when not reported (e.g. standing still).
  std::optional<float> heading_deg;
  // When the receiver measured the position (not when we read it).
  TimePoint fix_time;

  bool operator==(const PositionFix&) const = default;
};

// A stream of fixes, oldest first. Every member function is thread-safe:
// one thread may wait in next() while another calls stop().
class PositionSource {
 public:
  virtual ~PositionSource() = default;

  // The next fix, waiting at most `timeout` (0 = just look). nullopt when none
  // came in time, or when the source has ended: then finished() is true.
  virtual std::optional<PositionFix> next(std::chrono::milliseconds timeout) = 0;
  // True once no further fix will come (end of a replay, gpsd gone, stopped).
  virtual bool finished() const = 0;
  // Ends the source; a next() waiting in another thread returns nullopt
  // within about 100 ms.
  virtual void stop() = 0;
};

}  // namespace linecrew::position
