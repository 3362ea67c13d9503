// Travel-time models: how long a crew takes from one point to another.
#pragma once

#include "linecrew/core/geo.h"
#include "linecrew/core/time.h"
#include "linecrew/core/zones.h"

namespace linecrew {

class TravelModel {
 public:
  virtual ~TravelModel() = default;
  virtual Duration duration(const GeoPoint& from, const GeoPoint& to) const = 0;
};

// Straight-line distance x detour factor / speed, where the speed is that of
// the destination's zone class (urban streets are slower than rural roads).
class GeoTravelModel final : public TravelModel {
 public:
  struct Speeds {
    double urban_kmh = 30.0;
    double rural_kmh = 50.0;
    double remote_kmh = 40.0;
  };
  GeoTravelModel(const ZoneMap& zones, Speeds speeds, double detour_factor = 1.3);
  Duration duration(const GeoPoint& from, const GeoPoint& to) const override;

 private:
  const ZoneMap& zones_;
  Speeds speeds_;
  double detour_;
};

}  // namespace linecrew
