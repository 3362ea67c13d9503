#include "linecrew/device/app/convert.h"

namespace linecrew::device {

namespace {

// The outbox entry's envelope: op id, device and device time.
v1::CrewAction base(const std::string& op_id, const DeviceId& device_id, TimePoint now) {
  v1::CrewAction a;
  a.set_op_id(op_id);
  a.set_device_id(device_id.str());
  to_proto(now, a.mutable_device_time());
  return a;
}

}  // namespace

void to_proto(TimePoint t, google::protobuf::Timestamp* out) {
  out->set_seconds(t.time_since_epoch().count());
}

v1::CrewAction to_proto(const CrewAction& act, const TicketId& ticket, std::optional<TimePoint> proposed,
                        const std::string& op_id, const DeviceId& device_id, TimePoint now) {
  v1::CrewAction a = base(op_id, device_id, now);
  a.set_ticket_id(ticket.str());
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
      to_proto(*act.committed_return, a.mutable_cannot_fix()->mutable_committed_return_time());
      a.mutable_cannot_fix()->set_reason(act.text);
      break;
    case CrewActionKind::kContactAttempt: {
      auto* c = a.mutable_contact_attempt();
      c->set_staff_number(act.staff_number);
      c->set_reason(to_proto(act.contact->reason));
      c->set_consent(to_proto(act.contact->consent));
      if (proposed) to_proto(*proposed, c->mutable_proposed_arrival_time());
      c->set_note(act.text);
      break;
    }
    case CrewActionKind::kNeedHelp:
      a.mutable_need_help()->set_text(act.text);
      break;
    case CrewActionKind::kConfirmationCall: {
      auto* c = a.mutable_confirmation_call();
      c->set_outcome(to_proto(*act.confirmation));
      if (act.new_time) to_proto(*act.new_time, c->mutable_new_time());
      break;
    }
  }
  return a;
}

v1::CrewAction position_to_proto(const GeoPoint& p, float accuracy_m, TimePoint fix_time, const std::string& op_id,
                                 const DeviceId& device_id, TimePoint now) {
  v1::CrewAction a = base(op_id, device_id, now);
  auto* fix = a.mutable_position();
  fix->mutable_point()->set_lat(p.lat());
  fix->mutable_point()->set_lon(p.lon());
  fix->set_accuracy_m(accuracy_m);
  to_proto(fix_time, fix->mutable_fix_time());
  return a;
}

}  // namespace linecrew::device
