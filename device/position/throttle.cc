#include "linecrew/device/position/throttle.h"

#include <cmath>

namespace linecrew::position {

PositionThrottle::PositionThrottle(ThrottleOptions options) : options_(options) {}

float heading_change_deg(float from_deg, float to_deg) {
  const float d = std::fmod(std::fabs(to_deg - from_deg), 360.0f);
  return d > 180.0f ? 360.0f - d : d;
}

bool PositionThrottle::should_upload(const PositionFix& fix, TimePoint now) {
  bool upload = !last_;
  if (!upload) {
    if (now < last_time_) last_time_ = now;  // the clock went back: no time has passed
    const Duration elapsed = now - last_time_;
    const double moved = distance_m(last_->point, fix.point);
    const bool turned = fix.heading_deg && last_->heading_deg && fix.speed_mps &&
                        *fix.speed_mps >= options_.turn_speed_mps &&
                        heading_change_deg(*last_->heading_deg, *fix.heading_deg) >= options_.turn_deg;
    upload = elapsed >= options_.interval ||
             (elapsed >= options_.min_gap &&
              ((moved > options_.move_m && moved > last_->accuracy_m + fix.accuracy_m) || turned));
  }
  if (upload) {
    last_ = fix;
    last_time_ = now;
  }
  return upload;
}

}  // namespace linecrew::position
