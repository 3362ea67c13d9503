// Routes with their schedules, and O(1) insertion feasibility from forward
// departure times and backward latest-start times.
#pragma once

#include <cstddef>
#include <vector>

#include "engine/model.h"

namespace linecrew::planner::engine {

struct Route {
  int vehicle = 0;
  int fixed = 0;          // leading jobs that may not move; nothing goes before them
  std::vector<int> jobs;  // visiting order
  // Schedule, one entry per job (recomputed by Solution::update):
  std::vector<double> arrival;  // arrival at the job
  std::vector<double> depart;   // end of service
  std::vector<double> latest;   // latest start keeping the rest hard-feasible
  double end_arrival = 0;       // arrival at the route end (end_loc or last stop)
  double load = 0;
  double travel = 0;
  double soft = 0;       // lateness costs
  double cost = 0;       // travel_weight * travel + soft
  bool feasible = true;  // all hard constraints hold
  // The widest gap, over all insertion positions, between the departure
  // before the position and the latest time the route allows after it:
  // a job whose service is longer fits nowhere (travel only adds to it).
  double room = kInf;
  std::size_t size() const { return jobs.size(); }
};

struct Insertion {
  int vehicle = -1;
  int pos = -1;
  double delta = kInf;
  bool found() const { return vehicle >= 0; }
};

class Solution {
 public:
  Solution() = default;
  explicit Solution(const Model& m);

  // Recompute the schedule of one route and the job -> route index.
  void update(const Model& m, int vehicle);
  void update_all(const Model& m);
  // Make room for jobs/vehicles added to the model.
  void resize(const Model& m);

  // Cost change of inserting `job` at `pos` of `vehicle`; kInf if infeasible.
  // `too_late` (optional) is set when the job itself would arrive after its due time.
  // With `beat`, any result >= beat may be returned as kInf (the caller only
  // wants insertions cheaper than that): lets travel bounds skip the real times.
  double insertion_delta(const Model& m, int vehicle, int job, int pos, bool* too_late = nullptr,
                         double beat = kInf) const;
  // Best feasible insertion over the given routes (all routes when empty).
  Insertion best_insertion(const Model& m, int job, const std::vector<int>& vehicles) const;

  void insert(const Model& m, int job, int vehicle, int pos);
  // Remove a non-fixed job; updates the route.
  void remove(const Model& m, int job);

  double total_cost(const Model& m) const;
  int used_vehicles() const;

  std::vector<Route> routes;
  std::vector<int> route_of;  // job -> vehicle or -1
  std::vector<int> pos_of;    // job -> position in its route
};

}  // namespace linecrew::planner::engine
