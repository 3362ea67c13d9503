#include "generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"

namespace linecrew::sim {

namespace {

constexpr double kPi = 3.14159265358979323846;

void walk_coordinates(const nlohmann::json& j, BoundingBox& b, bool& any) {
  if (j.is_array() && j.size() >= 2 && j[0].is_number() && j[1].is_number()) {
    const double lon = j[0].get<double>(), lat = j[1].get<double>();
    b.min_lat = std::min(b.min_lat, lat);
    b.max_lat = std::max(b.max_lat, lat);
    b.min_lon = std::min(b.min_lon, lon);
    b.max_lon = std::max(b.max_lon, lon);
    any = true;
    return;
  }
  if (j.is_array())
    for (const auto& e : j) walk_coordinates(e, b, any);
}

// Deterministic across platforms: only the engine's raw output is used
// (std distributions may differ between standard libraries).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : e_(seed) {}
  double uniform() { return static_cast<double>(e_() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  std::size_t index(std::size_t n) {
    return std::min(n - 1, static_cast<std::size_t>(uniform() * static_cast<double>(n)));
  }
  double normal() {
    const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }
  double exponential(double mean) { return -mean * std::log(std::max(1.0 - uniform(), 1e-300)); }
  // An index drawn with probability proportional to weights.
  std::size_t pick(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 e_;
};

// A uniform point of the region whose zone class is `zone` (rejection sampling).
GeoPoint sample_in_class(Rng& rng, const ZoneMap& zones, const BoundingBox& b, ZoneClass zone) {
  for (int attempt = 0; attempt < 200000; ++attempt) {
    const GeoPoint p(rng.uniform(b.min_lat, b.max_lat), rng.uniform(b.min_lon, b.max_lon));
    const auto m = zones.locate(p);
    if (!m.defaulted && m.zone_class == zone) return p;
  }
  throw Error(ErrorCode::kInvalidArgument, "zones_file",
              "no " + std::string(to_string(zone)) + " polygon found in the region to place outages in");
}

// `center` moved by a normal offset of `sigma_km`, kept inside some polygon of the region.
GeoPoint scatter(Rng& rng, const ZoneMap& zones, const BoundingBox& b, const GeoPoint& center, double sigma_km) {
  const double km_per_deg_lat = 111.2, km_per_deg_lon = 111.2 * std::cos(center.lat() * kPi / 180.0);
  for (int attempt = 0; attempt < 50; ++attempt) {
    const double lat = center.lat() + rng.normal() * sigma_km / km_per_deg_lat;
    const double lon = center.lon() + rng.normal() * sigma_km / km_per_deg_lon;
    if (lat < b.min_lat || lat > b.max_lat || lon < b.min_lon || lon > b.max_lon) continue;
    const GeoPoint p(lat, lon);
    if (!zones.locate(p).defaulted) return p;
  }
  return center;
}

double sigma_km(ZoneClass z) {
  switch (z) {
    case ZoneClass::kUrban:
      return 1.2;
    case ZoneClass::kRural:
      return 3.5;
    case ZoneClass::kRemote:
      return 6.0;
  }
  return 2.0;
}

TimePoint at(TimePoint start, double seconds_after) {
  return start + Duration(static_cast<Duration::rep>(std::floor(seconds_after)));
}

std::string numbered(const char* prefix, std::size_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%0*zu", prefix, width, n);
  return buf;
}

struct Cluster {
  GeoPoint center;
  ZoneClass zone;
  double onset_s;  // seconds after start
};

// How many customers call about the next fault: one, or with probability multi_caller_share two plus a
// rounded-down exponential (mean about callers_mean), at most kMaxCallersPerFault and the calls left.
std::size_t callers_of_fault(Rng& rng, const GeneratorOptions& o, std::size_t left) {
  // No draw at share 0: the storms of the generator before clusters stay the same for a seed.
  if (o.multi_caller_share <= 0 || rng.uniform() >= o.multi_caller_share) return 1;
  // floor(Exp(m)) has mean 1 / (e^(1/m) - 1), close to m - 0.5.
  const double extra = std::floor(rng.exponential(std::max(0.0, o.callers_mean - 1.5)));
  return std::min({kMaxCallersPerFault, left, 2 + static_cast<std::size_t>(std::min(extra, 1e6))});
}

Channel draw_channel(Rng& rng) {
  const double ch = rng.uniform();
  return ch < 0.6    ? Channel::kHotline
         : ch < 0.85 ? Channel::kApp
         : ch < 0.95 ? Channel::kWeb
                     : Channel::kServiceCounter;
}

Answer draw_answer(Rng& rng, double consent_share) {
  const double a = rng.uniform();
  return a < consent_share                               ? Answer::kConsent
         : a < consent_share + (1 - consent_share) / 2.0 ? Answer::kRefuse
                                                         : Answer::kUnreachable;
}

// The first call about a fault of `c`: where and when the fault is, what it needs, and the caller's
// channel and answer (drawn in the generator's order before clusters).
ScenarioTicket first_call(Rng& rng, const GeneratorOptions& o, const ZoneMap& zones, const BoundingBox& box,
                          const Cluster& c, double span) {
  ScenarioTicket t;
  t.location = scatter(rng, zones, box, c.center, sigma_km(c.zone));
  const double when = std::min(c.onset_s + rng.exponential(25.0 * 60.0), span - 1.0);
  t.reported = at(o.start, when);
  t.priority = rng.uniform() < 0.04 ? 5 : 0;  // hospitals, life support
  t.work = minutes(static_cast<int>(std::min(180.0, 15.0 + rng.exponential(25.0))));
  t.channel = draw_channel(rng);
  if (rng.uniform() < 0.08) t.skills = {"hv_switching"};
  t.answer = draw_answer(rng, o.consent_share);
  return t;
}

// A neighbour on the same transformer: within kCallerRadiusM of the fault, in its zone class (else at the
// fault's own point), so the server computes the same arrival limit for every caller.
GeoPoint near_fault(Rng& rng, const ZoneMap& zones, const GeoPoint& fault) {
  // 111.2 km per degree is a hair more than the haversine's, so the true distance stays within the radius.
  const double r_m = kCallerRadiusM * std::sqrt(rng.uniform()), angle = 2.0 * kPi * rng.uniform();
  const double m_per_deg_lat = 111200.0, m_per_deg_lon = 111200.0 * std::cos(fault.lat() * kPi / 180.0);
  const GeoPoint p(fault.lat() + r_m * std::cos(angle) / m_per_deg_lat,
                   fault.lon() + r_m * std::sin(angle) / m_per_deg_lon);
  const auto m = zones.locate(p);
  return !m.defaulted && m.zone_class == zones.classify(fault) ? p : fault;
}

// Another customer calling about the fault of `first`: a neighbour, a little later; the same fault needs
// the same skills, priority and work. Channel and answer are the caller's own.
ScenarioTicket other_call(Rng& rng, const GeneratorOptions& o, const ZoneMap& zones, const ScenarioTicket& first,
                          double span) {
  ScenarioTicket t;
  t.location = near_fault(rng, zones, first.location);
  const double first_s = static_cast<double>((first.reported - o.start).count());
  const double window_s = static_cast<double>(kCallerWindow.count());
  // Whole seconds after the first call, so the floor of at() cannot stretch the window.
  t.reported = at(o.start, std::min(first_s + std::floor(rng.uniform(0.0, window_s)), span - 1.0));
  t.priority = first.priority;
  t.work = first.work;
  t.skills = first.skills;
  t.channel = draw_channel(rng);
  t.answer = draw_answer(rng, o.consent_share);
  return t;
}

}  // namespace

BoundingBox geojson_bounds(const std::string& text, const std::string& source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::kInvalidArgument, source, std::string("the generator needs GeoJSON zones: ") + e.what());
  }
  BoundingBox b{90, 180, -90, -180};
  bool any = false;
  if (doc.contains("features") && doc["features"].is_array())
    for (const auto& f : doc["features"])
      if (f.contains("geometry") && f["geometry"].contains("coordinates"))
        walk_coordinates(f["geometry"]["coordinates"], b, any);
  if (!any) throw Error(ErrorCode::kInvalidArgument, source, "no coordinates in the zone features");
  return b;
}

Scenario generate(const GeneratorOptions& o, const ZoneMap& zones) {
  if (o.crews == 0) throw_invalid("crews", "at least one crew");
  if (o.duration < minutes(10)) throw_invalid("duration", "at least 10 minutes");
  if (!(o.multi_caller_share >= 0 && o.multi_caller_share <= 1)) throw_invalid("multi_caller_share", "in [0, 1]");
  if (o.multi_caller_share > 0 && !(o.callers_mean >= 2))
    throw_invalid("callers_mean", "at least 2 (a fault with several callers has two or more)");
  const BoundingBox box = geojson_bounds(read_text_file(o.zones_file), o.zones_file);
  Rng rng(o.seed);
  Scenario s;
  s.name = "storm-s" + std::to_string(o.seed) + "-c" + std::to_string(o.crews) + "-t" + std::to_string(o.tickets);
  s.seed = o.seed;
  s.start = o.start;
  s.duration = o.duration;
  s.drain = o.drain;
  s.step = o.step;
  s.sync_interval = o.sync_interval;
  s.zones_file = o.zones_file;
  const double span = static_cast<double>(o.duration.count());
  const std::vector<double> share(o.zone_share.begin(), o.zone_share.end());

  // Outage clusters (a feeder or a line down): their onsets follow the storm,
  // which builds up, peaks at about a third of the period and tails off.
  const std::size_t n_clusters = std::max<std::size_t>(3, o.tickets / 20);
  std::vector<Cluster> clusters;
  for (std::size_t i = 0; i < n_clusters; ++i) {
    // The first three clusters cover each zone class once (when its share is positive).
    const ZoneClass z = i < 3 && share[i] > 0 ? kAllZoneClasses[i] : kAllZoneClasses[rng.pick(share)];
    const GeoPoint c = sample_in_class(rng, zones, box, z);
    const double onset = std::clamp(span * (0.33 + 0.2 * rng.normal()), 0.0, span * 0.9);
    clusters.push_back({c, z, onset});
  }
  // Cluster sizes are heavy-tailed: a few big failures, many small ones.
  std::vector<double> weight;
  for (std::size_t i = 0; i < n_clusters; ++i) weight.push_back(1.0 / std::pow(1.0 + static_cast<double>(i % 50), 0.8));

  // Faults, each called in by one customer or (multi_caller_share) by several: `tickets` counts calls.
  const int width = o.tickets >= 100000 ? 6 : 5;
  std::uint32_t fault = 0;
  for (std::size_t k = 0; k < o.tickets; ++fault) {
    const std::size_t callers = callers_of_fault(rng, o, o.tickets - k);
    const std::size_t ci = fault < n_clusters ? fault : rng.pick(weight);
    const ScenarioTicket first = first_call(rng, o, zones, box, clusters[ci], span);
    for (std::size_t n = 0; n < callers; ++n, ++k) {
      ScenarioTicket t = n == 0 ? first : other_call(rng, o, zones, first, span);
      t.key = numbered("k-", k + 1, width);
      t.fault = fault;
      s.tickets.push_back(std::move(t));
    }
  }
  std::stable_sort(s.tickets.begin(), s.tickets.end(),
                   [](const ScenarioTicket& a, const ScenarioTicket& b) { return a.reported < b.reported; });

  // Crews at depots in each zone class, in proportion to its share of the work
  // (at least one per class with work). Two overlapping long storm shifts.
  std::array<std::size_t, 3> tickets_by_class{};
  for (const auto& t : s.tickets) ++tickets_by_class[static_cast<std::size_t>(zones.classify(t.location))];
  std::vector<double> crew_weight;
  for (std::size_t z = 0; z < 3; ++z) crew_weight.push_back(static_cast<double>(tickets_by_class[z]) + 0.5);
  std::vector<GeoPoint> depots;
  std::vector<ZoneClass> depot_class;
  for (std::size_t z = 0; z < 3; ++z)
    for (int d = 0; d < 3; ++d)
      if (share[z] > 0) {
        depots.push_back(sample_in_class(rng, zones, box, kAllZoneClasses[z]));
        depot_class.push_back(kAllZoneClasses[z]);
      }
  const bool long_run = o.duration > hours(14);
  for (std::size_t i = 0; i < o.crews; ++i) {
    const ZoneClass z = i < 3 && share[i] > 0 ? kAllZoneClasses[i] : kAllZoneClasses[rng.pick(crew_weight)];
    std::vector<std::size_t> mine;
    for (std::size_t d = 0; d < depots.size(); ++d)
      if (depot_class[d] == z) mine.push_back(d);
    const GeoPoint depot = mine.empty() ? depots[rng.index(depots.size())] : depots[mine[rng.index(mine.size())]];
    ScenarioCrew c;
    c.id = CrewId(numbered("C-", i + 1, o.crews >= 10000 ? 5 : 4));
    c.start = scatter(rng, zones, box, depot, 0.5);
    if (!long_run) {
      c.shift_start = o.start - hours(1);
      c.shift_end = o.start + o.duration + o.drain;
    } else if (i % 2 == 0) {
      c.shift_start = o.start - hours(1);
      c.shift_end = o.start + hours(16);
    } else {
      c.shift_start = o.start + hours(8);
      c.shift_end = o.start + o.duration + o.drain;
    }
    c.skills = {"lv_cable"};
    if (i % 10 < 3) c.skills.emplace_back("hv_switching");
    s.crews.push_back(std::move(c));
  }

  // Traffic: the city's evening congestion, flooded roads in the biggest rural
  // cluster, fallen trees in the biggest remote one.
  const auto biggest = [&](ZoneClass z) -> const Cluster* {
    for (const auto& c : clusters)
      if (c.zone == z) return &c;
    return nullptr;
  };
  const double third = std::min(3.0 * 3600.0, span / 3.0);
  if (const Cluster* c = biggest(ZoneClass::kUrban))
    s.traffic.push_back(
        {"city congestion", c->center, 8.0, at(o.start, span * 0.30), at(o.start, span * 0.30 + third), 1.8});
  if (const Cluster* c = biggest(ZoneClass::kRural))
    s.traffic.push_back(
        {"flooded roads", c->center, 6.0, at(o.start, c->onset_s), at(o.start, c->onset_s + third), 2.5});
  if (const Cluster* c = biggest(ZoneClass::kRemote))
    s.traffic.push_back(
        {"fallen trees", c->center, 10.0, at(o.start, c->onset_s), at(o.start, c->onset_s + third), 3.0});

  // Connectivity gaps: most in the remote hills.
  for (const auto& c : s.crews) {
    const bool remote = zones.classify(c.start) == ZoneClass::kRemote;
    if (rng.uniform() >= (remote ? o.gap_share_remote : o.gap_share_other)) continue;
    const double from = rng.uniform(0.0, span * 0.8);
    const double len = rng.uniform(20.0, 120.0) * 60.0;
    s.gaps.push_back({c.id, at(o.start, from), at(o.start, from + len)});
  }
  return s;
}

Scenario generate(const GeneratorOptions& options) {
  const ZoneMap zones = ZoneMap::load_file(options.zones_file);
  return generate(options, zones);
}

}  // namespace linecrew::sim
