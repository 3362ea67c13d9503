// Scenario tests on small grids drawn in the test: the grid literal is the data
// (grid.h). Travel: CartesianTravelModel with 60 s per unit, so one grid step =
// one minute unless the grid says otherwise. GeoPoint(row, col).
#include <gtest/gtest.h>

#include "grid.h"
#include "linecrew/core/error.h"
#include "linecrew/planner/planner.h"
#include "plan_checker.h"
#include "test_support.h"

namespace linecrew::planner {
namespace {

using linecrew::planner::testing::Grid;
using linecrew::planner::testing::grid;
using linecrew::testing::at;

const CartesianTravelModel kGrid(60.0);

// "C" + std::to_string(n) without operator+(const char*, string&&): GCC 12
// reports a false -Wrestrict on that at -O3 (GCC bug 105329).
std::string numbered(std::string prefix, long n) {
  prefix += std::to_string(n);
  return prefix;
}

PlannerOptions options() {
  PlannerOptions o;
  o.skills = {"line", "transformer", "meter"};
  return o;
}

CrewSpec crew(const std::string& id, const GeoPoint& position, std::vector<std::string> skills = {"line"}) {
  CrewSpec c;
  c.id = CrewId(id);
  c.position = position;
  c.available_at = at("08:00");
  c.shift_start = at("08:00");
  c.shift_end = at("16:00");
  c.skills = std::move(skills);
  return c;
}

TicketSpec ticket(const std::string& id, const GeoPoint& location, const std::string& deadline = "10:00") {
  TicketSpec t;
  t.id = TicketId(id);
  t.location = location;
  t.deadline = at(deadline);
  t.service = minutes(10);
  return t;
}

// The crew or ticket drawn as `id` in `g`.
CrewSpec crew(const Grid& g, const std::string& id, std::vector<std::string> skills = {"line"}) {
  return crew(id, g[id], std::move(skills));
}

TicketSpec ticket(const Grid& g, const std::string& id, const std::string& deadline = "10:00") {
  return ticket(id, g[id], deadline);
}

std::vector<std::string> stop_ids(const CrewPlan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.stops) out.push_back(s.ticket.str());
  return out;
}

// A drives to T1 (locked); T2 is right next to it.
TEST(PlannerScenario, LockedPrefixIsKeptAcrossInsertAndReplan) {
  const Grid g = grid(R"(A . T2 . . . . . . . T1)");
  Planner p(kGrid, options());
  p.insert(ticket(g, "T1"));
  CrewSpec a = crew(g, "A");
  a.driving_to = TicketId("T1");
  a.in_progress = TicketId("T0");
  p.upsert_crew(a);
  p.insert(ticket(g, "T2"));
  EXPECT_EQ(stop_ids(p.crew_plan(CrewId("A"))), (std::vector<std::string>{"T1", "T2"}));
  EXPECT_TRUE(p.crew_plan(CrewId("A")).stops.front().locked);
  EXPECT_EQ(p.crew_plan(CrewId("A")).in_progress, TicketId("T0"));
  p.replan(std::chrono::milliseconds(50));
  EXPECT_EQ(stop_ids(p.crew_plan(CrewId("A"))), (std::vector<std::string>{"T1", "T2"}));
  // ETA of T1: 08:00 + 10 min; T2: 08:10 + 10 min service + 8 min travel.
  EXPECT_EQ(p.crew_plan(CrewId("A")).stops[0].eta, at("08:10"));
  EXPECT_EQ(p.crew_plan(CrewId("A")).stops[1].eta, at("08:28"));
}

// T is next to A, but the dispatcher pins it to B.
TEST(PlannerScenario, PinIsRespectedAndUnpinFreesTheTicket) {
  const Grid g = grid(R"(A T . . . . . . . . B)");
  Planner p(kGrid, options());
  p.upsert_crew(crew(g, "A"));
  p.upsert_crew(crew(g, "B"));
  p.insert(ticket(g, "T"));
  EXPECT_EQ(p.assignment(TicketId("T"))->crew, CrewId("A"));
  p.pin(TicketId("T"), CrewId("B"));
  EXPECT_EQ(p.assignment(TicketId("T"))->crew, CrewId("B"));
  p.replan(std::chrono::milliseconds(30));
  EXPECT_EQ(p.assignment(TicketId("T"))->crew, CrewId("B"));
  EXPECT_TRUE(p.assignment(TicketId("T"))->stop.pinned);
  p.unpin(TicketId("T"));
  p.replan(std::chrono::milliseconds(30));
  EXPECT_EQ(p.assignment(TicketId("T"))->crew, CrewId("A"));
}

// Position pins put W then U first on A's plan, in pin-position order.
TEST(PlannerScenario, PositionPinsFixTheSequence) {
  const Grid g = grid(R"(A U V W)");
  Planner p(kGrid, options());
  p.upsert_crew(crew(g, "A"));
  p.insert(ticket(g, "U"));
  p.insert(ticket(g, "V"));
  p.insert(ticket(g, "W"));
  p.pin(TicketId("W"), CrewId("A"), 0);
  p.pin(TicketId("U"), CrewId("A"), 1);
  p.replan(std::chrono::milliseconds(30));
  EXPECT_EQ(stop_ids(p.crew_plan(CrewId("A"))), (std::vector<std::string>{"W", "U", "V"}));
}

// One crew; N (normal) is 2 min away, P (priority 5) 4 min away. Both due at
// 08:05: only the first one served is on time. The shorter plan serves N first; priority wins.
TEST(PlannerScenario, PriorityTicketWinsOverAShorterDetour) {
  const Grid g = grid(R"(P . . . A . N)");
  Planner p(kGrid, options());
  p.upsert_crew(crew(g, "A"));
  TicketSpec n = ticket(g, "N", "08:05");
  n.service = Duration::zero();
  TicketSpec pr = ticket(g, "P", "08:05");
  pr.service = Duration::zero();
  pr.priority = 5;
  p.insert(n);
  const InsertResult r = p.insert(pr);
  ASSERT_TRUE(r.assignment.has_value());
  EXPECT_EQ(r.assignment->position, 0u);
  EXPECT_EQ(stop_ids(p.crew_plan(CrewId("A"))), (std::vector<std::string>{"P", "N"}));
  p.replan(std::chrono::milliseconds(30));
  EXPECT_EQ(stop_ids(p.crew_plan(CrewId("A"))), (std::vector<std::string>{"P", "N"}));
  const auto issue = p.explain(TicketId("N"));
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->kind, IssueKind::kLate);
  EXPECT_EQ(issue->late, minutes(5));  // 08:04 at P, 6 min back to N: 08:10
  EXPECT_FALSE(p.explain(TicketId("P")).has_value());
  // Without the priority, the shorter plan wins.
  Planner q(kGrid, options());
  q.upsert_crew(crew(g, "A"));
  pr.priority = 0;
  q.insert(n);
  q.insert(pr);
  q.replan(std::chrono::milliseconds(30));
  EXPECT_EQ(stop_ids(q.crew_plan(CrewId("A"))), (std::vector<std::string>{"N", "P"}));
}

