// The handheld's delay watcher (rules §2.5): from the crew's position, plan and
// clock, predict when each stop will be reached and decide when to prompt the
// crew to make the delay call — early enough to make it before the deadline,
// once per breach, and offline. Pure domain logic: time is an argument, the
// travel model is injected, and everything the device must remember between
// evaluations (which breaches were already prompted) is a small value the
// caller persists. The watcher itself holds no state beyond its lead time, so
// a device restarted with its persisted DelayPromptLog never re-prompts.
//
// Conventions: times are TimePoint (UTC seconds, time.h); "late" means strictly
// after the deadline (arriving exactly at it is on time, rules §1).
//
// Typical device loop (every minute, and on each GPS fix / plan change):
//   auto decisions = watcher.evaluate(clock.now(), gps, depot, stops, travel, log, traffic);
//   for (const auto& d : decisions)
//     if (d.state == DelayState::kPromptNow) { show the call card; mark_prompted(log, d, clock.now()); persist(log); }
//   after each call attempt: mark_attempt(log, id, stop.effective_deadline, contact); persist(log);
//   and recompute stop.effective_deadline with effective_deadline() (compliance.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "linecrew/core/compliance.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/ticket_status.h"
#include "linecrew/core/time.h"
#include "linecrew/core/travel.h"

namespace linecrew {

// One stop of the crew's plan, as the handheld knows it.
struct RouteStop {
  TicketId id;
  GeoPoint location;
  TicketStatus status;
  Duration service;                         // expected work on site, >= 0
  TimePoint deadline;                       // the original arrival deadline
  TimePoint effective_deadline;             // after consented contacts: effective_deadline() in compliance.h
  std::optional<TimePoint> arrived_at;      // required when status is OnSite
  std::optional<TimePoint> earliest_start;  // work may not start before (e.g. disconnection notice)
};

// Where a stop is in the crew's day.
enum class StopPhase : std::uint8_t {
  kOnSite,  // the job in progress: the crew is there now
  kAhead,   // not reached yet: watched against its deadline
};
std::string_view to_string(StopPhase phase);

struct StopPrediction {
  std::size_t stop_index = 0;  // into the `stops` argument
  TicketId id;
  StopPhase phase = StopPhase::kAhead;
  TimePoint arrival;    // predicted; for OnSite the recorded arrival
  TimePoint departure;  // predicted end of work on site
};

// Predicts the crew's day from `now`. Rules, in order:
//  - Stops that are Restored, Closed, Cancelled or ReturnVisitOwed are done and
//    left out of the result.
//  - OnSite stops come first (the crew is physically there), in the given order:
//    the crew is busy until max(now, arrived_at + service), chained when there
//    are several; the next leg starts from that site.
//  - The remaining stops are visited in the given order (the plan's). The first
//    leg starts at `now` from `position` when known, else from `fallback_start`
//    (depot, last known stop). Each travel time is the model's times `slowdown`
//    (traffic, 1.0 = free flow), rounded up to whole seconds. Arrival is when the
//    crew gets there; work starts at max(arrival, earliest_start) and lasts
//    `service`.
// Every predicted arrival of an Ahead stop is >= now.
// Throws Error(kInvalidArgument, field) for: slowdown not in [1, 100] or NaN
// ("slowdown"); a negative service ("stops[i].service"); an OnSite stop
// without arrived_at, or another not-done stop with one ("stops[i].arrived_at");
// an empty or repeated id ("stops[i].id").
// Throws Error(kInternal, "travel") if the model returns a negative duration.
std::vector<StopPrediction> predict_route(TimePoint now, std::optional<GeoPoint> position, GeoPoint fallback_start,
                                          const std::vector<RouteStop>& stops, const TravelModel& travel,
                                          double slowdown = 1.0);

// What the handheld should do about one stop ahead.
enum class DelayState : std::uint8_t {
  kOnTrack,          // predicted arrival <= effective deadline
  kBreachPredicted,  // will be late, but not yet time to call: wait until prompt_at
  kPromptNow,        // will be late: show the delay-call card now (then mark_prompted)
  kPrompted,         // the card was shown for this breach; awaiting the call's outcome
  kEscalate,         // a call for this breach was refused / unanswered: the card stays
                     // open (retry, redial) and the dispatcher must be told
  kTooLate,          // the effective deadline passed without a consented call: a
                     // violation (compliance.h); no prompt is given any more
};
std::string_view to_string(DelayState state);

// Persisted per ticket by the device (a few fields; store it as is). A prompt
// is identified by (ticket, effective deadline in force): after a consented
// contact moves the deadline, the entry no longer matches and a new breach of
// the agreed time prompts again.
struct DelayPromptState {
  TimePoint prompted_for;  // the effective deadline the prompt / attempt was about
  TimePoint prompted_at;   // when the card was shown (or the first attempt, if none was)
  bool escalate = false;   // an attempt for this deadline was refused or unreachable
  bool operator==(const DelayPromptState&) const = default;
};
using DelayPromptLog = std::map<TicketId, DelayPromptState>;

struct DelayDecision {
  std::size_t stop_index;  // into the `stops` argument
  TicketId id;
  DelayState state;
  TimePoint predicted_arrival;
  TimePoint effective_deadline;
  // Predicted lateness: arrival - effective deadline (0 when on track), and in
  // whole minutes rounded up (1 s late is 1 min).
  Duration late_by;
  long late_minutes;
  // The new time to propose on the call ([HH:MM], rules §3): the predicted
  // arrival rounded up to the next 5-minute mark (UTC; equal to local rounding
  // for whole-quarter-hour UTC offsets). Give it to CallScriptInput::new_time
  // with effective_deadline as CallScriptInput::deadline: the script's [N] is
  // then proposed_time - effective_deadline, which is >= late_minutes.
  TimePoint proposed_time;
  // The breach "becomes unavoidable" at effective_deadline - direct travel time
  // (with slowdown) from the crew's current location to this stop; the watcher
  // prompts at unavoidable_at - lead. Meaningful for a predicted breach.
  TimePoint unavoidable_at;
  TimePoint prompt_at;
  // Set when the log holds a failed attempt for the deadline in force; stays
  // set in TooLate / OnTrack so the dispatcher keeps seeing it.
  bool escalate;
  // When the card was shown for the deadline in force, if it was.
  std::optional<TimePoint> prompted_at;
};

class DelayWatcher {
 public:
  // `lead`: how long before the breach becomes unavoidable to prompt
  // (ServicePolicy::delay_call_lead). Throws Error(kInvalidArgument, "lead")
  // unless lead > 0.
  explicit DelayWatcher(Duration lead = minutes(10));

