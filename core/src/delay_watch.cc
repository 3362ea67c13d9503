#include "linecrew/core/delay_watch.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, 2> kPhases = {"on_site", "ahead"};
constexpr std::array<std::string_view, 6> kStates = {"on_track", "breach_predicted", "prompt_now",
                                                     "prompted", "escalate",         "too_late"};
// Beyond this a traffic factor is a unit mistake, not traffic.
constexpr double kMaxSlowdown = 100.0;
// The proposed arrival time is a round figure the customer can remember.
constexpr Duration kProposalStep = minutes(5);

bool is_done(TicketStatus s) {
  return s == TicketStatus::kRestored || s == TicketStatus::kClosed || s == TicketStatus::kCancelled ||
         s == TicketStatus::kReturnVisitOwed;
}

void check_slowdown(double slowdown) {
  if (!(slowdown >= 1.0 && slowdown <= kMaxSlowdown))  // also rejects NaN
    throw_invalid("slowdown", "the traffic factor must be a number in [1, 100]");
}

void check_stops(const std::vector<RouteStop>& stops) {
  std::set<TicketId> seen;
  for (std::size_t i = 0; i < stops.size(); ++i) {
    const RouteStop& s = stops[i];
    const std::string field = "stops[" + std::to_string(i) + "]";
    if (s.id.empty()) throw_invalid(field + ".id", "a stop needs a ticket id");
    if (!seen.insert(s.id).second) throw_invalid(field + ".id", "ticket " + s.id.str() + " is in the plan twice");
    if (s.service < Duration{0}) throw_invalid(field + ".service", "must not be negative");
    if (is_done(s.status)) continue;
    if (s.status == TicketStatus::kOnSite && !s.arrived_at)
      throw_invalid(field + ".arrived_at", "a job in progress needs its arrival time");
    if (s.status != TicketStatus::kOnSite && s.arrived_at)
      throw_invalid(field + ".arrived_at", "set, but the ticket is " + std::string(to_string(s.status)));
  }
}

// The model's travel time times the traffic factor, rounded up to seconds.
Duration leg(const TravelModel& travel, const GeoPoint& from, const GeoPoint& to, double slowdown) {
  const Duration base = travel.duration(from, to);
  if (base < Duration{0}) throw Error(ErrorCode::kInternal, "travel", "the travel model returned a negative time");
  const double scaled = std::ceil(static_cast<double>(base.count()) * slowdown);
  if (!(scaled < 1e15)) throw Error(ErrorCode::kInternal, "travel", "the travel time is out of range");
  return Duration(static_cast<Duration::rep>(scaled));
}

// Where the crew is now: its fix, else the job in progress, else the fallback.
GeoPoint current_location(std::optional<GeoPoint> position, const GeoPoint& fallback_start,
                          const std::vector<RouteStop>& stops) {
  if (position) return *position;
  std::optional<GeoPoint> site;
  for (const RouteStop& s : stops)
    if (s.status == TicketStatus::kOnSite) site = s.location;
  return site.value_or(fallback_start);
}

}  // namespace

std::string_view to_string(StopPhase phase) {
  return enum_name(kPhases, phase);
}

std::string_view to_string(DelayState state) {
  return enum_name(kStates, state);
}

TimePoint round_up(TimePoint t, Duration step) {
  if (step <= Duration{0}) throw_invalid("step", "must be positive");
  const Duration::rep rem = ((t.time_since_epoch().count() % step.count()) + step.count()) % step.count();
  return rem == 0 ? t : t + (step - Duration(rem));
}

