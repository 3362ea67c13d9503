// Scenario grids: the ASCII picture in a test is the data, so the picture and
// the coordinates cannot drift apart.
//
//   const Grid g = grid(R"(
//     A . T1 . B
//     . . .  . T2
//   )");
//   g["T2"] == GeoPoint(1, 4)
//
// Convention: cells are separated by whitespace; a cell is "." (empty) or a
// name of letters, digits and '_' (a name of any length takes one cell). The
// point in row r (top row 0) and column c (left column 0) is
// GeoPoint(r * cell, c * cell): with CartesianTravelModel(60) and cell = 1, one
// step is one minute. Whether a name is a crew or a ticket is the test's choice
// (crew(g, "A"), ticket(g, "T1")). Blank lines before and after the grid and
// indentation are ignored. Every row has the same number of cells.
//
// Malformed input (an unknown character, a duplicate name, a ragged or blank
// row, no rows) throws std::invalid_argument naming the line and column of the
// text (both from 1, line 1 being the text's first line).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "linecrew/core/geo.h"

namespace linecrew::planner::testing {

class Grid {
 public:
  explicit Grid(std::map<std::string, GeoPoint, std::less<>> points) : points_(std::move(points)) {}

  // The named point; throws std::out_of_range naming `name` when absent.
  const GeoPoint& operator[](std::string_view name) const;
  const std::map<std::string, GeoPoint, std::less<>>& points() const { return points_; }

 private:
  std::map<std::string, GeoPoint, std::less<>> points_;
};

// Parses `text`; `cell` is the distance between neighbouring cells in
// coordinate units (must be positive).
Grid grid(std::string_view text, double cell = 1.0);

}  // namespace linecrew::planner::testing
