#include "linecrew/planner/planner.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "linecrew/core/error.h"
#include "planner_impl.h"

namespace linecrew::planner {

namespace {

std::size_t ix(int i) {
  return static_cast<std::size_t>(i);
}
double secs(TimePoint t) {
  return static_cast<double>(t.time_since_epoch().count());
}
bool finite_non_negative(double v) {
  return std::isfinite(v) && v >= 0;
}

}  // namespace

const GeoPoint& GeoIndexTravel::point(int loc) const {
  if (loc < kCrewBase) return jobs_[ix(loc)].spec.location;
  if (loc < kHomeBase) return crews_[ix(loc - kCrewBase)].spec.position;
  return *crews_[ix(loc - kHomeBase)].spec.home;
}

std::uint32_t GeoIndexTravel::gen(int loc) const {
  const std::vector<std::uint32_t>& g = loc < kCrewBase ? job_gen_ : crew_gen_;
  const std::size_t i = ix(loc < kCrewBase ? loc : (loc < kHomeBase ? loc - kCrewBase : loc - kHomeBase));
  return i < g.size() ? g[i] : 0u;
}

void GeoIndexTravel::moved(int loc) {
  std::vector<std::uint32_t>& g = loc < kCrewBase ? job_gen_ : crew_gen_;
  const std::size_t i = ix(loc < kCrewBase ? loc : (loc < kHomeBase ? loc - kCrewBase : loc - kHomeBase));
  if (g.size() <= i) g.resize(i + 1, 0u);
  ++g[i];
}

const GeoIndexTravel::Unit& GeoIndexTravel::unit(int loc) const {
  std::vector<Unit>& v = loc < kCrewBase ? job_unit_ : (loc < kHomeBase ? crew_unit_ : home_unit_);
  const std::size_t i = ix(loc < kCrewBase ? loc : (loc < kHomeBase ? loc - kCrewBase : loc - kHomeBase));
  if (v.size() <= i) v.resize(std::max(i + 1, v.size() * 2));
  Unit& u = v[i];
  const std::uint32_t g = gen(loc);
  if (!u.known || u.gen != g) {
    constexpr double kRad = 3.14159265358979323846 / 180.0;
    const GeoPoint& p = point(loc);
    const double lat = p.lat() * kRad, lon = p.lon() * kRad;
    u = Unit{g, true, std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
  }
  return u;
}

double GeoIndexTravel::lower_bound(int from, int to) const {
  if (from == to) return 0.0;
  if (seconds_per_metre_ <= 0.0) return 0.0;
  const Unit a = unit(from);  // copies: the second call may grow the vector
  const Unit b = unit(to);
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  // Mean earth radius (distance_m's), less a margin for rounding in both computations.
  constexpr double kRadiusM = 6371008.8 * (1.0 - 1e-7);
  return std::max(0.0, std::sqrt(dx * dx + dy * dy + dz * dz) * kRadiusM * seconds_per_metre_ - 1e-6);
}

double GeoIndexTravel::time(int from, int to) const {
  if (from == to) return 0.0;
  const auto h = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(from)) * 0x9E3779B97F4A7C15ull) ^
                 (static_cast<std::uint64_t>(static_cast<std::uint32_t>(to)) * 0xC2B2AE3D27D4EB4Full);
  Entry& e = cache_[static_cast<std::size_t>(h >> 46)];  // 18 bits
  const std::uint32_t gf = gen(from), gt = gen(to);
  if (e.from == from && e.to == to && e.gen_from == gf && e.gen_to == gt) return e.value;
  const double v = static_cast<double>(model_.duration(point(from), point(to)).count());
  e = Entry{from, to, gf, gt, v};
  return v;
}

