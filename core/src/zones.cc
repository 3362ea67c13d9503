#include "linecrew/core/zones.h"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"

namespace linecrew {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

// Zones are small (a county, a city): planar (lon, lat) geometry is exact
// enough for point-in-polygon and much faster than geographic strategies.
using Point = bg::model::d2::point_xy<double>;
using Polygon = bg::model::polygon<Point>;  // clockwise outer ring, closed
using MultiPolygon = bg::model::multi_polygon<Polygon>;
using Box = bg::model::box<Point>;

struct Zone {
  std::string name;
  ZoneClass zone_class;
  MultiPolygon shape;
};

[[noreturn]] void fail(std::string_view source, const std::string& where, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, std::string(source), where.empty() ? what : where + ": " + what);
}

// Closes, orients and validates a zone's shape; names what is wrong.
void finish_shape(MultiPolygon& shape, std::string_view source, const std::string& where) {
  if (shape.empty()) fail(source, where, "no polygon");
  for (const Polygon& poly : shape)
    for (const Point& p : poly.outer())
      if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || p.x() < -180 || p.x() > 180 || p.y() < -90 || p.y() > 90)
        fail(source, where, "coordinate outside [-180, 180] x [-90, 90] (GeoJSON and WKT order: lon lat)");
  bg::correct(shape);
  std::string why;
  if (!bg::is_valid(shape, why)) fail(source, where, "invalid polygon: " + why);
}

Polygon polygon_from_json(const nlohmann::json& rings, std::string_view source, const std::string& where) {
  if (!rings.is_array() || rings.empty()) fail(source, where, "a Polygon needs at least one ring");
  Polygon poly;
  for (std::size_t r = 0; r < rings.size(); ++r) {
    const std::string ring_where = where + ".coordinates[" + std::to_string(r) + "]";
    const auto& ring = rings[r];
    if (!ring.is_array() || ring.size() < 4) fail(source, ring_where, "a ring needs at least 4 positions");
    auto& target = r == 0 ? poly.outer() : (poly.inners().emplace_back(), poly.inners().back());
    for (const auto& pos : ring) {
      if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
        fail(source, ring_where, "a position must be [lon, lat]");
      target.emplace_back(pos[0].get<double>(), pos[1].get<double>());
    }
  }
  return poly;
}

}  // namespace

struct ZoneMap::Impl {
  std::vector<Zone> zones;
  bgi::rtree<std::pair<Box, std::size_t>, bgi::quadratic<16>> index;

  void build() {
    for (std::size_t i = 0; i < zones.size(); ++i) index.insert({bg::return_envelope<Box>(zones[i].shape), i});
  }
};

ZoneMap::ZoneMap(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->build();
}
ZoneMap::ZoneMap(ZoneMap&&) noexcept = default;
ZoneMap& ZoneMap::operator=(ZoneMap&&) noexcept = default;
ZoneMap::~ZoneMap() = default;

std::size_t ZoneMap::size() const {
  return impl_->zones.size();
}

