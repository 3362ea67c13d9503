#include <gtest/gtest.h>

#include "linecrew/core/travel.h"
#include "linecrew/core/zones.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::config_path;
using testing::expect_error;

// Two squares drawn in the test: an urban block inside a rural one.
//   lon 0..10 x lat 0..10 rural, lon 4..6 x lat 4..6 urban (listed second: overlap must still pick urban)
constexpr const char* kTwoSquares = R"({"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"farm","zone_class":"rural"},
  "geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}},
 {"type":"Feature","properties":{"name":"town","zone_class":"urban"},
  "geometry":{"type":"Polygon","coordinates":[[[4,4],[6,4],[6,6],[4,6],[4,4]]]}}]})";

TEST(Zones, ClassifiesByPolygonWithStrictestWinningOnOverlap) {
  const ZoneMap zones = ZoneMap::from_geojson(kTwoSquares, "inline");
  EXPECT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones.classify(GeoPoint(5, 5)), ZoneClass::kUrban);  // (lat, lon) order
  EXPECT_EQ(zones.locate(GeoPoint(5, 5)).zone_name, "town");
  EXPECT_EQ(zones.classify(GeoPoint(1, 9)), ZoneClass::kRural);
  EXPECT_EQ(zones.classify(GeoPoint(0, 5)), ZoneClass::kRural);  // on the boundary counts as inside
}

TEST(Zones, PointInNoPolygonGetsTheConfiguredDefault) {
  ZoneMap zones = ZoneMap::from_geojson(kTwoSquares, "inline");
  const ZoneMatch m = zones.locate(GeoPoint(20, 20));
  EXPECT_TRUE(m.defaulted);
  EXPECT_EQ(m.zone_class, ZoneClass::kUrban);  // the conservative default
  zones.set_default_class(ZoneClass::kRemote);
  EXPECT_EQ(zones.classify(GeoPoint(20, 20)), ZoneClass::kRemote);
}

TEST(Zones, HolesAreRespected) {
  const ZoneMap zones = ZoneMap::from_geojson(R"({"type":"FeatureCollection","features":[
   {"type":"Feature","properties":{"zone_class":"remote"},"geometry":{"type":"Polygon","coordinates":[
     [[0,0],[10,0],[10,10],[0,10],[0,0]], [[4,4],[6,4],[6,6],[4,6],[4,4]]]}}]})",
                                              "inline");
  EXPECT_EQ(zones.classify(GeoPoint(1, 1)), ZoneClass::kRemote);
  EXPECT_TRUE(zones.locate(GeoPoint(5, 5)).defaulted);
}

TEST(Zones, ShippedGeoJsonAndWktAgree) {
  const ZoneMap geo = ZoneMap::load_file(config_path("zones.geojson"));
  const ZoneMap wkt = ZoneMap::load_file(config_path("zones.wkt"));
  ASSERT_EQ(geo.size(), 3u);
  ASSERT_EQ(wkt.size(), 3u);
  const GeoPoint city(30.25, 120.15), farm(30.05, 120.35), hills(30.75, 119.55), sea(25.0, 125.0);
  for (const ZoneMap* z : {&geo, &wkt}) {
    EXPECT_EQ(z->classify(city), ZoneClass::kUrban);
    EXPECT_EQ(z->classify(farm), ZoneClass::kRural);
    EXPECT_EQ(z->classify(hills), ZoneClass::kRemote);
    EXPECT_TRUE(z->locate(sea).defaulted);
  }
}

TEST(Zones, MalformedInputNamesTheSourceAndTheProblem) {
  expect_error([] { ZoneMap::from_geojson("{", "zones.geojson"); }, ErrorCode::kInvalidArgument,
               "zones.geojson: not valid JSON");
  expect_error([] { ZoneMap::from_geojson(R"({"type":"FeatureCollection","features":[]})", "z.json"); },
               ErrorCode::kInvalidArgument, "z.json: no zones");
  expect_error(
      [] {
        ZoneMap::from_geojson(R"({"type":"FeatureCollection","features":[{"type":"Feature",
          "properties":{"zone_class":"suburban"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]})",
                              "z.json");
      },
      ErrorCode::kInvalidArgument, "features[0].properties.zone_class: 'suburban'");
  expect_error(
      [] {
        ZoneMap::from_geojson(R"({"type":"FeatureCollection","features":[{"type":"Feature",
          "properties":{"zone_class":"urban"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]})",
                              "z.json");
      },
      ErrorCode::kInvalidArgument, "at least 4 positions");
  expect_error(
      [] {
        ZoneMap::from_geojson(R"({"type":"FeatureCollection","features":[{"type":"Feature",
          "properties":{"zone_class":"urban"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]]]}}]})",
                              "z.json");
      },
      ErrorCode::kInvalidArgument, "coordinate outside");
  // A bow tie intersects itself.
  expect_error(
      [] {
        ZoneMap::from_geojson(R"({"type":"FeatureCollection","features":[{"type":"Feature",
          "properties":{"zone_class":"urban"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}]})",
                              "z.json");
      },
      ErrorCode::kInvalidArgument, "invalid polygon");
  expect_error([] { ZoneMap::from_wkt("urban | x | POLYGON((0 0, 1 0", "z.wkt"); }, ErrorCode::kInvalidArgument,
               "z.wkt: line 1: bad WKT");
  expect_error([] { ZoneMap::from_wkt("# only a comment\nurban POLYGON((0 0,1 0,1 1,0 0))", "z.wkt"); },
               ErrorCode::kInvalidArgument, "z.wkt: line 2");
  expect_error([] { ZoneMap::load_file("/nonexistent/zones.geojson"); }, ErrorCode::kInvalidArgument,
               "/nonexistent/zones.geojson: cannot open");
}

TEST(Travel, GeoModelUsesDistanceDetourAndZoneSpeed) {
  const ZoneMap zones = ZoneMap::from_geojson(kTwoSquares, "inline");
  const GeoTravelModel model(zones, {.urban_kmh = 36, .rural_kmh = 72, .remote_kmh = 36}, 1.0);
  const GeoPoint a(5, 5), b(5.1, 5);  // ~11.1 km north, both urban: 36 km/h = 10 m/s
  EXPECT_NEAR(static_cast<double>(model.duration(a, b).count()), distance_m(a, b) / 10.0, 1.0);
  const GeoPoint c(1, 1), d(1.1, 1);  // rural: twice as fast
  EXPECT_NEAR(static_cast<double>(model.duration(c, d).count()), distance_m(c, d) / 20.0, 1.0);
  EXPECT_THROW(GeoTravelModel(zones, {.urban_kmh = 0}, 1.0), Error);
}

}  // namespace
}  // namespace linecrew