Planner::Impl::Impl(const TravelModel& tm, PlannerOptions options)
    : travel_model(tm), opt(std::move(options)), travel(tm, jobs, crews) {
  if (opt.skills.size() > 64) throw Error(ErrorCode::kInvalidArgument, "skills", "at most 64 skills are supported");
  for (std::size_t i = 0; i < opt.skills.size(); ++i) {
    const std::string field = "skills[" + std::to_string(i) + "]";
    if (opt.skills[i].empty()) throw_invalid(field, "empty skill name");
    if (!skill_bit.emplace(opt.skills[i], static_cast<int>(i)).second)
      throw_invalid(field, "duplicate skill '" + opt.skills[i] + "'");
  }
  const Weights& w = opt.weights;
  if (!finite_non_negative(w.missed_deadline)) throw_invalid("weights.missed_deadline", "must be finite and >= 0");
  if (!finite_non_negative(w.priority_factor)) throw_invalid("weights.priority_factor", "must be finite and >= 0");
  if (!finite_non_negative(w.lateness_per_minute))
    throw_invalid("weights.lateness_per_minute", "must be finite and >= 0");
  if (!finite_non_negative(w.travel_per_minute)) throw_invalid("weights.travel_per_minute", "must be finite and >= 0");
  if (opt.candidate_crews == 0) throw_invalid("candidate_crews", "must be at least 1");
  model.travel = &travel;
  model.travel_bounds = tm.min_seconds_per_metre() > 0.0;
  model.travel_weight = w.travel_per_minute / 60.0;
  model.soft_deadlines = true;
}

std::uint64_t Planner::Impl::skill_mask(const std::vector<std::string>& skills, const std::string& field) const {
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < skills.size(); ++i) {
    const auto it = skill_bit.find(skills[i]);
    if (it == skill_bit.end())
      throw_invalid(field + "[" + std::to_string(i) + "]", "unknown skill '" + skills[i] + "'");
    mask |= std::uint64_t{1} << it->second;
  }
  return mask;
}

void Planner::Impl::validate(const CrewSpec& c) const {
  if (c.id.empty()) throw_invalid("crew.id", "must not be empty");
  if (c.shift_end < c.shift_start) throw_invalid("crew.shift_end", "ends before shift_start");
  if (std::isnan(c.capacity) || c.capacity < 0) throw_invalid("crew.capacity", "must be >= 0");
  skill_mask(c.skills, "crew.skills");
  if (c.driving_to) {
    if (!job_of.count(*c.driving_to))
      throw Error(ErrorCode::kNotFound, "crew.driving_to", "unknown ticket " + c.driving_to->str());
    if (c.in_progress && *c.in_progress == *c.driving_to)
      throw_invalid("crew.driving_to", "the same ticket as in_progress");
    const auto ip = in_progress_of.find(*c.driving_to);
    if (ip != in_progress_of.end() && crews[ix(ip->second)].spec.id != c.id)
      throw Error(ErrorCode::kFailedPrecondition, "crew.driving_to",
                  "crew " + crews[ix(ip->second)].spec.id.str() + " is working on " + c.driving_to->str());
  }
}

void Planner::Impl::validate(const TicketSpec& t) const {
  if (t.id.empty()) throw_invalid("ticket.id", "must not be empty");
  if (t.service < Duration::zero()) throw_invalid("ticket.service", "must not be negative");
  if (t.earliest_start && t.deadline < *t.earliest_start) throw_invalid("ticket.deadline", "is before earliest_start");
  if (!finite_non_negative(t.demand)) throw_invalid("ticket.demand", "must be finite and >= 0");
  skill_mask(t.required_skills, "ticket.required_skills");
}

int Planner::Impl::crew_index(const CrewId& id) const {
  const auto it = crew_of.find(id);
  if (it == crew_of.end()) throw Error(ErrorCode::kNotFound, "crew_id", "unknown crew " + id.str());
  return it->second;
}

int Planner::Impl::job_index(const TicketId& id) const {
  const auto it = job_of.find(id);
  if (it == job_of.end()) throw Error(ErrorCode::kNotFound, "ticket_id", "unknown ticket " + id.str());
  return it->second;
}

void Planner::Impl::sync_vehicle(int c) {
  plan_changed();
  const CrewSpec& s = crews[ix(c)].spec;
  engine::Vehicle& v = model.vehicles[ix(c)];
  v.start_loc = kCrewBase + c;
  v.end_loc = s.home ? kHomeBase + c : -1;
  v.start_time = secs(std::max(s.available_at, s.shift_start));
  v.end_time = secs(s.shift_end);
  v.capacity = s.capacity;
  v.skills = skill_mask(s.skills, "crew.skills");
  v.active = s.on_shift;
}

