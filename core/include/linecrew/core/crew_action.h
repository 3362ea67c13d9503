// What a crew does on site, applied to the server's ticket under the conflict
// rules of the sync contract (proto/linecrew/v1/crew_sync.proto, "CONFLICT
// RULES"). Pure domain: the server's sync use case calls it inside the
// store's transaction; tests drive it directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "linecrew/core/compliance.h"
#include "linecrew/core/confirmation.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/time.h"

namespace linecrew {

enum class CrewActionKind : std::uint8_t {
  kAccept,
  kEnRoute,
  kArrived,
  kCauseFound,
  kRestored,
  kExplainedToCustomer,
  kLeftSite,
  kCannotFix,
  kContactAttempt,
  kNeedHelp,          // the crew asks the desk for help: a fact that opens a crew_needs_help escalation
  kConfirmationCall,  // the confirmation call of a scheduled visit (rules §4): apply_confirmation_call
};
std::string_view to_string(CrewActionKind kind);  // "accept", "en_route", ... (as in the timeline)
std::optional<CrewActionKind> parse_crew_action(std::string_view text);

// One action on a ticket, as the server received it.
struct CrewAction {
  CrewActionKind kind = CrewActionKind::kAccept;
  CrewId crew;                                // from the device's token
  std::string staff_number;                   // empty: the crew as a whole
  TimePoint event_time;                       // device time corrected by the clock offset (rule 1)
  std::optional<GeoPoint> position;           // arrived
  std::string text;                           // cause_found text, explained note, cannot_fix reason, contact note,
                                              // need_help text
  std::optional<TimePoint> committed_return;  // cannot_fix
  std::optional<ContactRecord> contact;       // contact_attempt (time = event_time)
  std::optional<ConfirmationOutcome> confirmation;  // confirmation_call
  std::optional<TimePoint> new_time;                // confirmation_call, new_time_agreed
};

// The status a status-changing action leads to (accept -> ACCEPTED, en_route,
// arrived -> ON_SITE, restored, cannot_fix -> RETURN_VISIT_OWED); nullopt for
// the facts (cause_found, explained_to_customer, contact_attempt, need_help)
// and for left_site, whose effect depends on the close-out.
std::optional<TicketStatus> target_status(CrewActionKind kind);

// The status of a ticket now in `current` once the crew's action applies, as
// the handheld shows it at once: a status-changing action's target; a fact
// keeps `current`; left_site closes a RESTORED ticket when its close-out is
// complete (rule §3) and otherwise keeps `current`. The server decides the
// same under the conflict rules (apply_crew_action).
TicketStatus status_after(CrewActionKind kind, TicketStatus current, bool closeout_complete);

// Checks the fields an action of its kind carries, as the sync contract
// states them (proto/linecrew/v1/crew_sync.proto; text lengths in code points
// from core/limits.h): a cause text, a cannot-fix reason and a committed
// return after `recorded`, a contact record whose agreed arrival (when the
// customer consented) is after the call, a need-help text (what help).
// `recorded` is the time the action carries (the device's clock when the
// crew recorded it). Throws
// Error(kInvalidArgument) naming the proto field, e.g. "cause_found.text".
// The handheld's record() and the server's upload both call it.
void validate_crew_action(const CrewAction& action, TimePoint recorded);

enum class ActionOutcome : std::uint8_t { kApplied, kRejected, kSuperseded };
std::string_view to_string(ActionOutcome outcome);

struct ActionVerdict {
  ActionOutcome outcome = ActionOutcome::kApplied;
  std::string reason;      // why rejected or superseded
  bool reclaimed = false;  // rule 2: the arriving crew took the ticket back from another owner
};

// How far before its receipt a device action's event time may lie: the
// handheld works offline for hours, not for weeks; an older claim is clamped.
inline constexpr Duration kMaxDeviceLag = hours(24 * 7);

// The event time of a device action (rule 1): device_time + (receive -
// device_send_time), within [received - kMaxDeviceLag, received]: the
// device's clock is never trusted beyond that. Device times are valid wire
// times (time_from_wire), so the arithmetic cannot overflow.
TimePoint corrected_event_time(TimePoint device_time, TimePoint device_send_time, TimePoint received);

// Did `crew` own the ticket at any time (now, or per an "assigned" timeline entry)?
bool ever_owned_by(const Ticket& t, const CrewId& crew);

// Applies `action` to `t` (status, arrival, timeline, contacts) under the
// conflict rules and returns the verdict; on kRejected `t` is unchanged, on
// kSuperseded only a "superseded" timeline entry is added. `now` is the
// server's receive time (timeline entries of system effects).
// A confirmation_call is not applied here (kRejected): it needs the policy,
// see apply_confirmation_call.
ActionVerdict apply_crew_action(Ticket& t, const CrewAction& action, TimePoint now);

// The crew's confirmation call of a scheduled visit (rules §4), recorded as
// the desk's is (record_confirmation at the action's event time, by the
// crew): applied when the crew ever owned the ticket (a fact, rule 5), else
// rejected; a call the rules refuse is rejected with their reason and
// changes nothing.
ActionVerdict apply_confirmation_call(Ticket& t, const CrewAction& action, const ServicePolicy& policy);

// The "cannot_fix" timeline entry's detail, "return committed for <UTC
// time>: <reason>", and back (the committed return unset when it does not parse).
std::string cannot_fix_detail(TimePoint committed_return, const std::string& reason);
struct CannotFixDetail {
  std::optional<TimePoint> committed_return;
  std::string reason;
};
CannotFixDetail parse_cannot_fix_detail(std::string_view detail);

}  // namespace linecrew
