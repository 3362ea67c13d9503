// The baseline desk's choice and the report math.
#include <gtest/gtest.h>

#include "baseline.h"
#include "report.h"

namespace linecrew::sim {
namespace {

const TimePoint kT0 = parse_utc("2026-11-22T14:00:00Z");

TEST(Baseline, MostUrgentTicketGetsTheNearestFreeCrewWithTheSkills) {
  std::vector<WaitingTicket> waiting = {
      {TicketId("T-1"), GeoPoint(30.25, 120.15), 0, kT0 + minutes(45), {}},
      {TicketId("T-2"), GeoPoint(30.25, 120.15), 5, kT0 + minutes(90), {}},                // priority first
      {TicketId("T-3"), GeoPoint(30.05, 120.30), 0, kT0 + minutes(30), {"hv_switching"}},  // needs the skill
      {TicketId("T-4"), GeoPoint(30.70, 119.60), 0, kT0 + minutes(120), {}},               // nobody left
  };
  const std::vector<FreeCrew> crews = {
      {CrewId("C-near"), GeoPoint(30.251, 120.151), {"lv_cable"}},
      {CrewId("C-far"), GeoPoint(30.20, 120.10), {"lv_cable"}},
      {CrewId("C-hv"), GeoPoint(30.70, 119.60), {"lv_cable", "hv_switching"}},
  };
  const auto a = nearest_free_crew(waiting, crews);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].ticket.str(), "T-2");
  EXPECT_EQ(a[0].crew.str(), "C-near");
  EXPECT_EQ(a[1].ticket.str(), "T-3");  // earliest deadline next; only C-hv has the skill
  EXPECT_EQ(a[1].crew.str(), "C-hv");
  EXPECT_EQ(a[2].ticket.str(), "T-1");
  EXPECT_EQ(a[2].crew.str(), "C-far");
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].id.str(), "T-4");
}

TEST(Baseline, NoFreeCrewLeavesEverythingWaiting) {
  std::vector<WaitingTicket> waiting = {{TicketId("T-1"), GeoPoint(30.25, 120.15), 0, kT0, {}}};
  EXPECT_TRUE(nearest_free_crew(waiting, {}).empty());
  EXPECT_EQ(waiting.size(), 1u);
}

TEST(Report, PercentileIsNearestRank) {
  Samples s;
  for (int i = 1; i <= 20; ++i) s.add(i);
  EXPECT_DOUBLE_EQ(s.percentile(0.95), 19);
  EXPECT_DOUBLE_EQ(s.percentile(1.0), 20);
  EXPECT_DOUBLE_EQ(s.percentile(0.0), 1);
  EXPECT_DOUBLE_EQ(s.mean(), 10.5);
  EXPECT_DOUBLE_EQ(Samples{}.percentile(0.95), 0);
}

TEST(Report, TallyCountsOnTimeByZoneLatenessAndTicketsPerCrew) {
  RunReport r;
  r.crews = 2;
  const TimePoint d = kT0 + minutes(45);
  const std::vector<TicketOutcome> o = {
      {ZoneClass::kUrban, d, d, {}, "C-1"},  // exactly at the deadline: on time
      // late, excused: consented at the deadline to 10 min later
      {ZoneClass::kUrban, d, d + minutes(10), {{d, DelayReason::kTraffic, d + minutes(10), Consent::kYes}}, "C-1"},
      // late after a refusal: a violation
      {ZoneClass::kRural,
       d,
       d + minutes(30),
       {{d - minutes(5), DelayReason::kTraffic, d + minutes(30), Consent::kRefused}},
       "C-2"},
      {ZoneClass::kRemote, d, std::nullopt, {}, ""},      // never reached: overdue
      {ZoneClass::kRural, d, d - minutes(5), {}, "C-2"},  // early
      // consented too late (after the deadline): a violation
      {ZoneClass::kRemote,
       d,
       d + minutes(20),
       {{d + minutes(1), DelayReason::kTraffic, d + minutes(20), Consent::kYes}},
       "C-2"},
  };
  tally(r, o, d + hours(3));
  EXPECT_EQ(r.sim[0].tickets, 2u);
  EXPECT_EQ(r.sim[0].arrivals, 2u);
  EXPECT_EQ(r.sim[0].on_time, 1u);
  EXPECT_EQ(r.sim[0].late_excused, 1u);
  EXPECT_DOUBLE_EQ(r.sim[0].on_time_rate(), 0.5);
  EXPECT_EQ(r.sim[1].on_time, 1u);
  EXPECT_EQ(r.sim[0].violations, 0u);
  EXPECT_EQ(r.sim[1].violations, 1u);
  EXPECT_EQ(r.sim[2].arrivals, 1u);
  EXPECT_EQ(r.sim[2].violations, 2u);  // the overdue ticket and the late consent
  EXPECT_DOUBLE_EQ(r.sim[2].on_time_rate(), 0.0);
  EXPECT_EQ(r.unreached, 1u);
  EXPECT_DOUBLE_EQ(r.lateness_mean(), 20.0);
  EXPECT_DOUBLE_EQ(r.lateness_p95(), 30.0);
  EXPECT_DOUBLE_EQ(r.tickets_per_crew_mean(), 2.5);
  EXPECT_EQ(r.tickets_per_crew_max(), 3u);
  EXPECT_DOUBLE_EQ(r.delay_notice_compliance_sim(), 1.0 / 3.0);
  RunReport b;
  tally(b, {{ZoneClass::kUrban, d, d + minutes(1), {}, "C-1"}, {ZoneClass::kUrban, d, d, {}, "C-1"}}, d + hours(3));
  EXPECT_DOUBLE_EQ(margin_pp(r.sim[0], b.sim[0]), 0.0);
  const std::string text = format_report(r, &b);
  EXPECT_NE(text.find("urban"), std::string::npos) << text;
  EXPECT_NE(text.find("+0.0 pp"), std::string::npos) << text;
}

}  // namespace
}  // namespace linecrew::sim