void Planner::Impl::sync_job(int j) {
  plan_changed();
  const JobRec& r = jobs[ix(j)];
  engine::Job& e = model.jobs[ix(j)];
  e = engine::Job{};
  e.loc = j;
  e.active = r.used && !in_progress_of.count(r.spec.id);
  if (!r.used) return;
  const TicketSpec& t = r.spec;
  e.ready = t.earliest_start ? secs(*t.earliest_start) : 0.0;
  e.deadline = secs(t.deadline);
  e.service = static_cast<double>(t.service.count());
  e.demand = t.demand;
  e.miss_cost = opt.weights.missed_deadline * miss_weight(t);
  e.late_cost = opt.weights.lateness_per_minute / 60.0;
  e.drop_cost = 1e3 * opt.weights.missed_deadline * miss_weight(t) + 1e9;
  e.skills = skill_mask(t.required_skills, "ticket.required_skills");
  e.pinned = r.pin_crew;
}

void Planner::Impl::touch(int c) {
  if (touched_flag.size() < crews.size()) touched_flag.resize(crews.size(), 0);
  if (touched_flag[ix(c)]) return;
  touched_flag[ix(c)] = 1;
  touched.push_back(c);
}

void Planner::Impl::flush_grid() {
  std::vector<GeoPoint> pts;
  for (const int c : touched) {
    touched_flag[ix(c)] = 0;
    pts.clear();
    const CrewSpec& s = crews[ix(c)].spec;
    if (s.on_shift) {
      pts.push_back(s.position);
      for (const int j : sol.routes[ix(c)].jobs) pts.push_back(jobs[ix(j)].spec.location);
    }
    crew_grid.set(c, pts);
  }
  touched.clear();
}

void Planner::Impl::remove_job_from_route(int j) {
  const int v = sol.route_of[ix(j)];
  if (v < 0) return;
  engine::Route& r = sol.routes[ix(v)];
  const int pos = sol.pos_of[ix(j)];
  if (pos < r.fixed) --r.fixed;
  r.jobs.erase(r.jobs.begin() + pos);
  sol.route_of[ix(j)] = -1;
  sol.pos_of[ix(j)] = -1;
  sol.update(model, v);
  touch(v);
}

void Planner::Impl::repair(int c, std::vector<int>& orphans) {
  engine::Route& r = sol.routes[ix(c)];
  const engine::Vehicle& v = model.vehicles[ix(c)];
  if (!v.active) {
    for (const int j : r.jobs) {
      sol.route_of[ix(j)] = -1;
      orphans.push_back(j);
    }
    r.jobs.clear();
    r.fixed = 0;
    sol.update(model, c);
    touch(c);
    return;
  }
  while (!r.feasible && static_cast<int>(r.jobs.size()) > r.fixed) {
    const int j = r.jobs.back();
    r.jobs.pop_back();
    sol.route_of[ix(j)] = -1;
    orphans.push_back(j);
    sol.update(model, c);
    touch(c);
  }
}

void Planner::Impl::rebuild_route(int c, std::vector<int>& orphans) {
  const CrewSpec& s = crews[ix(c)].spec;
  std::vector<int> fixed;
  if (s.on_shift) {
    if (s.driving_to) fixed.push_back(job_of.at(*s.driving_to));
    std::vector<int> pinned;
    for (std::size_t j = 0; j < jobs.size(); ++j)
      if (jobs[j].used && jobs[j].pin_crew == c && jobs[j].pin_position && model.jobs[j].active &&
          (model.jobs[j].skills & ~model.vehicles[ix(c)].skills) == 0 &&
          std::find(fixed.begin(), fixed.end(), static_cast<int>(j)) == fixed.end())
        pinned.push_back(static_cast<int>(j));
    std::sort(pinned.begin(), pinned.end(), [&](int a, int b) {
      const JobRec& x = jobs[ix(a)];
      const JobRec& y = jobs[ix(b)];
      return std::pair(*x.pin_position, x.pin_seq) < std::pair(*y.pin_position, y.pin_seq);
    });
    fixed.insert(fixed.end(), pinned.begin(), pinned.end());
  }
  for (const int j : fixed)
    if (sol.route_of[ix(j)] >= 0 && sol.route_of[ix(j)] != c) remove_job_from_route(j);
  engine::Route& r = sol.routes[ix(c)];
  std::vector<int> rest;
  for (const int j : r.jobs) {
    if (std::find(fixed.begin(), fixed.end(), j) != fixed.end()) continue;
    if (model.can_serve(c, j)) {
      rest.push_back(j);
    } else {  // e.g. a formerly locked stop this crew is not qualified for
      sol.route_of[ix(j)] = -1;
      orphans.push_back(j);
    }
  }
  r.jobs = fixed;
  r.jobs.insert(r.jobs.end(), rest.begin(), rest.end());
  r.fixed = static_cast<int>(fixed.size());
  sol.update(model, c);
  touch(c);
  repair(c, orphans);
}

