// Neighbourhoods for a re-plan: the nearest tickets of each ticket (SISR ruin
// adjacency, candidate routes) and the nearest on-shift crews (by position).
// Ordered by a planar approximation of distance, which is all a ranking needs.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include "planner_impl.h"

namespace linecrew::planner {

namespace {

constexpr std::size_t kJobNeighbours = 40;
constexpr std::size_t kNearVehicles = 8;

std::size_t ix(int i) {
  return static_cast<std::size_t>(i);
}

// Squared planar distance in degrees of latitude, longitude scaled by cos(lat).
double approx_sq(const GeoPoint& a, const GeoPoint& b, double lon_scale) {
  const double dy = a.lat() - b.lat();
  const double dx = (a.lon() - b.lon()) * lon_scale;
  return dx * dx + dy * dy;
}

void nearest(const GeoPoint& p, const std::vector<int>& found, std::size_t k, int self,
             const std::function<const GeoPoint&(int)>& where, std::vector<int>& out) {
  const double lon_scale = std::cos(p.lat() * std::numbers::pi / 180.0);
  std::vector<std::pair<double, int>> by_dist;
  by_dist.reserve(found.size());
  for (const int o : found)
    if (o != self) by_dist.emplace_back(approx_sq(p, where(o), lon_scale), o);
  const std::size_t keep = std::min(k, by_dist.size());
  std::partial_sort(by_dist.begin(), by_dist.begin() + static_cast<long>(keep), by_dist.end());
  out.clear();
  for (std::size_t i = 0; i < keep; ++i) out.push_back(by_dist[i].second);
}

}  // namespace

void Planner::Impl::compute_neighbourhoods(std::chrono::steady_clock::time_point deadline) {
  const std::size_t nj = jobs.size();
  model.neighbours.resize(nj);  // new tickets: empty until the next pass
  model.near_vehicles.resize(nj);
  Neighbourhood& nb = neighbourhood;
  std::size_t active = 0;
  for (std::size_t j = 0; j < nj; ++j) active += model.jobs[j].active ? 1 : 0;
  // A new pass once changes reach a quarter of the open tickets (every change in a small plan).
  if (!nb.next && nb.changes >= 1 + active / 4) {
    std::vector<GeoPoint> points;
    for (std::size_t j = 0; j < nj; ++j)
      if (model.jobs[j].active) points.push_back(jobs[j].spec.location);
    nb.jobs.emplace(SpatialGrid::cell_size_for(points));
    for (std::size_t j = 0; j < nj; ++j)
      if (model.jobs[j].active) nb.jobs->set(static_cast<int>(j), {jobs[j].spec.location});
    points.clear();
    for (const auto& c : crews)
      if (c.spec.on_shift) points.push_back(c.spec.position);
    nb.crews.emplace(SpatialGrid::cell_size_for(points));
    for (std::size_t c = 0; c < crews.size(); ++c)
      if (crews[c].spec.on_shift) nb.crews->set(static_cast<int>(c), {crews[c].spec.position});
    nb.next = 0;
    nb.end = nj;
    nb.changes = 0;
  }
  if (!nb.next) return;
  const std::function<const GeoPoint&(int)> job_at = [&](int o) -> const GeoPoint& {
    return jobs[ix(o)].spec.location;
  };
  const std::function<const GeoPoint&(int)> crew_at = [&](int o) -> const GeoPoint& {
    return crews[ix(o)].spec.position;
  };
  for (std::size_t& j = *nb.next; j < nb.end; ++j) {
    if ((j & 255u) == 0 && std::chrono::steady_clock::now() >= deadline) return;  // resumed next time
    if (!model.jobs[j].active) continue;
    const GeoPoint& p = jobs[j].spec.location;
    nearest(p, nb.jobs->near(p, kJobNeighbours + 1), kJobNeighbours, static_cast<int>(j), job_at, model.neighbours[j]);
    nearest(p, nb.crews->near(p, kNearVehicles), kNearVehicles, -1, crew_at, model.near_vehicles[j]);
  }
  nb.next.reset();
  nb.jobs.reset();
  nb.crews.reset();
}

}  // namespace linecrew::planner
