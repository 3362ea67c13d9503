#include "linecrew/core/travel.h"

#include <cmath>

#include "linecrew/core/error.h"

namespace linecrew {

GeoTravelModel::GeoTravelModel(const ZoneMap& zones, Speeds speeds, double detour_factor)
    : zones_(zones), speeds_(speeds), detour_(detour_factor) {
  for (const double v : {speeds.urban_kmh, speeds.rural_kmh, speeds.remote_kmh})
    if (!(v > 0.0 && std::isfinite(v))) throw_invalid("speed_kmh", "must be a positive number");
  if (!(detour_factor >= 1.0 && std::isfinite(detour_factor))) throw_invalid("detour_factor", "must be >= 1");
}

Duration GeoTravelModel::duration(const GeoPoint& from, const GeoPoint& to) const {
  double kmh = speeds_.urban_kmh;
  switch (zones_.classify(to)) {
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
  const double metres = distance_m(from, to) * detour_;
  return Duration(static_cast<Duration::rep>(std::ceil(metres / (kmh / 3.6))));
}

}  // namespace linecrew
