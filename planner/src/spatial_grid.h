// A uniform lat/lon grid mapping cells to item ids (crews or tickets), for
// pruning candidate crews and ruin neighbourhoods to what is nearby. Items may
// own several points (a crew: its position and its planned stops).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "linecrew/core/geo.h"

namespace linecrew::planner {

class SpatialGrid {
 public:
  explicit SpatialGrid(double cell_deg = 0.02) : cell_(cell_deg) {}
  // A cell size giving about `per_cell` of `points` per occupied cell.
  static double cell_size_for(const std::vector<GeoPoint>& points, double per_cell = 2.0);
  // Replace the points of `item` (ids are small non-negative integers).
  void set(int item, const std::vector<GeoPoint>& points);
  void clear(int item) { set(item, {}); }
  // At least `k` distinct items around `p` (fewer if the grid has fewer within
  // `max_rings` cells), nearest rings first, plus one extra ring.
  std::vector<int> near(const GeoPoint& p, std::size_t k, int max_rings = 64) const;
  std::size_t items() const { return count_; }

 private:
  std::int64_t key(std::int64_t row, std::int64_t col) const { return row * 4000003 + col; }
  std::int64_t row(double lat) const;
  std::int64_t col(double lon) const;

  double cell_;
  struct Cell {
    std::int64_t row = 0;
    std::int64_t col = 0;
    std::vector<int> items;
  };
  std::unordered_map<std::int64_t, Cell> cells_;
  std::vector<std::vector<std::int64_t>> keys_;  // per item, distinct cells
  std::size_t count_ = 0;
  mutable std::vector<unsigned> seen_;  // scratch for near()
  mutable unsigned seen_now_ = 0;
};

}  // namespace linecrew::planner