std::vector<int> Planner::Impl::candidate_crews(const GeoPoint& p) {
  flush_grid();
  return crew_grid.near(p, opt.candidate_crews);
}

engine::Insertion Planner::Impl::best_insertion(int j) {
  const engine::Job& e = model.jobs[ix(j)];
  if (!e.active) return {};
  if (e.pinned >= 0) return sol.best_insertion(model, j, {e.pinned});
  engine::Insertion best = sol.best_insertion(model, j, candidate_crews(jobs[ix(j)].spec.location));
  if (!best.found() && !crews.empty()) best = sol.best_insertion(model, j, {});
  return best;
}

bool Planner::Impl::place(int j) {
  const engine::Insertion ins = best_insertion(j);
  if (!ins.found()) return false;
  engine::Route& r = sol.routes[ix(ins.vehicle)];
  r.jobs.insert(r.jobs.begin() + ins.pos, j);
  sol.update(model, ins.vehicle);
  touch(ins.vehicle);
  return true;
}

void Planner::Impl::reinsert(std::vector<int>& orphans) {
  std::sort(orphans.begin(), orphans.end(),
            [&](int a, int b) { return model.jobs[ix(a)].deadline < model.jobs[ix(b)].deadline; });
  for (const int j : orphans) place(j);
  orphans.clear();
}

// ---------------------------------------------------------------------------

Planner::Planner(const TravelModel& travel, PlannerOptions options)
    : impl_(std::make_unique<Impl>(travel, std::move(options))) {}
Planner::~Planner() = default;

void Planner::upsert_crew(const CrewSpec& crew) {
  Impl& m = *impl_;
  m.validate(crew);
  int c;
  const auto it = m.crew_of.find(crew.id);
  const bool is_new = it == m.crew_of.end();
  if (is_new) {
    c = static_cast<int>(m.crews.size());
    m.crews.push_back(CrewRec{crew});
    m.crew_of.emplace(crew.id, c);
    m.model.vehicles.emplace_back();
    m.sol.resize(m.model);
  } else {
    c = it->second;
  }
  std::vector<int> orphans;
  std::vector<int> reactivate;
  // Release the previous job in progress (it becomes routable again unless the
  // new spec still works on it).
  if (!is_new) {
    const CrewSpec& old = m.crews[ix(c)].spec;
    if (old.in_progress && m.in_progress_of.count(*old.in_progress) && m.in_progress_of.at(*old.in_progress) == c) {
      m.in_progress_of.erase(*old.in_progress);
      if (m.job_of.count(*old.in_progress)) reactivate.push_back(m.job_of.at(*old.in_progress));
    }
    m.crews[ix(c)].spec = crew;
  }
  if (crew.in_progress) {
    const auto other = m.in_progress_of.find(*crew.in_progress);
    if (other != m.in_progress_of.end() && other->second != c) m.crews[ix(other->second)].spec.in_progress.reset();
    m.in_progress_of[*crew.in_progress] = c;
    for (std::size_t o = 0; o < m.crews.size(); ++o)  // it is being worked: nobody else is driving to it
      if (static_cast<int>(o) != c && m.crews[o].spec.driving_to == crew.in_progress)
        m.crews[o].spec.driving_to.reset();
    if (m.job_of.count(*crew.in_progress)) {
      const int j = m.job_of.at(*crew.in_progress);
      m.remove_job_from_route(j);
      m.sync_job(j);
    }
  }
  for (const int j : reactivate) {
    m.sync_job(j);
    if (m.model.jobs[ix(j)].active) orphans.push_back(j);
  }
  // Another crew driving to the same stop loses it: the latest report wins.
  if (crew.driving_to) {
    for (std::size_t o = 0; o < m.crews.size(); ++o) {
      if (static_cast<int>(o) == c || m.crews[o].spec.driving_to != crew.driving_to) continue;
      m.crews[o].spec.driving_to.reset();
      m.remove_job_from_route(m.job_of.at(*crew.driving_to));
      m.rebuild_route(static_cast<int>(o), orphans);
    }
  }
  m.travel.moved(kCrewBase + c);
  m.travel.moved(kHomeBase + c);
  m.sync_vehicle(c);
  m.rebuild_route(c, orphans);
  m.reinsert(orphans);
  m.flush_grid();
}

