#include "linecrew/device/app/actions.h"

#include <google/protobuf/timestamp.pb.h>

#include "linecrew/core/crew_action.h"
#include "linecrew/core/error.h"
#include "linecrew/device/app/proto_enums.h"
#include "linecrew/v1/crew_sync.pb.h"

namespace linecrew::device {

namespace {

void set_time(TimePoint t, google::protobuf::Timestamp* out) {
  out->set_seconds(t.time_since_epoch().count());
}

v1::CrewAction base(const std::string& device_id, TimePoint now) {
  v1::CrewAction a;
  a.set_op_id(new_op_id());
  a.set_device_id(device_id);
  set_time(now, a.mutable_device_time());
  return a;
}

}  // namespace

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
  validate_crew_action(act, now);
  return act;
}

// The action as the v1.CrewAction the outbox uploads.
void fill(const CrewAction& act, const ActionInput& in, v1::CrewAction& a) {
  a.set_staff_number(act.staff_number);
  switch (act.kind) {
    case CrewActionKind::kAccept:
      a.mutable_accept();
      break;
    case CrewActionKind::kEnRoute:
      a.mutable_en_route();
      break;
    case CrewActionKind::kArrived: {
      auto* ar = a.mutable_arrived();
      if (act.position) {
        ar->mutable_position()->set_lat(act.position->lat());
        ar->mutable_position()->set_lon(act.position->lon());
      }
      break;
    }
    case CrewActionKind::kCauseFound:
      a.mutable_cause_found()->set_text(act.text);
      break;
    case CrewActionKind::kRestored:
      a.mutable_restored();
      break;
    case CrewActionKind::kExplainedToCustomer:
      a.mutable_explained_to_customer()->set_note(act.text);
      break;
    case CrewActionKind::kLeftSite:
      a.mutable_left_site();
      break;
    case CrewActionKind::kCannotFix:
      set_time(*act.committed_return, a.mutable_cannot_fix()->mutable_committed_return_time());
      a.mutable_cannot_fix()->set_reason(act.text);
      break;
    case CrewActionKind::kContactAttempt: {
      auto* c = a.mutable_contact_attempt();
      c->set_staff_number(act.staff_number);
      c->set_reason(to_proto(act.contact->reason));
      c->set_consent(to_proto(act.contact->consent));
      if (in.proposed) set_time(*in.proposed, c->mutable_proposed_arrival_time());
      c->set_note(act.text);
      break;
    }
  }
}

}  // namespace

OutboxEntry record(LocalStore& store, const std::string& device_id, const ActionInput& in, TimePoint now) {
  const auto current = store.get(in.ticket);
  if (!current) throw Error(ErrorCode::kNotFound, "ticket", "no local ticket '" + in.ticket.str() + "'");
  const CrewAction act = to_action(in, now);
  const bool complete = (current->cause_found || act.kind == CrewActionKind::kCauseFound) && current->explained;
  const TicketStatus next = linecrew::status_after(act.kind, current->status, complete);
  v1::CrewAction a = base(device_id, now);
  a.set_ticket_id(in.ticket.str());
  fill(act, in, a);
  // The same rule the server applies (rules §2.3): a consented call made by
  // the deadline in force moves it to the agreed time, in the same transaction.
  std::optional<TimePoint> moved;
  if (act.contact) moved = deadline_after_call(*act.contact, current->effective_deadline);
  OutboxEntry e = store.record_action(in.ticket, in.action, next, a.op_id(), a.SerializeAsString(), now, moved);
  if (act.contact)
    store.log_call({now, in.ticket, std::string(to_string(act.contact->consent)),
                    in.proposed ? "proposed " + format_utc(*in.proposed) : std::string()});
  return e;
}

OutboxEntry record_position(LocalStore& store, const std::string& device_id, const GeoPoint& p, float accuracy_m,
                            TimePoint fix_time, TimePoint now) {
  v1::CrewAction a = base(device_id, now);
  auto* fix = a.mutable_position();
  fix->mutable_point()->set_lat(p.lat());
  fix->mutable_point()->set_lon(p.lon());
  fix->set_accuracy_m(accuracy_m);
  set_time(fix_time, fix->mutable_fix_time());
  return store.record_position(a.op_id(), a.SerializeAsString(), now);
}

}  // namespace linecrew::device
