#include "engine/search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace linecrew::planner::engine {

namespace {
std::size_t idx(int i) {
  return static_cast<std::size_t>(i);
}
constexpr std::size_t kFullScanFleet = 64;  // below this, every route is a candidate
constexpr std::size_t kNeighbourRoutes = 24;
}  // namespace

Search::Search(const Model& m, const SearchOptions& opt) : m_(m), opt_(opt), rng_(opt.seed) {
  stamp_.assign(m.vehicles.size(), 0);
  saved_stamp_.assign(m.vehicles.size(), 0);
  depot_dist_.assign(m.jobs.size(), 0.0);
  // Sort key of the "far" / "close" recreate orders: the distance from the
  // depot for a benchmark fleet; for dispatch (no depot) the deadline, so that
  // "far first" means "most urgent first".
  if (m.identical_vehicles && !m.vehicles.empty()) {
    const int depot = m.vehicles.front().start_loc;
    for (std::size_t j = 0; j < m.jobs.size(); ++j)
      if (m.jobs[j].active) depot_dist_[j] = m.t(depot, m.jobs[j].loc);
  } else {
    for (std::size_t j = 0; j < m.jobs.size(); ++j)
      if (m.jobs[j].active) depot_dist_[j] = -std::min(m.jobs[j].deadline, m.jobs[j].due);
  }
}

void Search::candidates(const Solution& s, int job) {
  cand_.clear();
  const std::size_t nv = s.routes.size();
  if (m_.identical_vehicles) {
    bool empty_taken = false;
    for (std::size_t v = 0; v < nv; ++v) {
      if (s.routes[v].jobs.empty()) {
        if (empty_taken || !m_.vehicles[v].active) continue;
        empty_taken = true;
      }
      cand_.push_back(static_cast<int>(v));
    }
    return;
  }
  if (nv <= kFullScanFleet) {
    for (std::size_t v = 0; v < nv; ++v) cand_.push_back(static_cast<int>(v));
    return;
  }
  if (++stamp_now_ == 0) {
    std::fill(stamp_.begin(), stamp_.end(), 0u);
    stamp_now_ = 1;
  }
  auto add = [&](int v) {
    if (v < 0 || stamp_[idx(v)] == stamp_now_) return;
    stamp_[idx(v)] = stamp_now_;
    cand_.push_back(v);
  };
  const Job& jb = m_.jobs[idx(job)];
  if (jb.pinned >= 0) {
    add(jb.pinned);
    return;
  }
  if (idx(job) < m_.near_vehicles.size())
    for (const int v : m_.near_vehicles[idx(job)]) add(v);
  if (idx(job) < m_.neighbours.size()) {
    std::size_t seen = 0;
    for (const int o : m_.neighbours[idx(job)]) {
      if (seen++ >= kNeighbourRoutes) break;
      add(s.route_of[idx(o)]);
    }
  }
}

Insertion Search::best_insertion(const Solution& s, int job, double blink) {
  auto scan = [&](const std::vector<int>& vs) {
    Insertion best;
    for (const int v : vs) {
      if (!m_.can_serve(v, job)) continue;
      const Route& r = s.routes[idx(v)];
      if (!r.feasible || r.load + m_.jobs[idx(job)].demand > m_.vehicles[idx(v)].capacity ||
          r.room < m_.jobs[idx(job)].service)
        continue;
      for (int p = r.fixed; p <= static_cast<int>(r.jobs.size()); ++p) {
        if (blink > 0 && --blink_skip_ <= 0) {  // geometric gaps: one draw per blink
          blink_skip_ = 1 + static_cast<long>(std::floor(std::log(std::max(uniform(), 1e-12)) / std::log1p(-blink)));
          continue;
        }
        bool too_late = false;
        const double d = s.insertion_delta(m_, v, job, p, &too_late, best.delta);
        if (too_late && m_.triangle) break;  // later positions arrive even later
        if (d < best.delta) best = Insertion{v, p, d};
      }
    }
    return best;
  };
  candidates(s, job);
  Insertion best = scan(cand_);
  if (!best.found() && cand_.size() < s.routes.size() && !m_.identical_vehicles) {
    cand_.resize(s.routes.size());
    std::iota(cand_.begin(), cand_.end(), 0);
    best = scan(cand_);
  }
  return best;
}

