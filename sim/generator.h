// A seeded generator of storm scenarios: clustered outages over the utility's
// region (urban core, rural belt, remote hills, as classified by the zone
// polygons), crews placed at depots in proportion to the work, traffic
// slowdowns where the storm hits, and connectivity gaps mostly in remote areas.
// The same options and zones give the same scenario.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "linecrew/core/zones.h"
#include "scenario.h"

namespace linecrew::sim {

struct GeneratorOptions {
  std::uint64_t seed = 1;
  std::size_t crews = 20;
  std::size_t tickets = 200;
  Duration duration{hours(24)};
  TimePoint start;
  std::string zones_file;  // absolute path; also read for the region's bounding box (GeoJSON)
  // Share of outage clusters by zone class: urban, rural, remote (normalised).
  std::array<double, 3> zone_share{0.45, 0.35, 0.20};
  double consent_share = 0.75;  // customer answers: the rest split between refuse and unreachable
  // One fault, many callers: the share of faults (one transformer, one span down) that several customers
  // call about, and the mean number of calls on such a fault (at least 2, at most kMaxCallersPerFault).
  // `tickets` stays the number of calls, so clusters mean fewer faults. A share of 0 gives the storms of
  // the generator before clusters (same seed, same scenario).
  double multi_caller_share = 0.3;
  double callers_mean = 4.0;
  double gap_share_remote = 0.5;  // crews based in remote areas with a connectivity gap
  double gap_share_other = 0.1;
  Duration step{seconds(60)};
  Duration sync_interval{seconds(900)};
  Duration drain{hours(3)};
};

// The callers of one fault: at most this many, within kCallerRadiusM of the fault (so within twice that of
// each other), their first contacts within kCallerWindow of the first call.
constexpr std::size_t kMaxCallersPerFault = 20;
constexpr double kCallerRadiusM = 20.0;
constexpr Duration kCallerWindow{minutes(20)};

// The region's bounding box: every coordinate of the GeoJSON's geometries.
struct BoundingBox {
  double min_lat, min_lon, max_lat, max_lon;
};
BoundingBox geojson_bounds(const std::string& geojson_text, const std::string& source);

// Throws Error(kInvalidArgument) for zero crews, a multi_caller_share outside [0, 1], a callers_mean
// below 2 while the share is positive, a zone class the polygons
// never produce while its share is positive, or a zones file that is not GeoJSON.
Scenario generate(const GeneratorOptions& options, const ZoneMap& zones);
// Loads the zones file named in the options, then generates.
Scenario generate(const GeneratorOptions& options);

}  // namespace linecrew::sim
