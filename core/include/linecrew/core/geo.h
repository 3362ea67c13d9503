// Geographic value types. Coordinates are WGS84 degrees, always in the order
// (lat, lon) in our APIs; Boost.Geometry's (lon, lat) order stays inside core.
#pragma once

namespace linecrew {

class GeoPoint {
 public:
  // Throws Error(kInvalidArgument, "lat"/"lon") when not finite or out of
  // [-90, 90] x [-180, 180].
  GeoPoint(double lat, double lon);

  double lat() const noexcept { return lat_; }
  double lon() const noexcept { return lon_; }
  bool operator==(const GeoPoint&) const = default;

 private:
  double lat_;
  double lon_;
};

// Great-circle distance in metres (haversine, mean Earth radius 6371008.8 m).
double distance_m(const GeoPoint& a, const GeoPoint& b);

}  // namespace linecrew
