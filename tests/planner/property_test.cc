// Property tests: random small instances (seeded) and random operation
// sequences; after every operation the plan must pass the independent checker.
#include <gtest/gtest.h>

#include <random>

#include "linecrew/planner/planner.h"
#include "linecrew/planner/vrptw.h"
#include "linecrew/planner/vrptw_check.h"
#include "plan_checker.h"
#include "test_support.h"

namespace linecrew::planner {
namespace {

using linecrew::testing::at;
using testing::check_plan;
using testing::World;

const std::vector<std::string> kSkills = {"line", "transformer", "meter", "cable"};

// "C" + std::to_string(n) without operator+(const char*, string&&): GCC 12
// reports a false -Wrestrict on that at -O3 (GCC bug 105329).
std::string numbered(std::string prefix, long n) {
  prefix += std::to_string(n);
  return prefix;
}

struct Random {
  explicit Random(std::uint64_t seed) : rng(seed) {}
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
  int integer(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool chance(double p) { return real(0, 1) < p; }
  std::mt19937_64 rng;
};

TicketSpec random_ticket(Random& r, const std::string& id) {
  TicketSpec t;
  t.id = TicketId(id);
  t.location = GeoPoint(r.real(0, 30), r.real(0, 30));
  t.deadline = at("08:00") + minutes(r.integer(10, 240));
  if (r.chance(0.2)) t.earliest_start = t.deadline - minutes(r.integer(0, 60));
  t.service = minutes(r.integer(0, 40));
  t.priority = static_cast<std::uint32_t>(r.chance(0.2) ? r.integer(1, 5) : 0);
  if (r.chance(0.3)) t.required_skills = {kSkills[static_cast<std::size_t>(r.integer(0, 3))]};
  t.demand = r.integer(0, 3);
  return t;
}

CrewSpec random_crew(Random& r, const std::string& id) {
  CrewSpec c;
  c.id = CrewId(id);
  c.position = GeoPoint(r.real(0, 30), r.real(0, 30));
  c.shift_start = at("08:00");
  c.available_at = at("08:00") + minutes(r.integer(0, 30));
  c.shift_end = at("08:00") + minutes(r.integer(120, 480));
  for (const auto& s : kSkills)
    if (r.chance(0.6)) c.skills.push_back(s);
  if (r.chance(0.5)) c.capacity = r.integer(4, 20);
  if (r.chance(0.3)) c.home = GeoPoint(r.real(0, 30), r.real(0, 30));
  return c;
}

class PlannerProperty : public ::testing::TestWithParam<int> {};

TEST_P(PlannerProperty, EveryPlanPassesTheIndependentChecker) {
  Random r(static_cast<std::uint64_t>(GetParam()) * 7919u + 17u);
  const CartesianTravelModel travel(60.0);
  PlannerOptions o;
  o.skills = kSkills;
  o.seed = static_cast<std::uint64_t>(GetParam());
  o.candidate_crews = 3;  // small, so the fallback path runs too
  Planner p(travel, o);
  World w;
  auto check = [&](const std::string& after) {
    const auto bad = check_plan(w, p, travel);
    for (const auto& b : bad) ADD_FAILURE() << "after " << after << ": " << b;
    return bad.empty();
  };
  const int n_crews = r.integer(2, 8);
  for (int c = 0; c < n_crews; ++c) {
    CrewSpec cs = random_crew(r, numbered("C", c));
    w.crews[cs.id.str()] = cs;
    p.upsert_crew(cs);
  }
  int next_ticket = 0;
  for (int step = 0; step < 60; ++step) {
    const int op = r.integer(0, 99);
    std::string what;
    if (op < 45 || w.tickets.empty()) {
      TicketSpec t = random_ticket(r, numbered("T", next_ticket++));
      w.tickets[t.id.str()] = t;
      p.insert(t);
      what = "insert " + t.id.str();
    } else {
      auto it = w.tickets.begin();
      std::advance(it, r.integer(0, static_cast<int>(w.tickets.size()) - 1));
      const std::string tid = it->first;
      auto cit = w.crews.begin();
      std::advance(cit, r.integer(0, static_cast<int>(w.crews.size()) - 1));
      CrewSpec& c = cit->second;
      bool locked = false;  // some crew drives to it or works on it
      for (const auto& [id, cs] : w.crews)
        locked = locked || (cs.driving_to && cs.driving_to->str() == tid) ||
                 (cs.in_progress && cs.in_progress->str() == tid);
      if (op < 55) {
        p.cancel(TicketId(tid));
        for (auto& [id, cs] : w.crews) {
          if (cs.driving_to && cs.driving_to->str() == tid) cs.driving_to.reset();
          if (cs.in_progress && cs.in_progress->str() == tid) cs.in_progress.reset();
        }
        w.tickets.erase(tid);
        w.pins.erase(tid);
        w.pin_positions.erase(tid);
        what = "cancel " + tid;
      } else if (op < 65) {
        c.position = GeoPoint(r.real(0, 30), r.real(0, 30));
        c.available_at += minutes(r.integer(0, 40));
        p.update_crew_position(c.id, c.position, c.available_at);
        what = "delay " + c.id.str();
      } else if (op < 72) {
        c.on_shift = !c.on_shift;
        p.set_on_shift(c.id, c.on_shift);
        what = "shift " + c.id.str();
      } else if (op < 80 && !locked) {
        std::optional<std::size_t> pos;
        if (r.chance(0.3)) pos = static_cast<std::size_t>(r.integer(0, 3));
        p.pin(TicketId(tid), c.id, pos);
        w.pins[tid] = c.id.str();
        if (pos)
          w.pin_positions[tid] = *pos;
        else
          w.pin_positions.erase(tid);
        what = "pin " + tid;
      } else if (op < 85) {
        p.unpin(TicketId(tid));
        w.pins.erase(tid);
        w.pin_positions.erase(tid);
        what = "unpin " + tid;
      } else if (op < 90 && !locked && !w.pins.count(tid)) {
        c.driving_to = TicketId(tid);
        for (auto& [id, cs] : w.crews)
          if (id != c.id.str() && cs.driving_to == c.driving_to) cs.driving_to.reset();
        p.upsert_crew(c);
        what = "lock " + tid + " on " + c.id.str();
      } else if (op < 94 && !locked) {
        // The crew starts work on it (e.g. found on site): in progress, no longer routed.
        c.in_progress = TicketId(tid);
        c.driving_to.reset();
        p.upsert_crew(c);
        what = "work " + tid + " by " + c.id.str();
      } else {
        p.replan(std::chrono::milliseconds(15));
        what = "replan";
      }
    }
    if (!check(what)) return;
  }
  EXPECT_EQ(p.ticket_count(), w.tickets.size());
}

INSTANTIATE_TEST_SUITE_P(Seeds, PlannerProperty, ::testing::Range(1, 21));

// Random small VRPTW instances: every solution passes the VRPTW checker.
class VrptwProperty : public ::testing::TestWithParam<int> {};

TEST_P(VrptwProperty, SolutionsAreFeasible) {
  Random r(static_cast<std::uint64_t>(GetParam()));
  VrptwInstance inst;
  inst.name = "random";
  inst.vehicles = 25;
  inst.capacity = 50;
  inst.nodes.push_back(VrptwNode{0, 50, 50, 0, 0, 400, 0});
  const int n = r.integer(5, 40);
  for (int k = 1; k <= n; ++k) {
    VrptwNode c{k,
                r.real(0, 100),
                r.real(0, 100),
                static_cast<double>(r.integer(1, 20)),
                0,
                0,
                static_cast<double>(r.integer(0, 15))};
    const double direct = std::hypot(c.x - 50, c.y - 50);
    c.ready = r.real(0, 300 - direct);
    c.due = std::max(c.ready, direct) + r.real(0, 80);
    if (c.due + c.service + direct > 400) c.due = 400 - c.service - direct;
    if (c.due < direct) continue;  // unreachable: leave it out
    c.ready = std::min(c.ready, c.due);
    inst.nodes.push_back(c);
  }
  VrptwOptions o;
  o.time_budget_s = 0.02;
  o.seed = static_cast<std::uint64_t>(GetParam());
  const VrptwSolution s = solve_vrptw(inst, o);
  const VrptwCheck chk = check_vrptw(inst, s);
  EXPECT_EQ(chk.violations, 0) << (chk.problems.empty() ? "" : chk.problems.front());
  EXPECT_EQ(chk.unassigned, 0);
  // The checker can fail: reversing a multi-stop route (or duplicating a customer) must be caught.
  VrptwSolution broken = s;
  broken.routes.front().push_back(broken.routes.front().front());
  EXPECT_GT(check_vrptw(inst, broken).violations, 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, VrptwProperty, ::testing::Range(1, 31));

}  // namespace
}  // namespace linecrew::planner
