// Deliberately written without the engine: a second, simple implementation of
// the schedule rules, so a solver bug cannot hide itself.
#include "linecrew/planner/vrptw_check.h"

#include <cmath>
#include <string>

namespace linecrew::planner {

namespace {
constexpr double kEps = 1e-6;
constexpr std::size_t kMaxProblems = 50;

void problem(VrptwCheck& c, std::string text) {
  ++c.violations;
  if (c.problems.size() < kMaxProblems) c.problems.push_back(std::move(text));
}
}  // namespace

VrptwCheck check_vrptw(const VrptwInstance& inst, const VrptwSolution& sol) {
  VrptwCheck c;
  const std::size_t n = inst.nodes.size();
  std::vector<int> seen(n, 0);
  const VrptwNode& depot = inst.nodes.at(0);
  int route_no = 0;
  for (const auto& route : sol.routes) {
    ++route_no;
    if (route.empty()) continue;
    ++c.vehicles;
    double t = depot.ready;
    double load = 0;
    const VrptwNode* at = &depot;
    for (const int k : route) {
      if (k <= 0 || static_cast<std::size_t>(k) >= n) {
        problem(c, "route " + std::to_string(route_no) + ": bad customer index " + std::to_string(k));
        continue;
      }
      const VrptwNode& cu = inst.nodes[static_cast<std::size_t>(k)];
      ++seen[static_cast<std::size_t>(k)];
      const double d = std::hypot(cu.x - at->x, cu.y - at->y);
      c.distance += d;
      t += d;
      if (t > cu.due + kEps)
        problem(c, "customer " + std::to_string(cu.id) + ": arrives " + std::to_string(t) + " after due " +
                       std::to_string(cu.due));
      if (t < cu.ready) t = cu.ready;
      t += cu.service;
      load += cu.demand;
      at = &cu;
    }
    const double back = std::hypot(depot.x - at->x, depot.y - at->y);
    c.distance += back;
    t += back;
    if (t > depot.due + kEps)
      problem(c, "route " + std::to_string(route_no) + ": back at depot " + std::to_string(t) + " after " +
                     std::to_string(depot.due));
    if (load > inst.capacity + kEps)
      problem(c, "route " + std::to_string(route_no) + ": load " + std::to_string(load) + " over capacity " +
                     std::to_string(inst.capacity));
  }
  for (std::size_t k = 1; k < n; ++k) {
    if (seen[k] == 0) ++c.unassigned;
    if (seen[k] > 1)
      problem(c, "customer " + std::to_string(inst.nodes[k].id) + " visited " + std::to_string(seen[k]) + " times");
  }
  if (inst.vehicles > 0 && c.vehicles > inst.vehicles)
    problem(c,
            "uses " + std::to_string(c.vehicles) + " vehicles, only " + std::to_string(inst.vehicles) + " available");
  return c;
}

}  // namespace linecrew::planner
