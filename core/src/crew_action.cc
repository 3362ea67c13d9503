#include "linecrew/core/crew_action.h"

#include <algorithm>
#include <array>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, 11> kKindNames = {
    "accept",    "en_route",   "arrived",         "cause_found", "restored",         "explained_to_customer",
    "left_site", "cannot_fix", "contact_attempt", "need_help",   "confirmation_call"};
constexpr std::array<std::string_view, 3> kOutcomeNames = {"applied", "rejected", "superseded"};

using K = CrewActionKind;

std::string actor_name(const CrewAction& a) {
  return "crew:" + a.crew.str() + (a.staff_number.empty() ? "" : "/" + a.staff_number);
}

ActionVerdict rejected(std::string reason) {
  return {ActionOutcome::kRejected, std::move(reason), false};
}

ActionVerdict superseded(Ticket& t, const CrewAction& a, TimePoint now, std::string reason) {
  t.timeline.push_back({now, "superseded", actor_name(a), std::string(to_string(a.kind)) + ": " + reason});
  return {ActionOutcome::kSuperseded, std::move(reason), false};
}

// Facts (rule 5): recorded whenever the crew ever owned the ticket.
ActionVerdict apply_fact(Ticket& t, const CrewAction& a) {
  const std::string who = actor_name(a);
  switch (a.kind) {
    case K::kCauseFound:
      t.timeline.push_back({a.event_time, "cause_found", who, a.text});
      break;
    case K::kExplainedToCustomer:
      t.timeline.push_back({a.event_time, "explained_to_customer", who, a.text});
      break;
    case K::kContactAttempt: {
      ContactRecord c = *a.contact;  // validate_crew_action: present, agreed time after the call
      c.time = a.event_time;
      const bool counts = !is_terminal(t.status);
      std::string detail =
          "reason " + std::string(to_string(c.reason)) + ", consent " + std::string(to_string(c.consent));
      if (c.consent == Consent::kYes) detail += ", agreed " + format_utc(c.proposed_time);
      if (!a.text.empty()) detail += ": " + a.text;
      const TimePoint before = t.effective_deadline();
      if (c.consent != Consent::kYes || counts) t.contacts.push_back(c);
      t.timeline.push_back({c.time, "contact_attempt", who, detail});
      if (c.consent != Consent::kYes) {
        // Rules §2.4, §7: the desk's queue gets a record (once per kind while unresolved), the timeline a line.
        if (counts)
          open_escalation(t,
                          c.consent == Consent::kRefused ? EscalationKind::kDelayCallRefused
                                                         : EscalationKind::kDelayCallUnreachable,
                          "contact:" + std::to_string(c.time.time_since_epoch().count()),
                          "customer " + std::string(to_string(c.consent)) + " on the delay call by " + who +
                              " (reason " + std::string(to_string(c.reason)) + ")",
                          c.time);
        t.timeline.push_back({c.time, "escalated", "system",
                              "customer " + std::string(to_string(c.consent)) + ": the desk must follow up"});
      } else if (t.effective_deadline() != before)
        t.timeline.push_back(
            {c.time, "deadline_moved", "system",
             "effective deadline " + format_utc(before) + " -> " + format_utc(t.effective_deadline())});
      else if (c.time > before)
        t.timeline.push_back({c.time, "contact_late", "system",
                              "call made after the deadline in force (" + format_utc(before) + "): does not excuse"});
      break;
    }
    case K::kNeedHelp:
      // Issue 19: the desk's queue gets a record (once while unresolved), whatever the ticket's status.
      t.timeline.push_back({a.event_time, "need_help", who, a.text});
      open_escalation(t, EscalationKind::kCrewNeedsHelp,
                      "help:" + std::to_string(a.event_time.time_since_epoch().count()),
                      who + " asks for help: " + a.text, a.event_time);
      break;
    default:
      break;
  }
  return {};
}

