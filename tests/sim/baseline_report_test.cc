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

TicketOutcome outcome(ZoneClass zone, TimePoint deadline, std::optional<TimePoint> arrival,
                      std::vector<ContactRecord> contacts, std::string crew) {
  TicketOutcome o;
  o.zone = zone;
  o.deadline = deadline;
  o.arrival = arrival;
  o.contacts = std::move(contacts);
  o.crew = std::move(crew);
  return o;
}

TEST(Report, TallyCountsOnTimeByZoneLatenessAndTicketsPerCrew) {
  RunReport r;
  r.crews = 2;
  const TimePoint d = kT0 + minutes(45);
  const std::vector<TicketOutcome> o = {
      outcome(ZoneClass::kUrban, d, d, {}, "C-1"),  // exactly at the deadline: on time
      // late, excused: consented at the deadline to 10 min later
      outcome(ZoneClass::kUrban, d, d + minutes(10), {{d, DelayReason::kTraffic, d + minutes(10), Consent::kYes}},
              "C-1"),
      // late after a refusal: a violation
      outcome(ZoneClass::kRural, d, d + minutes(30),
              {{d - minutes(5), DelayReason::kTraffic, d + minutes(30), Consent::kRefused}}, "C-2"),
      outcome(ZoneClass::kRemote, d, std::nullopt, {}, ""),      // never reached: overdue
      outcome(ZoneClass::kRural, d, d - minutes(5), {}, "C-2"),  // early
      // consented too late (after the deadline): a violation
      outcome(ZoneClass::kRemote, d, d + minutes(20),
              {{d + minutes(1), DelayReason::kTraffic, d + minutes(20), Consent::kYes}}, "C-2"),
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
  tally(b, {outcome(ZoneClass::kUrban, d, d + minutes(1), {}, "C-1"), outcome(ZoneClass::kUrban, d, d, {}, "C-1")},
        d + hours(3));
  EXPECT_DOUBLE_EQ(margin_pp(r.sim[0], b.sim[0]), 0.0);
  const std::string text = format_report(r, &b);
  EXPECT_NE(text.find("urban"), std::string::npos) << text;
  EXPECT_NE(text.find("+0.0 pp"), std::string::npos) << text;
}

// One call of a fault: its true fault, its arrival, the crews that drove there, the server's link.
TicketOutcome call(std::optional<std::uint32_t> fault, std::optional<TimePoint> arrival,
                   std::vector<std::string> visitors, bool linked = false, bool same_fault = false) {
  TicketOutcome o;
  o.zone = ZoneClass::kUrban;
  o.deadline = kT0 + minutes(45);
  o.arrival = arrival;
  o.crew = visitors.empty() ? "C-lead" : visitors.front();
  o.fault = fault;
  o.visitors = std::move(visitors);
  o.linked = linked;
  o.linked_same_fault = same_fault;
  return o;
}

TEST(Report, FaultsWithSeveralCallersCountCrewVisitsLinksAndOnTime) {
  const TimePoint d = kT0 + minutes(45);
  // Linecrew: fault 1's three calls served by one crew at the lead (the two linked calls mirror its
  // arrival); fault 2's lead unreached; a lone call (fault 3) linked to another fault's lead.
  RunReport l;
  tally(l,
        {call(1, d - minutes(5), {"C-1"}), call(1, d - minutes(5), {}, true, true),
         call(1, d - minutes(5), {}, true, true), call(2, std::nullopt, {}), call(2, std::nullopt, {}, true, true),
         call(3, d + minutes(10), {}, true, false)},
        d + hours(3));
  EXPECT_EQ(l.faults.faults, 2u);
  EXPECT_EQ(l.faults.calls, 5u);
  EXPECT_EQ(l.faults.visits, 1u);
  EXPECT_EQ(l.faults.crews, 1u);
  EXPECT_DOUBLE_EQ(l.faults.crews_per_fault(), 0.5);
  EXPECT_EQ(l.faults.reached, 3u);
  EXPECT_EQ(l.faults.on_time, 3u);
  EXPECT_EQ(l.faults.linked, 4u);
  EXPECT_EQ(l.faults.linked_elsewhere, 1u);
  // The baseline: a crew drives to every call of fault 1, two of them late.
  RunReport b;
  tally(b,
        {call(1, d - minutes(5), {"C-1"}), call(1, d + minutes(5), {"C-2"}), call(1, d + minutes(20), {"C-3", "C-1"}),
         call(2, d, {"C-1"}), call(2, std::nullopt, {}), call(3, d, {"C-2"})},
        d + hours(3));
  EXPECT_EQ(b.faults.visits, 4u);
  EXPECT_EQ(b.faults.crews, 4u);  // fault 1: C-1, C-2, C-3; fault 2: C-1
  EXPECT_DOUBLE_EQ(b.faults.crews_per_fault(), 2.0);
  EXPECT_EQ(b.faults.reached, 4u);
  EXPECT_EQ(b.faults.on_time, 2u);
  EXPECT_EQ(b.faults.linked, 0u);

  const std::string text = format_report(l, &b);
  EXPECT_NE(text.find("faults with several callers"), std::string::npos) << text;
  const auto line = [&](const std::string& label) {
    const auto at = text.find(label);
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_NE(line("faults / their calls").find("2 / 5"), std::string::npos) << text;
  EXPECT_NE(line("crew visits (crews per fault)").find("1 (0.50)"), std::string::npos) << text;
  EXPECT_NE(line("crew visits (crews per fault)").find("4 (2.00)"), std::string::npos) << text;
  EXPECT_NE(line("calls linked by server (wrong fault)").find("4 (1)"), std::string::npos) << text;
  EXPECT_NE(line("calls linked by server (wrong fault)").find("0 (0)"), std::string::npos) << text;
  EXPECT_NE(line("on-time rate of their calls").find("100.0 % (3/3)"), std::string::npos) << text;
  EXPECT_NE(line("on-time rate of their calls").find("50.0 % (2/4)"), std::string::npos) << text;
  EXPECT_NE(line("on-time rate of their calls").find("+50.0 pp"), std::string::npos) << text;

  // A storm without such faults (and no links) leaves the section out.
  RunReport none;
  tally(none, {call(std::nullopt, d, {"C-1"})}, d + hours(3));
  EXPECT_EQ(format_report(none, &none).find("several callers"), std::string::npos);
}

}  // namespace
}  // namespace linecrew::sim
