// Construction and improvement: ruin and recreate with string removals (SISR,
// Christiaens & Vanden Berghe 2020) under simulated-annealing acceptance,
// inside a hard wall-clock deadline that covers construction too.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/model.h"
#include "engine/solution.h"

namespace linecrew::planner::engine {

using SteadyTime = std::chrono::steady_clock::time_point;

struct SearchOptions {
  std::uint64_t seed = 1;
  double t0 = 100.0;          // start temperature, in cost units
  double tf = 1.0;            // final temperature
  double avg_removed = 10.0;  // SISR c-bar
  int max_string = 10;        // SISR L-max
  double split_rate = 0.5;
  double split_depth = 0.01;
  double blink = 0.01;
  long max_iterations = -1;  // -1: until the deadline
};

struct SearchStats {
  long iterations = 0;
  long improvements = 0;
  bool construction_complete = true;
};

class Search {
 public:
  Search(const Model& m, const SearchOptions& opt);
  // Insert every unassigned active job (cheapest feasible insertion). Stops at
  // the deadline; returns false if it did.
  bool construct(Solution& s, SteadyTime deadline);
  // Ruin and recreate until the deadline; keeps the best solution in `s`.
  SearchStats improve(Solution& s, SteadyTime start, SteadyTime deadline);
  // Best insertion for one job, pruning candidate routes on large fleets; falls
  // back to all routes when the candidates have no feasible position.
  Insertion best_insertion(const Solution& s, int job, double blink);
  void set_temperatures(double t0, double tf) {
    opt_.t0 = t0;
    opt_.tf = tf;
  }

 private:
  void candidates(const Solution& s, int job);
  void ruin(Solution& s);
  void recreate(Solution& s, std::vector<int>& jobs, double blink);
  void backup(const Solution& s, int vehicle);
  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  int uniform_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }  // [lo, hi]

  const Model& m_;
  SearchOptions opt_;
  std::mt19937_64 rng_;
  std::vector<int> cand_;
  std::vector<unsigned> stamp_;
  unsigned stamp_now_ = 0;
  std::vector<Route> saved_;
  std::vector<unsigned> saved_stamp_;
  unsigned saved_now_ = 0;
  std::vector<int> removed_;
  std::vector<double> depot_dist_;
  long blink_skip_ = 0;
};

}  // namespace linecrew::planner::engine
