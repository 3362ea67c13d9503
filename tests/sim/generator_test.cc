// The storm generator: deterministic for a seed, outages in every zone class.
#include <gtest/gtest.h>

#include <set>

#include "generator.h"
#include "linecrew/core/zones.h"

namespace linecrew::sim {
namespace {

GeneratorOptions options(std::uint64_t seed, std::size_t crews = 30, std::size_t tickets = 400) {
  GeneratorOptions o;
  o.seed = seed;
  o.crews = crews;
  o.tickets = tickets;
  o.duration = hours(24);
  o.start = parse_utc("2026-11-22T06:00:00+08:00");
  o.zones_file = std::string(LINECREW_SOURCE_DIR) + "/config/zones.geojson";
  return o;
}

TEST(Generator, IsDeterministicForASeed) {
  const auto a = to_json(generate(options(7)));
  EXPECT_EQ(a, to_json(generate(options(7))));
  EXPECT_NE(a, to_json(generate(options(8))));
}

TEST(Generator, PutsTicketsAndCrewsInAllThreeZoneClassesInsideThePolygons) {
  const auto o = options(3);
  const Scenario s = generate(o);
  const ZoneMap zones = ZoneMap::load_file(o.zones_file);
  ASSERT_EQ(s.tickets.size(), 400u);
  ASSERT_EQ(s.crews.size(), 30u);
  std::array<int, 3> tickets{}, crews{};
  for (const auto& t : s.tickets) {
    const auto m = zones.locate(t.location);
    EXPECT_FALSE(m.defaulted) << t.key;
    ++tickets[static_cast<std::size_t>(m.zone_class)];
    EXPECT_GE(t.reported, s.start);
    EXPECT_LT(t.reported, s.end());
  }
  for (const auto& c : s.crews) ++crews[static_cast<std::size_t>(zones.classify(c.start))];
  for (std::size_t z = 0; z < 3; ++z) {
    EXPECT_GT(tickets[z], 10) << to_string(kAllZoneClasses[z]);
    EXPECT_GT(crews[z], 0) << to_string(kAllZoneClasses[z]);
  }
  EXPECT_TRUE(std::is_sorted(s.tickets.begin(), s.tickets.end(),
                             [](const ScenarioTicket& a, const ScenarioTicket& b) { return a.reported < b.reported; }));
  EXPECT_FALSE(s.traffic.empty());
  EXPECT_FALSE(s.gaps.empty());
}

TEST(Generator, OutagesAreClustered) {
  // Most tickets have another ticket within 3 km: storms break lines in clusters.
  const Scenario s = generate(options(11, 10, 300));
  int near = 0;
  for (std::size_t i = 0; i < s.tickets.size(); ++i)
    for (std::size_t j = 0; j < s.tickets.size(); ++j)
      if (i != j && distance_m(s.tickets[i].location, s.tickets[j].location) < 3000) {
        ++near;
        break;
      }
  EXPECT_GT(near, 240);
}

TEST(Generator, ItsOutputPassesTheScenarioValidation) {
  const Scenario s = generate(options(5, 12, 150));
  const Scenario again = parse_scenario(to_json(s), "generated.json", "/");
  EXPECT_EQ(again.tickets.size(), 150u);
  EXPECT_EQ(again.crews.size(), 12u);
  std::set<std::string> ids;
  for (const auto& c : again.crews) EXPECT_TRUE(ids.insert(c.id.str()).second);
}

}  // namespace
}  // namespace linecrew::sim
