// The utility's zone polygons and point classification (rules §1).
// Polygons are read from GeoJSON (a FeatureCollection of Polygon/MultiPolygon
// features with a "zone_class" property) or from a WKT list; a point is
// classified with an R-tree over the polygons' bounding boxes and an exact
// point-in-polygon test. Where polygons overlap, the strictest class wins; a
// point in no polygon gets the configured default (urban unless the policy
// says otherwise).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/geo.h"
#include "linecrew/core/zone_class.h"

namespace linecrew {

struct ZoneMatch {
  ZoneClass zone_class;
  std::string zone_name;  // empty when defaulted
  bool defaulted;         // true: the point is in no polygon
};

class ZoneMap {
 public:
  // `source` names the input in error messages (usually the file path).
  // Both throw Error(kInvalidArgument, "<source>: <where>") on malformed input
  // and on an empty zone list.
  static ZoneMap from_geojson(std::string_view text, std::string_view source);
  // One zone per non-empty line: "<class> | <name> | <WKT POLYGON or MULTIPOLYGON>";
  // '#' starts a comment line.
  static ZoneMap from_wkt(std::string_view text, std::string_view source);
  // By extension: .wkt reads WKT, anything else GeoJSON.
  static ZoneMap load_file(const std::string& path);

  ZoneMap(ZoneMap&&) noexcept;
  ZoneMap& operator=(ZoneMap&&) noexcept;
  ~ZoneMap();

  ZoneMatch locate(const GeoPoint& p) const;
  ZoneClass classify(const GeoPoint& p) const { return locate(p).zone_class; }

  void set_default_class(ZoneClass zone) { default_class_ = zone; }
  ZoneClass default_class() const { return default_class_; }
  std::size_t size() const;

 private:
  struct Impl;
  explicit ZoneMap(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  ZoneClass default_class_ = ZoneClass::kUrban;
};

}  // namespace linecrew
