#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>

#include "engine/model.h"
#include "engine/search.h"
#include "engine/solution.h"
#include "linecrew/planner/vrptw.h"

namespace linecrew::planner {

namespace {

constexpr std::size_t kNeighbours = 200;

class EuclideanTravel final : public engine::Travel {
 public:
  explicit EuclideanTravel(const std::vector<VrptwNode>& nodes) : nodes_(nodes) {}
  double time(int from, int to) const override {
    const VrptwNode& a = nodes_[static_cast<std::size_t>(from)];
    const VrptwNode& b = nodes_[static_cast<std::size_t>(to)];
    return std::hypot(a.x - b.x, a.y - b.y);
  }

 private:
  const std::vector<VrptwNode>& nodes_;
};

}  // namespace

double default_time_budget_s(VrptwMode mode) {
  return mode == VrptwMode::kFast ? 0.09 : 1.8;
}

VrptwSolution solve_vrptw(const VrptwInstance& inst, const VrptwOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const double budget = options.time_budget_s > 0 ? options.time_budget_s : default_time_budget_s(options.mode);
  const auto deadline =
      start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(budget));
  const int n = static_cast<int>(inst.nodes.size());
  const std::size_t un = inst.nodes.size();
  // Up to 4,000 nodes (128 MB) a precomputed matrix read inline; beyond, on demand.
  std::unique_ptr<engine::Travel> travel_owner;
  const double* matrix = nullptr;
  if (un <= 4000) {
    std::vector<double> m(un * un);
    for (std::size_t a = 0; a < un; ++a)
      for (std::size_t b = 0; b < un; ++b)
        m[a * un + b] = std::hypot(inst.nodes[a].x - inst.nodes[b].x, inst.nodes[a].y - inst.nodes[b].y);
    auto mt = std::make_unique<engine::MatrixTravel>(n, std::move(m));
    matrix = mt->data();
    travel_owner = std::move(mt);
  } else {
    travel_owner = std::make_unique<EuclideanTravel>(inst.nodes);
  }
  const engine::Travel& travel = *travel_owner;
  engine::Model model;
  model.travel = &travel;
  model.matrix = matrix;
  model.matrix_n = un;
  model.identical_vehicles = true;
  model.triangle = true;
  const VrptwNode& depot = inst.nodes.front();
  for (int k = 1; k < n; ++k) {
    const VrptwNode& c = inst.nodes[static_cast<std::size_t>(k)];
    engine::Job j;
    j.loc = k;
    j.ready = c.ready;
    j.due = c.due;
    j.service = c.service;
    j.demand = c.demand;
    j.active = true;
    model.jobs.push_back(j);
  }
  for (int v = 0; v < inst.vehicles; ++v) {
    engine::Vehicle veh;
    veh.start_loc = 0;
    veh.end_loc = 0;
    veh.start_time = depot.ready;
    veh.end_time = depot.due;
    veh.capacity = inst.capacity;
    model.vehicles.push_back(veh);
  }
  // Ruin adjacency: the nearest customers by distance (at most kNeighbours).
  const std::size_t nj = model.jobs.size();
  model.neighbours.resize(nj);
  std::vector<int> all(nj);
  std::iota(all.begin(), all.end(), 0);
  for (std::size_t a = 0; a < nj; ++a) {
    auto& nb = model.neighbours[a];
    nb = all;
    nb.erase(nb.begin() + static_cast<long>(a));
    const auto by_distance = [&](int x, int y) {
      return travel.time(static_cast<int>(a) + 1, x + 1) < travel.time(static_cast<int>(a) + 1, y + 1);
    };
    const std::size_t keep = std::min(nb.size(), kNeighbours);
    std::partial_sort(nb.begin(), nb.begin() + static_cast<long>(keep), nb.end(), by_distance);
    nb.resize(keep);
  }
  engine::SearchOptions so;
  so.seed = options.seed;
  if (options.max_iterations > 0) so.max_iterations = options.max_iterations;
  engine::Search search(model, so);
  engine::Solution sol(model);
  search.construct(sol, deadline);
  // Annealing temperature from the constructed routes: long routes (wide
  // windows, large capacity: the "type 2" instances) need a hotter search to
  // merge routes; short ones do well cool. Measured on Solomon: see docs/planner.md.
  const int used = std::max(1, sol.used_vehicles());
  const double avg_route = static_cast<double>(model.jobs.size()) / used;
  so.t0 = std::clamp(avg_route, 5.0, 30.0);
  so.tf = 1.0;
  if (options.t0 > 0) so.t0 = options.t0;
  if (options.tf > 0) so.tf = options.tf;
  search.set_temperatures(so.t0, so.tf);
  const auto st = search.improve(sol, start, deadline);
  VrptwSolution out;
  out.iterations = st.iterations;
  for (const auto& r : sol.routes) {
    if (r.jobs.empty()) continue;
    std::vector<int> route;
    for (const int j : r.jobs) route.push_back(j + 1);
    out.routes.push_back(std::move(route));
  }
  return out;
}

}  // namespace linecrew::planner
