// The delay watcher on the handheld: the crew's route from the local store
// (the server plan's order, then the rest by deadline), its last position
// and the device clock, evaluated by core's DelayWatcher. Works offline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/call_script.h"
#include "linecrew/core/confirmation.h"
#include "linecrew/core/delay_watch.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/travel.h"
#include "linecrew/device/store/local_store.h"

namespace linecrew::device {

// Straight line x detour / speed: the handheld has no road network; the
// defaults match the server's urban travel model (conservative: urban streets
// are the slowest class).
class StraightLineTravel final : public TravelModel {
 public:
  explicit StraightLineTravel(double speed_kmh = 30.0, double detour = 1.3) : speed_kmh_(speed_kmh), detour_(detour) {}
  Duration duration(const GeoPoint& from, const GeoPoint& to) const override;

 private:
  double speed_kmh_, detour_;
};

// A scheduled visit whose confirmation call is to be made now (rules §4):
// its window is open and the customer has not been reached yet.
struct ConfirmationDue {
  TicketId ticket;
  ConfirmationWindow window;
  bool overdue = false;  // past the window's due time (2 h before the agreed arrival)
};

struct WatchResult {
  std::vector<RouteStop> stops;
  std::vector<DelayDecision> decisions;
  std::vector<DelayDecision> new_prompts;      // PromptNow this time: shown, and logged so they are not shown again
  std::vector<ConfirmationDue> confirmations;  // by agreed arrival
};

// Evaluates the watcher at `now` (lead from the stored policy, default 10
// min) and logs every PromptNow as shown; lists the confirmation calls due. `slowdown` >= 1 stretches travel
// (traffic the crew reports or the replay scripts).
WatchResult watch(LocalStore& store, TimePoint now, const TravelModel& travel, double slowdown = 1.0);

// The delay-call script for a prompt, filled from the ticket, the crew and the policy.
CallScript prompt_script(LocalStore& store, const LocalTicket& t, const DelayDecision& d,
                         const CallScriptTemplates& templates, DelayReason reason);

// A delay call as the crew reports it.
struct CallOutcome {
  TicketId ticket;
  std::string outcome;  // "yes", "refused", "unreachable", or "dropped" (an unreachable attempt; offer a redial)
  DelayReason reason = DelayReason::kTraffic;
  std::optional<TimePoint> proposed;  // the agreed time; required for "yes"
  std::string note;                   // what the customer said
  std::string staff_number;           // the caller; empty: the crew
};

// Records the call (rules §2.2-2.4): the contact_attempt action through
// record() (a timely consent moves the local effective deadline), the attempt
// in the prompt log (a refused or unreachable call escalates and keeps the card
// open for a redial) and, for a dropped call, the call log. Throws as record()
// does, and Error(kInvalidArgument, "consent") for another outcome.
OutboxEntry record_call(LocalStore& store, const DeviceId& device_id, const CallOutcome& call, TimePoint now);

}  // namespace linecrew::device
