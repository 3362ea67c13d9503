#include "linecrew/server/rpc/crew_sync_service.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/text.h"
#include "linecrew/server/app/secrets.h"
#include "linecrew/server/rpc/call.h"
#include "linecrew/server/rpc/convert.h"

namespace linecrew::rpc {

namespace {

using CA = v1::CrewAction;

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// A device id from the wire; `prefix` puts the field in its message ("actions[2]").
DeviceId device_id_from(const std::string& id, const std::string& prefix = "") {
  try {
    return DeviceId(id);
  } catch (const Error& e) {
    if (prefix.empty()) throw;
    throw e.prefixed(prefix);
  }
}

// One outbox entry to the domain's form; throws Error naming the field.
app::DeviceAction device_action(const CA& a) {
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

}  // namespace

grpc::Status CrewSyncService::Hello(grpc::ServerContext* ctx, const v1::HelloRequest* req, v1::HelloResponse* resp) {
  return serve(ctx, auth_, "CrewSyncService.Hello", [&](const Principal& who) {
    const DeviceId device = device_id_from(req->device_id());
    const std::string& v = req->app_version();
    check_length(v, limit::kAppVersion, "app_version");
    if (std::count(v.begin(), v.end(), '.') < 2 || !std::isdigit(static_cast<unsigned char>(v[0])))
      throw_invalid("app_version", "must be MAJOR.MINOR.PATCH");
    if (req->has_device_time()) from_proto(req->device_time(), "device_time");  // informational; must be a valid time
    const Crew crew = sync_.hello(who.crew, device);
    to_proto(dispatch_.clock().now(), resp->mutable_server_time());
    resp->set_crew_id(crew.id.str());
    to_proto(crew, resp->mutable_crew());
    const ServicePolicy& p = dispatch_.policy();
    v1::DevicePolicy* dp = resp->mutable_policy();
    to_proto(p.delay_call_lead, dp->mutable_delay_call_lead_time());
    for (ZoneClass z : {ZoneClass::kUrban, ZoneClass::kRural, ZoneClass::kRemote}) {
      auto* zl = dp->add_zone_limits();
      zl->set_zone_class(to_proto(z));
      to_proto(p.limit(z), zl->mutable_arrival_limit());
    }
    to_proto(p.follow_up_due, dp->mutable_follow_up_limit());
    dp->set_company_name(p.company_name);
    dp->set_max_upload_actions(static_cast<std::uint32_t>(kMaxUploadActions));
    dp->set_max_upload_bytes(static_cast<std::uint32_t>(kMaxUploadBytes));
    to_proto(seconds(15), dp->mutable_pull_interval());
  });
}

grpc::Status CrewSyncService::Upload(grpc::ServerContext* ctx, const v1::UploadRequest* req, v1::UploadResponse* resp) {
  return serve(ctx, auth_, "CrewSyncService.Upload", [&](const Principal& who) {
    if (req->ByteSizeLong() > kMaxUploadBytes)
      throw Error(ErrorCode::kResourceExhausted, "actions",
                  "the upload is larger than " + std::to_string(kMaxUploadBytes) + " bytes: send fewer actions");
    if (req->actions_size() == 0) throw_invalid("actions", "at least one action is required");
    if (static_cast<std::size_t>(req->actions_size()) > kMaxUploadActions)
      throw_invalid("actions", "at most " + std::to_string(kMaxUploadActions) + " actions per upload");
    if (!req->has_device_send_time()) throw_invalid("device_send_time", "is required");
    // Batch-level checks first: a failure here applies nothing.
    std::set<std::string> seen;
    const DeviceId device_id = device_id_from(req->actions(0).device_id(), "actions[0]");
    for (int i = 0; i < req->actions_size(); ++i) {
      const auto& a = req->actions(i);
      const std::string at = "actions[" + std::to_string(i) + "].";
      if (!is_uuid(a.op_id())) throw_invalid(at + "op_id", "must be a lower-case canonical UUID");
      if (!seen.insert(a.op_id()).second) throw_invalid(at + "op_id", "is repeated in this batch");
      if (a.device_id() != device_id.str()) throw_invalid(at + "device_id", "differs from actions[0].device_id");
    }
    const Crew crew = dispatch_.get_crew(who.crew);
    std::vector<app::DeviceAction> valid;
    std::vector<std::string> malformed(static_cast<std::size_t>(req->actions_size()));
    for (int i = 0; i < req->actions_size(); ++i) {
      try {
        app::DeviceAction d = device_action(req->actions(i));
        if (d.action && !d.action->staff_number.empty() &&
            std::none_of(crew.members.begin(), crew.members.end(),
                         [&](const CrewMember& m) { return m.staff_number == d.action->staff_number; }))
          throw_invalid("staff_number", "'" + d.action->staff_number + "' is not a member of crew " + crew.id.str());
        valid.push_back(std::move(d));
      } catch (const Error& e) {
        malformed[static_cast<std::size_t>(i)] = e.what();
      }
    }
    const auto acks = valid.empty()
                          ? std::vector<storage::SyncAck>{}
                          : sync_.upload(who.crew, device_id, from_proto(req->device_send_time(), "device_send_time"),
                                         std::move(valid));
    std::size_t next = 0;
    for (int i = 0; i < req->actions_size(); ++i) {
      v1::ActionAck* out = resp->add_acks();
      out->set_op_id(req->actions(i).op_id());
      if (const auto& why = malformed[static_cast<std::size_t>(i)]; !why.empty()) {
        out->set_result(v1::ACTION_RESULT_REJECTED);
        out->set_reason(std::string(truncate_code_points(why, limit::kServerReason.hi)));
        continue;
      }
      const storage::SyncAck& ack = acks.at(next++);
      out->set_result(to_proto(ack.result));
      out->set_reason(std::string(truncate_code_points(ack.reason, limit::kServerReason.hi)));
      out->set_ticket_version(ack.ticket_version);
    }
    to_proto(dispatch_.clock().now(), resp->mutable_server_time());
  });
}

grpc::Status CrewSyncService::Pull(grpc::ServerContext* ctx, const v1::PullRequest* req, v1::PullResponse* resp) {
  return serve(ctx, auth_, "CrewSyncService.Pull", [&](const Principal& who) {
    if (req->max_changes() > 1000) throw_invalid("max_changes", "must be at most 1000");
    if (req->max_bytes() > 4u << 20) throw_invalid("max_bytes", "must be at most 4194304");
    const DeviceId device = req->device_id().empty() ? DeviceId() : device_id_from(req->device_id());
    const std::size_t max_changes = req->max_changes() ? req->max_changes() : 200;
    const std::size_t max_bytes = req->max_bytes() ? req->max_bytes() : 262144;
    const app::PullResult r = sync_.pull(who.crew, device, req->cursor(), max_changes);
    const TimePoint now = r.server_time;
    std::uint64_t next_cursor = r.next_cursor;
    bool has_more = r.has_more;
    std::size_t total = 0;
    for (std::size_t k = 0; k < r.items.size(); ++k) {
      const app::PullItem& item = r.items[k];
      v1::CrewChange change;
      change.set_sequence(item.sequence);
      if (item.ticket) {
        v1::Ticket* t = change.mutable_ticket();
        to_proto(*item.ticket, now, true, t);
        t->clear_tracking_token();
        if (const auto plan = dispatch_.plan_view(item.ticket->id)) to_proto(*plan, dispatch_.policy().notify, now, t);
      } else {
        v1::TicketRemoval* rm = change.mutable_removal();
        rm->set_ticket_id(item.removal->ticket.str());
        rm->set_reason(to_proto(item.removal->removal));
        rm->set_detail(std::string(truncate_code_points(item.removal->detail, limit::kServerReason.hi)));
        to_proto(item.removal->time, rm->mutable_time());
      }
      const std::size_t size = change.ByteSizeLong();
      if (!r.reset && k > 0 && total + size > max_bytes) {  // the rest comes next time
        has_more = true;
        next_cursor = r.items[k - 1].sequence;
        break;
      }
      total += size;
      *resp->add_changes() = std::move(change);
    }
    resp->set_next_cursor(next_cursor);
    resp->set_has_more(has_more);
    resp->set_reset(r.reset);
    to_proto(now, resp->mutable_server_time());
    if (!has_more && !r.plan.empty()) {
      v1::CrewPlanUpdate* plan = resp->mutable_plan();
      to_proto(now, plan->mutable_plan_time());
      for (const auto& s : r.plan) {
        v1::PlannedStop* ps = plan->add_stops();
        ps->set_ticket_id(s.ticket.str());
        to_proto(s.eta, ps->mutable_eta());
        to_proto(s.finish, ps->mutable_planned_departure());
        ps->set_locked(s.locked);
      }
    }
  });
}

}  // namespace linecrew::rpc
