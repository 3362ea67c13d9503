// Internal state of the dispatch planner: public ids mapped to engine indices.
// Job index == engine job index; crew index == engine vehicle index.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/model.h"
#include "engine/search.h"
#include "engine/solution.h"
#include "linecrew/planner/planner.h"
#include "spatial_grid.h"

namespace linecrew::planner {

// Location index encoding for the engine: jobs [0, kCrewBase), crew positions
// [kCrewBase, kHomeBase), crew homes [kHomeBase, ...).
inline constexpr int kCrewBase = 1 << 28;
inline constexpr int kHomeBase = 1 << 29;

struct JobRec {
  TicketSpec spec;
  bool used = false;
  int pin_crew = -1;
  std::optional<std::size_t> pin_position;
  std::uint64_t pin_seq = 0;  // tie-break among equal positions
};

struct CrewRec {
  CrewSpec spec;
};

// Travel between planner locations through the caller's TravelModel, with a
// direct-mapped cache: SISR re-evaluates the same pairs many times. Entries
// carry the generation of both ends; a moved crew or a reused ticket slot
// bumps its generation, so stale entries never match.
//
// The lower bound is the straight chord between the two points (never longer
// than the great-circle distance) at the model's min_seconds_per_metre: three
// subtractions and a square root on each point's unit vector, kept per
// location under the same generations.
class GeoIndexTravel final : public engine::Travel {
 public:
  GeoIndexTravel(const TravelModel& model, const std::vector<JobRec>& jobs, const std::vector<CrewRec>& crews)
      : model_(model),
        seconds_per_metre_(model.min_seconds_per_metre()),
        jobs_(jobs),
        crews_(crews),
        cache_(kCacheSize) {}
  double time(int from, int to) const override;
  double lower_bound(int from, int to) const override;
  const GeoPoint& point(int loc) const;
  void moved(int loc);  // the point of `loc` changed

 private:
  static constexpr std::size_t kCacheSize = std::size_t{1} << 18;
  struct Entry {
    int from = -1;
    int to = -1;
    std::uint32_t gen_from = 0;
    std::uint32_t gen_to = 0;
    double value = 0;
  };
  struct Unit {
    std::uint32_t gen = 0;
    bool known = false;
    double x = 0, y = 0, z = 0;
  };
  std::uint32_t gen(int loc) const;
  const Unit& unit(int loc) const;
  const TravelModel& model_;
  double seconds_per_metre_;
  const std::vector<JobRec>& jobs_;
  const std::vector<CrewRec>& crews_;
  std::vector<std::uint32_t> job_gen_, crew_gen_;
  mutable std::vector<Entry> cache_;
  mutable std::vector<Unit> job_unit_, crew_unit_, home_unit_;
};

struct Planner::Impl {
  Impl(const TravelModel& travel_model, PlannerOptions options);

  // Validation (throws before any state changes).
  std::uint64_t skill_mask(const std::vector<std::string>& skills, const std::string& field) const;
  void validate(const CrewSpec& c) const;
  void validate(const TicketSpec& t) const;
  int crew_index(const CrewId& id) const;
  int job_index(const TicketId& id) const;

  // Engine bridging.
  void sync_vehicle(int crew);
  void sync_job(int job);
  // Rebuild the fixed prefix of a crew's route (driving_to, position pins),
  // then drop trailing free jobs while the route breaks a hard constraint.
  // Dropped jobs are appended to `orphans`.
  void rebuild_route(int crew, std::vector<int>& orphans);
  void repair(int crew, std::vector<int>& orphans);
  // Cheapest feasible insertion near the ticket, then among all crews.
  engine::Insertion best_insertion(int job);
  bool place(int job);  // insert at the best position; false: left unassigned
  void reinsert(std::vector<int>& orphans);
  void touch(int crew);
  void flush_grid();
  // Ruin adjacency and candidate crews for each ticket (for a re-plan). They
  // are kept between re-plans and recomputed in a pass only after enough
  // changes (a ticket or crew added, moved or removed); a pass stopped at
  // `deadline` resumes in the next re-plan. Between passes a new ticket has
  // no neighbourhood of its own yet, and a list may name a ticket since
  // removed: the search treats both as "nothing near" (it is a heuristic).
  void compute_neighbourhoods(std::chrono::steady_clock::time_point deadline);
  void plan_changed() { ++neighbourhood.changes; }
  void remove_job_from_route(int job);
  std::vector<int> candidate_crews(const GeoPoint& p);

  // Reporting.
  Stop make_stop(int crew, std::size_t pos) const;
  std::optional<Issue> issue_for(int job) const;
  std::string unassigned_reason(int job) const;
  std::string late_reason(int job, int crew, double arrival) const;
  double miss_weight(const TicketSpec& t) const { return 1.0 + opt.weights.priority_factor * t.priority; }

  const TravelModel& travel_model;
  PlannerOptions opt;
  std::unordered_map<std::string, int> skill_bit;
  std::vector<JobRec> jobs;
  std::vector<int> free_jobs;
  std::unordered_map<TicketId, int> job_of;
  std::vector<CrewRec> crews;
  std::unordered_map<CrewId, int> crew_of;
  std::unordered_map<TicketId, int> in_progress_of;  // ticket -> crew working it now (not routed)
  GeoIndexTravel travel;
  engine::Model model;
  engine::Solution sol;
  SpatialGrid crew_grid;
  std::vector<int> touched;
  std::vector<char> touched_flag;
  struct Neighbourhood {
    std::size_t changes = 1;          // since the last pass started (1: none yet)
    std::optional<std::size_t> next;  // the next job of a pass under way
    std::size_t end = 0;              // jobs at the start of the pass
    std::optional<SpatialGrid> jobs, crews;
  } neighbourhood;
  std::uint64_t pin_counter = 0;
};

}  // namespace linecrew::planner
