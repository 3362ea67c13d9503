// The baseline dispatcher: what a desk does by hand without a planner. Each
// waiting ticket, most urgent first (priority, then deadline), goes to the
// nearest free crew (on shift, holding no open ticket, with the skills);
// tickets no free crew can take keep waiting for the next round.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/time.h"

namespace linecrew::sim {

struct WaitingTicket {
  TicketId id;
  GeoPoint location{0, 0};
  std::uint32_t priority = 0;
  TimePoint deadline;
  std::vector<std::string> skills;
};

struct FreeCrew {
  CrewId id;
  GeoPoint position{0, 0};
  std::vector<std::string> skills;
};

struct Assignment {
  TicketId ticket;
  CrewId crew;
};

// True if `crew` holds every skill in `needed`.
bool has_skills(const std::vector<std::string>& crew, const std::vector<std::string>& needed);

// Assigns as many of `waiting` as there are suitable free crews, each crew at
// most once. Removes the assigned tickets from `waiting`; the rest stay in it,
// most urgent first.
std::vector<Assignment> nearest_free_crew(std::vector<WaitingTicket>& waiting, std::vector<FreeCrew> crews);

}  // namespace linecrew::sim
