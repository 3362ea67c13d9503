#include "linecrew/server/rpc/crew_sync_service.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/text.h"
#include "linecrew/server/rpc/call.h"
#include "linecrew/server/rpc/convert.h"
#include "linecrew/server/rpc/convert_sync.h"

namespace linecrew::rpc {

namespace {

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
    to_proto(dispatch_.policy(), DeviceLimits{kMaxUploadActions, kMaxUploadBytes, seconds(15)}, resp->mutable_policy());
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
        app::DeviceAction d = device_action_from_proto(req->actions(i));
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
        rejected_to_proto(why, out);
        continue;
      }
      to_proto(acks.at(next++), out);
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
      std::optional<app::PlanView> plan;
      if (item.ticket) plan = dispatch_.plan_view(item.ticket->id);
      v1::CrewChange change;
      to_proto(item, plan, dispatch_.policy().notify, now, &change);
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
    if (!has_more && !r.plan.empty()) to_proto(r.plan, now, resp->mutable_plan());
  });
}

}  // namespace linecrew::rpc
