#include "linecrew/device/app/actions.h"

#include <google/protobuf/timestamp.pb.h>

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
  if (action == "accept") return TicketStatus::kAccepted;
  if (action == "en_route") return TicketStatus::kEnRoute;
  if (action == "arrived") return TicketStatus::kOnSite;
  if (action == "restored") return TicketStatus::kRestored;
  if (action == "cannot_fix") return TicketStatus::kReturnVisitOwed;
  if (action == "left_site")
    return current == TicketStatus::kRestored && closeout_complete ? TicketStatus::kClosed : current;
  if (action == "cause_found" || action == "explained_to_customer" || action == "contact_attempt") return current;
  return std::nullopt;
}

OutboxEntry record(LocalStore& store, const std::string& device_id, const ActionInput& in, TimePoint now) {
  const auto current = store.get(in.ticket);
  if (!current) throw Error(ErrorCode::kNotFound, "ticket", "no local ticket '" + in.ticket.str() + "'");
  const bool complete = (current->cause_found || in.action == "cause_found") && current->explained;
  const auto next = status_after(in.action, current->status, complete);
  if (!next) throw_invalid("action", "'" + in.action + "' is not a crew action");
  v1::CrewAction a = base(device_id, now);
  a.set_ticket_id(in.ticket.str());
  a.set_staff_number(in.staff_number);
  if (in.action == "accept") {
    a.mutable_accept();
  } else if (in.action == "en_route") {
    a.mutable_en_route();
  } else if (in.action == "arrived") {
    auto* ar = a.mutable_arrived();
    if (in.position) {
      ar->mutable_position()->set_lat(in.position->lat());
      ar->mutable_position()->set_lon(in.position->lon());
    }
  } else if (in.action == "cause_found") {
    if (in.text.empty()) throw_invalid("text", "say what the cause was");
    a.mutable_cause_found()->set_text(in.text);
  } else if (in.action == "restored") {
    a.mutable_restored();
  } else if (in.action == "explained_to_customer") {
    a.mutable_explained_to_customer()->set_note(in.text);
  } else if (in.action == "left_site") {
    a.mutable_left_site();
  } else if (in.action == "cannot_fix") {
    if (!in.committed_return) throw_invalid("return_time", "commit a return time to the customer");
    if (*in.committed_return <= now) throw_invalid("return_time", "must be in the future");
    if (in.text.empty()) throw_invalid("text", "say why it cannot be fixed now");
    set_time(*in.committed_return, a.mutable_cannot_fix()->mutable_committed_return_time());
    a.mutable_cannot_fix()->set_reason(in.text);
  } else if (in.action == "contact_attempt") {
    if (!in.reason) throw_invalid("reason", "is required");
    if (!in.consent) throw_invalid("consent", "is required");
    if (*in.consent == Consent::kYes && (!in.proposed || *in.proposed <= now))
      throw_invalid("proposed", "a consented call needs the agreed time, after now");
    auto* c = a.mutable_contact_attempt();
    c->set_staff_number(in.staff_number);
    c->set_reason(to_proto(*in.reason));
    c->set_consent(to_proto(*in.consent));
    if (in.proposed) set_time(*in.proposed, c->mutable_proposed_arrival_time());
    c->set_note(in.text);
  }
  // The same rule the server applies (rules §2.3): a consented call made by
  // the deadline in force moves it to the agreed time, in the same transaction.
  std::optional<TimePoint> moved;
  if (in.action == "contact_attempt" && *in.consent == Consent::kYes && now <= current->effective_deadline)
    moved = in.proposed;
  OutboxEntry e = store.record_action(in.ticket, in.action, *next, a.op_id(), a.SerializeAsString(), now, moved);
  if (in.action == "contact_attempt")
    store.log_call({now, in.ticket, std::string(to_string(*in.consent)),
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
