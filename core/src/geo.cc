#include "linecrew/core/geo.h"

#include <boost/geometry.hpp>
#include <cmath>
#include <cstdio>
#include <string>

#include "linecrew/core/error.h"

namespace linecrew {

namespace bg = boost::geometry;

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
}  // namespace

GeoPoint::GeoPoint(double lat, double lon) : lat_(lat), lon_(lon) {
  if (!std::isfinite(lat)) throw_invalid("lat", "must be a finite number");
  if (!std::isfinite(lon)) throw_invalid("lon", "must be a finite number");
  if (lat < -90.0 || lat > 90.0) throw_invalid("lat", number(lat) + " is outside [-90, 90]");
  if (lon < -180.0 || lon > 180.0) throw_invalid("lon", number(lon) + " is outside [-180, 180]");
}

double distance_m(const GeoPoint& a, const GeoPoint& b) {
  using Point = bg::model::point<double, 2, bg::cs::spherical_equatorial<bg::degree>>;
  static const bg::strategy::distance::haversine<double> kHaversine(6371008.8);
  return bg::distance(Point(a.lon(), a.lat()), Point(b.lon(), b.lat()), kHaversine);
}

}  // namespace linecrew