// Left site: RESTORED -> CLOSED when the close-out is complete; otherwise
// recorded, and the ticket stays RESTORED for the dispatcher to see.
ActionVerdict apply_left_site(Ticket& t, const CrewAction& a, TimePoint now) {
  if (t.owner != a.crew) return superseded(t, a, now, "the ticket is now crew " + t.owner.str() + "'s");
  if (t.status == TicketStatus::kClosed) return {};
  if (t.status != TicketStatus::kRestored && t.status != TicketStatus::kReturnVisitOwed)
    return rejected("status: left_site needs restored or return_visit_owed, the ticket is " +
                    std::string(to_string(t.status)));
  t.timeline.push_back({a.event_time, "left_site", actor_name(a), ""});
  if (t.status == TicketStatus::kRestored) {
    const auto missing = closeout_missing(t);
    if (missing.empty()) {
      t.status = TicketStatus::kClosed;
      t.timeline.push_back({a.event_time, "closed", "system", "close-out complete"});
    } else {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      open_escalation(t, EscalationKind::kCloseoutIncomplete,
                      "closeout:" + std::to_string(a.event_time.time_since_epoch().count()),
                      actor_name(a) + " left site without recording: " + list, now);
      t.timeline.push_back({now, "closeout_incomplete", "system", "left without recording: " + list});
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(CrewActionKind kind) {
  return enum_name(kKindNames, kind);
}
std::optional<CrewActionKind> parse_crew_action(std::string_view text) {
  return enum_from<CrewActionKind>(kKindNames, text);
}
std::string_view to_string(ActionOutcome outcome) {
  return enum_name(kOutcomeNames, outcome);
}

TimePoint corrected_event_time(TimePoint device_time, TimePoint device_send_time, TimePoint received) {
  const TimePoint t = device_time + (received - device_send_time);
  return std::clamp(t, received - kMaxDeviceLag, received);
}

bool ever_owned_by(const Ticket& t, const CrewId& crew) {
  if (crew.empty()) return false;
  if (t.owner == crew) return true;
  const std::string to = " to " + crew.str();
  for (const TicketEvent& e : t.timeline) {
    if (e.kind != "assigned") continue;
    const auto pos = e.detail.find(to);
    if (pos == std::string::npos) continue;
    const auto end = pos + to.size();
    if (end == e.detail.size() || e.detail[end] == ':') return true;
  }
  return false;
}

std::optional<TicketStatus> target_status(CrewActionKind kind) {
  switch (kind) {
    case K::kAccept:
      return TicketStatus::kAccepted;
    case K::kEnRoute:
      return TicketStatus::kEnRoute;
    case K::kArrived:
      return TicketStatus::kOnSite;
    case K::kRestored:
      return TicketStatus::kRestored;
    case K::kCannotFix:
      return TicketStatus::kReturnVisitOwed;
    case K::kCauseFound:
    case K::kExplainedToCustomer:
    case K::kLeftSite:
    case K::kContactAttempt:
    case K::kNeedHelp:
    case K::kConfirmationCall:
      return std::nullopt;
  }
  return std::nullopt;
}

TicketStatus status_after(CrewActionKind kind, TicketStatus current, bool closeout_complete) {
  if (const auto target = target_status(kind)) return *target;
  if (kind == K::kLeftSite && current == TicketStatus::kRestored && closeout_complete) return TicketStatus::kClosed;
  return current;
}

void validate_crew_action(const CrewAction& a, TimePoint recorded) {
  switch (a.kind) {
    case K::kCauseFound:
      if (a.text.empty()) throw_invalid("cause_found.text", "is required: say what the cause was");
      check_length(a.text, limit::kCauseText, "cause_found.text");
      break;
    case K::kExplainedToCustomer:
      check_length(a.text, limit::kExplainedNote, "explained_to_customer.note");
      break;
    case K::kCannotFix:
      if (!a.committed_return)
        throw_invalid("cannot_fix.committed_return_time", "is required: commit a return time to the customer");
      if (*a.committed_return <= recorded)
        throw_invalid("cannot_fix.committed_return_time", "must be after the action (" + format_utc(recorded) + ")");
      if (a.text.empty()) throw_invalid("cannot_fix.reason", "is required: say why it cannot be fixed now");
      check_length(a.text, limit::kCannotFixReason, "cannot_fix.reason");
      break;
    case K::kContactAttempt:
      if (!a.contact) throw_invalid("contact_attempt", "is required");
      if (a.contact->consent == Consent::kYes && a.contact->proposed_time <= recorded)
        throw_invalid("contact_attempt.proposed_arrival_time",
                      "a consented call needs the agreed arrival time, after the call (" + format_utc(recorded) + ")");
      check_length(a.text, limit::kContactNote, "contact_attempt.note");
      break;
    case K::kNeedHelp:
      if (a.text.empty()) throw_invalid("need_help.text", "is required: say what help the crew needs");
      check_length(a.text, limit::kNeedHelpText, "need_help.text");
      break;
    case K::kConfirmationCall: {
      if (!a.confirmation) throw_invalid("confirmation_call.outcome", "is required");
      const bool moves = *a.confirmation == ConfirmationOutcome::kNewTimeAgreed;
      if (moves && !a.new_time)
        throw_invalid("confirmation_call.new_time", "is required: the arrival time agreed on the call");
      if (!moves && a.new_time) throw_invalid("confirmation_call.new_time", "only with the outcome new_time_agreed");
      if (moves && *a.new_time <= recorded)
        throw_invalid("confirmation_call.new_time", "must be after the call (" + format_utc(recorded) + ")");
      break;
    }
    case K::kAccept:
    case K::kEnRoute:
    case K::kArrived:
    case K::kRestored:
    case K::kLeftSite:
      break;
  }
}

ActionVerdict apply_confirmation_call(Ticket& t, const CrewAction& a, const ServicePolicy& policy) {
  if (a.kind != K::kConfirmationCall) return rejected("not a confirmation call");
  try {
    validate_crew_action(a, a.event_time);
  } catch (const Error& e) {
    return rejected(e.what());
  }
  if (!ever_owned_by(t, a.crew)) return rejected("ticket_id: crew " + a.crew.str() + " never owned this ticket");
  try {
    record_confirmation(t, *a.confirmation, a.new_time, actor_name(a), policy, a.event_time);
  } catch (const Error& e) {  // record_confirmation checks before it changes anything
    return rejected(e.what());
  }
  return {};
}

ActionVerdict apply_crew_action(Ticket& t, const CrewAction& a, TimePoint now) {
  try {
    validate_crew_action(a, a.event_time);
  } catch (const Error& e) {
    return rejected(e.what());
  }
  if (!ever_owned_by(t, a.crew)) return rejected("ticket_id: crew " + a.crew.str() + " never owned this ticket");
  if (a.kind == K::kConfirmationCall)
    return rejected("confirmation_call: applied with the policy (apply_confirmation_call)");
  if (a.kind == K::kLeftSite) return apply_left_site(t, a, now);
  const auto target = target_status(a.kind);
  if (!target) return apply_fact(t, a);

  // Rules §4/§7: a disconnection does not start before its notice period ends.
  if (a.kind == K::kEnRoute || a.kind == K::kArrived)
    if (const auto why = too_early_to_start(t, a.event_time)) return rejected(*why);
  const std::string who = actor_name(a);
  const bool owner = t.owner == a.crew;
  // Rule 3: a cancellation wins.
  if (t.status == TicketStatus::kCancelled) return superseded(t, a, now, "the ticket was cancelled");
  if (!owner) {
    // Rule 2: a crew on site keeps its ticket, unless another crew got there first.
    if (a.kind == K::kArrived && !crew_has_arrived(t.status)) {
      const std::string from = t.owner.empty() ? "desk" : t.owner.str();
      t.owner = a.crew;
      t.pinned = CrewId();
      t.status = TicketStatus::kOnSite;
      if (!t.arrival) t.arrival = a.event_time;
      t.timeline.push_back(
          {now, "assigned", "system", "from " + from + " to " + a.crew.str() + ": crew on site keeps it"});
      t.timeline.push_back({a.event_time, "arrived", who, ""});
      return {ActionOutcome::kApplied, "", true};
    }
    if (crew_has_arrived(t.status)) return superseded(t, a, now, "crew " + t.owner.str() + " reached the ticket first");
    return superseded(
        t, a, now,
        t.owner.empty() ? "the ticket went back to the desk" : "the ticket was reassigned to crew " + t.owner.str());
  }
  // Rule 7: repeating the current state changes nothing.
  if (t.status == *target) return {};
  if (const auto why = transition_error(t.status, *target, Actor::kCrew)) return rejected("status: " + *why);
  t.status = *target;
  std::string detail;
  if (a.kind == K::kArrived) {
    if (!t.arrival) t.arrival = a.event_time;
    if (a.position) detail = "at " + std::to_string(a.position->lat()) + "," + std::to_string(a.position->lon());
  } else if (a.kind == K::kCannotFix) {
    detail = cannot_fix_detail(*a.committed_return, a.text);
  }
  // The timeline names the state reached ("accepted"); the other actions are their own names.
  const std::string kind = a.kind == K::kAccept ? "accepted" : std::string(to_string(a.kind));
  t.timeline.push_back({a.event_time, kind, who, detail});
  return {};
}

namespace {
constexpr std::string_view kReturnPrefix = "return committed for ";
constexpr std::size_t kUtcLength = 20;  // "2026-11-23T02:00:00Z"
}  // namespace

std::string cannot_fix_detail(TimePoint committed_return, const std::string& reason) {
  return std::string(kReturnPrefix) + format_utc(committed_return) + ": " + reason;
}

CannotFixDetail parse_cannot_fix_detail(std::string_view detail) {
  CannotFixDetail out;
  if (detail.rfind(kReturnPrefix, 0) != 0 || detail.size() < kReturnPrefix.size() + kUtcLength + 2) {
    out.reason = std::string(detail);
    return out;
  }
  try {
    out.committed_return = parse_utc(detail.substr(kReturnPrefix.size(), kUtcLength), "return_time");
  } catch (const Error&) {
  }
  out.reason = std::string(detail.substr(kReturnPrefix.size() + kUtcLength + 2));
  return out;
}

}  // namespace linecrew
