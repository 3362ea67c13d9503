// An independent feasibility checker for VRPTW solutions. It shares no code
// with the solver: it recomputes distances and the schedule from the instance.
#pragma once

#include <string>
#include <vector>

#include "linecrew/planner/vrptw.h"

namespace linecrew::planner {

struct VrptwCheck {
  int vehicles = 0;                   // non-empty routes
  double distance = 0;                // total, unrounded Euclidean
  int violations = 0;                 // capacity, windows, depot horizon, duplicates, bad ids, fleet size
  int unassigned = 0;                 // customers in no route
  std::vector<std::string> problems;  // one line per violation (capped)
};

VrptwCheck check_vrptw(const VrptwInstance& instance, const VrptwSolution& solution);

}  // namespace linecrew::planner
