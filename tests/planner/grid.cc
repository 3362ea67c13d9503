#include "grid.h"

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace linecrew::planner::testing {
namespace {

struct Line {
  std::size_t number;  // from 1
  std::string_view text;
};

struct Cell {
  std::string_view token;
  std::size_t column;  // from 1
};

bool blank(std::string_view s) {
  for (const char ch : s)
    if (!std::isspace(static_cast<unsigned char>(ch))) return false;
  return true;
}

bool name_char(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
}

[[noreturn]] void fail(const Line& line, std::size_t column, const std::string& problem) {
  throw std::invalid_argument("grid line " + std::to_string(line.number) + " column " + std::to_string(column) + ": " +
                              problem + ": \"" + std::string(line.text) + "\"");
}

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t start = 0;
  for (std::size_t number = 1;; ++number) {
    const std::size_t end = text.find('\n', start);
    lines.push_back({number, text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)});
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

std::vector<Cell> split_cells(const Line& line) {
  std::vector<Cell> cells;
  const std::string_view s = line.text;
  for (std::size_t i = 0; i < s.size();) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end]))) ++end;
    const Cell cell{s.substr(i, end - i), i + 1};
    if (cell.token != ".") {
      for (std::size_t k = 0; k < cell.token.size(); ++k)
        if (!name_char(cell.token[k]))
          fail(line, cell.column + k,
               std::string("unexpected character '") + cell.token[k] +
                   "' (a cell is '.' or a name of letters, digits and '_')");
    }
    cells.push_back(cell);
    i = end;
  }
  return cells;
}

}  // namespace

const GeoPoint& Grid::operator[](std::string_view name) const {
  const auto it = points_.find(name);
  if (it == points_.end()) throw std::out_of_range("grid has no point named '" + std::string(name) + "'");
  return it->second;
}

Grid grid(std::string_view text, double cell) {
  if (!(std::isfinite(cell) && cell > 0)) throw std::invalid_argument("grid cell size must be a positive number");
  std::vector<Line> lines = split_lines(text);
  while (!lines.empty() && blank(lines.back().text)) lines.pop_back();
  std::size_t first = 0;
  while (first < lines.size() && blank(lines[first].text)) ++first;
  if (first == lines.size()) throw std::invalid_argument("grid has no rows");

  std::map<std::string, GeoPoint, std::less<>> points;
  std::map<std::string, std::string, std::less<>> seen_at;  // name -> "line L column C"
  std::size_t width = 0;
  for (std::size_t i = first; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (blank(line.text)) fail(line, 1, "blank row (draw an empty row as dots)");
    const std::vector<Cell> cells = split_cells(line);
    if (i == first) width = cells.size();
    if (cells.size() != width) {
      const std::size_t column = cells.size() > width ? cells[width].column : line.text.size() + 1;
      fail(line, column,
           "row has " + std::to_string(cells.size()) + " cells, the first row has " + std::to_string(width));
    }
    const auto row = static_cast<double>(i - first);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const Cell& x = cells[c];
      if (x.token == ".") continue;
      const std::string here = "line " + std::to_string(line.number) + " column " + std::to_string(x.column);
      if (const auto dup = seen_at.find(x.token); dup != seen_at.end())
        fail(line, x.column, "duplicate name '" + std::string(x.token) + "' (first at " + dup->second + ")");
      const double lat = row * cell;
      const double lon = static_cast<double>(c) * cell;
      if (lat > 90 || lon > 180) fail(line, x.column, "point outside GeoPoint's range (lat <= 90, lon <= 180)");
      seen_at.emplace(std::string(x.token), here);
      points.emplace(std::string(x.token), GeoPoint(lat, lon));
    }
  }
  return Grid(std::move(points));
}

}  // namespace linecrew::planner::testing