std::vector<StopPrediction> predict_route(TimePoint now, std::optional<GeoPoint> position, GeoPoint fallback_start,
                                          const std::vector<RouteStop>& stops, const TravelModel& travel,
                                          double slowdown) {
  check_slowdown(slowdown);
  check_stops(stops);
  std::vector<StopPrediction> out;
  GeoPoint here = position.value_or(fallback_start);
  TimePoint free_at = now;

  // The jobs in progress first: the crew is there, whatever the plan's order.
  std::optional<TimePoint> previous_end;
  for (std::size_t i = 0; i < stops.size(); ++i) {
    const RouteStop& s = stops[i];
    if (s.status != TicketStatus::kOnSite) continue;
    TimePoint start = previous_end ? std::max(*previous_end, *s.arrived_at) : *s.arrived_at;
    if (s.earliest_start) start = std::max(start, *s.earliest_start);
    const TimePoint end = std::max(now, start + s.service);
    out.push_back({i, s.id, StopPhase::kOnSite, *s.arrived_at, end});
    previous_end = end;
    free_at = end;
    here = s.location;
  }

  for (std::size_t i = 0; i < stops.size(); ++i) {
    const RouteStop& s = stops[i];
    if (s.status == TicketStatus::kOnSite || is_done(s.status)) continue;
    const TimePoint arrival = free_at + leg(travel, here, s.location, slowdown);
    const TimePoint start = s.earliest_start ? std::max(arrival, *s.earliest_start) : arrival;
    free_at = start + s.service;
    here = s.location;
    out.push_back({i, s.id, StopPhase::kAhead, arrival, free_at});
  }
  return out;
}

DelayWatcher::DelayWatcher(Duration lead) : lead_(lead) {
  if (lead <= Duration{0}) throw_invalid("lead", "the delay-call lead time must be positive");
}

std::vector<DelayDecision> DelayWatcher::evaluate(TimePoint now, std::optional<GeoPoint> position,
                                                  GeoPoint fallback_start, const std::vector<RouteStop>& stops,
                                                  const TravelModel& travel, const DelayPromptLog& log,
                                                  double slowdown) const {
  const std::vector<StopPrediction> route = predict_route(now, position, fallback_start, stops, travel, slowdown);
  const GeoPoint here = current_location(position, fallback_start, stops);
  std::vector<DelayDecision> out;
  for (const StopPrediction& p : route) {
    if (p.phase != StopPhase::kAhead) continue;
    const RouteStop& s = stops[p.stop_index];
    DelayDecision d{.stop_index = p.stop_index,
                    .id = s.id,
                    .state = DelayState::kOnTrack,
                    .predicted_arrival = p.arrival,
                    .effective_deadline = s.effective_deadline,
                    .late_by = std::max(Duration{0}, p.arrival - s.effective_deadline),
                    .late_minutes = 0,
                    .proposed_time = round_up(p.arrival, kProposalStep),
                    .unavoidable_at = s.effective_deadline - leg(travel, here, s.location, slowdown),
                    .prompt_at = {},
                    .escalate = false,
                    .prompted_at = std::nullopt};
    d.late_minutes = minutes_ceil(d.late_by);
    d.prompt_at = d.unavoidable_at - lead_;

    const auto entry = log.find(s.id);
    if (entry != log.end() && entry->second.prompted_for == s.effective_deadline) {
      d.escalate = entry->second.escalate;
      d.prompted_at = entry->second.prompted_at;
    }

    if (d.late_by == Duration{0})
      d.state = DelayState::kOnTrack;
    else if (now > s.effective_deadline)
      d.state = DelayState::kTooLate;
    else if (d.escalate)
      d.state = DelayState::kEscalate;
    else if (d.prompted_at)
      d.state = DelayState::kPrompted;
    else if (now >= d.prompt_at)
      d.state = DelayState::kPromptNow;
    else
      d.state = DelayState::kBreachPredicted;
    out.push_back(std::move(d));
  }
  return out;
}

void mark_prompted(DelayPromptLog& log, const DelayDecision& decision, TimePoint shown_at) {
  if (decision.state != DelayState::kPromptNow)
    throw Error(ErrorCode::kFailedPrecondition, "state",
                "only a prompt_now decision can be marked prompted, not " + std::string(to_string(decision.state)));
  log.insert_or_assign(decision.id, DelayPromptState{decision.effective_deadline, shown_at, false});
}

void mark_attempt(DelayPromptLog& log, const TicketId& id, TimePoint deadline_in_force, const ContactRecord& contact) {
  if (id.empty()) throw_invalid("ticket_id", "a contact attempt needs a ticket id");
  validate(contact);
  if (contact.consent == Consent::kYes) return;
  const auto it = log.find(id);
  if (it != log.end() && it->second.prompted_for == deadline_in_force)
    it->second.escalate = true;
  else
    log.insert_or_assign(id, DelayPromptState{deadline_in_force, contact.time, true});
}

}  // namespace linecrew
