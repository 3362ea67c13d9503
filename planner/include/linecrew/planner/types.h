// Public value types of the dispatch planner. Units: times are TimePoint /
// Duration (whole seconds, UTC); coordinates GeoPoint (lat, lon); capacity and
// demand are a generic unitless quantity (e.g. materials).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/time.h"

namespace linecrew::planner {

struct CrewSpec {
  CrewId id;
  GeoPoint position{0, 0};  // where the crew is, or will be when free
  TimePoint available_at;   // when it can leave `position` (after any job in progress)
  TimePoint shift_start;    // no travel before this
  TimePoint shift_end;      // hard: every planned job finishes (and the crew is home) by then
  std::vector<std::string> skills;
  double capacity = std::numeric_limits<double>::infinity();
  std::optional<GeoPoint> home;  // set: the crew must be back here by shift_end
  // The locked prefix: fixed input the planner never changes.
  std::optional<TicketId> in_progress;  // the job being worked now, at `position`
  std::optional<TicketId> driving_to;   // the stop the crew is driving to; stays its next stop
  bool on_shift = true;
};

struct TicketSpec {
  TicketId id;
  GeoPoint location{0, 0};
  std::optional<TimePoint> earliest_start;  // appointments, disconnection notice
  TimePoint deadline;                       // arrival deadline ("not exceeding")
  Duration service{0};                      // expected time on site, >= 0
  std::uint32_t priority = 0;               // 0 normal; higher = more important
  std::vector<std::string> required_skills;
  double demand = 0;  // against crew capacity, >= 0
};

// The objective: a weighted sum, lexicographic in practice with the defaults.
//   missed deadline of ticket t: missed_deadline * (1 + priority_factor * t.priority)
//   + lateness_per_minute * minutes late (summed over tickets)
//   + travel_per_minute * minutes of travel (summed over crews)
struct Weights {
  double missed_deadline = 1e6;
  double priority_factor = 1.0;
  double lateness_per_minute = 100.0;
  double travel_per_minute = 1.0;
};

struct PlannerOptions {
  std::vector<std::string> skills;  // the skill catalogue; anything else is rejected
  Weights weights;
  std::size_t candidate_crews = 24;  // crews near a new ticket tried by the fast path
  std::uint64_t seed = 1;
};

struct Stop {
  TicketId ticket;
  TimePoint eta;        // arrival
  TimePoint start;      // service start (after waiting for earliest_start)
  TimePoint finish;     // service end
  Duration late{0};     // arrival after the deadline, 0 when on time
  bool locked = false;  // part of the locked prefix or a position pin
  bool pinned = false;
};

struct CrewPlan {
  CrewId crew;
  std::optional<TicketId> in_progress;
  std::vector<Stop> stops;
  Duration travel{0};
  bool on_shift = true;
};

struct Assignment {
  CrewId crew;
  std::size_t position = 0;  // index in CrewPlan::stops
  Stop stop;
};

enum class IssueKind { kUnassigned, kLate };

// Why a ticket is unassigned or predicted late, readable by a dispatcher.
struct Issue {
  TicketId ticket;
  IssueKind kind = IssueKind::kUnassigned;
  std::optional<CrewId> crew;  // the assigned crew when late
  Duration late{0};
  std::string reason;
};

struct InsertResult {
  std::optional<Assignment> assignment;  // empty: unassigned
  std::optional<Issue> issue;            // set when unassigned or late
};

struct PlanSummary {
  std::size_t tickets = 0;
  std::size_t assigned = 0;
  std::size_t unassigned = 0;
  std::size_t late = 0;        // predicted to miss the deadline
  double weighted_misses = 0;  // sum of (1 + priority_factor * priority) over late tickets
  Duration total_lateness{0};
  Duration total_travel{0};
  double cost = 0;  // the objective value
};

struct ReplanStats {
  long iterations = 0;
  bool construction_complete = true;  // false: the budget ran out while inserting
  double elapsed_ms = 0;
  double cost_before = 0;
  double cost_after = 0;
};

}  // namespace linecrew::planner
