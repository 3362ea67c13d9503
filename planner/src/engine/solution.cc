#include "engine/solution.h"

#include <algorithm>
#include <cmath>

namespace linecrew::planner::engine {

namespace {
std::size_t idx(int i) {
  return static_cast<std::size_t>(i);
}
}  // namespace

Solution::Solution(const Model& m) {
  resize(m);
}

void Solution::resize(const Model& m) {
  const std::size_t old = routes.size();
  routes.resize(m.vehicles.size());
  for (std::size_t v = old; v < routes.size(); ++v) {
    routes[v].vehicle = static_cast<int>(v);
    update(m, static_cast<int>(v));
  }
  route_of.resize(m.jobs.size(), -1);
  pos_of.resize(m.jobs.size(), -1);
}

void Solution::update(const Model& m, int vehicle) {
  Route& r = routes[idx(vehicle)];
  const Vehicle& v = m.vehicles[idx(vehicle)];
  const std::size_t n = r.jobs.size();
  r.arrival.resize(n);
  r.depart.resize(n);
  r.latest.resize(n);
  double time = v.start_time;
  int loc = v.start_loc;
  r.load = 0;
  r.travel = 0;
  r.soft = 0;
  r.feasible = true;
  for (std::size_t i = 0; i < n; ++i) {
    const int j = r.jobs[i];
    const Job& job = m.jobs[idx(j)];
    route_of[idx(j)] = vehicle;
    pos_of[idx(j)] = static_cast<int>(i);
    const double leg = m.t(loc, job.loc);
    r.travel += leg;
    const double a = time + leg;
    r.arrival[i] = a;
    if (a > job.due) r.feasible = false;
    r.soft += m.lateness_cost(job, a);
    r.depart[i] = std::max(a, job.ready) + job.service;
    r.load += job.demand;
    time = r.depart[i];
    loc = job.loc;
  }
  double back = 0;
  if (v.end_loc >= 0 && n > 0) {
    back = m.t(loc, v.end_loc);
    r.travel += back;
  }
  r.end_arrival = n > 0 ? time + back : v.start_time;
  if (n > 0 && r.end_arrival > v.end_time) r.feasible = false;
  if (r.load > v.capacity) r.feasible = false;
  // Backward pass: latest start at each job so that every later job and the
  // route end stay on time.
  double next_latest = v.end_time - back;  // latest departure from the last job
  int next_loc = -1;
  for (std::size_t k = n; k-- > 0;) {
    const Job& job = m.jobs[idx(r.jobs[k])];
    const double leave_by = next_loc < 0 ? next_latest : next_latest - m.t(job.loc, next_loc);
    r.latest[k] = std::min(job.due, leave_by - job.service);
    next_latest = r.latest[k];
    next_loc = job.loc;
  }
  r.room = v.end_time - (n > 0 ? r.depart[n - 1] : v.start_time);
  for (std::size_t p = 0; p < n; ++p)
    r.room = std::max(r.room, r.latest[p] - (p == 0 ? v.start_time : r.depart[p - 1]));
  r.cost = m.travel_weight * r.travel + r.soft;
}

void Solution::update_all(const Model& m) {
  std::fill(route_of.begin(), route_of.end(), -1);
  for (std::size_t v = 0; v < routes.size(); ++v) update(m, static_cast<int>(v));
}

double Solution::insertion_delta(const Model& m, int vehicle, int job, int pos, bool* too_late, double beat) const {
  const Route& r = routes[idx(vehicle)];
  const Vehicle& v = m.vehicles[idx(vehicle)];
  const Job& jb = m.jobs[idx(job)];
  if (r.load + jb.demand > v.capacity) return kInf;
  const std::size_t p = idx(pos);
  const std::size_t n = r.jobs.size();
  const int prev_loc = p == 0 ? v.start_loc : m.jobs[idx(r.jobs[p - 1])].loc;
  const double prev_dep = p == 0 ? v.start_time : r.depart[p - 1];
  // Service alone already overruns the latest time after this position:
  // infeasible whatever the travel. (With a due time and `too_late` asked
  // for, the travel is computed to tell the caller.)
  if ((!too_late || jb.due == kInf) && std::max(prev_dep, jb.ready) + jb.service > (p < n ? r.latest[p] : v.end_time))
    return kInf;
  if (m.travel_bounds && (!too_late || jb.due == kInf)) {
    // The same tests on lower bounds of the travel times first. Every step is
    // monotone (sums, max, lateness), so a position they rule out, the real
    // times rule out too. (When the caller asks `too_late` of a job with a
    // due time, the real arrival is needed to answer it.)
    const double lb_to = m.t_lower(prev_loc, jb.loc);
    const double lb_a = prev_dep + lb_to;
    if (lb_a > jb.due) return kInf;
    const double lb_dep = std::max(lb_a, jb.ready) + jb.service;
    if (p < n) {
      const int next_loc = m.jobs[idx(r.jobs[p])].loc;
      const double lb_from = m.t_lower(jb.loc, next_loc);
      const double lb_a_next = lb_dep + lb_from;
      if (lb_a_next > r.latest[p]) return kInf;
      // The cost: its travel part, the job's own lateness, and the later
      // stops' lateness, which cannot fall when the next stop is reached no
      // earlier than before (with destination-dependent speeds a detour can
      // be quicker than the direct leg; then no bound is taken).
      if (beat < kInf && !m.matrix && lb_a_next >= r.arrival[p]) {
        const double lb_travel = lb_to + lb_from - (r.arrival[p] - prev_dep);
        const double lb_cost = m.travel_weight * lb_travel + (m.soft_deadlines ? m.lateness_cost(jb, lb_a) : 0.0);
        if (lb_cost >= beat) return kInf;
      }
    } else if (v.end_loc >= 0 && lb_dep + m.t_lower(jb.loc, v.end_loc) > v.end_time) {
      return kInf;
    }
  }
  const double to_j = m.t(prev_loc, jb.loc);
  const double a = prev_dep + to_j;
  if (a > jb.due) {
    if (too_late) *too_late = true;
    return kInf;
  }
  const double dep = std::max(a, jb.ready) + jb.service;
  double d_travel;
  double d_soft = m.soft_deadlines ? m.lateness_cost(jb, a) : 0.0;
  if (p < n) {
    const int next_loc = m.jobs[idx(r.jobs[p])].loc;
    const double from_j = m.t(jb.loc, next_loc);
    const double a_next = dep + from_j;
    if (a_next > r.latest[p]) return kInf;
    // The leg prev -> next is already in the schedule; reuse it when travel
    // is computed on demand (an exact integer number of seconds there).
    const double old_leg = m.matrix ? m.t(prev_loc, next_loc) : r.arrival[p] - prev_dep;
    d_travel = to_j + from_j - old_leg;
    if (m.soft_deadlines) {
      // Push the schedule forward until waiting absorbs the shift.
      double shift = a_next - r.arrival[p];
      for (std::size_t k = p; k < n && shift != 0.0; ++k) {
        const Job& q = m.jobs[idx(r.jobs[k])];
        const double old_a = r.arrival[k];
        const double new_a = old_a + shift;
        d_soft += m.lateness_cost(q, new_a) - m.lateness_cost(q, old_a);
        shift = std::max(new_a, q.ready) - std::max(old_a, q.ready);
      }
    }
  } else {
    const double back = v.end_loc >= 0 ? m.t(jb.loc, v.end_loc) : 0.0;
    if (dep + back > v.end_time) return kInf;
    const double old_back = (v.end_loc >= 0 && n > 0) ? m.t(prev_loc, v.end_loc) : 0.0;
    d_travel = to_j + back - old_back;
  }
  return m.travel_weight * d_travel + d_soft;
}

Insertion Solution::best_insertion(const Model& m, int job, const std::vector<int>& vehicles) const {
  Insertion best;
  auto scan = [&](int v) {
    if (!m.can_serve(v, job)) return;
    const Route& r = routes[idx(v)];
    if (!r.feasible || r.room < m.jobs[idx(job)].service) return;
    for (int p = r.fixed; p <= static_cast<int>(r.jobs.size()); ++p) {
      const double d = insertion_delta(m, v, job, p, nullptr, best.delta);
      if (d < best.delta) best = Insertion{v, p, d};
    }
  };
  if (vehicles.empty()) {
    for (std::size_t v = 0; v < routes.size(); ++v) scan(static_cast<int>(v));
  } else {
    for (const int v : vehicles) scan(v);
  }
  return best;
}

void Solution::insert(const Model& m, int job, int vehicle, int pos) {
  Route& r = routes[idx(vehicle)];
  r.jobs.insert(r.jobs.begin() + pos, job);
  update(m, vehicle);
}

void Solution::remove(const Model& m, int job) {
  const int v = route_of[idx(job)];
  if (v < 0) return;
  Route& r = routes[idx(v)];
  r.jobs.erase(r.jobs.begin() + pos_of[idx(job)]);
  route_of[idx(job)] = -1;
  pos_of[idx(job)] = -1;
  update(m, v);
}

double Solution::total_cost(const Model& m) const {
  double c = 0;
  for (const Route& r : routes) c += r.cost;
  for (std::size_t j = 0; j < m.jobs.size(); ++j)
    if (m.jobs[j].active && route_of[j] < 0) c += m.jobs[j].drop_cost;
  return c;
}

int Solution::used_vehicles() const {
  int n = 0;
  for (const Route& r : routes) n += r.jobs.empty() ? 0 : 1;
  return n;
}

}  // namespace linecrew::planner::engine
