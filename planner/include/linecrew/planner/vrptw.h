// The VRPTW benchmark mode: Solomon / Gehring-Homberger instances, hard time
// windows, capacity, minimise total distance (vehicles second). Solved by the
// same engine as the dispatch planner. Distances are unrounded Euclidean
// doubles; travel time equals distance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace linecrew::planner {

struct VrptwNode {
  int id = 0;  // as written in the file
  double x = 0;
  double y = 0;
  double demand = 0;
  double ready = 0;
  double due = 0;
  double service = 0;
};

struct VrptwInstance {
  std::string name;
  int vehicles = 0;
  double capacity = 0;
  std::vector<VrptwNode> nodes;  // nodes[0] is the depot
  std::size_t customers() const { return nodes.empty() ? 0 : nodes.size() - 1; }
};

// Parses the Solomon text format. Throws Error(kInvalidArgument,
// "<source>:<line>", what is wrong) on malformed input.
VrptwInstance parse_solomon(std::string_view text, std::string_view source);
VrptwInstance load_solomon(const std::string& path);

// Routes as lists of node indices (1..customers()) into VrptwInstance::nodes.
struct VrptwSolution {
  std::vector<std::vector<int>> routes;
  long iterations = 0;
};

// fast: 0.09 s per instance by default; quality: 1.8 s. Same algorithm.
enum class VrptwMode { kFast, kQuality };

struct VrptwOptions {
  VrptwMode mode = VrptwMode::kQuality;
  double time_budget_s = 0;  // hard, includes construction; <= 0: the mode's default
  std::uint64_t seed = 1;
  // > 0: stop after this many ruin-and-recreate iterations (or the budget,
  // whichever comes first). With a fixed count and seed the result is
  // deterministic; with a time budget alone it depends on machine speed.
  long max_iterations = 0;
  // Simulated-annealing temperatures (distance units); <= 0: automatic
  // (t0 = average customers per constructed route, clamped to [5, 30]; tf = 1).
  double t0 = 0;
  double tf = 0;
};

double default_time_budget_s(VrptwMode mode);

VrptwSolution solve_vrptw(const VrptwInstance& instance, const VrptwOptions& options);

// "Route #1: 5 3 7" lines with the file's customer ids, then "Cost <distance>".
std::string format_solution(const VrptwInstance& instance, const VrptwSolution& solution, double cost);

}  // namespace linecrew::planner
