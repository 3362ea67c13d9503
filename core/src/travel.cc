#include "linecrew/core/travel.h"

#include <algorithm>
#include <cmath>

#include "linecrew/core/error.h"

namespace linecrew {

GeoTravelModel::GeoTravelModel(const ZoneMap& zones, Speeds speeds, double detour_factor)
    : zones_(zones), speeds_(speeds), detour_(detour_factor) {
  for (const double v : {speeds.urban_kmh, speeds.rural_kmh, speeds.remote_kmh})
    if (!(v > 0.0 && std::isfinite(v))) throw_invalid("speed_kmh", "must be a positive number");
  if (!(detour_factor >= 1.0 && std::isfinite(detour_factor))) throw_invalid("detour_factor", "must be >= 1");
}

double GeoTravelModel::speed_kmh(const GeoPoint& to) const {
  // Key: the coordinates quantised to ~1 cm, which is far below any zone edge's precision.
  const auto q = [](double deg) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(deg * 1e7) & 0xffffffff);
  };
  const std::uint64_t key = (q(to.lat()) << 32) | q(to.lon());
  ZoneClass zone;
  {
    std::lock_guard lock(cache_mu_);
    const auto it = zone_cache_.find(key);
    if (it != zone_cache_.end()) {
      zone = it->second;
    } else {
      zone = zones_.classify(to);
      if (zone_cache_.size() > 1'000'000) zone_cache_.clear();
      zone_cache_.emplace(key, zone);
    }
  }
  double kmh = speeds_.urban_kmh;
  switch (zone) {
    case ZoneClass::kUrban:
      kmh = speeds_.urban_kmh;
      break;
    case ZoneClass::kRural:
      kmh = speeds_.rural_kmh;
      break;
    case ZoneClass::kRemote:
      kmh = speeds_.remote_kmh;
      break;
  }
  return kmh;
}

double GeoTravelModel::min_seconds_per_metre() const {
  const double fastest = std::max({speeds_.urban_kmh, speeds_.rural_kmh, speeds_.remote_kmh});
  return detour_ / (fastest / 3.6);
}

Duration GeoTravelModel::duration(const GeoPoint& from, const GeoPoint& to) const {
  const double kmh = speed_kmh(to);
  const double metres = distance_m(from, to) * detour_;
  return Duration(static_cast<Duration::rep>(std::ceil(metres / (kmh / 3.6))));
}

}  // namespace linecrew