bool Search::construct(Solution& s, SteadyTime deadline) {
  std::vector<int> todo;
  for (std::size_t j = 0; j < m_.jobs.size(); ++j)
    if (m_.jobs[j].active && s.route_of[j] < 0) todo.push_back(static_cast<int>(j));
  // Hardest first: pinned, then earliest deadline / due, then far from the depot.
  std::stable_sort(todo.begin(), todo.end(), [&](int a, int b) {
    const Job& x = m_.jobs[idx(a)];
    const Job& y = m_.jobs[idx(b)];
    if ((x.pinned >= 0) != (y.pinned >= 0)) return x.pinned >= 0;
    const double dx = std::min(x.due, x.deadline), dy = std::min(y.due, y.deadline);
    if (dx != dy) return dx < dy;
    return depot_dist_[idx(a)] > depot_dist_[idx(b)];
  });
  std::size_t k = 0;
  for (const int j : todo) {
    if ((++k & 7u) == 0 && std::chrono::steady_clock::now() >= deadline) return false;
    const Insertion ins = best_insertion(s, j, 0.0);
    if (ins.found()) s.insert(m_, j, ins.vehicle, ins.pos);
  }
  return true;
}

void Search::backup(const Solution& s, int vehicle) {
  if (saved_stamp_[idx(vehicle)] == saved_now_) return;
  saved_stamp_[idx(vehicle)] = saved_now_;
  saved_.push_back(s.routes[idx(vehicle)]);
}

void Search::ruin(Solution& s) {
  removed_.clear();
  int assigned = 0, used = 0;
  std::vector<int> movable;
  for (const Route& r : s.routes) {
    const int free = static_cast<int>(r.jobs.size()) - r.fixed;
    if (free > 0) {
      ++used;
      assigned += free;
    }
  }
  if (assigned == 0) return;
  const double avg_card = static_cast<double>(assigned) / used;
  const double ls_max = std::min(static_cast<double>(opt_.max_string), avg_card);
  const double ks_max = 4.0 * opt_.avg_removed / (1.0 + ls_max) - 1.0;
  const int ks = static_cast<int>(std::floor(uniform() * ks_max)) + 1;
  // A random movable seed job.
  int seed = -1;
  for (int tries = 0; tries < 64 && seed < 0; ++tries) {
    const int j = uniform_int(0, static_cast<int>(m_.jobs.size()) - 1);
    const int v = s.route_of[idx(j)];
    if (v >= 0 && s.pos_of[idx(j)] >= s.routes[idx(v)].fixed) seed = j;
  }
  if (seed < 0) return;
  std::vector<int> ruined;
  auto visit = [&](int c) {
    const int v = s.route_of[idx(c)];
    if (v < 0 || std::find(ruined.begin(), ruined.end(), v) != ruined.end()) return;
    Route& r = s.routes[idx(v)];
    const int f = r.fixed;
    const int n = static_cast<int>(r.jobs.size());
    const int pc = s.pos_of[idx(c)];
    if (pc < f) return;
    const int free = n - f;
    const int lmax = static_cast<int>(std::min(static_cast<double>(free), ls_max));
    const int l = uniform_int(1, std::max(1, lmax));
    backup(s, v);
    ruined.push_back(v);
    std::vector<char> drop(idx(n), 0);
    if (l < free && uniform() < opt_.split_rate) {
      int mm = 1;
      while (l + mm < free && uniform() > opt_.split_depth) ++mm;
      const int len = l + mm;
      const int s0 = uniform_int(std::max(f, pc - len + 1), std::min(pc, n - len));
      const int keep = uniform_int(0, l);
      for (int i = 0; i < len; ++i)
        if (i < keep || i >= keep + mm) drop[idx(s0 + i)] = 1;
    } else {
      const int s0 = uniform_int(std::max(f, pc - l + 1), std::min(pc, n - l));
      for (int i = 0; i < l; ++i) drop[idx(s0 + i)] = 1;
    }
    std::vector<int> kept;
    kept.reserve(idx(n));
    for (int i = 0; i < n; ++i) {
      const int j = r.jobs[idx(i)];
      if (drop[idx(i)]) {
        removed_.push_back(j);
        s.route_of[idx(j)] = -1;
        s.pos_of[idx(j)] = -1;
      } else {
        kept.push_back(j);
      }
    }
    r.jobs.swap(kept);
    s.update(m_, v);
  };
  visit(seed);
  if (idx(seed) < m_.neighbours.size()) {
    for (const int c : m_.neighbours[idx(seed)]) {
      if (static_cast<int>(ruined.size()) >= ks) break;
      visit(c);
    }
  }
}