  Duration lead() const noexcept { return lead_; }

  // One decision per Ahead stop (OnSite and done stops are not watched), in
  // route order. The crew's current location is `position` when known, else
  // the site of the job in progress, else `fallback_start`. For each stop:
  //  - not late (arrival <= effective deadline)                 -> OnTrack
  //  - late and now > effective deadline                        -> TooLate
  //  - late, log entry for this deadline with escalate          -> Escalate
  //  - late, log entry for this deadline                        -> Prompted
  //  - late, no entry, now >= prompt_at                         -> PromptNow
  //    (also when prompt_at has passed: the call must still be made by the
  //    deadline, and a call at the deadline itself still counts)
  //  - late, no entry, now < prompt_at                          -> BreachPredicted
  // Log entries for another ticket or another (older) deadline are ignored.
  // Throws as predict_route does.
  std::vector<DelayDecision> evaluate(TimePoint now, std::optional<GeoPoint> position, GeoPoint fallback_start,
                                      const std::vector<RouteStop>& stops, const TravelModel& travel,
                                      const DelayPromptLog& log, double slowdown = 1.0) const;

 private:
  Duration lead_;
};

// Records that the card for `decision` (state PromptNow) was shown at `shown_at`.
// Throws Error(kFailedPrecondition, "state") for any other state.
void mark_prompted(DelayPromptLog& log, const DelayDecision& decision, TimePoint shown_at);

// Records a contact attempt made while `deadline_in_force` was the ticket's
// effective deadline (i.e. before recomputing it with this contact). A refused
// or unreachable attempt flags the breach for escalation and keeps the card
// open; it also counts as the prompt for that deadline if none was shown (the
// crew called on its own). A consented attempt needs nothing here: the caller
// moves the stop's effective deadline, which retires the old entry.
// Throws as validate(contact) does, and Error(kInvalidArgument, "ticket_id")
// for an empty id.
void mark_attempt(DelayPromptLog& log, const TicketId& id, TimePoint deadline_in_force, const ContactRecord& contact);

// `t` rounded up to the next multiple of `step` since the epoch (unchanged if
// already on one). Throws Error(kInvalidArgument, "step") unless step > 0.
TimePoint round_up(TimePoint t, Duration step);

}  // namespace linecrew
