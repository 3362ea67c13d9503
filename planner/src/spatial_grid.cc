#include "spatial_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace linecrew::planner {

std::int64_t SpatialGrid::row(double lat) const {
  return static_cast<std::int64_t>(std::floor((lat + 90.0) / cell_));
}
std::int64_t SpatialGrid::col(double lon) const {
  return static_cast<std::int64_t>(std::floor((lon + 180.0) / cell_));
}

double SpatialGrid::cell_size_for(const std::vector<GeoPoint>& points, double per_cell) {
  if (points.size() < 2) return 0.02;
  double lat0 = 90, lat1 = -90, lon0 = 180, lon1 = -180;
  for (const auto& p : points) {
    lat0 = std::min(lat0, p.lat());
    lat1 = std::max(lat1, p.lat());
    lon0 = std::min(lon0, p.lon());
    lon1 = std::max(lon1, p.lon());
  }
  const double area = std::max(lat1 - lat0, 1e-6) * std::max(lon1 - lon0, 1e-6);
  return std::max(1e-5, std::sqrt(area * per_cell / static_cast<double>(points.size())));
}

void SpatialGrid::set(int item, const std::vector<GeoPoint>& points) {
  const auto i = static_cast<std::size_t>(item);
  if (keys_.size() <= i) keys_.resize(i + 1);
  auto& old = keys_[i];
  if (!old.empty()) --count_;
  for (const auto k : old) {
    auto it = cells_.find(k);
    if (it == cells_.end()) continue;
    auto& v = it->second.items;
    const auto pos = std::find(v.begin(), v.end(), item);
    if (pos != v.end()) {
      *pos = v.back();
      v.pop_back();
    }
    if (v.empty()) cells_.erase(it);
  }
  old.clear();
  for (const auto& p : points) {
    const auto r = row(p.lat());
    const auto c = col(p.lon());
    const auto k = key(r, c);
    if (std::find(old.begin(), old.end(), k) != old.end()) continue;
    old.push_back(k);
    Cell& cell = cells_[k];
    cell.row = r;
    cell.col = c;
    cell.items.push_back(item);
  }
  if (!old.empty()) ++count_;
}

std::vector<int> SpatialGrid::near(const GeoPoint& p, std::size_t k, int max_rings) const {
  std::vector<int> out;
  if (cells_.empty()) return out;
  if (seen_.size() < keys_.size()) seen_.resize(keys_.size(), 0u);
  if (++seen_now_ == 0) {
    std::fill(seen_.begin(), seen_.end(), 0u);
    seen_now_ = 1;
  }
  auto take = [&](const Cell& cell) {
    for (const int item : cell.items) {
      unsigned& s = seen_[static_cast<std::size_t>(item)];
      if (s == seen_now_) continue;
      s = seen_now_;
      out.push_back(item);
    }
  };
  const auto r0 = row(p.lat());
  const auto c0 = col(p.lon());
  int extra = -1;
  for (int ring = 0; ring <= max_rings; ++ring) {
    // A sparse grid: visiting a ring costs more than sorting the occupied
    // cells by ring distance, so do that instead.
    if (8 * static_cast<std::size_t>(ring) > cells_.size()) {
      std::vector<std::pair<std::int64_t, const Cell*>> by_ring;
      by_ring.reserve(cells_.size());
      for (const auto& [key_unused, cell] : cells_) {
        const std::int64_t d = std::max(std::llabs(cell.row - r0), std::llabs(cell.col - c0));
        if (d >= ring) by_ring.emplace_back(d, &cell);
      }
      std::sort(by_ring.begin(), by_ring.end(), [](const auto& a, const auto& b) {
        return a.first < b.first || (a.first == b.first && a.second->row < b.second->row) ||
               (a.first == b.first && a.second->row == b.second->row && a.second->col < b.second->col);
      });
      for (const auto& [d, cell] : by_ring) {
        if (extra >= 0 && d > extra) break;
        take(*cell);
        if (extra < 0 && (out.size() >= k || out.size() >= count_)) extra = static_cast<int>(d) + 1;
      }
      return out;
    }
    auto visit = [&](std::int64_t r, std::int64_t c) {
      const auto it = cells_.find(key(r, c));
      if (it != cells_.end()) take(it->second);
    };
    if (ring == 0) {
      visit(r0, c0);
    } else {
      for (std::int64_t d = -ring; d <= ring; ++d) {
        visit(r0 - ring, c0 + d);
        visit(r0 + ring, c0 + d);
      }
      for (std::int64_t d = -ring + 1; d <= ring - 1; ++d) {
        visit(r0 + d, c0 - ring);
        visit(r0 + d, c0 + ring);
      }
    }
    if (extra < 0 && (out.size() >= k || out.size() >= count_)) extra = ring + 1;
    if (extra >= 0 && ring >= extra) break;
  }
  return out;
}

}  // namespace linecrew::planner