ZoneMap ZoneMap::from_geojson(std::string_view text, std::string_view source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number too large
    fail(source, "", std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || doc.value("type", "") != "FeatureCollection" || !doc.contains("features") ||
      !doc["features"].is_array())
    fail(source, "", "expected a GeoJSON FeatureCollection with a \"features\" array");
  auto impl = std::make_unique<Impl>();
  const auto& features = doc["features"];
  for (std::size_t i = 0; i < features.size(); ++i) {
    const std::string where = "features[" + std::to_string(i) + "]";
    const auto& f = features[i];
    if (!f.is_object() || !f.contains("properties") || !f["properties"].is_object())
      fail(source, where, "a feature needs a \"properties\" object");
    const auto& props = f["properties"];
    if (!props.contains("zone_class") || !props["zone_class"].is_string())
      fail(source, where + ".properties", "missing \"zone_class\" (urban, rural or remote)");
    const auto cls = parse_zone_class(props["zone_class"].get<std::string>());
    if (!cls)
      fail(source, where + ".properties.zone_class",
           "'" + props["zone_class"].get<std::string>() + "' is not urban, rural or remote");
    Zone zone{props.value("name", where), *cls, {}};
    if (!f.contains("geometry") || !f["geometry"].is_object()) fail(source, where, "missing \"geometry\"");
    const auto& g = f["geometry"];
    const std::string type = g.value("type", "");
    const std::string gwhere = where + ".geometry";
    if (!g.contains("coordinates")) fail(source, gwhere, "missing \"coordinates\"");
    if (type == "Polygon") {
      zone.shape.push_back(polygon_from_json(g["coordinates"], source, gwhere));
    } else if (type == "MultiPolygon") {
      if (!g["coordinates"].is_array()) fail(source, gwhere, "MultiPolygon coordinates must be an array");
      for (const auto& rings : g["coordinates"]) zone.shape.push_back(polygon_from_json(rings, source, gwhere));
    } else {
      fail(source, gwhere, "type '" + type + "' is not Polygon or MultiPolygon");
    }
    finish_shape(zone.shape, source, where);
    impl->zones.push_back(std::move(zone));
  }
  if (impl->zones.empty()) fail(source, "", "no zones: the file must hold at least one polygon");
  return ZoneMap(std::move(impl));
}

ZoneMap ZoneMap::from_wkt(std::string_view text, std::string_view source) {
  auto impl = std::make_unique<Impl>();
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = "line " + std::to_string(number);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto bar1 = line.find('|');
    const auto bar2 = bar1 == std::string::npos ? bar1 : line.find('|', bar1 + 1);
    if (bar2 == std::string::npos) fail(source, where, "expected '<class> | <name> | <WKT>'");
    const auto trim = [](const std::string& s) {
      const auto b = s.find_first_not_of(" \t\r");
      const auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    const std::string cls_text = trim(line.substr(0, bar1));
    const auto cls = parse_zone_class(cls_text);
    if (!cls) fail(source, where, "'" + cls_text + "' is not urban, rural or remote");
    Zone zone{trim(line.substr(bar1 + 1, bar2 - bar1 - 1)), *cls, {}};
    const std::string wkt = trim(line.substr(bar2 + 1));
    try {
      if (wkt.rfind("MULTIPOLYGON", 0) == 0) {
        bg::read_wkt(wkt, zone.shape);
      } else if (wkt.rfind("POLYGON", 0) == 0) {
        Polygon poly;
        bg::read_wkt(wkt, poly);
        zone.shape.push_back(std::move(poly));
      } else {
        fail(source, where, "geometry must be a WKT POLYGON or MULTIPOLYGON");
      }
    } catch (const bg::read_wkt_exception& e) {
      fail(source, where, std::string("bad WKT: ") + e.what());
    }
    finish_shape(zone.shape, source, where);
    impl->zones.push_back(std::move(zone));
  }
  if (impl->zones.empty()) fail(source, "", "no zones: the file must hold at least one polygon");
  return ZoneMap(std::move(impl));
}

ZoneMap ZoneMap::load_file(const std::string& path) {
  const std::string text = read_text_file(path);
  const bool wkt = path.size() >= 4 && path.compare(path.size() - 4, 4, ".wkt") == 0;
  return wkt ? from_wkt(text, path) : from_geojson(text, path);
}

ZoneMatch ZoneMap::locate(const GeoPoint& p) const {
  const Point q(p.lon(), p.lat());
  const Zone* best = nullptr;
  for (auto it = impl_->index.qbegin(bgi::intersects(q)); it != impl_->index.qend(); ++it) {
    const Zone& z = impl_->zones[it->second];
    if (best && stricter(best->zone_class, z.zone_class) == best->zone_class) continue;
    if (bg::covered_by(q, z.shape)) best = &z;
  }
  if (!best) return {default_class_, {}, true};
  return {best->zone_class, best->name, false};
}

}  // namespace linecrew
