// Travel-time models: how long a crew takes from one point to another.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "linecrew/core/geo.h"
#include "linecrew/core/time.h"
#include "linecrew/core/zones.h"

namespace linecrew {

class TravelModel {
 public:
  virtual ~TravelModel() = default;
  virtual Duration duration(const GeoPoint& from, const GeoPoint& to) const = 0;
  // A factor k with duration(a, b) >= k * distance_m(a, b) (seconds) for all
  // points: lets a planner rule out stops far away without asking. 0 (the
  // default) promises nothing.
  virtual double min_seconds_per_metre() const { return 0.0; }
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
  // The detour factor at the fastest zone speed.
  double min_seconds_per_metre() const override;

 private:
  double speed_kmh(const GeoPoint& to) const;

  const ZoneMap& zones_;
  // Zone class of destinations already seen: a planner asks for the same few
  // thousand destinations millions of times, and classification is an R-tree
  // query plus a point-in-polygon test. Bounded; thread-safe.
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::uint64_t, ZoneClass> zone_cache_;
  Speeds speeds_;
  double detour_;
};

}  // namespace linecrew
