// The dispatch planner: which crew goes where, in which order.
//
// A dynamic VRP with soft deadlines. Hard: skills, capacity, shift end, the
// locked prefix, pins. Soft (the objective, see Weights): missed deadlines
// weighted by priority, then lateness, then travel time.
//
// Not thread-safe: the owner serialises calls. All operations validate their
// input and throw linecrew::Error (kInvalidArgument naming the field,
// kNotFound for unknown ids) before changing any state.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "linecrew/core/travel.h"
#include "linecrew/planner/types.h"

namespace linecrew::planner {

class Planner {
 public:
  // `travel` must outlive the planner (GeoTravelModel for geography,
  // CartesianTravelModel for tests and synthetic benchmarks).
  Planner(const TravelModel& travel, PlannerOptions options);
  ~Planner();
  Planner(const Planner&) = delete;
  Planner& operator=(const Planner&) = delete;

  // Add a crew or replace its whole state (position, shift, skills, locked
  // prefix). Jobs that no longer fit are re-inserted elsewhere.
  void upsert_crew(const CrewSpec& crew);
  // Position / delay update: the crew will be free at `position` at `available_at`.
  void update_crew_position(const CrewId& crew, const GeoPoint& position, TimePoint available_at);
  // On/off shift. Off shift releases all its planned stops (locked ones too).
  void set_on_shift(const CrewId& crew, bool on_shift);

  // The fast path: cheapest feasible insertion among the crews near the
  // ticket (all crews when none of those fits). Replaces a ticket with the same id.
  InsertResult insert(const TicketSpec& ticket);
  // Cancellation; unknown ids throw kNotFound.
  void cancel(const TicketId& ticket);
  // Dispatcher pins. With a position the stop becomes part of the crew's fixed
  // sequence: position-pinned stops follow the locked prefix in position order.
  void pin(const TicketId& ticket, const CrewId& crew, std::optional<std::size_t> position = std::nullopt);
  void unpin(const TicketId& ticket);

  // Full re-plan: repair, insert what is unassigned, then local search (ruin
  // and recreate) until `budget` of wall-clock time is used. Construction counts
  // against the budget. Starts from the current plan.
  ReplanStats replan(std::chrono::milliseconds budget);

  std::optional<Assignment> assignment(const TicketId& ticket) const;
  CrewPlan crew_plan(const CrewId& crew) const;
  std::vector<CrewPlan> plan() const;
  // Every unassigned or predicted-late ticket with its reason.
  std::vector<Issue> issues() const;
  std::optional<Issue> explain(const TicketId& ticket) const;
  PlanSummary summary() const;
  std::size_t ticket_count() const;
  std::size_t crew_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Travel on a plane: (lat, lon) used as (y, x) coordinates, duration =
// Euclidean distance * seconds_per_unit, rounded to whole seconds. For tests
// on small grids and for synthetic benchmarks.
class CartesianTravelModel final : public TravelModel {
 public:
  explicit CartesianTravelModel(double seconds_per_unit);
  Duration duration(const GeoPoint& from, const GeoPoint& to) const override;

 private:
  double seconds_per_unit_;
};

}  // namespace linecrew::planner
