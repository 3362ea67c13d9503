// An independent checker for dispatch plans: recomputes every ETA from the
// crews, the tickets and the travel model, and checks the hard rules. Shares no
// code with the planner.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "linecrew/planner/planner.h"

namespace linecrew::planner::testing {

struct World {
  std::map<std::string, CrewSpec> crews;      // by crew id
  std::map<std::string, TicketSpec> tickets;  // by ticket id (open tickets)
  std::map<std::string, std::string> pins;    // ticket -> crew
  std::map<std::string, std::size_t> pin_positions;
};

// Returns the problems found (empty: the plan is valid).
std::vector<std::string> check_plan(const World& world, const Planner& planner, const TravelModel& travel);

}  // namespace linecrew::planner::testing
