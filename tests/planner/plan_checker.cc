#include "plan_checker.h"

#include <algorithm>
#include <set>

namespace linecrew::planner::testing {

std::vector<std::string> check_plan(const World& w, const Planner& planner, const TravelModel& travel) {
  std::vector<std::string> bad;
  std::map<std::string, int> seen;
  const auto issues = planner.issues();
  std::map<std::string, Issue> issue_of;
  for (const auto& i : issues) {
    issue_of[i.ticket.str()] = i;
    if (i.reason.empty()) bad.push_back(i.ticket.str() + ": issue without a reason");
  }
  for (const CrewPlan& p : planner.plan()) {
    const auto cit = w.crews.find(p.crew.str());
    if (cit == w.crews.end()) {
      bad.push_back("unknown crew " + p.crew.str());
      continue;
    }
    const CrewSpec& c = cit->second;
    if (p.in_progress != c.in_progress) bad.push_back(c.id.str() + ": in-progress job changed");
    if (p.in_progress) ++seen[p.in_progress->str()];
    if (!c.on_shift && !p.stops.empty()) bad.push_back(c.id.str() + ": off shift but has stops");
    if (c.on_shift && c.driving_to && w.tickets.count(c.driving_to->str()) &&
        (p.stops.empty() || p.stops.front().ticket != *c.driving_to))
      bad.push_back(c.id.str() + ": locked stop " + c.driving_to->str() + " is not first");
    TimePoint t = std::max(c.available_at, c.shift_start);
    GeoPoint at = c.position;
    double load = 0;
    bool all_locked_so_far = true;
    std::vector<std::size_t> positions;
    for (const Stop& s : p.stops) {
      const std::string id = s.ticket.str();
      ++seen[id];
      const auto tit = w.tickets.find(id);
      if (tit == w.tickets.end()) {
        bad.push_back(c.id.str() + ": plans unknown/cancelled ticket " + id);
        continue;
      }
      const TicketSpec& tk = tit->second;
      const bool driving_to = c.driving_to && *c.driving_to == s.ticket;  // fixed input: not checked
      for (const auto& sk : driving_to ? std::vector<std::string>{} : tk.required_skills)
        if (std::find(c.skills.begin(), c.skills.end(), sk) == c.skills.end())
          bad.push_back(id + ": crew " + c.id.str() + " lacks skill " + sk);
      const auto pin = w.pins.find(id);
      if (pin != w.pins.end() && pin->second != c.id.str()) bad.push_back(id + ": pinned elsewhere");
      const auto pp = w.pin_positions.find(id);
      if (pp != w.pin_positions.end()) {
        if (!s.locked) bad.push_back(id + ": position pin not locked");
        positions.push_back(pp->second);
      }
      if (!s.locked) all_locked_so_far = false;
      if (s.locked && !all_locked_so_far) bad.push_back(id + ": locked stop after a free stop");
      const TimePoint eta = t + travel.duration(at, tk.location);
      const TimePoint start = std::max(eta, tk.earliest_start.value_or(eta));
      const TimePoint finish = start + tk.service;
      if (s.eta != eta || s.start != start || s.finish != finish)
        bad.push_back(id + ": schedule " + format_utc(s.eta) + " differs from recomputed " + format_utc(eta));
      const Duration late = eta > tk.deadline ? eta - tk.deadline : Duration::zero();
      if (s.late != late) bad.push_back(id + ": lateness mismatch");
      if (late > Duration::zero()) {
        const auto is = issue_of.find(id);
        if (is == issue_of.end() || is->second.kind != IssueKind::kLate) bad.push_back(id + ": late without a reason");
      }
      load += tk.demand;
      if (!s.locked && finish > c.shift_end) bad.push_back(id + ": finishes after the shift of " + c.id.str());
      t = finish;
      at = tk.location;
    }
    if (!std::is_sorted(positions.begin(), positions.end())) bad.push_back(c.id.str() + ": position pins out of order");
    if (c.home && !p.stops.empty() && !p.stops.back().locked && t + travel.duration(at, *c.home) > c.shift_end)
      bad.push_back(c.id.str() + ": not home by shift end");
    bool any_free = false;
    for (const Stop& s : p.stops) any_free = any_free || !s.locked;
    if (any_free && load > c.capacity) bad.push_back(c.id.str() + ": over capacity");
  }
  for (const auto& [id, tk] : w.tickets) {
    const int n = seen.count(id) ? seen.at(id) : 0;
    if (n > 1) bad.push_back(id + ": planned " + std::to_string(n) + " times");
    if (n == 0) {
      const auto is = issue_of.find(id);
      if (is == issue_of.end() || is->second.kind != IssueKind::kUnassigned)
        bad.push_back(id + ": dropped silently (no stop, no reason)");
    }
  }
  return bad;
}

}  // namespace linecrew::planner::testing
