// Bad input is rejected with a reason naming the field, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "linecrew/core/error.h"
#include "linecrew/planner/planner.h"
#include "test_support.h"

namespace linecrew::planner {
namespace {

using linecrew::testing::at;
using linecrew::testing::expect_error;

const CartesianTravelModel kGrid(60.0);

PlannerOptions options() {
  PlannerOptions o;
  o.skills = {"line", "meter"};
  return o;
}

CrewSpec good_crew() {
  CrewSpec c;
  c.id = CrewId("A");
  c.position = GeoPoint(0, 0);
  c.available_at = c.shift_start = at("08:00");
  c.shift_end = at("16:00");
  c.skills = {"line"};
  return c;
}

TicketSpec good_ticket() {
  TicketSpec t;
  t.id = TicketId("T");
  t.location = GeoPoint(1, 1);
  t.deadline = at("09:00");
  t.service = minutes(20);
  return t;
}

TEST(PlannerInput, NonFiniteCoordinatesCannotEvenBeBuilt) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  expect_error(
      [&] {
        TicketSpec t = good_ticket();
        t.location = GeoPoint(nan, 1);
      },
      ErrorCode::kInvalidArgument, "lat");
  expect_error(
      [&] {
        TicketSpec t = good_ticket();
        t.location = GeoPoint(1, inf);
      },
      ErrorCode::kInvalidArgument, "lon");
}

TEST(PlannerInput, CrewShiftEndingBeforeItStartsIsRejected) {
  Planner p(kGrid, options());
  CrewSpec c = good_crew();
  c.shift_end = at("07:00");
  expect_error([&] { p.upsert_crew(c); }, ErrorCode::kInvalidArgument, "crew.shift_end");
  EXPECT_EQ(p.crew_count(), 0u);
}

TEST(PlannerInput, TicketDeadlineBeforeEarliestStartIsRejected) {
  Planner p(kGrid, options());
  TicketSpec t = good_ticket();
  t.earliest_start = at("10:00");
  expect_error([&] { p.insert(t); }, ErrorCode::kInvalidArgument, "ticket.deadline");
  EXPECT_EQ(p.ticket_count(), 0u);
}

TEST(PlannerInput, NegativeDurationsAndDemandsAreRejected) {
  Planner p(kGrid, options());
  TicketSpec t = good_ticket();
  t.service = minutes(-5);
  expect_error([&] { p.insert(t); }, ErrorCode::kInvalidArgument, "ticket.service");
  t = good_ticket();
  t.demand = -1;
  expect_error([&] { p.insert(t); }, ErrorCode::kInvalidArgument, "ticket.demand");
  t.demand = std::numeric_limits<double>::quiet_NaN();
  expect_error([&] { p.insert(t); }, ErrorCode::kInvalidArgument, "ticket.demand");
  CrewSpec c = good_crew();
  c.capacity = -2;
  expect_error([&] { p.upsert_crew(c); }, ErrorCode::kInvalidArgument, "crew.capacity");
}

TEST(PlannerInput, UnknownSkillsAreRejected) {
  Planner p(kGrid, options());
  TicketSpec t = good_ticket();
  t.required_skills = {"line", "welding"};
  expect_error([&] { p.insert(t); }, ErrorCode::kInvalidArgument, "ticket.required_skills[1]: unknown skill 'welding'");
  CrewSpec c = good_crew();
  c.skills = {"diving"};
  expect_error([&] { p.upsert_crew(c); }, ErrorCode::kInvalidArgument, "crew.skills[0]");
  PlannerOptions o = options();
  o.skills.push_back("line");
  expect_error([&] { Planner q(kGrid, o); }, ErrorCode::kInvalidArgument, "duplicate skill");
}

TEST(PlannerInput, BadWeightsAndUnknownIdsAreRejected) {
  PlannerOptions o = options();
  o.weights.travel_per_minute = -1;
  expect_error([&] { Planner q(kGrid, o); }, ErrorCode::kInvalidArgument, "weights.travel_per_minute");
  Planner p(kGrid, options());
  expect_error([&] { p.pin(TicketId("nope"), CrewId("A")); }, ErrorCode::kNotFound, "nope");
  expect_error([&] { p.update_crew_position(CrewId("ghost"), GeoPoint(0, 0), at("08:00")); }, ErrorCode::kNotFound,
               "ghost");
  CrewSpec c = good_crew();
  c.driving_to = TicketId("missing");
  expect_error([&] { p.upsert_crew(c); }, ErrorCode::kNotFound, "crew.driving_to");
  expect_error([&] { CartesianTravelModel bad(0.0); }, ErrorCode::kInvalidArgument, "seconds_per_unit");
}

}  // namespace
}  // namespace linecrew::planner