void Planner::update_crew_position(const CrewId& crew, const GeoPoint& position, TimePoint available_at) {
  Impl& m = *impl_;
  const int c = m.crew_index(crew);
  CrewSpec& s = m.crews[ix(c)].spec;
  s.position = position;
  s.available_at = available_at;
  m.travel.moved(kCrewBase + c);
  m.sync_vehicle(c);
  m.sol.update(m.model, c);
  m.touch(c);
  std::vector<int> orphans;
  m.repair(c, orphans);
  m.reinsert(orphans);
  m.flush_grid();
}

void Planner::set_on_shift(const CrewId& crew, bool on_shift) {
  Impl& m = *impl_;
  const int c = m.crew_index(crew);
  m.crews[ix(c)].spec.on_shift = on_shift;
  m.sync_vehicle(c);
  std::vector<int> orphans;
  m.rebuild_route(c, orphans);
  m.reinsert(orphans);
  m.flush_grid();
}

InsertResult Planner::insert(const TicketSpec& ticket) {
  Impl& m = *impl_;
  m.validate(ticket);
  int j;
  const auto it = m.job_of.find(ticket.id);
  if (it != m.job_of.end()) {
    j = it->second;
    m.jobs[ix(j)].spec = ticket;
    m.travel.moved(j);
    m.sync_job(j);
    const int v = m.sol.route_of[ix(j)];
    if (v >= 0 && m.sol.pos_of[ix(j)] < m.sol.routes[ix(v)].fixed) {
      // A locked stop keeps its place; its schedule changes.
      m.sol.update(m.model, v);
      m.touch(v);
      std::vector<int> orphans;
      m.repair(v, orphans);
      m.reinsert(orphans);
    } else {
      m.remove_job_from_route(j);
      m.place(j);
    }
  } else {
    if (!m.free_jobs.empty()) {
      j = m.free_jobs.back();
      m.free_jobs.pop_back();
    } else {
      j = static_cast<int>(m.jobs.size());
      m.jobs.emplace_back();
      m.model.jobs.emplace_back();
      m.sol.resize(m.model);
    }
    m.jobs[ix(j)] = JobRec{ticket, true, -1, std::nullopt, 0};
    m.travel.moved(j);
    m.job_of.emplace(ticket.id, j);
    m.sync_job(j);
    m.place(j);
  }
  m.flush_grid();
  InsertResult out;
  out.assignment = assignment(ticket.id);
  out.issue = m.issue_for(j);
  return out;
}

void Planner::cancel(const TicketId& ticket) {
  Impl& m = *impl_;
  const int j = m.job_index(ticket);
  std::vector<int> orphans;
  const int v = m.sol.route_of[ix(j)];
  m.remove_job_from_route(j);
  for (auto& c : m.crews)
    if (c.spec.driving_to == ticket) c.spec.driving_to.reset();
  const auto ip = m.in_progress_of.find(ticket);
  if (ip != m.in_progress_of.end()) {
    m.crews[ix(ip->second)].spec.in_progress.reset();
    m.in_progress_of.erase(ip);
  }
  m.jobs[ix(j)] = JobRec{};
  m.sync_job(j);
  m.job_of.erase(ticket);
  m.free_jobs.push_back(j);
  if (v >= 0) m.repair(v, orphans);
  m.reinsert(orphans);
  m.flush_grid();
}

