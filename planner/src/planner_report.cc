// Reading the plan: stops with ETAs, the objective, and a reason a dispatcher
// can read for every unassigned or predicted-late ticket.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "linecrew/core/error.h"
#include "planner_impl.h"

namespace linecrew::planner {

namespace {

std::size_t ix(int i) {
  return static_cast<std::size_t>(i);
}
TimePoint at(double s) {
  return TimePoint(Duration(static_cast<Duration::rep>(std::llround(s))));
}
std::string mins(double seconds) {
  return std::to_string(minutes_ceil(Duration(static_cast<Duration::rep>(std::ceil(seconds))))) + " min";
}
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
constexpr std::size_t kExplainCrews = 64;

}  // namespace

Stop Planner::Impl::make_stop(int c, std::size_t pos) const {
  const engine::Route& r = sol.routes[ix(c)];
  const int j = r.jobs[pos];
  const engine::Job& e = model.jobs[ix(j)];
  Stop s;
  s.ticket = jobs[ix(j)].spec.id;
  s.eta = at(r.arrival[pos]);
  s.start = at(std::max(r.arrival[pos], e.ready));
  s.finish = at(r.depart[pos]);
  s.late = r.arrival[pos] > e.deadline ? Duration(static_cast<Duration::rep>(std::llround(r.arrival[pos] - e.deadline)))
                                       : Duration::zero();
  s.locked = static_cast<int>(pos) < r.fixed;
  s.pinned = jobs[ix(j)].pin_crew == c;
  return s;
}

std::optional<Issue> Planner::Impl::issue_for(int j) const {
  const JobRec& rec = jobs[ix(j)];
  if (!rec.used || in_progress_of.count(rec.spec.id)) return std::nullopt;
  const int c = sol.route_of[ix(j)];
  if (c < 0) return Issue{rec.spec.id, IssueKind::kUnassigned, std::nullopt, Duration::zero(), unassigned_reason(j)};
  const engine::Route& r = sol.routes[ix(c)];
  const double arrival = r.arrival[ix(sol.pos_of[ix(j)])];
  const double deadline = model.jobs[ix(j)].deadline;
  if (arrival <= deadline) return std::nullopt;
  return Issue{rec.spec.id, IssueKind::kLate, crews[ix(c)].spec.id,
               Duration(static_cast<Duration::rep>(std::llround(arrival - deadline))), late_reason(j, c, arrival)};
}

namespace {
std::string skill_list(const std::vector<std::string>& names, std::uint64_t mask) {
  std::string out;
  for (std::size_t b = 0; b < names.size(); ++b)
    if (mask & (std::uint64_t{1} << b)) out += (out.empty() ? "" : ", ") + names[b];
  return out;
}
}  // namespace

std::string Planner::Impl::unassigned_reason(int j) const {
  const engine::Job& e = model.jobs[ix(j)];
  const TicketSpec& t = jobs[ix(j)].spec;
  // When the crew is free after its locked stops, and where.
  auto free_point = [&](int c, double& time, int& loc) {
    const engine::Route& r = sol.routes[ix(c)];
    if (r.fixed > 0) {
      time = r.depart[ix(r.fixed - 1)];
      loc = model.jobs[ix(r.jobs[ix(r.fixed - 1)])].loc;
    } else {
      time = model.vehicles[ix(c)].start_time;
      loc = model.vehicles[ix(c)].start_loc;
    }
  };
  // When crew c would be done with it and back at its end point, on travel times `leg` (the real ones,
  // or their lower bounds, which give a time no later).
  auto finish_on = [&](int c, auto leg) {
    double time;
    int loc;
    free_point(c, time, loc);
    const engine::Vehicle& v = model.vehicles[ix(c)];
    const double a = time + leg(loc, e.loc);
    const double done = std::max(a, e.ready) + e.service;
    return done + (v.end_loc >= 0 ? leg(e.loc, v.end_loc) : 0.0);
  };
  auto earliest_finish = [&](int c) { return finish_on(c, [&](int x, int y) { return model.t(x, y); }); };
  if (e.pinned >= 0) {
    const int c = e.pinned;
    const CrewSpec& s = crews[ix(c)].spec;
    const engine::Vehicle& v = model.vehicles[ix(c)];
    const engine::Route& r = sol.routes[ix(c)];
    if (!s.on_shift) return "pinned to crew " + s.id.str() + ", which is off shift";
    if (e.skills & ~v.skills)
      return "pinned to crew " + s.id.str() + ", which lacks skill " + skill_list(opt.skills, e.skills & ~v.skills);
    if (r.load + e.demand > v.capacity)
      return "pinned crew " + s.id.str() + " overloaded: load " + num(r.load) + " + demand " + num(e.demand) +
             " exceeds capacity " + num(v.capacity);
    const double f = earliest_finish(c);
    if (f > v.end_time)
      return "pinned crew " + s.id.str() + " cannot finish it before its shift ends at " + format_utc(at(v.end_time)) +
             " (earliest finish " + format_utc(at(f)) + ")";
    return "pinned crew " + s.id.str() + " overloaded: no room in its plan before its shift ends at " +
           format_utc(at(v.end_time));
  }
  std::uint64_t on_shift_skills = 0;
  std::size_t on_shift = 0;
  for (std::size_t c = 0; c < crews.size(); ++c)
    if (model.vehicles[c].active) {
      on_shift_skills |= model.vehicles[c].skills;
      ++on_shift;
    }
  if (on_shift == 0) return "no crew on shift";
  if (e.skills & ~on_shift_skills)
    return "no crew on shift with skill " + skill_list(opt.skills, e.skills & ~on_shift_skills);
  std::size_t qualified = 0, over_capacity = 0;
  std::vector<int> room;  // qualified crews with capacity left
  for (std::size_t c = 0; c < crews.size(); ++c) {
    const engine::Vehicle& v = model.vehicles[c];
    if (!v.active || (e.skills & ~v.skills)) continue;
    ++qualified;
    if (sol.routes[c].load + e.demand > v.capacity) {
      ++over_capacity;
      continue;
    }
    room.push_back(static_cast<int>(c));
  }
  if (qualified == 0) return "no crew on shift has all of: " + skill_list(opt.skills, e.skills);
  if (over_capacity == qualified)
    return "every qualified crew is at capacity (" + std::to_string(qualified) + " crews, demand " + num(t.demand) +
           ")";
  std::string no_room = "no room: every qualified crew's plan is full until its shift ends";
  // A crew that could still reach and finish it within its shift means there is simply no room. The travel
  // times' lower bounds settle most crews without asking the travel model (a storm leaves thousands of
  // tickets unassigned, each explained on every view).
  auto finish_bound = [&](int c) { return finish_on(c, [&](int x, int y) { return model.t_lower(x, y); }); };
  std::vector<std::pair<double, int>> past;  // (lower bound of finish - shift end, crew): all past their shift
  for (const int c : room) {
    const double end = model.vehicles[ix(c)].end_time;
    const double lb = finish_bound(c);
    if (lb <= end && earliest_finish(c) <= end) return no_room;
    past.emplace_back(lb - end, c);
  }
  // Every crew with room would finish after its shift: name the one closest to making it (the lowest
  // index among equals), reading exact times only while a bound could still beat the best.
  std::sort(past.begin(), past.end());
  int best_crew = -1;
  double best_finish = engine::kInf;
  for (const auto& [lb, c] : past) {
    if (lb > best_finish) break;
    const double over = earliest_finish(c) - model.vehicles[ix(c)].end_time;
    if (over < best_finish || (over == best_finish && c < best_crew)) {
      best_finish = over;
      best_crew = c;
    }
  }
  if (best_crew < 0) return no_room;
  return "shift ends: no qualified crew can reach and finish it before its shift ends (closest: crew " +
         crews[ix(best_crew)].spec.id.str() + " would finish " + mins(best_finish) + " after its shift end)";
}

std::string Planner::Impl::late_reason(int j, int crew, double arrival) const {
  const engine::Job& e = model.jobs[ix(j)];
  const TicketSpec& t = jobs[ix(j)].spec;
  // Best case: the ticket as the first free stop of a nearby qualified crew.
  std::vector<int> near = crew_grid.near(t.location, kExplainCrews);
  near.push_back(crew);
  double best = engine::kInf;
  int best_crew = crew;
  for (const int c : near) {
    const engine::Vehicle& v = model.vehicles[ix(c)];
    if (!v.active || (e.skills & ~v.skills)) continue;
    const engine::Route& r = sol.routes[ix(c)];
    double time = v.start_time;
    int loc = v.start_loc;
    if (r.fixed > 0) {
      time = r.depart[ix(r.fixed - 1)];
      loc = model.jobs[ix(r.jobs[ix(r.fixed - 1)])].loc;
    }
    const double a = time + model.t(loc, e.loc);
    if (a < best) {
      best = a;
      best_crew = c;
    }
  }
  const std::string late = mins(arrival - e.deadline);
  const int pos = sol.pos_of[ix(j)];
  const engine::Route& r = sol.routes[ix(crew)];
  if (pos < r.fixed)
    return "locked stop of crew " + crews[ix(crew)].spec.id.str() + ": arrives " + late + " after the deadline";
  if (best > e.deadline)
    return "every crew would miss it by >= " + mins(best - e.deadline) + " (earliest possible arrival " +
           format_utc(at(best)) + " by crew " + crews[ix(best_crew)].spec.id.str() + ")";
  const std::string before = std::to_string(pos - r.fixed) + " earlier stop" + (pos - r.fixed == 1 ? "" : "s");
  if (best_crew == crew)
    return "busy with other tickets: crew " + crews[ix(crew)].spec.id.str() + " arrives " + late + " late after " +
           before + " (going there first it could arrive at " + format_utc(at(best)) + ")";
  return "busy with other tickets: crew " + crews[ix(crew)].spec.id.str() + " arrives " + late + " late after " +
         before + " (crew " + crews[ix(best_crew)].spec.id.str() + " could arrive at " + format_utc(at(best)) +
         " if it went there first)";
}

std::optional<Assignment> Planner::assignment(const TicketId& ticket) const {
  const Impl& m = *impl_;
  const int j = m.job_index(ticket);
  const int c = m.sol.route_of[ix(j)];
  if (c < 0) return std::nullopt;
  const std::size_t pos = ix(m.sol.pos_of[ix(j)]);
  return Assignment{m.crews[ix(c)].spec.id, pos, m.make_stop(c, pos)};
}

CrewPlan Planner::crew_plan(const CrewId& crew) const {
  const Impl& m = *impl_;
  const int c = m.crew_index(crew);
  const CrewSpec& s = m.crews[ix(c)].spec;
  CrewPlan p;
  p.crew = s.id;
  p.in_progress = s.in_progress;
  p.on_shift = s.on_shift;
  const engine::Route& r = m.sol.routes[ix(c)];
  for (std::size_t k = 0; k < r.jobs.size(); ++k) p.stops.push_back(m.make_stop(c, k));
  p.travel = Duration(static_cast<Duration::rep>(std::llround(r.travel)));
  return p;
}

std::vector<CrewPlan> Planner::plan() const {
  std::vector<CrewPlan> out;
  for (const auto& c : impl_->crews) out.push_back(crew_plan(c.spec.id));
  return out;
}

std::vector<Issue> Planner::issues() const {
  const Impl& m = *impl_;
  std::vector<Issue> out;
  for (std::size_t j = 0; j < m.jobs.size(); ++j)
    if (m.jobs[j].used)
      if (auto i = m.issue_for(static_cast<int>(j))) out.push_back(std::move(*i));
  return out;
}

std::optional<Issue> Planner::explain(const TicketId& ticket) const {
  return impl_->issue_for(impl_->job_index(ticket));
}

PlanSummary Planner::summary() const {
  const Impl& m = *impl_;
  PlanSummary s;
  for (std::size_t j = 0; j < m.jobs.size(); ++j) {
    if (!m.jobs[j].used || !m.model.jobs[j].active) continue;
    ++s.tickets;
    const int c = m.sol.route_of[j];
    if (c < 0) {
      ++s.unassigned;
      continue;
    }
    ++s.assigned;
    const double a = m.sol.routes[ix(c)].arrival[ix(m.sol.pos_of[j])];
    if (a > m.model.jobs[j].deadline) {
      ++s.late;
      s.weighted_misses += m.miss_weight(m.jobs[j].spec);
      s.total_lateness += Duration(static_cast<Duration::rep>(std::llround(a - m.model.jobs[j].deadline)));
    }
  }
  double travel = 0;
  for (const auto& r : m.sol.routes) travel += r.travel;
  s.total_travel = Duration(static_cast<Duration::rep>(std::llround(travel)));
  s.cost = m.sol.total_cost(m.model);
  return s;
}

}  // namespace linecrew::planner
