// Which fixes the handheld uploads: enough for the dispatcher's map and the
// planner's travel estimates, few enough for a phone data plan. Pure logic:
// the caller passes the time in, so it runs the same on simulated time.
#pragma once

#include <optional>

#include "linecrew/core/time.h"
#include "linecrew/device/position/position_source.h"

namespace linecrew::position {

struct ThrottleOptions {
  // At most one upload per interval ...
  Duration interval = seconds(30);
  // ... unless the crew moved more than this since the last upload (and more
  // than the two fixes' accuracies together, so receiver noise is no move) ...
  double move_m = 200.0;
  // ... or turned by at least this much while moving at least turn_speed_mps
  // (a course reported while standing still is noise).
  float turn_deg = 45.0f;
  float turn_speed_mps = 2.0f;
  // Never more often than this, whatever happened.
  Duration min_gap = seconds(5);
};

class PositionThrottle {
 public:
  explicit PositionThrottle(ThrottleOptions options = {});

  // True when `fix`, seen at `now`, should be uploaded; it then becomes the
  // reference for the next decisions. The first fix is always uploaded. A
  // clock going backwards counts as no time passed. Not thread-safe.
  bool should_upload(const PositionFix& fix, TimePoint now);

  const std::optional<PositionFix>& last_uploaded() const { return last_; }
  // Forgets the last upload (e.g. after a failed send), so the next fix goes.
  void reset() { last_.reset(); }

 private:
  ThrottleOptions options_;
  std::optional<PositionFix> last_;
  TimePoint last_time_;
};

// The smaller angle between two courses, in degrees [0, 180].
float heading_change_deg(float from_deg, float to_deg);

}  // namespace linecrew::position