TEST(PlannerScenario, MissingSkillIsExplained) {
  const Grid g = grid(R"(
    A .
    . T
  )");
  Planner p(kGrid, options());
  p.upsert_crew(crew(g, "A", {"line"}));
  TicketSpec t = ticket(g, "T");
  t.required_skills = {"transformer"};
  const InsertResult r = p.insert(t);
  EXPECT_FALSE(r.assignment.has_value());
  ASSERT_TRUE(r.issue.has_value());
  EXPECT_EQ(r.issue->kind, IssueKind::kUnassigned);
  EXPECT_NE(r.issue->reason.find("no crew on shift with skill transformer"), std::string::npos) << r.issue->reason;
}

// T is 100 min from A and 80 min from B, due in 30 min: every crew misses it by >= 50 min.
TEST(PlannerScenario, EveryCrewWouldMissIsExplained) {
  const Grid g = grid(R"(A . B . . . . . . . T)", 10);  // one cell = 10 min
  Planner p(kGrid, options());
  p.upsert_crew(crew(g, "A"));
  p.upsert_crew(crew(g, "B"));
  const InsertResult r = p.insert(ticket(g, "T", "08:30"));
  ASSERT_TRUE(r.assignment.has_value());
  EXPECT_EQ(r.assignment->crew, CrewId("B"));
  ASSERT_TRUE(r.issue.has_value());
  EXPECT_EQ(r.issue->kind, IssueKind::kLate);
  EXPECT_NE(r.issue->reason.find("every crew would miss it by >= 50 min"), std::string::npos) << r.issue->reason;
}