void Planner::pin(const TicketId& ticket, const CrewId& crew, std::optional<std::size_t> position) {
  Impl& m = *impl_;
  const int j = m.job_index(ticket);
  const int c = m.crew_index(crew);
  for (std::size_t o = 0; o < m.crews.size(); ++o) {
    if (static_cast<int>(o) == c) continue;
    if (m.crews[o].spec.driving_to == ticket)
      throw Error(ErrorCode::kFailedPrecondition, "ticket_id",
                  "locked: crew " + m.crews[o].spec.id.str() + " is driving to " + ticket.str());
  }
  const auto ip = m.in_progress_of.find(ticket);
  if (ip != m.in_progress_of.end() && ip->second != c)
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id",
                "locked: crew " + m.crews[ix(ip->second)].spec.id.str() + " is working on " + ticket.str());
  const int old_crew = m.jobs[ix(j)].pin_crew;
  JobRec& r = m.jobs[ix(j)];
  r.pin_crew = c;
  r.pin_position = position;
  r.pin_seq = ++m.pin_counter;
  m.sync_job(j);
  std::vector<int> orphans;
  if (m.sol.route_of[ix(j)] != c || position) m.remove_job_from_route(j);
  if (old_crew >= 0 && old_crew != c) m.rebuild_route(old_crew, orphans);
  if (position) {
    m.rebuild_route(c, orphans);
  } else if (m.sol.route_of[ix(j)] < 0) {
    m.place(j);
  }
  m.reinsert(orphans);
  m.flush_grid();
}

void Planner::unpin(const TicketId& ticket) {
  Impl& m = *impl_;
  const int j = m.job_index(ticket);
  JobRec& r = m.jobs[ix(j)];
  if (r.pin_crew < 0) return;
  const bool was_fixed = r.pin_position.has_value();
  const int c = r.pin_crew;
  r.pin_crew = -1;
  r.pin_position.reset();
  m.sync_job(j);
  std::vector<int> orphans;
  if (was_fixed) {
    m.remove_job_from_route(j);
    m.rebuild_route(c, orphans);
    orphans.push_back(j);
  }
  m.reinsert(orphans);
  m.flush_grid();
}

ReplanStats Planner::replan(std::chrono::milliseconds budget) {
  Impl& m = *impl_;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + budget;
  ReplanStats st;
  st.cost_before = m.sol.total_cost(m.model);
  std::vector<int> orphans;
  for (std::size_t c = 0; c < m.crews.size(); ++c) m.repair(static_cast<int>(c), orphans);
  m.flush_grid();
  m.compute_neighbourhoods(deadline);
  engine::SearchOptions so;
  so.seed = m.opt.seed;
  so.t0 = 10.0 * m.opt.weights.travel_per_minute + 1e-6;
  so.tf = 0.1 * m.opt.weights.travel_per_minute + 1e-9;
  engine::Search search(m.model, so);
  st.construction_complete = search.construct(m.sol, deadline);
  if (std::chrono::steady_clock::now() < deadline) st.iterations = search.improve(m.sol, start, deadline).iterations;
  for (std::size_t c = 0; c < m.crews.size(); ++c) m.touch(static_cast<int>(c));
  m.flush_grid();
  st.cost_after = m.sol.total_cost(m.model);
  st.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return st;
}

std::size_t Planner::ticket_count() const {
  return impl_->job_of.size();
}
std::size_t Planner::crew_count() const {
  return impl_->crews.size();
}

CartesianTravelModel::CartesianTravelModel(double seconds_per_unit) : seconds_per_unit_(seconds_per_unit) {
  if (!(std::isfinite(seconds_per_unit) && seconds_per_unit > 0))
    throw_invalid("seconds_per_unit", "must be a positive number");
}

Duration CartesianTravelModel::duration(const GeoPoint& from, const GeoPoint& to) const {
  const double d = std::hypot(from.lat() - to.lat(), from.lon() - to.lon());
  return Duration(static_cast<Duration::rep>(std::llround(d * seconds_per_unit_)));
}

}  // namespace linecrew::planner
