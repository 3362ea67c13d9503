#include <gtest/gtest.h>

#include <random>

#include "linecrew/core/report.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;

Ticket ticket(const std::string& id, ZoneClass zone, const char* reported, std::optional<const char*> arrived) {
  Ticket t;
  t.id = TicketId(id);
  t.zone_class = zone;
  t.location = GeoPoint(30.25, 120.15);
  t.first_contact = at(reported);
  t.created = t.first_contact;
  t.deadline = ServicePolicy().deadline(t.first_contact, zone);
  t.status = arrived ? TicketStatus::kOnSite : TicketStatus::kAssigned;
  if (arrived) t.arrival = at(*arrived);
  t.timeline.push_back({t.first_contact, "reported", "system", ""});
  return t;
}

TEST(Report, CountsArrivalsExcusesViolationsAndDelayNoticeCompliance) {
  std::vector<Ticket> tickets = {
      ticket("T-1", ZoneClass::kUrban, "14:05", "14:40"),       // on time
      ticket("T-2", ZoneClass::kUrban, "14:05", "15:00"),       // worked case: 10 min late, no call
      ticket("T-3", ZoneClass::kUrban, "14:05", "15:00"),       // worked case with the consented call
      ticket("T-4", ZoneClass::kRural, "14:00", std::nullopt),  // overdue at 16:00, not reached
      ticket("T-5", ZoneClass::kRemote, "10:00", "11:00"),      // outside the range
  };
  tickets[2].contacts = {{at("14:40"), DelayReason::kTraffic, at("15:00"), Consent::kYes}};
  const Report r = build_report(tickets, {}, at("12:00"), at("18:00"), at("16:00"), ServicePolicy());
  const ZoneFigures& urban = r.by_zone[0];
  EXPECT_EQ(urban.arrivals, 3u);
  EXPECT_EQ(urban.on_time, 1u);
  EXPECT_EQ(urban.late_excused, 1u);
  EXPECT_EQ(urban.violations, 1u);
  EXPECT_NEAR(urban.on_time_rate(), 1.0 / 3, 1e-9);
  EXPECT_NEAR(urban.compliant_rate(), 2.0 / 3, 1e-9);
  EXPECT_EQ(r.by_zone[1].violations, 1u);  // the overdue rural ticket
  EXPECT_EQ(r.by_zone[2].arrivals, 0u);    // out of range
  EXPECT_EQ(r.late_arrivals, 2u);
  EXPECT_EQ(r.late_with_timely_consent, 1u);
  EXPECT_DOUBLE_EQ(r.delay_notice_compliance(), 0.5);
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_EQ(r.violations[0].ticket.str(), "T-2");  // earliest deadline first
  EXPECT_EQ(r.violations[0].late_by, minutes(10));
  EXPECT_FALSE(r.violations[0].cause.has_value());
}

TEST(Report, StalledTicketsAndRepeatVisits) {
  Ticket quiet = ticket("T-1", ZoneClass::kUrban, "09:00", std::nullopt);
  Ticket busy = ticket("T-2", ZoneClass::kUrban, "09:00", std::nullopt);
  busy.timeline.push_back({at("10:30"), "en_route", "crew:C-1", ""});
  const Report r = build_report({}, {quiet, busy}, at("00:00"), at("23:00"), at("11:30"), ServicePolicy());
  ASSERT_EQ(r.stalled.size(), 1u);  // > 2 h without progress
  EXPECT_EQ(r.stalled[0].ticket.str(), "T-1");
  EXPECT_EQ(r.stalled[0].stalled_for, minutes(150));

  Ticket fixed = ticket("T-3", ZoneClass::kUrban, "08:00", "08:30");
  fixed.timeline.push_back({at("09:00"), "restored", "crew:C-1", ""});
  Ticket again = ticket("T-4", ZoneClass::kUrban, "15:00", std::nullopt);
  const Report rep = build_report({fixed, again}, {}, at("00:00"), at("23:00"), at("15:10"), ServicePolicy());
  EXPECT_EQ(rep.repeat_visits, 1u);
}

// The repeat-visit count against the plain definition (every pair compared):
// many tickets in a few hundred metres, some fixed, reported over two months.
TEST(Report, RepeatVisitsMatchThePairwiseDefinition) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> dlat(0.0, 0.012), dlon(0.0, 0.012), hour(0.0, 24.0 * 60);
  std::vector<Ticket> tickets;
  for (int i = 0; i < 600; ++i) {
    Ticket t = ticket("T-" + std::to_string(i), ZoneClass::kUrban, "00:00", std::nullopt);
    t.location = GeoPoint(30.25 + dlat(rng), 120.15 + dlon(rng));
    t.first_contact = at("00:00") + Duration(static_cast<Duration::rep>(hour(rng) * 3600));
    if (i % 3 != 0) t.timeline.push_back({t.first_contact + hours(2), "restored", "crew:C-1", ""});
    tickets.push_back(std::move(t));
  }
  std::uint32_t expected = 0;
  for (const Ticket& t : tickets) {
    for (const Ticket& other : tickets) {
      if (&other == &t || other.first_contact >= t.first_contact || other.timeline.size() < 2) continue;
      const TimePoint fixed = other.timeline[1].time;
      if (fixed <= t.first_contact && t.first_contact - fixed <= hours(24 * 30) &&
          distance_m(other.location, t.location) <= 50.0) {
        ++expected;
        break;
      }
    }
  }
  ASSERT_GT(expected, 30u);  // the data does exercise the rule
  ASSERT_LT(expected, 400u);
  const Report r = build_report(tickets, {}, at("00:00"), at("00:00") + hours(24 * 70), at("00:00"), ServicePolicy());
  EXPECT_EQ(r.repeat_visits, expected);
}

}  // namespace
}  // namespace linecrew