TEST(PlannerScenario, ShiftEndAndPinnedOverloadAreExplained) {
  // Two scales of the same row: A is at the origin of both.
  const Grid near = grid(R"(A X Y)");
  const Grid far_away = grid(R"(A . . . . . FAR)", 10);  // one cell = 10 min
  Planner p(kGrid, options());
  CrewSpec a = crew(near, "A");
  a.shift_end = at("08:30");
  a.capacity = 1;
  p.upsert_crew(a);
  // 60 min away: cannot be done before 08:30.
  const InsertResult far = p.insert(ticket(far_away, "FAR"));
  ASSERT_TRUE(far.issue.has_value());
  EXPECT_EQ(far.issue->kind, IssueKind::kUnassigned);
  EXPECT_NE(far.issue->reason.find("shift ends"), std::string::npos) << far.issue->reason;
  TicketSpec x = ticket(near, "X");
  x.demand = 1;
  TicketSpec y = ticket(near, "Y");
  y.demand = 1;
  p.insert(x);
  p.insert(y);
  p.pin(TicketId("X"), CrewId("A"));
  p.pin(TicketId("Y"), CrewId("A"));
  const auto why = p.explain(TicketId("Y"));
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->reason.find("pinned crew A overloaded"), std::string::npos) << why->reason;
}

// A is delayed by two hours: T1 (due 10:00) moves to B.
TEST(PlannerScenario, DelayUpdateAndOffShiftMoveWork) {
  const Grid g = grid(R"(A . . T1 . . . . . B)");
  Planner p(kGrid, options());
  p.upsert_crew(crew(g, "A"));
  CrewSpec b = crew(g, "B");
  p.upsert_crew(b);
  p.insert(ticket(g, "T1"));
  EXPECT_EQ(p.assignment(TicketId("T1"))->crew, CrewId("A"));
  p.update_crew_position(CrewId("A"), g["A"], at("12:00"));
  p.replan(std::chrono::milliseconds(30));
  EXPECT_EQ(p.assignment(TicketId("T1"))->crew, CrewId("B"));
  p.set_on_shift(CrewId("B"), false);
  EXPECT_EQ(p.assignment(TicketId("T1"))->crew, CrewId("A"));
  EXPECT_EQ(p.assignment(TicketId("T1"))->stop.eta, at("12:03"));
  p.cancel(TicketId("T1"));
  EXPECT_TRUE(p.crew_plan(CrewId("A")).stops.empty());
  EXPECT_EQ(p.ticket_count(), 0u);
  linecrew::testing::expect_error([&] { p.cancel(TicketId("T1")); }, ErrorCode::kNotFound, "T1");
}

// A's shift ends at 10:00. Delayed to 09:55, it cannot finish T (10 min): T moves to B
// at once, without waiting for a re-plan.
TEST(PlannerScenario, DelayPastTheShiftEndMovesTheStopImmediately) {
  const Grid g = grid(R"(A T . . . . . B)");
  Planner p(kGrid, options());
  CrewSpec a = crew(g, "A");
  a.shift_end = at("10:00");
  p.upsert_crew(a);
  p.upsert_crew(crew(g, "B"));
  p.insert(ticket(g, "T"));
  EXPECT_EQ(p.assignment(TicketId("T"))->crew, CrewId("A"));
  p.update_crew_position(CrewId("A"), g["A"], at("09:55"));
  ASSERT_TRUE(p.assignment(TicketId("T")).has_value());
  EXPECT_EQ(p.assignment(TicketId("T"))->crew, CrewId("B"));
  EXPECT_EQ(p.assignment(TicketId("T"))->stop.eta, at("08:06"));
}

TEST(PlannerScenario, ReplanHonoursItsTimeBudget) {
  Planner p(kGrid, options());
  // Generated, not drawn: 30 crews on a 6 x 5 lattice, 600 tickets spread over 30 x 30.
  for (int c = 0; c < 30; ++c) p.upsert_crew(crew(numbered("C", c), GeoPoint(c % 6 * 5.0, c / 6 * 5.0)));
  for (int t = 0; t < 600; ++t)
    p.insert(ticket(numbered("T", t), GeoPoint((t * 7919 % 300) / 10.0, (t * 104729 % 300) / 10.0), "09:00"));
  const auto before = p.summary();
  const auto t0 = std::chrono::steady_clock::now();
  const ReplanStats st = p.replan(std::chrono::milliseconds(150));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(ms, 250.0);
  EXPECT_GT(st.iterations, 0);
  EXPECT_LE(p.summary().cost, before.cost + 1e-6);
}

}  // namespace
}  // namespace linecrew::planner
