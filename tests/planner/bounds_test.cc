// The travel lower bounds (GeoTravelModel::min_seconds_per_metre) only let
// insertion and the explanations skip work: a planner using them must make
// exactly the plans and explanations of one that asks every travel time.
#include <gtest/gtest.h>

#include <random>

#include "linecrew/core/zones.h"
#include "linecrew/planner/planner.h"
#include "test_support.h"

namespace linecrew::planner {
namespace {

using linecrew::testing::at;

constexpr const char* kZones =
    "urban  | core | POLYGON((120.10 30.20, 120.20 30.20, 120.20 30.30, 120.10 30.30, 120.10 30.20))\n"
    "rural  | belt | POLYGON((119.90 30.00, 120.40 30.00, 120.40 30.50, 119.90 30.50, 119.90 30.00))\n";

// The same durations with no bound offered: every travel time is asked.
class Unbounded final : public TravelModel {
 public:
  explicit Unbounded(const TravelModel& inner) : inner_(inner) {}
  Duration duration(const GeoPoint& from, const GeoPoint& to) const override { return inner_.duration(from, to); }

 private:
  const TravelModel& inner_;
};

std::string plan_text(const Planner& p) {
  std::string out;
  for (const CrewPlan& c : p.plan()) {
    out += c.crew.str() + ":";
    for (const Stop& s : c.stops) out += " " + s.ticket.str() + "@" + std::to_string(s.eta.time_since_epoch().count());
    out += "\n";
  }
  for (const Issue& i : p.issues()) out += i.ticket.str() + ": " + i.reason + "\n";  // the explanations too
  return out;
}

std::size_t issues_starting(const Planner& p, const std::string& prefix) {
  std::size_t n = 0;
  for (const Issue& i : p.issues()) n += i.reason.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

TEST(TravelBounds, GeoModelsBoundHoldsForNearAndFarPoints) {
  const ZoneMap zones = ZoneMap::from_wkt(kZones, "inline");
  const GeoTravelModel geo(zones, GeoTravelModel::Speeds{}, 1.3);
  const double k = geo.min_seconds_per_metre();
  EXPECT_NEAR(k, 1.3 / (50.0 / 3.6), 1e-12);  // the fastest speed: rural 50 km/h
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> lat(29.9, 30.6), lon(119.8, 120.5), tiny(-1e-5, 1e-5);
  for (int i = 0; i < 20000; ++i) {
    const GeoPoint a(lat(rng), lon(rng));
    const GeoPoint b = i % 2 ? GeoPoint(lat(rng), lon(rng)) : GeoPoint(a.lat() + tiny(rng), a.lon() + tiny(rng));
    ASSERT_GE(static_cast<double>(geo.duration(a, b).count()), k * distance_m(a, b)) << i;
  }
}

class TravelBoundsProperty : public ::testing::TestWithParam<int> {};

TEST_P(TravelBoundsProperty, PlansEqualThoseWithoutBounds) {
  const ZoneMap zones = ZoneMap::from_wkt(kZones, "inline");
  const GeoTravelModel geo(zones, GeoTravelModel::Speeds{}, 1.3);
  const Unbounded plain(geo);
  ASSERT_GT(geo.min_seconds_per_metre(), 0.0);
  ASSERT_EQ(plain.min_seconds_per_metre(), 0.0);
  PlannerOptions o;
  o.seed = static_cast<std::uint64_t>(GetParam());
  o.candidate_crews = 4;  // the fallback over all crews runs too
  Planner with(geo, o), without(plain, o);
  std::mt19937_64 rng(static_cast<std::uint64_t>(GetParam()) * 104729u);
  std::uniform_real_distribution<double> lat(30.0, 30.5), lon(119.9, 120.4), u(0.0, 1.0);
  const auto minutes_in = [&](int lo, int hi) { return minutes(lo + static_cast<int>(u(rng) * (hi - lo))); };
  std::vector<CrewSpec> crews;
  for (int c = 0; c < 12; ++c) {
    CrewSpec s;
    s.id = CrewId("C" + std::to_string(c));
    s.position = GeoPoint(lat(rng), lon(rng));
    s.shift_start = at("08:00");
    s.available_at = at("08:00");
    s.shift_end = at("08:00") + minutes_in(180, 600);
    if (c % 3 == 0) s.home = GeoPoint(lat(rng), lon(rng));
    crews.push_back(s);
    with.upsert_crew(s);
    without.upsert_crew(s);
  }
  std::vector<TicketId> open;
  for (int step = 0; step < 400; ++step) {
    const double op = u(rng);
    if (op < 0.75 || open.empty()) {
      TicketSpec t;
      t.id = TicketId("T" + std::to_string(step));
      t.location = GeoPoint(lat(rng), lon(rng));
      t.deadline = at("08:00") + minutes_in(30, 300);
      t.service = u(rng) < 0.05 ? minutes_in(560, 700) : minutes_in(10, 60);  // a few outlast some shifts
      t.priority = u(rng) < 0.1 ? 5u : 0u;
      with.insert(t);
      without.insert(t);
      open.push_back(t.id);
    } else if (op < 0.85) {
      const std::size_t i = static_cast<std::size_t>(u(rng) * static_cast<double>(open.size()));
      with.cancel(open[i]);
      without.cancel(open[i]);
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      CrewSpec& c = crews[static_cast<std::size_t>(u(rng) * static_cast<double>(crews.size()))];
      c.position = GeoPoint(lat(rng), lon(rng));
      c.available_at += minutes_in(0, 30);
      with.update_crew_position(c.id, c.position, c.available_at);
      without.update_crew_position(c.id, c.position, c.available_at);
    }
    ASSERT_EQ(plan_text(with), plan_text(without)) << "after step " << step;
  }
  const PlanSummary s = with.summary();
  EXPECT_GT(s.assigned, 20u);    // the plans have routes to compare
  EXPECT_GT(s.unassigned, 10u);  // and the storm overflows them (the bounds' case)
  // Both explanations of an unassigned ticket occur (the bounds skip travel times in each).
  EXPECT_GT(issues_starting(with, "shift ends"), 0u);
  EXPECT_GT(issues_starting(with, "no room"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, TravelBoundsProperty, ::testing::Range(1, 6));

}  // namespace
}  // namespace linecrew::planner
