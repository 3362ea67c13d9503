#include "baseline.h"

#include <algorithm>
#include <limits>

namespace linecrew::sim {

bool has_skills(const std::vector<std::string>& crew, const std::vector<std::string>& needed) {
  return std::all_of(needed.begin(), needed.end(),
                     [&](const std::string& s) { return std::find(crew.begin(), crew.end(), s) != crew.end(); });
}

std::vector<Assignment> nearest_free_crew(std::vector<WaitingTicket>& waiting, std::vector<FreeCrew> crews) {
  std::stable_sort(waiting.begin(), waiting.end(), [](const WaitingTicket& a, const WaitingTicket& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.deadline != b.deadline) return a.deadline < b.deadline;
    return a.id < b.id;
  });
  std::vector<Assignment> out;
  std::vector<WaitingTicket> left;
  for (auto& t : waiting) {
    std::size_t best = crews.size();
    double best_m = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < crews.size(); ++i) {
      if (!has_skills(crews[i].skills, t.skills)) continue;
      const double d = distance_m(crews[i].position, t.location);
      if (d < best_m || (d == best_m && best < crews.size() && crews[i].id < crews[best].id)) {
        best_m = d;
        best = i;
      }
    }
    if (best == crews.size()) {
      left.push_back(std::move(t));
      continue;
    }
    out.push_back({t.id, crews[best].id});
    crews.erase(crews.begin() + static_cast<std::ptrdiff_t>(best));
  }
  waiting = std::move(left);
  return out;
}

}  // namespace linecrew::sim