void Search::recreate(Solution& s, std::vector<int>& jobs, double blink) {
  const double u = uniform() * 11.0;
  if (u < 4.0) {
    std::shuffle(jobs.begin(), jobs.end(), rng_);
  } else if (u < 8.0) {
    std::sort(jobs.begin(), jobs.end(), [&](int a, int b) { return m_.jobs[idx(a)].demand > m_.jobs[idx(b)].demand; });
  } else if (u < 10.0) {
    std::sort(jobs.begin(), jobs.end(), [&](int a, int b) { return depot_dist_[idx(a)] > depot_dist_[idx(b)]; });
  } else {
    std::sort(jobs.begin(), jobs.end(), [&](int a, int b) { return depot_dist_[idx(a)] < depot_dist_[idx(b)]; });
  }
  for (const int j : jobs) {
    const Insertion ins = best_insertion(s, j, blink);
    if (!ins.found()) continue;
    backup(s, ins.vehicle);
    s.insert(m_, j, ins.vehicle, ins.pos);
  }
}

SearchStats Search::improve(Solution& s, SteadyTime start, SteadyTime deadline) {
  SearchStats st;
  Solution best = s;
  double cur_cost = s.total_cost(m_);
  double best_cost = cur_cost;
  double dropped = 0;  // drop cost of the unassigned jobs
  for (std::size_t j = 0; j < m_.jobs.size(); ++j)
    if (m_.jobs[j].active && s.route_of[j] < 0) dropped += m_.jobs[j].drop_cost;
  const double span = std::chrono::duration<double>(deadline - start).count();
  std::vector<int> pending;
  const auto loop_start = std::chrono::steady_clock::now();
  while (opt_.max_iterations < 0 || st.iterations < opt_.max_iterations) {
    const auto now = std::chrono::steady_clock::now();
    // Stop when the next iteration (at the average pace so far) would overrun.
    const auto pace = st.iterations > 0 ? (now - loop_start) / st.iterations : std::chrono::steady_clock::duration{};
    if (now + pace >= deadline) break;
    ++st.iterations;
    // Cooling follows the iteration count when one is set (deterministic for
    // a seed), the clock otherwise.
    const double progress = opt_.max_iterations > 0
                                ? static_cast<double>(st.iterations) / static_cast<double>(opt_.max_iterations)
                                : (span > 0 ? std::chrono::duration<double>(now - start).count() / span : 1.0);
    const double temp = opt_.t0 * std::pow(opt_.tf / opt_.t0, std::clamp(progress, 0.0, 1.0));
    if (++saved_now_ == 0) {
      std::fill(saved_stamp_.begin(), saved_stamp_.end(), 0u);
      saved_now_ = 1;
    }
    saved_.clear();
    // Previously unassigned jobs get another chance in every recreate.
    pending.clear();
    if (dropped > 0)
      for (std::size_t j = 0; j < m_.jobs.size(); ++j)
        if (m_.jobs[j].active && s.route_of[j] < 0) pending.push_back(static_cast<int>(j));
    ruin(s);
    pending.insert(pending.end(), removed_.begin(), removed_.end());
    recreate(s, pending, opt_.blink);
    double delta = 0;
    for (const Route& old : saved_) delta += s.routes[idx(old.vehicle)].cost - old.cost;
    double new_dropped = 0;
    for (const int j : pending)
      if (s.route_of[idx(j)] < 0) new_dropped += m_.jobs[idx(j)].drop_cost;
    delta += new_dropped - dropped;  // every previously unassigned job is in `pending`
    const double new_cost = cur_cost + delta;
    if (new_cost < cur_cost - temp * std::log(std::max(uniform(), 1e-300))) {
      cur_cost = new_cost;
      dropped = new_dropped;
      if (cur_cost < best_cost - 1e-9) {
        best_cost = cur_cost;
        best = s;
        ++st.improvements;
      }
    } else {
      // Undo: clear the route index of every touched job, restore routes.
      for (const int j : pending) s.route_of[idx(j)] = -1;
      for (const Route& old : saved_)
        for (const int j : s.routes[idx(old.vehicle)].jobs) s.route_of[idx(j)] = -1;
      for (Route& old : saved_) {
        for (std::size_t i = 0; i < old.jobs.size(); ++i) {
          s.route_of[idx(old.jobs[i])] = old.vehicle;
          s.pos_of[idx(old.jobs[i])] = static_cast<int>(i);
        }
        s.routes[idx(old.vehicle)] = std::move(old);
      }
    }
  }
  s = std::move(best);
  return st;
}

}  // namespace linecrew::planner::engine
