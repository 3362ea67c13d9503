// The planner's solver core: an integer-indexed routing model shared by the
// dynamic dispatch planner and the VRPTW benchmark. Times and costs are
// doubles in one unit chosen by the caller (seconds for dispatch, Euclidean
// distance for Solomon instances). No ids, no strings, no allocation per
// evaluation.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace linecrew::planner::engine {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// Travel time between two location indices. Implementations: a precomputed
// matrix (benchmarks, small plans) or an on-demand function (large plans).
class Travel {
 public:
  virtual ~Travel() = default;
  virtual double time(int from, int to) const = 0;
  // A cheap value <= time(from, to); 0 when the travel knows no bound.
  virtual double lower_bound(int from, int to) const {
    (void)from;
    (void)to;
    return 0.0;
  }
};

class MatrixTravel final : public Travel {
 public:
  MatrixTravel(int n, std::vector<double> values) : n_(n), values_(std::move(values)) {}
  double time(int from, int to) const override {
    return values_[static_cast<std::size_t>(from) * static_cast<std::size_t>(n_) + static_cast<std::size_t>(to)];
  }
  int size() const { return n_; }
  const double* data() const { return values_.data(); }

 private:
  int n_;
  std::vector<double> values_;
};

struct Job {
  int loc = 0;
  double ready = 0;          // service may not start earlier (waiting is allowed)
  double due = kInf;         // hard: arrival must be <= due (benchmark windows)
  double deadline = kInf;    // soft: arriving later costs miss_cost + late_cost * lateness
  double service = 0;        // time on site
  double demand = 0;         // against the vehicle capacity
  double miss_cost = 0;      // once, if arrival > deadline
  double late_cost = 0;      // per unit of lateness
  std::uint64_t skills = 0;  // required skills (bit set)
  double drop_cost = 1e9;    // cost if left unassigned
  int pinned = -1;           // vehicle index, or -1
  bool active = false;       // false: cancelled / free slot
};

struct Vehicle {
  int start_loc = 0;
  int end_loc = -1;        // -1: the route ends at its last stop
  double start_time = 0;   // free at start_loc from this time
  double end_time = kInf;  // hard: arrival at the route end <= end_time
  double capacity = kInf;
  std::uint64_t skills = 0;
  bool active = true;  // false: off shift, takes no work
};

struct Model {
  std::vector<Job> jobs;
  std::vector<Vehicle> vehicles;
  const Travel* travel = nullptr;
  double travel_weight = 1.0;
  bool triangle = false;            // travel times obey the triangle inequality (Euclidean)
  bool soft_deadlines = false;      // any job with a finite deadline
  bool identical_vehicles = false;  // benchmark fleet: try one empty route only
  // Optional: for each job, other jobs by increasing travel time (SISR ruin
  // adjacency and candidate-route pruning). May be shorter than all jobs.
  std::vector<std::vector<int>> neighbours;
  // Optional: for each job, nearby vehicles by start location (pruning).
  std::vector<std::vector<int>> near_vehicles;

  // Set when travel->lower_bound() is worth asking before time(): insertion
  // then rules out positions that even the bounds cannot make feasible or
  // better than the best so far (exact: the result is unchanged).
  bool travel_bounds = false;

  // Set when `travel` is a MatrixTravel: read it inline (the hot path).
  const double* matrix = nullptr;
  std::size_t matrix_n = 0;

  double t(int a, int b) const {
    if (matrix) return matrix[static_cast<std::size_t>(a) * matrix_n + static_cast<std::size_t>(b)];
    return travel->time(a, b);
  }
  double t_lower(int a, int b) const { return travel->lower_bound(a, b); }
  // Cost of arriving at `arrival` for job j (soft deadline part only);
  // never decreases with the arrival time.
  double lateness_cost(const Job& j, double arrival) const {
    if (arrival <= j.deadline) return 0.0;
    return j.miss_cost + j.late_cost * (arrival - j.deadline);
  }
  bool can_serve(int vehicle, int job) const {
    const Job& j = jobs[static_cast<std::size_t>(job)];
    const Vehicle& v = vehicles[static_cast<std::size_t>(vehicle)];
    return j.active && v.active && (j.skills & ~v.skills) == 0 && (j.pinned < 0 || j.pinned == vehicle) &&
           j.demand <= v.capacity;
  }
};

}  // namespace linecrew::planner::engine
