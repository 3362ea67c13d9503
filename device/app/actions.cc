#include "linecrew/device/app/actions.h"

#include "linecrew/core/crew_action.h"
#include "linecrew/core/error.h"
#include "linecrew/device/app/convert.h"

namespace linecrew::device {

std::optional<TicketStatus> status_after(std::string_view action, TicketStatus current, bool closeout_complete) {
  const auto kind = parse_crew_action(action);
  if (!kind) return std::nullopt;
  return linecrew::status_after(*kind, current, closeout_complete);
}

namespace {

// The crew's input as core's action; throws Error naming the field.
CrewAction to_action(const ActionInput& in, TimePoint now) {
  const auto kind = parse_crew_action(in.action);
  if (!kind) throw_invalid("action", "'" + in.action + "' is not a crew action");
  CrewAction act;
  act.kind = *kind;
  act.staff_number = in.staff_number;
  act.event_time = now;
  act.position = in.position;
  act.text = in.text;
  act.committed_return = in.committed_return;
  if (act.kind == CrewActionKind::kContactAttempt) {
    if (!in.reason) throw_invalid("contact_attempt.reason", "is required");
    if (!in.consent) throw_invalid("contact_attempt.consent", "is required");
    act.contact = ContactRecord{now, *in.reason, in.proposed.value_or(now), *in.consent};
  }
  act.confirmation = in.confirmation;
  act.new_time = in.new_time;
  validate_crew_action(act, now);
  return act;
}

// Rules §4, as the server applies it: the call is made in the window on a
// visit not yet confirmed. True when it confirms the visit (it reached the customer).
bool confirms_visit(const LocalTicket& t, const CrewAction& act, TimePoint now) {
  const auto w = confirmation_window(t.kind, t.appointment, t.status);
  if (!w) throw Error(ErrorCode::kFailedPrecondition, "ticket_id", t.id.str() + " is not a scheduled visit to confirm");
  if (t.confirmed)
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id", t.id.str() + "'s visit is already confirmed");
  if (now < w->opens)
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id",
                "the confirmation call is made 2-3 h before the agreed arrival: from " + format_utc(w->opens));
  if (now >= w->appointment)
    throw Error(ErrorCode::kFailedPrecondition, "ticket_id", "the agreed arrival has passed: make a delay call");
  return *act.confirmation != ConfirmationOutcome::kUnreachable;
}

}  // namespace

OutboxEntry record(LocalStore& store, const DeviceId& device_id, const ActionInput& in, TimePoint now) {
  const auto current = store.get(in.ticket);
  if (!current) throw Error(ErrorCode::kNotFound, "ticket", "no local ticket '" + in.ticket.str() + "'");
  const CrewAction act = to_action(in, now);
  // Rules §4/§7, as the server applies it: a disconnection does not start before its notice period ends.
  if (act.kind == CrewActionKind::kEnRoute || act.kind == CrewActionKind::kArrived)
    if (const auto why = too_early_to_start(current->kind, current->earliest_start, now))
      throw Error(ErrorCode::kFailedPrecondition, "earliest_start", why->substr(why->find(": ") + 2));
  const bool confirms = act.kind == CrewActionKind::kConfirmationCall && confirms_visit(*current, act, now);
  const bool complete = (current->cause_found || act.kind == CrewActionKind::kCauseFound) && current->explained;
  const TicketStatus next = linecrew::status_after(act.kind, current->status, complete);
  const v1::CrewAction a = to_proto(act, in.ticket, in.proposed, new_op_id(), device_id, now);
  // The same rule the server applies (rules §2.3): a consented call made by
  // the deadline in force moves it to the agreed time, in the same transaction.
  std::optional<TimePoint> moved;
  if (act.contact) moved = deadline_after_call(*act.contact, current->effective_deadline);
  if (act.new_time)  // a new time agreed on the confirmation call: a consented contact (rules §2)
    moved = deadline_after_call(ContactRecord{now, DelayReason::kOther, *act.new_time, Consent::kYes},
                                current->effective_deadline);
  OutboxEntry e =
      store.record_action(in.ticket, in.action, next, a.op_id(), a.SerializeAsString(), now, moved, confirms);
  if (act.contact)
    store.log_call({now, in.ticket, std::string(to_string(act.contact->consent)),
                    in.proposed ? "proposed " + format_utc(*in.proposed) : std::string()});
  return e;
}

OutboxEntry record_position(LocalStore& store, const DeviceId& device_id, const GeoPoint& p, float accuracy_m,
                            TimePoint fix_time, TimePoint now) {
  const v1::CrewAction a = position_to_proto(p, accuracy_m, fix_time, new_op_id(), device_id, now);
  return store.record_position(a.op_id(), a.SerializeAsString(), now);
}

}  // namespace linecrew::device
