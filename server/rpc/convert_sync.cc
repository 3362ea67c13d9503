#include "linecrew/server/rpc/convert_sync.h"

#include <algorithm>
#include <cmath>

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/text.h"
#include "linecrew/server/app/secrets.h"
#include "linecrew/server/rpc/convert.h"

namespace linecrew::rpc {

namespace {
using CA = v1::CrewAction;
}  // namespace

app::DeviceAction device_action_from_proto(const CA& a) {
  app::DeviceAction d;
  d.op_id = a.op_id();
  d.fingerprint = app::sha256_hex(a.SerializeAsString());
  if (!a.has_device_time()) throw_invalid("device_time", "is required");
  d.device_time = from_proto(a.device_time(), "device_time");
  if (a.action_case() == CA::kPosition) {
    const auto& p = a.position();
    if (!p.has_point()) throw_invalid("position.point", "is required");
    if (!(p.accuracy_m() >= 0) || !std::isfinite(p.accuracy_m()))
      throw_invalid("position.accuracy_m", "must be a finite number >= 0");
    if (p.has_speed_mps() && !(p.speed_mps() >= 0 && std::isfinite(p.speed_mps())))
      throw_invalid("position.speed_mps", "must be a finite number >= 0");
    if (p.has_heading_deg() && !(p.heading_deg() >= 0 && p.heading_deg() < 360))
      throw_invalid("position.heading_deg", "must be in [0, 360)");
    d.position = app::PositionReport{point_from_proto(p.point(), "position.point"), p.accuracy_m(),
                                     p.has_fix_time() ? from_proto(p.fix_time(), "position.fix_time") : d.device_time};
    return d;
  }
  if (a.ticket_id().empty()) throw_invalid("ticket_id", "is required");
  d.ticket = TicketId(a.ticket_id());
  CrewAction act;
  act.staff_number = a.staff_number();
  switch (a.action_case()) {
    case CA::kAccept:
      act.kind = CrewActionKind::kAccept;
      break;
    case CA::kEnRoute:
      act.kind = CrewActionKind::kEnRoute;
      break;
    case CA::kArrived:
      act.kind = CrewActionKind::kArrived;
      if (a.arrived().has_position()) act.position = point_from_proto(a.arrived().position(), "arrived.position");
      break;
    case CA::kCauseFound:
      act.kind = CrewActionKind::kCauseFound;
      act.text = a.cause_found().text();
      break;
    case CA::kRestored:
      act.kind = CrewActionKind::kRestored;
      break;
    case CA::kExplainedToCustomer:
      act.kind = CrewActionKind::kExplainedToCustomer;
      act.text = a.explained_to_customer().note();
      break;
    case CA::kLeftSite:
      act.kind = CrewActionKind::kLeftSite;
      break;
    case CA::kCannotFix:
      act.kind = CrewActionKind::kCannotFix;
      if (a.cannot_fix().has_committed_return_time())
        act.committed_return = from_proto(a.cannot_fix().committed_return_time(), "cannot_fix.committed_return_time");
      act.text = a.cannot_fix().reason();
      break;
    case CA::kContactAttempt: {
      act.kind = CrewActionKind::kContactAttempt;
      const auto& c = a.contact_attempt();
      const auto reason = delay_reason_from_proto(c.reason(), "contact_attempt.reason");
      const auto consent = consent_from_proto(c.consent(), "contact_attempt.consent");
      const TimePoint proposed = c.has_proposed_arrival_time()
                                     ? from_proto(c.proposed_arrival_time(), "contact_attempt.proposed_arrival_time")
                                     : d.device_time;
      act.contact = ContactRecord{d.device_time, reason, proposed, consent};
      act.text = c.note();
      if (act.staff_number.empty()) act.staff_number = c.staff_number();
      break;
    }
    case CA::kNeedHelp:
      act.kind = CrewActionKind::kNeedHelp;
      act.text = a.need_help().text();
      break;
    case CA::kConfirmationCall: {
      act.kind = CrewActionKind::kConfirmationCall;
      const auto& c = a.confirmation_call();
      act.confirmation = confirmation_outcome_from_proto(c.outcome(), "confirmation_call.outcome");
      if (c.has_new_time()) act.new_time = from_proto(c.new_time(), "confirmation_call.new_time");
      break;
    }
    default:
      throw_invalid("action", "exactly one action is required");
  }
  validate_crew_action(act, d.device_time);  // core's rules for the kind, against the device's own clock
  d.action = std::move(act);
  return d;
}

v1::ActionResult to_proto(storage::SyncResult r) {
  switch (r) {
    case storage::SyncResult::kApplied:
      return v1::ACTION_RESULT_APPLIED;
    case storage::SyncResult::kDuplicate:
      return v1::ACTION_RESULT_DUPLICATE;
    case storage::SyncResult::kRejected:
      return v1::ACTION_RESULT_REJECTED;
    case storage::SyncResult::kSuperseded:
      return v1::ACTION_RESULT_SUPERSEDED;
  }
  return v1::ACTION_RESULT_UNSPECIFIED;
}

v1::RemovalReason to_proto(storage::FeedRemoval r) {
  switch (r) {
    case storage::FeedRemoval::kReassigned:
      return v1::REMOVAL_REASON_REASSIGNED;
    case storage::FeedRemoval::kUnassigned:
      return v1::REMOVAL_REASON_UNASSIGNED;
    case storage::FeedRemoval::kCancelled:
      return v1::REMOVAL_REASON_CANCELLED;
    case storage::FeedRemoval::kNone:
      break;
  }
  return v1::REMOVAL_REASON_UNSPECIFIED;
}

void to_proto(const storage::SyncAck& ack, v1::ActionAck* out) {
  out->set_result(to_proto(ack.result));
  out->set_reason(std::string(truncate_code_points(ack.reason, limit::kServerReason.hi)));
  out->set_ticket_version(ack.ticket_version);
}

void rejected_to_proto(std::string_view why, v1::ActionAck* out) {
  out->set_result(v1::ACTION_RESULT_REJECTED);
  out->set_reason(std::string(truncate_code_points(why, limit::kServerReason.hi)));
}

void to_proto(const ServicePolicy& p, const DeviceLimits& limits, v1::DevicePolicy* out) {
  to_proto(p.delay_call_lead, out->mutable_delay_call_lead_time());
  for (ZoneClass z : {ZoneClass::kUrban, ZoneClass::kRural, ZoneClass::kRemote}) {
    auto* zl = out->add_zone_limits();
    zl->set_zone_class(to_proto(z));
    to_proto(p.limit(z), zl->mutable_arrival_limit());
  }
  to_proto(p.follow_up_due, out->mutable_follow_up_limit());
  out->set_company_name(p.company_name);
  out->set_max_upload_actions(static_cast<std::uint32_t>(limits.max_upload_actions));
  out->set_max_upload_bytes(static_cast<std::uint32_t>(limits.max_upload_bytes));
  to_proto(limits.pull_interval, out->mutable_pull_interval());
}

void to_proto(const app::PullItem& item, const std::optional<app::PlanView>& plan, const NotifyPolicy& policy,
              TimePoint now, v1::CrewChange* out) {
  out->set_sequence(item.sequence);
  if (item.ticket) {
    v1::Ticket* t = out->mutable_ticket();
    to_proto(*item.ticket, now, true, t);
    t->clear_tracking_token();  // the customer's credential; the crew has no use for it
    // Complaints (which may be about this crew) and follow-ups are the desk's business, not the crew's.
    t->clear_complaints();
    t->clear_follow_ups();
    auto* events = t->mutable_timeline();
    events->erase(std::remove_if(events->begin(), events->end(),
                                 [](const v1::TicketEvent& e) {
                                   return e.kind() == v1::TICKET_EVENT_KIND_COMPLAINT_RECORDED ||
                                          e.kind() == v1::TICKET_EVENT_KIND_COMPLAINT_CLOSED;
                                 }),
                  events->end());
    auto* escalations = t->mutable_escalations();
    escalations->erase(
        std::remove_if(escalations->begin(), escalations->end(),
                       [](const v1::Escalation& e) { return e.kind() == v1::ESCALATION_KIND_SERIOUS_COMPLAINT; }),
        escalations->end());
    if (plan) to_proto(*plan, policy, now, t);
  } else {
    v1::TicketRemoval* rm = out->mutable_removal();
    rm->set_ticket_id(item.removal->ticket.str());
    rm->set_reason(to_proto(item.removal->removal));
    rm->set_detail(std::string(truncate_code_points(item.removal->detail, limit::kServerReason.hi)));
    to_proto(item.removal->time, rm->mutable_time());
  }
}

void to_proto(const std::vector<planner::Stop>& plan, TimePoint now, v1::CrewPlanUpdate* out) {
  to_proto(now, out->mutable_plan_time());
  for (const auto& s : plan) {
    v1::PlannedStop* ps = out->add_stops();
    ps->set_ticket_id(s.ticket.str());
    to_proto(s.eta, ps->mutable_eta());
    to_proto(s.finish, ps->mutable_planned_departure());
    ps->set_locked(s.locked);
  }
}

}  // namespace linecrew::rpc
